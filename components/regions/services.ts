/**
 * Which regions offer the managed services the platform needs, per cloud: a reviewed table built
 * from the reference material's researched service-regions table plus the sources added in the 2026-11 audit (sources and
 * dates in SOURCES.md and in `SERVICE_SOURCES`).
 *
 * A region missing from a list is "unverified", not "unavailable", unless the list is complete by
 * construction (botocore's endpoints.json enumerates every regional endpoint of the `aws` partition).
 * Where no per-region list was found (Azure Container Apps; GCP Managed Kafka) every region is
 * "unverified": the ranking says so instead of assuming.
 */
import { REGIONS, type Cloud } from "./catalog";
import { AZURE_ZONAL_REGIONS } from "./index";

/** Services a stack can need from a region. */
export const PLATFORM_SERVICES = ["kubernetes", "kafka", "serverless"] as const;
export type PlatformService = (typeof PLATFORM_SERVICES)[number];

export type Availability = "available" | "unverified" | "unavailable";

export interface ServiceStatus {
    service: PlatformService;
    /** The provider product that implements the service on this cloud. */
    product: string;
    status: Availability;
    /** The source the status rests on (a key of SERVICE_SOURCES), or why it is unverified. */
    source: string;
}

export const SERVICE_SOURCES: Record<string, { what: string; date: string }> = {
    "botocore-endpoints": {
        what: "boto/botocore botocore/data/endpoints.json, partition aws (an endpoint means the API exists in the region)",
        date: "commit f6c1739, 2026-08-07",
    },
    "aws-msk-serverless-doc": {
        what: "Amazon MSK Developer Guide, What is MSK Serverless? (docs.aws.amazon.com/msk/latest/developerguide/serverless.html)",
        date: "stored copy, undated",
    },
    "awsdocs-ecs-fargate-regions-2023": {
        what: "awsdocs/amazon-ecs-developer-guide doc_source/AWS_Fargate-Regions.md, Linux table (archived copy)",
        date: "undated (older)",
    },
    "aws-ecs-fargate-regions-doc-partial": {
        what: "AWS Fargate Regions page (current, copy truncated after ap-southeast-5; used for 4 newer regions only)",
        date: "stored copy, undated",
    },
    "gcp-cloud-run-locations-doc": {
        what: "cloud.google.com/run/docs/locations (Tier 1 and Tier 2 regions)",
        date: "stored copy, undated",
    },
    "botocore-1.43.11-endpoints": {
        what: "botocore 1.43.11 (PyPI) botocore/data/endpoints.json, partition aws, service lambda: an endpoint in all 34 commercial regions (the same release lists eks, kafka and ecs in all 34 too)",
        date: "botocore 1.43.11, reviewed 2026-11",
    },
    "azure-service-categories-foundational": {
        what: "Microsoft Learn, Available services by region types and categories (MicrosoftDocs/azure-docs articles/reliability/availability-service-by-category.md): Azure Event Hubs is foundational, i.e. available in all recommended and alternate regions once the region is generally available",
        date: "azure-docs commits 53f11ed and 029cffb (page dated 2022-08-18), reviewed 2026-11",
    },
    "azure-service-categories-mainstream": {
        what: "Microsoft Learn, Available services by region types and categories: AKS is mainstream, i.e. available in all recommended regions (the regions with availability zones, AZURE_ZONAL_REGIONS) within 90 days of the region's general availability; demand-driven in alternate regions",
        date: "azure-docs commits 53f11ed and 029cffb (page dated 2022-08-18), reviewed 2026-11",
    },
    "gcp-service-mesh-gke-regions-doc": {
        what: "cloud.google.com/service-mesh/v1.21/docs/onboarding/kubernetes-off-gcp/install/migrate-in-cluster-to-managed-on-new-cluster: the regions GKE clusters must be in for the managed control plane (each listed region offers GKE; not exhaustive)",
        date: "stored copy, undated (Cloud Service Mesh 1.21)",
    },
};

interface Listing {
    cloud: Cloud;
    /** Product key as in service-regions.csv. */
    service: string;
    source: keyof typeof SERVICE_SOURCES;
    regions: readonly string[];
}

