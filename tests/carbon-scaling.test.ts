/**
 * CarbonAwareScaling under Pulumi's mock runtime: the KEDA release, the ScaledObject (validated
 * against the upstream KEDA 2.20.2 CRD with the shared validator) and the secret-backed signal.
 */
import * as k8s from "@pulumi/kubernetes";
import { describe, expect, it } from "vitest";
import {
    CarbonAwareScaling,
    CarbonScalingError,
    KEDA_CHART_VERSION,
    KedaInstall,
    signalPort,
    type CarbonAwareScalingArgs,
} from "../components/carbon-scaling";
import { runUnderMocks, SECRET_PLACEHOLDER } from "../tools/plan/runtime";
import { validateCustomResource } from "./crd";

const base: CarbonAwareScalingArgs = {
    workload: { name: "batch-worker", namespace: "batch" },
    maxReplicas: 8,
    dirtyMaxReplicas: 2,
    workTrigger: { type: "kafka", metadata: { bootstrapServers: "kafka:9092", consumerGroup: "batch", topic: "jobs", lagThreshold: "10" }, ports: [9092] },
    targetPerReplica: 10,
    signal: { provider: "electricity-maps", url: "https://api.electricitymaps.com/", location: "DE", token: "em-token-123" },
    dirtyThreshold: 300,
    staticIntensity: 342,
    staticYear: 2025,
};

async function plan(args: CarbonAwareScalingArgs) {
    return runUnderMocks(
        () => {
            const provider = new k8s.Provider("k8s", { context: "kind-test" });
            return new CarbonAwareScaling("batch", args, { provider }).scaledObjectName;
        },
        { project: "platform", stack: "test" },
    );
}

const crObject = (r: { rawInputs: Record<string, unknown> }) => r.rawInputs as { apiVersion: string; kind: string; [k: string]: unknown };

