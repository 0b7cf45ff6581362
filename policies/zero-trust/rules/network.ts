/** Network exposure rules (NET-01 … NET-16): private control planes, no public nodes, no world ingress, internal serverless. */
import type { DefaultSecurityGroupArgs, NetworkAclRuleArgs, SecurityGroupArgs, SecurityGroupRuleArgs, SubnetArgs } from "@pulumi/aws/ec2";
import type { ServiceArgs as EcsServiceArgs } from "@pulumi/aws/ecs";
import type { ClusterArgs as EksClusterArgs, NodeGroupArgs, AddonArgs } from "@pulumi/aws/eks";
import type { FunctionUrlArgs } from "@pulumi/aws/lambda";
import type { ClusterArgs as MskClusterArgs } from "@pulumi/aws/msk";
import type { SecurityGroupEgressRuleArgs, SecurityGroupIngressRuleArgs } from "@pulumi/aws/vpc";
import type { ContainerAppArgs, ManagedEnvironmentArgs } from "@pulumi/azure-native/app";
import type { AgentPoolArgs, ManagedClusterArgs } from "@pulumi/azure-native/containerservice";
import type { NamespaceArgs as EventHubNamespaceArgs } from "@pulumi/azure-native/eventhub";
import type { NetworkSecurityGroupArgs, SecurityRuleArgs, SubnetArgs as AzureSubnetArgs, VirtualNetworkArgs } from "@pulumi/azure-native/network";
import type { ServiceArgs as CloudRunV1ServiceArgs } from "@pulumi/gcp/cloudrun";
import type { ServiceArgs as CloudRunV2ServiceArgs } from "@pulumi/gcp/cloudrunv2";
import type { FirewallArgs } from "@pulumi/gcp/compute";
import type { ClusterArgs as GkeClusterArgs } from "@pulumi/gcp/container";
import { AKS, EKS, GKE } from "./identity";
import { asArray, cidrProblem, fmt, isSet, parseDocument, readKnown, resourcePolicy, UNKNOWN, WORLD, type Props, type RuleContext, type RuleDef, on } from "./common";

const cidrIssues = (cidrs: string[], ctx: RuleContext) =>
    cidrs.map((c) => [c, cidrProblem(c, ctx.allowedCidrs)] as const).filter(([, p]) => p !== undefined);

const eksEndpoint: RuleDef = {
    name: "net-01-eks-private-endpoint",
    id: "NET-01",
    description: "The EKS API endpoint is private (or public only to listed networks).",
    enforcementLevel: "mandatory",
    exposure: true,
    checks: on<Props<EksClusterArgs>>([EKS], (p, ctx) => {
        const v = p.vpcConfig;
        const out: string[] = [];
        if (v?.endpointPrivateAccess !== true)
            out.push(`EKS cluster: vpcConfig.endpointPrivateAccess is ${fmt(v?.endpointPrivateAccess)} (default false); set it to true so nodes and operators reach the API inside the VPC.`);
        if (v?.endpointPublicAccess !== false) {
            const cidrs = v?.publicAccessCidrs ?? [];
            if (cidrs.length === 0)
                out.push(`EKS cluster: vpcConfig.endpointPublicAccess is ${fmt(v?.endpointPublicAccess)} (default true) with no publicAccessCidrs, so the API is open to the internet; set endpointPublicAccess to false, or restrict publicAccessCidrs.`);
            for (const [c, why] of cidrIssues(cidrs, ctx)) out.push(`EKS cluster: vpcConfig.publicAccessCidrs contains ${c}: ${why}; list only the operator networks.`);
        }
        return out;
    }),
};

const gkePrivate: RuleDef = {
    name: "net-02-gke-private-cluster",
    id: "NET-02",
    description: "GKE clusters have private nodes, a private endpoint and no world-open authorized networks.",
    enforcementLevel: "mandatory",
    exposure: true,
    checks: on<Props<GkeClusterArgs>>([GKE], (p, ctx) => {
        const out: string[] = [];
        const pc = p.privateClusterConfig;
        if (pc?.enablePrivateNodes !== true)
            out.push(`GKE cluster: privateClusterConfig.enablePrivateNodes is ${fmt(pc?.enablePrivateNodes)}; set it to true so nodes get no public IPs.`);
        if (pc?.enablePrivateEndpoint !== true)
            out.push(`GKE cluster: privateClusterConfig.enablePrivateEndpoint is ${fmt(pc?.enablePrivateEndpoint)}; set it to true so the control plane has no public endpoint.`);
        for (const b of p.masterAuthorizedNetworksConfig?.cidrBlocks ?? []) {
            const why = cidrProblem(b.cidrBlock, ctx.allowedCidrs);
            if (why) out.push(`GKE cluster: masterAuthorizedNetworksConfig.cidrBlocks contains ${b.cidrBlock}: ${why}.`);
        }
        return out;
    }),
};

