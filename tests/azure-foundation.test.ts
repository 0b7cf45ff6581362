/**
 * The Azure foundation (Key Vault key, VNet, AKS) as the dev stack plans it with only Azure enabled,
 * plus the components used directly for argument checks. Expected values are derived from the stack
 * configuration and the mocks' ARM ids, not copied from the implementation.
 */
import { Provider as AzureProvider } from "@pulumi/azure-native/provider";
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { AksCluster, type AksClusterArgs } from "../components/cluster";
import { AzureKeyVaultKey, type AzureKeyVaultKeyArgs } from "../components/keys";
import { AzureNetwork } from "../components/network";
import { AZURE_ZONAL_REGIONS } from "../components/regions";
import { platformConfigSchema } from "../stacks/config";
import { overlaps, parseCidr } from "../components/contracts/cidr";
import { planStack, type Plan, type RecordedResource } from "../tools/plan/index";
import { MOCK_AZURE_DEPLOYER_OBJECT_ID } from "../tools/plan/mocks/azure";
import { MOCK_AZURE_SUBSCRIPTION, MOCK_AZURE_TENANT } from "../tools/plan/mocks/types";
import { runUnderMocks } from "../tools/plan/runtime";

const T = {
    group: "azure-native:resources:ResourceGroup",
    vault: "azure-native:keyvault:Vault",
    key: "azure-native:keyvault:Key",
    role: "azure-native:authorization:RoleAssignment",
    identity: "azure-native:managedidentity:UserAssignedIdentity",
    vnet: "azure-native:network:VirtualNetwork",
    subnet: "azure-native:network:Subnet",
    nsg: "azure-native:network:NetworkSecurityGroup",
    nat: "azure-native:network:NatGateway",
    ip: "azure-native:network:PublicIPAddress",
    workspace: "azure-native:operationalinsights:Workspace",
    cluster: "azure-native:containerservice:ManagedCluster",
    pool: "azure-native:containerservice:AgentPool",
    diagnostics: "azure-native:monitor:DiagnosticSetting",
};

const ROLE = {
    cryptoUser: "12338af0-0e69-4776-bea7-57ae8d297424",
    vaultContributor: "f25e0fa2-a7c8-4377-a976-54943a77a395",
    networkContributor: "4d97b98b-1d4f-4787-a291-c67834d212e7",
    aksClusterAdmin: "b1ff04bb-8a4e-4dc4-8eb5-8693973ce19b",
};
const roleId = (guid: string) => `/subscriptions/${MOCK_AZURE_SUBSCRIPTION}/providers/Microsoft.Authorization/roleDefinitions/${guid}`;

function all(resources: RecordedResource[], type: string): RecordedResource[] {
    return resources.filter((r) => r.type === type);
}
function only(resources: RecordedResource[], type: string): RecordedResource {
    const found = all(resources, type);
    expect(found, `exactly one ${type}`).toHaveLength(1);
    return found[0]!;
}
function named(resources: RecordedResource[], type: string, suffix: string): RecordedResource {
    const found = all(resources, type).filter((r) => r.name.endsWith(suffix));
    expect(found, `exactly one ${type} named *${suffix}`).toHaveLength(1);
    return found[0]!;
}
/**
 * The dev stack with only Azure enabled. Services the dev stack file declares for other clouds are
 * dropped (when the schema has `platform:services`): this file tests the foundation, not the services.
 */
const azureOnly = (extra: Record<string, unknown>) => ({
    "platform:clouds": ["azure"],
    ...("services" in platformConfigSchema.shape ? { "platform:services": [] } : {}),
    ...extra,
});

/** Children of the three foundation components (other capabilities may add Azure resources of the same types). */
const FOUNDATION_PARENT = /[$:]platform:index:(AzureKeyVaultKey|AzureNetwork|AksCluster)::plt-dev-az$/;
const foundationOf = (plan: Plan) => plan.resources.filter((r) => FOUNDATION_PARENT.test(r.parent));

/** The ARM id the mocks give a resource directly under the stack's resource group. */
const armId = (group: string, provider: string, name: string) => `/subscriptions/${MOCK_AZURE_SUBSCRIPTION}/resourceGroups/${group}/providers/${provider}/${name}`;

