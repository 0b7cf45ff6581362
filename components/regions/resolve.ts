import { DEFAULT_REGIONS, findRegion, regionsOf, type Cloud, type Geography } from "./index";
import { intensitySource, latestFullYear, zoneIntensity } from "./intensity";
import { describeExclusions, rankRegions, RankingError, reductionPercent } from "./rank";
import type { PlatformService, ServiceStatus } from "./services";
import { serviceStatus } from "./services";

export interface RegionChoice {
    cloud: Cloud;
    region: string;
    /** How the region was chosen: set explicitly, or `auto` (lowest-carbon feasible region). */
    mode: "explicit" | "auto";
    /** One line a person can read in the plan. */
    reason: string;
    /** Electricity Maps zone of the region; null where the mapping is unresolved. */
    gridZone: string | null;
    /** Yearly average grid intensity of the region, gCO2e/kWh; null when unknown. */
    gco2ePerKwh: number | null;
    /** Data year of the intensities. */
    year: number;
    source: string;
    /** The naive default region (DEFAULT_REGIONS) the reduction is measured against. */
    naiveDefault: { region: string; gco2ePerKwh: number | null } | null;
    /** Percentage of grid intensity saved against the naive default; null when not computable. */
    reductionPct: number | null;
    /** Availability of each needed service in the region. */
    services: ServiceStatus[];
    /** True when every needed service is confirmed available by a listed source. */
    verified: boolean;
}

/** Carbon settings for `auto` (stacks pass `platform:carbon` and the services the stack needs). */
export interface ResolveOptions {
    /** Services the stack needs besides kubernetes (always needed). */
    needs?: readonly PlatformService[];
    year?: number;
    maxIntensity?: number;
    excludedRegions?: readonly string[];
    requireVerified?: boolean;
}

const CLOUD_NAMES: Record<Cloud, string> = { aws: "AWS", azure: "Azure", gcp: "GCP" };

export class RegionError extends Error {}

function intensityOf(cloud: Cloud, region: string, year: number): number | null {
    const zone = findRegion(cloud, region)?.gridZone;
    return zone ? zoneIntensity(zone, year) ?? null : null;
}

function fmt(v: number | null): string {
    return v === null ? "unknown" : `${v} gCO2e/kWh`;
}

/**
 * Resolves `platform:regions.<cloud>`: an explicit region is checked against the catalogue and the
 * geography; `auto` takes the lowest-carbon region of the geography that offers every needed service
 * (kubernetes always) and passes the carbon settings. Both carry the intensity and the reduction
 * against the geography's naive default region.
 */
export function resolveRegion(cloud: Cloud, geography: Geography, setting: string, options: ResolveOptions = {}): RegionChoice {
    const inGeo = regionsOf(cloud, geography).map((r) => r.region);
    const needs: PlatformService[] = [...new Set<PlatformService>(["kubernetes", ...(options.needs ?? [])])];
    let year: number;
    try {
        year = options.year ?? latestFullYear();
    } catch (e) {
        throw new RegionError((e as Error).message);
    }
    const naiveRegion = DEFAULT_REGIONS[geography][cloud];
    const naiveDefault = naiveRegion ? { region: naiveRegion, gco2ePerKwh: intensityOf(cloud, naiveRegion, year) } : null;
    const needList = needs.join(", ");

    if (setting === "auto") {
        let ranking;
        try {
            ranking = rankRegions(
                {
                    cloud,
                    geographies: [geography],
                    needs,
                    year,
                    maxIntensity: options.maxIntensity,
                    excludedRegions: options.excludedRegions,
                    requireVerified: options.requireVerified,
                },
                naiveRegion,
            );
        } catch (e) {
            if (e instanceof RankingError) throw new RegionError(e.message);
            throw e;
        }
        const best = ranking.candidates[0];
        if (!best) {
            const why = describeExclusions(ranking.excluded);
            throw new RegionError(
                `"auto" found no feasible ${CLOUD_NAMES[cloud]} region in geography ${geography} for ${needList}` +
                    (why.length ? `. Excluded: ${why.join(" | ")}` : " (the geography has no region of this cloud)") +
                    `. Relax platform:carbon (maxIntensity, excludedRegions, requireVerified), set an explicit region or choose another platform:geography`,
            );
        }
        const reductionPct = reductionPercent(naiveDefault?.gco2ePerKwh, best.gco2ePerKwh);
        const unverified = best.services.filter((s) => s.status !== "available").map((s) => s.service);
        return {
            cloud,
            region: best.region,
            mode: "auto",
            reason:
                `lowest-carbon ${CLOUD_NAMES[cloud]} region in ${geography} offering ${needList}: ${best.region} ${fmt(best.gco2ePerKwh)}` +
                (naiveDefault ? ` vs naive default ${naiveDefault.region} ${fmt(naiveDefault.gco2ePerKwh)}` : "") +
                (reductionPct !== null ? ` (${reductionPct}% lower)` : "") +
                ` [${intensitySource(year)}]` +
                (unverified.length ? `; availability of ${unverified.join(", ")} unverified, check before apply` : ""),
            gridZone: best.gridZone,
            gco2ePerKwh: best.gco2ePerKwh,
            year,
            source: best.source,
            naiveDefault,
            reductionPct,
            services: best.services,
            verified: best.verified,
        };
    }
    const info = findRegion(cloud, setting);
    if (!info) {
        const all = regionsOf(cloud).map((r) => r.region);
        throw new RegionError(`"${setting}" is not a region of ${CLOUD_NAMES[cloud]}. Allowed: auto or one of ${all.join(", ")}`);
    }
    if (info.geography !== geography) {
        throw new RegionError(
            `"${setting}" (${info.location}) is in geography ${info.geography}, outside platform:geography ${geography}. ` +
                `Allowed in ${geography}: auto${inGeo.length ? ` or one of ${inGeo.join(", ")}` : " (no region)"}`,
        );
    }
    const intensity = intensityOf(cloud, setting, year);
    const services = needs.map((s) => serviceStatus(cloud, setting, s));
    const reductionPct = reductionPercent(naiveDefault?.gco2ePerKwh, intensity);
    return {
        cloud,
        region: setting,
        mode: "explicit",
        reason: `set in platform:regions.${cloud} (${fmt(intensity)}, ${year})`,
        gridZone: info.gridZone,
        gco2ePerKwh: intensity,
        year,
        source: info.gridZone ? `${intensitySource(year)}, zone ${info.gridZone}` : "grid zone unresolved",
        naiveDefault,
        reductionPct,
        services,
        verified: services.every((s) => s.status === "available"),
    };
}
