/**
 * SpinKube on one cluster: cert-manager (the spin-operator's webhook certificates), runtime-class-manager
 * with a `Shim` that installs containerd-shim-spin on the wasm nodes and creates its RuntimeClass, the
 * spin-operator CRDs from its release, and the spin-operator. Every version is pinned.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { networkFactsProblems, type ClusterNetworkFacts } from "../../cluster/network-facts";
import { PlatformNamespace } from "../../namespace";
import { refuseArgs } from "../service";
import { egressExceptionProblems, withHttpsDefault, type EgressExceptionArgs } from "./egress";

export const CERT_MANAGER_CHART = { chart: "cert-manager", version: "v1.19.4", repo: "https://charts.jetstack.io" };
/** OCI charts: the registry path is the chart reference (Helm has no repo index for OCI). */
export const RUNTIME_CLASS_MANAGER_CHART = { chart: "oci://ghcr.io/spinframework/charts/runtime-class-manager", version: "0.2.0" };
export const SPIN_OPERATOR_VERSION = "0.6.1";
export const SPIN_OPERATOR_CHART = { chart: "oci://ghcr.io/spinframework/charts/spin-operator", version: SPIN_OPERATOR_VERSION };
/** The chart ships no CRDs: they come from the same release. */
export const SPIN_OPERATOR_CRDS_URL = `https://github.com/spinframework/spin-operator/releases/download/v${SPIN_OPERATOR_VERSION}/spin-operator.crds.yaml`;
export const SPIN_SHIM_VERSION = "v0.19.0";
export const SPIN_RUNTIME_CLASS = "wasmtime-spin-v2";
export const SPIN_EXECUTOR = "containerd-shim-spin";
/** Label of the nodes that get the Spin shim (the dedicated wasm pool on EKS/GKE). */
export const WASM_NODE_LABEL = { "platform.io/wasm": "true" };

/**
 * spin-operator enforces `restricted`. The chart (spinframework/spin-operator@v0.6.1
 * charts/spin-operator: values.yaml `controllerManager.manager.containerSecurityContext`, passed through
 * by templates/deployment.yaml; the pod sets only runAsNonRoot) has no seccompProfile anywhere, so
 * admission would reject the manager pod. The value replaces the chart's default, so it repeats it.
 */
export const SPIN_OPERATOR_VALUES = {
    controllerManager: {
        manager: {
            containerSecurityContext: {
                allowPrivilegeEscalation: false,
                capabilities: { drop: ["ALL"] },
                runAsNonRoot: true,
                seccompProfile: { type: "RuntimeDefault" },
            },
        },
    },
};

export interface SpinKubeRuntimeArgs {
    /** Nodes that get the shim (RuntimeClass scheduling follows it). Default WASM_NODE_LABEL. */
    nodeSelector?: Record<string, string>;
    /** CPU architecture of those nodes: "x86_64" (default) or "aarch64" (SPIN_SHIM_ARCHES). */
    arch?: string;
    /** The cluster's network facts (KubernetesCluster.networkFacts): DNS, API server, policy engine. */
    network?: ClusterNetworkFacts;
    /**
     * The named egress exception (`spin-shim-download`, platform:network.egressExceptions) that lets the
     * shim install Jobs fetch the shim tarball from GitHub's releases (default port 443). Unset: none, and
     * under default deny the download fails.
     */
    shimDownload?: EgressExceptionArgs;
}

/**
 * The architectures containerd-shim-spin is released for: its releases ship
 * containerd-shim-spin-v2-linux-x86_64.tar.gz and -linux-aarch64.tar.gz.
 */
export const SPIN_SHIM_ARCHES = ["x86_64", "aarch64"];

/**
 * The pods of runtime-class-manager's install/uninstall Jobs. The controller labels the Job, not its pod
 * template (spinframework/runtime-class-manager@v0.2.0 internal/controller/shim_controller.go
 * createJobManifest), so the selector uses the label the Job controller puts on every Job pod,
 * `batch.kubernetes.io/job-name` (Kubernetes 1.27+, kubernetes.io/docs/reference/labels-annotations-taints).
 * The namespace holds no other Job (the chart ships only the controller Deployment).
 */
