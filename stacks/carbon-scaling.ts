/**
 * Carbon-aware scaling wiring (`platform:carbon.scaling`): when enabled, KEDA once per cluster (every
 * cluster target, managed or existing) and one CarbonAwareScaling (ScaledObject) per declared workload on
 * each cluster it runs on. The static fallback intensity comes from the placement (the region's yearly
 * figure and its year) or, on the kubernetes target, from the signal location's zone or the configured
 * figure (stacks/config/carbon.ts, scalingTargetSettings).
 *
 * Mesh: KEDA's namespace is outside the mesh (components/carbon-scaling/keda.ts) and this wiring creates
 * no Istio resource, so nothing here waits for the mesh.
 */
import * as pulumi from "@pulumi/pulumi";
import { CarbonAwareScaling, KEDA_CHART_VERSION, KedaInstall, signalPort } from "../components/carbon-scaling";
import type { ClusterTarget } from "../components/cluster";
import type { PlatformConfig } from "./config";
import { scalingTargetSettings, workloadTargets, type ScalingTarget } from "./config/carbon";
import { egressException } from "./config/egress";
import type { Foundation } from "./platform";

export interface CarbonScalingTargetOutputs {
    kedaChartVersion: string;
    kedaNamespace: pulumi.Output<string>;
    /** The signal location and the static figure the fallback was computed from. */
    location: string;
    staticIntensity: number;
    staticSource: string;
    /** Per workload ("namespace/name"): ScaledObject name and the replicas held when the signal fails. */
    workloads: Record<string, { scaledObject: pulumi.Output<string>; fallbackReplicas: pulumi.Output<number> }>;
}

export function addCarbonScaling(foundation: Foundation, config: PlatformConfig): Partial<Record<ClusterTarget, CarbonScalingTargetOutputs>> {
    const scaling = config.carbon.scaling;
    const out: Partial<Record<ClusterTarget, CarbonScalingTargetOutputs>> = {};
    if (!scaling.enabled) return out;
    const signal = scaling.signal;
    // pulumi.secret: the token only ever reaches the engine as a secret (the Secret's stringData).
    const token = config.carbonSignalToken ? pulumi.secret(config.carbonSignalToken) : undefined;

    for (const [target, cluster] of Object.entries(foundation.clusters) as [ClusterTarget, NonNullable<Foundation["clusters"][ClusterTarget]>][]) {
        const workloads = scaling.workloads.filter((w) => workloadTargets(config, w).includes(target as ScalingTarget));
        // Egress of KEDA's operator: the signal's port and every work source's ports on this cluster.
        const egressPorts = [signalPort(signal.url), ...workloads.flatMap((w) => w.work.ports)];
        // Public sources only through the named keda-scalers exception (parsePlatformConfig requires it).
        const publicDestinations = egressException(config.network.egressExceptions, "keda-scalers");
        const keda = new KedaInstall(
            `${foundation.prefix}-${target}-keda`,
            { egressPorts, publicDestinations, network: cluster.networkFacts },
            { provider: cluster.provider, dependsOn: [cluster] },
        );
        const entry: CarbonScalingTargetOutputs = {
            kedaChartVersion: KEDA_CHART_VERSION,
            kedaNamespace: keda.namespace,
            location: "",
            staticIntensity: 0,
            staticSource: "",
            workloads: {},
        };
        out[target] = entry;
        if (!workloads.length) continue;
        const settings = scalingTargetSettings(config, target as ScalingTarget);
        // parsePlatformConfig already reported these; a direct caller with an unchecked config gets them here.
        if ("problems" in settings) throw new Error(`Invalid stack configuration:\n${settings.problems.map((p) => `  - ${p}`).join("\n")}`);
        Object.assign(entry, { location: settings.location, staticIntensity: settings.staticIntensity, staticSource: settings.staticSource });

        for (const w of workloads) {
            const scaler = new CarbonAwareScaling(
                `${foundation.prefix}-${target}-carbon-${w.namespace}-${w.name}`,
                {
                    // The cluster's shared KEDA install: passed in opts.dependsOn below.
                    installKeda: false,
                    workload: { kind: w.kind, name: w.name, namespace: w.namespace },
                    // Named after the workload: unique per namespace (config rejects duplicates), fits KEDA's label limit.
                    scaledObjectName: w.name,
                    minReplicas: w.minReplicas,
                    maxReplicas: w.maxReplicas,
                    dirtyMaxReplicas: w.dirtyMaxReplicas,
                    targetPerReplica: w.targetPerReplica,
                    workTrigger: { type: w.work.type, metadata: w.work.metadata, authenticationRef: w.work.authenticationRef, ports: w.work.ports },
                    signal: { provider: signal.provider, url: signal.url, location: settings.location, token },
                    dirtyThreshold: scaling.dirtyThreshold!,
                    staticIntensity: settings.staticIntensity,
                    staticYear: settings.staticYear,
                    staticSource: settings.staticSource,
                },
                { provider: cluster.provider, dependsOn: [cluster, keda] },
            );
            entry.workloads[`${w.namespace}/${w.name}`] = { scaledObject: scaler.scaledObjectName, fallbackReplicas: scaler.fallbackReplicas };
        }
    }
    return out;
}
