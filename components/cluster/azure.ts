/**
 * Azure: a private AKS cluster with Entra ID authentication and Azure RBAC only (no local accounts),
 * secrets envelope-encrypted with the platform key through KMS on a private Key Vault, Azure CNI
 * overlay powered by Cilium (eBPF dataplane and network policy), workload identity, egress through
 * the network's NAT gateway, a tainted system pool and an autoscaled user pool over zones, and the
 * API server's audit logs in Log Analytics.
 */
import * as authorization from "@pulumi/azure-native/authorization";
import * as containerservice from "@pulumi/azure-native/containerservice";
import * as managedidentity from "@pulumi/azure-native/managedidentity";
import * as monitor from "@pulumi/azure-native/monitor";
import * as operationalinsights from "@pulumi/azure-native/operationalinsights";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { host, overlaps } from "../contracts/cidr";
import { AZURE_ROLES, roleDefinitionId } from "../azure/roles";
import { ACCESS_CHECK_INTERVAL_SECONDS, ACCESS_CHECK_TIMEOUT_SECONDS, ClusterAccessCheck } from "./aks-access";
import type { ClusterParts, KubernetesCluster, NodePoolSizing } from "./outputs";
import type { ClusterNetworkFacts } from "./network-facts";
import { AKS_LOGIN_MODES, aksExecKubeconfig, managedClusterIdentifier, type AksLogin } from "./kubeconfig";

/** Defaults that match the stack schema's, for callers that build the component directly. */
const DEFAULT_POD_CIDR = "100.64.0.0/16";
const DEFAULT_SERVICE_CIDR = "100.65.0.0/16";
const DEFAULT_NODES: NodePoolSizing = { instanceType: "Standard_D4s_v5", minNodes: 3, maxNodes: 6 };
/** Days of audit logs kept in a workspace this component creates (CIS and most audits ask for 90+). */
const LOG_RETENTION_DAYS = 90;
/** The API server categories that record who did what: audit, admin (write) audit and Entra authn/z. */
const AUDIT_LOG_CATEGORIES = ["kube-audit", "kube-audit-admin", "guard"];
/** The Azure CLI's application id: getClientConfig reports it when a person signed in with `az login`. */
const AZURE_CLI_APP_ID = "04b07795-8ddb-461a-bbee-02f9e1bf7b46";
/** AKS limits per pool. */
const MAX_POOL_NODES = 1000;

export interface AksClusterArgs {
    /** The Azure region (names the Kubernetes provider's cluster identity). */
    region: string;
    resourceGroupName: pulumi.Input<string>;
    tenantId: pulumi.Input<string>;
    /** Kubernetes minor version, e.g. "1.34" (patches arrive through the patch upgrade channel). */
    kubernetesVersion?: string;
    /** The user pool's size and autoscaling bounds (default Standard_D4s_v5, 3 to 6). */
    nodes?: NodePoolSizing;
    /** The VNet's resource id (the control plane's identity joins its subnets). */
    networkId: pulumi.Input<string>;
    /** The node subnet. */
    nodeSubnetId: pulumi.Input<string>;
    /** The subnet delegated to AKS for API Server VNet Integration. */
    apiServerSubnetId: pulumi.Input<string>;
    /** The API server subnet's range: the API server's addresses (the cluster's network facts). */
    apiServerSubnetCidr: string;
    /** Versioned key URI of the Key Vault key AKS KMS encrypts secrets with. */
    secretsKeyId: pulumi.Input<string>;
    /** Resource id of the (private) vault holding that key. */
    secretsKeyVaultId: pulumi.Input<string>;
    /** Entra group object ids that administer the cluster through Azure RBAC. */
    adminGroupObjectIds?: pulumi.Input<string>[];
    /** Log Analytics workspace for kube-audit diagnostics (created when omitted). */
    logAnalyticsWorkspaceId?: pulumi.Input<string>;
    /** Spread pools over availability zones 1-3 (false in regions without zones; default false). */
    zonal?: boolean;
    /** Pod overlay range (Azure CNI overlay powered by Cilium; default 100.64.0.0/16). */
    podCidr?: string;
    /** Kubernetes service range; the DNS service IP is its tenth address (default 100.65.0.0/16). */
    serviceCidr?: string;
    /** Microsoft Defender for Containers (default false: billed per vCore). */
    defender?: boolean;
    /** Encrypt node temp/cache disks at the host (default true; needs the EncryptionAtHost feature). */
    encryptionAtHost?: boolean;
    /** How kubelogin signs in, never interactively: "azurecli" (default), "workloadidentity" or "msi". */
    login?: string;
    /** Longest wait, in seconds, for the deployer's cluster access to propagate on a first deploy (60-3600, default 900). */
    accessTimeoutSeconds?: number;
    tags?: pulumi.Input<Record<string, pulumi.Input<string>>>;
    /** Protect the cluster and the audit workspace it creates from deletion (default true). */
    protect?: boolean;
}

