import * as aws from "@pulumi/aws";
import * as azure from "@pulumi/azure-native/provider";
import * as gcp from "@pulumi/gcp";
import * as k8s from "@pulumi/kubernetes";
import { describe, expect, it } from "vitest";
import {
    CloudRunService,
    ContainerAppService,
    ContainerAppsEnvironment,
    EcsExpressService,
    KnativeService,
    LambdaService,
    SpinService,
    type CloudRunServiceArgs,
    type EcsExpressServiceArgs,
    type LambdaServiceArgs,
} from "../components/serverless";
import { validateAllowWorkloads } from "../components/mesh/authorization";
import { KnativeRuntime, KOURIER_INTERNAL_SERVICE } from "../components/serverless/install/knative";
import { spinAppExecutor, SpinKubeRuntime } from "../components/serverless/install/spinkube";
import { EcsServicesCluster } from "../components/serverless/ecs-cluster";
import { createAksWasmPool, createEksWasmPool, createGkeWasmPool } from "../components/serverless/install/wasm-nodes";
import { kafkaClientEgress } from "../components/streaming/client-egress";
import { runUnderMocks, type RecordedResource } from "../tools/plan/runtime";
import { customResourcesOf, validateCustomResource } from "./crd";

const base = {
    name: "orders",
    image: "registry.example.com/orders:1.0.0",
    port: 8080,
    minScale: 0,
    maxScale: 5,
    concurrency: 40,
    cpu: 1,
    memory: 2048,
    env: { LOG_LEVEL: "info" },
};

async function plan(build: () => unknown) {
    return runUnderMocks(async () => {
        const out = build();
        return out;
    }, { project: "platform", stack: "test" });
}

const byType = (resources: RecordedResource[], type: string) => resources.filter((r) => r.type === type);
const one = (resources: RecordedResource[], type: string) => {
    const list = byType(resources, type);
    expect(list, type).toHaveLength(1);
    return list[0].inputs as Record<string, any>;
};

function cloudRun(extra: Partial<CloudRunServiceArgs> = {}) {
    const provider = new gcp.Provider("gcp", { project: "p-123", region: "europe-north1" });
    return new CloudRunService(
        "orders",
        {
            ...base,
            invokers: ["serviceAccount:checkout@p-123.iam.gserviceaccount.com"],
            project: "p-123",
            region: "europe-north1",
            network: "projects/p-123/global/networks/plt",
            subnetwork: "projects/p-123/regions/europe-north1/subnetworks/nodes",
            ...extra,
        },
        { providers: { gcp: provider } },
    );
}

describe("CloudRunService", () => {
    it("is internal, runs as its own service account, egresses through the VPC and scales from zero", async () => {
        const { resources, outputs } = await plan(() => {
            const svc = cloudRun();
            return { url: svc.url, identity: svc.identity };
        });
        const svc = one(resources, "gcp:cloudrunv2/service:Service");
        expect(svc.ingress).toBe("INGRESS_TRAFFIC_INTERNAL_ONLY");
        expect(svc.invokerIamDisabled).toBe(false);
        expect(svc.template.scaling).toEqual({ minInstanceCount: 0, maxInstanceCount: 5 });
        expect(svc.template.maxInstanceRequestConcurrency).toBe(40);
        expect(svc.template.vpcAccess).toEqual({
            networkInterfaces: [{ network: "projects/p-123/global/networks/plt", subnetwork: "projects/p-123/regions/europe-north1/subnetworks/nodes" }],
            egress: "ALL_TRAFFIC",
        });
        expect(svc.template.containers[0].resources.limits).toEqual({ cpu: "1", memory: "2048Mi" });
        expect(svc.template.containers[0].envs).toEqual([{ name: "LOG_LEVEL", value: "info" }]);
        const sa = one(resources, "gcp:serviceaccount/account:Account");
        expect(sa.accountId).toBe("run-orders");
        expect(svc.template.serviceAccount).toMatch(/^run-orders@/);
        expect((outputs as any).identity).toBe(svc.template.serviceAccount);
        expect(String((outputs as any).url)).toMatch(/^https:\/\/orders-.*\.run\.app$/);
    });

    it.each([
        [{ cpu: 1, memory: 2048 }, "EXECUTION_ENVIRONMENT_GEN2"],
        // gen2 needs at least 512 MiB; fractional CPU needs gen1.
        [{ cpu: 1, memory: 256 }, "EXECUTION_ENVIRONMENT_GEN1"],
        [{ cpu: 0.5, memory: 512, concurrency: 1 }, "EXECUTION_ENVIRONMENT_GEN1"],
    ])("picks the execution environment Cloud Run allows for %j", async (size, environment) => {
        const { resources } = await plan(() => cloudRun(size).url);
        expect(one(resources, "gcp:cloudrunv2/service:Service").template.executionEnvironment).toBe(environment);
    });

    it("grants roles/run.invoker only to the named identities", async () => {
        const { resources } = await plan(() => cloudRun().url);
        const members = byType(resources, "gcp:cloudrunv2/serviceIamMember:ServiceIamMember").map((r) => r.inputs);
        expect(members).toEqual([expect.objectContaining({ role: "roles/run.invoker", member: "serviceAccount:checkout@p-123.iam.gserviceaccount.com", name: "orders" })]);
    });

    it("puts a public service behind the load balancer only, never on allUsers", async () => {
        const { resources } = await plan(() => cloudRun({ public: true, edgeException: "EDGE-42 partner webhook" }).url);
        expect(one(resources, "gcp:cloudrunv2/service:Service").ingress).toBe("INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER");
    });

    it.each([
        [{ cpu: 3 }, /cpu: cpu 3 is not allowed on Cloud Run; allowed: 1, 2, 4, 6 or 8/],
        [{ cpu: 0.5, memory: 512 }, /concurrency: concurrency 40 is not allowed with cpu 0.5/],
        [{ cpu: 1, memory: 8192 }, /memory: memory 8192 MiB needs at least cpu 2 on Cloud Run/],
        [{ cpu: 4, memory: 1024 }, /memory 1024 MiB is too small for cpu 4 on Cloud Run; allowed: at least 2048 MiB/],
        [{ minScale: 6 }, /minScale: minScale 6 is greater than maxScale 5/],
        [{ name: "Orders" }, /^CloudRunService orders: args\.name: "Orders" is not allowed; allowed: 1-24 lowercase letters/],
        [{ public: true }, /CloudRunService orders: args\.public: true without args\.edgeException/],
        [{ invokers: ["allUsers"] }, /CloudRunService orders: args\.invokers\[0\]: "allUsers" would allow anonymous calls; allowed: named identities only/],
    ])("rejects %j before registering anything", async (extra, message) => {
        let registered: RecordedResource[] = [];
        await expect(
            runUnderMocks(() => cloudRun(extra as Partial<CloudRunServiceArgs>).url, { project: "platform", stack: "test" }).then((r) => (registered = r.resources)),
        ).rejects.toThrow(message);
        expect(registered.filter((r) => r.type.startsWith("gcp:cloudrunv2"))).toEqual([]);
    });
});

