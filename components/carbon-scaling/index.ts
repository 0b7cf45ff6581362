/**
 * Carbon-aware scaling (time shifting) for batch and deferrable workloads on a cluster.
 *
 * Installs KEDA (pinned 2.20.x Helm chart) and a ScaledObject that scales the workload by its own
 * work signal (a KEDA trigger such as Kafka lag, a queue or Prometheus) but caps the replicas while
 * the grid is dirty. The grid signal is a live intensity source polled through KEDA's `metrics-api`
 * scaler: the Carbon Aware SDK web API (`/emissions/bylocation`) or Electricity Maps
 * (`/v3/carbon-intensity/latest`). KEDA combines the two triggers with `advanced.scalingModifiers`:
 *
 *     carbon > dirtyThreshold ? min(work, dirtyMaxReplicas × target) : work
 *
 * Fallback: when the live source fails `failureThreshold` times in a row, KEDA holds the workload at
 * `fallback.replicas`, computed here from the region's static yearly average (Electricity Maps via
 * @tgwf/co2): the dirty cap if the yearly figure is above the threshold, otherwise maxReplicas.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";

import { KEDA_CHART_VERSION, KedaInstall, kedaInstallProblems, type KedaPublicDestinations } from "./keda";
import type { ClusterNetworkFacts } from "../cluster/network-facts";
import { DNS_LABEL } from "../contracts/names";
import { dependsOnList } from "../namespace";

export { KEDA_CHART_REPO, KEDA_CHART_VERSION, KEDA_NAMESPACE, KEDA_PORTS, KedaInstall, type KedaInstallArgs, type KedaPublicDestinations } from "./keda";

export const CARBON_SIGNAL_PROVIDERS = ["carbon-aware-sdk", "electricity-maps"] as const;
export type CarbonSignalProvider = (typeof CARBON_SIGNAL_PROVIDERS)[number];

export interface CarbonSignalArgs {
    /** Live source of grid intensity: "carbon-aware-sdk" or "electricity-maps" (CARBON_SIGNAL_PROVIDERS). */
    provider: string;
    /**
     * Base URL of the source, e.g. the in-cluster Carbon Aware SDK web API
     * (http://carbon-aware-sdk.carbon.svc:8080) or https://api.electricitymaps.com.
     */
    url: pulumi.Input<string>;
    /** Carbon Aware SDK location name (e.g. "westeurope") or Electricity Maps zone (e.g. "DE"). */
    location: pulumi.Input<string>;
    /** API token: Electricity Maps `auth-token` header, or a bearer token for the SDK. Stored in a Secret. */
    token?: pulumi.Input<string>;
}

/** Kinds a KEDA trigger's authenticationRef may name (keda.sh/v1alpha1). */
export const TRIGGER_AUTHENTICATION_KINDS = ["TriggerAuthentication", "ClusterTriggerAuthentication"] as const;

/** The (Cluster)TriggerAuthentication a KEDA trigger authenticates with. */
export interface TriggerAuthenticationRef {
    name: pulumi.Input<string>;
    /** "TriggerAuthentication" (default) or "ClusterTriggerAuthentication". */
    kind?: string;
}

/** A KEDA trigger describing the workload's own demand (Kafka lag, queue length, Prometheus …). */
export interface WorkTrigger {
    type: string;
    metadata: Record<string, pulumi.Input<string>>;
    authenticationRef?: TriggerAuthenticationRef;
    /**
     * TCP ports of the trigger's source that KEDA's operator must reach (egress from the out-of-mesh keda
     * namespace, e.g. 9092 for Kafka). Sources inside the ambient mesh under STRICT mTLS stay unreachable.
     */
    ports?: number[];
}

/** Kinds of workload a ScaledObject may scale here. */
export const SCALED_WORKLOAD_KINDS = ["Deployment", "StatefulSet"] as const;

