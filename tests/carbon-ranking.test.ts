/**
 * Carbon ranking and `auto` region choice. Expected values are computed independently from the raw
 * CO2.js datasets and the catalogue (not copied from the implementation).
 */
import { describe, expect, it } from "vitest";
import * as em from "@tgwf/co2/data/electricity-maps";
import { DEFAULT_REGIONS, REGIONS, regionsOf, type Cloud, type Geography } from "../components/regions";
import { INTENSITY_YEARS, latestFullYear } from "../components/regions/intensity";
import { rankRegions, RankingError } from "../components/regions/rank";
import { RegionError, resolveRegion } from "../components/regions/resolve";
import { serviceStatus } from "../components/regions/services";
import { ConfigError, parsePlatformConfig } from "../stacks/config";
import { placementOptions, stackNeeds } from "../stacks/config/carbon";

const raw = (zone: string, year: number): number | undefined =>
    (em as unknown as Record<string, { data: Record<string, { carbonIntensity: { value: number } }> }>)[`yearly${year}`]?.data[zone]
        ?.carbonIntensity.value;

describe("intensity data", () => {
    it("reads every year CO2.js ships and defaults to the latest completed one", () => {
        expect(INTENSITY_YEARS).toEqual(expect.arrayContaining([2021, 2022, 2023, 2024, 2025]));
        expect(latestFullYear(new Date("2026-11-23T00:00:00Z"))).toBe(2025);
        expect(latestFullYear(new Date("2025-06-01T00:00:00Z"))).toBe(2024);
    });

    it("maps every region with a zone to a figure in every shipped year", () => {
        for (const r of REGIONS.filter((r) => r.gridZone)) {
            for (const y of INTENSITY_YEARS) expect(raw(r.gridZone!, y), `${r.cloud}/${r.region} ${y}`).toBeTypeOf("number");
        }
    });
});

describe("catalogue", () => {
    it("keeps only the mapping: no intensity figure is stored in the project (ODbL data stays in @tgwf/co2)", () => {
        for (const r of REGIONS) {
            expect(r.notes ?? "", `${r.cloud}/${r.region}`).not.toMatch(/\d+\s*gCO2|EM 20\d\d:/);
            expect(Object.keys(r).some((k) => /intensity|gco2/i.test(k)), `${r.cloud}/${r.region}`).toBe(false);
        }
    });
});

