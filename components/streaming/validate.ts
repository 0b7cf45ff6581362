/**
 * Checks event-streaming arguments before anything is registered. Each problem names the argument path
 * (`topics[0].partitions`), the bad value and what is allowed; the components prefix it with
 * `<Class> <name>: args.`, the stack config with `platform:kafka.` (and the backend's section for the
 * backend's own arguments), so both report the same rule in the same words. Limits are the backends'
 * documented quotas. Pure: loads no cloud SDK, so config parsing can use it.
 */
import { DNS_SUBDOMAIN } from "../contracts/names";
import { DNS_LABEL } from "../contracts/names";
import { CLEANUP_POLICIES, STREAMING_SIZES, type StreamingBackend, type StreamingCommonArgs, type StreamingSize } from "./common";

/** Kafka topic names: at most 249 of [a-zA-Z0-9._-], not "." or ".."; "__" is Kafka's internal prefix. */
const KAFKA_TOPIC = /^[a-zA-Z0-9._-]{1,249}$/;
/** Event hub names: 1-256 characters, letters, digits, '.', '_', '-', starting and ending alphanumeric. */
const EVENT_HUB = /^[a-zA-Z0-9]([a-zA-Z0-9._-]{0,254}[a-zA-Z0-9])?$/;
/** Client names become IAM role, identity and KafkaUser names: keep them short DNS labels. */
const CLIENT_NAME = /^[a-z]([-a-z0-9]{0,30}[a-z0-9])?$/;

export const TOPIC_NAME_RULES = {
    kafka: "1-249 characters of letters, digits, '.', '_' and '-', not '.' or '..', not starting with '__' (Kafka-internal)",
    eventhubs: "1-256 characters of letters, digits, '.', '_' and '-', starting and ending with a letter or digit",
};

/** Event Hubs tiers with a Kafka endpoint (Basic has none). */
export const EVENT_HUBS_TIERS = ["Standard", "Premium"] as const;
/** Strimzi client authentication: platform-generated SCRAM passwords, or mutual TLS (Kafka namespace only). */
export const STRIMZI_AUTHENTICATIONS = ["scram-sha-512", "tls"] as const;
export const DEFAULT_STRIMZI_NAMESPACE = "kafka";

/** Brokers per size class: three zones, one broker each (six for large). */
export function brokerCount(backend: StreamingBackend, size: string): number {
    if (backend === "msk" || backend === "strimzi") return size === "large" ? 6 : 3;
    // Google sizes brokers from vCPUs (at least 3); Event Hubs replicates across zones itself.
    return 3;
}

/** The Kubernetes object name for a topic or client (Strimzi): lowercase, '_' → '-'. */
export function kubernetesName(name: string): string {
    return name.toLowerCase().replace(/_/g, "-");
}

/** The backend's own arguments the shared rules depend on. */
export interface BackendOptions {
    /** Event Hubs tier (default Standard): its quotas. */
    tier?: string;
    /** Strimzi client authentication (default scram-sha-512). */
    authentication?: string;
    /** Strimzi's namespace (default "kafka"): mutual-TLS clients must live there. */
    namespace?: string;
}

export const show = (v: unknown) => JSON.stringify(v);
const oneOf = (values: readonly string[]) => values.map((v) => show(v)).join(", ");

/** Limits per backend (Event Hubs: Azure quotas per tier; Kafka: a sanity cap). */
function limits(backend: StreamingBackend, tier: string): { maxPartitions: number; maxRetentionHours: number; maxTopics: number } {
    if (backend === "eventhubs") {
        // Log compaction is available from Standard up (only Basic lacks it), so both tiers accept "compact".
        return tier === "Premium"
            ? { maxPartitions: 100, maxRetentionHours: 90 * 24, maxTopics: 100 }
            : // Standard: 32 partitions, 7 days, 10 event hubs per namespace.
              { maxPartitions: 32, maxRetentionHours: 7 * 24, maxTopics: 10 };
    }
    return { maxPartitions: 1000, maxRetentionHours: 10 * 365 * 24, maxTopics: 1000 };
}

/**
 * Every rule of the shared arguments on one backend (plus the backend options they depend on). Problems
 * read `<argument path>: <value> <what is wrong>; allowed: …`.
 */
