/**
 * Kubernetes: one Knative Service per workload, in a PlatformNamespace. Cluster-local unless public,
 * min-scale 0, its own service account (no API token mounted), a restricted security context, and a mesh
 * AuthorizationPolicy that admits only Knative's data path (activator, Kourier) and the autoscaler.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { allowWorkloads, principalOf } from "../mesh/authorization";
import type { ServerlessServiceArgs, ServerlessServiceOutputs } from "./index";
import { KNATIVE_AUTOSCALER, KNATIVE_DATA_PATH, KNATIVE_SERVING_NAMESPACE } from "./install/knative";
import { cpuQuantity, memoryQuantity } from "./rules";

/** queue-proxy ports on every revision pod: 8012 HTTP/1, 8013 h2c, 9090 autoscaler metrics. */
export const QUEUE_PROXY_PORTS = [8012, 8013];
export const QUEUE_PROXY_METRICS_PORT = 9090;

/** The container security context every platform workload gets (Pod Security "restricted"). */
export const RESTRICTED_CONTAINER_SECURITY: k8s.types.input.core.v1.SecurityContext = {
    runAsNonRoot: true,
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    capabilities: { drop: ["ALL"] },
    seccompProfile: { type: "RuntimeDefault" },
};

export function createKnativeService(parent: pulumi.Resource, name: string, args: ServerlessServiceArgs): ServerlessServiceOutputs {
    const namespace = args.kubernetes!.namespace;
    const account = new k8s.core.v1.ServiceAccount(
        `${name}-sa`,
        {
            metadata: { name: args.name, namespace, labels: { "app.kubernetes.io/name": args.name } },
            // The app does not call the Kubernetes API: no token in the pod.
            automountServiceAccountToken: false,
        },
        { parent },
    );
    const labels: Record<string, string> = { "app.kubernetes.io/name": args.name, "app.kubernetes.io/managed-by": "pulumi" };
    // Private by default: only reachable inside the cluster (<name>.<namespace>.svc.cluster.local).
    if (!args.public) labels["networking.knative.dev/visibility"] = "cluster-local";
    new k8s.apiextensions.CustomResource(
        `${name}-ksvc`,
        {
            apiVersion: "serving.knative.dev/v1",
            kind: "Service",
            metadata: {
                name: args.name,
                namespace,
                labels,
                annotations: args.public ? { "platform.io/edge-exception": args.edgeException! } : {},
            },
            spec: {
                template: {
                    metadata: {
                        labels: { "app.kubernetes.io/name": args.name },
                        annotations: {
                            "autoscaling.knative.dev/min-scale": String(args.minScale),
                            "autoscaling.knative.dev/max-scale": String(args.maxScale),
                            "autoscaling.knative.dev/target": String(args.concurrency),
                        },
                    },
                    spec: {
                        serviceAccountName: account.metadata.name,
                        containerConcurrency: args.concurrency,
                        securityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } },
                        containers: [
                            {
                                name: "app",
                                image: args.image,
                                ports: [{ containerPort: args.port }],
                                env: Object.entries(args.env ?? {}).map(([envName, value]) => ({ name: envName, value })),
                                resources: {
                                    requests: { cpu: cpuQuantity(args.cpu), memory: memoryQuantity(args.memory) },
                                    limits: { memory: memoryQuantity(args.memory) },
                                },
                                securityContext: RESTRICTED_CONTAINER_SECURITY,
                            },
                        ],
                    },
                },
            },
        },
        { parent, dependsOn: [account] },
    );
    // Revision pods take requests only from Knative's data path, and metrics scrapes from the autoscaler.
    const selector = { "serving.knative.dev/service": args.name };
    // Istio custom resources: they wait for the mesh's CRDs and istiod.
    const policyOpts = { parent, dependsOn: args.kubernetes!.meshReady ?? [] };
    allowWorkloads(`${name}-knative-data-path`, { namespace, selector, from: KNATIVE_DATA_PATH, ports: QUEUE_PROXY_PORTS }, policyOpts);
    allowWorkloads(`${name}-knative-metrics`, { namespace, selector, from: [KNATIVE_AUTOSCALER], ports: [QUEUE_PROXY_METRICS_PORT] }, policyOpts);
    // Callers reach a Knative service through the Kourier gateway, so their identities are admitted there
    // (on the cluster-local listener); the gateway then routes by host to this service only.
    if (args.meshInvokers?.length) {
        allowWorkloads(
            `${name}-callers`,
            { namespace: KNATIVE_SERVING_NAMESPACE, selector: { app: "3scale-kourier-gateway" }, from: args.meshInvokers, ports: [8081] },
            policyOpts,
        );
    }
    const url = pulumi.interpolate`http://${args.name}.${namespace}.svc.cluster.local`;
    const identity = pulumi.output(namespace).apply((ns) => principalOf({ namespace: ns, serviceAccount: args.name }));
    return { url, identity };
}
