/**
 * platform:carbon.scaling wired into the stack: config errors, the plan of the local (kubernetes target)
 * and gcp stacks with scaling enabled (KEDA once per cluster outside the mesh, one CRD-validated
 * ScaledObject per workload, the token only in a Secret and masked, the fallback from the placement),
 * and the policy packs' verdict on the local stack with scaling on.
 */
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { KEDA_CHART_VERSION, KEDA_PORTS } from "../components/carbon-scaling";
import { ConfigError, parsePlatformConfig } from "../stacks/config";
import { carbonScalingProblems } from "../stacks/config/carbon";
import { zoneIntensity, latestFullYear } from "../components/regions/intensity";
import { planConfig, planStack, type Plan } from "../tools/plan";
import { loadStackConfig, PROJECT_ROOT } from "../tools/plan/stack-config";
import { platformProgram } from "../stacks/program";
import { runUnderMocks, SECRET_PLACEHOLDER, type RecordedResource } from "../tools/plan/runtime";
import { discoverPolicyPacks } from "../tools/policy/analyzer-client";
import { runPolicyPacks } from "../tools/policy/run";
import { exitCode } from "../tools/policy/report";
import { validateCustomResource } from "./crd";
import { stackPackConfig } from "../tools/policy/pack-config";

const RELEASE = "kubernetes:helm.sh/v3:Release";
const SCALED_OBJECT = "kubernetes:keda.sh/v1alpha1:ScaledObject";
const TRIGGER_AUTH = "kubernetes:keda.sh/v1alpha1:TriggerAuthentication";
const SECRET = "kubernetes:core/v1:Secret";
const NAMESPACE = "kubernetes:core/v1:Namespace";
const NETWORK_POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy";

/** Two deferrable workloads whose demand comes from sources outside the mesh (cloud queues over HTTPS). */
const workloads = [
    {
        name: "report-builder",
        namespace: "batch",
        maxReplicas: 6,
        dirtyMaxReplicas: 1,
        targetPerReplica: 5,
        work: {
            type: "aws-sqs-queue",
            metadata: { queueURL: "https://sqs.eu-central-1.amazonaws.com/123456789012/reports", queueLength: "5", awsRegion: "eu-central-1" },
            authenticationRef: { name: "sqs-reader" },
            ports: [443],
        },
    },
    {
        name: "video-transcoder",
        namespace: "media",
        kind: "StatefulSet",
        minReplicas: 1,
        maxReplicas: 4,
        dirtyMaxReplicas: 2,
        work: { type: "rabbitmq", metadata: { queueName: "transcode", mode: "QueueLength", value: "3" }, authenticationRef: { name: "rabbit", kind: "ClusterTriggerAuthentication" }, ports: [5671] },
    },
];

const scalingOn = (scaling: Record<string, unknown> = {}) => ({
    scaling: { enabled: true, dirtyThreshold: 250, signal: { locations: { kubernetes: "DE" } }, workloads, ...scaling },
});

function problems(raw: Record<string, unknown>, isSecret?: (k: string) => boolean): string[] {
    try {
        parsePlatformConfig(raw, { isSecret });
    } catch (e) {
        expect(e).toBeInstanceOf(ConfigError);
        return (e as ConfigError).problems;
    }
    throw new Error("expected the configuration to be rejected");
}

