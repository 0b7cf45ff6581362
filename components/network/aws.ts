/**
 * AWS: a VPC over (by default) three availability zones. Per zone a private node subnet (nodes and,
 * with the VPC CNI, pods take addresses from it, so it is the largest), a private data subnet (Kafka
 * brokers, endpoints; no route to the internet) and a small public subnet that holds only the zone's
 * NAT gateway and load balancers. Flow logs of all traffic go to a KMS-encrypted log group, and the
 * VPC's default security group is emptied so nothing can fall back on it.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { parseCidr, subnet } from "../contracts/cidr";
import { awsContext, nameTags, serviceTrustPolicy } from "../aws/context";
import type { NetworkOutputs } from "./outputs";

/** Two zones is the least EKS accepts; three is the address plan's capacity (and the HA default). */
const MIN_ZONES = 2;
const MAX_ZONES = 3;

export interface AwsSubnetPlan {
    node: string[];
    data: string[];
    public: string[];
}

/**
 * Cuts the VPC range into per-zone subnets: the first three quarters are node subnets (/18 each in
 * a /16); the last quarter holds the data subnets (a sixteenth of the VPC each) and, in its last
 * sixteenth, the public subnets (1/64 each: NAT gateways and load balancers need few addresses).
 */
export function planAwsSubnets(cidr: string, zoneCount: number): AwsSubnetPlan {
    const prefix = parseCidr(cidr).prefix;
    const lastQuarter = subnet(cidr, prefix + 2, 3);
    const publicRange = subnet(lastQuarter, prefix + 4, 3);
    const zones = [...Array(zoneCount).keys()];
    return {
        node: zones.map((i) => subnet(cidr, prefix + 2, i)),
        data: zones.map((i) => subnet(lastQuarter, prefix + 4, i)),
        public: zones.map((i) => subnet(publicRange, prefix + 6, i)),
    };
}

export interface AwsNetworkArgs {
    region: string;
    /** The VPC's IPv4 range, a /16 to a /20. */
    cidr: string;
    /** KMS key ARN the flow-log group is encrypted with (the platform key). */
    logKmsKeyArn: pulumi.Input<string>;
    /** Availability zones to spread over, 2 or 3 (default 3). */
    zoneCount?: number;
    /** Days to keep VPC flow logs in CloudWatch (default 365). */
    flowLogRetentionDays?: number;
    tags?: pulumi.Input<Record<string, pulumi.Input<string>>>;
}

/** TypeScript-only values of each AwsNetwork, kept off the class's properties (a schema would read those as outputs). */
const planOf = new WeakMap<AwsNetwork, AwsSubnetPlan>();

/** AWS: the platform VPC, with node, data and public subnets in each zone, NAT per zone and flow logs. */
export class AwsNetwork extends pulumi.ComponentResource implements NetworkOutputs {
    /** The VPC id. */
    public readonly networkId: pulumi.Output<string>;
    /** Private node subnets, one per zone (in the order of `zones`). */
    public readonly nodeSubnetIds: pulumi.Output<string>[];
    /** Private data subnets without an internet route, one per zone. */
    public readonly dataSubnetIds: pulumi.Output<string>[];
    /** Public subnets holding only NAT gateways and load balancers, one per zone. */
    public readonly publicSubnetIds: pulumi.Output<string>[];
    /** Zone names, in the order of the subnets. */
    public readonly zones: pulumi.Output<string[]>;
    /** Ranges of the node subnets (the EKS private endpoint's ENIs live there). */
    public readonly nodeSubnetCidrs: pulumi.Output<string[]>;

