/**
 * Every stack the platform builds passes every policy pack with zero mandatory violations, checked
 * over the analyzer protocol with the plan of the real stack program (mock runtime). The stacks are
 * the repository's stack files: dev (three clouds), the single-cloud variants and local (kubernetes).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { planStack } from "../tools/plan";
import { discoverPolicyPacks, startPolicyPack, type PolicyPackHandle } from "../tools/policy/analyzer-client";
import { analyzeWithPack, toAnalyzerResource } from "../tools/policy/run";
import * as path from "node:path";
import { listStacks, PROJECT_ROOT } from "../tools/plan/stack-config";

let packs: PolicyPackHandle[] = [];
beforeAll(async () => {
    packs = await Promise.all(discoverPolicyPacks(path.join(PROJECT_ROOT, "policies")).map((dir) => startPolicyPack(dir)));
    for (const pack of packs) await pack.configure({});
}, 180_000);
afterAll(async () => Promise.all(packs.map((p) => p.close())));

const stacks = listStacks();

describe("every platform stack passes every policy pack", () => {
    it("covers the three-cloud, single-cloud and kubernetes-target stacks", () => {
        expect(stacks).toEqual(expect.arrayContaining(["dev", "aws", "azure", "gcp", "local"]));
        expect(packs.map((p) => p.name).sort()).toEqual(["carbon-aware", "zero-trust"]);
    });

    for (const stack of stacks) {
        it(`${stack}: zero mandatory violations`, async () => {
            const plan = await planStack(stack);
            const resources = plan.resources.map(toAnalyzerResource);
            const mandatory: string[] = [];
            for (const pack of packs) {
                const { violations } = await analyzeWithPack(pack, resources);
                mandatory.push(...violations.filter((v) => v.enforcementLevel === "mandatory").map((v) => `${pack.name}/${v.policy} ${v.urn}: ${v.message}`));
            }
            expect(mandatory).toEqual([]);
        }, 180_000);
    }
});
