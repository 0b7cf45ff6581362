/**
 * Knative Serving on one cluster, installed by the Knative Operator (Helm chart `knative-operator`, pinned)
 * and configured by one KnativeServing resource.
 *
 * Networking layer: Kourier. net-istio does not support Istio ambient (it relies on sidecars and Istio
 * VirtualServices), and net-gateway-api needs a separate Gateway API implementation plus per-version
 * conformance caveats; Kourier is a self-contained Envoy that the operator installs and upgrades with
 * Serving itself. Its pods join the ambient mesh like any workload, so ztunnel still carries every hop
 * (client → Kourier → activator → pod) in mTLS and enforces the identity policies.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { allowWorkloads, type WorkloadIdentity } from "../../mesh/authorization";
import { WAYPOINT_NAME, waypointNetworkPolicies } from "../../mesh/callgraph";
import { allowSpanSenders } from "../../mesh";
import { networkFactsProblems, type ClusterNetworkFacts } from "../../cluster/network-facts";
import { PlatformNamespace } from "../../namespace";
import { dependsOnWith, refuseArgs } from "../service";
import { egressExceptionProblems, withHttpsDefault, type EgressExceptionArgs } from "./egress";

export const KNATIVE_OPERATOR_CHART = { chart: "knative-operator", version: "v1.23.0", repo: "https://knative.github.io/operator" };
/** Serving minor version the operator installs (must be one the pinned operator ships). */
export const KNATIVE_SERVING_VERSION = "1.23";
export const KNATIVE_SERVING_NAMESPACE = "knative-serving";
export const KNATIVE_OPERATOR_NAMESPACE = "knative-operator";
/** The ingress class Knative routes through. */
export const KOURIER_INGRESS_CLASS = "kourier.ingress.networking.knative.dev";

/**
 * Identities on the request path to a revision's pods: the activator (buffers requests while a
 * revision scales from zero) and the Kourier gateway. Mesh policies for Knative services allow these.
 */
export const KNATIVE_ACTIVATOR: WorkloadIdentity = { namespace: KNATIVE_SERVING_NAMESPACE, serviceAccount: "activator" };
/**
 * The Kourier gateway's Deployment (net-kourier config/300-gateway.yaml) sets no serviceAccountName, so
 * it runs as `default`; no other Knative component does, so in knative-serving this names the gateway.
 */
export const KOURIER_GATEWAY: WorkloadIdentity = { namespace: KNATIVE_SERVING_NAMESPACE, serviceAccount: "default" };
/** net-kourier-controller (the gateway's xDS server and status prober). */
export const KOURIER_CONTROLLER: WorkloadIdentity = { namespace: KNATIVE_SERVING_NAMESPACE, serviceAccount: "net-kourier" };
export const KNATIVE_DATA_PATH: WorkloadIdentity[] = [KNATIVE_ACTIVATOR, KOURIER_GATEWAY];
/**
 * Kourier's cluster-local Service (port 80 → gateway 8081). A cluster-local Knative Service
 * `<svc>.<ns>.svc.cluster.local` is an ExternalName for it, so every in-mesh caller connects to this Service
 * and the gateway picks the Knative service by Host header.
 */
export const KOURIER_INTERNAL_SERVICE = "kourier-internal";
/** The gateway's cluster-local listener (kourier-internal's target port). */
export const KOURIER_INTERNAL_PORT = 8081;
/**
 * The waypoint in front of kourier-internal. It sees the Host header, so per-service policies bound to it
 * admit each service's declared callers for that service's hosts only. Same name (and so the same
 * service account and pod label) as the call graph's waypoints, so waypointNetworkPolicies() fits it.
 */
export const KOURIER_WAYPOINT = WAYPOINT_NAME;
export const KOURIER_WAYPOINT_IDENTITY: WorkloadIdentity = { namespace: KNATIVE_SERVING_NAMESPACE, serviceAccount: KOURIER_WAYPOINT };

/**
 * The Host values a caller may send for the cluster-local Knative service `name` in `namespace`: the
 * three names cluster DNS resolves (`<svc>.<ns>.svc.cluster.local`, `<svc>.<ns>.svc`, `<svc>.<ns>`),
 * each bare and with any port (Istio's hosts match is exact: `a` does not match `a:80`).
 */
