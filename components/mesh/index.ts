/**
 * AmbientMesh: Istio in ambient mode (no sidecars: ztunnel for L4 mTLS, waypoints for L7) on one
 * cluster, zero trust by default, with tracing to an OpenTelemetry collector.
 *
 * Installed through the cluster's explicit k8s provider (pass it as `provider` in opts), in order:
 * Gateway API CRDs → istio base (Istio CRDs) → istiod (ambient profile) → istio-cni → ztunnel. Then:
 * STRICT mTLS mesh-wide, allow-nothing authorization (workloads and waypoints), the OpenTelemetry
 * collector and a mesh-wide Telemetry resource, the optional ingress gateway and the call graph.
 *
 * Helm charts are `helm.v3.Release` resources, not `helm.v4.Chart`: a v4 Chart renders against the
 * cluster at preview, which does not exist yet when the cluster is created in the same stack; a Release
 * is one resource whose values the plan and the policy pack can read.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { ClusterNetworkFacts } from "../cluster/network-facts";
import { AMBIENT_PROBE_SOURCE, HBONE_PORT, PlatformNamespace } from "../namespace";
import { allowWorkloads } from "./authorization";
import { callGraphOwnedNamespaces, callGraphProblems, MeshCallGraph, planCallGraph, WAYPOINT_NAME } from "./callgraph";
import { egressExceptionProblems } from "../serverless/install/egress";
import { INGRESS_NAMESPACE, ISTIO_NAMESPACE, MeshArgsError, NODE_AGENT_NAMESPACE, meshArgsProblems, meshPlatformProblems, OBSERVABILITY_NAMESPACE, type AmbientMeshArgs, type IngressJwtArgs, type MeshIngressArgs } from "./args";
import { networkFactsProblems } from "../cluster/network-facts";
import { meshPlatformValues, type MeshPlatform, type MeshPlatformValues } from "./values";
import {
    GATEWAY_API_CRDS_URL,
    GATEWAY_API_VERSION,
    ISTIO_CHART_REPO,
    ISTIO_VERSION,
    OTEL_CHART_REPO,
    OTEL_COLLECTOR_CHART_VERSION,
    OTEL_COLLECTOR_IMAGE,
} from "./versions";
import { EDGE_EXCEPTION_ANNOTATION } from "../contracts/names";

export * from "./args";
export { allowWorkloads, principalOf, type AllowWorkloadsArgs } from "./authorization";
export {
    CallGraphError,
    MeshCallGraph,
    MESH_OWNED_NAMESPACES,
    planCallGraph,
    callGraphProblems,
    type MeshCall,
    type MeshCallGraphArgs,
    type MeshCallGraphSpec,
    type MeshService,
} from "./callgraph";
export { MESH_PLATFORMS, type MeshPlatform, type MeshPlatformValues } from "./values";

/** meshConfig extension provider name the Telemetry resource sends traces to. */
export const TRACING_PROVIDER = "otel-tracing";
export const COLLECTOR_NAME = "otel-collector";
/** Helm release (and service account) name of the ingress gateway. */
export const INGRESS_GATEWAY_NAME = "istio-ingressgateway";
const OTLP_GRPC_PORT = 4317;
const OTLP_HTTP_PORT = 4318;
const XDS_PORT = 15012;

const matchApp = (app: string) => ({ matchLabels: { app } });
const tcp = (...ports: number[]) => ports.map((port) => ({ protocol: "TCP", port }));
const anywhere = [{ ipBlock: { cidr: "0.0.0.0/0" } }];
/**
 * Callers outside the cluster's pods (the API server calling a webhook, a load balancer and its health
 * checks, kubelet): a rule with ports and no `from`. An ipBlock cannot name them everywhere: Cilium
 * classifies node, host and API-server addresses as entities that no CIDR selects, and 0.0.0.0/0 means
 * only "world" there (docs.cilium.io, "Selecting nodes with CIDR / ipBlock").
 */
const fromAnySource = (ports: number[]) => ({ ports: tcp(...ports) });
const allNamespaces = [{ namespaceSelector: {} }];

/** The four Istio releases, in install order. */
export interface IstioCharts {
    base: k8s.helm.v3.Release;
    istiod: k8s.helm.v3.Release;
    cni: k8s.helm.v3.Release;
    ztunnel: k8s.helm.v3.Release;
}

