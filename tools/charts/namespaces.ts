/** Pod Security levels of the namespaces in a plan. */
import type { RecordedResource } from "../plan";
import type { PodSecurityLevel } from "./pod-security";

/**
 * Namespace name → enforced level, from the plan's Namespace resources. A namespace the plan does not
 * create (kube-system) carries no enforce label, so Pod Security Admission applies its default,
 * `privileged`, unless the cluster's AdmissionConfiguration sets another (EKS, AKS, GKE and kind do not).
 */
export function namespaceLevels(resources: RecordedResource[]): Map<string, PodSecurityLevel> {
    const out = new Map<string, PodSecurityLevel>();
    for (const r of resources) {
        if (r.type !== "kubernetes:core/v1:Namespace") continue;
        const meta = (r.inputs as any).metadata ?? {};
        out.set(meta.name ?? r.name, (meta.labels?.["pod-security.kubernetes.io/enforce"] ?? "privileged") as PodSecurityLevel);
    }
    return out;
}
