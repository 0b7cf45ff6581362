/**
 * The derived facts of one pinned chart, as committed under tests/fixtures/charts/<chart>-<version>.json.
 * Only facts, no upstream text: the value key paths the chart reads, what it renders with the platform's
 * values (pods with their security settings, Services, webhooks, CRD kinds) and where it came from.
 */
import YAML from "yaml";
import type { PodSpecLike } from "./pod-security";
import type { ChartSource } from "./sources";

export interface PodFact {
    kind: string;
    name: string;
    namespace: string;
    /** Helm hook (e.g. post-install) when the object is one: it is created by the same install. */
    hook?: string;
    /** Pod template labels (what Services and NetworkPolicies select). */
    labels: Record<string, string>;
    /** AppArmor annotations only (the one pod annotation Pod Security reads). */
    annotations: Record<string, string>;
    spec: PodSpecLike;
}
export interface ServiceFact {
    name: string;
    namespace: string;
    type: string;
    selector: Record<string, string>;
    ports: { name?: string; port: number; targetPort: number | string; protocol: string }[];
}
export interface WebhookFact {
    kind: string;
    name: string;
    webhooks: { name: string; service?: { name: string; namespace: string; port: number } }[];
}
export interface RenderFact {
    releaseName: string;
    namespace: string;
    valuesSha256: string;
    /** Which planned releases use exactly these values (stack and resource name). */
    usedBy: string[];
    pods: PodFact[];
    services: ServiceFact[];
    webhooks: WebhookFact[];
    apiServices: { name: string; service?: { name: string; namespace: string; port: number } }[];
}
export interface ChartFacts {
    chart: string;
    version: string;
    source: ChartSource & { chartYamlVersion: string };
    /**
     * Value key paths the chart reads: from its values.yaml (a `.*` suffix marks a free-form map or a
     * null placeholder whose contents the chart passes through) and `.Values.…` references in templates.
     */
    valueKeys: string[];
    /** Prefixes the chart copies to the top level (Istio's `pilot.`/`cni.` legacy scoping). */
    valueAliases: string[];
    crds: { group: string; kind: string; versions: string[] }[];
    renders: RenderFact[];
}

const isMap = (v: unknown): v is Record<string, unknown> => !!v && typeof v === "object" && !Array.isArray(v);

/** Key paths of values.yaml; Istio's charts keep their defaults under `_internal_defaults_do_not_set`. */
export function valuesYamlKeys(values: Record<string, unknown>): string[] {
    const out = new Set<string>();
    const walk = (obj: Record<string, unknown>, prefix: string) => {
        for (const [k, v] of Object.entries(obj)) {
            const p = prefix ? `${prefix}.${k}` : k;
            out.add(p);
            if (isMap(v) && Object.keys(v).length) walk(v, p);
            else if (v === null || isMap(v)) out.add(`${p}.*`);
        }
    };
    const root = isMap(values._internal_defaults_do_not_set) ? { ...values, ...values._internal_defaults_do_not_set } : values;
    delete (root as Record<string, unknown>)._internal_defaults_do_not_set;
    walk(root, "");
    return [...out];
}

