/**
 * The offline check's reports and exit codes, from real analyses over the protocol: deliberately
 * insecure resources are reported as mandatory; text, JSON, SARIF 2.1.0 and Markdown render them.
 */
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import Ajv from "ajv";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { splitPackConfig } from "../tools/check";
import { mergePackConfigs } from "../tools/policy/pack-config";
import { discoverPolicyPacks, resolvePolicyConfig, startPolicyPack, type PolicyPackHandle } from "../tools/policy/analyzer-client";
import { exitCode, jsonReport, markdownReport, sarifReport, textReport } from "../tools/policy/report";
import { analyzeWithPack, type CheckResult } from "../tools/policy/run";

const ROOT = path.resolve(__dirname, "..");
let pack: PolicyPackHandle;
let insecure: CheckResult;
let secure: CheckResult;
const ctx = { stack: "test", stackFile: "Pulumi.test.yaml" };

const urn = (t: string, n: string) => `urn:pulumi:test::platform::${t}::${n}`;
const resources = {
    openSg: { urn: urn("aws:ec2/securityGroup:SecurityGroup", "open"), type: "aws:ec2/securityGroup:SecurityGroup", name: "open", properties: { ingress: [{ protocol: "tcp", fromPort: 22, toPort: 22, cidrBlocks: ["0.0.0.0/0"] }] } },
    lt: { urn: urn("aws:ec2/launchTemplate:LaunchTemplate", "nodes"), type: "aws:ec2/launchTemplate:LaunchTemplate", name: "nodes", properties: { metadataOptions: { httpTokens: "required", httpPutResponseHopLimit: 1 } } },
};

async function result(rs: Array<(typeof resources)[keyof typeof resources]>): Promise<CheckResult> {
    const r = await analyzeWithPack(pack, rs);
    return { resources: rs.length, violations: r.violations, exemptions: r.exemptions, packs: [{ name: pack.name, version: pack.version, dir: pack.dir, startupMs: pack.startupMs, analyzeMs: r.analyzeMs, resources: rs.length, resourcesPerSecond: 1, policies: pack.policies }] };
}

beforeAll(async () => {
    pack = await startPolicyPack(path.join(ROOT, "policies/zero-trust"));
    await pack.configure({});
    insecure = await result([resources.openSg, resources.lt]);
    secure = await result([resources.lt]);
}, 120_000);
afterAll(async () => pack?.close());

// The parts of the SARIF 2.1.0 schema GitHub code scanning relies on (required properties and enums).
const sarifSchema = {
    type: "object",
    required: ["version", "runs"],
    properties: {
        version: { const: "2.1.0" },
        runs: {
            type: "array",
            items: {
                type: "object",
                required: ["tool"],
                properties: {
                    tool: { type: "object", required: ["driver"], properties: { driver: { type: "object", required: ["name"], properties: { rules: { type: "array", items: { type: "object", required: ["id"] } } } } } },
                    results: {
                        type: "array",
                        items: {
                            type: "object",
                            required: ["message", "ruleId", "locations"],
                            properties: {
                                level: { enum: ["none", "note", "warning", "error"] },
                                message: { type: "object", required: ["text"] },
                                locations: { type: "array", minItems: 1, items: { type: "object", required: ["physicalLocation"], properties: { physicalLocation: { type: "object", required: ["artifactLocation"] } } } },
                            },
                        },
                    },
                },
            },
        },
    },
};

describe("policy check reports", () => {
    it("reports deliberately insecure resources as mandatory and exits 1; a clean set exits 0", () => {
        const v = insecure.violations.find((x) => x.policy === "net-06-no-world-ingress");
        expect(v).toMatchObject({ policyPack: "zero-trust", enforcementLevel: "mandatory", urn: resources.openSg.urn, type: "aws:ec2/securityGroup:SecurityGroup" });
        expect(v!.message).toContain("ingress[0].cidrBlocks admits 0.0.0.0/0");
        expect(exitCode(insecure)).toBe(1);
        expect(exitCode(secure)).toBe(0);
    });

    it("json: summary and violations in the documented shape", () => {
        const j = jsonReport(insecure);
        expect(j.summary).toEqual({ resources: 2, mandatory: insecure.violations.filter((v) => v.enforcementLevel === "mandatory").length, advisory: insecure.violations.filter((v) => v.enforcementLevel === "advisory").length });
        expect(j.summary.mandatory).toBeGreaterThan(0);
        for (const v of j.violations) expect(Object.keys(v).sort()).toEqual(["enforcementLevel", "message", "policy", "policyPack", "type", "urn"]);
    });

    it("sarif: valid SARIF 2.1.0 with one rule per policy and error-level results for mandatory violations", () => {
        const log = sarifReport(insecure, ctx);
        const validate = new Ajv({ strict: false }).compile(sarifSchema);
        expect(validate(log), JSON.stringify(validate.errors)).toBe(true);
        const run = log.runs[0];
        expect(run.tool.driver.rules!.map((r) => r.id)).toEqual(pack.policies.map((p) => p.name));
        const res = run.results!.find((r) => r.ruleId === "net-06-no-world-ingress")!;
        expect(res.level).toBe("error");
        expect(run.tool.driver.rules![res.ruleIndex!].id).toBe("net-06-no-world-ingress");
        expect(res.locations![0].logicalLocations![0].fullyQualifiedName).toBe(resources.openSg.urn);
        expect(res.locations![0].physicalLocation!.artifactLocation!.uri).toBe("Pulumi.test.yaml");
    });

    it("markdown and text: one row per violation and the verdict", () => {
        const md = markdownReport(insecure, ctx);
        expect(md).toContain("| level | policy | resource | message |");
        expect(md).toContain("| mandatory | `zero-trust/net-06-no-world-ingress` |");
        expect(markdownReport(secure, ctx)).toContain("No violations.");
        expect(textReport(insecure, ctx)).toMatch(/MANDATORY zero-trust\/net-06-no-world-ingress[\s\S]*FAILED/);
        expect(textReport(secure, ctx)).toContain("PASSED");
    });
});

