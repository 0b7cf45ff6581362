/**
 * What stops the first real `pulumi up` on AWS, checked over the plan: first access to the EKS cluster
 * (access entries and their policy associations before the cluster's provider, no admin list that locks
 * the deployer out), Lambda's X-Ray permission and ECR-only images, one CPU architecture per node group
 * (the wasm pool and its Spin shim included), and data safety on EKS (protected cluster, EBS CSI driver
 * with Pod Identity and the platform key, a default encrypted gp3 StorageClass).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { amiTypeFor, deployerAdminProblem, ec2Architecture } from "../components/cluster/aws";
import { ConfigError, parsePlatformConfig } from "../stacks/config";
import { platformProgram } from "../stacks/program";
import { loadStackConfig, planStack, type Plan, type RecordedResource } from "../tools/plan";
import { serverlessMocks } from "../tools/plan/mocks/serverless";
import { MOCK_AWS_ACCOUNT } from "../tools/plan/mocks/types";
import { runUnderMocks } from "../tools/plan/runtime";

type Inputs = Record<string, any>;
type Rec = RecordedResource & { inputs: Inputs };
const ofType = (rs: RecordedResource[], type: string) => rs.filter((r) => r.type === type) as Rec[];
const byUrn = (rs: RecordedResource[], urn: string) => rs.find((r) => r.urn === urn) as Rec | undefined;
/** Every resource `r` depends on, directly or through its dependencies. */
function dependsTransitively(rs: RecordedResource[], r: RecordedResource, target: RecordedResource): boolean {
    const seen = new Set<string>();
    const stack = [...r.dependencies];
    while (stack.length) {
        const urn = stack.pop()!;
        if (urn === target.urn) return true;
        if (seen.has(urn)) continue;
        seen.add(urn);
        stack.push(...(byUrn(rs, urn)?.dependencies ?? []));
    }
    return false;
}

const T = {
    cluster: "aws:eks/cluster:Cluster",
    accessEntry: "aws:eks/accessEntry:AccessEntry",
    accessPolicy: "aws:eks/accessPolicyAssociation:AccessPolicyAssociation",
    k8sProvider: "pulumi:providers:kubernetes",
    addon: "aws:eks/addon:Addon",
    nodeGroup: "aws:eks/nodeGroup:NodeGroup",
    launchTemplate: "aws:ec2/launchTemplate:LaunchTemplate",
    role: "aws:iam/role:Role",
    rolePolicy: "aws:iam/rolePolicy:RolePolicy",
    attachment: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
    lambda: "aws:lambda/function:Function",
    storageClass: "kubernetes:storage.k8s.io/v1:StorageClass",
    shim: "kubernetes:runtime.spinkube.dev/v1alpha1:Shim",
};
const DEPLOYER = `arn:aws:iam::${MOCK_AWS_ACCOUNT}:role/platform-deployer`;
const awsOnly = (extra: Record<string, unknown> = {}) => ({ "platform:clouds": ["aws"], "platform:services": [], ...extra });
const wasm = { name: "hello-wasm", runtime: "wasm", image: "ghcr.io/spinframework/containerd-shim-spin/examples/spin-rust-hello:v0.19.0", cpu: 0.1, memory: 128, maxScale: 3 };

