/**
 * Rule-level tests of policies/carbon-aware: each policy is called as the analyzer calls it, with
 * the resource's type, props and provider, and its reported messages are inspected. Expected
 * intensities come straight from the CO2.js datasets.
 */
import { describe, expect, it } from "vitest";
import type { PolicyProviderResource, ResourceValidationArgs, ResourceValidationPolicy, StackValidationArgs } from "@pulumi/policy";
import * as em from "@tgwf/co2/data/electricity-maps";
import {
    allowedGeographiesPolicy,
    lowerCarbonRegionPolicy,
    maxIntensityPolicy,
    placementOf,
    placementSummaryPolicy,
} from "../policies/carbon-aware/rules";
import { WORLD_AVERAGE_INTENSITY, latestFullYear } from "../components/regions/intensity";

const YEAR = latestFullYear();
const raw = (zone: string, year = YEAR): number =>
    (em as unknown as Record<string, { data: Record<string, { carbonIntensity: { value: number } }> }>)[`yearly${year}`].data[zone].carbonIntensity.value;

const awsProvider = (region: string): PolicyProviderResource => ({
    type: "pulumi:providers:aws",
    name: "aws",
    urn: "urn:pulumi:dev::platform::pulumi:providers:aws::aws",
    props: { region },
});

function resourceArgs(type: string, name: string, props: Record<string, any>, config: object = {}, provider?: PolicyProviderResource) {
    return {
        type,
        name,
        urn: `urn:pulumi:dev::platform::${type}::${name}`,
        props,
        opts: {},
        provider,
        getConfig: () => config,
        notApplicable: (reason?: string) => {
            throw new Error(`not applicable: ${reason}`);
        },
    } as unknown as ResourceValidationArgs;
}

function run(policy: ResourceValidationPolicy, args: ResourceValidationArgs): string[] {
    const out: string[] = [];
    const validate = policy.validateResource as (a: ResourceValidationArgs, report: (m: string) => void) => void;
    validate(args, (m: string) => out.push(m));
    return out;
}

describe("placementOf", () => {
    it("reads the AWS provider's region, or the resource's own region first", () => {
        expect(placementOf("aws:eks/cluster:Cluster", {}, awsProvider("eu-central-1"))).toMatchObject({ region: "eu-central-1", from: "provider.region" });
        expect(placementOf("aws:s3/bucket:Bucket", { region: "eu-north-1" }, awsProvider("eu-central-1"))).toMatchObject({ region: "eu-north-1", from: "props.region" });
        // Global APIs are not placed by the provider's region.
        expect(placementOf("aws:iam/role:Role", {}, awsProvider("eu-central-1"))).toBeUndefined();
    });

    it("reads Azure location (display names too) and GCP region / location / zone", () => {
        expect(placementOf("azure-native:network:VirtualNetwork", { location: "West Europe" })).toMatchObject({ cloud: "azure", region: "westeurope" });
        expect(placementOf("gcp:container/cluster:Cluster", { location: "europe-west1" })).toMatchObject({ region: "europe-west1", from: "props.location" });
        expect(placementOf("gcp:compute/instance:Instance", { zone: "europe-west3-b" })).toMatchObject({ region: "europe-west3", from: "props.zone" });
        expect(placementOf("gcp:compute/subnetwork:Subnetwork", { region: "us-west1" })?.info?.gridZone).toBe("US-NW-PACW");
        expect(placementOf("pulumi:providers:aws", { region: "eu-central-1" })).toBeUndefined();
        // Global and multi-region locations are not placed on one grid.
        expect(placementOf("azure-native:network:PrivateZone", { location: "global" })).toBeUndefined();
        expect(placementOf("gcp:storage/bucket:Bucket", { location: "EU" })).toBeUndefined();
        const gcpProvider = { type: "pulumi:providers:gcp", name: "gcp", urn: "u", props: { region: "europe-north1" } };
        expect(placementOf("gcp:compute/globalAddress:GlobalAddress", {}, gcpProvider)).toBeUndefined();
        expect(placementOf("gcp:compute/router:Router", {}, gcpProvider)).toMatchObject({ region: "europe-north1", from: "provider.region" });
    });
});

describe("CA-01 maximum grid intensity", () => {
    it("is violated above the default maximum (the CO2.js world average) and names a cleaner region", () => {
        // Poland's grid is far above the world average in every shipped year.
        const pl = raw("PL");
        expect(pl).toBeGreaterThan(WORLD_AVERAGE_INTENSITY);
        const out = run(maxIntensityPolicy, resourceArgs("gcp:container/cluster:Cluster", "gke", { location: "europe-central2" }));
        expect(out).toHaveLength(1);
        expect(out[0]).toContain(`[CA-01] gcp:container/cluster:Cluster "gke" runs in europe-central2`);
        expect(out[0]).toContain(`at ${pl} gCO2e/kWh (Electricity Maps ${YEAR} via @tgwf/co2, ODbL), above the maximum of ${WORLD_AVERAGE_INTENSITY}`);
        expect(out[0]).toMatch(/europe-north2 \(Stockholm, Sweden\) in the same geography/);
    });

    it("passes at or below the maximum and honours a configured maximum and year", () => {
        expect(run(maxIntensityPolicy, resourceArgs("aws:eks/cluster:Cluster", "eks", {}, {}, awsProvider("eu-north-1")))).toEqual([]);
        const de2021 = raw("DE", 2021);
        const out = run(maxIntensityPolicy, resourceArgs("aws:eks/cluster:Cluster", "eks", {}, { maxIntensity: 100, year: 2021 }, awsProvider("eu-central-1")));
        expect(out[0]).toContain(`at ${de2021} gCO2e/kWh (Electricity Maps 2021`);
        expect(out[0]).toContain("above the maximum of 100");
        expect(run(maxIntensityPolicy, resourceArgs("aws:eks/cluster:Cluster", "eks", {}, { maxIntensity: de2021 }, awsProvider("eu-central-1")))).toHaveLength(
            raw("DE") > de2021 ? 1 : 0,
        );
    });
});