const aksPrivate: RuleDef = {
    name: "net-03-aks-private-api",
    id: "NET-03",
    description: "The AKS API server is private (or public only to listed networks) without a public FQDN.",
    enforcementLevel: "mandatory",
    exposure: true,
    checks: on<Props<ManagedClusterArgs>>([AKS], (p, ctx) => {
        const a = p.apiServerAccessProfile;
        const out: string[] = [];
        if (a?.enablePrivateCluster !== true) {
            const ranges = a?.authorizedIPRanges ?? [];
            if (ranges.length === 0)
                out.push(`AKS cluster: apiServerAccessProfile.enablePrivateCluster is ${fmt(a?.enablePrivateCluster)} and authorizedIPRanges is empty, so the API server is open to the internet; set enablePrivateCluster to true.`);
            for (const [c, why] of cidrIssues(ranges, ctx)) out.push(`AKS cluster: apiServerAccessProfile.authorizedIPRanges contains ${c}: ${why}.`);
        }
        if (a?.enablePrivateClusterPublicFQDN === true)
            out.push(`AKS cluster: apiServerAccessProfile.enablePrivateClusterPublicFQDN is true; set it to false so the private API address is not published in public DNS.`);
        return out;
    }),
};

const nodePublicIp: RuleDef = {
    name: "net-04-no-public-node-ips",
    id: "NET-04",
    description: "Cluster nodes get no public IPs and no SSH remote access.",
    enforcementLevel: "mandatory",
    checks: {
        ...on<Props<ManagedClusterArgs>>(AKS, (cluster) =>
            asArray(cluster.agentPoolProfiles)
                .filter((ap) => ap.enableNodePublicIP === true)
                .map((ap) => `AKS cluster: agentPoolProfiles[${fmt(ap.name)}].enableNodePublicIP is true; set it to false (reach nodes through the private network).`),
        ),
        ...on<Props<NodeGroupArgs>>("aws:eks/nodeGroup:NodeGroup", (group) =>
            group.remoteAccess ? [`EKS node group: remoteAccess is set, which opens SSH to the nodes; remove it and use SSM Session Manager.`] : [],
        ),
        ...on<Props<AgentPoolArgs>>("azure-native:containerservice:AgentPool", (pool) =>
            pool.enableNodePublicIP === true ? [`AKS agent pool: enableNodePublicIP is true; set it to false.`] : [],
        ),
    }
};

const LB_SUBNET_TAG = "kubernetes.io/role/elb";

const subnetPublicIp: RuleDef = {
    name: "net-05-subnet-no-auto-public-ip",
    id: "NET-05",
    description: "Subnets do not hand out public IPs on launch (except tagged public load-balancer subnets).",
    enforcementLevel: "mandatory",
    exposure: true,
    checks: on<Props<SubnetArgs>>(["aws:ec2/subnet:Subnet"], (p) =>
        p.mapPublicIpOnLaunch === true && p.tags?.[LB_SUBNET_TAG] !== "1"
            ? [`subnet: mapPublicIpOnLaunch is true, so every instance launched in it is internet-addressable; set it to false (public load-balancer subnets are tagged ${LB_SUBNET_TAG}=1 instead).`]
            : []),
};

type SgRule = { cidrBlocks?: string[]; ipv6CidrBlocks?: string[]; protocol?: string; fromPort?: number; toPort?: number };

const worldIngress = (ctx: RuleContext, prop: string, cidrs: string[]) =>
    cidrIssues(cidrs, ctx).map(([c, why]) => `${ctx.type.split(":").pop()}: ${prop} admits ${c} (${why}); allow only the security groups or private ranges that need access.`);

