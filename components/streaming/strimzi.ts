/**
 * Strimzi on the platform's cluster: the operator from its pinned Helm chart, a KRaft `Kafka` whose
 * controllers and brokers are `KafkaNodePool`s spread across zones (rack awareness on
 * `topology.kubernetes.io/zone`), one internal listener with client authentication (SCRAM-SHA-512 by
 * default, carried inside the mesh's mTLS), `simple` ACL authorization, `KafkaTopic`s (3 replicas, min
 * ISR 2) and one `KafkaUser` per client with exactly its ACLs and a platform-generated password, written
 * to a Secret in the client's own namespace. Everything lives in one PlatformNamespace (ambient mesh,
 * restricted, default deny); mesh AuthorizationPolicies admit the operator, the brokers themselves and
 * the declared clients by identity.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { allowWorkloads } from "../mesh/authorization";
import { PlatformNamespace } from "../namespace";
import {
    clientTopics,
    HOUR_MS,
    kafkaCredentialSecret,
    minInSync,
    type ClientAccess,
    type EventStreamingArgs,
    type EventStreamingOutputs,
    type KafkaClientSettings,
} from "./index";
import { brokerCount, kubernetesName } from "./validate";

export const STRIMZI_CHART = { name: "strimzi-kafka-operator", version: "1.2.0", repo: "https://strimzi.io/charts/" } as const;
export const STRIMZI_API = "kafka.strimzi.io/v1";
/** The Kafka cluster's name inside the namespace. */
export const STRIMZI_CLUSTER = "events";
/** The listener of SCRAM clients: SASL without TLS, inside the mesh's mTLS (see `clientListener`). */
export const STRIMZI_SCRAM_PORT = 9092;
/** The listener of mutual-TLS clients (authentication `tls`, clients in the Kafka namespace only). */
export const STRIMZI_TLS_PORT = 9093;
/** Key of the password in the Secret a KafkaUser's password is read from (Kafka namespace). */
export const PASSWORD_SOURCE_KEY = "password";

/** The Secret in the Kafka namespace the User Operator reads a client's password from (not `<user>`: that one the operator writes). */
export const passwordSourceSecret = (client: string) => `${client}-scram-password`;
/** The Secret in the client's namespace its pods read username and password from. */
export const clientCredentialSecretName = (client: string) => `kafka-${client}-credentials`;

/**
 * The client listener. SCRAM-SHA-512 (the default) listens without TLS: Strimzi requires the mesh
 * (stacks/config/mesh.ts refuses Strimzi with the mesh off), every namespace involved is ambient-enrolled
 * and the mesh-wide PeerAuthentication is STRICT, so ztunnel carries client connections in mTLS (HBONE)
 * and refuses plaintext ones; SCRAM is challenge-response, so the password itself never crosses the wire.
 * A TLS listener would make every client trust Strimzi's cluster CA, which the operator keeps (and renews)
 * in `<cluster>-cluster-ca-cert` in the Kafka namespace only: reaching other namespaces would need a
 * secret copier. Mutual TLS (`tls`) keeps the TLS listener, for clients in the Kafka namespace only.
 */
export function clientListener(authentication: "tls" | "scram-sha-512"): { name: string; port: number; tls: boolean; settings: KafkaClientSettings } {
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
export function strimziResources(args: EventStreamingArgs, namespace: string): StrimziResources {
    const s = args.strimzi!;
    const zoneAware = s.zoneAware ?? true;
    const size = STRIMZI_SIZES[args.size];
    const labels = { "strimzi.io/cluster": STRIMZI_CLUSTER };
    const storage = (sizeText: string) => ({
        type: "persistent-claim",
        size: sizeText,
        // A class that retains its volumes (reclaimPolicy Retain) when one is given: see EventStreamingArgs.strimzi.storageClass.
        ...(s.storageClass ? { class: s.storageClass } : {}),
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
    const authentication = s.authentication ?? "scram-sha-512";
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
        const { produces, consumes } = clientTopics(args, c.name);
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
                // SCRAM: the password is the platform's (the Secret below), not one the User Operator generates,
                // so it can also be written to the client's namespace. KafkaUser CRD (1.2.0):
                // spec.authentication.password.valueFrom.secretKeyRef, "a Secret in the resource's namespace".
                authentication:
                    authentication === "scram-sha-512"
                        ? { type: authentication, password: { valueFrom: { secretKeyRef: { name: passwordSourceSecret(c.name), key: PASSWORD_SOURCE_KEY } } } }
                        : { type: authentication },
                authorization: { type: "simple", acls },
            },
        };
    });
    return { kafka, nodePools, topics, users };
}

