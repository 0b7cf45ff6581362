/**
 * Mesh wiring: Istio ambient on every cluster of the foundation (managed clusters and the `kubernetes`
 * target), each through that cluster's own k8s provider, after the cluster (and its node pools) exist.
 * `addMesh` returns the installed meshes; stacks/program.ts passes them to the steps that need them.
 */
import * as pulumi from "@pulumi/pulumi";
import { AmbientMesh } from "../components/mesh";
import type { ClusterTarget } from "../components/cluster";
import type { PlatformConfig } from "./config";
import { platformNamespaces } from "./config/mesh";
import { egressException } from "./config/egress";
import type { Foundation } from "./platform";

export interface MeshOutputs {
    istioVersion: pulumi.Output<string>;
    ingress: string;
    waypointNamespaces: pulumi.Output<string[]>;
    notes: pulumi.Output<string[]>;
}

/**
 * The mesh on each cluster (absent when the mesh is disabled). Other capabilities make their
 * AuthorizationPolicies (allowWorkloads) depend on `mesh.ready` so the Istio CRDs exist first.
 */
export type InstalledMeshes = Partial<Record<ClusterTarget, AmbientMesh>>;

export interface MeshStep {
    /** Stack outputs, per cluster target. */
    outputs: Partial<Record<ClusterTarget, MeshOutputs>>;
    /** What later steps (streaming, serverless) need: the mesh of each cluster. */
    meshes: InstalledMeshes;
}

export function addMesh(foundation: Foundation, config: PlatformConfig, admission: Partial<Record<ClusterTarget, pulumi.Resource>> = {}): MeshStep {
    const mesh = config.mesh;
    const step: MeshStep = { outputs: {}, meshes: {} };
    if (!mesh.enabled) return step;
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
                // With ingress.jwt, istiod's egress exception for the key set (parsePlatformConfig requires "jwks").
                ingress: mesh.ingress.jwt ? { ...mesh.ingress, jwt: { ...mesh.ingress.jwt, jwksEgress: egressException(config.network.egressExceptions, "jwks") } } : mesh.ingress,
                callGraph:
                    mesh.workloads.length || mesh.calls.length
                        ? // ownedNamespaces: the call graph never creates a namespace another capability creates.
                          { services: mesh.workloads, calls: mesh.calls, ownedNamespaces: platformNamespaces(config) }
                        : undefined,
            },
            { provider: cluster.provider, dependsOn: [cluster, ...(admission[target] ? [admission[target]!] : [])] },
        );
        step.meshes[target] = component;
        step.outputs[target] = {
            istioVersion: component.istioVersion,
            ingress: mesh.ingress.enabled ? mesh.ingress.exposure : "none",
            waypointNamespaces: component.waypointNamespaces,
            notes: component.notes,
        };
    }
    return step;
}
