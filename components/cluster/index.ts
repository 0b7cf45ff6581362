/**
 * KubernetesCluster: a managed cluster with zero-trust defaults (private API endpoint, secrets
 * encrypted with the platform key, workload identity, eBPF network policy, audit logs, autoscaling
 * pools across zones), or an existing cluster reached through a kubeconfig context. One Args
 * interface; one implementation file per target (aws.ts, azure.ts, gcp.ts, existing.ts).
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { Cloud } from "../regions";
import type { EncryptionKey } from "../keys";
import type { Network } from "../network";
import { createAwsCluster } from "./aws";
import { createAzureCluster } from "./azure";
import { createExistingCluster } from "./existing";
import { createGcpCluster } from "./gcp";
import type { ClusterNetworkFacts } from "./network-facts";
import type { AksLogin } from "./kubeconfig";

export type ClusterTarget = Cloud | "kubernetes";

export * from "./network-facts";

export interface NodePoolSizing {
    /** Instance / VM size of the general-purpose pool. */
    instanceType: string;
    /** Autoscaling bounds for the whole pool (all zones together). */
    minNodes: number;
    maxNodes: number;
}

export interface KubernetesClusterArgs {
    target: ClusterTarget;
    /** Region (managed clusters only). */
    region?: string;
    /** Kubernetes minor version, e.g. "1.34". On GKE the release channel picks patches. */
    kubernetesVersion?: string;
    nodes?: NodePoolSizing;
    /** CIDRs allowed to reach the private API endpoint (VPN, bastion, CI). Never 0.0.0.0/0. */
    authorizedCidrs?: string[];
    network?: Network;
    /** The platform key that envelope-encrypts Kubernetes secrets. */
    secretsKey?: EncryptionKey;
    tags?: pulumi.Input<Record<string, pulumi.Input<string>>>;
    /** Protect the stateful parts from deletion (default true): the EKS, AKS and GKE clusters (GKE also by deletionProtection; the AKS audit-log workspace); EKS PVC volumes are retained. */
    protect?: boolean;
    aws?: {
        /** Days to keep control-plane logs (default 365). */
        logRetentionDays?: number;
        /** IAM principals (role ARNs) given cluster-admin through an access entry. */
        adminRoleArns?: pulumi.Input<string>[];
    };
    azure?: {
        resourceGroupName: pulumi.Input<string>;
        tenantId: pulumi.Input<string>;
        /** Entra group object ids that administer the cluster through Azure RBAC. */
        adminGroupObjectIds?: pulumi.Input<string>[];
        /** Log Analytics workspace for kube-audit diagnostics (created when omitted). */
        logAnalyticsWorkspaceId?: pulumi.Input<string>;
        /** Spread pools over availability zones 1-3 (false in regions without zones). */
        zonal?: boolean;
        /** Pod overlay range (Azure CNI overlay powered by Cilium). */
        podCidr?: string;
        /** Kubernetes service range; the DNS service IP is its tenth address. */
        serviceCidr?: string;
        /** Microsoft Defender for Containers (default false: billed per vCore; many teams enable it per subscription instead). */
        defender?: boolean;
        /** Encrypt node temp/cache disks at the host (default true; the subscription needs the EncryptionAtHost feature registered). */
        encryptionAtHost?: boolean;
        /** How kubelogin signs in, never interactively (default "azurecli"; see AKS_LOGIN_MODES in kubeconfig.ts). */
        login?: AksLogin;
        /** Longest wait, in seconds, for the deployer's cluster access to propagate on a first deploy (default 900). */
        accessTimeoutSeconds?: number;
    };
    gcp?: {
        project: pulumi.Input<string>;
        releaseChannel?: "RAPID" | "REGULAR" | "STABLE";
    };
    kubernetes?: {
        /** kubeconfig context; unset means the current context. */
        context?: string;
        /** kubeconfig file path; unset means $KUBECONFIG or ~/.kube/config. */
        kubeconfig?: string;
        /** The existing cluster's network facts (default KIND_NETWORK_FACTS). */
        network?: Partial<ClusterNetworkFacts>;
    };
}

/** What every implementation returns. */
export interface KubernetesClusterOutputs {
    clusterName: pulumi.Output<string>;
    endpoint: pulumi.Output<string>;
    /** kubeconfig for the cluster (a secret). */
    kubeconfig: pulumi.Output<string>;
    /** OIDC issuer URL for workload identity federation ("" where the target has none). */
    oidcIssuerUrl: pulumi.Output<string>;
    /** A provider that installs into this cluster; later components use it. */
    provider: k8s.Provider;
    /** Cloud-specific identifiers later components need (node role, node SG, identity, …). */
    extras: Record<string, pulumi.Output<string>>;
    /** What enforces NetworkPolicy and where the API server and node-local DNS are. */
    networkFacts: ClusterNetworkFacts;
}

export class KubernetesCluster extends pulumi.ComponentResource implements KubernetesClusterOutputs {
    public readonly target: ClusterTarget;
    public readonly clusterName!: pulumi.Output<string>;
    public readonly endpoint!: pulumi.Output<string>;
    public readonly kubeconfig!: pulumi.Output<string>;
    public readonly oidcIssuerUrl!: pulumi.Output<string>;
    public readonly provider!: k8s.Provider;
    public readonly extras!: Record<string, pulumi.Output<string>>;
    public readonly networkFacts!: ClusterNetworkFacts;

    constructor(name: string, args: KubernetesClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:index:KubernetesCluster", name, {}, opts);
        this.target = args.target;
        const build = {
            aws: createAwsCluster,
            azure: createAzureCluster,
            gcp: createGcpCluster,
            kubernetes: createExistingCluster,
        }[args.target];
        Object.assign(this, build(this, name, args));
        this.registerOutputs({
            clusterName: this.clusterName,
            endpoint: this.endpoint,
            kubeconfig: this.kubeconfig,
            oidcIssuerUrl: this.oidcIssuerUrl,
        });
    }
}
