/**
 * Checks EventStreaming arguments before anything is registered. Each problem names the field (in the
 * shape of `platform:kafka`, so the stack config reuses these messages), the bad value and what is
 * allowed. Limits are the backends' documented quotas.
 */
import type { EventStreamingArgs, StreamingBackend, StreamingSize } from "./index";
import { DNS_LABEL } from "../contracts/names";

/** Kafka topic names: at most 249 of [a-zA-Z0-9._-], not "." or ".."; "__" is Kafka's internal prefix. */
const KAFKA_TOPIC = /^[a-zA-Z0-9._-]{1,249}$/;
/** Event hub names: 1-256 characters, letters, digits, '.', '_', '-', starting and ending alphanumeric. */
const EVENT_HUB = /^[a-zA-Z0-9]([a-zA-Z0-9._-]{0,254}[a-zA-Z0-9])?$/;
const DNS_SUBDOMAIN = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
/** Client names become IAM role, identity and KafkaUser names: keep them short DNS labels. */
const CLIENT_NAME = /^[a-z]([-a-z0-9]{0,30}[a-z0-9])?$/;

export const TOPIC_NAME_RULES = {
    kafka: "1-249 characters of letters, digits, '.', '_' and '-', not '.' or '..', not starting with '__' (Kafka-internal)",
    eventhubs: "1-256 characters of letters, digits, '.', '_' and '-', starting and ending with a letter or digit",
};

/** Brokers per size class: three zones, one broker each (six for large). */
export function brokerCount(backend: StreamingBackend, size: StreamingSize): number {
    if (backend === "msk" || backend === "strimzi") return size === "large" ? 6 : 3;
    // Google sizes brokers from vCPUs (at least 3); Event Hubs replicates across zones itself.
    return 3;
}

/** Limits per backend (Event Hubs: Azure quotas per tier; Kafka: a sanity cap). */
function limits(args: EventStreamingArgs): { maxPartitions: number; maxRetentionHours: number; maxTopics: number } {
    if (args.backend === "eventhubs") {
        const premium = (args.azure?.tier ?? "Standard") === "Premium";
        // Log compaction is available from Standard up (only Basic lacks it), so both tiers accept "compact".
        return premium
            ? { maxPartitions: 100, maxRetentionHours: 90 * 24, maxTopics: 100 }
            : // Standard: 32 partitions, 7 days, 10 event hubs per namespace.
              { maxPartitions: 32, maxRetentionHours: 7 * 24, maxTopics: 10 };
    }
    return { maxPartitions: 1000, maxRetentionHours: 10 * 365 * 24, maxTopics: 1000 };
}

/** The Kubernetes object name for a topic or client (Strimzi): lowercase, '_' → '-'. */
export function kubernetesName(name: string): string {
    return name.toLowerCase().replace(/_/g, "-");
}

const show = (v: unknown) => JSON.stringify(v);

