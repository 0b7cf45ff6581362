/**
 * The admission policies, offline: every policy and binding each stack plans is evaluated with its
 * planned parameters (tests/admission.ts, @bufbuild/cel) against (a) every Kubernetes object the
 * committed stacks plan and every pod and Service the pinned charts render — all admitted — and
 * (b) an insecure variant of each kind — each denied with its message. Plus the wiring: a Deny
 * binding per policy, parameters for every binding that names them (created before it), and the
 * exceptions the configuration gives.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { ClusterAdmissionPolicies, admissionArgsProblems, admissionSystemNamespaces, DEFAULT_INGRESS_NAMESPACES } from "../components/admission";
import { OUTSIDE_MESH_REASON_ANNOTATION, EDGE_EXCEPTION_ANNOTATION } from "../components/contracts/names";
import { parsePlatformConfig, rawPlatformConfig } from "../stacks/config";
import { configuredEdgeExceptions, configuredExemptNamespaces } from "../stacks/admission";
import type { ChartFacts, PodFact } from "../tools/charts/facts";
import { loadStackConfig, planConfig, type Plan, type RecordedResource } from "../tools/plan";
import { admitAll, type ParamObject, type Verdict } from "./admission";

const STACKS = ["dev", "local", "aws", "azure", "gcp"];
const VAP = "kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicy";
const BINDING = "kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicyBinding";
const CONFIG_MAP = "kubernetes:core/v1:ConfigMap";
/** Not API objects: helm releases and YAML bundles are rendered by the provider (the charts' facts cover releases). */
const NOT_OBJECTS = /^kubernetes:(helm\.sh|yaml)\//;

interface Cluster {
    stack: string;
    /** The cluster target, from the admission component's name (`<prefix>-<target>-admission`). */
    target: string;
    provider: string;
    policies: any[];
    bindings: any[];
    params: ParamObject[];
    resources: RecordedResource[];
}

const plans = new Map<string, Plan>();
const clusters: Cluster[] = [];

function clustersOf(stack: string, plan: Plan): Cluster[] {
    const byProvider = new Map<string, Cluster>();
    for (const r of plan.resources) {
        if (!r.type.startsWith("kubernetes:") || r.type.startsWith("pulumi:providers")) continue;
        let c = byProvider.get(r.provider);
        if (!c) byProvider.set(r.provider, (c = { stack, target: "", provider: r.provider, policies: [], bindings: [], params: [], resources: [] }));
        c.resources.push(r);
        if (r.type === VAP) {
            c.policies.push(r.inputs);
            c.target = /-(aws|azure|gcp|kubernetes)-admission$/.exec(r.parent)?.[1] ?? "";
        }
        if (r.type === BINDING) c.bindings.push(r.inputs);
        if (r.type === CONFIG_MAP) c.params.push(r.inputs as unknown as ParamObject);
    }
    return [...byProvider.values()];
}

function stackConfig(stack: string, overrides?: Record<string, unknown>) {
    const sc = loadStackConfig(stack, { overrides });
    return { sc, config: parsePlatformConfig(rawPlatformConfig(sc.config)) };
}

/** The local stack with a public mesh ingress: the gateway's Service then carries the edge-exception mark. */
const PUBLIC_INGRESS = "local-public-ingress";

beforeAll(async () => {
    for (const stack of STACKS) plans.set(stack, await planConfig(stackConfig(stack).sc));
    // Overrides replace a whole key: the local stack's mesh settings with a public ingress.
    const mesh = JSON.parse(stackConfig("local").sc.config["platform:mesh"]);
    const publicMesh = { ...mesh, ingress: { ...mesh.ingress, enabled: true, exposure: "public", edgeException: { name: "storefront-edge", reason: "public storefront, approved in SEC-123" } } };
    plans.set(PUBLIC_INGRESS, await planConfig(loadStackConfig("local", { overrides: { "platform:mesh": publicMesh } })));
    for (const [stack, plan] of plans) clusters.push(...clustersOf(stack, plan).filter((c) => c.policies.length));
}, 600_000);

const objectOf = (r: RecordedResource) => r.inputs as any;
const verdict = (c: Cluster, object: any, operation: "CREATE" | "UPDATE" = "CREATE"): Verdict => admitAll(c.policies, c.bindings, c.params, { object, operation });
const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v));
const clusterOf = (stack: string, target: string) => clusters.find((c) => c.stack === stack && c.target === target)!;

