/**
 * The carbon-aware pack over the engine's analyzer protocol: the pack is started as
 * `pulumi preview --policy-pack` starts it (run-policy-pack, gRPC), configured through Configure
 * with schema validation, and fed (a) synthetic resources and (b) the real offline plan of the dev
 * stack. Expected intensities are read from the CO2.js datasets.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as path from "node:path";
import * as em from "@tgwf/co2/data/electricity-maps";
import { startPolicyPack, type AnalyzerResource, type PolicyPackHandle } from "../tools/policy/analyzer-client";
import { analyzeWithPack, runPolicyPacks, toAnalyzerResource } from "../tools/policy/run";
import { planStack } from "../tools/plan/index";
import { latestFullYear, WORLD_AVERAGE_INTENSITY } from "../components/regions/intensity";

const PACK = path.resolve(__dirname, "..", "policies", "carbon-aware");
const YEAR = latestFullYear();
const raw = (zone: string): number =>
    (em as unknown as Record<string, { data: Record<string, { carbonIntensity: { value: number } }> }>)[`yearly${YEAR}`].data[zone].carbonIntensity.value;

const urn = (type: string, name: string) => `urn:pulumi:dev::platform::${type}::${name}`;
const awsProvider = (name: string, region: string): AnalyzerResource => ({
    urn: urn("pulumi:providers:aws", name),
    type: "pulumi:providers:aws",
    name,
    properties: { region },
});
const eks = (name: string, provider: AnalyzerResource): AnalyzerResource => ({
    urn: urn("aws:eks/cluster:Cluster", name),
    type: "aws:eks/cluster:Cluster",
    name,
    properties: { name },
    provider: provider.urn,
});

let pack: PolicyPackHandle;
beforeAll(async () => {
    pack = await startPolicyPack(PACK);
}, 60_000);
afterAll(async () => {
    await pack?.close();
});

describe("carbon-aware pack over the analyzer protocol", () => {
    it("declares its policies with levels and config schemas", () => {
        const byName = new Map(pack.policies.map((p) => [p.name, p]));
        expect(byName.get("ca-01-max-grid-intensity")?.enforcementLevel).toBe("mandatory");
        expect(byName.get("ca-02-allowed-geographies")?.enforcementLevel).toBe("mandatory");
        expect(byName.get("ca-03-lower-carbon-region")?.enforcementLevel).toBe("advisory");
        expect(byName.get("ca-04-placement-summary")?.enforcementLevel).toBe("advisory");
        expect(byName.get("ca-01-max-grid-intensity")?.configSchema?.properties.maxIntensity.default).toBe(WORLD_AVERAGE_INTENSITY);
        // The config-only exceptions policy is served first (its config is in force before the rules run).
        expect(pack.policies[0]).toMatchObject({ name: "carbon-aware-exceptions", enforcementLevel: "mandatory" });
    });

    it("reads the AWS region from the provider: mandatory above the maximum, advisory with the cleaner region", async () => {
        await pack.configure({ "ca-01-max-grid-intensity": { maxIntensity: 300 } });
        const frankfurt = awsProvider("frankfurt", "eu-central-1");
        const stockholm = awsProvider("stockholm", "eu-north-1");
        const resources = [frankfurt, stockholm, eks("dirty", frankfurt), eks("clean", stockholm)];
        const { violations } = await analyzeWithPack(pack, resources);
        const of = (policy: string, name?: string) =>
            violations.filter((v) => v.policy === policy && (name === undefined || v.urn === urn("aws:eks/cluster:Cluster", name)));

        expect(raw("DE")).toBeGreaterThan(300);
        expect(of("ca-01-max-grid-intensity", "dirty")).toHaveLength(1);
        expect(of("ca-01-max-grid-intensity", "dirty")[0]).toMatchObject({ enforcementLevel: "mandatory" });
        expect(of("ca-01-max-grid-intensity", "dirty")[0].message).toContain(`eu-central-1`);
        expect(of("ca-01-max-grid-intensity", "dirty")[0].message).toContain(`${raw("DE")} gCO2e/kWh`);
        expect(of("ca-01-max-grid-intensity", "clean")).toEqual([]);

        const advice = of("ca-03-lower-carbon-region", "dirty");
        expect(advice).toHaveLength(1);
        expect(advice[0].enforcementLevel).toBe("advisory");
        expect(advice[0].message).toContain(`eu-north-1 (Stockholm, Sweden) in EU offers kubernetes at ${raw("SE-SE3")} gCO2e/kWh`);
        expect(of("ca-03-lower-carbon-region", "clean")).toEqual([]);

        const summary = of("ca-04-placement-summary");
        expect(summary).toHaveLength(1);
        expect(summary[0].urn).toBe("");
        expect(summary[0].message).toContain(`aws eu-central-1: 1 resource(s) at ${raw("DE")} gCO2e/kWh`);
        expect(summary[0].message).toContain(`aws eu-north-1: 1 resource(s) at ${raw("SE-SE3")} gCO2e/kWh`);
    }, 60_000);

    it("enforces the allowed geographies from its config, reading Azure location and GCP zone", async () => {
        await pack.configure({ "ca-02-allowed-geographies": { allowedGeographies: ["EU"] } });
        const resources: AnalyzerResource[] = [
            { urn: urn("azure-native:resources:ResourceGroup", "us"), type: "azure-native:resources:ResourceGroup", name: "us", properties: { location: "eastus" } },
            { urn: urn("azure-native:resources:ResourceGroup", "eu"), type: "azure-native:resources:ResourceGroup", name: "eu", properties: { location: "swedencentral" } },
            { urn: urn("gcp:compute/instance:Instance", "vm"), type: "gcp:compute/instance:Instance", name: "vm", properties: { zone: "us-west1-b" } },
        ];
        const { violations } = await analyzeWithPack(pack, resources);
        const geo = violations.filter((v) => v.policy === "ca-02-allowed-geographies");
        expect(geo.map((v) => v.urn).sort()).toEqual([urn("azure-native:resources:ResourceGroup", "us"), urn("gcp:compute/instance:Instance", "vm")].sort());
        expect(geo.every((v) => v.enforcementLevel === "mandatory")).toBe(true);
        expect(geo.find((v) => v.urn.endsWith("::vm"))!.message).toContain("us-west1 (Oregon, USA, grid zone US-NW-PACW; from props.zone), geography US");
    }, 60_000);

    it("rejects config that breaks its schema", async () => {
        await expect(pack.configure({ "ca-02-allowed-geographies": { allowedGeographies: ["MARS"] } })).rejects.toThrow();
        await expect(pack.configure({ "ca-01-max-grid-intensity": { maxIntensity: -1 } })).rejects.toThrow();
        const exceptions = (e: object) => ({ "carbon-aware-exceptions": { exceptions: [{ name: "legacy", reason: "ticket CO2-12", policies: ["ca-01-max-grid-intensity"], ...e }] } });
        await expect(pack.configure(exceptions({ name: "Legacy_DB" }))).rejects.toThrow(/exceptions\/0\/name must match pattern/);
        await expect(pack.configure(exceptions({ reason: "" }))).rejects.toThrow(/exceptions\/0\/reason must NOT have fewer than 1 characters/);
        await expect(pack.configure(exceptions({ policies: ["k8s-08-internal-load-balancer"] }))).rejects.toThrow(/exceptions\/0\/policies\/0 must be equal to one of the allowed values/);
        await expect(pack.configure({ "carbon-aware-exceptions": { exceptions: [{ name: "legacy", policies: ["ca-01-max-grid-intensity"] }] } })).rejects.toThrow(/must have required property 'reason'/);
        await pack.configure(exceptions({}));
    });

    it("exempts the resources a stack marks (platform:tags → the provider's default tags) from the policies its named exception lists, with name and reason", async () => {
        const plan = await planStack("dev", {
            "platform:clouds": ["aws"],
            "platform:regions": { aws: "eu-central-1" },
            "platform:services": [],
            "platform:tags": { "platform-policy-exception": "frankfurt-pilot" },
        });
        const resources = plan.resources.map(toAnalyzerResource);
        const cluster = resources.find((r) => r.type === "aws:eks/cluster:Cluster")!;
        const providers = new Map(resources.filter((r) => r.type.startsWith("pulumi:providers:")).map((r) => [r.urn, r]));
        const reason = "pilot in Frankfurt until the Stockholm account is approved (ticket CO2-7)";

        await pack.configure({ "ca-01-max-grid-intensity": { maxIntensity: 300 } });
        const judged = await pack.analyze(cluster, providers);
        expect(judged.diagnostics.map((d) => d.policy).sort()).toEqual(["ca-01-max-grid-intensity", "ca-03-lower-carbon-region"]);

        await pack.configure({
            "ca-01-max-grid-intensity": { maxIntensity: 300 },
            "carbon-aware-exceptions": { exceptions: [{ name: "frankfurt-pilot", reason, policies: ["ca-01-max-grid-intensity"] }] },
        });
        const exempt = await pack.analyze(cluster, providers);
        // CA-01 exempt, reported with the exception's name and reason; CA-03 (not listed) still advises.
        expect(exempt.diagnostics.map((d) => d.policy)).toEqual(["ca-03-lower-carbon-region"]);
        expect(exempt.notApplicable).toContainEqual({ policy: "ca-01-max-grid-intensity", reason: `policy exception "frankfurt-pilot" marked on "${cluster.name}": ${reason}` });
        const { violations } = await analyzeWithPack(pack, resources);
        expect(violations.filter((v) => v.enforcementLevel === "mandatory")).toEqual([]);
    }, 120_000);

    it("checks the real offline plan of the dev stack pinned to a dirty AWS region", async () => {
        const plan = await planStack("dev", { "platform:clouds": ["aws"], "platform:regions": { aws: "eu-central-1" }, "platform:services": [] });
        const result = await runPolicyPacks(plan.resources, [PACK], { config: { "carbon-aware": { "ca-01-max-grid-intensity": { maxIntensity: 300 } } } });
        const cluster = plan.resources.find((r) => r.type === "aws:eks/cluster:Cluster")!;
        const mandatory = result.violations.filter((v) => v.policy === "ca-01-max-grid-intensity");
        expect(mandatory.map((v) => v.urn)).toContain(cluster.urn);
        // Global IAM resources are not placed by the provider's region.
        expect(mandatory.some((v) => v.type.startsWith("aws:iam/"))).toBe(false);
        // Advice goes to the workload anchors only (the cluster, and Kafka when the stack has it), not to every subnet.
        const advised = result.violations.filter((v) => v.policy === "ca-03-lower-carbon-region");
        expect(advised.map((v) => v.urn)).toContain(cluster.urn);
        expect(advised.every((v) => /^aws:(eks\/cluster|msk\/)/.test(v.type))).toBe(true);
        expect(result.violations.find((v) => v.policy === "ca-04-placement-summary")?.message).toMatch(/aws eu-central-1: \d+ resource\(s\)/);
    }, 120_000);
});
