/**
 * Rule-level tests of policies/carbon-aware, in process: the typed readers place typed fixtures (each
 * cloud's props and provider props as the pack declares them), each typed check is called with a typed
 * config (passing, failing, and left unset: the defaults), and the @pulumi/policy adapter is called as
 * the analyzer calls it for the named exceptions. Expected intensities come straight from the CO2.js
 * datasets. The analyzer-protocol path is tests/carbon-policy-protocol.test.ts.
 */
import { describe, expect, it } from "vitest";
import type { PolicyProviderResource, ResourceValidation, ResourceValidationArgs, ResourceValidationPolicy, StackValidationArgs } from "@pulumi/policy";
import * as em from "@tgwf/co2/data/electricity-maps";
import {
    allowedGeographiesPolicy,
    carbonAwarePolicies,
    EXEMPTIBLE_POLICIES,
    lowerCarbonRegionPolicy,
    maxIntensityPolicy,
    placementOf,
    placementSummaryPolicy,
} from "../policies/carbon-aware/rules";
import { checkAllowedGeographies, checkLowerCarbonRegion, checkMaxIntensity, summarisePlacements } from "../policies/carbon-aware/rules/checks";
import { EXCEPTION_MARK, EXCEPTIONS_POLICY, setExceptions, type PolicyException } from "../policies/carbon-aware/rules/exceptions";
import {
    AWS,
    AZURE,
    GCP,
    placeWith,
    type AwsProviderProps,
    type AwsResourceProps,
    type AzureResourceProps,
    type CloudReader,
    type GcpProviderProps,
    type GcpResourceProps,
    type PlacedResource,
    type TypedResource,
} from "../policies/carbon-aware/rules/placement";
import { WORLD_AVERAGE_INTENSITY, latestFullYear } from "../components/regions/intensity";
import { DNS_LABEL } from "../components/contracts";

const YEAR = latestFullYear();
const raw = (zone: string, year = YEAR): number =>
    (em as unknown as Record<string, { data: Record<string, { carbonIntensity: { value: number } }> }>)[`yearly${year}`].data[zone].carbonIntensity.value;

// Typed fixtures: each cloud's resources as its reader declares them.
const aws = (type: string, name: string, region: string, props: AwsResourceProps = {}): TypedResource<AwsResourceProps, AwsProviderProps> => ({ type, name, props, provider: { region } });
const azure = (type: string, name: string, props: AzureResourceProps): TypedResource<AzureResourceProps, {}> => ({ type, name, props });
const gcp = (type: string, name: string, props: GcpResourceProps, provider?: GcpProviderProps): TypedResource<GcpResourceProps, GcpProviderProps> => ({ type, name, props, provider });

function placed<P, Q>(reader: CloudReader<P, Q>, r: TypedResource<P, Q>): PlacedResource {
    const placement = placeWith(reader, r);
    if (!placement) throw new Error(`${r.type} "${r.name}" is not placed`);
    return { type: r.type, name: r.name, placement };
}
const awsPlaced = (type: string, name: string, region: string, props?: AwsResourceProps) => placed(AWS, aws(type, name, region, props));

