/**
 * AWS: an EKS cluster reachable only inside the VPC (plus the authorized networks), with secrets
 * envelope-encrypted by the platform key, control-plane audit logs, access entries instead of the
 * aws-auth ConfigMap, EKS Pod Identity for workloads, VPC CNI network policy, one managed node
 * group spread over every zone's node subnet with IMDSv2-only nodes, and the Cluster Autoscaler that
 * scales that group within its bounds (eks-autoscaler.ts).
 */
import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { parseCidr } from "../contracts/cidr";
import {
    awsContext,
    deployerPrincipalArn,
    iamPrincipalKey,
    managedPolicyArn,
    nameTags,
    podIdentityTrustPolicy,
    serviceTrustPolicy,
} from "../aws/context";
import { clusterAutoscalerRelease, installEksClusterAutoscaler } from "./eks-autoscaler";
import type { ClusterParts, KubernetesCluster, NodePoolSizing } from "./outputs";
import type { ClusterNetworkFacts } from "./network-facts";
import { execKubeconfig, managedClusterIdentifier } from "./kubeconfig";

/**
 * Kubernetes minor when the caller names none (the stack schema's default). Pinned rather than left
 * to EKS because the Cluster Autoscaler release must match the cluster's minor.
 */
export const DEFAULT_EKS_VERSION = "1.34";

/** CPU architecture of an EC2 instance type, in EC2's own words (DescribeInstanceTypes ProcessorInfo). */
export type Ec2Architecture = "arm64" | "x86_64";

/**
 * The one place the platform derives a node's CPU architecture from its instance type. The general
 * pool's AMI type (amiTypeFor), the wasm pool's Ubuntu image and the Spin shim build it installs
 * (components/serverless/install/wasm-nodes.ts) all follow it, so an image and an instance never
 * disagree. Refuses malformed and accelerated types, naming the setting.
 */
export function ec2Architecture(instanceType: string): Ec2Architecture {
    // <family letters><generation digits><attribute letters>.<size>, e.g. m7g.large, c7gn.xlarge, m7i-flex.large.
    const match = /^([a-z]+)(\d+)([a-z-]*)\.[a-z0-9]+$/.exec(instanceType);
    if (!match) {
        throw new Error(
            `nodes.instanceType "${instanceType}" is not an EC2 instance type; use one such as m7g.large (platform:cluster.nodeTypes.aws)`,
        );
    }
    const [, family, , attributes] = match;
    // GPU, FPGA and ML accelerators need the NVIDIA/Neuron images, not the general-purpose pool's.
    if (/^(p|g|gr|inf|trn|dl|f|vt)$/.test(family)) {
        throw new Error(
            `nodes.instanceType "${instanceType}" is an accelerated instance type; the general node pool takes general-purpose, compute- or memory-optimized types such as m7g.large (platform:cluster.nodeTypes.aws)`,
        );
    }
    // Graviton (arm64) families carry a "g" right after the generation (m7g, c7gn, r6gd, t4g) or are the a1 family.
    return attributes.startsWith("g") || family === "a" ? "arm64" : "x86_64";
}

/** EKS-optimized Amazon Linux 2023 image for the instance type's CPU architecture. */
export function amiTypeFor(instanceType: string): "AL2023_ARM_64_STANDARD" | "AL2023_x86_64_STANDARD" {
    return ec2Architecture(instanceType) === "arm64" ? "AL2023_ARM_64_STANDARD" : "AL2023_x86_64_STANDARD";
}

/**
 * Why a list of cluster admins would lock out the identity deploying it, or undefined when it would
 * not. Access entries are the only way into the cluster (authenticationMode API, no creator admin), and
 * the same deployment installs into the cluster right after creating it: a deployer outside the list
 * would fail there, and could not repair the list from inside later. Roles compare by account and name
 * (IAM names are unique per account whatever their path).
 */
export function deployerAdminProblem(adminArns: readonly string[], deployerArn: string): string | undefined {
    if (adminArns.length === 0) return undefined;
    const deployer = iamPrincipalKey(deployerArn);
    if (deployer && adminArns.some((a) => iamPrincipalKey(a) === deployer)) return undefined;
    return (
        `platform:cluster.admins.aws: ${JSON.stringify(adminArns)} does not include the identity running this deployment (${deployerArn}); ` +
        `it would create the cluster without access to it and fail installing into it. Allowed: a list that includes that role ` +
        `(add it, e.g. the CI role and the operators' role), or deploy as one of the listed roles`
    );
}