// ---- charts: the pods and Services the pinned charts render, placed where the stacks install them ----

const CHARTS_DIR = path.join(__dirname, "fixtures", "charts");
const charts: ChartFacts[] = fs.readdirSync(CHARTS_DIR).filter((f) => f.endsWith(".json")).map((f) => JSON.parse(fs.readFileSync(path.join(CHARTS_DIR, f), "utf8")));

const WORKLOAD_API: Record<string, string> = { Pod: "v1", Deployment: "apps/v1", StatefulSet: "apps/v1", DaemonSet: "apps/v1", ReplicaSet: "apps/v1", Job: "batch/v1", CronJob: "batch/v1" };

/** The workload object a pod fact stands for (the template in the place its kind keeps it). */
function workloadObject(p: Pick<PodFact, "kind" | "name" | "namespace" | "labels" | "spec">): any {
    const metadata = { name: p.name, namespace: p.namespace };
    const template = { metadata: { labels: p.labels }, spec: p.spec };
    if (p.kind === "Pod") return { apiVersion: "v1", kind: "Pod", metadata: { ...metadata, labels: p.labels }, spec: p.spec };
    if (p.kind === "CronJob") return { apiVersion: "batch/v1", kind: "CronJob", metadata, spec: { schedule: "@daily", jobTemplate: { spec: { template } } } };
    return { apiVersion: WORKLOAD_API[p.kind], kind: p.kind, metadata, spec: { template } };
}

/** Every (cluster, chart object) pair: each render's objects on the clusters of the releases that use it. */
function chartObjects(): { cluster: Cluster; where: string; object: any }[] {
    const out: { cluster: Cluster; where: string; object: any }[] = [];
    for (const chart of charts) {
        for (const render of chart.renders) {
            for (const use of render.usedBy) {
                const [stack, releaseName] = use.split("/");
                const release = plans.get(stack)?.resources.find((r) => r.name === releaseName);
                if (!release) continue;
                const cluster = clusters.find((c) => c.stack === stack && c.provider === release.provider);
                if (!cluster) continue;
                for (const p of render.pods) out.push({ cluster, where: `${use} ${p.kind} ${p.namespace}/${p.name}`, object: workloadObject(p) });
                const values = (release.inputs as any).values ?? {};
                for (const s of render.services) {
                    // Annotations: the gateway chart copies values.service.annotations onto its Service (valueKeys: service.annotations).
                    const annotations = chart.chart === "gateway" ? values.service?.annotations ?? {} : {};
                    out.push({
                        cluster,
                        where: `${use} Service ${s.namespace}/${s.name}`,
                        object: { apiVersion: "v1", kind: "Service", metadata: { name: s.name, namespace: s.namespace, annotations }, spec: { type: s.type, selector: s.selector, ports: s.ports } },
                    });
                }
            }
        }
    }
    return out;
}

describe("admission policies admit everything the platform itself plans", () => {
    it("every cluster of every committed stack has the policies", () => {
        for (const stack of STACKS) {
            const targets = Object.keys((plans.get(stack)!.outputs as any)).filter((k) => ["aws", "azure", "gcp", "kubernetes"].includes(k));
            expect(clusters.filter((c) => c.stack === stack).length, stack).toBe(targets.length);
        }
        expect(clusters.every((c) => c.policies.length === 6 && c.target !== "")).toBe(true);
    });

    it("every planned Kubernetes object, on create and on update", () => {
        const denied: string[] = [];
        let matched = 0;
        for (const c of clusters) {
            for (const r of c.resources) {
                if (NOT_OBJECTS.test(r.type)) continue;
                for (const op of ["CREATE", "UPDATE"] as const) {
                    const v = verdict(c, objectOf(r), op);
                    matched += v.matched.length;
                    denied.push(...v.denied.map((d) => `${c.stack} ${r.name} (${op}): ${d}`));
                }
            }
        }
        expect(denied).toEqual([]);
        // Namespaces, NetworkPolicies, PeerAuthentications and AuthorizationPolicies are all matched.
        expect(matched).toBeGreaterThan(400);
    });

    it("every pod and Service the pinned charts render where the stacks install them", () => {
        const objects = chartObjects();
        const denied: string[] = [];
        for (const { cluster, where, object } of objects) denied.push(...verdict(cluster, object).denied.map((d) => `${where}: ${d}`));
        expect(denied).toEqual([]);
        // istio-cni and ztunnel (hostPath, added capabilities) are among them: admitted only as kube-system.
        expect(objects.some((o) => o.object.metadata.name === "ztunnel")).toBe(true);
        expect(objects.some((o) => o.object.kind === "Service" && o.object.spec.type === "LoadBalancer")).toBe(true);
    });
});