describe("Azure foundation (dev stack, azure only, zonal region)", () => {
    const region = "francecentral";
    let plan: Plan;
    let res: RecordedResource[];
    let group: string;
    const inputs = (type: string) => only(res, type).inputs as Record<string, any>;
    const cluster = () => inputs(T.cluster);

    beforeAll(async () => {
        expect(AZURE_ZONAL_REGIONS.has(region)).toBe(true);
        plan = await planStack("dev", azureOnly({ "platform:regions": { azure: region } }));
        res = foundationOf(plan);
        group = only(plan.resources, T.group).name;
    });

    it("creates only Azure resources (and the cluster's Kubernetes provider)", () => {
        const packageOf = (type: string) => (type.startsWith("pulumi:providers:") ? type.split(":")[2] : type.split(":")[0]);
        const packages = new Set(plan.resources.filter((r) => r.custom).map((r) => packageOf(r.type)));
        // pulumi-nodejs: the cluster access check, a dynamic resource run by the program itself (components/cluster/aks-access.ts).
        expect([...packages].sort()).toEqual(["azure-native", "kubernetes", "pulumi-nodejs"]);
        expect(plan.resources.some((r) => r.type.startsWith("aws:") || r.type.startsWith("gcp:"))).toBe(false);
        for (const type of Object.values(T)) expect(all(type === T.group ? plan.resources : res, type).length, type).toBeGreaterThan(0);
    });

    it("gives every Azure resource the stack's explicit azure-native provider, located in the region", () => {
        const provider = only(plan.resources, "pulumi:providers:azure-native");
        expect(provider.inputs.location).toBe(region);
        const azure = [...res, only(plan.resources, T.group)].filter((r) => r.custom && r.type.startsWith("azure-native:"));
        expect(azure.length).toBeGreaterThanOrEqual(20);
        for (const r of azure) expect(r.provider, r.name).toBe(provider.urn);
        const k8sProvider = only(res, "pulumi:providers:kubernetes");
        expect(k8sProvider.parent).toMatch(/platform:index:AksCluster::plt-dev-az$/);
    });

    describe("key", () => {
        it("keeps the vault private, RBAC-only, purge-protected with 90 days of soft delete, protected", () => {
            const vault = only(res, T.vault);
            expect(vault.protect).toBe(true);
            expect(vault.parent).toMatch(/platform:index:AzureKeyVaultKey::plt-dev-az$/);
            expect(vault.inputs).toMatchObject({
                resourceGroupName: group,
                properties: {
                    tenantId: MOCK_AZURE_TENANT,
                    sku: { family: "A", name: "premium" },
                    enableRbacAuthorization: true,
                    enablePurgeProtection: true,
                    enableSoftDelete: true,
                    softDeleteRetentionInDays: 90,
                    publicNetworkAccess: "Disabled",
                    networkAcls: { defaultAction: "Deny", bypass: "AzureServices" },
                },
            });
            const props = (vault.inputs as any).properties;
            expect(props.accessPolicies ?? []).toEqual([]);
            expect(props.networkAcls.ipRules ?? []).toEqual([]);
            // Name + an 8-character auto-name suffix must fit Key Vault's 24 characters.
            expect(vault.name.length + 8).toBeLessThanOrEqual(24);
        });

        it("holds an RSA key of at least 3072 bits that rotates every 90 days and expires after, protected", () => {
            const key = only(res, T.key);
            const vault = only(res, T.vault);
            expect(key.protect).toBe(true);
            const props = (key.inputs as any).properties;
            expect(key.inputs).toMatchObject({ resourceGroupName: group, vaultName: vault.name });
            expect(props.kty).toMatch(/^RSA(-HSM)?$/);
            expect(props.keySize).toBeGreaterThanOrEqual(3072);
            expect(props.keyOps).toEqual(expect.arrayContaining(["wrapKey", "unwrapKey"]));
            const actions = props.rotationPolicy.lifetimeActions as any[];
            expect(actions).toContainEqual({ trigger: { timeAfterCreate: "P90D" }, action: { type: "rotate" } });
            const expiryDays = Number(/^P(\d+)D$/.exec(props.rotationPolicy.attributes.expiryTime)![1]);
            expect(expiryDays).toBeGreaterThan(90);
        });

        it("gives AKS KMS the versioned key URI and the vault's resource id", () => {
            const vault = only(res, T.vault);
            const key = only(res, T.key);
            const kms = cluster().securityProfile.azureKeyVaultKms;
            expect(kms).toEqual({
                enabled: true,
                keyId: expect.stringMatching(new RegExp(`^https://${vault.name}\\.vault\\.azure\\.net/keys/${key.name}/[0-9a-f]{32}$`)),
                keyVaultNetworkAccess: "Private",
                keyVaultResourceId: armId(group, "Microsoft.KeyVault/vaults", vault.name),
            });
        });
    });

    describe("network", () => {
        const cidr = "10.20.0.0/16";
        const subnets = () => all(res, T.subnet);
        const subnet = (role: string) => named(res, T.subnet, `-${role}`);

        it("builds one VNet on the configured range, with subnets as separate resources only", () => {
            const vnet = inputs(T.vnet);
            expect(vnet.addressSpace).toEqual({ addressPrefixes: [cidr] });
            expect(vnet.subnets).toBeUndefined();
            expect(subnets().map((s) => s.name.split("-").pop()).sort()).toEqual(["apiserver", "apps", "data", "nodes"]);
        });

        it("cuts disjoint subnets inside the VNet and creates them one after another", () => {
            const prefixes = subnets().map((s) => (s.inputs as any).addressPrefix as string);
            for (const p of prefixes) {
                expect(overlaps(p, cidr) && parseCidr(p).prefix > 16, p).toBe(true);
            }
            for (let i = 0; i < prefixes.length; i++)
                for (let j = i + 1; j < prefixes.length; j++) expect(overlaps(prefixes[i], prefixes[j]), `${prefixes[i]} vs ${prefixes[j]}`).toBe(false);
            expect(parseCidr((subnet("apiserver").inputs as any).addressPrefix).prefix).toBeLessThanOrEqual(28);
            // Each subnet after the first depends on the one before it (Azure serialises subnet writes).
            const list = subnets();
            for (let i = 1; i < list.length; i++) expect(list[i].dependencies).toContain(list[i - 1].urn);
        });

        it("puts every subnet behind its own NSG and turns off default outbound access", () => {
            const nsgIds = new Set(all(res, T.nsg).map((n) => armId(group, "Microsoft.Network/networkSecurityGroups", n.name)));
            expect(nsgIds.size).toBe(4);
            const used = subnets().map((s) => {
                expect((s.inputs as any).defaultOutboundAccess, s.name).toBe(false);
                return (s.inputs as any).networkSecurityGroup.id as string;
            });
            expect(new Set(used)).toEqual(nsgIds);
        });

        it("allows nothing inbound from the internet and denies it explicitly", () => {
            const open = new Set(["*", "0.0.0.0/0", "internet", "any"]);
            for (const nsg of all(res, T.nsg)) {
                const rules = ((nsg.inputs as any).securityRules ?? []) as any[];
                for (const r of rules.filter((r) => r.direction === "Inbound" && r.access === "Allow")) {
                    const sources = [r.sourceAddressPrefix, ...(r.sourceAddressPrefixes ?? [])].map((s) => String(s).toLowerCase());
                    expect(sources.some((s) => open.has(s)), `${nsg.name}/${r.name}`).toBe(false);
                }
                expect(rules, nsg.name).toContainEqual(expect.objectContaining({ direction: "Inbound", access: "Deny", sourceAddressPrefix: "Internet" }));
            }
        });

        it("sends node (and apps) egress through a Standard NAT gateway with a zone-redundant static IP", () => {
            const ip = only(res, T.ip);
            expect(ip.inputs).toMatchObject({ sku: { name: "Standard" }, publicIPAllocationMethod: "Static", zones: ["1", "2", "3"] });
            const nat = only(res, T.nat);
            expect(nat.inputs).toMatchObject({
                sku: { name: "Standard" },
                publicIpAddresses: [{ id: armId(group, "Microsoft.Network/publicIPAddresses", ip.name) }],
            });
            const natId = armId(group, "Microsoft.Network/natGateways", nat.name);
            expect((subnet("nodes").inputs as any).natGateway).toEqual({ id: natId });
            expect((subnet("apps").inputs as any).natGateway).toEqual({ id: natId });
            expect((subnet("data").inputs as any).natGateway).toBeUndefined();
        });

        it("enables private endpoint network policies on the data subnet and delegates apps and API server subnets", () => {
            expect((subnet("data").inputs as any).privateEndpointNetworkPolicies).toBe("Enabled");
            expect((subnet("data").inputs as any).delegations ?? []).toEqual([]);
            expect((subnet("apps").inputs as any).delegations).toEqual([expect.objectContaining({ serviceName: "Microsoft.App/environments" })]);
            expect((subnet("apiserver").inputs as any).delegations).toEqual([
                expect.objectContaining({ serviceName: "Microsoft.ContainerService/managedClusters" }),
            ]);
        });
    });

    describe("cluster", () => {
        const vnetName = () => only(res, T.vnet).name;
        const subnetId = (role: string) => `${armId(group, "Microsoft.Network/virtualNetworks", vnetName())}/subnets/${named(res, T.subnet, `-${role}`).name}`;

        it("is private: no public FQDN, API server in its delegated subnet", () => {
            expect(cluster().apiServerAccessProfile).toMatchObject({
                enablePrivateCluster: true,
                enablePrivateClusterPublicFQDN: false,
                enableVnetIntegration: true,
                subnetId: subnetId("apiserver"),
            });
            expect(cluster().apiServerAccessProfile.authorizedIPRanges ?? []).not.toContain("0.0.0.0/0");
        });

        it("authenticates with Entra ID only and authorizes with Azure RBAC", () => {
            expect(cluster()).toMatchObject({
                disableLocalAccounts: true,
                enableRBAC: true,
                aadProfile: { managed: true, enableAzureRBAC: true, tenantID: MOCK_AZURE_TENANT },
                oidcIssuerProfile: { enabled: true },
                securityProfile: { workloadIdentity: { enabled: true } },
            });
        });

        it("uses Azure CNI overlay powered by Cilium with the configured ranges and NAT gateway egress", () => {
            expect(cluster().networkProfile).toMatchObject({
                networkPlugin: "azure",
                networkPluginMode: "overlay",
                networkDataplane: "cilium",
                networkPolicy: "cilium",
                podCidr: "100.64.0.0/16",
                serviceCidr: "100.65.0.0/16",
                dnsServiceIP: "100.65.0.10",
                outboundType: "userAssignedNATGateway",
            });
        });

        it("runs the control plane as a user-assigned identity granted the key and the network before creation", () => {
            const identity = only(res, T.identity);
            const identityId = armId(group, "Microsoft.ManagedIdentity/userAssignedIdentities", identity.name);
            expect(cluster().identity).toEqual({ type: "UserAssigned", userAssignedIdentities: [identityId] });

            const vaultId = armId(group, "Microsoft.KeyVault/vaults", only(res, T.vault).name);
            const vnetId = armId(group, "Microsoft.Network/virtualNetworks", vnetName());
            const plane = all(res, T.role).filter((r) => r.name.includes("control-plane"));
            const grants = plane.map((r) => (r.inputs as any)).map((i) => ({ role: i.roleDefinitionId, scope: i.scope, type: i.principalType }));
            expect(grants).toEqual(
                expect.arrayContaining([
                    { role: roleId(ROLE.cryptoUser), scope: vaultId, type: "ServicePrincipal" },
                    { role: roleId(ROLE.vaultContributor), scope: vaultId, type: "ServicePrincipal" },
                    { role: roleId(ROLE.networkContributor), scope: vnetId, type: "ServicePrincipal" },
                ]),
            );
            const principals = new Set(plane.map((r) => (r.inputs as any).principalId));
            expect(principals.size).toBe(1);
            expect([...principals][0]).toMatch(/^[0-9a-f-]{36}$/);
            // The cluster waits for every grant (KMS checks its access at creation).
            for (const r of plane) expect(only(res, T.cluster).dependencies).toContain(r.urn);
        });

        it("grants the deploying principal cluster-admin through Azure RBAC, scoped to this cluster", () => {
            const admin = named(res, T.role, "-deployer-cluster-admin");
            const clusterRes = only(res, T.cluster);
            expect(admin.inputs).toMatchObject({
                principalId: MOCK_AZURE_DEPLOYER_OBJECT_ID,
                roleDefinitionId: roleId(ROLE.aksClusterAdmin),
                scope: armId(group, "Microsoft.ContainerService/managedClusters", clusterRes.name),
                principalType: "ServicePrincipal",
            });
        });

        it("keeps a tainted, zone-spread, autoscaled system pool inline", () => {
            const pools = cluster().agentPoolProfiles as any[];
            expect(pools).toHaveLength(1);
            expect(pools[0]).toMatchObject({
                mode: "System",
                nodeTaints: ["CriticalAddonsOnly=true:NoSchedule"],
                availabilityZones: ["1", "2", "3"],
                enableAutoScaling: true,
                minCount: 3,
                enableNodePublicIP: false,
                osSKU: "AzureLinux",
                vnetSubnetID: subnetId("nodes"),
            });
            expect(pools[0].maxCount).toBeGreaterThanOrEqual(pools[0].minCount);
            expect(only(res, T.cluster).options.ignoreChanges).toContain("agentPoolProfiles[0].count");
        });

        it("adds a user pool sized from the stack config, autoscaled over zones, without public IPs", () => {
            const pool = only(res, T.pool);
            const clusterRes = only(res, T.cluster);
            // Pulumi.dev.yaml: nodeSize small, minNodes 2, maxNodes 4.
            expect(pool.inputs).toMatchObject({
                resourceGroupName: group,
                resourceName: clusterRes.name,
                mode: "User",
                vmSize: "Standard_D2s_v5",
                enableAutoScaling: true,
                minCount: 2,
                maxCount: 4,
                count: 2,
                availabilityZones: ["1", "2", "3"],
                enableNodePublicIP: false,
                osType: "Linux",
                osSKU: "AzureLinux",
                vnetSubnetID: subnetId("nodes"),
                orchestratorVersion: "1.34",
            });
            expect(pool.options.ignoreChanges).toContain("count");
        });

        it("pins the minor version, auto-patches, bills the Standard tier and turns on policy and secrets add-ons", () => {
            expect(cluster()).toMatchObject({
                kubernetesVersion: "1.34",
                autoUpgradeProfile: { upgradeChannel: "patch", nodeOSUpgradeChannel: "NodeImage" },
                sku: { name: "Base", tier: "Standard" },
                addonProfiles: {
                    azurepolicy: { enabled: true },
                    azureKeyvaultSecretsProvider: { enabled: true, config: { enableSecretRotation: "true" } },
                },
            });
            // Defender for Containers costs per vCore; it stays off unless asked for.
            expect(cluster().securityProfile.defender).toBeUndefined();
        });

        it("sends kube-audit, kube-audit-admin and guard logs to a 90-day Log Analytics workspace", () => {
            const workspace = only(res, T.workspace);
            expect(workspace.inputs).toMatchObject({ retentionInDays: 90, sku: { name: "PerGB2018" } });
            const diag = only(res, T.diagnostics);
            expect(diag.inputs).toMatchObject({
                resourceUri: armId(group, "Microsoft.ContainerService/managedClusters", only(res, T.cluster).name),
                workspaceId: armId(group, "Microsoft.OperationalInsights/workspaces", workspace.name),
            });
            const logs = (diag.inputs as any).logs as any[];
            expect(logs.filter((l) => l.enabled).map((l) => l.category).sort()).toEqual(["guard", "kube-audit", "kube-audit-admin"]);
        });

        it("outputs the private FQDN, the OIDC issuer and an Entra (kubelogin) kubeconfig kept secret", () => {
            const out = plan.outputs["azure"] as Record<string, string>;
            const clusterName = only(res, T.cluster).name;
            expect(out.clusterName).toBe(clusterName);
            expect(out.endpoint).toMatch(new RegExp(`privatelink\\.${region}\\.azmk8s\\.io$`));
            expect(out.oidcIssuerUrl).toMatch(new RegExp(`^https://${region}\\.oic\\.prod-aks\\.azure\\.com/${MOCK_AZURE_TENANT}/`));
            expect((plan.maskedOutputs["azure"] as any).kubeconfig).toBe("[secret]");
            const kc = parse(out.kubeconfig);
            expect(kc.clusters[0].cluster.server).toMatch(/^https:\/\/.*privatelink\..*\.azmk8s\.io:443$/);
            expect(kc["current-context"]).toBe(clusterName);
            expect(kc.users[0].user.exec).toMatchObject({ command: "kubelogin" });
            const k8sProvider = only(res, "pulumi:providers:kubernetes");
            expect(String(k8sProvider.rawInputs.enableServerSideApply)).toBe("true");
            expect(k8sProvider.inputs.kubeconfig).toBe("[secret]");
            // Workloads installed through the provider wait for the user pool.
            expect(k8sProvider.dependencies).toContain(only(res, T.pool).urn);
        });
    });

    it("leaves the vault and key unprotected only when platform:protect is false", async () => {
        const throwaway = foundationOf(await planStack("dev", azureOnly({ "platform:regions": { azure: region }, "platform:protect": false })));
        expect(only(throwaway, T.vault).protect).toBe(false);
        expect(only(throwaway, T.key).protect).toBe(false);
    });
});

