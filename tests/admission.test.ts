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
import { ClusterAdmissionPolicies, ADMISSION_PARAMS_LABEL, ADMISSION_UNMATCHED_NAMESPACES, admissionArgsProblems, admissionSystemNamespaces, DEFAULT_INGRESS_NAMESPACES } from "../components/admission";
import { OUTSIDE_MESH_REASON_ANNOTATION, EDGE_EXCEPTION_ANNOTATION } from "../components/contracts/names";
import { parsePlatformConfig, rawPlatformConfig } from "../stacks/config";
import { configuredEdgeExceptions, configuredEnforcement, configuredExemptNamespaces, configuredSecretSourceNamespaces } from "../stacks/admission";
import { mockKubernetesAutoName } from "../tools/plan/mocks/kubernetes";
import type { ChartFacts, PodFact } from "../tools/charts/facts";
import { loadStackConfig, planConfig, type Plan, type RecordedResource } from "../tools/plan";
import { BASELINE_CASES } from "../tools/plan/baseline";
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
        // The parameter ConfigMaps have no metadata.name: the provider auto-names them (here the mocks' name).
        if (r.type === CONFIG_MAP) {
            const cm = r.inputs as any;
            c.params.push({ ...cm, metadata: { ...cm.metadata, name: cm.metadata?.name ?? mockKubernetesAutoName(r.name) } } as ParamObject);
        }
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
/**
 * The policies' checks on a request, as if every binding denied (the clusters' enforcement, deny or warn,
 * is tested in the wiring). An UPDATE without an oldObject updates the object to itself.
 */
const verdict = (c: Cluster, object: any, operation: "CREATE" | "UPDATE" = "CREATE", oldObject?: any): Verdict =>
    admitAll(c.policies, c.bindings, c.params, { object, operation, oldObject: operation === "UPDATE" ? (oldObject ?? object) : null, asDeny: true });
