/**
 * `platform:carbon`: settings of carbon-aware placement (components/regions/rank.ts). They steer
 * `platform:regions.<cloud>: auto`; explicit regions are only annotated with their intensity.
 */
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { REGIONS, type Cloud } from "../../components/regions";
import { INTENSITY_YEARS, intensitySource, latestFullYear, zoneIntensity } from "../../components/regions/intensity";
import type { ResolveOptions } from "../../components/regions/resolve";
import type { PlatformService } from "../../components/regions/services";
import { DNS_LABEL } from "../../components/contracts/names";

const KNOWN_REGIONS = new Set(REGIONS.map((r) => r.region));

// ---------------------------------------------------------------------------------------------------
// platform:carbon.scaling: carbon-aware scaling (KEDA) of batch and deferrable workloads on the clusters.
// ---------------------------------------------------------------------------------------------------

/** The secret config key holding the live signal's API token (`pulumi config set --secret`). */
export const CARBON_SIGNAL_TOKEN_KEY = "carbonSignalToken";
export const SCALING_TARGETS = ["aws", "azure", "gcp", "kubernetes"] as const;
export type ScalingTarget = (typeof SCALING_TARGETS)[number];
export const SCALING_SIGNAL_PROVIDERS = ["carbon-aware-sdk", "electricity-maps"] as const;
export const ELECTRICITY_MAPS_API = "https://api.electricitymaps.com";

const dnsLabel = z.string().regex(DNS_LABEL, {
    error: "must be a DNS-1123 label: lowercase letters, digits and '-', at most 63 characters, starting and ending alphanumeric",
});
const perTarget = <T extends z.ZodType>(value: T) =>
    z.strictObject({ aws: value.optional(), azure: value.optional(), gcp: value.optional(), kubernetes: value.optional() }).prefault({});

const scalingWorkload = z.strictObject({
    /** The Deployment or StatefulSet to scale (the platform does not create it). */
    name: dnsLabel,
    namespace: dnsLabel,
    kind: z.enum(["Deployment", "StatefulSet"]).default("Deployment"),
    /** 0 lets a deferrable workload wait entirely while there is no work. */
    minReplicas: z.int().min(0, { error: "must be a whole number >= 0" }).default(0),
    maxReplicas: z.int().min(1, { error: "must be a whole number >= 1" }).default(10),
    /** Replica cap while the grid is dirtier than dirtyThreshold. */
    dirtyMaxReplicas: z.int().min(0, { error: "must be a whole number >= 0" }).default(1),
    /** Work per replica, in the unit of the work trigger (e.g. messages of lag). */
    targetPerReplica: z.number().positive({ error: "must be a positive number" }).default(10),
    /** The workload's own demand: a KEDA trigger (type and metadata as in the KEDA scaler docs). */
    work: z.strictObject({
        type: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, { error: "must be a KEDA scaler type such as kafka, aws-sqs-queue, prometheus" }),
        metadata: z.record(z.string(), z.string({ error: "must be a string (KEDA trigger metadata values are strings)" })).default({}),
        /** A TriggerAuthentication (or ClusterTriggerAuthentication) the team created for the source's credentials. */
        authenticationRef: z
            .strictObject({ name: dnsLabel, kind: z.enum(["TriggerAuthentication", "ClusterTriggerAuthentication"]).default("TriggerAuthentication") })
            .optional(),
        /** TCP ports of the source KEDA must reach (egress from the keda namespace). */
        ports: z.array(z.int().min(1, { error: "must be a TCP port 1-65535" }).max(65535, { error: "must be a TCP port 1-65535" })).default([]),
    }),
    /** Clusters the workload runs on; default: every cluster target of the stack. */
    targets: z.array(z.enum(SCALING_TARGETS)).min(1, { error: "must name at least one target (or leave it unset for all)" }).optional(),
});

