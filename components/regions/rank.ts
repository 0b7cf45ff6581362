/**
 * Carbon ranking of a cloud's regions: given the allowed geographies, the services a stack needs,
 * excluded regions and an optional maximum intensity, returns the feasible regions best (lowest
 * grid intensity) first, and every other region of those geographies with the reasons it was left out.
 *
 * Intensities are Electricity Maps yearly averages read from @tgwf/co2 (intensity.ts) through the
 * project's region → zone mapping (catalog.ts). Service availability comes from services.ts; a
 * service whose availability is unknown is reported as "unverified", never assumed.
 */
import { CLOUDS, GEOGRAPHIES, REGIONS, type Cloud, type Geography } from "./catalog";
import { INTENSITY_YEARS, intensitySource, latestFullYear, zoneIntensity } from "./intensity";
import { PLATFORM_SERVICES, serviceStatus, type PlatformService, type ServiceStatus } from "./services";

export interface RankOptions {
    cloud: Cloud;
    /** Allowed data-residency geographies (at least one). */
    geographies: readonly Geography[];
    /** Services every candidate must offer. Empty means none. */
    needs?: readonly PlatformService[];
    /** Region names to leave out (names of other clouds are ignored). */
    excludedRegions?: readonly string[];
    /** Regions above this grid intensity (gCO2e/kWh) are left out. */
    maxIntensity?: number;
    /** Electricity Maps data year; default: the latest full year CO2.js ships. */
    year?: number;
    /** Leave out regions where a needed service's availability is unverified (default false: keep and flag them). */
    requireVerified?: boolean;
}

export interface RankedRegion {
    cloud: Cloud;
    region: string;
    location: string;
    geography: Geography;
    gridZone: string;
    gco2ePerKwh: number;
    year: number;
    source: string;
    /** Availability of each needed service. */
    services: ServiceStatus[];
    /** True when every needed service is confirmed available by a listed source. */
    verified: boolean;
    /** GCP only: Google's published carbon-free-energy % (a different basis; not used for ranking). */
    googleCfePct?: number;
}

export interface ExcludedRegion {
    cloud: Cloud;
    region: string;
    location: string;
    geography: Geography;
    gridZone: string | null;
    gco2ePerKwh: number | null;
    /** Every reason the region is not a candidate. */
    reasons: string[];
}

export interface Ranking {
    cloud: Cloud;
    geographies: Geography[];
    needs: PlatformService[];
    year: number;
    source: string;
    maxIntensity?: number;
    /** Feasible regions, lowest intensity first (ties: the naive default first, then verified ones, then by name). */
    candidates: RankedRegion[];
    excluded: ExcludedRegion[];
}

/** Bad ranking input (unknown cloud, geography, service or year, or an impossible maximum). */
export class RankingError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "RankingError";
    }
}

function check(options: RankOptions): { year: number; needs: PlatformService[] } {
    if (!(CLOUDS as readonly string[]).includes(options.cloud)) {
        throw new RankingError(`unknown cloud "${options.cloud}". Allowed: ${CLOUDS.join(", ")}`);
    }
    if (!options.geographies.length) throw new RankingError(`no geography given. Allowed: ${GEOGRAPHIES.join(", ")}`);
    for (const g of options.geographies) {
        if (!(GEOGRAPHIES as readonly string[]).includes(g)) {
            throw new RankingError(`unknown geography "${g}". Allowed: ${GEOGRAPHIES.join(", ")}`);
        }
    }
    const needs = [...new Set(options.needs ?? [])];
    for (const s of needs) {
        if (!(PLATFORM_SERVICES as readonly string[]).includes(s)) {
            throw new RankingError(`unknown service "${s}". Allowed: ${PLATFORM_SERVICES.join(", ")}`);
        }
    }
    const year = options.year ?? latestFullYear();
    if (!INTENSITY_YEARS.includes(year)) {
        throw new RankingError(`no intensity data for year ${year}. Allowed: ${INTENSITY_YEARS.join(", ")}`);
    }
    const max = options.maxIntensity;
    if (max !== undefined && !(Number.isFinite(max) && max > 0)) {
        throw new RankingError(`maximum intensity ${max} must be a positive number of gCO2e/kWh`);
    }
    return { year, needs };
}

/** Ranks the regions of one cloud by grid carbon intensity. Throws RankingError on bad input. */
export function rankRegions(options: RankOptions, naiveDefault?: string): Ranking {
    const { year, needs } = check(options);
    const excludedNames = new Set(options.excludedRegions ?? []);
    const candidates: RankedRegion[] = [];
    const excluded: ExcludedRegion[] = [];

    for (const info of REGIONS) {
        if (info.cloud !== options.cloud || !options.geographies.includes(info.geography)) continue;
        const reasons: string[] = [];
        const intensity = info.gridZone ? zoneIntensity(info.gridZone, year) ?? null : null;
        if (excludedNames.has(info.region)) reasons.push("listed in the excluded regions");
        if (!info.gridZone) {
            reasons.push(`grid zone unresolved, so its intensity is unknown${info.notes ? ` (${info.notes})` : ""}`);
        } else if (intensity === null) {
            reasons.push(`no ${year} intensity for grid zone ${info.gridZone} in @tgwf/co2`);
        } else if (options.maxIntensity !== undefined && intensity > options.maxIntensity) {
            reasons.push(`${intensity} gCO2e/kWh is above the maximum of ${options.maxIntensity}`);
        }
        const services = needs.map((s) => serviceStatus(info.cloud, info.region, s));
        for (const s of services) {
            if (s.status === "unavailable") reasons.push(`${s.service} (${s.product}) unavailable: ${s.source}`);
            if (s.status === "unverified" && options.requireVerified) {
                reasons.push(`${s.service} (${s.product}) availability unverified: ${s.source}`);
            }
        }
        const where = { cloud: info.cloud, region: info.region, location: info.location, geography: info.geography };
        if (reasons.length || intensity === null || !info.gridZone) {
            excluded.push({ ...where, gridZone: info.gridZone, gco2ePerKwh: intensity, reasons });
            continue;
        }
        candidates.push({
            ...where,
            gridZone: info.gridZone,
            gco2ePerKwh: intensity,
            year,
            source: `${intensitySource(year)}, zone ${info.gridZone}`,
            services,
            verified: services.every((s) => s.status === "available"),
            ...(info.googleCfePct !== undefined ? { googleCfePct: info.googleCfePct } : {}),
        });
    }

    candidates.sort(
        (a, b) =>
            a.gco2ePerKwh - b.gco2ePerKwh ||
            Number(b.region === naiveDefault) - Number(a.region === naiveDefault) ||
            Number(b.verified) - Number(a.verified) ||
            a.region.localeCompare(b.region),
    );
    return {
        cloud: options.cloud,
        geographies: [...options.geographies],
        needs,
        year,
        source: intensitySource(year),
        ...(options.maxIntensity !== undefined ? { maxIntensity: options.maxIntensity } : {}),
        candidates,
        excluded,
    };
}

/** One line per excluded region, for error messages and reports. */
export function describeExclusions(excluded: readonly ExcludedRegion[]): string[] {
    return excluded.map((e) => `${e.region} (${e.location}): ${e.reasons.join("; ")}`);
}

/** Percentage saved by moving from `from` to `to` gCO2e/kWh, one decimal; null when not computable. */
export function reductionPercent(from: number | null | undefined, to: number | null | undefined): number | null {
    if (from == null || to == null || from <= 0) return null;
    return Math.round(((from - to) / from) * 1000) / 10;
}