describe("ContainerAppService and ContainerAppsEnvironment", () => {
    it("builds an internal, mTLS, workload-profile environment and an internal app with an HTTP scale rule and its own identity", async () => {
        const { resources, outputs } = await plan(() => {
            const provider = new azure.Provider("azure", { location: "swedencentral" });
            const env = new ContainerAppsEnvironment(
                "cae",
                {
                    resourceGroupName: "rg-plt",
                    location: "swedencentral",
                    infrastructureSubnetId: "/subscriptions/s/resourceGroups/rg-plt/providers/Microsoft.Network/virtualNetworks/v/subnets/apps",
                    virtualNetworkId: "/subscriptions/s/resourceGroups/rg-plt/providers/Microsoft.Network/virtualNetworks/v",
                },
                { providers: { "azure-native": provider } },
            );
            const svc = new ContainerAppService(
                "orders",
                { ...base, resourceGroupName: "rg-plt", location: "swedencentral", environmentId: env.environmentId, callerRanges: ["10.20.0.0/16"] },
                { providers: { "azure-native": provider } },
            );
            return { url: svc.url, identity: svc.identity };
        });
        const env = one(resources, "azure-native:app:ManagedEnvironment");
        expect(env.vnetConfiguration).toEqual({ infrastructureSubnetId: expect.stringMatching(/subnets\/apps$/), internal: true });
        expect(env.workloadProfiles).toEqual([{ name: "Consumption", workloadProfileType: "Consumption" }]);
        expect(env.peerAuthentication).toEqual({ mtls: { enabled: true } });
        expect(env.peerTrafficConfiguration).toEqual({ encryption: { enabled: true } });
        expect(env.publicNetworkAccess).toBe("Disabled");
        const app = one(resources, "azure-native:app:ContainerApp");
        // Reachable from the VNet (internal environment), only from the platform network (tests/azure-containerapps.test.ts).
        expect(app.configuration.ingress).toMatchObject({ external: true, targetPort: 8080, transport: "http", allowInsecure: false });
        expect(app.configuration.ingress.ipSecurityRestrictions).toEqual([expect.objectContaining({ ipAddressRange: "10.20.0.0/16", action: "Allow" })]);
        expect(app.template.scale).toEqual({
            minReplicas: 0,
            maxReplicas: 5,
            rules: [{ name: "http-concurrency", http: { metadata: { concurrentRequests: "40" } } }],
        });
        expect(app.template.containers[0].resources).toEqual({ cpu: 1, memory: "2Gi" });
        const identity = byType(resources, "azure-native:managedidentity:UserAssignedIdentity")[0];
        expect(app.identity).toEqual({ type: "UserAssigned", userAssignedIdentities: [expect.stringContaining("userAssignedIdentities")] });
        expect(app.workloadProfileName).toBe("Consumption");
        expect(identity.inputs.resourceName).toBe("id-orders");
        expect(String((outputs as any).url)).toMatch(/^https:\/\/orders\.mockdomain-/);
    });

    it("rejects a cpu/memory pair Container Apps does not offer", async () => {
        await expect(
            plan(() => new ContainerAppService("x", { ...base, memory: 1024, resourceGroupName: "rg", location: "swedencentral", environmentId: "e", callerRanges: ["10.20.0.0/16"] }).url),
        ).rejects.toThrow(/ContainerAppService x: args\.cpu: cpu 1 with memory 1024 MiB is not a Container Apps Consumption combination/);
    });

    it("refuses an environment without a subnet before registering it", async () => {
        await expect(
            plan(() => new ContainerAppsEnvironment("cae", { resourceGroupName: "rg", location: "swedencentral", infrastructureSubnetId: "", virtualNetworkId: "v" }).environmentId),
        ).rejects.toThrow(/ContainerAppsEnvironment cae: args\.infrastructureSubnetId: "" is missing; allowed: the ID of a subnet delegated to Microsoft\.App\/environments/);
    });
});

const awsNetwork = {
    vpcId: "vpc-1",
    vpcCidr: "10.10.0.0/16",
    subnetIds: ["subnet-a", "subnet-b"],
    kmsKeyArn: "arn:aws:kms:eu-north-1:123456789012:key/k",
};

function awsService(extra: Partial<LambdaServiceArgs>) {
    const provider = new aws.Provider("aws", { region: "eu-north-1" });
    return new LambdaService("orders", { ...base, ...awsNetwork, invokers: ["arn:aws:iam::123456789012:role/checkout"], ...extra }, { providers: { aws: provider } });
}

function ecsService(extra: Partial<EcsExpressServiceArgs>) {
    const provider = new aws.Provider("aws", { region: "eu-north-1" });
    return new EcsExpressService(
        "orders",
        { ...base, ...awsNetwork, minScale: 1, ecsClusterArn: "arn:aws:ecs:eu-north-1:123456789012:cluster/services", ...extra },
        { providers: { aws: provider } },
    );
}

