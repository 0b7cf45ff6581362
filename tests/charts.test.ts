/**
 * The charts the platform installs, checked against what those charts really render (docs/charts.md).
 * The facts under tests/fixtures/charts come from `npm run charts:render` (the real Helm over each pinned
 * chart's source with the values of the current plan); this file checks the current plan of every stack
 * against them:
 *  - the facts are not stale (the values each release passes now are the values that were rendered);
 *  - every value key the platform sets is one the chart reads (Helm ignores unknown keys silently);
 *  - every pod a chart renders meets the Pod Security level its namespace enforces (admission rejects it
 *    otherwise, and the atomic release rolls back);
 *  - the webhook/API ports the namespaces' NetworkPolicies open are ports the chart's pods listen on, and
 *    every webhook or APIService backend the chart registers is admitted by those policies;
 *  - every custom resource is created only where its CRD is served, and after what installs it.
 */
import fs from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import type { RecordedResource } from "../tools/plan";
import { unknownValueKeys, type ChartFacts, type PodFact } from "../tools/charts/facts";
import { namespaceLevels } from "../tools/charts/namespaces";
import { podSecurityViolations } from "../tools/charts/pod-security";
import { planEverything, releasesOf, RELEASE_TYPE, type PlannedRelease, type PlannedStack } from "../tools/charts/releases";
import { CHART_SOURCES } from "../tools/charts/sources";

const FIXTURES = path.join(__dirname, "fixtures", "charts");
const RENDER = "npm run charts:render -- --charts-dir <dir of chart sources> (docs/charts.md)";
const facts = new Map<string, ChartFacts>(
    fs
        .readdirSync(FIXTURES)
        .filter((f) => f.endsWith(".json"))
        .map((f) => JSON.parse(fs.readFileSync(path.join(FIXTURES, f), "utf8")) as ChartFacts)
        .map((f) => [`${f.chart}@${f.version}`, f]),
);

let plans: PlannedStack[] = [];
let releases: PlannedRelease[] = [];
beforeAll(async () => {
    plans = await planEverything();
    releases = plans.flatMap(releasesOf);
}, 300_000);

const renderOf = (r: PlannedRelease) =>
    facts.get(`${r.chart}@${r.version}`)?.renders.find((x) => x.valuesSha256 === r.valuesSha256 && x.namespace === r.namespace && x.releaseName === r.releaseName);
const where = (r: PlannedRelease) => `${r.stack}: ${r.resourceName} (${r.chart} ${r.version} in ${r.namespace})`;

describe("chart facts are current", () => {
    it("covers every chart the platform installs, with provenance", () => {
        expect(releases.length).toBeGreaterThan(0);
        const charts = new Set(releases.map((r) => `${r.chart}@${r.version}`));
        // Every chart of the platform is planned somewhere (the list is what the assignment names).
        for (const c of ["base", "istiod", "cni", "ztunnel", "gateway", "opentelemetry-collector", "strimzi-kafka-operator", "keda", "knative-operator", "cert-manager", "runtime-class-manager", "spin-operator", "cluster-autoscaler"]) {
            expect([...charts].some((k) => k.startsWith(`${c}@`)), `no planned release of ${c}`).toBe(true);
        }
        for (const key of charts) {
            expect(facts.has(key), `no facts for chart ${key}: run ${RENDER}`).toBe(true);
            const f = facts.get(key)!;
            expect(f.source).toMatchObject({ ...CHART_SOURCES[key] });
            expect(f.source.commit).toMatch(/^[0-9a-f]{40}$/);
        }
    });

    it("was rendered with exactly the values, namespace and release name each planned release passes now", () => {
        const stale = releases.filter((r) => !renderOf(r)).map((r) => `${where(r)}: values sha256 ${r.valuesSha256} not rendered`);
        expect(stale, `stale chart facts; re-render with ${RENDER}`).toEqual([]);
    });
});

describe("values the platform passes", () => {
    it("every value key the platform sets is read by the chart (Helm ignores unknown keys silently)", () => {
        const unknown = releases.flatMap((r) => {
            const f = facts.get(`${r.chart}@${r.version}`);
            return f ? unknownValueKeys(f, r.values).map((k) => `${where(r)}: ${k}`) : [];
        });
        expect(unknown).toEqual([]);
    });

    it("the key check rejects a key the chart does not read and accepts pass-through maps", () => {
        const f = facts.get(releases.find((r) => r.chart === "knative-operator")!.chart + "@v1.23.0")!;
        expect(unknownValueKeys(f, { knative_operator: { knative_operator: { podSecurityContext: { runAsNonRoot: true } } } })).toEqual([
            "knative_operator.knative_operator.podSecurityContext.runAsNonRoot",
        ]);
        expect(unknownValueKeys(f, { knative_operator: { knative_operator: { securityContext: { seccompProfile: { type: "RuntimeDefault" } } } } })).toEqual([]);
    });
});

