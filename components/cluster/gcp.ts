/**
 * GCP: a regional GKE Standard cluster with zero-trust defaults. Private nodes, a private-only IP
 * control-plane endpoint (Private Service Connect) with authorized networks enforced on it, and the
 * IAM-checked DNS endpoint the Kubernetes provider uses (reachable from CI without a VPN),
 * Workload Identity, Dataplane V2 (eBPF network policy), secrets envelope-encrypted with the platform
 * key, shielded nodes, Binary Authorization, control-plane and workload logs, managed Prometheus,
 * and one autoscaling node pool spread over the region's zones, run by a least-privilege service account.
 */
import * as gcp from "@pulumi/gcp";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { ClusterParts, KubernetesCluster, NodePoolSizing } from "./outputs";
import type { ClusterNetworkFacts } from "./network-facts";
import { NODE_LOCAL_DNS_ADDRESS } from "./network-facts";
import { execKubeconfig, managedClusterIdentifier } from "./kubeconfig";

/** What the node service account may do: write logs and metrics, read its own metadata, pull images. */
export const GKE_NODE_ROLES = [
    "roles/logging.logWriter",
    "roles/monitoring.metricWriter",
    "roles/monitoring.viewer",
    "roles/stackdriver.resourceMetadata.writer",
    "roles/artifactregistry.reader",
] as const;

/** Service-account ids: 6-30 characters, lowercase letters, digits and hyphens, starting with a letter. */
const ACCOUNT_ID = /^[a-z][-a-z0-9]{4,28}[a-z0-9]$/;

/** GKE release channels the platform allows (the cluster's releaseChannel.channel). */
export const GKE_RELEASE_CHANNELS = ["RAPID", "REGULAR", "STABLE"] as const;

export interface GkeClusterArgs {
    project: pulumi.Input<string>;
    /** A region, not a zone: the control plane is replicated over three zones. */
    region: string;
    /** Minimum Kubernetes version, e.g. "1.34"; the release channel picks patches. */
    kubernetesVersion?: string;
    /** "RAPID", "REGULAR" (default) or "STABLE". */
    releaseChannel?: string;
    nodes: NodePoolSizing;
    /** CIDRs allowed to reach the private IP endpoint (VPN, bastion, CI). Never a /0. */
    authorizedCidrs?: string[];
    /** The VPC network id. */
    networkId: pulumi.Input<string>;
    /** The node subnetwork id (also holds the Private Service Connect control-plane endpoint). */
    subnetworkId: pulumi.Input<string>;
    /** Names of the subnetwork's secondary ranges for pods and services. */
    podsRangeName: pulumi.Input<string>;
    servicesRangeName: pulumi.Input<string>;
    /** Primary ranges of the node subnetwork: may reach the private endpoint, which has its address there (network facts). */
    nodeSubnetCidrs: string[];
    /** The pod range: may reach the private endpoint. */
    podsCidr?: string;
    /**
     * Cloud KMS crypto key id that encrypts Kubernetes secrets and node boot disks. The GKE and Compute
     * Engine service agents need their grants on it first: pass the key component in opts.dependsOn.
     */
    secretsKeyId: pulumi.Input<string>;
    tags?: pulumi.Input<Record<string, pulumi.Input<string>>>;
    /** Protect the cluster (and GKE's deletionProtection) from deletion (default true). */
    protect?: boolean;
}

/** TypeScript-only values of each GkeCluster, kept off the class's properties (a schema would read those as outputs). */
const partsOf = new WeakMap<GkeCluster, ClusterParts>();

/** GCP: a regional private GKE Standard cluster with zero-trust defaults (see the file comment); type token platform:index:GkeCluster. */
export class GkeCluster extends pulumi.ComponentResource implements KubernetesCluster {
    public readonly clusterName: pulumi.Output<string>;
    public readonly endpoint: pulumi.Output<string>;
    public readonly kubeconfig: pulumi.Output<string>;
    public readonly oidcIssuerUrl: pulumi.Output<string>;
    /** The nodes' service account. */
    public readonly nodeServiceAccountEmail: pulumi.Output<string>;
    /** The Workload Identity pool, <project>.svc.id.goog. */
    public readonly workloadPool: pulumi.Output<string>;
    public readonly projectId: pulumi.Output<string>;
    public readonly clusterId: pulumi.Output<string>;
    /** The IAM-checked DNS endpoint of the control plane. */
    public readonly dnsEndpoint: pulumi.Output<string>;

