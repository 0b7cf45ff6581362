/**
 * The carbon-aware policies (CA-01 … CA-04) as @pulumi/policy sees them, after the config-only
 * carbon-aware-exceptions policy (exceptions.ts); importing this module does not start a server. Each
 * resource policy is one typed validation per cloud (placement.ts's readers: typed props of that
 * cloud's resources and provider), which places the resource, runs the typed check of checks.ts and
 * reports its messages, or the exemption when the resource is marked with an exception listed for the
 * policy.
 */
import type {
    Policy,
    PolicyConfigSchema,
    ReportViolation,
    ResourceValidation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
} from "@pulumi/policy";
import {
    checkAllowedGeographies,
    checkLowerCarbonRegion,
    checkMaxIntensity,
    summarisePlacements,
    type AllowedGeographiesConfig,
    type LowerCarbonRegionConfig,
    type MaxIntensityConfig,
    type PlacementSummaryConfig,
} from "./checks";
import { exceptionFor, exceptionsPolicy, exemptionReason, markOf } from "./exceptions";
import { CLOUD_READERS, placementOf, placeWith, type CloudReader, type PlacedResource } from "./placement";
import { GEOGRAPHIES, INTENSITY_YEARS, PLATFORM_SERVICES, WORLD_AVERAGE_INTENSITY } from "./regions";

export { cloudOfType, intensityOfPlacement, placementOf, serviceOfType } from "./placement";

const yearProperty = {
    type: "integer" as const,
    enum: [...INTENSITY_YEARS],
    description: "Electricity Maps data year (default: the latest full year @tgwf/co2 ships).",
};

/**
 * The mark, or undefined while a preview cannot know it (@pulumi/policy's props proxy throws on reading
 * an unknown value): an unknown mark exempts nothing, the rule's verdict stands (as in the zero-trust pack).
 */
function markNamed(read: () => string | undefined): string | undefined {
    try {
        return read();
    } catch {
        return undefined;
    }
}

/**
 * One typed validation for a cloud's resources: the args' props and provider props read as that
 * cloud's typed props (placement.ts), the resource placed and checked. A resource that fails the check
 * but carries the mark of an exception listed for the policy is reported as exempt (with the
 * exception's name and reason) instead: an exemption is shown where it changes a verdict.
 */
function validationFor<P, Q, C extends object>(policy: string, id: string, reader: CloudReader<P, Q>, check: (r: PlacedResource, config: C) => string[]): ResourceValidation {
    return (args: ResourceValidationArgs, report: ReportViolation) => {
        if (!reader.prefixes.some((prefix) => args.type.startsWith(prefix)) || args.type.startsWith("pulumi:providers:")) return;
        const props = args.props as P;
        const provider = args.provider?.props as Q | undefined;
        const placement = placeWith(reader, { type: args.type, name: args.name, props, provider });
        if (!placement) return;
        const config = (args.getConfig<C>() ?? {}) as C;
        const resource: PlacedResource = { type: args.type, name: args.name, placement };
        const messages = check(resource, config);
        if (!messages.length) return;
        const exception = exceptionFor(policy, markNamed(() => markOf(reader.marks(props, provider))));
        if (exception) args.notApplicable(exemptionReason(exception, args.name));
        for (const message of messages) report(`[${id}] ${message}`);
    };
}

function placementPolicy<C extends object>(
    id: string,
    name: string,
    description: string,
    level: "mandatory" | "advisory",
    configSchema: PolicyConfigSchema,
    check: (r: PlacedResource, config: C) => string[],
): ResourceValidationPolicy {
    return {
        name,
        description: `[${id}] ${description}`,
        enforcementLevel: level,
        configSchema,
        validateResource: CLOUD_READERS.map((reader) => validationFor<unknown, unknown, C>(name, id, reader as CloudReader<unknown, unknown>, check)),
    };
}

/** CA-01: no resource on a grid dirtier than the maximum. */
export const maxIntensityPolicy = placementPolicy<MaxIntensityConfig>(
    "CA-01",
    "ca-01-max-grid-intensity",
    "Resources run in regions whose yearly grid intensity is at or below the configured maximum (default: the world average).",
    "mandatory",
    {
        properties: {
            maxIntensity: {
                type: "number",
                exclusiveMinimum: 0,
                default: WORLD_AVERAGE_INTENSITY,
                description: `Maximum yearly grid intensity in gCO2e/kWh (default: CO2.js's world average, ${WORLD_AVERAGE_INTENSITY}).`,
            },
            year: yearProperty,
        },
    },
    checkMaxIntensity,
);

/** CA-02: data residency: every placed resource lies in an allowed geography. */
export const allowedGeographiesPolicy = placementPolicy<AllowedGeographiesConfig>(
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
    checkAllowedGeographies,
);

/** CA-03: advice when a lower-carbon region in the same geography offers the same services. */
export const lowerCarbonRegionPolicy = placementPolicy<LowerCarbonRegionConfig>(
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
    checkLowerCarbonRegion,
);

/** CA-04: one advisory line summarising where the stack's resources run and at what intensity. */
export const placementSummaryPolicy: StackValidationPolicy = {
    name: "ca-04-placement-summary",
    description: "[CA-04] Summary of the stack's placements: resources per region, grid intensity and the lowest-carbon region of the same geography.",
    enforcementLevel: "advisory",
    configSchema: { properties: { year: yearProperty } },
    validateStack: (args: StackValidationArgs, report) => {
        const config = (args.getConfig<PlacementSummaryConfig>() ?? {}) as PlacementSummaryConfig;
        const placed: PlacedResource[] = [];
        for (const r of args.resources) {
            const placement = placementOf(r.type, r.props, r.provider);
            if (placement) placed.push({ type: r.type, name: r.name, placement });
        }
        for (const message of summarisePlacements(placed, config)) report(`[CA-04] ${message}`);
    },
};

/** The resource policies an exception may exempt from (CA-04 only summarises). */
export const EXEMPTIBLE_POLICIES = [maxIntensityPolicy, allowedGeographiesPolicy, lowerCarbonRegionPolicy].map((p) => p.name);

/** The pack's policies; the exceptions policy first (see exceptions.ts). */
export const carbonAwarePolicies: Policy[] = [exceptionsPolicy(EXEMPTIBLE_POLICIES), maxIntensityPolicy, allowedGeographiesPolicy, lowerCarbonRegionPolicy, placementSummaryPolicy];
