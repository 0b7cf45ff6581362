/**
 * The golden path's service graph: `calls`, `publishes` and `subscribes` on `platform:services` entries.
 *
 * `applyServiceGraph` runs inside parsePlatformConfig, right after the schema, and turns the graph into the
 * settings the capabilities already understand, so a service is declared once:
 * - `calls: [b]` on service a → a's workload identity is added to b's `invokers.kubernetes`, which the
 *   serverless component turns into an identity-based mesh ALLOW policy (nobody else is admitted);
 * - `publishes` / `subscribes` → the service becomes a `platform:kafka.clients` entry (bound to its
 *   Kubernetes service account) and a producer / consumer of each topic, which the streaming component turns
 *   into per-backend permissions (KafkaUser ACLs, MSK IAM policy, Event Hubs role assignments, Managed Kafka ACLs).
 *
 * Topics themselves stay declared under `platform:kafka.topics` (partitions, retention, cleanup and
 * replication are per-topic decisions with cost and durability consequences; inferring them from a typo
 * would silently create a topic). A topic named in publishes/subscribes but declared nowhere is an error.
 *
 * Pure and linear in the size of the graph (maps, no per-entry scans): stacks hold thousands of services.
 */
import { platformFor, type ServiceTarget } from "../../components/serverless/rules";
import type { ParsedPlatformConfig } from "./schema";
import type { ServiceEntry } from "./services";

/**
 * Namespaces the cluster-hosted services run in (stacks/serverless.ts SERVERLESS_NAMESPACE / WASM_NAMESPACE;
 * repeated here because config parsing must not load the cloud SDKs; tests/golden-path.test.ts keeps them equal).
 */
export const GRAPH_NAMESPACES = { container: "serverless", wasm: "wasm" } as const;

export interface GraphIdentity {
    namespace: string;
    serviceAccount: string;
}

/** The Kubernetes identity a cluster-hosted service runs as: its own service account in its runtime's namespace. */
export function serviceIdentity(s: Pick<ServiceEntry, "name" | "runtime">): GraphIdentity {
    return { namespace: GRAPH_NAMESPACES[s.runtime], serviceAccount: s.name };
}

/** Lists at most `max` names, then how many more (messages stay readable with thousands of services). */
export function listAllowed(names: Iterable<string>, max = 10): string {
    const all = [...names];
    if (all.length === 0) return "(none declared)";
    const shown = all.slice(0, max).map((n) => JSON.stringify(n)).join(", ");
    return all.length > max ? `${shown} … (${all.length - max} more)` : shown;
}

function takesPart(s: ServiceEntry, called: Set<string>): boolean {
    return s.calls.length > 0 || s.publishes.length > 0 || s.subscribes.length > 0 || called.has(s.name);
}

/**
 * Checks the graph and derives the invokers, Kafka clients and topic producers/consumers from it.
 * Problems are appended in ConfigError form; the returned config is a new object (the input is not changed).
 */
