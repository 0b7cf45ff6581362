/**
 * The platform's NetworkPolicies against what the clusters' policy engines accept, over the planned
 * stacks: API-server egress goes to the API server only (its addresses, or Cilium's kube-apiserver
 * entity where an ipBlock cannot select it), what remains on the internet is a named egress exception
 * from config, DNS also reaches NodeLocal DNSCache where it runs (GKE), every policy passes the
 * networking/v1 validation and every Cilium policy its CRD schema; and the config errors.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { azureSubnetPlan } from "../components/network/azure";
import { planAwsSubnets } from "../components/network/aws";
import { ConfigError, parsePlatformConfig, rawPlatformConfig, type PlatformConfig } from "../stacks/config";
import { overlaps } from "../components/contracts/cidr";
import { planStack, type Plan } from "../tools/plan";
import { loadStackConfig } from "../tools/plan/stack-config";
import type { RecordedResource } from "../tools/plan/runtime";
import { validateCustomResource } from "./crd";
import { admitsTcpPort, CCNP, NETWORK_POLICY, networkPolicySpecProblems, reachesAnyAddress, targetOf } from "./network-policy";

/** dev with golden-path services that publish and subscribe: Kafka clients on every cloud's cluster. */
const KAFKA_SERVICES = {
    "platform:services": [
        { name: "shop", image: "ghcr.io/acme/shop:1.0.0", hosting: "cluster", publishes: ["orders"] },
        { name: "picker", image: "ghcr.io/acme/picker:1.0.0", hosting: "cluster", subscribes: ["orders"], calls: ["shop"] },
    ],
};
const STACKS = ["dev", "aws", "azure", "gcp", "local", "dev-kafka"] as const;
const stackFile = (stack: string) => (stack === "dev-kafka" ? "dev" : stack);
const overridesOf = (stack: string) => (stack === "dev-kafka" ? KAFKA_SERVICES : undefined);
const CILIUM_TARGETS = new Set(["azure", "gcp"]);
const API_PORTS = [443, 6443];

const plans: Record<string, Plan> = {};
const configs: Record<string, PlatformConfig> = {};
const configOf = (stack: string, overrides?: Record<string, unknown>) => parsePlatformConfig(rawPlatformConfig(loadStackConfig(stack, { overrides }).config));

beforeAll(async () => {
    for (const stack of STACKS) {
        plans[stack] = await planStack(stackFile(stack), overridesOf(stack));
        configs[stack] = configOf(stackFile(stack), overridesOf(stack));
    }
}, 300_000);

const policiesOf = (plan: Plan) => plan.resources.filter((r) => r.type === NETWORK_POLICY);
const meta = (r: RecordedResource) => r.inputs.metadata as any;
const spec = (r: RecordedResource) => r.inputs.spec as any;
const label = (stack: string, r: RecordedResource) => `${stack}/${targetOf(r.provider)}: ${meta(r).namespace ?? ""}/${meta(r).name}`;

/** The API server's addresses per target, from the config, as each cloud places them. */
function apiServerCidrs(config: PlatformConfig, target: string): string[] {
    if (target === "aws") return [...planAwsSubnets(config.network.aws.cidr, 3).node, "172.20.0.1/32", "10.100.0.1/32"];
    if (target === "azure") return [azureSubnetPlan(config.network.azure.cidr).apiServer];
    if (target === "gcp") return [config.network.gcp.cidr]; // Private Service Connect endpoint in the node subnetwork
    return config.kubernetes.network.apiServerCidrs;
}

