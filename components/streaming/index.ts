/**
 * EventStreaming: Kafka-compatible event streaming behind one component. One Args interface (topics,
 * a size class, the clients allowed to produce/consume each topic); one implementation file per
 * backend: Amazon MSK (msk.ts), Azure Event Hubs' Kafka endpoint (eventhubs.ts), Google Managed
 * Service for Apache Kafka (gcp-managed-kafka.ts) and Strimzi on the platform's cluster (strimzi.ts).
 *
 * Every client gets the backend's native workload identity (IAM role, managed identity, Google
 * service account, KafkaUser) with exactly the rights its topics need; nothing authenticates with
 * shared keys and nothing is reachable from the internet.
 */
import type { ClusterNetworkFacts } from "../cluster/network-facts";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { createEventHubsStreaming } from "./eventhubs";
import { createGcpManagedKafka } from "./gcp-managed-kafka";
import type { WorkloadIdentityBinding } from "../serverless";
import { createMskStreaming } from "./msk";
import { createStrimziStreaming } from "./strimzi";
import { validateStreaming } from "./validate";

export { validateStreaming, brokerCount, kubernetesName, TOPIC_NAME_RULES } from "./validate";

export const STREAMING_BACKENDS = ["msk", "eventhubs", "gcp-managed-kafka", "strimzi"] as const;
export type StreamingBackend = (typeof STREAMING_BACKENDS)[number];

/** Throughput class: brokers and instance sizes (MSK, Strimzi), throughput/processing units (Event Hubs), vCPUs (GCP). */
export const STREAMING_SIZES = ["small", "medium", "large"] as const;
export type StreamingSize = (typeof STREAMING_SIZES)[number];

export type CleanupPolicy = "delete" | "compact";

export interface StreamingTopic {
    /** Kafka topic name (also the event hub name on Event Hubs). */
    name: string;
    partitions: number;
    /** How long records are kept. */
    retentionHours: number;
    cleanupPolicy: CleanupPolicy;
    /** Copies of each partition (default 3). Below 3 only when data protection is off. Ignored by Event Hubs, which replicates on its own. */
    replicationFactor?: number;
    /** Names of declared clients that write to the topic. */
    producers: string[];
    /** Names of declared clients that read the topic (each in its own consumer group(s) prefixed with the client name). */
    consumers: string[];
}

/**
 * A workload that talks to Kafka. Its identity is the Kubernetes service account `serviceAccount` in
 * `namespace`; later the platform's services generate these entries from their publishes/subscribes.
 */
export interface StreamingClient {
    name: string;
    namespace: string;
    serviceAccount: string;
}