/** The parameter ConfigMap holding one kind of parameters (by its label: its name is an auto-name). */
const paramsOf = (c: Cluster, kind: string) => c.params.find((p: any) => p.metadata.labels?.[ADMISSION_PARAMS_LABEL] === kind);
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
        expect(clusters.every((c) => c.policies.length === 7 && c.target !== "")).toBe(true);
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
        expectDenied(c, workloadObject({ ...caps, kind: "DaemonSet" }), "platform-pod-host-isolation", /adds capabilities other than NET_BIND_SERVICE in container\(s\) cert-manager-webhook/);
        // Pod Security restricted allows adding NET_BIND_SERVICE only (Knative's secure-pod-defaults adds it for ports < 1024).
        const bind = clone(base);
        container(bind).securityContext = { ...container(bind).securityContext, capabilities: { drop: ["ALL"], add: ["NET_BIND_SERVICE"] } };
        expect(verdict(c, workloadObject(bind)).denied).toEqual([]);
        const bindAndMore = clone(base);
        container(bindAndMore).securityContext = { ...container(bindAndMore).securityContext, capabilities: { drop: ["ALL"], add: ["NET_BIND_SERVICE", "SYS_TIME"] } };
        expectDenied(c, workloadObject(bindAndMore), "platform-pod-host-isolation", /adds capabilities other than NET_BIND_SERVICE/);
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

    it("AuthorizationPolicy: the ingress JWT policy is admitted; any-issuer request principals and wide unauthenticated paths are not", () => {
        const c = clusterOf("dev", "gcp");
        const jwt = planned(c, "kubernetes:security.istio.io/v1:AuthorizationPolicy", (o) => o.metadata.name === "allow-ingress-gateway");
        expect(jwt.spec.rules[0].from[0].source.requestPrincipals).toEqual(["https://accounts.google.com/*"]);
        expect(verdict(c, jwt).denied).toEqual([]);
        expect(verdict(c, jwt, "UPDATE").denied).toEqual([]);
        // Request principals that match tokens of any issuer.
        for (const p of ["*", "*/110169484474386276334", "https://*", "https://accounts.google.com*", "accounts*"]) {
            const any = clone(jwt);
            any.spec.rules[0].from[0].source.requestPrincipals = [p];
            expectDenied(c, any, "platform-authorization-named-sources", /names no fixed issuer, so it admits tokens of any issuer/);
        }
        // A fixed subject of the issuer is named too; so is a bare issuer (a service account e-mail).
        const subject = clone(jwt);
        subject.spec.rules[0].from[0].source.requestPrincipals = ["https://accounts.google.com/110169484474386276334", "1234567-compute@developer.gserviceaccount.com/*"];
        expect(verdict(c, subject).denied).toEqual([]);
        // notRequestPrincipals: "every token but this one" is a negative match.
        const negative = clone(jwt);
        negative.spec.rules[0].from[0].source.notRequestPrincipals = ["https://evil.example.com/*"];
        expectDenied(c, negative, "platform-authorization-named-sources", /negative match/);
        // A source with only an empty request principal list names nobody.
        const empty = clone(jwt);
        empty.spec.rules[0].from[0].source = { requestPrincipals: [] };
        expectDenied(c, empty, "platform-authorization-named-sources", /has no principals/);
        // The unauthenticated path rule: only exact or prefix paths, GET/HEAD, ports named.
        const pathRule = (op: Record<string, unknown>) => {
            const o = clone(jwt);
            o.spec.rules[1].to[0].operation = op;
            return o;
        };
        expect(verdict(c, pathRule({ ports: ["80", "443"], methods: ["GET"], paths: ["/healthz", "/status/*"] })).denied).toEqual([]);
        for (const paths of [["*"], ["/*"], ["*.png"], ["/foo/{*}"]]) {
            expectDenied(c, pathRule({ ports: ["80", "443"], methods: ["GET", "HEAD"], paths }), "platform-authorization-named-sources", /unauthenticated paths must be exact \(\/healthz\) or prefix/);
        }
        expectDenied(c, pathRule({ ports: ["80", "443"], methods: ["POST"], paths: ["/healthz"] }), "platform-authorization-named-sources", /with methods GET or HEAD only/);
        expectDenied(c, pathRule({ ports: ["80", "443"], paths: ["/healthz"] }), "platform-authorization-named-sources", /with methods GET or HEAD only/);
        // Without ports (and outside the ingress namespaces) a rule without `from` stays refused.
        expectDenied(c, pathRule({ methods: ["GET"], paths: ["/healthz"] }), "platform-authorization-named-sources", /without `from` admits every caller/);
        expectDenied(c, { ...clone(jwt), metadata: { ...jwt.metadata, namespace: "shop" } }, "platform-authorization-named-sources", /without `from` admits every caller/);
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

describe("SecretStores: workload identity only, each namespace reaching only its own readers", () => {
    const STORE = "kubernetes:external-secrets.io/v1:SecretStore";
    const POLICY = "platform-secret-store-workload-identity";
    /** dev with a Knative service declaring secrets on EKS, AKS and GKE: the aws, azurekv and gcpsm stores. */
    let cloudStores: Cluster[] = [];
    beforeAll(async () => {
        const plan = await planConfig(
            loadStackConfig("dev", {
                overrides: {
                    "platform:services": [
                        { name: "orders-api", image: "ghcr.io/knative/helloworld-go:v1.23.0", port: 8080, hosting: "cluster", maxScale: 2, secrets: { DB_PASSWORD: "orders-db-password" } },
                    ],
                },
            }),
        );
        cloudStores = clustersOf("dev-cluster-secrets", plan).filter((c) => c.policies.length);
        // Strimzi on the managed clusters: its clients' credential stores read the Kafka namespace there.
        const strimzi = BASELINE_CASES.find((b) => b.id === "dev-strimzi")!;
        const strimziPlan = await planConfig(loadStackConfig(strimzi.stack, { overrides: strimzi.overrides }));
        cloudStores.push(...clustersOf("dev-strimzi", strimziPlan).filter((c) => c.policies.length));
    }, 600_000);

    const storesOf = (c: Cluster) => c.resources.filter((r) => r.type === STORE).map(objectOf);
    const storeOn = (target: string, provider: string): { c: Cluster; store: any } => {
        for (const c of [...clusters, ...cloudStores].filter((x) => x.target === target)) {
            const store = storesOf(c).find((o) => o.spec.provider[provider]);
            if (store) return { c, store: clone(store) };
        }
        throw new Error(`no ${provider} SecretStore planned on ${target}`);
    };
    const expectDenied = (c: Cluster, object: any, message: RegExp) => {
        const v = verdict(c, object);
        expect(v.denied.length, JSON.stringify(object.spec).slice(0, 300)).toBeGreaterThan(0);
        expect(v.denied.every((d) => d.startsWith(`${POLICY}: `)), v.denied.join("\n")).toBe(true);
        expect(v.denied.join("\n")).toMatch(message);
    };

    it("every SecretStore the stacks plan (aws, azurekv, gcpsm, kubernetes) is matched and admitted, on create and update", () => {
        const seen = new Set<string>();
        for (const c of [...clusters, ...cloudStores]) {
            for (const store of storesOf(c)) {
                for (const op of ["CREATE", "UPDATE"] as const) {
                    const v = verdict(c, store, op);
                    expect(v.matched, `${c.stack} ${store.metadata.namespace}/${store.metadata.name}`).toContain(POLICY);
                    expect(v.denied, `${c.stack} ${store.metadata.namespace}/${store.metadata.name}`).toEqual([]);
                }
                for (const p of Object.keys(store.spec.provider)) seen.add(p);
            }
        }
        expect([...seen].sort()).toEqual(["aws", "azurekv", "gcpsm", "kubernetes"]);
        // Kafka credential stores on every managed cluster where Strimzi runs, admitted through the listed Kafka namespace.
        for (const target of ["aws", "azure", "gcp"]) {
            const c = cloudStores.find((x) => x.stack === "dev-strimzi" && x.target === target)!;
            expect(storesOf(c).filter((o) => o.spec.provider.kubernetes?.remoteNamespace === "kafka").length, target).toBeGreaterThan(0);
            expect(Object.keys(paramsOf(c, "secret-source-namespaces")!.data!), target).toEqual(["kafka"]);
        }
        // The planned AWS reader role sits under its namespace's path.
        const { store } = storeOn("aws", "aws");
        expect(store.spec.provider.aws.role).toMatch(new RegExp(`:role/platform-secrets/plt-dev/${store.metadata.namespace}/[^/]+$`));
    });

    it("aws: another namespace's reader role, a role outside the readers' path, auth credentials, additionalRoles", () => {
        const { c, store } = storeOn("aws", "aws");
        const ns = store.metadata.namespace;
        const aws = (patch: Record<string, unknown>) => ({ ...clone(store), spec: { provider: { aws: { ...store.spec.provider.aws, ...patch } } } });
        const role: string = store.spec.provider.aws.role;
        // The same store in another namespace (a team naming orders-api's reader) is denied.
        expectDenied(c, { ...clone(store), metadata: { ...store.metadata, namespace: "shop" } }, /SecretStore shop\/.*role under \/platform-secrets\/<prefix>\/shop\//);
        expectDenied(c, aws({ role: role.replace(`/${ns}/`, "/shop/") }), new RegExp(`role under /platform-secrets/<prefix>/${ns}/`));
        expectDenied(c, aws({ role: role.replace(`/${ns}/`, `/${ns}/nested/`) }), /role under/);
        expectDenied(c, aws({ role: role.replace(`/${ns}/`, `/${ns}x/`) }), /role under/);
        expectDenied(c, aws({ role: "arn:aws:iam::123456789012:role/admin" }), /\(role arn:aws:iam::123456789012:role\/admin\)/);
        expectDenied(c, aws({ role: undefined }), /\(no role\)/);
        expectDenied(c, aws({ auth: { secretRef: { accessKeyIDSecretRef: { name: "aws", key: "id" }, secretAccessKeySecretRef: { name: "aws", key: "secret" } } } }), /no auth.secretRef/);
        expectDenied(c, aws({ auth: { jwt: { serviceAccountRef: { name: "orders-api" } } } }), /auth.jwt/);
        expectDenied(c, aws({ additionalRoles: ["arn:aws:iam::123456789012:role/platform-secrets/plt-dev/shop/reader"] }), /additionalRoles/);
        // An empty auth (the Go type's zero value) is still the controller's Pod Identity.
        expect(verdict(c, aws({ auth: {} })).denied).toEqual([]);
        expect(verdict(c, aws({ role: role.replace(/^arn:aws:/, "arn:aws-us-gov:") })).denied).toEqual([]);
    });

    it("azurekv: ManagedIdentity, ServicePrincipal, authSecretRef, no or another namespace's serviceAccountRef", () => {
        const { c, store } = storeOn("azure", "azurekv");
        const kv = (patch: Record<string, unknown>) => ({ ...clone(store), spec: { provider: { azurekv: { ...store.spec.provider.azurekv, ...patch } } } });
        expectDenied(c, kv({ authType: "ManagedIdentity", serviceAccountRef: undefined }), /ManagedIdentity is the node's identity/);
        expectDenied(c, kv({ authType: "ManagedIdentity" }), /authType WorkloadIdentity/);
        expectDenied(c, kv({ authType: undefined, serviceAccountRef: undefined, authSecretRef: { clientId: { name: "sp", key: "id" }, clientSecret: { name: "sp", key: "secret" } } }), /authType WorkloadIdentity/);
        expectDenied(c, kv({ authSecretRef: { clientId: { name: "sp", key: "id" } } }), /no authSecretRef/);
        expectDenied(c, kv({ serviceAccountRef: undefined }), /serviceAccountRef in this namespace/);
        expectDenied(c, kv({ serviceAccountRef: { name: "orders-api-secrets-reader", namespace: "shop" } }), /serviceAccountRef in this namespace/);
    });

    it("gcpsm: no auth (the controller's identity), a secretRef key, workload identity federation", () => {
        const { c, store } = storeOn("gcp", "gcpsm");
        const sm = (auth: unknown) => ({ ...clone(store), spec: { provider: { gcpsm: { ...store.spec.provider.gcpsm, auth } } } });
        expectDenied(c, sm(undefined), /no auth is the controller's own identity/);
        expectDenied(c, sm({}), /auth.workloadIdentity/);
        expectDenied(c, sm({ secretRef: { secretAccessKeySecretRef: { name: "gcp", key: "key.json" } } }), /secretRef is a static key/);
        expectDenied(c, sm({ ...store.spec.provider.gcpsm.auth, secretRef: { secretAccessKeySecretRef: { name: "gcp", key: "key.json" } } }), /auth.workloadIdentity/);
        expectDenied(c, sm({ workloadIdentityFederation: { audience: "x", serviceAccountRef: { name: "a" } } }), /auth.workloadIdentity/);
        const other = clone(store.spec.provider.gcpsm.auth);
        other.workloadIdentity.serviceAccountRef.namespace = "shop";
        expectDenied(c, sm(other), /serviceAccountRef in this namespace/);
    });

    it("kubernetes: token, cert or authRef auth, another remoteNamespace, no remoteNamespace", () => {
        const { c, store } = storeOn("kubernetes", "kubernetes");
        const k = (patch: Record<string, unknown>) => ({ ...clone(store), spec: { provider: { kubernetes: { ...store.spec.provider.kubernetes, ...patch } } } });
        // Both sources the platform's stores read are listed: the secret source namespace and the Kafka namespace.
        expect(Object.keys(paramsOf(c, "secret-source-namespaces")!.data!).sort()).toEqual(["kafka", "platform-secrets"]);
        expectDenied(c, k({ auth: { token: { bearerToken: { name: "t", key: "token" } } } }), /must use auth.serviceAccount/);
        expectDenied(c, k({ auth: { serviceAccount: { name: "x" }, cert: { clientCert: { name: "c", key: "crt" }, clientKey: { name: "c", key: "key" } } } }), /must use auth.serviceAccount/);
        expectDenied(c, k({ auth: undefined, authRef: { name: "kubeconfig", key: "config" } }), /must use auth.serviceAccount/);
        expectDenied(c, k({ auth: { serviceAccount: { name: "x", namespace: "kafka" } } }), /must use auth.serviceAccount/);
        expectDenied(c, k({ remoteNamespace: "shop" }), /\(remoteNamespace shop\)/);
        expectDenied(c, k({ remoteNamespace: "kube-system" }), /\(remoteNamespace kube-system\)/);
        // Unset, ESO reads "default".
        expectDenied(c, k({ remoteNamespace: undefined }), /\(no remoteNamespace\)/);
        // On a managed cluster without Strimzi (dev's gcp runs Google Managed Kafka) no remote namespace is listed.
        const gke = storeOn("gcp", "gcpsm").c;
        expectDenied(gke, { ...k({}), metadata: { ...store.metadata } }, /remoteNamespace/);
    });

    it("any other provider, two providers, and every ClusterSecretStore are denied; an existing one may still be updated (ratcheting)", () => {
        const { c, store } = storeOn("kubernetes", "kubernetes");
        const vault = { ...clone(store), spec: { provider: { vault: { server: "https://vault.example.com", auth: { tokenSecretRef: { name: "vault", key: "token" } } } } } };
        expectDenied(c, vault, /its provider is not one of aws, azurekv, gcpsm, kubernetes/);
        const aws = storeOn("aws", "aws");
        expectDenied(aws.c, { ...aws.store, spec: { provider: { ...aws.store.spec.provider, kubernetes: store.spec.provider.kubernetes } } }, /its provider is not one of/);
        const cluster = { ...clone(store), kind: "ClusterSecretStore", metadata: { name: "everything" } };
        expectDenied(c, cluster, /ClusterSecretStore everything: a cluster-wide store serves every namespace/);
        // Cluster-scoped: the namespace selector does not skip it, on any cluster.
        expectDenied(aws.c, { ...clone(aws.store), kind: "ClusterSecretStore", metadata: { name: "aws-all" } }, /ClusterSecretStore aws-all/);
        expect(verdict(c, vault, "UPDATE", vault).denied).toEqual([]);
        expectDenied(c, vault, /provider/);
        expect(verdict(c, vault, "UPDATE", store).denied.join("\n")).toMatch(/its provider is not one of/);
        // kube-system is never matched (the bindings' namespace selector).
        expect(verdict(c, { ...vault, metadata: { ...vault.metadata, namespace: "kube-system" } }).matched).toEqual([]);
    });
});

describe("admission on clusters the platform does not own: skipped namespaces, ratcheting, deletion, enforcement", () => {
    const local = () => clusterOf("local", "kubernetes");
    const daemonSet = (namespace: string, spec: any = {}) => ({
        apiVersion: "apps/v1",
        kind: "DaemonSet",
        metadata: { name: "node-exporter", namespace },
        spec: { template: { metadata: { labels: { app: "node-exporter" } }, spec: { containers: [{ name: "node-exporter", image: "prom/node-exporter:v1.8.0" }], ...spec } } },
    });
    const hostAccess = { hostNetwork: true, hostPID: true, volumes: [{ name: "root", hostPath: { path: "/" } }] };
    const withImage = (o: any, image: string) => {
        const c = clone(o);
        c.spec.template.spec.containers[0].image = image;
        return c;
    };

    it("kube-system, kube-public and kube-node-lease are never matched, their Namespace objects included; other namespaces still are", () => {
        const c = local();
        for (const ns of ADMISSION_UNMATCHED_NAMESPACES) {
            const v = verdict(c, daemonSet(ns, hostAccess));
            expect(v, ns).toEqual({ matched: [], denied: [], warned: [] });
            // A Namespace object is matched against its own labels (kubernetes.io/metadata.name = its name).
            expect(verdict(c, { apiVersion: "v1", kind: "Namespace", metadata: { name: ns } }, "UPDATE").matched, ns).toEqual([]);
        }
        // Even with the parameters gone (mid-replacement), node agents in kube-system are admitted.
        expect(admitAll(c.policies, c.bindings, [], { object: daemonSet("kube-system", hostAccess), asDeny: true }).denied).toEqual([]);
        expect(admitAll(c.policies, c.bindings, [], { object: daemonSet("monitoring"), asDeny: true }).denied.join("\n")).toMatch(/no params found/);
        // The Namespace policy still applies to every other namespace.
        const shop = verdict(c, { apiVersion: "v1", kind: "Namespace", metadata: { name: "shop" } });
        expect(shop.matched).toContain("platform-namespace-mesh-enrolment");
        expect(shop.denied.join("\n")).toMatch(/namespace shop: not labelled istio.io\/dataplane-mode=ambient/);
    });

    it("UPDATE: an object that already broke a rule is admitted (ratcheting); a new violation is denied", () => {
        const c = local();
        const insecure = daemonSet("monitoring", hostAccess);
        expect(verdict(c, insecure).denied.length).toBeGreaterThan(0);
        // node-exporter as it already runs, updated (new image): admitted.
        expect(verdict(c, withImage(insecure, "prom/node-exporter:v1.9.0"), "UPDATE", insecure).denied).toEqual([]);
        // The same update adding a privileged container: only that new violation is denied.
        const privileged = withImage(insecure, "prom/node-exporter:v1.9.0");
        privileged.spec.template.spec.containers[0].securityContext = { privileged: true };
        const v = verdict(c, privileged, "UPDATE", insecure);
        expect(v.denied).toHaveLength(1);
        expect(v.denied[0]).toMatch(/runs privileged container\(s\) node-exporter/);
        // A compliant workload updated into a violation: denied.
        const secure = daemonSet("monitoring");
        expect(verdict(c, daemonSet("monitoring", { hostNetwork: true }), "UPDATE", secure).denied.join("\n")).toMatch(/sets hostNetwork, hostPID or hostIPC/);
        // Namespaces: an existing namespace outside the mesh without a reason may be updated; a new one is denied.
        const legacy = { apiVersion: "v1", kind: "Namespace", metadata: { name: "legacy", labels: { team: "a" } } };
        expect(verdict(c, { ...legacy, metadata: { ...legacy.metadata, labels: { team: "b" } } }, "UPDATE", legacy).denied).toEqual([]);
        expect(verdict(c, legacy).denied.join("\n")).toMatch(/namespace legacy: not labelled/);
        // Services: a public LoadBalancer that exists stays updatable; turning a ClusterIP into a NodePort is denied.
        const svc = (type: string) => ({ apiVersion: "v1", kind: "Service", metadata: { name: "metallb-demo", namespace: "metallb-system" }, spec: { type, ports: [{ port: 80 }] } });
        expect(verdict(c, svc("LoadBalancer"), "UPDATE", svc("LoadBalancer")).denied).toEqual([]);
        expect(verdict(c, svc("NodePort"), "UPDATE", svc("ClusterIP")).denied.join("\n")).toMatch(/type NodePort opens a port on every node/);
        // NetworkPolicy: an existing allow-all may be relabelled; a new rule admitting everything is denied.
        const np = (ingress: any[]) => ({ apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { name: "legacy", namespace: "legacy" }, spec: { podSelector: {}, ingress } });
        expect(verdict(c, np([{}]), "UPDATE", np([{}])).denied).toEqual([]);
        expect(verdict(c, np([{}]), "UPDATE", np([{ ports: [{ port: 80 }] }])).denied.join("\n")).toMatch(/admits every source/);
    });

    it("an object being deleted is admitted (finalizer removal on a violating workload or namespace)", () => {
        const c = local();
        const deletionTimestamp = "2026-12-04T21:00:00Z";
        const old = daemonSet("monitoring");
        const dying = { ...daemonSet("monitoring", hostAccess), metadata: { ...old.metadata, deletionTimestamp, finalizers: [] } };
        expect(verdict(c, dying, "UPDATE", { ...old, metadata: { ...old.metadata, deletionTimestamp, finalizers: ["example.com/cleanup"] } })).toEqual({ matched: [], denied: [], warned: [] });
        const ns = { apiVersion: "v1", kind: "Namespace", metadata: { name: "old-team", deletionTimestamp } };
        expect(verdict(c, ns, "UPDATE", { ...ns, metadata: { ...ns.metadata, labels: { "istio.io/dataplane-mode": "ambient" } } }).denied).toEqual([]);
        // Without the deletion timestamp the same update is a new violation.
        expect(verdict(c, daemonSet("monitoring", hostAccess), "UPDATE", old).denied.length).toBeGreaterThan(0);
    });

    it("enforcement: deny on the managed clusters, warn (Warn, Audit) on the kubernetes target; configurable per stack and per target", async () => {
        const c = local();
        // Warn: the violation is admitted with a warning.
        const warn = admitAll(c.policies, c.bindings, c.params, { object: daemonSet("monitoring", hostAccess) });
        expect(warn.denied).toEqual([]);
        expect(warn.warned.join("\n")).toMatch(/sets hostNetwork, hostPID or hostIPC/);
        const aws = clusterOf("aws", "aws");
        expect(admitAll(aws.policies, aws.bindings, aws.params, { object: daemonSet("monitoring", hostAccess) }).denied.length).toBeGreaterThan(0);
        // Configuration: enforcement for every cluster, enforcementByTarget overrides it.
        const cfg = (admission: unknown) => stackConfig("dev", { "platform:admission": admission }).config;
        expect(configuredEnforcement(cfg({}), "kubernetes")).toBe("warn");
        expect(configuredEnforcement(cfg({}), "aws")).toBe("deny");
        expect(configuredEnforcement(cfg({ enforcement: "warn" }), "aws")).toBe("warn");
        expect(configuredEnforcement(cfg({ enforcement: "warn", enforcementByTarget: { aws: "deny" } }), "aws")).toBe("deny");
        expect(configuredEnforcement(cfg({ enforcementByTarget: { kubernetes: "deny" } }), "kubernetes")).toBe("deny");
        const plan = await planConfig(loadStackConfig("local", { overrides: { "platform:admission": { enforcementByTarget: { kubernetes: "deny" } } } }));
        const [denying] = clustersOf("local", plan).filter((x) => x.policies.length);
        expect(denying.bindings.map((b) => b.spec.validationActions)).toEqual(denying.bindings.map(() => ["Deny"]));
        // Bad values are named.
        expect(() => cfg({ enforcement: "block" })).toThrow(/platform:admission\.enforcement: "block" must be one of "deny", "warn"/);
        expect(() => cfg({ enforcementByTarget: { kubernetes: "audit" } })).toThrow(/platform:admission\.enforcementByTarget\.kubernetes: "audit" must be one of "deny", "warn"/);
        expect(() => cfg({ enforcementByTarget: { openshift: "deny" } })).toThrow(/platform:admission\.enforcementByTarget\.openshift is not a known setting/);
        expect(admissionArgsProblems("a", { clusterTarget: "aws", enforcement: "block" as any })).toEqual([
            'ClusterAdmissionPolicies a: args.enforcement: "block" is not allowed; allowed: "deny", "warn"',
        ]);
    });

    it("GKE: every gke-managed-* namespace is exempt on gcp clusters only", () => {
        const gke = clusterOf("gcp", "gcp");
        expect(verdict(gke, daemonSet("gke-managed-filestorecsi", hostAccess)).denied).toEqual([]);
        expect(verdict(gke, { apiVersion: "v1", kind: "Namespace", metadata: { name: "gke-managed-parallelstorecsi" } }).denied).toEqual([]);
        expect(verdict(gke, daemonSet("gke-filestorecsi", hostAccess)).denied.length).toBeGreaterThan(0);
        expect(verdict(local(), daemonSet("gke-managed-filestorecsi", hostAccess)).denied.length).toBeGreaterThan(0);
    });
});

describe("admission wiring", () => {
    it("every policy has one binding (Deny on managed clusters, Warn+Audit on the kubernetes target), fails closed, skips kube-system, kube-public and kube-node-lease, and has its auto-named parameters, created before the binding", () => {
        for (const c of clusters) {
            for (const p of c.policies) {
                expect(p.spec.failurePolicy).toBe("Fail");
                expect(p.spec.matchConditions.map((m: any) => m.name)).toContain("not-being-deleted");
                const bindings = c.bindings.filter((b) => b.spec.policyName === p.metadata.name);
                expect(bindings.length, p.metadata.name).toBe(1);
                expect(bindings[0].spec.validationActions, `${c.stack} ${c.target}`).toEqual(c.target === "kubernetes" ? ["Warn", "Audit"] : ["Deny"]);
                expect(bindings[0].spec.matchResources.namespaceSelector).toEqual({
                    matchExpressions: [{ key: "kubernetes.io/metadata.name", operator: "NotIn", values: ["kube-system", "kube-public", "kube-node-lease"] }],
                });
                if (!p.spec.paramKind) {
                    expect(bindings[0].spec.paramRef).toBeUndefined();
                    continue;
                }
                const ref = bindings[0].spec.paramRef;
                expect(ref.parameterNotFoundAction).toBe("Deny");
                // The ConfigMap has no fixed name (a data change replaces it create-before-delete); the paramRef names the auto-name.
                const param = c.resources.find((r) => r.type === CONFIG_MAP && objectOf(r).metadata.name === undefined && mockKubernetesAutoName(r.name) === ref.name && objectOf(r).metadata.namespace === ref.namespace);
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
            const data = (name: string) => (paramsOf(c, name)?.data ?? {}) as Record<string, string>;
            const engine = target === "kubernetes" ? config.kubernetes.network.engine : undefined;
            const expected = admissionSystemNamespaces({ clusterTarget: target, networkPolicyEngine: engine === "calico" ? "calico" : undefined, exemptNamespaces: configuredExemptNamespaces(config, target as any) });
            expect(Object.keys(data("system-namespaces")).sort(), `${c.stack} ${target}`).toEqual(expected.map((e) => e.namespace).sort());
            expect(data("edge-exceptions")).toEqual(Object.fromEntries(configuredEdgeExceptions(config).map((e) => [e.name, e.reason])));
            expect(data("ingress-namespaces")).toEqual(Object.fromEntries(DEFAULT_INGRESS_NAMESPACES.map((e) => [e.namespace, e.reason])));
            expect(data("secret-source-namespaces"), `${c.stack} ${target}`).toEqual(Object.fromEntries(configuredSecretSourceNamespaces(config, target as any).map((e) => [e.namespace, e.reason])));
        }
        // SpinKube's privileged namespace is exempt only where SpinKube runs.
        expect(Object.keys(clusterOf("local", "kubernetes").params.find((p: any) => p.metadata.labels?.[ADMISSION_PARAMS_LABEL] === "system-namespaces")!.data!)).toContain("runtime-class-manager");
        expect(Object.keys(clusterOf("aws", "aws").params.find((p: any) => p.metadata.labels?.[ADMISSION_PARAMS_LABEL] === "system-namespaces")!.data!)).not.toContain("runtime-class-manager");
        const pub = clusters.find((x) => x.stack === PUBLIC_INGRESS)!;
        expect(pub.params.find((p: any) => p.metadata.labels?.[ADMISSION_PARAMS_LABEL] === "edge-exceptions")!.data).toEqual({ "storefront-edge": "public storefront, approved in SEC-123" });
    });

    it("platform:admission.exemptNamespaces reaches the parameters of the clusters it names, and needs a reason", async () => {
        const exempt = { namespace: "amazon-cloudwatch", reason: "EKS CloudWatch Observability add-on, owned by the platform team", targets: ["kubernetes"] };
        const plan = await planConfig(loadStackConfig("local", { overrides: { "platform:admission": { exemptNamespaces: [exempt] } } }));
        const [cluster] = clustersOf("local", plan).filter((c) => c.policies.length);
        expect(cluster.params.find((p: any) => p.metadata.labels?.[ADMISSION_PARAMS_LABEL] === "system-namespaces")!.data!["amazon-cloudwatch"]).toBe(exempt.reason);
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
