/**
 * AWS mocks: the computed outputs AWS would return for every AWS resource the platform creates
 * (ids in AWS's own formats, ARNs in the provider's region and the mock account) and the invokes
 * it makes. Ids are derived from the resource name, so plans are deterministic.
 */
import { createHash } from "node:crypto";
import type * as pulumi from "@pulumi/pulumi";
import { MOCK_AWS_ACCOUNT, MOCK_CA_DATA, type CloudMocks } from "./types";

const DEFAULT_REGION = "us-east-1";
const PARTITION = "aws";

/** Stable hex derived from a resource name: `vpc-0a1b…` style ids without randomness. */
export function hex(seed: string, length: number): string {
    return createHash("sha256").update(seed).digest("hex").slice(0, length);
}

/** Provider ids carry their region so resources and invokes can find it from their provider reference. */
const PROVIDER_ID = /::aws-provider\/([a-z0-9-]+)$/;

/**
 * Region of an AWS resource or invoke: its own `region` input, else the region of the explicit
 * provider it uses (the provider reference is "<urn>::<id>" and the mock provider id carries the
 * region), else the default. Other AWS-service mocks can import this instead of parsing the id.
 */
export function regionOf(args: { provider?: string; inputs?: Record<string, unknown> }): string {
    const explicit = args.inputs?.["region"];
    if (typeof explicit === "string" && explicit) return explicit;
    return PROVIDER_ID.exec(args.provider ?? "")?.[1] ?? DEFAULT_REGION;
}

function arn(service: string, region: string, resource: string): string {
    return `arn:${PARTITION}:${service}:${region}:${MOCK_AWS_ACCOUNT}:${resource}`;
}

type Args = pulumi.runtime.MockResourceArgs;

/** A name AWS would generate when the program leaves `name` unset (Pulumi auto-naming: name + suffix). */
function physicalName(a: Args, key = "name"): string {
    const given = a.inputs[key];
    return typeof given === "string" && given ? given : `${a.name}-${hex(a.name, 7)}`;
}

/** EC2-style id: prefix plus 17 hex digits. */
function ec2Id(prefix: string, a: Args): string {
    return `${prefix}-0${hex(`${a.type}/${a.name}`, 16)}`;
}

function ec2Resource(prefix: string, arnType: string) {
    return (a: Args) => {
        const id = ec2Id(prefix, a);
        return { id, arn: arn("ec2", regionOf(a), `${arnType}/${id}`), ownerId: MOCK_AWS_ACCOUNT, tagsAll: a.inputs.tags ?? {} };
    };
}

