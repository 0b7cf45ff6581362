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
import type { NetworkArgs, NetworkOutputs } from "./index";

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

export function createAwsNetwork(parent: pulumi.Resource, name: string, args: NetworkArgs): NetworkOutputs {
    const zoneCount = args.aws?.zoneCount ?? MAX_ZONES;
    if (!Number.isInteger(zoneCount) || zoneCount < MIN_ZONES || zoneCount > MAX_ZONES) {
        throw new Error(`Network ${name}: aws.zoneCount ${zoneCount} is not allowed; use ${MIN_ZONES} or ${MAX_ZONES} availability zones`);
    }
    const prefix = parseCidr(args.cidr).prefix;
    if (prefix < 16 || prefix > 20) {
        throw new Error(`Network ${name}: cidr "${args.cidr}" must have a prefix between /16 and /20 (platform:network.aws.cidr)`);
    }
    const retentionDays = args.aws?.flowLogRetentionDays ?? 365;
    const logKmsKeyArn = args.aws?.logKmsKeyArn;
    if (logKmsKeyArn === undefined) {
        throw new Error(`Network ${name}: aws.logKmsKeyArn is required; the flow-log group is encrypted with the platform key`);
    }
    const plan = planAwsSubnets(args.cidr, zoneCount);
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
                throw new Error(`Network ${name}: the region offers ${names.length} availability zones; aws.zoneCount asks for ${zoneCount}`);
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
        // The EKS private endpoint's ENIs live in the node subnets (NetworkPolicy API-server egress).
        nodeSubnetCidrs: plan.node,
    };
}
