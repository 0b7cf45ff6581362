/**
 * What every event-streaming component shares: the arguments each backend takes alike (topics, clients,
 * size, protection), the outputs interface `EventStreamingOutputs` each backend implements, and the
 * derivations every backend applies the same way (a client's topics, min in-sync replicas, credentials).
 * Types here are named interfaces of strings, numbers, booleans, lists and maps, so a Pulumi schema can
 * express them (closed sets are strings checked at run time by validate.ts).
 */
import * as pulumi from "@pulumi/pulumi";
import type { WorkloadIdentityBinding } from "../serverless";

/** The backends, as the `backend` strings stacks and outputs name them. */
export const STREAMING_BACKENDS = ["msk", "eventhubs", "gcp-managed-kafka", "strimzi"] as const;
export type StreamingBackend = (typeof STREAMING_BACKENDS)[number];

/** Throughput class: brokers and instance sizes (MSK, Strimzi), throughput/processing units (Event Hubs), vCPUs (GCP). */
export const STREAMING_SIZES = ["small", "medium", "large"] as const;
export type StreamingSize = (typeof STREAMING_SIZES)[number];

/** Kafka `cleanup.policy` values a topic may take. */
export const CLEANUP_POLICIES = ["delete", "compact"] as const;
export type CleanupPolicy = (typeof CLEANUP_POLICIES)[number];

/** The platforms a stack runs event streaming on, and what each choice means there. */
export const STREAMING_TARGETS = ["aws", "azure", "gcp", "kubernetes"] as const;
/** `managed`: the cloud's own Kafka service; `strimzi`: Strimzi on the platform's cluster. */
export const STREAMING_BACKEND_CHOICES = ["managed", "strimzi"] as const;
const MANAGED_BACKEND = { aws: "msk", azure: "eventhubs", gcp: "gcp-managed-kafka" } as const;

/**
 * The backend event streaming uses on a target: the cloud's managed Kafka unless Strimzi is chosen; an
 * existing cluster (`kubernetes`) has no managed Kafka, so always Strimzi.
 */
export function streamingBackendFor(target: string, choice: string = "managed"): StreamingBackend {
    if (!(STREAMING_TARGETS as readonly string[]).includes(target)) throw new Error(`streamingBackendFor: target "${target}" is not a target; allowed: ${STREAMING_TARGETS.join(", ")}`);
    if (!(STREAMING_BACKEND_CHOICES as readonly string[]).includes(choice)) throw new Error(`streamingBackendFor: choice "${choice}" is not a backend choice; allowed: ${STREAMING_BACKEND_CHOICES.join(", ")}`);
    if (target === "kubernetes" || choice === "strimzi") return "strimzi";
    return MANAGED_BACKEND[target as keyof typeof MANAGED_BACKEND];
}

export interface StreamingTopic {
    /** Kafka topic name (also the event hub name on Event Hubs). */
    name: string;
    partitions: number;
    /** How long records are kept. */
    retentionHours: number;
    /** Kafka cleanup.policy: "delete" or "compact". */
    cleanupPolicy: string;
    /** Copies of each partition (default 3). Below 3 only when data protection is off. Ignored by Event Hubs, which replicates on its own. */
    replicationFactor?: number;
    /** Names of declared clients that write to the topic. */
    producers: string[];
    /** Names of declared clients that read the topic (each in its own consumer group(s) prefixed with the client name). */
    consumers: string[];
}

/**
 * A workload that talks to Kafka. Its identity is the Kubernetes service account `serviceAccount` in
 * `namespace`; the golden-path services generate these entries from their publishes/subscribes.
 */
export interface StreamingClient {
    name: string;
    namespace: string;
    serviceAccount: string;
}

/** The arguments every backend takes alike (each component's Args interface extends it). */
export interface StreamingCommonArgs {
    /** Throughput class: "small", "medium" or "large". */
    size: string;
    topics: StreamingTopic[];
    clients: StreamingClient[];
    /**
     * Protect everything holding data (clusters, the Event Hubs namespace, topics) from deletion (default true):
     * Pulumi `protect`, plus `deletionPolicy: PREVENT` on Google Managed Kafka. Client identities are not
     * protected: they hold no data and are recreated from the declared clients. Off only for throwaway stacks.
     */
    protect?: boolean;
}