describe("platform:carbon.scaling: bad values name the key, the value and what is allowed", () => {
    const k8s = { clouds: ["kubernetes"], carbonSignalToken: "tok" };
    const cases: [string, Record<string, unknown>, RegExp[]][] = [
        ["no threshold", { ...k8s, carbon: scalingOn({ dirtyThreshold: undefined }) }, [/platform:carbon\.scaling\.dirtyThreshold: \(unset\) is required when scaling is enabled/, /allowed: a positive number of gCO2e\/kWh/]],
        ["negative threshold", { ...k8s, carbon: scalingOn({ dirtyThreshold: -5 }) }, [/platform:carbon\.scaling\.dirtyThreshold: -5 must be a positive number of gCO2e\/kWh/]],
        ["Electricity Maps without a token", { clouds: ["kubernetes"], carbon: scalingOn() }, [/platform:carbonSignalToken: \(unset\) is required by platform:carbon\.scaling\.signal\.provider "electricity-maps"/, /pulumi config set --secret platform:carbonSignalToken/]],
        ["token over plain http", { ...k8s, carbon: scalingOn({ signal: { provider: "carbon-aware-sdk", url: "http://carbon-aware-sdk.carbon.svc:8080", locations: { kubernetes: "westeurope" } } }) }, [/platform:carbon\.scaling\.signal\.url: "http:\/\/carbon-aware-sdk\.carbon\.svc:8080" would send platform:carbonSignalToken unencrypted; allowed: an https:\/\/ URL/]],
        ["unknown provider", { ...k8s, carbon: scalingOn({ signal: { provider: "watttime" } }) }, [/platform:carbon\.scaling\.signal\.provider: "watttime" must be one of "carbon-aware-sdk", "electricity-maps"/]],
        ["URL that is not http(s)", { ...k8s, carbon: scalingOn({ signal: { url: "ftp://x", locations: { kubernetes: "DE" } } }) }, [/platform:carbon\.scaling\.signal\.url: "ftp:\/\/x" must be an http\(s\) URL/]],
        ["kubernetes target without a location", { ...k8s, carbon: scalingOn({ signal: {} }) }, [/platform:carbon\.scaling\.signal\.locations\.kubernetes: \(unset\) is required for the kubernetes target/, /allowed: an Electricity Maps zone such as DE/]],
        ["kubernetes target with a location nothing knows and no static figure", { clouds: ["kubernetes"], carbon: scalingOn({ signal: { provider: "carbon-aware-sdk", url: "https://sdk.example.com", locations: { kubernetes: "my-datacentre" } } }) }, [/platform:carbon\.scaling\.staticIntensity\.kubernetes: \(unset\) is required: no yearly figure is known for location "my-datacentre"/]],
        ["location for a target the stack does not build", { ...k8s, carbon: scalingOn({ signal: { locations: { kubernetes: "DE", aws: "DE" } } }) }, [/platform:carbon\.scaling\.signal\.locations\.aws: "DE" is set for a target the stack does not build; allowed: kubernetes/]],
        ["min above max", { ...k8s, carbon: scalingOn({ workloads: [{ ...workloads[0], minReplicas: 8 }] }) }, [/platform:carbon\.scaling\.workloads\[0\]\.minReplicas: 8 is greater than maxReplicas \(6\)/]],
        ["dirty cap above max", { ...k8s, carbon: scalingOn({ workloads: [{ ...workloads[0], dirtyMaxReplicas: 7 }] }) }, [/platform:carbon\.scaling\.workloads\[0\]\.dirtyMaxReplicas: 7 is greater than maxReplicas \(6\); allowed: 0\.\.6/]],
        ["a workload declared twice", { ...k8s, carbon: scalingOn({ workloads: [workloads[0], workloads[0]] }) }, [/platform:carbon\.scaling\.workloads\[1\]\.name: "report-builder" is declared twice in namespace batch/]],
        ["unknown kind", { ...k8s, carbon: scalingOn({ workloads: [{ ...workloads[0], kind: "Job" }] }) }, [/platform:carbon\.scaling\.workloads\[0\]\.kind: "Job" must be one of "Deployment", "StatefulSet"/]],
        ["namespace that is not a DNS label", { ...k8s, carbon: scalingOn({ workloads: [{ ...workloads[0], namespace: "Batch_Jobs" }] }) }, [/platform:carbon\.scaling\.workloads\[0\]\.namespace: "Batch_Jobs" must be a DNS-1123 label/]],
        ["a target the stack does not build", { ...k8s, carbon: scalingOn({ workloads: [{ ...workloads[0], targets: ["gcp"] }] }) }, [/platform:carbon\.scaling\.workloads\[0\]\.targets: "gcp" is not a target of this stack; allowed: kubernetes/]],
        ["work trigger without a type", { ...k8s, carbon: scalingOn({ workloads: [{ ...workloads[0], work: { metadata: {} } }] }) }, [/platform:carbon\.scaling\.workloads\[0\]\.work\.type: \(unset\)/]],
        ["misspelt scaling key", { ...k8s, carbon: { scaling: { enabeld: true } } }, [/platform:carbon\.scaling\.enabeld is not a known setting\. Allowed: enabled, signal, dirtyThreshold, staticIntensity, workloads/]],
        ["misspelt workload key", { ...k8s, carbon: scalingOn({ workloads: [{ ...workloads[0], maxReplica: 3 }] }) }, [/platform:carbon\.scaling\.workloads\[0\]\.maxReplica is not a known setting\. Allowed: name, namespace, kind, minReplicas, maxReplicas/]],
        ["a port that is not a port", { ...k8s, carbon: scalingOn({ workloads: [{ ...workloads[0], work: { ...workloads[0].work, ports: [70000] } }] }) }, [/platform:carbon\.scaling\.workloads\[0\]\.work\.ports\[0\]: 70000 must be a TCP port 1-65535/]],
    ];
    it.each(cases)("%s", (_label, raw, expected) => {
        const text = problems(raw).join("\n");
        for (const re of expected) expect(text).toMatch(re);
    });

    it("rejects a token stored in plain text without ever printing it", () => {
        const raw = { clouds: ["kubernetes"], carbonSignalToken: "em-live-9f8e7d", carbon: scalingOn() };
        const text = problems(raw, () => false).join("\n");
        expect(text).toMatch(/platform:carbonSignalToken: \(value not shown\) is stored in plain text; allowed: an encrypted value/);
        expect(text).not.toContain("em-live-9f8e7d");
        // The same config is fine once the key is encrypted.
        expect(() => parsePlatformConfig(raw, { isSecret: (k) => k === "platform:carbonSignalToken" })).not.toThrow();
    });

    it("checks nothing while scaling is off (no token needed)", () => {
        const cfg = parsePlatformConfig({ clouds: ["kubernetes"] });
        expect(cfg.carbon.scaling).toMatchObject({ enabled: false, signal: { provider: "electricity-maps", url: "https://api.electricitymaps.com" }, workloads: [] });
        expect(carbonScalingProblems({ ...cfg })).toEqual([]);
    });
});