/** The EKS add-on that provisions EBS volumes for PVCs, and its controller's service account (kube-system). */
export const EBS_CSI_ADDON = "aws-ebs-csi-driver";
export const EBS_CSI_SERVICE_ACCOUNT = "ebs-csi-controller-sa";
/** The platform's default StorageClass on EKS: gp3, encrypted with the platform key. */
export const EBS_STORAGE_CLASS = "ebs-gp3";

/** An exec-based kubeconfig: `aws eks get-token` mints short-lived tokens, no credential is stored. */
export function eksKubeconfig(clusterName: string, endpoint: string, caData: string, region: string): string {
    return execKubeconfig(clusterName, endpoint, caData, {
        command: "aws",
        args: ["eks", "get-token", "--cluster-name", clusterName, "--region", region, "--output", "json"],
        interactiveMode: "Never",
    });
}

export interface EksClusterArgs {
    region: string;
    /** Kubernetes minor version, e.g. "1.34" (default DEFAULT_EKS_VERSION). */
    kubernetesVersion?: string;
    nodes: NodePoolSizing;
    /** CIDRs allowed to reach the private API endpoint (VPN, bastion, CI). Never a /0. */
    authorizedCidrs?: string[];
    /** The VPC the cluster lives in. */
    vpcId: pulumi.Input<string>;
    /** Private node subnets, one per zone (control-plane ENIs and the node group). */
    nodeSubnetIds: pulumi.Input<string>[];
    /** Ranges of the node subnets: the private endpoint's addresses (the cluster's network facts). */
    nodeSubnetCidrs: string[];
    /** ARN of the KMS key that envelope-encrypts Kubernetes secrets, control-plane logs and EBS volumes. */
    secretsKeyArn: pulumi.Input<string>;
    /** Days to keep control-plane logs (default 365). */
    logRetentionDays?: number;
    /** IAM principals (role ARNs) given cluster-admin through an access entry (default: the deploying identity). */
    adminRoleArns?: pulumi.Input<string>[];
    tags?: pulumi.Input<Record<string, pulumi.Input<string>>>;
    /** Protect the cluster from deletion and retain EBS volumes of deleted claims (default true). */
    protect?: boolean;
}

/** TypeScript-only values of each EksCluster, kept off the class's properties (a schema would read those as outputs). */
const partsOf = new WeakMap<EksCluster, ClusterParts>();

/** AWS: an EKS cluster with zero-trust defaults (see the file comment); type token platform:index:EksCluster. */
export class EksCluster extends pulumi.ComponentResource implements KubernetesCluster {
    public readonly clusterName: pulumi.Output<string>;
    public readonly endpoint: pulumi.Output<string>;
    public readonly kubeconfig: pulumi.Output<string>;
    public readonly oidcIssuerUrl: pulumi.Output<string>;
    /** The worker nodes' IAM role. */
    public readonly nodeRoleArn: pulumi.Output<string>;
    public readonly nodeRoleName: pulumi.Output<string>;
    /** The cluster security group (EKS creates it; the nodes join it). */
    public readonly clusterSecurityGroupId: pulumi.Output<string>;
    /** The security group the nodes carry: the cluster security group (managed node groups without their own). */
    public readonly nodeSecurityGroupId: pulumi.Output<string>;
    public readonly vpcId: pulumi.Output<string>;

    constructor(name: string, args: EksClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        // The token the single KubernetesCluster class had: children keep their URNs through the parent alias.
        super("platform:index:EksCluster", name, {}, pulumi.mergeOptions(opts, { aliases: [{ type: "platform:index:KubernetesCluster" }] }));
        validateEksArgs(name, args);
        const out = createAwsCluster(this, name, args);
        partsOf.set(this, out);
        this.clusterName = out.clusterName;
        this.endpoint = out.endpoint;
        this.kubeconfig = out.kubeconfig;
        this.oidcIssuerUrl = out.oidcIssuerUrl;
        this.nodeRoleArn = out.nodeRoleArn;
        this.nodeRoleName = out.nodeRoleName;
        this.clusterSecurityGroupId = out.clusterSecurityGroupId;
        this.nodeSecurityGroupId = out.clusterSecurityGroupId;
        this.vpcId = pulumi.output(args.vpcId);
        this.registerOutputs({
            clusterName: this.clusterName,
            endpoint: this.endpoint,
            kubeconfig: this.kubeconfig,
            oidcIssuerUrl: this.oidcIssuerUrl,
            nodeRoleArn: this.nodeRoleArn,
            nodeRoleName: this.nodeRoleName,
            clusterSecurityGroupId: this.clusterSecurityGroupId,
            nodeSecurityGroupId: this.nodeSecurityGroupId,
            vpcId: this.vpcId,
        });
    }

