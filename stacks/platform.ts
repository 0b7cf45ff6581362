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
import { KubernetesCluster, type ClusterTarget, type KubernetesClusterArgs } from "../components/cluster";
import { GcpProjectServices, gcpApisFor, type GcpApiNeeds } from "../components/gcp/project-services";
import { deployerAdminProblem } from "../components/cluster/aws";
import { EncryptionKey, type EncryptionKeyArgs } from "../components/keys";
import { Network, type NetworkArgs } from "../components/network";
import type { Cloud } from "../components/regions";
import { AZURE_ZONAL_REGIONS } from "../components/regions";
import { ConfigError, type PlatformConfig } from "./config";
import { kafkaBackendFor } from "./config/kafka";
import { placementsOf } from "./config/services";
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

export async function buildFoundation(config: PlatformConfig, opts: FoundationOptions): Promise<Foundation> {
    const prefix = `plt-${opts.stack}`.slice(0, 16).replace(/-+$/, "");
    const tags = labels(config, opts.stack);
    const foundation: Foundation = { config, prefix, clouds: {}, clusters: {} };
    const protect = config.protect;

    for (const cloud of config.enabledClouds) {
        const region = config.placement[cloud]!.region;
        const setup = cloudSetup(cloud, region, config, { prefix, tags, protect, gcpProject: opts.gcpProject });
        // AWS comes first (CLOUDS order): only its provider exists when a lockout is refused.
        if (cloud === "aws") await refuseAwsAdminLockout(config, setup.provider);
        // The same three steps on every cloud; only the cloud-specific arguments differ (cloudSetup).
        const name = `${prefix}-${setup.suffix}`;
        const key = new EncryptionKey(name, { cloud, region, tags, protect, ...setup.key }, { providers: setup.providers });
        const network = new Network(name, { cloud, region, cidr: config.network[cloud].cidr, tags, ...setup.network(key) }, { providers: setup.providers });
        const cluster = new KubernetesCluster(
            name,
            {
                target: cloud,
                region,
                kubernetesVersion: config.cluster.kubernetesVersion,
                nodes: nodeSizing(cloud, config),
                authorizedCidrs: config.cluster.authorizedCidrs,
                network,
                secretsKey: key,
                tags,
                ...setup.cluster,
            },
            { providers: setup.providers },
        );
        foundation.clouds[cloud] = { cloud, region, provider: setup.provider, key, network, cluster, ...setup.context };
        foundation.clusters[cloud] = cluster;
    }

    if (config.clouds.includes("kubernetes")) {
        foundation.clusters.kubernetes = new KubernetesCluster(`${prefix}-k8s`, {
            target: "kubernetes",
            kubernetes: {
                context: config.kubernetes.context,
                kubeconfig: config.kubernetes.kubeconfig,
                network: {
                    networkPolicyEngine: config.kubernetes.network.engine,
                    apiServer: { cidrs: config.kubernetes.network.apiServerCidrs, ports: config.kubernetes.network.apiServerPorts },
                    nodeLocalDnsAddress: config.kubernetes.network.nodeLocalDnsAddress,
                },
            },
        });
    }
    return foundation;
}

interface CloudSetup {
    /** Resource-name suffix per cloud (kept short: names feed cloud limits). */
    suffix: string;
    provider: pulumi.ProviderResource;
    providers: Record<string, pulumi.ProviderResource>;
    key: Partial<EncryptionKeyArgs>;
    network: (key: EncryptionKey) => Partial<NetworkArgs>;
    cluster: Partial<KubernetesClusterArgs>;
    context: Pick<CloudFoundation, "azure" | "gcp">;
}

