/**
 * KEDA on one cluster: the pinned 2.20.x Helm chart in a `keda` PlatformNamespace that stays OUT of the
 * ambient mesh, with default-deny NetworkPolicies and one commented allowance per flow KEDA needs.
 *
 * Why outside the mesh: the Kubernetes API server calls KEDA's admission webhook and its external-metrics
 * API server (an APIService). The API server is not a mesh workload, so under STRICT mTLS ztunnel refuses
 * its plain-TLS calls to enrolled pods (istio/istio#52874), exactly like knative-operator, cert-manager and
 * spin-operator (docs/serverless.md). Consequence: KEDA has no mesh identity, so a scaler that reads a
 * source inside the mesh (e.g. Strimzi brokers under STRICT mTLS) cannot reach it; external HTTPS sources
 * (the carbon signal, cloud queue APIs) and out-of-mesh sources can.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { networkFactsProblems, type ClusterNetworkFacts } from "../cluster/network-facts";
import { DNS_LABEL } from "../contracts/names";
import { PlatformNamespace } from "../namespace";

/** KEDA chart the platform pins (the CRDs in schemas/crds/keda.sh are from kedacore/keda v2.20.2). */
export const KEDA_CHART_VERSION = "2.20.2";
export const KEDA_CHART_REPO = "https://kedacore.github.io/charts";
export const KEDA_NAMESPACE = "keda";

/** Pod labels (`app`) the KEDA chart sets on its three Deployments. */
export const KEDA_APPS = {
    operator: "keda-operator",
    metricsApiServer: "keda-operator-metrics-apiserver",
    webhooks: "keda-admission-webhooks",
} as const;

/** Container ports of the chart's defaults that other parties call. */
export const KEDA_PORTS = {
    /** Admission webhook (ValidatingWebhookConfiguration for ScaledObjects, TriggerAuthentications …). */
    webhook: 9443,
    /** external.metrics.k8s.io APIService served by the metrics API server. */
    metricsApi: 6443,
    /** The metrics API server asks the operator for scaler metrics over gRPC. */
    operatorGrpc: 9666,
} as const;

/**
 * An egress exception for KEDA's scalers: EgressException with optional ports (default: the install's
 * `egressPorts`). Spelled out rather than derived with Omit/intersection, which a Pulumi schema cannot express.
 */
export interface KedaPublicDestinations {
    /** Name of the exception (a DNS label), recorded on its NetworkPolicy. */
    name: string;
    /** Public addresses (private ranges inside them are excluded). */
    cidrs: string[];
    /** Why KEDA's operator must reach them. */
    reason: string;
    /** The hosts the addresses stand for (documentation only: NetworkPolicy cannot name hosts). */
    fqdns?: string[];
    /** TCP ports; default the install's egressPorts. */
    ports?: number[];
}

export interface KedaInstallArgs {
    /** Chart version; must be 2.20.x. Default KEDA_CHART_VERSION. */
    chartVersion?: string;
    /** Namespace name. Default "keda". */
    namespace?: string;
    /**
     * TCP ports the operator's scalers open: the live carbon signal (443 for an https URL) and the sources
     * of the workloads' own triggers. In-cluster sources (a Carbon Aware SDK Service) are reached on them
     * directly; public ones only through `publicDestinations`. Default [443].
     */
    egressPorts?: number[];
    /**
     * The named egress exception (`keda-scalers`, platform:network.egressExceptions) that lets the
     * operator reach public sources on `egressPorts` (or the exception's own ports). Unset: none.
     */
    publicDestinations?: KedaPublicDestinations;
    /** The cluster's network facts (KubernetesCluster.networkFacts): DNS, API server, policy engine. */
    network?: ClusterNetworkFacts;
}

export class KedaError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "KedaError";
    }
}

