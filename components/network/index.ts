/**
 * Network: the private network a cluster and its data services live in. One abstract interface,
 * one file per cloud (aws.ts, azure.ts, gcp.ts) holding free functions that create the children.
 */
import * as pulumi from "@pulumi/pulumi";
import type { Cloud } from "../regions";
import { createAwsNetwork } from "./aws";
import { createAzureNetwork } from "./azure";
import { createGcpNetwork } from "./gcp";

export interface NetworkArgs {
    cloud: Cloud;
    region: string;
    /** The network's primary IPv4 range (VPC / VNet / subnetwork). */
    cidr: string;
    tags?: pulumi.Input<Record<string, pulumi.Input<string>>>;
    aws?: {
        /** Availability zones to spread over (default 3). */
        zoneCount?: number;
        /** Days to keep VPC flow logs in CloudWatch (default 365). */
        flowLogRetentionDays?: number;
        /** KMS key ARN for the flow-log group. */
        logKmsKeyArn?: pulumi.Input<string>;
    };
    azure?: {
        resourceGroupName: pulumi.Input<string>;
    };
    gcp?: {
        project: pulumi.Input<string>;
        /** Secondary range for pods (VPC-native GKE). */
        podsCidr: string;
        /** Secondary range for services. */
        servicesCidr: string;
    };
}

/** Identifiers every cloud's network exposes; cloud-specific extras are optional fields. */
export interface NetworkOutputs {
    /** VPC id (AWS), VNet id (Azure) or network self link (GCP). */
    networkId: pulumi.Output<string>;
    /** Subnets for cluster nodes (one per zone on AWS, one subnet on Azure/GCP). */
    nodeSubnetIds: pulumi.Output<string>[];
    /** Subnets for data services such as Kafka brokers and private endpoints. */
    dataSubnetIds: pulumi.Output<string>[];
    /** AWS: public subnets holding only NAT gateways and load balancers. */
    publicSubnetIds?: pulumi.Output<string>[];
    /** AWS: zone names, in the order of nodeSubnetIds. */
    zones?: pulumi.Output<string>[];
    /** GCP: names of the secondary ranges for pods and services. */
    podsRangeName?: string;
    servicesRangeName?: string;
    /** GCP: name of the VPC network; Azure: name of the VNet. */
    networkName?: pulumi.Output<string>;
    /** Azure: infrastructure subnet delegated to Microsoft.App/environments (Container Apps). */
    appsSubnetId?: pulumi.Output<string>;
    /** Azure: subnet delegated to AKS for API Server VNet Integration (private KMS needs it). */
    apiServerSubnetId?: pulumi.Output<string>;
    /** Azure: range of the API server subnet (the API server's VNet-integrated addresses). */
    apiServerSubnetCidr?: string;
    /** GCP: primary ranges of the node subnets and the pod range (the cluster lets them reach its private endpoint). AWS: node subnets. */
    nodeSubnetCidrs?: string[];
    podsCidr?: string;
}

export class Network extends pulumi.ComponentResource implements NetworkOutputs {
    public readonly cloud: Cloud;
    public readonly networkId!: pulumi.Output<string>;
    public readonly nodeSubnetIds!: pulumi.Output<string>[];
    public readonly dataSubnetIds!: pulumi.Output<string>[];
    public readonly publicSubnetIds?: pulumi.Output<string>[];
    public readonly zones?: pulumi.Output<string>[];
    public readonly podsRangeName?: string;
    public readonly servicesRangeName?: string;
    public readonly networkName?: pulumi.Output<string>;
    public readonly appsSubnetId?: pulumi.Output<string>;
    public readonly apiServerSubnetId?: pulumi.Output<string>;
    public readonly apiServerSubnetCidr?: string;
    public readonly nodeSubnetCidrs?: string[];
    public readonly podsCidr?: string;

    constructor(name: string, args: NetworkArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:index:Network", name, {}, opts);
        this.cloud = args.cloud;
        const build = { aws: createAwsNetwork, azure: createAzureNetwork, gcp: createGcpNetwork }[args.cloud];
        Object.assign(this, build(this, name, args));
        this.registerOutputs({ networkId: this.networkId, nodeSubnetIds: this.nodeSubnetIds });
    }
}
