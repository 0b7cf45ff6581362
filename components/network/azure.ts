/**
 * Azure: one VNet with four subnets (AKS nodes, data services and private endpoints, a Container Apps
 * infrastructure subnet, the AKS API server subnet), each behind its own NSG that admits nothing from
 * the internet. Egress leaves through one Standard NAT gateway with a zone-redundant public IP; no
 * subnet has Azure's implicit default outbound access.
 */
import * as network from "@pulumi/azure-native/network";
import * as pulumi from "@pulumi/pulumi";
import { subnet, parseCidr } from "../contracts/cidr";
import { AZURE_ZONAL_REGIONS } from "../regions";
import type { NetworkArgs, NetworkOutputs } from "./index";

/** The VNet prefix range the subnet plan below fits in (a /22 leaves a /24 for nodes and /25s for the rest). */
const MIN_PREFIX = 8;
const MAX_PREFIX = 22;

/** Where each subnet sits inside the VNet range (prefix = VNet prefix + `extraBits`, then the `index`-th block). */
export interface AzureSubnetPlan {
    nodes: string;
    data: string;
    apps: string;
    apiServer: string;
}

/**
 * Nodes take the first quarter (with CNI overlay only nodes, not pods, draw VNet addresses), data and
 * apps an eighth each, the API server a /28 (AKS's minimum) at the start of the upper half. The rest of
 * the upper half stays free for later subnets (gateways, bastion) without renumbering anything.
 */
export function azureSubnetPlan(cidr: string): AzureSubnetPlan {
    const p = parseCidr(cidr).prefix;
    return {
        nodes: subnet(cidr, p + 2, 0),
        data: subnet(cidr, p + 3, 2),
        apps: subnet(cidr, p + 3, 3),
        apiServer: subnet(cidr, 28, 2 ** (28 - p - 1)),
    };
}