export const carbonScalingSchema = z
    .strictObject({
        enabled: z.boolean().default(false),
        signal: z
            .strictObject({
                provider: z.enum(SCALING_SIGNAL_PROVIDERS).default("electricity-maps"),
                /** Base URL of the source: the Electricity Maps API or your Carbon Aware SDK web API. */
                url: z.string().regex(/^https?:\/\/[^/\s?#]+/, { error: "must be an http(s) URL such as https://api.electricitymaps.com" }).default(ELECTRICITY_MAPS_API),
                /** Location per cluster target; unset = derived from the placement (see scalingTargetSettings). */
                locations: perTarget(z.string().min(1, { error: "must be a location name or zone" })),
            })
            .prefault({}),
        /** Grid intensity (gCO2e/kWh) above which the grid counts as dirty. Required when enabled. */
        dirtyThreshold: z.number().positive({ error: "must be a positive number of gCO2e/kWh" }).optional(),
        /** Static yearly intensity per target for the fallback, where the platform cannot derive it. */
        staticIntensity: perTarget(z.number().positive({ error: "must be a positive number of gCO2e/kWh" })),
        workloads: z.array(scalingWorkload).default([]),
    })
    .prefault({});

export type CarbonScalingConfig = z.output<typeof carbonScalingSchema>;
export type CarbonScalingWorkload = CarbonScalingConfig["workloads"][number];


export const carbonConfigSchema = z
    .strictObject({
        /** Electricity Maps data year; unset = the latest full year @tgwf/co2 ships. */
        year: z
            .int()
            .refine((y) => INTENSITY_YEARS.includes(y), {
                error: `must be a year @tgwf/co2 ships data for: ${INTENSITY_YEARS.join(", ")}`,
            })
            .optional(),
        /** Regions above this yearly grid intensity (gCO2e/kWh) are never chosen by auto. */
        maxIntensity: z.number().positive({ error: "must be a positive number of gCO2e/kWh" }).optional(),
        /** Region names auto must not choose (any cloud), e.g. for latency or contract reasons. */
        excludedRegions: z
            .array(
                z.string().refine((r) => KNOWN_REGIONS.has(r), {
                    error: "is not a region of AWS, Azure or GCP in the catalogue (components/regions/catalog.ts)",
                }),
            )
            .default([]),
        /** Only choose regions where every needed service is confirmed by a listed source. */
        requireVerified: z.boolean().default(false),
        /** Carbon-aware scaling of batch and deferrable workloads with KEDA (docs/carbon.md). */
        scaling: carbonScalingSchema,
    })
    .prefault({});

export type CarbonConfig = z.output<typeof carbonConfigSchema>;

/** The parts of the parsed stack config that decide which services a cloud's region must offer. */
export interface NeedsInput {
    kafka?: { enabled: boolean; backend?: Partial<Record<string, string>> };
    services?: ReadonlyArray<{ runtime?: string; targets?: readonly string[] }>;
}

/**
 * Services the stack needs from a cloud's region besides kubernetes (always needed): kafka when
 * streaming is on with the cloud's managed backend (Strimzi runs on the cluster), serverless when a
 * container service targets the cloud (wasm services run on the cluster through SpinKube).
 */
export function stackNeeds(cloud: Cloud, cfg: NeedsInput): PlatformService[] {
    const needs: PlatformService[] = ["kubernetes"];
    if (cfg.kafka?.enabled && cfg.kafka.backend?.[cloud] !== "strimzi") needs.push("kafka");
    const onCloud = (cfg.services ?? []).filter((s) => (s.runtime ?? "container") !== "wasm" && (!s.targets || s.targets.includes(cloud)));
    if (onCloud.length) needs.push("serverless");
    return needs;
}

/** What `resolveRegion` needs for one cloud: the `platform:carbon` settings and the stack's needs. */
export function placementOptions(cfg: NeedsInput & { carbon: CarbonConfig }, cloud: Cloud): ResolveOptions {
    const { scaling: _scaling, ...placement } = cfg.carbon;
    return { ...placement, needs: stackNeeds(cloud, cfg) };
}

/** What the stack wiring needs per cluster target. */
export interface ScalingTargetSettings {
    location: string;
    staticIntensity: number;
    staticYear?: number;
    staticSource: string;
}

/** The parts of the validated stack config the scaling settings depend on. */
export interface ScalingInput {
    clouds: readonly string[];
    carbon: CarbonConfig;
    placement: Partial<Record<Cloud, { region: string; gridZone: string | null; gco2ePerKwh: number | null; year: number }>>;
}

/** The Electricity Maps zone of a location: the location itself if CO2.js knows it, or a catalogued region's zone. */
function zoneOfLocation(location: string, year: number): string | undefined {
    if (zoneIntensity(location, year) !== undefined) return location;
    return REGIONS.find((r) => r.region === location)?.gridZone ?? undefined;
}

/**
 * Location and static fallback intensity of one cluster target.
 * - location: `signal.locations.<target>`, else on a cloud the grid zone of its region (Electricity Maps)
 *   or the region name (Carbon Aware SDK location names); the kubernetes target has no region: required.
 * - static intensity: `staticIntensity.<target>`, else the placement's yearly figure; on the kubernetes
 *   target the yearly figure of the location's zone when CO2.js knows it, else required.
 */
export function scalingTargetSettings(cfg: ScalingInput, target: ScalingTarget): ScalingTargetSettings | { problems: string[] } {
    const scaling = cfg.carbon.scaling;
    const provider = scaling.signal.provider;
    const key = `platform:carbon.scaling`;
    const problems: string[] = [];
    const year = cfg.carbon.year ?? latestFullYear();
    let location = scaling.signal.locations[target];
    let staticIntensity = scaling.staticIntensity[target];
    let staticYear: number | undefined;
    let staticSource = "configured in platform:carbon.scaling.staticIntensity";
    if (target === "kubernetes") {
        if (!location) {
            problems.push(
                `${key}.signal.locations.kubernetes: (unset) is required for the kubernetes target (an existing cluster has no region to derive it from); allowed: ${provider === "electricity-maps" ? "an Electricity Maps zone such as DE or FR" : "a Carbon Aware SDK location name such as westeurope"}`,
            );
        }
        if (staticIntensity === undefined && location) {
            const zone = zoneOfLocation(location, year);
            const figure = zone ? zoneIntensity(zone, year) : undefined;
            if (figure !== undefined) {
                staticIntensity = figure;
                staticYear = year;
                staticSource = `zone ${zone}, ${intensitySource(year)}`;
            }
        }
        if (staticIntensity === undefined) {
            problems.push(
                `${key}.staticIntensity.kubernetes: (unset) is required: no yearly figure is known for location ${JSON.stringify(location ?? null)}; allowed: the cluster grid's yearly average in gCO2e/kWh (a positive number)`,
            );
        }
    } else {
        const placed = cfg.placement[target];
        if (!placed) return { problems: [] }; // the region error is reported by platform:regions
        if (!location) {
            if (provider === "electricity-maps") {
                if (placed.gridZone) location = placed.gridZone;
                else
                    problems.push(
                        `${key}.signal.locations.${target}: (unset) cannot be derived: region ${placed.region} has no Electricity Maps zone in the catalogue; allowed: an Electricity Maps zone name`,
                    );
            } else location = placed.region;
        }
        if (staticIntensity === undefined) {
            if (placed.gco2ePerKwh !== null) {
                staticIntensity = placed.gco2ePerKwh;
                staticYear = placed.year;
                staticSource = `region ${placed.region}${placed.gridZone ? ` (zone ${placed.gridZone})` : ""}, ${intensitySource(placed.year)}`;
            } else {
                problems.push(
                    `${key}.staticIntensity.${target}: (unset) is required: region ${placed.region} has no yearly figure in @tgwf/co2; allowed: the grid's yearly average in gCO2e/kWh (a positive number)`,
                );
            }
        }
    }
    if (problems.length) return { problems };
    return { location: location!, staticIntensity: staticIntensity!, staticYear, staticSource };
}

/** The cluster targets a workload runs on. */
export function workloadTargets(cfg: { clouds: readonly string[] }, w: CarbonScalingWorkload): ScalingTarget[] {
    const all = SCALING_TARGETS.filter((t) => cfg.clouds.includes(t));
    return w.targets ? all.filter((t) => w.targets!.includes(t)) : all;
}

/**
 * Cross-field checks of platform:carbon.scaling and platform:carbonSignalToken. `isSecret` tells whether a
 * fully qualified config key was stored encrypted (the program passes pulumi.runtime.isConfigSecret; the
 * offline pre-check, which has no runtime yet, leaves it out). Token values are never printed.
 */
export function carbonScalingProblems(
    cfg: ScalingInput & { carbonSignalToken: string },
    isSecret?: (fullKey: string) => boolean,
): string[] {
    const scaling = cfg.carbon.scaling;
    const problems: string[] = [];
    const tokenKey = `platform:${CARBON_SIGNAL_TOKEN_KEY}`;
    const token = cfg.carbonSignalToken;
    if (token && isSecret && !isSecret(tokenKey)) {
        problems.push(`${tokenKey}: (value not shown) is stored in plain text; allowed: an encrypted value, set it with \`pulumi config set --secret ${tokenKey} <token>\``);
    }
    if (!scaling.enabled) return problems;
    const key = "platform:carbon.scaling";
    if (scaling.dirtyThreshold === undefined) {
        problems.push(`${key}.dirtyThreshold: (unset) is required when scaling is enabled; allowed: a positive number of gCO2e/kWh above which the grid counts as dirty`);
    }
    const url = scaling.signal.url;
    if (scaling.signal.provider === "electricity-maps" && !token) {
        problems.push(`${tokenKey}: (unset) is required by platform:carbon.scaling.signal.provider "electricity-maps" (its API needs an auth-token); allowed: the token, set with \`pulumi config set --secret ${tokenKey} <token>\``);
    }
    if (token && !url.startsWith("https://")) {
        problems.push(`${key}.signal.url: ${JSON.stringify(url)} would send platform:${CARBON_SIGNAL_TOKEN_KEY} unencrypted; allowed: an https:// URL`);
    }
    const clusterTargets = SCALING_TARGETS.filter((t) => cfg.clouds.includes(t));
    for (const t of Object.keys(scaling.signal.locations) as ScalingTarget[]) {
        if (scaling.signal.locations[t] !== undefined && !clusterTargets.includes(t))
            problems.push(`${key}.signal.locations.${t}: ${JSON.stringify(scaling.signal.locations[t])} is set for a target the stack does not build; allowed: ${clusterTargets.join(", ")}`);
    }
    const seen = new Set<string>();
    scaling.workloads.forEach((w, i) => {
        const at = `${key}.workloads[${i}]`;
        const id = `${w.namespace}/${w.name}`;
        if (seen.has(id)) problems.push(`${at}.name: ${JSON.stringify(w.name)} is declared twice in namespace ${w.namespace}; allowed: one entry per workload`);
        seen.add(id);
        if (w.minReplicas > w.maxReplicas) problems.push(`${at}.minReplicas: ${w.minReplicas} is greater than maxReplicas (${w.maxReplicas}); allowed: 0..${w.maxReplicas}`);
        if (w.dirtyMaxReplicas > w.maxReplicas) problems.push(`${at}.dirtyMaxReplicas: ${w.dirtyMaxReplicas} is greater than maxReplicas (${w.maxReplicas}); allowed: 0..${w.maxReplicas}`);
        for (const t of w.targets ?? []) {
            if (!clusterTargets.includes(t)) problems.push(`${at}.targets: ${JSON.stringify(t)} is not a target of this stack; allowed: ${clusterTargets.join(", ") || "(none)"}`);
        }
    });
    const used = new Set(scaling.workloads.flatMap((w) => workloadTargets(cfg, w)));
    for (const t of clusterTargets) {
        // Every cluster gets KEDA when scaling is on; settings are needed only where a workload runs.
        if (!used.has(t)) continue;
        const s = scalingTargetSettings(cfg, t);
        if ("problems" in s) problems.push(...s.problems);
    }
    return problems;
}

/**
 * Whether a config key was stored encrypted: pulumi.runtime.isConfigSecret, which the Node SDK exports
 * (runtime/config.js, fed by the engine's PULUMI_CONFIG_SECRET_KEYS) but leaves out of its typings.
 */
export function configSecretCheck(): ((fullKey: string) => boolean) | undefined {
    const check = (pulumi.runtime as unknown as { isConfigSecret?: (k: string) => boolean }).isConfigSecret;
    return typeof check === "function" ? check : undefined;
}
