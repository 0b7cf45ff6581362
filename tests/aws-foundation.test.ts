/**
 * The AWS foundation (KMS key, VPC, EKS) as the dev stack plans it with only AWS enabled, and the
 * components used directly for the settings the stack does not exercise and for bad input.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { EksCluster, type EksClusterArgs } from "../components/cluster";
import { amiTypeFor } from "../components/cluster/aws";
import { AwsKmsKey, type AwsKmsKeyArgs } from "../components/keys";
import { AwsNetwork, type AwsNetworkArgs } from "../components/network";
import { overlaps, parseCidr } from "../components/contracts/cidr";
import { planStack, type Plan, type RecordedResource } from "../tools/plan";
import { MOCK_AWS_ACCOUNT, MOCK_CA_DATA } from "../tools/plan/mocks/types";
import { runUnderMocks } from "../tools/plan/runtime";

const T = {
    key: "aws:kms/key:Key",
    alias: "aws:kms/alias:Alias",
    vpc: "aws:ec2/vpc:Vpc",
    subnet: "aws:ec2/subnet:Subnet",
    igw: "aws:ec2/internetGateway:InternetGateway",
    eip: "aws:ec2/eip:Eip",
    nat: "aws:ec2/natGateway:NatGateway",
    routeTable: "aws:ec2/routeTable:RouteTable",
    route: "aws:ec2/route:Route",
    rta: "aws:ec2/routeTableAssociation:RouteTableAssociation",
    defaultSg: "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup",
    flowLog: "aws:ec2/flowLog:FlowLog",
    logGroup: "aws:cloudwatch/logGroup:LogGroup",
    role: "aws:iam/role:Role",
    rolePolicy: "aws:iam/rolePolicy:RolePolicy",
    attachment: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
    cluster: "aws:eks/cluster:Cluster",
    addon: "aws:eks/addon:Addon",
    nodeGroup: "aws:eks/nodeGroup:NodeGroup",
    launchTemplate: "aws:ec2/launchTemplate:LaunchTemplate",
    ingress: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
    accessEntry: "aws:eks/accessEntry:AccessEntry",
    accessPolicy: "aws:eks/accessPolicyAssociation:AccessPolicyAssociation",
    podIdentity: "aws:eks/podIdentityAssociation:PodIdentityAssociation",
    release: "kubernetes:helm.sh/v3:Release",
};

type Inputs = Record<string, any>;
/** A recorded resource whose inputs the assertions read freely. */
type Rec = RecordedResource & { inputs: Inputs };
const ofType = (resources: RecordedResource[], type: string) => resources.filter((r) => r.type === type) as Rec[];
function only(resources: RecordedResource[], type: string, name?: string): Rec {
    const found = ofType(resources, type).filter((r) => name === undefined || r.name === name);
    expect(found, `exactly one ${type} ${name ?? ""}`).toHaveLength(1);
    return found[0]!;
}
const byUrn = (resources: RecordedResource[], urn: string) => resources.find((r) => r.urn === urn) as Rec;
/** The resources of a type that `r` depends on (its inputs reference them). */
const dependenciesOfType = (resources: RecordedResource[], r: RecordedResource, type: string) =>
    r.dependencies.map((u) => byUrn(resources, u)).filter((d) => d?.type === type);

/**
 * The dev stack with only AWS enabled. The services the dev stack file declares (some for other
 * clouds only) are dropped: this file tests the foundation, not the services.
 */
const awsOnly = (extra: Record<string, unknown> = {}) => ({ "platform:clouds": ["aws"], "platform:services": [], ...extra });

/** The children of the stack's AwsKmsKey, AwsNetwork and EksCluster components. */
const foundationOf = (resources: RecordedResource[]) =>
    resources.filter((r) => /platform:index:(AwsKmsKey|AwsNetwork|EksCluster)::plt-dev-aws$/.test(r.parent));

/** Every statement's principals, actions and resources, flattened, for "no wildcard" checks. */
function statements(policyJson: string): Inputs[] {
    const doc = JSON.parse(policyJson);
    expect(doc.Version).toBe("2012-10-17");
    return doc.Statement;
}
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : [v]);

