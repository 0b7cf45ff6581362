/**
 * Google Cloud Managed Service for Apache Kafka: a cluster with addresses in the platform VPC's
 * subnetwork (no public endpoint exists), data encrypted with the platform's Cloud KMS key (CMEK),
 * topics with three replicas and `min.insync.replicas=2`. Clients are Google service accounts
 * (federated with their Kubernetes service accounts through GKE workload identity) authenticated by
 * SASL over TLS; Kafka ACLs give each one exactly its topics and its own consumer groups. The gcp
 * provider comes from opts.provider / opts.providers.
 */
import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import { createHash } from "node:crypto";
import {
    argumentError,
    keepPlanTimeValues,
    planTimeValuesOf,
    clientTopics,
    HOUR_MS,
    minInSync,
    streamingOutputs,
    streamingTags,
    type ClientAccess,
    type EventStreamingOutputs,
    type KafkaClient,
    type KafkaClientSettings,
    type StreamingCommonArgs,
} from "./common";
import { show, streamingProblems } from "./validate";

const GIB = 1024 ** 3;

/** vCPUs per size class; Google allows 1-8 GiB of memory per vCPU and at least 3 vCPUs. We take 4 GiB each. */
export const GCP_KAFKA_CAPACITY = {
    small: { vcpus: 3, memoryGiB: 12 },
    medium: { vcpus: 6, memoryGiB: 24 },
    large: { vcpus: 12, memoryGiB: 48 },
} as const;

/** A service account id (6-30 characters) unique per stack and client. */
function accountId(component: string, client: string): string {
    const hash = createHash("sha256").update(`${component}/${client}`).digest("hex").slice(0, 6);
    return `kafka-${client.slice(0, 17)}-${hash}`.replace(/-+/g, "-");
}

/** Clients reach the cluster's bootstrap and brokers (Private Service Connect endpoints in the subnet) on 9092 (SASL_SSL). */
export const GCP_MANAGED_KAFKA_PORT = 9092;

export interface GcpManagedKafkaArgs extends StreamingCommonArgs {
    project: pulumi.Input<string>;
    /** Region of the cluster, e.g. "europe-west1". */
    region: string;
    /** Subnetwork (self link or `projects/…/regions/…/subnetworks/…`) the brokers get addresses in. */
    subnet: pulumi.Input<string>;
    /** The platform's Cloud KMS crypto key id (CMEK). */
    kmsKeyId: pulumi.Input<string>;
    /** Federate client service accounts with GKE workload identity (default true). */
    workloadIdentity?: boolean;
    /** Extra labels (the component adds `capability: event-streaming`). */
    tags?: pulumi.Input<Record<string, pulumi.Input<string>>>;
}

/** Problems of GcpManagedKafka arguments (shared rules, plus Google's own). */
export function gcpManagedKafkaProblems(args: GcpManagedKafkaArgs): string[] {
    const problems = streamingProblems("gcp-managed-kafka", args);
    if (!/^[a-z]+-[a-z]+\d+$/.test(args.region ?? "")) problems.push(`region: ${show(args.region)} is not a Google Cloud region; allowed: a region such as "europe-west1"`);
    return problems;
}

/** Google Cloud Managed Service for Apache Kafka with service-account clients bound to GKE workload identity. */
export class GcpManagedKafka extends pulumi.ComponentResource implements EventStreamingOutputs {
    public readonly bootstrapServers: pulumi.Output<string>;
    public readonly topics: pulumi.Output<string[]>;
    public readonly clientSettings: pulumi.Output<KafkaClientSettings>;
    public readonly clients: pulumi.Output<Record<string, KafkaClient>>;

    /** TypeScript-only: `clientSettings` as a plan-time value. */
    get settings(): KafkaClientSettings {
        return planTimeValuesOf(this).settings;
    }
    /** TypeScript-only: per client, its identity as an Output. */
    get clientAccess(): Record<string, ClientAccess> {
        return planTimeValuesOf(this).clientAccess;
    }