/** Rows of the researched service-regions table, grouped by cloud, product and source (reviewed 2026-11). */
export const SERVICE_LISTINGS: readonly Listing[] = [
    { cloud: "aws", service: "eks", source: "botocore-endpoints", regions: ["af-south-1", "ap-east-1", "ap-east-2", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ap-south-1", "ap-south-2", "ap-southeast-1", "ap-southeast-2", "ap-southeast-3", "ap-southeast-4", "ap-southeast-5", "ap-southeast-6", "ap-southeast-7", "ca-central-1", "ca-west-1", "eu-central-1", "eu-central-2", "eu-north-1", "eu-south-1", "eu-south-2", "eu-west-1", "eu-west-2", "eu-west-3", "il-central-1", "me-central-1", "me-south-1", "mx-central-1", "sa-east-1", "us-east-1", "us-east-2", "us-west-1", "us-west-2"] },
    { cloud: "aws", service: "msk", source: "botocore-endpoints", regions: ["af-south-1", "ap-east-1", "ap-east-2", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ap-south-1", "ap-south-2", "ap-southeast-1", "ap-southeast-2", "ap-southeast-3", "ap-southeast-4", "ap-southeast-5", "ap-southeast-6", "ap-southeast-7", "ca-central-1", "ca-west-1", "eu-central-1", "eu-central-2", "eu-north-1", "eu-south-1", "eu-south-2", "eu-west-1", "eu-west-2", "eu-west-3", "il-central-1", "me-central-1", "me-south-1", "mx-central-1", "sa-east-1", "us-east-1", "us-east-2", "us-west-1", "us-west-2"] },
    { cloud: "aws", service: "apprunner", source: "botocore-endpoints", regions: ["ap-northeast-1", "ap-south-1", "ap-southeast-1", "ap-southeast-2", "eu-central-1", "eu-west-1", "eu-west-2", "eu-west-3", "us-east-1", "us-east-2", "us-west-2"] },
    { cloud: "aws", service: "ecs", source: "botocore-endpoints", regions: ["af-south-1", "ap-east-1", "ap-east-2", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ap-south-1", "ap-south-2", "ap-southeast-1", "ap-southeast-2", "ap-southeast-3", "ap-southeast-4", "ap-southeast-5", "ap-southeast-6", "ap-southeast-7", "ca-central-1", "ca-west-1", "eu-central-1", "eu-central-2", "eu-north-1", "eu-south-1", "eu-south-2", "eu-west-1", "eu-west-2", "eu-west-3", "il-central-1", "me-central-1", "me-south-1", "mx-central-1", "sa-east-1", "us-east-1", "us-east-2", "us-west-1", "us-west-2"] },
    { cloud: "aws", service: "msk-serverless", source: "aws-msk-serverless-doc", regions: ["ap-northeast-1", "ap-northeast-2", "ap-south-1", "ap-southeast-1", "ap-southeast-2", "ca-central-1", "eu-central-1", "eu-north-1", "eu-west-1", "eu-west-2", "eu-west-3", "us-east-1", "us-east-2", "us-west-2"] },
    { cloud: "aws", service: "ecs-fargate-linux", source: "awsdocs-ecs-fargate-regions-2023", regions: ["af-south-1", "ap-east-1", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ap-south-1", "ap-south-2", "ap-southeast-1", "ap-southeast-2", "ap-southeast-3", "ap-southeast-4", "ca-central-1", "eu-central-1", "eu-central-2", "eu-north-1", "eu-south-1", "eu-south-2", "eu-west-1", "eu-west-2", "eu-west-3", "me-central-1", "me-south-1", "sa-east-1", "us-east-1", "us-east-2", "us-west-1", "us-west-2"] },
    { cloud: "aws", service: "ecs-fargate-linux", source: "aws-ecs-fargate-regions-doc-partial", regions: ["ap-southeast-5", "ap-southeast-7", "ca-west-1", "mx-central-1"] },
    { cloud: "aws", service: "lambda", source: "botocore-1.43.11-endpoints", regions: ["af-south-1", "ap-east-1", "ap-east-2", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ap-south-1", "ap-south-2", "ap-southeast-1", "ap-southeast-2", "ap-southeast-3", "ap-southeast-4", "ap-southeast-5", "ap-southeast-6", "ap-southeast-7", "ca-central-1", "ca-west-1", "eu-central-1", "eu-central-2", "eu-north-1", "eu-south-1", "eu-south-2", "eu-west-1", "eu-west-2", "eu-west-3", "il-central-1", "me-central-1", "me-south-1", "mx-central-1", "sa-east-1", "us-east-1", "us-east-2", "us-west-1", "us-west-2"] },
    // Event Hubs is a foundational service: every generally available region of the catalogue (58 Physical regions).
    { cloud: "azure", service: "eventhubs", source: "azure-service-categories-foundational", regions: REGIONS.filter((r) => r.cloud === "azure").map((r) => r.region) },
    // AKS is mainstream: guaranteed in the recommended (zonal) regions only; alternate regions stay unverified.
    { cloud: "azure", service: "aks", source: "azure-service-categories-mainstream", regions: [...AZURE_ZONAL_REGIONS].sort() },
    { cloud: "gcp", service: "gke", source: "gcp-service-mesh-gke-regions-doc", regions: ["asia-east1", "asia-east2", "asia-northeast1", "asia-northeast2", "asia-northeast3", "asia-south1", "asia-south2", "asia-southeast1", "asia-southeast2", "australia-southeast1", "australia-southeast2", "europe-central2", "europe-north1", "europe-southwest1", "europe-west1", "europe-west2", "europe-west3", "europe-west4", "europe-west6", "europe-west8", "europe-west9", "me-central1", "me-central2", "me-west1", "northamerica-northeast1", "northamerica-northeast2", "southamerica-east1", "southamerica-west1", "us-central1", "us-east1", "us-east4", "us-east5", "us-south1", "us-west1", "us-west2", "us-west3", "us-west4"] },
    { cloud: "gcp", service: "cloud-run", source: "gcp-cloud-run-locations-doc", regions: ["africa-south1", "asia-east1", "asia-east2", "asia-northeast1", "asia-northeast2", "asia-northeast3", "asia-south1", "asia-south2", "asia-southeast1", "asia-southeast2", "australia-southeast1", "australia-southeast2", "europe-central2", "europe-north1", "europe-southwest1", "europe-west1", "europe-west10", "europe-west12", "europe-west2", "europe-west3", "europe-west4", "europe-west6", "europe-west8", "europe-west9", "me-central1", "me-central2", "me-west1", "northamerica-northeast1", "northamerica-northeast2", "southamerica-east1", "southamerica-west1", "us-central1", "us-east1", "us-east4", "us-east5", "us-south1", "us-west1", "us-west2", "us-west3", "us-west4"] },
];

interface Product {
    product: string;
    /** Product key in SERVICE_LISTINGS; absent when no per-region list was found. */
    listing?: string;
    /** True when a region missing from the listing really lacks the service. */
    complete?: boolean;
    /** How to check availability where no list exists. */
    howToVerify?: string;
    /** Products that together implement the service: the status is the worst of theirs. */
    parts?: Product[];
}

/**
 * The product behind each platform service. AWS serverless is ECS on Fargate: App Runner is closed
 * to new customers since 2026-04-30, so its listing is kept for reference only.
 */
export const SERVICE_PRODUCTS: Record<Cloud, Record<PlatformService, Product>> = {
    aws: {
        kubernetes: { product: "Amazon EKS", listing: "eks", complete: true },
        kafka: { product: "Amazon MSK (provisioned)", listing: "msk", complete: true },
        // components/serverless: Lambda for scale-to-zero services, ECS Express Mode (Fargate) for always-on ones.
        serverless: {
            product: "AWS Lambda + ECS Express Mode on Fargate",
            parts: [
                { product: "AWS Lambda", listing: "lambda", complete: true },
                { product: "Amazon ECS on AWS Fargate (Linux)", listing: "ecs-fargate-linux", complete: false },
            ],
        },
    },
    azure: {
        kubernetes: { product: "Azure Kubernetes Service", listing: "aks", complete: false, howToVerify: "az provider show -n Microsoft.ContainerService (resourceTypes[].locations)" },
        kafka: { product: "Azure Event Hubs (Standard or higher, Kafka endpoint)", listing: "eventhubs", complete: false, howToVerify: "az provider show -n Microsoft.EventHub" },
        serverless: { product: "Azure Container Apps", howToVerify: "az provider show -n Microsoft.App" },
    },
    gcp: {
        kubernetes: { product: "Google Kubernetes Engine", listing: "gke", complete: false, howToVerify: "gcloud container get-server-config --location <region>" },
        kafka: { product: "Managed Service for Apache Kafka", howToVerify: "gcloud managed-kafka locations list (projects.locations.list)" },
        serverless: { product: "Cloud Run", listing: "cloud-run", complete: false },
    },
};

/**
 * Regions in the catalogue that are not generally available: us-central2 (Oklahoma) and us-east2
 * (Georgia) appear in Google's carbon data but in no public GCP location list (Cloud Run's, GKE's).
 */
export const NOT_GENERALLY_AVAILABLE: Readonly<Record<string, string>> = {
    "gcp/us-central2": "not a generally available GCP region (absent from public location lists)",
    "gcp/us-east2": "not a generally available GCP region (absent from public location lists)",
};

const RANK: Record<Availability, number> = { available: 0, unverified: 1, unavailable: 2 };

function productStatus(cloud: Cloud, region: string, p: Product): { status: Availability; source: string } {
    if (p.parts) {
        const parts = p.parts.map((part) => ({ part, ...productStatus(cloud, region, part) }));
        const worst = parts.reduce((a, b) => (RANK[b.status] > RANK[a.status] ? b : a));
        return { status: worst.status, source: parts.map((x) => `${x.part.product}: ${x.status} (${x.source})`).join("; ") };
    }
    if (!p.listing) return { status: "unverified", source: `no per-region list reviewed; verify with ${p.howToVerify}` };
    const listings = SERVICE_LISTINGS.filter((l) => l.cloud === cloud && l.service === p.listing);
    const hit = listings.find((l) => l.regions.includes(region));
    if (hit) return { status: "available", source: hit.source };
    const sources = listings.map((l) => l.source).join(", ");
    return p.complete
        ? { status: "unavailable", source: `not offered per ${sources}` }
        : {
              status: "unverified",
              source: `not listed by ${sources} (a missing row is not proof of absence)${p.howToVerify ? `; verify with ${p.howToVerify}` : ""}`,
          };
}

/** Availability of one platform service in one region, with the source it rests on. */
export function serviceStatus(cloud: Cloud, region: string, service: PlatformService): ServiceStatus {
    const p = SERVICE_PRODUCTS[cloud][service];
    const notGa = NOT_GENERALLY_AVAILABLE[`${cloud}/${region}`];
    if (notGa) return { service, product: p.product, status: "unavailable", source: notGa };
    return { service, product: p.product, ...productStatus(cloud, region, p) };
}