export function knativeServiceHosts(name: string, namespace: pulumi.Input<string>): pulumi.Output<string>[] {
    const names = ["svc.cluster.local", "svc", ""].map((suffix) =>
        pulumi.interpolate`${name}.${namespace}${suffix ? `.${suffix}` : ""}`,
    );
    return names.flatMap((host) => [host, pulumi.interpolate`${host}:*`]);
}
/** The autoscaler scrapes queue-proxy metrics (port 9090) on every revision pod. */
export const KNATIVE_AUTOSCALER: WorkloadIdentity = { namespace: KNATIVE_SERVING_NAMESPACE, serviceAccount: "controller" };
/** Pod label that keeps one workload out of ambient (Istio's per-pod opt-out). */
export const AMBIENT_OPT_OUT = { "istio.io/dataplane-mode": "none" };

/**
 * Pod securityContext for the operator chart's two Deployments. knative-operator enforces `restricted`;
 * the chart (knative/operator@knative-v1.23.0 config/charts/knative-operator: values.yaml and
 * templates/operator.yaml) sets no seccompProfile, so admission would reject both pods. Its pod-level
 * `securityContext` value is passed through as is (toYaml); the container contexts already drop ALL
 * capabilities and forbid privilege escalation.
 */
const KNATIVE_OPERATOR_POD_SECURITY = { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } };
export const KNATIVE_OPERATOR_VALUES = {
    knative_operator: {
        knative_operator: { securityContext: KNATIVE_OPERATOR_POD_SECURITY },
        operator_webhook: { securityContext: KNATIVE_OPERATOR_POD_SECURITY },
    },
};

export interface KnativeRuntimeArgs {
    /** Replicas of each Serving control-plane component (default 2: survives a node loss). */
    replicas?: number;
    /**
     * The cluster runs the platform's ambient mesh (default false): the Kourier waypoint is then declared
     * a span sender to the mesh's collector. What the Istio resources wait for (AmbientMesh.ready: Istio
     * CRDs, istiod) goes in opts.dependsOn.
     */
    ambientMesh?: boolean;
    /** The cluster's network facts (KubernetesCluster.networkFacts): DNS, API server, policy engine. */
    network?: ClusterNetworkFacts;
    /**
     * The named egress exception (`image-registries`, platform:network.egressExceptions) that lets the
     * Serving controller ask registries for image digests (default port 443). Unset: none, and under
     * default deny every Revision whose image is a tag fails to resolve.
     */
    registryEgress?: EgressExceptionArgs;
}

/**
 * The Serving controller's pods (knative/serving@knative-v1.23.0 config/core/deployments/controller.yaml:
 * pod label `app: controller`, which no other deployment of Serving's core manifests carries). The controller
 * resolves each Revision's image tag to a digest by calling the registry
 * (knative.dev/docs/serving/tag-resolution), which pins Revisions to digests; it stays on.
 */
export const SERVING_CONTROLLER_PODS = { matchLabels: { app: "controller" } };

/** Resources a Knative Service must wait for, by runtime (TypeScript only: a schema cannot carry resources). */
const readyOf = new WeakMap<KnativeRuntime, pulumi.Resource[]>();

/**
 * Knative Serving with Kourier on one cluster (provider: opts.provider; opts.dependsOn: the mesh's
 * ready resources, which its Istio resources wait for).
 */
export class KnativeRuntime extends pulumi.ComponentResource {
    public readonly servingNamespace: pulumi.Output<string>;

    /** TypeScript only: what a Knative Service must wait for (the KnativeServing CR and the Kourier waypoint). */
    get ready(): pulumi.Resource[] {
        return readyOf.get(this) ?? [];
    }