/** What an AmbientMesh keeps for its TypeScript-only getters (resource objects and plan-time values). */
interface MeshParts {
    platformValues: MeshPlatformValues;
    charts: IstioCharts;
    ready: pulumi.Resource[];
    ingressGateway?: k8s.helm.v3.Release;
    callGraph?: MeshCallGraph;
}

/**
 * Storage of each mesh's parts, keyed by the mesh: private per-instance state, as TypeScript itself
 * compiles `#private` fields. Not a class field because the schema analyzer lists every field (even
 * `#private` ones) as an output, and these are resource objects no other language could receive.
 */
const meshParts = new WeakMap<AmbientMesh, MeshParts>();

export class AmbientMesh extends pulumi.ComponentResource {
    /** The Istio release installed (charts base, istiod, cni, ztunnel, gateway). */
    public readonly istioVersion: pulumi.Output<string>;
    /** The Gateway API CRDs release installed (standard channel). */
    public readonly gatewayApiVersion: pulumi.Output<string>;
    /** Namespaces the call graph gave a waypoint (L7 rules), sorted. */
    public readonly waypointNamespaces: pulumi.Output<string[]>;
    /** Platform facts operators must know (docs/mesh.md). */
    public readonly notes: pulumi.Output<string[]>;

    /** TypeScript only: the per-platform chart values this mesh was installed with. */
    get platformValues(): MeshPlatformValues {
        return meshParts.get(this)!.platformValues;
    }
    /** TypeScript only: the four Istio releases, in install order. */
    get charts(): IstioCharts {
        return meshParts.get(this)!.charts;
    }
    /** TypeScript only: everything a mesh custom resource must wait for (CRDs, control plane); pass as dependsOn. */
    get ready(): pulumi.Resource[] {
        return meshParts.get(this)!.ready;
    }
    /** TypeScript only: the ingress gateway release, when `ingress.enabled`. */
    get ingressGateway(): k8s.helm.v3.Release | undefined {
        return meshParts.get(this)!.ingressGateway;
    }
    /** TypeScript only: the call graph component, when `callGraph` is given. */
    get callGraph(): MeshCallGraph | undefined {
        return meshParts.get(this)!.callGraph;
    }