describe("AWS foundation (dev stack, aws only)", () => {
    let plan: Plan;
    /** Everything the plan registers (later capabilities add their own resources). */
    let all: RecordedResource[];
    /** The children of the AWS key, network and cluster components: what this file is about. */
    let res: RecordedResource[];
    let region: string;
    const inputs = (type: string, name?: string) => only(res, type, name).inputs as Inputs;
    const keyArn = () => inputs(T.cluster).encryptionConfig.provider.keyArn as string;

    beforeAll(async () => {
        plan = await planStack("dev", awsOnly());
        all = plan.resources;
        res = foundationOf(all);
        region = (plan.outputs["aws"] as Inputs).region;
    });

    it("creates no Azure or GCP resource in an aws-only stack", () => {
        expect(all.filter((r) => /^(azure-native|gcp):/.test(r.type) || /^pulumi:providers:(azure-native|gcp)$/.test(r.type))).toEqual([]);
        // The foundation itself: AWS resources plus the cluster's Kubernetes provider, the autoscaler's release and the default StorageClass, nothing else.
        const foreign = res.filter((r) => r.custom && !r.type.startsWith("aws:") && r.type !== "pulumi:providers:kubernetes");
        expect(foreign.map((r) => r.type).sort()).toEqual([T.release, "kubernetes:storage.k8s.io/v1:StorageClass"]);
    });

    it("gives every resource an explicit provider: the stack's aws provider for AWS resources", () => {
        const custom = all.filter((r) => r.custom && !r.type.startsWith("pulumi:providers:"));
        for (const r of custom) expect(r.provider, r.name).not.toBe("");
        const awsResources = res.filter((r) => r.type.startsWith("aws:"));
        expect(awsResources.length).toBeGreaterThanOrEqual(50);
        for (const r of awsResources) expect(r.provider, r.name).toMatch(/[:$]pulumi:providers:aws::aws$/);
        expect(only(all, "pulumi:providers:aws").inputs.region).toBe(region);
        expect(only(res, "pulumi:providers:kubernetes").parent).toMatch(/platform:index:EksCluster::plt-dev-aws$/);
    });

    describe("platform key", () => {
        it("rotates every 90 days, keeps a 30-day deletion window and is protected", () => {
            const key = only(res, T.key);
            expect(key.protect).toBe(true);
            expect(key.inputs).toMatchObject({
                enableKeyRotation: true,
                rotationPeriodInDays: 90,
                deletionWindowInDays: 30,
                keyUsage: "ENCRYPT_DECRYPT",
                customerMasterKeySpec: "SYMMETRIC_DEFAULT",
            });
            expect(inputs(T.alias)).toMatchObject({ name: "alias/plt-dev-aws" });
            expect(dependenciesOfType(res, only(res, T.alias), T.key)).toHaveLength(1);
        });

        it("has a key policy with the account root as administrator, CloudWatch Logs scoped to this account's log groups, and no '*' principal", () => {
            const policy = statements(inputs(T.key).policy);
            const principals = policy.flatMap((s) => (s.Principal === "*" ? ["*"] : Object.values(s.Principal).flatMap(list)));
            expect(principals).not.toContain("*");
            const admin = policy.find((s) => s.Principal.AWS)!;
            expect(admin).toMatchObject({ Effect: "Allow", Principal: { AWS: `arn:aws:iam::${MOCK_AWS_ACCOUNT}:root` }, Action: "kms:*" });
            const logs = policy.find((s) => s.Principal.Service)!;
            expect(logs.Principal.Service).toBe(`logs.${region}.amazonaws.com`);
            expect(list(logs.Action)).toEqual(expect.arrayContaining(["kms:Encrypt*", "kms:Decrypt*", "kms:GenerateDataKey*"]));
            expect(logs.Condition).toEqual({
                ArnLike: { "kms:EncryptionContext:aws:logs:arn": `arn:aws:logs:${region}:${MOCK_AWS_ACCOUNT}:log-group:*` },
            });
        });

        it("is left unprotected only when platform:protect is false", async () => {
            const throwaway = await planStack("dev", awsOnly({ "platform:protect": false }));
            expect(only(foundationOf(throwaway.resources), T.key).protect).toBe(false);
        });
    });

    describe("network", () => {
        it("builds a DNS-enabled VPC on the configured range and empties its default security group", () => {
            expect(inputs(T.vpc)).toMatchObject({ cidrBlock: "10.10.0.0/16", enableDnsSupport: true, enableDnsHostnames: true });
            const sg = only(res, T.defaultSg);
            expect(sg.inputs.ingress).toEqual([]);
            expect(sg.inputs.egress).toEqual([]);
            expect(dependenciesOfType(res, sg, T.vpc)).toHaveLength(1);
        });

        it("cuts node, data and public subnets per zone, disjoint and inside the VPC, with no public IPs on launch", () => {
            const subnets = ofType(res, T.subnet).map((r) => r.inputs as Inputs);
            expect(subnets).toHaveLength(9);
            for (const s of subnets) {
                expect(s.mapPublicIpOnLaunch, s.tags.Name).toBe(false);
                expect(overlaps(s.cidrBlock, "10.10.0.0/16")).toBe(true);
                expect(parseCidr(s.cidrBlock).prefix).toBeGreaterThan(16);
            }
            for (let i = 0; i < subnets.length; i++)
                for (let j = i + 1; j < subnets.length; j++) expect(overlaps(subnets[i].cidrBlock, subnets[j].cidrBlock)).toBe(false);

            const tier = (t: string) => subnets.filter((s) => s.tags["platform/tier"] === t);
            const zones = [`${region}a`, `${region}b`, `${region}c`];
            for (const t of ["nodes", "data", "public"]) expect(tier(t).map((s) => s.availabilityZone).sort()).toEqual(zones);
            // The address plan: node subnets are the largest (pods take VPC addresses), public ones the smallest.
            expect(tier("nodes").map((s) => s.cidrBlock).sort()).toEqual(["10.10.0.0/18", "10.10.128.0/18", "10.10.64.0/18"]);
            expect(tier("data").map((s) => s.cidrBlock).sort()).toEqual(["10.10.192.0/20", "10.10.208.0/20", "10.10.224.0/20"]);
            expect(tier("public").map((s) => s.cidrBlock).sort()).toEqual(["10.10.240.0/22", "10.10.244.0/22", "10.10.248.0/22"]);

            for (const s of tier("public")) {
                expect(s.tags["kubernetes.io/role/elb"]).toBe("1");
                expect(s.tags["kubernetes.io/role/internal-elb"]).toBeUndefined();
            }
            for (const s of tier("nodes")) {
                expect(s.tags["kubernetes.io/role/internal-elb"]).toBe("1");
                expect(s.tags["kubernetes.io/role/elb"]).toBeUndefined();
            }
            for (const s of tier("data")) expect(Object.keys(s.tags).filter((k) => k.startsWith("kubernetes.io/"))).toEqual([]);
            // The stack's tags reach every subnet.
            for (const s of subnets) expect(s.tags).toMatchObject({ team: "platform", environment: "dev", "managed-by": "pulumi" });
        });

        it("runs one NAT gateway with its own EIP in each zone's public subnet; each node subnet routes through its own zone's NAT", () => {
            const nats = ofType(res, T.nat);
            expect(nats).toHaveLength(3);
            const natZone = new Map<string, string>();
            const eips = new Set<string>();
            for (const nat of nats) {
                const [subnet] = dependenciesOfType(res, nat, T.subnet);
                expect(subnet.inputs.tags["platform/tier"]).toBe("public");
                const [eip] = dependenciesOfType(res, nat, T.eip);
                expect(eip.inputs.domain).toBe("vpc");
                eips.add(eip.urn);
                natZone.set(nat.urn, subnet.inputs.availabilityZone as string);
            }
            expect(eips.size).toBe(3);
            expect(new Set(natZone.values()).size).toBe(3);

            const tableOf = (subnet: RecordedResource) => {
                const assoc = ofType(res, T.rta).filter((a) => a.dependencies.includes(subnet.urn));
                expect(assoc, subnet.name).toHaveLength(1);
                return dependenciesOfType(res, assoc[0], T.routeTable)[0];
            };
            const routesOf = (table: RecordedResource) => ofType(res, T.route).filter((r) => r.dependencies.includes(table.urn));
            for (const subnet of ofType(res, T.subnet)) {
                const routes = routesOf(tableOf(subnet));
                const t = subnet.inputs.tags["platform/tier"];
                if (t === "nodes") {
                    expect(routes).toHaveLength(1);
                    expect(routes[0].inputs.destinationCidrBlock).toBe("0.0.0.0/0");
                    const [nat] = dependenciesOfType(res, routes[0], T.nat);
                    expect(natZone.get(nat.urn)).toBe(subnet.inputs.availabilityZone);
                } else if (t === "public") {
                    expect(routes).toHaveLength(1);
                    expect(routes[0].inputs.destinationCidrBlock).toBe("0.0.0.0/0");
                    expect(dependenciesOfType(res, routes[0], T.igw)).toHaveLength(1);
                } else {
                    // Data subnets: only the implicit VPC-local route.
                    expect(routes).toEqual([]);
                }
            }
        });

        it("logs all VPC traffic to a KMS-encrypted log group kept 365 days, through a least-privilege role", () => {
            const flowLog = only(res, T.flowLog);
            expect(flowLog.inputs).toMatchObject({ trafficType: "ALL", logDestinationType: "cloud-watch-logs" });
            expect(dependenciesOfType(res, flowLog, T.vpc)).toHaveLength(1);
            const [group] = dependenciesOfType(res, flowLog, T.logGroup);
            expect(group.inputs).toMatchObject({ name: "/aws/vpc/plt-dev-aws/flow-logs", retentionInDays: 365, kmsKeyId: keyArn() });
            expect(flowLog.inputs.logDestination).toBe(`arn:aws:logs:${region}:${MOCK_AWS_ACCOUNT}:log-group:/aws/vpc/plt-dev-aws/flow-logs`);

            const [role] = dependenciesOfType(res, flowLog, T.role);
            const [trust] = statements(role.inputs.assumeRolePolicy);
            expect(trust).toMatchObject({
                Effect: "Allow",
                Principal: { Service: "vpc-flow-logs.amazonaws.com" },
                Action: "sts:AssumeRole",
                Condition: { StringEquals: { "aws:SourceAccount": MOCK_AWS_ACCOUNT } },
            });
            const write = ofType(res, T.rolePolicy).find((p) => p.dependencies.includes(role.urn))!;
            for (const s of statements(write.inputs.policy)) {
                expect(list(s.Action).every((a) => typeof a === "string" && a.startsWith("logs:") && !a.includes("*"))).toBe(true);
                expect(list(s.Resource)).not.toContain("*");
            }
            expect(statements(write.inputs.policy)[0].Resource).toContain(flowLog.inputs.logDestination);
        });
    });

    describe("EKS cluster", () => {
        it("serves the API on a private endpoint only, admitting the authorized networks on 443", () => {
            const cluster = inputs(T.cluster);
            expect(cluster.vpcConfig).toMatchObject({ endpointPrivateAccess: true, endpointPublicAccess: false });
            expect(cluster.vpcConfig.publicAccessCidrs).toBeUndefined();
            expect(cluster.vpcConfig.subnetIds).toHaveLength(3);
            const rules = ofType(res, T.ingress).map((r) => r.inputs as Inputs);
            expect(rules.map((r) => r.cidrIpv4)).toEqual(["10.99.0.0/24"]);
            expect(rules[0]).toMatchObject({ ipProtocol: "tcp", fromPort: 443, toPort: 443 });
            expect(rules[0].securityGroupId).toMatch(/^sg-[0-9a-f]{17}$/);
        });

        it("encrypts secrets with the platform key and ships api, audit and authenticator logs to a pre-created encrypted group", () => {
            const cluster = only(res, T.cluster);
            expect(cluster.inputs.name).toBe("plt-dev-aws");
            expect(cluster.inputs.version).toBe("1.34");
            expect(cluster.inputs.encryptionConfig.resources).toEqual(["secrets"]);
            expect(keyArn()).toMatch(new RegExp(`^arn:aws:kms:${region}:${MOCK_AWS_ACCOUNT}:key/`));
            expect([...cluster.inputs.enabledClusterLogTypes].sort()).toEqual(["api", "audit", "authenticator"]);
            const logs = only(res, T.logGroup, "plt-dev-aws-cluster-logs");
            expect(logs.inputs).toMatchObject({ name: "/aws/eks/plt-dev-aws/cluster", retentionInDays: 365, kmsKeyId: keyArn() });
            expect(cluster.dependencies).toContain(logs.urn);
        });

        it("authenticates through access entries only: no implicit creator admin; with no admins listed, the deploying role (not its session) is the one admin", () => {
            expect(inputs(T.cluster).accessConfig).toEqual({ authenticationMode: "API", bootstrapClusterCreatorAdminPermissions: false });
            // The mock caller is the session arn:aws:sts::<account>:assumed-role/platform-deployer/pulumi.
            const deployer = `arn:aws:iam::${MOCK_AWS_ACCOUNT}:role/platform-deployer`;
            expect(ofType(res, T.accessEntry).map((e) => e.inputs.principalArn)).toEqual([deployer]);
            expect(ofType(res, T.accessPolicy).map((p) => [p.inputs.principalArn, p.inputs.policyArn])).toEqual([
                [deployer, "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy"],
            ]);
        });

        it("grants exactly the configured admins (the deploying role among them) when platform:cluster.admins.aws is set", async () => {
            const admin = `arn:aws:iam::${MOCK_AWS_ACCOUNT}:role/platform-admins`;
            const deployer = `arn:aws:iam::${MOCK_AWS_ACCOUNT}:role/platform-deployer`;
            const plan = await planStack("dev", { "platform:clouds": ["aws"], "platform:services": [], "platform:cluster": { admins: { aws: [admin, deployer] } } });
            expect(ofType(plan.resources, T.accessEntry).map((e) => e.inputs.principalArn)).toEqual([admin, deployer]);
        });

        it("installs vpc-cni with network policy, kube-proxy and the Pod Identity agent before nodes, CoreDNS and the EBS CSI driver after", () => {
            const addons = ofType(res, T.addon);
            expect(addons.map((a) => a.inputs.addonName).sort()).toEqual(["aws-ebs-csi-driver", "coredns", "eks-pod-identity-agent", "kube-proxy", "vpc-cni"]);
            const named = (n: string) => addons.find((a) => a.inputs.addonName === n)!;
            expect(JSON.parse(named("vpc-cni").inputs.configurationValues)).toMatchObject({ enableNetworkPolicy: "true" });
            const nodeGroup = only(res, T.nodeGroup);
            for (const n of ["vpc-cni", "kube-proxy", "eks-pod-identity-agent"]) expect(nodeGroup.dependencies).toContain(named(n).urn);
            expect(named("coredns").dependencies).toContain(nodeGroup.urn);
            // No OIDC provider: workloads use Pod Identity, not IRSA.
            expect(res.some((r) => r.type === "aws:iam/openIdConnectProvider:OpenIdConnectProvider")).toBe(false);
        });

        it("gives the control plane and the nodes least-privilege roles", () => {
            const attached = (roleName: string) => {
                const role = only(res, T.role, roleName);
                return ofType(res, T.attachment)
                    .filter((a) => a.dependencies.includes(role.urn))
                    .map((a) => a.inputs.policyArn as string)
                    .sort();
            };
            expect(attached("plt-dev-aws-cluster-role")).toEqual(["arn:aws:iam::aws:policy/AmazonEKSClusterPolicy"]);
            expect(attached("plt-dev-aws-node-role")).toEqual([
                "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryPullOnly",
                "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy",
                "arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy",
            ]);
            const trust = (roleName: string) => statements(only(res, T.role, roleName).inputs.assumeRolePolicy)[0].Principal;
            expect(trust("plt-dev-aws-cluster-role")).toEqual({ Service: "eks.amazonaws.com" });
            expect(trust("plt-dev-aws-node-role")).toEqual({ Service: "ec2.amazonaws.com" });

            const keyUse = statements(inputs(T.rolePolicy, "plt-dev-aws-cluster-secrets-key").policy);
            expect(keyUse).toHaveLength(1);
            expect(keyUse[0].Resource).toBe(keyArn());
            expect(list(keyUse[0].Action).every((a) => typeof a === "string" && a.startsWith("kms:") && !a.includes("*"))).toBe(true);
            for (const p of ofType(res, T.attachment)) expect(p.inputs.policyArn).not.toMatch(/AdministratorAccess/);
        });

        it("launches nodes with IMDSv2 only (hop limit 1) and an encrypted gp3 root volume", () => {
            const lt = inputs(T.launchTemplate);
            expect(lt.metadataOptions).toMatchObject({ httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1 });
            expect(lt.blockDeviceMappings).toHaveLength(1);
            expect(lt.blockDeviceMappings[0].ebs).toMatchObject({ volumeType: "gp3", encrypted: "true" });
            expect(lt.keyName).toBeUndefined();
        });

        it("sizes one managed node group over every zone from the stack's node settings, on Graviton, without remote access", () => {
            const group = only(res, T.nodeGroup);
            expect(group.inputs).toMatchObject({
                scalingConfig: { minSize: 2, desiredSize: 2, maxSize: 4 },
                instanceTypes: ["m7g.large"],
                amiType: "AL2023_ARM_64_STANDARD",
                updateConfig: { maxUnavailable: 1 },
                capacityType: "ON_DEMAND",
            });
            expect(group.inputs.remoteAccess).toBeUndefined();
            expect(group.inputs.subnetIds).toEqual(inputs(T.cluster).vpcConfig.subnetIds);
            expect(group.inputs.launchTemplate).toMatchObject({ version: "1" });
            expect(dependenciesOfType(res, group, T.launchTemplate)).toHaveLength(1);
            expect(group.options.ignoreChanges).toEqual(["scalingConfig.desiredSize"]);
        });

        it("follows a node type override: x86 families get the x86 AL2023 image", async () => {
            const x86 = await planStack(
                "dev",
                awsOnly({ "platform:cluster": { kubernetesVersion: "1.33", nodeTypes: { aws: "m7i.xlarge" }, minNodes: 3, maxNodes: 9 } }),
            );
            expect(only(foundationOf(x86.resources), T.nodeGroup).inputs).toMatchObject({
                instanceTypes: ["m7i.xlarge"],
                amiType: "AL2023_x86_64_STANDARD",
                scalingConfig: { minSize: 3, desiredSize: 3, maxSize: 9 },
            });
            expect(only(foundationOf(x86.resources), T.cluster).inputs.version).toBe("1.33");
            // The autoscaler follows the cluster's minor: the newest chart that ships 1.33.
            expect(only(foundationOf(x86.resources), T.release).inputs).toMatchObject({ version: "9.51.0", values: { image: { tag: "v1.33.0" } } });
            // No authorized networks configured: no ingress rule at all.
            expect(ofType(foundationOf(x86.resources), T.ingress)).toEqual([]);
        });

        it("outputs the endpoint, the OIDC issuer and a secret exec-based kubeconfig that the cluster's provider uses", () => {
            const out = plan.outputs["aws"] as Inputs;
            expect(out.clusterName).toBe("plt-dev-aws");
            expect(out.endpoint).toMatch(new RegExp(`^https://[0-9A-F]{32}\\.gr7\\.${region}\\.eks\\.amazonaws\\.com$`));
            expect(out.oidcIssuerUrl).toMatch(new RegExp(`^https://oidc\\.eks\\.${region}\\.amazonaws\\.com/id/[0-9A-F]{32}$`));
            expect((plan.maskedOutputs["aws"] as Inputs).kubeconfig).toBe("[secret]");

            const kc = JSON.parse(out.kubeconfig);
            expect(kc.clusters[0].cluster).toEqual({ server: out.endpoint, "certificate-authority-data": MOCK_CA_DATA });
            expect(kc["current-context"]).toBe("plt-dev-aws");
            const exec = kc.users[0].user.exec;
            expect(exec.command).toBe("aws");
            expect(exec.args).toEqual(["eks", "get-token", "--cluster-name", "plt-dev-aws", "--region", region, "--output", "json"]);
            expect(kc.users[0].user.token).toBeUndefined();

            const provider = only(res, "pulumi:providers:kubernetes");
            expect(String(provider.rawInputs.enableServerSideApply)).toBe("true");
            expect(provider.inputs.kubeconfig).toBe("[secret]");
            expect(JSON.parse(provider.rawInputs.kubeconfig as string)).toEqual(kc);
        });
    });

    describe("Cluster Autoscaler", () => {
        const release = () => only(res, T.release);
        const autoscalerRole = () => only(res, T.role, "plt-dev-aws-cluster-autoscaler");

        it("installs the official chart, pinned to the release for Kubernetes 1.34, into kube-system through the cluster's provider after the node group", () => {
            const r = release();
            expect(r.inputs).toMatchObject({
                chart: "cluster-autoscaler",
                version: "9.53.0",
                repositoryOpts: { repo: "https://kubernetes.github.io/autoscaler" },
                namespace: "kube-system",
                name: "cluster-autoscaler",
            });
            expect(r.inputs.values.image).toEqual({ tag: "v1.34.2" });
            expect(r.provider).toBe(only(res, "pulumi:providers:kubernetes").urn);
            expect(r.dependencies).toContain(only(res, T.nodeGroup).urn);
            // Credentials exist before the first pod starts.
            expect(r.dependencies).toContain(only(res, T.podIdentity).urn);
            expect(r.dependencies).toContain(only(res, T.rolePolicy, "plt-dev-aws-cluster-autoscaler").urn);
        });

        it("discovers the node groups by the cluster tag and runs two zone-spread replicas with the balancing, local-storage and least-waste flags", () => {
            const v = release().inputs.values;
            expect(v).toMatchObject({ cloudProvider: "aws", awsRegion: region, autoDiscovery: { clusterName: "plt-dev-aws" }, replicaCount: 2 });
            // The chart's default discovery tags are the ones EKS puts on managed node groups' ASGs.
            expect(v.autoDiscovery.tags).toBeUndefined();
            expect(v.extraArgs).toEqual({ "balance-similar-node-groups": true, "skip-nodes-with-local-storage": false, expander: "least-waste" });
            expect(v.topologySpreadConstraints).toEqual([
                {
                    maxSkew: 1,
                    topologyKey: "topology.kubernetes.io/zone",
                    whenUnsatisfiable: "ScheduleAnyway",
                    labelSelector: { matchLabels: { "app.kubernetes.io/instance": release().inputs.name } },
                },
            ]);
            expect(v.podDisruptionBudget).toEqual({ maxUnavailable: 1 });
        });
        it("runs with a restricted pod security context", () => {
            const v = release().inputs.values;
            expect(v.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } });
            expect(v.securityContext.runAsUser).toBeGreaterThan(0);
            expect(v.containerSecurityContext).toEqual({
                allowPrivilegeEscalation: false,
                readOnlyRootFilesystem: true,
                capabilities: { drop: ["ALL"] },
            });
        });

        it("gets AWS credentials through a Pod Identity association for the chart's service account in kube-system", () => {
            const association = only(res, T.podIdentity);
            const serviceAccount = release().inputs.values.rbac.serviceAccount;
            expect(serviceAccount).toMatchObject({ create: true });
            expect(association.inputs).toMatchObject({ clusterName: "plt-dev-aws", namespace: "kube-system", serviceAccount: serviceAccount.name });
            expect(serviceAccount.name).not.toBe("default");
            expect(association.dependencies).toContain(autoscalerRole().urn);
            expect(association.inputs.roleArn).toMatch(new RegExp(`^arn:aws:iam::${MOCK_AWS_ACCOUNT}:role/plt-dev-aws-cluster-autoscaler-`));
        });

        it("trusts only the Pod Identity service, for that one service account of this cluster", () => {
            const trust = statements(autoscalerRole().inputs.assumeRolePolicy);
            expect(trust).toEqual([
                {
                    Effect: "Allow",
                    Principal: { Service: "pods.eks.amazonaws.com" },
                    Action: ["sts:AssumeRole", "sts:TagSession"],
                    Condition: {
                        StringEquals: {
                            "aws:RequestTag/eks-cluster-name": "plt-dev-aws",
                            "aws:RequestTag/kubernetes-namespace": "kube-system",
                            "aws:RequestTag/kubernetes-service-account": release().inputs.values.rbac.serviceAccount.name,
                        },
                    },
                },
            ]);
        });

        it("may read the fleet but resize and terminate only in Auto Scaling groups tagged for this cluster", () => {
            const policy = only(res, T.rolePolicy, "plt-dev-aws-cluster-autoscaler");
            expect(policy.dependencies).toContain(autoscalerRole().urn);
            const stmts = statements(policy.inputs.policy);
            for (const s of stmts) expect(s.Effect).toBe("Allow");
            // Unconditioned "*" grants are read-only calls.
            const unscoped = stmts.filter((s) => list(s.Resource).includes("*") && !s.Condition).flatMap((s) => list(s.Action) as string[]);
            expect(unscoped.length).toBeGreaterThan(0);
            for (const a of unscoped) expect(a).toMatch(/^(autoscaling|ec2):(Describe|Get)[A-Za-z]+$/);
            // The two mutating calls, and only they, carry the cluster-tag condition.
            const writes = stmts.filter((s) => list(s.Action).some((a) => /SetDesiredCapacity|TerminateInstance/.test(String(a))));
            expect(writes).toHaveLength(1);
            expect([...list(writes[0].Action)].sort()).toEqual(["autoscaling:SetDesiredCapacity", "autoscaling:TerminateInstanceInAutoScalingGroup"]);
            expect(writes[0].Condition).toEqual({ StringEquals: { "aws:ResourceTag/k8s.io/cluster-autoscaler/plt-dev-aws": "owned" } });
            // Node group details: this cluster's node groups only.
            const eks = stmts.filter((s) => list(s.Action).includes("eks:DescribeNodegroup"));
            expect(eks.map((s) => s.Resource)).toEqual([`arn:aws:eks:${region}:${MOCK_AWS_ACCOUNT}:nodegroup/plt-dev-aws/*`]);
        });
    });
});