    /** TypeScript-only: always "aws". */
    get target(): "aws" {
        return "aws";
    }
    /** TypeScript-only: a provider that installs into this cluster. */
    get provider(): k8s.Provider {
        return partsOf.get(this)!.provider;
    }
    /** TypeScript-only: the cluster's network facts (VPC CNI; the private endpoint's addresses). */
    get networkFacts(): ClusterNetworkFacts {
        return partsOf.get(this)!.networkFacts;
    }
    /** TypeScript-only: the EKS outputs by name, as the capabilities read them. */
    get extras(): Record<string, pulumi.Output<string>> {
        return {
            nodeRoleArn: this.nodeRoleArn,
            nodeRoleName: this.nodeRoleName,
            clusterSecurityGroupId: this.clusterSecurityGroupId,
            nodeSecurityGroupId: this.nodeSecurityGroupId,
            vpcId: this.vpcId,
        };
    }
}

function fail(name: string, path: string, value: unknown, allowed: string): never {
    throw new Error(`EksCluster ${name}: args.${path}: ${JSON.stringify(value)}; allowed: ${allowed}`);
}

/** Every check, before the first child is registered. */
function validateEksArgs(name: string, args: EksClusterArgs): void {
    const { nodes } = args;
    if (!args.region) fail(name, "region", args.region, "an AWS region such as eu-north-1");
    if (!nodes) fail(name, "nodes", nodes, "node sizing (instanceType, minNodes, maxNodes)");
    if (!Number.isInteger(nodes.minNodes) || nodes.minNodes < 1 || !Number.isInteger(nodes.maxNodes) || nodes.minNodes > nodes.maxNodes) {
        fail(name, "nodes", { minNodes: nodes.minNodes, maxNodes: nodes.maxNodes }, "whole numbers with 1 <= minNodes <= maxNodes");
    }
    if (!args.nodeSubnetIds?.length) fail(name, "nodeSubnetIds", args.nodeSubnetIds, "the VPC's private node subnets, one per zone");
    if (args.secretsKeyArn === undefined) fail(name, "secretsKeyArn", args.secretsKeyArn, "the ARN of the KMS key that encrypts Kubernetes secrets");
    try {
        amiTypeFor(nodes.instanceType);
    } catch (e) {
        // ec2Architecture names the argument ("nodes.instanceType …"); the component adds its name.
        throw new Error(`EksCluster ${name}: args.${(e as Error).message}`);
    }
    clusterAutoscalerRelease(name, args.kubernetesVersion ?? DEFAULT_EKS_VERSION);
    (args.authorizedCidrs ?? []).forEach((cidr, i) => {
        if (parseCidr(cidr).prefix === 0) fail(name, `authorizedCidrs[${i}]`, cidr, "the VPN, bastion or CI networks; never a /0, which opens the API endpoint to the whole internet");
    });
}

