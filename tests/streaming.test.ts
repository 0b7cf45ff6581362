import * as k8s from "@pulumi/kubernetes";
import { beforeAll, describe, expect, it } from "vitest";
import {
    EventHubsKafka,
    GcpManagedKafka,
    MskKafka,
    StrimziKafka,
    streamingBackendFor,
    strimziKafkaProblems,
    type EventHubsKafkaArgs,
    type GcpManagedKafkaArgs,
    type MskKafkaArgs,
    type StrimziKafkaArgs,
} from "../components/streaming";
import { strimziResources } from "../components/streaming/strimzi";
import { ConfigError, parsePlatformConfig } from "../stacks/config";
import { planStack, type Plan, type RecordedResource } from "../tools/plan";
import { runUnderMocks } from "../tools/plan/runtime";
import { packageSchema } from "../tools/schema";
import { customResourcesOf, validateCustomResource } from "./crd";

const byType = (plan: Plan, type: string) => plan.resources.filter((r) => r.type === type);
const one = (plan: Plan, type: string): RecordedResource => {
    const found = byType(plan, type);
    expect(found, type).toHaveLength(1);
    return found[0];
};

describe("dev stack plan: managed Kafka on every cloud", () => {
    let plan: Plan;
    beforeAll(async () => {
        plan = await planStack("dev");
    }, 120_000);

    it("MSK: three private brokers over three AZs, TLS everywhere, IAM only, platform key, broker logs, protected", () => {
        const cluster = one(plan, "aws:msk/cluster:Cluster");
        const i = cluster.inputs as any;
        expect(i.numberOfBrokerNodes).toBe(3);
        expect(i.brokerNodeGroupInfo.clientSubnets).toHaveLength(3);
        expect(i.brokerNodeGroupInfo.connectivityInfo.publicAccess.type).toBe("DISABLED");
        expect(i.clientAuthentication).toEqual({ sasl: { iam: true, scram: false }, unauthenticated: false });
        expect(i.encryptionInfo.encryptionInTransit).toEqual({ clientBroker: "TLS", inCluster: true });
        const key = one(plan, "aws:kms/key:Key");
        expect(i.encryptionInfo.encryptionAtRestKmsKeyArn).toMatch(/^arn:aws:kms:/);
        expect(cluster.dependencies).toContain(key.urn);
        expect(i.loggingInfo.brokerLogs.cloudwatchLogs.enabled).toBe(true);
        expect(cluster.protect).toBe(true);

        const props = (one(plan, "aws:msk/configuration:Configuration").inputs as any).serverProperties.split("\n");
        for (const p of ["default.replication.factor=3", "min.insync.replicas=2", "auto.create.topics.enable=false", "unclean.leader.election.enable=false"]) {
            expect(props).toContain(p);
        }
    });

    it("MSK: the broker security group admits only the cluster nodes' group on the IAM port", () => {
        const sg = plan.resources.find((r) => r.type === "aws:ec2/securityGroup:SecurityGroup" && r.name.endsWith("-brokers"))!;
        expect((sg.inputs as any).ingress ?? []).toEqual([]);
        const rules = byType(plan, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule").filter((r) => r.parent.endsWith("MskKafka::plt-dev-aws"));
        expect(rules).toHaveLength(1);
        const rule = rules[0].inputs as any;
        expect(rule).toMatchObject({ fromPort: 9098, toPort: 9098, ipProtocol: "tcp" });
        expect(rule.referencedSecurityGroupId).toMatch(/^sg-/);
        expect(rule.cidrIpv4).toBeUndefined();
    });

    it("MSK: topics are protected resources with RF 3 and min ISR 2", () => {
        const topics = byType(plan, "aws:msk/topic:Topic");
        expect(topics.map((t) => (t.inputs as any).name).sort()).toEqual(["customer-profiles", "orders"]);
        for (const t of topics) {
            expect(t.protect).toBe(true);
            expect((t.inputs as any).replicationFactor).toBe(3);
            expect(JSON.parse((t.inputs as any).configs)).toMatchObject({ "min.insync.replicas": "2", "cleanup.policy": "delete", "retention.ms": String(168 * 3_600_000) });
        }
    });

    it("MSK: each client is a Pod Identity role with only its topics and its own consumer groups", () => {
        const policy = plan.resources.find((r) => r.type === "aws:iam/rolePolicy:RolePolicy" && r.name.endsWith("-kafka-checkout"))!;
        const doc = JSON.parse((policy.inputs as any).policy);
        const sid = (s: string) => doc.Statement.find((x: any) => x.Sid === s);
        expect(sid("Produce").Resource).toEqual([expect.stringMatching(/:topic\/plt-dev-aws-kafka\/[^/]+\/orders$/)]);
        expect(sid("Consume").Resource).toEqual([expect.stringMatching(/:topic\/plt-dev-aws-kafka\/[^/]+\/customer-profiles$/)]);
        expect(sid("ConsumerGroups").Resource).toMatch(/:group\/plt-dev-aws-kafka\/[^/]+\/checkout\*$/);
        expect(sid("Connect").Action).toContain("kafka-cluster:Connect");
        // No wildcard actions or resources beyond the client's own group prefix.
        expect(JSON.stringify(doc)).not.toMatch(/kafka-cluster:\*|"Resource":"\*"/);
        const assoc = plan.resources.find((r) => r.type === "aws:eks/podIdentityAssociation:PodIdentityAssociation" && r.name.endsWith("-kafka-checkout"))!;
        expect(assoc.inputs).toMatchObject({ namespace: "checkout", serviceAccount: "checkout" });
        const role = plan.resources.find((r) => r.type === "aws:iam/role:Role" && r.name.endsWith("-kafka-checkout"))!;
        expect(JSON.parse((role.inputs as any).assumeRolePolicy).Statement[0].Principal).toEqual({ Service: "pods.eks.amazonaws.com" });
    });

    it("Event Hubs: Entra-only, TLS 1.2, private, zone-redundant namespace with a private endpoint and its DNS zone", () => {
        const ns = one(plan, "azure-native:eventhub:Namespace");
        expect(ns.inputs).toMatchObject({ disableLocalAuth: true, minimumTlsVersion: "1.2", publicNetworkAccess: "Disabled", zoneRedundant: true, kafkaEnabled: true });
        expect(ns.protect).toBe(true);
        // The Container Apps environment has its own zone and link (its default domain), and the platform
        // Key Vault its endpoint for Container Apps' secrets (docs/serverless.md, Secrets); these are Kafka's.
        const kafkaDns = (type: string) => {
            const found = byType(plan, type).filter((r) => !/platform:index:(ContainerAppsEnvironment|KeyVaultPrivateEndpoint)::/.test(r.parent));
            expect(found, type).toHaveLength(1);
            return found[0]!;
        };
        const pe = kafkaDns("azure-native:network:PrivateEndpoint").inputs as any;
        expect(pe.privateLinkServiceConnections[0].groupIds).toEqual(["namespace"]);
        expect(pe.subnet.id).toMatch(/\/subnets\//);
        expect((kafkaDns("azure-native:privatedns:PrivateZone").inputs as any).privateZoneName).toBe("privatelink.servicebus.windows.net");
        expect((kafkaDns("azure-native:privatedns:VirtualNetworkLink").inputs as any).virtualNetwork.id).toMatch(/virtualNetworks/);
        expect(kafkaDns("azure-native:network:PrivateDnsZoneGroup")).toBeDefined();
    });

    it("Event Hubs: each topic an event hub; sender/receiver roles for exactly the declared clients, scoped to the hub", () => {
        const hubs = byType(plan, "azure-native:eventhub:EventHub");
        const orders = hubs.find((h) => (h.inputs as any).eventHubName === "orders")!;
        expect(orders.inputs).toMatchObject({ partitionCount: 6, retentionDescription: { cleanupPolicy: "Delete", retentionTimeInHours: 168 } });
        expect(orders.protect).toBe(true);
        const grants = byType(plan, "azure-native:authorization:RoleAssignment").filter((r) => r.parent.includes("EventHubsKafka"));
        const summary = grants.map((g) => {
            const i = g.inputs as any;
            const role = i.roleDefinitionId.endsWith("2b629674-e913-4c01-ae53-ef4638d8f975") ? "sender" : i.roleDefinitionId.endsWith("a638d3c7-ab3a-418d-83e6-5f17a39d4fde") ? "receiver" : "other";
            return `${g.name.split("-kafka-")[1].split("-")[0]}:${role}:${i.scope.split("/eventhubs/")[1]}`;
        });
        expect(summary.sort()).toEqual(["accounts:sender:customer-profiles", "checkout:receiver:customer-profiles", "checkout:sender:orders", "fulfilment:receiver:orders"]);
    });

    it("Managed Kafka: cluster in the platform subnet with CMEK; topics RF 3 / min ISR 2; ACLs name service accounts, never User:*", () => {
        const cluster = one(plan, "gcp:managedkafka/cluster:Cluster");
        const i = cluster.inputs as any;
        expect(i.gcpConfig.kmsKey).toMatch(/cryptoKeys/);
        expect(i.gcpConfig.accessConfig.networkConfigs[0].subnet).toMatch(/subnetworks/);
        expect(cluster.protect).toBe(true);
        for (const t of byType(plan, "gcp:managedkafka/topic:Topic")) {
            expect(t.inputs).toMatchObject({ replicationFactor: 3, configs: { "min.insync.replicas": "2" } });
            expect(t.protect).toBe(true);
        }
        const acls = byType(plan, "gcp:managedkafka/acl:Acl");
        const orders = acls.find((a) => (a.inputs as any).aclId === "topic/orders")!.inputs as any;
        expect(orders.aclEntries.map((e: any) => `${e.principal.split("@")[0]}:${e.operation}`).sort()).toEqual(
            expect.arrayContaining([expect.stringMatching(/^User:kafka-checkout-.*:WRITE$/), expect.stringMatching(/^User:kafka-fulfilment-.*:READ$/)]),
        );
        for (const a of acls) for (const e of (a.inputs as any).aclEntries) expect(e.principal).toMatch(/^User:[^*]+@platform-dev-123456\.iam\.gserviceaccount\.com$/);
        // The Managed Kafka service agent may use the key.
        const grant = byType(plan, "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember").find((r) => r.name.endsWith("-kafka-cmek"))!;
        expect((grant.inputs as any).member).toMatch(/@gcp-sa-managedkafka\.iam\.gserviceaccount\.com$/);
    });

    it("outputs bootstrap servers and each client's identity per cloud", () => {
        const kafka = plan.outputs.kafka as any;
        expect(Object.keys(kafka).sort()).toEqual(["aws", "azure", "gcp"]);
        expect(kafka.aws.bootstrapServers).toMatch(/:9098/);
        expect(kafka.azure.bootstrapServers).toMatch(/\.servicebus\.windows\.net:9093$/);
        expect(kafka.gcp.bootstrapServers).toMatch(/^bootstrap\.plt-dev-gcp-kafka\.[a-z0-9-]+\.managedkafka\.platform-dev-123456\.cloud\.goog:9092$/);
        expect(kafka.aws.clients.checkout.identity).toMatch(/^arn:aws:iam::\d+:role\//);
        expect(kafka.azure.clients.checkout.kind).toBe("managed-identity");
        expect(kafka.gcp.clients.checkout.identity).toMatch(/@platform-dev-123456\.iam\.gserviceaccount\.com$/);
    });

    it("tells clients each backend's security.protocol and sasl.mechanism, with credentials from workload identity (no secret)", () => {
        const kafka = plan.outputs.kafka as any;
        const settings = Object.fromEntries(Object.entries(kafka).map(([target, k]: [string, any]) => [target, k.clientSettings]));
        expect(settings).toEqual({
            aws: { securityProtocol: "SASL_SSL", saslMechanism: "AWS_MSK_IAM", credential: "workload-identity" },
            azure: { securityProtocol: "SASL_SSL", saslMechanism: "OAUTHBEARER", credential: "workload-identity" },
            gcp: { securityProtocol: "SASL_SSL", saslMechanism: "OAUTHBEARER", credential: "workload-identity" },
        });
        for (const k of Object.values(kafka) as any[]) for (const c of Object.values(k.clients) as any[]) expect(c.credentials).toBeUndefined();
    });
});

describe("kubernetes-target stack: Strimzi", () => {
    let plan: Plan;
    beforeAll(async () => {
        // The Kafka declarations of the local stack alone (its services add graph-derived clients).
        plan = await planStack("local", { "platform:services": [] });
    }, 60_000);

    it("every Strimzi custom resource validates against the 1.2.0 CRDs", () => {
        const crs = customResourcesOf(plan.resources).filter((r) => r.type.startsWith("kubernetes:kafka.strimzi.io/"));
        expect(crs.map((r) => (r.inputs as any).kind).sort()).toEqual(["Kafka", "KafkaNodePool", "KafkaNodePool", "KafkaTopic", "KafkaUser", "KafkaUser"]);
        // Ours: the Strimzi resources and the mesh policies of the Kafka namespace.
        const ours = customResourcesOf(plan.resources).filter((r) => r.type.startsWith("kubernetes:kafka.strimzi.io/") || (r.inputs as any).metadata?.namespace === "kafka");
        expect(ours.length).toBeGreaterThan(crs.length);
        for (const r of ours) expect(validateCustomResource(r.inputs as any).errors, r.name).toEqual([]);
    });

    it("KRaft pools, one SCRAM listener (inside the mesh's mTLS), simple authorization, safe replication", () => {
        const kafka = plan.resources.find((r) => r.type === "kubernetes:kafka.strimzi.io/v1:Kafka")!;
        const spec = (kafka.inputs as any).spec.kafka;
        expect(spec.listeners).toEqual([
            {
                name: "scram",
                port: 9092,
                type: "internal",
                tls: false,
                authentication: { type: "scram-sha-512" },
                // Strimzi's generated listener NetworkPolicy admits only the declared clients' namespaces.
                networkPolicyPeers: [
                    { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "checkout" } } },
                    { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "fulfilment" } } },
                ],
            },
        ]);
        expect(spec.authorization).toEqual({ type: "simple" });
        // Acknowledged writes survive a broker loss: RF 3 with min ISR 2, for user topics and Kafka's own.
        expect(spec.config).toMatchObject({
            "min.insync.replicas": 2,
            "default.replication.factor": 3,
            "offsets.topic.replication.factor": 3,
            "transaction.state.log.replication.factor": 3,
            "transaction.state.log.min.isr": 2,
            "unclean.leader.election.enable": false,
            "auto.create.topics.enable": false,
        });
        for (const t of plan.resources.filter((r) => r.type === "kubernetes:kafka.strimzi.io/v1:KafkaTopic")) {
            expect((t.inputs as any).spec).toMatchObject({ replicas: 3, config: { "min.insync.replicas": 2 } });
        }
        expect(kafka.protect).toBe(true);
        const pools = plan.resources.filter((r) => r.type === "kubernetes:kafka.strimzi.io/v1:KafkaNodePool").map((p) => (p.inputs as any).spec);
        expect(pools.map((p) => p.roles[0]).sort()).toEqual(["broker", "controller"]);
        for (const p of pools) expect(p.storage.deleteClaim).toBe(false);
        const release = byType(plan, "kubernetes:helm.sh/v3:Release").find((r) => (r.inputs as any).chart === "strimzi-kafka-operator")!.inputs as any;
        expect(release).toMatchObject({ chart: "strimzi-kafka-operator", version: "1.2.0", repositoryOpts: { repo: "https://strimzi.io/charts/" }, createNamespace: false, namespace: "kafka" });
    });

    it("KafkaUsers carry exactly their ACLs; the mesh admits the declared clients on the client port", () => {
        const users = Object.fromEntries(
            plan.resources.filter((r) => r.type === "kubernetes:kafka.strimzi.io/v1:KafkaUser").map((u) => [(u.inputs as any).metadata.name, (u.inputs as any).spec]),
        );
        expect(users.checkout.authorization.acls).toEqual([
            { resource: { type: "topic", name: "orders", patternType: "literal" }, operations: ["Write", "Describe"] },
            { resource: { type: "cluster" }, operations: ["IdempotentWrite"] },
        ]);
        expect(users.fulfilment.authorization.acls).toContainEqual({ resource: { type: "group", name: "fulfilment", patternType: "prefix" }, operations: ["Read", "Describe"] });
        const policies = plan.resources.filter((r) => r.type === "kubernetes:security.istio.io/v1:AuthorizationPolicy" && r.name.includes("-kafka-"));
        const clients = policies.find((p) => p.name.endsWith("-kafka-clients"))!.inputs as any;
        expect(clients.spec.rules[0].from[0].source.principals.sort()).toEqual(["cluster.local/ns/checkout/sa/checkout", "cluster.local/ns/fulfilment/sa/fulfilment"]);
        expect(clients.spec.rules[0].to[0].operation.ports).toEqual(["9092"]);
    });

    it("every KafkaUser lets the User Operator generate its password, and ESO delivers it to the client's namespace: a store whose reader may get only that user's Secret", () => {
        const users = plan.resources.filter((r) => r.type === "kubernetes:kafka.strimzi.io/v1:KafkaUser");
        const at = (type: string, namespace: string, name: string) =>
            plan.resources.find((r) => r.type === type && (r.rawInputs as any).metadata?.namespace === namespace && (r.rawInputs as any).metadata?.name === name);
        expect(users.length).toBe(2);
        for (const u of users) {
            const user = u.rawInputs as any;
            const client = user.metadata.name;
            // No password in the KafkaUser: the User Operator generates it into Secret `<user>` (KafkaUser CRD 1.2.0).
            expect(user.spec.authentication).toEqual({ type: "scram-sha-512" });
            const clientNs = user.metadata.labels["platform/client-namespace"];
            // The reader may `get` exactly the User Operator's Secret of this client in the Kafka namespace.
            const role = at("kubernetes:rbac.authorization.k8s.io/v1:Role", "kafka", `kafka-${client}-secrets-reader`)!;
            expect((role.rawInputs as any).rules).toEqual([{ apiGroups: [""], resources: ["secrets"], resourceNames: [client], verbs: ["get"] }]);
            const binding = at("kubernetes:rbac.authorization.k8s.io/v1:RoleBinding", "kafka", `kafka-${client}-secrets-reader`)!;
            expect((binding.rawInputs as any).subjects).toEqual([{ kind: "ServiceAccount", name: `kafka-${client}-secrets-reader`, namespace: clientNs }]);
            const store = at("kubernetes:external-secrets.io/v1:SecretStore", clientNs, `kafka-${client}-secrets`)!;
            expect((store.rawInputs as any).spec.provider.kubernetes).toMatchObject({ remoteNamespace: "kafka", auth: { serviceAccount: { name: `kafka-${client}-secrets-reader` } } });
            // The client's pods read `kafka-<client>-credentials` with the keys they always read (CREDENTIAL_KEYS).
            const external = at("kubernetes:external-secrets.io/v1:ExternalSecret", clientNs, `kafka-${client}-secrets`)!;
            const spec = (external.rawInputs as any).spec;
            expect(spec.data).toEqual([{ secretKey: "password", remoteRef: { key: client, property: "password" } }]);
            expect(spec.target).toMatchObject({ name: `kafka-${client}-credentials`, creationPolicy: "Owner", template: { data: { username: client, password: "{{ .password }}" } } });
            // It waits for the client's namespace (created here: nobody else does) and the KafkaUser.
            const ns = plan.resources.find((r) => r.type === "kubernetes:core/v1:Namespace" && (r.rawInputs as any).metadata.name === clientNs)!;
            const credentials = plan.resources.find((r) => r.type === "platform:index:StrimziClientCredentials" && r.name.endsWith(`-credentials-${client}`))!;
            expect(credentials.dependencies).toEqual(expect.arrayContaining([ns.urn, u.urn]));
            for (const cr of [store, external]) expect(validateCustomResource(cr.rawInputs as any).errors).toEqual([]);
        }
        // No password passes through Pulumi: no Secret with a credential, no random provider.
        expect(plan.resources.filter((r) => r.type === "kubernetes:core/v1:Secret")).toEqual([]);
        expect(plan.resources.filter((r) => r.type.startsWith("random:") || r.type === "pulumi:providers:random")).toEqual([]);
        expect((plan.outputs.kafka as any).kubernetes.clientSettings).toEqual({ securityProtocol: "SASL_PLAINTEXT", saslMechanism: "SCRAM-SHA-512", credential: "kubernetes-secret" });
    });

    it("a client in a namespace another capability creates (the mesh's workloads) gets its credential there, and no namespace is declared twice", async () => {
        const shared = await planStack("local", {
            "platform:services": [],
            "platform:kafka": { enabled: true, strimzi: { zoneAware: false }, topics: [{ name: "orders", producers: ["orders"] }], clients: [{ name: "orders", namespace: "shop" }] },
        });
        const names = shared.resources.filter((r) => r.type === "kubernetes:core/v1:Namespace").map((r) => (r.rawInputs as any).metadata.name);
        expect(names.filter((n, i) => names.indexOf(n) !== i)).toEqual([]);
        expect(names).toContain("shop"); // the mesh call graph's (Pulumi.local.yaml: workload orders in shop)
        const external = shared.resources.find((r) => r.type === "kubernetes:external-secrets.io/v1:ExternalSecret" && (r.rawInputs as any).metadata.namespace === "shop")!;
        expect((external.rawInputs as any).spec.target.name).toBe("kafka-orders-credentials");
        // It waits for the mesh, whose call graph creates the namespace, and for External Secrets Operator.
        const credentials = shared.resources.find((r) => r.type === "platform:index:StrimziClientCredentials" && r.name.endsWith("-credentials-orders"))!;
        const shopNs = shared.resources.find((r) => r.type === "kubernetes:core/v1:Namespace" && (r.rawInputs as any).metadata.name === "shop")!;
        const eso = shared.resources.find((r) => r.type === "kubernetes:helm.sh/v3:Release" && (r.rawInputs as any).chart === "external-secrets")!;
        expect(credentials.dependencies).toEqual(expect.arrayContaining([shopNs.urn, eso.urn]));
    }, 120_000);

    it("the Kafka namespace is protected (deleting it would delete the brokers' claims); without a configured class the volumes use the cluster default", () => {
        const ns = plan.resources.find((r) => r.type === "kubernetes:core/v1:Namespace" && (r.rawInputs as any).metadata.name === "kafka")!;
        expect(ns.protect).toBe(true);
        // kind/existing clusters: no provisioner is known, so no class is created (a warning says so).
        expect(plan.resources.filter((r) => r.type === "kubernetes:storage.k8s.io/v1:StorageClass")).toEqual([]);
        for (const p of plan.resources.filter((r) => r.type === "kubernetes:kafka.strimzi.io/v1:KafkaNodePool")) expect((p.inputs as any).spec.storage.class).toBeUndefined();
    });

    it("with zone awareness on (managed clusters), pools spread over zones and Kafka is rack-aware", () => {
        const r = strimziResources({ size: "large", topics: [], clients: [] }, "kafka");
        expect((r.kafka.spec as any).kafka.rack).toEqual({ topologyKey: "topology.kubernetes.io/zone" });
        // No clients: the listener's NetworkPolicy admits only the Kafka namespace itself, never every pod.
        expect((r.kafka.spec as any).kafka.listeners[0].networkPolicyPeers).toEqual([{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kafka" } } }]);
        const brokers = r.nodePools.find((p) => (p.metadata as any).name === "brokers")!.spec as any;
        expect(brokers.replicas).toBe(6);
        expect(brokers.template.pod.topologySpreadConstraints[0]).toMatchObject({ topologyKey: "topology.kubernetes.io/zone", whenUnsatisfiable: "DoNotSchedule" });
        for (const cr of [r.kafka, ...r.nodePools]) expect(validateCustomResource(cr as any).errors).toEqual([]);
    });
});

describe("bad input: a clear error before anything is registered", () => {
    const base = (over: Partial<StrimziKafkaArgs>): StrimziKafkaArgs => ({
        size: "small",
        clients: [{ name: "checkout", namespace: "shop", serviceAccount: "checkout" }],
        topics: [{ name: "orders", partitions: 3, retentionHours: 24, cleanupPolicy: "delete", producers: ["checkout"], consumers: [] }],
        ...over,
    });
    const azureArgs = (over: Partial<EventHubsKafkaArgs>): EventHubsKafkaArgs => ({ ...base({}), resourceGroupName: "rg", location: "westeurope", vnetId: "v", subnetId: "s", ...over });
    async function attempt(build: () => unknown) {
        const error = await runUnderMocks(build, { project: "platform", stack: "test" }).then(
            () => undefined,
            (e: Error) => e,
        );
        return { error };
    }
    const strimzi = (over: Partial<StrimziKafkaArgs>) => () => new StrimziKafka("events", base(over), { provider: new k8s.Provider("k8s", { context: "kind-test" }) });
    const eventHubs = (over: Partial<EventHubsKafkaArgs>) => () => new EventHubsKafka("events", azureArgs(over));
    const topic = (over: object) => [{ name: "orders", partitions: 3, retentionHours: 24, cleanupPolicy: "delete", producers: ["checkout"], consumers: [], ...over }];
    const cases: [string, () => unknown, RegExp][] = [
        ["zero partitions", strimzi({ topics: topic({ partitions: 0 }) }), /^StrimziKafka events: args\.topics\[0\]\.partitions: 0 must be a whole number of at least 1$/],
        ["replication above the broker count", strimzi({ topics: topic({ replicationFactor: 4 }) }), /topics\[0\]\.replicationFactor: 4 exceeds the 3 brokers of size small; allowed: 1-3/],
        ["an invalid Kafka topic name", strimzi({ topics: topic({ name: "orders/eu" }) }), /topics\[0\]\.name: "orders\/eu" is not a valid Kafka topic name/],
        ["an invalid event hub name", eventHubs({ topics: topic({ name: "orders." }) }), /^EventHubsKafka events: args\.topics\[0\]\.name: "orders\." is not a valid event hub name/],
        ["an undeclared client", strimzi({ topics: topic({ consumers: ["billing"] }) }), /topics\[0\]\.consumers\[0\]: "billing" is not a declared client; allowed: checkout/],
        ["too many partitions for Event Hubs Standard", eventHubs({ topics: topic({ partitions: 64 }) }), /partitions: 64 exceeds the backend's limit; allowed: 1-32/],
        ["fewer than three copies while protected", strimzi({ topics: topic({ replicationFactor: 1 }) }), /replicationFactor: 1 could lose acknowledged data/],
        // Closed sets are strings in the schema: the constructor names what is allowed.
        ["an unknown size", strimzi({ size: "huge" }), /^StrimziKafka events: args\.size: "huge" is not a size class; allowed: "small", "medium", "large"$/],
        ["an unknown cleanup policy", strimzi({ topics: topic({ cleanupPolicy: "forever" }) }), /args\.topics\[0\]\.cleanupPolicy: "forever" is not a cleanup policy; allowed: "delete", "compact"/],
        ["an unknown Strimzi authentication", strimzi({ authentication: "plain" }), /^StrimziKafka events: args\.authentication: "plain" is not a Strimzi client authentication; allowed: "scram-sha-512", "tls"$/],
        ["an unknown managed cluster", strimzi({ managedCluster: "openshift" }), /^StrimziKafka events: args\.managedCluster: "openshift" is not a managed cluster .*; allowed: "eks", "aks", "gke"/],
        ["an Event Hubs tier without a Kafka endpoint", eventHubs({ tier: "Basic" }), /^EventHubsKafka events: args\.tier: "Basic" is not an Event Hubs tier with a Kafka endpoint; allowed: "Standard", "Premium"$/],
        [
            "a provisioned MSK cluster without three subnets",
            () => new MskKafka("events", { ...base({}), ...awsArgs, subnetIds: ["subnet-a"] }),
            /^MskKafka events: args\.subnetIds: "1 subnets" must be one private subnet in each of three availability zones/,
        ],
        ["an MSK version that is not one", () => new MskKafka("events", { ...base({}), ...awsArgs, kafkaVersion: "latest" }), /^MskKafka events: args\.kafkaVersion: "latest" is not an MSK Kafka version/],
        ["a Google region that is not one", () => new GcpManagedKafka("events", { ...base({}), ...gcpArgs, region: "Europe West" }), /^GcpManagedKafka events: args\.region: "Europe West" is not a Google Cloud region/],
    ];
    it.each(cases)("%s", async (_label, build, expected) => {
        const { error } = await attempt(build);
        expect(error?.message).toMatch(expected);
    });

    it("reports every problem at once, one line each naming class, name and argument", async () => {
        const { error } = await attempt(strimzi({ size: "huge", topics: topic({ partitions: 0, consumers: ["billing"] }) }));
        expect(error?.message.split("\n")).toEqual([
            'StrimziKafka events: args.size: "huge" is not a size class; allowed: "small", "medium", "large"',
            "StrimziKafka events: args.topics[0].partitions: 0 must be a whole number of at least 1",
            'StrimziKafka events: args.topics[0].consumers[0]: "billing" is not a declared client; allowed: checkout',
        ]);
    });

    it("registers nothing of the component when the input is bad", async () => {
        const resources: string[] = [];
        await runUnderMocks(
            () => {
                try {
                    strimzi({ topics: topic({ partitions: 0 }) })();
                } catch {
                    /* expected */
                }
            },
            { project: "platform", stack: "test" },
        ).then((run) => resources.push(...run.resources.map((r) => r.type)));
        expect(resources.filter((t) => t !== "pulumi:pulumi:Stack" && t !== "pulumi:providers:kubernetes")).toEqual([]);
    });

    it("the stack config reports Kafka problems under platform:kafka, with every target's backend rules", () => {
        let problems: string[] = [];
        try {
            parsePlatformConfig({
                clouds: ["azure", "kubernetes"],
                kafka: {
                    enabled: true,
                    clients: [{ name: "checkout" }],
                    topics: [{ name: "orders", partitions: 40, producers: ["checkout", "ghost"] }],
                },
            });
        } catch (e) {
            expect(e).toBeInstanceOf(ConfigError);
            problems = (e as ConfigError).problems;
        }
        expect(problems).toContain('platform:kafka.topics[0].producers[1]: "ghost" is not a declared client; allowed: checkout');
        expect(problems.some((p) => /^platform:kafka\.topics\[0\]\.partitions: 40 exceeds the backend's limit; allowed: 1-32$/.test(p))).toBe(true);
    });

    it("a disabled kafka section is not checked, and defaults are filled", () => {
        const cfg = parsePlatformConfig({ clouds: ["kubernetes"] });
        expect(cfg.kafka).toMatchObject({ enabled: false, size: "small", backend: { aws: "managed", azure: "managed", gcp: "managed" }, topics: [], clients: [] });
    });
});

/** Runs one component under the mocks and returns every registered resource. */
async function runStreaming(build: () => unknown): Promise<RecordedResource[]> {
    const run = await runUnderMocks(build, { project: "platform", stack: "test" });
    return run.resources;
}
const ofType = (resources: RecordedResource[], type: string) => resources.filter((r) => r.type === type);
const demoClients = [
    { name: "checkout", namespace: "shop", serviceAccount: "checkout" },
    { name: "fulfilment", namespace: "shop", serviceAccount: "fulfilment" },
];
const demoTopic = (over: object = {}) => ({ name: "orders", partitions: 3, retentionHours: 24, cleanupPolicy: "delete", producers: ["checkout"], consumers: ["fulfilment"], ...over });
const awsArgs = { vpcId: "vpc-0abc", subnetIds: ["subnet-a", "subnet-b", "subnet-c"], kmsKeyArn: "arn:aws:kms:eu-west-1:123456789012:key/k", clientSecurityGroupId: "sg-0nodes" };
const gcpArgs = {
    project: "platform-dev-123456",
    region: "europe-west1",
    subnet: "projects/platform-dev-123456/regions/europe-west1/subnetworks/data",
    kmsKeyId: "projects/p/locations/europe-west1/keyRings/r/cryptoKeys/k",
};
const msk = (args: MskKafkaArgs) => () => new MskKafka("events", args);
const gcpKafka = (args: GcpManagedKafkaArgs) => () => new GcpManagedKafka("events", args);

describe("backend details beyond the dev stack", () => {
    it("MSK provisioned runs KRaft (MSK's `.kraft` version), in the cluster and its configuration", async () => {
        const resources = await runStreaming(msk({ size: "small", topics: [demoTopic()], clients: demoClients, ...awsArgs }));
        const cluster = ofType(resources, "aws:msk/cluster:Cluster")[0].inputs as any;
        expect(cluster.kafkaVersion).toBe("3.9.x.kraft");
        expect((ofType(resources, "aws:msk/configuration:Configuration")[0].inputs as any).kafkaVersions).toEqual(["3.9.x.kraft"]);
        // The broker log group is encrypted with the platform key.
        expect((ofType(resources, "aws:cloudwatch/logGroup:LogGroup")[0].inputs as any).kmsKeyId).toBe(awsArgs.kmsKeyArn);
    });

    it("MSK Serverless: IAM only, private, protected; no topic resources, producers may create only their own topics", async () => {
        const resources = await runStreaming(msk({ size: "small", topics: [demoTopic()], clients: demoClients, ...awsArgs, serverless: true }));
        const cluster = ofType(resources, "aws:msk/serverlessCluster:ServerlessCluster");
        expect(cluster).toHaveLength(1);
        expect(cluster[0].inputs).toMatchObject({ clientAuthentication: { sasl: { iam: { enabled: true } } }, vpcConfigs: [{ subnetIds: awsArgs.subnetIds }] });
        expect(cluster[0].protect).toBe(true);
        // AWS's topic API covers provisioned clusters only.
        expect(ofType(resources, "aws:msk/topic:Topic")).toEqual([]);
        expect(ofType(resources, "aws:msk/cluster:Cluster")).toEqual([]);
        const policy = (client: string) => JSON.parse((resources.find((r) => r.type === "aws:iam/rolePolicy:RolePolicy" && r.name.endsWith(`-kafka-${client}`))!.inputs as any).policy);
        const produce = policy("checkout").Statement.find((s: any) => s.Sid === "Produce");
        expect(produce.Action).toContain("kafka-cluster:CreateTopic");
        expect(produce.Resource).toEqual([expect.stringMatching(/:topic\/events-kafka\/[^/]+\/orders$/)]);
        expect(JSON.stringify(policy("fulfilment"))).not.toContain("CreateTopic");
    });

    it("Event Hubs Standard: compacted topics are allowed (only Basic lacks compaction) and keep tombstones as long as the data", async () => {
        const azure = { resourceGroupName: "rg-platform", location: "westeurope", vnetId: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v", subnetId: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/data", oidcIssuerUrl: "https://westeurope.oic.prod-aks.azure.com/t/i/" };
        const resources = await runStreaming(() => new EventHubsKafka("events", { size: "medium", topics: [demoTopic({ name: "customer-state", cleanupPolicy: "compact" })], clients: demoClients, ...azure }));
        const hub = ofType(resources, "azure-native:eventhub:EventHub")[0];
        expect(hub.inputs).toMatchObject({ eventHubName: "customer-state", retentionDescription: { cleanupPolicy: "Compact", tombstoneRetentionTimeInHours: 24 } });
        expect((ofType(resources, "azure-native:eventhub:Namespace")[0].inputs as any).sku).toEqual({ name: "Standard", tier: "Standard", capacity: 2 });
        // Each identity is usable only by its own Kubernetes service account.
        const creds = ofType(resources, "azure-native:managedidentity:FederatedIdentityCredential").map((c) => (c.inputs as any).subject).sort();
        expect(creds).toEqual(["system:serviceaccount:shop:checkout", "system:serviceaccount:shop:fulfilment"]);
    });

    it("protection off (throwaway stacks): nothing protected, Google deletion allowed, fewer than 3 copies accepted", async () => {
        const throwaway = await runStreaming(gcpKafka({ size: "small", protect: false, topics: [demoTopic({ replicationFactor: 2 })], clients: demoClients, ...gcpArgs }));
        const cluster = ofType(throwaway, "gcp:managedkafka/cluster:Cluster")[0];
        const topic = ofType(throwaway, "gcp:managedkafka/topic:Topic")[0];
        expect([cluster.protect, topic.protect]).toEqual([false, false]);
        expect([(cluster.inputs as any).deletionPolicy, (topic.inputs as any).deletionPolicy]).toEqual(["DELETE", "DELETE"]);
        expect(topic.inputs).toMatchObject({ replicationFactor: 2, configs: { "min.insync.replicas": "1" } });

        const kept = await runStreaming(gcpKafka({ size: "small", topics: [demoTopic()], clients: demoClients, ...gcpArgs }));
        expect((ofType(kept, "gcp:managedkafka/cluster:Cluster")[0].inputs as any).deletionPolicy).toBe("PREVENT");
        // Workload identity: only the client's Kubernetes service account may act as its Google service account.
        const wi = ofType(kept, "gcp:serviceaccount/iAMMember:IAMMember").map((m) => (m.inputs as any).member).sort();
        expect(wi).toEqual(["serviceAccount:platform-dev-123456.svc.id.goog[shop/checkout]", "serviceAccount:platform-dev-123456.svc.id.goog[shop/fulfilment]"]);
    });

    it("Strimzi with mutual TLS (clients in the Kafka namespace only): a TLS listener, and all resources still validate", () => {
        const inKafka = demoClients.map((c) => ({ ...c, namespace: "kafka" }));
        const r = strimziResources({ size: "small", topics: [demoTopic()], clients: inKafka, authentication: "tls" }, "kafka");
        expect((r.kafka.spec as any).kafka.listeners).toEqual([
            {
                name: "tls",
                port: 9093,
                type: "internal",
                tls: true,
                authentication: { type: "tls" },
                networkPolicyPeers: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kafka" } } }],
            },
        ]);
        for (const u of r.users) expect((u.spec as any).authentication).toEqual({ type: "tls" });
        for (const cr of [r.kafka, ...r.nodePools, ...r.topics, ...r.users]) expect(validateCustomResource(cr as any).errors).toEqual([]);
    });

    it("Strimzi mutual TLS is refused for a client outside the Kafka namespace (its certificate never reaches it), in the component and the stack config", async () => {
        const problems = strimziKafkaProblems({ size: "small", topics: [demoTopic()], clients: demoClients, authentication: "tls" });
        expect(problems[0]).toBe(
            'authentication: "tls" cannot reach client "checkout" (clients[0]) in namespace "shop": the User Operator writes and renews mutual-TLS certificates in the Kafka namespace "kafka" only; allowed: "scram-sha-512" (passwords the User Operator generates, delivered to each client\'s namespace by External Secrets Operator), or "tls" with every client in "kafka"',
        );
        let configProblems: string[] = [];
        try {
            parsePlatformConfig({ clouds: ["kubernetes"], kafka: { enabled: true, strimzi: { authentication: "tls" }, clients: [{ name: "checkout" }] } });
        } catch (e) {
            configProblems = (e as ConfigError).problems;
        }
        expect(configProblems).toEqual([expect.stringMatching(/^platform:kafka\.strimzi\.authentication: "tls" cannot reach client "checkout" \(clients\[0\]\) in namespace "checkout": .*allowed: "scram-sha-512"/)]);
    });
});

describe("stack wiring: per-cloud backend choice and outputs", () => {
    it("backend.gcp: strimzi puts Strimzi on GKE instead of Managed Kafka", async () => {
        const plan = await planStack("dev", {
            "platform:clouds": ["gcp"],
            "platform:services": [],
            "platform:kafka": { enabled: true, backend: { gcp: "strimzi" }, topics: [demoTopic()], clients: [{ name: "checkout" }, { name: "fulfilment" }] },
        });
        expect(byType(plan, "gcp:managedkafka/cluster:Cluster")).toEqual([]);
        const kafka = plan.resources.filter((r) => r.type === "kubernetes:kafka.strimzi.io/v1:Kafka");
        expect(kafka).toHaveLength(1);
        // A managed cluster has zone labels: rack awareness stays on.
        expect((kafka[0].inputs as any).spec.kafka.rack).toEqual({ topologyKey: "topology.kubernetes.io/zone" });
        const out = (plan.outputs.kafka as any).gcp;
        expect(out).toMatchObject({ backend: "strimzi", bootstrapServers: "events-kafka-bootstrap.kafka.svc:9092", topics: ["orders"] });
        expect(out.clients.checkout).toMatchObject({ kind: "kafka-user", identity: "checkout", credentials: { secretName: "kafka-checkout-credentials", username: "checkout" }, produces: ["orders"], consumes: [] });
        for (const r of customResourcesOf(plan.resources).filter((c) => c.type.startsWith("kubernetes:kafka.strimzi.io/"))) {
            expect(validateCustomResource(r.inputs as any).errors, r.name).toEqual([]);
        }
    }, 120_000);

    it("Strimzi on managed clusters: broker and controller volumes on a Retain StorageClass for each cluster's CSI driver", async () => {
        const plan = await planStack("dev", {
            "platform:services": [],
            "platform:kafka": { enabled: true, backend: { aws: "strimzi", azure: "strimzi", gcp: "strimzi" }, topics: [demoTopic()], clients: [{ name: "checkout" }, { name: "fulfilment" }] },
        });
        // The Kafka classes (EKS also gets the cluster's default class, ebs-gp3, from the cluster component).
        const classes = byType(plan, "kubernetes:storage.k8s.io/v1:StorageClass").filter((c) => (c.rawInputs as any).metadata?.name === "kafka-retain");
        const expected: Record<string, { provisioner: string; parameters: Record<string, unknown> }> = {
            aws: { provisioner: "ebs.csi.aws.com", parameters: { type: "gp3", encrypted: "true" } },
            azure: { provisioner: "disk.csi.azure.com", parameters: { skuName: "Premium_LRS" } },
            gcp: { provisioner: "pd.csi.storage.gke.io", parameters: { type: "pd-balanced", "disk-encryption-kms-key": expect.stringMatching(/^projects\/.+\/cryptoKeys\//) } },
        };
        expect(classes.map((c) => c.name).sort()).toEqual(["plt-dev-aws-kafka-storage", "plt-dev-az-kafka-storage", "plt-dev-gcp-kafka-storage"]);
        for (const c of classes) {
            const target = { aws: "aws", az: "azure", gcp: "gcp" }[c.name.split("-")[2]]!;
            expect(c.rawInputs, c.name).toMatchObject({ reclaimPolicy: "Retain", volumeBindingMode: "WaitForFirstConsumer", metadata: { name: "kafka-retain" }, ...expected[target] });
        }
        // Every pool on every cluster claims its volumes from its own cluster's Retain class, and keeps them.
        const pools = byType(plan, "kubernetes:kafka.strimzi.io/v1:KafkaNodePool");
        expect(pools).toHaveLength(6);
        for (const p of pools) {
            const storageClass = classes.find((c) => c.provider === p.provider)!;
            expect(storageClass, p.name).toBeDefined();
            expect((p.rawInputs as any).spec.storage).toMatchObject({ class: "kafka-retain", deleteClaim: false });
            expect(p.dependencies).toContain(storageClass.urn);
            expect(p.protect).toBe(true);
        }
    }, 180_000);

    it("config errors name the key, the value and what is allowed", () => {
        const problemsOf = (kafka: unknown): string[] => {
            try {
                parsePlatformConfig({ clouds: ["kubernetes"], kafka });
            } catch (e) {
                expect(e).toBeInstanceOf(ConfigError);
                return (e as ConfigError).problems;
            }
            return [];
        };
        expect(problemsOf({ enabled: true, topics: [{ name: "orders", partitions: 0 }] })).toContain("platform:kafka.topics[0].partitions: 0 must be at least 1");
        expect(problemsOf({ enabled: true, aws: { kafkaVersion: "latest" } }).join("\n")).toMatch(/^platform:kafka\.aws\.kafkaVersion: "?latest"? must be an MSK Kafka version such as 3\.9\.x\.kraft/m);
        expect(problemsOf({ enabled: true, topics: [{ name: "__consumer_offsets" }] })).toContain(
            'platform:kafka.topics[0].name: "__consumer_offsets" is not a valid Kafka topic name; allowed: ' +
                "1-249 characters of letters, digits, '.', '_' and '-', not '.' or '..', not starting with '__' (Kafka-internal)",
        );
        expect(parsePlatformConfig({ clouds: ["kubernetes"], kafka: { enabled: true } }).kafka.aws.kafkaVersion).toBe("3.9.x.kraft");
        expect(problemsOf({ enabled: true, strimzi: { storageClass: "Fast SSD" } })).toEqual(['platform:kafka.strimzi.storageClass: "Fast SSD" must be a StorageClass name (DNS-1123 subdomain)']);
        // SCRAM is the default: its credentials can reach every client namespace.
        expect(parsePlatformConfig({ clouds: ["kubernetes"], kafka: { enabled: true } }).kafka.strimzi.authentication).toBe("scram-sha-512");
    });
});

describe("the Pulumi package schema of the streaming components (any Pulumi language)", () => {
    let schema: Record<string, any>;
    beforeAll(async () => {
        schema = await packageSchema({ only: ["MskKafka", "EventHubsKafka", "GcpManagedKafka", "StrimziKafka"] });
    }, 120_000);

    const shared = ["size", "topics", "clients", "protect"];
    const own: Record<string, { required: string[]; optional: string[] }> = {
        MskKafka: { required: ["vpcId", "subnetIds", "kmsKeyArn", "clientSecurityGroupId"], optional: ["eksClusterName", "serverless", "kafkaVersion", "logRetentionDays", "tags"] },
        EventHubsKafka: { required: ["resourceGroupName", "location", "vnetId", "subnetId"], optional: ["tier", "oidcIssuerUrl", "zoneRedundant", "tags"] },
        GcpManagedKafka: { required: ["project", "region", "subnet", "kmsKeyId"], optional: ["workloadIdentity", "tags"] },
        StrimziKafka: {
            required: [],
            optional: ["namespace", "authentication", "storageClass", "protectNamespace", "retainStorage", "managedCluster", "diskEncryptionKeyId", "existingNamespaces", "ownerWrittenNamespaces", "zoneAware", "network"],
        },
    };
    it.each(Object.keys(own))("%s: its type token is its class name, with every argument as an input and the shared outputs", (component) => {
        const resource = schema.resources[`platform:index:${component}`];
        expect(resource, component).toBeDefined();
        expect(resource.isComponent).toBe(true);
        expect(Object.keys(resource.inputProperties).sort()).toEqual([...shared, ...own[component].required, ...own[component].optional].sort());
        expect([...resource.requiredInputs].sort()).toEqual(["size", "topics", "clients", ...own[component].required].sort());
        const outputs = ["bootstrapServers", "topics", "clientSettings", "clients", ];
        expect(Object.keys(resource.properties).sort()).toEqual(outputs.sort());
        expect(resource.properties.bootstrapServers).toMatchObject({ type: "string" });
        expect(resource.properties.topics).toMatchObject({ type: "array", items: { type: "string" } });
        expect(resource.properties.clients).toMatchObject({ type: "object", additionalProperties: { $ref: "#/types/platform:index:KafkaClient" } });
        expect(resource.inputProperties.topics).toMatchObject({ type: "array", items: { $ref: "#/types/platform:index:StreamingTopic" } });
    });

    it("the shared types are named objects of strings, numbers and lists", () => {
        expect(schema.types["platform:index:StreamingTopic"].required.sort()).toEqual(["cleanupPolicy", "consumers", "name", "partitions", "producers", "retentionHours"]);
        expect(schema.types["platform:index:StreamingTopic"].properties.cleanupPolicy).toMatchObject({ type: "string" });
        expect(Object.keys(schema.types["platform:index:KafkaClientSettings"].properties).sort()).toEqual(["credential", "saslMechanism", "securityProtocol"]);
        expect(Object.keys(schema.types["platform:index:KafkaClient"].properties).sort()).toEqual(["consumes", "credentialSecret", "identity", "kind", "namespace", "produces", "serviceAccount"]);
    });
});

describe("stack wiring through the components", () => {
    it("the backend per target is the components' rule: managed Kafka per cloud unless Strimzi is chosen, always Strimzi on existing clusters", () => {
        expect(["aws", "azure", "gcp", "kubernetes"].map((t) => streamingBackendFor(t))).toEqual(["msk", "eventhubs", "gcp-managed-kafka", "strimzi"]);
        expect(["aws", "azure", "gcp", "kubernetes"].map((t) => streamingBackendFor(t, "strimzi"))).toEqual(["strimzi", "strimzi", "strimzi", "strimzi"]);
        expect(() => streamingBackendFor("openstack")).toThrow('streamingBackendFor: target "openstack" is not a target; allowed: aws, azure, gcp, kubernetes');
    });

    it("StrimziKafka on a managed cluster creates that cluster's Retain StorageClass itself, takes its provider from opts, and writes Secrets only where it should", async () => {
        const clients = [
            { name: "checkout", namespace: "shop", serviceAccount: "checkout" },
            { name: "fulfilment", namespace: "warehouse", serviceAccount: "fulfilment" },
            { name: "billing", namespace: "payments", serviceAccount: "billing" },
        ];
        const resources = await runStreaming(() => {
            const provider = new k8s.Provider("gke", { context: "gke-test" });
            new StrimziKafka(
                "events",
                { size: "small", topics: [demoTopic()], clients, managedCluster: "gke", diskEncryptionKeyId: "projects/p/locations/l/keyRings/r/cryptoKeys/k", existingNamespaces: ["shop"], ownerWrittenNamespaces: ["payments"] },
                { provider },
            );
        });
        const storageClass = ofType(resources, "kubernetes:storage.k8s.io/v1:StorageClass");
        expect(storageClass.map((c) => c.rawInputs)).toEqual([
            expect.objectContaining({ provisioner: "pd.csi.storage.gke.io", parameters: { type: "pd-balanced", "disk-encryption-kms-key": "projects/p/locations/l/keyRings/r/cryptoKeys/k" }, reclaimPolicy: "Retain" }),
        ]);
        // Every Kubernetes child uses the provider given in opts, none the default provider.
        const k8sChildren = resources.filter((r) => r.custom && r.type.startsWith("kubernetes:"));
        expect(k8sChildren.length).toBeGreaterThan(5);
        for (const r of k8sChildren) expect(r.provider, r.name).toMatch(/pulumi:providers:kubernetes::gke(::.*)?$/);
        // Namespaces: ours and the one nobody else creates; not the existing one, not the owner-written one.
        const namespaces = ofType(resources, "kubernetes:core/v1:Namespace").map((n) => (n.rawInputs as any).metadata.name).sort();
        expect(namespaces).toEqual(["kafka", "warehouse"]);
        // Credentials: delivered to the existing and the created namespace; the owner delivers its own.
        const credentialNamespaces = ofType(resources, "kubernetes:external-secrets.io/v1:ExternalSecret")
            .map((s) => (s.rawInputs as any).metadata.namespace)
            .sort();
        expect(credentialNamespaces).toEqual(["shop", "warehouse"]);
        expect(ofType(resources, "kubernetes:core/v1:Secret")).toEqual([]);
    });

    it("EventHubsKafka: zone redundancy follows the region's availability zones unless set, and resources carry the capability tag", async () => {
        const azure = (location: string) => () => new EventHubsKafka("events", { size: "small", topics: [], clients: [], resourceGroupName: "rg", location, vnetId: "v", subnetId: "s", tags: { team: "shop" } });
        const zonal = ofType(await runStreaming(azure("westeurope")), "azure-native:eventhub:Namespace")[0].inputs as any;
        const zoneless = ofType(await runStreaming(azure("westcentralus")), "azure-native:eventhub:Namespace")[0].inputs as any;
        expect([zonal.zoneRedundant, zoneless.zoneRedundant]).toEqual([true, false]);
        expect(zonal.tags).toEqual({ team: "shop", capability: "event-streaming" });
    });
});