describe("Pod Security of what the charts render", () => {
    it("every pod every chart renders meets the level its namespace enforces", () => {
        const bad: string[] = [];
        for (const plan of plans) {
            const levels = namespaceLevels(plan.resources);
            for (const r of releasesOf(plan)) {
                for (const pod of renderOf(r)?.pods ?? []) {
                    const level = levels.get(pod.namespace) ?? "privileged";
                    for (const v of podSecurityViolations(pod.spec, level, pod.annotations)) bad.push(`${where(r)}: ${pod.kind} ${pod.namespace}/${pod.name} (${level}): ${v}`);
                }
            }
        }
        expect(bad).toEqual([]);
    });

    it("operator namespaces enforce restricted, except the named exceptions", () => {
        for (const plan of plans) {
            const levels = namespaceLevels(plan.resources);
            for (const ns of ["knative-operator", "spin-operator", "cert-manager", "kafka", "keda", "observability"]) {
                if (levels.has(ns)) expect(levels.get(ns), `${plan.stack}: ${ns}`).toBe("restricted");
            }
        }
    });

    it("the checks reject what admission rejects (published Pod Security Standards)", () => {
        const ok = {
            securityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } },
            containers: [{ name: "c", securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } } }],
        };
        expect(podSecurityViolations(ok, "restricted")).toEqual([]);
        // The knative-operator chart's own pods before the fix: no seccompProfile.
        expect(podSecurityViolations({ ...ok, securityContext: { runAsNonRoot: true } }, "restricted")).toEqual([
            'container "c": seccompProfile.type is unset (needs RuntimeDefault or Localhost on the pod or the container)',
        ]);
        expect(podSecurityViolations({ ...ok, containers: [{ name: "c", securityContext: { capabilities: { drop: ["ALL"] } } }] }, "restricted")).toEqual([
            'container "c" securityContext.allowPrivilegeEscalation is not false',
        ]);
        expect(podSecurityViolations({ ...ok, containers: [{ name: "c", securityContext: { allowPrivilegeEscalation: false } }] }, "restricted")).toEqual([
            'container "c" securityContext.capabilities.drop does not include ALL',
        ]);
        expect(podSecurityViolations({ containers: [{ name: "c" }] }, "baseline")).toEqual([]);
        expect(podSecurityViolations({ hostNetwork: true, volumes: [{ name: "h", hostPath: { path: "/etc" } }], containers: [{ name: "c", securityContext: { capabilities: { add: ["NET_ADMIN"] } } }] }, "baseline")).toEqual([
            "pod hostNetwork is true (host namespaces)",
            'volume "h" is a hostPath (/etc)',
            'container "c" adds capability NET_ADMIN',
        ]);
        expect(podSecurityViolations({ securityContext: { sysctls: [{ name: "net.ipv4.ip_unprivileged_port_start", value: "0" }] }, containers: [{ name: "c" }] }, "baseline")).toEqual([]);
        expect(podSecurityViolations({ securityContext: { sysctls: [{ name: "net.core.somaxconn", value: "1" }] }, containers: [{ name: "c" }] }, "baseline")).toHaveLength(1);
    });
});

// ---- NetworkPolicies against the charts' real ports ----

const NETWORK_POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy";
interface Policy {
    name: string;
    namespace: string;
    spec: any;
}
const policiesIn = (resources: RecordedResource[], namespace: string): Policy[] =>
    resources
        .filter((r) => r.type === NETWORK_POLICY && (r.inputs as any).metadata?.namespace === namespace)
        .map((r) => ({ name: (r.inputs as any).metadata.name, namespace, spec: (r.inputs as any).spec }));
