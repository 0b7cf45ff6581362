import { beforeAll, describe, expect, it } from "vitest";
import { KNATIVE_OPERATOR_NAMESPACE, KNATIVE_SERVING_NAMESPACE } from "../components/serverless/install/knative";
import { ConfigError, parsePlatformConfig, rawPlatformConfig } from "../stacks/config";
import { platformNamespaces, SERVERLESS_CLUSTER_NAMESPACES } from "../stacks/config/mesh";
import { SERVERLESS_NAMESPACE, WASM_NAMESPACE } from "../stacks/serverless";
import { loadStackConfig, planStack } from "../tools/plan";
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
    let plan: Plan;
    beforeAll(async () => {
        plan = await planStack("local");
    }, 240_000);

    it("installs the same mesh through the existing cluster's provider, gateway as ClusterIP", () => {
        const byMesh = meshes(plan);
        expect([...byMesh.keys()]).toEqual(["plt-local-kubernetes-mesh"]);
        const provider = plan.resources.find((r) => r.type === "pulumi:providers:kubernetes")!;
        const resources = byMesh.get("plt-local-kubernetes-mesh")!;
        checkMesh(resources, provider.urn);
        const gateway = resources.find((r) => r.inputs.name === "istio-ingressgateway")!;
        expect((gateway.inputs.values as any).service.type).toBe("ClusterIP");
    });

    it("makes the Istio policies other capabilities create (Strimzi, Knative, Spin) wait for the mesh's CRDs and istiod", () => {
        const meshResources = new Set(meshes(plan).get("plt-local-kubernetes-mesh")!.map((r) => r.urn));
        const release = (id: string) => plan.resources.find((r) => r.type === "kubernetes:helm.sh/v3:Release" && r.inputs.name === id && meshResources.has(r.urn))!;
        const gatewayApiCrds = plan.resources.find((r) => r.type === "kubernetes:yaml/v2:ConfigFile" && meshResources.has(r.urn))!;
        const ready = [gatewayApiCrds.urn, release("istio-base").urn, release("istiod").urn];
        const istioGroups = /^kubernetes:(security|networking|telemetry)\.istio\.io\/|^kubernetes:gateway\.networking\.k8s\.io\//;
        const others = plan.resources.filter((r) => istioGroups.test(r.type) && !meshResources.has(r.urn));
        // The local stack declares Strimzi clients and a Knative service with a mesh invoker: each one's policies.
        const names = others.map((r) => r.name);
        for (const part of ["-kafka-internal", "-kafka-clients", "-knative-data-path", "-knative-metrics", "hello-api-callers"]) {
            expect(names.some((n) => n.endsWith(part)), part).toBe(true);
        }
        for (const r of others) expect(r.dependencies, r.name).toEqual(expect.arrayContaining(ready));
    });

    it("lists every namespace other capabilities create, so the call graph cannot collide with one", async () => {
        const meshResources = new Set(meshes(plan).get("plt-local-kubernetes-mesh")!.map((r) => r.urn));
        const created = plan.resources
            .filter((r) => r.type === "kubernetes:core/v1:Namespace" && !meshResources.has(r.urn))
            .map((r) => (r.inputs.metadata as any).name as string)
            .sort();
        const config = parsePlatformConfig(rawPlatformConfig(loadStackConfig("local").config));
        expect(created.length).toBeGreaterThan(0);
        expect(Object.keys(platformNamespaces(config)).sort()).toEqual(created);
        // The names config parsing repeats are the constants the serverless wiring uses.
        expect(SERVERLESS_CLUSTER_NAMESPACES.knative).toEqual(expect.arrayContaining([SERVERLESS_NAMESPACE, KNATIVE_SERVING_NAMESPACE, KNATIVE_OPERATOR_NAMESPACE]));
        expect(SERVERLESS_CLUSTER_NAMESPACES.spin).toContain(WASM_NAMESPACE);
    });
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
        // An L7 rule into kube-system: no waypoint can be made there, and the graph may not create that namespace.
        const system = await problems({ workloads: [{ name: "web", namespace: "web" }, { name: "dns", namespace: "kube-system" }], calls: [{ from: "web", to: "dns", methods: ["GET"] }] });
        expect(system).toHaveLength(2);
        expect(system[0]).toMatch(/^platform:mesh\.workloads\[1\]\.namespace: "kube-system" is created by the cluster itself/);
        expect(system[1]).toMatch(/^platform:mesh\.calls\[0\]: L7 rule \(methods\/paths\) to "dns" needs a waypoint, but none can be made in system namespace "kube-system"/);
        expect((await problems({ tracing: { samplingPercent: 101 } }))[0]).toMatch(/^platform:mesh\.tracing\.samplingPercent: 101 must be 0-100/);
        expect((await problems({ calls: [{ from: "a", to: "b", methods: ["FETCH"] }] }))[0]).toMatch(/^platform:mesh\.calls\[0\]\.methods\[0\]: "FETCH" must be one of "GET"/);
    });

    it("refuses call-graph workloads in namespaces another capability, the mesh or the cluster creates", async () => {
        // The local stack runs Strimzi in "kafka" and Knative services in "serverless".
        const found = await problems({
            workloads: [
                { name: "web", namespace: "web" },
                { name: "orders", namespace: "kafka" },
                { name: "hello", namespace: "serverless" },
                { name: "collector", namespace: "observability" },
                { name: "dns", namespace: "kube-system" },
            ],
            calls: [{ from: "web", to: "orders" }],
        });
        expect(found).toHaveLength(4);
        expect(found[0]).toMatch(
            /^platform:mesh\.workloads\[1\]\.namespace: "kafka" is created by platform:kafka \(Strimzi, platform:kafka\.strimzi\.namespace\); the call graph creates its workloads' namespaces, so it cannot share one; allowed: a namespace nothing else on the platform creates \(not .*kafka.*\)$/,
        );
        expect(found[1]).toMatch(/^platform:mesh\.workloads\[2\]\.namespace: "serverless" is created by platform:services \(Knative\)/);
        expect(found[2]).toMatch(/^platform:mesh\.workloads\[3\]\.namespace: "observability" is created by the mesh/);
        expect(found[3]).toMatch(/^platform:mesh\.workloads\[4\]\.namespace: "kube-system" is created by the cluster itself/);
        // The reserved Kafka namespace follows platform:kafka.strimzi.namespace, and only a Strimzi backend reserves one.
        const raw = rawPlatformConfig(loadStackConfig("local").config) as any;
        const moved = platformNamespaces(parsePlatformConfig({ ...raw, kafka: { ...raw.kafka, strimzi: { ...raw.kafka.strimzi, namespace: "streams" } } }));
        expect(moved.streams).toMatch(/platform:kafka/);
        expect(moved.kafka).toBeUndefined();
        const noKafka = platformNamespaces(parsePlatformConfig({ ...raw, kafka: { ...raw.kafka, enabled: false }, services: [] }));
        // Only the admission policies' parameter namespace, External Secrets Operator's (every cluster by default) and,
        // on the kubernetes target, the secret source namespace its stores read.
        expect(Object.keys(noKafka)).toEqual(["platform-admission", "external-secrets", "platform-secrets"]);
        // External Secrets Operator's namespace only while platform:secrets.operator is enabled.
        const noOperator = platformNamespaces(parsePlatformConfig({ ...raw, kafka: { ...raw.kafka, enabled: false }, services: [], secrets: { operator: { enabled: false } } }));
        expect(Object.keys(noOperator)).toEqual(["platform-admission"]);
    });
});