/** The explicit provider in the chosen region and the cloud-specific arguments of the foundation. */
function cloudSetup(
    cloud: Cloud,
    region: string,
    config: PlatformConfig,
    o: { prefix: string; tags: Record<string, string>; protect: boolean; gcpProject?: string },
): CloudSetup {
    if (cloud === "aws") {
        const provider = new aws.Provider("aws", { region: region as aws.Region, defaultTags: { tags: o.tags } });
        return {
            suffix: "aws",
            provider,
            providers: { aws: provider },
            key: {},
            // Flow logs are encrypted with the platform key.
            network: (key) => ({ aws: { logKmsKeyArn: key.keyId } }),
            cluster: { aws: { adminRoleArns: config.cluster.admins.aws }, protect: o.protect },
            context: {},
        };
    }
    if (cloud === "azure") {
        const provider = new AzureProvider("azure", { location: region });
        const client = azureAuthorization.getClientConfigOutput({ provider });
        const group = new azureResources.ResourceGroup(`${o.prefix}-rg`, { location: region, tags: o.tags }, { provider, protect: o.protect });
        const azure = { resourceGroupName: group.name, tenantId: client.tenantId };
        return {
            suffix: "az",
            provider,
            providers: { "azure-native": provider },
            key: { azure },
            network: () => ({ azure: { resourceGroupName: group.name } }),
            cluster: {
                azure: {
                    ...azure,
                    adminGroupObjectIds: config.cluster.admins.azure,
                    zonal: AZURE_ZONAL_REGIONS.has(region),
                    podCidr: config.network.azure.podCidr,
                    serviceCidr: config.network.azure.serviceCidr,
                    login: config.cluster.azureLogin,
                },
                // Like the keys and the resource group.
                protect: o.protect,
            },
            context: { azure },
        };
    }
    // A fresh project has no API enabled: the APIs the stack uses are enabled, and the service agents the
    // key grants name are created, under a provider of their own; the platform's provider depends on
    // them, so every GCP resource and data-source call made through it waits for its API.
    const needs: GcpApiNeeds = {
        managedKafka: config.kafka.enabled && kafkaBackendFor("gcp", config.kafka) === "gcp-managed-kafka",
        cloudRun: config.services.some((s) => placementsOf(s, config.clouds).some((p) => p.target === "gcp" && p.platform === "cloudrun")),
    };
    const apisProvider = new gcp.Provider("gcp-apis", { project: o.gcpProject, region });
    const apis = new GcpProjectServices(
        `${o.prefix}-gcp-apis`,
        {
            project: o.gcpProject,
            apis: gcpApisFor(needs),
            // Not compute: Service Usage refuses to generate its agent, which exists once the Compute API is
            // enabled; the boot-disk key grant waits for the compute Service through the provider below.
            serviceAgents: ["container.googleapis.com", ...(needs.managedKafka ? (["managedkafka.googleapis.com"] as const) : [])],
        },
        { provider: apisProvider },
    );
    const provider = new gcp.Provider("gcp", { project: o.gcpProject, region, defaultLabels: o.tags }, { dependsOn: apis.ready });
    const project = o.gcpProject ? pulumi.output(o.gcpProject) : gcp.organizations.getClientConfigOutput({ provider }).project;
    return {
        suffix: "gcp",
        provider,
        providers: { gcp: provider },
        key: { gcp: { project } },
        network: () => ({ gcp: { project, podsCidr: config.network.gcp.podsCidr, servicesCidr: config.network.gcp.servicesCidr } }),
        cluster: { gcp: { project, releaseChannel: config.cluster.releaseChannel }, protect: o.protect },
        context: { gcp: { project } },
    };
}

/**
 * With `platform:cluster.admins.aws` set, the identity running this deployment must be one of them:
 * otherwise it would create an EKS cluster it cannot enter, and the in-cluster components of the same
 * deployment would fail. Checked through the stack's AWS provider before any AWS resource is registered.
 */
async function refuseAwsAdminLockout(config: PlatformConfig, provider: pulumi.ProviderResource): Promise<void> {
    const admins = config.cluster.admins.aws;
    if (admins.length === 0) return;
    // The same lookups as deployerPrincipalArn (components/aws/context.ts), awaited: caller, then its IAM role.
    const caller = await aws.getCallerIdentity({}, { provider });
    const deployer = (await aws.iam.getSessionContext({ arn: caller.arn }, { provider })).issuerArn;
    const problem = deployerAdminProblem(admins, deployer);
    if (problem) throw new ConfigError([problem]);
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
