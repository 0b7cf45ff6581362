import * as k8s from "@pulumi/kubernetes";
import { describe, expect, it } from "vitest";
import { AmbientMesh, MeshArgsError, type AmbientMeshArgs } from "../components/mesh";
import { GATEWAY_API_CRDS_URL, ISTIO_CHART_REPO, ISTIO_VERSION, OTEL_CHART_REPO, OTEL_COLLECTOR_CHART_VERSION } from "../components/mesh/versions";
import { runUnderMocks, type RecordedResource } from "../tools/plan/runtime";
import { customResourcesOf, validateCustomResource } from "./crd";

async function plan(args: AmbientMeshArgs) {
    const { resources } = await runUnderMocks(
        () => {
            const provider = new k8s.Provider("k8s", { context: "test" });
            new AmbientMesh("mesh", args, { provider });
            return {};
        },
        { project: "platform", stack: "test" },
    );
    return resources;
}

const releases = (resources: RecordedResource[]) =>
    Object.fromEntries(resources.filter((r) => r.type === "kubernetes:helm.sh/v3:Release").map((r) => [r.inputs.name as string, r]));

/** Validates every custom resource; the cluster-wide Cilium policy shares CiliumNetworkPolicy's spec schema. */
function crdErrors(resources: RecordedResource[]): string[] {
    return customResourcesOf(resources).flatMap((r) => {
        const obj = r.inputs.kind === "CiliumClusterwideNetworkPolicy" ? { ...r.inputs, kind: "CiliumNetworkPolicy" } : r.inputs;
        return validateCustomResource(obj).errors.map((e) => `${r.name}: ${e}`);
    });
}

describe("AmbientMesh charts", () => {
    it("installs base → istiod → cni → ztunnel, pinned, after the Gateway API CRDs; node agents in kube-system", async () => {
        const resources = await plan({ platform: "kubernetes" });
        const r = releases(resources);
        const crds = resources.find((x) => x.type === "kubernetes:yaml/v2:ConfigFile")!;
        expect(crds.inputs.file).toBe(GATEWAY_API_CRDS_URL);
        expect(GATEWAY_API_CRDS_URL).toMatch(/\/v1\.6\.\d+\/standard-install\.yaml$/);
        for (const [id, chart, namespace] of [
            ["istio-base", "base", "istio-system"],
            ["istiod", "istiod", "istio-system"],
            ["istio-cni", "cni", "kube-system"],
            ["ztunnel", "ztunnel", "kube-system"],
        ]) {
            expect(r[id].inputs).toMatchObject({
                chart,
                version: ISTIO_VERSION,
                repositoryOpts: { repo: ISTIO_CHART_REPO },
                namespace,
                createNamespace: false,
                skipAwait: false,
            });
            expect(r[id].provider).toContain("pulumi:providers:kubernetes");
        }
        expect(ISTIO_VERSION).toMatch(/^1\.30\.\d+$/);
        expect(r["istio-base"].dependencies).toContain(crds.urn);
        expect(r["istiod"].dependencies).toContain(r["istio-base"].urn);
        expect(r["istio-cni"].dependencies).toContain(r["istiod"].urn);
        expect(r["ztunnel"].dependencies).toContain(r["istio-cni"].urn);
        for (const id of ["istiod", "istio-cni", "ztunnel"]) expect((r[id].inputs.values as any).profile).toBe("ambient");
        expect((r["istiod"].inputs.values as any).pilot).toEqual({ autoscaleMin: 2, replicaCount: 2 });
        // istiod's CA must trust ztunnel's service account where ztunnel actually runs.
        expect((r["istiod"].inputs.values as any).trustedZtunnelNamespace).toBe(r["ztunnel"].inputs.namespace);
    });

    it("sets global.platform=gke on GKE only", async () => {
        const gke = releases(await plan({ platform: "gcp" }));
        for (const id of ["istio-base", "istiod", "istio-cni", "ztunnel"]) expect((gke[id].inputs.values as any).global).toEqual({ platform: "gke" });
        for (const platform of ["aws", "azure", "kubernetes"] as const) {
            const r = releases(await plan({ platform }));
            for (const id of ["istio-base", "istiod", "istio-cni", "ztunnel"]) expect((r[id].inputs.values as any).global).toBeUndefined();
        }
    });

    it("adds the additive Cilium kubelet-probe allowance on Cilium dataplanes (GKE DPv2, AKS, declared Cilium) only", async () => {
        const probePolicy = (rs: RecordedResource[]) => rs.find((x) => x.type === "kubernetes:cilium.io/v2:CiliumClusterwideNetworkPolicy");
        for (const platform of ["gcp", "azure"] as const) {
            const p = probePolicy(await plan({ platform }))!;
            expect(p.inputs.spec).toEqual({
                description: expect.any(String),
                endpointSelector: {},
                enableDefaultDeny: { ingress: false, egress: false },
                ingress: [{ fromCIDR: ["169.254.7.127/32"] }],
            });
        }
        expect(probePolicy(await plan({ platform: "kubernetes", kubernetesCni: "cilium" }))).toBeDefined();
        expect(probePolicy(await plan({ platform: "kubernetes" }))).toBeUndefined();
        expect(probePolicy(await plan({ platform: "aws" }))).toBeUndefined();
    });
});

