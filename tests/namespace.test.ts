import * as k8s from "@pulumi/kubernetes";
import { describe, expect, it } from "vitest";
import { PlatformNamespace } from "../components/namespace";
import { runUnderMocks } from "../tools/plan/runtime";

async function plan(args: ConstructorParameters<typeof PlatformNamespace>[1]) {
    return runUnderMocks(
        () => {
            const provider = new k8s.Provider("k8s", { context: "kind-test" });
            return new PlatformNamespace("apps", args, { provider }).namespaceName;
        },
        { project: "platform", stack: "test" },
    );
}

describe("PlatformNamespace", () => {
    it("enrols the namespace in ambient and enforces restricted pod security", async () => {
        const { resources } = await plan({ name: "apps" });
        const ns = resources.find((r) => r.type === "kubernetes:core/v1:Namespace")!;
        expect((ns.inputs.metadata as any).labels).toMatchObject({
            "istio.io/dataplane-mode": "ambient",
            "pod-security.kubernetes.io/enforce": "restricted",
        });
    });

    it("starts from a default-deny policy for ingress and egress, plus only DNS, HBONE and probe allowances", async () => {
        const { resources } = await plan({ name: "apps" });
        const policies = resources.filter((r) => r.type === "kubernetes:networking.k8s.io/v1:NetworkPolicy");
        const byName = Object.fromEntries(policies.map((p) => [(p.inputs.metadata as any).name, p.inputs.spec as any]));
        expect(Object.keys(byName).sort()).toEqual(["allow-dns", "allow-hbone", "allow-kubelet-probes", "default-deny"]);
        expect(byName["default-deny"]).toEqual({ podSelector: {}, policyTypes: ["Ingress", "Egress"] });
        expect(byName["allow-dns"].egress[0].ports.map((p: any) => p.port)).toEqual([53, 53]);
        expect(byName["allow-hbone"].ingress[0].ports).toEqual([{ protocol: "TCP", port: 15008 }]);
        expect(byName["allow-kubelet-probes"].ingress[0].from[0].ipBlock.cidr).toBe("169.254.7.127/32");
        // Every policy lives in the namespace and uses the explicit provider.
        for (const p of policies) {
            expect((p.inputs.metadata as any).namespace).toBe("apps");
            expect(p.provider).toContain("pulumi:providers:kubernetes");
        }
    });

    it("does not add mesh allowances when the namespace is not enrolled", async () => {
        const { resources } = await plan({ name: "mesh-infra", ambient: false, podSecurity: "privileged" });
        const ns = resources.find((r) => r.type === "kubernetes:core/v1:Namespace")!;
        expect((ns.inputs.metadata as any).labels["istio.io/dataplane-mode"]).toBeUndefined();
        expect((ns.inputs.metadata as any).labels["pod-security.kubernetes.io/enforce"]).toBe("privileged");
        const names = resources.filter((r) => r.type.endsWith(":NetworkPolicy")).map((p) => (p.inputs.metadata as any).name);
        expect(names.sort()).toEqual(["allow-dns", "default-deny"]);
    });

    it("rejects a name that is not a DNS-1123 label before registering anything", async () => {
        await expect(plan({ name: "Apps_1" })).rejects.toThrow(/"Apps_1" is not a DNS-1123 label/);
    });
});