    constructor(name: string, args: GkeClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        // The token the single KubernetesCluster class had: children keep their URNs through the parent alias.
        super("platform:index:GkeCluster", name, {}, pulumi.mergeOptions(opts, { aliases: [{ type: "platform:index:KubernetesCluster" }] }));
        // What the component waits for (the key with its service-agent grants), the control plane depends on.
        // A component's dependsOn is not recorded on its children (@pulumi/pulumi runtime/resource.js takes
        // a resource's dependencies from its own opts.dependsOn and inputs), so deletes and targeted updates
        // would not see it; it is handed on explicitly.
        const out = createGcpCluster(this, name, args, opts?.dependsOn);
        partsOf.set(this, out);
        this.clusterName = out.clusterName;
        this.endpoint = out.endpoint;
        this.kubeconfig = out.kubeconfig;
        this.oidcIssuerUrl = out.oidcIssuerUrl;
        this.nodeServiceAccountEmail = out.extras.nodeServiceAccountEmail;
        this.workloadPool = out.extras.workloadPool;
        this.projectId = out.extras.projectId;
        this.clusterId = out.extras.clusterId;
        this.dnsEndpoint = out.extras.dnsEndpoint;
        this.registerOutputs({
            clusterName: this.clusterName,
            endpoint: this.endpoint,
            kubeconfig: this.kubeconfig,
            oidcIssuerUrl: this.oidcIssuerUrl,
            ...this.extras,
        });
    }

    /** TypeScript-only: always "gcp". */
    get target(): "gcp" {
        return "gcp";
    }
    /** TypeScript-only: a provider that installs into this cluster (through the DNS endpoint). */
    get provider(): k8s.Provider {
        return partsOf.get(this)!.provider;
    }
    /** TypeScript-only: the cluster's network facts (Dataplane V2 = Cilium; NodeLocal DNSCache). */
    get networkFacts(): ClusterNetworkFacts {
        return partsOf.get(this)!.networkFacts;
    }
    /** TypeScript-only: the GKE outputs by name, as the capabilities read them. */
    get extras(): Record<string, pulumi.Output<string>> {
        return {
            nodeServiceAccountEmail: this.nodeServiceAccountEmail,
            workloadPool: this.workloadPool,
            projectId: this.projectId,
            clusterId: this.clusterId,
            dnsEndpoint: this.dnsEndpoint,
        };
    }
}

function fail(name: string, setting: string, value: unknown, allowed: string): never {
    throw new Error(`GkeCluster ${name}: args.${setting}: ${JSON.stringify(value)}; allowed: ${allowed}`);
}

