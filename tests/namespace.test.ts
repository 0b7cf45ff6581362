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

    const GKE = { networkPolicyEngine: "cilium" as const, apiServer: { cidrs: ["10.30.0.0/20"], ports: [443] }, nodeLocalDnsAddress: "169.254.20.10" };
    const EKS = { networkPolicyEngine: "vpc-cni" as const, apiServer: { cidrs: ["10.10.0.0/18", "172.20.0.1/32"], ports: [443] } };
    const policy = (resources: Awaited<ReturnType<typeof plan>>["resources"], name: string) =>
        resources.find((r) => r.type.endsWith(":NetworkPolicy") && (r.inputs.metadata as any).name === name)?.inputs.spec as any;

    it("lets DNS reach NodeLocal DNSCache (its address and its pods) where the cluster runs it, and only kube-dns elsewhere", async () => {
        const gke = policy((await plan({ name: "apps", network: GKE })).resources, "allow-dns");
        expect(gke.egress[0].to).toEqual([
            { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } }, podSelector: { matchLabels: { "k8s-app": "kube-dns" } } },
            { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } }, podSelector: { matchLabels: { "k8s-app": "node-local-dns" } } },
            { ipBlock: { cidr: "169.254.20.10/32" } },
        ]);
        const eks = policy((await plan({ name: "apps", network: EKS })).resources, "allow-dns");
        expect(eks.egress[0].to).toHaveLength(1);
    });

    it("opens API-server egress to the endpoint's addresses, or on Cilium to the kube-apiserver entity (no ipBlock), for the selected pods", async () => {
        const eks = await plan({ name: "ops", ambient: false, network: EKS, apiServerEgress: true, apiServerEgressPodLabels: { app: "operator" } });
        expect(policy(eks.resources, "allow-apiserver-egress")).toEqual({
            podSelector: { matchLabels: { app: "operator" } },
            policyTypes: ["Egress"],
            egress: [{ to: [{ ipBlock: { cidr: "10.10.0.0/18" } }, { ipBlock: { cidr: "172.20.0.1/32" } }], ports: [{ protocol: "TCP", port: 443 }] }],
        });
        expect(eks.resources.some((r) => r.type.endsWith(":CiliumClusterwideNetworkPolicy"))).toBe(false);

        const gke = await plan({ name: "ops", ambient: false, network: GKE, apiServerEgress: true });
        expect(policy(gke.resources, "allow-apiserver-egress")).toBeUndefined();
        const ccnp = gke.resources.find((r) => r.type === "kubernetes:cilium.io/v2:CiliumClusterwideNetworkPolicy")!;
        expect((ccnp.inputs.metadata as any).name).toBe("allow-apiserver-egress-ops");
        expect(ccnp.inputs.spec).toMatchObject({
            endpointSelector: { matchLabels: { "k8s:io.kubernetes.pod.namespace": "ops" } },
            enableDefaultDeny: { ingress: false, egress: false },
            egress: [{ toEntities: ["kube-apiserver"], toPorts: [{ ports: [{ port: "443", protocol: "TCP" }] }] }],
        });
        expect(ccnp.provider).toContain("pulumi:providers:kubernetes");
    });

    it("refuses API-server egress without the API server's addresses on a non-Cilium engine", async () => {
        await expect(plan({ name: "ops", network: { networkPolicyEngine: "calico", apiServer: { cidrs: [], ports: [443] } }, apiServerEgress: true })).rejects.toThrow(
            /PlatformNamespace ops: apiServerEgress needs the API server's addresses, and network\.apiServer\.cidrs is empty for engine "calico"/,
        );
    });

    it("names each egress exception in its own policy, public addresses only, with its reason", async () => {
        const { resources } = await plan({
            name: "apps",
            egressExceptions: [{ exception: { name: "entra-id", cidrs: ["0.0.0.0/0", "20.190.128.0/18"], ports: [443], reason: "token exchange with Entra ID" }, podSelector: { matchLabels: { app: "a" } } }],
        });
        const p = resources.find((r) => r.type.endsWith(":NetworkPolicy") && (r.inputs.metadata as any).name === "allow-egress-entra-id")!;
        expect((p.inputs.metadata as any).annotations).toEqual({ "platform.io/egress-exception": "entra-id", "platform.io/egress-exception-reason": "token exchange with Entra ID" });
        expect((p.inputs.spec as any).egress).toEqual([
            {
                to: [{ ipBlock: { cidr: "0.0.0.0/0", except: ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16"] } }, { ipBlock: { cidr: "20.190.128.0/18" } }],
                ports: [{ protocol: "TCP", port: 443 }],
            },
        ]);
    });

    it("rejects a name that is not a DNS-1123 label before registering anything", async () => {
        await expect(plan({ name: "Apps_1" })).rejects.toThrow(/PlatformNamespace apps: args\.name: "Apps_1" is not a DNS-1123 label/);
    });

    it("rejects a Pod Security level that does not exist, naming the allowed ones, before registering anything", async () => {
        const run = plan({ name: "apps", podSecurity: "strict" });
        await expect(run).rejects.toThrow('PlatformNamespace apps: args.podSecurity: "strict" is not a Pod Security level; allowed: "restricted", "baseline", "privileged"');
    });

    it("rejects pod labels for API-server egress without apiServerEgress, and an unknown policy engine", async () => {
        await expect(plan({ name: "ops", apiServerEgressPodLabels: { app: "operator" } })).rejects.toThrow(
            'PlatformNamespace apps: args.apiServerEgressPodLabels: {"app":"operator"} is set without apiServerEgress; allowed: only with apiServerEgress: true',
        );
        await expect(plan({ name: "ops", network: { networkPolicyEngine: "weave", apiServer: { cidrs: [], ports: [443] } } })).rejects.toThrow(
            /PlatformNamespace apps: args\.network\.networkPolicyEngine: "weave" must be one of "cilium"/,
        );
    });
});
