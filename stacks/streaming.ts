/**
 * Wires `platform:kafka` onto the foundation: on every target, the event-streaming component of the
 * backend the config chooses for it (`streamingBackendFor`: the cloud's managed Kafka by default, Strimzi
 * on request, always Strimzi on the kubernetes target), in the platform's network, encrypted with the
 * platform's key, with clients bound to the platform cluster's workload identity. Reads config and
 * passes values; what each backend does with them is the components' (components/streaming).
 */
import * as pulumi from "@pulumi/pulumi";
import { ClusterTarget } from "../components/cluster";
import type { AmbientMesh } from "../components/mesh";
import { MESH_OWNED_NAMESPACES } from "../components/mesh/callgraph";
import {
    EventHubsKafka,
    GcpManagedKafka,
    MskKafka,
    StrimziKafka,
    type ClientAccess,
    type EventStreamingOutputs,
    type KafkaClientSettings,
} from "../components/streaming";
import type { PlatformConfig } from "./config";
import { kafkaBackendFor } from "./config/kafka";
import { platformNamespaces, strimziClientNamespaces } from "./config/mesh";
import { GRAPH_NAMESPACES } from "./config/service-graph";
import type { InstalledMeshes } from "./mesh";
import type { Foundation } from "./platform";

const SHORT: Record<ClusterTarget, string> = { aws: "aws", azure: "az", gcp: "gcp", kubernetes: "k8s" };
/** The managed cluster each cloud target runs (its CSI driver gives Strimzi's Retain StorageClass). */
const MANAGED_CLUSTER: Record<ClusterTarget, string | undefined> = { aws: "eks", azure: "aks", gcp: "gke", kubernetes: undefined };

/** What one target's event streaming gives the stack outputs (`kafka.<target>`) and the services. */
export interface TargetStreaming {
    backend: string;
    bootstrapServers: pulumi.Output<string>;
    /** security.protocol, sasl.mechanism and where the credential comes from, as a Kafka client spells them. */
    clientSettings: KafkaClientSettings;
    topics: pulumi.Output<string[]>;
    /** Per client (a golden-path service's client has the service's name). */
    clients: Record<string, ClientAccess>;
}

/** Builds event streaming on every target; returns the stack outputs under `kafka`, one entry per target. */
/**
 * `secretsReady`: per cluster, what External Secrets Operator's custom resources wait for (its namespace and
 * release): Strimzi's SCRAM clients get their credentials through it.
 */
