import { describe, expect, it } from "vitest";
import { ConfigError, parsePlatformConfig } from "../stacks/config";
import { planStack } from "../tools/plan";
import { customResourcesOf, validateCustomResource } from "./crd";

const svc = (extra: Record<string, unknown> = {}) => ({ name: "api", image: "registry.example.com/api:1", ...extra });

function problems(raw: Record<string, unknown>): string[] {
    try {
        parsePlatformConfig(raw);
    } catch (e) {
        if (e instanceof ConfigError) return e.problems;
        throw e;
    }
    return [];
}

describe("platform:services config", () => {
    it("defaults to scale-to-zero, private, 1 vCPU / 2048 MiB on every enabled target", () => {
        const cfg = parsePlatformConfig({ clouds: ["kubernetes"], services: [svc()] });
        expect(cfg.services[0]).toMatchObject({ runtime: "container", port: 8080, minScale: 0, maxScale: 10, cpu: 1, memory: 2048, public: false });
    });

    it.each([
        ["duplicate names", { clouds: ["kubernetes"], services: [svc(), svc()] }, 'platform:services[1].name: "api" is already used by platform:services[0]'],
        ["minScale > maxScale", { clouds: ["kubernetes"], services: [svc({ minScale: 4, maxScale: 2 })] }, "platform:services[0].minScale: minScale 4 is greater than maxScale 2"],
        ["public without the exception", { clouds: ["kubernetes"], services: [svc({ public: true })] }, "platform:services[0].public: true has no edgeException"],
        ["cpu Cloud Run does not allow", { clouds: ["gcp"], services: [svc({ cpu: 3, memory: 4096 })] }, "platform:services[0].cpu: cpu 3 is not allowed on Cloud Run"],
        ["memory Container Apps does not allow", { clouds: ["azure"], services: [svc({ cpu: 1, memory: 1024 })] }, "platform:services[0].cpu: cpu 1 with memory 1024 MiB is not a Container Apps Consumption combination"],
        ["wasm on a managed runtime", { clouds: ["gcp"], services: [svc({ runtime: "wasm", hosting: "managed" })] }, 'platform:services[0].hosting: "managed" cannot run a wasm service'],
        ["a target that is not enabled", { clouds: ["gcp"], services: [svc({ targets: ["aws"] })] }, 'platform:services[0].targets: "aws" is not an enabled target'],
        ["anonymous Cloud Run invokers", { clouds: ["gcp"], services: [svc({ invokers: { gcp: ["allUsers"] } })] }, 'platform:services[0].invokers.gcp[0]: "allUsers" would make the service anonymous'],
        ["a bad name", { clouds: ["kubernetes"], services: [svc({ name: "API_1" })] }, 'platform:services[0].name: "API_1" must be 1-24 lowercase letters'],
    ])("rejects %s", (_label, raw, message) => {
        expect(problems(raw as Record<string, unknown>).join("\n")).toContain(message);
    });

    it("takes secrets by name, checked against every store the service's targets use", () => {
        const cfg = parsePlatformConfig({ clouds: ["gcp", "aws"], services: [svc({ minScale: 1, secrets: { DB_PASSWORD: "api-db-password" } })] });
        expect(cfg.services[0].secrets).toEqual({ DB_PASSWORD: "api-db-password" });
        expect(parsePlatformConfig({ clouds: ["gcp"], services: [svc()] }).services[0].secrets).toEqual({}); // left unset
        // "/" is fine in AWS Secrets Manager but not in Google Secret Manager or Key Vault.
        expect(problems({ clouds: ["aws"], services: [svc({ minScale: 1, secrets: { DB_PASSWORD: "prod/api/db" } })] })).toEqual([]);
        expect(problems({ clouds: ["aws", "gcp"], services: [svc({ minScale: 1, secrets: { DB_PASSWORD: "prod/api/db" } })] })).toEqual([
            'platform:services[0].secrets.DB_PASSWORD: "prod/api/db" is not a valid secret name on target "gcp", where the service runs; allowed: 1-255 letters, digits, _ or - (Google Secret Manager)',
        ]);
        expect(problems({ clouds: ["aws", "gcp"], services: [svc({ minScale: 1, targets: ["aws"], secrets: { DB_PASSWORD: "prod/api/db" } })] })).toEqual([]);
        expect(problems({ clouds: ["azure"], services: [svc({ secrets: { TOKEN: "api_token" } })] }).join("\n")).toContain('"api_token" is not a valid secret name on target "azure"');
        expect(problems({ clouds: ["kubernetes"], services: [svc({ secrets: { TOKEN: "Api-Token" } })] }).join("\n")).toContain("a Kubernetes Secret name");
        expect(problems({ clouds: ["kubernetes"], services: [svc({ env: { TOKEN: "x" }, secrets: { TOKEN: "api-token" } })] })).toEqual([
            "platform:services[0].secrets.TOKEN: is also set in platform:services[0].env; allowed: a variable in env or in secrets, not both",
        ]);
        expect(problems({ clouds: ["kubernetes"], services: [svc({ secrets: { "1TOKEN": "api-token" } })] }).join("\n")).toContain("environment variable names must be letters");
    });

    it("accepts a size only where every placement allows it", () => {
        // 0.5 vCPU / 1024 MiB is fine on Knative, but Cloud Run needs concurrency 1 below one vCPU.
        expect(problems({ clouds: ["kubernetes"], services: [svc({ cpu: 0.5, memory: 1024 })] })).toEqual([]);
        expect(problems({ clouds: ["kubernetes", "gcp"], services: [svc({ cpu: 0.5, memory: 1024 })] }).join("\n")).toContain("concurrency 80 is not allowed with cpu 0.5");
        expect(problems({ clouds: ["kubernetes", "gcp"], services: [svc({ cpu: 0.5, memory: 1024, targets: ["kubernetes"] })] })).toEqual([]);
    });
});

