/**
 * The carbon-aware policies (CA-01 … CA-04); importing this module does not start a server.
 * Intensities: Electricity Maps yearly averages via @tgwf/co2 (ODbL), read through the project's
 * region → grid-zone mapping (components/regions). Messages name the year and the source.
 */
import type {
    Policy,
    PolicyConfigSchema,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
} from "@pulumi/policy";
import { GEOGRAPHIES, type Geography } from "../../../components/regions";
import { INTENSITY_YEARS, latestFullYear, WORLD_AVERAGE_INTENSITY } from "../../../components/regions/intensity";
import { rankRegions, reductionPercent } from "../../../components/regions/rank";
import { PLATFORM_SERVICES, type PlatformService } from "../../../components/regions/services";
import { intensityOfPlacement, placementOf, serviceOfType, type Placement } from "./placement";

export { placementOf, intensityOfPlacement, serviceOfType, cloudOfType } from "./placement";

const SOURCE = (year: number) => `Electricity Maps ${year} via @tgwf/co2, ODbL`;

const yearProperty = {
    type: "integer" as const,
    enum: [...INTENSITY_YEARS],
    description: "Electricity Maps data year (default: the latest full year @tgwf/co2 ships).",
};
const maxIntensityProperty = {
    type: "number" as const,
    exclusiveMinimum: 0,
    default: WORLD_AVERAGE_INTENSITY,
    description: `Maximum yearly grid intensity in gCO2e/kWh (default: CO2.js's world average, ${WORLD_AVERAGE_INTENSITY}).`,
};

export interface CarbonPolicyConfig {
    year?: number;
    maxIntensity?: number;
    allowedGeographies?: Geography[];
    needs?: PlatformService[];
    excludedRegions?: string[];
    minSavingPct?: number;
}

function where(p: Placement): string {
    const zone = p.info?.gridZone ? `, grid zone ${p.info.gridZone}` : "";
    return `${p.region} (${p.info?.location ?? "not in the region catalogue"}${zone}; from ${p.from})`;
}

type Check = (args: ResourceValidationArgs, placement: Placement, config: CarbonPolicyConfig) => string[];

function placementPolicy(
    id: string,
    name: string,
    description: string,
    level: "mandatory" | "advisory",
    configSchema: PolicyConfigSchema,
    check: Check,
): ResourceValidationPolicy {
    return {
        name,
        description: `[${id}] ${description}`,
        enforcementLevel: level,
        configSchema,
        validateResource: (args: ResourceValidationArgs, report: ReportViolation) => {
            const placement = placementOf(args.type, args.props, args.provider);
            if (!placement) return;
            const config = (args.getConfig<CarbonPolicyConfig>() ?? {}) as CarbonPolicyConfig;
            for (const message of check(args, placement, config)) report(`[${id}] ${message}`);
        },
    };
}

/** CA-01: no resource on a grid dirtier than the maximum. */
export const maxIntensityPolicy = placementPolicy(
    "CA-01",
    "ca-01-max-grid-intensity",
    "Resources run in regions whose yearly grid intensity is at or below the configured maximum (default: the world average).",
    "mandatory",
    { properties: { maxIntensity: maxIntensityProperty, year: yearProperty } },
    (args, p, config) => {
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
            `${args.type} "${args.name}" runs in ${where(p)} at ${value} gCO2e/kWh (${SOURCE(year)}), above the maximum of ${max}.${hint} ` +
                `Move it (platform:regions.${p.cloud}: auto picks the lowest-carbon feasible region) or raise maxIntensity.`,
        ];
    },
);

/** CA-02: data residency: every placed resource lies in an allowed geography. */
export const allowedGeographiesPolicy = placementPolicy(
    "CA-02",
    "ca-02-allowed-geographies",
    "Resources run only in regions of the allowed geographies (empty list: any geography).",
    "mandatory",
    {
        properties: {
            allowedGeographies: {
                type: "array",
                items: { type: "string", enum: [...GEOGRAPHIES] },
                default: [],
                description: `Allowed data-residency geographies among ${GEOGRAPHIES.join(", ")}; empty allows any.`,
            },
        },
    },
    (args, p, config) => {
        const allowed = config.allowedGeographies ?? [];
        if (!allowed.length) return [];
        if (!p.info) {
            return [`${args.type} "${args.name}" runs in "${p.region}" (from ${p.from}), which is not a ${p.cloud} region of the catalogue, so its geography cannot be shown to be one of ${allowed.join(", ")}.`];
        }
        if (allowed.includes(p.info.geography)) return [];
        return [`${args.type} "${args.name}" runs in ${where(p)}, geography ${p.info.geography}, outside the allowed geographies ${allowed.join(", ")}.`];
    },
);