describe("the typed readers place each cloud's resources", () => {
    it("AWS: the resource's own region first, else the provider's; global APIs only by their own region", () => {
        expect(placeWith(AWS, aws("aws:eks/cluster:Cluster", "eks", "eu-central-1"))).toMatchObject({ region: "eu-central-1", from: "provider.region" });
        expect(placeWith(AWS, aws("aws:s3/bucket:Bucket", "b", "eu-central-1", { region: "eu-north-1" }))).toMatchObject({ region: "eu-north-1", from: "props.region" });
        expect(placeWith(AWS, aws("aws:iam/role:Role", "role", "eu-central-1"))).toBeUndefined();
        // Left unset: no region anywhere, not placed.
        expect(placeWith(AWS, { type: "aws:ec2/vpc:Vpc", name: "vpc", props: {} })).toBeUndefined();
    });

    it("Azure: location, display names normalised; global is not one grid", () => {
        expect(placeWith(AZURE, azure("azure-native:network:VirtualNetwork", "vnet", { location: "West Europe" }))).toMatchObject({ cloud: "azure", region: "westeurope" });
        expect(placeWith(AZURE, azure("azure-native:network:PrivateZone", "zone", { location: "global" }))).toBeUndefined();
        expect(placeWith(AZURE, azure("azure-native:resources:ResourceGroup", "rg", {}))).toBeUndefined();
    });

    it("GCP: region, location or zone (cut to the region), then the provider's; multi-regions are not placed", () => {
        expect(placeWith(GCP, gcp("gcp:container/cluster:Cluster", "gke", { location: "europe-west1" }))).toMatchObject({ region: "europe-west1", from: "props.location" });
        expect(placeWith(GCP, gcp("gcp:compute/instance:Instance", "vm", { zone: "europe-west3-b" }))).toMatchObject({ region: "europe-west3", from: "props.zone" });
        expect(placeWith(GCP, gcp("gcp:compute/subnetwork:Subnetwork", "s", { region: "us-west1" }))?.info?.gridZone).toBe("US-NW-PACW");
        expect(placeWith(GCP, gcp("gcp:storage/bucket:Bucket", "b", { location: "EU" }))).toBeUndefined();
        expect(placeWith(GCP, gcp("gcp:compute/globalAddress:GlobalAddress", "ip", {}, { region: "europe-north1" }))).toBeUndefined();
        expect(placeWith(GCP, gcp("gcp:compute/router:Router", "r", {}, { region: "europe-north1" }))).toMatchObject({ region: "europe-north1", from: "provider.region" });
    });

    it("placementOf routes an analyzer resource to its cloud's reader; providers and other types are never placed", () => {
        const provider: PolicyProviderResource = { type: "pulumi:providers:aws", name: "aws", urn: "u", props: { region: "eu-central-1" } };
        expect(placementOf("aws:eks/cluster:Cluster", {}, provider)).toMatchObject({ cloud: "aws", region: "eu-central-1" });
        expect(placementOf("pulumi:providers:aws", { region: "eu-central-1" })).toBeUndefined();
        expect(placementOf("kubernetes:core/v1:Namespace", { location: "westeurope" })).toBeUndefined();
    });
});

describe("CA-01 maximum grid intensity (checkMaxIntensity)", () => {
    it("fails above the maximum left unset (the CO2.js world average) and names a cleaner region", () => {
        const pl = raw("PL");
        expect(pl).toBeGreaterThan(WORLD_AVERAGE_INTENSITY);
        const out = checkMaxIntensity(placed(GCP, gcp("gcp:container/cluster:Cluster", "gke", { location: "europe-central2" })), {});
        expect(out).toHaveLength(1);
        expect(out[0]).toContain(`gcp:container/cluster:Cluster "gke" runs in europe-central2`);
        expect(out[0]).toContain(`at ${pl} gCO2e/kWh (Electricity Maps ${YEAR} via @tgwf/co2, ODbL), above the maximum of ${WORLD_AVERAGE_INTENSITY}`);
        expect(out[0]).toMatch(/europe-north2 \(Stockholm, Sweden\) in the same geography/);
    });

    it("passes at or below the maximum, and honours a configured maximum and year", () => {
        expect(checkMaxIntensity(awsPlaced("aws:eks/cluster:Cluster", "eks", "eu-north-1"), {})).toEqual([]);
        const de2021 = raw("DE", 2021);
        const frankfurt = awsPlaced("aws:eks/cluster:Cluster", "eks", "eu-central-1");
        const out = checkMaxIntensity(frankfurt, { maxIntensity: 100, year: 2021 });
        expect(out[0]).toContain(`at ${de2021} gCO2e/kWh (Electricity Maps 2021`);
        expect(out[0]).toContain("above the maximum of 100");
        expect(checkMaxIntensity(frankfurt, { maxIntensity: de2021, year: 2021 })).toEqual([]);
    });

    it("passes a region whose intensity is unknown rather than guessing", () => {
        expect(checkMaxIntensity(placed(AZURE, azure("azure-native:containerservice:ManagedCluster", "aks", { location: "westus2" })), { maxIntensity: 1 })).toEqual([]);
    });
});

