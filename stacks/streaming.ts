/**
 * Wires `platform:kafka` onto the foundation: one EventStreaming per target, on the backend the
 * config chooses for it (the cloud's managed Kafka by default, Strimzi on request; always Strimzi on
 * the kubernetes target), in the platform's network, encrypted with the platform's key, with clients
 * bound to the platform cluster's workload identity.
 */
import type * as pulumi from "@pulumi/pulumi";
import { ClusterTarget } from "../components/cluster";
import { EventStreaming, type ClientAccess, type EventStreamingArgs } from "../components/streaming";
import { AZURE_ZONAL_REGIONS } from "../components/regions";
import type { PlatformConfig } from "./config";
import { kafkaBackendFor } from "./config/kafka";
import { meshFor } from "./mesh";
import type { Foundation } from "./platform";

const SHORT: Record<ClusterTarget, string> = { aws: "aws", azure: "az", gcp: "gcp", kubernetes: "k8s" };

/** What one target's event streaming gives the stack outputs (`kafka.<target>`) and the services. */
export interface TargetStreaming {
    backend: string;
    bootstrapServers: pulumi.Output<string>;
    authentication: string;
    topics: pulumi.Output<string>[];
    /** Per client (a golden-path service's client has the service's name). */
    clients: Record<string, ClientAccess>;
}

/** Builds event streaming on every target; returns the stack outputs under `kafka`, one entry per target. */
export function addStreaming(foundation: Foundation, config: PlatformConfig): Partial<Record<ClusterTarget, TargetStreaming>> {
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
            args.strimzi = {
                provider: cluster.provider,
                namespace: kafka.strimzi.namespace,
                authentication: kafka.strimzi.authentication,
                storageClass: kafka.strimzi.storageClass,
                zoneAware: kafka.strimzi.zoneAware,
                // Its AuthorizationPolicies need the Istio CRDs this cluster's mesh installs.
                meshReady: meshFor(foundation, target)?.ready,
                network: cluster.networkFacts,
            };
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
            authentication: streaming.authentication,
            topics: streaming.topics,
            clients: streaming.clients,
        };
    }
    return out;
}

/** The cloud providers already add the platform's default tags/labels; components add only the extra ones. */
function tagsOf(config: PlatformConfig): Record<string, string> {
    return { ...config.tags, capability: "event-streaming" };
}
