/**
 * Composes the platform from a validated configuration: for each enabled cloud an explicit provider
 * in the chosen region, the platform key, the network and the cluster; for the `kubernetes` target
 * a provider for the existing cluster. Later capabilities (Kafka, mesh, serverless) attach to the
 * clusters and networks collected here.
 */
import * as aws from "@pulumi/aws";
import * as azureAuthorization from "@pulumi/azure-native/authorization";
import { Provider as AzureProvider } from "@pulumi/azure-native/provider";
import * as azureResources from "@pulumi/azure-native/resources";
import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import { KubernetesCluster, type ClusterTarget } from "../components/cluster";
import { EncryptionKey } from "../components/keys";
import { Network } from "../components/network";
import type { Cloud } from "../components/regions";
import { AZURE_ZONAL_REGIONS } from "../components/regions";
import type { PlatformConfig } from "./config";
import { nodeSizing } from "./sizing";

/** Per-cloud context shared with every capability. */
export interface CloudFoundation {
    cloud: Cloud;
    region: string;
    provider: pulumi.ProviderResource;
    key: EncryptionKey;
    network: Network;
    cluster: KubernetesCluster;
    /** Azure: the platform's resource group and tenant. GCP: the project. */
    azure?: { resourceGroupName: pulumi.Output<string>; tenantId: pulumi.Output<string> };
    gcp?: { project: pulumi.Output<string> };
}

export interface Foundation {
    config: PlatformConfig;
    /** The name every resource is prefixed with: "<project>-<stack>" shortened for cloud limits. */
    prefix: string;
    clouds: Partial<Record<Cloud, CloudFoundation>>;
    /** Every cluster by target, the existing one included. */
    clusters: Partial<Record<ClusterTarget, KubernetesCluster>>;
}

/** Common labels, in the lowercase form every cloud accepts. */
function labels(config: PlatformConfig, stack: string): Record<string, string> {
    return { "managed-by": "pulumi", platform: "platform", stack, ...config.tags };
}

export interface FoundationOptions {
    stack: string;
    /** GCP project for the GCP provider (the standard `gcp:project` setting). */
    gcpProject?: string;
}

export function buildFoundation(config: PlatformConfig, opts: FoundationOptions): Foundation {
    const prefix = `plt-${opts.stack}`.slice(0, 16).replace(/-+$/, "");
    const tags = labels(config, opts.stack);
    const foundation: Foundation = { config, prefix, clouds: {}, clusters: {} };
    const protect = config.protect;

    for (const cloud of config.enabledClouds) {
        const region = config.placement[cloud]!.region;
        const sizing = nodeSizing(cloud, config);
        if (cloud === "aws") {
            const provider = new aws.Provider("aws", { region: region as aws.Region, defaultTags: { tags } });
            const key = new EncryptionKey(`${prefix}-aws`, { cloud, region, tags, protect }, { providers: { aws: provider } });
            const network = new Network(
                `${prefix}-aws`,
                { cloud, region, cidr: config.network.aws.cidr, tags, aws: { logKmsKeyArn: key.keyId } },
                { providers: { aws: provider } },
            );
            const cluster = new KubernetesCluster(
                `${prefix}-aws`,
                {
                    target: "aws",
                    region,
                    kubernetesVersion: config.cluster.kubernetesVersion,
                    nodes: sizing,
                    authorizedCidrs: config.cluster.authorizedCidrs,
                    network,
                    secretsKey: key,
                    tags,
                    aws: { adminRoleArns: config.cluster.admins.aws },
                },
                { providers: { aws: provider } },
            );
            foundation.clouds.aws = { cloud, region, provider, key, network, cluster };
            foundation.clusters.aws = cluster;
        } else if (cloud === "azure") {
            const provider = new AzureProvider("azure", { location: region });
            const client = azureAuthorization.getClientConfigOutput({ provider });
            const group = new azureResources.ResourceGroup(
                `${prefix}-rg`,
                { location: region, tags },
                { provider, protect },
            );
            const azureCtx = { resourceGroupName: group.name, tenantId: client.tenantId };
            const key = new EncryptionKey(
                `${prefix}-az`,
                { cloud, region, tags, protect, azure: azureCtx },
                { providers: { "azure-native": provider } },
            );
            const network = new Network(
                `${prefix}-az`,
                { cloud, region, cidr: config.network.azure.cidr, tags, azure: { resourceGroupName: group.name } },
                { providers: { "azure-native": provider } },
            );
            const cluster = new KubernetesCluster(
                `${prefix}-az`,
                {
                    target: "azure",
                    region,
                    kubernetesVersion: config.cluster.kubernetesVersion,
                    nodes: sizing,
                    authorizedCidrs: config.cluster.authorizedCidrs,
                    network,
                    secretsKey: key,
                    tags,
                    azure: {
                        ...azureCtx,
                        adminGroupObjectIds: config.cluster.admins.azure,
                        zonal: AZURE_ZONAL_REGIONS.has(region),
                        podCidr: config.network.azure.podCidr,
                        serviceCidr: config.network.azure.serviceCidr,
                    },
                },
                { providers: { "azure-native": provider } },
            );
            foundation.clouds.azure = { cloud, region, provider, key, network, cluster, azure: azureCtx };
            foundation.clusters.azure = cluster;
        } else {
            const provider = new gcp.Provider("gcp", { project: opts.gcpProject, region, defaultLabels: tags });
            const project = opts.gcpProject
                ? pulumi.output(opts.gcpProject)
                : gcp.organizations.getClientConfigOutput({ provider }).project;
            const key = new EncryptionKey(
                `${prefix}-gcp`,
                { cloud, region, tags, protect, gcp: { project } },
                { providers: { gcp: provider } },
            );
            const network = new Network(
                `${prefix}-gcp`,
                {
                    cloud,
                    region,
                    cidr: config.network.gcp.cidr,
                    tags,
                    gcp: { project, podsCidr: config.network.gcp.podsCidr, servicesCidr: config.network.gcp.servicesCidr },
                },
                { providers: { gcp: provider } },
            );
            const cluster = new KubernetesCluster(
                `${prefix}-gcp`,
                {
                    target: "gcp",
                    region,
                    kubernetesVersion: config.cluster.kubernetesVersion,
                    nodes: sizing,
                    authorizedCidrs: config.cluster.authorizedCidrs,
                    network,
                    secretsKey: key,
                    tags,
                    gcp: { project, releaseChannel: config.cluster.releaseChannel },
                },
                { providers: { gcp: provider } },
            );
            foundation.clouds.gcp = { cloud, region, provider, key, network, cluster, gcp: { project } };
            foundation.clusters.gcp = cluster;
        }
    }

    if (config.clouds.includes("kubernetes")) {
        foundation.clusters.kubernetes = new KubernetesCluster(`${prefix}-k8s`, {
            target: "kubernetes",
            kubernetes: { context: config.kubernetes.context, kubeconfig: config.kubernetes.kubeconfig },
        });
    }
    return foundation;
}

/** Stack outputs: one entry per target. */
export function foundationOutputs(f: Foundation): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [target, cluster] of Object.entries(f.clusters)) {
        const cloud = f.clouds[target as Cloud];
        out[target] = {
            region: cloud?.region ?? "(existing cluster)",
            regionChoice: f.config.placement[target as Cloud]?.reason,
            networkId: cloud?.network.networkId,
            clusterName: cluster!.clusterName,
            endpoint: cluster!.endpoint,
            oidcIssuerUrl: cluster!.oidcIssuerUrl,
            kubeconfig: pulumi.secret(cluster!.kubeconfig),
        };
    }
    return out;
}