/** The Deployment or StatefulSet to scale. */
export interface ScaledWorkload {
    /** "Deployment" (default) or "StatefulSet". */
    kind?: string;
    name: pulumi.Input<string>;
    namespace: pulumi.Input<string>;
}

/**
 * Arguments of CarbonAwareScaling. The Kubernetes provider comes through `opts.provider`; with
 * installKeda false, what the KEDA objects wait for (a KedaInstall) through `opts.dependsOn`, which the
 * component passes on to its TriggerAuthentication and ScaledObject.
 */
export interface CarbonAwareScalingArgs {
    /**
     * Install KEDA with this component (false when the cluster already runs KEDA 2.20, e.g. one KedaInstall
     * per cluster shared by several workloads; pass that install in opts.dependsOn). Default true.
     */
    installKeda?: boolean;
    /** Namespace of KEDA. Default "keda". */
    kedaNamespace?: string;
    /** KEDA chart version; must be 2.20.x. Default KEDA_CHART_VERSION. */
    kedaChartVersion?: string;
    /** With installKeda: the named egress exception for public scaler sources, and the cluster's network facts (KedaInstallArgs). */
    kedaPublicDestinations?: KedaPublicDestinations;
    kedaNetwork?: ClusterNetworkFacts;
    /** The Deployment or StatefulSet to scale. */
    workload: ScaledWorkload;
    /**
     * metadata.name of the ScaledObject; default: generated from the resource name. KEDA copies the name into a
     * label value of the HPA it creates, so it must fit 63 characters (the workload's own name always does).
     */
    scaledObjectName?: string;
    /** Replica bounds. minReplicas 0 lets a deferrable workload wait entirely. Defaults 0 and 10. */
    minReplicas?: number;
    maxReplicas?: number;
    /** The workload's own demand signal. */
    workTrigger: WorkTrigger;
    /** Work per replica for the combined metric (same unit as the work trigger). Default 10. */
    targetPerReplica?: number;
    /** Live grid-intensity source. */
    signal: CarbonSignalArgs;
    /** Grid intensity (gCO2e/kWh) above which the grid counts as dirty. */
    dirtyThreshold: number;
    /** Replica cap while the grid is dirty. Default 1. */
    dirtyMaxReplicas?: number;
    /** The region's static yearly average intensity (gCO2e/kWh), used for the fallback. */
    staticIntensity: number;
    /** Data year of staticIntensity, for the annotation. */
    staticYear?: number;
    /** Where staticIntensity comes from, for the annotation. Default "Electricity Maps via @tgwf/co2 (ODbL)". */
    staticSource?: string;
    /** Seconds between polls of the sources. Default 300 (grid data changes hourly at most every 5 minutes). */
    pollingInterval?: number;
    /** Consecutive failures of a source before the fallback applies. Default 3. */
    failureThreshold?: number;
}

export class CarbonScalingError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "CarbonScalingError";
    }
}

const nonNegInt = (n: number) => Number.isInteger(n) && n >= 0;

/**
 * Checks the arguments; throws before any resource is registered. Each line names the component, the
 * argument, the value and what is allowed (`CarbonAwareScaling <name>: args.<path>: …`).
 */