    constructor(name: string, args: AwsNetworkArgs, opts?: pulumi.ComponentResourceOptions) {
        // The token the single Network class had: children keep their URNs through the parent alias.
        super("platform:index:AwsNetwork", name, {}, pulumi.mergeOptions(opts, { aliases: [{ type: "platform:index:Network" }] }));
        const zoneCount = args.zoneCount ?? MAX_ZONES;
        if (!Number.isInteger(zoneCount) || zoneCount < MIN_ZONES || zoneCount > MAX_ZONES) {
            throw new Error(`AwsNetwork ${name}: args.zoneCount: ${zoneCount}; allowed: ${MIN_ZONES} or ${MAX_ZONES} availability zones`);
        }
        const prefix = /^\d+\.\d+\.\d+\.\d+\/(\d+)$/.exec(args.cidr)?.[1];
        if (prefix === undefined || Number(prefix) < 16 || Number(prefix) > 20) {
            throw new Error(`AwsNetwork ${name}: args.cidr: "${args.cidr}"; allowed: an IPv4 CIDR with a prefix from /16 to /20 (platform:network.aws.cidr)`);
        }
        if (args.logKmsKeyArn === undefined) {
            throw new Error(`AwsNetwork ${name}: args.logKmsKeyArn: undefined; allowed: the ARN of the KMS key the flow-log group is encrypted with`);
        }
        const plan = planAwsSubnets(args.cidr, zoneCount);
        planOf.set(this, plan);
        const out = createAwsNetwork(this, name, args, plan);
        this.networkId = out.networkId;
        this.nodeSubnetIds = out.nodeSubnetIds;
        this.dataSubnetIds = out.dataSubnetIds;
        this.publicSubnetIds = out.publicSubnetIds;
        this.zones = pulumi.all(out.zones);
        this.nodeSubnetCidrs = pulumi.output(plan.node);
        this.registerOutputs({
            networkId: this.networkId,
            nodeSubnetIds: this.nodeSubnetIds,
            dataSubnetIds: this.dataSubnetIds,
            publicSubnetIds: this.publicSubnetIds,
            zones: this.zones,
            nodeSubnetCidrs: this.nodeSubnetCidrs,
        });
    }

    /** TypeScript-only: the subnet ranges, known when the program runs (EksCluster's network facts need them then). */
    get subnetPlan(): AwsSubnetPlan {
        return planOf.get(this)!;
    }
}