/** Runs the AWS components directly with an explicit provider, as a stack would. */
function runComponents(build: (provider: aws.Provider) => unknown) {
    return runUnderMocks(() => build(new aws.Provider("aws", { region: "eu-west-1" })), { project: "platform", stack: "test" });
}

/**
 * Runs `build` expecting it to throw; the error message becomes the program's result, so the run
 * ends normally and no registration of the aborted run leaks into the next test's mock runtime.
 */
async function failureOf(build: (provider: aws.Provider) => void): Promise<{ error: string; resources: RecordedResource[] }> {
    const { resources, outputs } = await runComponents((provider) => {
        try {
            build(provider);
        } catch (e) {
            return (e as Error).message;
        }
        return "no error";
    });
    return { error: outputs as string, resources };
}

const keyArgs: AwsKmsKeyArgs = { region: "eu-west-1" };
const networkArgs = (key: AwsKmsKey): AwsNetworkArgs => ({ region: "eu-west-1", cidr: "10.40.0.0/20", logKmsKeyArn: key.keyId });

function foundation(provider: aws.Provider, clusterArgs: Partial<EksClusterArgs>) {
    const providers = { aws: provider };
    const key = new AwsKmsKey("t", keyArgs, { providers });
    const network = new AwsNetwork("t", networkArgs(key), { providers });
    const cluster = new EksCluster(
        "t",
        {
            region: "eu-west-1",
            nodes: { instanceType: "c7gn.xlarge", minNodes: 3, maxNodes: 6 },
            vpcId: network.networkId,
            nodeSubnetIds: network.nodeSubnetIds,
            nodeSubnetCidrs: network.subnetPlan.node,
            secretsKeyArn: key.keyId,
            ...clusterArgs,
        },
        { providers },
    );
    return { key, network, cluster };
}

