/**
 * The streaming check (`npm run check`, the benchmark): packs analyze each resource as the plan records
 * it, AnalyzeStack after the plan. Its report must be the one the after-the-plan check gives for the same
 * resources: same violations and exemptions, in resource order, then the stack policies' findings.
 * (tools/check.ts's output is rendered from that result alone.)
 */
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { discoverPolicyPacks } from "../tools/policy/analyzer-client";
import { loadStackConfig, planConfig, type RecordedResource } from "../tools/plan/index";
import { runPolicyPacks, startStreamingCheckInWorker, type CheckResult } from "../tools/policy/run";

const ROOT = path.resolve(__dirname, "..");
const packDirs = discoverPolicyPacks(path.join(ROOT, "policies"));

/** A deliberately insecure resource (world-open SSH), so the comparison covers Analyze violations. */
const openSsh: RecordedResource = {
    urn: "urn:pulumi:local::platform::aws:ec2/securityGroup:SecurityGroup::open-ssh",
    type: "aws:ec2/securityGroup:SecurityGroup",
    name: "open-ssh",
    parent: "",
    provider: "",
    custom: true,
    protect: false,
    retainOnDelete: false,
    dependencies: [],
    inputs: { ingress: [{ protocol: "tcp", fromPort: 22, toPort: 22, cidrBlocks: ["0.0.0.0/0"] }] },
    rawInputs: { ingress: [{ protocol: "tcp", fromPort: 22, toPort: 22, cidrBlocks: ["0.0.0.0/0"] }] },
    options: { deleteBeforeReplace: false, ignoreChanges: [], additionalSecretOutputs: [], aliases: [] },
};

const findings = (r: CheckResult) => ({ resources: r.resources, violations: r.violations, exemptions: r.exemptions, packs: r.packs.map((p) => [p.name, p.resources]) });

let afterPlan: CheckResult;
let streamed: CheckResult;
let recordedDuringPlan = 0;

beforeAll(async () => {
    // Streaming, as `npm run check` runs it: the packs start with the plan (from a worker thread); each
    // recorded resource is handed over at once.
    const check = startStreamingCheckInWorker(packDirs);
    let plan;
    try {
        plan = await planConfig(loadStackConfig("local"), {
            onResource: (r) => {
                recordedDuringPlan++;
                check.add(r);
            },
        });
        // Resources that arrive while the packs are already analyzing (after their start-up).
        await new Promise((r) => setTimeout(r, 3000));
        check.add(openSsh);
        streamed = await check.finish();
    } finally {
        await check.close();
    }
    // Reference: the whole list after the plan.
    afterPlan = await runPolicyPacks([...plan.resources, openSsh], packDirs);
}, 240_000);

describe("streaming policy check", () => {
    it("hands every recorded resource to the packs, in registration order", () => {
        expect(recordedDuringPlan).toBeGreaterThan(50);
        expect(streamed.resources).toBe(recordedDuringPlan + 1);
    });

    it("reports exactly what the after-the-plan check reports, in the same order", () => {
        expect(afterPlan.violations.some((v) => v.urn === openSsh.urn && v.enforcementLevel === "mandatory")).toBe(true);
        expect(findings(streamed)).toEqual(findings(afterPlan));
    });
});
