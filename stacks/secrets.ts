/**
 * Secrets wiring (`platform:secrets`): External Secrets Operator on every cluster of the foundation
 * (managed clusters and the `kubernetes` target), each through that cluster's own k8s provider, after the
 * cluster exists. On EKS the controller gets its Pod Identity role (the cloud's AWS provider), which may only
 * assume the per-service secret readers under secretReaderRolePath(prefix). The managed clusters' controllers
 * reach their cloud's secret store through the `secret-stores` egress exception; the kubernetes target's
 * stores read Secrets through the API server only.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { ClusterTarget } from "../components/cluster";
import { azureSubnetPlan } from "../components/network/azure";
import { ExternalSecretsOperator } from "../components/secrets";
import type { PlatformConfig } from "./config";
import { egressException } from "./config/egress";
import type { Foundation } from "./platform";

/** The stack outputs of one cluster's operator (no secret value: names and an IAM role ARN). */
export interface SecretsOperatorOutputs {
    namespace: pulumi.Output<string>;
    controllerServiceAccount: pulumi.Output<string>;
    chartVersion: pulumi.Output<string>;
    /** AWS: the controller's Pod Identity role, which the per-service reader roles trust ("" elsewhere). */
    controllerRoleArn: pulumi.Output<string>;
}

export function secretsOperatorOutputs(operators: Partial<Record<ClusterTarget, ExternalSecretsOperator>>): Partial<Record<ClusterTarget, SecretsOperatorOutputs>> {
    return Object.fromEntries(
        Object.entries(operators).map(([target, o]) => [
            target,
            { namespace: o.namespace, controllerServiceAccount: o.controllerServiceAccount, chartVersion: o.chartVersion, controllerRoleArn: o.controllerRoleArn },
        ]),
    );
}

/**
 * One operator per cluster target; empty when platform:secrets.operator.enabled is false. SecretStores and
 * ExternalSecrets on a cluster pass its operator's `release` (or `ready`) in opts.dependsOn.
 */
export function addSecretsOperator(foundation: Foundation, config: PlatformConfig): Partial<Record<ClusterTarget, ExternalSecretsOperator>> {
    const out: Partial<Record<ClusterTarget, ExternalSecretsOperator>> = {};
    if (!config.secrets.operator.enabled) return out;
    // parsePlatformConfig requires it wherever a managed cluster runs the operator (networkProblems).
    const secretStoreEgress = egressException(config.network.egressExceptions, "secret-stores");
    for (const [target, cluster] of Object.entries(foundation.clusters) as [ClusterTarget, NonNullable<Foundation["clusters"][ClusterTarget]>][]) {
        const awsProvider = target === "aws" ? foundation.clouds.aws?.provider : undefined;
        out[target] = new ExternalSecretsOperator(
            `${foundation.prefix}-${target}-eso`,
            {
                cloud: target,
                network: cluster.networkFacts,
                ...(target !== "kubernetes" ? { secretStoreEgress } : {}),
                ...(target === "aws" ? { aws: { clusterName: cluster.clusterName, readerRolePrefix: foundation.prefix } } : {}),
                // The platform Key Vault is reached through its private endpoint in the data subnet
                // (KeyVaultPrivateEndpoint, created with the first service that declares secrets on azure).
                ...(target === "azure" ? { privateStoreCidrs: [azureSubnetPlan(config.network.azure.cidr).data] } : {}),
            },
            { providers: awsProvider ? [cluster.provider, awsProvider] : [cluster.provider], dependsOn: [cluster] },
        );
    }
    return out;
}