describe("egress to the internet is a named exception", () => {
    it("no NetworkPolicy admits TCP 443 to any address except an exception configured in platform:network.egressExceptions", () => {
        let exceptionPolicies = 0;
        for (const stack of STACKS) {
            const names = new Set(configs[stack].network.egressExceptions.map((e) => e.name));
            for (const p of policiesOf(plans[stack])) {
                const open = (spec(p).egress ?? []).filter((rule: any) => admitsTcpPort(rule, 443) && reachesAnyAddress(rule));
                if (!open.length) continue;
                const exception = meta(p).annotations?.["platform.io/egress-exception"];
                expect(names.has(exception), `${label(stack, p)} opens 443 to any address without a configured exception`).toBe(true);
                expect(meta(p).name).toBe(`allow-egress-${exception}`);
                expect(meta(p).annotations["platform.io/egress-exception-reason"]).toBe(configs[stack].network.egressExceptions.find((e) => e.name === exception)!.reason);
                // "Any address" of an exception means public addresses: the private ranges are cut out.
                for (const rule of open) for (const peer of rule.to) expect(peer.ipBlock.except).toEqual(expect.arrayContaining(["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"]));
                exceptionPolicies++;
            }
        }
        // dev-kafka runs Event Hubs' Kafka clients on AKS: their Entra ID token exchange is such an exception.
        expect(exceptionPolicies).toBeGreaterThan(0);
    });

    it("no egress rule is port-only (a rule without destinations reaches every address)", () => {
        for (const stack of STACKS)
            for (const p of policiesOf(plans[stack]))
                for (const rule of spec(p).egress ?? []) expect(rule.to?.length ?? 0, `${label(stack, p)} has an egress rule without destinations`).toBeGreaterThan(0);
    });

    it("the AKS Kafka clients' Entra ID egress is its own policy, for the clients only, on 443 of public addresses", () => {
        const entra = policiesOf(plans["dev-kafka"]).filter((p) => targetOf(p.provider) === "azure" && meta(p).name === "allow-egress-entra-id");
        expect(entra.length).toBeGreaterThan(0);
        for (const p of entra) {
            expect(spec(p).podSelector.matchExpressions[0]).toMatchObject({ key: "app.kubernetes.io/name", operator: "In" });
            expect(spec(p).egress).toEqual([{ to: [{ ipBlock: { cidr: "0.0.0.0/0", except: expect.any(Array) } }], ports: [{ protocol: "TCP", port: 443 }] }]);
        }
        // The Kafka port itself stays inside the platform network.
        const kafka = policiesOf(plans["dev-kafka"]).find((p) => targetOf(p.provider) === "azure" && meta(p).name === "allow-kafka-egress")!;
        expect(spec(kafka).egress.flatMap((r: any) => r.to.map((t: any) => t.ipBlock.cidr))).toEqual([configs.dev.network.azure.cidr]);
    });

    it("a narrowed exception is used as configured (no private ranges to cut out)", async () => {
        const cfg = configs.dev;
        const narrowed = cfg.network.egressExceptions.map((e) => (e.name === "entra-id" ? { ...e, cidrs: ["20.190.128.0/18", "40.126.0.0/18"] } : e));
        const plan = await planStack("dev", { ...KAFKA_SERVICES, "platform:network": { ...loadRawNetwork("dev"), egressExceptions: narrowed } });
        const entra = policiesOf(plan).filter((p) => meta(p).name === "allow-egress-entra-id");
        expect(entra.length).toBeGreaterThan(0);
        for (const p of entra) expect(spec(p).egress[0].to).toEqual([{ ipBlock: { cidr: "20.190.128.0/18" } }, { ipBlock: { cidr: "40.126.0.0/18" } }]);
    }, 120_000);
});

