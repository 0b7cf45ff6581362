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
import { AksCluster, EksCluster, ExistingCluster, GkeCluster, type ClusterTarget, type KubernetesCluster } from "../components/cluster";
import { GcpProjectServices, gcpApisFor, type GcpApiNeeds } from "../components/gcp/project-services";
import { deployerAdminProblem } from "../components/cluster/aws";
import { AwsKmsKey, AzureKeyVaultKey, GcpKmsKey, type EncryptionKeyOutputs } from "../components/keys";
import { AwsNetwork, AzureNetwork, GcpNetwork, type Network } from "../components/network";
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
    /** The cloud's platform key (AwsKmsKey, AzureKeyVaultKey or GcpKmsKey). */
    key: EncryptionKeyOutputs & pulumi.Resource;
    /** The cloud's network (AwsNetwork, AzureNetwork or GcpNetwork). */
    network: Network;
    /** The cloud's cluster (EksCluster, AksCluster or GkeCluster). */
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
        const shared = { prefix, tags, protect, gcpProject: opts.gcpProject };
        // AWS comes first (CLOUDS order): only its provider exists when a lockout is refused.
        const parts = cloud === "aws" ? await awsFoundation(region, config, shared) : cloud === "azure" ? azureFoundation(region, config, shared) : gcpFoundation(region, config, shared);
        foundation.clouds[cloud] = { cloud, region, ...parts };
        foundation.clusters[cloud] = parts.cluster;
    }

    if (config.clouds.includes("kubernetes")) {
        foundation.clusters.kubernetes = new ExistingCluster(`${prefix}-k8s`, {
            context: config.kubernetes.context,
            kubeconfig: config.kubernetes.kubeconfig,
            network: {
                networkPolicyEngine: config.kubernetes.network.engine,
                apiServer: { cidrs: config.kubernetes.network.apiServerCidrs, ports: config.kubernetes.network.apiServerPorts },
                nodeLocalDnsAddress: config.kubernetes.network.nodeLocalDnsAddress,
            },
        });
    }
    return foundation;
}

interface SharedSettings {
    prefix: string;
    tags: Record<string, string>;
    protect: boolean;
    gcpProject?: string;
}

/** What one cloud's foundation adds to CloudFoundation beyond its cloud and region. */
type CloudParts = Omit<CloudFoundation, "cloud" | "region">;

/**
 * The same three steps on every cloud, in the chosen region under an explicit provider: the platform
 * key, the network, the cluster. Resource names are `<prefix>-<suffix>` (suffix kept short: names feed
 * cloud limits).
 */
async function awsFoundation(region: string, config: PlatformConfig, o: SharedSettings): Promise<CloudParts> {
    const provider = new aws.Provider("aws", { region: region as aws.Region, defaultTags: { tags: o.tags } });
    await refuseAwsAdminLockout(config, provider);
    const providers = { aws: provider };
    const name = `${o.prefix}-aws`;
    const key = new AwsKmsKey(name, { region, tags: o.tags, protect: o.protect }, { providers });
    // Flow logs are encrypted with the platform key.
    const network = new AwsNetwork(name, { region, cidr: config.network.aws.cidr, tags: o.tags, logKmsKeyArn: key.keyId }, { providers });
    const cluster = new EksCluster(
        name,
        {
            region,
            kubernetesVersion: config.cluster.kubernetesVersion,
            nodes: nodeSizing("aws", config),
            authorizedCidrs: config.cluster.authorizedCidrs,
            vpcId: network.networkId,
            nodeSubnetIds: network.nodeSubnetIds,
            nodeSubnetCidrs: network.subnetPlan.node,
            secretsKeyArn: key.keyId,
            adminRoleArns: config.cluster.admins.aws,
            tags: o.tags,
            protect: o.protect,
        },
        { providers },
    );
    return { provider, key, network, cluster };
}

function azureFoundation(region: string, config: PlatformConfig, o: SharedSettings): CloudParts {
    const provider = new AzureProvider("azure", { location: region });
    const providers = { "azure-native": provider };
    const client = azureAuthorization.getClientConfigOutput({ provider });
    const group = new azureResources.ResourceGroup(`${o.prefix}-rg`, { location: region, tags: o.tags }, { provider, protect: o.protect });
    const azure = { resourceGroupName: group.name, tenantId: client.tenantId };
    const name = `${o.prefix}-az`;
    const key = new AzureKeyVaultKey(name, { ...azure, tags: o.tags, protect: o.protect }, { providers });
    const network = new AzureNetwork(name, { region, cidr: config.network.azure.cidr, tags: o.tags, resourceGroupName: group.name }, { providers });
    const cluster = new AksCluster(
        name,
        {
            region,
            ...azure,
            kubernetesVersion: config.cluster.kubernetesVersion,
            nodes: nodeSizing("azure", config),
            networkId: network.networkId,
            nodeSubnetId: network.nodeSubnetIds[0]!,
            apiServerSubnetId: network.apiServerSubnetId,
            apiServerSubnetCidr: network.subnetPlan.apiServer,
            secretsKeyId: key.keyId,
            secretsKeyVaultId: key.vaultId,
            adminGroupObjectIds: config.cluster.admins.azure,
            zonal: AZURE_ZONAL_REGIONS.has(region),
            podCidr: config.network.azure.podCidr,
            serviceCidr: config.network.azure.serviceCidr,
            login: config.cluster.azureLogin,
            tags: o.tags,
            // Like the keys and the resource group.
            protect: o.protect,
        },
        { providers },
    );
    return { provider, key, network, cluster, azure };
}

function gcpFoundation(region: string, config: PlatformConfig, o: SharedSettings): CloudParts {
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
            serviceAgents: ["container.googleapis.com", ...(needs.managedKafka ? ["managedkafka.googleapis.com"] : [])],
        },
        { provider: apisProvider },
    );
    const provider = new gcp.Provider("gcp", { project: o.gcpProject, region, defaultLabels: o.tags }, { dependsOn: apis.ready });
    const providers = { gcp: provider };
    const project = o.gcpProject ? pulumi.output(o.gcpProject) : gcp.organizations.getClientConfigOutput({ provider }).project;
    const name = `${o.prefix}-gcp`;
    const key = new GcpKmsKey(name, { project, region, tags: o.tags, protect: o.protect }, { providers });
    const { cidr, podsCidr, servicesCidr } = config.network.gcp;
    const network = new GcpNetwork(name, { project, region, cidr, podsCidr, servicesCidr }, { providers });
    const cluster = new GkeCluster(
        name,
        {
            project,
            region,
            kubernetesVersion: config.cluster.kubernetesVersion,
            releaseChannel: config.cluster.releaseChannel,
            nodes: nodeSizing("gcp", config),
            authorizedCidrs: config.cluster.authorizedCidrs,
            networkId: network.networkId,
            subnetworkId: network.nodeSubnetIds[0]!,
            podsRangeName: network.podsRangeName,
            servicesRangeName: network.servicesRangeName,
            nodeSubnetCidrs: [cidr],
            podsCidr,
            secretsKeyId: key.keyId,
            tags: o.tags,
            protect: o.protect,
        },
        // The GKE and Compute Engine agents' grants on the key (children of the key) come first.
        { providers, dependsOn: [key] },
    );
    return { provider, key, network, cluster, gcp: { project } };
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