describe("rankRegions", () => {
    it("ranks the feasible regions by the package's intensity, best first, with year and source", () => {
        const year = 2024;
        const ranking = rankRegions({ cloud: "aws", geographies: ["EU"], needs: ["kubernetes", "kafka"], year });
        const values = ranking.candidates.map((c) => c.gco2ePerKwh);
        expect(values).toEqual([...values].sort((a, b) => a - b));
        for (const c of ranking.candidates) {
            const info = REGIONS.find((r) => r.cloud === "aws" && r.region === c.region)!;
            expect(c.gco2ePerKwh).toBe(raw(info.gridZone!, year));
            expect(c.geography).toBe("EU");
            expect(c.year).toBe(year);
            expect(c.source).toContain(`Electricity Maps ${year}`);
            expect(c.source).toContain(info.gridZone!);
        }
        // Every EU AWS region is either a candidate or excluded with a reason.
        const all = regionsOf("aws", "EU").map((r) => r.region).sort();
        expect([...ranking.candidates.map((c) => c.region), ...ranking.excluded.map((e) => e.region)].sort()).toEqual(all);
    });

    it("gives each excluded region its reasons", () => {
        const ranking = rankRegions({
            cloud: "aws",
            geographies: ["EU"],
            needs: ["kubernetes"],
            excludedRegions: ["eu-north-1"],
            maxIntensity: 200,
            year: 2024,
        });
        const byRegion = new Map(ranking.excluded.map((e) => [e.region, e.reasons]));
        expect(byRegion.get("eu-north-1")).toEqual(["listed in the excluded regions"]);
        const de = raw("DE", 2024)!;
        expect(de).toBeGreaterThan(200);
        expect(byRegion.get("eu-central-1")).toEqual([`${de} gCO2e/kWh is above the maximum of 200`]);
        for (const c of ranking.candidates) expect(c.gco2ePerKwh).toBeLessThanOrEqual(200);
    });

    it("reports Azure westus2 and westus3 as unresolved instead of skipping them", () => {
        const ranking = rankRegions({ cloud: "azure", geographies: ["US"], needs: ["kubernetes"] });
        for (const name of ["westus2", "westus3"]) {
            const e = ranking.excluded.find((x) => x.region === name);
            expect(e, name).toBeDefined();
            expect(e!.gco2ePerKwh).toBeNull();
            expect(e!.reasons[0]).toMatch(/grid zone unresolved/);
            expect(ranking.candidates.map((c) => c.region)).not.toContain(name);
        }
    });

    it("says unverified where availability is unknown, and can require verification", () => {
        // Azure Container Apps has no reviewed per-region source: every region is unverified.
        const azure = rankRegions({ cloud: "azure", geographies: ["EU"], needs: ["kubernetes", "serverless"] });
        expect(azure.candidates.length).toBeGreaterThan(0);
        for (const c of azure.candidates) {
            expect(c.verified).toBe(false);
            expect(c.services.find((s) => s.service === "serverless")).toMatchObject({ product: "Azure Container Apps", status: "unverified" });
        }
        const strict = rankRegions({ cloud: "azure", geographies: ["EU"], needs: ["kubernetes", "serverless"], requireVerified: true });
        expect(strict.candidates).toEqual([]);
        expect(strict.excluded.every((e) => e.reasons.some((r) => r.includes("serverless (Azure Container Apps) availability unverified")))).toBe(true);
        // AWS serverless (Fargate) in il-central-1 is not in our sources: unverified, not unavailable.
        expect(serviceStatus("aws", "il-central-1", "serverless").status).toBe("unverified");
        expect(serviceStatus("aws", "eu-north-1", "kafka")).toMatchObject({ status: "available", source: "botocore-endpoints" });
    });

    it("rests availability on the reviewed sources: Lambda, AKS, Event Hubs, GKE", () => {
        // Lambda: botocore 1.43.11 lists an endpoint in every commercial region; the serverless status is the worse of Lambda and Fargate.
        const lambdaEu = serviceStatus("aws", "eu-north-1", "serverless");
        expect(lambdaEu.status).toBe("available");
        expect(lambdaEu.source).toContain("AWS Lambda: available (botocore-1.43.11-endpoints)");
        expect(serviceStatus("aws", "il-central-1", "serverless").source).toContain("AWS Lambda: available");
        // AKS is mainstream: available in recommended (zonal) regions, unverified in alternate ones.
        expect(serviceStatus("azure", "swedencentral", "kubernetes")).toMatchObject({ status: "available", source: "azure-service-categories-mainstream" });
        const alternate = serviceStatus("azure", "germanynorth", "kubernetes");
        expect(alternate.status).toBe("unverified");
        expect(alternate.source).toContain("verify with az provider show -n Microsoft.ContainerService");
        // Event Hubs is foundational: every generally available region, alternate ones included.
        expect(serviceStatus("azure", "germanynorth", "kafka")).toMatchObject({ status: "available", source: "azure-service-categories-foundational" });
        // GKE: listed regions available, newer regions (not in the source) unverified; Managed Kafka has no list.
        expect(serviceStatus("gcp", "europe-west1", "kubernetes")).toMatchObject({ status: "available", source: "gcp-service-mesh-gke-regions-doc" });
        expect(serviceStatus("gcp", "europe-north2", "kubernetes").status).toBe("unverified");
        expect(serviceStatus("gcp", "europe-west1", "kafka").status).toBe("unverified");
    });

    it("ranks a verified region before an unverified one of the same intensity", () => {
        // francecentral (zonal) and francesouth (alternate) share grid zone FR: AKS is confirmed only in the first.
        const ranking = rankRegions({ cloud: "azure", geographies: ["EU"], needs: ["kubernetes"], year: 2024 });
        const order = ranking.candidates.map((c) => c.region);
        const central = ranking.candidates.find((c) => c.region === "francecentral")!;
        const south = ranking.candidates.find((c) => c.region === "francesouth")!;
        expect(central.gco2ePerKwh).toBe(south.gco2ePerKwh);
        expect([central.verified, south.verified]).toEqual([true, false]);
        expect(order.indexOf("francecentral")).toBeLessThan(order.indexOf("francesouth"));
    });

    it("excludes regions that are not generally available, with the reason", () => {
        const gcp = rankRegions({ cloud: "gcp", geographies: ["US"], needs: ["kubernetes"] });
        const e = gcp.excluded.find((x) => x.region === "us-central2");
        expect(e?.reasons.join(" ")).toMatch(/not a generally available GCP region/);
    });

    it("rejects an unknown geography, service or year, naming what is allowed", () => {
        expect(() => rankRegions({ cloud: "aws", geographies: ["MARS" as Geography] })).toThrow(/unknown geography "MARS". Allowed: US, CA/);
        expect(() => rankRegions({ cloud: "aws", geographies: ["EU"], needs: ["database" as never] })).toThrow(
            /unknown service "database". Allowed: kubernetes, kafka, serverless/,
        );
        expect(() => rankRegions({ cloud: "aws", geographies: ["EU"], year: 2019 })).toThrow(RankingError);
    });
});

