/**
 * Every stack the platform builds passes every policy pack with zero mandatory violations, checked
 * over the analyzer protocol with the plan of the real stack program (mock runtime) and the stack's own
 * pack configuration (policies/config), as `npm run check` and `pulumi preview` get it. The stacks are
 * the repository's stack files: dev (three clouds), the single-cloud variants and local (kubernetes).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { planStack } from "../tools/plan";
import { discoverPolicyPacks, startPolicyPack, type PolicyPackHandle } from "../tools/policy/analyzer-client";
import { stackPackConfig } from "../tools/policy/pack-config";
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
                await pack.configure(stackPackConfig(stack, pack.dir));
                const { violations } = await analyzeWithPack(pack, resources);
                mandatory.push(...violations.filter((v) => v.enforcementLevel === "mandatory").map((v) => `${pack.name}/${v.policy} ${v.urn}: ${v.message}`));
            }
            expect(mandatory).toEqual([]);
        }, 180_000);
    }
});

describe("a public edge end to end: the stack marks it, the pack config names it", () => {
    const publicIngress = {
        "platform:mesh": {
            tracing: { samplingPercent: 100 },
            istiodReplicas: 1,
            ingress: { enabled: true, minReplicas: 1, exposure: "public", edgeException: { name: "public-web", reason: "storefront is served to the internet (ticket SEC-1)" } },
        },
    };

    it("local with a public ingress gateway: mandatory K8S-08 until the pack config accepts the named exception, then reported as exempt", async () => {
        const zeroTrust = packs.find((p) => p.name === "zero-trust")!;
        const resources = (await planStack("local", publicIngress)).resources.map(toAnalyzerResource);
        const gateway = resources.find((r) => r.type === "kubernetes:helm.sh/v3:Release" && (r.properties as any).chart === "gateway")!;
        expect((gateway.properties as any).values.service.annotations["platform.io/edge-exception"]).toBe("public-web");

        const platformConfig = stackPackConfig("local", zeroTrust.dir);
        await zeroTrust.configure(platformConfig);
        const denied = await analyzeWithPack(zeroTrust, resources);
        expect(denied.violations.filter((v) => v.policy === "k8s-08-internal-load-balancer")).toEqual([
            expect.objectContaining({ enforcementLevel: "mandatory", urn: gateway.urn }),
        ]);

        // The stack's pack config grants the exception the stack marks the gateway with, for K8S-08 only.
        const exceptions = (platformConfig["zero-trust-exceptions"] as { exceptions: unknown[] }).exceptions;
        await zeroTrust.configure({
            ...platformConfig,
            "zero-trust-exceptions": { exceptions: [...exceptions, { name: "public-web", reason: "storefront is served to the internet (ticket SEC-1)", policies: ["k8s-08-internal-load-balancer"] }] },
        });
        try {
            const accepted = await analyzeWithPack(zeroTrust, resources);
            expect(accepted.violations.filter((v) => v.enforcementLevel === "mandatory")).toEqual([]);
            expect(accepted.exemptions).toContainEqual(expect.objectContaining({ policy: "k8s-08-internal-load-balancer", urn: gateway.urn, reason: 'policy exception "public-web" marked on "' + gateway.name + '": storefront is served to the internet (ticket SEC-1)' }));
        } finally {
            await zeroTrust.configure({});
        }
    }, 180_000);
});
