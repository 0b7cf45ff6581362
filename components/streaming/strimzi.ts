/**
 * Strimzi on the platform's cluster: the operator from its pinned Helm chart, a KRaft `Kafka` whose
 * controllers and brokers are `KafkaNodePool`s spread across zones (rack awareness on
 * `topology.kubernetes.io/zone`), one internal listener with client authentication (SCRAM-SHA-512 by
 * default, carried inside the mesh's mTLS), `simple` ACL authorization, `KafkaTopic`s (3 replicas, min
 * ISR 2) and one `KafkaUser` per client with exactly its ACLs and a password the User Operator generates,
 * delivered to the client's own namespace by External Secrets Operator (`StrimziClientCredentials`). Everything lives in one PlatformNamespace (ambient mesh,
 * restricted, default deny); mesh AuthorizationPolicies admit the operator, the brokers themselves and
 * the declared clients by identity.
 *
 * In-cluster: the Kubernetes provider of the cluster comes from opts.provider / opts.providers (without
 * one, Pulumi's default provider: the ambient kubeconfig). What must exist first (the mesh's CRDs and
 * istiod, External Secrets Operator for SCRAM clients' credentials, namespaces another component creates)
 * comes from opts.dependsOn.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { allowWorkloads } from "../mesh/authorization";
import { PlatformNamespace } from "../namespace";
import type { ClusterNetworkFacts } from "../cluster/network-facts";
import {
    argumentError,
    keepPlanTimeValues,
    planTimeValuesOf,
    clientTopics,
    dependencyList,
    HOUR_MS,
    minInSync,
    streamingOutputs,
    type ClientAccess,
    type ClientCredentials,
    type EventStreamingOutputs,
    type KafkaClient,
    type KafkaClientSettings,
    type StreamingCommonArgs,
} from "./common";
import { clientCredentialSecretName, StrimziClientCredentials, userOperatorSecretName } from "./strimzi-credentials";
import { brokerCount, DEFAULT_STRIMZI_NAMESPACE, kubernetesName, show, streamingProblems } from "./validate";

export const STRIMZI_CHART = { name: "strimzi-kafka-operator", version: "1.2.0", repo: "https://strimzi.io/charts/" } as const;
export const STRIMZI_API = "kafka.strimzi.io/v1";
/** The Kafka cluster's name inside the namespace. */
export const STRIMZI_CLUSTER = "events";
/** The listener of SCRAM clients: SASL without TLS, inside the mesh's mTLS (see `clientListener`). */
export const STRIMZI_SCRAM_PORT = 9092;
/** The listener of mutual-TLS clients (authentication `tls`, clients in the Kafka namespace only). */
export const STRIMZI_TLS_PORT = 9093;

/**
 * The client listener. SCRAM-SHA-512 (the default) listens without TLS: Strimzi requires the mesh
 * (stacks/config/mesh.ts refuses Strimzi with the mesh off), every namespace involved is ambient-enrolled
 * and the mesh-wide PeerAuthentication is STRICT, so ztunnel carries client connections in mTLS (HBONE)
 * and refuses plaintext ones; SCRAM is challenge-response, so the password itself never crosses the wire.
 * A TLS listener would make every client trust Strimzi's cluster CA, which the operator keeps (and renews)
 * in `<cluster>-cluster-ca-cert` in the Kafka namespace only: reaching other namespaces would need a
 * secret copier. Mutual TLS (`tls`) keeps the TLS listener, for clients in the Kafka namespace only.
 */