    constructor(name: string, args: GcpManagedKafkaArgs, opts?: pulumi.ComponentResourceOptions) {
        const problems = gcpManagedKafkaProblems(args);
        if (problems.length) throw argumentError("GcpManagedKafka", name, problems);
        // Stacks built before the per-backend components keep their resources: children inherit the alias.
        super("platform:index:GcpManagedKafka", name, {}, pulumi.mergeOptions(opts, { aliases: [{ type: "platform:index:EventStreaming" }] }));
        const parent = this;
        const protect = args.protect ?? true;
        const capacity = GCP_KAFKA_CAPACITY[args.size as keyof typeof GCP_KAFKA_CAPACITY];
        const labels = streamingTags(args.tags);
        const { project: projectId, region } = args;

        // The service agent must be able to use the key before the cluster can be created with it.
        const project = gcp.organizations.getProjectOutput({ projectId }, { parent });
        const keyGrant = new gcp.kms.CryptoKeyIAMMember(
            `${name}-kafka-cmek`,
            {
                cryptoKeyId: args.kmsKeyId,
                role: "roles/cloudkms.cryptoKeyEncrypterDecrypter",
                member: pulumi.interpolate`serviceAccount:service-${project.number}@gcp-sa-managedkafka.iam.gserviceaccount.com`,
            },
            { parent },
        );

        const cluster = new gcp.managedkafka.Cluster(
            `${name}-kafka`,
            {
                project: projectId,
                clusterId: `${name}-kafka`,
                location: region,
                capacityConfig: { vcpuCount: String(capacity.vcpus), memoryBytes: String(capacity.memoryGiB * GIB) },
                gcpConfig: {
                    // Brokers get private addresses in the platform subnetwork; there is no public access option.
                    accessConfig: { networkConfigs: [{ subnet: args.subnet }] },
                    kmsKey: args.kmsKeyId,
                },
                // Spread partitions onto new brokers when the cluster grows.
                rebalanceConfig: { mode: "AUTO_REBALANCE_ON_SCALE_UP" },
                deletionPolicy: protect ? "PREVENT" : "DELETE",
                labels,
            },
            // Deleting the cluster deletes every topic's data.
            { parent, protect, dependsOn: [keyGrant] },
        );

        const topics: pulumi.Output<string>[] = [];
        for (const t of args.topics) {
            const rf = t.replicationFactor ?? 3;
            const topic = new gcp.managedkafka.Topic(
                `${name}-topic-${t.name}`,
                {
                    project: projectId,
                    cluster: cluster.clusterId,
                    location: region,
                    topicId: t.name,
                    partitionCount: t.partitions,
                    replicationFactor: rf,
                    configs: {
                        "cleanup.policy": t.cleanupPolicy,
                        "retention.ms": String(t.retentionHours * HOUR_MS),
                        "min.insync.replicas": String(minInSync(rf)),
                        "unclean.leader.election.enable": "false",
                    },
                    deletionPolicy: protect ? "PREVENT" : "DELETE",
                },
                { parent, protect },
            );
            topics.push(topic.topicId);
        }

        const clients: Record<string, ClientAccess> = {};
        const emails = new Map<string, pulumi.Output<string>>();
        for (const c of args.clients) {
            const { produces, consumes } = clientTopics(args.topics, c.name);
            const sa = new gcp.serviceaccount.Account(
                `${name}-kafka-${c.name}`,
                { project: projectId, accountId: accountId(name, c.name), displayName: `Kafka client ${c.name} (${c.namespace}/${c.serviceAccount})` },
                { parent },
            );
            emails.set(c.name, sa.email);
            // Connecting needs managedkafka.clusters.connect; what the client may do inside is decided by the ACLs below.
            new gcp.projects.IAMMember(
                `${name}-kafka-${c.name}-client`,
                { project: projectId, role: "roles/managedkafka.client", member: pulumi.interpolate`serviceAccount:${sa.email}` },
                { parent },
            );
            if (args.workloadIdentity ?? true) {
                new gcp.serviceaccount.IAMMember(
                    `${name}-kafka-${c.name}-wi`,
                    {
                        serviceAccountId: sa.name,
                        role: "roles/iam.workloadIdentityUser",
                        member: pulumi.interpolate`serviceAccount:${projectId}.svc.id.goog[${c.namespace}/${c.serviceAccount}]`,
                    },
                    { parent },
                );
            }
            clients[c.name] = { kind: "google-service-account", identity: sa.email, namespace: c.namespace, serviceAccount: c.serviceAccount, produces, consumes };
        }

        // Kafka ACLs name each service account (`User:<email>`), never `User:*`.
        const entry = (client: string, operation: string) => ({
            principal: pulumi.interpolate`User:${emails.get(client)!}`,
            permissionType: "ALLOW",
            operation,
            host: "*",
        });
        for (const t of args.topics) {
            const entries = [
                ...t.producers.flatMap((p) => [entry(p, "WRITE"), entry(p, "DESCRIBE")]),
                ...t.consumers.flatMap((c) => [entry(c, "READ"), entry(c, "DESCRIBE")]),
            ];
            if (!entries.length) continue;
            new gcp.managedkafka.Acl(
                `${name}-acl-topic-${t.name}`,
                { project: projectId, cluster: cluster.clusterId, location: region, aclId: `topic/${t.name}`, aclEntries: entries },
                { parent },
            );
        }
        for (const c of args.clients) {
            if (!clients[c.name].consumes.length) continue;
            // Each consumer owns the groups prefixed with its name.
            new gcp.managedkafka.Acl(
                `${name}-acl-group-${c.name}`,
                {
                    project: projectId,
                    cluster: cluster.clusterId,
                    location: region,
                    aclId: `consumerGroupPrefixed/${c.name}`,
                    aclEntries: [entry(c.name, "READ"), entry(c.name, "DESCRIBE")],
                },
                { parent },
            );
        }

        // TLS only; SASL/OAUTHBEARER with Application Default Credentials (here GKE workload identity) is Google's
        // recommended mechanism, SASL/PLAIN takes a key or access token ("Configure SASL authentication",
        // https://cloud.google.com/managed-service-for-apache-kafka/docs/authentication-kafka).
        const settings: KafkaClientSettings = { securityProtocol: "SASL_SSL", saslMechanism: "OAUTHBEARER", credential: "workload-identity" };
        keepPlanTimeValues(this, { settings, clientAccess: clients });
        this.bootstrapServers = pulumi.interpolate`bootstrap.${cluster.clusterId}.${region}.managedkafka.${projectId}.cloud.goog:${GCP_MANAGED_KAFKA_PORT}`;
        ({ topics: this.topics, clientSettings: this.clientSettings, clients: this.clients } = streamingOutputs(topics, settings, clients));
        this.registerOutputs({ bootstrapServers: this.bootstrapServers, topics: this.topics, clientSettings: this.clientSettings, clients: this.clients });
    }
}
