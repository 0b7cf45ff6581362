/**
 * The safety net of refactors: every stack (and the variants in tools/plan/baseline.ts) keeps every
 * custom resource it registered when the baseline was written, under the same URN or under an alias the
 * engine will follow, with the same inputs. A change that means to change plans rewrites the fixtures
 * with `npm run plan:baseline`, and the diff shows each resource it changes.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { BASELINE_CASES, BASELINE_DIR, COMPONENT, baselineOf, inputsDigest, matchOldState, planCase, type Baseline } from "../tools/plan/baseline";
import type { RecordedResource } from "../tools/plan/index";

function compare(baseline: Baseline, resources: RecordedResource[]) {
    const matches = matchOldState(new Set(Object.keys(baseline)), resources);
    const known = new Map([...matches].map(([r, old]) => [old, r]));
    const missing: string[] = [];
    const changed: string[] = [];
    const matched = new Set<string>();
    for (const [urn, digest] of Object.entries(baseline)) {
        if (digest === COMPONENT) continue;
        const r = known.get(urn);
        if (!r) missing.push(urn);
        else {
            matched.add(r.urn);
            if (inputsDigest(r) !== digest) changed.push(urn);
        }
    }
    const added = resources.filter((r) => r.custom && !matched.has(r.urn)).map((r) => r.urn);
    return { missing, changed, added };
}

/**
 * The state of stacks deployed before the per-cloud components (issue 15: commit 29f20a5, frozen in
 * tests/fixtures/plan-state-v0, never rewritten): every resource of it, custom or component, is taken over
 * by one planned resource as the engine matches aliases, so a `pulumi up` of an existing stack moves state
 * instead of creating a second cluster beside a protected one. Keep until a major version drops the aliases.
 */
/**
 * Resources of v0 stacks that a later change removes on purpose, which a `pulumi up` deletes: issue 14
 * moved Strimzi's SCRAM credentials to the User Operator and External Secrets Operator, so the random
 * provider, the generated passwords and the Secrets Pulumi wrote (`<stack>-<target>-password-<client>`,
 * `…-credentials-<client>`, `…-kafka-credentials-<client>`) are gone (docs/kafka.md, Upgrading).
 */
const REMOVED_ON_PURPOSE = [/\$pulumi:providers:random::|::pulumi:providers:random::/, /random:index\/randomPassword:RandomPassword::/, /kubernetes:core\/v1:Secret::[^:]*-(password|credentials)-[^:]*$/];

describe("stacks deployed before the per-cloud components keep every resource (frozen state v0)", () => {
    const V0 = path.join(BASELINE_DIR, "..", "plan-state-v0");
    it.each(BASELINE_CASES.map((c) => [c.id, c] as const))("%s", async (id, c) => {
        const old = new Set(
            Object.keys(JSON.parse(fs.readFileSync(path.join(V0, `${id}.json`), "utf8"))).filter((u) => !u.includes("::pulumi:pulumi:Stack::") && !REMOVED_ON_PURPOSE.some((re) => re.test(u))),
        );
        const taken = new Set(matchOldState(old, await planCase(c)).values());
        expect([...old].filter((u) => !taken.has(u))).toEqual([]);
    });
});

describe("plan baseline: refactors keep every resource in place", () => {
    it.each(BASELINE_CASES.map((c) => [c.id, c] as const))("%s", async (id, c) => {
        const baseline = JSON.parse(fs.readFileSync(path.join(BASELINE_DIR, `${id}.json`), "utf8")) as Baseline;
        const result = compare(baseline, await planCase(c));
        expect(result).toEqual({ missing: [], changed: [], added: [] });
    });

    it("an alias from a parent's old type keeps the children; a renamed resource without an alias is reported", () => {
        const stackUrn = "urn:pulumi:s::p::pulumi:pulumi:Stack::p-s";
        const res = (urn: string, parent: string, type: string, name: string, aliasSpecs: RecordedResource["options"]["aliasSpecs"] = [], inputs: Record<string, unknown> = {}): RecordedResource => ({
            urn, type, name, parent, provider: "", custom: !type.startsWith("platform:"), protect: false, retainOnDelete: false, dependencies: [], inputs, rawInputs: inputs,
            options: { deleteBeforeReplace: false, ignoreChanges: [], additionalSecretOutputs: [], aliases: [], aliasSpecs },
        });
        const before = [
            res("urn:pulumi:s::p::platform:index:KubernetesCluster::c", stackUrn, "platform:index:KubernetesCluster", "c"),
            res("urn:pulumi:s::p::platform:index:KubernetesCluster$aws:eks/cluster:Cluster::c", "urn:pulumi:s::p::platform:index:KubernetesCluster::c", "aws:eks/cluster:Cluster", "c", [], { version: "1.34" }),
        ];
        const baseline = baselineOf(before);
        const parent = res("urn:pulumi:s::p::platform:index:EksCluster::c", stackUrn, "platform:index:EksCluster", "c", [{ name: "", type: "platform:index:KubernetesCluster", parentUrn: "", noParent: false }]);
        const child = (inputs: Record<string, unknown>) => res("urn:pulumi:s::p::platform:index:EksCluster$aws:eks/cluster:Cluster::c", parent.urn, "aws:eks/cluster:Cluster", "c", [], inputs);
        expect(compare(baseline, [parent, child({ version: "1.34" })])).toEqual({ missing: [], changed: [], added: [] });
        expect(compare(baseline, [parent, child({ version: "1.35" })]).changed).toEqual(["urn:pulumi:s::p::platform:index:KubernetesCluster$aws:eks/cluster:Cluster::c"]);
        // A grandchild is known by the engine under its whole chain of ancestors' types: the parent's alias reaches it too.
        const middle = res("urn:pulumi:s::p::platform:index:EksCluster$platform:index:NodePools::pools", parent.urn, "platform:index:NodePools", "pools");
        const grandchild = res("urn:pulumi:s::p::platform:index:NodePools$aws:eks/nodeGroup:NodeGroup::general", middle.urn, "aws:eks/nodeGroup:NodeGroup", "general", [], { size: 3 });
        const nested = baselineOf([
            before[0],
            res("urn:pulumi:s::p::platform:index:KubernetesCluster$platform:index:NodePools::pools", before[0].urn, "platform:index:NodePools", "pools"),
            { ...grandchild, urn: "urn:pulumi:s::p::platform:index:NodePools$aws:eks/nodeGroup:NodeGroup::general", parent: "urn:pulumi:s::p::platform:index:KubernetesCluster$platform:index:NodePools::pools" },
        ]);
        expect(Object.keys(nested)).toContain("urn:pulumi:s::p::platform:index:KubernetesCluster$platform:index:NodePools$aws:eks/nodeGroup:NodeGroup::general");
        expect(compare(nested, [parent, middle, grandchild])).toEqual({ missing: [], changed: [], added: [] });
        const unaliased = { ...parent, options: { ...parent.options, aliasSpecs: [] } };
        expect(compare(nested, [unaliased, middle, grandchild]).missing).toEqual([
            "urn:pulumi:s::p::platform:index:KubernetesCluster$platform:index:NodePools$aws:eks/nodeGroup:NodeGroup::general",
        ]);
        expect(compare(baseline, [unaliased, child({ version: "1.34" })])).toEqual({
            missing: ["urn:pulumi:s::p::platform:index:KubernetesCluster$aws:eks/cluster:Cluster::c"],
            changed: [],
            added: ["urn:pulumi:s::p::platform:index:EksCluster$aws:eks/cluster:Cluster::c"],
        });
    });
});