export function checkCarbonScalingArgs(args: CarbonAwareScalingArgs, name = "carbon-scaling"): void {
    const at = `CarbonAwareScaling ${name}: args`;
    const problems: string[] = [];
    const version = args.kedaChartVersion ?? KEDA_CHART_VERSION;
    if (!/^2\.20\.\d+$/.test(version)) problems.push(`${at}.kedaChartVersion: "${version}" is not allowed; allowed: KEDA 2.20.x, the version the platform pins (e.g. ${KEDA_CHART_VERSION})`);
    if (args.installKeda ?? true) {
        problems.push(
            ...kedaInstallProblems({ namespace: args.kedaNamespace, network: args.kedaNetwork, egressPorts: args.workTrigger?.ports }, at).map((p) =>
                p.replace(`${at}.namespace`, `${at}.kedaNamespace`).replace(`${at}.network`, `${at}.kedaNetwork`).replace(`${at}.egressPorts`, `${at}.workTrigger.ports`),
            ),
        );
    }
    const min = args.minReplicas ?? 0;
    const max = args.maxReplicas ?? 10;
    const cap = args.dirtyMaxReplicas ?? 1;
    if (!nonNegInt(min)) problems.push(`${at}.minReplicas: ${min} is not allowed; allowed: a whole number >= 0`);
    if (!(Number.isInteger(max) && max >= 1)) problems.push(`${at}.maxReplicas: ${max} is not allowed; allowed: a whole number >= 1`);
    if (min > max) problems.push(`${at}.minReplicas: ${min} is greater than maxReplicas (${max}); allowed: at most maxReplicas`);
    if (!nonNegInt(cap) || cap > max) problems.push(`${at}.dirtyMaxReplicas: ${cap} is not allowed; allowed: a whole number between 0 and maxReplicas (${max})`);
    if (!(Number.isFinite(args.dirtyThreshold) && args.dirtyThreshold > 0))
        problems.push(`${at}.dirtyThreshold: ${args.dirtyThreshold} is not allowed; allowed: a positive number of gCO2e/kWh`);
    if (!(Number.isFinite(args.staticIntensity) && args.staticIntensity > 0))
        problems.push(`${at}.staticIntensity: ${args.staticIntensity} is not allowed; allowed: the region's yearly average in gCO2e/kWh (a positive number)`);
    const target = args.targetPerReplica ?? 10;
    if (!(Number.isFinite(target) && target > 0)) problems.push(`${at}.targetPerReplica: ${target} is not allowed; allowed: a positive number`);
    if (!(CARBON_SIGNAL_PROVIDERS as readonly string[]).includes(args.signal?.provider))
        problems.push(`${at}.signal.provider: "${args.signal?.provider}" is not a signal source; allowed: ${CARBON_SIGNAL_PROVIDERS.map((p) => `"${p}"`).join(", ")}`);
    if (typeof args.signal?.url === "string" && !/^https?:\/\/[^/\s]+/.test(args.signal.url))
        problems.push(`${at}.signal.url: "${args.signal.url}" is not an http(s) URL; allowed: e.g. https://api.electricitymaps.com`);
    if (args.signal?.provider === "electricity-maps" && args.signal.token === undefined)
        problems.push(`${at}.signal.token: unset; the Electricity Maps API needs an auth-token; allowed: the token (pass it as a secret)`);
    if (args.scaledObjectName !== undefined && !DNS_LABEL.test(args.scaledObjectName))
        problems.push(`${at}.scaledObjectName: "${args.scaledObjectName}" is not allowed; allowed: a DNS-1123 label of at most 63 characters (KEDA puts it in a label value)`);
    if (!args.workTrigger?.type) problems.push(`${at}.workTrigger.type: unset; allowed: the KEDA trigger type of the workload's own demand (e.g. "kafka")`);
    const authKind = args.workTrigger?.authenticationRef?.kind;
    if (authKind !== undefined && !(TRIGGER_AUTHENTICATION_KINDS as readonly string[]).includes(authKind))
        problems.push(`${at}.workTrigger.authenticationRef.kind: "${authKind}" is not allowed; allowed: ${TRIGGER_AUTHENTICATION_KINDS.map((k) => `"${k}"`).join(", ")}`);
    const kind = args.workload?.kind;
    if (kind !== undefined && !(SCALED_WORKLOAD_KINDS as readonly string[]).includes(kind))
        problems.push(`${at}.workload.kind: "${kind}" is not allowed; allowed: ${SCALED_WORKLOAD_KINDS.map((k) => `"${k}"`).join(", ")}`);
    if (problems.length) throw new CarbonScalingError(`Invalid CarbonAwareScaling arguments:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
}

/** The replicas KEDA falls back to when the live source fails: decided by the static yearly figure. */
export function fallbackReplicas(staticIntensity: number, dirtyThreshold: number, dirtyMaxReplicas: number, maxReplicas: number): number {
    return staticIntensity > dirtyThreshold ? dirtyMaxReplicas : maxReplicas;
}

/**
 * TCP port KEDA's operator needs to reach the signal: the URL's explicit port, else 443 for https and 80
 * for http. An Input URL that is not a plain string (unknown until deploy) is assumed https.
 */
export function signalPort(url: pulumi.Input<string>): number {
    if (typeof url !== "string") return 443;
    const m = /^(https?):\/\/(?:[^/@\s]*@)?(\[[^\]]+\]|[^/:\s?#]+)(?::(\d+))?/.exec(url);
    if (m?.[3]) return Number(m[3]);
    return m?.[1] === "http" ? 80 : 443;
}

/** URL and JSON path of the live intensity for each source. */
function signalQuery(s: CarbonSignalArgs): { url: pulumi.Output<string>; valueLocation: string } {
    const base = pulumi.output(s.url).apply((u) => u.replace(/\/+$/, ""));
    if (s.provider === "electricity-maps") {
        return {
            url: pulumi.interpolate`${base}/v3/carbon-intensity/latest?zone=${pulumi.output(s.location).apply(encodeURIComponent)}`,
            valueLocation: "carbonIntensity",
        };
    }
    // Carbon Aware SDK web API: an array of { location, time, rating, duration }, rating in gCO2e/kWh.
    return {
        url: pulumi.interpolate`${base}/emissions/bylocation?location=${pulumi.output(s.location).apply(encodeURIComponent)}`,
        valueLocation: "0.rating",
    };
}

/**
 * The KEDA release each scaling installed (installKeda), keyed by the component: private per-instance
 * state, as TypeScript compiles `#private` fields. Not a class field: the schema analyzer lists every
 * field as an output.
 */
const installedKeda = new WeakMap<CarbonAwareScaling, k8s.helm.v3.Release>();

export class CarbonAwareScaling extends pulumi.ComponentResource {
    /** metadata.name of the ScaledObject. */
    public readonly scaledObjectName: pulumi.Output<string>;
    /** Replicas KEDA holds when the live source fails. */
    public readonly fallbackReplicas: pulumi.Output<number>;

    /** TypeScript only: the Helm release of KEDA, when installed by this component. */
    get keda(): k8s.helm.v3.Release | undefined {
        return installedKeda.get(this);
    }

    constructor(name: string, args: CarbonAwareScalingArgs, opts?: pulumi.ComponentResourceOptions) {
        checkCarbonScalingArgs(args, name);
        super("platform:index:CarbonAwareScaling", name, {}, opts);

        const min = args.minReplicas ?? 0;
        const max = args.maxReplicas ?? 10;
        const cap = args.dirtyMaxReplicas ?? 1;
        const target = args.targetPerReplica ?? 10;
        const fallback = fallbackReplicas(args.staticIntensity, args.dirtyThreshold, cap, max);

        // What the KEDA objects wait for: opts.dependsOn (a shared KedaInstall) and, with installKeda, our own install.
        const kedaReady: pulumi.Input<pulumi.Resource>[] = dependsOnList(opts?.dependsOn);
        if (args.installKeda ?? true) {
            // KEDA in its own out-of-mesh namespace (see keda.ts); egress only to the signal's and the work source's ports.
            const keda = new KedaInstall(
                `${name}-keda`,
                {
                    chartVersion: args.kedaChartVersion,
                    namespace: args.kedaNamespace,
                    egressPorts: [signalPort(args.signal.url), ...(args.workTrigger.ports ?? [])],
                    publicDestinations: args.kedaPublicDestinations,
                    network: args.kedaNetwork,
                },
                { parent: this },
            );
            installedKeda.set(this, keda.release);
            kedaReady.push(...keda.ready);
        }

        const namespace = args.workload.namespace;
        const signal = signalQuery(args.signal);
        let authenticationRef: { name: pulumi.Output<string> } | undefined;
        if (args.signal.token !== undefined) {
            const secret = new k8s.core.v1.Secret(
                `${name}-carbon-signal`,
                {
                    // Fixed names: the TriggerAuthentication must reference them before they exist.
                    metadata: { name: `${name}-carbon-signal`, namespace },
                    type: "Opaque",
                    stringData: { token: pulumi.secret(args.signal.token) },
                },
                { parent: this },
            );
            const auth = new k8s.apiextensions.CustomResource(
                `${name}-carbon-signal`,
                {
                    apiVersion: "keda.sh/v1alpha1",
                    kind: "TriggerAuthentication",
                    metadata: { name: `${name}-carbon-signal`, namespace },
                    spec: {
                        secretTargetRef: [
                            {
                                parameter: args.signal.provider === "electricity-maps" ? "apiKey" : "token",
                                name: secret.metadata.name,
                                key: "token",
                            },
                        ],
                    },
                },
                { parent: this, dependsOn: kedaReady },
            );
            authenticationRef = { name: auth.metadata.name };
        }

        const carbonTrigger = {
            type: "metrics-api",
            name: "carbon",
            metricType: "AverageValue",
            metadata: {
                url: signal.url,
                valueLocation: signal.valueLocation,
                // Only used if the trigger were evaluated alone; the formula below decides the replicas.
                targetValue: String(args.dirtyThreshold),
                ...(args.signal.token === undefined
                    ? {}
                    : args.signal.provider === "electricity-maps"
                      ? { authMode: "apiKey", method: "header", keyParamName: "auth-token" }
                      : { authMode: "bearer" }),
            },
            ...(authenticationRef ? { authenticationRef } : {}),
        };
        const workTrigger = {
            type: args.workTrigger.type,
            name: "work",
            metadata: args.workTrigger.metadata,
            ...(args.workTrigger.authenticationRef ? { authenticationRef: args.workTrigger.authenticationRef } : {}),
        };

        const scaledObject = new k8s.apiextensions.CustomResource(
            name,
            {
                apiVersion: "keda.sh/v1alpha1",
                kind: "ScaledObject",
                metadata: {
                    ...(args.scaledObjectName ? { name: args.scaledObjectName } : {}),
                    namespace,
                    annotations: {
                        "platform.io/carbon-static-intensity": `${args.staticIntensity} gCO2e/kWh${args.staticYear ? ` (${args.staticYear})` : ""}, ${args.staticSource ?? "Electricity Maps via @tgwf/co2 (ODbL)"}`,
                    },
                },
                spec: {
                    scaleTargetRef: { apiVersion: "apps/v1", kind: args.workload.kind ?? "Deployment", name: args.workload.name },
                    minReplicaCount: min,
                    maxReplicaCount: max,
                    pollingInterval: args.pollingInterval ?? 300,
                    cooldownPeriod: 300,
                    fallback: { failureThreshold: args.failureThreshold ?? 3, replicas: fallback, behavior: "static" },
                    advanced: {
                        scalingModifiers: {
                            // Cap the demand at dirtyMaxReplicas × target while the grid is above the threshold.
                            formula: `carbon > ${args.dirtyThreshold} ? (work > ${cap * target} ? ${cap * target} : work) : work`,
                            target: String(target),
                            metricType: "AverageValue",
                        },
                    },
                    triggers: [workTrigger, carbonTrigger],
                },
            },
            { parent: this, dependsOn: kedaReady },
        );
        this.scaledObjectName = scaledObject.metadata.name;
        this.fallbackReplicas = pulumi.output(fallback);
        this.registerOutputs({ scaledObjectName: this.scaledObjectName, fallbackReplicas: this.fallbackReplicas });
    }
}
