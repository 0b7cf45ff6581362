/**
 * A managed cluster with zero-trust defaults (private API endpoint, secrets encrypted with the platform
 * key, workload identity, eBPF network policy, audit logs, autoscaling pools across zones), or an
 * existing cluster reached through a kubeconfig context. One shared outputs interface
 * (KubernetesClusterOutputs) and one component per target: EksCluster, AksCluster, GkeCluster,
 * ExistingCluster (each aliased from the single `platform:index:KubernetesCluster` they replace).
 */
export * from "./outputs";
export * from "./network-facts";
export { EksCluster, type EksClusterArgs } from "./aws";
export { AksCluster, type AksClusterArgs } from "./azure";
export { GkeCluster, type GkeClusterArgs } from "./gcp";
export { ExistingCluster, type ExistingClusterArgs } from "./existing";