export function clientListener(authentication: string): { name: string; port: number; tls: boolean; settings: KafkaClientSettings } {
    return authentication === "scram-sha-512"
        ? { name: "scram", port: STRIMZI_SCRAM_PORT, tls: false, settings: { securityProtocol: "SASL_PLAINTEXT", saslMechanism: "SCRAM-SHA-512", credential: "kubernetes-secret" } }
        : { name: "tls", port: STRIMZI_TLS_PORT, tls: true, settings: { securityProtocol: "SSL", credential: "kubernetes-secret" } };
}
/** Strimzi-internal ports: KRaft controllers, replication (also used by the operators), the broker agent. */
export const STRIMZI_INTERNAL_PORTS = [9090, 9091, 8443];
export const ZONE_LABEL = "topology.kubernetes.io/zone";
/** The StorageClass the component creates for broker and controller volumes when given a provisioner (`retainStorage`). */
export const STRIMZI_STORAGE_CLASS = "kafka-retain";

export const STRIMZI_SIZES = {
    small: { brokerStorage: "100Gi", brokerCpu: "1", brokerMemory: "4Gi" },
    medium: { brokerStorage: "500Gi", brokerCpu: "2", brokerMemory: "8Gi" },
    large: { brokerStorage: "1000Gi", brokerCpu: "4", brokerMemory: "16Gi" },
} as const;

export interface StrimziResources {
    kafka: Record<string, unknown>;
    nodePools: Record<string, unknown>[];
    topics: Record<string, unknown>[];
    users: Record<string, unknown>[];
}

/** Pod template: spread a pool's pods evenly over zones (hard) and nodes (soft). */
function spread(pool: string, zoneAware: boolean): Record<string, unknown> {
    const labelSelector = { matchLabels: { "strimzi.io/cluster": STRIMZI_CLUSTER, "strimzi.io/pool-name": pool } };
    return {
        pod: {
            topologySpreadConstraints: [
                ...(zoneAware ? [{ maxSkew: 1, topologyKey: ZONE_LABEL, whenUnsatisfiable: "DoNotSchedule", labelSelector }] : []),
                { maxSkew: 1, topologyKey: "kubernetes.io/hostname", whenUnsatisfiable: "ScheduleAnyway", labelSelector },
            ],
        },
    };
}

