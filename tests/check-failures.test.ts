/**
 * `npm run check` fails safe and loud: a policy pack that dies (a signal such as the out-of-memory
 * killer's SIGKILL), stops answering, or cannot start ends the check with exit 2 and one message naming
 * the pack and what happened (never a hang, never the tool's stack trace); a policy-pack config of the
 * wrong shape is an error, and policies the config turns off are reported by name.
 * The packs under tests/fixtures/packs/ are real packs started by run-policy-pack, like the engine does.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PolicyConfigError, resolvePolicyConfig, startPolicyPack, type PolicyPackHandle } from "../tools/policy/analyzer-client";
import { jsonReport, markdownReport, textReport } from "../tools/policy/report";
import type { CheckResult } from "../tools/policy/run";

const ROOT = path.resolve(__dirname, "..");
const FIXTURES = path.join(ROOT, "tests/fixtures/packs");

/** Runs the check CLI with a hard outer bound, so a regression shows as a failed test, not a hung suite. */
function check(args: string[], env: Record<string, string> = {}): Promise<{ status: number | null; stdout: string; stderr: string; ms: number }> {
    const started = Date.now();
    return new Promise((resolve) => {
        const child = spawn(process.execPath, [path.join(ROOT, "node_modules/tsx/dist/cli.mjs"), "tools/check.ts", ...args], { cwd: ROOT, env: { ...process.env, ...env } });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (b) => (stdout += b));
        child.stderr.on("data", (b) => (stderr += b));
        const killer = setTimeout(() => child.kill("SIGKILL"), 90_000);
        child.on("close", (status) => {
            clearTimeout(killer);
            resolve({ status, stdout, stderr, ms: Date.now() - started });
        });
    });
}

describe("a policy pack that fails as a process", () => {
    it("killed by SIGKILL during Analyze: exit 2 naming the pack and the signal, no hang, no stack trace", async () => {
        const r = await check(["--stack", "local", "--packs", path.join(FIXTURES, "dies-on-analyze")]);
        expect(r.status).toBe(2);
        expect(r.stderr).toMatch(/^policy pack dies-on-analyze \(.*\) was killed by SIGKILL \(the out-of-memory killer.*\) during Analyze/m);
        expect(r.stderr).not.toMatch(/^\s+at /m);
    });

    it("stops answering: the call's deadline ends the check with exit 2 and says how to change it", async () => {
        const r = await check(["--stack", "local", "--packs", path.join(FIXTURES, "hangs-on-analyze")], { PLATFORM_POLICY_RPC_TIMEOUT_MS: "2000" });
        expect(r.status).toBe(2);
        expect(r.stderr).toMatch(/^policy pack hangs-on-analyze \(.*\) did not answer within 2000 ms \(deadline; PLATFORM_POLICY_RPC_TIMEOUT_MS sets it\) during Analyze/m);
        expect(r.stderr).not.toMatch(/^\s+at /m);
    });

    it("fails before printing its port: exit 2 with the pack's own error line, not its stack frames", async () => {
        const r = await check(["--stack", "local", "--packs", path.join(FIXTURES, "dies-at-start")]);
        expect(r.status).toBe(2);
        expect(r.stderr).toMatch(/^policy pack .*dies-at-start\/pack exited with code \d+ before printing its port/m);
        expect(r.stderr).toContain("Error: rules failed to load: fixture");
        expect(r.stderr).not.toMatch(/^\s+at /m);
    });

    it("a bad deadline setting is refused with what is allowed", async () => {
        const r = await check(["--stack", "local", "--packs", path.join(FIXTURES, "dies-on-analyze")], { PLATFORM_POLICY_RPC_TIMEOUT_MS: "soon" });
        expect(r.status).toBe(2);
        expect(r.stderr).toContain('PLATFORM_POLICY_RPC_TIMEOUT_MS is "soon"; allowed: a whole number of milliseconds greater than 0');
    });

    it("close() of a pack killed by a signal returns at once (exitCode stays null for a signalled process)", async () => {
        const pack = await startPolicyPack(path.join(FIXTURES, "dies-on-analyze/pack"));
        await pack.configure({});
        await expect(pack.analyze({ urn: "urn:pulumi:t::p::x:y:Z::a", type: "x:y:Z", name: "a", properties: {} })).rejects.toThrow(/SIGKILL/);
        const started = Date.now();
        await pack.close();
        expect(Date.now() - started).toBeLessThan(5_000);
    });
});

describe("policy-pack config", () => {
    let pack: PolicyPackHandle;
    beforeAll(async () => {
        pack = await startPolicyPack(path.join(ROOT, "policies/zero-trust"));
    }, 120_000);
    afterAll(async () => pack?.close());

    it("a level of the wrong type is an error naming it and what is allowed", () => {
        expect(() => resolvePolicyConfig("zero-trust", pack.policies, { all: 5 as never })).toThrow(PolicyConfigError);
        expect(() => resolvePolicyConfig("zero-trust", pack.policies, { all: 5 as never })).toThrow(/"all" is 5; allowed: an enforcement level \(advisory, mandatory, disabled, remediate\)/);
        expect(() => resolvePolicyConfig("zero-trust", pack.policies, { "net-06-no-world-ingress": { enforcementLevel: 3 } as never })).toThrow(/enforcementLevel is 3; allowed/);
    });

    it("a misspelt property is an error listing the properties the policy takes", () => {
        expect(() => resolvePolicyConfig("zero-trust", pack.policies, { "net-06-no-world-ingress": { allowedCidr: ["203.0.113.0/24"] } })).toThrow(
            /policy "net-06-no-world-ingress" sets "allowedCidr", which the policy does not take; allowed: .*allowedCidrs/,
        );
    });

    it("the check exits 2 on such a config file, before analysing anything", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pack-config-"));
        const file = path.join(dir, "bad.json");
        fs.writeFileSync(file, JSON.stringify({ "net-06-no-world-ingress": { allowedCidr: [] } }));
        try {
            const r = await check(["--stack", "local", "--policy-pack-config", file]);
            expect(r.status).toBe(2);
            expect(r.stderr).toMatch(/sets "allowedCidr", which the policy does not take/);
            expect(r.stderr).not.toMatch(/^\s+at /m);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("policies turned off by the config are listed in every report format", async () => {
        await pack.configure({ "net-06-no-world-ingress": "disabled" });
        expect(pack.disabled()).toEqual(["net-06-no-world-ingress"]);
        const result: CheckResult = {
            resources: 0,
            violations: [],
            exemptions: [],
            packs: [{ name: pack.name, version: pack.version, dir: pack.dir, startupMs: 0, analyzeMs: 0, resources: 0, resourcesPerSecond: 0, policies: pack.policies, disabled: pack.disabled() }],
        };
        const ctx = { stack: "t", stackFile: "Pulumi.t.yaml" };
        expect(textReport(result, ctx)).toContain("DISABLED  zero-trust/net-06-no-world-ingress (turned off by the policy-pack config");
        expect(markdownReport(result, ctx)).toContain("Disabled by the policy-pack config (not checked): `zero-trust/net-06-no-world-ingress`");
        expect(jsonReport(result).disabled).toEqual(["zero-trust/net-06-no-world-ingress"]);
        await pack.configure({});
        expect(pack.disabled()).toEqual([]);
    });
});
