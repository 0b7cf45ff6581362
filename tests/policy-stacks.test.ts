/**
 * Every stack the platform builds passes the zero-trust pack with zero mandatory violations, checked
 * over the analyzer protocol with the plan of the real stack program (mock runtime).
 */
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { planStack } from "../tools/plan";
import { startPolicyPack, type PolicyPackHandle } from "../tools/policy/analyzer-client";
import { analyzeWithPack, toAnalyzerResource } from "../tools/policy/run";

let pack: PolicyPackHandle;
beforeAll(async () => {
    pack = await startPolicyPack(path.resolve(__dirname, "../policies/zero-trust"));
    await pack.configure({});
}, 120_000);
afterAll(async () => pack?.close());

const variants: Array<[string, string, Record<string, unknown> | undefined]> = [
    ["dev (aws+azure+gcp)", "dev", undefined],
    // Single-cloud variants drop the dev stack's services, which target other clouds.
    ["aws only", "dev", { "platform:clouds": ["aws"], "platform:services": [] }],
    ["azure only", "dev", { "platform:clouds": ["azure"], "platform:services": [] }],
    ["gcp only", "dev", { "platform:clouds": ["gcp"], "platform:services": [] }],
    ["kubernetes target (local)", "local", undefined],
];

describe("every platform stack passes the zero-trust pack", () => {
    for (const [label, stack, overrides] of variants) {
        it(`${label}: zero mandatory violations`, async () => {
            const plan = await planStack(stack, overrides);
            const { violations } = await analyzeWithPack(pack, plan.resources.map(toAnalyzerResource));
            const mandatory = violations.filter((v) => v.enforcementLevel === "mandatory").map((v) => `${v.policy} ${v.urn}: ${v.message}`);
            expect(mandatory).toEqual([]);
        }, 120_000);
    }
});
