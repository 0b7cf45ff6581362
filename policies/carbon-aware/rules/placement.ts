/**
 * Where a resource runs, read from what the analyzer sees through one typed reader per cloud: the
 * resource's own region / location / zone, or its provider's (the analyzer's `provider` field carries
 * the provider's properties; an AWS resource normally takes its region from the provider).
 *
 * The props interfaces name only the fields the pack reads, as the providers spell them:
 * AWS `region` (provider and, since @pulumi/aws 7, most resources), `tags` and the provider's
 * `defaultTags.tags`; azure-native `location` and `tags`; GCP `region` / `location` / `zone`, `labels`
 * (`resourceLabels` on gcp:container/cluster:Cluster) and the provider's `defaultLabels`. A provider's
 * object-valued inputs reach the analyzer JSON-encoded (as the Node SDK sends provider inputs), so they
 * are read either way.
 */
import type { PolicyProviderResource } from "@pulumi/policy";
import { findRegion, latestFullYear, zoneIntensity, type Cloud, type PlatformService, type RegionInfo } from "./regions";

export interface AwsResourceProps {
    region?: string;
    tags?: Record<string, string>;
}
export interface AzureResourceProps {
    location?: string;
    tags?: Record<string, string>;
}
export interface GcpResourceProps {
    region?: string;
    location?: string;
    zone?: string;
    labels?: Record<string, string>;
    resourceLabels?: Record<string, string>;
}
export interface AwsProviderProps {
    region?: string;
    /** Tags the provider puts on every resource it manages (JSON-encoded when it comes from a program). */
    defaultTags?: { tags?: Record<string, string> } | string;
}
export interface AzureProviderProps {
    location?: string;
}
export interface GcpProviderProps {
    region?: string;
    zone?: string;
    /** Labels the provider puts on every resource it manages (JSON-encoded when it comes from a program). */
    defaultLabels?: Record<string, string> | string;
}

/** A resource as a rule sees it: its type and name, its typed props and its provider's typed props. */
export interface TypedResource<P, Q> {
    type: string;
    name: string;
    props: P;
    provider?: Q;
}

export interface Placement {
    cloud: Cloud;
    /** Region name as the provider spells it (Azure display names normalised, GCP zones cut to the region). */
    region: string;
    /** Which property the region was read from, e.g. "props.location" or "provider.region". */
    from: string;
    /** The catalogue entry; undefined when the region is not in the catalogue. */
    info?: RegionInfo;
}

/** A resource with its placement: what every placement rule checks. */
export interface PlacedResource {
    type: string;
    name: string;
    placement: Placement;
}

