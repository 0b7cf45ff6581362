/**
 * What the secrets delivered on clusters need of each cluster's External Secrets Operator
 * (stacks/secrets.ts): its readiness, on AWS its controller role and the reader role path, and on the
 * kubernetes target the source namespace the values live in, which the platform creates here (protected:
 * deleting it would delete every service's secret values).
 */
import type { ClusterTarget } from "../components/cluster";
import { PlatformNamespace } from "../components/namespace";
import { secretReaderRolePath, type ExternalSecretsOperator } from "../components/secrets";
import type { PlatformConfig } from "./config";
import type { Foundation } from "./platform";
import type { ClusterSecretsOperator } from "./serverless";

export function clusterSecretsOperators(
    foundation: Foundation,
    config: PlatformConfig,
    operators: Partial<Record<ClusterTarget, ExternalSecretsOperator>>,
): Partial<Record<ClusterTarget, ClusterSecretsOperator>> {
    const out: Partial<Record<ClusterTarget, ClusterSecretsOperator>> = {};
    for (const [target, operator] of Object.entries(operators) as [ClusterTarget, ExternalSecretsOperator][]) {
        const base = { ready: operator.ready, controllerRoleArn: operator.controllerRoleArn, readerRolePath: secretReaderRolePath(foundation.prefix) };
        if (target !== "kubernetes") {
            out[target] = base;
            continue;
        }
        const cluster = foundation.clusters.kubernetes!;
        const sourceNamespace = config.secrets.kubernetes.sourceNamespace;
        // No workload runs here: only the readers' Roles grant `get` on named Secrets (KubernetesServiceSecrets).
        const source = new PlatformNamespace(
            `${foundation.prefix}-kubernetes-secret-source-ns`,
            { name: sourceNamespace, network: cluster.networkFacts, labels: { "platform/secret-source": "true" } },
            { provider: cluster.provider, protect: config.protect },
        );
        out[target] = { ...base, ready: [...operator.ready, source], sourceNamespace };
    }
    return out;
}