describe("first access to the EKS cluster", () => {
    let plan: Plan;
    beforeAll(async () => {
        plan = await planStack("dev", awsOnly());
    }, 120_000);

    it("gives every access entry the cluster-admin policy association, and the cluster's provider waits for both", () => {
        const entries = ofType(plan.resources, T.accessEntry);
        const associations = ofType(plan.resources, T.accessPolicy);
        expect(entries.length).toBeGreaterThan(0);
        for (const entry of entries) {
            const assoc = associations.filter((a) => a.inputs.principalArn === entry.inputs.principalArn);
            expect(assoc.map((a) => [a.inputs.policyArn, a.inputs.accessScope]), entry.name).toEqual([
                ["arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy", { type: "cluster" }],
            ]);
        }
        const provider = ofType(plan.resources, T.k8sProvider).find((p) => /EksCluster::plt-dev-aws$/.test(p.parent))!;
        for (const r of [...entries, ...associations]) expect(provider.dependencies, r.name).toContain(r.urn);
        // Everything installed into the cluster goes through that provider, hence after the access exists.
        const inCluster = plan.resources.filter((r) => r.provider === provider.urn);
        expect(inCluster.length).toBeGreaterThan(5);
    });

    it("with no admins listed, the deploying role (resolved from its session, not the session) is the admin", () => {
        expect(ofType(plan.resources, T.accessEntry).map((e) => e.inputs.principalArn)).toEqual([DEPLOYER]);
    });

    it("accepts an admin list that holds the deploying role, whatever its path, and grants exactly that list", async () => {
        const ci = `arn:aws:iam::${MOCK_AWS_ACCOUNT}:role/ci/platform-deployer`;
        const operators = `arn:aws:iam::${MOCK_AWS_ACCOUNT}:role/platform-operators`;
        const p = await planStack("dev", awsOnly({ "platform:cluster": { admins: { aws: [ci, operators] } } }));
        // The entries name each role by its IAM ARN as IAM has it (the mock's platform-deployer has no path).
        expect(ofType(p.resources, T.accessEntry).map((e) => e.inputs.principalArn).sort()).toEqual([DEPLOYER, operators].sort());
    }, 120_000);

    it("gives an access entry the role's real ARN, path included, for a role of the account listed without its path", async () => {
        const sso = `arn:aws:iam::${MOCK_AWS_ACCOUNT}:role/AWSReservedSSO_PlatformAdmin_0123456789abcdef`;
        const otherAccount = `arn:aws:iam::999999999999:role/platform-operators`;
        const p = await planStack("dev", awsOnly({ "platform:cluster": { admins: { aws: [DEPLOYER, sso, otherAccount] } } }));
        const principals = ofType(p.resources, T.accessEntry).map((e) => e.inputs.principalArn);
        expect(principals.sort()).toEqual(
            [DEPLOYER, `arn:aws:iam::${MOCK_AWS_ACCOUNT}:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_PlatformAdmin_0123456789abcdef`, otherAccount].sort(),
        );
        // Each association names its entry's principal.
        expect(ofType(p.resources, T.accessPolicy).map((a) => a.inputs.principalArn).sort()).toEqual(principals.sort());
    }, 120_000);

    it("refuses an admin list without the deploying role before registering any AWS resource", async () => {
        const operators = `arn:aws:iam::${MOCK_AWS_ACCOUNT}:role/platform-operators`;
        const sc = loadStackConfig("dev", { overrides: awsOnly({ "platform:cluster": { admins: { aws: [operators] } } }) });
        const sink: RecordedResource[] = [];
        const run = runUnderMocks(platformProgram, { project: sc.project, stack: sc.stack, config: sc.config, secretKeys: sc.secretKeys, sink });
        const error = await run.then(
            () => undefined,
            (e: unknown) => e,
        );
        expect(error).toBeInstanceOf(ConfigError);
        const message = (error as ConfigError).message;
        expect(message).toContain("platform:cluster.admins.aws");
        expect(message).toContain(operators);
        expect(message).toContain(DEPLOYER);
        expect(message).toMatch(/Allowed: a list that includes that role/);
        // Only the stack and the AWS provider the lookup went through.
        expect(sink.map((r) => r.type).sort()).toEqual(["pulumi:providers:aws", "pulumi:pulumi:Stack"]);
    }, 120_000);

    it("compares roles by account and name, not path; users by ARN", () => {
        expect(deployerAdminProblem([], DEPLOYER)).toBeUndefined();
        expect(deployerAdminProblem([`arn:aws:iam::${MOCK_AWS_ACCOUNT}:role/x/y/platform-deployer`], DEPLOYER)).toBeUndefined();
        expect(deployerAdminProblem([`arn:aws:iam::999999999999:role/platform-deployer`], DEPLOYER)).toMatch(/does not include/);
        expect(deployerAdminProblem([`arn:aws:iam::${MOCK_AWS_ACCOUNT}:user/platform-deployer`], DEPLOYER)).toMatch(/does not include/);
        const user = `arn:aws:iam::${MOCK_AWS_ACCOUNT}:user/alice`;
        expect(deployerAdminProblem([user], user)).toBeUndefined();
    });
});