const sgIngress: RuleDef = {
    name: "net-06-no-world-ingress",
    id: "NET-06",
    description: "Security groups admit no traffic from 0.0.0.0/0, ::/0 or unlisted public ranges.",
    enforcementLevel: "mandatory",
    exposure: true,
    checks: {
        ...on<Props<SecurityGroupIngressRuleArgs>>("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", (r, ctx) => [
            ...worldIngress(ctx, "cidrIpv4", asArray(r.cidrIpv4)),
            ...worldIngress(ctx, "cidrIpv6", asArray(r.cidrIpv6)),
        ]),
        ...on<Props<SecurityGroupRuleArgs>>("aws:ec2/securityGroupRule:SecurityGroupRule", (r, ctx) =>
            r.type !== "ingress" ? [] : [...worldIngress(ctx, "cidrBlocks", r.cidrBlocks ?? []), ...worldIngress(ctx, "ipv6CidrBlocks", r.ipv6CidrBlocks ?? [])],
        ),
        ...on<Props<SecurityGroupArgs | DefaultSecurityGroupArgs>>(["aws:ec2/securityGroup:SecurityGroup", "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup"], (sg, ctx) =>
            asArray(sg.ingress as SgRule[] | undefined).flatMap((r, i) => [
                ...worldIngress(ctx, `ingress[${i}].cidrBlocks`, r.cidrBlocks ?? []),
                ...worldIngress(ctx, `ingress[${i}].ipv6CidrBlocks`, r.ipv6CidrBlocks ?? []),
            ]),
        ),
    }
};

const allProtocols = (p: unknown) => p === "-1" || p === "all" || p === -1;

const openEgress = (ctx: RuleContext, prop: string) =>
    `${ctx.type.split(":").pop()}: ${prop} allows every protocol to the whole internet; restrict egress to the ports and destinations needed (or a proxy/NAT with filtering).`;

const sgEgress: RuleDef = {
    name: "net-07-no-open-egress",
    id: "NET-07",
    description: "No all-protocol egress to the whole internet; egress goes through a controlled path.",
    enforcementLevel: "advisory",
    checks: {
        ...on<Props<SecurityGroupEgressRuleArgs>>("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule", (r, ctx) =>
            allProtocols(r.ipProtocol) && (WORLD.includes(r.cidrIpv4 ?? "") || WORLD.includes(r.cidrIpv6 ?? "")) ? [openEgress(ctx, "ipProtocol -1 with cidrIpv4/cidrIpv6")] : [],
        ),
        ...on<Props<SecurityGroupRuleArgs>>("aws:ec2/securityGroupRule:SecurityGroupRule", (r, ctx) =>
            r.type === "egress" && allProtocols(r.protocol) && [...(r.cidrBlocks ?? []), ...(r.ipv6CidrBlocks ?? [])].some((c) => WORLD.includes(c)) ? [openEgress(ctx, "protocol -1 with cidrBlocks")] : [],
        ),
        ...on<Props<SecurityGroupArgs>>("aws:ec2/securityGroup:SecurityGroup", (sg, ctx) =>
            asArray(sg.egress as SgRule[] | undefined)
                .map((r, i) => (allProtocols(r.protocol) && [...(r.cidrBlocks ?? []), ...(r.ipv6CidrBlocks ?? [])].some((c) => WORLD.includes(c)) ? openEgress(ctx, `egress[${i}]`) : ""))
                .filter(Boolean),
        ),
    }
};

const defaultSgEmpty: RuleDef = {
    name: "net-08-default-security-group-empty",
    id: "NET-08",
    description: "A VPC's default security group has no rules (nothing may rely on it).",
    enforcementLevel: "mandatory",
    checks: on<Props<DefaultSecurityGroupArgs>>("aws:ec2/defaultSecurityGroup:DefaultSecurityGroup", (p) => {
        const out: string[] = [];
        if (asArray(p.ingress).length) out.push(`default security group: ingress has ${asArray(p.ingress).length} rule(s); set ingress to [] so the default group admits nothing.`);
        if (asArray(p.egress).length) out.push(`default security group: egress has ${asArray(p.egress).length} rule(s); set egress to [].`);
        return out;
    }),
};

const naclRule: RuleDef = {
    name: "net-09-nacl-no-world-admin-ports",
    id: "NET-09",
    description: "Network ACLs do not allow inbound traffic from the internet on all ports or on SSH/RDP.",
    enforcementLevel: "advisory",
    exposure: true,
    checks: on<Props<NetworkAclRuleArgs>>(["aws:ec2/networkAclRule:NetworkAclRule"], (p) => {
        if (p.egress === true || p.ruleAction !== "allow") return [];
        if (!WORLD.includes(p.cidrBlock ?? "") && !WORLD.includes(p.ipv6CidrBlock ?? "")) return [];
        const from = p.fromPort ?? 0;
        const to = p.toPort ?? 65535;
        const all = allProtocols(p.protocol) || (from <= 0 && to >= 65535);
        const admin = [22, 3389].filter((port) => from <= port && port <= to);
        return all || admin.length
            ? [`network ACL rule: allows inbound ${all ? "all ports" : `port ${admin.join("/")}`} from ${p.cidrBlock ?? p.ipv6CidrBlock}; narrow the source range or deny these ports.`]
            : [];
    }),
};

