/**
 * GCP: a custom-mode VPC with one regional subnetwork (nodes, plus secondary ranges for pods and
 * services), private Google access, flow logs, and a Cloud Router with Cloud NAT for outbound-only
 * internet access (nodes have no public addresses).
 *
 * No firewall rules are added: the implied rules deny all ingress and allow egress; GKE creates the
 * rules its nodes, pods and control plane need (and the PSC control plane reaches nodes through the
 * Konnectivity tunnel, so admission webhooks need no extra rule).
 */
import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import type { NetworkOutputs } from "./outputs";

/** Names of the subnetwork's secondary ranges that VPC-native GKE uses for pod and service addresses. */
export const GCP_PODS_RANGE_NAME = "pods";
export const GCP_SERVICES_RANGE_NAME = "services";

export interface GcpNetworkArgs {
    project: pulumi.Input<string>;
    region: string;
    /** The node subnetwork's primary IPv4 range. */
    cidr: string;
    /** Secondary range for pods (VPC-native GKE). */
    podsCidr: string;
    /** Secondary range for services. */
    servicesCidr: string;
}

/** GCP: a custom-mode VPC with one regional subnetwork (secondary ranges for pods and services), Cloud Router and Cloud NAT. */
export class GcpNetwork extends pulumi.ComponentResource implements NetworkOutputs {
    /** The VPC network's id. */
    public readonly networkId: pulumi.Output<string>;
    /** The VPC network's name. */
    public readonly networkName: pulumi.Output<string>;
    /** The subnetwork (one). */
    public readonly nodeSubnetIds: pulumi.Output<string>[];
    /** The same subnetwork: Private Service Connect endpoints and Managed Kafka attach to it. */
    public readonly dataSubnetIds: pulumi.Output<string>[];
    /** Name of the secondary range for pods. */
    public readonly podsRangeName: pulumi.Output<string>;
    /** Name of the secondary range for services. */
    public readonly servicesRangeName: pulumi.Output<string>;
    /** Primary ranges of the node subnetworks. */
    public readonly nodeSubnetCidrs: pulumi.Output<string[]>;
    /** The pod range. */
    public readonly podsCidr: pulumi.Output<string>;

    constructor(name: string, args: GcpNetworkArgs, opts?: pulumi.ComponentResourceOptions) {
        // The token the single Network class had: children keep their URNs through the parent alias.
        super("platform:index:GcpNetwork", name, {}, pulumi.mergeOptions(opts, { aliases: [{ type: "platform:index:Network" }] }));
        const cidr = /^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/;
        for (const [arg, value] of [["cidr", args.cidr], ["podsCidr", args.podsCidr], ["servicesCidr", args.servicesCidr]] as const) {
            if (!cidr.test(value)) throw new Error(`GcpNetwork ${name}: args.${arg}: "${value}"; allowed: an IPv4 CIDR such as 10.30.0.0/20`);
        }
        const out = createGcpNetwork(this, name, args);
        this.networkId = out.networkId;
        this.networkName = out.networkName;
        this.nodeSubnetIds = out.nodeSubnetIds;
        this.dataSubnetIds = out.dataSubnetIds;
        this.podsRangeName = pulumi.output(GCP_PODS_RANGE_NAME);
        this.servicesRangeName = pulumi.output(GCP_SERVICES_RANGE_NAME);
        this.nodeSubnetCidrs = pulumi.output([args.cidr]);
        this.podsCidr = pulumi.output(args.podsCidr);
        this.registerOutputs({
            networkId: this.networkId,
            networkName: this.networkName,
            nodeSubnetIds: this.nodeSubnetIds,
            dataSubnetIds: this.dataSubnetIds,
            podsRangeName: this.podsRangeName,
            servicesRangeName: this.servicesRangeName,
            nodeSubnetCidrs: this.nodeSubnetCidrs,
            podsCidr: this.podsCidr,
        });
    }
}

function createGcpNetwork(parent: pulumi.Resource, name: string, args: GcpNetworkArgs) {
    const { project, podsCidr, servicesCidr } = args;

    const network = new gcp.compute.Network(
        `${name}-vpc`,
        {
            project,
            description: "Platform network (custom mode, regional routing)",
            // Custom mode: no auto-created subnets in every region, only the ranges declared here.
            autoCreateSubnetworks: false,
            // Cloud Routers advertise only their own region's subnets; the platform is single-region per cloud.
            routingMode: "REGIONAL",
            // Keep the default internet route: Cloud NAT needs it for node egress.
            deleteDefaultRoutesOnCreate: false,
        },
        { parent },
    );

    const subnet = new gcp.compute.Subnetwork(
        `${name}-nodes`,
        {
            project,
            region: args.region,
            network: network.id,
            description: "GKE nodes and private data-service endpoints",
            ipCidrRange: args.cidr,
            stackType: "IPV4_ONLY",
            secondaryIpRanges: [
                { rangeName: GCP_PODS_RANGE_NAME, ipCidrRange: podsCidr },
                { rangeName: GCP_SERVICES_RANGE_NAME, ipCidrRange: servicesCidr },
            ],
            // Nodes without public addresses still reach Google APIs (Artifact Registry, KMS, logging).
            privateIpGoogleAccess: true,
            // VPC flow logs (LOG-02): fine-grained intervals, half of the flows, full metadata for forensics.
            logConfig: {
                aggregationInterval: "INTERVAL_5_SEC",
                flowSampling: 0.5,
                metadata: "INCLUDE_ALL_METADATA",
            },
        },
        { parent },
    );

    const router = new gcp.compute.Router(
        `${name}-router`,
        { project, region: args.region, network: network.id, description: "Cloud NAT for the platform subnetwork" },
        { parent },
    );

    new gcp.compute.RouterNat(
        `${name}-nat`,
        {
            project,
            region: args.region,
            router: router.name,
            // Google-allocated addresses: nothing to reserve, and the NAT scales its address count itself.
            natIpAllocateOption: "AUTO_ONLY",
            // Only the platform subnetwork (nodes and pods) gets internet egress; a subnet added later
            // by someone else does not silently inherit it.
            sourceSubnetworkIpRangesToNat: "LIST_OF_SUBNETWORKS",
            subnetworks: [{ name: subnet.id, sourceIpRangesToNats: ["ALL_IP_RANGES"] }],
            // Nodes run many pods behind one address: allocate ports on demand instead of a fixed 64 per VM.
            enableDynamicPortAllocation: true,
            enableEndpointIndependentMapping: false,
            minPortsPerVm: 64,
            maxPortsPerVm: 4096,
            // Errors (dropped connections, port exhaustion) are what an operator must see.
            logConfig: { enable: true, filter: "ERRORS_ONLY" },
        },
        { parent },
    );

    return {
        networkId: network.id,
        networkName: network.name,
        nodeSubnetIds: [subnet.id],
        // One subnetwork serves nodes and data services: a GCP subnetwork is regional (it spans every
        // zone), and Private Service Connect endpoints and managed Kafka attach to it directly, so a
        // second subnet would only add a range to plan without isolating anything that firewall rules
        // and network policy do not already isolate.
        dataSubnetIds: [subnet.id],
    };
}
