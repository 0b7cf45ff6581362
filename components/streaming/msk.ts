/**
 * Amazon MSK: provisioned brokers across three AZs (or MSK Serverless for small stacks) in private
 * subnets, reachable only from the cluster nodes' security group on the IAM/TLS port, encrypted at rest
 * with the platform key, TLS everywhere, IAM authentication only. Each client is an IAM role that the
 * client's Kubernetes service account assumes through EKS Pod Identity, with a least-privilege policy.
 * The AWS provider comes from opts.provider / opts.providers (children inherit it).
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { podIdentityTrustPolicy } from "../aws/context";
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
import { brokerCount, show, streamingProblems } from "./validate";

/** SASL/IAM over TLS inside the VPC (9094 would be mTLS, 9096 SCRAM; both stay closed). */
export const MSK_IAM_PORT = 9098;
/**
 * MSK names the metadata mode in the version: `3.9.x` would be a ZooKeeper cluster, `3.9.x.kraft` is KRaft
 * (the mode Kafka 4 keeps; it cannot be switched after creation).
 */
export const MSK_DEFAULT_KAFKA_VERSION = "3.9.x.kraft";

/** Graviton broker sizes (same work for less energy) and EBS volume per broker, by size class. */
export const MSK_BROKERS = {
    small: { instanceType: "kafka.m7g.large", volumeGiB: 100 },
    medium: { instanceType: "kafka.m7g.xlarge", volumeGiB: 500 },
    large: { instanceType: "kafka.m7g.2xlarge", volumeGiB: 1000 },
} as const;

/**
 * Broker settings that never lose acknowledged data: three copies, two in sync before a write is
 * acknowledged, no out-of-sync replica ever elected leader, no topic created by a typo.
 */
export function mskServerProperties(): string {
    return [
        "auto.create.topics.enable=false",
        "default.replication.factor=3",
        "min.insync.replicas=2",
        "unclean.leader.election.enable=false",
        "offsets.topic.replication.factor=3",
        "transaction.state.log.replication.factor=3",
        "transaction.state.log.min.isr=2",
        // Topics are deleted only through their (protected) resources.
        "delete.topic.enable=true",
    ].join("\n");
}

/** ARN of a topic or group of the cluster: `arn:…:cluster/<name>/<uuid>` → `arn:…:<kind>/<name>/<uuid>/<resource>`. */
function childArn(clusterArn: pulumi.Output<string>, kind: "topic" | "group", resource: string): pulumi.Output<string> {
    return clusterArn.apply((a) => `${a.replace(":cluster/", `:${kind}/`)}/${resource}`);
}

/** The least-privilege MSK IAM policy of one client. */
export function mskClientPolicy(
    clusterArn: pulumi.Output<string>,
    client: string,
    produces: string[],
    consumes: string[],
    serverless: boolean,
): pulumi.Output<string> {
    const topicArns = (names: string[]) => names.map((t) => childArn(clusterArn, "topic", t));
    return pulumi
        .all([clusterArn, pulumi.all(topicArns(produces)), pulumi.all(topicArns(consumes)), childArn(clusterArn, "group", `${client}*`)])
        .apply(([cluster, writeTopics, readTopics, groups]) => {
            const statements: Record<string, unknown>[] = [
                { Sid: "Connect", Effect: "Allow", Action: ["kafka-cluster:Connect", "kafka-cluster:DescribeCluster"], Resource: cluster },
            ];
            if (writeTopics.length) {
                // Idempotent producers (the default since Kafka 3.0) need WriteDataIdempotently on the cluster.
                statements.push({ Sid: "ProduceIdempotently", Effect: "Allow", Action: ["kafka-cluster:WriteDataIdempotently"], Resource: cluster });
                statements.push({
                    Sid: "Produce",
                    Effect: "Allow",
                    // Serverless has no topic resources in the plan: the producer creates its own topics (RF 3 is fixed there).
                    Action: ["kafka-cluster:WriteData", "kafka-cluster:DescribeTopic", ...(serverless ? ["kafka-cluster:CreateTopic"] : [])],
                    Resource: writeTopics,
                });
            }
            if (readTopics.length) {
                statements.push({ Sid: "Consume", Effect: "Allow", Action: ["kafka-cluster:ReadData", "kafka-cluster:DescribeTopic"], Resource: readTopics });
                // Consumer groups named after the client (prefix), so clients cannot join each other's groups.
                statements.push({ Sid: "ConsumerGroups", Effect: "Allow", Action: ["kafka-cluster:AlterGroup", "kafka-cluster:DescribeGroup"], Resource: groups });
            }
            return JSON.stringify({ Version: "2012-10-17", Statement: statements });
        });
}