describe("LambdaService and EcsExpressService", () => {
    it("scales to zero on a container-image Lambda in the VPC, invoked only through an AWS_IAM function URL", async () => {
        const { resources } = await plan(() => awsService({}).url);
        const fn = one(resources, "aws:lambda/function:Function");
        expect(fn).toMatchObject({ packageType: "Image", imageUri: base.image, kmsKeyArn: "arn:aws:kms:eu-north-1:123456789012:key/k" });
        // No reservation unless asked for: new accounts cannot spare unreserved concurrency.
        expect(fn.reservedConcurrentExecutions).toBeUndefined();
        // No namePrefix: the bare service name.
        expect(fn.name).toBe("orders");
        // 1 vCPU needs 1769 MB on Lambda, so memory is raised to 2048 (already above) and kept.
        expect(fn.memorySize).toBe(2048);
        expect(fn.vpcConfig.subnetIds).toEqual(["subnet-a", "subnet-b"]);
        expect(fn.environment.variables).toMatchObject({ AWS_LWA_PORT: "8080", LOG_LEVEL: "info" });
        expect(one(resources, "aws:lambda/functionUrl:FunctionUrl").authorizationType).toBe("AWS_IAM");
        const perms = byType(resources, "aws:lambda/permission:Permission").map((r) => r.inputs);
        expect(perms).toEqual([
            expect.objectContaining({ action: "lambda:InvokeFunctionUrl", principal: "arn:aws:iam::123456789012:role/checkout", functionUrlAuthType: "AWS_IAM" }),
            expect.objectContaining({ action: "lambda:InvokeFunction", principal: "arn:aws:iam::123456789012:role/checkout", invokedViaFunctionUrl: true }),
        ]);
        const sg = one(resources, "aws:ec2/securityGroup:SecurityGroup");
        expect(sg.ingress).toEqual([]);
        // No all-protocol egress to the internet (NET-07): HTTPS out, everything else only inside the VPC.
        for (const rule of sg.egress) expect(rule.protocol === "-1" ? rule.cidrBlocks : ["ok"]).not.toContain("0.0.0.0/0");
        expect(byType(resources, "aws:ecs/expressGatewayService:ExpressGatewayService")).toEqual([]);
    });

    it("runs an always-on service (minScale >= 1) on ECS Express Mode in private subnets with three distinct roles", async () => {
        const { resources } = await plan(() => ecsService({ minScale: 2 }).url);
        const svc = one(resources, "aws:ecs/expressGatewayService:ExpressGatewayService");
        expect(svc).toMatchObject({ cpu: "1024", memory: "2048", cluster: "arn:aws:ecs:eu-north-1:123456789012:cluster/services" });
        expect(svc.networkConfigurations[0].subnets).toEqual(["subnet-a", "subnet-b"]);
        expect(svc.scalingTargets).toEqual([{ autoScalingMetric: "REQUEST_COUNT_PER_TARGET", autoScalingTargetValue: 40, minTaskCount: 2, maxTaskCount: 5 }]);
        const roles = new Set([svc.taskRoleArn, svc.executionRoleArn, svc.infrastructureRoleArn]);
        expect(roles.size).toBe(3);
        expect(byType(resources, "aws:lambda/function:Function")).toEqual([]);
    });

    it.each([
        [{ memory: 12288, cpu: 1 }, /memory: memory 12288 MiB is not allowed on AWS Lambda; allowed: 128-10240 MiB/],
        [{ memory: 10240, cpu: 8 }, /cpu: cpu 8 is not allowed on AWS Lambda; allowed: at most 6/],
        [{ invokers: ["*"] }, /LambdaService orders: args\.invokers\[0\]: "\*" would allow anonymous calls/],
        [{ logRetentionDays: 10 }, /LambdaService orders: args\.logRetentionDays: 10 is not allowed; allowed: 1, 3, 5, 7, 14, 30/],
        [{ subnetIds: [] }, /LambdaService orders: args\.subnetIds: none given/],
    ])("rejects %j on Lambda before registering anything", async (extra, message) => {
        let registered: RecordedResource[] = [];
        await expect(
            runUnderMocks(() => awsService(extra as Partial<LambdaServiceArgs>).url, { project: "platform", stack: "test" }).then((r) => (registered = r.resources)),
        ).rejects.toThrow(message);
        expect(registered.filter((r) => r.type.startsWith("aws:lambda"))).toEqual([]);
    });


    it("reserves maxScale concurrent executions only when reserveConcurrency opts in", async () => {
        const { resources } = await plan(() => awsService({ reserveConcurrency: true }).url);
        expect(one(resources, "aws:lambda/function:Function").reservedConcurrentExecutions).toBe(5);
    });

    it("prefixes the function, ECS service and log group names with namePrefix", async () => {
        const lambda = (await plan(() => awsService({ namePrefix: "plt-dev" }).url)).resources;
        expect(one(lambda, "aws:lambda/function:Function").name).toBe("plt-dev-orders");
        expect(one(lambda, "aws:cloudwatch/logGroup:LogGroup").name).toBe("/aws/lambda/plt-dev-orders");
        const ecs = (await plan(() => ecsService({ namePrefix: "plt-dev" }).url)).resources;
        expect(one(ecs, "aws:ecs/expressGatewayService:ExpressGatewayService").serviceName).toBe("plt-dev-orders");
        expect(one(ecs, "aws:cloudwatch/logGroup:LogGroup").name).toBe("/ecs/plt-dev-orders");
    });

    it("refuses a namePrefix that would push the function name past 64 characters", async () => {
        await expect(plan(() => awsService({ namePrefix: "p".repeat(40) }).url)).rejects.toThrow(
            /LambdaService orders: args\.namePrefix: "p{40}" is not allowed; allowed: 1-39 letters, digits, '-' or '_'/,
        );
    });

    it("buys Lambda vCPUs with memory: 2 vCPU raises 1024 MiB to 3538 MB", async () => {
        const { resources } = await plan(() => awsService({ cpu: 2, memory: 1024 }).url);
        expect(one(resources, "aws:lambda/function:Function").memorySize).toBe(2 * 1769);
    });

    it("refuses an ECS Express Mode service without a cluster", async () => {
        await expect(plan(() => ecsService({ ecsClusterArn: "" }).url)).rejects.toThrow(/EcsExpressService orders: args\.ecsClusterArn: "" is missing/);
    });

    it("rejects a Fargate size ECS Express Mode does not offer", async () => {
        await expect(plan(() => ecsService({ cpu: 1, memory: 1024 }).url)).rejects.toThrow(
            /EcsExpressService orders: args\.memory: memory 1024 MiB is not allowed with cpu 1 on ECS Express Mode; allowed: 2048-8192/,
        );
    });
});

