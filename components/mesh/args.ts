/**
 * Arguments of the mesh and their checks, free of Pulumi resource imports so the stack config can run
 * the same checks (stacks/config/mesh.ts) before anything is registered.
 */
import type { ClusterNetworkFacts } from "../cluster/network-facts";
import type { MeshCallGraphSpec } from "./callgraph";
import type { EgressExceptionArgs } from "../serverless/install/egress";
import { DNS_LABEL } from "./names";
import { NAMED_ISSUER_PATTERN, UNAUTHENTICATED_PATH_PATTERN } from "../admission/policies";
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

/**
 * End-user authentication at the ingress gateway: a RequestAuthentication validates JWTs from one issuer,
 * and an ALLOW AuthorizationPolicy admits only requests carrying a valid token from it (plus, optionally,
 * GET/HEAD on named unauthenticated paths such as health checks).
 */
export interface IngressJwtArgs {
    /** The token issuer (`iss` claim), e.g. "https://accounts.google.com" or "https://login.microsoftonline.com/<tenant>/v2.0". */
    issuer: string;
    /** The issuer's JSON Web Key Set URL (https), fetched by istiod. */
    jwksUri: string;
    /** Accepted `aud` values; at least one (Istio would otherwise accept any token issued for the gateway's service name). */
    audiences: string[];
    /** Paths reachable without a token, GET/HEAD only: exact ("/healthz") or prefix ("/status/*"); never "*", "/*" or a suffix. */
    unauthenticatedPaths?: string[];
    /**
     * The named egress exception that lets istiod reach `jwksUri` (istiod fetches the key set by default:
     * PILOT_JWT_ENABLE_REMOTE_JWKS "false" = istiod). Ports unset: the URL's port (443). Unset: istiod's
     * default-deny namespace reaches no JWKS outside the cluster, and every token is rejected.
     */
    jwksEgress?: EgressExceptionArgs;
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
    /** Require an end-user JWT at the gateway (unset: the gateway admits any client on 80/443, as before). */
    jwt?: IngressJwtArgs;
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
    if (ingress?.jwt !== undefined) problems.push(...ingressJwtProblems(ingress.jwt, `${path}.ingress.jwt`, ingress.enabled));
    if (args.tracing?.otlpEndpoint !== undefined && !/^[A-Za-z0-9.-]+:\d{1,5}$/.test(args.tracing.otlpEndpoint)) {
        problems.push(`${path}.tracing.otlpEndpoint: ${JSON.stringify(args.tracing.otlpEndpoint)} is not host:port; allowed: e.g. "tempo.tracing.svc:4317"`);
    }
    return problems;
}


/**
 * An issuer Istio's JWT rules accept and a request principal can name: an http(s) URL with a host (OIDC
 * issuers; a trailing "/" as Entra ID v1's "https://sts.windows.net/<tenant>/" is kept) or a bare issuer
 * without ":" such as "accounts.google.com" or a service account e-mail (Istio's JWTRule.issuer is any
 * non-empty string: istio/api 1.30.3 security/v1beta1/request_authentication.proto). No spaces and no
 * "*": the AuthorizationPolicy matches `<issuer>/*`, and a "*" inside would be a wildcard.
 */
export const JWT_ISSUER = new RegExp(`^${NAMED_ISSUER_PATTERN}$`);
/**
 * Unauthenticated path forms: exact "/healthz" or a prefix "/status/*" (Istio's prefix match), nothing
 * broader; the admission policy allows exactly these in a rule without `from`.
 */
export const UNAUTHENTICATED_PATH = new RegExp(UNAUTHENTICATED_PATH_PATTERN);

/** Checks of `ingress.jwt` (`path` names it, e.g. "platform:mesh.ingress.jwt"); `enabled`: the ingress is installed. */
export function ingressJwtProblems(jwt: IngressJwtArgs, path: string, enabled: boolean): string[] {
    const problems: string[] = [];
    if (!enabled) problems.push(`${path}: is set but the ingress gateway is not enabled; allowed: only with ${path.replace(/\.jwt$/, ".enabled")}: true`);
    if (typeof jwt.issuer !== "string" || !JWT_ISSUER.test(jwt.issuer)) {
        problems.push(`${path}.issuer: ${JSON.stringify(jwt.issuer)} is not an issuer; allowed: the token's exact "iss" value, an http(s) URL with a host such as "https://accounts.google.com", or a bare issuer without ":" such as a service account e-mail; no spaces or "*"`);
    }
    let jwks: URL | undefined;
    try {
        jwks = new URL(jwt.jwksUri);
    } catch {
        jwks = undefined;
    }
    if (!jwks || jwks.protocol !== "https:" || !jwks.hostname || jwt.jwksUri.length > 2048) {
        problems.push(`${path}.jwksUri: ${JSON.stringify(jwt.jwksUri)} is not an https URL; allowed: the issuer's JWKS URL, e.g. "https://www.googleapis.com/oauth2/v3/certs" (keys over plain http could be forged in transit)`);
    }
    if (!Array.isArray(jwt.audiences) || jwt.audiences.length === 0) {
        problems.push(`${path}.audiences: ${JSON.stringify(jwt.audiences ?? [])} is empty; allowed: at least one "aud" value the gateway accepts (without one Istio accepts tokens issued for any of its service names)`);
    } else {
        jwt.audiences.forEach((a, i) => {
            if (typeof a !== "string" || !a.trim() || /\s/.test(a)) problems.push(`${path}.audiences[${i}]: ${JSON.stringify(a)} is not an audience; allowed: a non-empty string without spaces`);
        });
    }
    (jwt.unauthenticatedPaths ?? []).forEach((p, i) => {
        if (typeof p !== "string" || !UNAUTHENTICATED_PATH.test(p)) {
            problems.push(`${path}.unauthenticatedPaths[${i}]: ${JSON.stringify(p)} is not allowed; allowed: an exact path "/healthz" or a prefix "/status/*" (never "*", "/*", a suffix "*.ext" or a {*} template: those would open more than health checks)`);
        }
    });
    return problems;
}