/** The MSK version strings MSK accepts: `<major>.<minor>.<patch|x>`, `.kraft` for KRaft metadata mode. */
const MSK_KAFKA_VERSION = /^\d+\.\d+\.(\d+|x)(\.kraft)?$/;

export interface MskKafkaArgs extends StreamingCommonArgs {
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
    /** Extra tags (the component adds `capability: event-streaming`). */
    tags?: pulumi.Input<Record<string, pulumi.Input<string>>>;
}

/** Problems of MskKafka arguments (shared rules on MSK, plus MSK's own). */
export function mskKafkaProblems(args: MskKafkaArgs): string[] {
    const problems = streamingProblems("msk", args);
    if (!args.serverless && (args.subnetIds ?? []).length !== 3) {
        problems.push(`subnetIds: ${show(`${(args.subnetIds ?? []).length} subnets`)} must be one private subnet in each of three availability zones; allowed: exactly 3 (or serverless true)`);
    }
    if (args.kafkaVersion !== undefined && !MSK_KAFKA_VERSION.test(args.kafkaVersion)) {
        problems.push(`kafkaVersion: ${show(args.kafkaVersion)} is not an MSK Kafka version; allowed: a version such as 3.9.x.kraft (KRaft) or 3.9.x (ZooKeeper)`);
    }
    if (args.logRetentionDays !== undefined && (!Number.isInteger(args.logRetentionDays) || args.logRetentionDays < 1)) {
        problems.push(`logRetentionDays: ${show(args.logRetentionDays)} must be a whole number of days; allowed: 1 or more`);
    }
    return problems;
}

/** Amazon MSK (provisioned or serverless) with IAM-authenticated clients bound to EKS Pod Identity. */
export class MskKafka extends pulumi.ComponentResource implements EventStreamingOutputs {
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

