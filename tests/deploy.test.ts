import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { deploy, policyPacks } from "../tools/deploy";
import { PROJECT_ROOT } from "../tools/plan/stack-config";

// The deploy script drives the real Automation API; a stand-in `pulumi` on PATH records every call.
const FAKE_BIN = path.join(PROJECT_ROOT, "tests", "fixtures", "fake-pulumi");
let logFile: string;
const saved = { PATH: process.env.PATH, LOG: process.env.FAKE_PULUMI_LOG, V: process.env.FAKE_PULUMI_VIOLATION };

function calls(): string[][] {
    return fs.readFileSync(logFile, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l));
}

beforeEach(() => {
    logFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "fake-pulumi-")), "calls.log");
    process.env.PATH = `${FAKE_BIN}${path.delimiter}${saved.PATH}`;
    process.env.FAKE_PULUMI_LOG = logFile;
    delete process.env.FAKE_PULUMI_VIOLATION;
});
afterEach(() => {
    process.env.PATH = saved.PATH;
    process.env.FAKE_PULUMI_LOG = saved.LOG;
    if (saved.V === undefined) delete process.env.FAKE_PULUMI_VIOLATION;
});

describe("npm run deploy", () => {
    it("creates a missing stack, previews with every policy pack, then runs up and returns masked outputs", async () => {
        const result = await deploy({ stack: "dev", log: () => {} });
        expect(result).toMatchObject({ exitCode: 0, violations: [] });
        expect(result.outputs).toEqual({ region: "eu-central-1", kubeconfig: "[secret]" });
        const commands = calls().map((c) => (c[0] === "stack" ? c.slice(0, 2).join(" ") : c[0]));
        expect(commands).toEqual(expect.arrayContaining(["stack select", "stack init", "preview", "up"]));
        expect(commands.indexOf("stack init")).toBeGreaterThan(commands.indexOf("stack select"));
        const preview = calls().find((c) => c[0] === "preview")!;
        const up = calls().find((c) => c[0] === "up")!;
        const packs = policyPacks();
        expect(packs.length).toBeGreaterThan(0);
        for (const pack of packs) {
            expect(preview.join(" ")).toContain(`--policy-pack ${pack}`);
            expect(up.join(" ")).toContain(`--policy-pack ${pack}`);
        }
        expect(calls().findIndex((c) => c[0] === "up")).toBeGreaterThan(calls().findIndex((c) => c[0] === "preview"));
    });

    it("stops on a mandatory violation without running up", async () => {
        process.env.FAKE_PULUMI_VIOLATION = "mandatory";
        const result = await deploy({ stack: "dev", log: () => {} });
        expect(result.exitCode).toBe(1);
        expect(result.violations).toEqual([
            expect.objectContaining({ policyPack: "zero-trust", policy: "eks-private-endpoint", enforcementLevel: "mandatory" }),
        ]);
        expect(calls().some((c) => c[0] === "up")).toBe(false);
    });

    it("deploys through an advisory violation and reports it", async () => {
        process.env.FAKE_PULUMI_VIOLATION = "advisory";
        const result = await deploy({ stack: "dev", log: () => {} });
        expect(result.exitCode).toBe(0);
        expect(result.violations.map((v) => v.enforcementLevel)).toEqual(["advisory"]);
        expect(calls().some((c) => c[0] === "up")).toBe(true);
    });

    it("passes the backend through and selects an existing stack without creating it", async () => {
        fs.writeFileSync(`${logFile}.stacks`, "dev\n");
        const result = await deploy({ stack: "dev", backend: "file:///tmp/state", previewOnly: true, log: () => {} });
        expect(result.exitCode).toBe(0);
        expect(calls().some((c) => c[0] === "stack" && c[1] === "init")).toBe(false);
        expect(calls().some((c) => c[0] === "up")).toBe(false);
        // One line per call, in call order; `pulumi version` (the Automation API's CLI probe) needs no backend.
        const backends = fs.readFileSync(`${logFile}.backend`, "utf8").split("\n").slice(0, -1);
        expect(backends).toHaveLength(calls().length);
        const stateCalls = calls().map((c, i) => [c[0], backends[i]]).filter(([cmd]) => cmd !== "version");
        expect(stateCalls.map(([cmd]) => cmd)).toEqual(expect.arrayContaining(["stack", "preview"]));
        for (const [, backend] of stateCalls) expect(backend).toBe("file:///tmp/state");
    });

    it("gives each --policy-pack its own --policy-pack-config, holding only the policies that pack declares", async () => {
        const cfg = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "pack-config-")), "policy.json");
        fs.writeFileSync(cfg, JSON.stringify({ all: "mandatory", "net-06-no-world-ingress": { allowedCidrs: ["203.0.113.0/24"] }, "ca-04-placement-summary": "disabled" }));
        const result = await deploy({ stack: "dev", policyPackConfigs: [cfg], log: () => {} });
        expect(result.exitCode).toBe(0);
        const packs = policyPacks();
        for (const command of ["preview", "up"]) {
            const args = calls().find((c) => c[0] === command)!;
            const packArgs = args.flatMap((a, i) => (a === "--policy-pack" ? [args[i + 1]] : []));
            expect(packArgs).toEqual(packs);
            // The CLI requires exactly one config per pack, in the same order.
            expect(args.filter((a) => a === "--policy-pack-config")).toHaveLength(packs.length);
        }
        const [previewConfigs] = fs.readFileSync(`${logFile}.configs`, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l));
        const byPack = Object.fromEntries(packs.map((p, i) => [path.basename(p), previewConfigs[i]]));
        expect(byPack["zero-trust"]).toEqual({ all: "mandatory", "net-06-no-world-ingress": { allowedCidrs: ["203.0.113.0/24"] } });
        expect(byPack["carbon-aware"]).toEqual({ all: "mandatory", "ca-04-placement-summary": "disabled" });
    }, 120_000);

    it("fails with exit 2 when the policy config names a policy no pack has, before calling the CLI", async () => {
        const cfg = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "pack-config-")), "policy.json");
        fs.writeFileSync(cfg, JSON.stringify({ "no-such-policy": "advisory" }));
        const result = await deploy({ stack: "dev", policyPackConfigs: [cfg], log: () => {} });
        expect(result.exitCode).toBe(2);
        expect(result.error).toContain("no-such-policy");
        expect(fs.existsSync(logFile)).toBe(false);
    }, 120_000);

    it("fails with exit 2 on a bad stack config before calling the CLI at all", async () => {
        const root = fs.mkdtempSync(path.join(os.tmpdir(), "deploy-"));
        fs.copyFileSync(path.join(PROJECT_ROOT, "Pulumi.yaml"), path.join(root, "Pulumi.yaml"));
        fs.writeFileSync(path.join(root, "Pulumi.bad.yaml"), "config:\n  platform:clouds: [mars]\n");
        const result = await deploy({ stack: "bad", root, log: () => {} });
        expect(result.exitCode).toBe(2);
        expect(result.error).toContain('platform:clouds[0]: "mars"');
        expect(fs.existsSync(logFile)).toBe(false);
    });
});