const AZURE_WORLD = ["*", "0.0.0.0/0", "0.0.0.0", "internet", "any", "::/0"];
type AzRule = { direction?: string; access?: string; sourceAddressPrefix?: string; sourceAddressPrefixes?: string[]; name?: string };

function azureRuleIssues(r: AzRule, where: string, ctx: RuleContext): string[] {
    if (r.direction !== "Inbound" || r.access !== "Allow") return [];
    const sources = [...asArray(r.sourceAddressPrefix), ...(r.sourceAddressPrefixes ?? [])];
    return sources
        .map((s) => (AZURE_WORLD.includes(s.toLowerCase()) ? `"${s}" admits the whole internet` : cidrProblem(s, ctx.allowedCidrs)))
        .filter((w): w is string => !!w)
        .map((why) => `${where}: an inbound Allow rule's source ${why}; allow only named service tags, application security groups or private ranges.`);
}

const azureNsg: RuleDef = {
    name: "net-10-nsg-no-internet-inbound",
    id: "NET-10",
    description: "Azure NSG rules never allow inbound traffic from *, 0.0.0.0/0, Internet or Any.",
    enforcementLevel: "mandatory",
    exposure: true,
    checks: {
        ...on<Props<SecurityRuleArgs>>("azure-native:network:SecurityRule", (rule, ctx) => azureRuleIssues(rule as AzRule, "security rule", ctx)),
        ...on<Props<NetworkSecurityGroupArgs>>("azure-native:network:NetworkSecurityGroup", (nsg, ctx) =>
            asArray(nsg.securityRules as AzRule[] | undefined).flatMap((r, i) => azureRuleIssues(r, `network security group: securityRules[${fmt(r.name ?? i)}]`, ctx)),
        ),
    }
};

/** Subnets Azure forbids or manages NSGs on. */
const AZURE_NSG_EXEMPT_SUBNETS = ["GatewaySubnet", "AzureFirewallSubnet", "AzureFirewallManagementSubnet", "RouteServerSubnet"];
type AzSubnet = { name?: string; subnetName?: string; networkSecurityGroup?: { id?: string }; defaultOutboundAccess?: boolean };

const subnetName = (s: AzSubnet) => s.subnetName ?? s.name;

/** networkSecurityGroup.id is set; in preview it is the id of an NSG the stack creates, unknown but set. */
const hasNsg = (s: AzSubnet) => isSet(s, "networkSecurityGroup") && (readKnown(() => s.networkSecurityGroup) === UNKNOWN || isSet(s.networkSecurityGroup, "id"));

/** A subnet resource, or the inline subnets of a virtual network: one check per type, the same judgement of each subnet. */
const onAzureSubnets = (check: (subnets: AzSubnet[], ctx: RuleContext) => string[]) => ({
    ...on<Props<AzureSubnetArgs>>("azure-native:network:Subnet", (subnet, ctx) => check([subnet as AzSubnet], ctx)),
    ...on<Props<VirtualNetworkArgs>>("azure-native:network:VirtualNetwork", (vnet, ctx) => check(asArray(vnet.subnets as AzSubnet[] | undefined), ctx)),
});

const azureSubnetNsg: RuleDef = {
    name: "net-11-azure-subnet-nsg",
    id: "NET-11",
    description: "Every Azure subnet has a network security group.",
    enforcementLevel: "mandatory",
    checks: onAzureSubnets((subnets, ctx) =>
        subnets
            .filter((s) => !AZURE_NSG_EXEMPT_SUBNETS.includes(subnetName(s) ?? "") && !hasNsg(s))
            .map((s) => `subnet ${fmt(subnetName(s) ?? ctx.name)}: networkSecurityGroup is unset; attach a network security group so traffic is filtered at the subnet.`),
    )
};