/** Whether a pod with these labels is selected (matchLabels, and matchExpressions In / Exists). */
function selects(selector: any, labels: Record<string, string>): boolean {
    const byLabel = Object.entries(selector.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
    const byExpression = (selector.matchExpressions ?? []).every((e: any) =>
        e.operator === "Exists" ? k8sHas(labels, e.key) : e.operator === "In" ? e.values.includes(labels[e.key]) : false,
    );
    return byLabel && byExpression;
}
const k8sHas = (labels: Record<string, string>, key: string) => Object.prototype.hasOwnProperty.call(labels, key);

/**
 * The labels a pod of runtime-class-manager's install Job carries: the controller labels only the Job, not
 * its pod template (runtime-class-manager@v0.2.0 shim_controller.go createJobManifest), so these are the
 * ones the Job controller adds to every Job pod (kubernetes.io/docs/reference/labels-annotations-taints).
 */
const SHIM_JOB_POD_LABELS = {
    "batch.kubernetes.io/job-name": "kind-worker-spin-v2-install",
    "job-name": "kind-worker-spin-v2-install",
    "batch.kubernetes.io/controller-uid": "0b6f2f3e-7a53-4a4e-9d1e-3c2f1f6f6b1a",
    "controller-uid": "0b6f2f3e-7a53-4a4e-9d1e-3c2f1f6f6b1a",
};
/** The Serving controller's pod labels (knative/serving@knative-v1.23.0 config/core/deployments/controller.yaml). */
const SERVING_CONTROLLER_POD_LABELS = { app: "controller", "app.kubernetes.io/component": "controller", "app.kubernetes.io/name": "knative-serving" };

describe("the cluster runtimes' own internet flows are named exceptions, only where the runtime runs", () => {
    /** Policies on this provider in this namespace that let pods with these labels open `port` to public addresses. */
    const openFor = (plan: Plan, provider: string, namespace: string, labels: Record<string, string>, port: number) =>
        policiesOf(plan).filter(
            (p) =>
                p.provider === provider &&
                meta(p).namespace === namespace &&
                selects(spec(p).podSelector, labels) &&
                (spec(p).egress ?? []).some((rule: any) => admitsTcpPort(rule, port) && reachesAnyAddress(rule)),
        );

    it("SpinKube: the shim install Jobs' pods reach the Shim's download host on its port through spin-shim-download", () => {
        let clusters = 0;
        for (const stack of STACKS) {
            const shims = plans[stack].resources.filter((r) => r.type === "kubernetes:runtime.spinkube.dev/v1alpha1:Shim");
            for (const shim of shims) {
                const location = new URL((shim.inputs.spec as any).fetchStrategy.anonHttp.location);
                const port = Number(location.port || (location.protocol === "https:" ? 443 : 80));
                const open = openFor(plans[stack], shim.provider!, "runtime-class-manager", SHIM_JOB_POD_LABELS, port);
                expect(open.map((p) => meta(p).name), `${stack}/${targetOf(shim.provider)}`).toEqual(["allow-egress-spin-shim-download"]);
                const exception = configs[stack].network.egressExceptions.find((e) => e.name === "spin-shim-download")!;
                expect(exception.fqdns).toContain(location.hostname);
                clusters++;
            }
            // Nowhere without SpinKube.
            const withShim = new Set(shims.map((s) => s.provider));
            for (const p of policiesOf(plans[stack]).filter((x) => meta(x).name === "allow-egress-spin-shim-download")) expect(withShim.has(p.provider), label(stack, p)).toBe(true);
        }
        expect(clusters).toBeGreaterThanOrEqual(2);
    });

    it("Knative: the Serving controller's pods reach registries on 443 through image-registries, and no other knative-serving pod does", () => {
        let clusters = 0;
        for (const stack of STACKS) {
            const servings = plans[stack].resources.filter((r) => r.type === "kubernetes:operator.knative.dev/v1beta1:KnativeServing");
            for (const serving of servings) {
                const open = openFor(plans[stack], serving.provider!, "knative-serving", SERVING_CONTROLLER_POD_LABELS, 443);
                expect(open.map((p) => meta(p).name), `${stack}/${targetOf(serving.provider)}`).toEqual(["allow-egress-image-registries"]);
                // The activator, autoscaler, webhook and Kourier stay without internet egress.
                for (const app of ["activator", "autoscaler", "webhook", "3scale-kourier-gateway", "net-kourier-controller"])
                    expect(openFor(plans[stack], serving.provider!, "knative-serving", { app }, 443), `${stack}: ${app}`).toEqual([]);
                clusters++;
            }
            const withKnative = new Set(servings.map((s) => s.provider));
            for (const p of policiesOf(plans[stack]).filter((x) => meta(x).name === "allow-egress-image-registries")) expect(withKnative.has(p.provider), label(stack, p)).toBe(true);
        }
        // local, and dev-kafka's cluster-hosted services on the three managed clusters.
        expect(clusters).toBeGreaterThanOrEqual(4);
    });
});

function loadRawNetwork(stack: string): Record<string, unknown> {
    return JSON.parse(loadStackConfig(stack).config["platform:network"]);
}

describe("API-server egress reaches the API server only", () => {
    it("on VPC CNI and kindnet: a NetworkPolicy to exactly the API endpoint's addresses and ports", () => {
        let checked = 0;
        for (const stack of STACKS) {
            for (const p of policiesOf(plans[stack]).filter((x) => meta(x).name === "allow-apiserver-egress")) {
                const target = targetOf(p.provider)!;
                expect(CILIUM_TARGETS.has(target), `${label(stack, p)}: Cilium targets use the kube-apiserver entity`).toBe(false);
                const rule = spec(p).egress;
                expect(rule).toHaveLength(1);
                expect(rule[0].to.map((t: any) => t.ipBlock.cidr)).toEqual(apiServerCidrs(configs[stack], target));
                expect(rule[0].ports.map((x: any) => x.port)).toEqual(target === "kubernetes" ? [443, 6443] : [443]);
                checked++;
            }
        }
        expect(checked).toBeGreaterThan(0);
    });

    it("on Cilium (AKS, GKE): a cluster-wide policy to the kube-apiserver entity, for the same namespaces as elsewhere", () => {
        const apiNamespaces = (target: string, plan: Plan) => [
            ...new Set([
                ...policiesOf(plan).filter((p) => targetOf(p.provider) === target && meta(p).name === "allow-apiserver-egress").map((p) => meta(p).namespace),
                ...plan.resources
                    .filter((r) => r.type === CCNP && targetOf(r.provider) === target && meta(r).name.startsWith("allow-apiserver-egress-"))
                    .map((r) => spec(r).endpointSelector.matchLabels["k8s:io.kubernetes.pod.namespace"]),
            ]),
        ].sort();
        // The namespaces whose pods talk to the API server (operators, controllers, istiod), wherever they exist.
        const API_CLIENTS = ["istio-system", "knative-operator", "knative-serving", "keda", "kafka", "cert-manager", "runtime-class-manager", "spin-operator", "external-secrets"];
        const present = (target: string, plan: Plan) =>
            plan.resources.filter((r) => r.type === "kubernetes:core/v1:Namespace" && targetOf(r.provider) === target && API_CLIENTS.includes(meta(r).name)).map((r) => meta(r).name).sort();
        for (const [stack, target] of [["dev", "azure"], ["dev", "gcp"], ["dev-kafka", "azure"], ["dev-kafka", "gcp"], ["dev", "aws"], ["local", "kubernetes"]] as const) {
            expect(present(target, plans[stack]).length).toBeGreaterThan(0);
            expect(apiNamespaces(target, plans[stack]), `${stack}/${target}`).toEqual(present(target, plans[stack]));
        }
        for (const target of ["azure", "gcp"]) {
            for (const r of plans.dev.resources.filter((x) => x.type === CCNP && targetOf(x.provider) === target && meta(x).name.startsWith("allow-apiserver-egress-"))) {
                expect(spec(r).egress).toEqual([{ toEntities: ["kube-apiserver"], toPorts: [{ ports: [{ port: "443", protocol: "TCP" }] }] }]);
                // Additive: the namespace's NetworkPolicies keep their default deny; this adds one destination.
                expect(spec(r).enableDefaultDeny).toEqual({ ingress: false, egress: false });
            }
        }
    });

    it("on Cilium targets no ipBlock selects the API server's or nodes' addresses on the API ports, nor any ingress source but the probe SNAT address", () => {
        for (const stack of STACKS) {
            for (const p of policiesOf(plans[stack])) {
                const target = targetOf(p.provider)!;
                if (!CILIUM_TARGETS.has(target)) continue;
                const forbidden = apiServerCidrs(configs[stack], target);
                for (const rule of spec(p).egress ?? []) {
                    if (!API_PORTS.some((port) => admitsTcpPort(rule, port))) continue;
                    for (const peer of rule.to ?? []) {
                        if (!peer.ipBlock) continue;
                        // A public-only exception (0.0.0.0/0 minus private ranges) never covers them.
                        const covers = (c: string) => overlaps(peer.ipBlock.cidr, c) && !(peer.ipBlock.except ?? []).some((x: string) => overlaps(x, c));
                        expect(forbidden.filter(covers), `${label(stack, p)} names API-server addresses by ipBlock`).toEqual([]);
                    }
                }
                for (const rule of spec(p).ingress ?? [])
                    for (const peer of rule.from ?? []) if (peer.ipBlock) expect(peer.ipBlock.cidr, label(stack, p)).toBe("169.254.7.127/32");
            }
        }
    });

    it("webhook and load-balancer ingress is by port, so the API server and nodes reach it on every engine", () => {
        for (const stack of STACKS) {
            const istiod = policiesOf(plans[stack]).filter((p) => meta(p).name === "allow-istiod-ingress");
            expect(istiod.length).toBeGreaterThan(0);
            for (const p of istiod) expect(spec(p).ingress).toContainEqual({ ports: [{ protocol: "TCP", port: 15017 }, { protocol: "TCP", port: 8080 }] });
        }
        const gateway = policiesOf(plans.dev).filter((p) => meta(p).name === "allow-gateway-ingress");
        expect(gateway.length).toBeGreaterThan(0);
        for (const p of gateway) expect(spec(p).ingress).toEqual([{ ports: [80, 443, 15021].map((port) => ({ protocol: "TCP", port })) }]);
    });
});

describe("DNS", () => {
    it("every namespace reaches kube-dns pods on 53/UDP+TCP, and on GKE also NodeLocal DNSCache (169.254.20.10 and its pods)", () => {
        let gke = 0;
        for (const stack of STACKS) {
            for (const p of policiesOf(plans[stack]).filter((x) => meta(x).name === "allow-dns")) {
                const [rule] = spec(p).egress;
                expect(rule.ports).toEqual([{ protocol: "UDP", port: 53 }, { protocol: "TCP", port: 53 }]);
                const kubeSystem = { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } } };
                expect(rule.to).toContainEqual({ ...kubeSystem, podSelector: { matchLabels: { "k8s-app": "kube-dns" } } });
                const nodeLocal = [{ ...kubeSystem, podSelector: { matchLabels: { "k8s-app": "node-local-dns" } } }, { ipBlock: { cidr: "169.254.20.10/32" } }];
                if (targetOf(p.provider) === "gcp") {
                    expect(rule.to, label(stack, p)).toEqual(expect.arrayContaining(nodeLocal));
                    gke++;
                } else {
                    expect(rule.to, label(stack, p)).toHaveLength(1);
                }
            }
        }
        expect(gke).toBeGreaterThan(0);
    });
});