describe("Azure foundation in a region without availability zones", () => {
    const region = "germanynorth";
    let res: RecordedResource[];
    beforeAll(async () => {
        expect(AZURE_ZONAL_REGIONS.has(region)).toBe(false);
        const plan = await planStack(
            "dev",
            azureOnly({
                "platform:regions": { azure: region },
                "platform:network": { azure: { cidr: "10.40.0.0/22", podCidr: "172.16.0.0/16", serviceCidr: "172.17.0.0/20" } },
            }),
        );
        res = foundationOf(plan);
    });

    it("spreads no pool or IP over zones and keeps two system nodes", () => {
        const pools = (only(res, T.cluster).inputs as any).agentPoolProfiles as any[];
        expect(pools[0].availabilityZones).toBeUndefined();
        expect(pools[0].minCount).toBe(2);
        expect((only(res, T.pool).inputs as any).availabilityZones).toBeUndefined();
        expect((only(res, T.ip).inputs as any).zones).toBeUndefined();
    });

    it("uses the configured VNet, pod and service ranges; DNS is the service range's tenth address", () => {
        expect((only(res, T.vnet).inputs as any).addressSpace.addressPrefixes).toEqual(["10.40.0.0/22"]);
        for (const s of all(res, T.subnet)) expect(overlaps((s.inputs as any).addressPrefix, "10.40.0.0/22"), s.name).toBe(true);
        expect((only(res, T.cluster).inputs as any).networkProfile).toMatchObject({
            podCidr: "172.16.0.0/16",
            serviceCidr: "172.17.0.0/20",
            dnsServiceIP: "172.17.0.10",
        });
    });
});