describe("EcsServicesCluster", () => {
    it("creates one ECS cluster with enhanced Container Insights, known also at the stack root where the stack created it", async () => {
        const { resources, outputs } = await plan(() => {
            const provider = new aws.Provider("aws", { region: "eu-north-1" });
            const cluster = new EcsServicesCluster("plt-aws-services", { tags: { team: "platform" } }, { providers: { aws: provider } });
            return { arn: cluster.clusterArn };
        });
        const cluster = byType(resources, "aws:ecs/cluster:Cluster");
        expect(cluster).toHaveLength(1);
        expect(cluster[0].inputs).toMatchObject({ settings: [{ name: "containerInsights", value: "enhanced" }], tags: { team: "platform" } });
        expect(cluster[0].parent).toMatch(/platform:index:EcsServicesCluster::plt-aws-services$/);
        expect(cluster[0].options.aliasSpecs).toEqual([expect.objectContaining({ noParent: true })]);
        expect(String((outputs as any).arn)).toMatch(/^arn:/);
    });

    it("refuses a Container Insights mode ECS does not have", async () => {
        await expect(plan(() => new EcsServicesCluster("c", { containerInsights: "on" }).clusterArn)).rejects.toThrow(
            /EcsServicesCluster c: args\.containerInsights: "on" is not allowed; allowed: "enhanced", "enabled", "disabled"/,
        );
    });
});

describe("Kafka client egress of a services namespace", () => {
    const entra = { name: "entra-id", cidrs: ["0.0.0.0/0"], reason: "AKS workload identity token exchange" };

    it("opens the managed backend's port to the platform network and the credential endpoint, for the clients only", () => {
        const egress = kafkaClientEgress({ cloud: "aws", backend: "msk", platformCidr: "10.10.0.0/16", clients: ["orders"] });
        expect(egress.extraPolicies).toEqual([
            {
                name: "allow-kafka-egress",
                spec: {
                    podSelector: { matchExpressions: [{ key: "app.kubernetes.io/name", operator: "In", values: ["orders"] }] },
                    policyTypes: ["Egress"],
                    egress: [
                        { to: [{ ipBlock: { cidr: "10.10.0.0/16" } }], ports: [{ protocol: "TCP", port: 9098 }] },
                        { to: [{ ipBlock: { cidr: "169.254.170.23/32" } }], ports: [{ protocol: "TCP", port: 80 }] },
                    ],
                },
            },
        ]);
        expect(egress.egressExceptions).toEqual([]);
        const gke = kafkaClientEgress({ cloud: "gcp", backend: "gcp-managed-kafka", platformCidr: "10.30.0.0/16", clients: ["orders"] });
        expect((gke.extraPolicies[0].spec.egress as any[]).map((r) => [r.to[0].ipBlock.cidr, r.ports[0].port])).toEqual([
            ["10.30.0.0/16", 9092],
            ["169.254.169.254/32", 80],
            ["169.254.169.252/32", 988],
        ]);
    });

    it("on AKS, reaches Entra ID through the named exception (443 unless it says otherwise)", () => {
        const egress = kafkaClientEgress({ cloud: "azure", backend: "eventhubs", platformCidr: "10.20.0.0/16", clients: ["orders"], entraIdEgress: entra });
        expect((egress.extraPolicies[0].spec.egress as any[])[0].ports).toEqual([{ protocol: "TCP", port: 9093 }]);
        expect(egress.egressExceptions).toEqual([{ exception: { ...entra, ports: [443] }, podSelector: egress.extraPolicies[0].spec.podSelector }]);
        expect(() => kafkaClientEgress({ cloud: "azure", backend: "eventhubs", platformCidr: "10.20.0.0/16", clients: ["orders"] })).toThrow(
            /kafkaClientEgress: args\.entraIdEgress: missing/,
        );
    });

    it("needs nothing for Strimzi or without clients, and refuses an unknown cloud", () => {
        expect(kafkaClientEgress({ cloud: "aws", backend: "strimzi", platformCidr: "10.10.0.0/16", clients: ["orders"] })).toEqual({ extraPolicies: [], egressExceptions: [] });
        expect(kafkaClientEgress({ cloud: "aws", backend: "msk", platformCidr: "10.10.0.0/16", clients: [] })).toEqual({ extraPolicies: [], egressExceptions: [] });
        expect(() => kafkaClientEgress({ cloud: "kubernetes", backend: "strimzi", platformCidr: "", clients: [] })).toThrow(
            /kafkaClientEgress: args\.cloud: "kubernetes" is not allowed; allowed: "aws", "gcp", "azure"/,
        );
    });
});

