import * as k8s from "@pulumi/kubernetes";
import { describe, expect, it } from "vitest";
import { CallGraphError, callGraphOwnedNamespaces, MESH_OWNED_NAMESPACES, MeshCallGraph, planCallGraph, type MeshService } from "../components/mesh/callgraph";
import { runUnderMocks } from "../tools/plan/runtime";
import { validateCustomResource } from "./crd";

const services: MeshService[] = [
    { name: "web", namespace: "frontend" },
    { name: "orders", namespace: "shop", serviceAccount: "orders-sa", selector: { "app.kubernetes.io/name": "orders" } },
    { name: "payments", namespace: "shop" },
    { name: "ledger", namespace: "finance" },
    { name: "legacy", namespace: "legacy", ambient: false },
];

describe("planCallGraph", () => {
    it("maps an L4 call to a ztunnel policy selecting the callee's pods, by the caller's principal", () => {
        const plan = planCallGraph(services, [{ from: "web", to: "ledger", ports: [8080] }]);
        expect(plan.waypointNamespaces).toEqual([]);
        expect(plan.policies).toEqual([
            {
                name: "allow-web-to-ledger",
                args: {
                    namespace: "finance",
                    selector: { app: "ledger" },
                    from: [{ namespace: "frontend", serviceAccount: "web" }],
                    ports: [8080],
                },
            },
        ]);
    });

    it("gives the callee's namespace a waypoint for L7 rules and routes every call into it through the waypoint", () => {
        const plan = planCallGraph(services, [
            { from: "web", to: "orders", methods: ["GET"], paths: ["/orders/*"] },
            { from: "orders", to: "payments", ports: [9090] }, // L4, but shop now sits behind a waypoint
            { from: "orders", to: "ledger" },
        ]);
        expect(plan.waypointNamespaces).toEqual(["shop"]);
        const byName = Object.fromEntries(plan.policies.map((p) => [p.name, p.args]));
        expect(byName["allow-web-to-orders"]).toEqual({
            namespace: "shop",
            from: [{ namespace: "frontend", serviceAccount: "web" }],
            methods: ["GET"],
            paths: ["/orders/*"],
            waypoint: "waypoint",
            service: "orders",
        });
        expect(byName["allow-orders-to-payments"]).toEqual({
            namespace: "shop",
            from: [{ namespace: "shop", serviceAccount: "orders-sa" }],
            ports: [9090],
            waypoint: "waypoint",
            service: "payments",
        });
        // finance has no waypoint: plain L4 with the callee's default selector.
        expect(byName["allow-orders-to-ledger"]).toEqual({
            namespace: "finance",
            selector: { app: "ledger" },
            from: [{ namespace: "shop", serviceAccount: "orders-sa" }],
        });
        // Behind the waypoint, ztunnel admits only the waypoint's own identity.
        expect(byName["allow-waypoint"]).toEqual({ namespace: "shop", from: [{ namespace: "shop", serviceAccount: "waypoint" }] });
        expect(plan.namespaces).toEqual(["finance", "frontend", "shop"]);
    });

    it("rejects unknown services, callers or callees outside the mesh, and L7 rules where no waypoint can be made", () => {
        const fail = (calls: Parameters<typeof planCallGraph>[1], svc = services, owned?: Record<string, string>) => {
            try {
                planCallGraph(svc, calls, owned);
            } catch (e) {
                expect(e).toBeInstanceOf(CallGraphError);
                return (e as CallGraphError).problems;
            }
            throw new Error("expected a CallGraphError");
        };
        expect(fail([{ from: "web", to: "inventory" }])).toEqual([
            'callGraph.calls[0].to: "inventory" is not a declared service; allowed: "web", "orders", "payments", "ledger", "legacy"',
        ]);
        expect(fail([{ from: "web", to: "legacy", methods: ["GET"] }])[0]).toMatch(/calls\[0\]\.to: "legacy" is outside the ambient mesh, so no identity policy \(and no waypoint\)/);
        expect(fail([{ from: "legacy", to: "web" }])[0]).toMatch(/calls\[0\]\.from: "legacy" is outside the ambient mesh/);
        const withSystem = [...services, { name: "dns", namespace: "kube-system" }];
        // Even where the graph creates no namespaces ({} owned), a system namespace cannot get a waypoint.
        expect(fail([{ from: "web", to: "dns", paths: ["/"] }], withSystem, {})).toEqual([
            'callGraph.calls[0]: L7 rule (methods/paths) to "dns" needs a waypoint, but none can be made in system namespace "kube-system"; allowed: drop methods/paths (L4) or call a service in an application namespace',
        ]);
        // The same call at L4 is fine when the namespaces are created elsewhere...
        expect(planCallGraph(withSystem, [{ from: "web", to: "dns", ports: [53] }], {}).policies).toHaveLength(1);
        expect(fail([{ from: "web", to: "orders" }], [...services, { name: "web", namespace: "other" }])[0]).toMatch(/services\[5\]\.name: "web" is declared twice/);
    });

    it("refuses workloads in namespaces the cluster, the mesh or another capability creates (the graph creates its own)", () => {
        const problemsOf = (svc: MeshService[], owned?: Record<string, string>) => {
            try {
                planCallGraph(svc, [], owned);
            } catch (e) {
                expect(e).toBeInstanceOf(CallGraphError);
                return (e as CallGraphError).problems;
            }
            return [];
        };
        // ...but by default the graph would create kube-system as a default-deny PlatformNamespace.
        expect(problemsOf([...services, { name: "dns", namespace: "kube-system" }])).toEqual([
            'callGraph.services[5].namespace: "kube-system" is created by the cluster itself; the call graph creates its workloads\' namespaces, so it cannot share one; allowed: a namespace nothing else on the platform creates (not default, istio-ingress, istio-system, kube-node-lease, kube-public, kube-system, observability)',
        ]);
        for (const ns of Object.keys(MESH_OWNED_NAMESPACES)) {
            expect(problemsOf([{ name: "x", namespace: ns }]), ns).toHaveLength(1);
        }
        expect(problemsOf([{ name: "collector", namespace: "observability" }])[0]).toMatch(/"observability" is created by the mesh \(OpenTelemetry collector\)/);
        // Another capability's namespace, passed by the stack.
        const kafka = { kafka: "platform:kafka (Strimzi)" };
        expect(problemsOf([{ name: "orders", namespace: "kafka" }], { ...kafka, ...MESH_OWNED_NAMESPACES })[0]).toMatch(
            /^callGraph\.services\[0\]\.namespace: "kafka" is created by platform:kafka \(Strimzi\);.*allowed: a namespace nothing else on the platform creates \(not default, istio-ingress, istio-system, kafka,/,
        );
        // A workload outside the mesh gets no namespace from the graph, so it may live anywhere.
        expect(problemsOf([{ name: "dns", namespace: "kube-system", ambient: false }])).toEqual([]);
        expect(callGraphOwnedNamespaces({ createNamespaces: false, ownedNamespaces: kafka })).toEqual({});
        expect(callGraphOwnedNamespaces({ ownedNamespaces: kafka })).toEqual({ ...kafka, ...MESH_OWNED_NAMESPACES });
    });
});

describe("MeshCallGraph", () => {
    it("creates enrolled namespaces, the waypoint Gateway and policies that all validate against the CRDs", async () => {
        const { resources } = await runUnderMocks(
            () => {
                const provider = new k8s.Provider("k8s", { context: "kind-test" });
                new MeshCallGraph(
                    "graph",
                    { services, calls: [{ from: "web", to: "orders", methods: ["GET", "POST"] }, { from: "orders", to: "ledger", ports: [8443] }] },
                    { provider },
                );
                return {};
            },
            { project: "platform", stack: "test" },
        );
        const namespaces = resources.filter((r) => r.type === "kubernetes:core/v1:Namespace").map((r) => r.inputs.metadata as any);
        expect(namespaces.map((n) => n.name).sort()).toEqual(["finance", "frontend", "shop"]);
        for (const ns of namespaces) {
            expect(ns.labels["istio.io/dataplane-mode"]).toBe("ambient");
            expect(ns.labels["pod-security.kubernetes.io/enforce"]).toBe("restricted");
        }
        expect(namespaces.find((n) => n.name === "shop").labels["istio.io/use-waypoint"]).toBe("waypoint");
        expect(namespaces.find((n) => n.name === "finance").labels["istio.io/use-waypoint"]).toBeUndefined();
        // Only the waypoint's namespace opens the waypoint's control-plane, telemetry and status flows.
        const policiesIn = (ns: string) =>
            resources.filter((r) => r.type.endsWith(":NetworkPolicy") && (r.inputs.metadata as any).namespace === ns).map((r) => (r.inputs.metadata as any).name).sort();
        expect(policiesIn("shop")).toEqual(["allow-dns", "allow-hbone", "allow-kubelet-probes", "allow-waypoint-egress", "allow-waypoint-status", "default-deny"]);
        expect(policiesIn("finance")).toEqual(["allow-dns", "allow-hbone", "allow-kubelet-probes", "default-deny"]);
        const egress = resources.find((r) => (r.inputs.metadata as any)?.name === "allow-waypoint-egress")!;
        expect((egress.inputs.spec as any).podSelector).toEqual({ matchLabels: { "gateway.networking.k8s.io/gateway-name": "waypoint" } });
        expect((egress.inputs.spec as any).egress.map((e: any) => e.ports[0].port)).toEqual([15012]);

        const gateway = resources.find((r) => r.type === "kubernetes:gateway.networking.k8s.io/v1:Gateway")!;
        expect(gateway.inputs).toMatchObject({
            metadata: { name: "waypoint", namespace: "shop" },
            spec: { gatewayClassName: "istio-waypoint", listeners: [{ name: "mesh", port: 15008, protocol: "HBONE" }] },
        });
        expect(validateCustomResource(gateway.inputs).errors).toEqual([]);

        const policies = resources.filter((r) => r.type === "kubernetes:security.istio.io/v1:AuthorizationPolicy");
        expect(policies.map((p) => `${(p.inputs.metadata as any).namespace}/${(p.inputs.metadata as any).name}`).sort()).toEqual([
            "finance/allow-orders-to-ledger",
            "shop/allow-waypoint",
            "shop/allow-web-to-orders",
        ]);
        for (const p of policies) expect(validateCustomResource(p.inputs).errors).toEqual([]);
        // The L7 policy is bound to the waypoint and waits for it.
        const l7 = policies.find((p) => (p.inputs.metadata as any).name === "allow-web-to-orders")!;
        expect((l7.inputs.spec as any).targetRefs).toEqual([{ kind: "Service", group: "", name: "orders" }]);
        expect(l7.dependencies).toContain(gateway.urn);
    });

    it("throws before registering anything when a workload sits in a namespace another component creates", async () => {
        const { resources } = await runUnderMocks(
            () => {
                const provider = new k8s.Provider("k8s", { context: "kind-test" });
                expect(
                    () =>
                        new MeshCallGraph(
                            "graph",
                            { services: [...services, { name: "hello", namespace: "serverless" }], calls: [{ from: "web", to: "hello" }], ownedNamespaces: { serverless: "platform:services (Knative)" } },
                            { provider },
                        ),
                ).toThrow(/MeshCallGraph graph: args\.services\[5\]\.namespace: "serverless" is created by platform:services \(Knative\)/);
                // Namespaces owned elsewhere (createNamespaces: false): the same graph is accepted.
                new MeshCallGraph(
                    "graph-external",
                    { services: [...services, { name: "hello", namespace: "serverless" }], calls: [{ from: "web", to: "hello" }], createNamespaces: false, ownedNamespaces: { serverless: "platform:services (Knative)" } },
                    { provider },
                );
                return {};
            },
            { project: "platform", stack: "test" },
        );
        expect(resources.filter((r) => r.type === "platform:index:MeshCallGraph").map((r) => r.name)).toEqual(["graph-external"]);
        expect(resources.filter((r) => r.type === "kubernetes:core/v1:Namespace")).toEqual([]);
    });

    it("passes opts.dependsOn (the Istio CRDs and control plane) on to its waypoints and policies, and reports them as outputs", async () => {
        let outputs: { waypoints?: string[]; policies?: string[] } = {};
        const { resources } = await runUnderMocks(
            () => {
                const provider = new k8s.Provider("k8s", { context: "kind-test" });
                const crds = new k8s.core.v1.ConfigMap("istio-crds", { data: {} }, { provider });
                const graph = new MeshCallGraph("graph", { services, calls: [{ from: "web", to: "orders", methods: ["GET"] }] }, { provider, dependsOn: crds });
                graph.waypointNamespaces.apply((w) => (outputs.waypoints = w));
                graph.policyNames.apply((p) => (outputs.policies = p));
                return {};
            },
            { project: "platform", stack: "test" },
        );
        const crds = resources.find((r) => r.name === "istio-crds")!;
        const children = resources.filter((r) => r.type === "kubernetes:gateway.networking.k8s.io/v1:Gateway" || r.type === "kubernetes:security.istio.io/v1:AuthorizationPolicy");
        expect(children.length).toBe(3);
        for (const r of children) expect(r.dependencies).toContain(crds.urn);
        expect(outputs).toEqual({ waypoints: ["shop"], policies: ["shop/allow-web-to-orders", "shop/allow-waypoint"] });
    });
});