function createAwsCluster(parent: pulumi.Resource, name: string, args: EksClusterArgs) {
    const { nodes, region } = args;
    const amiType = amiTypeFor(nodes.instanceType);
    const protect = args.protect ?? true;
    const kubernetesVersion = args.kubernetesVersion ?? DEFAULT_EKS_VERSION;
    const authorizedCidrs = args.authorizedCidrs ?? [];
    const logRetentionDays = args.logRetentionDays ?? 365;
    const keyArn = args.secretsKeyArn;
    const { partition, accountId } = awsContext(parent);
    const tags = (resourceName: string) => nameTags(args.tags, resourceName);
    const clusterName = name;

    // --- IAM: one role for the control plane, one for the nodes, each with only what it needs. ---
    const clusterRole = new aws.iam.Role(
        `${name}-cluster-role`,
        {
            description: `EKS control plane of ${clusterName}`,
            assumeRolePolicy: serviceTrustPolicy("eks.amazonaws.com"),
            tags: tags(`${name}-cluster-role`),
        },
        { parent },
    );
    const clusterPolicy = new aws.iam.RolePolicyAttachment(
        `${name}-cluster-policy`,
        { role: clusterRole.name, policyArn: managedPolicyArn(partition, "AmazonEKSClusterPolicy") },
        { parent },
    );
    // Envelope encryption of secrets: the control plane uses the platform key, and that key only.
    const clusterKeyUse = new aws.iam.RolePolicy(
        `${name}-cluster-secrets-key`,
        {
            role: clusterRole.id,
            policy: pulumi.output(keyArn).apply((arn) =>
                JSON.stringify({
                    Version: "2012-10-17",
                    Statement: [
                        {
                            Sid: "EnvelopeEncryptSecretsWithThePlatformKey",
                            Effect: "Allow",
                            Action: ["kms:Encrypt", "kms:Decrypt", "kms:ListGrants", "kms:DescribeKey"],
                            Resource: arn,
                        },
                    ],
                }),
            ),
        },
        { parent },
    );

    const nodeRole = new aws.iam.Role(
        `${name}-node-role`,
        {
            description: `EC2 worker nodes of ${clusterName}`,
            assumeRolePolicy: serviceTrustPolicy("ec2.amazonaws.com"),
            tags: tags(`${name}-node-role`),
        },
        { parent },
    );
    const nodePolicies = [
        // Join the cluster and describe the instance's own network.
        "AmazonEKSWorkerNodePolicy",
        // Pull images from ECR (read only, no listing or describing of repositories).
        "AmazonEC2ContainerRegistryPullOnly",
        // The VPC CNI (aws-node) assigns pod IPs from the node's ENIs. It stays on the node role because
        // nodes only become Ready once the CNI works, so it must not wait for a Pod Identity association;
        // pods cannot borrow these credentials because IMDSv2 with hop limit 1 keeps them off the metadata service.
        "AmazonEKS_CNI_Policy",
    ].map(
        (policy) =>
            new aws.iam.RolePolicyAttachment(
                `${name}-node-${policy}`,
                { role: nodeRole.name, policyArn: managedPolicyArn(partition, policy) },
                { parent },
            ),
    );

    // --- Control plane. ---
    // Created before the cluster so EKS writes into a group with retention and encryption, not one of its own.
    const controlPlaneLogs = new aws.cloudwatch.LogGroup(
        `${name}-cluster-logs`,
        {
            name: `/aws/eks/${clusterName}/cluster`,
            retentionInDays: logRetentionDays,
            kmsKeyId: keyArn,
            tags: tags(`${name}-cluster-logs`),
        },
        { parent },
    );

    const cluster = new aws.eks.Cluster(
        `${name}-eks`,
        {
            name: clusterName,
            version: kubernetesVersion,
            roleArn: clusterRole.arn,
            vpcConfig: {
                subnetIds: args.nodeSubnetIds,
                // The API server is reachable only from inside the VPC (and the networks allowed below).
                endpointPrivateAccess: true,
                endpointPublicAccess: false,
            },
            encryptionConfig: { resources: ["secrets"], provider: { keyArn } },
            enabledClusterLogTypes: ["api", "audit", "authenticator"],
            accessConfig: {
                // Access entries (IAM API) only; the aws-auth ConfigMap is not consulted.
                authenticationMode: "API",
                // No invisible admin for whoever ran the deployment; admins are listed explicitly.
                bootstrapClusterCreatorAdminPermissions: false,
            },
            // The VPC CNI, kube-proxy and CoreDNS are installed below as managed add-ons instead.
            bootstrapSelfManagedAddons: false,
            // Standard support only: extended support is billed extra and means an outdated version.
            upgradePolicy: { supportType: "STANDARD" },
            // Lets Route 53 ARC shift traffic away from an impaired zone.
            zonalShiftConfig: { enabled: true },
            tags: tags(clusterName),
        },
        // Its etcd holds every Kubernetes object of the platform: protected like the keys (platform:protect).
        { parent, dependsOn: [clusterPolicy, clusterKeyUse, controlPlaneLogs], protect },
    );
    const clusterSecurityGroupId = cluster.vpcConfig.clusterSecurityGroupId;

    // The private endpoint admits the authorized networks (VPN, bastion, CI) on 443 and nothing else from outside the VPC.
    authorizedCidrs.forEach((cidr, i) => {
        new aws.vpc.SecurityGroupIngressRule(
            `${name}-api-from-authorized-${i}`,
            {
                securityGroupId: clusterSecurityGroupId,
                description: `Kubernetes API from authorized network ${cidr}`,
                ipProtocol: "tcp",
                fromPort: 443,
                toPort: 443,
                cidrIpv4: cidr,
                tags: tags(`${name}-api-from-authorized-${i}`),
            },
            { parent },
        );
    });

    // Cluster administrators: exactly the listed IAM roles, each through an access entry. With none
    // listed, the identity running `pulumi up` (its IAM role, path included) is the one admin (bootstrap
    // admin stays off: ID-01), so the platform can install into its own cluster on a first deploy. The
    // stack refuses a list without the deployer before registering anything (deployerAdminProblem).
    const listed = args.adminRoleArns ?? [];
    // A listed role of this account is resolved to its IAM ARN, path included: the admin check compares
    // names (IAM role names are unique per account whatever the path), but CreateAccessEntry needs the
    // role's exact ARN and refuses an SSO role (/aws-reserved/sso.amazonaws.com/…) listed without its path
    // as an invalid principal (terraform-aws-modules/terraform-aws-eks#2969; EKS user guide, "Create access
    // entries": a role ARN may include a path). Roles of other accounts (allowed for STANDARD entries) and
    // users are used as written.
    const resolveRole = (listedArn: pulumi.Input<string>): pulumi.Output<string> =>
        pulumi.all([pulumi.output(listedArn), accountId]).apply(([arn, account]) => {
            const role = /^arn:[^:]+:iam::(\d{12}):role\/(?:.*\/)?([^/]+)$/.exec(arn);
            return role && role[1] === account ? aws.iam.getRoleOutput({ name: role[2]! }, { parent }).arn : pulumi.output(arn);
        });
    const admins: pulumi.Input<string>[] = listed.length ? listed.map(resolveRole) : [deployerPrincipalArn({ parent })];
    // An access entry grants nothing until its access policy is associated: the cluster's provider waits for both.
    const adminAccess: pulumi.Resource[] = [];
    admins.forEach((principalArn, i) => {
        const entry = new aws.eks.AccessEntry(
            `${name}-admin-${i}`,
            { clusterName: cluster.name, principalArn, type: "STANDARD", tags: tags(`${name}-admin-${i}`) },
            { parent },
        );
        const association = new aws.eks.AccessPolicyAssociation(
            `${name}-admin-${i}-cluster-admin`,
            {
                clusterName: cluster.name,
                principalArn: entry.principalArn,
                policyArn: pulumi.interpolate`arn:${partition}:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy`,
                accessScope: { type: "cluster" },
            },
            { parent },
        );
        adminAccess.push(entry, association);
    });

    // --- Add-ons. Versions are left to EKS: the default version for the cluster's Kubernetes version. ---
    const addon = (addonName: string, extra: Partial<aws.eks.AddonArgs> = {}, dependsOn: pulumi.Resource[] = []) =>
        new aws.eks.Addon(
            `${name}-${addonName}`,
            {
                clusterName: cluster.name,
                addonName,
                resolveConflictsOnCreate: "OVERWRITE",
                resolveConflictsOnUpdate: "OVERWRITE",
                tags: tags(`${name}-${addonName}`),
                ...extra,
            },
            { parent, dependsOn },
        );
    // Network policy enforced by the VPC CNI's eBPF node agent (NetworkPolicy objects take effect).
    const vpcCni = addon("vpc-cni", { configurationValues: JSON.stringify({ enableNetworkPolicy: "true" }) });
    const kubeProxy = addon("kube-proxy");
    // Workloads get AWS credentials through EKS Pod Identity associations (no OIDC provider, no IRSA).
    const podIdentity = addon("eks-pod-identity-agent");

    // --- Nodes. ---
    const launchTemplate = new aws.ec2.LaunchTemplate(
        `${name}-nodes-lt`,
        {
            description: `Worker nodes of ${clusterName}: IMDSv2 only, encrypted gp3 root volume`,
            metadataOptions: {
                httpEndpoint: "enabled",
                // Session tokens only (IMDSv2), and a hop limit of 1 so containers cannot reach the node's credentials.
                httpTokens: "required",
                httpPutResponseHopLimit: 1,
                instanceMetadataTags: "disabled",
            },
            blockDeviceMappings: [
                {
                    deviceName: "/dev/xvda",
                    ebs: {
                        volumeType: "gp3",
                        volumeSize: 50,
                        // Encrypted with the account's EBS key: a customer key would need a grant for the
                        // Auto Scaling service-linked role, which may not exist when the key is created.
                        encrypted: "true",
                        deleteOnTermination: "true",
                    },
                },
            ],
            updateDefaultVersion: true,
            tagSpecifications: [
                { resourceType: "instance", tags: tags(`${name}-node`) },
                { resourceType: "volume", tags: tags(`${name}-node-root`) },
            ],
            tags: tags(`${name}-nodes-lt`),
        },
        { parent },
    );

    const nodeGroup = new aws.eks.NodeGroup(
        `${name}-general`,
        {
            clusterName: cluster.name,
            nodeGroupNamePrefix: `${name}-general-`,
            nodeRoleArn: nodeRole.arn,
            // One subnet per zone: the group spreads over every zone.
            subnetIds: args.nodeSubnetIds,
            instanceTypes: [nodes.instanceType],
            amiType,
            capacityType: "ON_DEMAND",
            scalingConfig: { minSize: nodes.minNodes, desiredSize: nodes.minNodes, maxSize: nodes.maxNodes },
            launchTemplate: { id: launchTemplate.id, version: pulumi.interpolate`${launchTemplate.latestVersion}` },
            // Replace nodes one at a time during upgrades.
            updateConfig: { maxUnavailable: 1 },
            // EKS replaces nodes that report unhealthy.
            nodeRepairConfig: { enabled: true },
            labels: { "platform/pool": "general" },
            tags: tags(`${name}-general`),
        },
        {
            parent,
            // A cluster autoscaler (or an operator) moves the desired size within the bounds; a redeploy must not reset it.
            ignoreChanges: ["scalingConfig.desiredSize"],
            dependsOn: [...nodePolicies, vpcCni, kubeProxy, podIdentity],
        },
    );
    // CoreDNS needs schedulable nodes, or the add-on stays degraded.
    const coreDns = addon("coredns", {}, [nodeGroup]);

    // --- Block storage: the EBS CSI driver, so PersistentVolumeClaims (Kafka brokers' volumes) bind. ---
    // Its controller (kube-system/ebs-csi-controller-sa) gets AWS credentials from EKS Pod Identity (the agent
    // add-on above), through a role only that service account of this cluster can assume.
    const ebsCsiRole = new aws.iam.Role(
        `${name}-ebs-csi`,
        {
            description: `EBS CSI driver of ${clusterName} (kube-system/${EBS_CSI_SERVICE_ACCOUNT}, EKS Pod Identity)`,
            assumeRolePolicy: podIdentityTrustPolicy(cluster.name, "kube-system", EBS_CSI_SERVICE_ACCOUNT),
            tags: tags(`${name}-ebs-csi`),
        },
        { parent },
    );
    const ebsCsiPolicy = new aws.iam.RolePolicyAttachment(
        `${name}-ebs-csi`,
        // Create, attach, snapshot and delete volumes (AWS managed; the EKS user guide's add-on page names it).
        { role: ebsCsiRole.name, policyArn: managedPolicyArn(partition, "service-role/AmazonEBSCSIDriverPolicy") },
        { parent },
    );
    // Volumes are encrypted with the platform key: the driver needs the key operations the EKS user guide
    // lists for a customer managed key, grants only for AWS resources (EBS attaching the volume).
    const ebsCsiKeyUse = new aws.iam.RolePolicy(
        `${name}-ebs-csi-key`,
        {
            role: ebsCsiRole.id,
            policy: pulumi.output(keyArn).apply((arn) =>
                JSON.stringify({
                    Version: "2012-10-17",
                    Statement: [
                        {
                            Sid: "GrantThePlatformKeyToEbs",
                            Effect: "Allow",
                            Action: ["kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"],
                            Resource: arn,
                            Condition: { Bool: { "kms:GrantIsForAWSResource": "true" } },
                        },
                        {
                            Sid: "EncryptVolumesWithThePlatformKey",
                            Effect: "Allow",
                            Action: ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"],
                            Resource: arn,
                        },
                    ],
                }),
            ),
        },
        { parent },
    );
    // After the nodes (its controller must schedule, or the add-on stays degraded) and the Pod Identity agent.
    const ebsCsi = addon(
        EBS_CSI_ADDON,
        { podIdentityAssociations: [{ serviceAccount: EBS_CSI_SERVICE_ACCOUNT, roleArn: ebsCsiRole.arn }] },
        [nodeGroup, podIdentity, ebsCsiPolicy, ebsCsiKeyUse],
    );

    const caData = cluster.certificateAuthority.data;
    const kubeconfig = pulumi.secret(
        pulumi.all([cluster.name, cluster.endpoint, caData]).apply(([n, endpoint, ca]) => eksKubeconfig(n, endpoint, ca, region)),
    );
    const provider = new k8s.Provider(
        `${name}-k8s`,
        {
            kubeconfig,
            // The provider is replaced only when this changes. Without it, pulumi-kubernetes replaces the
            // provider (and so every resource in the cluster) whenever the kubeconfig is unknown in a preview,
            // which happens on any update of the cluster it is read from (provider.d.ts, clusterIdentifier).
            clusterIdentifier: managedClusterIdentifier("aws", args.region, name),
            // Server-side apply lets several owners (operators, Helm, this program) share fields safely.
            enableServerSideApply: true,
        },
        // Nodes to run on, and the admins' access entries with their policy associations: without the
        // association an entry grants nothing and the first in-cluster resource would be refused. CoreDNS
        // and the EBS CSI driver too: charts and operators installed through this provider resolve
        // in-cluster names and bind PersistentVolumeClaims (Kafka brokers) from their first start.
        { parent, dependsOn: [nodeGroup, ...adminAccess, coreDns, ebsCsi] },
    );

    // The default StorageClass: EKS has not marked gp2 as default on clusters created at 1.30 or later
    // (EKS user guide, Kubernetes 1.30 release notes), so without one a PVC naming no class never binds.
    // gp3, encrypted with the platform key; WaitForFirstConsumer creates each volume in its pod's zone.
    // Volumes are retained when their claim goes, unless the stack is unprotected (platform:protect).
    new k8s.storage.v1.StorageClass(
        `${name}-${EBS_STORAGE_CLASS}`,
        {
            metadata: { name: EBS_STORAGE_CLASS, annotations: { "storageclass.kubernetes.io/is-default-class": "true" } },
            provisioner: "ebs.csi.aws.com",
            parameters: { type: "gp3", encrypted: "true", kmsKeyId: keyArn },
            volumeBindingMode: "WaitForFirstConsumer",
            reclaimPolicy: protect ? "Retain" : "Delete",
            allowVolumeExpansion: true,
        },
        { parent, provider, dependsOn: [ebsCsi] },
    );

    // Moves the node group's desired size between minNodes and maxNodes (EKS itself never does).
    installEksClusterAutoscaler(parent, name, {
        clusterName: cluster.name,
        region,
        kubernetesVersion,
        accountId,
        partition,
        provider,
        dependsOn: [nodeGroup, podIdentity],
        tags,
    });

    return {
        // VPC CNI's network policy agent checks egress before kube-proxy's DNAT, so in-cluster clients
        // (which dial the `kubernetes` Service) need its ClusterIP: the first address of the service
        // range EKS picks when none is set, 172.20.0.0/16 or 10.100.0.0/16 (EKS API
        // KubernetesNetworkConfigRequest.serviceIpv4Cidr); clients using the endpoint name reach the
        // private endpoint's ENIs in the cluster's subnets (open-telemetry/opentelemetry-operator#5621).
        networkFacts: {
            networkPolicyEngine: "vpc-cni",
            apiServer: { cidrs: [...args.nodeSubnetCidrs, "172.20.0.1/32", "10.100.0.1/32"], ports: [443] },
        },
        clusterName: cluster.name,
        endpoint: cluster.endpoint,
        kubeconfig,
        oidcIssuerUrl: cluster.identities.apply((ids) => ids?.[0]?.oidcs?.[0]?.issuer ?? ""),
        provider,
        nodeRoleArn: nodeRole.arn,
        nodeRoleName: nodeRole.name,
        // Managed node groups without their own security groups join the cluster security group.
        clusterSecurityGroupId,
    };
}