describe("AWS components used directly", () => {
    it("honours rotationDays, flowLogRetentionDays, logRetentionDays and zoneCount", async () => {
        const run = runComponents((provider) => {
            const providers = { aws: provider };
            const key = new AwsKmsKey("k", { ...keyArgs, rotationDays: 180 }, { providers });
            const network = new AwsNetwork("n", { ...networkArgs(key), zoneCount: 2, flowLogRetentionDays: 90 }, { providers });
            return network.zones;
        });
        const { resources, outputs } = await run;
        expect(only(resources, T.key).inputs.rotationPeriodInDays).toBe(180);
        expect(only(resources, T.logGroup).inputs.retentionInDays).toBe(90);
        expect(ofType(resources, T.nat)).toHaveLength(2);
        expect(outputs).toEqual(["eu-west-1a", "eu-west-1b"]);
        // A /20 VPC: /22 node subnets, /24 data subnets, /26 public subnets.
        const prefixes = ofType(resources, T.subnet).map((s) => `${s.inputs.tags["platform/tier"]}/${parseCidr(s.inputs.cidrBlock).prefix}`);
        expect(prefixes.sort()).toEqual(["data/24", "data/24", "nodes/22", "nodes/22", "public/26", "public/26"]);
    });

    it("grants cluster-admin through an access entry to exactly the listed admin roles", async () => {
        const admin = `arn:aws:iam::${MOCK_AWS_ACCOUNT}:role/platform-admins`;
        const run = runComponents((provider) => foundation(provider, { adminRoleArns: [admin], logRetentionDays: 30 }).cluster.clusterName);
        const { resources } = await run;
        expect(only(resources, T.accessEntry).inputs).toMatchObject({ clusterName: "t", principalArn: admin, type: "STANDARD" });
        expect(only(resources, T.accessPolicy).inputs).toMatchObject({
            clusterName: "t",
            principalArn: admin,
            policyArn: "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy",
            accessScope: { type: "cluster" },
        });
        expect(only(resources, T.logGroup, "t-cluster-logs").inputs.retentionInDays).toBe(30);
        expect(only(resources, T.nodeGroup).inputs.amiType).toBe("AL2023_ARM_64_STANDARD");
    });

    it("exposes node role, security groups and VPC as extras; nodes share the cluster security group", async () => {
        const run = runComponents((provider) => {
            const { cluster, network } = foundation(provider, {});
            return pulumi.output({ extras: cluster.extras, vpcId: network.networkId });
        });
        const { outputs } = await run;
        const { extras, vpcId } = outputs as { extras: Record<string, string>; vpcId: string };
        expect(extras.nodeRoleArn).toMatch(new RegExp(`^arn:aws:iam::${MOCK_AWS_ACCOUNT}:role/t-node-role-`));
        expect(extras.nodeRoleArn.endsWith(`/${extras.nodeRoleName}`)).toBe(true);
        expect(extras.clusterSecurityGroupId).toMatch(/^sg-[0-9a-f]{17}$/);
        expect(extras.nodeSecurityGroupId).toBe(extras.clusterSecurityGroupId);
        expect(extras.vpcId).toBe(vpcId);
        expect(vpcId).toMatch(/^vpc-[0-9a-f]{17}$/);
    });

    it("refuses to open the API endpoint to 0.0.0.0/0, registering no cluster resource", async () => {
        const { error, resources } = await failureOf((provider) => foundation(provider, { authorizedCidrs: ["10.99.0.0/24", "0.0.0.0/0"] }));
        expect(error).toMatch(/^EksCluster t: args\.authorizedCidrs\[1\]: "0\.0\.0\.0\/0"; allowed: the VPN, bastion or CI networks; never a \/0/);
        // The key and network were built; the cluster component registered no child at all.
        expect(resources.some((r) => r.type === T.vpc)).toBe(true);
        expect(resources.filter((r) => r.parent.endsWith("platform:index:EksCluster::t"))).toEqual([]);
    });

    it("refuses accelerated or malformed node instance types before registering anything of the cluster", async () => {
        const { error, resources } = await failureOf((provider) => foundation(provider, { nodes: { instanceType: "g5.xlarge", minNodes: 1, maxNodes: 2 } }));
        expect(error).toMatch(/^EksCluster t: args\.nodes\.instanceType "g5\.xlarge" is an accelerated instance type/);
        expect(resources.filter((r) => r.parent.endsWith("platform:index:EksCluster::t"))).toEqual([]);
    });

    it("pins an unversioned cluster to 1.34 so the autoscaler release matches it", async () => {
        const { resources } = await runComponents((provider) => foundation(provider, {}).cluster.clusterName);
        expect(only(resources, T.cluster).inputs.version).toBe("1.34");
        expect(only(resources, T.release).inputs).toMatchObject({ version: "9.53.0", values: { autoDiscovery: { clusterName: "t" } } });
        expect(only(resources, T.podIdentity).inputs).toMatchObject({ clusterName: "t", namespace: "kube-system", serviceAccount: "cluster-autoscaler" });
    });

    it("refuses a Kubernetes minor without a pinned autoscaler release before registering anything of the cluster", async () => {
        const { error, resources } = await failureOf((provider) => foundation(provider, { kubernetesVersion: "1.32" }));
        expect(error).toMatch(/^EksCluster t: args\.kubernetesVersion: "1\.32" has no pinned Cluster Autoscaler release \(platform:cluster\.kubernetesVersion\); allowed: 1\.33 or 1\.34/);
        expect(resources.filter((r) => r.parent.endsWith("platform:index:EksCluster::t"))).toEqual([]);
    });

    it("refuses a rotation period AWS KMS does not support, registering no key", async () => {
        const { error, resources } = await failureOf((provider) => new AwsKmsKey("k", { ...keyArgs, rotationDays: 30 }, { providers: { aws: provider } }));
        expect(error).toMatch(/^AwsKmsKey k: args\.rotationDays: 30 is not allowed on AWS KMS; allowed: a whole number of days from 90 to 2560/);
        expect(resources.some((r) => r.type.startsWith("aws:kms"))).toBe(false);
    });

    it("refuses a zone count outside 2-3 and a flow-log group without a key, registering no VPC", async () => {
        for (const [awsArgs, message] of [
            [{ zoneCount: 4, logKmsKeyArn: "arn:aws:kms:eu-west-1:123456789012:key/x" }, /^AwsNetwork n: args\.zoneCount: 4; allowed: 2 or 3 availability zones/],
            [{}, /^AwsNetwork n: args\.logKmsKeyArn: undefined; allowed: the ARN of the KMS key/],
            [{ cidr: "10.40.0.0/24", logKmsKeyArn: "arn:aws:kms:eu-west-1:123456789012:key/x" }, /^AwsNetwork n: args\.cidr: "10\.40\.0\.0\/24"; allowed: an IPv4 CIDR with a prefix from \/16 to \/20/],
        ] as const) {
            const { error, resources } = await failureOf(
                (provider) => new AwsNetwork("n", { region: "eu-west-1", cidr: "10.40.0.0/16", ...(awsArgs as Partial<AwsNetworkArgs>) } as AwsNetworkArgs, { providers: { aws: provider } }),
            );
            expect(error).toMatch(message);
            expect(resources.some((r) => r.type === T.vpc)).toBe(false);
        }
    });
});

describe("amiTypeFor", () => {
    it("maps Graviton families to the arm64 image and others to x86_64", () => {
        for (const t of ["m7g.large", "c7gn.xlarge", "r6gd.2xlarge", "t4g.medium", "m8g.48xlarge", "a1.large", "im4gn.large"]) {
            expect(amiTypeFor(t), t).toBe("AL2023_ARM_64_STANDARD");
        }
        for (const t of ["m7i.large", "m7i-flex.large", "m5.xlarge", "c6a.large", "r5dn.large", "t3.medium", "m6in.large"]) {
            expect(amiTypeFor(t), t).toBe("AL2023_x86_64_STANDARD");
        }
    });

    it("rejects accelerated and malformed types, naming the setting", () => {
        for (const t of ["p5.48xlarge", "g5g.xlarge", "inf2.xlarge", "trn1.2xlarge"]) expect(() => amiTypeFor(t)).toThrow(/accelerated instance type/);
        for (const t of ["m7g", "Standard_D4s_v5", "e2-standard-4"]) expect(() => amiTypeFor(t)).toThrow(new RegExp(`"${t}" is not an EC2 instance type.*platform:cluster\\.nodeTypes\\.aws`));
    });
});