/**
 * What a Kafka client sets to connect, in the client's own terms (Apache Kafka client configs
 * `security.protocol` and `sasl.mechanism`), and where its credential comes from.
 */
export interface KafkaClientSettings {
    /** `SASL_SSL`, `SASL_PLAINTEXT` or `SSL`. */
    securityProtocol: string;
    /** `AWS_MSK_IAM`, `OAUTHBEARER` or `SCRAM-SHA-512`; unset for SSL (mutual TLS, no SASL). */
    saslMechanism?: string;
    /**
     * `workload-identity`: the pod's cloud identity (no secret: a token from the cluster's workload identity);
     * `kubernetes-secret`: username and password from the client's credential Secret (`KafkaClient.credentialSecret`).
     */
    credential: string;
}

/**
 * Where a SCRAM client's credential is (Strimzi): the User Operator's Secret in the Kafka namespace and the
 * Secret External Secrets Operator copies it to in the client's namespace. Names only: the password never
 * passes through Pulumi.
 */
export interface ClientCredentials {
    /** Name of the Secret in the client's namespace (keys `username`, `password`). */
    secretName: string;
    username: string;
    /** The Kafka namespace, where the User Operator writes `sourceSecret`. */
    kafkaNamespace: string;
    /** The User Operator's Secret (key `password`). */
    sourceSecret: string;
}

/** The keys of a client's credential Secret. */
export const CREDENTIAL_KEYS = { username: "username", password: "password" } as const;

/** How one client authenticates (TypeScript-only form, identity still an Output: `EventStreamingOutputs.clientAccess`). */
export interface ClientAccess {
    /** "iam-role", "managed-identity", "google-service-account" or "kafka-user". */
    kind: string;
    /** Role ARN, managed identity client id, service account email, or the KafkaUser's name. */
    identity: pulumi.Output<string>;
    /** Strimzi with SCRAM: the credential, written to a Secret in the client's own namespace. */
    credentials?: ClientCredentials;
    namespace: string;
    serviceAccount: string;
    produces: string[];
    consumes: string[];
}

/** How one client authenticates, as the `clients` output carries it (any Pulumi language). */
export interface KafkaClient {
    /** "iam-role", "managed-identity", "google-service-account" or "kafka-user". */
    kind: string;
    /** Role ARN, managed identity client id, service account email, or the KafkaUser's name. */
    identity: string;
    namespace: string;
    serviceAccount: string;
    produces: string[];
    consumes: string[];
    /** Strimzi with SCRAM: the Secret in the client's namespace holding `username` and `password`. */
    credentialSecret?: string;
}

/** The outputs every event-streaming component gives, whatever its backend. */
export interface EventStreamingOutputs {
    /** Bootstrap servers for the authentication mode clients use. */
    bootstrapServers: pulumi.Output<string>;
    /** Topic names as created. */
    topics: pulumi.Output<string[]>;
    /** security.protocol, sasl.mechanism and the credential source every client of this backend uses. */
    clientSettings: pulumi.Output<KafkaClientSettings>;
    /** Per declared client: its identity and topics. */
    clients: pulumi.Output<Record<string, KafkaClient>>;
    /** TypeScript-only: `clientSettings` as a plan-time value (it never depends on a deployment). */
    readonly settings: KafkaClientSettings;
    /** TypeScript-only: per client, with Strimzi's generated credential (a Pulumi secret) for namespaces created later. */
    readonly clientAccess: Record<string, ClientAccess>;
}