export function streamingProblems(backend: StreamingBackend, args: StreamingCommonArgs, options: BackendOptions = {}): string[] {
    const problems: string[] = [];
    const add = (path: string, value: unknown, what: string) => problems.push(`${path}: ${show(value)} ${what}`);
    const protect = args.protect ?? true;
    const tier = options.tier ?? "Standard";
    if (backend === "eventhubs" && !(EVENT_HUBS_TIERS as readonly string[]).includes(tier)) add("tier", tier, `is not an Event Hubs tier with a Kafka endpoint; allowed: ${oneOf(EVENT_HUBS_TIERS)}`);
    const lim = limits(backend, tier);
    const sizeOk = (STREAMING_SIZES as readonly string[]).includes(args.size);
    if (!sizeOk) add("size", args.size, `is not a size class; allowed: ${oneOf(STREAMING_SIZES)}`);
    const brokers = brokerCount(backend, args.size as StreamingSize);

    const clientNames = new Set<string>();
    (args.clients ?? []).forEach((c, i) => {
        if (!CLIENT_NAME.test(c.name ?? "")) add(`clients[${i}].name`, c.name, "is not a client name; allowed: 1-32 lowercase letters, digits and '-', starting with a letter");
        else if (clientNames.has(c.name)) add(`clients[${i}].name`, c.name, "is declared twice; allowed: each client once");
        clientNames.add(c.name);
        if (!DNS_LABEL.test(c.namespace ?? "")) add(`clients[${i}].namespace`, c.namespace, "is not a namespace name; allowed: a DNS-1123 label");
        if (!DNS_SUBDOMAIN.test(c.serviceAccount ?? "")) add(`clients[${i}].serviceAccount`, c.serviceAccount, "is not a service account name; allowed: a DNS-1123 subdomain");
    });

    if ((args.topics ?? []).length > lim.maxTopics) {
        add("topics", `${args.topics.length} topics`, `exceeds the ${lim.maxTopics} event hubs a ${tier} namespace holds; allowed: at most ${lim.maxTopics}`);
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

        if (!(CLEANUP_POLICIES as readonly string[]).includes(t.cleanupPolicy)) add(`${at}.cleanupPolicy`, t.cleanupPolicy, `is not a cleanup policy; allowed: ${oneOf(CLEANUP_POLICIES)}`);

        const rf = t.replicationFactor ?? 3;
        if (!Number.isInteger(rf) || rf < 1) add(`${at}.replicationFactor`, rf, "must be a whole number of at least 1");
        else if (sizeOk && rf > brokers) add(`${at}.replicationFactor`, rf, `exceeds the ${brokers} brokers of size ${args.size}; allowed: 1-${brokers}`);
        else if (rf < 3 && protect) add(`${at}.replicationFactor`, rf, "could lose acknowledged data (fewer than 3 copies); allowed: 3, or below 3 only with protection off (protect false)");

        for (const role of ["producers", "consumers"] as const) {
            (t[role] ?? []).forEach((c, j) => {
                if (!clientNames.has(c)) add(`${at}.${role}[${j}]`, c, `is not a declared client; allowed: ${clientNames.size ? [...clientNames].join(", ") : "(no clients declared)"}`);
            });
        }
    });

    if (backend === "strimzi") {
        const authentication = options.authentication ?? "scram-sha-512";
        const kafkaNamespace = options.namespace ?? DEFAULT_STRIMZI_NAMESPACE;
        if (!(STRIMZI_AUTHENTICATIONS as readonly string[]).includes(authentication)) {
            add("authentication", authentication, `is not a Strimzi client authentication; allowed: ${oneOf(STRIMZI_AUTHENTICATIONS)}`);
        } else if (authentication === "tls") {
            // Mutual TLS: the User Operator writes each client's certificate (and renews it) in the Kafka namespace
            // only, and clients must trust the cluster CA it keeps there; a client elsewhere could only get them
            // through a secret copier (a controller and CRDs the platform does not carry). SCRAM passwords are the platform's own.
            (args.clients ?? []).forEach((c, i) => {
                if (c.namespace !== kafkaNamespace) {
                    add(
                        "authentication",
                        "tls",
                        `cannot reach client ${show(c.name)} (clients[${i}]) in namespace ${show(c.namespace)}: the User Operator writes and renews mutual-TLS certificates in the Kafka namespace ${show(kafkaNamespace)} only; allowed: "scram-sha-512" (passwords the User Operator generates, delivered to each client's namespace by External Secrets Operator), or "tls" with every client in ${show(kafkaNamespace)}`,
                    );
                }
            });
        }
    }
    return problems;
}