/** `.Values.a.b` references in template sources (text, not rendered output). */
export function templateValueRefs(templates: string[]): { keys: string[]; aliases: string[] } {
    const keys = new Set<string>();
    const aliases = new Set<string>();
    for (const t of templates) {
        for (const m of t.matchAll(/\$?\.Values((?:\.[A-Za-z_][A-Za-z0-9_]*)+)/g)) {
            const parts = m[1].slice(1).split(".");
            for (let i = 1; i <= parts.length; i++) keys.add(parts.slice(0, i).join("."));
        }
        // `($.Values).profile`, `($.Values.global).platform` (Istio's profile template).
        for (const m of t.matchAll(/\(\s*\$?\.Values((?:\.[A-Za-z_][A-Za-z0-9_]*)*)\s*\)((?:\.[A-Za-z_][A-Za-z0-9_]*)+)/g)) {
            const parts = `${m[1]}${m[2]}`.slice(1).split(".");
            for (let i = 1; i <= parts.length; i++) keys.add(parts.slice(0, i).join("."));
        }
        // Passed through whole (toYaml/toJson, or a `with`/`range` block over it): any key below is read.
        for (const m of t.matchAll(/(?:toYaml|toJson|with|range(?:\s+\$\w+(?:\s*,\s*\$\w+)?\s*:=)?)\s+\(?\s*\$?\.Values((?:\.[A-Za-z_][A-Za-z0-9_]*)+)/g)) keys.add(`${m[1].slice(1)}.*`);
        for (const m of t.matchAll(/mustMergeOverwrite\s+\$\.Values\s+\(index\s+\$\.Values\s+"([A-Za-z0-9_]+)"\)/g)) aliases.add(m[1]);
    }
    return { keys: [...keys], aliases: [...aliases] };
}

/** Leaf key paths of the values the platform passes (arrays and scalars are leaves). */
export function valuePaths(values: Record<string, unknown>, prefix = ""): string[] {
    return Object.entries(values).flatMap(([k, v]) => {
        const p = prefix ? `${prefix}.${k}` : k;
        return isMap(v) && Object.keys(v).length ? valuePaths(v, p) : [p];
    });
}

/** Value paths the platform sets that the chart never reads (Helm ignores them silently). */
export function unknownValueKeys(facts: Pick<ChartFacts, "valueKeys" | "valueAliases">, values: Record<string, unknown>): string[] {
    const known = new Set(facts.valueKeys);
    const ok = (path: string): boolean => {
        if (known.has(path)) return true;
        const parts = path.split(".");
        for (let i = parts.length - 1; i > 0; i--) if (known.has(`${parts.slice(0, i).join(".")}.*`)) return true;
        const alias = facts.valueAliases.find((a) => path.startsWith(`${a}.`));
        return alias ? ok(path.slice(alias.length + 1)) : false;
    };
    return valuePaths(values).filter((p) => !ok(p));
}

const WORKLOADS: Record<string, (o: any) => any> = {
    Pod: (o) => ({ metadata: o.metadata, spec: o.spec }),
    Deployment: (o) => o.spec?.template,
    StatefulSet: (o) => o.spec?.template,
    DaemonSet: (o) => o.spec?.template,
    ReplicaSet: (o) => o.spec?.template,
    Job: (o) => o.spec?.template,
    CronJob: (o) => o.spec?.jobTemplate?.spec?.template,
};

const containerFact = (c: any) => ({
    name: c.name,
    ...(c.securityContext ? { securityContext: c.securityContext } : {}),
    ...(c.ports ? { ports: c.ports.map((p: any) => ({ name: p.name, containerPort: p.containerPort, protocol: p.protocol ?? "TCP", ...(p.hostPort ? { hostPort: p.hostPort } : {}) })) } : {}),
});

/** Facts of one render: the objects of `helm template` output. */
export function renderFacts(rendered: string, releaseNamespace: string): Omit<RenderFact, "releaseName" | "namespace" | "valuesSha256" | "usedBy"> & { crds: ChartFacts["crds"] } {
    const docs = YAML.parseAllDocuments(rendered)
        .map((d) => d.toJS())
        .filter((o) => o && typeof o === "object" && o.kind);
    const ns = (o: any) => o.metadata?.namespace ?? releaseNamespace;
    const pods: PodFact[] = [];
    const services: ServiceFact[] = [];
    const webhooks: WebhookFact[] = [];
    const apiServices: RenderFact["apiServices"] = [];
    const crds: ChartFacts["crds"] = [];
    for (const o of docs) {
        const template = WORKLOADS[o.kind]?.(o);
        if (template) {
            const s = template.spec ?? {};
            const annotations = Object.fromEntries(
                Object.entries((template.metadata?.annotations ?? {}) as Record<string, string>).filter(([k]) => k.startsWith("container.apparmor.security.beta.kubernetes.io/")),
            );
            pods.push({
                kind: o.kind,
                name: o.metadata.name,
                namespace: ns(o),
                ...(o.metadata.annotations?.["helm.sh/hook"] ? { hook: o.metadata.annotations["helm.sh/hook"] } : {}),
                labels: template.metadata?.labels ?? {},
                annotations,
                spec: {
                    ...(s.securityContext ? { securityContext: s.securityContext } : {}),
                    ...(s.hostNetwork ? { hostNetwork: true } : {}),
                    ...(s.hostPID ? { hostPID: true } : {}),
                    ...(s.hostIPC ? { hostIPC: true } : {}),
                    volumes: (s.volumes ?? []).map((v: any) => {
                        const type = Object.keys(v).find((k) => k !== "name")!;
                        return { name: v.name, [type]: type === "hostPath" ? { path: v.hostPath.path } : {} };
                    }),
                    initContainers: (s.initContainers ?? []).map(containerFact),
                    containers: (s.containers ?? []).map(containerFact),
                },
            });
        } else if (o.kind === "Service") {
            services.push({
                name: o.metadata.name,
                namespace: ns(o),
                type: o.spec?.type ?? "ClusterIP",
                selector: o.spec?.selector ?? {},
                ports: (o.spec?.ports ?? []).map((p: any) => ({ ...(p.name ? { name: p.name } : {}), port: p.port, targetPort: p.targetPort ?? p.port, protocol: p.protocol ?? "TCP" })),
            });
        } else if (o.kind === "ValidatingWebhookConfiguration" || o.kind === "MutatingWebhookConfiguration") {
            webhooks.push({
                kind: o.kind,
                name: o.metadata.name,
                webhooks: (o.webhooks ?? []).map((w: any) => ({
                    name: w.name,
                    ...(w.clientConfig?.service
                        ? { service: { name: w.clientConfig.service.name, namespace: w.clientConfig.service.namespace, port: w.clientConfig.service.port ?? 443 } }
                        : {}),
                })),
            });
        } else if (o.kind === "APIService") {
            const svc = o.spec?.service;
            apiServices.push({ name: o.metadata.name, ...(svc ? { service: { name: svc.name, namespace: svc.namespace, port: svc.port ?? 443 } } : {}) });
        } else if (o.kind === "CustomResourceDefinition") {
            crds.push({ group: o.spec.group, kind: o.spec.names.kind, versions: (o.spec.versions ?? []).filter((v: any) => v.served).map((v: any) => v.name) });
        }
    }
    return { pods, services, webhooks, apiServices, crds };
}
