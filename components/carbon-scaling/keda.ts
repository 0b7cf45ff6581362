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
import type { ClusterNetworkFacts } from "../cluster/network-facts";
import { PlatformNamespace, type EgressException } from "../namespace";

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
    publicDestinations?: Omit<EgressException, "ports"> & { ports?: number[] };
    /** The cluster's network facts (KubernetesCluster.networkFacts): DNS, API server, policy engine. */
    network?: ClusterNetworkFacts;
}

export class KedaError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "KedaError";
    }
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

/** KEDA (chart pinned to 2.20.x) in its own out-of-mesh PlatformNamespace. Type `platform:index:Keda`. */
export class KedaInstall extends pulumi.ComponentResource {
    public readonly release: k8s.helm.v3.Release;
    public readonly namespace: PlatformNamespace;
    /** What ScaledObjects and TriggerAuthentications wait for (CRDs, webhook, operator). */
    public readonly ready: pulumi.Resource[];

    constructor(name: string, args: KedaInstallArgs = {}, opts?: pulumi.ComponentResourceOptions) {
        const version = args.chartVersion ?? KEDA_CHART_VERSION;
        if (!/^2\.20\.\d+$/.test(version)) {
            throw new KedaError(`kedaChartVersion: "${version}" is not allowed; the platform pins KEDA 2.20.x (e.g. ${KEDA_CHART_VERSION})`);
        }
        const egressPorts = args.egressPorts ?? [443];
        const badPort = egressPorts.find((p) => !(Number.isInteger(p) && p >= 1 && p <= 65535));
        if (badPort !== undefined) throw new KedaError(`egressPorts: ${badPort} is not a TCP port; allowed: whole numbers 1-65535`);
        super("platform:index:Keda", name, {}, opts);

        this.namespace = new PlatformNamespace(
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
        this.release = new k8s.helm.v3.Release(
            `${name}-release`,
            {
                name: "keda",
                chart: "keda",
                version,
                repositoryOpts: { repo: KEDA_CHART_REPO },
                namespace: this.namespace.namespaceName,
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
            { parent: this, dependsOn: [this.namespace] },
        );
        this.ready = [this.namespace, this.release];
        this.registerOutputs({ namespace: this.namespace.namespaceName, chartVersion: version });
    }
}
