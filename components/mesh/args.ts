/**
 * Arguments of the mesh and their checks, free of Pulumi resource imports so the stack config can run
 * the same checks (stacks/config/mesh.ts) before anything is registered.
 */
import type { ClusterNetworkFacts } from "../cluster/network-facts";
import type { MeshCallGraphSpec } from "./callgraph";
import { DNS_LABEL } from "./names";
import { MESH_PLATFORMS } from "./values/types";

/** Istio's root namespace: mesh-wide policies live here. */
export const ISTIO_NAMESPACE = "istio-system";
export const INGRESS_NAMESPACE = "istio-ingress";
/** Where istio-cni and ztunnel run (privileged node agents; see components/mesh/index.ts). */
export const NODE_AGENT_NAMESPACE = "kube-system";
/** Where the OpenTelemetry collector runs. */
export const OBSERVABILITY_NAMESPACE = "observability";

export interface EdgeException {
    /** A short, unique name for the exception (a DNS label), recorded on the load balancer Service. */
    name: string;
    /** Why this cluster must be reachable from the internet (who approved it, what it serves). */
    reason: string;
}

export interface MeshIngressArgs {
    /** Install the Istio ingress gateway (default false). */
    enabled: boolean;
    /** "internal" (default): private load balancer. "public": internet-facing, needs `edgeException`. */
    exposure?: string;
    edgeException?: EdgeException;
    /** Minimum gateway replicas (default 2, spread by the autoscaler and a PodDisruptionBudget). */
    minReplicas?: number;
    maxReplicas?: number;
}

export interface MeshTracingArgs {
    /** Percentage of requests traced, 0-100 (default 1). */
    samplingPercent?: number;
    /** OTLP/gRPC endpoint the collector forwards traces to (e.g. a tracing backend). Unset: the collector logs them (debug exporter). */
    otlpEndpoint?: string;
}

/** CNIs of an existing cluster the mesh knows (AmbientMeshArgs.kubernetesCni). */
export const KUBERNETES_CNIS = ["default", "cilium"] as const;
export const INGRESS_EXPOSURES = ["internal", "public"] as const;

/**
 * Arguments of AmbientMesh. Closed sets are strings checked at run time (a Pulumi schema has no literal
 * unions); the error names the argument, the value and what is allowed.
 */
export interface AmbientMeshArgs {
    /** The cluster's platform, which decides the per-platform chart values: "aws" (EKS), "azure" (AKS), "gcp" (GKE) or "kubernetes" (an existing cluster). */
    platform: string;
    /** CNI of an existing cluster (`kubernetes` platform only): "default" or "cilium" (adds the probe allowance). */
    kubernetesCni?: string;
    tracing?: MeshTracingArgs;
    /** Envoy access logs from waypoints and gateways (default true). */
    accessLogging?: boolean;
    ingress?: MeshIngressArgs;
    /** The cluster's network facts (KubernetesCluster.networkFacts): DNS, API server, policy engine. */
    network?: ClusterNetworkFacts;
    /** istiod replicas (default 2: the control plane survives a node loss). */
    istiodReplicas?: number;
    /** Services and who may call them (MeshCallGraph, created as a child with this cluster's network facts). */
    callGraph?: MeshCallGraphSpec;
}