/**
 * Runs the Azure components directly, with an explicit provider, as a stack would. When the program
 * throws, the component that threw has already been registered and still completes its registration
 * asynchronously; the run settles only after that, so it cannot leak into the next test's mock runtime.
 */
function runComponents(build: (provider: AzureProvider) => unknown) {
    const sink: RecordedResource[] = [];
    const started = runUnderMocks(() => build(new AzureProvider("azure", { location: "swedencentral" })), { project: "platform", stack: "test", sink });
    const run = started.catch(async (e) => {
        await new Promise((r) => setTimeout(r, 300));
        throw e;
    });
    return { run, sink };
}

const azureCtx = { resourceGroupName: "rg-test", tenantId: MOCK_AZURE_TENANT };
const keyArgs: AzureKeyVaultKeyArgs = azureCtx;

function foundation(provider: AzureProvider, clusterArgs: Partial<AksClusterArgs>) {
    const providers = { "azure-native": provider };
    const key = new AzureKeyVaultKey("t", keyArgs, { providers });
    const network = new AzureNetwork("t", { region: "swedencentral", cidr: "10.20.0.0/16", resourceGroupName: "rg-test" }, { providers });
    const cluster = new AksCluster(
        "t",
        {
            region: "swedencentral",
            ...azureCtx,
            zonal: true,
            nodes: { instanceType: "Standard_D4s_v5", minNodes: 3, maxNodes: 9 },
            networkId: network.networkId,
            nodeSubnetId: network.nodeSubnetIds[0]!,
            apiServerSubnetId: network.apiServerSubnetId,
            apiServerSubnetCidr: network.subnetPlan.apiServer,
            secretsKeyId: key.keyId,
            secretsKeyVaultId: key.vaultId,
            ...clusterArgs,
        },
        { providers },
    );
    return { key, network, cluster };
}