const azureSubnetOutbound: RuleDef = {
    name: "net-11a-azure-subnet-no-default-outbound",
    id: "NET-11",
    description: "Azure subnets disable default outbound access (egress only through an explicit NAT or firewall).",
    enforcementLevel: "advisory",
    checks: onAzureSubnets((subnets, ctx) =>
        subnets
            .filter((s) => s.defaultOutboundAccess !== false)
            .map((s) => `subnet ${fmt(subnetName(s) ?? ctx.name)}: defaultOutboundAccess is ${fmt(s.defaultOutboundAccess)}; set it to false and route egress through a NAT gateway or firewall.`),
    )
};

const gcpFirewall: RuleDef = {
    name: "net-12-gcp-firewall-no-world-ingress",
    id: "NET-12",
    description: "GCP ingress firewall rules do not allow 0.0.0.0/0, ::/0 or unlisted public ranges.",
    enforcementLevel: "mandatory",
    exposure: true,
    checks: on<Props<FirewallArgs>>(["gcp:compute/firewall:Firewall"], (p, ctx) => {
        if ((p.direction ?? "INGRESS") !== "INGRESS" || !p.allows?.length || p.disabled === true) return [];
        return cidrIssues(p.sourceRanges ?? [], ctx).map(([c, why]) => `firewall: sourceRanges contains ${c} (${why}) on an allow rule; restrict it to the private ranges that need access, or list a trusted public range in allowedCidrs.`);
    }),
};

const kafkaPublic: RuleDef = {
    name: "net-13-kafka-no-public-access",
    id: "NET-13",
    description: "Kafka brokers are not reachable from the internet (MSK public access off, Event Hubs public network access disabled).",
    enforcementLevel: "mandatory",
    exposure: true,
    checks: {
        ...on<Props<MskClusterArgs>>("aws:msk/cluster:Cluster", (cluster) => {
            const t = cluster.brokerNodeGroupInfo?.connectivityInfo?.publicAccess?.type;
            return t === "SERVICE_PROVIDED_EIPS" ? [`MSK cluster: brokerNodeGroupInfo.connectivityInfo.publicAccess.type is "SERVICE_PROVIDED_EIPS"; set it to "DISABLED" and reach brokers privately.`] : [];
        }),
        ...on<Props<EventHubNamespaceArgs>>("azure-native:eventhub:Namespace", (ns) => {
            const v = ns.publicNetworkAccess;
            return v !== "Disabled" ? [`Event Hubs namespace: publicNetworkAccess is ${fmt(v)} (default "Enabled"); set it to "Disabled" and use a private endpoint.`] : [];
        }),
    }
};

const CLOUD_RUN_INTERNAL = ["INGRESS_TRAFFIC_INTERNAL_ONLY", "INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER"];

const serverlessIngress: RuleDef = {
    name: "net-14-serverless-internal-ingress",
    id: "NET-14",
    description: "Serverless workloads accept only internal traffic unless declared a public edge.",
    enforcementLevel: "mandatory",
    exposure: true,
    checks: {
        ...on<Props<CloudRunV2ServiceArgs>>("gcp:cloudrunv2/service:Service", (svc) => {
            const v = svc.ingress;
            return CLOUD_RUN_INTERNAL.includes(v ?? "") ? [] : [`Cloud Run service: ingress is ${fmt(v)} (default INGRESS_TRAFFIC_ALL); set it to "INGRESS_TRAFFIC_INTERNAL_ONLY" or "INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER", or declare the service a public edge exception.`];
        }),
        ...on<Props<CloudRunV1ServiceArgs>>("gcp:cloudrun/service:Service", (svc) => {
            const v = svc.metadata?.annotations?.["run.googleapis.com/ingress"];
            return v === "internal" || v === "internal-and-cloud-load-balancing" ? [] : [`Cloud Run service: metadata.annotations["run.googleapis.com/ingress"] is ${fmt(v)} (default "all"); set it to "internal" or "internal-and-cloud-load-balancing".`];
        }),
        ...on<Props<ContainerAppArgs>>("azure-native:app:ContainerApp", (app, ctx) => {
            // In an internal environment (required below) external: true means "reachable from the VNet",
            // never the internet (learn.microsoft.com/azure/container-apps/ingress-overview); it is internal
            // when only Allow rules for private ranges admit callers (all-Allow denies every other source,
            // learn.microsoft.com/azure/container-apps/ip-restrictions).
            const ingress = app.configuration?.ingress;
            if (ingress?.external !== true) return [];
            const rules = (ingress.ipSecurityRestrictions ?? []) as { action?: string; ipAddressRange?: string }[];
            if (rules.length === 0 || rules.some((r) => r.action !== "Allow")) {
                return [`Container App: configuration.ingress.external is true without ipSecurityRestrictions that only Allow private ranges; allow the platform network's ranges only, set external to false (environment only), or declare the app a public edge exception.`];
            }
            return cidrIssues(rules.map((r) => String(r.ipAddressRange)), ctx).map(([c, why]) => `Container App: configuration.ingress.ipSecurityRestrictions allows ${c} (${why}); allow only the platform network's private ranges.`);
        }),
        ...on<Props<ManagedEnvironmentArgs>>("azure-native:app:ManagedEnvironment", (env) => {
            const v = env.vnetConfiguration?.internal;
            return v === true ? [] : [`Container Apps environment: vnetConfiguration.internal is ${fmt(v)}; set it to true (with an infrastructureSubnetId) so the environment has no public load balancer.`];
        }),
        ...on<Props<EcsServiceArgs>>("aws:ecs/service:Service", (svc) => {
            const v = svc.networkConfiguration?.assignPublicIp;
            return v === true ? [`ECS service: networkConfiguration.assignPublicIp is true; set it to false and put tasks in private subnets.`] : [];
        }),
        ...on<Props<FunctionUrlArgs>>("aws:lambda/functionUrl:FunctionUrl", (url) => {
            const v = url.authorizationType;
            return v === "NONE" ? [`Lambda function URL: authorizationType is "NONE", so anyone on the internet can invoke it; set it to "AWS_IAM", or declare it a public edge exception.`] : [];
        }),
    },
};