describe("AmbientMesh zero trust and telemetry", () => {
    it("enforces STRICT mTLS and allow-nothing mesh-wide, and every custom resource validates against its CRD", async () => {
        const resources = await plan({ platform: "gcp", ingress: { enabled: true }, callGraph: { services: [{ name: "a", namespace: "apps" }, { name: "b", namespace: "apps" }], calls: [{ from: "a", to: "b", paths: ["/x"] }] } });
        const cr = (kind: string, name: string) => resources.find((r) => r.inputs.kind === kind && (r.inputs.metadata as any)?.name === name)!;
        expect(cr("PeerAuthentication", "default").inputs).toMatchObject({ apiVersion: "security.istio.io/v1", metadata: { namespace: "istio-system" }, spec: { mtls: { mode: "STRICT" } } });
        expect(cr("AuthorizationPolicy", "allow-nothing").inputs).toMatchObject({ metadata: { namespace: "istio-system" }, spec: {} });
        expect(cr("AuthorizationPolicy", "allow-nothing-waypoints").inputs.spec).toEqual({
            targetRefs: [{ group: "gateway.networking.k8s.io", kind: "GatewayClass", name: "istio-waypoint" }],
        });
        // The mesh policies wait for the Istio CRDs and istiod.
        const r = releases(resources);
        expect(cr("PeerAuthentication", "default").dependencies).toEqual(expect.arrayContaining([r["istio-base"].urn, r["istiod"].urn]));
        const custom = customResourcesOf(resources);
        expect(custom.length).toBeGreaterThanOrEqual(9);
        expect(crdErrors(resources)).toEqual([]);
    });

    it("puts istio-system outside the mesh with baseline PSS and default deny plus istiod's allowances", async () => {
        const resources = await plan({ platform: "aws" });
        const ns = resources.find((r) => r.type === "kubernetes:core/v1:Namespace" && (r.inputs.metadata as any).name === "istio-system")!;
        const labels = (ns.inputs.metadata as any).labels;
        expect(labels["istio.io/dataplane-mode"]).toBeUndefined();
        expect(labels["pod-security.kubernetes.io/enforce"]).toBe("baseline");
        // The mesh creates no privileged namespace: the privileged node agents run in kube-system.
        for (const r of resources.filter((x) => x.type === "kubernetes:core/v1:Namespace")) {
            expect((r.inputs.metadata as any).labels["pod-security.kubernetes.io/enforce"]).not.toBe("privileged");
        }
        const policies = resources
            .filter((r) => r.type.endsWith(":NetworkPolicy") && (r.inputs.metadata as any).namespace === "istio-system")
            .map((r) => (r.inputs.metadata as any).name)
            .sort();
        // API-server egress for istiod only (PlatformNamespace apiServerEgress; kind's facts by default).
        expect(policies).toEqual(["allow-apiserver-egress", "allow-dns", "allow-istiod-ingress", "default-deny"]);
    });

    it("sends traces to the pinned collector with the configured sampling, and logs access", async () => {
        const resources = await plan({ platform: "azure", tracing: { samplingPercent: 12.5 } });
        const r = releases(resources);
        const telemetry = resources.find((x) => x.inputs.kind === "Telemetry")!;
        expect(telemetry.inputs).toMatchObject({ apiVersion: "telemetry.istio.io/v1", metadata: { namespace: "istio-system" } });
        expect(telemetry.inputs.spec).toEqual({
            tracing: [{ providers: [{ name: "otel-tracing" }], randomSamplingPercentage: 12.5 }],
            accessLogging: [{ providers: [{ name: "envoy" }] }],
        });
        // The provider the Telemetry names is the one istiod's meshConfig defines, pointing at the collector Service.
        const providers = (r["istiod"].inputs.values as any).meshConfig.extensionProviders;
        expect(providers).toEqual([{ name: "otel-tracing", opentelemetry: { service: "otel-collector.observability.svc.cluster.local", port: 4317 } }]);
        const collector = r["otel-collector"];
        expect(collector.inputs).toMatchObject({
            chart: "opentelemetry-collector",
            version: OTEL_COLLECTOR_CHART_VERSION,
            repositoryOpts: { repo: OTEL_CHART_REPO },
            namespace: "observability",
            values: { mode: "deployment", fullnameOverride: "otel-collector" },
        });
        expect((collector.inputs.values as any).config.service.pipelines.traces.exporters).toEqual(["debug"]);
        expect(telemetry.dependencies).toContain(collector.urn);
        // The collector is an ordinary enrolled, restricted workload.
        const ns = resources.find((x) => x.type === "kubernetes:core/v1:Namespace" && (x.inputs.metadata as any).name === "observability")!;
        expect((ns.inputs.metadata as any).labels).toMatchObject({ "istio.io/dataplane-mode": "ambient", "pod-security.kubernetes.io/enforce": "restricted" });
        expect(crdErrors(resources)).toEqual([]);
    });

    it("lets exactly the waypoints and the ingress gateway send spans to the collector", async () => {
        const resources = await plan({
            platform: "gcp",
            ingress: { enabled: true },
            callGraph: { services: [{ name: "a", namespace: "apps" }, { name: "b", namespace: "shop" }], calls: [{ from: "a", to: "b", methods: ["GET"] }] },
        });
        const senders = resources.find((x) => (x.inputs.metadata as any)?.name === "allow-span-senders")!;
        expect(senders.inputs.spec).toEqual({
            action: "ALLOW",
            selector: { matchLabels: { "app.kubernetes.io/instance": "otel-collector" } },
            rules: [
                {
                    from: [{ source: { principals: ["cluster.local/ns/shop/sa/waypoint", "cluster.local/ns/istio-ingress/sa/istio-ingressgateway"] } }],
                    to: [{ operation: { ports: ["4317", "4318"] } }],
                },
            ],
        });
        expect((senders.inputs.metadata as any).namespace).toBe("observability");
        // No waypoint and no gateway: nobody sends spans, so nothing is allowed.
        const quiet = await plan({ platform: "gcp" });
        expect(quiet.find((x) => (x.inputs.metadata as any)?.name === "allow-span-senders")).toBeUndefined();
    });

    it("forwards spans to a configured backend and can turn access logging off", async () => {
        const resources = await plan({ platform: "kubernetes", tracing: { otlpEndpoint: "tempo.tracing.svc:4317" }, accessLogging: false });
        const values = releases(resources)["otel-collector"].inputs.values as any;
        expect(values.config.exporters).toEqual({ "otlp/backend": { endpoint: "tempo.tracing.svc:4317" } });
        expect(values.config.service.pipelines.traces.exporters).toEqual(["otlp/backend"]);
        expect((resources.find((x) => x.inputs.kind === "Telemetry")!.inputs.spec as any).accessLogging).toBeUndefined();
        const egress = resources.find((x) => (x.inputs.metadata as any)?.name === "allow-otlp-export")!;
        expect((egress.inputs.spec as any).egress[0].ports).toEqual([{ protocol: "TCP", port: 4317 }]);
    });
});

