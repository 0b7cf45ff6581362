/**
 * `npm run bench`: the generated service graph, the --json contract and bad input, run as the CLI runs.
 * Timings are never asserted (a shared CI machine is no judge of speed); what is asserted is that every
 * measurement ran over the same resources: the baseline and the floor register exactly as many as the plan.
 */
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { generatedStack, targets, type BenchRow } from "../tools/bench";
import { loadStackConfig, planConfig } from "../tools/plan/index";

const ROOT = path.resolve(__dirname, "..");
const TSX = path.join(ROOT, "node_modules", "tsx", "dist", "cli.mjs");

function bench(...args: string[]) {
    const r = spawnSync(process.execPath, [TSX, "tools/bench.ts", ...args], { cwd: ROOT, encoding: "utf8", timeout: 120_000 });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("generatedStack", () => {
    it("declares N services calling forward, one cycle back to the first, N/10 topics, every 10th a wasm service", () => {
        const stack = generatedStack(20);
        const services = stack["platform:services"] as { name: string; runtime?: string; calls: string[]; publishes: string[]; subscribes: string[] }[];
        const kafka = stack["platform:kafka"] as { topics: { name: string }[] };
        expect(services.map((s) => s.name)).toEqual(Array.from({ length: 20 }, (_, i) => `svc-${i}`));
        expect(kafka.topics.map((t) => t.name)).toEqual(["topic-0", "topic-1"]);
        expect(services.filter((s) => s.runtime === "wasm").map((s) => s.name)).toEqual(["svc-9", "svc-19"]);
        const index = (n: string) => Number(n.slice(4));
        for (const [i, s] of services.entries()) {
            for (const callee of s.calls) if (!(i === 19 && callee === "svc-0")) expect(index(callee)).toBeGreaterThan(i);
            for (const t of [...s.publishes, ...s.subscribes]) expect(kafka.topics.map((x) => x.name)).toContain(t);
        }
        expect(services[19].calls).toContain("svc-0");
    });

    it("is a valid stack: it plans, with a service account for every service", async () => {
        const plan = await planConfig(loadStackConfig("local", { overrides: generatedStack(12) }));
        const accounts = plan.resources.filter((r) => r.type === "kubernetes:core/v1:ServiceAccount").map((r) => (r.rawInputs.metadata as { name: string }).name);
        for (let i = 0; i < 12; i++) expect(accounts).toContain(`svc-${i}`);
    });
});

describe("npm run bench", () => {
    it("--json prints one row per size, and the baseline and the floor register as many resources as the plan", async () => {
        const r = bench("--sizes", "3", "--json");
        expect(r.code, r.stderr).toBe(0);
        const rows = JSON.parse(r.stdout.slice(r.stdout.indexOf("["))) as BenchRow[];
        expect(rows).toHaveLength(1);
        const [row] = rows;
        for (const key of ["services", "resources", "seconds", "peakRssMb", "baselineSeconds", "baselinePeakRssMb", "floorSeconds", "floorPeakRssMb"])
            expect(Object.keys(row)).toContain(key);
        expect(row.services).toBe(3);
        const plan = await planConfig(loadStackConfig("local", { overrides: generatedStack(3) }));
        expect(row.resources).toBe(plan.resources.length);
        // What each mock monitor actually registered.
        expect(row.baselineResources).toBe(plan.resources.length);
        expect(row.floorResources).toBe(plan.resources.length);
        // plan + check is the sum of its parts; every process reported memory.
        expect(row.seconds).toBeCloseTo(row.planSeconds + row.checkSeconds, 6);
        for (const mb of [row.peakRssMb, row.plannerPeakRssMb, row.packsPeakRssMb, row.baselinePeakRssMb, row.floorPeakRssMb]) expect(mb).toBeGreaterThan(50);
        expect(row.sumOfPeaksMb).toBe(row.plannerPeakRssMb + row.packsPeakRssMb);
    }, 150_000);

    it("rejects a bad --sizes with the setting, the value and what is allowed, before measuring anything", () => {
        const r = bench("--sizes", "10,abc");
        expect(r.code).not.toBe(0);
        expect(r.stderr).toContain("--sizes 10,abc: allowed: a comma-separated list of whole numbers >= 1");
        expect(r.stderr).toContain("usage: npm run bench --");
        expect(r.stderr).not.toMatch(/^\s+at /m);
        expect(r.stderr).not.toContain("bench: 10 services");
    });
});

describe("targets", () => {
    const row = (services: number, seconds: number, peakRssMb: number, baselineSeconds: number): BenchRow => ({
        services,
        resources: services * 7,
        seconds,
        planSeconds: seconds,
        checkSeconds: 0,
        peakRssMb,
        sumOfPeaksMb: peakRssMb,
        plannerPeakRssMb: peakRssMb,
        packsPeakRssMb: 0,
        baselineSeconds,
        baselinePeakRssMb: 100,
        floorSeconds: baselineSeconds,
        floorPeakRssMb: 100,
        baselineResources: services * 7,
        floorResources: services * 7,
    });

    it("judges each target on its own row and says n/a for sizes not run", () => {
        const [speed, memory, growth] = targets([row(1000, 15, 900, 10), row(3000, 49.5, 2000, 30)]);
        expect([speed.met, memory.met, growth.met]).toEqual([true, true, true]); // 15 <= 1.5 x 10, 900 < 1024, 49.5 <= 3.3 x 15
        const missed = targets([row(1000, 15.1, 1024, 10), row(3000, 49.9, 2000, 30)]);
        expect(missed.map((t) => t.met)).toEqual([false, false, false]);
        expect(targets([row(100, 1, 1, 1)]).map((t) => t.met)).toEqual([undefined, undefined, undefined]);
        expect(missed[0].detail).toContain("ratio 1.51");
    });
});