    constructor(name: string, args: AmbientMeshArgs, opts?: pulumi.ComponentResourceOptions) {
        const at = `AmbientMesh ${name}: args`;
        const problems = [
            ...meshPlatformProblems(args.platform, at),
            ...meshArgsProblems(args, at),
            ...(args.network ? networkFactsProblems(args.network, `${at}.network`) : []),
            ...egressExceptionProblems(args.ingress?.jwt?.jwksEgress, `${at}.ingress.jwt.jwksEgress`),
            // The graph too, before anything is registered (MeshCallGraph would only throw later).
            ...(args.callGraph
                ? callGraphProblems(args.callGraph.services ?? [], args.callGraph.calls ?? [], `${at}.callGraph`, "services", callGraphOwnedNamespaces(args.callGraph))
                : []),
        ];
        if (problems.length) throw new MeshArgsError(problems);
        const graph = args.callGraph ? planCallGraph(args.callGraph.services, args.callGraph.calls, callGraphOwnedNamespaces(args.callGraph)) : undefined;
        super("platform:index:AmbientMesh", name, {}, opts);
        const platform = meshPlatformValues(args.platform as MeshPlatform, args.kubernetesCni);
        const global = platform.globalPlatform ? { global: { platform: platform.globalPlatform } } : {};
        const release = (id: string, chart: string, namespace: string, values: Record<string, unknown>, dependsOn: pulumi.Resource[], version = ISTIO_VERSION, repo = ISTIO_CHART_REPO) =>
            new k8s.helm.v3.Release(
                `${name}-${id}`,
                {
                    name: id,
                    chart,
                    version,
                    repositoryOpts: { repo },
                    namespace,
                    createNamespace: false, // PlatformNamespaces with their own policies (or kube-system, which exists)
                    skipAwait: false, // the next chart in the chain needs this one running, not just applied
                    atomic: true,
                    values,
                },
                { parent: this, dependsOn },
            );

        // Gateway API CRDs (standard channel, pinned release asset). Waypoints and the ingress are Gateway
        // API objects; the CRDs come first so istiod starts watching them at once.
        const gatewayApiCrds = new k8s.yaml.v2.ConfigFile(`${name}-gateway-api-crds`, { file: GATEWAY_API_CRDS_URL }, { parent: this });

        // istio-system holds istiod only: not enrolled (the mesh's own control plane), baseline Pod Security,
        // default deny with the control plane's real flows as allowances. The node agents that need
        // privileged pods (istio-cni: host network and the node's CNI config; ztunnel: NET_ADMIN/SYS_ADMIN
        // to enter pod network namespaces) go to kube-system, the cluster's privileged namespace for node
        // agents (Istio's documented alternative; on GKE it also already has the node-critical quota), so
        // the platform creates no privileged namespace of its own.
        const istioNamespace = new PlatformNamespace(
            `${name}-istio-system`,
            {
                name: ISTIO_NAMESPACE,
                ambient: false,
                outsideMeshReason: "the mesh control plane: istiod serves the mesh's certificates and configuration, and the API server calls its webhooks in plain TLS",
                podSecurity: "baseline",
                network: args.network,
                // istiod watches the Kubernetes API (443 on managed clusters, 6443 on kubeadm/kind): the API
                // server's addresses or, under Cilium, its kube-apiserver entity (PlatformNamespace).
                apiServerEgress: true,
                apiServerEgressPodLabels: { app: "istiod" },
                // With end-user JWTs at the ingress, istiod fetches the issuer's key set (jwksUri) and pushes it
                // to the gateway inline (PILOT_JWT_ENABLE_REMOTE_JWKS defaults to "false": istiod fetches;
                // istio/istio pilot/pkg/features/pilot.go): a named egress exception for istiod only.
                ...(args.ingress?.enabled && args.ingress.jwt?.jwksEgress
                    ? { egressExceptions: [{ exception: jwksEgressOf(args.ingress.jwt, args.ingress.jwt.jwksEgress), podSelector: matchApp("istiod") }] }
                    : {}),
                extraPolicies: [
                    {
                        // Every proxy in the cluster (ztunnel, waypoints, gateways) fetches config and
                        // certificates from istiod over mTLS on 15012; the API server calls the sidecar-
                        // injection/validation webhooks on 15017 and kubelet probes istiod's readiness on
                        // 8080, from addresses a NetworkPolicy cannot name on every engine: port-only.
                        name: "allow-istiod-ingress",
                        spec: {
                            podSelector: matchApp("istiod"),
                            policyTypes: ["Ingress"],
                            ingress: [
                                { from: allNamespaces, ports: tcp(XDS_PORT) },
                                fromAnySource([15017, 8080]),
                            ],
                        },
                    },
                ],
            },
            { parent: this },
        );

        const base = release("istio-base", "base", ISTIO_NAMESPACE, { ...global, profile: "ambient" }, [istioNamespace, gatewayApiCrds]);

        const otlpEndpoint = args.tracing?.otlpEndpoint;
        const collectorService = `${COLLECTOR_NAME}.${OBSERVABILITY_NAMESPACE}.svc.cluster.local`;
        const istiod = release(
            "istiod",
            "istiod",
            ISTIO_NAMESPACE,
            deepMerge(
                {
                    ...global,
                    profile: "ambient",
                    // Two replicas plus the chart's PodDisruptionBudget: config and certificates keep flowing
                    // through a node drain.
                    pilot: { autoscaleMin: args.istiodReplicas ?? 2, replicaCount: args.istiodReplicas ?? 2 },
                    // ztunnel runs in kube-system; istiod's CA must trust its service account there to issue
                    // workload certificates on behalf of the pods on its node.
                    trustedZtunnelNamespace: NODE_AGENT_NAMESPACE,
                    meshConfig: {
                        // Where the Telemetry resource's tracing provider sends spans (OTLP/gRPC).
                        extensionProviders: [{ name: TRACING_PROVIDER, opentelemetry: { service: collectorService, port: OTLP_GRPC_PORT } }],
                    },
                },
                platform.istiod,
            ),
            [base],
        );
        const cni = release("istio-cni", "cni", NODE_AGENT_NAMESPACE, deepMerge({ ...global, profile: "ambient" }, platform.cni), [istiod]);
        const ztunnel = release("ztunnel", "ztunnel", NODE_AGENT_NAMESPACE, deepMerge({ ...global, profile: "ambient" }, platform.ztunnel), [cni]);
        const ready = [gatewayApiCrds, base, istiod];

        const custom = (id: string, apiVersion: string, kind: string, metadata: Record<string, unknown>, spec: Record<string, unknown>, dependsOn = ready) =>
            new k8s.apiextensions.CustomResource(
                `${name}-${id}`,
                { apiVersion, kind, metadata: { ...metadata, labels: { "app.kubernetes.io/managed-by": "pulumi" } }, spec },
                { parent: this, dependsOn },
            );

        // Mesh-wide mTLS: a PeerAuthentication named "default" in the root namespace applies everywhere;
        // STRICT refuses plaintext to every enrolled workload.
        custom("peer-authentication", "security.istio.io/v1", "PeerAuthentication", { name: "default", namespace: ISTIO_NAMESPACE }, { mtls: { mode: "STRICT" } });
        // Allow-nothing: an ALLOW policy without rules in the root namespace matches no request, so every
        // workload refuses traffic until a positive ALLOW (by identity) admits it.
        custom("allow-nothing", "security.istio.io/v1", "AuthorizationPolicy", { name: "allow-nothing", namespace: ISTIO_NAMESPACE }, {});
        // Waypoints only enforce policies attached to them; this one attaches allow-nothing to every waypoint
        // (GatewayClass istio-waypoint), so L7 traffic is also denied unless a call-graph rule allows it.
        custom(
            "allow-nothing-waypoints",
            "security.istio.io/v1",
            "AuthorizationPolicy",
            { name: "allow-nothing-waypoints", namespace: ISTIO_NAMESPACE },
            { targetRefs: [{ group: "gateway.networking.k8s.io", kind: "GatewayClass", name: "istio-waypoint" }] },
        );

        if (platform.ciliumDataplane) {
            // Cilium exempts kubelet probes by recognising the host; ambient SNATs them to a link-local
            // address Cilium does not recognise. Additive allowance (enableDefaultDeny off), so it does not
            // put every pod into default deny by itself.
            new k8s.apiextensions.CustomResource(
                `${name}-allow-ambient-hostprobes`,
                {
                    apiVersion: "cilium.io/v2",
                    kind: "CiliumClusterwideNetworkPolicy",
                    metadata: { name: "allow-ambient-hostprobes", labels: { "app.kubernetes.io/managed-by": "pulumi" } },
                    spec: {
                        description: "Allows SNAT-ed kubelet health probes into ambient pods",
                        endpointSelector: {},
                        enableDefaultDeny: { ingress: false, egress: false },
                        ingress: [{ fromCIDR: [AMBIENT_PROBE_SOURCE] }],
                    },
                },
                { parent: this },
            );
        }

        // Telemetry: an OpenTelemetry collector in an enrolled, restricted namespace like any workload.
        // Waypoints and the ingress gateway are mesh-aware proxies: they reach it over HBONE (admitted by
        // the namespace's HBONE allowance) with their own identities, allowed below.
        const observability = new PlatformNamespace(
            `${name}-observability`,
            {
                name: OBSERVABILITY_NAMESPACE,
                network: args.network,
                extraPolicies: [
                    ...(otlpEndpoint
                        ? [
                              {
                                  // Forwarding to the configured tracing backend, wherever it runs (in the VPC or
                                  // a SaaS): a named egress exception, on the endpoint's port only.
                                  name: "allow-otlp-export",
                                  annotations: {
                                      "platform.io/egress-exception": "otlp-export",
                                      "platform.io/egress-exception-reason": `the collector forwards spans to platform:mesh.tracing.otlpEndpoint ${otlpEndpoint}`,
                                  },
                                  spec: { podSelector: {}, policyTypes: ["Egress"], egress: [{ to: anywhere, ports: tcp(Number(otlpEndpoint.split(":").pop())) }] },
                              },
                          ]
                        : []),
                ],
            },
            { parent: this },
        );
        const collector = release(
            COLLECTOR_NAME,
            "opentelemetry-collector",
            OBSERVABILITY_NAMESPACE,
            collectorValues(otlpEndpoint),
            [observability],
            OTEL_COLLECTOR_CHART_VERSION,
            OTEL_CHART_REPO,
        );
        // Who sends spans: every waypoint the call graph creates and the ingress gateway.
        const spanSenders = [
            ...(graph?.waypointNamespaces ?? []).map((ns) => ({ namespace: ns, serviceAccount: WAYPOINT_NAME })),
            ...(args.ingress?.enabled ? [{ namespace: INGRESS_NAMESPACE, serviceAccount: INGRESS_GATEWAY_NAME }] : []),
        ];
        if (spanSenders.length) {
            allowSpanSenders(`${name}-allow-span-senders`, "allow-span-senders", spanSenders, { parent: this, dependsOn: [...ready, observability] });
        }
        const tracing = { providers: [{ name: TRACING_PROVIDER }], randomSamplingPercentage: args.tracing?.samplingPercent ?? 1 };
        custom(
            "telemetry",
            "telemetry.istio.io/v1",
            "Telemetry",
            { name: "mesh-default", namespace: ISTIO_NAMESPACE },
            {
                tracing: [tracing],
                // "envoy" is istiod's built-in file access log provider (stdout of waypoints and gateways).
                ...((args.accessLogging ?? true) ? { accessLogging: [{ providers: [{ name: "envoy" }] }] } : {}),
            },
            [...ready, collector],
        );

        const ingressGateway = args.ingress?.enabled ? this.addIngress(name, args.ingress, platform, ready, args.network) : undefined;

        const callGraph = args.callGraph
            ? new MeshCallGraph(`${name}-calls`, { ...args.callGraph, network: args.network }, { parent: this, dependsOn: [...ready, ztunnel] })
            : undefined;

        meshParts.set(this, { platformValues: platform, charts: { base, istiod, cni, ztunnel }, ready, ingressGateway, callGraph });
        this.istioVersion = pulumi.output(ISTIO_VERSION);
        this.gatewayApiVersion = pulumi.output(GATEWAY_API_VERSION);
        this.waypointNamespaces = pulumi.output(graph?.waypointNamespaces ?? []);
        this.notes = pulumi.output(platform.notes);
        this.registerOutputs({
            istioVersion: this.istioVersion,
            gatewayApiVersion: this.gatewayApiVersion,
            waypointNamespaces: this.waypointNamespaces,
            notes: this.notes,
        });
    }

