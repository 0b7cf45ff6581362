import { beforeAll, describe, expect, it } from "vitest";
import { ConfigError } from "../stacks/config";
import { planStack } from "../tools/plan";
import type { RecordedResource } from "../tools/plan/runtime";
import { customResourcesOf, validateCustomResource } from "./crd";

type Plan = Awaited<ReturnType<typeof planStack>>;

/** Everything a mesh component registered (every child's name starts with the mesh's name), grouped by mesh name. */
function meshes(plan: Plan): Map<string, RecordedResource[]> {
    const out = new Map<string, RecordedResource[]>();
    const roots = plan.resources.filter((r) => r.type === "platform:index:AmbientMesh");
    for (const root of roots) {
        const prefix = `${root.name}-`;
        out.set(
            root.name,
            plan.resources.filter((r) => r.name.startsWith(prefix)),
        );
    }
    return out;
}

function checkMesh(resources: RecordedResource[], providerUrn: string) {
    const releases = Object.fromEntries(resources.filter((r) => r.type === "kubernetes:helm.sh/v3:Release").map((r) => [r.inputs.name as string, r]));
    for (const id of ["istio-base", "istiod", "istio-cni", "ztunnel"]) expect(releases[id], id).toBeDefined();
    for (const id of ["istiod", "istio-cni", "ztunnel"]) expect((releases[id].inputs.values as any).profile).toBe("ambient");
    expect(releases["istio-cni"].dependencies).toContain(releases["istiod"].urn);
    expect(releases["ztunnel"].dependencies).toContain(releases["istio-cni"].urn);
    const kinds = resources.filter((r) => r.inputs.kind).map((r) => `${r.inputs.kind}/${(r.inputs.metadata as any)?.name}`);
    expect(kinds).toEqual(expect.arrayContaining(["PeerAuthentication/default", "AuthorizationPolicy/allow-nothing", "Telemetry/mesh-default"]));
    const strict = resources.find((r) => r.inputs.kind === "PeerAuthentication")!;
    expect((strict.inputs.spec as any).mtls.mode).toBe("STRICT");
    // Every Kubernetes resource goes through this cluster's provider.
    for (const r of resources.filter((x) => x.custom && x.type.startsWith("kubernetes:"))) expect(r.provider, r.name).toBe(providerUrn);
    for (const r of customResourcesOf(resources)) {
        const obj = r.inputs.kind === "CiliumClusterwideNetworkPolicy" ? { ...r.inputs, kind: "CiliumNetworkPolicy" } : r.inputs;
        expect(validateCustomResource(obj).errors, r.name).toEqual([]);
    }
}