/** The custom resources' bodies (pure, so tests can validate them against the CRDs directly). */
export function strimziResources(args: StrimziKafkaArgs, namespace: string): StrimziResources {
    const zoneAware = args.zoneAware ?? true;
    const size = STRIMZI_SIZES[args.size as keyof typeof STRIMZI_SIZES];
    const labels = { "strimzi.io/cluster": STRIMZI_CLUSTER };
    const storage = (sizeText: string) => ({
        type: "persistent-claim",
        size: sizeText,
        // A class that retains its volumes (reclaimPolicy Retain) when one is given: see StrimziKafkaArgs.storageClass.
        ...(args.storageClass ? { class: args.storageClass } : {}),
        // Claims outlive the pods and the node pool (Strimzi 1.2.0's default, stated so it cannot drift:
        // KafkaNodePool CRD, "deleteClaim ... Defaults to `false`").
        deleteClaim: false,
    });
    const nodePools = [
        {
            apiVersion: STRIMZI_API,
            kind: "KafkaNodePool",
            metadata: { name: "controllers", namespace, labels },
            spec: {
                replicas: 3, // a KRaft quorum that survives one zone
                roles: ["controller"],
                storage: storage("20Gi"),
                resources: { requests: { cpu: "250m", memory: "1Gi" }, limits: { memory: "1Gi" } },
                template: spread("controllers", zoneAware),
            },
        },
        {
            apiVersion: STRIMZI_API,
            kind: "KafkaNodePool",
            metadata: { name: "brokers", namespace, labels },
            spec: {
                replicas: brokerCount("strimzi", args.size),
                roles: ["broker"],
                storage: storage(size.brokerStorage),
                resources: { requests: { cpu: size.brokerCpu, memory: size.brokerMemory }, limits: { memory: size.brokerMemory } },
                template: spread("brokers", zoneAware),
            },
        },
    ];
    const authentication = args.authentication ?? "scram-sha-512";
    const listener = clientListener(authentication);
    // Strimzi generates a NetworkPolicy per listener that admits every pod unless peers are named: narrow it
    // to the declared clients' namespaces (or, with no clients, to the Kafka namespace itself). In ambient the
    // clients' connections arrive as HBONE (15008), which the namespace admits from every namespace, so the
    // enforcing control is the `kafka-clients` AuthorizationPolicy (by identity); the peers still hold for a
    // client outside the mesh.
    const clientNamespaces = [...new Set(args.clients.map((c) => c.namespace))].sort();
    const networkPolicyPeers = (clientNamespaces.length ? clientNamespaces : [namespace]).map((n) => ({
        namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": n } },
    }));
    const kafka = {
        apiVersion: STRIMZI_API,
        kind: "Kafka",
        metadata: { name: STRIMZI_CLUSTER, namespace },
        spec: {
            kafka: {
                // One in-cluster listener, and it demands client authentication (see clientListener for TLS).
                listeners: [{ name: listener.name, port: listener.port, type: "internal", tls: listener.tls, authentication: { type: authentication }, networkPolicyPeers }],
                // ACLs from the KafkaUsers decide what each client may do.
                authorization: { type: "simple" },
                // Replicas of a partition land in different zones.
                ...(zoneAware ? { rack: { topologyKey: ZONE_LABEL } } : {}),
                config: {
                    "default.replication.factor": 3,
                    "min.insync.replicas": 2,
                    "offsets.topic.replication.factor": 3,
                    "transaction.state.log.replication.factor": 3,
                    "transaction.state.log.min.isr": 2,
                    "unclean.leader.election.enable": false,
                    "auto.create.topics.enable": false,
                },
            },
            // Topic and User operators reconcile the KafkaTopics and KafkaUsers below.
            entityOperator: { topicOperator: {}, userOperator: {} },
        },
    };
    const topics = args.topics.map((t) => {
        const rf = t.replicationFactor ?? 3;
        return {
            apiVersion: STRIMZI_API,
            kind: "KafkaTopic",
            metadata: { name: kubernetesName(t.name), namespace, labels },
            spec: {
                topicName: t.name,
                partitions: t.partitions,
                replicas: rf,
                config: {
                    "cleanup.policy": t.cleanupPolicy,
                    "retention.ms": t.retentionHours * HOUR_MS,
                    "min.insync.replicas": minInSync(rf),
                },
            },
        };
    });
    const users = args.clients.map((c) => {
        const { produces, consumes } = clientTopics(args.topics, c.name);
        const topicAcl = (topic: string, operations: string[]) => ({
            resource: { type: "topic", name: topic, patternType: "literal" },
            operations,
        });
        const acls = [
            ...produces.map((t) => topicAcl(t, ["Write", "Describe"])),
            ...consumes.map((t) => topicAcl(t, ["Read", "Describe"])),
            // Idempotent producers (the Kafka default) need IdempotentWrite on the cluster.
            ...(produces.length ? [{ resource: { type: "cluster" }, operations: ["IdempotentWrite"] }] : []),
            // Consumers own the groups prefixed with their name, and no other.
            ...(consumes.length ? [{ resource: { type: "group", name: c.name, patternType: "prefix" }, operations: ["Read", "Describe"] }] : []),
        ];
        return {
            apiVersion: STRIMZI_API,
            kind: "KafkaUser",
            metadata: { name: c.name, namespace, labels: { ...labels, "platform/client-namespace": c.namespace } },
            spec: {
                // SCRAM: no password here, so the User Operator generates one (KafkaUser CRD 1.2.0, password:
                // "If not set, a new password is generated by the User Operator") into Secret `<user>`; ESO
                // copies it to the client's namespace. No password passes through Pulumi.
                authentication: { type: authentication },
                authorization: { type: "simple", acls },
            },
        };
    });
    return { kafka, nodePools, topics, users };
}

