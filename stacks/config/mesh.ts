/**
 * `platform:mesh`: the Istio ambient mesh installed on every cluster (components/mesh, docs/mesh.md).
 * Shape and ranges are checked here; cross-field checks (public ingress needs an edge exception, calls
 * name declared workloads, L7 rules need a namespace that can have a waypoint) live in `meshProblems`,
 * called from parsePlatformConfig.
 */
import { z } from "zod";
import { DNS_LABEL, DNS_SUBDOMAIN, HTTP_METHODS, PATH_PATTERN } from "../../components/mesh/names";
import { callGraphProblems, MESH_OWNED_NAMESPACES } from "../../components/mesh/callgraph";
import { JWT_ISSUER, meshArgsProblems, UNAUTHENTICATED_PATH } from "../../components/mesh/args";
import { ADMISSION_PARAMS_NAMESPACE } from "../../components/admission";
import { EXTERNAL_SECRETS_NAMESPACE } from "../../components/secrets/operator";
import { kafkaBackendFor } from "./kafka";
import type { ParsedPlatformConfig } from "./schema";
import { placementsOf } from "./services";

const dnsLabel = z.string().regex(DNS_LABEL, { error: "must be a DNS-1123 label (lowercase letters, digits, '-')" });
const port = z.int().min(1, { error: "must be a port 1-65535" }).max(65535, { error: "must be a port 1-65535" });

const workload = z.strictObject({
    /** The Kubernetes Service name (and default service account and `app` label). */
    name: dnsLabel,
    namespace: dnsLabel,
    serviceAccount: z.string().regex(DNS_SUBDOMAIN, { error: "must be a service account name (DNS-1123 subdomain)" }).optional(),
    /** Pod labels; default { app: <name> }. */
    selector: z.record(z.string().min(1), z.string()).optional(),
    /** Enrolled in the ambient mesh (default true). */
    ambient: z.boolean().optional(),
});

const call = z.strictObject({
    from: z.string().min(1),
    to: z.string().min(1),
    ports: z.array(port).optional(),
    methods: z.array(z.enum(HTTP_METHODS)).optional(),
    paths: z.array(z.string().regex(PATH_PATTERN, { error: "must be an Istio path match: exact '/a/b', prefix '/a/*', suffix '*.ext' or '*'" })).optional(),
});

export const meshConfigSchema = z
    .strictObject({
        /** Install the mesh on every cluster. */
        enabled: z.boolean().default(true),
        tracing: z
            .strictObject({
                /** Percentage of requests traced (0-100). */
                samplingPercent: z.number().min(0, { error: "must be 0-100" }).max(100, { error: "must be 0-100" }).default(1),
                /** OTLP/gRPC host:port the collector forwards spans to; unset = the collector logs them. */
                otlpEndpoint: z.string().regex(/^[A-Za-z0-9.-]+:\d{1,5}$/, { error: "must be host:port, such as tempo.tracing.svc:4317" }).optional(),
            })
            .prefault({}),
        accessLogging: z.boolean().default(true),
        istiodReplicas: z.int().min(1, { error: "must be at least 1" }).default(2),
        /** CNI of the `kubernetes` target's existing cluster ("cilium" adds the kubelet probe allowance). */
        kubernetesCni: z.enum(["default", "cilium"]).default("default"),
        ingress: z
            .strictObject({
                enabled: z.boolean().default(false),
                exposure: z.enum(["internal", "public"]).default("internal"),
                /** Required for exposure "public": a named, justified exception to "nothing is public". */
                edgeException: z.strictObject({ name: z.string(), reason: z.string() }).optional(),
                minReplicas: z.int().min(1, { error: "must be at least 1" }).default(2),
                maxReplicas: z.int().min(1, { error: "must be at least 1" }).default(5),
                /**
                 * End-user authentication: only requests with a valid JWT from `issuer` pass the gateway
                 * (plus GET/HEAD on `unauthenticatedPaths`). Needs the "jwks" egress exception for istiod.
                 */
                jwt: z
                    .strictObject({
                        issuer: z.string().regex(JWT_ISSUER, {
                            error: 'must be the token\'s exact "iss": an http(s) URL with a host such as "https://accounts.google.com", or a bare issuer without ":" (no spaces or "*")',
                        }),
                        jwksUri: z.url({ protocol: /^https$/, error: 'must be an https URL, such as "https://www.googleapis.com/oauth2/v3/certs"' }).max(2048),
                        audiences: z.array(z.string().regex(/^\S+$/, { error: "must be a non-empty audience without spaces" })).min(1, { error: 'must list at least one "aud" value' }),
                        unauthenticatedPaths: z
                            .array(z.string().regex(UNAUTHENTICATED_PATH, { error: 'must be an exact path "/healthz" or a prefix "/status/*" (never "*", "/*", a suffix or a template)' }))
                            .optional(),
                    })
                    .optional(),
            })
            .prefault({}),
        /** Workloads the call graph talks about. */
        workloads: z.array(workload).default([]),
        /** "from may call to", optionally only some ports, methods and paths. */
        calls: z.array(call).default([]),
    })
    .prefault({});

export type MeshConfig = z.output<typeof meshConfigSchema>;

/**
 * Namespaces other capabilities create on the clusters of this stack (namespace → owning setting). The
 * names are repeated here because config parsing must not load the cloud SDKs; tests/mesh-stack.test.ts
 * keeps them equal to the constants in stacks/serverless.ts and components/serverless/install/*.
 */