export function validateStreaming(args: EventStreamingArgs): string[] {
    const problems: string[] = [];
    const add = (path: string, value: unknown, what: string) => problems.push(`${path}: ${show(value)} ${what}`);
    const { backend } = args;
    const protect = args.protect ?? true;
    const lim = limits(args);
    const brokers = brokerCount(backend, args.size);

    const clientNames = new Set<string>();
    (args.clients ?? []).forEach((c, i) => {
        if (!CLIENT_NAME.test(c.name ?? "")) add(`clients[${i}].name`, c.name, "is not a client name; allowed: 1-32 lowercase letters, digits and '-', starting with a letter");
        else if (clientNames.has(c.name)) add(`clients[${i}].name`, c.name, "is declared twice; allowed: each client once");
        clientNames.add(c.name);
        if (!DNS_LABEL.test(c.namespace ?? "")) add(`clients[${i}].namespace`, c.namespace, "is not a namespace name; allowed: a DNS-1123 label");
        if (!DNS_SUBDOMAIN.test(c.serviceAccount ?? "")) add(`clients[${i}].serviceAccount`, c.serviceAccount, "is not a service account name; allowed: a DNS-1123 subdomain");
    });

    if ((args.topics ?? []).length > lim.maxTopics) {
        add("topics", `${args.topics.length} topics`, `exceeds the ${lim.maxTopics} event hubs a ${args.azure?.tier ?? "Standard"} namespace holds; allowed: at most ${lim.maxTopics}`);
    }
    const topicNames = new Set<string>();
    const k8sNames = new Map<string, string>();
    const caseless = new Map<string, string>();
    (args.topics ?? []).forEach((t, i) => {
        const at = `topics[${i}]`;
        const name = t.name ?? "";
        const kafkaOk = KAFKA_TOPIC.test(name) && name !== "." && name !== ".." && !name.startsWith("__");
        if (!kafkaOk) add(`${at}.name`, t.name, `is not a valid Kafka topic name; allowed: ${TOPIC_NAME_RULES.kafka}`);
        else if (backend === "eventhubs" && !EVENT_HUB.test(name)) add(`${at}.name`, t.name, `is not a valid event hub name; allowed: ${TOPIC_NAME_RULES.eventhubs}`);
        if (topicNames.has(name)) add(`${at}.name`, t.name, "is declared twice; allowed: each topic once");
        topicNames.add(name);
        if (backend === "eventhubs") {
            // Event Hubs names are case-insensitive within a namespace: "Orders" and "orders" would be one
            // hub managed by two resources, and deleting either would delete the other's data.
            const folded = name.toLowerCase();
            const other = caseless.get(folded);
            if (other !== undefined && other !== name) add(`${at}.name`, t.name, `differs from topic ${show(other)} only in case, and event hub names are case-insensitive (both would be one hub); allowed: names that differ after lowercasing`);
            caseless.set(folded, name);
        }
        if (backend === "strimzi" && kafkaOk) {
            // KafkaTopic objects are named after the topic; two topics must not map to one object.
            const k = kubernetesName(name);
            const other = k8sNames.get(k);
            if (other !== undefined && other !== name) add(`${at}.name`, t.name, `maps to the same KafkaTopic name ${show(k)} as ${show(other)}; allowed: names that differ after lowercasing and '_' → '-'`);
            k8sNames.set(k, name);
        }

        if (!Number.isInteger(t.partitions) || t.partitions < 1) add(`${at}.partitions`, t.partitions, "must be a whole number of at least 1");
        else if (t.partitions > lim.maxPartitions) add(`${at}.partitions`, t.partitions, `exceeds the backend's limit; allowed: 1-${lim.maxPartitions}`);

        if (!Number.isInteger(t.retentionHours) || t.retentionHours < 1) add(`${at}.retentionHours`, t.retentionHours, "must be a whole number of hours, at least 1");
        else if (t.retentionHours > lim.maxRetentionHours) add(`${at}.retentionHours`, t.retentionHours, `exceeds the backend's retention limit; allowed: 1-${lim.maxRetentionHours}`);

        if (t.cleanupPolicy !== "delete" && t.cleanupPolicy !== "compact") add(`${at}.cleanupPolicy`, t.cleanupPolicy, 'is not a cleanup policy; allowed: "delete", "compact"');

        const rf = t.replicationFactor ?? 3;
        if (!Number.isInteger(rf) || rf < 1) add(`${at}.replicationFactor`, rf, "must be a whole number of at least 1");
        else if (rf > brokers) add(`${at}.replicationFactor`, rf, `exceeds the ${brokers} brokers of size ${args.size}; allowed: 1-${brokers}`);
        else if (rf < 3 && protect) add(`${at}.replicationFactor`, rf, "could lose acknowledged data (fewer than 3 copies); allowed: 3, or below 3 only with protection off (platform:protect false)");

        for (const role of ["producers", "consumers"] as const) {
            (t[role] ?? []).forEach((c, j) => {
                if (!clientNames.has(c)) add(`${at}.${role}[${j}]`, c, `is not a declared client; allowed: ${clientNames.size ? [...clientNames].join(", ") : "(no clients declared)"}`);
            });
        }
    });

    // Mutual TLS: the User Operator writes each client's certificate (and renews it) in the Kafka namespace only,
    // and clients must trust the cluster CA it keeps there; a client elsewhere could only get them through a
    // secret copier (a controller and CRDs the platform does not carry). SCRAM passwords are the platform's own.
    if (backend === "strimzi" && args.strimzi?.authentication === "tls") {
        const kafkaNamespace = args.strimzi.namespace ?? "kafka";
        (args.clients ?? []).forEach((c, i) => {
            if (c.namespace !== kafkaNamespace) {
                add(
                    "strimzi.authentication",
                    "tls",
                    `cannot reach client ${show(c.name)} (clients[${i}]) in namespace ${show(c.namespace)}: the User Operator writes and renews mutual-TLS certificates in the Kafka namespace ${show(kafkaNamespace)} only; allowed: "scram-sha-512" (platform-generated passwords written to each client's namespace), or "tls" with every client in ${show(kafkaNamespace)}`,
                );
            }
        });
    }
    const need = { msk: "aws", eventhubs: "azure", "gcp-managed-kafka": "gcp", strimzi: "strimzi" } as const;
    if (!(args as any)[need[backend]]) add(need[backend], undefined, `is required for backend ${backend}`);
    if (backend === "msk" && args.aws && !args.aws.serverless && args.aws.subnetIds.length !== 3) {
        add("aws.subnetIds", `${args.aws.subnetIds.length} subnets`, "must be one private subnet in each of three availability zones");
    }
    return problems;
}