const find = (resources: RecordedResource[], type: string) => resources.filter((r) => r.type === type);

describe("local stack (kubernetes target) with scaling enabled", () => {
    let plan: Plan;
    beforeAll(async () => {
        plan = await planStack("local", { "platform:carbon": scalingOn(), "platform:carbonSignalToken": { secure: "v1:ciphertext" } });
    }, 120_000);

    it("installs KEDA once for the cluster, pinned, into a PlatformNamespace outside the mesh", () => {
        const releases = find(plan.resources, RELEASE).filter((r) => (r.inputs as any).chart === "keda");
        expect(releases).toHaveLength(1);
        expect(releases[0].inputs).toMatchObject({
            chart: "keda",
            version: KEDA_CHART_VERSION,
            repositoryOpts: { repo: "https://kedacore.github.io/charts" },
            namespace: "keda",
            createNamespace: false,
            skipAwait: false,
        });
        const ns = find(plan.resources, NAMESPACE).find((r) => (r.inputs as any).metadata.name === "keda")!;
        const labels = (ns.inputs as any).metadata.labels;
        expect(labels["pod-security.kubernetes.io/enforce"]).toBe("restricted");
        expect(labels["istio.io/dataplane-mode"]).toBeUndefined();
        expect(ns.parent).toBe(find(plan.resources, "platform:index:PlatformNamespace").find((p) => p.urn.endsWith("kubernetes-keda-ns"))!.urn);
        expect(releases[0].dependencies).toContain(ns.urn);
    });

    it("opens only the API server's calls, the in-namespace gRPC hop and the scalers' ports", () => {
        const policies = find(plan.resources, NETWORK_POLICY).filter((r) => (r.inputs as any).metadata.namespace === "keda");
        const byName = Object.fromEntries(policies.map((p) => [(p.inputs as any).metadata.name, (p.inputs as any).spec]));
        expect(byName["default-deny"]).toEqual({ podSelector: {}, policyTypes: ["Ingress", "Egress"] });
        expect(byName["allow-hbone"]).toBeUndefined();
        expect(byName["allow-webhook-ingress"]).toEqual({
            podSelector: { matchLabels: { app: "keda-admission-webhooks" } },
            policyTypes: ["Ingress"],
            ingress: [{ ports: [{ protocol: "TCP", port: KEDA_PORTS.webhook }] }],
        });
        expect(byName["allow-metrics-api-ingress"].ingress).toEqual([{ ports: [{ protocol: "TCP", port: 6443 }] }]);
        expect(byName["allow-metrics-to-operator"].ingress[0].from).toEqual([{ podSelector: { matchLabels: { app: "keda-operator-metrics-apiserver" } } }]);
        // Signal (https → 443) and the two work sources (443, 5671), deduplicated: to pods in the cluster,
        // and to public addresses only through the named keda-scalers egress exception.
        const ports = [{ protocol: "TCP", port: 443 }, { protocol: "TCP", port: 5671 }];
        expect(byName["allow-scaler-egress"]).toEqual({
            podSelector: { matchLabels: { app: "keda-operator" } },
            policyTypes: ["Egress"],
            egress: [{ to: [{ namespaceSelector: {} }], ports }],
        });
        expect(byName["allow-egress-keda-scalers"]).toEqual({
            podSelector: { matchLabels: { app: "keda-operator" } },
            policyTypes: ["Egress"],
            egress: [{ to: [{ ipBlock: { cidr: "0.0.0.0/0", except: expect.arrayContaining(["10.0.0.0/8"]) } }], ports }],
        });
        // kind: the control-plane node's 6443 and the kubernetes Service's 443, nowhere else.
        expect(byName["allow-apiserver-egress"].egress).toEqual([
            { to: [{ ipBlock: { cidr: "172.16.0.0/12" } }, { ipBlock: { cidr: "10.96.0.1/32" } }], ports: [{ protocol: "TCP", port: 443 }, { protocol: "TCP", port: 6443 }] },
        ]);
    });

    it("emits one ScaledObject per workload that validates against the KEDA CRD and waits for KEDA", () => {
        const objects = find(plan.resources, SCALED_OBJECT);
        expect(objects.map((o) => `${(o.inputs as any).metadata.namespace}/${(o.inputs as any).metadata.name}`).sort()).toEqual(["batch/report-builder", "media/video-transcoder"]);
        const release = find(plan.resources, RELEASE).find((r) => (r.inputs as any).chart === "keda")!;
        for (const o of objects) {
            expect(validateCustomResource(o.rawInputs as any).errors).toEqual([]);
            expect(o.dependencies).toContain(release.urn);
        }
        const transcoder = objects.find((o) => (o.inputs as any).metadata.name === "video-transcoder")!;
        const spec = (transcoder.inputs as any).spec;
        expect(spec.scaleTargetRef).toEqual({ apiVersion: "apps/v1", kind: "StatefulSet", name: "video-transcoder" });
        expect(spec).toMatchObject({ minReplicaCount: 1, maxReplicaCount: 4 });
        expect(spec.advanced.scalingModifiers.formula).toBe("carbon > 250 ? (work > 20 ? 20 : work) : work");
        expect(spec.triggers[0]).toEqual({
            type: "rabbitmq",
            name: "work",
            metadata: { queueName: "transcode", mode: "QueueLength", value: "3" },
            authenticationRef: { name: "rabbit", kind: "ClusterTriggerAuthentication" },
        });
        expect(spec.triggers[1].metadata.url).toBe("https://api.electricitymaps.com/v3/carbon-intensity/latest?zone=DE");
    });

    it("takes the fallback from the signal zone's yearly figure on an existing cluster", () => {
        const year = latestFullYear();
        const de = zoneIntensity("DE", year)!;
        const report = find(plan.resources, SCALED_OBJECT).find((o) => (o.inputs as any).metadata.name === "report-builder")!;
        const spec = (report.inputs as any).spec;
        // The figure decides: above the 250 threshold → the dirty cap, else the full maxReplicas.
        expect(spec.fallback.replicas).toBe(de > 250 ? 1 : 6);
        expect((report.inputs as any).metadata.annotations["platform.io/carbon-static-intensity"]).toBe(
            `${de} gCO2e/kWh (${year}), zone DE, Electricity Maps ${year} yearly average (life-cycle) via @tgwf/co2 (ODbL)`,
        );
        expect((plan.outputs as any).carbonScaling.kubernetes).toMatchObject({ location: "DE", staticIntensity: de, kedaChartVersion: KEDA_CHART_VERSION });
    });

    it("keeps the token in Secrets only, referenced by TriggerAuthentications", () => {
        const secrets = find(plan.resources, SECRET).filter((s) => /carbon-signal$/.test((s.inputs as any).metadata?.name ?? ""));
        expect(secrets.map((s) => (s.inputs as any).metadata.namespace).sort()).toEqual(["batch", "media"]);
        for (const s of secrets) expect((s.inputs as any).stringData).toBe(SECRET_PLACEHOLDER);
        const auths = find(plan.resources, TRIGGER_AUTH);
        expect(auths).toHaveLength(2);
        for (const a of auths) expect((a.inputs as any).spec.secretTargetRef).toEqual([{ parameter: "apiKey", name: (a.inputs as any).metadata.name, key: "token" }]);
    });
});