const selects = (selector: any, labels: Record<string, string>) =>
    !selector?.matchExpressions?.length && Object.entries(selector?.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
const containerPorts = (pod: PodFact) => pod.spec.containers!.flatMap((c: any) => c.ports ?? []) as { name?: string; containerPort: number }[];
/** An ingress rule that admits the API server: no `from` (it is not a pod), or an ipBlock. */
const fromApiServer = (rule: any) => !rule.from?.length || rule.from.some((f: any) => f.ipBlock);

describe("NetworkPolicies match the ports the charts' pods really serve", () => {
    it("every ingress port opened to a chart's pods is a port one of those pods listens on", () => {
        const bad: string[] = [];
        for (const plan of plans) {
            for (const r of releasesOf(plan)) {
                const pods = renderOf(r)?.pods.filter((p) => p.namespace === r.namespace && !p.hook && p.kind !== "Job") ?? [];
                for (const policy of policiesIn(plan.resources, r.namespace)) {
                    const selected = pods.filter((p) => selects(policy.spec.podSelector, p.labels));
                    if (!selected.length) continue;
                    for (const rule of policy.spec.ingress ?? []) {
                        for (const port of rule.ports ?? []) {
                            // Ports of other workloads in a shared namespace (istio-system's istiod rule names its own pods).
                            const listening = selected.some((p) => containerPorts(p).some((c) => c.containerPort === port.port || c.name === port.port));
                            const otherPods = policy.spec.podSelector && Object.keys(policy.spec.podSelector.matchLabels ?? {}).length === 0;
                            if (!listening && !(otherPods && releasesOf(plan).some((o) => o !== r && o.namespace === r.namespace))) {
                                bad.push(`${plan.stack}: NetworkPolicy ${r.namespace}/${policy.name} opens ${port.port} to ${selected.map((p) => p.name).join(", ")} (${r.chart}), which listen on ${selected.flatMap(containerPorts).map((c) => c.containerPort).join(", ") || "nothing"}`);
                            }
                        }
                    }
                }
            }
        }
        expect(bad).toEqual([]);
    });

    it("every webhook and APIService backend a chart registers is admitted from the API server", () => {
        const bad: string[] = [];
        for (const plan of plans) {
            const namespaces = new Set(namespaceLevels(plan.resources).keys());
            for (const r of releasesOf(plan)) {
                const render = renderOf(r);
                if (!render) continue;
                // istio-base registers istiod's validating webhook: look in every chart of the same cluster.
                const renders = releasesOf(plan).filter((o) => o.provider === r.provider).map(renderOf).filter((x) => !!x);
                const backends = [...render.webhooks.flatMap((w) => w.webhooks.map((x) => x.service)), ...render.apiServices.map((a) => a.service)].filter((s) => !!s);
                for (const b of backends) {
                    // A namespace the plan does not create (kube-system) has no platform default deny.
                    if (!namespaces.has(b!.namespace)) continue;
                    const owner = renders.find((x) => x!.services.some((s) => s.name === b!.name && s.namespace === b!.namespace));
                    const svc = owner?.services.find((s) => s.name === b!.name && s.namespace === b!.namespace);
                    if (!svc) {
                        bad.push(`${where(r)}: webhook backend Service ${b!.namespace}/${b!.name} is not rendered by any chart on this cluster`);
                        continue;
                    }
                    const sp = svc.ports.find((p) => p.port === b!.port);
                    const pods = owner!.pods.filter((p) => p.namespace === svc.namespace && !p.hook && Object.keys(svc.selector).length && selects({ matchLabels: svc.selector }, p.labels));
                    for (const pod of pods) {
                        const target = typeof sp?.targetPort === "string" ? containerPorts(pod).find((c) => c.name === sp.targetPort)?.containerPort : sp?.targetPort;
                        const admitted = policiesIn(plan.resources, svc.namespace).some(
                            (pol) =>
                                (pol.spec.policyTypes ?? ["Ingress"]).includes("Ingress") &&
                                selects(pol.spec.podSelector, pod.labels) &&
                                (pol.spec.ingress ?? []).some((rule: any) => fromApiServer(rule) && (!rule.ports?.length || rule.ports.some((p: any) => p.port === target))),
                        );
                        if (!admitted) bad.push(`${where(r)}: ${svc.namespace}/${svc.name}:${b!.port} → pod ${pod.name} port ${target} is not admitted by any NetworkPolicy`);
                    }
                }
            }
        }
        expect(bad).toEqual([]);
    });
});

// ---- custom resources only where their CRD is served ----

/** API groups every conformant cluster serves. */
const BUILT_IN = /^(core|apps|batch|policy|autoscaling|networking\.k8s\.io|rbac\.authorization\.k8s\.io|storage\.k8s\.io|admissionregistration\.k8s\.io|apiextensions\.k8s\.io|scheduling\.k8s\.io|node\.k8s\.io|coordination\.k8s\.io|certificates\.k8s\.io|discovery\.k8s\.io|apiregistration\.k8s\.io|helm\.sh|yaml)$/;
/**
 * CRD manifests the platform applies as ConfigFiles, with the API groups they define (the release assets'
 * CRDs; their schemas are in schemas/crds).
 */
const CRD_MANIFESTS: { url: RegExp; groups: string[] }[] = [
    { url: /^https:\/\/github\.com\/kubernetes-sigs\/gateway-api\/releases\/download\/v[\d.]+\/standard-install\.yaml$/, groups: ["gateway.networking.k8s.io"] },
    { url: /^https:\/\/github\.com\/spinframework\/spin-operator\/releases\/download\/v[\d.]+\/spin-operator\.crds\.yaml$/, groups: ["core.spinkube.dev"] },
];
/** CRDs an operator installs when one of its custom resources exists (the KnativeServing CR installs Serving). */
const OPERATOR_INSTALLED: Record<string, string> = { "serving.knative.dev": "operator.knative.dev/KnativeServing" };
/** CRDs the cluster's own dataplane serves: Cilium on GKE Dataplane V2, AKS Azure CNI powered by Cilium, or a declared Cilium install. */
const CLUSTER_PROVIDED = new Set(["cilium.io"]);

const typeParts = (type: string) => {
    const [, apiVersion, kind] = type.split(":");
    const slash = apiVersion.lastIndexOf("/");
    return { group: slash < 0 ? "core" : apiVersion.slice(0, slash), kind };
};

/**
 * Everything a resource waits for: its dependencies and its ancestors' (a child registers only once its
 * parent has, and a component registers only once its dependsOn are done: pulumi/pulumi#2299), transitively,
 * and every child of a component it depends on.
 */
function waitsFor(resources: RecordedResource[], urn: string): Set<string> {
    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    const children = new Map<string, string[]>();
    for (const r of resources) children.set(r.parent, [...(children.get(r.parent) ?? []), r.urn]);
    const depsOf = (u: string): string[] => {
        const out: string[] = [];
        for (let r = byUrn.get(u); r; r = byUrn.get(r.parent)) out.push(...r.dependencies);
        return out;
    };
    const out = new Set<string>();
    const stack = depsOf(urn);
    while (stack.length) {
        const u = stack.pop()!;
        if (out.has(u)) continue;
        out.add(u);
        stack.push(...depsOf(u), ...(children.get(u) ?? []));
    }
    return out;
}

describe("custom resources are created only on a cluster that serves their CRD", () => {
    it("every custom resource waits for the chart, CRD manifest or operator resource that serves its kind on the same cluster", () => {
        const bad: string[] = [];
        let checked = 0;
        for (const plan of plans) {
            const byUrn = new Map(plan.resources.map((r) => [r.urn, r]));
            for (const r of plan.resources) {
                if (!r.custom || !r.type.startsWith("kubernetes:") || r.type.startsWith("pulumi:")) continue;
                const { group, kind } = typeParts(r.type);
                if (BUILT_IN.test(group) || CLUSTER_PROVIDED.has(group)) continue;
                checked++;
                const deps = [...waitsFor(plan.resources, r.urn)].map((u) => byUrn.get(u)!).filter((d) => d && d.provider === r.provider);
                const served = deps.some((d) => {
                    if (d.type === RELEASE_TYPE) {
                        const rel = releasesOf({ stack: plan.stack, resources: [d] })[0];
                        return !!facts.get(`${rel.chart}@${rel.version}`)?.crds.some((c) => c.group === group && c.kind === kind);
                    }
                    if (d.type === "kubernetes:yaml/v2:ConfigFile") return CRD_MANIFESTS.some((m) => m.url.test(String((d.inputs as any).file)) && m.groups.includes(group));
                    const installer = OPERATOR_INSTALLED[group];
                    return !!installer && `${typeParts(d.type).group}/${typeParts(d.type).kind}` === installer;
                });
                if (!served) bad.push(`${plan.stack}: ${r.type} ${r.name} does not wait for anything that serves ${group}/${kind} on its cluster`);
            }
        }
        expect(checked).toBeGreaterThan(0);
        expect(bad).toEqual([]);
    });
});