function createAwsNetwork(parent: pulumi.Resource, name: string, args: AwsNetworkArgs, plan: AwsSubnetPlan) {
    const retentionDays = args.flowLogRetentionDays ?? 365;
    const logKmsKeyArn = args.logKmsKeyArn;
    const { accountId, partition } = awsContext(parent);
    const tags = (resourceName: string, extra?: Record<string, string>) => nameTags(args.tags, resourceName, extra);

    // Zones that are up and need no opt-in (Local/Wavelength zones would need one).
    const available = aws.getAvailabilityZonesOutput(
        { state: "available", filters: [{ name: "opt-in-status", values: ["opt-in-not-required"] }] },
        { parent },
    );
    const zones = plan.node.map((_, i) =>
        available.names.apply((names) => {
            if (i >= names.length) {
                throw new Error(`AwsNetwork ${name}: args.zoneCount: ${plan.node.length}; allowed: at most the ${names.length} availability zones the region offers`);
            }
            return names[i];
        }),
    );

    const vpc = new aws.ec2.Vpc(
        `${name}-vpc`,
        {
            cidrBlock: args.cidr,
            // Private DNS names and interface endpoints need both.
            enableDnsSupport: true,
            enableDnsHostnames: true,
            tags: tags(`${name}-vpc`),
        },
        { parent },
    );

    // Take over the default security group with no rules: nothing attached to it by accident can talk.
    new aws.ec2.DefaultSecurityGroup(
        `${name}-default-sg`,
        { vpcId: vpc.id, ingress: [], egress: [], tags: tags(`${name}-default-sg`) },
        { parent },
    );

    const igw = new aws.ec2.InternetGateway(`${name}-igw`, { vpcId: vpc.id, tags: tags(`${name}-igw`) }, { parent });
    const publicRoutes = new aws.ec2.RouteTable(`${name}-public-rt`, { vpcId: vpc.id, tags: tags(`${name}-public-rt`) }, { parent });
    new aws.ec2.Route(
        `${name}-public-default-route`,
        { routeTableId: publicRoutes.id, destinationCidrBlock: "0.0.0.0/0", gatewayId: igw.id },
        { parent },
    );
    // Data subnets keep only the VPC-local route: data services need no internet path.
    const dataRoutes = new aws.ec2.RouteTable(`${name}-data-rt`, { vpcId: vpc.id, tags: tags(`${name}-data-rt`) }, { parent });

    const nodeSubnets: aws.ec2.Subnet[] = [];
    const dataSubnets: aws.ec2.Subnet[] = [];
    const publicSubnets: aws.ec2.Subnet[] = [];
    zones.forEach((zone, i) => {
        const z = `${name}-${String.fromCharCode(97 + i)}`; // plt-dev-aws-a, -b, -c
        const makeSubnet = (tier: string, cidrBlock: string, extra: Record<string, string>) =>
            new aws.ec2.Subnet(
                `${z}-${tier}`,
                {
                    vpcId: vpc.id,
                    availabilityZone: zone,
                    cidrBlock,
                    // No instance gets a public address, not even in the public subnets (NAT uses EIPs, LBs their own).
                    mapPublicIpOnLaunch: false,
                    tags: tags(`${z}-${tier}`, { "platform/tier": tier, ...extra }),
                },
                { parent },
            );
        // The AWS Load Balancer Controller picks subnets by these role tags.
        const pub = makeSubnet("public", plan.public[i], { "kubernetes.io/role/elb": "1" });
        const node = makeSubnet("nodes", plan.node[i], { "kubernetes.io/role/internal-elb": "1" });
        const data = makeSubnet("data", plan.data[i], {});
        publicSubnets.push(pub);
        nodeSubnets.push(node);
        dataSubnets.push(data);

        new aws.ec2.RouteTableAssociation(`${z}-public-rta`, { subnetId: pub.id, routeTableId: publicRoutes.id }, { parent });
        new aws.ec2.RouteTableAssociation(`${z}-data-rta`, { subnetId: data.id, routeTableId: dataRoutes.id }, { parent });

        // One NAT gateway per zone: losing a zone does not cut the other zones' egress.
        const eip = new aws.ec2.Eip(`${z}-nat-eip`, { domain: "vpc", tags: tags(`${z}-nat-eip`) }, { parent, dependsOn: [igw] });
        const nat = new aws.ec2.NatGateway(
            `${z}-nat`,
            { allocationId: eip.id, subnetId: pub.id, connectivityType: "public", tags: tags(`${z}-nat`) },
            { parent, dependsOn: [igw] },
        );
        const nodeRoutes = new aws.ec2.RouteTable(`${z}-nodes-rt`, { vpcId: vpc.id, tags: tags(`${z}-nodes-rt`) }, { parent });
        new aws.ec2.Route(
            `${z}-nodes-default-route`,
            { routeTableId: nodeRoutes.id, destinationCidrBlock: "0.0.0.0/0", natGatewayId: nat.id },
            { parent },
        );
        new aws.ec2.RouteTableAssociation(`${z}-nodes-rta`, { subnetId: node.id, routeTableId: nodeRoutes.id }, { parent });
    });

    // VPC flow logs: every accepted and rejected flow, kept for the retention period, encrypted with the platform key.
    const flowLogGroup = new aws.cloudwatch.LogGroup(
        `${name}-flow-logs`,
        {
            name: `/aws/vpc/${name}/flow-logs`,
            retentionInDays: retentionDays,
            kmsKeyId: logKmsKeyArn,
            tags: tags(`${name}-flow-logs`),
        },
        { parent },
    );
    const flowLogRole = new aws.iam.Role(
        `${name}-flow-logs-role`,
        {
            description: `VPC flow logs of ${name} write to their log group`,
            // Only the flow-log service, acting for this account's flow logs (confused-deputy guard).
            assumeRolePolicy: serviceTrustPolicy("vpc-flow-logs.amazonaws.com", {
                StringEquals: { "aws:SourceAccount": accountId },
                ArnLike: { "aws:SourceArn": pulumi.interpolate`arn:${partition}:ec2:${args.region}:${accountId}:vpc-flow-log/*` },
            }),
            tags: tags(`${name}-flow-logs-role`),
        },
        { parent },
    );
    const flowLogWrite = new aws.iam.RolePolicy(
        `${name}-flow-logs-write`,
        {
            role: flowLogRole.id,
            policy: pulumi.all([flowLogGroup.arn, partition, accountId]).apply(([groupArn, part, account]) =>
                JSON.stringify({
                    Version: "2012-10-17",
                    Statement: [
                        {
                            Sid: "WriteThisLogGroupOnly",
                            Effect: "Allow",
                            Action: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
                            Resource: [groupArn, `${groupArn}:*`],
                        },
                        {
                            // The service checks that its destination exists; describing groups reveals no log data.
                            Sid: "FindTheLogGroup",
                            Effect: "Allow",
                            Action: "logs:DescribeLogGroups",
                            Resource: `arn:${part}:logs:${args.region}:${account}:log-group:*`,
                        },
                    ],
                }),
            ),
        },
        { parent },
    );
    new aws.ec2.FlowLog(
        `${name}-flow-log`,
        {
            vpcId: vpc.id,
            trafficType: "ALL",
            logDestinationType: "cloud-watch-logs",
            logDestination: flowLogGroup.arn,
            iamRoleArn: flowLogRole.arn,
            tags: tags(`${name}-flow-log`),
        },
        // The role must be able to write before the flow log starts delivering.
        { parent, dependsOn: [flowLogWrite] },
    );

    return {
        networkId: vpc.id,
        nodeSubnetIds: nodeSubnets.map((s) => s.id),
        dataSubnetIds: dataSubnets.map((s) => s.id),
        publicSubnetIds: publicSubnets.map((s) => s.id),
        zones,
    };
}
