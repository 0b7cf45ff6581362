/**
 * `platform:carbon`: settings of carbon-aware placement (components/regions/rank.ts). They steer
 * `platform:regions.<cloud>: auto`; explicit regions are only annotated with their intensity.
 */
import { z } from "zod";
import { REGIONS, type Cloud } from "../../components/regions";
import { INTENSITY_YEARS } from "../../components/regions/intensity";
import type { ResolveOptions } from "../../components/regions/resolve";
import type { PlatformService } from "../../components/regions/services";

const KNOWN_REGIONS = new Set(REGIONS.map((r) => r.region));

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
    return { ...cfg.carbon, needs: stackNeeds(cloud, cfg) };
}