export interface EventStreamingArgs {
    backend: StreamingBackend;
    size: StreamingSize;
    topics: StreamingTopic[];
    clients: StreamingClient[];
    /**
     * Protect clusters, the Event Hubs namespace and topics (everything holding data) from deletion (default true): Pulumi `protect`, plus
     * `deletionPolicy: PREVENT` on Google Managed Kafka. Client identities are not protected: they hold no data
     * and are recreated from the declared clients. Off only for throwaway stacks.
     */
    protect?: boolean;
    tags?: pulumi.Input<Record<string, pulumi.Input<string>>>;
    aws?: {
        vpcId: pulumi.Input<string>;
        /** Private subnets, one per availability zone (three for the provisioned cluster). */
        subnetIds: pulumi.Input<string>[];
        /** The platform's KMS key ARN: data at rest and the broker log group. */
        kmsKeyArn: pulumi.Input<string>;
        /** Security group of the cluster nodes: the only source admitted to the brokers. */
        clientSecurityGroupId: pulumi.Input<string>;
        /** EKS cluster whose pods get the client roles through Pod Identity associations. */
        eksClusterName?: pulumi.Input<string>;
        /** MSK Serverless instead of provisioned brokers (small stacks; IAM auth, RF 3 fixed by AWS). */
        serverless?: boolean;
        /** MSK Kafka version of the provisioned cluster (default 3.9.x.kraft: KRaft metadata mode; plain 3.9.x is ZooKeeper). */
        kafkaVersion?: string;
        /** Days to keep broker logs (default 365). */
        logRetentionDays?: number;
    };
    azure?: {
        resourceGroupName: pulumi.Input<string>;
        location: string;
        /** The platform VNet (linked to the private DNS zone). */
        vnetId: pulumi.Input<string>;
        /** Subnet for the private endpoint. */
        subnetId: pulumi.Input<string>;
        tier?: "Standard" | "Premium";
        /** AKS OIDC issuer: client identities are federated with their service accounts. */
        oidcIssuerUrl?: pulumi.Input<string>;
        /** Spread over availability zones (default true; false only in regions without zones). */
        zoneRedundant?: boolean;
    };
    gcp?: {
        project: pulumi.Input<string>;
        region: string;
        /** Subnetwork (self link or `projects/…/regions/…/subnetworks/…`) the brokers get addresses in. */
        subnet: pulumi.Input<string>;
        /** The platform's Cloud KMS crypto key id (CMEK). */
        kmsKeyId: pulumi.Input<string>;
        /** Federate client service accounts with GKE workload identity (default true). */
        workloadIdentity?: boolean;
    };
    strimzi?: {
        /** Kubernetes provider of the cluster Kafka runs on. */
        provider: k8s.Provider;
        /** Namespace for the operator and the Kafka cluster (default "kafka"). */
        namespace?: string;
        /**
         * Client authentication (default scram-sha-512: the platform generates each client's password and
         * writes it to the client's own namespace). `tls` (mutual TLS) is accepted only when no client lives
         * outside the Kafka namespace: the User Operator writes (and rotates) certificates in the Kafka
         * namespace only, so another namespace could only get them through a secret copier.
         */
        authentication?: "tls" | "scram-sha-512";
        /**
         * StorageClass for broker and controller volumes. Unset: the cluster's default class, whose reclaim
         * policy is usually Delete (a deleted claim deletes the data); the stack passes the Retain class it
         * creates on managed clusters (`strimziStorageClass`) or the one configured for existing clusters.
         */
        storageClass?: pulumi.Input<string>;
        /**
         * Protect the Kafka namespace itself (default: `protect`). Deleting a namespace deletes its
         * PersistentVolumeClaims, and with them the brokers' volumes unless their class retains them.
         */
        protectNamespace?: boolean;
        /**
         * Create the StorageClass `kafka-retain` (reclaimPolicy Retain, WaitForFirstConsumer) with this CSI
         * provisioner and parameters, and put every broker and controller volume on it (wins over `storageClass`).
         * The stack passes one per managed cluster (EBS gp3, Azure Premium SSD, GCE pd-balanced).
         */
        retainStorage?: { provisioner: string; parameters: Record<string, pulumi.Input<string>> };
        /**
         * Namespaces of clients that other components create, and what the credential Secret written there
         * must wait for. Every other client namespace (but the Kafka namespace) is created here as a
         * PlatformNamespace. `"owner-writes"`: the owner creates the namespace later and writes the Secret
         * itself with `kafkaCredentialSecret` (the golden-path services' namespaces).
         */
        clientNamespaces?: Record<string, pulumi.Resource[] | "owner-writes">;
        /**
         * Spread pools over zones and make Kafka rack-aware on `topology.kubernetes.io/zone` (default true).
         * Only clusters whose nodes carry no zone label (kind, k3d) turn it off.
         */
        zoneAware?: boolean;
        /**
         * What the mesh AuthorizationPolicies must wait for (AmbientMesh.ready: Gateway API and Istio CRDs,
         * istiod's validating webhook). Without it a first deploy can apply them before their CRD exists.
         */
        meshReady?: pulumi.Resource[];
        /** The cluster's network facts (KubernetesCluster.networkFacts): DNS, API server, policy engine. */
        network?: ClusterNetworkFacts;
    };
}

/**
 * What a Kafka client sets to connect, in the client's own terms (Apache Kafka client configs
 * `security.protocol` and `sasl.mechanism`), and where its credential comes from.
 */
export interface KafkaClientSettings {
    securityProtocol: "SASL_SSL" | "SASL_PLAINTEXT" | "SSL";
    /** Unset for SSL (mutual TLS, no SASL). */
    saslMechanism?: "AWS_MSK_IAM" | "OAUTHBEARER" | "SCRAM-SHA-512";
    /**
     * `workload-identity`: the pod's cloud identity (no secret: a token from the cluster's workload identity);
     * `kubernetes-secret`: username and password from the Secret `ClientAccess.credentials` names.
     */
    credential: "workload-identity" | "kubernetes-secret";
}

