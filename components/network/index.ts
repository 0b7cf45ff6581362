/**
 * The private network a cluster and its data services live in. One shared outputs interface
 * (NetworkOutputs) and one component per cloud: AwsNetwork, AzureNetwork, GcpNetwork (each aliased
 * from the single `platform:index:Network` they replace, so existing stacks keep their networks).
 */
export * from "./outputs";
export { AwsNetwork, planAwsSubnets, type AwsNetworkArgs, type AwsSubnetPlan } from "./aws";
export { AzureNetwork, azureSubnetPlan, type AzureNetworkArgs, type AzureSubnetPlan } from "./azure";
export { GcpNetwork, GCP_PODS_RANGE_NAME, GCP_SERVICES_RANGE_NAME, type GcpNetworkArgs } from "./gcp";
