/**
 * Kubernetes: one Knative Service per workload, in a PlatformNamespace. Cluster-local unless public,
 * min-scale 0, its own service account (no API token mounted), a restricted security context, and a mesh
 * AuthorizationPolicy that admits only Knative's data path (activator, Kourier) and the autoscaler.
 * Declared callers are admitted at the Kourier waypoint, for this service's hosts only.
 */


/** Annotations marking a public edge: the exception's name (what the zero-trust pack config lists) and why. */
export { EDGE_EXCEPTION_ANNOTATION };
export const EDGE_EXCEPTION_REASON_ANNOTATION = "platform.io/edge-exception-reason";

/**
 * The edge-exception marks of a public Knative service, in the mesh's form: the name is the service name
 * (what `edgeExceptions` in the zero-trust pack config must list), the reason is the configured text.
 */
export function edgeExceptionAnnotations(serviceName: string, reason: string): Record<string, string> {
    return { [EDGE_EXCEPTION_ANNOTATION]: serviceName, [EDGE_EXCEPTION_REASON_ANNOTATION]: reason };
}
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { allowWorkloads, principalOf } from "../mesh/authorization";
import { secretEnvVars, workloadServiceAccount, type ClusterServiceArgs } from "./cluster-service";
import { KNATIVE_AUTOSCALER, KNATIVE_DATA_PATH, KNATIVE_SERVING_NAMESPACE, KOURIER_INTERNAL_SERVICE, KOURIER_WAYPOINT, knativeServiceHosts } from "./install/knative";
import { cpuQuantity, memoryQuantity } from "./rules";
import { dependsOnWith, refuseArgs, serviceArgsProblems, withServerlessServiceAlias, type ServerlessServiceOutputs } from "./service";
import { EDGE_EXCEPTION_ANNOTATION } from "../contracts/names";

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

export interface KnativeServiceArgs extends ClusterServiceArgs {}

/**
 * One Knative Service on a cluster running KnativeRuntime (provider: opts.provider; opts.dependsOn: the
 * runtime's ready resources, the namespace, the mesh's, and the Secrets secretEnv reads).
 */
export class KnativeService extends pulumi.ComponentResource implements ServerlessServiceOutputs {
    public readonly url: pulumi.Output<string>;
    public readonly identity: pulumi.Output<string>;

    constructor(name: string, args: KnativeServiceArgs, opts?: pulumi.ComponentResourceOptions) {
        refuseArgs("KnativeService", name, serviceArgsProblems("knative", "container", args));
        super("platform:index:KnativeService", name, {}, withServerlessServiceAlias(opts));
        const out = createKnativeService(this, name, args, opts);
        this.url = out.url;
        this.identity = out.identity;
        this.registerOutputs({ url: this.url, identity: this.identity });
    }
}

function createKnativeService(parent: pulumi.Resource, name: string, args: KnativeServiceArgs, opts: pulumi.ComponentResourceOptions | undefined): ServerlessServiceOutputs {
    const namespace = args.namespace;
    const cloudIdentity = args.workloadIdentity;
    const account = workloadServiceAccount(parent, name, args);
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
                annotations: args.public ? edgeExceptionAnnotations(args.name, args.edgeException!) : {},
            },
            spec: {
                template: {
                    metadata: {
                        labels: { ...cloudIdentity?.podLabels, "app.kubernetes.io/name": args.name },
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
                                env: [
                                    ...Object.entries(args.env ?? {}).map(([envName, value]) => ({ name: envName, value })),
                                    ...secretEnvVars(args),
                                ],
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
        { parent, dependsOn: dependsOnWith(opts, [account]) },
    );
    // Revision pods take requests only from Knative's data path, and metrics scrapes from the autoscaler.
    const selector = { "serving.knative.dev/service": args.name };
    // Istio custom resources: they wait for the mesh's CRDs and istiod (in the component's dependsOn).
    const policyOpts = { parent, dependsOn: dependsOnWith(opts) };
    allowWorkloads(`${name}-knative-data-path`, { namespace, selector, from: KNATIVE_DATA_PATH, ports: QUEUE_PROXY_PORTS }, policyOpts);
    allowWorkloads(`${name}-knative-metrics`, { namespace, selector, from: [KNATIVE_AUTOSCALER], ports: [QUEUE_PROXY_METRICS_PORT] }, policyOpts);
    // Callers reach a cluster-local Knative service through kourier-internal (the service's DNS name is an
    // ExternalName for it), which sits behind the Kourier waypoint. The waypoint sees the Host header, so this
    // L7 rule admits the declared callers for this service's hosts only: an identity admitted for another
    // Knative service cannot address this one through the shared gateway. No declared caller: no rule, and
    // the waypoint's allow-nothing denies every caller.
    if (args.meshInvokers?.length) {
        allowWorkloads(
            `${name}-callers`,
            {
                namespace: KNATIVE_SERVING_NAMESPACE,
                from: args.meshInvokers,
                hosts: knativeServiceHosts(args.name, namespace),
                waypoint: KOURIER_WAYPOINT,
                // Bound to kourier-internal only (not the whole waypoint).
                service: KOURIER_INTERNAL_SERVICE,
            },
            policyOpts,
        );
    }
    const url = pulumi.interpolate`http://${args.name}.${namespace}.svc.cluster.local`;
    const identity = pulumi.output(namespace).apply((ns) => principalOf({ namespace: ns, serviceAccount: args.name }));
    return { url, identity };
}