/** What is wrong with the arguments, one line each; `at` names the component and its args. */
export function kedaInstallProblems(args: KedaInstallArgs, at: string): string[] {
    const problems: string[] = [];
    const version = args.chartVersion ?? KEDA_CHART_VERSION;
    if (!/^2\.20\.\d+$/.test(version)) problems.push(`${at}.chartVersion: "${version}" is not allowed; allowed: KEDA 2.20.x, the version the platform pins (e.g. ${KEDA_CHART_VERSION})`);
    (args.egressPorts ?? []).forEach((p, i) => {
        if (!(Number.isInteger(p) && p >= 1 && p <= 65535)) problems.push(`${at}.egressPorts[${i}]: ${p} is not a TCP port; allowed: whole numbers 1-65535`);
    });
    if (args.namespace !== undefined && !DNS_LABEL.test(args.namespace)) problems.push(`${at}.namespace: ${JSON.stringify(args.namespace)} is not a namespace name; allowed: a DNS-1123 label`);
    if (args.network) problems.push(...networkFactsProblems(args.network, `${at}.network`));
    return problems;
}

/** Restricted Pod Security for every KEDA container (the namespace enforces `restricted`). */
const RESTRICTED_CONTAINER = {
    allowPrivilegeEscalation: false,
    capabilities: { drop: ["ALL"] },
    readOnlyRootFilesystem: true,
    runAsNonRoot: true,
    seccompProfile: { type: "RuntimeDefault" },
};
const RESTRICTED_POD = { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } };

type PolicySpec = k8s.types.input.networking.v1.NetworkPolicySpec;
const app = (name: string) => ({ matchLabels: { app: name } });

/**
 * The NetworkPolicy allowances of the keda namespace (on top of PlatformNamespace's default deny, DNS and
 * API-server egress; public scaler sources come through the `keda-scalers` egress exception).
 */
export function kedaNetworkPolicies(egressPorts: number[]): { name: string; spec: PolicySpec }[] {
    const ports = [...new Set(egressPorts)].sort((a, b) => a - b);
    return [
        // The API server calls the admission webhook (validates ScaledObjects before they are stored).
        {
            name: "allow-webhook-ingress",
            spec: {
                podSelector: app(KEDA_APPS.webhooks),
                policyTypes: ["Ingress"],
                ingress: [{ ports: [{ protocol: "TCP", port: KEDA_PORTS.webhook }] }],
            },
        },
        // The API server (HPA controller through external.metrics.k8s.io) calls the metrics API server.
        {
            name: "allow-metrics-api-ingress",
            spec: {
                podSelector: app(KEDA_APPS.metricsApiServer),
                policyTypes: ["Ingress"],
                ingress: [{ ports: [{ protocol: "TCP", port: KEDA_PORTS.metricsApi }] }],
            },
        },
        // The metrics API server fetches scaler metrics from the operator over gRPC, inside this namespace only.
        {
            name: "allow-metrics-to-operator",
            spec: {
                podSelector: app(KEDA_APPS.operator),
                policyTypes: ["Ingress"],
                ingress: [{ from: [{ podSelector: app(KEDA_APPS.metricsApiServer) }], ports: [{ protocol: "TCP", port: KEDA_PORTS.operatorGrpc }] }],
            },
        },
        {
            name: "allow-metrics-egress-to-operator",
            spec: {
                podSelector: app(KEDA_APPS.metricsApiServer),
                policyTypes: ["Egress"],
                egress: [{ to: [{ podSelector: app(KEDA_APPS.operator) }], ports: [{ protocol: "TCP", port: KEDA_PORTS.operatorGrpc }] }],
            },
        },
        // The operator polls the scalers' sources on their ports: in the cluster (pods of any namespace,
        // e.g. a Carbon Aware SDK Service) here; public ones only through the keda-scalers exception.
        {
            name: "allow-scaler-egress",
            spec: {
                podSelector: app(KEDA_APPS.operator),
                policyTypes: ["Egress"],
                egress: [{ to: [{ namespaceSelector: {} }], ports: ports.map((port) => ({ protocol: "TCP", port })) }],
            },
        },
    ];
}

/** What a KedaInstall keeps for its TypeScript-only getters (resource objects). */
interface KedaParts {
    release: k8s.helm.v3.Release;
    namespace: PlatformNamespace;
}

/**
 * Storage of each install's parts, keyed by the install: private per-instance state, as TypeScript
 * compiles `#private` fields. Not a class field: the schema analyzer lists every field as an output.
 */
const kedaParts = new WeakMap<KedaInstall, KedaParts>();

/**
 * KEDA (chart pinned to 2.20.x) in its own out-of-mesh PlatformNamespace. Type
 * `platform:index:KedaInstall` (aliased from the former `platform:index:Keda`, so existing stacks keep
 * their KEDA resources).
 */