export const SERVERLESS_CLUSTER_NAMESPACES = {
    knative: ["serverless", "knative-serving", "knative-operator"],
    spin: ["wasm", "cert-manager", "runtime-class-manager", "spin-operator"],
} as const;

export function platformNamespaces(cfg: Pick<ParsedPlatformConfig, "clouds" | "kafka" | "services" | "mesh" | "secrets">): Record<string, string> {
    const owned: Record<string, string> = {};
    const targets = cfg.clouds as ("aws" | "azure" | "gcp" | "kubernetes")[];
    if (cfg.kafka.enabled && targets.some((t) => kafkaBackendFor(t, cfg.kafka) === "strimzi")) {
        owned[cfg.kafka.strimzi.namespace] = "platform:kafka (Strimzi, platform:kafka.strimzi.namespace)";
    }
    const platforms = new Set(cfg.services.flatMap((s) => placementsOf(s, targets).map((p) => p.platform)));
    for (const platform of ["knative", "spin"] as const) {
        if (!platforms.has(platform)) continue;
        for (const ns of SERVERLESS_CLUSTER_NAMESPACES[platform]) owned[ns] = `platform:services (${platform === "knative" ? "Knative" : "SpinKube"})`;
    }
    for (const ns of strimziClientNamespaces(cfg)) owned[ns] ??= "platform:kafka.clients (Strimzi creates a client's namespace nobody else creates)";
    owned[ADMISSION_PARAMS_NAMESPACE] = "the admission policies' parameters (components/admission, on every cluster)";
    if (cfg.secrets.operator.enabled) owned[EXTERNAL_SECRETS_NAMESPACE] = "External Secrets Operator (platform:secrets.operator, on every cluster)";
    if (cfg.secrets.operator.enabled && targets.includes("kubernetes")) owned[cfg.secrets.kubernetes.sourceNamespace] = "the kubernetes target's secret values (platform:secrets.kubernetes.sourceNamespace)";
    return owned;
}

/**
 * The Kafka clients' namespaces the Strimzi component creates (to write their credential Secrets): those no
 * other capability creates, i.e. not the Kafka namespace, the services' (`serverless`, `wasm`) or the other
 * serverless runtimes', the mesh call graph's workload namespaces, or the cluster's and mesh's own.
 */
export function strimziClientNamespaces(cfg: Pick<ParsedPlatformConfig, "clouds" | "kafka" | "services" | "mesh">): string[] {
    const targets = cfg.clouds as ("aws" | "azure" | "gcp" | "kubernetes")[];
    if (!cfg.kafka.enabled || !targets.some((t) => kafkaBackendFor(t, cfg.kafka) === "strimzi")) return [];
    const elsewhere = new Set<string>([cfg.kafka.strimzi.namespace, ...Object.keys(MESH_OWNED_NAMESPACES), ...SERVERLESS_CLUSTER_NAMESPACES.knative, ...SERVERLESS_CLUSTER_NAMESPACES.spin]);
    if (cfg.mesh.enabled) for (const w of cfg.mesh.workloads) if (w.ambient !== false) elsewhere.add(w.namespace);
    return [...new Set(cfg.kafka.clients.map((c) => c.namespace))].filter((ns) => !elsewhere.has(ns)).sort();
}

/**
 * Cross-field problems of `platform:mesh`, in ConfigError form. `ownedNamespaces`: namespaces other
 * capabilities create (`platformNamespaces`); the call graph creates its workloads' namespaces, so a
 * workload may not live in one of them (nor in the cluster's or the mesh's own).
 */
export function meshProblems(mesh: MeshConfig, ownedNamespaces: Record<string, string> = {}): string[] {
    if (!mesh.enabled) return [];
    return [
        ...meshArgsProblems({ tracing: mesh.tracing, ingress: mesh.ingress, istiodReplicas: mesh.istiodReplicas }, "platform:mesh"),
        ...callGraphProblems(mesh.workloads, mesh.calls, "platform:mesh", "workloads", { ...ownedNamespaces, ...MESH_OWNED_NAMESPACES }),
    ];
}

/**
 * The mesh may be turned off only where nothing on a cluster relies on it: Strimzi, Knative and
 * SpinKube express their identity rules as Istio AuthorizationPolicies, which need Istio's CRDs (and
 * without the mesh nothing would enforce them).
 */
export function meshRequiredProblems(cfg: ParsedPlatformConfig): string[] {
    if (cfg.mesh.enabled) return [];
    const targets = cfg.clouds as ("aws" | "azure" | "gcp" | "kubernetes")[];
    const users: string[] = [];
    const strimzi = cfg.kafka.enabled ? targets.filter((t) => kafkaBackendFor(t, cfg.kafka) === "strimzi") : [];
    if (strimzi.length) users.push(`Strimzi Kafka (on ${strimzi.join(", ")})`);
    const onClusters = cfg.services.filter((s) => placementsOf(s, targets).some((p) => p.platform === "knative" || p.platform === "spin"));
    if (onClusters.length) users.push(`services on a cluster (${onClusters.map((s) => JSON.stringify(s.name)).join(", ")})`);
    return users.length
        ? [
              `platform:mesh.enabled: false cannot be combined with ${users.join(" and ")}: their identity policies are Istio AuthorizationPolicies and need the mesh; allowed: true, or move them off the clusters`,
          ]
        : [];
}