describe("resolveRegion auto", () => {
    const feasibleMinimum = (cloud: Cloud, geography: Geography, year: number, needs: ("kafka" | "serverless")[]) => {
        const values = regionsOf(cloud, geography)
            .filter((r) => r.gridZone && !["us-central2", "us-east2"].includes(r.region))
            .filter((r) => ["kubernetes", ...needs].every((s) => serviceStatus(cloud, r.region, s as never).status !== "unavailable"))
            .map((r) => raw(r.gridZone!, year)!);
        return Math.min(...values);
    };

    for (const geography of ["EU", "US"] as const) {
        for (const cloud of ["aws", "azure", "gcp"] as const) {
            it(`picks the minimum-intensity feasible ${cloud} region in ${geography} and reports the reduction`, () => {
                const year = latestFullYear();
                const choice = resolveRegion(cloud, geography, "auto", { needs: ["kafka", "serverless"] });
                expect(choice.mode).toBe("auto");
                expect(choice.year).toBe(year);
                expect(choice.gco2ePerKwh).toBe(feasibleMinimum(cloud, geography, year, ["kafka", "serverless"]));
                const info = REGIONS.find((r) => r.cloud === cloud && r.region === choice.region)!;
                expect(info.geography).toBe(geography);
                const naive = DEFAULT_REGIONS[geography][cloud]!;
                const naiveZone = REGIONS.find((r) => r.cloud === cloud && r.region === naive)!.gridZone!;
                const naiveValue = raw(naiveZone, year)!;
                expect(choice.naiveDefault).toEqual({ region: naive, gco2ePerKwh: naiveValue });
                expect(choice.reductionPct).toBeCloseTo(((naiveValue - choice.gco2ePerKwh!) / naiveValue) * 100, 1);
                expect(choice.reductionPct!).toBeGreaterThan(0);
                expect(choice.reason).toContain(choice.region);
                expect(choice.reason).toContain(naive);
                expect(choice.services.map((s) => s.service)).toEqual(["kubernetes", "kafka", "serverless"]);
            });
        }
    }

    it("uses the selected data year", () => {
        const choice = resolveRegion("aws", "US", "auto", { year: 2021 });
        expect(choice.year).toBe(2021);
        expect(choice.gco2ePerKwh).toBe(raw(REGIONS.find((r) => r.cloud === "aws" && r.region === choice.region)!.gridZone!, 2021));
    });

    it("fails when no region is feasible, listing what excluded each candidate", () => {
        let error: Error | undefined;
        try {
            resolveRegion("aws", "EU", "auto", { maxIntensity: 1 });
        } catch (e) {
            error = e as Error;
        }
        expect(error).toBeInstanceOf(RegionError);
        for (const r of regionsOf("aws", "EU")) expect(error!.message).toContain(`${r.region} (${r.location}): `);
        expect(error!.message).toMatch(/above the maximum of 1/);
    });

    it("annotates an explicit region with its intensity and keeps the geography check", () => {
        const choice = resolveRegion("aws", "EU", "eu-central-1");
        expect(choice).toMatchObject({ mode: "explicit", region: "eu-central-1", gco2ePerKwh: raw("DE", latestFullYear()), reductionPct: 0 });
        expect(() => resolveRegion("aws", "EU", "us-east-1")).toThrow(/outside platform:geography EU/);
    });
});

describe("platform:carbon config", () => {
    it("defaults and validates year, maxIntensity and excludedRegions with clear messages", () => {
        expect(parsePlatformConfig({ clouds: ["aws"] }).carbon).toMatchObject({ excludedRegions: [], requireVerified: false, scaling: { enabled: false } });
        expect(parsePlatformConfig({ clouds: ["aws"] }).carbon.year).toBeUndefined();
        let error: ConfigError | undefined;
        try {
            parsePlatformConfig({ clouds: ["aws"], carbon: { year: 2019, maxIntensity: -5, excludedRegions: ["eu-nowhere-1"] } });
        } catch (e) {
            error = e as ConfigError;
        }
        expect(error).toBeInstanceOf(ConfigError);
        expect(error!.problems.join("\n")).toMatch(/platform:carbon\.year: 2019 must be a year @tgwf\/co2 ships data for: 2021/);
        expect(error!.problems.join("\n")).toMatch(/platform:carbon\.maxIntensity: -5 must be a positive number/);
        expect(error!.problems.join("\n")).toMatch(/platform:carbon\.excludedRegions\[0\]: "eu-nowhere-1" is not a region/);
    });
});

describe("stack needs", () => {
    it("derives kafka and serverless per cloud from the parsed config", () => {
        const cfg = parsePlatformConfig({
            clouds: ["aws", "gcp"],
            kafka: { enabled: true, backend: { gcp: "strimzi" } },
            services: [
                // minScale 1: ECS Express Mode, which pulls from any registry (Lambda would need the image in ECR).
                { name: "api", image: "ghcr.io/x/api:1.0.0", targets: ["aws"], minScale: 1 },
                { name: "wasm", runtime: "wasm", image: "ghcr.io/x/wasm:1.0.0", targets: ["gcp"] },
            ],
            carbon: { maxIntensity: 400, excludedRegions: ["eu-north-1"] },
        });
        expect(stackNeeds("aws", cfg)).toEqual(["kubernetes", "kafka", "serverless"]);
        expect(stackNeeds("gcp", cfg)).toEqual(["kubernetes"]);
        const options = placementOptions(cfg, "aws");
        expect(options).toMatchObject({ maxIntensity: 400, excludedRegions: ["eu-north-1"], needs: ["kubernetes", "kafka", "serverless"] });
        const choice = resolveRegion("aws", "EU", "auto", options);
        expect(choice.region).not.toBe("eu-north-1");
        expect(choice.services.map((s) => s.service)).toEqual(["kubernetes", "kafka", "serverless"]);
        expect(choice.gco2ePerKwh!).toBeLessThanOrEqual(400);
    });
});