describe("the token set with --secret reaches only the Secret, masked everywhere else", () => {
    const token = "em-live-5b1c0ffee";
    it("plans with the decrypted token as the CLI passes it", async () => {
        const sc = loadStackConfig("local", { overrides: { "platform:carbon": scalingOn({ workloads: [workloads[0]] }) } });
        // What `pulumi up` hands the program for `pulumi config set --secret`: the plain value, flagged secret.
        sc.config["platform:carbonSignalToken"] = token;
        sc.secretKeys.push("platform:carbonSignalToken");
        const plan = await planConfig(sc);
        const holders = plan.resources.filter((r) => JSON.stringify(r.rawInputs).includes(token));
        expect(holders.map((r) => r.type)).toEqual([SECRET]);
        expect((holders[0].rawInputs as any).stringData).toEqual({ token });
        expect(plan.resources.some((r) => JSON.stringify(r.inputs).includes(token))).toBe(false);
        expect(JSON.stringify(plan.maskedOutputs)).not.toContain(token);
        expect(JSON.stringify(plan.outputs)).not.toContain(token);
    }, 120_000);

    it("stops before any resource when the token is in plain text", async () => {
        const sc = loadStackConfig("local", { overrides: { "platform:carbon": scalingOn() } });
        sc.config["platform:carbonSignalToken"] = token;
        const sink: RecordedResource[] = [];
        const run = runUnderMocks(platformProgram, { ...sc, sink });
        await expect(run).rejects.toThrow(/platform:carbonSignalToken: \(value not shown\) is stored in plain text/);
        await expect(run).rejects.not.toThrow(token);
        expect(sink.map((r) => r.type)).toEqual(["pulumi:pulumi:Stack"]);
    });
});