describe("wasm node pools from flat IDs", () => {
    it("joins each managed cluster by the IDs it is given", async () => {
        const { resources } = await plan(() => {
            const base = { clusterName: "plt-dev", kubernetesVersion: "1.34", tags: { team: "platform" } };
            createEksWasmPool("eks", { ...base, instanceType: "m7g.large", nodeRoleArn: "arn:aws:iam::1:role/nodes", nodeSecurityGroupId: "sg-1", subnetIds: ["subnet-a", "subnet-b"] }, { provider: new aws.Provider("aws", { region: "eu-north-1" }) });
            createGkeWasmPool("gke", { ...base, instanceType: "e2-standard-4", project: "p-123", region: "europe-north1", nodeServiceAccountEmail: "nodes@p-123.iam.gserviceaccount.com", bootDiskKmsKey: "k" }, { provider: new gcp.Provider("gcp", { project: "p-123" }) });
            createAksWasmPool("aks", { ...base, instanceType: "Standard_D4ps_v6", resourceGroupName: "rg", nodeSubnetId: "/subnets/nodes", zonal: true }, { provider: new azure.Provider("azure", { location: "swedencentral" }) });
            return {};
        });
        expect(one(resources, "aws:eks/nodeGroup:NodeGroup")).toMatchObject({ clusterName: "plt-dev", nodeRoleArn: "arn:aws:iam::1:role/nodes", subnetIds: ["subnet-a", "subnet-b"], labels: { "platform.io/wasm": "true" } });
        expect(one(resources, "aws:ec2/launchTemplate:LaunchTemplate").vpcSecurityGroupIds).toEqual(["sg-1"]);
        expect(one(resources, "gcp:container/nodePool:NodePool")).toMatchObject({ cluster: "plt-dev", project: "p-123", location: "europe-north1", nodeConfig: { serviceAccount: "nodes@p-123.iam.gserviceaccount.com", bootDiskKmsKey: "k" } });
        expect(one(resources, "azure-native:containerservice:AgentPool")).toMatchObject({ resourceName: "plt-dev", resourceGroupName: "rg", vnetSubnetID: "/subnets/nodes", availabilityZones: ["1", "2", "3"] });
    });
});

describe("the cluster runtimes' arguments", () => {
    it("refuses a bad argument before registering anything", async () => {
        const provider = () => new k8s.Provider("k8s", { context: "kind-test" });
        await expect(plan(() => new SpinKubeRuntime("spin", { arch: "arm64" }, { provider: provider() }).runtimeClassName)).rejects.toThrow(
            /SpinKubeRuntime spin: args\.arch: "arm64" is not allowed; allowed: "x86_64", "aarch64"/,
        );
        await expect(plan(() => new KnativeRuntime("kn", { replicas: 0 }, { provider: provider() }).servingNamespace)).rejects.toThrow(
            /KnativeRuntime kn: args\.replicas: 0 is not allowed; allowed: a whole number >= 1/,
        );
        await expect(
            plan(() => new KnativeRuntime("kn", { registryEgress: { name: "image-registries", cidrs: [], reason: "tag resolution" } }, { provider: provider() }).servingNamespace),
        ).rejects.toThrow(/KnativeRuntime kn: args\.registryEgress\.cidrs: none given/);
    });

    it("opens the registry exception on 443 unless it names its ports", async () => {
        const { resources } = await plan(() => {
            const provider = new k8s.Provider("k8s", { context: "kind-test" });
            return new KnativeRuntime("kn", { registryEgress: { name: "image-registries", cidrs: ["0.0.0.0/0"], reason: "tag-to-digest resolution at the registries" } }, { provider }).servingNamespace;
        });
        const policy = byType(resources, "kubernetes:networking.k8s.io/v1:NetworkPolicy").find((r) => (r.inputs as any).metadata.name === "allow-egress-image-registries")!.inputs as any;
        expect(policy.spec.podSelector).toEqual({ matchLabels: { app: "controller" } });
        expect(policy.spec.egress[0].ports).toEqual([{ protocol: "TCP", port: 443 }]);
    });
});