export function createAzureNetwork(parent: pulumi.Resource, name: string, args: NetworkArgs): NetworkOutputs {
    if (!args.azure) {
        throw new Error(`Network ${name}: azure.resourceGroupName is required for cloud "azure" (got no azure settings)`);
    }
    const prefix = /^\d+\.\d+\.\d+\.\d+\/(\d+)$/.exec(args.cidr)?.[1];
    if (prefix === undefined || Number(prefix) < MIN_PREFIX || Number(prefix) > MAX_PREFIX) {
        throw new Error(`Network ${name}: cidr is "${args.cidr}"; allowed: an IPv4 CIDR with a prefix from /${MIN_PREFIX} to /${MAX_PREFIX}, such as 10.20.0.0/16`);
    }
    const { resourceGroupName } = args.azure;
    const tags = args.tags;
    const plan = azureSubnetPlan(args.cidr);
    const zonal = AZURE_ZONAL_REGIONS.has(args.region);

    // Subnets are separate Subnet resources, and the VNet sets no `subnets` at all: each subnet then has
    // its own lifecycle (an NSG or delegation change touches one subnet), and since API 2023-09 a VNet
    // update that omits `subnets` leaves them alone. Mixing inline and separate subnets would make the
    // two fight, so there are no inline subnets anywhere.
    const vnet = new network.VirtualNetwork(
        `${name}-vnet`,
        { resourceGroupName, addressSpace: { addressPrefixes: [args.cidr] }, tags },
        { parent },
    );

    // Zone-redundant (zones 1-3) where the region has zones: the address survives a zone outage.
    const natIp = new network.PublicIPAddress(
        `${name}-nat-ip`,
        {
            resourceGroupName,
            sku: { name: network.PublicIPAddressSkuName.Standard, tier: network.PublicIPAddressSkuTier.Regional },
            publicIPAllocationMethod: network.IPAllocationMethod.Static,
            publicIPAddressVersion: network.IPVersion.IPv4,
            zones: zonal ? ["1", "2", "3"] : undefined,
            tags,
        },
        { parent },
    );
    // Standard NAT gateway: a fixed, known egress address for allow-lists and no SNAT exhaustion from
    // load-balancer outbound rules. The Standard SKU is a regional ("no zone") resource: Azure places it,
    // and a zone outage can interrupt egress until it recovers (see docs/azure.md).
    const nat = new network.NatGateway(
        `${name}-nat`,
        {
            resourceGroupName,
            sku: { name: network.NatGatewaySkuName.Standard },
            idleTimeoutInMinutes: 4,
            publicIpAddresses: [{ id: natIp.id }],
            tags,
        },
        { parent },
    );

    const nsg = (role: string) =>
        new network.NetworkSecurityGroup(
            `${name}-${role}-nsg`,
            {
                resourceGroupName,
                tags,
                // Azure's default rules already end in DenyAllInBound; this explicit rule makes "nothing from
                // the internet" visible to reviewers and policy, and keeps holding if someone later adds a
                // broad allow at a higher priority number.
                securityRules: [
                    {
                        name: "deny-internet-inbound",
                        description: "No inbound traffic from the internet; ingress arrives through private endpoints or internal load balancers.",
                        priority: 4000,
                        direction: network.SecurityRuleDirection.Inbound,
                        access: network.SecurityRuleAccess.Deny,
                        protocol: network.SecurityRuleProtocol.Asterisk,
                        sourceAddressPrefix: "Internet",
                        sourcePortRange: "*",
                        destinationAddressPrefix: "*",
                        destinationPortRange: "*",
                    },
                ],
            },
            { parent },
        );

    // Azure rejects concurrent writes to subnets of one VNet (AnotherOperationInProgress), so each subnet
    // waits for the previous one.
    let previous: pulumi.Resource = vnet;
    const makeSubnet = (role: string, addressPrefix: string, extra: Partial<network.SubnetArgs>) => {
        const s = new network.Subnet(
            `${name}-${role}`,
            {
                resourceGroupName,
                virtualNetworkName: vnet.name,
                addressPrefix,
                networkSecurityGroup: { id: nsg(role).id },
                // No implicit internet egress: only the NAT gateway (node subnet) gives a way out.
                defaultOutboundAccess: false,
                ...extra,
            },
            { parent, dependsOn: [previous] },
        );
        previous = s;
        return s;
    };

    const nodes = makeSubnet("nodes", plan.nodes, {
        natGateway: { id: nat.id },
        privateEndpointNetworkPolicies: network.VirtualNetworkPrivateEndpointNetworkPolicies.Enabled,
    });
    const data = makeSubnet("data", plan.data, {
        // NSG rules and route tables apply to private endpoints here too, not only to ordinary NICs.
        privateEndpointNetworkPolicies: network.VirtualNetworkPrivateEndpointNetworkPolicies.Enabled,
        privateLinkServiceNetworkPolicies: network.VirtualNetworkPrivateLinkServiceNetworkPolicies.Enabled,
    });
    const apps = makeSubnet("apps", plan.apps, {
        // A workload-profiles Container Apps environment needs a subnet delegated to it (at least /27).
        delegations: [{ name: "container-apps", serviceName: "Microsoft.App/environments" }],
        natGateway: { id: nat.id },
        privateEndpointNetworkPolicies: network.VirtualNetworkPrivateEndpointNetworkPolicies.Enabled,
    });
    const apiServer = makeSubnet("apiserver", plan.apiServer, {
        // API Server VNet Integration projects the AKS API server into this subnet; it is what lets the
        // control plane reach a private Key Vault for KMS.
        delegations: [{ name: "aks-apiserver", serviceName: "Microsoft.ContainerService/managedClusters" }],
        privateEndpointNetworkPolicies: network.VirtualNetworkPrivateEndpointNetworkPolicies.Enabled,
    });

    return {
        networkId: vnet.id,
        networkName: vnet.name,
        nodeSubnetIds: [nodes.id],
        dataSubnetIds: [data.id],
        appsSubnetId: apps.id,
        apiServerSubnetId: apiServer.id,
        // The API server's addresses (VNet integration), for NetworkPolicy API-server egress.
        apiServerSubnetCidr: plan.apiServer,
    };
}
