/**
 * Azure: one VNet with four subnets (AKS nodes, data services and private endpoints, a Container Apps
 * infrastructure subnet, the AKS API server subnet), each behind its own NSG that admits nothing from
 * the internet. Egress leaves through one Standard NAT gateway with a zone-redundant public IP; no
 * subnet has Azure's implicit default outbound access.
 */
import * as network from "@pulumi/azure-native/network";
import * as pulumi from "@pulumi/pulumi";
import { parseCidr, subnet } from "../contracts/cidr";
import { AZURE_ZONAL_REGIONS } from "../regions";
import type { NetworkOutputs } from "./outputs";

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

export interface AzureNetworkArgs {
    /** The Azure region (zone-redundant NAT address where the region has zones). */
    region: string;
    /** The VNet's IPv4 range, a /8 to a /22. */
    cidr: string;
    resourceGroupName: pulumi.Input<string>;
    tags?: pulumi.Input<Record<string, pulumi.Input<string>>>;
}

/** TypeScript-only values of each AzureNetwork, kept off the class's properties (a schema would read those as outputs). */
const planOf = new WeakMap<AzureNetwork, AzureSubnetPlan>();

/** Azure: the platform VNet with node, data, Container Apps and API server subnets behind NSGs, and a NAT gateway. */
export class AzureNetwork extends pulumi.ComponentResource implements NetworkOutputs {
    /** The VNet's resource id. */
    public readonly networkId: pulumi.Output<string>;
    /** The VNet's name. */
    public readonly networkName: pulumi.Output<string>;
    /** The node subnet (one). */
    public readonly nodeSubnetIds: pulumi.Output<string>[];
    /** The data and private-endpoint subnet (one). */
    public readonly dataSubnetIds: pulumi.Output<string>[];
    /** Infrastructure subnet delegated to Microsoft.App/environments (Container Apps). */
    public readonly appsSubnetId: pulumi.Output<string>;
    /** Subnet delegated to AKS for API Server VNet Integration (private KMS needs it). */
    public readonly apiServerSubnetId: pulumi.Output<string>;
    /** Range of the API server subnet (the API server's VNet-integrated addresses). */
    public readonly apiServerSubnetCidr: pulumi.Output<string>;

    constructor(name: string, args: AzureNetworkArgs, opts?: pulumi.ComponentResourceOptions) {
        // The token the single Network class had: children keep their URNs through the parent alias.
        super("platform:index:AzureNetwork", name, {}, pulumi.mergeOptions(opts, { aliases: [{ type: "platform:index:Network" }] }));
        const prefix = /^\d+\.\d+\.\d+\.\d+\/(\d+)$/.exec(args.cidr)?.[1];
        if (prefix === undefined || Number(prefix) < MIN_PREFIX || Number(prefix) > MAX_PREFIX) {
            throw new Error(`AzureNetwork ${name}: args.cidr: "${args.cidr}"; allowed: an IPv4 CIDR with a prefix from /${MIN_PREFIX} to /${MAX_PREFIX}, such as 10.20.0.0/16`);
        }
        const plan = azureSubnetPlan(args.cidr);
        planOf.set(this, plan);
        const out = createAzureNetwork(this, name, args, plan);
        this.networkId = out.networkId;
        this.networkName = out.networkName;
        this.nodeSubnetIds = out.nodeSubnetIds;
        this.dataSubnetIds = out.dataSubnetIds;
        this.appsSubnetId = out.appsSubnetId;
        this.apiServerSubnetId = out.apiServerSubnetId;
        this.apiServerSubnetCidr = pulumi.output(plan.apiServer);
        this.registerOutputs({
            networkId: this.networkId,
            networkName: this.networkName,
            nodeSubnetIds: this.nodeSubnetIds,
            dataSubnetIds: this.dataSubnetIds,
            appsSubnetId: this.appsSubnetId,
            apiServerSubnetId: this.apiServerSubnetId,
            apiServerSubnetCidr: this.apiServerSubnetCidr,
        });
    }

    /** TypeScript-only: the subnet ranges, known when the program runs (AksCluster's network facts need them then). */
    get subnetPlan(): AzureSubnetPlan {
        return planOf.get(this)!;
    }
}

function createAzureNetwork(parent: pulumi.Resource, name: string, args: AzureNetworkArgs, plan: AzureSubnetPlan) {
    const { resourceGroupName } = args;
    const tags = args.tags;
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
    };
}