describe("dev stack: the mesh on every managed cluster", () => {
    let plan: Plan;
    beforeAll(async () => {
        plan = await planStack("dev");
    }, 240_000);

    it("installs ambient Istio, STRICT mTLS, allow-nothing and tracing on the AWS, Azure and GCP clusters", () => {
        const byMesh = meshes(plan);
        expect([...byMesh.keys()].sort()).toEqual(["plt-dev-aws-mesh", "plt-dev-azure-mesh", "plt-dev-gcp-mesh"]);
        for (const [name, resources] of byMesh) {
            const cloud = name.split("-")[2];
            // The provider the foundation built for this cluster.
            const provider = plan.resources.find((r) => r.type === "pulumi:providers:kubernetes" && r.name.includes(`-${cloud === "azure" ? "az" : cloud}`))!;
            expect(provider, name).toBeDefined();
            checkMesh(resources, provider.urn);
        }
    });

    it("creates the call graph's namespaces enrolled, restricted and default-deny, with the waypoint where L7 rules need it", () => {
        for (const resources of meshes(plan).values()) {
            const ns = Object.fromEntries(
                resources.filter((r) => r.type === "kubernetes:core/v1:Namespace").map((r) => [(r.inputs.metadata as any).name, (r.inputs.metadata as any).labels]),
            );
            for (const name of ["storefront", "shop"]) {
                expect(ns[name]["istio.io/dataplane-mode"]).toBe("ambient");
                expect(ns[name]["pod-security.kubernetes.io/enforce"]).toBe("restricted");
                const denies = resources.filter((r) => r.type.endsWith(":NetworkPolicy") && (r.inputs.metadata as any).namespace === name && (r.inputs.metadata as any).name === "default-deny");
                expect(denies).toHaveLength(1);
            }
            expect(ns["shop"]["istio.io/use-waypoint"]).toBe("waypoint");
            const gateway = resources.find((r) => r.inputs.kind === "Gateway")!;
            expect(gateway.inputs).toMatchObject({ metadata: { namespace: "shop" }, spec: { gatewayClassName: "istio-waypoint" } });
        }
    });

    it("keeps the AKS managed Istio add-on off and sets global.platform=gke only on GKE", () => {
        const aks = plan.resources.find((r) => r.type === "azure-native:containerservice:ManagedCluster")!;
        expect(aks).toBeDefined();
        expect(aks.inputs.serviceMeshProfile).toBeUndefined();
        const istiod = (mesh: string) => plan.resources.find((r) => r.type === "kubernetes:helm.sh/v3:Release" && r.name === `${mesh}-istiod`)!;
        expect((istiod("plt-dev-gcp-mesh").inputs.values as any).global).toEqual({ platform: "gke" });
        expect((istiod("plt-dev-aws-mesh").inputs.values as any).global).toBeUndefined();
    });

    it("reports the mesh per cluster in the stack outputs", () => {
        expect(Object.keys(plan.outputs.mesh as object).sort()).toEqual(["aws", "azure", "gcp"]);
        expect((plan.outputs.mesh as any).gcp).toMatchObject({ istioVersion: expect.stringMatching(/^1\.30\./), ingress: "internal", waypointNamespaces: ["shop"] });
    });
});

describe("local stack: the mesh on the kubernetes target", () => {
    it("installs the same mesh through the existing cluster's provider, gateway as ClusterIP", async () => {
        const plan = await planStack("local");
        const byMesh = meshes(plan);
        expect([...byMesh.keys()]).toEqual(["plt-local-kubernetes-mesh"]);
        const provider = plan.resources.find((r) => r.type === "pulumi:providers:kubernetes")!;
        const resources = byMesh.get("plt-local-kubernetes-mesh")!;
        checkMesh(resources, provider.urn);
        const gateway = resources.find((r) => r.inputs.name === "istio-ingressgateway")!;
        expect((gateway.inputs.values as any).service.type).toBe("ClusterIP");
    }, 120_000);
});

describe("platform:mesh config errors", () => {
    const problems = async (mesh: unknown) => {
        try {
            await planStack("local", { "platform:mesh": mesh });
        } catch (e) {
            expect(e).toBeInstanceOf(ConfigError);
            return (e as ConfigError).problems;
        }
        throw new Error("expected a ConfigError");
    };

    it("names the setting, the value and what is allowed", async () => {
        expect(await problems({ ingress: { enabled: true, exposure: "public" } })).toEqual([
            'platform:mesh.ingress.exposure: "public" needs an explicit edge exception; allowed: "internal", or "public" with platform:mesh.ingress.edgeException { name, reason }',
        ]);
        expect(await problems({ workloads: [{ name: "web", namespace: "web" }], calls: [{ from: "web", to: "orders" }] })).toEqual([
            'platform:mesh.calls[0].to: "orders" is not a declared service; allowed: "web"',
        ]);
        expect(
            (await problems({ workloads: [{ name: "web", namespace: "web" }, { name: "dns", namespace: "kube-system" }], calls: [{ from: "web", to: "dns", methods: ["GET"] }] }))[0],
        ).toMatch(/^platform:mesh\.calls\[0\]: L7 rule \(methods\/paths\) to "dns" needs a waypoint, but none can be made in system namespace "kube-system"/);
        expect((await problems({ tracing: { samplingPercent: 101 } }))[0]).toMatch(/^platform:mesh\.tracing\.samplingPercent: 101 must be 0-100/);
        expect((await problems({ calls: [{ from: "a", to: "b", methods: ["FETCH"] }] }))[0]).toMatch(/^platform:mesh\.calls\[0\]\.methods\[0\]: "FETCH" must be one of "GET"/);
    });
});