/** One cloud's reader: which types are its, where their region is, which tags carry marks. */
export interface CloudReader<P, Q> {
    cloud: Cloud;
    /** Type-token prefix of the cloud's resources. */
    prefixes: string[];
    /** Candidate (from, value) pairs for the region, in order: the resource's own first. */
    regionOf(r: TypedResource<P, Q>, global: boolean): Array<[string, string | undefined]>;
    /** Normalises a raw region value; undefined for locations that are not one grid (global, multi-region). */
    normalise(raw: string): string | undefined;
    /** The tags / labels where a resource carries marks, its own first, then its provider's defaults (which the cloud applies to it). */
    marks(props: P, provider?: Q): Array<[string, Record<string, string> | undefined]>;
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

/** A provider's object-valued input, decoded when it arrives JSON-encoded; undefined when it is not an object. */
function providerObject<T extends object>(v: T | string | undefined): T | undefined {
    if (typeof v !== "string") return v && typeof v === "object" ? v : undefined;
    try {
        const parsed = JSON.parse(v) as unknown;
        return parsed && typeof parsed === "object" ? (parsed as T) : undefined;
    } catch {
        return undefined;
    }
}

const notGlobal = (v: string) => (v.toLowerCase() === "global" ? undefined : v);

export const AWS: CloudReader<AwsResourceProps, AwsProviderProps> = {
    cloud: "aws",
    prefixes: ["aws:"],
    regionOf: (r, global) => [["props.region", r.props.region], ...(global ? [] : [["provider.region", r.provider?.region]] as Array<[string, string | undefined]>)],
    normalise: notGlobal,
    marks: (p, q) => [["tags", p.tags], ["provider.defaultTags.tags", providerObject(q?.defaultTags)?.tags]],
};

export const AZURE: CloudReader<AzureResourceProps, AzureProviderProps> = {
    cloud: "azure",
    prefixes: ["azure-native:", "azure:"],
    regionOf: (r, global) => [["props.location", r.props.location], ...(global ? [] : [["provider.location", r.provider?.location]] as Array<[string, string | undefined]>)],
    // "West Europe" → "westeurope" (Azure accepts both spellings); "global" is not one grid.
    normalise: (v) => notGlobal(v.toLowerCase().replace(/\s+/g, "")),
    marks: (p) => [["tags", p.tags]],
};

export const GCP: CloudReader<GcpResourceProps, GcpProviderProps> = {
    cloud: "gcp",
    prefixes: ["gcp:"],
    regionOf: (r, global) => [
        ["props.region", r.props.region],
        ["props.location", r.props.location],
        ["props.zone", r.props.zone],
        ...(global ? [] : ([["provider.region", r.provider?.region], ["provider.zone", r.provider?.zone]] as Array<[string, string | undefined]>)),
    ],
    // "europe-west1-b" → "europe-west1"; "global", multi-regions ("EU", "nam4") are not one grid.
    normalise: (v) => {
        const region = /^[a-z]+-[a-z]+\d+-[a-z]$/.test(v) ? v.replace(/-[a-z]$/, "") : v;
        return /^[a-z]+-[a-z]+\d+$/.test(region) ? region : undefined;
    },
    marks: (p, q) => [["labels", p.labels], ["resourceLabels", p.resourceLabels], ["provider.defaultLabels", providerObject(q?.defaultLabels)]],
};

/** The readers, one per cloud; a type no reader claims (Kubernetes, random, providers) is never placed. */
export const CLOUD_READERS = [AWS, AZURE, GCP] as const;
export type AnyCloudReader = CloudReader<AwsResourceProps, AwsProviderProps> | CloudReader<AzureResourceProps, AzureProviderProps> | CloudReader<GcpResourceProps, GcpProviderProps>;

export function readerOfType(type: string): AnyCloudReader | undefined {
    if (type.startsWith("pulumi:providers:")) return undefined;
    return CLOUD_READERS.find((r) => r.prefixes.some((p) => type.startsWith(p)));
}

export function cloudOfType(type: string): Cloud | undefined {
    return readerOfType(type)?.cloud;
}

const str = (v: unknown): string | undefined => (typeof v === "string" && v.trim() ? v.trim() : undefined);

/** The placement of a typed resource of the reader's cloud, or undefined when it runs on no one grid. */
export function placeWith<P, Q>(reader: CloudReader<P, Q>, r: TypedResource<P, Q>): Placement | undefined {
    const global = GLOBAL_TYPE_PREFIXES.some((p) => r.type.startsWith(p));
    for (const [from, value] of reader.regionOf(r, global)) {
        const raw = str(value);
        if (!raw) continue;
        const region = reader.normalise(raw);
        if (!region) return undefined;
        return { cloud: reader.cloud, region, from, info: findRegion(reader.cloud, region) };
    }
    return undefined;
}

/** The placement of a resource as the analyzer hands it over (untyped props), through its cloud's reader. */
export function placementOf(type: string, props: Record<string, unknown>, provider?: PolicyProviderResource): Placement | undefined {
    const reader = readerOfType(type);
    if (!reader) return undefined;
    return placeWith(reader as CloudReader<unknown, unknown>, { type, name: "", props, provider: provider?.props });
}

/** Intensity of a placement in a year; null when the region or its grid zone is unknown. */
export function intensityOfPlacement(p: Placement, year: number = latestFullYear()): number | null {
    const zone = p.info?.gridZone;
    return zone ? zoneIntensity(zone, year) ?? null : null;
}

/**
 * The workload anchors, per resource type: the platform service each provides. CA-03 advises on
 * these only (moving a cluster moves its subnets; advising every subnet would repeat the advice).
 */
export const ANCHOR_SERVICES: Readonly<Record<string, PlatformService>> = {
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
    return ANCHOR_SERVICES[type];
}