export function createStrimziStreaming(parent: pulumi.Resource, name: string, args: EventStreamingArgs): EventStreamingOutputs {
    const s = args.strimzi!;
    const protect = args.protect ?? true;
    const namespace = s.namespace ?? "kafka";
    const opts = { parent, provider: s.provider };
    const authentication = s.authentication ?? "scram-sha-512";

    const ns = new PlatformNamespace(
        `${name}-kafka-ns`,
        {
            name: namespace,
            network: s.network,
            // The operators watch and write custom resources, and the brokers' init container reads its
            // node's zone label: all talk to the Kubernetes API server, which is outside the mesh.
            apiServerEgress: true,
        },
        // Deleting the namespace would delete the brokers' claims (and, with a Delete class, their data).
        { ...opts, protect: s.protectNamespace ?? protect },
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
        { ...opts, dependsOn: [ns] },
    );

    const storageClass = s.retainStorage
        ? new k8s.storage.v1.StorageClass(
              `${name}-kafka-storage`,
              {
                  metadata: { name: STRIMZI_STORAGE_CLASS, labels: { "app.kubernetes.io/managed-by": "pulumi" } },
                  provisioner: s.retainStorage.provisioner,
                  parameters: s.retainStorage.parameters,
                  // A released volume (claim deleted, e.g. with its namespace) keeps its disk and data.
                  reclaimPolicy: "Retain",
                  // The disk is created in the zone the broker is scheduled to (zone-spread pools).
                  volumeBindingMode: "WaitForFirstConsumer",
                  allowVolumeExpansion: true,
              },
              opts,
          )
        : undefined;
    const resources = strimziResources({ ...args, strimzi: { ...s, storageClass: storageClass?.metadata.name ?? s.storageClass } }, namespace);
    const cr = (resourceName: string, body: Record<string, unknown>, extra: pulumi.CustomResourceOptions = {}) =>
        new k8s.apiextensions.CustomResource(resourceName, body as any, { ...opts, dependsOn: [operator], ...extra });

    const pools = resources.nodePools.map((p) => cr(`${name}-pool-${(p.metadata as any).name}`, p, { protect, dependsOn: [operator, ...(storageClass ? [storageClass] : [])] }));
    const kafka = cr(`${name}-kafka`, resources.kafka, { protect, dependsOn: [operator, ...pools] });
    const topicNames = resources.topics.map((t) => {
        cr(`${name}-topic-${(t.metadata as any).name}`, t, { protect, dependsOn: [kafka] });
        return pulumi.output((t.spec as any).topicName as string);
    });
    // SCRAM passwords are generated here (RandomPassword: a Pulumi secret, encrypted in state and masked in
    // previews), so they can be written to the clients' own namespaces on the first `pulumi up`: no copier, no
    // new CRD. Random resources need their own (explicit) provider.
    const randomProvider = authentication === "scram-sha-512" && args.clients.length ? new random.Provider(`${name}-random`, {}, { parent }) : undefined;
    // Client namespaces nobody else creates are created here, like the mesh call graph's workload namespaces.
    const clientNamespaces = new Map<string, pulumi.Resource[] | "owner-writes">(Object.entries(s.clientNamespaces ?? {}));
    clientNamespaces.set(namespace, [ns]);
    for (const clientNs of [...new Set(args.clients.map((c) => c.namespace))].sort()) {
        if (!clientNamespaces.has(clientNs)) clientNamespaces.set(clientNs, [new PlatformNamespace(`${name}-client-ns-${clientNs}`, { name: clientNs }, opts)]);
    }
    const clients: Record<string, ClientAccess> = {};
    resources.users.forEach((u, i) => {
        const c = args.clients[i];
        let credentials: ClientAccess["credentials"];
        const userDeps: pulumi.Resource[] = [kafka];
        if (randomProvider) {
            // Alphanumeric: no quoting problems in a JAAS line or an env var; 32 characters ≈ 190 bits.
            const password = new random.RandomPassword(`${name}-password-${c.name}`, { length: 32, special: false }, { parent, provider: randomProvider });
            credentials = { secretName: clientCredentialSecretName(c.name), username: c.name, password: password.result };
            userDeps.push(
                new k8s.core.v1.Secret(
                    `${name}-password-${c.name}`,
                    {
                        metadata: { name: passwordSourceSecret(c.name), namespace, labels: { "app.kubernetes.io/managed-by": "pulumi" } },
                        type: "Opaque",
                        stringData: { [PASSWORD_SOURCE_KEY]: password.result },
                    },
                    { ...opts, dependsOn: [ns] },
                ),
            );
            const where = clientNamespaces.get(c.namespace)!;
            if (where !== "owner-writes") kafkaCredentialSecret(`${name}-credentials-${c.name}`, credentials, c.namespace, { ...opts, dependsOn: where });
        }
        const user = cr(`${name}-user-${c.name}`, u, { dependsOn: userDeps });
        clients[c.name] = {
            kind: "kafka-user",
            identity: user.metadata.name,
            ...(credentials ? { credentials } : {}),
            namespace: c.namespace,
            serviceAccount: c.serviceAccount,
            ...clientTopics(args, c.name),
        };
    });

    // Mesh: the allow-nothing default also covers Kafka, so every flow is named here by identity.
    const kafkaPods = { "strimzi.io/cluster": STRIMZI_CLUSTER, "strimzi.io/kind": "Kafka" };
    // The policies are Istio custom resources: they wait for the mesh's CRDs and istiod as well as the namespace.
    const policyDeps = [ns, ...(s.meshReady ?? [])];
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
        { ...opts, dependsOn: policyDeps },
    );
    if (args.clients.length) {
        allowWorkloads(
            `${name}-kafka-clients`,
            {
                namespace,
                selector: kafkaPods,
                from: args.clients.map((c) => ({ namespace: c.namespace, serviceAccount: c.serviceAccount })),
                ports: [clientListener(authentication).port],
            },
            { ...opts, dependsOn: policyDeps },
        );
    }

    const listener = clientListener(authentication);
    return {
        bootstrapServers: pulumi.output(`${STRIMZI_CLUSTER}-kafka-bootstrap.${namespace}.svc:${listener.port}`),
        clientSettings: listener.settings,
        topics: topicNames,
        clients,
    };
}
