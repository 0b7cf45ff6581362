/**
 * Azure (azure-native) mocks: the computed outputs ARM returns for the resources the platform creates
 * (full ARM ids, names, identities, URIs), and the invokes it makes. Names follow the resource's name
 * input when one is set, otherwise the logical name (the provider would append a random suffix).
 */
import type * as pulumi from "@pulumi/pulumi";
import { MOCK_AZURE_SUBSCRIPTION, MOCK_AZURE_TENANT, MOCK_CA_DATA, type CloudMocks, type ResourceMock } from "./types";

/** Location used where neither the resource nor its provider sets one. */
const MOCK_AZURE_LOCATION = "westeurope";
/** Provider id → the provider's `location`, so resources that inherit it report the right region. */
const providerLocations = new Map<string, string>();

/** The resource's own location, else its explicit provider's (a provider reference is "<urn>::<id>"). */
function locationOf(args: pulumi.runtime.MockResourceArgs): string {
    const own = str(args.inputs.location);
    if (own) return own;
    const providerId = args.provider?.split("::").pop();
    return (providerId && providerLocations.get(providerId)) || MOCK_AZURE_LOCATION;
}
/** The version Key Vault reports as current for every key (getKey), as after a rotation. */
export const MOCK_AZURE_CURRENT_KEY_VERSION = "fedcba9876543210fedcba9876543210";
/** The object id of the identity that runs Pulumi (getClientConfig). */
export const MOCK_AZURE_DEPLOYER_OBJECT_ID = "22222222-2222-2222-2222-222222222222";

/** A stable, GUID-shaped value derived from a string (principal ids, client ids, …). */
function guid(seed: string): string {
    let h = 0x811c9dc5;
    const hex: string[] = [];
    for (let round = 0; round < 4; round++) {
        for (const c of `${round}:${seed}`) h = Math.imul(h ^ c.charCodeAt(0), 0x01000193) >>> 0;
        hex.push(h.toString(16).padStart(8, "0"));
    }
    const s = hex.join("");
    return `${s.slice(0, 8)}-${s.slice(8, 12)}-4${s.slice(13, 16)}-8${s.slice(17, 20)}-${s.slice(20, 32)}`;
}

function str(v: unknown): string | undefined {
    return typeof v === "string" && v.length > 0 ? v : undefined;
}

function rg(args: pulumi.runtime.MockResourceArgs): string {
    return str(args.inputs.resourceGroupName) ?? "mock-rg";
}

function rgId(args: pulumi.runtime.MockResourceArgs): string {
    return `/subscriptions/${MOCK_AZURE_SUBSCRIPTION}/resourceGroups/${rg(args)}`;
}

/** A resource directly under a resource group: id, name, location. */
function arm(provider: string, nameInput: string): ResourceMock {
    return (args) => {
        const name = str(args.inputs[nameInput]) ?? args.name;
        return { id: `${rgId(args)}/providers/${provider}/${name}`, name, location: locationOf(args) };
    };
}

/** The exec user AKS really returns: kubelogin in device-code mode (pulumi/pulumi-azure-native#2399, Azure/kubelogin#193). */
const MOCK_KUBECONFIG = (server: string, cluster: string) => `apiVersion: v1
kind: Config
clusters:
- cluster:
    certificate-authority-data: ${MOCK_CA_DATA}
    server: https://${server}:443
  name: ${cluster}
contexts:
- context:
    cluster: ${cluster}
    user: clusterUser_${cluster}
  name: ${cluster}
current-context: ${cluster}
users:
- name: clusterUser_${cluster}
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1beta1
      command: kubelogin
      args: [get-token, --environment, AzurePublicCloud, --server-id, 6dae42f8-4368-4678-94ff-3960e28e3630, --client-id, 80faf920-1908-4b52-b5ef-a8e7bedfc67a, --tenant-id, ${MOCK_AZURE_TENANT}, --login, devicecode]
      env: null
      provideClusterInfo: false
`;