export function applyServiceGraph<C extends ParsedPlatformConfig>(cfg: C, problems: string[]): C {
    const services = cfg.services;
    if (!services.some((s) => s.calls.length || s.publishes.length || s.subscribes.length)) return cfg;

    const byName = new Map<string, ServiceEntry>();
    for (const s of services) if (!byName.has(s.name)) byName.set(s.name, s); // duplicates: servicesProblems
    const topics = new Map(cfg.kafka.topics.map((t) => [t.name, t]));
    const called = new Set<string>();

    services.forEach((s, i) => {
        const key = `platform:services[${i}]`;
        const seen = new Set<string>();
        s.calls.forEach((c, j) => {
            if (seen.has(c)) problems.push(`${key}.calls[${j}]: ${JSON.stringify(c)} is listed twice; allowed: each callee once`);
            seen.add(c);
            if (!byName.has(c)) problems.push(`${key}.calls[${j}]: ${JSON.stringify(c)} is not a declared service; allowed: names from platform:services: ${listAllowed(byName.keys())}`);
            else called.add(c);
        });
        for (const field of ["publishes", "subscribes"] as const) {
            const listed = new Set<string>();
            s[field].forEach((t, j) => {
                if (listed.has(t)) problems.push(`${key}.${field}[${j}]: ${JSON.stringify(t)} is listed twice; allowed: each topic once`);
                listed.add(t);
                if (!cfg.kafka.enabled) {
                    problems.push(`${key}.${field}[${j}]: ${JSON.stringify(t)} needs event streaming, but platform:kafka.enabled is false; allowed: enable platform:kafka and declare the topic in platform:kafka.topics`);
                } else if (!topics.has(t)) {
                    problems.push(
                        `${key}.${field}[${j}]: ${JSON.stringify(t)} is not declared in platform:kafka.topics; allowed: declared topics ${listAllowed(topics.keys())} (declare it there with its partitions and retention)`,
                    );
                }
            });
        }
    });

    // The graph's guarantees (identity-based ALLOW, Kafka identity bound to the service account) exist where
    // the service runs on a cluster. Managed runtimes (Cloud Run, Container Apps, Lambda/ECS) have cloud
    // identities the mesh cannot see, so a graph service must be cluster-hosted on every target.
    const enabled = cfg.clouds as ServiceTarget[];
    services.forEach((s, i) => {
        if (!takesPart(s, called)) return;
        const hosting = s.hosting ?? (s.runtime === "wasm" ? "cluster" : "managed");
        const managed = (s.targets ?? enabled).filter((t) => {
            const p = platformFor(t, s.runtime, hosting, s.minScale);
            return p !== "knative" && p !== "spin";
        });
        if (managed.length) {
            problems.push(
                `platform:services[${i}].hosting: ${JSON.stringify(s.hosting ?? "managed")} runs ${JSON.stringify(s.name)} on the cloud's managed runtime on ${managed.join(", ")}, where the service graph (calls, publishes, subscribes) cannot be enforced by workload identity; allowed: hosting "cluster" (Knative on the platform cluster)`,
            );
        }
    });

    // Kafka clients the services imply. An explicit client with the same name must agree on the identity.
    const clients = [...cfg.kafka.clients];
    const clientIndex = new Map(clients.map((c, k) => [c.name, k]));
    const producers = new Map<string, string[]>();
    const consumers = new Map<string, string[]>();
    for (const s of byName.values()) {
        if (!s.publishes.length && !s.subscribes.length) continue;
        const id = serviceIdentity(s);
        const k = clientIndex.get(s.name);
        if (k === undefined) {
            clientIndex.set(s.name, clients.length);
            clients.push({ name: s.name, ...id });
        } else if (clients[k].namespace !== id.namespace || clients[k].serviceAccount !== id.serviceAccount) {
            problems.push(
                `platform:kafka.clients[${k}].name: ${JSON.stringify(s.name)} is also a service in platform:services whose identity is ${id.namespace}/${id.serviceAccount}, not ${clients[k].namespace}/${clients[k].serviceAccount}; allowed: remove the client (the service declares it through publishes/subscribes) or rename it`,
            );
        }
        for (const t of s.publishes) (producers.get(t) ?? producers.set(t, []).get(t)!).push(s.name);
        for (const t of s.subscribes) (consumers.get(t) ?? consumers.set(t, []).get(t)!).push(s.name);
    }
    const union = (a: string[], b: string[] | undefined) => (b ? [...new Set([...a, ...b])] : a);
    const kafka = {
        ...cfg.kafka,
        clients,
        topics: cfg.kafka.topics.map((t) =>
            producers.has(t.name) || consumers.has(t.name)
                ? { ...t, producers: union(t.producers, producers.get(t.name)), consumers: union(t.consumers, consumers.get(t.name)) }
                : t,
        ),
    };

    // Callers of each service, by workload identity.
    const callers = new Map<string, GraphIdentity[]>();
    for (const s of byName.values()) {
        for (const c of new Set(s.calls)) if (byName.has(c)) (callers.get(c) ?? callers.set(c, []).get(c)!).push(serviceIdentity(s));
    }
    const withInvokers = services.map((s) => {
        const ids = callers.get(s.name);
        if (!ids) return s;
        const have = new Set(s.invokers.kubernetes.map((k) => `${k.namespace}/${k.serviceAccount}`));
        const added = ids.filter((k) => !have.has(`${k.namespace}/${k.serviceAccount}`));
        return { ...s, invokers: { ...s.invokers, kubernetes: [...s.invokers.kubernetes, ...added] } };
    });
    return { ...cfg, services: withInvokers, kafka };
}

export interface ServiceGraphSummary {
    services: number;
    calls: number;
    publishes: number;
    subscribes: number;
    /** Each strongly connected group of services that call each other in a loop (a self-call is one too), sorted. */
    cycles: string[][];
}

/**
 * Cycles in the call graph (allowed: request/response pairs and callbacks are legitimate; reported so they
 * are a visible decision). Tarjan's algorithm, iterative so thousands of services cannot overflow the stack.
 */
export function callCycles(services: Pick<ServiceEntry, "name" | "calls">[]): string[][] {
    const edges = new Map<string, string[]>();
    for (const s of services) if (!edges.has(s.name)) edges.set(s.name, s.calls.filter((c, i, a) => a.indexOf(c) === i));
    const index = new Map<string, number>();
    const low = new Map<string, number>();
    const onStack = new Set<string>();
    const stack: string[] = [];
    const cycles: string[][] = [];
    let next = 0;
    for (const root of edges.keys()) {
        if (index.has(root)) continue;
        const work: Array<{ node: string; i: number }> = [{ node: root, i: 0 }];
        index.set(root, next);
        low.set(root, next++);
        stack.push(root);
        onStack.add(root);
        while (work.length) {
            const frame = work[work.length - 1];
            const out = edges.get(frame.node) ?? [];
            if (frame.i < out.length) {
                const to = out[frame.i++];
                if (!edges.has(to)) continue; // unknown callee: reported by applyServiceGraph
                if (!index.has(to)) {
                    index.set(to, next);
                    low.set(to, next++);
                    stack.push(to);
                    onStack.add(to);
                    work.push({ node: to, i: 0 });
                } else if (onStack.has(to)) low.set(frame.node, Math.min(low.get(frame.node)!, index.get(to)!));
                continue;
            }
            work.pop();
            if (work.length) {
                const parent = work[work.length - 1].node;
                low.set(parent, Math.min(low.get(parent)!, low.get(frame.node)!));
            }
            if (low.get(frame.node) === index.get(frame.node)) {
                const group: string[] = [];
                let n: string;
                do {
                    n = stack.pop()!;
                    onStack.delete(n);
                    group.push(n);
                } while (n !== frame.node);
                if (group.length > 1 || out.includes(frame.node)) cycles.push(group.sort());
            }
        }
    }
    return cycles.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

export function summarizeServiceGraph(services: ServiceEntry[]): ServiceGraphSummary {
    let calls = 0;
    let publishes = 0;
    let subscribes = 0;
    for (const s of services) {
        calls += s.calls.length;
        publishes += s.publishes.length;
        subscribes += s.subscribes.length;
    }
    return { services: services.length, calls, publishes, subscribes, cycles: callCycles(services) };
}