describe("Lambda services", () => {
    let plan: Plan;
    beforeAll(async () => {
        plan = await planStack("aws");
    }, 120_000);

    it("lets every actively traced function's role write to X-Ray, before the function exists", () => {
        const functions = ofType(plan.resources, T.lambda);
        expect(functions.length).toBeGreaterThan(0);
        for (const fn of functions.filter((f) => f.inputs.tracingConfig?.mode === "Active")) {
            const xray = ofType(plan.resources, T.attachment).filter(
                (a) => a.inputs.role === fn.inputs.role.split("/").pop() && /:iam::aws:policy\/AWSXRayDaemonWriteAccess$/.test(a.inputs.policyArn),
            );
            expect(xray, fn.name).toHaveLength(1);
            expect(fn.dependencies, fn.name).toContain(xray[0]!.urn);
        }
    });

    it("runs every function from Amazon ECR in the function's own region", () => {
        const region = (plan.outputs["aws"] as Inputs).region as string;
        for (const fn of ofType(plan.resources, T.lambda)) {
            expect(fn.inputs.imageUri, fn.name).toMatch(new RegExp(`^\\d{12}\\.dkr\\.ecr\\.${region}\\.amazonaws\\.com/`));
        }
    });

    const config = (service: Record<string, unknown>) => ({ clouds: ["aws"], regions: { aws: "eu-west-1" }, services: [{ name: "api", ...service }] });
    const problems = (raw: Record<string, unknown>): string[] => {
        try {
            parsePlatformConfig(raw);
            return [];
        } catch (e) {
            if (!(e instanceof ConfigError)) throw e;
            return e.problems;
        }
    };

    it("refuses an image outside ECR for a service placed on Lambda, naming the service, the image and what is allowed", () => {
        const [problem, ...rest] = problems(config({ image: "ghcr.io/acme/api:1.0.0" }));
        expect(rest).toEqual([]);
        expect(problem).toContain('platform:services[0].image: "ghcr.io/acme/api:1.0.0" of service "api" is not in Amazon ECR');
        expect(problem).toContain("allowed: <account>.dkr.ecr.eu-west-1.amazonaws.com/<repository>:<tag>");
        expect(problem).toContain("platform:services[0].images.aws");
    });

    it("refuses an ECR image of another region, and a FIPS endpoint", () => {
        expect(problems(config({ image: "ghcr.io/acme/api:1.0.0", images: { aws: "123456789012.dkr.ecr.us-east-1.amazonaws.com/api:1.0.0" } })).join("\n")).toContain(
            'platform:services[0].images.aws: "123456789012.dkr.ecr.us-east-1.amazonaws.com/api:1.0.0" of service "api" is in us-east-1, not in the stack\'s AWS region eu-west-1',
        );
        expect(problems(config({ image: "123456789012.dkr.ecr-fips.eu-west-1.amazonaws.com/api:1.0.0" })).join("\n")).toContain("is not in Amazon ECR");
    });

    it("accepts ECR in the region (tag or digest), and any registry where Lambda is not the runtime", () => {
        expect(problems(config({ image: "ghcr.io/acme/api:1.0.0", images: { aws: "123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/api:1.0.0" } }))).toEqual([]);
        expect(problems(config({ image: `210987654321.dkr.ecr.eu-west-1.amazonaws.com/api@sha256:${"a".repeat(64)}` }))).toEqual([]);
        expect(problems(config({ image: "ghcr.io/acme/api:1.0.0", minScale: 1 }))).toEqual([]);
        expect(problems(config({ image: "ghcr.io/acme/api:1.0.0", hosting: "cluster" }))).toEqual([]);
        expect(problems({ clouds: ["gcp"], services: [{ name: "api", image: "ghcr.io/acme/api:1.0.0" }] })).toEqual([]);
    });
});