    constructor(name: string, args: MskKafkaArgs, opts?: pulumi.ComponentResourceOptions) {
        // Bad input stops here, before the component or any child is registered.
        const problems = mskKafkaProblems(args);
        if (problems.length) throw argumentError("MskKafka", name, problems);
        // Stacks built before the per-backend components keep their resources: children inherit the alias.
        super("platform:index:MskKafka", name, {}, pulumi.mergeOptions(opts, { aliases: [{ type: "platform:index:EventStreaming" }] }));
        const parent = this;
        const protect = args.protect ?? true;
        const serverless = args.serverless ?? false;
        const tags = streamingTags(args.tags);

        // Brokers admit the cluster nodes' security group on the IAM port, nothing else; no egress rules at all.
        const brokerSg = new aws.ec2.SecurityGroup(
            `${name}-brokers`,
            {
                vpcId: args.vpcId,
                description: `Kafka brokers of ${name}: only the cluster nodes on the IAM/TLS port`,
                tags: tags.apply((t) => ({ ...t, Name: `${name}-kafka-brokers` })),
            },
            { parent },
        );
        new aws.vpc.SecurityGroupIngressRule(
            `${name}-brokers-from-nodes`,
            {
                securityGroupId: brokerSg.id,
                referencedSecurityGroupId: args.clientSecurityGroupId,
                ipProtocol: "tcp",
                fromPort: MSK_IAM_PORT,
                toPort: MSK_IAM_PORT,
                description: "Kafka clients on the cluster nodes (SASL/IAM over TLS)",
            },
            { parent },
        );

        let clusterArn: pulumi.Output<string>;
        let bootstrap: pulumi.Output<string>;
        const topics: pulumi.Output<string>[] = [];

        if (serverless) {
            const cluster = new aws.msk.ServerlessCluster(
                `${name}-kafka`,
                {
                    clusterName: `${name}-kafka`,
                    vpcConfigs: [{ subnetIds: args.subnetIds, securityGroupIds: [brokerSg.id] }],
                    // Serverless is IAM-only, TLS-only, encrypted at rest and private by design.
                    clientAuthentication: { sasl: { iam: { enabled: true } } },
                    tags,
                },
                { parent, protect },
            );
            clusterArn = cluster.arn;
            bootstrap = cluster.bootstrapBrokersSaslIam;
            topics.push(...args.topics.map((t) => pulumi.output(t.name)));
        } else {
            const logGroup = new aws.cloudwatch.LogGroup(
                `${name}-broker-logs`,
                { name: `/aws/msk/${name}`, retentionInDays: args.logRetentionDays ?? 365, kmsKeyId: args.kmsKeyArn, tags },
                { parent },
            );
            const kafkaVersion = args.kafkaVersion ?? MSK_DEFAULT_KAFKA_VERSION;
            const configuration = new aws.msk.Configuration(
                `${name}-kafka-config`,
                {
                    name: `${name}-kafka`,
                    description: "Platform broker defaults: RF 3, min ISR 2, no unclean election, no auto-created topics",
                    kafkaVersions: [kafkaVersion],
                    serverProperties: mskServerProperties(),
                },
                { parent },
            );
            const brokers = MSK_BROKERS[args.size as keyof typeof MSK_BROKERS];
            const cluster = new aws.msk.Cluster(
                `${name}-kafka`,
                {
                    clusterName: `${name}-kafka`,
                    kafkaVersion,
                    numberOfBrokerNodes: brokerCount("msk", args.size),
                    brokerNodeGroupInfo: {
                        instanceType: brokers.instanceType,
                        // One private data subnet per AZ: brokers spread over three zones.
                        clientSubnets: args.subnetIds,
                        azDistribution: "DEFAULT",
                        securityGroups: [brokerSg.id],
                        storageInfo: { ebsStorageInfo: { volumeSize: brokers.volumeGiB } },
                        connectivityInfo: { publicAccess: { type: "DISABLED" } },
                    },
                    clientAuthentication: { sasl: { iam: true, scram: false }, unauthenticated: false },
                    encryptionInfo: {
                        encryptionAtRestKmsKeyArn: args.kmsKeyArn,
                        encryptionInTransit: { clientBroker: "TLS", inCluster: true },
                    },
                    configurationInfo: { arn: configuration.arn, revision: configuration.latestRevision },
                    loggingInfo: { brokerLogs: { cloudwatchLogs: { enabled: true, logGroup: logGroup.name } } },
                    enhancedMonitoring: "PER_BROKER",
                    tags,
                },
                // Deleting the cluster deletes every topic's data.
                { parent, protect },
            );
            clusterArn = cluster.arn;
            bootstrap = cluster.bootstrapBrokersSaslIam;
            for (const t of args.topics) {
                const rf = t.replicationFactor ?? 3;
                const topic = new aws.msk.Topic(
                    `${name}-topic-${t.name}`,
                    {
                        clusterArn: cluster.arn,
                        name: t.name,
                        partitionCount: t.partitions,
                        replicationFactor: rf,
                        configs: JSON.stringify({
                            "cleanup.policy": t.cleanupPolicy,
                            "retention.ms": String(t.retentionHours * HOUR_MS),
                            "min.insync.replicas": String(minInSync(rf)),
                            "unclean.leader.election.enable": "false",
                        }),
                    },
                    { parent, protect },
                );
                topics.push(topic.name);
            }
        }

        const clients: Record<string, ClientAccess> = {};
        for (const c of args.clients) {
            const { produces, consumes } = clientTopics(args.topics, c.name);
            const role = new aws.iam.Role(
                `${name}-kafka-${c.name}`,
                {
                    name: `${name}-kafka-${c.name}`.slice(0, 64),
                    description: `Kafka client ${c.name} (${c.namespace}/${c.serviceAccount})`,
                    // EKS Pod Identity, for this client's service account on this cluster only: the conditions
                    // match the session tags Pod Identity sets (EKS user guide, pod-id-abac: "Grant Pods access to AWS resources based on tags"),
                    // without which any Pod Identity association in the account could use the role.
                    assumeRolePolicy: podIdentityTrustPolicy(args.eksClusterName, c.namespace, c.serviceAccount),
                    tags,
                },
                { parent },
            );
            new aws.iam.RolePolicy(
                `${name}-kafka-${c.name}`,
                { role: role.name, policy: mskClientPolicy(clusterArn, c.name, produces, consumes, serverless) },
                { parent },
            );
            if (args.eksClusterName) {
                new aws.eks.PodIdentityAssociation(
                    `${name}-kafka-${c.name}`,
                    { clusterName: args.eksClusterName, namespace: c.namespace, serviceAccount: c.serviceAccount, roleArn: role.arn, tags },
                    { parent },
                );
            }
            clients[c.name] = { kind: "iam-role", identity: role.arn, namespace: c.namespace, serviceAccount: c.serviceAccount, produces, consumes };
        }

        // MSK IAM access control: TLS plus SASL mechanism AWS_MSK_IAM (Java, aws-msk-iam-auth; non-Java clients use
        // OAUTHBEARER with AWS's signer library), credentials from Pod Identity. MSK developer guide, "Configure clients
        // for IAM access control": https://docs.aws.amazon.com/msk/latest/developerguide/configure-clients-for-iam-access-control.html
        const settings: KafkaClientSettings = { securityProtocol: "SASL_SSL", saslMechanism: "AWS_MSK_IAM", credential: "workload-identity" };
        keepPlanTimeValues(this, { settings, clientAccess: clients });
        this.bootstrapServers = bootstrap;
        ({ topics: this.topics, clientSettings: this.clientSettings, clients: this.clients } = streamingOutputs(topics, settings, clients));
        this.registerOutputs({ bootstrapServers: this.bootstrapServers, topics: this.topics, clientSettings: this.clientSettings, clients: this.clients });
    }
}