describe("policy pack config and the CLI", () => {
    it("resolves config as the engine does: defaults from the schema, 'all', per-policy levels", () => {
        const resolved = new Map(resolvePolicyConfig("zero-trust", pack.policies, { all: "advisory", "net-06-no-world-ingress": { enforcementLevel: "mandatory", allowedCidrs: ["203.0.113.0/24"] } }).map(([n, l, p]) => [n, { l, p }]));
        expect(resolved.get("net-06-no-world-ingress")).toEqual({ l: "mandatory", p: { allowedCidrs: ["203.0.113.0/24"] } });
        expect(resolved.get("id-01-eks-access-entries")!.l).toBe("advisory");
    });

    it("routes --policy-pack-config entries to the pack that declares the policy", () => {
        const split = splitPackConfig([{ "net-06-no-world-ingress": "advisory", all: "mandatory" }], [{ name: "zero-trust", policies: ["net-06-no-world-ingress"] }, { name: "other", policies: ["x"] }]);
        expect(split).toEqual({ "zero-trust": { all: "mandatory", "net-06-no-world-ingress": "advisory" }, other: { all: "mandatory" } });
        expect(() => splitPackConfig([{ nope: "advisory" }], [{ name: "zero-trust", policies: [] }])).toThrow(/nope/);
    });

    it("a user's config file refines the stack's pack config: levels and properties per policy, exceptions joined by name", () => {
        const platform = {
            "zero-trust-exceptions": { exceptions: [{ name: "rcm", reason: "node installer", policies: ["k8s-01-pod-security-restricted"] }] },
            "k8s-01-pod-security-restricted": { systemNamespaces: ["kube-system", "istio-system"] },
        };
        const user = {
            "zero-trust-exceptions": { exceptions: [{ name: "public-web", reason: "storefront (SEC-1)", policies: ["k8s-08-internal-load-balancer"] }] },
            "k8s-01-pod-security-restricted": "advisory" as const,
        };
        expect(mergePackConfigs([platform, user])).toEqual({
            "zero-trust-exceptions": {
                exceptions: [
                    { name: "rcm", reason: "node installer", policies: ["k8s-01-pod-security-restricted"] },
                    { name: "public-web", reason: "storefront (SEC-1)", policies: ["k8s-08-internal-load-balancer"] },
                ],
            },
            "k8s-01-pod-security-restricted": { systemNamespaces: ["kube-system", "istio-system"], enforcementLevel: "advisory" },
        });
        // The same name given again replaces the earlier entry; a lone level stays a level.
        const renamed = mergePackConfigs([platform, { "zero-trust-exceptions": { exceptions: [{ name: "rcm", reason: "narrowed", policies: [] }] } }, { all: "advisory" }, { all: "mandatory" }]);
        expect((renamed["zero-trust-exceptions"] as any).exceptions).toEqual([{ name: "rcm", reason: "narrowed", policies: [] }]);
        expect(renamed.all).toBe("mandatory");
    });

    it("discovers every folder with a PulumiPolicy.yaml under policies/", () => {
        expect(discoverPolicyPacks(path.join(ROOT, "policies"))).toContain(path.join(ROOT, "policies/zero-trust"));
    });

    it("exits 2 on a tool error (bad format, unknown stack)", () => {
        const run = (...args: string[]) => spawnSync(process.execPath, [path.join(ROOT, "node_modules/tsx/dist/cli.mjs"), "tools/check.ts", ...args], { cwd: ROOT, encoding: "utf8" });
        const bad = run("--stack", "dev", "--format", "xml");
        expect(bad.status).toBe(2);
        expect(bad.stderr).toContain('--format is "xml"');
        expect(run("--stack", "no-such-stack").status).toBe(2);
    }, 60_000);
});