    constructor(name: string, args: KnativeRuntimeArgs = {}, opts?: pulumi.ComponentResourceOptions) {
        const problems: string[] = [];
        if (args.replicas !== undefined && (!Number.isInteger(args.replicas) || args.replicas < 1)) {
            problems.push(`args.replicas: ${args.replicas} is not allowed; allowed: a whole number >= 1`);
        }
        if (args.network) problems.push(...networkFactsProblems(args.network, "args.network"));
        problems.push(...egressExceptionProblems(args.registryEgress, "args.registryEgress"));
        refuseArgs("KnativeRuntime", name, problems);
        super("platform:index:KnativeRuntime", name, {}, opts);
        const operatorNs = new PlatformNamespace(
            `${name}-operator-ns`,
            {
                name: KNATIVE_OPERATOR_NAMESPACE,
                // Outside the mesh: the operator's only peer is the API server, which calls its webhook in
                // plain TLS; under STRICT mTLS ztunnel refuses such calls to enrolled pods (istio/istio#52874).
                // A system namespace (K8S-05); default deny still admits only the webhook port.
                ambient: false,
                outsideMeshReason: "the Knative operator's only peer is the API server, which calls its webhook in plain TLS; ztunnel refuses that under STRICT mTLS (istio/istio#52874)",
                network: args.network,
                // The operator reconciles through the API server.
                apiServerEgress: true,
                extraPolicies: [
                    // The API server calls the operator's conversion/validation webhook.
                    { name: "allow-webhook-ingress", spec: { podSelector: {}, policyTypes: ["Ingress"], ingress: [{ ports: [{ protocol: "TCP", port: 8443 }] }] } },
                ],
            },
            { parent: this },
        );
        const operator = new k8s.helm.v3.Release(
            `${name}-operator`,
            {
                name: "knative-operator",
                chart: KNATIVE_OPERATOR_CHART.chart,
                version: KNATIVE_OPERATOR_CHART.version,
                repositoryOpts: { repo: KNATIVE_OPERATOR_CHART.repo },
                namespace: operatorNs.namespaceName,
                createNamespace: false,
                skipAwait: false,
                atomic: true,
                values: KNATIVE_OPERATOR_VALUES,
            },
            { parent: this, dependsOn: [operatorNs] },
        );
        const servingNs = new PlatformNamespace(
            `${name}-serving-ns`,
            {
                name: KNATIVE_SERVING_NAMESPACE,
                // Not `waypoint:` here: that label would send every Service in the namespace (activator,
                // autoscaler, webhook) through the waypoint; only kourier-internal is bound to it (below).
                network: args.network,
                // The controllers, the webhook and net-kourier watch the API server.
                apiServerEgress: true,
                egressExceptions: args.registryEgress
                    ? [{ exception: withHttpsDefault(args.registryEgress), podSelector: SERVING_CONTROLLER_PODS }]
                    : [],
                extraPolicies: [
                    // The Kourier waypoint is an Envoy outside ztunnel's capture: istiod (xDS) and its readiness port.
                    ...waypointNetworkPolicies(),
                    // Knative's admission webhook is called by the API server (not a mesh workload).
                    {
                        name: "allow-webhook-ingress",
                        spec: {
                            podSelector: { matchLabels: { app: "webhook" } },
                            policyTypes: ["Ingress"],
                            ingress: [{ ports: [{ protocol: "TCP", port: 8443 }] }],
                        },
                    },
                    // Kourier's listeners (8080 external, 8081 cluster-local) receive traffic from load
                    // balancers and nodes outside the mesh for services declared public edge.
                    {
                        name: "allow-kourier-ingress",
                        spec: {
                            podSelector: { matchLabels: { app: "3scale-kourier-gateway" } },
                            policyTypes: ["Ingress"],
                            ingress: [{ ports: [{ protocol: "TCP", port: 8080 }, { protocol: "TCP", port: 8081 }] }],
                        },
                    },
                ],
            },
            { parent: this },
        );
        const replicas = args.replicas ?? 2;
        const serving = new k8s.apiextensions.CustomResource(
            `${name}-serving`,
            {
                apiVersion: "operator.knative.dev/v1beta1",
                kind: "KnativeServing",
                metadata: { name: "knative-serving", namespace: servingNs.namespaceName },
                spec: {
                    version: KNATIVE_SERVING_VERSION,
                    "high-availability": { replicas },
                    // The admission webhook is called by the API server, which is not a mesh workload: under
                    // STRICT mTLS ztunnel would refuse it (istio/istio#52874). Only this Deployment leaves the
                    // mesh; the data path (activator, Kourier) and the controllers stay enrolled.
                    workloads: [{ name: "webhook", labels: AMBIENT_OPT_OUT }],
                    ingress: { kourier: { enabled: true, "service-type": "ClusterIP" } },
                    // Traffic addressed to kourier-internal (every cluster-local Knative service) goes through
                    // the waypoint, which enforces the per-service caller policies by Host header.
                    services: [{ name: KOURIER_INTERNAL_SERVICE, labels: { "istio.io/use-waypoint": KOURIER_WAYPOINT } }],
                    config: {
                        network: { "ingress-class": KOURIER_INGRESS_CLASS },
                        // Scale to zero is on; a revision keeps its last pod one minute after the last request.
                        autoscaler: { "enable-scale-to-zero": "true", "scale-to-zero-grace-period": "30s", "scale-to-zero-pod-retention-period": "1m" },
                        features: {
                            // Lets revisions carry a restricted pod securityContext; secure defaults fill any gap.
                            "kubernetes.podspec-securitycontext": "enabled",
                            "secure-pod-defaults": "enabled",
                        },
                        defaults: { "revision-timeout-seconds": "300" },
                    },
                },
            },
            { parent: this, dependsOn: [operator, servingNs] },
        );
        // The Istio resources wait for the mesh (the component's dependsOn) as well as their namespace.
        const meshDeps = dependsOnWith(opts, [servingNs]);
        // The waypoint for kourier-internal (Istio deploys it as Deployment `waypoint`, service account `waypoint`).
        const waypoint = new k8s.apiextensions.CustomResource(
            `${name}-kourier-waypoint`,
            {
                apiVersion: "gateway.networking.k8s.io/v1",
                kind: "Gateway",
                metadata: {
                    name: KOURIER_WAYPOINT,
                    namespace: servingNs.namespaceName,
                    // Service-addressed traffic only: the controller's probes to gateway pods stay L4.
                    labels: { "istio.io/waypoint-for": "service", "app.kubernetes.io/managed-by": "pulumi" },
                },
                spec: { gatewayClassName: "istio-waypoint", listeners: [{ name: "mesh", port: 15008, protocol: "HBONE" }] },
            },
            { parent: this, dependsOn: meshDeps },
        );
        // Allow-nothing on this waypoint (the mesh also attaches one to the istio-waypoint class; this one
        // holds even where the mesh is installed differently): only the per-service caller policies
        // (components/serverless/knative.ts) admit anything through it.
        new k8s.apiextensions.CustomResource(
            `${name}-kourier-waypoint-allow-nothing`,
            {
                apiVersion: "security.istio.io/v1",
                kind: "AuthorizationPolicy",
                metadata: { name: "kourier-waypoint-allow-nothing", namespace: servingNs.namespaceName, labels: { "app.kubernetes.io/managed-by": "pulumi" } },
                spec: { action: "ALLOW", targetRefs: [{ group: "gateway.networking.k8s.io", kind: "Gateway", name: KOURIER_WAYPOINT }] },
            },
            { parent: this, dependsOn: [...meshDeps, waypoint] },
        );
        // Knative's own flows inside knative-serving, each by identity (the mesh allows nothing by default).
        const internal = (id: string, app: string, from: WorkloadIdentity[], ports: number[]) =>
            allowWorkloads(`${name}-${id}`, { namespace: servingNs.namespaceName, selector: { app }, from, ports, policyName: id }, { parent: this, dependsOn: meshDeps });
        // Kourier forwards to the activator while a revision has no ready pods (scale from zero).
        internal("knative-activator-from-gateway", "activator", [KOURIER_GATEWAY], [8012, 8013]);
        // The activator reports request statistics to the autoscaler over a websocket; with more than one
        // autoscaler replica, a replica that does not own a revision's bucket forwards the statistics to the
        // owner on the same port (statforwarder), as the autoscaler's own identity.
        internal("knative-autoscaler-from-activator", "autoscaler", [KNATIVE_ACTIVATOR, KNATIVE_AUTOSCALER], [8080]);
        // The gateway fetches its Envoy configuration (xDS) from net-kourier-controller.
        internal("kourier-xds-from-gateway", "net-kourier-controller", [KOURIER_GATEWAY], [18000]);
        // net-kourier-controller probes each gateway pod (by pod IP, so not through the waypoint) before it
        // marks a route ready.
        internal("kourier-gateway-probes", "3scale-kourier-gateway", [KOURIER_CONTROLLER], [KOURIER_INTERNAL_PORT, 8090]);
        // Callers of cluster-local services reach the gateway only through the waypoint, which has already
        // checked caller and Host: ztunnel admits the waypoint's identity, and no caller directly.
        internal("kourier-gateway-from-waypoint", "3scale-kourier-gateway", [KOURIER_WAYPOINT_IDENTITY], [KOURIER_INTERNAL_PORT]);
        // The waypoint traces the calls it sees (the mesh's Telemetry applies to every waypoint): let it
        // reach the mesh's collector, which admits only declared span senders.
        if (args.ambientMesh) {
            allowSpanSenders(`${name}-kourier-waypoint-spans`, "allow-kourier-waypoint-spans", [KOURIER_WAYPOINT_IDENTITY], { parent: this, dependsOn: meshDeps });
        }
        this.servingNamespace = servingNs.namespaceName;
        readyOf.set(this, [serving, waypoint]);
        this.registerOutputs({ servingNamespace: this.servingNamespace });
    }
}