/** A SCRAM credential the platform generated (Strimzi): the Secret each client namespace gets, and its value. */
export interface ClientCredentials {
    /** Name of the Secret in the client's namespace (keys `username`, `password`). */
    secretName: string;
    username: string;
    /** A Pulumi secret: encrypted in state, masked in previews and outputs. */
    password: pulumi.Output<string>;
}

/** The keys of a client's credential Secret. */
export const CREDENTIAL_KEYS = { username: "username", password: "password" } as const;

/** How one client authenticates, per backend. */
export interface ClientAccess {
    kind: "iam-role" | "managed-identity" | "google-service-account" | "kafka-user";
    /** Role ARN, managed identity client id, service account email, or the KafkaUser's name. */
    identity: pulumi.Output<string>;
    /** Strimzi with SCRAM: the credential, written to a Secret in the client's own namespace. */
    credentials?: ClientCredentials;
    namespace: string;
    serviceAccount: string;
    produces: string[];
    consumes: string[];
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
        case "iam-role": // EKS Pod Identity binds by namespace and service account name: nothing on the account.
        case "kafka-user": // Strimzi: a certificate or password secret, not a cloud identity.
            return {};
    }
}

export interface EventStreamingOutputs {
    /** Bootstrap servers for the authentication mode clients use. */
    bootstrapServers: pulumi.Output<string>;
    /** security.protocol, sasl.mechanism and the credential source every client of this backend uses. */
    clientSettings: KafkaClientSettings;
    /** Topic names as created. */
    topics: pulumi.Output<string>[];
    clients: Record<string, ClientAccess>;
}

export class EventStreaming extends pulumi.ComponentResource implements EventStreamingOutputs {
    public readonly backend: StreamingBackend;
    public readonly bootstrapServers!: pulumi.Output<string>;
    public readonly clientSettings!: KafkaClientSettings;
    public readonly topics!: pulumi.Output<string>[];
    public readonly clients!: Record<string, ClientAccess>;

    constructor(name: string, args: EventStreamingArgs, opts?: pulumi.ComponentResourceOptions) {
        // Bad input stops here, before the component or any child is registered.
        const problems = validateStreaming(args);
        if (problems.length) {
            throw new Error(`EventStreaming ${name}: invalid arguments:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
        }
        super("platform:index:EventStreaming", name, {}, opts);
        this.backend = args.backend;
        const build = {
            msk: createMskStreaming,
            eventhubs: createEventHubsStreaming,
            "gcp-managed-kafka": createGcpManagedKafka,
            strimzi: createStrimziStreaming,
        }[args.backend];
        Object.assign(this, build(this, name, { ...args, protect: args.protect ?? true }));
        this.registerOutputs({ bootstrapServers: this.bootstrapServers, topics: this.topics });
    }
}

/** Per-topic permissions of one client, derived from the topics' producer/consumer lists. */
export function clientTopics(args: Pick<EventStreamingArgs, "topics">, client: string): { produces: string[]; consumes: string[] } {
    return {
        produces: args.topics.filter((t) => t.producers.includes(client)).map((t) => t.name),
        consumes: args.topics.filter((t) => t.consumers.includes(client)).map((t) => t.name),
    };
}

/** Min in-sync replicas that never loses acknowledged data: RF-1, at most 2 (RF 3 → 2). */
export function minInSync(replicationFactor: number): number {
    return Math.max(1, Math.min(2, replicationFactor - 1));
}

export const HOUR_MS = 3_600_000;

/**
 * The Secret holding a client's SCRAM credential in the client's namespace, which the client's pods read
 * by secretKeyRef (the value never appears in env literals, config or plain outputs). Used by the Strimzi
 * component and by whoever creates a client namespace after it (the serverless stack).
 */
export function kafkaCredentialSecret(
    name: string,
    credentials: ClientCredentials,
    namespace: pulumi.Input<string>,
    opts: pulumi.CustomResourceOptions,
): k8s.core.v1.Secret {
    return new k8s.core.v1.Secret(
        name,
        {
            metadata: { name: credentials.secretName, namespace, labels: { "app.kubernetes.io/managed-by": "pulumi", "platform/kafka-credential": "scram-sha-512" } },
            type: "Opaque",
            stringData: { [CREDENTIAL_KEYS.username]: credentials.username, [CREDENTIAL_KEYS.password]: credentials.password },
        },
        opts,
    );
}