    private addIngress(name: string, ingress: MeshIngressArgs, platform: MeshPlatformValues, ready: pulumi.Resource[], network?: ClusterNetworkFacts): k8s.helm.v3.Release {
        const publicExposure = ingress.exposure === "public";
        const lb = publicExposure ? platform.publicLoadBalancer : platform.internalLoadBalancer;
        const annotations: Record<string, string> = { ...lb.annotations };
        if (publicExposure) {
            // The audit trail for a public endpoint travels with the Service itself.
            annotations[EDGE_EXCEPTION_ANNOTATION] = ingress.edgeException!.name;
            annotations["platform.io/edge-exception-reason"] = ingress.edgeException!.reason;
        }
        // Not enrolled: the gateway is itself an Envoy proxy that speaks HBONE to ambient backends.
        // Baseline, not restricted: the chart's pod sets the net.ipv4.ip_unprivileged_port_start sysctl to
        // bind 80/443 without root.
        const namespace = new PlatformNamespace(
            `${name}-istio-ingress`,
            {
                name: INGRESS_NAMESPACE,
                ambient: false,
                outsideMeshReason: "the ingress gateway is itself an Envoy proxy that speaks HBONE to ambient backends",
                podSecurity: "baseline",
                network,
                extraPolicies: [
                    {
                        // Client traffic from the load balancer (80/443) and its health checks (15021). Through
                        // node ports (EKS instance targets, externalTrafficPolicy Cluster) it arrives from node
                        // addresses, which no ipBlock selects under Cilium: port-only.
                        name: "allow-gateway-ingress",
                        spec: { podSelector: {}, policyTypes: ["Ingress"], ingress: [fromAnySource([80, 443, 15021])] },
                    },
                    {
                        // Config and certificates from istiod; HBONE to ambient backends and the collector.
                        name: "allow-gateway-egress",
                        spec: {
                            podSelector: {},
                            policyTypes: ["Egress"],
                            egress: [
                                {
                                    to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": ISTIO_NAMESPACE } }, podSelector: matchApp("istiod") }],
                                    ports: tcp(XDS_PORT),
                                },
                                // Ambient backends and the collector are reached over HBONE.
                                { to: allNamespaces, ports: tcp(HBONE_PORT) },
                            ],
                        },
                    },
                ],
            },
            { parent: this },
        );
        const gateway = new k8s.helm.v3.Release(
            `${name}-ingress-gateway`,
            {
                name: INGRESS_GATEWAY_NAME, // also its service account's name
                chart: "gateway",
                version: ISTIO_VERSION,
                repositoryOpts: { repo: ISTIO_CHART_REPO },
                namespace: INGRESS_NAMESPACE,
                createNamespace: false,
                skipAwait: false,
                atomic: true,
                values: {
                    labels: { istio: "ingressgateway" },
                    service: { type: lb.serviceType, annotations },
                    // At least two replicas across nodes, and a disruption budget that keeps one serving.
                    autoscaling: { enabled: true, minReplicas: ingress.minReplicas ?? 2, maxReplicas: ingress.maxReplicas ?? 5 },
                    podDisruptionBudget: { minAvailable: 1 },
                },
            },
            { parent: this, dependsOn: [...ready, namespace] },
        );
        const labels = { "app.kubernetes.io/managed-by": "pulumi" };
        // End-user JWTs (ingress.jwt). The gateway is the istio/gateway chart's Envoy Deployment, not a Gateway
        // API Gateway, so the policies select its pods (`selector`, which a gateway proxy enforces itself;
        // `targetRefs` would need a Gateway API Gateway: istio/api 1.30.3 request_authentication.proto).
        const requestAuthentication = ingress.jwt
            ? new k8s.apiextensions.CustomResource(
                  `${name}-ingress-jwt`,
                  {
                      apiVersion: "security.istio.io/v1",
                      kind: "RequestAuthentication",
                      metadata: { name: "ingress-jwt", namespace: INGRESS_NAMESPACE, labels },
                      spec: ingressRequestAuthenticationSpec(ingress.jwt),
                  },
                  { parent: this, dependsOn: [...ready, namespace] },
              )
            : undefined;
        // The root allow-nothing policy also covers the gateway; this ALLOW policy is what the edge admits.
        // Without jwt: any client on the listener ports. With jwt: only requests carrying a valid token of the
        // issuer (plus GET/HEAD on the unauthenticated paths). A RequestAuthentication alone only rejects
        // requests with an INVALID token; a request WITHOUT a token passes it unauthenticated, so only this
        // policy makes the token mandatory. One policy, updated in place when jwt is switched on: ALLOW
        // policies add up (CUSTOM, then DENY, then any matching ALLOW admits), so an open port rule beside the
        // JWT rule would admit token-less requests again. It waits for the RequestAuthentication, so the
        // gateway never requires a token it cannot yet validate.
        new k8s.apiextensions.CustomResource(
            `${name}-allow-ingress-gateway`,
            {
                apiVersion: "security.istio.io/v1",
                kind: "AuthorizationPolicy",
                metadata: { name: "allow-ingress-gateway", namespace: INGRESS_NAMESPACE, labels },
                spec: ingress.jwt
                    ? ingressJwtAuthorizationSpec(ingress.jwt)
                    : { action: "ALLOW", selector: INGRESS_GATEWAY_SELECTOR, rules: [{ to: [{ operation: { ports: [...INGRESS_LISTENER_PORTS] } }] }] },
            },
            { parent: this, dependsOn: [...ready, namespace, ...(requestAuthentication ? [requestAuthentication] : [])] },
        );
        return gateway;
    }
}