/** A StorageClass that keeps its volumes (reclaimPolicy Retain) for Kafka's brokers and controllers. */
export interface StrimziRetainStorage {
    /** CSI provisioner, e.g. "ebs.csi.aws.com". */
    provisioner: string;
    /** The provisioner's StorageClass parameters. */
    parameters?: Record<string, pulumi.Input<string>>;
}

/** The managed clusters whose CSI driver the component knows (`managedCluster`). */
export const STRIMZI_MANAGED_CLUSTERS = ["eks", "aks", "gke"] as const;

/**
 * The Retain StorageClass for Strimzi's volumes on a managed cluster, for the CSI driver each cluster runs:
 * - EKS: the EBS CSI driver, gp3, encrypted (the account's EBS key, as the nodes' volumes; parameters per
 *   kubernetes-sigs/aws-ebs-csi-driver docs/parameters.md). The driver is an EKS add-on the cluster must run.
 * - AKS: the built-in Azure Disk CSI driver, Premium SSD (LRS: Kafka already replicates across zones, and
 *   WaitForFirstConsumer creates each disk in its broker's zone) (learn.microsoft.com/azure/aks/azure-disk-csi).
 * - GKE: the Compute Engine PD CSI driver (enabled on the cluster), pd-balanced, encrypted with the platform key
 *   (`disk-encryption-kms-key`; the Compute Engine service agent already holds encrypt/decrypt on it for the
 *   boot disks) (cloud.google.com/kubernetes-engine/docs/how-to/using-cmek).
 * Existing clusters: the provisioner is unknown, so none (pass `storageClass` or `retainStorage`).
 */
export function managedClusterRetainStorage(managedCluster: string, diskEncryptionKeyId?: pulumi.Input<string>): StrimziRetainStorage | undefined {
    switch (managedCluster) {
        case "eks":
            return { provisioner: "ebs.csi.aws.com", parameters: { type: "gp3", encrypted: "true" } };
        case "aks":
            return { provisioner: "disk.csi.azure.com", parameters: { skuName: "Premium_LRS" } };
        case "gke":
            return { provisioner: "pd.csi.storage.gke.io", parameters: { type: "pd-balanced", ...(diskEncryptionKeyId ? { "disk-encryption-kms-key": diskEncryptionKeyId } : {}) } };
        default:
            return undefined;
    }
}

export interface StrimziKafkaArgs extends StreamingCommonArgs {
    /** Namespace for the operator and the Kafka cluster (default "kafka"). */
    namespace?: string;
    /**
     * Client authentication: "scram-sha-512" (default: the User Operator generates each client's password
     * and External Secrets Operator delivers it to the client's own namespace) or "tls" (mutual TLS), accepted only when no client lives
     * outside the Kafka namespace: the User Operator writes (and rotates) certificates in the Kafka
     * namespace only, so another namespace could only get them through a secret copier.
     */
    authentication?: string;
    /**
     * StorageClass for broker and controller volumes. Unset (and no `retainStorage`/`managedCluster`): the
     * cluster's default class, whose reclaim policy is usually Delete (a deleted claim deletes the data).
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
     */
    retainStorage?: StrimziRetainStorage;
    /**
     * The managed cluster Kafka runs on: "eks", "aks" or "gke". Without `storageClass` and `retainStorage`,
     * the component creates the Retain class for that cluster's CSI driver (EBS gp3, Azure Premium SSD,
     * GCE pd-balanced). Unset: an existing cluster, whose provisioner is unknown.
     */
    managedCluster?: string;
    /** GKE: the Cloud KMS key that encrypts the Kafka disks (`disk-encryption-kms-key`). */
    diskEncryptionKeyId?: pulumi.Input<string>;
    /**
     * Client namespaces that exist already or that another component creates (the mesh's, the cluster's):
     * the component delivers the client's credential there (`StrimziClientCredentials`), after opts.dependsOn. The Kafka namespace
     * is the component's own. Every other client namespace is created here as a PlatformNamespace.
     */
    existingNamespaces?: string[];
    /**
     * Client namespaces whose owner creates them later and delivers the client's credential itself
     * (`StrimziClientCredentials` with `clientAccess[client].credentials`).
     */
    ownerWrittenNamespaces?: string[];
    /**
     * Spread pools over zones and make Kafka rack-aware on `topology.kubernetes.io/zone` (default true).
     * Only clusters whose nodes carry no zone label (kind, k3d) turn it off.
     */
    zoneAware?: boolean;
    /** The cluster's network facts (KubernetesCluster.networkFacts): DNS, API server, policy engine. */
    network?: ClusterNetworkFacts;
}

