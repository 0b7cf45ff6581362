/**
 * Where a resource runs, read from what the analyzer sees: the resource's own region / location /
 * zone, or its provider's (the analyzer's `provider` field carries the provider's properties; an AWS
 * resource normally takes its region from the provider).
 */
import type { PolicyProviderResource } from "@pulumi/policy";
import { findRegion, type Cloud, type RegionInfo } from "../../../components/regions";
import { latestFullYear, zoneIntensity } from "../../../components/regions/intensity";
import type { PlatformService } from "../../../components/regions/services";

export interface Placement {
    cloud: Cloud;
    /** Region name as the provider spells it (Azure display names normalised, GCP zones cut to the region). */
    region: string;
    /** Which property the region was read from, e.g. "props.location" or "provider.region". */
    from: string;
    /** The catalogue entry; undefined when the region is not in the catalogue. */
    info?: RegionInfo;
}

/**
 * Types whose API is global: the provider's region says nothing about where they run, so they are
 * only placed when they carry their own region.
 */
const GLOBAL_TYPE_PREFIXES = [
    "aws:iam/", "aws:route53/", "aws:cloudfront/", "aws:organizations/", "aws:shield/", "aws:waf/",
    "gcp:projects/", "gcp:serviceaccount/", "gcp:compute/global", "gcp:organizations/", "gcp:folder/", "gcp:dns/",
    "azure-native:authorization:", "azure-native:resources:Deployment",
];

export function cloudOfType(type: string): Cloud | undefined {
    if (type.startsWith("pulumi:providers:")) return undefined;
    if (type.startsWith("aws:")) return "aws";
    if (type.startsWith("azure-native:") || type.startsWith("azure:")) return "azure";
    if (type.startsWith("gcp:")) return "gcp";
    return undefined;
}

const str = (v: unknown): string | undefined => (typeof v === "string" && v.trim() ? v.trim() : undefined);

/** "West Europe" → "westeurope" (Azure accepts both spellings). */
const azureName = (v: string) => v.toLowerCase().replace(/\s+/g, "");
/** "europe-west1-b" → "europe-west1"; regions pass through. */
const gcpRegion = (v: string) => (/^[a-z]+-[a-z]+\d+-[a-z]$/.test(v) ? v.replace(/-[a-z]$/, "") : v);

export function placementOf(type: string, props: Record<string, any>, provider?: PolicyProviderResource): Placement | undefined {
    const cloud = cloudOfType(type);
    if (!cloud) return undefined;
    const own: [string, unknown][] =
        cloud === "aws" ? [["props.region", props.region]]
        : cloud === "azure" ? [["props.location", props.location]]
        : [["props.region", props.region], ["props.location", props.location], ["props.zone", props.zone]];
    const global = GLOBAL_TYPE_PREFIXES.some((p) => type.startsWith(p));
    const fromProvider: [string, unknown][] = global || !provider ? []
        : cloud === "aws" ? [["provider.region", provider.props?.region]]
        : cloud === "azure" ? [["provider.location", provider.props?.location]]
        : [["provider.region", provider.props?.region], ["provider.zone", provider.props?.zone]];
    for (const [from, value] of [...own, ...fromProvider]) {
        const raw = str(value);
        if (!raw) continue;
        const region = cloud === "azure" ? azureName(raw) : cloud === "gcp" ? gcpRegion(raw) : raw;
        // Global and multi-region locations (Azure "global", GCP "global", "EU", "nam4") are not one grid.
        if (region.toLowerCase() === "global") return undefined;
        if (cloud === "gcp" && !/^[a-z]+-[a-z]+\d+$/.test(region)) return undefined;
        return { cloud, region, from, info: findRegion(cloud, region) };
    }
    return undefined;
}

/** Intensity of a placement in a year; null when the region or its grid zone is unknown. */
export function intensityOfPlacement(p: Placement, year: number = latestFullYear()): number | null {
    const zone = p.info?.gridZone;
    return zone ? zoneIntensity(zone, year) ?? null : null;
}

/** The platform service a resource type provides, if it is one of the workload anchors. */
const SERVICE_OF_TYPE: Record<string, PlatformService> = {
    "aws:eks/cluster:Cluster": "kubernetes",
    "azure-native:containerservice:ManagedCluster": "kubernetes",
    "gcp:container/cluster:Cluster": "kubernetes",
    "aws:msk/cluster:Cluster": "kafka",
    "aws:msk/serverlessCluster:ServerlessCluster": "kafka",
    "azure-native:eventhub:Namespace": "kafka",
    "gcp:managedkafka/cluster:Cluster": "kafka",
    "aws:lambda/function:Function": "serverless",
    "aws:ecs/expressGatewayService:ExpressGatewayService": "serverless",
    "azure-native:app:ContainerApp": "serverless",
    "azure-native:app:ManagedEnvironment": "serverless",
    "gcp:cloudrunv2/service:Service": "serverless",
    "gcp:cloudrunv2/job:Job": "serverless",
};

export function serviceOfType(type: string): PlatformService | undefined {
    return SERVICE_OF_TYPE[type];
}
