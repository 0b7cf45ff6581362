/**
 * Wires `platform:kafka` onto the foundation: one EventStreaming per target, on the backend the
 * config chooses for it (the cloud's managed Kafka by default, Strimzi on request; always Strimzi on
 * the kubernetes target), in the platform's network, encrypted with the platform's key, with clients
 * bound to the platform cluster's workload identity.
 */
import * as pulumi from "@pulumi/pulumi";
import { ClusterTarget } from "../components/cluster";
import type { AmbientMesh } from "../components/mesh";
import { MESH_OWNED_NAMESPACES } from "../components/mesh/callgraph";
import { EventStreaming, type ClientAccess, type EventStreamingArgs, type KafkaClientSettings } from "../components/streaming";
import { AZURE_ZONAL_REGIONS } from "../components/regions";
import type { PlatformConfig } from "./config";
import { kafkaBackendFor } from "./config/kafka";
import { platformNamespaces, strimziClientNamespaces } from "./config/mesh";
import { GRAPH_NAMESPACES } from "./config/service-graph";
import type { InstalledMeshes } from "./mesh";
import type { Foundation } from "./platform";

const SHORT: Record<ClusterTarget, string> = { aws: "aws", azure: "az", gcp: "gcp", kubernetes: "k8s" };

/** What one target's event streaming gives the stack outputs (`kafka.<target>`) and the services. */
export interface TargetStreaming {
    backend: string;
    bootstrapServers: pulumi.Output<string>;
    /** security.protocol, sasl.mechanism and where the credential comes from, as a Kafka client spells them. */
    clientSettings: KafkaClientSettings;
    topics: pulumi.Output<string>[];
    /** Per client (a golden-path service's client has the service's name). */
    clients: Record<string, ClientAccess>;
}

/** Builds event streaming on every target; returns the stack outputs under `kafka`, one entry per target. */
export function addStreaming(foundation: Foundation, config: PlatformConfig, meshes: InstalledMeshes): Partial<Record<ClusterTarget, TargetStreaming>> {
    const kafka = config.kafka;
    if (!kafka.enabled) return {};
    const out: Partial<Record<ClusterTarget, TargetStreaming>> = {};
    for (const target of Object.keys(foundation.clusters) as ClusterTarget[]) {
        const cluster = foundation.clusters[target]!;
        const cloud = target === "kubernetes" ? undefined : foundation.clouds[target];
        const backend = kafkaBackendFor(target, kafka);
        const args: EventStreamingArgs = {
            backend,
            size: kafka.size,
            topics: kafka.topics,
            clients: kafka.clients,
            protect: config.protect,
        };
        let opts: pulumi.ComponentResourceOptions = {};
        if (backend === "strimzi") {
            const mesh = meshes[target];
            args.strimzi = {
                provider: cluster.provider,
                namespace: kafka.strimzi.namespace,
                authentication: kafka.strimzi.authentication,
                storageClass: kafka.strimzi.storageClass,
                // A configured class wins; otherwise a Retain class for the managed cluster's CSI driver.
                retainStorage: kafka.strimzi.storageClass ? undefined : retainStorageFor(target, cloud?.key.keyId),
                zoneAware: kafka.strimzi.zoneAware,
                // Its AuthorizationPolicies need the Istio CRDs this cluster's mesh installs.
                meshReady: mesh?.ready,
                network: cluster.networkFacts,
                clientNamespaces: clientNamespacesOf(config, mesh),
            };
            if (target === "kubernetes" && !kafka.strimzi.storageClass) {
                pulumi.log.warn(
                    "platform:kafka.strimzi.storageClass is unset: the Kafka volumes use the cluster's default StorageClass, whose reclaim policy is usually Delete (kind's local-path included), so a deleted claim deletes its data; set a class with reclaimPolicy Retain for data that must survive (docs/kafka.md, Data safety)",
                );
            }
            opts = { providers: { kubernetes: cluster.provider } };
        } else if (backend === "msk" && cloud) {
            args.tags = tagsOf(config);
            args.aws = {
                vpcId: cloud.network.networkId,
                subnetIds: cloud.network.dataSubnetIds,
                kmsKeyArn: cloud.key.keyId,
                clientSecurityGroupId: cluster.extras["nodeSecurityGroupId"],
                eksClusterName: cluster.clusterName,
                serverless: kafka.aws.serverless,
                kafkaVersion: kafka.aws.kafkaVersion,
            };
            opts = { providers: { aws: cloud.provider } };
        } else if (backend === "eventhubs" && cloud?.azure) {
            args.tags = tagsOf(config);
            args.azure = {
                resourceGroupName: cloud.azure.resourceGroupName,
                location: cloud.region,
                vnetId: cloud.network.networkId,
                subnetId: cloud.network.dataSubnetIds[0],
                tier: kafka.azure.tier,
                oidcIssuerUrl: cluster.oidcIssuerUrl,
                zoneRedundant: AZURE_ZONAL_REGIONS.has(cloud.region),
            };
            opts = { providers: { "azure-native": cloud.provider } };
        } else if (backend === "gcp-managed-kafka" && cloud?.gcp) {
            args.tags = tagsOf(config);
            args.gcp = {
                project: cloud.gcp.project,
                region: cloud.region,
                subnet: cloud.network.dataSubnetIds[0],
                kmsKeyId: cloud.key.keyId,
            };
            opts = { providers: { gcp: cloud.provider } };
        }
        const streaming = new EventStreaming(`${foundation.prefix}-${SHORT[target]}`, args, opts);
        out[target] = {
            backend,
            bootstrapServers: streaming.bootstrapServers,
            clientSettings: streaming.clientSettings,
            topics: streaming.topics,
            clients: streaming.clients,
        };
    }
    return out;
}

