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
import type * as pulumi from "@pulumi/pulumi";
import type { NetworkArgs, NetworkOutputs } from "./index";

/** Names of the subnetwork's secondary ranges that VPC-native GKE uses for pod and service addresses. */
export const GCP_PODS_RANGE_NAME = "pods";
export const GCP_SERVICES_RANGE_NAME = "services";

export function createGcpNetwork(parent: pulumi.Resource, name: string, args: NetworkArgs): NetworkOutputs {
    if (!args.gcp) {
        throw new Error(`Network ${name}: gcp.project, gcp.podsCidr and gcp.servicesCidr are required for cloud "gcp" (got no gcp settings)`);
    }
    const { project, podsCidr, servicesCidr } = args.gcp;

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
        podsRangeName: GCP_PODS_RANGE_NAME,
        servicesRangeName: GCP_SERVICES_RANGE_NAME,
        nodeSubnetCidrs: [args.cidr],
        podsCidr,
    };
}
