/**
 * Mesh wiring: Istio ambient on every cluster of the foundation (managed clusters and the `kubernetes`
 * target), each through that cluster's own k8s provider, after the cluster (and its node pools) exist.
 */
import { AmbientMesh } from "../components/mesh";
import type { ClusterTarget } from "../components/cluster";
import type { PlatformConfig } from "./config";
import { platformNamespaces } from "./config/mesh";
import type { Foundation } from "./platform";

export interface MeshOutputs {
    istioVersion: string;
    ingress: string;
    waypointNamespaces: string[];
    notes: string[];
}

const installed = new WeakMap<Foundation, Partial<Record<ClusterTarget, AmbientMesh>>>();

/**
 * The mesh installed on a cluster by `addMesh` (undefined when the mesh is disabled). Other capabilities
 * make their AuthorizationPolicies (allowWorkloads) depend on `mesh.ready` so the Istio CRDs exist first.
 */
export function meshFor(foundation: Foundation, target: ClusterTarget): AmbientMesh | undefined {
    return installed.get(foundation)?.[target];
}

export function addMesh(foundation: Foundation, config: PlatformConfig): Partial<Record<ClusterTarget, MeshOutputs>> {
    const mesh = config.mesh;
    const out: Partial<Record<ClusterTarget, MeshOutputs>> = {};
    if (!mesh.enabled) return out;
    const components: Partial<Record<ClusterTarget, AmbientMesh>> = {};
    installed.set(foundation, components);
    for (const [target, cluster] of Object.entries(foundation.clusters) as [ClusterTarget, NonNullable<Foundation["clusters"][ClusterTarget]>][]) {
        const component = new AmbientMesh(
            `${foundation.prefix}-${target}-mesh`,
            {
                platform: target,
                kubernetesCni: mesh.kubernetesCni,
                network: cluster.networkFacts,
                tracing: mesh.tracing,
                accessLogging: mesh.accessLogging,
                istiodReplicas: mesh.istiodReplicas,
                ingress: mesh.ingress,
                callGraph:
                    mesh.workloads.length || mesh.calls.length
                        ? // ownedNamespaces: the call graph never creates a namespace another capability creates.
                          { services: mesh.workloads, calls: mesh.calls, ownedNamespaces: platformNamespaces(config) }
                        : undefined,
            },
            { provider: cluster.provider, dependsOn: [cluster] },
        );
        components[target] = component;
        out[target] = {
            istioVersion: component.istioVersion,
            ingress: mesh.ingress.enabled ? mesh.ingress.exposure : "none",
            waypointNamespaces: component.callGraph?.waypointNamespaces ?? [],
            notes: component.platformValues.notes,
        };
    }
    return out;
}