/** Problems of StrimziKafka arguments (shared rules on Strimzi, plus Strimzi's own). */
export function strimziKafkaProblems(args: StrimziKafkaArgs): string[] {
    const problems = streamingProblems("strimzi", args, { authentication: args.authentication, namespace: args.namespace });
    const namespaceName = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
    if (args.namespace !== undefined && !namespaceName.test(args.namespace)) problems.push(`namespace: ${show(args.namespace)} is not a namespace name; allowed: a DNS-1123 label`);
    if (args.managedCluster !== undefined && !(STRIMZI_MANAGED_CLUSTERS as readonly string[]).includes(args.managedCluster)) {
        problems.push(`managedCluster: ${show(args.managedCluster)} is not a managed cluster whose CSI driver the component knows; allowed: ${STRIMZI_MANAGED_CLUSTERS.map((c) => show(c)).join(", ")} (or unset, with storageClass or retainStorage)`);
    }
    if (args.retainStorage !== undefined && !args.retainStorage.provisioner) problems.push(`retainStorage.provisioner: ${show(args.retainStorage.provisioner)} is empty; allowed: a CSI provisioner name such as "ebs.csi.aws.com"`);
    const both = (args.existingNamespaces ?? []).filter((n) => (args.ownerWrittenNamespaces ?? []).includes(n));
    for (const n of both) problems.push(`ownerWrittenNamespaces: ${show(n)} is also in existingNamespaces; allowed: each namespace in one list (who writes its credential Secrets)`);
    return problems;
}

/** Strimzi's Kafka on a Kubernetes cluster, with KafkaUser clients and SCRAM credentials in their own namespaces. */
export class StrimziKafka extends pulumi.ComponentResource implements EventStreamingOutputs {
    public readonly bootstrapServers: pulumi.Output<string>;
    public readonly topics: pulumi.Output<string[]>;
    public readonly clientSettings: pulumi.Output<KafkaClientSettings>;
    public readonly clients: pulumi.Output<Record<string, KafkaClient>>;

    /** TypeScript-only: `clientSettings` as a plan-time value. */
    get settings(): KafkaClientSettings {
        return planTimeValuesOf(this).settings;
    }
    /** TypeScript-only: per client, its KafkaUser and (SCRAM) its credential, to write Secrets in namespaces created later. */
    get clientAccess(): Record<string, ClientAccess> {
        return planTimeValuesOf(this).clientAccess;
    }