describe("AmbientMesh ingress", () => {
    const gatewayService = async (platform: AmbientMeshArgs["platform"], ingress: AmbientMeshArgs["ingress"]) =>
        (releases(await plan({ platform, ingress }))["istio-ingressgateway"].inputs.values as any).service;

    it("puts the gateway behind an internal load balancer by default, with each cloud's annotation", async () => {
        // EKS: an internal NLB from the cloud provider's own service controller (no AWS Load Balancer
        // Controller needed; `external` would leave the Service pending without it), and the same scheme in
        // that controller's terms should it ever take the Service over.
        expect(await gatewayService("aws", { enabled: true })).toEqual({
            type: "LoadBalancer",
            annotations: {
                "service.beta.kubernetes.io/aws-load-balancer-type": "nlb",
                "service.beta.kubernetes.io/aws-load-balancer-internal": "true",
                "service.beta.kubernetes.io/aws-load-balancer-scheme": "internal",
            },
        });
        expect(await gatewayService("azure", { enabled: true })).toEqual({
            type: "LoadBalancer",
            annotations: { "service.beta.kubernetes.io/azure-load-balancer-internal": "true" },
        });
        expect(await gatewayService("gcp", { enabled: true })).toEqual({
            type: "LoadBalancer",
            annotations: { "networking.gke.io/load-balancer-type": "Internal" },
        });
        expect(await gatewayService("kubernetes", { enabled: true })).toEqual({ type: "ClusterIP", annotations: {} });
    });

    it("exposes the gateway publicly only with a named edge exception, recorded on the Service", async () => {
        const svc = await gatewayService("gcp", { enabled: true, exposure: "public", edgeException: { name: "shop-web", reason: "public storefront, CHG-1234" } });
        expect(svc.annotations).toEqual({ "platform.io/edge-exception": "shop-web", "platform.io/edge-exception-reason": "public storefront, CHG-1234" });
        expect(svc.annotations["networking.gke.io/load-balancer-type"]).toBeUndefined();
        // On EKS the public NLB says so explicitly and carries no internal marker.
        const aws = await gatewayService("aws", { enabled: true, exposure: "public", edgeException: { name: "shop-web", reason: "public storefront, CHG-1234" } });
        expect(aws.annotations).toEqual({
            "service.beta.kubernetes.io/aws-load-balancer-type": "nlb",
            "service.beta.kubernetes.io/aws-load-balancer-scheme": "internet-facing",
            "platform.io/edge-exception": "shop-web",
            "platform.io/edge-exception-reason": "public storefront, CHG-1234",
        });
    });

    it("installs the pinned gateway chart after istiod, with HA settings and an explicit edge allow policy", async () => {
        const resources = await plan({ platform: "azure", ingress: { enabled: true } });
        const r = releases(resources);
        const gw = r["istio-ingressgateway"];
        expect(gw.inputs).toMatchObject({ chart: "gateway", version: ISTIO_VERSION, namespace: "istio-ingress", createNamespace: false, skipAwait: false });
        expect((gw.inputs.values as any).autoscaling).toEqual({ enabled: true, minReplicas: 2, maxReplicas: 5 });
        expect(gw.dependencies).toContain(r["istiod"].urn);
        const allow = resources.find((x) => (x.inputs.metadata as any)?.name === "allow-ingress-gateway")!;
        expect(allow.inputs.spec).toEqual({ action: "ALLOW", selector: { matchLabels: { istio: "ingressgateway" } }, rules: [{ to: [{ operation: { ports: ["80", "443"] } }] }] });
        expect(crdErrors(resources)).toEqual([]);
    });
});