describe("CarbonAwareScaling", () => {
    it("installs KEDA from the pinned 2.20 chart with two operator replicas", async () => {
        const { resources } = await plan(base);
        const release = resources.find((r) => r.type === "kubernetes:helm.sh/v3:Release")!;
        expect(release.inputs).toMatchObject({
            chart: "keda",
            version: KEDA_CHART_VERSION,
            repositoryOpts: { repo: "https://kedacore.github.io/charts" },
            namespace: "keda",
            values: { operator: { replicaCount: 2 } },
        });
        expect(KEDA_CHART_VERSION).toMatch(/^2\.20\.\d+$/);
        const so = resources.find((r) => r.type === "kubernetes:keda.sh/v1alpha1:ScaledObject")!;
        expect(so.dependencies).toContain(release.urn);
        expect(so.parent).toBe(resources.find((r) => r.type === "platform:index:CarbonAwareScaling")!.urn);
    });

    it("emits a ScaledObject that validates against the KEDA CRD and caps replicas while the grid is dirty", async () => {
        const { resources } = await plan(base);
        const so = resources.find((r) => r.type === "kubernetes:keda.sh/v1alpha1:ScaledObject")!;
        const check = validateCustomResource(crObject(so));
        expect(check.errors).toEqual([]);
        expect(check.valid).toBe(true);
        const spec = (so.inputs as any).spec;
        expect(spec.scaleTargetRef).toEqual({ apiVersion: "apps/v1", kind: "Deployment", name: "batch-worker" });
        expect(spec.advanced.scalingModifiers.formula).toBe("carbon > 300 ? (work > 20 ? 20 : work) : work");
        expect(spec.triggers.map((t: any) => t.name)).toEqual(["work", "carbon"]);
        const carbon = spec.triggers[1];
        expect(carbon.metadata).toMatchObject({
            url: "https://api.electricitymaps.com/v3/carbon-intensity/latest?zone=DE",
            valueLocation: "carbonIntensity",
            authMode: "apiKey",
            keyParamName: "auth-token",
        });
        // The static yearly figure (342) is above the threshold: fallback holds the dirty cap.
        expect(spec.fallback).toEqual({ failureThreshold: 3, replicas: 2, behavior: "static" });
    });

    it("keeps the API token in a Secret referenced by a TriggerAuthentication", async () => {
        const { resources } = await plan(base);
        const secret = resources.find((r) => r.type === "kubernetes:core/v1:Secret")!;
        const so = resources.find((r) => r.type === "kubernetes:keda.sh/v1alpha1:ScaledObject")!;
        expect(JSON.stringify(secret.inputs)).not.toContain("em-token-123");
        expect((secret.inputs as any).stringData).toBe(SECRET_PLACEHOLDER);
        expect((secret.rawInputs as any).stringData).toEqual({ token: "em-token-123" });
        const auth = resources.find((r) => r.type === "kubernetes:keda.sh/v1alpha1:TriggerAuthentication")!;
        expect((auth.inputs as any).spec.secretTargetRef[0]).toEqual({ parameter: "apiKey", name: "batch-carbon-signal", key: "token" });
        expect((so.inputs as any).spec.triggers[1].authenticationRef).toEqual({ name: "batch-carbon-signal" });
        expect(JSON.stringify(so.inputs)).not.toContain("em-token-123");
    });

    it("reads the Carbon Aware SDK's rating and falls back to full scale on a clean static figure", async () => {
        const { resources } = await plan({
            ...base,
            installKeda: false,
            signal: { provider: "carbon-aware-sdk", url: "http://carbon-aware-sdk.carbon.svc:8080", location: "swedencentral" },
            staticIntensity: 20,
        });
        expect(resources.some((r) => r.type === "kubernetes:helm.sh/v3:Release")).toBe(false);
        const so = resources.find((r) => r.type === "kubernetes:keda.sh/v1alpha1:ScaledObject")!;
        expect(validateCustomResource(crObject(so)).errors).toEqual([]);
        const spec = (so.inputs as any).spec;
        expect(spec.triggers[1].metadata).toEqual({
            url: "http://carbon-aware-sdk.carbon.svc:8080/emissions/bylocation?location=swedencentral",
            valueLocation: "0.rating",
            targetValue: "300",
        });
        expect(spec.fallback.replicas).toBe(8);
    });

    it("installs KEDA into an out-of-mesh PlatformNamespace whose operator may reach only the signal's and the work source's ports", async () => {
        const { resources } = await plan(base);
        const release = resources.find((r) => r.type === "kubernetes:helm.sh/v3:Release")!;
        expect(release.inputs).toMatchObject({ createNamespace: false, skipAwait: false });
        const ns = resources.find((r) => r.type === "kubernetes:core/v1:Namespace")!;
        expect((ns.inputs as any).metadata.name).toBe("keda");
        expect((ns.inputs as any).metadata.labels["istio.io/dataplane-mode"]).toBeUndefined();
        const egress = resources.find((r) => r.type === "kubernetes:networking.k8s.io/v1:NetworkPolicy" && (r.inputs as any).metadata.name === "allow-scaler-egress")!;
        // In-cluster sources on those ports; public ones need a named egress exception (none given here).
        expect((egress.inputs as any).spec.egress).toEqual([{ to: [{ namespaceSelector: {} }], ports: [{ protocol: "TCP", port: 443 }, { protocol: "TCP", port: 9092 }] }]);
        // The work trigger's ports steer the NetworkPolicy only; they are not KEDA trigger fields.
        const so = resources.find((r) => r.type === "kubernetes:keda.sh/v1alpha1:ScaledObject")!;
        expect((so.inputs as any).spec.triggers[0].ports).toBeUndefined();
    });

    it("derives the signal's port from its URL", () => {
        expect(signalPort("https://api.electricitymaps.com")).toBe(443);
        expect(signalPort("http://carbon-aware-sdk.carbon.svc:8080/")).toBe(8080);
        expect(signalPort("http://sdk.example.com")).toBe(80);
        expect(signalPort("https://user@sdk.example.com:8443/x")).toBe(8443);
    });

    it("rejects bad arguments before registering anything", async () => {
        const bad = { ...base, kedaChartVersion: "2.19.0", dirtyMaxReplicas: 9, signal: { ...base.signal, token: undefined, url: "ftp://x" } };
        let error: Error | undefined;
        const run = await plan(bad).catch((e) => {
            error = e;
            return undefined;
        });
        expect(run).toBeUndefined();
        expect(error?.message ?? "").toContain('CarbonAwareScaling batch: args.kedaChartVersion: "2.19.0" is not allowed; allowed: KEDA 2.20.x');
        expect(error?.message).toContain("CarbonAwareScaling batch: args.dirtyMaxReplicas: 9 is not allowed; allowed: a whole number between 0 and maxReplicas (8)");
        expect(error?.message).toContain('CarbonAwareScaling batch: args.signal.url: "ftp://x" is not an http(s) URL');
        expect(error?.message).toContain("CarbonAwareScaling batch: args.signal.token: unset");
        expect(() => new CarbonAwareScaling("x", bad)).toThrow(CarbonScalingError);
    });

    it("rejects values outside the closed sets (strings in the schema), naming what is allowed", () => {
        const build = (args: CarbonAwareScalingArgs) => () => new CarbonAwareScaling("batch", args);
        expect(build({ ...base, signal: { ...base.signal, provider: "watttime" } })).toThrow(
            'CarbonAwareScaling batch: args.signal.provider: "watttime" is not a signal source; allowed: "carbon-aware-sdk", "electricity-maps"',
        );
        expect(build({ ...base, workload: { ...base.workload, kind: "DaemonSet" } })).toThrow('CarbonAwareScaling batch: args.workload.kind: "DaemonSet" is not allowed; allowed: "Deployment", "StatefulSet"');
        expect(build({ ...base, workTrigger: { ...base.workTrigger, authenticationRef: { name: "a", kind: "Secret" } } })).toThrow(
            'CarbonAwareScaling batch: args.workTrigger.authenticationRef.kind: "Secret" is not allowed; allowed: "TriggerAuthentication", "ClusterTriggerAuthentication"',
        );
        expect(build({ ...base, kedaNamespace: "KEDA" })).toThrow('CarbonAwareScaling batch: args.kedaNamespace: "KEDA" is not a namespace name; allowed: a DNS-1123 label');
    });

    it("with a shared KEDA install, makes the KEDA objects wait for what opts.dependsOn names, and outputs the fallback", async () => {
        let fallback: number | undefined;
        const { resources } = await runUnderMocks(
            () => {
                const provider = new k8s.Provider("k8s", { context: "kind-test" });
                const keda = new KedaInstall("keda", {}, { provider });
                const scaling = new CarbonAwareScaling("batch", { ...base, installKeda: false }, { provider, dependsOn: [keda] });
                scaling.fallbackReplicas.apply((n) => (fallback = n));
                return {};
            },
            { project: "platform", stack: "test" },
        );
        const release = resources.find((r) => r.type === "kubernetes:helm.sh/v3:Release")!;
        expect(release.parent).toBe(resources.find((r) => r.type === "platform:index:KedaInstall")!.urn);
        for (const type of ["kubernetes:keda.sh/v1alpha1:ScaledObject", "kubernetes:keda.sh/v1alpha1:TriggerAuthentication"]) {
            expect(resources.find((r) => r.type === type)!.dependencies).toContain(release.urn);
        }
        expect(fallback).toBe(2);
    });

    it("KedaInstall keeps the resources of the former platform:index:Keda type through an alias, and checks its ports", async () => {
        const { resources } = await runUnderMocks(
            () => {
                new KedaInstall("keda", {}, { provider: new k8s.Provider("k8s", { context: "kind-test" }) });
                return {};
            },
            { project: "platform", stack: "test" },
        );
        const keda = resources.find((r) => r.type === "platform:index:KedaInstall")!;
        expect((keda.options.aliasSpecs ?? []).map((a) => a.type)).toEqual(["platform:index:Keda"]);
        expect(() => new KedaInstall("keda", { egressPorts: [443, 70000] })).toThrow("KedaInstall keda: args.egressPorts[1]: 70000 is not a TCP port; allowed: whole numbers 1-65535");
    });
});