/**
 * The Retain StorageClass for Strimzi's volumes on a managed cluster, for the CSI driver each cluster runs:
 * - EKS: the EBS CSI driver, gp3, encrypted (the account's EBS key, as the nodes' volumes; parameters per
 *   kubernetes-sigs/aws-ebs-csi-driver docs/parameters.md). The driver is an EKS add-on the cluster must run.
 * - AKS: the built-in Azure Disk CSI driver, Premium SSD (LRS: Kafka already replicates across zones, and
 *   WaitForFirstConsumer creates each disk in its broker's zone) (learn.microsoft.com/azure/aks/azure-disk-csi).
 * - GKE: the Compute Engine PD CSI driver (enabled on the cluster), pd-balanced, encrypted with the platform key
 *   (`disk-encryption-kms-key`; the Compute Engine service agent already holds encrypt/decrypt on it for the
 *   boot disks) (cloud.google.com/kubernetes-engine/docs/how-to/using-cmek).
 * Existing clusters (`kubernetes`): the provisioner is unknown, so none (see platform:kafka.strimzi.storageClass).
 */
export function retainStorageFor(target: ClusterTarget, keyId?: pulumi.Input<string>): NonNullable<EventStreamingArgs["strimzi"]>["retainStorage"] {
    switch (target) {
        case "aws":
            return { provisioner: "ebs.csi.aws.com", parameters: { type: "gp3", encrypted: "true" } };
        case "azure":
            return { provisioner: "disk.csi.azure.com", parameters: { skuName: "Premium_LRS" } };
        case "gcp":
            return { provisioner: "pd.csi.storage.gke.io", parameters: { type: "pd-balanced", ...(keyId ? { "disk-encryption-kms-key": keyId } : {}) } };
        case "kubernetes":
            return undefined;
    }
}

/**
 * Who creates each Kafka client's namespace, so the Strimzi component writes the client's credential
 * Secret after it (or leaves it to the owner). The golden-path services' namespaces are created later, by
 * the serverless stack, which writes their Secrets itself; the mesh call graph's namespaces and the
 * cluster's own already exist when Kafka is built. Every other client namespace is created by the component.
 */
function clientNamespacesOf(config: PlatformConfig, mesh: AmbientMesh | undefined): Record<string, pulumi.Resource[] | "owner-writes"> {
    const out: Record<string, pulumi.Resource[] | "owner-writes"> = {};
    const createdByStrimzi = new Set(strimziClientNamespaces(config));
    for (const ns of Object.keys(MESH_OWNED_NAMESPACES)) out[ns] = mesh ? [mesh] : [];
    if (mesh?.callGraph) {
        for (const w of config.mesh.workloads) if (w.ambient !== false) out[w.namespace] = [mesh];
    }
    // Namespaces other capabilities create after Kafka (Knative's, SpinKube's): never created twice. Only the
    // services' namespaces get credential Secrets from their owner (stacks/serverless.ts).
    for (const ns of Object.keys(platformNamespaces(config))) if (ns !== config.kafka.strimzi.namespace && !createdByStrimzi.has(ns)) out[ns] = "owner-writes";
    for (const ns of Object.values(GRAPH_NAMESPACES)) out[ns] = "owner-writes";
    return out;
}

/** The cloud providers already add the platform's default tags/labels; components add only the extra ones. */
function tagsOf(config: PlatformConfig): Record<string, string> {
    return { ...config.tags, capability: "event-streaming" };
}
