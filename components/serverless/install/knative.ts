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
import type { WorkloadIdentity } from "../../mesh/authorization";
import { PlatformNamespace } from "../../namespace";

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
export const KNATIVE_DATA_PATH: WorkloadIdentity[] = [
    { namespace: KNATIVE_SERVING_NAMESPACE, serviceAccount: "activator" },
    { namespace: KNATIVE_SERVING_NAMESPACE, serviceAccount: "3scale-kourier-gateway" },
];
/** The autoscaler scrapes queue-proxy metrics (port 9090) on every revision pod. */
export const KNATIVE_AUTOSCALER: WorkloadIdentity = { namespace: KNATIVE_SERVING_NAMESPACE, serviceAccount: "controller" };

export interface KnativeRuntimeArgs {
    /** Replicas of each Serving control-plane component (default 2: survives a node loss). */
    replicas?: number;
}

/** Egress to the Kubernetes API server (controllers, webhooks' certificate rotation). */
const API_SERVER_EGRESS: k8s.types.input.networking.v1.NetworkPolicySpec = {
    podSelector: {},
    policyTypes: ["Egress"],
    egress: [{ ports: [{ protocol: "TCP", port: 443 }, { protocol: "TCP", port: 6443 }] }],
};

export class KnativeRuntime extends pulumi.ComponentResource {
    public readonly servingNamespace: pulumi.Output<string>;
    /** Resources a Knative Service must wait for (the KnativeServing CR). */
    public readonly ready: pulumi.Resource[];

    constructor(name: string, args: KnativeRuntimeArgs = {}, opts?: pulumi.ComponentResourceOptions) {
        super("platform:index:KnativeRuntime", name, {}, opts);
        const operatorNs = new PlatformNamespace(
            `${name}-operator-ns`,
            {
                name: KNATIVE_OPERATOR_NAMESPACE,
                extraPolicies: [
                    // The operator reconciles through the API server.
                    { name: "allow-apiserver-egress", spec: API_SERVER_EGRESS },
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
            },
            { parent: this, dependsOn: [operatorNs] },
        );
        const servingNs = new PlatformNamespace(
            `${name}-serving-ns`,
            {
                name: KNATIVE_SERVING_NAMESPACE,
                extraPolicies: [
                    { name: "allow-apiserver-egress", spec: API_SERVER_EGRESS },
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
                    ingress: { kourier: { enabled: true, "service-type": "ClusterIP" } },
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
        this.servingNamespace = servingNs.namespaceName;
        this.ready = [serving];
        this.registerOutputs({ servingNamespace: this.servingNamespace });
    }
}