export const SHIM_JOB_PODS: k8s.types.input.meta.v1.LabelSelector = { matchExpressions: [{ key: "batch.kubernetes.io/job-name", operator: "Exists" }] };

const webhookIngress = (port: number): k8s.types.input.networking.v1.NetworkPolicySpec => ({
    podSelector: {},
    policyTypes: ["Ingress"],
    ingress: [{ ports: [{ protocol: "TCP", port }] }],
});

/**
 * The namespace of a component whose only caller is the API server (an admission webhook on `port`). It
 * stays outside the mesh: the API server's plain-TLS webhook calls would be refused by ztunnel under STRICT
 * mTLS (istio/istio#52874). A system namespace (K8S-05); default deny still applies, with egress to the
 * API server and ingress to the webhook port.
 */
function webhookNamespace(resourceName: string, namespace: string, port: number, parent: pulumi.Resource, network?: ClusterNetworkFacts): PlatformNamespace {
    return new PlatformNamespace(
        resourceName,
        {
            name: namespace,
            ambient: false,
            outsideMeshReason: "the API server calls this namespace's webhook in plain TLS; ztunnel refuses that under STRICT mTLS (istio/istio#52874)",
            network,
            apiServerEgress: true,
            extraPolicies: [{ name: "allow-webhook-ingress", spec: webhookIngress(port) }],
        },
        { parent },
    );
}

/** What SpinAppExecutors and SpinApps must wait for, by runtime (TypeScript only: a schema cannot carry resources). */
const readyOf = new WeakMap<SpinKubeRuntime, pulumi.Resource[]>();

/** SpinKube on one cluster (provider: opts.provider). */
export class SpinKubeRuntime extends pulumi.ComponentResource {
    /** The RuntimeClass the Shim creates, which SpinAppExecutors run their Deployments on. */
    public readonly runtimeClassName: pulumi.Output<string>;

    /** TypeScript only: what SpinAppExecutors and SpinApps must wait for (the operator, the Shim, the CRDs). */
    get ready(): pulumi.Resource[] {
        return readyOf.get(this) ?? [];
    }