describe("CA-02 allowed geographies (checkAllowedGeographies)", () => {
    it("fails outside the allowed geographies and for an uncatalogued region; passes inside", () => {
        const cfg = { allowedGeographies: ["EU" as const] };
        expect(checkAllowedGeographies(awsPlaced("aws:eks/cluster:Cluster", "eks", "us-east-1"), cfg)).toEqual([expect.stringContaining("geography US, outside the allowed geographies EU")]);
        expect(checkAllowedGeographies(awsPlaced("aws:eks/cluster:Cluster", "eks", "eu-west-3"), cfg)).toEqual([]);
        expect(checkAllowedGeographies(placed(AZURE, azure("azure-native:resources:ResourceGroup", "rg", { location: "mars-north" })), cfg)[0]).toMatch(
            /"mars-north" .* not a azure region of the catalogue/,
        );
    });

    it("left unset (or empty): any geography", () => {
        expect(checkAllowedGeographies(awsPlaced("aws:eks/cluster:Cluster", "eks", "us-east-1"), {})).toEqual([]);
        expect(checkAllowedGeographies(awsPlaced("aws:eks/cluster:Cluster", "eks", "us-east-1"), { allowedGeographies: [] })).toEqual([]);
    });
});

describe("CA-03 lower-carbon region (checkLowerCarbonRegion)", () => {
    it("fails with the lowest-carbon region offering the same services and the saving", () => {
        const de = raw("DE");
        const se = raw("SE-SE3");
        const out = checkLowerCarbonRegion(awsPlaced("aws:msk/cluster:Cluster", "kafka", "eu-central-1"), { needs: ["kubernetes"] });
        expect(out).toHaveLength(1);
        expect(out[0]).toContain(`eu-north-1 (Stockholm, Sweden) in EU offers kafka, kubernetes at ${se} gCO2e/kWh`);
        expect(out[0]).toContain(`${Math.round(((de - se) / de) * 1000) / 10}% less`);
    });

    it("passes the best region, non-anchor types, savings under minSavingPct, and alternatives it may not suggest", () => {
        expect(checkLowerCarbonRegion(awsPlaced("aws:eks/cluster:Cluster", "eks", "eu-north-1"), {})).toEqual([]);
        expect(checkLowerCarbonRegion(awsPlaced("aws:ec2/vpc:Vpc", "vpc", "eu-central-1"), {})).toEqual([]);
        expect(checkLowerCarbonRegion(awsPlaced("aws:eks/cluster:Cluster", "eks", "eu-central-1"), { minSavingPct: 100 })).toEqual([]);
        const out = checkLowerCarbonRegion(awsPlaced("aws:eks/cluster:Cluster", "eks", "eu-central-1"), { excludedRegions: ["eu-north-1"] });
        expect(out.join("")).not.toContain("eu-north-1 (");
    });

    it("left unset: advises at the default 10% saving; an unknown intensity is said, not guessed", () => {
        expect(checkLowerCarbonRegion(awsPlaced("aws:eks/cluster:Cluster", "eks", "eu-central-1"), {})).toHaveLength(1);
        const out = checkLowerCarbonRegion(placed(AZURE, azure("azure-native:containerservice:ManagedCluster", "aks", { location: "westus2" })), {});
        expect(out[0]).toMatch(/intensity is unknown \(grid zone unresolved\)/);
    });
});