describe("account-wide names of two stacks in one AWS account", () => {
    /** Resource types whose `name` is scoped inside another resource (a topic in its MSK cluster), not the account. */
    const SCOPED = new Set(["aws:msk/topic:Topic"]);
    /** The explicit physical names a plan claims in the account (auto-named resources get a random suffix). */
    const physicalNames = (plan: Plan) =>
        plan.resources
            .filter((r) => r.custom && r.type.startsWith("aws:") && !SCOPED.has(r.type))
            .flatMap((r) => [(r.inputs as Inputs).name, (r.inputs as Inputs).serviceName].filter((n): n is string => typeof n === "string").map((n) => `${r.type} ${n}`));
    // Besides the default services (hello-api on Lambda), an always-on service puts ECS Express Mode in both plans.
    const alwaysOn = { name: "always-on", image: "ghcr.io/platform-demo/hello-api:1.0.0", minScale: 1, maxScale: 3, targets: ["aws"] };

    it("never plans the same function, ECS service, log group or other named resource in the dev and aws stacks", async () => {
        const named: Record<string, string[]> = {};
        for (const stack of ["dev", "aws"]) {
            const services = JSON.parse(loadStackConfig(stack).config["platform:services"] ?? "[]") as unknown[];
            named[stack] = physicalNames(await planStack(stack, { "platform:services": [...services, alwaysOn] }));
        }
        for (const stack of ["dev", "aws"]) {
            // The check is not vacuous: both plans name a function, an ECS service and their log groups.
            expect(named[stack]!.filter((n) => n.startsWith(`${T.lambda} `)), stack).not.toEqual([]);
            expect(named[stack]!.filter((n) => n.startsWith("aws:ecs/expressGatewayService:ExpressGatewayService ")), stack).not.toEqual([]);
            expect(named[stack]!.some((n) => /LogGroup \/ecs\//.test(n)), stack).toBe(true);
            for (const n of named[stack]!.filter((x) => x.startsWith(`${T.lambda} `))) expect(n.split(" ")[1]!.length, n).toBeLessThanOrEqual(64);
        }
        const shared = named["dev"]!.filter((n) => named["aws"]!.includes(n));
        expect(shared).toEqual([]);
    }, 240_000);
});

describe("Pod Identity roles", () => {
    it("trust Pod Identity only for the cluster, namespace and service account of their association", async () => {
        const plan = await planStack("dev");
        const podRoles = ofType(plan.resources, T.role).filter((r) => JSON.stringify(JSON.parse(r.inputs.assumeRolePolicy).Statement).includes("pods.eks.amazonaws.com"));
        const associations = ofType(plan.resources, "aws:eks/podIdentityAssociation:PodIdentityAssociation");
        // The Kafka clients' roles (MSK) among them, besides the autoscaler's.
        expect(podRoles.filter((r) => /-kafka-/.test(r.name)).length).toBeGreaterThan(0);
        expect(associations.length).toBeGreaterThan(0);
        const roleOf = (roleArn: string) => {
            const last = roleArn.split("/").pop()!;
            return podRoles.find((r) => r.inputs.name === last || last.startsWith(`${r.name}-`));
        };
        for (const assoc of associations) {
            const role = roleOf(assoc.inputs.roleArn);
            expect(role, `${assoc.name}: no Pod Identity role for ${assoc.inputs.roleArn}`).toBeDefined();
            for (const statement of JSON.parse(role!.inputs.assumeRolePolicy).Statement) {
                expect(statement.Condition, role!.name).toEqual({
                    StringEquals: {
                        "aws:RequestTag/eks-cluster-name": assoc.inputs.clusterName,
                        "aws:RequestTag/kubernetes-namespace": assoc.inputs.namespace,
                        "aws:RequestTag/kubernetes-service-account": assoc.inputs.serviceAccount,
                    },
                });
            }
        }
        // No Pod Identity role trusts the service without the three conditions.
        for (const role of podRoles) {
            for (const statement of JSON.parse(role.inputs.assumeRolePolicy).Statement) {
                expect(Object.keys(statement.Condition?.StringEquals ?? {}).sort(), role.name).toEqual([
                    "aws:RequestTag/eks-cluster-name",
                    "aws:RequestTag/kubernetes-namespace",
                    "aws:RequestTag/kubernetes-service-account",
                ]);
            }
        }
    }, 120_000);
});

describe("Lambda concurrency on a new account", () => {
    it("reserves no concurrency on any planned function (new accounts cannot spare it)", async () => {
        const plan = await planStack("aws");
        const functions = ofType(plan.resources, T.lambda);
        expect(functions.length).toBeGreaterThan(0);
        for (const fn of functions) expect(fn.inputs.reservedConcurrentExecutions, fn.name).toBeUndefined();
    }, 120_000);
});

describe("one CPU architecture per EKS node group", () => {
    /** The SSM parameters the plan looks node images up by (the wasm pool's Ubuntu image). */
    const parameters: string[] = [];
    const token = "aws:ssm/getParameter:getParameter";
    const original = serverlessMocks.calls[token]!;
    beforeAll(() => {
        serverlessMocks.calls[token] = (args) => {
            parameters.push(String(args.inputs.name));
            return original(args);
        };
    });
    afterAll(() => {
        serverlessMocks.calls[token] = original;
    });

    const arch = (instanceType: string) => ec2Architecture(instanceType);
    const ssmArch = (name: string) => ({ amd64: "x86_64", arm64: "arm64" })[/\/stable\/current\/(amd64|arm64)\//.exec(name)![1] as "amd64" | "arm64"];
    const shimArch = (location: string) => ({ x86_64: "x86_64", aarch64: "arm64" })[/linux-(x86_64|aarch64)\.tar\.gz$/.exec(location)![1] as "x86_64" | "aarch64"];

    it.each([
        ["the Graviton default", {}, "arm64"],
        ["an x86 node type", { nodeTypes: { aws: "m7i.large" } }, "x86_64"],
    ])("%s: AMI types, the wasm pool's image and the Spin shim follow the instance family", async (_, cluster, expected) => {
        parameters.length = 0;
        const p = await planStack("dev", awsOnly({ "platform:services": [{ ...wasm, targets: ["aws"] }], "platform:cluster": { minNodes: 2, maxNodes: 4, ...cluster } }));
        const groups = ofType(p.resources, T.nodeGroup);
        expect(groups).toHaveLength(2);
        const templates = ofType(p.resources, T.launchTemplate);
        for (const g of groups) {
            const template = templates.find((t) => g.dependencies.includes(t.urn));
            // A group names its instance type itself (general pool) or through its launch template (wasm pool).
            const instanceType: string = g.inputs.instanceTypes?.[0] ?? template?.inputs.instanceType;
            expect(instanceType, g.name).toBeDefined();
            expect(arch(instanceType), g.name).toBe(expected);
            if (g.inputs.amiType) expect(g.inputs.amiType, g.name).toBe(amiTypeFor(instanceType));
            else expect(template?.inputs.imageId, `${g.name}: a custom AMI`).toBeDefined();
        }
        // The wasm pool's custom image was looked up for that architecture, and the shim build matches it.
        const ubuntu = parameters.filter((n) => n.startsWith("/aws/service/canonical/ubuntu/eks/"));
        expect(ubuntu.length).toBeGreaterThan(0);
        for (const n of ubuntu) expect(ssmArch(n), n).toBe(expected);
        const [shim] = ofType(p.resources, T.shim);
        expect(shimArch(shim!.inputs.spec.fetchStrategy.anonHttp.location)).toBe(expected);
    }, 120_000);
});

describe("data safety on EKS", () => {
    let plan: Plan;
    beforeAll(async () => {
        plan = await planStack("dev", awsOnly());
    }, 120_000);
    const named = (type: string, name: string) => ofType(plan.resources, type).find((r) => r.name === name)!;

    it("protects the EKS cluster like the platform key (platform:protect)", async () => {
        expect(ofType(plan.resources, T.cluster).map((c) => c.protect)).toEqual([true]);
        const off = await planStack("dev", awsOnly({ "platform:protect": false }));
        expect(ofType(off.resources, T.cluster).map((c) => c.protect)).toEqual([false]);
        expect(ofType(off.resources, T.storageClass).map((s) => s.inputs.reclaimPolicy)).toEqual(["Delete"]);
    }, 120_000);

    it("installs the EBS CSI add-on with a Pod Identity role for its controller, after the nodes and the Pod Identity agent", () => {
        const addons = ofType(plan.resources, T.addon);
        const ebs = addons.find((a) => a.inputs.addonName === "aws-ebs-csi-driver")!;
        const agent = addons.find((a) => a.inputs.addonName === "eks-pod-identity-agent")!;
        expect(ebs).toBeDefined();
        expect(agent).toBeDefined();
        expect(ebs.dependencies).toContain(agent.urn);
        expect(ebs.dependencies).toContain(ofType(plan.resources, T.nodeGroup)[0]!.urn);
        const [association] = ebs.inputs.podIdentityAssociations;
        expect(ebs.inputs.podIdentityAssociations).toHaveLength(1);
        expect(association.serviceAccount).toBe("ebs-csi-controller-sa");
        const role = named(T.role, "plt-dev-aws-ebs-csi");
        expect(association.roleArn).toMatch(/:role\/plt-dev-aws-ebs-csi-/);
        const trust = JSON.parse(role.inputs.assumeRolePolicy).Statement;
        expect(trust).toEqual([
            expect.objectContaining({
                Principal: { Service: "pods.eks.amazonaws.com" },
                Action: ["sts:AssumeRole", "sts:TagSession"],
                Condition: {
                    StringEquals: {
                        "aws:RequestTag/eks-cluster-name": "plt-dev-aws",
                        "aws:RequestTag/kubernetes-namespace": "kube-system",
                        "aws:RequestTag/kubernetes-service-account": "ebs-csi-controller-sa",
                    },
                },
            }),
        ]);
        const managed = named(T.attachment, "plt-dev-aws-ebs-csi");
        expect(managed.inputs.policyArn).toBe("arn:aws:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy");
        expect(ebs.dependencies).toContain(managed.urn);
    });

    it("makes the cluster's Kubernetes provider wait for the CoreDNS and EBS CSI add-ons", () => {
        const provider = ofType(plan.resources, T.k8sProvider).find((p) => /EksCluster::plt-dev-aws$/.test(p.parent))!;
        const addons = ofType(plan.resources, T.addon);
        for (const addonName of ["coredns", "aws-ebs-csi-driver"]) {
            const addon = addons.find((a) => a.inputs.addonName === addonName);
            expect(addon, addonName).toBeDefined();
            expect(provider.dependencies, `the provider does not wait for ${addonName}`).toContain(addon!.urn);
        }
    });

    it("lets the driver use the platform key, and only it, for encrypted volumes", () => {
        const keyArn = ofType(plan.resources, T.cluster)[0]!.inputs.encryptionConfig.provider.keyArn;
        const statements = JSON.parse(named(T.rolePolicy, "plt-dev-aws-ebs-csi-key").inputs.policy).Statement;
        for (const s of statements) expect(s.Resource).toBe(keyArn);
        const actions = statements.flatMap((s: Inputs) => s.Action).sort();
        expect(actions).toEqual(
            ["kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant", "kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"].sort(),
        );
        const grants = statements.find((s: Inputs) => s.Action.includes("kms:CreateGrant"));
        expect(grants.Condition).toEqual({ Bool: { "kms:GrantIsForAWSResource": "true" } });
    });

    it("makes an encrypted gp3 class on the platform key the one default StorageClass, after the add-on", () => {
        const classes = ofType(plan.resources, T.storageClass);
        const defaults = classes.filter((c) => c.inputs.metadata?.annotations?.["storageclass.kubernetes.io/is-default-class"] === "true");
        expect(defaults).toHaveLength(1);
        const sc = defaults[0]!;
        const keyArn = ofType(plan.resources, T.cluster)[0]!.inputs.encryptionConfig.provider.keyArn;
        expect(sc.inputs).toMatchObject({
            provisioner: "ebs.csi.aws.com",
            parameters: { type: "gp3", encrypted: "true", kmsKeyId: keyArn },
            volumeBindingMode: "WaitForFirstConsumer",
            reclaimPolicy: "Retain",
        });
        const ebs = ofType(plan.resources, T.addon).find((a) => a.inputs.addonName === "aws-ebs-csi-driver")!;
        expect(dependsTransitively(plan.resources, sc, ebs)).toBe(true);
        const provider = ofType(plan.resources, T.k8sProvider).find((p) => /EksCluster::plt-dev-aws$/.test(p.parent))!;
        expect(sc.provider).toBe(provider.urn);
    });
});