/** The gateway pods' label the istio/gateway chart values give them (values.labels). */
const INGRESS_GATEWAY_SELECTOR = { matchLabels: { istio: "ingressgateway" } };
/** The gateway's listener ports (its Service maps 80 and 443 to the same container ports). */
const INGRESS_LISTENER_PORTS = ["80", "443"];

/** The RequestAuthentication spec of `ingress.jwt`: one issuer, its key set and audiences; the token is not passed on. */
export function ingressRequestAuthenticationSpec(jwt: IngressJwtArgs): Record<string, unknown> {
    return {
        selector: INGRESS_GATEWAY_SELECTOR,
        // forwardOriginalToken false (Istio's default, stated): backends get the request without the bearer
        // token, so a compromised backend cannot replay it elsewhere.
        jwtRules: [{ issuer: jwt.issuer, jwksUri: jwt.jwksUri, audiences: [...jwt.audiences], forwardOriginalToken: false }],
    };
}

/**
 * The ALLOW policy of `ingress.jwt`: requests on the listener ports carrying a valid token from the issuer
 * (request principal `<iss>/<sub>`, matched as `<issuer>/*`: a named issuer, never "*"), and, when
 * configured, GET/HEAD on the unauthenticated paths only.
 */
export function ingressJwtAuthorizationSpec(jwt: IngressJwtArgs): Record<string, unknown> {
    const rules: Record<string, unknown>[] = [
        { from: [{ source: { requestPrincipals: [`${jwt.issuer}/*`] } }], to: [{ operation: { ports: [...INGRESS_LISTENER_PORTS] } }] },
    ];
    if (jwt.unauthenticatedPaths?.length) {
        rules.push({ to: [{ operation: { ports: [...INGRESS_LISTENER_PORTS], methods: ["GET", "HEAD"], paths: [...jwt.unauthenticatedPaths] } }] });
    }
    return { action: "ALLOW", selector: INGRESS_GATEWAY_SELECTOR, rules };
}