describe("admission policies deny the insecure variant of each", () => {
    const local = () => clusterOf("local", "kubernetes");
    const planned = (c: Cluster, type: string, pick: (o: any) => boolean = () => true) => clone(objectOf(c.resources.find((r) => r.type === type && pick(objectOf(r)))!));
    const chartPod = (name: string) => {
        for (const chart of charts) for (const r of chart.renders) for (const p of r.pods) if (p.name === name) return clone(p);
        throw new Error(`no chart pod ${name}`);
    };
    const expectDenied = (c: Cluster, object: any, policy: string, message: RegExp) => {
        const v = verdict(c, object);
        expect(v.denied.length, JSON.stringify(object).slice(0, 200)).toBeGreaterThan(0);
        expect(v.denied.every((d) => d.startsWith(`${policy}: `)), v.denied.join("\n")).toBe(true);
        expect(v.denied.join("\n")).toMatch(message);
    };

    it("pods: privileged container, host namespaces, hostPath and added capabilities outside the exempt namespaces", () => {
        const c = local();
        const base = chartPod("cert-manager-webhook");
        const container = (p: any) => p.spec.containers[0];
        const privileged = clone(base);
        container(privileged).securityContext = { ...container(privileged).securityContext, privileged: true };
        expectDenied(c, workloadObject(privileged), "platform-pod-host-isolation", /cert-manager: Deployment cert-manager-webhook runs privileged container\(s\) cert-manager-webhook/);
        for (const k of ["hostNetwork", "hostPID", "hostIPC"]) {
            const host = clone(base);
            (host.spec as any)[k] = true;
            expectDenied(c, workloadObject({ ...host, kind: "Pod" }), "platform-pod-host-isolation", /sets hostNetwork, hostPID or hostIPC/);
        }
        const hostPath = clone(base);
        hostPath.spec.volumes = [...(hostPath.spec.volumes ?? []), { name: "host-root", hostPath: { path: "/" } }];
        expectDenied(c, workloadObject({ ...hostPath, kind: "CronJob" }), "platform-pod-host-isolation", /mounts hostPath volume\(s\) host-root/);
        const caps = clone(base);
        container(caps).securityContext = { ...container(caps).securityContext, capabilities: { drop: ["ALL"], add: ["NET_ADMIN"] } };
        expectDenied(c, workloadObject({ ...caps, kind: "DaemonSet" }), "platform-pod-host-isolation", /adds capabilities in container\(s\) cert-manager-webhook/);
        // The same ztunnel pod spec: admitted in kube-system, denied in an application namespace.
        const ztunnel = chartPod("ztunnel");
        expect(verdict(c, workloadObject(ztunnel)).denied).toEqual([]);
        expectDenied(c, workloadObject({ ...ztunnel, namespace: "shop" }), "platform-pod-host-isolation", /shop: DaemonSet ztunnel/);
    });

    it("Services: NodePort or public LoadBalancer without a listed edge-exception mark", () => {
        const c = local();
        const svc = (type: string, annotations: Record<string, string> = {}) => ({ apiVersion: "v1", kind: "Service", metadata: { name: "web", namespace: "shop", annotations }, spec: { type, ports: [{ port: 80 }] } });
        expect(verdict(c, svc("ClusterIP")).denied).toEqual([]);
        expectDenied(c, svc("NodePort"), "platform-service-exposure", /type NodePort opens a port on every node/);
        expectDenied(c, svc("LoadBalancer"), "platform-service-exposure", /type LoadBalancer without an internal load-balancer annotation/);
        expectDenied(c, svc("LoadBalancer", { [EDGE_EXCEPTION_ANNOTATION]: "not-listed" }), "platform-service-exposure", /edge exception listed/);
        expect(verdict(c, svc("LoadBalancer", { "service.beta.kubernetes.io/azure-load-balancer-internal": "true" })).denied).toEqual([]);
        // With a public ingress configured, its name is a listed exception: the mark admits a public gateway.
        const pub = clusters.find((x) => x.stack === PUBLIC_INGRESS)!;
        expect(verdict(pub, svc("LoadBalancer", { [EDGE_EXCEPTION_ANNOTATION]: "storefront-edge" })).denied).toEqual([]);
        expect(verdict(pub, svc("NodePort", { [EDGE_EXCEPTION_ANNOTATION]: "storefront-edge" })).denied).toEqual([]);
        // The public gateway's own Service, as the gateway chart renders it from the planned release's values.
        const gateway = pub.resources.find((r) => r.type === "kubernetes:helm.sh/v3:Release" && (r.inputs as any).chart === "gateway")!;
        const values = (gateway.inputs as any).values.service;
        const gatewayService = svc(values.type ?? "LoadBalancer", values.annotations);
        expect(gatewayService.spec.type).toBe("LoadBalancer");
        expect(verdict(pub, gatewayService).denied).toEqual([]);
        const { [EDGE_EXCEPTION_ANNOTATION]: _mark, ...unmarked } = values.annotations;
        expectDenied(pub, svc("LoadBalancer", unmarked), "platform-service-exposure", /type LoadBalancer without an internal load-balancer annotation/);
    });

    it("PeerAuthentication: PERMISSIVE or DISABLE, mesh-wide or per port", () => {
        const c = local();
        const strict = planned(c, "kubernetes:security.istio.io/v1:PeerAuthentication");
        for (const mode of ["PERMISSIVE", "DISABLE"]) {
            const weak = clone(strict);
            weak.spec.mtls.mode = mode;
            expectDenied(c, weak, "platform-peer-authentication-strict", new RegExp(`spec.mtls.mode ${mode} relaxes mTLS`));
            const port = clone(strict);
            port.spec.portLevelMtls = { "8080": { mode: "STRICT" }, "9090": { mode } };
            expectDenied(c, port, "platform-peer-authentication-strict", /relaxes mTLS on port\(s\) 9090; set STRICT/);
        }
    });

    it("AuthorizationPolicy: ALLOW without sources, with a wildcard principal or a negative match", () => {
        const c = local();
        const named = planned(c, "kubernetes:security.istio.io/v1:AuthorizationPolicy", (o) => !!o.spec?.rules?.[0]?.from);
        const noFrom = clone(named);
        delete noFrom.spec.rules[0].from;
        expectDenied(c, noFrom, "platform-authorization-named-sources", /an ALLOW rule without `from` admits every caller/);
        const wildcard = clone(named);
        wildcard.spec.rules[0].from = [{ source: { principals: ["*"] } }];
        expectDenied(c, wildcard, "platform-authorization-named-sources", /wildcard principal/);
        const byNamespace = clone(named);
        byNamespace.spec.rules[0].from = [{ source: { namespaces: ["shop"] } }];
        expectDenied(c, byNamespace, "platform-authorization-named-sources", /has no principals/);
        const negative = clone(named);
        negative.spec.rules[0].from = [{ source: { principals: ["cluster.local/ns/shop/sa/web"], notNamespaces: ["shop"] } }];
        expectDenied(c, negative, "platform-authorization-named-sources", /negative match/);
        const emptyRule = clone(named);
        emptyRule.spec.rules = [{}];
        expectDenied(c, emptyRule, "platform-authorization-named-sources", /without `from`/);
        // The ingress gateway's port-only policy: admitted in istio-ingress only.
        const ingress = planned(c, "kubernetes:security.istio.io/v1:AuthorizationPolicy", (o) => o.metadata.namespace === "istio-ingress");
        expect(verdict(c, ingress).denied).toEqual([]);
        expectDenied(c, { ...clone(ingress), metadata: { ...ingress.metadata, namespace: "shop" } }, "platform-authorization-named-sources", /without `from`/);
        // DENY policies and the allow-nothing policy are not ALLOW rules with sources to name.
        expect(verdict(c, { ...clone(noFrom), spec: { ...noFrom.spec, action: "DENY" } }).denied).toEqual([]);
    });

    it("Namespace: outside the mesh without a reason", () => {
        const c = local();
        const enrolled = planned(c, "kubernetes:core/v1:Namespace", (o) => o.metadata.labels?.["istio.io/dataplane-mode"] === "ambient");
        const out = clone(enrolled);
        delete out.metadata.labels["istio.io/dataplane-mode"];
        expectDenied(c, out, "platform-namespace-mesh-enrolment", new RegExp(`namespace ${enrolled.metadata.name}: not labelled istio.io/dataplane-mode=ambient`));
        expectDenied(c, { ...clone(out), metadata: { ...out.metadata, annotations: { [OUTSIDE_MESH_REASON_ANNOTATION]: "  " } } }, "platform-namespace-mesh-enrolment", /give the reason/);
        expect(verdict(c, { ...clone(out), metadata: { ...out.metadata, annotations: { [OUTSIDE_MESH_REASON_ANNOTATION]: "batch jobs without peers" } } }).denied).toEqual([]);
        // The planned namespaces outside the mesh say why; the exempt system namespaces need not, on update too.
        const outside = c.resources.filter((r) => r.type === "kubernetes:core/v1:Namespace" && !objectOf(r).metadata.labels?.["istio.io/dataplane-mode"]);
        expect(outside.length).toBeGreaterThan(3);
        for (const r of outside) expect(objectOf(r).metadata.annotations?.[OUTSIDE_MESH_REASON_ANNOTATION], r.name).toBeTruthy();
        expect(verdict(c, { apiVersion: "v1", kind: "Namespace", metadata: { name: "kube-system" } }, "UPDATE").denied).toEqual([]);
    });

    it("NetworkPolicy: a rule that admits everything", () => {
        const c = local();
        const deny = planned(c, "kubernetes:networking.k8s.io/v1:NetworkPolicy", (o) => o.metadata.name === "default-deny");
        const withSpec = (spec: any, annotations?: Record<string, string>) => ({ ...clone(deny), metadata: { ...deny.metadata, name: "open", ...(annotations ? { annotations } : {}) }, spec: { podSelector: {}, ...spec } });
        expectDenied(c, withSpec({ policyTypes: ["Ingress"], ingress: [{}] }), "platform-network-policy-named-peers", /without `from` and `ports` admits every source/);
        expectDenied(c, withSpec({ policyTypes: ["Ingress"], ingress: [{ from: [{ ipBlock: { cidr: "0.0.0.0/0" } }] }] }), "platform-network-policy-named-peers", /ingress ipBlock of \/0/);
        expectDenied(c, withSpec({ policyTypes: ["Egress"], egress: [{ ports: [{ port: 443, protocol: "TCP" }] }] }), "platform-network-policy-named-peers", /egress rule without `to`/);
        const world = { policyTypes: ["Egress"], egress: [{ to: [{ ipBlock: { cidr: "0.0.0.0/0" } }], ports: [{ port: 443 }] }] };
        expectDenied(c, withSpec(world), "platform-network-policy-named-peers", /egress to a \/0 ipBlock/);
        expectDenied(c, withSpec(world, { "platform.io/egress-exception": "x" }), "platform-network-policy-named-peers", /egress to a \/0 ipBlock/);
        expect(verdict(c, withSpec(world, { "platform.io/egress-exception": "x", "platform.io/egress-exception-reason": "why" })).denied).toEqual([]);
    });
});

