/**
 * The golden path: every `platform:services` entry is declared once, with its `calls`, `publishes` and
 * `subscribes`. parsePlatformConfig (stacks/config/service-graph.ts) already turned the graph into what
 * the capabilities build:
 * - workload + identity: a serverless service component (its own service account, cloud identity where it has one);
 * - who may call it: the callees' `invokers.kubernetes` → identity-based mesh ALLOW policies;
 * - Kafka: generated `platform:kafka.clients` and topic producers/consumers → KafkaUser ACLs (Strimzi),
 *   IAM policies (MSK), role assignments (Event Hubs), ACLs (Managed Kafka);
 * - telemetry: the services' namespaces are ambient-enrolled, so ztunnel reports L4 metrics and the mesh's
 *   Telemetry resource adds access logs and traces where a waypoint sees the call; each cluster-hosted
 *   service may also export its own spans to the mesh's collector (stacks/serverless.ts admits them).
 * This module adds no resources: it reports the graph (counts and call cycles) as the `serviceGraph` output,
 * so cycles are visible in every plan.
 */
import type { PlatformConfig } from "./config";
import { summarizeServiceGraph, type ServiceGraphSummary } from "./config/service-graph";

export interface ServiceGraphOutputs extends ServiceGraphSummary {
    /** Topics the services publish to or subscribe to, with who writes and who reads. */
    topics: Record<string, { producers: string[]; consumers: string[] }>;
    /** Where the services' telemetry comes from. */
    telemetry: string;
}

export function addGoldenPath(config: PlatformConfig): ServiceGraphOutputs | undefined {
    const graphed = config.services.some((s) => s.calls.length || s.publishes.length || s.subscribes.length);
    if (!graphed) return undefined;
    const summary = summarizeServiceGraph(config.services);
    const services = new Set(config.services.map((s) => s.name));
    const topics: ServiceGraphOutputs["topics"] = {};
    for (const t of config.kafka.topics) {
        const producers = t.producers.filter((p) => services.has(p));
        const consumers = t.consumers.filter((c) => services.has(c));
        if (producers.length || consumers.length) topics[t.name] = { producers, consumers };
    }
    const meshOn = (config as { mesh?: { enabled?: boolean } }).mesh?.enabled !== false;
    return {
        ...summary,
        topics,
        telemetry: meshOn
            ? "ambient mesh: ztunnel L4 metrics for every call; access logs and traces from the mesh Telemetry resource at waypoints; services may export OTLP spans to the mesh collector"
            : "none: platform:mesh.enabled is false",
    };
}