/** istiod's egress exception for the key set: ports default to the jwksUri's port (443). */
export function jwksEgressOf(jwt: IngressJwtArgs, exception: NonNullable<IngressJwtArgs["jwksEgress"]>) {
    const url = new URL(jwt.jwksUri);
    const fqdns = [...new Set([...(exception.fqdns ?? []), url.hostname])];
    return { ...exception, fqdns, ports: exception.ports ?? [Number(url.port || 443)] };
}

/** Collector values: a 2-replica Deployment receiving OTLP, restricted-PSS compliant. */
export function collectorValues(otlpEndpoint?: string): Record<string, unknown> {
    const exporters: Record<string, unknown> = otlpEndpoint
        ? { "otlp/backend": { endpoint: otlpEndpoint } }
        : { debug: { verbosity: "basic" } };
    return {
        mode: "deployment",
        fullnameOverride: COLLECTOR_NAME,
        replicaCount: 2,
        image: { repository: OTEL_COLLECTOR_IMAGE },
        command: { name: "otelcol-k8s" },
        // Only OTLP is exposed; the chart's Jaeger and Zipkin receivers stay off.
        ports: {
            "jaeger-compact": { enabled: false },
            "jaeger-thrift": { enabled: false },
            "jaeger-grpc": { enabled: false },
            zipkin: { enabled: false },
        },
        podSecurityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } },
        securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] }, readOnlyRootFilesystem: true, runAsNonRoot: true },
        config: {
            receivers: { jaeger: null, zipkin: null },
            exporters,
            service: {
                pipelines: {
                    traces: { receivers: ["otlp"], processors: ["memory_limiter", "batch"], exporters: Object.keys(exporters) },
                },
            },
        },
    };
}

/** Merges plain objects (platform values over the neutral ones); arrays and scalars are replaced. */
export function deepMerge(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
    const out: Record<string, unknown> = { ...a };
    for (const [k, v] of Object.entries(b)) {
        const cur = out[k];
        out[k] =
            v && typeof v === "object" && !Array.isArray(v) && cur && typeof cur === "object" && !Array.isArray(cur)
                ? deepMerge(cur as Record<string, unknown>, v as Record<string, unknown>)
                : v;
    }
    return out;
}

/**
 * Lets Envoy-based proxies outside the call graph (another capability's waypoint, say) send spans to the
 * mesh's collector. ALLOW policies add up, so each capability declares its own senders.
 */
export function allowSpanSenders(
    name: string,
    policyName: string,
    senders: { namespace: string; serviceAccount: string }[],
    opts: pulumi.CustomResourceOptions,
) {
    return allowWorkloads(
        name,
        {
            namespace: OBSERVABILITY_NAMESPACE,
            policyName,
            selector: { "app.kubernetes.io/instance": COLLECTOR_NAME },
            from: senders,
            ports: [OTLP_GRPC_PORT, OTLP_HTTP_PORT],
        },
        opts,
    );
}