describe("CA-04 placement summary (summarisePlacements)", () => {
    it("summarises placed resources per region with intensity and the best region", () => {
        const out = summarisePlacements(
            [
                awsPlaced("aws:eks/cluster:Cluster", "eks", "eu-central-1"),
                awsPlaced("aws:ec2/vpc:Vpc", "vpc", "eu-central-1"),
                placed(GCP, gcp("gcp:container/cluster:Cluster", "gke", { location: "europe-north1" })),
            ],
            {},
        );
        expect(out).toHaveLength(1);
        expect(out[0]).toContain(`aws eu-central-1: 2 resource(s) at ${raw("DE")} gCO2e/kWh; lowest in EU: eu-north-1 ${raw("SE-SE3")}`);
        expect(out[0]).toContain(`gcp europe-north1: 1 resource(s) at ${raw("FI")} gCO2e/kWh`);
    });

    it("says nothing when nothing is placed, and the policy skips unplaced resources", () => {
        expect(summarisePlacements([], {})).toEqual([]);
        const awsProvider: PolicyProviderResource = { type: "pulumi:providers:aws", name: "aws", urn: "u", props: { region: "eu-central-1" } };
        const resources = [
            { type: "aws:eks/cluster:Cluster", name: "eks", props: {}, provider: awsProvider },
            { type: "aws:iam/role:Role", name: "role", props: {}, provider: awsProvider },
        ].map((r) => ({ ...r, urn: `urn:${r.name}`, opts: {}, isType: () => false, asType: () => undefined }));
        const out: string[] = [];
        placementSummaryPolicy.validateStack({ resources, getConfig: () => ({}) } as unknown as StackValidationArgs, (m: string) => out.push(m));
        expect(out).toEqual([expect.stringMatching(/^\[CA-04\] Placements .*aws eu-central-1: 1 resource\(s\)/)]);
    });
});

