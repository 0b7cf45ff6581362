/**
 * WebAssembly: one SpinApp per wasm service, run by the namespace's SpinAppExecutor on the Spin
 * RuntimeClass, with its own service account and a HorizontalPodAutoscaler between max(minScale, 1) and
 * maxScale. Spin apps start in milliseconds, but SpinKube 0.6 has no request-driven scale to zero (that
 * needs the KEDA HTTP add-on), so at least one replica runs.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { allowWorkloads, principalOf } from "../mesh/authorization";
import { secretEnvVars, workloadServiceAccount, type ClusterServiceArgs } from "./cluster-service";
import { SPIN_EXECUTOR } from "./install/spinkube";
import { cpuQuantity, memoryQuantity } from "./rules";
import { dependsOnWith, refuseArgs, serviceArgsProblems, withServerlessServiceAlias, type ServerlessServiceOutputs } from "./service";

/** Port of the Service spin-operator creates in front of a SpinApp (and of the Spin HTTP listener). */
export const SPIN_HTTP_PORT = 80;

export interface SpinServiceArgs extends ClusterServiceArgs {
    /** SpinAppExecutor of the namespace (default "containerd-shim-spin", what spinAppExecutor creates). */
    executor?: string;
}

/**
 * One wasm service as a SpinApp on a cluster running SpinKubeRuntime (provider: opts.provider;
 * opts.dependsOn: the runtime's ready resources, the executor, the namespace, the mesh's, and the Secrets
 * secretEnv reads).
 */
export class SpinService extends pulumi.ComponentResource implements ServerlessServiceOutputs {
    public readonly url: pulumi.Output<string>;
    public readonly identity: pulumi.Output<string>;

    constructor(name: string, args: SpinServiceArgs, opts?: pulumi.ComponentResourceOptions) {
        refuseArgs("SpinService", name, serviceArgsProblems("spin", "wasm", args));
        super("platform:index:SpinService", name, {}, withServerlessServiceAlias(opts));
        const out = createSpinApp(this, name, args, opts);
        this.url = out.url;
        this.identity = out.identity;
        this.registerOutputs({ url: this.url, identity: this.identity });
    }
}

function createSpinApp(parent: pulumi.Resource, name: string, args: SpinServiceArgs, opts: pulumi.ComponentResourceOptions | undefined): ServerlessServiceOutputs {
    const namespace = args.namespace;
    const cloudIdentity = args.workloadIdentity;
    const account = workloadServiceAccount(parent, name, args);
    const app = new k8s.apiextensions.CustomResource(
        `${name}-spinapp`,
        {
            apiVersion: "core.spinkube.dev/v1alpha1",
            kind: "SpinApp",
            metadata: { name: args.name, namespace, labels: { "app.kubernetes.io/name": args.name, "app.kubernetes.io/managed-by": "pulumi" } },
            spec: {
                image: args.image,
                executor: args.executor ?? SPIN_EXECUTOR,
                serviceAccountName: account.metadata.name,
                // The HPA below owns the replica count.
                enableAutoscaling: true,
                resources: {
                    requests: { cpu: cpuQuantity(args.cpu), memory: memoryQuantity(args.memory) },
                    limits: { memory: memoryQuantity(args.memory) },
                },
                podLabels: { ...cloudIdentity?.podLabels, "app.kubernetes.io/name": args.name },
                variables: [
                    ...Object.entries(args.env ?? {}).map(([varName, value]) => ({ name: varName.toLowerCase(), value })),
                    // Secret values bind by reference (SpinApp 0.6 spec.variables[].valueFrom.secretKeyRef).
                    ...secretEnvVars(args, (varName) => varName.toLowerCase()),
                ],
            },
        },
        { parent, dependsOn: dependsOnWith(opts, [account]) },
    );
    new k8s.autoscaling.v2.HorizontalPodAutoscaler(
        `${name}-hpa`,
        {
            metadata: { name: args.name, namespace },
            spec: {
                // spin-operator names the Deployment after the SpinApp.
                scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: args.name },
                minReplicas: Math.max(1, args.minScale),
                maxReplicas: args.maxScale,
                metrics: [{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 70 } } }],
            },
        },
        { parent, dependsOn: [app] },
    );
    if (args.meshInvokers?.length) {
        allowWorkloads(
            `${name}-callers`,
            { namespace, selector: { "app.kubernetes.io/name": args.name }, from: args.meshInvokers, ports: [SPIN_HTTP_PORT] },
            // An Istio custom resource: it waits for the mesh's CRDs and istiod.
            { parent, dependsOn: dependsOnWith(opts) },
        );
    }
    const url = pulumi.interpolate`http://${args.name}.${namespace}.svc.cluster.local`;
    const identity = pulumi.output(namespace).apply((ns) => principalOf({ namespace: ns, serviceAccount: args.name }));
    return { url, identity };
}