export const azureMocks: CloudMocks = {
    resources: {
        "pulumi:providers:azure-native": (args) => {
            const id = `${args.name}-provider-id`;
            const location = str(args.inputs.location);
            if (location) providerLocations.set(id, location);
            return { id };
        },
        "azure-native:resources:ResourceGroup": (args) => {
            const name = str(args.inputs.resourceGroupName) ?? args.name;
            return { id: `/subscriptions/${MOCK_AZURE_SUBSCRIPTION}/resourceGroups/${name}`, name, location: locationOf(args) };
        },
        "azure-native:keyvault:Vault": (args) => {
            const base = arm("Microsoft.KeyVault/vaults", "vaultName")(args);
            const props = (args.inputs.properties ?? {}) as Record<string, unknown>;
            return { ...base, properties: { ...props, vaultUri: `https://${base.name}.vault.azure.net/`, provisioningState: "Succeeded" } };
        },
        "azure-native:keyvault:Key": (args) => {
            const vault = str(args.inputs.vaultName) ?? "mock-vault";
            const name = str(args.inputs.keyName) ?? args.name;
            const keyUri = `https://${vault}.vault.azure.net/keys/${name}`;
            return {
                id: `${rgId(args)}/providers/Microsoft.KeyVault/vaults/${vault}/keys/${name}`,
                name,
                keyUri,
                keyUriWithVersion: `${keyUri}/0123456789abcdef0123456789abcdef`,
            };
        },
        "azure-native:authorization:RoleAssignment": (args) => {
            const name = str(args.inputs.roleAssignmentName) ?? guid(`${args.name}`);
            const scope = str(args.inputs.scope) ?? `/subscriptions/${MOCK_AZURE_SUBSCRIPTION}`;
            return { id: `${scope}/providers/Microsoft.Authorization/roleAssignments/${name}`, name };
        },
        "azure-native:managedidentity:UserAssignedIdentity": (args) => {
            const base = arm("Microsoft.ManagedIdentity/userAssignedIdentities", "resourceName")(args);
            return { ...base, principalId: guid(`principal:${base.id}`), clientId: guid(`client:${base.id}`), tenantId: MOCK_AZURE_TENANT };
        },
        "azure-native:network:VirtualNetwork": arm("Microsoft.Network/virtualNetworks", "virtualNetworkName"),
        "azure-native:network:NetworkSecurityGroup": arm("Microsoft.Network/networkSecurityGroups", "networkSecurityGroupName"),
        "azure-native:network:NatGateway": arm("Microsoft.Network/natGateways", "natGatewayName"),
        "azure-native:network:PublicIPAddress": (args) => ({
            ...arm("Microsoft.Network/publicIPAddresses", "publicIpAddressName")(args),
            ipAddress: "20.0.113.10",
        }),
        "azure-native:network:Subnet": (args) => {
            const vnet = str(args.inputs.virtualNetworkName) ?? "mock-vnet";
            const name = str(args.inputs.subnetName) ?? str(args.inputs.name) ?? args.name;
            return { id: `${rgId(args)}/providers/Microsoft.Network/virtualNetworks/${vnet}/subnets/${name}`, name };
        },
        "azure-native:operationalinsights:Workspace": (args) => ({
            ...arm("Microsoft.OperationalInsights/workspaces", "workspaceName")(args),
            customerId: guid(`workspace:${args.name}`),
        }),
        "azure-native:containerservice:ManagedCluster": (args) => {
            const base = arm("Microsoft.ContainerService/managedClusters", "resourceName")(args);
            const location = base.location;
            const prefix = str(args.inputs.dnsPrefix) ?? base.name;
            const nodeResourceGroup = str(args.inputs.nodeResourceGroup) ?? `MC_${rg(args)}_${base.name}_${location}`;
            const kubelet = `/subscriptions/${MOCK_AZURE_SUBSCRIPTION}/resourceGroups/${nodeResourceGroup}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/${base.name}-agentpool`;
            const api = (args.inputs.apiServerAccessProfile ?? {}) as Record<string, unknown>;
            const privateFQDN = api.enablePrivateCluster ? `${prefix}-abcd1234.0e6f8a2b-privatelink.${location}.azmk8s.io` : undefined;
            return {
                ...base,
                fqdn: api.enablePrivateCluster ? undefined : `${prefix}-abcd1234.hcp.${location}.azmk8s.io`,
                privateFQDN,
                azurePortalFQDN: `${prefix}-abcd1234.portal.hcp.${location}.azmk8s.io`,
                nodeResourceGroup,
                currentKubernetesVersion: str(args.inputs.kubernetesVersion) ? `${args.inputs.kubernetesVersion}.3` : "1.34.3",
                provisioningState: "Succeeded",
                oidcIssuerProfile: {
                    ...((args.inputs.oidcIssuerProfile ?? {}) as object),
                    issuerURL: `https://${location}.oic.prod-aks.azure.com/${MOCK_AZURE_TENANT}/${guid(`oidc:${base.id}`)}/`,
                },
                identityProfile: {
                    kubeletidentity: { resourceId: kubelet, clientId: guid(`kubelet-client:${base.id}`), objectId: guid(`kubelet-object:${base.id}`) },
                },
            };
        },
        "azure-native:containerservice:AgentPool": (args) => {
            const cluster = str(args.inputs.resourceName) ?? "mock-aks";
            const name = str(args.inputs.agentPoolName) ?? args.name;
            return { id: `${rgId(args)}/providers/Microsoft.ContainerService/managedClusters/${cluster}/agentPools/${name}`, name, provisioningState: "Succeeded" };
        },
        "azure-native:privatedns:PrivateZone": (args) => {
            const name = str(args.inputs.privateZoneName) ?? args.name;
            return { id: `${rgId(args)}/providers/Microsoft.Network/privateDnsZones/${name}`, name };
        },
        "azure-native:privatedns:VirtualNetworkLink": (args) => {
            const name = str(args.inputs.virtualNetworkLinkName) ?? args.name;
            return { id: `${rgId(args)}/providers/Microsoft.Network/privateDnsZones/${str(args.inputs.privateZoneName) ?? "zone"}/virtualNetworkLinks/${name}`, name };
        },
        "azure-native:privatedns:PrivateRecordSet": (args) => {
            const name = str(args.inputs.relativeRecordSetName) ?? args.name;
            const zone = str(args.inputs.privateZoneName) ?? "zone";
            return { id: `${rgId(args)}/providers/Microsoft.Network/privateDnsZones/${zone}/${str(args.inputs.recordType) ?? "A"}/${name}`, name, fqdn: `${name}.${zone}.` };
        },
        "azure-native:monitor:DiagnosticSetting": (args) => {
            const name = str(args.inputs.name) ?? args.name;
            const target = str(args.inputs.resourceUri) ?? `/subscriptions/${MOCK_AZURE_SUBSCRIPTION}`;
            return { id: `${target}/providers/Microsoft.Insights/diagnosticSettings/${name}`, name };
        },
    },
    calls: {
        // The key's current version as Key Vault reports it: after a rotation it differs from the version
        // the Key resource was created with (the resource mock's keyUriWithVersion).
        "azure-native:keyvault:getKey": (args) => {
            const vault = str(args.inputs.vaultName) ?? "mock-vault";
            const name = str(args.inputs.keyName) ?? "mock-key";
            const keyUri = `https://${vault}.vault.azure.net/keys/${name}`;
            return { name, keyUri, keyUriWithVersion: `${keyUri}/${MOCK_AZURE_CURRENT_KEY_VERSION}` };
        },
        "azure-native:authorization:getClientConfig": () => ({
            clientId: "33333333-3333-3333-3333-333333333333",
            objectId: MOCK_AZURE_DEPLOYER_OBJECT_ID,
            subscriptionId: MOCK_AZURE_SUBSCRIPTION,
            tenantId: MOCK_AZURE_TENANT,
        }),
        "azure-native:containerservice:listManagedClusterUserCredentials": (args) => {
            const cluster = str(args.inputs.resourceName) ?? "mock-aks";
            const providerId = args.provider?.split("::").pop();
            const location = (providerId && providerLocations.get(providerId)) || MOCK_AZURE_LOCATION;
            const server = `${cluster}-abcd1234.0e6f8a2b-privatelink.${location}.azmk8s.io`;
            return { kubeconfigs: [{ name: "clusterUser", value: Buffer.from(MOCK_KUBECONFIG(server, cluster)).toString("base64") }] };
        },
    },
};
