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
import { HBONE_PORT } from "../components/namespace";
import { unknownValueKeys, type ChartFacts, type PodFact, type ServiceFact } from "../tools/charts/facts";
import { namespaceLevels } from "../tools/charts/namespaces";
import { podSecurityViolations } from "../tools/charts/pod-security";
import { planEverything, releasesOf, RELEASE_TYPE, type PlannedRelease, type PlannedStack } from "../tools/charts/releases";
import { CHART_SOURCES } from "../tools/charts/sources";
import { chartPulls } from "../tools/charts/pull";
import { factsDrift } from "../tools/charts/render";

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
            if (f.source.commit) {
                // Rendered from the upstream git repository at its tag (tools/charts/sources.ts).
                expect(f.source).toMatchObject({ ...CHART_SOURCES[key] });
                expect(f.source.commit).toMatch(/^[0-9a-f]{40}$/);
            } else {
                // Rendered from the chart pulled at the pinned version from the repository its release names (charts:pull).
                const release = releases.find((r) => `${r.chart}@${r.version}` === key)!;
                expect(f.source).toMatchObject({ repo: release.chartRef.startsWith("oci://") ? release.chartRef : release.repo, tag: release.version, licence: CHART_SOURCES[key].licence });
            }
        }
    });

    it("every pinned chart can be pulled at its pinned version from the repository its release names (charts:pull)", () => {
        const pulls = chartPulls(releases);
        expect(pulls.map((p) => `${p.chart}@${p.version}`).sort()).toEqual([...new Set(releases.map((r) => `${r.chart}@${r.version}`))].sort());
        for (const p of pulls) {
            const release = releases.find((r) => r.chart === p.chart && r.version === p.version)!;
            // helm pull <chart> --repo <url> | helm pull oci://…/<chart>, at the pinned version, unpacked as <chart>-<version>.
            const source = release.chartRef.startsWith("oci://") ? [release.chartRef] : [p.chart, "--repo", release.repo];
            expect(release.chartRef.startsWith("oci://") || /^https:\/\//.test(release.repo), `${where(release)}: repository ${release.repo}`).toBe(true);
            expect(p.args).toEqual(["pull", ...source, "--version", p.version, "--untar", "--untardir", `${p.chart}-${p.version}`]);
        }
        const unpullable = { ...releases[0], chartRef: "istiod", repo: "", resourceName: "no-repo" };
        expect(() => chartPulls([unpullable])).toThrow(/names no chart repository \(repositoryOpts\.repo\) and is not an OCI reference/);
    });

    it("a fresh render is compared with the committed facts field by field, provenance aside (charts:render --check)", () => {
        const committed = facts.get("keda@2.20.2")!;
        expect(factsDrift(committed, { ...committed, source: { ...committed.source, tag: "elsewhere" } })).toEqual([]);
        const pods = committed.renders[0].pods.map((p, i) => (i === 0 ? { ...p, name: `${p.name}-renamed` } : p));
        const drifted = { ...committed, renders: [{ ...committed.renders[0], pods }, ...committed.renders.slice(1)] };
        expect(factsDrift(committed, drifted)).toEqual([
            `keda-2.20.2.renders[0].pods[0].name: committed ${JSON.stringify(committed.renders[0].pods[0].name)}, rendered ${JSON.stringify(`${committed.renders[0].pods[0].name}-renamed`)}`,
        ]);
        expect(factsDrift(undefined, committed)).toEqual(["keda-2.20.2: no committed facts"]);
    });

    it("was rendered with exactly the values, namespace and release name each planned release passes now", () => {
        const stale = releases.filter((r) => !renderOf(r)).map((r) => `${where(r)}: values sha256 ${r.valuesSha256} not rendered`);
        expect(stale, `stale chart facts; re-render with ${RENDER}`).toEqual([]);
    });
});

// ---- the rules, as functions of the plans (so the negative tests below can feed them altered plans) ----

function valueKeyProblems(ps: PlannedStack[]): string[] {
    return ps.flatMap(releasesOf).flatMap((r) => {
        const f = facts.get(`${r.chart}@${r.version}`);
        return f ? unknownValueKeys(f, r.values).map((k) => `${where(r)}: ${k}`) : [];
    });
}