/** TypeScript-only values of each AksCluster, kept off the class's properties (a schema would read those as outputs). */
const partsOf = new WeakMap<AksCluster, ClusterParts>();

/** Azure: a private AKS cluster with zero-trust defaults (see the file comment); type token platform:index:AksCluster. */
export class AksCluster extends pulumi.ComponentResource implements KubernetesCluster {
    public readonly clusterName: pulumi.Output<string>;
    public readonly endpoint: pulumi.Output<string>;
    public readonly kubeconfig: pulumi.Output<string>;
    public readonly oidcIssuerUrl: pulumi.Output<string>;
    /** The managed cluster's resource id. */
    public readonly clusterId: pulumi.Output<string>;
    /** The control plane's user-assigned identity. */
    public readonly identityPrincipalId: pulumi.Output<string>;
    public readonly identityClientId: pulumi.Output<string>;
    /** The kubelet identity (pulls images). */
    public readonly kubeletIdentityObjectId: pulumi.Output<string>;
    public readonly kubeletIdentityClientId: pulumi.Output<string>;
    public readonly nodeResourceGroup: pulumi.Output<string>;
    /** The workspace holding the audit logs. */
    public readonly logAnalyticsWorkspaceId: pulumi.Output<string>;

    constructor(name: string, args: AksClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        // The token the single KubernetesCluster class had: children keep their URNs through the parent alias.
        super("platform:index:AksCluster", name, {}, pulumi.mergeOptions(opts, { aliases: [{ type: "platform:index:KubernetesCluster" }] }));
        const out = createAzureCluster(this, name, args);
        partsOf.set(this, out);
        this.clusterName = out.clusterName;
        this.endpoint = out.endpoint;
        this.kubeconfig = out.kubeconfig;
        this.oidcIssuerUrl = out.oidcIssuerUrl;
        this.clusterId = out.extras.clusterId;
        this.identityPrincipalId = out.extras.identityPrincipalId;
        this.identityClientId = out.extras.identityClientId;
        this.kubeletIdentityObjectId = out.extras.kubeletIdentityObjectId;
        this.kubeletIdentityClientId = out.extras.kubeletIdentityClientId;
        this.nodeResourceGroup = out.extras.nodeResourceGroup;
        this.logAnalyticsWorkspaceId = out.extras.logAnalyticsWorkspaceId;
        this.registerOutputs({
            clusterName: this.clusterName,
            endpoint: this.endpoint,
            kubeconfig: this.kubeconfig,
            oidcIssuerUrl: this.oidcIssuerUrl,
            ...this.extras,
        });
    }

    /** TypeScript-only: always "azure". */
    get target(): "azure" {
        return "azure";
    }
    /** TypeScript-only: a provider that installs into this cluster. */
    get provider(): k8s.Provider {
        return partsOf.get(this)!.provider;
    }
    /** TypeScript-only: the cluster's network facts (Cilium; the API server subnet). */
    get networkFacts(): ClusterNetworkFacts {
        return partsOf.get(this)!.networkFacts;
    }
    /** TypeScript-only: the AKS outputs by name, as the capabilities read them. */
    get extras(): Record<string, pulumi.Output<string>> {
        return {
            clusterId: this.clusterId,
            identityPrincipalId: this.identityPrincipalId,
            identityClientId: this.identityClientId,
            kubeletIdentityObjectId: this.kubeletIdentityObjectId,
            kubeletIdentityClientId: this.kubeletIdentityClientId,
            nodeResourceGroup: this.nodeResourceGroup,
            logAnalyticsWorkspaceId: this.logAnalyticsWorkspaceId,
        };
    }
}