describe("a cloud stack with scaling enabled", () => {
    it("gcp: KEDA on the GKE cluster, the location and the fallback from the placement", async () => {
        const overrides = {
            "platform:carbon": scalingOn({ signal: {}, workloads: [workloads[0]] }),
            "platform:carbonSignalToken": { secure: "v1:ciphertext" },
        };
        const plan = await planStack("gcp", overrides);
        const placed = (plan.outputs as any).placement.gcp;
        expect(placed.gridZone).toBeTruthy();
        expect(find(plan.resources, RELEASE).filter((r) => (r.inputs as any).chart === "keda")).toHaveLength(1);
        const [so] = find(plan.resources, SCALED_OBJECT);
        const spec = (so.inputs as any).spec;
        expect(spec.triggers[1].metadata.url).toBe(`https://api.electricitymaps.com/v3/carbon-intensity/latest?zone=${encodeURIComponent(placed.gridZone)}`);
        expect(spec.fallback.replicas).toBe(placed.gco2ePerKwh > 250 ? 1 : 6);
        expect((so.inputs as any).metadata.annotations["platform.io/carbon-static-intensity"]).toContain(`${placed.gco2ePerKwh} gCO2e/kWh (${placed.year}), region ${placed.region}`);
        // The KEDA objects go through the GKE cluster's provider.
        const gkeProvider = plan.resources.find((r) => r.type === "pulumi:providers:kubernetes" && r.urn.includes("gcp"))!;
        expect(so.provider).toContain(gkeProvider.urn);
    }, 120_000);
});

describe("policy packs on the local stack with scaling enabled", () => {
    it("npm run check's verdict: no mandatory violation (exit 0)", async () => {
        const plan = await planStack("local", { "platform:carbon": scalingOn(), "platform:carbonSignalToken": { secure: "v1:ciphertext" } });
        // As npm run check: each pack with the stack's pack config (policies/config).
        const packDirs = discoverPolicyPacks(path.join(PROJECT_ROOT, "policies"));
        const result = await runPolicyPacks(plan.resources, packDirs, { config: Object.fromEntries(packDirs.map((d) => [path.basename(d), stackPackConfig("local", d)])) });
        const mandatory = result.violations.filter((v) => v.enforcementLevel === "mandatory").map((v) => `${v.policy}: ${v.message}`);
        expect(result.packs.map((p) => p.name).sort()).toEqual(["carbon-aware", "zero-trust"]);
        expect(result.resources).toBe(plan.resources.length);
        expect(plan.resources.some((r) => r.type === SCALED_OBJECT)).toBe(true);
        expect(mandatory).toEqual([]);
        expect(exitCode(result)).toBe(0);
    }, 180_000);
});
