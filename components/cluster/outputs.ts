import type * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import type { Cloud } from "../regions";
import type { ClusterNetworkFacts } from "./network-facts";

/** Where a cluster is: a cloud's managed cluster, or an existing one (`kubernetes`). TypeScript-only (stack wiring). */
export type ClusterTarget = Cloud | "kubernetes";

/** Autoscaled general-purpose node pool of a managed cluster. */
export interface NodePoolSizing {
    /** Instance / VM size of the general-purpose pool. */
    instanceType: string;
    /** Autoscaling bounds for the whole pool (all zones together). */
    minNodes: number;
    maxNodes: number;
}

/** What every cluster component exposes, whichever cloud or runtime it is on. */
export interface KubernetesClusterOutputs {
    clusterName: pulumi.Output<string>;
    endpoint: pulumi.Output<string>;
    /** kubeconfig for the cluster (a secret). */
    kubeconfig: pulumi.Output<string>;
    /** OIDC issuer URL for workload identity federation ("" where the target has none). */
    oidcIssuerUrl: pulumi.Output<string>;
}

/**
 * TypeScript-only: a cluster as the stack program hands it to the in-cluster capabilities. The shared
 * outputs, the component itself (for dependsOn), and what a schema cannot carry: the Kubernetes provider
 * that installs into the cluster, the plain network facts other components need when the program runs,
 * and the cloud-specific outputs by name (`extras`, kept for the capabilities that read them so).
 */
export interface KubernetesCluster extends KubernetesClusterOutputs, pulumi.Resource {
    readonly target: ClusterTarget;
    /** A provider that installs into this cluster. */
    readonly provider: k8s.Provider;
    /** What enforces NetworkPolicy and where the API server and node-local DNS are. */
    readonly networkFacts: ClusterNetworkFacts;
    /** Cloud-specific outputs (node role, node security group, identity, …) by name. */
    readonly extras: Record<string, pulumi.Output<string>>;
}

/** What each cluster implementation builds (internal: the classes split it into outputs and getters). */
export interface ClusterParts extends KubernetesClusterOutputs {
    provider: k8s.Provider;
    networkFacts: ClusterNetworkFacts;
}