function createAzureCluster(parent: pulumi.Resource, name: string, args: AksClusterArgs) {
    // Every check runs before the first child is registered: bad input leaves nothing half-built.
    const fail = (path: string, value: unknown, allowed: string): never => {
        throw new Error(`AksCluster ${name}: args.${path}: ${JSON.stringify(value)}; allowed: ${allowed}`);
    };
    if (!args.resourceGroupName) fail("resourceGroupName", args.resourceGroupName, "the resource group of the cluster");
    if (!args.tenantId) fail("tenantId", args.tenantId, "the Entra tenant id");
    if (!args.nodeSubnetId) fail("nodeSubnetId", args.nodeSubnetId, "the VNet's node subnet id");
    if (!args.apiServerSubnetId) fail("apiServerSubnetId", args.apiServerSubnetId, "the subnet delegated to Microsoft.ContainerService/managedClusters (API Server VNet Integration)");
    if (!/^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/.test(args.apiServerSubnetCidr ?? "")) {
        fail("apiServerSubnetCidr", args.apiServerSubnetCidr, "the API server subnet's IPv4 range, such as 10.20.128.0/28 (the API server's addresses for NetworkPolicy egress)");
    }
    if (!args.secretsKeyVaultId) fail("secretsKeyVaultId", args.secretsKeyVaultId, "the resource id of the Key Vault holding the secrets key (AKS KMS encrypts Kubernetes secrets with it)");
    if (!args.secretsKeyId) fail("secretsKeyId", args.secretsKeyId, "the versioned key URI of the secrets key");
    const nodes = args.nodes ?? DEFAULT_NODES;
    if (!Number.isInteger(nodes.minNodes) || nodes.minNodes < 1 || nodes.minNodes > MAX_POOL_NODES) {
        fail("nodes.minNodes", nodes.minNodes, `a whole number from 1 to ${MAX_POOL_NODES}`);
    }
    if (!Number.isInteger(nodes.maxNodes) || nodes.maxNodes < nodes.minNodes || nodes.maxNodes > MAX_POOL_NODES) {
        fail("nodes.maxNodes", nodes.maxNodes, `a whole number from minNodes (${nodes.minNodes}) to ${MAX_POOL_NODES}`);
    }
    const podCidr = args.podCidr ?? DEFAULT_POD_CIDR;
    const serviceCidr = args.serviceCidr ?? DEFAULT_SERVICE_CIDR;
    if (overlaps(podCidr, serviceCidr)) {
        fail("serviceCidr", serviceCidr, `a range disjoint from args.podCidr "${podCidr}"`);
    }
    const login = args.login ?? "azurecli";
    if (!(AKS_LOGIN_MODES as readonly string[]).includes(login)) {
        fail("login", login, `${AKS_LOGIN_MODES.join(", ")} (kubelogin modes that never prompt)`);
    }
    const accessTimeoutSeconds = args.accessTimeoutSeconds ?? ACCESS_CHECK_TIMEOUT_SECONDS;
    if (!Number.isInteger(accessTimeoutSeconds) || accessTimeoutSeconds < 60 || accessTimeoutSeconds > 3600) {
        fail("accessTimeoutSeconds", accessTimeoutSeconds, "a whole number of seconds from 60 to 3600");
    }
    // Like the keys: deleting the cluster destroys every workload and secret in it.
    const protect = args.protect ?? true;
    const zonal = args.zonal ?? false;
    const zones = zonal ? ["1", "2", "3"] : undefined;
    const { resourceGroupName, tenantId } = args;
    const tags = args.tags;
    const nodeSubnetId = args.nodeSubnetId;
    const vaultId = args.secretsKeyVaultId;

    // A user-assigned identity for the control plane: it exists before the cluster, so it can be granted
    // the key and the network first (KMS does not work with a system-assigned identity for that reason).
    const identity = new managedidentity.UserAssignedIdentity(`${name}-control-plane`, { resourceGroupName, tags }, { parent });

    const grant = (suffix: string, role: string, scope: pulumi.Input<string>) =>
        new authorization.RoleAssignment(
            `${name}-control-plane-${suffix}`,
            {
                principalId: identity.principalId,
                // Declared so the assignment does not fail while the new identity replicates through Entra ID.
                principalType: authorization.PrincipalType.ServicePrincipal,
                roleDefinitionId: roleDefinitionId(parent, role),
                scope,
            },
            { parent },
        );
    const grants = [
        // KMS wraps and unwraps the data-encryption keys with the platform key.
        grant("kms-crypto-user", AZURE_ROLES.keyVaultCryptoUser, vaultId),
        // With a private vault, AKS creates its own private link to the vault.
        grant("kms-vault-contributor", AZURE_ROLES.keyVaultContributor, vaultId),
        // Bring-your-own VNet: joining the node and API server subnets, using their NAT gateway, linking
        // the private DNS zone of the API server to the VNet.
        grant("network-contributor", AZURE_ROLES.networkContributor, args.networkId),
    ];

    const workspaceId =
        args.logAnalyticsWorkspaceId ??
        new operationalinsights.Workspace(
            `${name}-logs`,
            {
                resourceGroupName,
                sku: { name: operationalinsights.WorkspaceSkuNameEnum.PerGB2018 },
                retentionInDays: LOG_RETENTION_DAYS,
                tags,
            },
            // The audit trail outlives a mistaken delete.
            { parent, protect },
        ).id;

    const pool = {
        vmSize: nodes.instanceType,
        osType: containerservice.OSType.Linux,
        // Azure Linux: a small, Microsoft-maintained container host (fewer packages to patch than Ubuntu).
        osSKU: containerservice.OSSKU.AzureLinux,
        type: containerservice.AgentPoolType.VirtualMachineScaleSets,
        vnetSubnetID: nodeSubnetId,
        availabilityZones: zones,
        enableNodePublicIP: false,
        enableAutoScaling: true,
        // Temp disks and OS/data disk caches encrypted on the host, not only the managed disks at rest.
        enableEncryptionAtHost: args.encryptionAtHost ?? true,
        orchestratorVersion: args.kubernetesVersion,
        tags,
    };
    // The system pool runs only critical add-ons (CoreDNS, metrics-server, konnectivity, CSI): one node
    // per zone in zonal regions, two elsewhere, so losing a node never takes cluster DNS down.
    const systemMin = zonal ? 3 : 2;

    const cluster = new containerservice.ManagedCluster(
        `${name}-aks`,
        {
            resourceGroupName,
            dnsPrefix: name.replace(/[^a-zA-Z0-9-]/g, "").slice(0, 54),
            kubernetesVersion: args.kubernetesVersion,
            // Standard tier: the financially backed uptime SLA (99.95% with zones) and a larger control plane.
            sku: { name: containerservice.ManagedClusterSKUName.Base, tier: containerservice.ManagedClusterSKUTier.Standard },
            identity: { type: containerservice.ResourceIdentityType.UserAssigned, userAssignedIdentities: [identity.id] },
            // Entra ID sign-in, Azure RBAC for authorization, no static admin certificate to leak.
            enableRBAC: true,
            disableLocalAccounts: true,
            aadProfile: { managed: true, enableAzureRBAC: true, tenantID: tenantId, adminGroupObjectIDs: args.adminGroupObjectIds ?? [] },
            apiServerAccessProfile: {
                enablePrivateCluster: true,
                enablePrivateClusterPublicFQDN: false,
                privateDNSZone: "system",
                // The API server gets an address in the network's delegated subnet. Required for KMS with a
                // private vault (the older Konnectivity tunnel is no longer offered for it).
                enableVnetIntegration: true,
                subnetId: args.apiServerSubnetId,
            },
            networkProfile: {
                networkPlugin: containerservice.NetworkPlugin.Azure,
                // Overlay: pods get addresses from podCidr, not from the VNet, so the VNet stays small.
                networkPluginMode: containerservice.NetworkPluginMode.Overlay,
                networkDataplane: containerservice.NetworkDataplane.Cilium,
                networkPolicy: containerservice.NetworkPolicy.Cilium,
                podCidr,
                serviceCidr,
                dnsServiceIP: host(serviceCidr, 10),
                ipFamilies: [containerservice.IpFamily.IPv4],
                loadBalancerSku: containerservice.LoadBalancerSku.Standard,
                // Egress through the network's NAT gateway on the node subnet: one known address, no
                // outbound rules on a public load balancer.
                outboundType: containerservice.OutboundType.UserAssignedNATGateway,
            },
            oidcIssuerProfile: { enabled: true },
            securityProfile: {
                workloadIdentity: { enabled: true },
                azureKeyVaultKms: {
                    enabled: true,
                    keyId: args.secretsKeyId,
                    keyVaultNetworkAccess: containerservice.KeyVaultNetworkAccessTypes.Private,
                    keyVaultResourceId: vaultId,
                },
                // Removes unused, possibly vulnerable images from nodes every week.
                imageCleaner: { enabled: true, intervalHours: 168 },
                // Defender for Containers is billed per vCore; off unless asked for (see docs/azure.md).
                ...(args.defender
                    ? { defender: { logAnalyticsWorkspaceResourceId: workspaceId, securityMonitoring: { enabled: true } } }
                    : {}),
            },
            autoUpgradeProfile: {
                // Patch releases of the pinned minor version arrive automatically; minor upgrades stay a decision.
                upgradeChannel: containerservice.UpgradeChannel.Patch,
                nodeOSUpgradeChannel: containerservice.NodeOSUpgradeChannel.NodeImage,
            },
            addonProfiles: {
                // Azure Policy (Gatekeeper) enforces the subscription's Kubernetes policy assignments in-cluster.
                azurepolicy: { enabled: true },
                // Secrets Store CSI driver for Key Vault, re-reading mounted secrets every two minutes.
                azureKeyvaultSecretsProvider: { enabled: true, config: { enableSecretRotation: "true", rotationPollInterval: "2m" } },
            },
            // The system pool is inline because AKS cannot create a cluster without one; the user pool is a
            // separate AgentPool (below) so resizing it never rewrites the cluster resource.
            agentPoolProfiles: [
                {
                    ...pool,
                    name: "system",
                    mode: containerservice.AgentPoolMode.System,
                    count: systemMin,
                    minCount: systemMin,
                    maxCount: systemMin + 2,
                    nodeTaints: ["CriticalAddonsOnly=true:NoSchedule"],
                },
            ],
            tags,
        },
        {
            parent,
            protect,
            dependsOn: grants,
            // The autoscaler owns the node count after creation.
            ignoreChanges: ["agentPoolProfiles[0].count"],
        },
    );

    const userPool = new containerservice.AgentPool(
        `${name}-user`,
        {
            ...pool,
            resourceGroupName,
            resourceName: cluster.name,
            agentPoolName: "user",
            mode: containerservice.AgentPoolMode.User,
            count: nodes.minNodes,
            minCount: nodes.minNodes,
            maxCount: nodes.maxNodes,
        },
        { parent, ignoreChanges: ["count"] },
    );

    new monitor.DiagnosticSetting(
        `${name}-audit`,
        {
            resourceUri: cluster.id,
            workspaceId,
            // Resource-specific tables (AKSAudit, AKSAuditAdmin, …) instead of the shared AzureDiagnostics table.
            logAnalyticsDestinationType: "Dedicated",
            logs: AUDIT_LOG_CATEGORIES.map((category) => ({ category, enabled: true })),
        },
        { parent },
    );

    // The deploying principal installs the platform's in-cluster components through the provider below;
    // with local accounts off, that needs an Azure RBAC role on this cluster.
    const deployer = authorization.getClientConfigOutput({ parent });
    const deployerAdmin = new authorization.RoleAssignment(
        `${name}-deployer-cluster-admin`,
        {
            principalId: deployer.objectId,
            // ARM rejects a principalType that does not match the principal. Signed in through the Azure
            // CLI as a person, the client id is the CLI's own application; otherwise it is a service
            // principal or managed identity (CI).
            principalType: deployer.clientId.apply((id) =>
                id === AZURE_CLI_APP_ID ? authorization.PrincipalType.User : authorization.PrincipalType.ServicePrincipal,
            ),
            roleDefinitionId: roleDefinitionId(parent, AZURE_ROLES.aksRbacClusterAdmin),
            scope: cluster.id,
        },
        { parent },
    );

    // The Entra ID ("exec") kubeconfig: kubectl and the Kubernetes provider obtain tokens through kubelogin,
    // rewritten from AKS's device-code default to the chosen non-interactive login (kubeconfig.ts).
    const credentials = containerservice.listManagedClusterUserCredentialsOutput(
        { resourceGroupName, resourceName: cluster.name, format: "exec" },
        { parent },
    );
    const kubeconfig = pulumi.secret(
        pulumi.all([credentials.kubeconfigs, cluster.name, tenantId, deployer.clientId]).apply(([configs, clusterName, tenant, clientId]) => {
            const value = configs[0]?.value;
            if (!value) throw new Error(`AksCluster ${name}: AKS returned no user kubeconfig`);
            return aksExecKubeconfig(clusterName, Buffer.from(value, "base64").toString("utf8"), { login: login as AksLogin, tenantId: tenant, clientId });
        }),
    );

    // Azure role assignments take minutes to reach the API server's authorizer and the Kubernetes
    // provider does not retry a 403 (aks-access.ts): wait, bounded, until the deployer can act.
    const access = new ClusterAccessCheck(
        `${name}-access`,
        {
            kubeconfig,
            roleAssignmentIds: [deployerAdmin.id],
            timeoutSeconds: accessTimeoutSeconds,
            intervalSeconds: ACCESS_CHECK_INTERVAL_SECONDS,
        },
        // The user pool too: the check needs a cluster that answers, not one still scaling its first pool.
        { parent, dependsOn: [deployerAdmin, userPool] },
    );

    const provider = new k8s.Provider(
        `${name}-k8s`,
        {
            kubeconfig,
            // The provider is replaced only when this changes. Without it, pulumi-kubernetes replaces the
            // provider (and so every resource in the cluster) whenever the kubeconfig is unknown in a preview,
            // which happens on any update of the cluster it is read from (provider.d.ts, clusterIdentifier).
            clusterIdentifier: managedClusterIdentifier("azure", args.region, name),
            // Server-side apply lets several owners (operators, Helm, this program) share fields safely.
            enableServerSideApply: true,
        },
        // Workloads installed through this provider wait for the user pool and for the deployer's access to work.
        { parent, dependsOn: [userPool, deployerAdmin, access] },
    );

    return {
        // Azure CNI powered by Cilium; the API server has addresses in the apiserver subnet (VNet integration).
        networkFacts: { networkPolicyEngine: "cilium", apiServer: { cidrs: [args.apiServerSubnetCidr], ports: [443] } },
        clusterName: cluster.name,
        endpoint: cluster.privateFQDN,
        kubeconfig,
        oidcIssuerUrl: cluster.oidcIssuerProfile.apply((p) => p?.issuerURL ?? ""),
        provider,
        extras: {
            clusterId: cluster.id,
            identityPrincipalId: identity.principalId,
            identityClientId: identity.clientId,
            kubeletIdentityObjectId: cluster.identityProfile.apply((p) => p?.["kubeletidentity"]?.objectId ?? ""),
            kubeletIdentityClientId: cluster.identityProfile.apply((p) => p?.["kubeletidentity"]?.clientId ?? ""),
            nodeResourceGroup: cluster.nodeResourceGroup.apply((g) => g ?? ""),
            logAnalyticsWorkspaceId: pulumi.output(workspaceId),
        },
    };
}