describe("Knative and SpinKube on a cluster", () => {
    async function clusterPlan() {
        return plan(() => {
            const provider = new k8s.Provider("k8s", { context: "kind-test" });
            const knative = new KnativeRuntime("kn", {}, { provider });
            const spin = new SpinKubeRuntime("spin", {}, { provider });
            const executor = spinAppExecutor("exec", "wasm", { provider, dependsOn: spin.ready });
            const api = new KnativeService(
                "api",
                {
                    ...base,
                    meshInvokers: [{ namespace: "shop", serviceAccount: "checkout" }],
                    namespace: "serverless",
                },
                { provider, dependsOn: knative.ready },
            );
            const wasm = new SpinService(
                "hello",
                { ...base, name: "hello", cpu: 0.1, memory: 128, namespace: "wasm" },
                { provider, dependsOn: [executor] },
            );
            return { api: api.url, apiIdentity: api.identity, wasm: wasm.url };
        });
    }

    it("every Knative and SpinKube custom resource validates against the upstream CRDs", async () => {
        const { resources } = await clusterPlan();
        const crs = customResourcesOf(resources).filter((r) => /knative|spinkube/.test(String(r.inputs.apiVersion)));
        expect(crs.map((r) => r.inputs.kind).sort()).toEqual(["KnativeServing", "Service", "Shim", "SpinApp", "SpinAppExecutor"]);
        for (const cr of crs) expect(validateCustomResource(cr.inputs).errors, String(cr.inputs.kind)).toEqual([]);
        // So do the mesh resources they bring (waypoint Gateway, AuthorizationPolicies); CEL rules are not checked offline.
        const mesh = customResourcesOf(resources).filter((r) => /istio\.io|gateway\.networking/.test(String(r.inputs.apiVersion)));
        expect(mesh.length).toBeGreaterThan(5);
        for (const cr of mesh) expect(validateCustomResource(cr.inputs).errors, `${cr.inputs.kind} ${cr.name}`).toEqual([]);
    });

    it("installs Knative through the pinned operator chart with Kourier as the ingress", async () => {
        const { resources } = await clusterPlan();
        const release = byType(resources, "kubernetes:helm.sh/v3:Release").find((r) => (r.inputs as any).chart === "knative-operator")!.inputs as any;
        expect(release).toMatchObject({ version: "v1.23.0", repositoryOpts: { repo: "https://knative.github.io/operator" }, namespace: "knative-operator", createNamespace: false, skipAwait: false });
        const serving = byType(resources, "kubernetes:operator.knative.dev/v1beta1:KnativeServing")[0].inputs as any;
        expect(serving.spec.ingress.kourier.enabled).toBe(true);
        expect(serving.spec.config.network["ingress-class"]).toBe("kourier.ingress.networking.knative.dev");
        expect(serving.spec.version).toMatch(/^1\.23/);
    });

    it("gives a Knative service cluster-local visibility, min-scale 0, its own service account and a restricted security context", async () => {
        const { resources, outputs } = await clusterPlan();
        const ksvc = one(resources, "kubernetes:serving.knative.dev/v1:Service");
        expect(ksvc.metadata.labels["networking.knative.dev/visibility"]).toBe("cluster-local");
        expect(ksvc.spec.template.metadata.annotations["autoscaling.knative.dev/min-scale"]).toBe("0");
        expect(ksvc.spec.template.spec.serviceAccountName).toBe("orders");
        expect(ksvc.spec.template.spec.containers[0].securityContext).toEqual({
            runAsNonRoot: true,
            allowPrivilegeEscalation: false,
            readOnlyRootFilesystem: true,
            capabilities: { drop: ["ALL"] },
            seccompProfile: { type: "RuntimeDefault" },
        });
        const sa = byType(resources, "kubernetes:core/v1:ServiceAccount").find((r) => (r.inputs as any).metadata.name === "orders")!.inputs as any;
        expect(sa.automountServiceAccountToken).toBe(false);
        expect((outputs as any).apiIdentity).toBe("cluster.local/ns/serverless/sa/orders");
    });

    it("admits only Knative's data path to revision pods, and the declared callers at the Kourier waypoint for this service's hosts", async () => {
        const { resources } = await clusterPlan();
        const policies = byType(resources, "kubernetes:security.istio.io/v1:AuthorizationPolicy").map((r) => r.inputs as any);
        const dataPath = policies.find((p) => p.metadata.name === "api-knative-data-path")!;
        expect(dataPath.spec.selector.matchLabels).toEqual({ "serving.knative.dev/service": "orders" });
        expect(dataPath.spec.rules[0].from[0].source.principals).toEqual([
            "cluster.local/ns/knative-serving/sa/activator",
            "cluster.local/ns/knative-serving/sa/default",
        ]);
        const callers = policies.find((p) => p.metadata.name === "api-callers")!;
        expect(callers.metadata.namespace).toBe("knative-serving");
        // Bound to kourier-internal at the waypoint (L7), not to the gateway pods (L4).
        expect(callers.spec.selector).toBeUndefined();
        expect(callers.spec.targetRefs).toEqual([{ kind: "Service", group: "", name: KOURIER_INTERNAL_SERVICE }]);
        expect(callers.spec.rules).toEqual([
            {
                from: [{ source: { principals: ["cluster.local/ns/shop/sa/checkout"] } }],
                to: [
                    {
                        operation: {
                            hosts: [
                                "orders.serverless.svc.cluster.local",
                                "orders.serverless.svc.cluster.local:*",
                                "orders.serverless.svc",
                                "orders.serverless.svc:*",
                                "orders.serverless",
                                "orders.serverless:*",
                            ],
                        },
                    },
                ],
            },
        ]);
    });

    it("puts kourier-internal behind an allow-nothing waypoint, and the gateway pods admit only the waypoint (plus the controller's probes)", async () => {
        const { resources } = await clusterPlan();
        const serving = one(resources, "kubernetes:operator.knative.dev/v1beta1:KnativeServing");
        // Only kourier-internal is bound to the waypoint (not the namespace: the activator stays L4).
        expect(serving.spec.services).toEqual([{ name: "kourier-internal", labels: { "istio.io/use-waypoint": "waypoint" } }]);
        const ns = byType(resources, "kubernetes:core/v1:Namespace").find((r) => (r.inputs as any).metadata.name === "knative-serving")!.inputs as any;
        expect(ns.metadata.labels["istio.io/use-waypoint"]).toBeUndefined();
        const gateway = one(resources, "kubernetes:gateway.networking.k8s.io/v1:Gateway");
        expect(gateway).toMatchObject({
            metadata: { name: "waypoint", namespace: "knative-serving", labels: { "istio.io/waypoint-for": "service" } },
            spec: { gatewayClassName: "istio-waypoint", listeners: [{ name: "mesh", port: 15008, protocol: "HBONE" }] },
        });
        const policies = byType(resources, "kubernetes:security.istio.io/v1:AuthorizationPolicy").map((r) => r.inputs as any);
        const onWaypoint = policies.filter((p) => (p.spec.targetRefs ?? []).some((t: any) => t.kind === "Gateway" && t.name === "waypoint"));
        // Allow-nothing: an ALLOW policy with no rules matches no request.
        expect(onWaypoint).toHaveLength(1);
        expect(onWaypoint[0].metadata.namespace).toBe("knative-serving");
        expect(onWaypoint[0].spec).toEqual({ action: "ALLOW", targetRefs: [{ group: "gateway.networking.k8s.io", kind: "Gateway", name: "waypoint" }] });
        // The waypoint pod gets its NetworkPolicy allowances in the default-deny namespace.
        const netpols = byType(resources, "kubernetes:networking.k8s.io/v1:NetworkPolicy").map((r) => r.inputs as any).filter((p) => p.metadata.namespace === "knative-serving");
        expect(netpols.map((p) => p.metadata.name)).toEqual(expect.arrayContaining(["allow-waypoint-egress", "allow-waypoint-status"]));
        // ztunnel at the gateway pods: the listener callers use (8081) admits only the waypoint, and the
        // controller's per-pod probes; no caller identity is admitted there directly any more.
        const toGateway = policies.filter((p) => p.spec.selector?.matchLabels?.app === "3scale-kourier-gateway");
        const admitted = toGateway.map((p) => [p.spec.rules[0].from[0].source.principals, p.spec.rules[0].to[0].operation.ports]);
        expect(admitted).toEqual(
            expect.arrayContaining([
                [["cluster.local/ns/knative-serving/sa/waypoint"], ["8081"]],
                [["cluster.local/ns/knative-serving/sa/net-kourier"], ["8081", "8090"]],
            ]),
        );
        expect(admitted).toHaveLength(2);
        expect(toGateway.flatMap((p) => p.spec.rules[0].from[0].source.principals)).not.toContain("cluster.local/ns/shop/sa/checkout");
    });

    it("between Knative services: A declared as B's caller is admitted for B's hosts only, never C's, and nobody undeclared is admitted", async () => {
        const a = { namespace: "serverless", serviceAccount: "svc-a" };
        const d = { namespace: "other", serviceAccount: "svc-d" };
        const { resources } = await plan(() => {
            const provider = new k8s.Provider("k8s", { context: "kind-test" });
            const knative = new KnativeRuntime("kn", {}, { provider });
            const svc = (name: string, meshInvokers: { namespace: string; serviceAccount: string }[]) =>
                new KnativeService(name, { ...base, name, meshInvokers, namespace: "serverless" }, { provider, dependsOn: knative.ready }).url;
            return [svc("svc-a", []), svc("svc-b", [a]), svc("svc-c", [d])];
        });
        const policies = byType(resources, "kubernetes:security.istio.io/v1:AuthorizationPolicy").map((r) => r.inputs as any);
        const principals = (p: any): string[] => (p.spec.rules ?? []).flatMap((r: any) => r.from.flatMap((f: any) => f.source.principals));
        const hostsOf = (p: any): string[] => (p.spec.rules ?? []).flatMap((r: any) => (r.to ?? []).flatMap((t: any) => t.operation.hosts ?? []));
        const A = "cluster.local/ns/serverless/sa/svc-a";
        // Every policy admitting A: exactly one, at the waypoint, for svc-b's hosts only.
        const forA = policies.filter((p) => principals(p).includes(A));
        expect(forA.map((p) => p.metadata.name)).toEqual(["svc-b-callers"]);
        expect(hostsOf(forA[0]).every((h) => h.startsWith("svc-b.serverless"))).toBe(true);
        expect(hostsOf(forA[0])).toContain("svc-b.serverless.svc.cluster.local");
        // svc-c's hosts are admitted only for its own declared caller.
        const forC = policies.filter((p) => hostsOf(p).some((h) => h.startsWith("svc-c.")));
        expect(forC.map((p) => [p.metadata.name, principals(p)])).toEqual([["svc-c-callers", ["cluster.local/ns/other/sa/svc-d"]]]);
        expect(hostsOf(forC[0]).some((h) => h.startsWith("svc-b."))).toBe(false);
        // svc-a has no declared caller: no policy names its hosts (the waypoint's allow-nothing denies all).
        expect(policies.filter((p) => hostsOf(p).some((h) => h.startsWith("svc-a.")))).toEqual([]);
        // Policies bound to kourier-internal admit only declared callers, and always with a host match.
        const onGateway = policies.filter((p) => (p.spec.targetRefs ?? []).some((t: any) => t.name === KOURIER_INTERNAL_SERVICE));
        expect(onGateway.flatMap(principals).sort()).toEqual(["cluster.local/ns/other/sa/svc-d", A]);
        for (const p of onGateway) for (const r of p.spec.rules) expect(r.to?.[0]?.operation?.hosts?.length, p.metadata.name).toBe(6);
        for (const p of policies) expect(validateCustomResource(p).errors, p.metadata.name).toEqual([]);
    });

    it("host rules need a waypoint and well-formed hosts (checked before anything is registered)", () => {
        const from = [{ namespace: "serverless", serviceAccount: "svc-a" }];
        expect(() => validateAllowWorkloads("x", { namespace: "knative-serving", from, hosts: ["b.serverless"] })).toThrow(
            /allowWorkloads\("x"\)\.waypoint: undefined is missing for an L7 rule \(methods\/paths\/hosts\)/,
        );
        expect(() => validateAllowWorkloads("x", { namespace: "knative-serving", from, hosts: ["B_bad host"], waypoint: "waypoint" })).toThrow(
            /allowWorkloads\("x"\)\.hosts\[0\]: "B_bad host" is not an Istio host match; allowed: 'a\.b', 'a\.b:80', 'a\.b:\*' or '\*\.b'/,
        );
        for (const h of ["b.serverless", "b.serverless:80", "b.serverless.svc.cluster.local:*", "*.serverless.svc.cluster.local"]) {
            expect(() => validateAllowWorkloads("x", { namespace: "knative-serving", from, hosts: [h], waypoint: "waypoint", service: "kourier-internal" }), h).not.toThrow();
        }
    });

    it("marks a public Knative service as a named edge exception (the service name), with the reason in its own annotation", async () => {
        const { resources } = await plan(() => {
            const provider = new k8s.Provider("k8s", { context: "kind-test" });
            return new KnativeService(
                "pub",
                { ...base, public: true, edgeException: "EDGE-7 partner webhook, owner team-x", namespace: "serverless" },
                { provider },
            ).url;
        });
        const ksvc = one(resources, "kubernetes:serving.knative.dev/v1:Service");
        expect(ksvc.metadata.annotations).toEqual({ "platform.io/edge-exception": "orders", "platform.io/edge-exception-reason": "EDGE-7 partner webhook, owner team-x" });
        expect(ksvc.metadata.labels["networking.knative.dev/visibility"]).toBeUndefined();
        expect(validateCustomResource(ksvc).errors).toEqual([]);
    });

    it("admits Knative's own flows inside knative-serving by identity, each to one component and its ports", async () => {
        const { resources } = await clusterPlan();
        const policies = byType(resources, "kubernetes:security.istio.io/v1:AuthorizationPolicy")
            .map((r) => r.inputs as any)
            .filter((p) => p.metadata.namespace === "knative-serving");
        const flows = Object.fromEntries(
            policies.map((p) => [p.metadata.name, { to: p.spec.selector?.matchLabels, from: p.spec.rules?.[0].from[0].source.principals, ports: p.spec.rules?.[0].to?.[0].operation.ports }]),
        );
        expect(flows["knative-activator-from-gateway"]).toEqual({ to: { app: "activator" }, from: ["cluster.local/ns/knative-serving/sa/default"], ports: ["8012", "8013"] });
        // Activator stats, and stats forwarded between autoscaler replicas (HA: the bucket owner receives them).
        expect(flows["knative-autoscaler-from-activator"]).toEqual({ to: { app: "autoscaler" }, from: ["cluster.local/ns/knative-serving/sa/activator", "cluster.local/ns/knative-serving/sa/controller"], ports: ["8080"] });
        expect(flows["kourier-xds-from-gateway"]).toEqual({ to: { app: "net-kourier-controller" }, from: ["cluster.local/ns/knative-serving/sa/default"], ports: ["18000"] });
        expect(flows["kourier-gateway-probes"]).toEqual({ to: { app: "3scale-kourier-gateway" }, from: ["cluster.local/ns/knative-serving/sa/net-kourier"], ports: ["8081", "8090"] });
        expect(flows["kourier-gateway-from-waypoint"]).toEqual({ to: { app: "3scale-kourier-gateway" }, from: ["cluster.local/ns/knative-serving/sa/waypoint"], ports: ["8081"] });
        // Every policy here selects its destination (pods, or the waypoint / kourier-internal through
        // targetRefs): none is namespace-wide.
        for (const p of policies) {
            expect(p.spec.action).toBe("ALLOW");
            expect(p.spec.selector?.matchLabels ?? p.spec.targetRefs, p.metadata.name).toBeDefined();
        }
    });

    it("keeps only what the API server calls out of ambient (STRICT mTLS refuses its webhook calls)", async () => {
        const { resources } = await clusterPlan();
        const mode = (ns: string) =>
            (byType(resources, "kubernetes:core/v1:Namespace").find((r) => (r.inputs as any).metadata.name === ns)!.inputs as any).metadata.labels["istio.io/dataplane-mode"];
        // Operators whose only caller is the API server: out of the mesh (system namespaces under K8S-05).
        expect(mode("knative-operator")).toBeUndefined();
        expect(mode("cert-manager")).toBeUndefined();
        expect(mode("spin-operator")).toBeUndefined();
        // Knative's data path stays enrolled; only the webhook Deployment opts out, per pod.
        expect(mode("knative-serving")).toBe("ambient");
        const serving = one(resources, "kubernetes:operator.knative.dev/v1beta1:KnativeServing");
        expect(serving.spec.workloads).toEqual([{ name: "webhook", labels: { "istio.io/dataplane-mode": "none" } }]);
        // Default deny still holds in the namespaces outside the mesh.
        const denies = byType(resources, "kubernetes:networking.k8s.io/v1:NetworkPolicy")
            .map((r) => r.inputs as any)
            .filter((p) => p.metadata.name === "default-deny")
            .map((p) => p.metadata.namespace);
        expect(denies).toEqual(expect.arrayContaining(["knative-operator", "cert-manager", "spin-operator", "knative-serving"]));
    });

    it("runs a wasm service as a SpinApp on the Spin executor, autoscaled by an HPA", async () => {
        const { resources } = await clusterPlan();
        const app = one(resources, "kubernetes:core.spinkube.dev/v1alpha1:SpinApp");
        expect(app.spec).toMatchObject({ executor: "containerd-shim-spin", enableAutoscaling: true, serviceAccountName: "hello" });
        const hpa = one(resources, "kubernetes:autoscaling/v2:HorizontalPodAutoscaler");
        expect(hpa.spec).toMatchObject({ minReplicas: 1, maxReplicas: 5, scaleTargetRef: { kind: "Deployment", name: "hello" } });
        const shim = one(resources, "kubernetes:runtime.spinkube.dev/v1alpha1:Shim");
        expect(shim.spec.runtimeClass).toEqual({ name: "wasmtime-spin-v2", handler: "spin" });
        const executor = one(resources, "kubernetes:core.spinkube.dev/v1alpha1:SpinAppExecutor");
        expect(executor.spec.deploymentConfig.runtimeClassName).toBe(shim.spec.runtimeClass.name);
        const charts = byType(resources, "kubernetes:helm.sh/v3:Release").map((r) => [(r.inputs as any).chart, (r.inputs as any).version]);
        expect(charts).toEqual(
            expect.arrayContaining([
                ["cert-manager", expect.stringMatching(/^v\d+\.\d+\.\d+$/)],
                ["oci://ghcr.io/spinframework/charts/runtime-class-manager", expect.stringMatching(/^\d+\.\d+\.\d+$/)],
                ["oci://ghcr.io/spinframework/charts/spin-operator", expect.stringMatching(/^0\.6\.\d+$/)],
            ]),
        );
        const crds = one(resources, "kubernetes:yaml/v2:ConfigFile");
        expect(crds.file).toMatch(/spin-operator\/releases\/download\/v0\.6\.\d+\/spin-operator\.crds\.yaml$/);
    });

    it("refuses a size no cluster offers on SpinKube and a public Knative service without an edge exception", async () => {
        const provider = () => new k8s.Provider("k8s", { context: "kind-test" });
        await expect(plan(() => new SpinService("x", { ...base, cpu: 100, namespace: "wasm" }, { provider: provider() }).url)).rejects.toThrow(
            /SpinService x: args\.cpu: cpu 100 is not allowed on a cluster; allowed: 0\.01-64/,
        );
        await expect(
            plan(() => new KnativeService("x", { ...base, public: true, namespace: "serverless" }, { provider: provider() }).url),
        ).rejects.toThrow(/KnativeService x: args\.public: true without args\.edgeException/);
    });
});


describe("the Kourier waypoint's spans reach the mesh collector", () => {
    it("admits exactly the Kourier waypoint's identity to the collector's OTLP ports", async () => {
        const { planStack } = await import("../tools/plan");
        const plan = await planStack("local");
        const policies = plan.resources.filter((r) => r.type === "kubernetes:security.istio.io/v1:AuthorizationPolicy" && (r.inputs as any).metadata.namespace === "observability");
        const kourier = policies.find((p) => (p.inputs as any).metadata.name === "allow-kourier-waypoint-spans")!;
        expect((kourier.inputs as any).spec).toEqual({
            action: "ALLOW",
            selector: { matchLabels: { "app.kubernetes.io/instance": "otel-collector" } },
            rules: [{ from: [{ source: { principals: ["cluster.local/ns/knative-serving/sa/waypoint"] } }], to: [{ operation: { ports: ["4317", "4318"] } }] }],
        });
        // It waits for the mesh (Istio CRDs) like every other Istio resource.
        expect(kourier.dependencies.some((d) => d.includes("istiod"))).toBe(true);
    }, 120_000);
});
