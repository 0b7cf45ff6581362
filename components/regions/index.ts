import { CLOUDS, GEOGRAPHIES, REGIONS, type Cloud, type Geography, type RegionInfo } from "./catalog";

export { CLOUDS, GEOGRAPHIES, REGIONS, type Cloud, type Geography, type RegionInfo };

const byKey = new Map<string, RegionInfo>(REGIONS.map((r) => [`${r.cloud}/${r.region}`, r]));

export function findRegion(cloud: Cloud, region: string): RegionInfo | undefined {
    return byKey.get(`${cloud}/${region}`);
}

export function regionsOf(cloud: Cloud, geography?: Geography): RegionInfo[] {
    return REGIONS.filter((r) => r.cloud === cloud && (geography === undefined || r.geography === geography));
}

/**
 * The "naive" region per cloud and geography: the one a team would pick without looking at carbon
 * (the provider's oldest or most popular region there). `auto` resolves to it until carbon-aware
 * selection is enabled, and carbon reports measure their reduction against it.
 */
export const DEFAULT_REGIONS: Record<Geography, Partial<Record<Cloud, string>>> = {
    US: { aws: "us-east-1", azure: "eastus", gcp: "us-central1" },
    CA: { aws: "ca-central-1", azure: "canadacentral", gcp: "northamerica-northeast1" },
    LATAM: { aws: "sa-east-1", azure: "brazilsouth", gcp: "southamerica-east1" },
    EU: { aws: "eu-central-1", azure: "westeurope", gcp: "europe-west1" },
    EEA: { azure: "norwayeast" },
    CH: { aws: "eu-central-2", azure: "switzerlandnorth", gcp: "europe-west6" },
    UK: { aws: "eu-west-2", azure: "uksouth", gcp: "europe-west2" },
    APAC: { aws: "ap-southeast-1", azure: "southeastasia", gcp: "asia-southeast1" },
    ME: { aws: "me-central-1", azure: "uaenorth", gcp: "me-central1" },
    AF: { aws: "af-south-1", azure: "southafricanorth", gcp: "africa-south1" },
};

export function defaultRegion(cloud: Cloud, geography: Geography): string | undefined {
    return DEFAULT_REGIONS[geography][cloud];
}

/**
 * Azure regions that offer availability zones (Microsoft Learn, "Azure regions with availability
 * zone support", reviewed 2026-11). AKS node pools are spread over zones 1-3 only in these;
 * elsewhere pools are regional and the plan says so.
 */
export const AZURE_ZONAL_REGIONS: ReadonlySet<string> = new Set([
    "australiaeast", "austriaeast", "belgiumcentral", "brazilsouth", "canadacentral", "centralindia",
    "centralus", "chilecentral", "denmarkeast", "eastasia", "eastus", "eastus2", "francecentral",
    "germanywestcentral", "indonesiacentral", "israelcentral", "italynorth", "japaneast", "japanwest",
    "koreacentral", "malaysiawest", "mexicocentral", "newzealandnorth", "northeurope", "norwayeast",
    "polandcentral", "qatarcentral", "southafricanorth", "southcentralus", "southeastasia",
    "spaincentral", "swedencentral", "switzerlandnorth", "uaenorth", "uksouth", "westeurope",
    "westus2", "westus3",
]);