export function addStreaming(
    foundation: Foundation,
    config: PlatformConfig,
    meshes: InstalledMeshes,
    secretsReady: Partial<Record<ClusterTarget, pulumi.Resource[]>> = {},
): Partial<Record<ClusterTarget, TargetStreaming>> {
    const kafka = config.kafka;
    if (!kafka.enabled) return {};
    const out: Partial<Record<ClusterTarget, TargetStreaming>> = {};
    const shared = { size: kafka.size, topics: kafka.topics, clients: kafka.clients, protect: config.protect };
    const tags = config.tags;
    for (const target of Object.keys(foundation.clusters) as ClusterTarget[]) {
        const cluster = foundation.clusters[target]!;
        const cloud = target === "kubernetes" ? undefined : foundation.clouds[target];
        const backend = kafkaBackendFor(target, kafka);
        const name = `${foundation.prefix}-${SHORT[target]}`;
        let streaming: EventStreamingOutputs;
        if (backend === "strimzi") {
            const mesh = meshes[target];
            const namespaces = clientNamespacesOf(config, mesh);
            streaming = new StrimziKafka(
                name,
                {
                    ...shared,
                    namespace: kafka.strimzi.namespace,
                    authentication: kafka.strimzi.authentication,
                    storageClass: kafka.strimzi.storageClass,
                    managedCluster: MANAGED_CLUSTER[target],
                    diskEncryptionKeyId: cloud?.key.keyId,
                    zoneAware: kafka.strimzi.zoneAware,
                    network: cluster.networkFacts,
                    existingNamespaces: namespaces.existing,
                    ownerWrittenNamespaces: namespaces.ownerWritten,
                },
                // Its AuthorizationPolicies need the Istio CRDs this cluster's mesh installs; the mesh creates
                // some client namespaces; the clients' credentials come through External Secrets Operator.
                { providers: { kubernetes: cluster.provider }, dependsOn: [...(mesh ? [mesh] : []), ...(secretsReady[target] ?? [])] },
            );
        } else if (backend === "msk" && cloud) {
            streaming = new MskKafka(
                name,
                {
                    ...shared,
                    tags,
                    vpcId: cloud.network.networkId,
                    subnetIds: cloud.network.dataSubnetIds,
                    kmsKeyArn: cloud.key.keyId,
                    clientSecurityGroupId: cluster.extras["nodeSecurityGroupId"],
                    eksClusterName: cluster.clusterName,
                    serverless: kafka.aws.serverless,
                    kafkaVersion: kafka.aws.kafkaVersion,
                },
                { providers: { aws: cloud.provider } },
            );
        } else if (backend === "eventhubs" && cloud?.azure) {
            streaming = new EventHubsKafka(
                name,
                {
                    ...shared,
                    tags,
                    resourceGroupName: cloud.azure.resourceGroupName,
                    location: cloud.region,
                    vnetId: cloud.network.networkId,
                    subnetId: cloud.network.dataSubnetIds[0],
                    tier: kafka.azure.tier,
                    oidcIssuerUrl: cluster.oidcIssuerUrl,
                },
                { providers: { "azure-native": cloud.provider } },
            );
        } else if (backend === "gcp-managed-kafka" && cloud?.gcp) {
            streaming = new GcpManagedKafka(
                name,
                { ...shared, tags, project: cloud.gcp.project, region: cloud.region, subnet: cloud.network.dataSubnetIds[0], kmsKeyId: cloud.key.keyId },
                { providers: { gcp: cloud.provider } },
            );
        } else {
            throw new Error(`platform:kafka: the ${target} target has no foundation for backend ${backend}`);
        }
        out[target] = {
            backend,
            bootstrapServers: streaming.bootstrapServers,
            clientSettings: streaming.settings,
            topics: streaming.topics,
            clients: streaming.clientAccess,
        };
    }
    return out;
}

/**
 * Who creates each Kafka client's namespace, so the Strimzi component delivers the client's credential
 * after it (or leaves it to the owner). The golden-path services' namespaces are created later, by
 * the serverless stack, which delivers their credentials itself; the mesh call graph's namespaces and the
 * mesh's own already exist when Kafka is built (the component waits for the mesh). Every other client
 * namespace is created by the component.
 */
function clientNamespacesOf(config: PlatformConfig, mesh: AmbientMesh | undefined): { existing: string[]; ownerWritten: string[] } {
    const owner = new Map<string, "existing" | "owner-writes">();
    const createdByStrimzi = new Set(strimziClientNamespaces(config));
    for (const ns of Object.keys(MESH_OWNED_NAMESPACES)) owner.set(ns, "existing");
    if (mesh?.callGraph) {
        for (const w of config.mesh.workloads) if (w.ambient !== false) owner.set(w.namespace, "existing");
    }
    // Namespaces other capabilities create after Kafka (Knative's, SpinKube's): never created twice. Only the
    // services' namespaces get credential Secrets from their owner (stacks/serverless.ts).
    for (const ns of Object.keys(platformNamespaces(config))) if (ns !== config.kafka.strimzi.namespace && !createdByStrimzi.has(ns)) owner.set(ns, "owner-writes");
    for (const ns of Object.values(GRAPH_NAMESPACES)) owner.set(ns, "owner-writes");
    const those = (kind: string) => [...owner].filter(([, k]) => k === kind).map(([ns]) => ns);
    return { existing: those("existing"), ownerWritten: those("owner-writes") };
}