/** The output forms of what a backend built; each component assigns them to its properties. */
export function streamingOutputs(topics: pulumi.Input<string>[], settings: KafkaClientSettings, access: Record<string, ClientAccess>) {
    const clients: Record<string, pulumi.Output<KafkaClient>> = {};
    for (const [name, a] of Object.entries(access)) {
        clients[name] = a.identity.apply((identity) => ({
            kind: a.kind,
            identity,
            namespace: a.namespace,
            serviceAccount: a.serviceAccount,
            produces: a.produces,
            consumes: a.consumes,
            ...(a.credentials ? { credentialSecret: a.credentials.secretName } : {}),
        }));
    }
    return {
        topics: pulumi.all(topics),
        clientSettings: pulumi.output(settings) as pulumi.Output<KafkaClientSettings>,
        clients: pulumi.all(clients) as pulumi.Output<Record<string, KafkaClient>>,
    };
}

/**
 * What a pod needs on its Kubernetes service account (and pod template) to act as a client's cloud
 * identity through the cluster's workload identity. The other half (the federated credential on Azure,
 * `roles/iam.workloadIdentityUser` on GCP, the Pod Identity association on EKS) is created with the identity.
 */
export function workloadIdentityBinding(access: ClientAccess): WorkloadIdentityBinding {
    switch (access.kind) {
        case "managed-identity":
            // AKS: the webhook injects the identity's token into pods labelled to use it.
            return { serviceAccountAnnotations: { "azure.workload.identity/client-id": access.identity }, podLabels: { "azure.workload.identity/use": "true" } };
        case "google-service-account":
            // GKE: the metadata server hands pods of this service account the Google service account's tokens.
            return { serviceAccountAnnotations: { "iam.gke.io/gcp-service-account": access.identity } };
        default:
            // iam-role: EKS Pod Identity binds by namespace and service account name, nothing on the account;
            // kafka-user (Strimzi): a password or certificate secret, not a cloud identity.
            return {};
    }
}

/** Per-topic permissions of one client, derived from the topics' producer/consumer lists. */
export function clientTopics(topics: StreamingTopic[], client: string): { produces: string[]; consumes: string[] } {
    return {
        produces: topics.filter((t) => t.producers.includes(client)).map((t) => t.name),
        consumes: topics.filter((t) => t.consumers.includes(client)).map((t) => t.name),
    };
}

/** Min in-sync replicas that never loses acknowledged data: RF-1, at most 2 (RF 3 → 2). */
export function minInSync(replicationFactor: number): number {
    return Math.max(1, Math.min(2, replicationFactor - 1));
}

export const HOUR_MS = 3_600_000;

/** Tags/labels of the cloud backends' resources: the caller's, plus the capability they belong to. */
export function streamingTags(tags: pulumi.Input<Record<string, pulumi.Input<string>>> | undefined): pulumi.Output<Record<string, string>> {
    return pulumi.output(tags ?? {}).apply((t): Record<string, string> => ({ ...t, capability: "event-streaming" }));
}

/** The message of a constructor's argument error: one line per problem, each naming class, name and argument. */
export function argumentError(className: string, name: string, problems: string[]): Error {
    return new Error(problems.map((p) => `${className} ${name}: args.${p}`).join("\n"));
}

/** opts.dependsOn as a list children can extend (the SDK flattens nested lists and Outputs when it gathers them). */
export function dependencyList(dependsOn: pulumi.ResourceOptions["dependsOn"]): pulumi.Input<pulumi.Resource>[] {
    if (dependsOn === undefined) return [];
    return Array.isArray(dependsOn) ? dependsOn : [dependsOn as pulumi.Input<pulumi.Resource>];
}

/** What a component keeps for TypeScript callers beside its outputs (the `settings` and `clientAccess` getters). */
interface PlanTimeValues {
    settings: KafkaClientSettings;
    clientAccess: Record<string, ClientAccess>;
}
/**
 * Per component instance, out of the class's declared properties: the schema analyzer reads every declared
 * property (private and `#` fields included) as an output, and these values are TypeScript-only.
 */
const planTimeValues = new WeakMap<pulumi.ComponentResource, PlanTimeValues>();
export function keepPlanTimeValues(component: pulumi.ComponentResource, values: PlanTimeValues): void {
    planTimeValues.set(component, values);
}
export function planTimeValuesOf(component: pulumi.ComponentResource): PlanTimeValues {
    return planTimeValues.get(component)!;
}