    constructor(name: string, args: SpinKubeRuntimeArgs = {}, opts?: pulumi.ComponentResourceOptions) {
        const problems: string[] = [];
        if (args.arch !== undefined && !SPIN_SHIM_ARCHES.includes(args.arch)) {
            problems.push(`args.arch: ${JSON.stringify(args.arch)} is not allowed; allowed: ${SPIN_SHIM_ARCHES.map((a) => JSON.stringify(a)).join(", ")}`);
        }
        if (args.network) problems.push(...networkFactsProblems(args.network, "args.network"));
        problems.push(...egressExceptionProblems(args.shimDownload, "args.shimDownload"));
        refuseArgs("SpinKubeRuntime", name, problems);
        super("platform:index:SpinKubeRuntime", name, {}, opts);
        const release = (id: string, chart: { chart: string; version: string; repo?: string }, ns: PlatformNamespace, deps: pulumi.Resource[], values?: Record<string, unknown>) =>
            new k8s.helm.v3.Release(
                `${name}-${id}`,
                {
                    name: id,
                    chart: chart.chart,
                    version: chart.version,
                    repositoryOpts: chart.repo ? { repo: chart.repo } : undefined,
                    namespace: ns.namespaceName,
                    createNamespace: false,
                    skipAwait: false,
                    atomic: true,
                    values,
                },
                { parent: this, dependsOn: [ns, ...deps] },
            );

        // cert-manager talks only to the API server and ACME/CA endpoints; the API server calls its admission
        // webhook on 10250.
        const certManagerNs = webhookNamespace(`${name}-cert-manager-ns`, "cert-manager", 10250, this, args.network);
        const certManager = release("cert-manager", CERT_MANAGER_CHART, certManagerNs, [], { crds: { enabled: true } });

        // Shim installation runs privileged node-installer jobs (they write the shim binary and containerd
        // config on the host), so this one namespace cannot be restricted; it stays out of the mesh because
        // containerd restarts under it. Each Job's `downloader` init container curls the Shim's
        // fetchStrategy location (runtime-class-manager@v0.2.0 shim_controller.go setOperationConfiguration,
        // images/downloader/download_shim.sh): GitHub, through the `spin-shim-download` exception.
        const download = args.shimDownload;
        const rcmNs = new PlatformNamespace(
            `${name}-rcm-ns`,
            {
                name: "runtime-class-manager",
                ambient: false,
                outsideMeshReason: "privileged node-installer jobs write the Spin shim and containerd config on each host, and containerd restarts under them",
                podSecurity: "privileged",
                policyException: "runtime-class-manager-node-installer",
                network: args.network,
                apiServerEgress: true,
                egressExceptions: download ? [{ exception: withHttpsDefault(download), podSelector: SHIM_JOB_PODS }] : [],
            },
            { parent: this },
        );
        const rcm = release("runtime-class-manager", RUNTIME_CLASS_MANAGER_CHART, rcmNs, []);
        const arch = args.arch ?? "x86_64";
        const shim = new k8s.apiextensions.CustomResource(
            `${name}-spin-shim`,
            {
                apiVersion: "runtime.spinkube.dev/v1alpha1",
                kind: "Shim",
                metadata: { name: "spin-v2" },
                spec: {
                    nodeSelector: args.nodeSelector ?? WASM_NODE_LABEL,
                    fetchStrategy: {
                        type: "anonymousHttp",
                        anonHttp: {
                            location: `https://github.com/spinframework/containerd-shim-spin/releases/download/${SPIN_SHIM_VERSION}/containerd-shim-spin-v2-linux-${arch}.tar.gz`,
                        },
                    },
                    runtimeClass: { name: SPIN_RUNTIME_CLASS, handler: "spin" },
                    // "recreate": the only strategy runtime-class-manager v0.2.0 implements; "rolling" passes the
                    // CRD (enum rolling|recreate) but its reconciler returns "rolling strategy not implemented
                    // yet" and installs nothing (internal/controller/shim_controller.go handleInstallShim).
                    // Recreate starts one install Job per matching node at once.
                    rolloutStrategy: { type: "recreate" },
                },
            },
            { parent: this, dependsOn: [rcm] },
        );

        const crds = new k8s.yaml.v2.ConfigFile(`${name}-spin-crds`, { file: SPIN_OPERATOR_CRDS_URL }, { parent: this });
        // The API server calls the operator's validating/defaulting webhook on 9443.
        const operatorNs = webhookNamespace(`${name}-spin-operator-ns`, "spin-operator", 9443, this, args.network);
        const operator = release("spin-operator", SPIN_OPERATOR_CHART, operatorNs, [certManager, crds], SPIN_OPERATOR_VALUES);
        readyOf.set(this, [operator, shim, crds]);
        this.runtimeClassName = pulumi.output(SPIN_RUNTIME_CLASS);
        this.registerOutputs({ runtimeClassName: this.runtimeClassName });
    }
}

/** The SpinAppExecutor a namespace's SpinApps run with: Deployments on the Spin RuntimeClass. */
export function spinAppExecutor(name: string, namespace: pulumi.Input<string>, opts: pulumi.CustomResourceOptions): k8s.apiextensions.CustomResource {
    return new k8s.apiextensions.CustomResource(
        name,
        {
            apiVersion: "core.spinkube.dev/v1alpha1",
            kind: "SpinAppExecutor",
            metadata: { name: SPIN_EXECUTOR, namespace },
            spec: {
                createDeployment: true,
                deploymentConfig: { runtimeClassName: SPIN_RUNTIME_CLASS, installDefaultCACerts: true },
            },
        },
        opts,
    );
}