describe("serverless stack plans", () => {
    it("plans a Knative Service and a SpinApp on the kubernetes target (Pulumi.local.yaml)", async () => {
        const plan = await planStack("local");
        const kinds = plan.resources.map((r) => r.type);
        expect(kinds).toContain("kubernetes:serving.knative.dev/v1:Service");
        expect(kinds).toContain("kubernetes:core.spinkube.dev/v1alpha1:SpinApp");
        const services = plan.outputs.services as any;
        expect(services["hello-api"].kubernetes).toEqual({
            platform: "knative",
            url: "http://hello-api.serverless.svc.cluster.local",
            identity: "cluster.local/ns/serverless/sa/hello-api",
        });
        expect(services["hello-wasm"].kubernetes.platform).toBe("spin");
        // Done when: the Knative Service and the SpinApp (and every other Knative/SpinKube resource) are valid.
        const crs = customResourcesOf(plan.resources).filter((r) => /knative|spinkube/.test(String(r.inputs.apiVersion)));
        expect(crs.map((r) => r.inputs.kind).sort()).toEqual(["KnativeServing", "Service", "Shim", "SpinApp", "SpinAppExecutor"]);
        for (const cr of crs) expect(validateCustomResource(cr.inputs).errors, String(cr.inputs.kind)).toEqual([]);
        const ksvc = plan.resources.find((r) => r.type === "kubernetes:serving.knative.dev/v1:Service")!.inputs as any;
        expect(ksvc.metadata.labels["networking.knative.dev/visibility"]).toBe("cluster-local");
        expect(ksvc.spec.template.metadata.annotations["autoscaling.knative.dev/min-scale"]).toBe("0");
    }, 120_000);

    it("plans Cloud Run, a Container App and a Lambda for one container service on three clouds (Pulumi.dev.yaml)", async () => {
        const plan = await planStack("dev");
        const types = plan.resources.map((r) => r.type);
        expect(types).toContain("gcp:cloudrunv2/service:Service");
        expect(types).toContain("azure-native:app:ContainerApp");
        expect(types).toContain("aws:lambda/function:Function");
        expect(types).toContain("gcp:container/nodePool:NodePool");
        const services = plan.outputs.services as any;
        expect(Object.keys(services["hello-api"]).sort()).toEqual(["aws", "azure", "gcp"]);
        expect(services["hello-api"].gcp.platform).toBe("cloudrun");
        expect(services["hello-wasm"]).toEqual({ gcp: expect.objectContaining({ platform: "spin" }) });
        const pool = plan.resources.find((r) => r.type === "gcp:container/nodePool:NodePool" && (r.inputs as any).name === "wasm")!;
        expect((pool.inputs as any).nodeConfig.imageType).toBe("UBUNTU_CONTAINERD");
        // Same hardening as the main pool: platform-key boot disks, no kubelet read-only port, surge upgrades.
        const main = plan.resources.find((r) => r.type === "gcp:container/nodePool:NodePool" && (r.inputs as any).name !== "wasm")!.inputs as any;
        expect((pool.inputs as any).nodeConfig.bootDiskKmsKey).toBe(main.nodeConfig.bootDiskKmsKey);
        expect((pool.inputs as any).nodeConfig.bootDiskKmsKey).toMatch(/cryptoKeys\//);
        expect((pool.inputs as any).nodeConfig.kubeletConfig).toEqual({ insecureKubeletReadonlyPortEnabled: "FALSE" });
        expect((pool.inputs as any).upgradeSettings).toMatchObject({ maxUnavailable: 0 });
    }, 120_000);

    const wasm = { name: "hello-wasm", runtime: "wasm", image: "ghcr.io/spinframework/containerd-shim-spin/examples/spin-rust-hello:v0.19.0", cpu: 0.1, memory: 128, maxScale: 3 };

    it("on AWS: minScale >= 1 plans ECS Express Mode, and a wasm service gets a dedicated Ubuntu node group for the Spin shim", async () => {
        const plan = await planStack("dev", {
            "platform:clouds": ["aws"],
            "platform:services": [{ name: "always-on", image: "ghcr.io/platform-demo/hello-api:1.0.0", minScale: 1, maxScale: 3 }, wasm],
        });
        const inputs = (type: string) => plan.resources.filter((r) => r.type === type).map((r) => r.inputs as any);
        const [ecs] = inputs("aws:ecs/expressGatewayService:ExpressGatewayService");
        expect(ecs.scalingTargets[0]).toMatchObject({ minTaskCount: 1, maxTaskCount: 3 });
        expect(inputs("aws:lambda/function:Function")).toEqual([]);
        const pool = inputs("aws:eks/nodeGroup:NodeGroup").find((g) => g.labels?.["platform.io/wasm"] === "true");
        expect(pool, "wasm node group").toBeDefined();
        const template = inputs("aws:ec2/launchTemplate:LaunchTemplate").find((t) => Buffer.from(String(t.userData ?? ""), "base64").toString().includes("platform.io/wasm=true"));
        expect(template, "wasm launch template").toBeDefined();
        expect(template.metadataOptions).toMatchObject({ httpTokens: "required", httpPutResponseHopLimit: 1 });
        expect(template.blockDeviceMappings[0].ebs.encrypted).toBe("true");
        // The Shim (and so the Spin RuntimeClass) targets exactly that pool.
        const [shim] = inputs("kubernetes:runtime.spinkube.dev/v1alpha1:Shim");
        expect(shim.spec.nodeSelector).toEqual({ "platform.io/wasm": "true" });
        const services = plan.outputs.services as any;
        expect(services["always-on"].aws).toMatchObject({ platform: "ecs-express", url: expect.stringMatching(/^https:\/\//) });
        expect(services["hello-wasm"].aws).toMatchObject({ platform: "spin", identity: "cluster.local/ns/wasm/sa/hello-wasm" });
    }, 120_000);

    it("on Azure: the shim goes to a wasm pool of its own, so its containerd restart never touches the system or user pools", async () => {
        const plan = await planStack("dev", { "platform:clouds": ["azure"], "platform:services": [wasm] });
        const pools = plan.resources.filter((r) => r.type === "azure-native:containerservice:AgentPool");
        const wasmPools = pools.filter((r) => (r.inputs as any).nodeLabels?.["platform.io/wasm"] === "true");
        expect(wasmPools).toHaveLength(1);
        const user = pools.find((r) => (r.inputs as any).agentPoolName === "user")!.inputs as any;
        const pool = wasmPools[0].inputs as any;
        // Like the cluster's user pool: same subnet, zones, image and hardening; a User pool named "wasm".
        expect(pool).toMatchObject({ agentPoolName: "wasm", mode: "User", osSKU: user.osSKU, vnetSubnetID: user.vnetSubnetID, availabilityZones: user.availabilityZones, enableNodePublicIP: false, enableEncryptionAtHost: true, enableAutoScaling: true, minCount: 1 });
        // No other pool carries the label the shim selects.
        expect(pools.filter((r) => r !== wasmPools[0] && JSON.stringify(r.inputs).includes("platform.io/wasm"))).toEqual([]);
        const shim = plan.resources.find((r) => r.type === "kubernetes:runtime.spinkube.dev/v1alpha1:Shim")!;
        expect((shim.inputs as any).spec.nodeSelector).toEqual({ "platform.io/wasm": "true" });
        // The runtime (and so the Shim) waits for the pool.
        expect(plan.resources.filter((r) => r.type === "platform:index:SpinKubeRuntime").every((r) => r.dependencies.includes(wasmPools[0].urn))).toBe(true);
        expect((plan.outputs.services as any)["hello-wasm"].azure.platform).toBe("spin");
    }, 120_000);
});