function podSecurityProblems(ps: PlannedStack[]): string[] {
    const bad: string[] = [];
    for (const plan of ps) {
        const levels = namespaceLevels(plan.resources);
        for (const r of releasesOf(plan)) {
            for (const pod of renderOf(r)?.pods ?? []) {
                const level = levels.get(pod.namespace) ?? "privileged";
                for (const v of podSecurityViolations(pod.spec, level, pod.annotations)) bad.push(`${where(r)}: ${pod.kind} ${pod.namespace}/${pod.name} (${level}): ${v}`);
            }
        }
    }
    return bad;
}

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
/**
 * Ports a pod serves: its declared container ports and the numeric target ports of the chart's Services
 * that select it (Istio's gateway pod is completed by injection at admission; its Service names 80/443/15021).
 */
const servedPorts = (pod: PodFact, services: ServiceFact[]): { name?: string; containerPort: number }[] => [
    ...containerPorts(pod),
    ...services
        .filter((s) => s.namespace === pod.namespace && Object.keys(s.selector).length && selects({ matchLabels: s.selector }, pod.labels))
        .flatMap((s) => s.ports.filter((p) => typeof p.targetPort === "number").map((p) => ({ containerPort: p.targetPort as number }))),
];
/** An ingress rule that admits the API server: no `from` (it is not a pod), or an ipBlock. */
const fromApiServer = (rule: any) => !rule.from?.length || rule.from.some((f: any) => f.ipBlock);

/** Ingress ports opened to a chart's pods that none of those pods listens on. */
function policyPortProblems(ps: PlannedStack[]): string[] {
    const bad: string[] = [];
    for (const plan of ps) {
        const rels = releasesOf(plan);
        for (const r of rels) {
            const pods = renderOf(r)?.pods.filter((p) => p.namespace === r.namespace && !p.hook && p.kind !== "Job") ?? [];
            // A podSelector of {} also selects pods of other workloads in the namespace (operands, other charts).
            const shared = (policy: Policy) =>
                Object.keys(policy.spec.podSelector?.matchLabels ?? {}).length === 0 && rels.some((o) => o !== r && o.namespace === r.namespace && o.provider === r.provider);
            for (const policy of policiesIn(plan.resources, r.namespace)) {
                const selected = pods.filter((p) => selects(policy.spec.podSelector, p.labels));
                if (!selected.length || shared(policy)) continue;
                for (const rule of policy.spec.ingress ?? []) {
                    for (const port of rule.ports ?? []) {
                        // HBONE is served by ztunnel inside every enrolled pod's network namespace, not by the pod.
                        if (port.port === HBONE_PORT) continue;
                        if (selected.some((p) => servedPorts(p, renderOf(r)!.services).some((c) => c.containerPort === port.port || c.name === port.port))) continue;
                        bad.push(
                            `${plan.stack}: NetworkPolicy ${r.namespace}/${policy.name} opens ${port.port} to ${selected.map((p) => p.name).join(", ")} (${r.chart}), which listen on ${selected.flatMap(containerPorts).map((c) => c.containerPort).join(", ") || "nothing"}`,
                        );
                    }
                }
            }
        }
    }
    return bad;
}