describe("the adapter: one typed validation per cloud, named exceptions", () => {
    interface Outcome {
        reported: string[];
        notApplicable?: string;
    }
    function args(type: string, name: string, props: Record<string, unknown>, config: object, providerProps: Record<string, unknown> | undefined, outcome: Outcome): ResourceValidationArgs {
        return {
            type,
            name,
            urn: `urn:pulumi:dev::platform::${type}::${name}`,
            props,
            opts: {},
            provider: providerProps ? { type: "pulumi:providers:x", name: "p", urn: "u", props: providerProps } : undefined,
            getConfig: () => config,
            notApplicable: (reason?: string) => {
                outcome.notApplicable = reason;
                throw new Error("not applicable");
            },
        } as unknown as ResourceValidationArgs;
    }
    const validations = (p: ResourceValidationPolicy) => ([] as ResourceValidation[]).concat(p.validateResource ?? []);
    /**
     * Analyzes one resource as @pulumi/policy's server does: the pack's policies in order (the
     * exceptions policy first, with `exceptions` as its config), every validation of `policy`.
     */
    function analyze(policy: ResourceValidationPolicy, type: string, name: string, props: Record<string, unknown>, config: object, providerProps?: Record<string, unknown>, exceptions: PolicyException[] = []): Outcome {
        const outcome: Outcome = { reported: [] };
        const report = (m: string) => outcome.reported.push(m);
        for (const v of validations(exceptionsPolicy)) v(args(type, name, props, { exceptions }, providerProps, outcome), report);
        try {
            for (const v of validations(policy)) v(args(type, name, props, config, providerProps, outcome), report);
        } catch (e) {
            if (outcome.notApplicable === undefined) throw e;
        }
        return outcome;
    }
    const exceptionsPolicy = carbonAwarePolicies[0] as ResourceValidationPolicy;
    const legacy: PolicyException = { name: "legacy-warsaw", reason: "the payments ledger stays in Poland until 2027 (ticket CO2-12)", policies: ["ca-01-max-grid-intensity", "ca-02-allowed-geographies"] };

    it("serves the exceptions policy first; every resource policy has one validation per cloud", () => {
        expect(carbonAwarePolicies.map((p) => p.name)).toEqual([EXCEPTIONS_POLICY, "ca-01-max-grid-intensity", "ca-02-allowed-geographies", "ca-03-lower-carbon-region", "ca-04-placement-summary"]);
        for (const p of [maxIntensityPolicy, allowedGeographiesPolicy, lowerCarbonRegionPolicy]) expect(validations(p)).toHaveLength(3);
        const item = exceptionsPolicy.configSchema!.properties.exceptions.items as { properties: Record<string, any> };
        // An exception may name the resource policies only; its name is the platform's DNS label.
        expect(item.properties.policies.items.enum).toEqual(["ca-01-max-grid-intensity", "ca-02-allowed-geographies", "ca-03-lower-carbon-region"]);
        expect(item.properties.name.pattern).toBe(DNS_LABEL.source);
    });

    it("reports the check's messages with the rule id; a marked resource whose exception lists the policy is exempt, with name and reason", () => {
        const props = { location: "europe-central2", resourceLabels: { [EXCEPTION_MARK]: legacy.name } };
        const denied = analyze(maxIntensityPolicy, "gcp:container/cluster:Cluster", "gke", props, {});
        expect(denied).toEqual({ reported: [expect.stringMatching(/^\[CA-01\] gcp:container\/cluster:Cluster "gke" runs in europe-central2/)] });

        const exempt = analyze(maxIntensityPolicy, "gcp:container/cluster:Cluster", "gke", props, {}, undefined, [legacy]);
        expect(exempt).toEqual({ reported: [], notApplicable: `policy exception "legacy-warsaw" marked on "gke": ${legacy.reason}` });
    });

    it("reads the mark from AWS and Azure tags and GCP labels", () => {
        const config = { allowedGeographies: ["EU"] };
        const marked = { [EXCEPTION_MARK]: legacy.name };
        expect(analyze(allowedGeographiesPolicy, "aws:eks/cluster:Cluster", "eks", { tags: marked }, config, { region: "us-east-1" }, [legacy]).notApplicable).toMatch(/^policy exception "legacy-warsaw" marked on "eks"/);
        expect(analyze(allowedGeographiesPolicy, "azure-native:resources:ResourceGroup", "rg", { location: "eastus", tags: marked }, config, undefined, [legacy]).notApplicable).toMatch(/marked on "rg"/);
        expect(analyze(allowedGeographiesPolicy, "gcp:compute/instance:Instance", "vm", { zone: "us-west1-b", labels: marked }, config, undefined, [legacy]).notApplicable).toMatch(/marked on "vm"/);
    });

    it("reads the mark from the provider's default tags / labels (as the cloud applies them), JSON-encoded or not; the resource's own mark first", () => {
        const config = { allowedGeographies: ["EU"] };
        const defaultTags = JSON.stringify({ tags: { [EXCEPTION_MARK]: legacy.name, stack: "dev" } });
        expect(analyze(allowedGeographiesPolicy, "aws:eks/cluster:Cluster", "eks", {}, config, { region: "us-east-1", defaultTags }, [legacy]).notApplicable).toMatch(/^policy exception "legacy-warsaw"/);
        expect(analyze(allowedGeographiesPolicy, "gcp:compute/instance:Instance", "vm", { zone: "us-west1-b" }, config, { defaultLabels: { [EXCEPTION_MARK]: legacy.name } }, [legacy]).notApplicable).toMatch(/marked on "vm"/);
        // The resource's own tag names another exception, not in force: it overrides the provider's default.
        expect(analyze(allowedGeographiesPolicy, "aws:eks/cluster:Cluster", "eks", { tags: { [EXCEPTION_MARK]: "other" } }, config, { region: "us-east-1", defaultTags }, [legacy]).reported).toHaveLength(1);
        // Not JSON: no mark.
        expect(analyze(allowedGeographiesPolicy, "aws:eks/cluster:Cluster", "eks", {}, config, { region: "us-east-1", defaultTags: "{tags" }, [legacy]).reported).toHaveLength(1);
    });

    it("applies the rule when the mark names no exception in force, when the exception does not list the policy, and without a mark", () => {
        const config = { allowedGeographies: ["EU"] };
        expect(analyze(allowedGeographiesPolicy, "aws:eks/cluster:Cluster", "eks", { tags: { [EXCEPTION_MARK]: "someone-else" } }, config, { region: "us-east-1" }, [legacy]).reported).toHaveLength(1);
        const marked = { tags: { [EXCEPTION_MARK]: legacy.name } };
        expect(analyze(lowerCarbonRegionPolicy, "aws:eks/cluster:Cluster", "eks", marked, {}, { region: "eu-central-1" }, [legacy])).toEqual({ reported: [expect.stringMatching(/^\[CA-03\] /)] });
        expect(analyze(allowedGeographiesPolicy, "aws:eks/cluster:Cluster", "eks", {}, config, { region: "us-east-1" }, [legacy]).reported).toHaveLength(1);
        // Exceptions come from the last configuration only: none in force, the marked resource is judged.
        expect(analyze(allowedGeographiesPolicy, "aws:eks/cluster:Cluster", "eks", marked, config, { region: "us-east-1" }).reported).toHaveLength(1);
    });

    it("judges a resource whose mark a preview cannot know yet (the props proxy throws on it)", () => {
        const props = { location: "europe-central2" } as Record<string, unknown>;
        Object.defineProperty(props, "resourceLabels", {
            enumerable: true,
            get: () => {
                throw new Error("unknown value during preview");
            },
        });
        expect(analyze(maxIntensityPolicy, "gcp:container/cluster:Cluster", "gke", props, {}, undefined, [legacy]).reported).toEqual([expect.stringMatching(/^\[CA-01\] /)]);
    });

    it("reports no exemption for a marked resource that passes anyway", () => {
        expect(analyze(maxIntensityPolicy, "aws:eks/cluster:Cluster", "eks", { tags: { [EXCEPTION_MARK]: legacy.name } }, {}, { region: "eu-north-1" }, [legacy])).toEqual({ reported: [] });
    });

    it("leaves providers and types of no cloud alone", () => {
        expect(analyze(maxIntensityPolicy, "pulumi:providers:aws", "aws", { region: "ap-south-1" }, { maxIntensity: 1 })).toEqual({ reported: [] });
        expect(analyze(maxIntensityPolicy, "kubernetes:core/v1:Namespace", "ns", { location: "ap-south-1" }, { maxIntensity: 1 })).toEqual({ reported: [] });
    });

    it("refuses exceptions the schema should have refused, naming the entry", () => {
        const bad = (e: object) => () => setExceptions({ exceptions: [e as PolicyException] }, EXEMPTIBLE_POLICIES);
        expect(bad({ name: "Legacy_DB", reason: "r", policies: ["ca-01-max-grid-intensity"] })).toThrow('carbon-aware-exceptions: exceptions[0].name: "Legacy_DB"; allowed: a DNS label');
        expect(bad({ name: "legacy", reason: " ", policies: ["ca-01-max-grid-intensity"] })).toThrow('exceptions[0] "legacy": reason is " "; allowed: a non-empty reason');
        expect(bad({ name: "legacy", reason: "r", policies: ["ca-04-placement-summary"] })).toThrow(
            'exceptions[0] "legacy": policies ["ca-04-placement-summary"]; allowed: one or more of ca-01-max-grid-intensity, ca-02-allowed-geographies, ca-03-lower-carbon-region',
        );
        setExceptions({}, EXEMPTIBLE_POLICIES);
    });
});
