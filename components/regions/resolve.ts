import { DEFAULT_REGIONS, findRegion, regionsOf, type Cloud, type Geography } from "./index";

export interface RegionChoice {
    cloud: Cloud;
    region: string;
    /** How the region was chosen: set explicitly, or `auto`. */
    mode: "explicit" | "auto";
    /** One line a person can read in the plan. */
    reason: string;
}

const CLOUD_NAMES: Record<Cloud, string> = { aws: "AWS", azure: "Azure", gcp: "GCP" };

export class RegionError extends Error {}

/**
 * Resolves `platform:regions.<cloud>`: an explicit region is checked against the catalogue and the
 * geography; `auto` takes the geography's default region.
 */
export function resolveRegion(cloud: Cloud, geography: Geography, setting: string): RegionChoice {
    const inGeo = regionsOf(cloud, geography).map((r) => r.region);
    if (setting === "auto") {
        const region = DEFAULT_REGIONS[geography][cloud];
        if (!region) {
            throw new RegionError(
                `"auto" found no ${CLOUD_NAMES[cloud]} region in geography ${geography}; ` +
                    `set an explicit region or choose another platform:geography`,
            );
        }
        return { cloud, region, mode: "auto", reason: `default ${CLOUD_NAMES[cloud]} region for ${geography}` };
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
    return { cloud, region: setting, mode: "explicit", reason: `set in platform:regions.${cloud}` };
}