describe("admission wiring", () => {
    it("every policy has one binding with Deny, fails closed, and has its parameters, created before the binding", () => {
        for (const c of clusters) {
            for (const p of c.policies) {
                expect(p.spec.failurePolicy).toBe("Fail");
                const bindings = c.bindings.filter((b) => b.spec.policyName === p.metadata.name);
                expect(bindings.length, p.metadata.name).toBe(1);
                expect(bindings[0].spec.validationActions).toEqual(["Deny"]);
                if (!p.spec.paramKind) {
                    expect(bindings[0].spec.paramRef).toBeUndefined();
                    continue;
                }
                const ref = bindings[0].spec.paramRef;
                expect(ref.parameterNotFoundAction).toBe("Deny");
                const param = c.resources.find((r) => r.type === CONFIG_MAP && objectOf(r).metadata.name === ref.name && objectOf(r).metadata.namespace === ref.namespace);
                expect(param, `${c.stack} ${p.metadata.name}`).toBeDefined();
                const binding = c.resources.find((r) => r.type === BINDING && objectOf(r).metadata.name === p.metadata.name)!;
                expect(binding.dependencies).toContain(param!.urn);
            }
        }
    });

    it("the parameters carry exactly the exceptions the configuration gives", () => {
        for (const c of clusters) {
            const { config } = c.stack === PUBLIC_INGRESS ? { config: undefined } : stackConfig(c.stack);
            if (!config) continue;
            const target = c.target;
            const data = (name: string) => (c.params.find((p) => p.metadata.name === name)?.data ?? {}) as Record<string, string>;
            const engine = target === "kubernetes" ? config.kubernetes.network.engine : undefined;
            const expected = admissionSystemNamespaces({ clusterTarget: target, networkPolicyEngine: engine === "calico" ? "calico" : undefined, exemptNamespaces: configuredExemptNamespaces(config, target as any) });
            expect(Object.keys(data("system-namespaces")).sort(), `${c.stack} ${target}`).toEqual(expected.map((e) => e.namespace).sort());
            expect(data("edge-exceptions")).toEqual(Object.fromEntries(configuredEdgeExceptions(config).map((e) => [e.name, e.reason])));
            expect(data("ingress-namespaces")).toEqual(Object.fromEntries(DEFAULT_INGRESS_NAMESPACES.map((e) => [e.namespace, e.reason])));
        }
        // SpinKube's privileged namespace is exempt only where SpinKube runs.
        expect(Object.keys(clusterOf("local", "kubernetes").params.find((p) => p.metadata.name === "system-namespaces")!.data!)).toContain("runtime-class-manager");
        expect(Object.keys(clusterOf("aws", "aws").params.find((p) => p.metadata.name === "system-namespaces")!.data!)).not.toContain("runtime-class-manager");
        const pub = clusters.find((x) => x.stack === PUBLIC_INGRESS)!;
        expect(pub.params.find((p) => p.metadata.name === "edge-exceptions")!.data).toEqual({ "storefront-edge": "public storefront, approved in SEC-123" });
    });

    it("platform:admission.exemptNamespaces reaches the parameters of the clusters it names, and needs a reason", async () => {
        const exempt = { namespace: "amazon-cloudwatch", reason: "EKS CloudWatch Observability add-on, owned by the platform team", targets: ["kubernetes"] };
        const plan = await planConfig(loadStackConfig("local", { overrides: { "platform:admission": { exemptNamespaces: [exempt] } } }));
        const [cluster] = clustersOf("local", plan).filter((c) => c.policies.length);
        expect(cluster.params.find((p) => p.metadata.name === "system-namespaces")!.data!["amazon-cloudwatch"]).toBe(exempt.reason);
        const { config } = stackConfig("dev", { "platform:admission": { exemptNamespaces: [exempt] } });
        expect(configuredExemptNamespaces(config, "aws").map((e) => e.namespace)).not.toContain("amazon-cloudwatch");
        expect(() => stackConfig("local", { "platform:admission": { exemptNamespaces: [{ namespace: "amazon-cloudwatch", reason: " " }] } })).toThrow(
            /platform:admission\.exemptNamespaces\[0\]\.reason: " " must say why the namespace is exempt/,
        );
    });

    it("bad arguments are refused before any child, naming the argument, the value and what is allowed", () => {
        expect(admissionArgsProblems("a", { clusterTarget: "openshift" })).toEqual([
            'ClusterAdmissionPolicies a: args.clusterTarget: "openshift" is not allowed; allowed: "aws", "azure", "gcp", "kubernetes"',
        ]);
        expect(admissionArgsProblems("a", { clusterTarget: "aws", exemptNamespaces: [{ namespace: "Bad_NS", reason: " " }], edgeExceptions: [{ name: "a/b", reason: "x" }] })).toEqual([
            'ClusterAdmissionPolicies a: args.exemptNamespaces[0]: "Bad_NS" is not allowed; allowed: a namespace name (DNS-1123 label)',
            'ClusterAdmissionPolicies a: args.exemptNamespaces[0].reason: " " is not allowed; allowed: a non-empty reason (why this exception exists, who owns it)',
            "ClusterAdmissionPolicies a: args.edgeExceptions[0]: \"a/b\" is not allowed; allowed: letters, digits, '-', '_' and '.' (a ConfigMap key)",
        ]);
        expect(() => new ClusterAdmissionPolicies("a", { clusterTarget: "openshift" })).toThrow(/args.clusterTarget: "openshift"/);
    });
});