export class KedaInstall extends pulumi.ComponentResource {
    /** The namespace KEDA runs in. */
    public readonly namespace: pulumi.Output<string>;
    /** The KEDA chart version installed. */
    public readonly chartVersion: pulumi.Output<string>;

    /** TypeScript only: the KEDA Helm release. */
    get release(): k8s.helm.v3.Release {
        return kedaParts.get(this)!.release;
    }
    /** TypeScript only: KEDA's PlatformNamespace component. */
    get platformNamespace(): PlatformNamespace {
        return kedaParts.get(this)!.namespace;
    }
    /** TypeScript only: what ScaledObjects and TriggerAuthentications wait for (namespace, release: CRDs, webhook, operator). */
    get ready(): pulumi.Resource[] {
        const parts = kedaParts.get(this)!;
        return [parts.namespace, parts.release];
    }

    constructor(name: string, args: KedaInstallArgs = {}, opts?: pulumi.ComponentResourceOptions) {
        const problems = kedaInstallProblems(args, `KedaInstall ${name}: args`);
        if (problems.length) throw new KedaError(problems.join("\n"));
        const version = args.chartVersion ?? KEDA_CHART_VERSION;
        const egressPorts = args.egressPorts ?? [443];
        super("platform:index:KedaInstall", name, {}, pulumi.mergeOptions(opts, { aliases: [{ type: "platform:index:Keda" }] }));

        const namespace = new PlatformNamespace(
            `${name}-ns`,
            {
                name: args.namespace ?? KEDA_NAMESPACE,
                // Outside the mesh: its callers are the API server (webhook, external metrics), which ztunnel
                // refuses under STRICT mTLS (istio/istio#52874). A system namespace for the zero-trust pack.
                ambient: false,
                outsideMeshReason: "KEDA's callers are the API server (webhook, external metrics), which ztunnel refuses under STRICT mTLS (istio/istio#52874)",
                network: args.network,
                // Every KEDA component watches and updates its objects through the API server.
                apiServerEgress: true,
                extraPolicies: kedaNetworkPolicies(egressPorts),
                egressExceptions: args.publicDestinations
                    ? [{ exception: { ...args.publicDestinations, ports: args.publicDestinations.ports ?? [...new Set(egressPorts)].sort((a, b) => a - b) }, podSelector: app(KEDA_APPS.operator) }]
                    : [],
            },
            { parent: this },
        );
        const release = new k8s.helm.v3.Release(
            `${name}-release`,
            {
                name: "keda",
                chart: "keda",
                version,
                repositoryOpts: { repo: KEDA_CHART_REPO },
                namespace: namespace.namespaceName,
                createNamespace: false,
                // Wait for the operator, webhook and metrics server so the ScaledObjects are accepted.
                skipAwait: false,
                atomic: true,
                values: {
                    // Two operator replicas with leader election: scaling keeps working through a node loss.
                    operator: { replicaCount: 2 },
                    podDisruptionBudget: { operator: { minAvailable: 1 } },
                    // Spread the two operator replicas over zones, best effort (small clusters may have one zone).
                    topologySpreadConstraints: {
                        operator: [
                            {
                                maxSkew: 1,
                                topologyKey: "topology.kubernetes.io/zone",
                                whenUnsatisfiable: "ScheduleAnyway",
                                labelSelector: { matchLabels: { app: KEDA_APPS.operator } },
                            },
                        ],
                    },
                    // Restricted Pod Security, stated rather than relied on from the chart's defaults.
                    podSecurityContext: { operator: RESTRICTED_POD, metricServer: RESTRICTED_POD, webhooks: RESTRICTED_POD },
                    securityContext: { operator: RESTRICTED_CONTAINER, metricServer: RESTRICTED_CONTAINER, webhooks: RESTRICTED_CONTAINER },
                },
            },
            { parent: this, dependsOn: [namespace] },
        );
        kedaParts.set(this, { release, namespace });
        this.namespace = namespace.namespaceName;
        this.chartVersion = pulumi.output(version);
        this.registerOutputs({ namespace: this.namespace, chartVersion: this.chartVersion });
    }
}