/** CA-03: advice when a lower-carbon region in the same geography offers the same services. */
export const lowerCarbonRegionPolicy = placementPolicy(
    "CA-03",
    "ca-03-lower-carbon-region",
    "Workload anchors (clusters, Kafka, serverless) run in the lowest-carbon region of their geography that offers the same services.",
    "advisory",
    {
        properties: {
            year: yearProperty,
            needs: {
                type: "array",
                items: { type: "string", enum: [...PLATFORM_SERVICES] },
                default: [],
                description: "Services the stack needs in every region besides the resource's own (kubernetes, kafka, serverless).",
            },
            excludedRegions: { type: "array", items: { type: "string" }, default: [], description: "Regions never suggested." },
            minSavingPct: { type: "number", minimum: 0, default: 10, description: "Advise only when the saving is at least this percentage." },
        },
    },
    (args, p, config) => {
        const own = serviceOfType(args.type);
        if (!own || !p.info) return [];
        const year = config.year ?? latestFullYear();
        const value = intensityOfPlacement(p, year);
        const needs = [...new Set<PlatformService>([own, ...(config.needs ?? [])])];
        const ranking = rankRegions({
            cloud: p.cloud,
            geographies: [p.info.geography],
            needs,
            year,
            excludedRegions: config.excludedRegions ?? [],
        });
        const best = ranking.candidates.find((c) => c.region !== p.region);
        if (!best) return [];
        if (value === null) {
            return [`${args.type} "${args.name}" runs in ${where(p)}, whose grid intensity is unknown (grid zone unresolved); ${best.region} offers ${needs.join(", ")} at ${best.gco2ePerKwh} gCO2e/kWh (${SOURCE(year)}).`];
        }
        const saving = reductionPercent(value, best.gco2ePerKwh);
        if (saving === null || saving < (config.minSavingPct ?? 10)) return [];
        const unverified = best.services.filter((s) => s.status !== "available").map((s) => s.service);
        return [
            `${args.type} "${args.name}" runs in ${where(p)} at ${value} gCO2e/kWh; ${best.region} (${best.location}) in ${p.info.geography} offers ` +
                `${needs.join(", ")} at ${best.gco2ePerKwh} gCO2e/kWh, ${saving}% less (${SOURCE(year)})` +
                (unverified.length ? `; availability of ${unverified.join(", ")} there is unverified` : "") +
                `.`,
        ];
    },
);

/** CA-04: one advisory line summarising where the stack's resources run and at what intensity. */
export const placementSummaryPolicy: StackValidationPolicy = {
    name: "ca-04-placement-summary",
    description: "[CA-04] Summary of the stack's placements: resources per region, grid intensity and the lowest-carbon region of the same geography.",
    enforcementLevel: "advisory",
    configSchema: { properties: { year: yearProperty } },
    validateStack: (args: StackValidationArgs, report) => {
        const config = (args.getConfig<CarbonPolicyConfig>() ?? {}) as CarbonPolicyConfig;
        const year = config.year ?? latestFullYear();
        const groups = new Map<string, { p: Placement; count: number }>();
        for (const r of args.resources) {
            const p = placementOf(r.type, r.props, r.provider);
            if (!p) continue;
            const key = `${p.cloud}/${p.region}`;
            const g = groups.get(key) ?? { p, count: 0 };
            g.count++;
            groups.set(key, g);
        }
        if (!groups.size) return;
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
        report(`[CA-04] Placements (${SOURCE(year)}): ${lines.join(" | ")}`);
    },
};

export const carbonAwarePolicies: Policy[] = [
    maxIntensityPolicy,
    allowedGeographiesPolicy,
    lowerCarbonRegionPolicy,
    placementSummaryPolicy,
];