const serverlessEgress: RuleDef = {
    name: "net-15-serverless-egress-through-vpc",
    id: "NET-15",
    description: "Serverless egress goes through the VPC (so it is subject to firewall rules and flow logs).",
    enforcementLevel: "advisory",
    checks: on<Props<CloudRunV2ServiceArgs>>(["gcp:cloudrunv2/service:Service"], (p) => {
        const v = p.template?.vpcAccess?.egress;
        return v === "ALL_TRAFFIC" ? [] : [`Cloud Run service: template.vpcAccess.egress is ${fmt(v)}; set it to "ALL_TRAFFIC" (with a connector or Direct VPC egress).`];
    }),
};

const clusterNetworkPolicy: RuleDef = {
    name: "net-16-cluster-network-policy",
    id: "NET-16",
    description: "Clusters enforce Kubernetes NetworkPolicy (AKS networkPolicy, GKE Dataplane V2 or network policy, EKS VPC CNI network policy).",
    enforcementLevel: "mandatory",
    checks: {
        ...on<Props<ManagedClusterArgs>>(AKS, (cluster) => {
            const np = cluster.networkProfile?.networkPolicy;
            return np && np !== "none" ? [] : [`AKS cluster: networkProfile.networkPolicy is ${fmt(np)}; set it to "cilium", "azure" or "calico" so NetworkPolicies are enforced.`];
        }),
        ...on<Props<GkeClusterArgs>>(GKE, (c) =>
            c.datapathProvider === "ADVANCED_DATAPATH" || c.networkPolicy?.enabled === true
                ? []
                : [`GKE cluster: datapathProvider is ${fmt(c.datapathProvider)} and networkPolicy.enabled is ${fmt(c.networkPolicy?.enabled)}; set datapathProvider to "ADVANCED_DATAPATH" (Dataplane V2) so NetworkPolicies are enforced.`],
        ),
        ...on<Props<AddonArgs>>("aws:eks/addon:Addon", (a) => {
            if (a.addonName !== "vpc-cni") return [];
            const values = parseDocument(a.configurationValues) ?? {};
            const enabled = values.enableNetworkPolicy === "true" || values.enableNetworkPolicy === true;
            return enabled ? [] : [`EKS addon vpc-cni: configurationValues.enableNetworkPolicy is ${fmt(values.enableNetworkPolicy)}; set it to "true" so NetworkPolicies are enforced.`];
        }),
    }
};

export const networkRules: RuleDef[] = [
    eksEndpoint,
    gkePrivate,
    aksPrivate,
    nodePublicIp,
    subnetPublicIp,
    sgIngress,
    sgEgress,
    defaultSgEmpty,
    naclRule,
    azureNsg,
    azureSubnetNsg,
    azureSubnetOutbound,
    gcpFirewall,
    kafkaPublic,
    serverlessIngress,
    serverlessEgress,
    clusterNetworkPolicy,
];

export const networkPolicies = networkRules.map(resourcePolicy);