describe("schemas", () => {
    it("every NetworkPolicy passes networking/v1 validation and every Cilium policy its CRD schema", () => {
        for (const stack of STACKS) {
            for (const p of policiesOf(plans[stack])) expect(networkPolicySpecProblems(spec(p)), label(stack, p)).toEqual([]);
            for (const r of plans[stack].resources.filter((x) => x.type === CCNP)) {
                // CiliumClusterwideNetworkPolicy shares CiliumNetworkPolicy's spec schema.
                expect(validateCustomResource({ ...(r.inputs as any), kind: "CiliumNetworkPolicy" }).errors, label(stack, r)).toEqual([]);
            }
        }
    });

    it("the validator itself refuses what the API server refuses", () => {
        expect(networkPolicySpecProblems({ podSelector: {}, egress: [{ to: [{ ipBlock: { cidr: "10.0.0.0/8", except: ["10.0.0.0/8"] } }] }] })).toHaveLength(1);
        expect(networkPolicySpecProblems({ podSelector: {}, egress: [{ to: [{ ipBlock: { cidr: "0.0.0.0/0" }, podSelector: {} }] }] })).toHaveLength(1);
        expect(networkPolicySpecProblems({ podSelector: {}, ingress: [{ ports: [{ protocol: "ICMP", port: 0 }] }] })).toHaveLength(2);
        expect(networkPolicySpecProblems({ podSelector: {}, policyTypes: ["Ingress"] })).toEqual([]);
    });
});

