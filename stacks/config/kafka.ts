/**
 * `platform:kafka`: event streaming. Topics list their producers and consumers by client name; clients
 * name the Kubernetes identity (namespace + service account) their backend identity is bound to. The
 * golden-path services will generate `clients` and the producer/consumer lists from their publishes/
 * subscribes, so this shape is also what that generator emits.
 */
import { z } from "zod";
// The rules and the backend choice only, not the components: config parsing must not load the cloud SDKs.
import { STREAMING_BACKEND_CHOICES, streamingBackendFor, type StreamingBackend } from "../../components/streaming/common";
import { streamingProblems } from "../../components/streaming/validate";
import type { ParsedPlatformConfig } from "./schema";
import { DNS_LABEL } from "../../components/contracts/names";

export const KAFKA_BACKEND_CHOICES = STREAMING_BACKEND_CHOICES;

const backendChoice = z.enum(KAFKA_BACKEND_CHOICES).default("managed");

const topic = z.strictObject({
    name: z.string().min(1, { error: "must be a topic name" }),
    partitions: z.int().min(1, { error: "must be at least 1" }).default(6),
    retentionHours: z.int().min(1, { error: "must be at least 1 hour" }).default(168),
    cleanupPolicy: z.enum(["delete", "compact"]).default("delete"),
    /** Copies per partition; below 3 only with platform:protect false. */
    replicationFactor: z.int().min(1, { error: "must be at least 1" }).default(3),
    producers: z.array(z.string()).default([]),
    consumers: z.array(z.string()).default([]),
});

const client = z
    .strictObject({
        name: z.string().min(1, { error: "must be a client name" }),
        /** Namespace of the client's workload (default: the client's name). */
        namespace: z.string().optional(),
        /** Service account of the client's workload (default: the client's name). */
        serviceAccount: z.string().optional(),
    })
    .transform((c) => ({ name: c.name, namespace: c.namespace ?? c.name, serviceAccount: c.serviceAccount ?? c.name }));

export const kafkaConfigSchema = z
    .strictObject({
        /** Deploy event streaming on every target (off by default: a managed Kafka cluster is billed by the hour). */
        enabled: z.boolean().default(false),
        /** Per cloud: the cloud's managed Kafka (MSK, Event Hubs, Managed Kafka) or Strimzi on the platform cluster. The kubernetes target always uses Strimzi. */
        backend: z
            .strictObject({ aws: backendChoice, azure: backendChoice, gcp: backendChoice })
            .prefault({}),
        /** Throughput class: brokers/instances (MSK, Strimzi), throughput or processing units (Event Hubs), vCPUs (GCP). */
        size: z.enum(["small", "medium", "large"]).default("small"),
        aws: z
            .strictObject({
                /** MSK Serverless instead of provisioned brokers (small stacks). */
                serverless: z.boolean().default(false),
                /** MSK version string; the `.kraft` suffix selects KRaft metadata mode (without it MSK runs ZooKeeper). */
                kafkaVersion: z
                    .string()
                    .regex(/^\d+\.\d+\.(\d+|x)(\.kraft)?$/, { error: "must be an MSK Kafka version such as 3.9.x.kraft (KRaft) or 3.9.x (ZooKeeper)" })
                    .default("3.9.x.kraft"),
            })
            .prefault({}),
        azure: z.strictObject({ tier: z.enum(["Standard", "Premium"]).default("Standard") }).prefault({}),
        strimzi: z
            .strictObject({
                namespace: z.string().regex(DNS_LABEL, { error: "must be a DNS-1123 label" }).default("kafka"),
                /** scram-sha-512: User Operator passwords delivered to each client's namespace by External Secrets Operator; tls only for clients in the Kafka namespace. */
                authentication: z.enum(["scram-sha-512", "tls"]).default("scram-sha-512"),
                /** Class of the Kafka volumes (default: a Retain class on managed clusters, the cluster's default class on existing ones). */
                storageClass: z.string().regex(/^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/, { error: "must be a StorageClass name (DNS-1123 subdomain)" }).optional(),
                /** Rack awareness and zone spreading; turn off only on clusters without zone labels (kind, k3d). */
                zoneAware: z.boolean().default(true),
            })
            .prefault({}),
        topics: z.array(topic).default([]),
        clients: z.array(client).default([]),
    })
    .prefault({});

export type KafkaConfig = z.output<typeof kafkaConfigSchema>;

/** The backend each target uses under this configuration (the rule is the component library's). */
export function kafkaBackendFor(target: "aws" | "azure" | "gcp" | "kubernetes", kafka: KafkaConfig): StreamingBackend {
    return streamingBackendFor(target, target === "kubernetes" ? "strimzi" : kafka.backend[target]);
}

/** The config section of each backend's own arguments (`tier` → `azure.tier`, `authentication` → `strimzi.authentication`). */
const BACKEND_SECTION: Record<StreamingBackend, string> = { msk: "aws", eventhubs: "azure", "gcp-managed-kafka": "gcp", strimzi: "strimzi" };
const SHARED_ARGUMENTS = /^(size|topics|clients|protect)\b/;

/**
 * Cross-field checks (undeclared clients, names a backend rejects, replication above the broker count,
 * backend limits) for every target's backend, with the components' own rules, in ConfigError form.
 * Called by parsePlatformConfig.
 */
export function checkKafkaConfig(cfg: ParsedPlatformConfig, problems: string[]): void {
    const kafka = cfg.kafka;
    if (!kafka.enabled) return;
    const seen = new Set<string>();
    for (const target of cfg.clouds) {
        const backend = kafkaBackendFor(target, kafka);
        const found = streamingProblems(
            backend,
            { size: kafka.size, topics: kafka.topics, clients: kafka.clients, protect: cfg.protect },
            { tier: kafka.azure.tier, authentication: kafka.strimzi.authentication, namespace: kafka.strimzi.namespace },
        );
        // The same mistake is reported once, even when several targets would reject it.
        for (const p of found) {
            const line = `platform:kafka.${SHARED_ARGUMENTS.test(p) ? "" : `${BACKEND_SECTION[backend]}.`}${p}`;
            if (!seen.has(line)) problems.push(line);
            seen.add(line);
        }
    }
}
