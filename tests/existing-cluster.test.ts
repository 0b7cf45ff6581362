/** ExistingCluster (the `kubernetes` target) used directly: its provider, its network facts, and bad facts refused. */
import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { ExistingCluster, KIND_NETWORK_FACTS } from "../components/cluster";
import { type RecordedResource } from "../tools/plan";
import { runUnderMocks } from "../tools/plan/runtime";

function run<T>(program: () => T) {
    const sink: RecordedResource[] = [];
    const started = runUnderMocks(program, { project: "platform", stack: "test", sink });
    // A failed run settles only after the registrations already started have finished.
    const settled = started.catch(async (e: unknown) => {
        await new Promise((r) => setTimeout(r, 300));
        throw e;
    });
    return { run: settled, sink };
}

describe("ExistingCluster", () => {
    it("installs through a provider for the given kubeconfig context, with kind's network facts by default", async () => {
        let facts: unknown;
        const { resources, outputs } = await run(() => {
            const cluster = new ExistingCluster("k", { context: "kind-platform", kubeconfig: "/tmp/kubeconfig" });
            facts = cluster.networkFacts;
            return pulumi.output({ name: cluster.clusterName, oidc: cluster.oidcIssuerUrl, target: cluster.target });
        }).run;
        const provider = resources.find((r) => r.type === "pulumi:providers:kubernetes")!;
        expect(provider.name).toBe("k-k8s");
        expect(provider.parent).toMatch(/platform:index:ExistingCluster::k$/);
        expect(provider.inputs).toMatchObject({ context: "kind-platform", kubeconfig: "/tmp/kubeconfig", enableServerSideApply: "true" });
        expect(outputs).toEqual({ name: "kind-platform", oidc: "", target: "kubernetes" });
        expect(facts).toEqual(KIND_NETWORK_FACTS);
    });

    it("takes the cluster's own network facts", async () => {
        const network = { networkPolicyEngine: "cilium", apiServer: { cidrs: ["10.0.0.1/32"], ports: [6443] }, nodeLocalDnsAddress: "169.254.20.10" };
        let facts: unknown;
        await run(() => {
            facts = new ExistingCluster("k", { network }).networkFacts;
        }).run;
        expect(facts).toEqual(network);
    });

    it("refuses a network policy engine it does not know before registering its provider", async () => {
        const { run: failed, sink } = run(
            () => new ExistingCluster("k", { network: { networkPolicyEngine: "weave", apiServer: { cidrs: [], ports: [443] } } }),
        );
        await expect(failed).rejects.toThrow(/^ExistingCluster k: args\.network\.networkPolicyEngine: "weave" must be one of "cilium", "calico", "vpc-cni", "kindnet", "unknown"$/);
        expect(sink.some((r) => r.type === "pulumi:providers:kubernetes")).toBe(false);
    });
});