function createGcpCluster(parent: pulumi.Resource, name: string, args: GkeClusterArgs, dependsOn: pulumi.ComponentResourceOptions["dependsOn"]) {
    const protect = args.protect ?? true;
    // Validate everything before the first child is registered.
    const { region, nodes } = args;
    if (!args.project) fail(name, "project", args.project, "the GCP project of the cluster");
    if (!region) fail(name, "region", region, "a GCP region such as europe-west1");
    const releaseChannel = args.releaseChannel ?? "REGULAR";
    if (!(GKE_RELEASE_CHANNELS as readonly string[]).includes(releaseChannel)) {
        fail(name, "releaseChannel", releaseChannel, GKE_RELEASE_CHANNELS.map((c) => `"${c}"`).join(", "));
    }
    for (const arg of ["networkId", "subnetworkId", "podsRangeName", "servicesRangeName"] as const) {
        if (!args[arg]) fail(name, arg, args[arg], "the GcpNetwork's matching output (VPC-native GKE needs the network, its subnetwork and its pod and service ranges)");
    }
    if (!args.secretsKeyId) fail(name, "secretsKeyId", args.secretsKeyId, "a Cloud KMS crypto key id (GKE encrypts secrets with it)");
    if (!nodes) fail(name, "nodes", nodes, "node sizing (instanceType, minNodes, maxNodes)");
    if (!Number.isInteger(nodes.minNodes) || nodes.minNodes < 0 || !Number.isInteger(nodes.maxNodes) || nodes.maxNodes < Math.max(1, nodes.minNodes)) {
        fail(name, "nodes", { minNodes: nodes.minNodes, maxNodes: nodes.maxNodes }, "whole numbers with 0 <= minNodes <= maxNodes and maxNodes >= 1");
    }
    const authorizedCidrs = args.authorizedCidrs ?? [];
    authorizedCidrs.forEach((cidr, i) => {
        if (!/^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/.test(cidr) || cidr.endsWith("/0")) {
            fail(name, `authorizedCidrs[${i}]`, cidr, "an IPv4 CIDR of the VPN, bastion or CI network, never a /0");
        }
    });
    const nodeAccountId = `${name}-nodes`.toLowerCase().replace(/[^-a-z0-9]/g, "-").slice(0, 30).replace(/-+$/, "");
    if (!ACCOUNT_ID.test(nodeAccountId)) {
        fail(name, "name", name, `a name that yields a service-account id of 6-30 lowercase letters, digits and hyphens (got "${nodeAccountId}")`);
    }

    const project = args.project;
    const workloadPool = pulumi.interpolate`${project}.svc.id.goog`;
    const nodeSubnetId = args.subnetworkId;

    // Nodes run as their own account, never the Compute Engine default one (which holds project Editor).
    const nodeAccount = new gcp.serviceaccount.Account(
        `${name}-nodes`,
        { project, accountId: nodeAccountId, displayName: `GKE nodes of ${name}` },
        { parent },
    );
    const nodeRoles = GKE_NODE_ROLES.map(
        (role) =>
            new gcp.projects.IAMMember(
                `${name}-nodes-${role.replace(/^roles\//, "").replace(/\./g, "-")}`,
                { project, role, member: nodeAccount.member },
                { parent },
            ),
    );

    // The same hardening for the default pool GKE creates (and this program deletes) at cluster creation.
    const nodeHardening = {
        serviceAccount: nodeAccount.email,
        // Scopes are the legacy access mechanism; IAM roles on the account decide what nodes may do.
        oauthScopes: ["https://www.googleapis.com/auth/cloud-platform"],
        // Pods see the GKE metadata server (Workload Identity), never the node's credentials.
        workloadMetadataConfig: { mode: "GKE_METADATA" },
        shieldedInstanceConfig: { enableSecureBoot: true, enableIntegrityMonitoring: true },
    };

    // Nodes and pods of the cluster, plus the operators' networks, may reach the private endpoint.
    const authorizedNetworks = [
        ...authorizedCidrs.map((cidrBlock, i) => ({ cidrBlock, displayName: `authorized-${i}` })),
        ...args.nodeSubnetCidrs.map((cidrBlock, i) => ({ cidrBlock, displayName: `node-subnet-${i}` })),
        ...(args.podsCidr ? [{ cidrBlock: args.podsCidr, displayName: "pods" }] : []),
    ];

    const cluster = new gcp.container.Cluster(
        `${name}-gke`,
        {
            project,
            // A region, not a zone: the control plane is replicated over three zones.
            location: region,
            description: "Platform cluster (private, regional)",
            resourceLabels: args.tags,
            // Node pools are managed separately (below): GKE insists on creating a default pool, which is
            // removed as soon as the cluster exists.
            removeDefaultNodePool: true,
            initialNodeCount: 1,
            nodeConfig: nodeHardening,
            // Deleting the cluster takes every workload with it; on unless the stack is unprotected
            // (platform:protect: false, e.g. a throwaway test stack), like the EKS and AKS clusters.
            deletionProtection: protect,
            minMasterVersion: args.kubernetesVersion,
            releaseChannel: { channel: releaseChannel },

            network: args.networkId,
            subnetwork: nodeSubnetId,
            networkingMode: "VPC_NATIVE",
            ipAllocationPolicy: {
                clusterSecondaryRangeName: args.podsRangeName,
                servicesSecondaryRangeName: args.servicesRangeName,
            },
            // Private Service Connect (no masterIpv4CidrBlock): the control plane gets an address in the node
            // subnetwork instead of a peered /28 to plan, and reaches nodes through the Konnectivity tunnel.
            privateClusterConfig: {
                enablePrivateNodes: true,
                enablePrivateEndpoint: true,
                privateEndpointSubnetwork: nodeSubnetId,
            },
            // The DNS-based endpoint: a Google front end that checks IAM (container.clusters.connect) on
            // every request before it reaches the API server, so CI runners and operators without a route
            // into the VPC reach the control plane with their Google identity alone. The IP endpoints stay
            // (private only, behind the authorized networks below) for nodes and in-VPC clients. Only Google
            // identities are accepted on the DNS name: Kubernetes service-account tokens and client
            // certificates are refused there (enableK8sTokensViaDns / enableK8sCertsViaDns off).
            // https://cloud.google.com/kubernetes-engine/docs/concepts/network-isolation. The provider folds
            // privateClusterConfig (private endpoint, subnetwork) and the authorized networks into
            // ipEndpointsConfig when it sends this (terraform-provider-google expandControlPlaneEndpointsConfig).
            controlPlaneEndpointsConfig: {
                dnsEndpointConfig: { allowExternalTraffic: true, enableK8sTokensViaDns: false, enableK8sCertsViaDns: false },
                ipEndpointsConfig: { enabled: true },
            },
            masterAuthorizedNetworksConfig: {
                cidrBlocks: authorizedNetworks,
                // Any VM on Google Cloud is not a trusted network.
                gcpPublicCidrsAccessEnabled: false,
                // Without enforcement every address in the VPC (and anything peered or on VPN) reaches
                // the private endpoint; with it, only the networks above do.
                privateEndpointEnforcementEnabled: true,
            },
            // Dataplane V2 (eBPF/Cilium): NetworkPolicy is enforced without the Calico add-on.
            datapathProvider: "ADVANCED_DATAPATH",
            // GKE serves the CiliumClusterwideNetworkPolicy CRD only when this is set (default false; it
            // requires Dataplane V2). The mesh adds its kubelet-probe allowance as such a policy.
            // https://cloud.google.com/kubernetes-engine/docs/how-to/configure-cilium-network-policy
            enableCiliumClusterwideNetworkPolicy: true,
            workloadIdentityConfig: { workloadPool },
            databaseEncryption: { state: "ENCRYPTED", keyName: args.secretsKeyId },
            enableShieldedNodes: true,
            enableLegacyAbac: false,
            masterAuth: { clientCertificateConfig: { issueClientCertificate: false } },
            binaryAuthorization: { evaluationMode: "PROJECT_SINGLETON_POLICY_ENFORCE" },
            // Configuration auditing; workload vulnerability scanning at the basic tier was retired by Google
            // (images are scanned in Artifact Registry instead).
            securityPostureConfig: { mode: "BASIC", vulnerabilityMode: "VULNERABILITY_DISABLED" },
            // Secret Manager CSI add-on: pods mount Secret Manager secrets through Workload Identity.
            secretManagerConfig: { enabled: true },
            loggingConfig: {
                enableComponents: ["SYSTEM_COMPONENTS", "APISERVER", "CONTROLLER_MANAGER", "SCHEDULER", "WORKLOADS"],
            },
            monitoringConfig: {
                enableComponents: ["SYSTEM_COMPONENTS"],
                managedPrometheus: { enabled: true },
            },
            addonsConfig: {
                httpLoadBalancing: { disabled: false },
                horizontalPodAutoscaling: { disabled: false },
                gcePersistentDiskCsiDriverConfig: { enabled: true },
                // Dataplane V2 enforces NetworkPolicy itself; the Calico add-on must stay off.
                networkPolicyConfig: { disabled: true },
                // NodeLocal DNSCache: DNS keeps answering when kube-dns is slow or rescheduling.
                dnsCacheConfig: { enabled: true },
            },
        },
        {
            parent,
            // Like the key (platform:protect): its etcd holds every Kubernetes object of the platform.
            protect,
            // The GKE service agent must hold its grant on the key before the cluster is created (the
            // caller passes the key component in opts.dependsOn).
            dependsOn,
            // The default pool is deleted after creation; its settings never matter again and must not
            // force a replacement of the whole cluster.
            ignoreChanges: ["nodeConfig"],
        },
    );

    const nodePool = new gcp.container.NodePool(
        `${name}-general`,
        {
            project,
            cluster: cluster.name,
            location: region,
            // Per zone at creation; the autoscaler then holds the pool between the totals below.
            initialNodeCount: 1,
            autoscaling: {
                totalMinNodeCount: nodes.minNodes,
                totalMaxNodeCount: nodes.maxNodes,
                // Keep the zones even, so losing one zone loses at most a third of the capacity.
                locationPolicy: "BALANCED",
            },
            management: { autoRepair: true, autoUpgrade: true },
            // Upgrades add a node before draining one: capacity never drops during an upgrade.
            upgradeSettings: { strategy: "SURGE", maxSurge: 1, maxUnavailable: 0 },
            nodeConfig: {
                ...nodeHardening,
                machineType: nodes.instanceType,
                imageType: "COS_CONTAINERD",
                diskType: "pd-balanced",
                // Boot disks encrypted with the platform key (the Compute Engine agent holds a grant on it).
                bootDiskKmsKey: args.secretsKeyId,
                // No unauthenticated kubelet read-only port (10255).
                kubeletConfig: { insecureKubeletReadonlyPortEnabled: "FALSE" },
                metadata: { "disable-legacy-endpoints": "true" },
                labels: args.tags,
                resourceLabels: args.tags,
                // Network tags, for firewall rules that must target exactly these nodes.
                tags: ["gke-node", `${name}-gke`],
            },
        },
        // Nodes pull images and write logs as the node account from their first boot.
        { parent, dependsOn: nodeRoles },
    );

    const endpoint = pulumi
        .all([cluster.privateClusterConfig, cluster.endpoint])
        .apply(([pcc, ep]) => pcc?.privateEndpoint || ep);
    // The Kubernetes provider (and the kubeconfig output) go through the DNS endpoint: the one reachable
    // from outside the VPC, e.g. by a hosted CI runner whose identity holds container.clusters.connect.
    const dnsEndpoint = cluster.controlPlaneEndpointsConfig.apply((c) => {
        const host = c?.dnsEndpointConfig?.endpoint;
        if (!host) throw new Error(`GkeCluster ${name}: GKE returned no DNS endpoint (controlPlaneEndpointsConfig.dnsEndpointConfig.endpoint); the kubeconfig needs it`);
        return host;
    });
    const kubeconfig = pulumi.secret(pulumi.all([cluster.name, dnsEndpoint]).apply(([clusterName, host]) => gkeKubeconfig(clusterName, host)));
    const provider = new k8s.Provider(
        `${name}-k8s`,
        {
            kubeconfig,
            // The provider is replaced only when this changes. Without it, pulumi-kubernetes replaces the
            // provider (and so every resource in the cluster) whenever the kubeconfig is unknown in a preview,
            // which happens on any update of the cluster it is read from (provider.d.ts, clusterIdentifier).
            clusterIdentifier: managedClusterIdentifier("gcp", args.region, name),
            // Server-side apply lets several owners (operators, Helm, this program) share fields safely.
            enableServerSideApply: true,
        },
        // Whatever is installed through this provider needs schedulable nodes.
        { parent, dependsOn: [nodePool] },
    );

    return {
        // Dataplane V2 is Cilium; the Private Service Connect endpoint has an address in the node
        // subnetwork; NodeLocal DNSCache (dnsCacheConfig above) answers on the node-local address.
        networkFacts: {
            networkPolicyEngine: "cilium",
            apiServer: { cidrs: args.nodeSubnetCidrs, ports: [443] },
            nodeLocalDnsAddress: NODE_LOCAL_DNS_ADDRESS,
        },
        clusterName: cluster.name,
        endpoint,
        kubeconfig,
        oidcIssuerUrl: pulumi.interpolate`https://container.googleapis.com/v1/projects/${project}/locations/${region}/clusters/${cluster.name}`,
        provider,
        extras: {
            nodeServiceAccountEmail: nodeAccount.email,
            workloadPool,
            projectId: pulumi.output(project),
            clusterId: cluster.id,
            dnsEndpoint,
        },
    };
}

/**
 * A kubeconfig for the cluster's DNS endpoint that authenticates with the caller's Google identity
 * through gke-gcloud-auth-plugin. No CA is pinned: the DNS endpoint is served by a Google front end
 * with a publicly trusted certificate (the cluster CA signs only the IP endpoints' certificates).
 */
export function gkeKubeconfig(clusterName: string, dnsEndpoint: string): string {
    return execKubeconfig(clusterName, `https://${dnsEndpoint}`, undefined, {
        command: "gke-gcloud-auth-plugin",
        installHint: "Install gke-gcloud-auth-plugin: gcloud components install gke-gcloud-auth-plugin",
        provideClusterInfo: true,
        interactiveMode: "IfAvailable",
    });
}