describe("the kubernetes target's engine from config", () => {
    it("with Cilium declared, API-server egress uses the kube-apiserver entity and no ipBlock", async () => {
        const plan = await planStack("local", {
            "platform:kubernetes": { network: { engine: "cilium", apiServerPorts: [6443] } },
            "platform:mesh": { ...JSON.parse(loadStackConfig("local").config["platform:mesh"]), kubernetesCni: "cilium" },
        });
        expect(policiesOf(plan).filter((p) => meta(p).name === "allow-apiserver-egress")).toEqual([]);
        const ccnps = plan.resources.filter((r) => r.type === CCNP && meta(r).name.startsWith("allow-apiserver-egress-"));
        expect(ccnps.length).toBeGreaterThan(0);
        for (const r of ccnps) expect(spec(r).egress[0].toPorts).toEqual([{ ports: [{ port: "6443", protocol: "TCP" }] }]);
    }, 120_000);
});

describe("config errors (before anything is registered)", () => {
    const problemsOf = (stack: string, overrides: Record<string, unknown>) => {
        try {
            configOf(stack, overrides);
            return [];
        } catch (e) {
            if (!(e instanceof ConfigError)) throw e;
            return e.problems;
        }
    };

    it("refuses to drop the exception a flow needs", () => {
        const problems = problemsOf("dev", { ...KAFKA_SERVICES, "platform:network": { ...loadRawNetwork("dev"), egressExceptions: [] } });
        // The services are cluster-hosted containers: Knative on every cluster, so image-registries too.
        expect(problems).toEqual([
            expect.stringMatching(/^platform:network\.egressExceptions: no "entra-id" exception, but Event Hubs' Kafka clients on AKS .* allowed: keep the default/),
            expect.stringMatching(/^platform:network\.egressExceptions: no "image-registries" exception, but Knative .* allowed: keep the default/),
            expect.stringMatching(/^platform:network\.egressExceptions: no "secret-stores" exception, but External Secrets Operator on aws, azure, gcp .* allowed: keep the default/),
        ]);
    });

    it("refuses to drop spin-shim-download where a wasm service runs on SpinKube, and image-registries where one runs on Knative", () => {
        const without = (stack: string, name: string) => ({
            "platform:network": { ...loadRawNetwork(stack), egressExceptions: configs[stack].network.egressExceptions.filter((e) => e.name !== name) },
        });
        // local: hello-wasm on SpinKube, hello-api on Knative.
        expect(problemsOf("local", without("local", "spin-shim-download"))).toEqual([
            expect.stringMatching(/^platform:network\.egressExceptions: no "spin-shim-download" exception, but SpinKube .*runtime-class-manager downloads the Spin shim/),
        ]);
        expect(problemsOf("local", without("local", "image-registries"))).toEqual([
            expect.stringMatching(/^platform:network\.egressExceptions: no "image-registries" exception, but Knative .*resolves image tags to digests/),
        ]);
        // aws: no cluster-hosted service, so neither is needed; only External Secrets Operator's secret-stores is.
        expect(problemsOf("aws", { "platform:network": { ...loadRawNetwork("aws"), egressExceptions: [] } })).toEqual([
            expect.stringMatching(/^platform:network\.egressExceptions: no "secret-stores" exception, but External Secrets Operator on aws /),
        ]);
        expect(problemsOf("aws", { "platform:network": { ...loadRawNetwork("aws"), egressExceptions: [] }, "platform:secrets": { operator: { enabled: false } } })).toEqual([]);
    });

    it("refuses an exception that names no platform flow, or has no reason", () => {
        const problems = problemsOf("dev", {
            "platform:network": { ...loadRawNetwork("dev"), egressExceptions: [{ name: "anything", cidrs: ["0.0.0.0/0"], reason: "x" }] },
        });
        expect(problems.join("\n")).toMatch(/platform:network\.egressExceptions\[0\]\.name: "anything" must be one of "entra-id", "keda-scalers", "spin-shim-download", "image-registries"/);
        expect(problems.join("\n")).toMatch(/platform:network\.egressExceptions\[0\]\.reason: "x" must say why/);
    });

    it("refuses a kubernetes target whose policy engine disagrees with the mesh's CNI", () => {
        const problems = problemsOf("local", { "platform:kubernetes": { network: { engine: "cilium" } } });
        expect(problems).toEqual([expect.stringMatching(/^platform:kubernetes\.network\.engine: "cilium" disagrees with platform:mesh\.kubernetesCni "default"/)]);
    });
});
