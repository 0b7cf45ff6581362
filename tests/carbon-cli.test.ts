/** `npm run regions`: the JSON contract, the table and bad input, run as the CLI runs. */
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { regionsOf } from "../components/regions";
import { serviceStatus } from "../components/regions/services";

const ROOT = path.resolve(__dirname, "..");
const TSX = path.join(ROOT, "node_modules", "tsx", "dist", "cli.mjs");

function regions(...args: string[]) {
    const r = spawnSync(process.execPath, [TSX, "tools/regions.ts", ...args], { cwd: ROOT, encoding: "utf8" });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("npm run regions", () => {
    it("--json prints { region, gco2ePerKwh, year, source, services, verified } best first", () => {
        const r = regions("--cloud", "aws", "--geography", "EU", "--needs", "kubernetes,kafka,serverless", "--year", "2024", "--json");
        expect(r.code).toBe(0);
        const rows = JSON.parse(r.stdout) as any[];
        expect(rows.length).toBeGreaterThan(0);
        const euRegions = new Set(regionsOf("aws", "EU").map((x) => x.region));
        for (const row of rows) {
            expect(Object.keys(row).sort()).toEqual(["gco2ePerKwh", "region", "services", "source", "verified", "year"]);
            expect(euRegions.has(row.region)).toBe(true);
            expect(row.year).toBe(2024);
            expect(Object.keys(row.services)).toEqual(["kubernetes", "kafka", "serverless"]);
            // Each status is what the reviewed table says; verified only when every needed service is confirmed.
            for (const service of ["kubernetes", "kafka", "serverless"] as const) {
                expect(row.services[service]).toEqual({
                    status: serviceStatus("aws", row.region, service).status,
                    product: serviceStatus("aws", row.region, service).product,
                    source: serviceStatus("aws", row.region, service).source,
                });
            }
            expect(row.verified).toBe(Object.values(row.services).every((s: any) => s.status === "available"));
        }
        const values = rows.map((x) => x.gco2ePerKwh);
        expect(values).toEqual([...values].sort((a, b) => a - b));
        // Lambda (botocore endpoints) and Fargate are confirmed in Stockholm: the top EU region is verified.
        const stockholm = rows.find((x) => x.region === "eu-north-1");
        expect(stockholm.services.serverless.status).toBe("available");
        expect(stockholm.verified).toBe(true);
    });

    it("prints a table with the excluded regions and the attribution", () => {
        const r = regions("--cloud", "azure", "--geography", "US", "--needs", "kubernetes");
        expect(r.code).toBe(0);
        expect(r.stdout).toMatch(/^#\s+region\s+location\s+grid zone\s+gCO2e\/kWh/m);
        expect(r.stdout).toMatch(/westus2 \(Washington, United States\): grid zone unresolved/);
        expect(r.stdout).toContain("Electricity Maps (electricitymaps.com), ODbL");
    });

    it("fails with exit 1 on an unknown geography or service and exit 2 on missing flags", () => {
        const geo = regions("--cloud", "gcp", "--geography", "EUROPE");
        expect(geo.code).toBe(1);
        expect(geo.stderr).toContain('unknown geography "EUROPE". Allowed: US, CA, LATAM, EU');
        const svc = regions("--cloud", "gcp", "--geography", "EU", "--needs", "kubernetes,database");
        expect(svc.code).toBe(1);
        expect(svc.stderr).toContain('unknown service "database". Allowed: kubernetes, kafka, serverless');
        expect(regions("--cloud", "gcp").code).toBe(2);
    });
});