describe("AmbientMesh bad input", () => {
    // Thrown by the constructor before any resource is registered (no Pulumi runtime needed).
    const build = (args: AmbientMeshArgs) => () => new AmbientMesh("mesh", args);

    it("refuses a public gateway without an edge exception", () => {
        expect(build({ platform: "aws", ingress: { enabled: true, exposure: "public" } })).toThrow(
            /AmbientMesh mesh: args\.ingress\.exposure: "public" needs an explicit edge exception; allowed: "internal", or "public" with AmbientMesh mesh: args\.ingress\.edgeException/,
        );
        expect(build({ platform: "aws", ingress: { enabled: true, exposure: "public", edgeException: { name: "x", reason: " " } } })).toThrow(/edgeException\.reason: " " is empty/);
        expect(build({ platform: "aws", ingress: { enabled: true, edgeException: { name: "x", reason: "y" } } })).toThrow(/edgeException: "x" is set but exposure is "internal"/);
    });

    it("refuses a platform, CNI or exposure outside the closed sets (strings in the schema), naming what is allowed", () => {
        expect(build({ platform: "openshift" })).toThrow('AmbientMesh mesh: args.platform: "openshift" is not a platform the mesh knows; allowed: "aws", "azure", "gcp", "kubernetes"');
        expect(build({ platform: "kubernetes", kubernetesCni: "calico" })).toThrow('AmbientMesh mesh: args.kubernetesCni: "calico" is not a CNI the mesh knows; allowed: "default", "cilium"');
        expect(build({ platform: "aws", ingress: { enabled: true, exposure: "private" } })).toThrow('AmbientMesh mesh: args.ingress.exposure: "private" is not an exposure; allowed: "internal", "public"');
        expect(build({ platform: "aws", network: { networkPolicyEngine: "weave", apiServer: { cidrs: [], ports: [443] } } })).toThrow(
            /AmbientMesh mesh: args\.network\.networkPolicyEngine: "weave" must be one of/,
        );
    });

    it("registers nothing when an argument is bad", async () => {
        await expect(plan({ platform: "openshift" })).rejects.toThrow(MeshArgsError);
        const { resources } = await runUnderMocks(
            () => {
                try {
                    new AmbientMesh("mesh", { platform: "gcp", tracing: { samplingPercent: 101 } });
                } catch {
                    // expected: the constructor refuses before super()
                }
                return {};
            },
            { project: "platform", stack: "test" },
        );
        expect(resources.filter((r) => r.type !== "pulumi:pulumi:Stack")).toEqual([]);
    });

    it("refuses out-of-range sampling, replicas and endpoints", () => {
        expect(build({ platform: "gcp", tracing: { samplingPercent: 150 } })).toThrow(/tracing\.samplingPercent: 150 is out of range; allowed: a number from 0 to 100/);
        expect(build({ platform: "gcp", istiodReplicas: 0 })).toThrow(/istiodReplicas: 0/);
        expect(build({ platform: "gcp", ingress: { enabled: true, minReplicas: 3, maxReplicas: 2 } })).toThrow(/maxReplicas: 2 is below minReplicas \(3\)/);
        expect(build({ platform: "gcp", tracing: { otlpEndpoint: "http://tempo" } })).toThrow(/otlpEndpoint: "http:\/\/tempo" is not host:port/);
    });

    it("refuses a call graph naming an unknown service or an impossible L7 rule", () => {
        expect(build({ platform: "gcp", callGraph: { services: [{ name: "a", namespace: "apps" }], calls: [{ from: "a", to: "b" }] } })).toThrow(
            /calls\[0\]\.to: "b" is not a declared service; allowed: "a"/,
        );
        expect(build({ platform: "gcp", callGraph: { services: [{ name: "a", namespace: "apps" }], calls: [{ from: "a", to: "b" }] } })).toThrow(
            'AmbientMesh mesh: args.callGraph.calls[0].to: "b" is not a declared service',
        );
        expect(
            build({ platform: "gcp", callGraph: { services: [{ name: "a", namespace: "apps" }, { name: "b", namespace: "istio-system" }], calls: [{ from: "a", to: "b", methods: ["GET"] }] } }),
        ).toThrow(/needs a waypoint, but none can be made in system namespace "istio-system"/);
        expect(build({ platform: "gcp", tracing: { samplingPercent: -1 } })).toThrow(MeshArgsError);
    });
});