describe("CA-02 allowed geographies", () => {
    it("flags a region outside the allowed geographies and an uncatalogued region", () => {
        const cfg = { allowedGeographies: ["EU"] };
        const out = run(allowedGeographiesPolicy, resourceArgs("aws:eks/cluster:Cluster", "eks", {}, cfg, awsProvider("us-east-1")));
        expect(out).toEqual([expect.stringContaining("geography US, outside the allowed geographies EU")]);
        expect(run(allowedGeographiesPolicy, resourceArgs("aws:eks/cluster:Cluster", "eks", {}, cfg, awsProvider("eu-west-3")))).toEqual([]);
        expect(run(allowedGeographiesPolicy, resourceArgs("azure-native:resources:ResourceGroup", "rg", { location: "mars-north" }, cfg))[0]).toMatch(
            /"mars-north" .* not a azure region of the catalogue/,
        );
        // No geography configured: any geography is allowed.
        expect(run(allowedGeographiesPolicy, resourceArgs("aws:eks/cluster:Cluster", "eks", {}, {}, awsProvider("us-east-1")))).toEqual([]);
    });
});

describe("CA-03 lower-carbon region", () => {
    it("names the lowest-carbon region offering the same services and the saving", () => {
        const de = raw("DE");
        const se = raw("SE-SE3");
        const out = run(lowerCarbonRegionPolicy, resourceArgs("aws:msk/cluster:Cluster", "kafka", {}, { needs: ["kubernetes"] }, awsProvider("eu-central-1")));
        expect(out).toHaveLength(1);
        expect(out[0]).toContain(`eu-north-1 (Stockholm, Sweden) in EU offers kafka, kubernetes at ${se} gCO2e/kWh`);
        expect(out[0]).toContain(`${Math.round(((de - se) / de) * 1000) / 10}% less`);
    });

    it("says nothing for the best region, non-anchor resources, or excluded alternatives it cannot beat", () => {
        expect(run(lowerCarbonRegionPolicy, resourceArgs("aws:eks/cluster:Cluster", "eks", {}, {}, awsProvider("eu-north-1")))).toEqual([]);
        expect(run(lowerCarbonRegionPolicy, resourceArgs("aws:ec2/vpc:Vpc", "vpc", {}, {}, awsProvider("eu-central-1")))).toEqual([]);
        const out = run(lowerCarbonRegionPolicy, resourceArgs("aws:eks/cluster:Cluster", "eks", {}, { excludedRegions: ["eu-north-1"] }, awsProvider("eu-central-1")));
        expect(out[0]).not.toContain("eu-north-1 (");
    });

    it("reports Azure westus2 as unknown intensity rather than guessing", () => {
        const out = run(lowerCarbonRegionPolicy, resourceArgs("azure-native:containerservice:ManagedCluster", "aks", { location: "westus2" }));
        expect(out[0]).toMatch(/intensity is unknown \(grid zone unresolved\)/);
    });
});

describe("CA-04 placement summary", () => {
    it("summarises resources per region with intensity and the best region", () => {
        const resources = [
            { type: "aws:eks/cluster:Cluster", name: "eks", props: {}, provider: awsProvider("eu-central-1") },
            { type: "aws:ec2/vpc:Vpc", name: "vpc", props: {}, provider: awsProvider("eu-central-1") },
            { type: "gcp:container/cluster:Cluster", name: "gke", props: { location: "europe-north1" } },
            { type: "aws:iam/role:Role", name: "role", props: {}, provider: awsProvider("eu-central-1") },
        ].map((r) => ({ ...r, urn: `urn:${r.name}`, opts: {}, isType: () => false, asType: () => undefined }));
        const out: string[] = [];
        placementSummaryPolicy.validateStack(
            { resources, getConfig: () => ({}) } as unknown as StackValidationArgs,
            (m: string) => out.push(m),
        );
        expect(out).toHaveLength(1);
        expect(out[0]).toContain(`aws eu-central-1: 2 resource(s) at ${raw("DE")} gCO2e/kWh; lowest in EU: eu-north-1 ${raw("SE-SE3")}`);
        expect(out[0]).toContain(`gcp europe-north1: 1 resource(s) at ${raw("FI")} gCO2e/kWh`);
    });
});
