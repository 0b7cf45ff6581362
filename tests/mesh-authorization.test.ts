import * as k8s from "@pulumi/kubernetes";
import { describe, expect, it } from "vitest";
import { allowWorkloads, type AllowWorkloadsArgs } from "../components/mesh/authorization";
import { runUnderMocks } from "../tools/plan/runtime";
import { validateCustomResource } from "./crd";

async function plan(args: AllowWorkloadsArgs, name = "allow-orders") {
    const { resources } = await runUnderMocks(
        () => {
            const provider = new k8s.Provider("k8s", { context: "kind-test" });
            allowWorkloads(name, args, { provider });
            return {};
        },
        { project: "platform", stack: "test" },
    );
    return resources.find((r) => r.type === "kubernetes:security.istio.io/v1:AuthorizationPolicy")!;
}

describe("allowWorkloads", () => {
    it("emits an L4 ALLOW policy matching caller principals and ports, selecting the destination pods", async () => {
        const policy = await plan({
            namespace: "shop",
            selector: { app: "orders" },
            from: [
                { namespace: "web", serviceAccount: "frontend" },
                { namespace: "batch", serviceAccount: "reports" },
            ],
            ports: [8080, 9090],
        });
        expect(policy.provider).toContain("pulumi:providers:kubernetes");
        expect((policy.inputs.metadata as any)).toMatchObject({ name: "allow-orders", namespace: "shop" });
        expect(policy.inputs.spec).toEqual({
            action: "ALLOW",
            selector: { matchLabels: { app: "orders" } },
            rules: [
                {
                    from: [{ source: { principals: ["cluster.local/ns/web/sa/frontend", "cluster.local/ns/batch/sa/reports"] } }],
                    to: [{ operation: { ports: ["8080", "9090"] } }],
                },
            ],
        });
        expect(validateCustomResource(policy.inputs).errors).toEqual([]);
    });

    it("covers the whole namespace and any port when neither selector nor ports is given", async () => {
        const policy = await plan({ namespace: "kafka", from: [{ namespace: "kafka", serviceAccount: "strimzi-cluster-operator" }] });
        const spec = policy.inputs.spec as any;
        expect(spec.selector).toBeUndefined();
        expect(spec.rules).toEqual([{ from: [{ source: { principals: ["cluster.local/ns/kafka/sa/strimzi-cluster-operator"] } }] }]);
        expect(validateCustomResource(policy.inputs).errors).toEqual([]);
    });

    it("binds L7 rules to the waypoint through targetRefs", async () => {
        const policy = await plan({
            namespace: "shop",
            from: [{ namespace: "web", serviceAccount: "frontend" }],
            methods: ["GET", "POST"],
            paths: ["/api/orders/*"],
            waypoint: "waypoint",
        });
        const spec = policy.inputs.spec as any;
        expect(spec.targetRefs).toEqual([{ kind: "Gateway", group: "gateway.networking.k8s.io", name: "waypoint" }]);
        expect(spec.selector).toBeUndefined();
        expect(spec.rules[0].to).toEqual([{ operation: { methods: ["GET", "POST"], paths: ["/api/orders/*"] } }]);
        expect(validateCustomResource(policy.inputs).errors).toEqual([]);
    });

    it("narrows a waypoint policy to one Service when asked", async () => {
        const policy = await plan({
            namespace: "shop",
            from: [{ namespace: "web", serviceAccount: "frontend" }],
            methods: ["GET"],
            waypoint: "waypoint",
            service: "orders",
        });
        expect((policy.inputs.spec as any).targetRefs).toEqual([{ kind: "Service", group: "", name: "orders" }]);
        expect(validateCustomResource(policy.inputs).errors).toEqual([]);
    });

    it("keeps the Kubernetes name apart from a cluster-prefixed Pulumi name when policyName is given", async () => {
        const policy = await plan({ namespace: "shop", from: [{ namespace: "web", serviceAccount: "frontend" }], policyName: "allow-frontend" }, "plt-dev-aws/allow frontend");
        expect(policy.name).toBe("plt-dev-aws/allow frontend");
        expect((policy.inputs.metadata as any).name).toBe("allow-frontend");
    });

    // Validation runs before anything is registered: called with no Pulumi runtime at all, the
    // function must throw rather than reach `new CustomResource`.
    const reject = (args: AllowWorkloadsArgs, name = "allow-orders") => () => allowWorkloads(name, args, {});

    it("rejects an L7 rule without a waypoint", () => {
        expect(reject({ namespace: "shop", from: [{ namespace: "web", serviceAccount: "frontend" }], paths: ["/x"] })).toThrow(
            /waypoint: undefined is missing for an L7 rule/,
        );
    });

    it("rejects bad identities, ports, methods, paths and selector+waypoint", () => {
        const base = { namespace: "shop", from: [{ namespace: "web", serviceAccount: "frontend" }] };
        expect(reject({ ...base, from: [] })).toThrow(/from: \[\] is empty/);
        expect(reject({ ...base, from: [{ namespace: "Web", serviceAccount: "x" }] })).toThrow(/from\[0\]\.namespace: "Web"/);
        expect(reject({ ...base, ports: [70000] })).toThrow(/ports\[0\]: 70000 is not a port/);
        expect(reject({ ...base, waypoint: "wp", methods: ["get"] })).toThrow(/methods\[0\]: "get" is not an HTTP method; allowed: GET/);
        expect(reject({ ...base, waypoint: "wp", paths: ["api"] })).toThrow(/paths\[0\]: "api" is not an Istio path match/);
        expect(reject({ ...base, waypoint: "wp", selector: { app: "a" } })).toThrow(/selector: .* cannot be combined with waypoint/);
        expect(reject({ ...base, service: "orders" })).toThrow(/service: "orders" needs waypoint/);
        expect(reject(base, "Allow_Orders")).toThrow(/name: "Allow_Orders" is not a valid Kubernetes object name/);
        expect(reject({ ...base, policyName: "Bad Name" })).toThrow(/policyName: "Bad Name" is not a valid Kubernetes object name/);
    });
});