describe("Azure components used directly", () => {
    it("rotates the key on the requested schedule and grants crypto users on the vault only", async () => {
        const { run } = runComponents((provider) => {
            const key = new AzureKeyVaultKey(
                "k",
                { ...keyArgs, rotationDays: 30, cryptoUsers: ["44444444-4444-4444-4444-444444444444"] },
                { providers: { "azure-native": provider } },
            );
            return key.vaultId;
        });
        const { resources, outputs } = await run;
        const props = (only(resources, T.key).inputs as any).properties;
        expect(props.rotationPolicy.lifetimeActions).toContainEqual({ trigger: { timeAfterCreate: "P30D" }, action: { type: "rotate" } });
        const grant = only(resources, T.role);
        expect(grant.inputs).toEqual({
            principalId: "44444444-4444-4444-4444-444444444444",
            principalType: "ServicePrincipal",
            roleDefinitionId: roleId(ROLE.cryptoUser),
            scope: outputs,
        });
    });

    it("rejects a rotation period above 90 days before registering any vault", async () => {
        const { run, sink } = runComponents((provider) => new AzureKeyVaultKey("k", { ...keyArgs, rotationDays: 365 }, { providers: { "azure-native": provider } }));
        await expect(run).rejects.toThrow(/^AzureKeyVaultKey k: args\.rotationDays: 365; allowed: a whole number of days from 7 to 90$/);
        expect(sink.some((r) => r.type.startsWith("azure-native:keyvault"))).toBe(false);
    });

    it("rejects a VNet range too small for the subnet plan", async () => {
        const { run, sink } = runComponents(
            (provider) =>
                new AzureNetwork("n", { region: "swedencentral", cidr: "10.20.0.0/24", resourceGroupName: "rg" }, { providers: { "azure-native": provider } }),
        );
        await expect(run).rejects.toThrow(/^AzureNetwork n: args\.cidr: "10\.20\.0\.0\/24"; allowed: an IPv4 CIDR with a prefix from \/8 to \/22/);
        expect(sink.some((r) => r.type.startsWith("azure-native:network"))).toBe(false);
    });

    it("refuses a cluster without the key's vault, registering nothing of the cluster", async () => {
        const { run, sink } = runComponents((provider) => foundation(provider, { secretsKeyVaultId: undefined as never }));
        await expect(run).rejects.toThrow(/^AksCluster t: args\.secretsKeyVaultId: undefined; allowed: the resource id of the Key Vault holding the secrets key/);
        expect(sink.some((r) => r.type.startsWith("azure-native:containerservice") || r.type === T.identity)).toBe(false);
    });

    it("refuses a user pool whose maximum is below its minimum", async () => {
        const { run, sink } = runComponents((provider) => foundation(provider, { nodes: { instanceType: "Standard_D4s_v5", minNodes: 5, maxNodes: 2 } }));
        await expect(run).rejects.toThrow(/^AksCluster t: args\.nodes\.maxNodes: 2; allowed: a whole number from minNodes \(5\) to 1000$/);
        expect(sink.some((r) => r.type.startsWith("azure-native:containerservice"))).toBe(false);
    });

    it("turns Defender on only when asked, and exposes identity, kubelet and node group extras", async () => {
        const { run } = runComponents((provider) => {
            const { cluster } = foundation(provider, { defender: true, encryptionAtHost: false });
            return pulumi.output(cluster.extras);
        });
        const { resources, outputs } = await run;
        const aks = only(resources, T.cluster).inputs as any;
        const workspaceId = armId("rg-test", "Microsoft.OperationalInsights/workspaces", only(resources, T.workspace).name);
        expect(aks.securityProfile.defender).toEqual({ logAnalyticsWorkspaceResourceId: workspaceId, securityMonitoring: { enabled: true } });
        expect(aks.agentPoolProfiles[0].enableEncryptionAtHost).toBe(false);
        const extras = outputs as Record<string, string>;
        const identity = only(resources, T.identity);
        expect(extras).toMatchObject({
            clusterId: armId("rg-test", "Microsoft.ContainerService/managedClusters", only(resources, T.cluster).name),
            nodeResourceGroup: expect.stringMatching(/^MC_rg-test_/),
            kubeletIdentityObjectId: expect.stringMatching(/^[0-9a-f-]{36}$/),
            identityPrincipalId: expect.stringMatching(/^[0-9a-f-]{36}$/),
        });
        const planeGrant = all(resources, T.role).find((r) => r.name.endsWith("-kms-crypto-user"))!;
        expect((planeGrant.inputs as any).principalId).toBe(extras.identityPrincipalId);
        expect(identity.parent).toMatch(/platform:index:AksCluster::t$/);
    });

    it("uses a given Log Analytics workspace instead of creating one", async () => {
        const given = armId("rg-logs", "Microsoft.OperationalInsights/workspaces", "central");
        const { run } = runComponents((provider) => foundation(provider, { logAnalyticsWorkspaceId: given }).cluster.urn);
        const { resources } = await run;
        expect(all(resources, T.workspace)).toHaveLength(0);
        expect((only(resources, T.diagnostics).inputs as any).workspaceId).toBe(given);
    });
});