/** Bad mesh arguments, one line per problem; thrown before any resource is registered. */
export class MeshArgsError extends Error {
    constructor(public readonly problems: string[]) {
        super(`Invalid mesh settings:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
        this.name = "MeshArgsError";
    }
}

/** The settings meshArgsProblems checks: the stack config has them too (it has no platform: one mesh per cluster). */
export interface MeshSettings {
    kubernetesCni?: string;
    tracing?: MeshTracingArgs;
    ingress?: MeshIngressArgs;
    istiodReplicas?: number;
}

/** The platform (and CNI) checks of AmbientMesh; `path` prefixes each line. */
export function meshPlatformProblems(platform: string, path: string): string[] {
    return (MESH_PLATFORMS as readonly string[]).includes(platform)
        ? []
        : [`${path}.platform: ${JSON.stringify(platform)} is not a platform the mesh knows; allowed: ${MESH_PLATFORMS.map((p) => `"${p}"`).join(", ")}`];
}

/** Problems with the arguments (empty when fine); `path` prefixes each line, e.g. "platform:mesh". */
export function meshArgsProblems(args: MeshSettings, path = "mesh"): string[] {
    const problems: string[] = [];
    if (args.kubernetesCni !== undefined && !(KUBERNETES_CNIS as readonly string[]).includes(args.kubernetesCni)) {
        problems.push(`${path}.kubernetesCni: ${JSON.stringify(args.kubernetesCni)} is not a CNI the mesh knows; allowed: ${KUBERNETES_CNIS.map((c) => `"${c}"`).join(", ")}`);
    }
    if (args.ingress?.exposure !== undefined && !(INGRESS_EXPOSURES as readonly string[]).includes(args.ingress.exposure)) {
        problems.push(`${path}.ingress.exposure: ${JSON.stringify(args.ingress.exposure)} is not an exposure; allowed: ${INGRESS_EXPOSURES.map((e) => `"${e}"`).join(", ")}`);
    }
    const sampling = args.tracing?.samplingPercent;
    if (sampling !== undefined && !(sampling >= 0 && sampling <= 100)) {
        problems.push(`${path}.tracing.samplingPercent: ${JSON.stringify(sampling)} is out of range; allowed: a number from 0 to 100`);
    }
    const ingress = args.ingress;
    if (ingress?.exposure === "public") {
        const ex = ingress.edgeException;
        if (!ex) {
            problems.push(
                `${path}.ingress.exposure: "public" needs an explicit edge exception; allowed: "internal", or "public" with ${path}.ingress.edgeException { name, reason }`,
            );
        } else {
            if (!DNS_LABEL.test(ex.name ?? "")) problems.push(`${path}.ingress.edgeException.name: ${JSON.stringify(ex.name)} is not a valid name; allowed: a DNS-1123 label`);
            if (!ex.reason || !ex.reason.trim()) problems.push(`${path}.ingress.edgeException.reason: ${JSON.stringify(ex.reason ?? "")} is empty; allowed: why the cluster must be public and who approved it`);
        }
    }
    if (ingress && ingress.exposure !== "public" && ingress.edgeException) {
        problems.push(`${path}.ingress.edgeException: ${JSON.stringify(ingress.edgeException.name)} is set but exposure is ${JSON.stringify(ingress.exposure ?? "internal")}; allowed: only with exposure "public"`);
    }
    const min = ingress?.minReplicas ?? 2;
    const max = ingress?.maxReplicas ?? 5;
    if (!Number.isInteger(min) || min < 1) problems.push(`${path}.ingress.minReplicas: ${JSON.stringify(min)} is not allowed; allowed: a whole number >= 1`);
    if (!Number.isInteger(max) || max < min) problems.push(`${path}.ingress.maxReplicas: ${JSON.stringify(max)} is below minReplicas (${min}); allowed: a whole number >= minReplicas`);
    const replicas = args.istiodReplicas ?? 2;
    if (!Number.isInteger(replicas) || replicas < 1) problems.push(`${path}.istiodReplicas: ${JSON.stringify(replicas)} is not allowed; allowed: a whole number >= 1`);
    if (args.tracing?.otlpEndpoint !== undefined && !/^[A-Za-z0-9.-]+:\d{1,5}$/.test(args.tracing.otlpEndpoint)) {
        problems.push(`${path}.tracing.otlpEndpoint: ${JSON.stringify(args.tracing.otlpEndpoint)} is not host:port; allowed: e.g. "tempo.tracing.svc:4317"`);
    }
    return problems;
}

