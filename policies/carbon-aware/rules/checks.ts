/**
 * The carbon-aware checks as pure, typed functions: a placed resource and the policy's typed config
 * in, the violation messages out (empty: passes). index.ts adapts them to @pulumi/policy; the unit
 * tests call them directly with typed fixtures. Intensities: Electricity Maps yearly averages via
 * @tgwf/co2 (ODbL); messages name the year and the source.
 */
import { intensityOfPlacement, serviceOfType, type PlacedResource, type Placement } from "./placement";
import { latestFullYear, rankRegions, reductionPercent, WORLD_AVERAGE_INTENSITY, type Geography, type PlatformService } from "./regions";

export const SOURCE = (year: number) => `Electricity Maps ${year} via @tgwf/co2, ODbL`;

export interface MaxIntensityConfig {
    /** gCO2e/kWh; default: CO2.js's world average. */
    maxIntensity?: number;
    year?: number;
}
export interface AllowedGeographiesConfig {
    /** Empty or unset: any geography. */
    allowedGeographies?: Geography[];
}
export interface LowerCarbonRegionConfig {
    year?: number;
    needs?: PlatformService[];
    excludedRegions?: string[];
    minSavingPct?: number;
}
export interface PlacementSummaryConfig {
    year?: number;
}

function where(p: Placement): string {
    const zone = p.info?.gridZone ? `, grid zone ${p.info.gridZone}` : "";
    return `${p.region} (${p.info?.location ?? "not in the region catalogue"}${zone}; from ${p.from})`;
}

/** CA-01: no resource on a grid dirtier than the maximum. */
export function checkMaxIntensity(r: PlacedResource, config: MaxIntensityConfig): string[] {
    const p = r.placement;
    const year = config.year ?? latestFullYear();
    const max = config.maxIntensity ?? WORLD_AVERAGE_INTENSITY;
    const value = intensityOfPlacement(p, year);
    if (value === null || value <= max) return [];
    let hint = "";
    if (p.info) {
        const best = rankRegions({ cloud: p.cloud, geographies: [p.info.geography], year, maxIntensity: max }).candidates[0];
        hint = best
            ? ` ${best.region} (${best.location}) in the same geography is at ${best.gco2ePerKwh}.`
            : ` No ${p.cloud} region in ${p.info.geography} is at or below it.`;
    }
    return [
        `${r.type} "${r.name}" runs in ${where(p)} at ${value} gCO2e/kWh (${SOURCE(year)}), above the maximum of ${max}.${hint} ` +
            `Move it to a lower-carbon region, raise maxIntensity, or name it an exception.`,
    ];
}

/** CA-02: data residency: every placed resource lies in an allowed geography. */
export function checkAllowedGeographies(r: PlacedResource, config: AllowedGeographiesConfig): string[] {
    const p = r.placement;
    const allowed = config.allowedGeographies ?? [];
    if (!allowed.length) return [];
    if (!p.info) {
        return [`${r.type} "${r.name}" runs in "${p.region}" (from ${p.from}), which is not a ${p.cloud} region of the catalogue, so its geography cannot be shown to be one of ${allowed.join(", ")}.`];
    }
    if (allowed.includes(p.info.geography)) return [];
    return [`${r.type} "${r.name}" runs in ${where(p)}, geography ${p.info.geography}, outside the allowed geographies ${allowed.join(", ")}.`];
}

/** CA-03: advice when a lower-carbon region in the same geography offers the same services (workload anchors only). */
export function checkLowerCarbonRegion(r: PlacedResource, config: LowerCarbonRegionConfig): string[] {
    const p = r.placement;
    const own = serviceOfType(r.type);
    if (!own || !p.info) return [];
    const year = config.year ?? latestFullYear();
    const value = intensityOfPlacement(p, year);
    const needs = [...new Set<PlatformService>([own, ...(config.needs ?? [])])];
    const ranking = rankRegions({ cloud: p.cloud, geographies: [p.info.geography], needs, year, excludedRegions: config.excludedRegions ?? [] });
    const best = ranking.candidates.find((c) => c.region !== p.region);
    if (!best) return [];
    if (value === null) {
        return [`${r.type} "${r.name}" runs in ${where(p)}, whose grid intensity is unknown (grid zone unresolved); ${best.region} offers ${needs.join(", ")} at ${best.gco2ePerKwh} gCO2e/kWh (${SOURCE(year)}).`];
    }
    const saving = reductionPercent(value, best.gco2ePerKwh);
    if (saving === null || saving < (config.minSavingPct ?? 10)) return [];
    const unverified = best.services.filter((s) => s.status !== "available").map((s) => s.service);
    return [
        `${r.type} "${r.name}" runs in ${where(p)} at ${value} gCO2e/kWh; ${best.region} (${best.location}) in ${p.info.geography} offers ` +
            `${needs.join(", ")} at ${best.gco2ePerKwh} gCO2e/kWh, ${saving}% less (${SOURCE(year)})` +
            (unverified.length ? `; availability of ${unverified.join(", ")} there is unverified` : "") +
            `.`,
    ];
}

/** CA-04: one line summarising where the stack's placed resources run and at what intensity; none when nothing is placed. */
export function summarisePlacements(resources: readonly PlacedResource[], config: PlacementSummaryConfig): string[] {
    const year = config.year ?? latestFullYear();
    const groups = new Map<string, { p: Placement; count: number }>();
    for (const { placement: p } of resources) {
        const key = `${p.cloud}/${p.region}`;
        const g = groups.get(key) ?? { p, count: 0 };
        g.count++;
        groups.set(key, g);
    }
    if (!groups.size) return [];
    const lines = [...groups.values()].map(({ p, count }) => {
        const value = intensityOfPlacement(p, year);
        let best = "";
        if (p.info) {
            const top = rankRegions({ cloud: p.cloud, geographies: [p.info.geography], year }).candidates[0];
            if (top && top.region !== p.region) {
                const saving = reductionPercent(value, top.gco2ePerKwh);
                best = `; lowest in ${p.info.geography}: ${top.region} ${top.gco2ePerKwh}${saving !== null ? ` (${saving}% less)` : ""}`;
            } else if (top) best = `; lowest-carbon ${p.cloud} region of ${p.info.geography}`;
        }
        return `${p.cloud} ${p.region}: ${count} resource(s) at ${value === null ? "unknown" : `${value} gCO2e/kWh`}${best}`;
    });
    return [`Placements (${SOURCE(year)}): ${lines.join(" | ")}`];
}