export const awsMocks: CloudMocks = {
    resources: {
        "pulumi:providers:aws": (a) => ({ id: `aws-provider/${(a.inputs.region as string | undefined) ?? DEFAULT_REGION}` }),

        // KMS
        "aws:kms/key:Key": (a) => {
            const keyId = `${hex(a.name, 8)}-${hex(a.name + "1", 4)}-4${hex(a.name + "2", 3)}-8${hex(a.name + "3", 3)}-${hex(a.name + "4", 12)}`;
            return { id: keyId, keyId, arn: arn("kms", regionOf(a), `key/${keyId}`), tagsAll: a.inputs.tags ?? {} };
        },
        "aws:kms/alias:Alias": (a) => ({
            id: a.inputs.name,
            arn: arn("kms", regionOf(a), a.inputs.name as string),
            targetKeyArn: arn("kms", regionOf(a), `key/${a.inputs.targetKeyId}`),
        }),

        // Network
        "aws:ec2/vpc:Vpc": (a) => {
            const base = ec2Resource("vpc", "vpc")(a);
            return {
                ...base,
                defaultSecurityGroupId: ec2Id("sg", { ...a, name: `${a.name}-default` }),
                defaultNetworkAclId: ec2Id("acl", a),
                defaultRouteTableId: ec2Id("rtb", { ...a, name: `${a.name}-default` }),
                mainRouteTableId: ec2Id("rtb", { ...a, name: `${a.name}-main` }),
                instanceTenancy: "default",
            };
        },
        "aws:ec2/subnet:Subnet": ec2Resource("subnet", "subnet"),
        "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": (a) => ({ ...ec2Resource("sg", "security-group")(a), name: "default" }),
        "aws:ec2/internetGateway:InternetGateway": ec2Resource("igw", "internet-gateway"),
        "aws:ec2/routeTable:RouteTable": ec2Resource("rtb", "route-table"),
        "aws:ec2/route:Route": (a) => ({ id: `r-${a.inputs.routeTableId}1080289494`, state: "active", origin: "CreateRoute" }),
        "aws:ec2/routeTableAssociation:RouteTableAssociation": (a) => ({ id: ec2Id("rtbassoc", a) }),
        "aws:ec2/eip:Eip": (a) => {
            const id = ec2Id("eipalloc", a);
            const n = parseInt(hex(a.name, 4), 16);
            return {
                id,
                allocationId: id,
                publicIp: `203.0.${(n >> 8) & 255}.${n & 255}`,
                arn: arn("ec2", regionOf(a), `elastic-ip/${id}`),
            };
        },
        "aws:ec2/natGateway:NatGateway": (a) => {
            const n = parseInt(hex(a.name, 4), 16);
            return { id: ec2Id("nat", a), publicIp: `203.0.${(n >> 8) & 255}.${n & 255}`, networkInterfaceId: ec2Id("eni", a) };
        },
        "aws:ec2/flowLog:FlowLog": (a) => {
            const id = ec2Id("fl", a);
            return { id, arn: arn("ec2", regionOf(a), `vpc-flow-log/${id}`) };
        },
        "aws:ec2/launchTemplate:LaunchTemplate": (a) => {
            const id = ec2Id("lt", a);
            return { id, arn: arn("ec2", regionOf(a), `launch-template/${id}`), latestVersion: 1, defaultVersion: 1, name: physicalName(a) };
        },
        "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": (a) => {
            const id = ec2Id("sgr", a);
            return { id, securityGroupRuleId: id, arn: arn("ec2", regionOf(a), `security-group-rule/${id}`) };
        },

        // Logs and IAM
        "aws:cloudwatch/logGroup:LogGroup": (a) => {
            const name = physicalName(a);
            return { id: name, name, arn: arn("logs", regionOf(a), `log-group:${name}`) };
        },
        "aws:iam/role:Role": (a) => {
            const name = physicalName(a);
            return {
                id: name,
                name,
                // IAM puts a role's path in its ARN (role/<path><name>); without one the path is "/".
                arn: `arn:${PARTITION}:iam::${MOCK_AWS_ACCOUNT}:role${a.inputs.path ?? "/"}${name}`,
                uniqueId: `AROA${hex(a.name, 17).toUpperCase()}`,
            };
        },
        "aws:iam/rolePolicy:RolePolicy": (a) => {
            const name = physicalName(a);
            return { id: `${a.inputs.role}:${name}`, name };
        },
        "aws:iam/rolePolicyAttachment:RolePolicyAttachment": (a) => ({ id: `${a.inputs.role}-${hex(a.name, 8)}` }),

        // EKS
        "aws:eks/cluster:Cluster": (a) => {
            const name = physicalName(a);
            const region = regionOf(a);
            const oidcId = hex(name, 32).toUpperCase();
            const vpcConfig = (a.inputs.vpcConfig ?? {}) as Record<string, unknown>;
            return {
                id: name,
                name,
                arn: arn("eks", region, `cluster/${name}`),
                endpoint: `https://${oidcId}.gr7.${region}.eks.amazonaws.com`,
                certificateAuthority: { data: MOCK_CA_DATA },
                identities: [{ oidcs: [{ issuer: `https://oidc.eks.${region}.amazonaws.com/id/${oidcId}` }] }],
                vpcConfig: {
                    ...vpcConfig,
                    clusterSecurityGroupId: ec2Id("sg", { ...a, name: `eks-cluster-sg-${name}` }),
                    securityGroupIds: vpcConfig.securityGroupIds ?? [],
                    vpcId: ec2Id("vpc", a),
                },
                platformVersion: "eks.1",
                status: "ACTIVE",
                version: a.inputs.version ?? "1.34",
            };
        },
        "aws:eks/addon:Addon": (a) => ({
            id: `${a.inputs.clusterName}:${a.inputs.addonName}`,
            arn: arn("eks", regionOf(a), `addon/${a.inputs.clusterName}/${a.inputs.addonName}/${hex(a.name, 8)}`),
            addonVersion: a.inputs.addonVersion ?? "v1.0.0-eksbuild.1",
        }),
        "aws:eks/nodeGroup:NodeGroup": (a) => {
            const nodeGroupName = (a.inputs.nodeGroupName as string | undefined) ?? `${a.inputs.nodeGroupNamePrefix ?? a.name}${hex(a.name, 26)}`;
            return {
                id: `${a.inputs.clusterName}:${nodeGroupName}`,
                nodeGroupName,
                arn: arn("eks", regionOf(a), `nodegroup/${a.inputs.clusterName}/${nodeGroupName}/${hex(a.name, 8)}`),
                status: "ACTIVE",
                resources: [{ autoscalingGroups: [{ name: `eks-${nodeGroupName}` }], remoteAccessSecurityGroupId: "" }],
            };
        },
        "aws:eks/accessEntry:AccessEntry": (a) => ({
            id: `${a.inputs.clusterName}:${a.inputs.principalArn}`,
            accessEntryArn: arn("eks", regionOf(a), `access-entry/${a.inputs.clusterName}/role/${hex(a.name, 8)}`),
            kubernetesGroups: [],
            userName: a.inputs.principalArn,
        }),
        "aws:eks/accessPolicyAssociation:AccessPolicyAssociation": (a) => ({
            id: `${a.inputs.clusterName}#${a.inputs.principalArn}#${a.inputs.policyArn}`,
            associatedAt: "2025-01-01T00:00:00Z",
        }),
    },
    calls: {
        "aws:index/getCallerIdentity:getCallerIdentity": () => ({
            id: MOCK_AWS_ACCOUNT,
            accountId: MOCK_AWS_ACCOUNT,
            arn: `arn:${PARTITION}:sts::${MOCK_AWS_ACCOUNT}:assumed-role/platform-deployer/pulumi`,
            userId: "AROAMOCKDEPLOYER:pulumi",
        }),
        // The IAM role behind an assumed-role session (the mock's roles have no path); other ARNs pass through.
        "aws:iam/getSessionContext:getSessionContext": (a) => {
            const arn = String(a.inputs.arn);
            const m = /^arn:([^:]+):sts::(\d{12}):assumed-role\/([^/]+)\/(.+)$/.exec(arn);
            return m
                ? { id: arn, arn, issuerArn: `arn:${m[1]}:iam::${m[2]}:role/${m[3]}`, issuerId: "AROAMOCKDEPLOYER", issuerName: m[3], sessionName: m[4] }
                : { id: arn, arn, issuerArn: arn, issuerId: "", issuerName: "", sessionName: "" };
        },
        // An IAM role by name, with the path IAM keeps: IAM Identity Center (SSO) roles live under
        // /aws-reserved/sso.amazonaws.com/, the mock's other roles have none.
        "aws:iam/getRole:getRole": (a) => {
            const name = String(a.inputs.name);
            const path = name.startsWith("AWSReservedSSO_") ? "/aws-reserved/sso.amazonaws.com/" : "/";
            const arn = `arn:${PARTITION}:iam::${MOCK_AWS_ACCOUNT}:role${path}${name}`;
            return { id: name, name, arn, path, uniqueId: `AROA${hex(name, 16).toUpperCase()}`, assumeRolePolicy: "{}", createDate: "2025-01-01T00:00:00Z" };
        },
        "aws:index/getPartition:getPartition": () => ({
            id: PARTITION,
            partition: PARTITION,
            dnsSuffix: "amazonaws.com",
            reverseDnsPrefix: "com.amazonaws",
        }),
        "aws:index/getRegion:getRegion": (a) => {
            const region = regionOf(a);
            return { id: region, region, name: region, description: region, endpoint: `ec2.${region}.amazonaws.com` };
        },
        "aws:index/getAvailabilityZones:getAvailabilityZones": (a) => {
            const region = regionOf(a);
            const names = ["a", "b", "c"].map((z) => `${region}${z}`);
            const short = region.replace(/^(\w\w)-(\w)\w*-(\d+)$/, "$1$2$3"); // eu-north-1 → eun1
            return {
                id: region,
                region,
                names,
                zoneIds: names.map((_, i) => `${short}-az${i + 1}`),
                groupNames: names.map(() => region),
                state: a.inputs.state,
                filters: a.inputs.filters,
            };
        },
    },
};
