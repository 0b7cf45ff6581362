/**
 * Admission wiring: the platform's ValidatingAdmissionPolicies on every cluster of the foundation
 * (managed clusters and the `kubernetes` target), each through that cluster's own k8s provider, after
 * the cluster exists. The exceptions come from the configuration the platform already has: the public
 * ingress's and public services' edge exceptions, and runtime-class-manager where SpinKube runs.
 */
import { ClusterAdmissionPolicies, defaultAdmissionEnforcement, type AdmissionEdgeException, type AdmissionEnforcement, type AdmissionNamespaceException } from "../components/admission";
import type { ClusterTarget } from "../components/cluster";
import type { PlatformConfig } from "./config";
import { kafkaBackendFor } from "./config/kafka";
import { placementsOf } from "./config/services";
import type { Foundation } from "./platform";

/** The one namespace the platform runs privileged, with the pack's reason (POD_SECURITY_EXCEPTIONS). */
const SPIN_RUNTIME_EXCEPTION: AdmissionNamespaceException = {
    namespace: "runtime-class-manager",
    reason: "runtime-class-manager's node-installer jobs write the Spin containerd shim and containerd config on each host",
};

/** Edge exceptions the configuration names: the public mesh ingress, and each public service (named after it). */
export function configuredEdgeExceptions(config: PlatformConfig): AdmissionEdgeException[] {
    const out: AdmissionEdgeException[] = [];
    const ingress = config.mesh.ingress;
    if (config.mesh.enabled && ingress.exposure === "public" && ingress.edgeException) out.push({ name: ingress.edgeException.name, reason: ingress.edgeException.reason });
    for (const s of config.services) if (s.public && s.edgeException) out.push({ name: s.name, reason: s.edgeException });
    return out;
}

/** Namespaces the configuration exempts on one target: runtime-class-manager where a service runs on SpinKube, and platform:admission.exemptNamespaces. */
export function configuredExemptNamespaces(config: PlatformConfig, target: ClusterTarget): AdmissionNamespaceException[] {
    const spin = config.services.some((s) => placementsOf(s, config.clouds).some((p) => p.target === target && p.platform === "spin"));
    const configured = config.admission.exemptNamespaces
        .filter((e) => !e.targets || e.targets.includes(target))
        .map((e) => ({ namespace: e.namespace, reason: e.reason }));
    return [...(spin ? [SPIN_RUNTIME_EXCEPTION] : []), ...configured];
}

/**
 * The namespaces kubernetes-provider SecretStores on one target may read: the kubernetes target's secret
 * source namespace (KubernetesServiceSecrets), and the Kafka namespace where Strimzi runs (its clients'
 * SCRAM credentials, StrimziClientCredentials). Only where External Secrets Operator runs.
 */
export function configuredSecretSourceNamespaces(config: PlatformConfig, target: ClusterTarget): AdmissionNamespaceException[] {
    if (!config.secrets.operator.enabled) return [];
    const out: AdmissionNamespaceException[] = [];
    if (target === "kubernetes") out.push({ namespace: config.secrets.kubernetes.sourceNamespace, reason: "the kubernetes target's secret values (platform:secrets.kubernetes.sourceNamespace)" });
    if (config.kafka.enabled && kafkaBackendFor(target, config.kafka) === "strimzi") {
        out.push({ namespace: config.kafka.strimzi.namespace, reason: "Strimzi's User Operator Secrets, copied to each client's namespace (platform:kafka.strimzi.namespace)" });
    }
    return out.filter((e, i) => out.findIndex((x) => x.namespace === e.namespace) === i);
}

/** What a violation does on one target: platform:admission.enforcementByTarget, else .enforcement, else the target's default. */
export function configuredEnforcement(config: PlatformConfig, target: ClusterTarget): AdmissionEnforcement {
    return config.admission.enforcementByTarget[target] ?? config.admission.enforcement ?? defaultAdmissionEnforcement(target);
}

export function addAdmissionPolicies(foundation: Foundation, config: PlatformConfig): Partial<Record<ClusterTarget, ClusterAdmissionPolicies>> {
    const out: Partial<Record<ClusterTarget, ClusterAdmissionPolicies>> = {};
    for (const [target, cluster] of Object.entries(foundation.clusters) as [ClusterTarget, NonNullable<Foundation["clusters"][ClusterTarget]>][]) {
        out[target] = new ClusterAdmissionPolicies(
            `${foundation.prefix}-${target}-admission`,
            {
                clusterTarget: target,
                networkPolicyEngine: cluster.networkFacts.networkPolicyEngine,
                exemptNamespaces: configuredExemptNamespaces(config, target),
                edgeExceptions: configuredEdgeExceptions(config),
                enforcement: configuredEnforcement(config, target),
                secretSourceNamespaces: configuredSecretSourceNamespaces(config, target),
            },
            { provider: cluster.provider, dependsOn: [cluster] },
        );
    }
    return out;
}