    constructor(name: string, args: StrimziKafkaArgs, opts?: pulumi.ComponentResourceOptions) {
        const problems = strimziKafkaProblems(args);
        if (problems.length) throw argumentError("StrimziKafka", name, problems);
        // Stacks built before the per-backend components keep their resources: children inherit the alias.
        super("platform:index:StrimziKafka", name, {}, pulumi.mergeOptions(opts, { aliases: [{ type: "platform:index:EventStreaming" }] }));
        const parent = this;
        const protect = args.protect ?? true;
        const namespace = args.namespace ?? DEFAULT_STRIMZI_NAMESPACE;
        const authentication = args.authentication ?? "scram-sha-512";
        const childOpts = { parent, provider: this.getProvider("kubernetes:core/v1:Secret") };
        const upstream = dependencyList(opts?.dependsOn);

        const ns = new PlatformNamespace(
            `${name}-kafka-ns`,
            {
                name: namespace,
                network: args.network,
                // The operators watch and write custom resources, and the brokers' init container reads its
                // node's zone label: all talk to the Kubernetes API server, which is outside the mesh.
                apiServerEgress: true,
            },
            // Deleting the namespace would delete the brokers' claims (and, with a Delete class, their data).
            { ...childOpts, protect: args.protectNamespace ?? protect },
        );

        const operator = new k8s.helm.v3.Release(
            `${name}-strimzi`,
            {
                chart: STRIMZI_CHART.name,
                version: STRIMZI_CHART.version,
                repositoryOpts: { repo: STRIMZI_CHART.repo },
                namespace: ns.namespaceName,
                createNamespace: false,
                skipAwait: false,
                values: {
                    // The operator watches only its own namespace: it cannot touch Kafka clusters elsewhere.
                    watchAnyNamespace: false,
                    watchNamespaces: [],
                    // Operand pods get the `restricted` Pod Security profile the namespace enforces.
                    extraEnvs: [{ name: "STRIMZI_POD_SECURITY_PROVIDER_CLASS", value: "restricted" }],
                },
            },
            { ...childOpts, dependsOn: [ns] },
        );

        // A configured class wins unless a Retain class is asked for; on a managed cluster, its CSI driver's Retain class.
        const retainStorage = args.retainStorage ?? (args.storageClass ? undefined : managedClusterRetainStorage(args.managedCluster ?? "", args.diskEncryptionKeyId));
        if (!retainStorage && !args.storageClass) {
            pulumi.log.warn(
                `StrimziKafka ${name}: args.storageClass is unset: the Kafka volumes use the cluster's default StorageClass, whose reclaim policy is usually Delete (kind's local-path included), so a deleted claim deletes its data; pass a class with reclaimPolicy Retain for data that must survive (docs/kafka.md, Data safety)`,
                this,
            );
        }
        const storageClass = retainStorage
            ? new k8s.storage.v1.StorageClass(
                  `${name}-kafka-storage`,
                  {
                      metadata: { name: STRIMZI_STORAGE_CLASS, labels: { "app.kubernetes.io/managed-by": "pulumi" } },
                      provisioner: retainStorage.provisioner,
                      parameters: retainStorage.parameters,
                      // A released volume (claim deleted, e.g. with its namespace) keeps its disk and data.
                      reclaimPolicy: "Retain",
                      // The disk is created in the zone the broker is scheduled to (zone-spread pools).
                      volumeBindingMode: "WaitForFirstConsumer",
                      allowVolumeExpansion: true,
                  },
                  childOpts,
              )
            : undefined;
        const resources = strimziResources({ ...args, storageClass: storageClass?.metadata.name ?? args.storageClass }, namespace);
        const cr = (resourceName: string, body: Record<string, unknown>, extra: pulumi.CustomResourceOptions = {}) =>
            new k8s.apiextensions.CustomResource(resourceName, body as any, { ...childOpts, dependsOn: [operator], ...extra });

        const pools = resources.nodePools.map((p) => cr(`${name}-pool-${(p.metadata as any).name}`, p, { protect, dependsOn: [operator, ...(storageClass ? [storageClass] : [])] }));
        const kafka = cr(`${name}-kafka`, resources.kafka, { protect, dependsOn: [operator, ...pools] });
        const topicNames = resources.topics.map((t) => {
            cr(`${name}-topic-${(t.metadata as any).name}`, t, { protect, dependsOn: [kafka] });
            return (t.spec as any).topicName as string;
        });
        // Who makes each client namespace: the Kafka namespace is ours; existing ones are waited for (opts.dependsOn);
        // owners that come later deliver their credentials themselves; every other one is created here. The
        // credentials' ExternalSecrets also wait for opts.dependsOn (External Secrets Operator).
        const secretWaitsFor = new Map<string, pulumi.Input<pulumi.Resource>[] | "owner-writes">();
        for (const n of args.existingNamespaces ?? []) secretWaitsFor.set(n, upstream);
        for (const n of args.ownerWrittenNamespaces ?? []) secretWaitsFor.set(n, "owner-writes");
        secretWaitsFor.set(namespace, [ns, ...upstream]);
        for (const clientNs of [...new Set(args.clients.map((c) => c.namespace))].sort()) {
            if (!secretWaitsFor.has(clientNs)) secretWaitsFor.set(clientNs, [new PlatformNamespace(`${name}-client-ns-${clientNs}`, { name: clientNs }, childOpts), ...upstream]);
        }
        const clients: Record<string, ClientAccess> = {};
        resources.users.forEach((u, i) => {
            const c = args.clients[i];
            const user = cr(`${name}-user-${c.name}`, u, { dependsOn: [kafka] });
            let credentials: ClientCredentials | undefined;
            if (authentication === "scram-sha-512") {
                credentials = { secretName: clientCredentialSecretName(c.name), username: c.name, kafkaNamespace: namespace, sourceSecret: userOperatorSecretName(c.name) };
                const waitFor = secretWaitsFor.get(c.namespace)!;
                if (waitFor !== "owner-writes") {
                    new StrimziClientCredentials(`${name}-credentials-${c.name}`, { kafkaNamespace: namespace, namespace: c.namespace, client: c.name }, { ...childOpts, dependsOn: [...waitFor, user] });
                }
            }
            clients[c.name] = {
                kind: "kafka-user",
                identity: user.metadata.name,
                ...(credentials ? { credentials } : {}),
                namespace: c.namespace,
                serviceAccount: c.serviceAccount,
                ...clientTopics(args.topics, c.name),
            };
        });

        // Mesh: the allow-nothing default also covers Kafka, so every flow is named here by identity.
        const kafkaPods = { "strimzi.io/cluster": STRIMZI_CLUSTER, "strimzi.io/kind": "Kafka" };
        // The policies are Istio custom resources: they wait for the mesh's CRDs and istiod (opts.dependsOn) as well as the namespace.
        const policyDeps = [ns, ...upstream];
        allowWorkloads(
            `${name}-kafka-internal`,
            {
                namespace,
                selector: kafkaPods,
                from: [
                    { namespace, serviceAccount: "strimzi-cluster-operator" },
                    { namespace, serviceAccount: `${STRIMZI_CLUSTER}-kafka` }, // brokers ↔ brokers, brokers ↔ controllers
                    { namespace, serviceAccount: `${STRIMZI_CLUSTER}-entity-operator` },
                ],
                ports: STRIMZI_INTERNAL_PORTS,
            },
            { ...childOpts, dependsOn: policyDeps },
        );
        const listener = clientListener(authentication);
        if (args.clients.length) {
            allowWorkloads(
                `${name}-kafka-clients`,
                {
                    namespace,
                    selector: kafkaPods,
                    from: args.clients.map((c) => ({ namespace: c.namespace, serviceAccount: c.serviceAccount })),
                    ports: [listener.port],
                },
                { ...childOpts, dependsOn: policyDeps },
            );
        }

        const settings: KafkaClientSettings = listener.settings;
        keepPlanTimeValues(this, { settings, clientAccess: clients });
        this.bootstrapServers = pulumi.output(`${STRIMZI_CLUSTER}-kafka-bootstrap.${namespace}.svc:${listener.port}`);
        ({ topics: this.topics, clientSettings: this.clientSettings, clients: this.clients } = streamingOutputs(topicNames, settings, clients));
        this.registerOutputs({
            bootstrapServers: this.bootstrapServers,
            topics: this.topics,
            clientSettings: this.clientSettings,
            clients: this.clients,
        });
    }
}