/** Webhook and APIService backends a chart registers that the namespace's NetworkPolicies do not admit. */
function webhookProblems(ps: PlannedStack[]): string[] {
    const bad: string[] = [];
    for (const plan of ps) {
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
    return bad;
}

/** API groups every conformant cluster serves (and the provider's own pseudo-groups). */
const BUILT_IN = /^(core|apps|batch|policy|autoscaling|networking\.k8s\.io|rbac\.authorization\.k8s\.io|storage\.k8s\.io|admissionregistration\.k8s\.io|apiextensions\.k8s\.io|scheduling\.k8s\.io|node\.k8s\.io|coordination\.k8s\.io|certificates\.k8s\.io|discovery\.k8s\.io|apiregistration\.k8s\.io|helm\.sh|yaml)$/;
/** CRD manifests the platform applies as ConfigFiles, with the API groups they define (their schemas are in schemas/crds). */
const CRD_MANIFESTS: { url: RegExp; groups: string[] }[] = [
    { url: /^https:\/\/github\.com\/kubernetes-sigs\/gateway-api\/releases\/download\/v[\d.]+\/standard-install\.yaml$/, groups: ["gateway.networking.k8s.io"] },
    { url: /^https:\/\/github\.com\/spinframework\/spin-operator\/releases\/download\/v[\d.]+\/spin-operator\.crds\.yaml$/, groups: ["core.spinkube.dev"] },
];
/** CRDs an operator installs when one of its custom resources exists (a KnativeServing installs Serving's). */
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

/** Custom resources that do not wait for anything serving their kind on their own cluster. */
function crdProblems(ps: PlannedStack[]): { checked: number; bad: string[] } {
    const bad: string[] = [];
    let checked = 0;
    for (const plan of ps) {
        const byUrn = new Map(plan.resources.map((r) => [r.urn, r]));
        for (const r of plan.resources) {
            if (!r.custom || !r.type.startsWith("kubernetes:")) continue;
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
    return { checked, bad };
}

/** A deep copy of one stack's plan with `edit` applied to it. */
function altered(stack: string, edit: (resources: RecordedResource[]) => void): PlannedStack[] {
    const plan = plans.find((p) => p.stack === stack)!;
    const resources = structuredClone(plan.resources);
    edit(resources);
    return [{ stack, resources }];
}

describe("values the platform passes", () => {
    it("every value key the platform sets is read by the chart (Helm ignores unknown keys silently)", () => {
        expect(valueKeyProblems(plans)).toEqual([]);
    });

    it("a misspelt key is reported, keys below a map the chart passes through are not", () => {
        const f = facts.get("knative-operator@v1.23.0")!;
        expect(unknownValueKeys(f, { knative_operator: { knative_operator: { podSecurityContext: { runAsNonRoot: true } } } })).toEqual([
            "knative_operator.knative_operator.podSecurityContext.runAsNonRoot",
        ]);
        expect(unknownValueKeys(f, { knative_operator: { knative_operator: { securityContext: { seccompProfile: { type: "RuntimeDefault" } } } } })).toEqual([]);
        // Istio's istiod copies `pilot.*` to the top level; a key it does not read is still caught there.
        const istiod = facts.get("istiod@1.30.5")!;
        expect(unknownValueKeys(istiod, { pilot: { replicaCount: 2, replicas: 2 } })).toEqual(["pilot.replicas"]);
    });
});

describe("Pod Security of what the charts render", () => {
    it("every pod every chart renders meets the level its namespace enforces", () => {
        expect(podSecurityProblems(plans)).toEqual([]);
    });

    it("a namespace enforcing more than a chart's pods meet is reported (the node agents in a restricted kube-system)", () => {
        const bad = podSecurityProblems(
            altered("local", (rs) => rs.push({ ...rs.find((r) => r.type === "kubernetes:core/v1:Namespace")!, urn: "kube-system", inputs: { metadata: { name: "kube-system", labels: { "pod-security.kubernetes.io/enforce": "baseline" } } } })),
        );
        expect(bad.some((m) => m.includes("DaemonSet kube-system/ztunnel (baseline)") && m.includes("adds capability NET_ADMIN"))).toBe(true);
        expect(bad.some((m) => m.includes("DaemonSet kube-system/istio-cni-node (baseline)"))).toBe(true);
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
        expect(podSecurityViolations({ ...ok, securityContext: { seccompProfile: { type: "RuntimeDefault" } } }, "restricted")).toEqual([
            'container "c": runAsNonRoot is not true (pod or container securityContext)',
        ]);
        expect(podSecurityViolations({ ...ok, volumes: [{ name: "n", nfs: {} }] }, "restricted")).toEqual(['volume "n" has type nfs']);
        expect(podSecurityViolations({ containers: [{ name: "c" }] }, "baseline")).toEqual([]);
        expect(
            podSecurityViolations({ hostNetwork: true, volumes: [{ name: "h", hostPath: { path: "/etc" } }], containers: [{ name: "c", securityContext: { capabilities: { add: ["NET_ADMIN"] } } }] }, "baseline"),
        ).toEqual(["pod hostNetwork is true (host namespaces)", 'volume "h" is a hostPath (/etc)', 'container "c" adds capability NET_ADMIN']);
        expect(podSecurityViolations({ containers: [{ name: "c", securityContext: { privileged: true } }] }, "baseline")).toEqual(['container "c" is privileged']);
        expect(podSecurityViolations({ securityContext: { sysctls: [{ name: "net.ipv4.ip_unprivileged_port_start", value: "0" }] }, containers: [{ name: "c" }] }, "baseline")).toEqual([]);
        expect(podSecurityViolations({ securityContext: { sysctls: [{ name: "net.core.somaxconn", value: "1" }] }, containers: [{ name: "c" }] }, "baseline")).toEqual([
            "pod sysctl net.core.somaxconn is not a safe sysctl",
        ]);
        expect(podSecurityViolations({ hostNetwork: true, containers: [{ name: "c", securityContext: { privileged: true } }] }, "privileged")).toEqual([]);
    });
});

describe("NetworkPolicies match the ports the charts' pods really serve", () => {
    it("every ingress port opened to a chart's pods is a port one of those pods listens on", () => {
        expect(policyPortProblems(plans)).toEqual([]);
    });

    it("every webhook and APIService backend a chart registers is admitted from the API server", () => {
        expect(webhookProblems(plans)).toEqual([]);
    });

    it("a webhook port the chart does not serve is reported, and so is the webhook it leaves unreachable", () => {
        const wrongPort = altered("local", (rs) => {
            const policy = rs.find((r) => r.type === NETWORK_POLICY && (r.inputs as any).metadata?.namespace === "cert-manager" && (r.inputs as any).metadata?.name === "allow-webhook-ingress")!;
            (policy.inputs as any).spec.ingress[0].ports[0].port = 9443;
        });
        expect(policyPortProblems(wrongPort)).toEqual([expect.stringContaining("NetworkPolicy cert-manager/allow-webhook-ingress opens 9443 to cert-manager-cainjector, cert-manager, cert-manager-webhook (cert-manager)")]);
        expect(webhookProblems(wrongPort)).toEqual([
            expect.stringContaining("cert-manager/cert-manager-webhook:443 → pod cert-manager-webhook port 10250 is not admitted"),
            expect.stringContaining("cert-manager/cert-manager-webhook:443 → pod cert-manager-webhook port 10250 is not admitted"),
        ]);
    });
});

describe("custom resources are created only on a cluster that serves their CRD", () => {
    it("every custom resource waits for the chart, CRD manifest or operator resource that serves its kind on the same cluster", () => {
        const { checked, bad } = crdProblems(plans);
        expect(checked).toBeGreaterThan(0);
        expect(bad).toEqual([]);
    });

    it("a custom resource that does not wait for its CRD is reported", () => {
        const unordered = altered("local", (rs) => {
            const app = rs.find((r) => r.type.endsWith(":SpinApp"))!;
            app.dependencies = [];
            for (let p = rs.find((r) => r.urn === app.parent); p; p = rs.find((r) => r.urn === p!.parent)) p.dependencies = [];
        });
        expect(crdProblems(unordered).bad).toEqual([expect.stringContaining("kubernetes:core.spinkube.dev/v1alpha1:SpinApp plt-local-kubernetes-hello-wasm-spinapp does not wait")]);
        const otherCluster = altered("local", (rs) => {
            // The Strimzi operator on another cluster does not serve the Kafka kinds here.
            for (const r of rs) if (r.type === RELEASE_TYPE && (r.inputs as any).chart === "strimzi-kafka-operator") r.provider = "urn:other-cluster";
        });
        expect(crdProblems(otherCluster).bad.filter((m) => m.includes("kafka.strimzi.io/Kafka ")).length).toBeGreaterThan(0);
    });
});
