import { beforeAll, describe, expect, it } from "vitest";
import { ConfigError, parsePlatformConfig } from "../stacks/config";
import { callCycles, GRAPH_NAMESPACES } from "../stacks/config/service-graph";
import { SERVERLESS_NAMESPACE, WASM_NAMESPACE } from "../stacks/serverless";
import { planStack, type Plan, type RecordedResource } from "../tools/plan";
import { customResourcesOf, validateCustomResource } from "./crd";

const principal = (ns: string, sa: string) => `cluster.local/ns/${ns}/sa/${sa}`;
const kindOf = (r: RecordedResource) => (r.inputs as any).kind as string | undefined;
const policies = (plan: Plan) => plan.resources.filter((r) => kindOf(r) === "AuthorizationPolicy");
const hostsOf = (r: RecordedResource): string[] => ((r.inputs as any).spec.rules ?? []).flatMap((rule: any) => (rule.to ?? []).flatMap((t: any) => t.operation.hosts ?? []));
const principalsOf = (r: RecordedResource): string[] => ((r.inputs as any).spec.rules ?? []).flatMap((rule: any) => (rule.from ?? []).flatMap((f: any) => f.source.principals ?? []));
const named = (plan: Plan, name: string) => {
    const found = plan.resources.filter((r) => r.name === name);
    expect(found.map((r) => r.name), name).toEqual([name]);
    return found[0];
};

/**
 * web → api → (publishes orders) ; api → web (a cycle) ; worker (wasm) subscribes orders ; audit is
 * declared but nobody calls it and it calls nobody ; ledger calls worker.
 */
const GRAPH = [
    { name: "web", image: "ghcr.io/acme/web:1.0.0", calls: ["api"] },
    { name: "api", image: "ghcr.io/acme/api:1.0.0", calls: ["web"], publishes: ["orders"] },
    { name: "worker", runtime: "wasm", image: "ghcr.io/acme/worker:1.0.0", cpu: 0.1, memory: 128, subscribes: ["orders"] },
    { name: "ledger", image: "ghcr.io/acme/ledger:1.0.0", calls: ["worker"], subscribes: ["orders"] },
    { name: "audit", image: "ghcr.io/acme/audit:1.0.0" },
];

describe("golden path on the kubernetes target (Knative, SpinKube, Strimzi)", () => {
    let plan: Plan;
    beforeAll(async () => {
        plan = await planStack("local", { "platform:services": GRAPH });
    }, 120_000);

    it("each callee admits exactly its declared callers, by workload identity", () => {
        // Knative services are reached through kourier-internal behind the Kourier waypoint: the callee's
        // caller policy is bound there and admits its callers for the callee's own hosts only.
        const apiCallers = named(plan, "plt-local-kubernetes-api-callers");
        expect(principalsOf(apiCallers)).toEqual([principal("serverless", "web")]);
        expect((apiCallers.inputs as any).spec.action).toBe("ALLOW");
        expect((apiCallers.inputs as any).metadata.namespace).toBe("knative-serving");
        expect((apiCallers.inputs as any).spec.targetRefs).toEqual([{ kind: "Service", group: "", name: "kourier-internal" }]);
        expect(hostsOf(apiCallers)).toEqual(["api.serverless.svc.cluster.local", "api.serverless.svc.cluster.local:*", "api.serverless.svc", "api.serverless.svc:*", "api.serverless", "api.serverless:*"]);
        const webCallers = named(plan, "plt-local-kubernetes-web-callers");
        expect(principalsOf(webCallers)).toEqual([principal("serverless", "api")]);
        expect(hostsOf(webCallers).every((h) => h.startsWith("web.serverless"))).toBe(true);
        // A wasm service is called directly: the policy selects its pods, on the Spin port.
        const workerCallers = named(plan, "plt-local-kubernetes-worker-callers");
        expect(principalsOf(workerCallers)).toEqual([principal("serverless", "ledger")]);
        expect((workerCallers.inputs as any).spec.selector.matchLabels).toEqual({ "app.kubernetes.io/name": "worker" });
        expect((workerCallers.inputs as any).metadata.namespace).toBe("wasm");
    });

    it("undeclared calls stay denied: no ALLOW names a caller the graph does not declare", () => {
        // Services nobody calls get no caller policy at all (the allow-nothing default applies).
        for (const s of ["ledger", "audit"]) expect(plan.resources.some((r) => r.name === `plt-local-kubernetes-${s}-callers`)).toBe(false);
        const serviceIdentities = new Set(GRAPH.map((s) => principal(s.runtime === "wasm" ? "wasm" : "serverless", s.name)));
        // Every service identity admitted anywhere is admitted by a caller policy of a service it declared,
        // or by the Kafka listener policy (it is a declared Kafka client).
        const declared = new Map<string, Set<string>>([
            ["plt-local-kubernetes-api-callers", new Set([principal("serverless", "web")])],
            ["plt-local-kubernetes-web-callers", new Set([principal("serverless", "api")])],
            ["plt-local-kubernetes-worker-callers", new Set([principal("serverless", "ledger")])],
            ["plt-local-k8s-kafka-clients", new Set([principal("serverless", "api"), principal("wasm", "worker"), principal("serverless", "ledger")])],
            // Not a service: the mesh's OpenTelemetry collector admits every service's own spans.
            ["plt-local-kubernetes-service-spans", serviceIdentities],
        ]);
        for (const p of policies(plan)) {
            const admitted = principalsOf(p).filter((x) => serviceIdentities.has(x));
            if (admitted.length === 0) continue;
            expect(declared.has(p.name), `${p.name} admits ${admitted.join(", ")}`).toBe(true);
            expect(new Set(admitted)).toEqual(declared.get(p.name));
        }
        // No ALLOW in the services' namespaces (or at the Kourier waypoint) admits by anything but a named
        // workload identity: no rule without a source, no namespace-wide or wildcard source.
        let rulesChecked = 0;
        for (const p of policies(plan)) {
            const spec = (p.rawInputs as any).spec;
            const ns = (p.rawInputs as any).metadata.namespace;
            if (spec.action !== "ALLOW" || !["serverless", "wasm", "knative-serving"].includes(ns) || !spec.rules) continue;
            for (const rule of spec.rules) {
                rulesChecked++;
                expect(rule.from?.length, `${p.name}: a rule without a source admits everyone`).toBeGreaterThan(0);
                for (const f of rule.from) {
                    expect(Object.keys(f.source), p.name).toEqual(["principals"]);
                    expect(f.source.principals.every((x: string) => /^cluster\.local\/ns\/[a-z0-9-]+\/sa\/[a-z0-9-]+$/.test(x)), p.name).toBe(true);
                }
            }
        }
        expect(rulesChecked).toBeGreaterThan(10); // the data-path, metrics and caller policies of every service
        // audit appears in no ALLOW rule but the collector's.
        expect(policies(plan).filter((p) => p.name !== "plt-local-kubernetes-service-spans").flatMap(principalsOf)).not.toContain(principal("serverless", "audit"));
        // Through the shared Kourier gateway: web (declared caller of api) is admitted for api's hosts and
        // nothing else, so it cannot reach ledger or audit (Knative services it did not declare) by Host.
        const forWeb = policies(plan).filter((p) => p.name !== "plt-local-kubernetes-service-spans" && principalsOf(p).includes(principal("serverless", "web")));
        expect(forWeb.map((p) => p.name)).toEqual(["plt-local-kubernetes-api-callers"]);
        expect(forWeb.flatMap(hostsOf).some((h) => /^(ledger|audit|web)\./.test(h))).toBe(false);
        // Hosts of services nobody calls appear in no rule: the waypoint's allow-nothing denies them.
        expect(policies(plan).flatMap(hostsOf).filter((h) => /^(ledger|audit)\./.test(h))).toEqual([]);
        // Every rule at the waypoint carries a host match (none admits a caller for every service).
        const atKourier = policies(plan).filter((p) => ((p.inputs as any).spec.targetRefs ?? []).some((t: any) => t.name === "kourier-internal"));
        expect(atKourier.length).toBeGreaterThan(0);
        for (const p of atKourier) for (const rule of (p.inputs as any).spec.rules) expect(rule.to?.[0]?.operation?.hosts?.length, p.name).toBeGreaterThan(0);
    });

    it("Strimzi: a publisher may only write its topics and a subscriber only read them (KafkaUser ACLs)", () => {
        const acls = (name: string) => (named(plan, `plt-local-k8s-user-${name}`).inputs as any).spec.authorization.acls as any[];
        const topicOps = (name: string) => acls(name).filter((a) => a.resource.type === "topic").map((a) => [a.resource.name, a.operations]);
        expect(topicOps("api")).toEqual([["orders", ["Write", "Describe"]]]);
        expect(topicOps("worker")).toEqual([["orders", ["Read", "Describe"]]]);
        expect(topicOps("ledger")).toEqual([["orders", ["Read", "Describe"]]]);
        // Only subscribers own consumer groups (prefixed with their name).
        expect(acls("api").some((a) => a.resource.type === "group")).toBe(false);
        expect(acls("worker").filter((a) => a.resource.type === "group")).toEqual([{ resource: { type: "group", name: "worker", patternType: "prefix" }, operations: ["Read", "Describe"] }]);
        // Services outside Kafka get no KafkaUser.
        for (const s of ["web", "audit"]) expect(plan.resources.some((r) => r.name === `plt-local-k8s-user-${s}`)).toBe(false);
        // The KafkaUsers are bound to the services' namespaces.
        expect((named(plan, "plt-local-k8s-user-worker").inputs as any).metadata.labels["platform/client-namespace"]).toBe("wasm");
    });

    it("topics keep the producers/consumers declared on the topic and add the services'", () => {
        const graph = plan.outputs.serviceGraph as any;
        // Pulumi.local.yaml declares checkout → orders → fulfilment; the services add theirs.
        expect(graph.topics.orders).toEqual({ producers: ["api"], consumers: ["worker", "ledger"] });
        const fulfilment = (named(plan, "plt-local-k8s-user-fulfilment").inputs as any).spec.authorization.acls;
        expect(fulfilment.find((a: any) => a.resource.type === "topic")).toEqual({ resource: { type: "topic", name: "orders", patternType: "literal" }, operations: ["Read", "Describe"] });
    });

    it("telemetry goes through the mesh: the services' namespaces are ambient, no pod opts out, and the mesh-wide Telemetry traces and logs", () => {
        for (const ns of ["serverless", "wasm"]) {
            const namespace = plan.resources.find((r) => r.type === "kubernetes:core/v1:Namespace" && (r.rawInputs as any).metadata.name === ns)!;
            expect((namespace.rawInputs as any).metadata.labels["istio.io/dataplane-mode"], ns).toBe("ambient");
        }
        for (const r of plan.resources.filter((x) => x.type === "kubernetes:serving.knative.dev/v1:Service" || x.type === "kubernetes:core.spinkube.dev/v1alpha1:SpinApp")) {
            const podLabels = (r.rawInputs as any).spec.template?.metadata?.labels ?? (r.rawInputs as any).spec.podLabels ?? {};
            expect(podLabels["istio.io/dataplane-mode"], r.name).toBeUndefined();
        }
        const telemetry = plan.resources.find((r) => r.type === "kubernetes:telemetry.istio.io/v1:Telemetry")!.rawInputs as any;
        expect(telemetry.metadata).toMatchObject({ name: "mesh-default", namespace: "istio-system" });
        expect(telemetry.spec.tracing[0].providers).toEqual([{ name: expect.any(String) }]);
        expect(telemetry.spec.accessLogging).toEqual([{ providers: [{ name: "envoy" }] }]);
        // The services may export their own spans: the collector (allow-nothing by default) admits exactly them.
        const spans = named(plan, "plt-local-kubernetes-service-spans").rawInputs as any;
        expect(spans.metadata).toMatchObject({ name: "allow-service-spans", namespace: "observability" });
        expect(spans.spec.rules).toHaveLength(1);
        expect([...spans.spec.rules[0].from[0].source.principals].sort()).toEqual(
            GRAPH.map((svc) => principal(svc.runtime === "wasm" ? "wasm" : "serverless", svc.name)).sort(),
        );
        expect(spans.spec.rules[0].to[0].operation.ports).toEqual(["4317", "4318"]);
    });

    it("a Kafka client service is told where its topics are and how to connect (Kafka client settings); others are not", () => {
        const env = (svc: string) =>
            Object.fromEntries(((named(plan, `plt-local-kubernetes-${svc}-ksvc`).rawInputs as any).spec.template.spec.containers[0].env as { name: string; value: string }[]).map((e) => [e.name, e.value]));
        const kafka = (plan.outputs.kafka as any).kubernetes;
        expect(env("ledger")).toMatchObject({
            KAFKA_BOOTSTRAP_SERVERS: kafka.bootstrapServers,
            KAFKA_SECURITY_PROTOCOL: "SASL_PLAINTEXT",
            KAFKA_SASL_MECHANISM: "SCRAM-SHA-512",
            KAFKA_CONSUME_TOPICS: "orders",
            KAFKA_GROUP_PREFIX: "ledger",
        });
        expect(env("ledger")).not.toHaveProperty("KAFKA_PRODUCE_TOPICS");
        expect(env("api")).toMatchObject({ KAFKA_PRODUCE_TOPICS: "orders" });
        expect(env("api")).not.toHaveProperty("KAFKA_GROUP_PREFIX");
        expect(Object.keys(env("audit")).filter((k) => k.startsWith("KAFKA_"))).toEqual([]);
        expect(kafka.bootstrapServers).toMatch(/:9092$/);
    });

    it("every Strimzi client service reads its SCRAM credential by secretKeyRef from a Secret in its own namespace, never a literal", () => {
        // External Secrets Operator makes each client's credential Secret (its ExternalSecret's target).
        const secrets = plan.resources.filter((r) => r.type === "kubernetes:external-secrets.io/v1:ExternalSecret");
        const users = plan.resources.filter((r) => r.type === "kubernetes:kafka.strimzi.io/v1:KafkaUser").map((u) => (u.rawInputs as any).metadata.name as string);
        const workloads = plan.resources.filter((r) => r.type === "kubernetes:serving.knative.dev/v1:Service" || r.type === "kubernetes:core.spinkube.dev/v1alpha1:SpinApp");
        let clients = 0;
        for (const w of workloads) {
            const spec = (w.rawInputs as any).spec;
            const name = (w.rawInputs as any).metadata.name as string;
            const namespace = (w.rawInputs as any).metadata.namespace as string;
            // Knative: container env; SpinApp: variables (lowercased names, Spin's variable rules).
            const env: { name: string; value?: string; valueFrom?: any }[] = spec.template?.spec.containers[0].env ?? spec.variables ?? [];
            const byName = (n: string) => env.find((e) => e.name.toUpperCase() === n);
            // valueFrom.secretKeyRef is in the Knative Service and SpinApp schemas.
            expect(validateCustomResource(w.rawInputs as any).errors, name).toEqual([]);
            if (!users.includes(name)) {
                expect(env.filter((e) => /^KAFKA_SASL/i.test(e.name)), name).toEqual([]);
                continue;
            }
            clients++;
            for (const [variable, key] of [["KAFKA_SASL_USERNAME", "username"], ["KAFKA_SASL_PASSWORD", "password"]] as const) {
                const entry = byName(variable);
                expect(entry?.value, `${name} ${variable}`).toBeUndefined();
                const ref = entry?.valueFrom?.secretKeyRef;
                expect(ref, `${name} ${variable}`).toEqual({ name: `kafka-${name}-credentials`, key });
                // An ExternalSecret in the workload's own namespace makes that Secret with that key (ordering: serverless-stack.test.ts).
                const secret = secrets.find((s) => (s.rawInputs as any).metadata.namespace === namespace && (s.rawInputs as any).spec.target.name === ref.name);
                expect(secret, `${namespace}/${ref.name}`).toBeDefined();
                expect(Object.keys((secret!.rawInputs as any).spec.target.template.data)).toContain(key);
            }
        }
        expect(clients).toBe(3); // api, worker (SpinApp) and ledger
    });

    it("a container consumer keeps one replica (Knative scales on HTTP only); the other services scale to zero", () => {
        const minScale = (svc: string) => (named(plan, `plt-local-kubernetes-${svc}-ksvc`).rawInputs as any).spec.template.metadata.annotations["autoscaling.knative.dev/min-scale"];
        expect(minScale("ledger")).toBe("1");
        expect(minScale("api")).toBe("0");
    });

    it("reports the call cycle and the counts in the serviceGraph output", () => {
        const graph = plan.outputs.serviceGraph as any;
        expect(graph).toMatchObject({ services: 5, calls: 3, publishes: 1, subscribes: 2, cycles: [["api", "web"]] });
        expect(graph.telemetry).toMatch(/ambient mesh/);
    });

    it("the Kourier waypoint exists with allow-nothing, and the gateway pods admit only the waypoint on the caller listener", () => {
        const waypoint = named(plan, "plt-local-kubernetes-knative-kourier-waypoint");
        expect((waypoint.inputs as any).spec.gatewayClassName).toBe("istio-waypoint");
        expect((waypoint.inputs as any).metadata).toMatchObject({ name: "waypoint", namespace: "knative-serving" });
        const allowNothing = named(plan, "plt-local-kubernetes-knative-kourier-waypoint-allow-nothing");
        expect((allowNothing.inputs as any).spec).toEqual({ action: "ALLOW", targetRefs: [{ group: "gateway.networking.k8s.io", kind: "Gateway", name: "waypoint" }] });
        const toGateway = policies(plan).filter((p) => (p.inputs as any).spec.selector?.matchLabels?.app === "3scale-kourier-gateway");
        const on8081 = toGateway.filter((p) => (p.inputs as any).spec.rules[0].to[0].operation.ports.includes("8081")).flatMap(principalsOf).sort();
        expect(on8081).toEqual([principal("knative-serving", "net-kourier"), principal("knative-serving", "waypoint")]);
    });

    it("every custom resource the graph adds is valid against its CRD", () => {
        for (const r of customResourcesOf(plan.resources).filter((r) => /-(callers|user-.*|kourier-waypoint.*)$/.test(r.name))) {
            expect(validateCustomResource(r.inputs).errors, r.name).toEqual([]);
        }
    });
});

describe("golden path on the clouds: Kafka permissions per managed backend", () => {
    let plan: Plan;
    beforeAll(async () => {
        plan = await planStack("dev", {
            "platform:services": [
                { name: "shop", image: "ghcr.io/acme/shop:1.0.0", hosting: "cluster", publishes: ["orders"] },
                { name: "picker", image: "ghcr.io/acme/picker:1.0.0", hosting: "cluster", subscribes: ["orders"], calls: ["shop"] },
            ],
        });
    }, 180_000);

    const policyOf = (name: string) => JSON.parse((plan.resources.find((r) => r.type === "aws:iam/rolePolicy:RolePolicy" && r.name === name)!.inputs as any).policy);

    it("MSK: the publisher's IAM policy writes only its topic; the subscriber's only reads", () => {
        const shop = policyOf("plt-dev-aws-kafka-shop");
        const actions = (p: any) => p.Statement.flatMap((s: any) => s.Action);
        expect(actions(shop)).toContain("kafka-cluster:WriteData");
        expect(actions(shop)).not.toContain("kafka-cluster:ReadData");
        expect(shop.Statement.find((s: any) => s.Sid === "Produce").Resource).toEqual([expect.stringMatching(/:topic\/.*\/orders$/)]);
        const picker = policyOf("plt-dev-aws-kafka-picker");
        expect(actions(picker)).toContain("kafka-cluster:ReadData");
        expect(actions(picker)).not.toContain("kafka-cluster:WriteData");
        // Bound to the service's own service account through EKS Pod Identity.
        const assoc = plan.resources.find((r) => r.type === "aws:eks/podIdentityAssociation:PodIdentityAssociation" && r.name === "plt-dev-aws-kafka-picker")!;
        expect(assoc.inputs).toMatchObject({ namespace: "serverless", serviceAccount: "picker" });
    });

    it("Event Hubs: sender role for the publisher, receiver role for the subscriber, each on the one hub", () => {
        const assignments = plan.resources.filter((r) => r.type === "azure-native:authorization:RoleAssignment" && /-kafka-(shop|picker)-/.test(r.name)).map((r) => r.name).sort();
        expect(assignments).toEqual(["plt-dev-az-kafka-picker-receiver-orders", "plt-dev-az-kafka-shop-sender-orders"]);
        const fic = plan.resources.find((r) => r.type.endsWith("FederatedIdentityCredential") && r.name === "plt-dev-az-kafka-picker")!;
        expect((fic.inputs as any).subject).toBe("system:serviceaccount:serverless:picker");
    });

    it("Managed Kafka (GCP): topic ACL gives the publisher WRITE and the subscriber READ, by service account", () => {
        const acl = plan.resources.find((r) => r.type === "gcp:managedkafka/acl:Acl" && r.name.endsWith("-acl-topic-orders"))!;
        const entries = (acl.inputs as any).aclEntries as { principal: string; operation: string }[];
        const ops = (who: string) => entries.filter((e) => e.principal.includes(who)).map((e) => e.operation).sort();
        expect(ops("shop")).toEqual(["DESCRIBE", "WRITE"]);
        expect(ops("picker")).toEqual(["DESCRIBE", "READ"]);
        const wi = plan.resources.find((r) => r.type === "gcp:serviceaccount/iAMMember:IAMMember" && r.name.endsWith("-kafka-picker-wi"))!;
        expect((wi.inputs as any).member).toMatch(/\[serverless\/picker\]$/);
    });

    it("each service's Kubernetes service account carries its cloud identity (workload identity), per cluster", () => {
        const account = (target: string, service: string) =>
            plan.resources.find((r) => r.type === "kubernetes:core/v1:ServiceAccount" && r.name === `plt-dev-${target}-${service}-sa`)!.rawInputs as any;
        const ksvc = (target: string, service: string) =>
            plan.resources.find((r) => r.type === "kubernetes:serving.knative.dev/v1:Service" && r.name === `plt-dev-${target}-${service}-ksvc`)!.rawInputs as any;
        const identity = (type: string, name: string) => plan.resources.find((r) => r.type === type && r.name === name)!;
        for (const service of ["shop", "picker"]) {
            // AKS: the managed identity's client id on the account, and the pods labelled to use it.
            expect(account("azure", service).metadata.annotations).toEqual({ "azure.workload.identity/client-id": expect.any(String) });
            expect(ksvc("azure", service).spec.template.metadata.labels).toMatchObject({ "azure.workload.identity/use": "true" });
            expect(identity("azure-native:managedidentity:UserAssignedIdentity", `plt-dev-az-kafka-${service}`)).toBeDefined();
            // GKE: the Google service account's email on the account (the one the Managed Kafka ACLs name).
            const email = account("gcp", service).metadata.annotations["iam.gke.io/gcp-service-account"];
            expect(email).toMatch(new RegExp(`@${"platform-dev-123456"}\\.iam\\.gserviceaccount\\.com$`));
            const acl = plan.resources.find((r) => r.type === "gcp:managedkafka/acl:Acl" && r.name.endsWith("-acl-topic-orders"))!;
            expect(((acl.rawInputs as any).aclEntries as { principal: string }[]).map((e) => e.principal)).toContain(`User:${email}`);
            expect(ksvc("gcp", service).spec.template.metadata.labels).not.toHaveProperty("azure.workload.identity/use");
            // EKS Pod Identity binds by namespace and account name: nothing on the account.
            expect(account("aws", service).metadata.annotations).toBeUndefined();
        }
    });

    it("only the Kafka clients of a services namespace may reach the managed backend's port in the platform network, and their credential endpoint", () => {
        const egress = (target: string) =>
            plan.resources.find((r) => r.type === "kubernetes:networking.k8s.io/v1:NetworkPolicy" && r.name === `plt-dev-${target}-serverless-ns-allow-kafka-egress`)?.rawInputs as any;
        const rule = (cidr: string, port: number, except?: string[]) => ({ to: [{ ipBlock: { cidr, ...(except ? { except } : {}) } }], ports: [{ protocol: "TCP", port }] });
        const credentials: Record<string, object[]> = {
            aws: [rule("169.254.170.23/32", 80)], // EKS Pod Identity Agent
            gcp: [rule("169.254.169.254/32", 80), rule("169.254.169.252/32", 988)], // GKE metadata server
            // Entra ID token exchange: the named egress exception entra-id, in its own policy (tests/network-policy.test.ts).
            azure: [],
        };
        for (const [target, cidr, port] of [
            ["aws", "10.10.0.0/16", 9098],
            ["azure", "10.20.0.0/16", 9093],
            ["gcp", "10.30.0.0/20", 9092],
        ] as const) {
            const policy = egress(target);
            expect(policy, target).toBeDefined();
            expect(policy.metadata.namespace).toBe("serverless");
            expect(policy.spec.podSelector).toEqual({ matchExpressions: [{ key: "app.kubernetes.io/name", operator: "In", values: ["shop", "picker"] }] });
            expect(policy.spec.egress).toEqual([rule(cidr, port), ...credentials[target]]);
        }
    });

    it("each cloud's services get that backend's security.protocol and sasl.mechanism, and no SASL secret (workload identity)", () => {
        const env = (target: string, service: string) =>
            Object.fromEntries(
                ((plan.resources.find((r) => r.type === "kubernetes:serving.knative.dev/v1:Service" && r.name === `plt-dev-${target}-${service}-ksvc`)!.rawInputs as any).spec.template.spec.containers[0].env as {
                    name: string;
                    value?: string;
                }[]).map((e) => [e.name, e.value]),
            );
        const expected: Record<string, [string, string, RegExp]> = {
            aws: ["SASL_SSL", "AWS_MSK_IAM", /:9098/], // MSK IAM
            azure: ["SASL_SSL", "OAUTHBEARER", /\.servicebus\.windows\.net:9093$/], // Event Hubs, Entra token
            gcp: ["SASL_SSL", "OAUTHBEARER", /\.managedkafka\..*:9092$/], // Google Managed Kafka, Google token
        };
        for (const [target, [protocol, mechanism, bootstrap]] of Object.entries(expected)) {
            for (const service of ["shop", "picker"]) {
                const e = env(target, service);
                expect(e, `${target}/${service}`).toMatchObject({ KAFKA_SECURITY_PROTOCOL: protocol, KAFKA_SASL_MECHANISM: mechanism });
                expect(e.KAFKA_BOOTSTRAP_SERVERS).toMatch(bootstrap);
                expect(Object.keys(e).filter((k) => /^KAFKA_SASL_(USERNAME|PASSWORD)$|^KAFKA_SECURITY$/.test(k)), `${target}/${service}`).toEqual([]);
            }
        }
        expect(plan.resources.filter((r) => r.type === "kubernetes:core/v1:Secret" && /kafka/.test(r.name))).toEqual([]);
    });

    it("a service that is no Kafka client gets no cloud identity on its account", async () => {
        const other = await planStack("dev", {
            "platform:services": [{ name: "quiet", image: "ghcr.io/acme/quiet:1.0.0", hosting: "cluster" }],
        });
        for (const target of ["aws", "azure", "gcp"]) {
            const sa = other.resources.find((r) => r.type === "kubernetes:core/v1:ServiceAccount" && r.name === `plt-dev-${target}-quiet-sa`)!;
            expect((sa.rawInputs as any).metadata.annotations, target).toBeUndefined();
            // and no Kafka egress from its namespace (no client lives there)
            expect(other.resources.some((r) => r.name === `plt-dev-${target}-serverless-ns-allow-kafka-egress`)).toBe(false);
        }
    }, 180_000);

    it("calls between cluster-hosted services become caller policies on every cluster", () => {
        for (const target of ["aws", "azure", "gcp"]) {
            expect(principalsOf(named(plan, `plt-dev-${target}-shop-callers`))).toEqual([principal("serverless", "picker")]);
        }
    });
});

describe("service graph: bad input is refused before anything is registered", () => {
    const base = { clouds: ["kubernetes"], kafka: { enabled: true, topics: [{ name: "orders" }] } };
    const problemsOf = (services: unknown[], extra: Record<string, unknown> = {}): string[] => {
        try {
            parsePlatformConfig({ ...base, ...extra, services });
        } catch (e) {
            expect(e).toBeInstanceOf(ConfigError);
            return (e as ConfigError).problems;
        }
        return [];
    };
    const svc = (name: string, more: Record<string, unknown> = {}) => ({ name, image: `ghcr.io/acme/${name}:1`, ...more });

    it("a container that subscribes keeps one replica by default; an explicit minScale 0 is refused with why", () => {
        const cfg = parsePlatformConfig({ ...base, services: [svc("consumer", { subscribes: ["orders"] }), svc("api", { publishes: ["orders"] }), svc("wasm", { runtime: "wasm", subscribes: ["orders"] })] });
        expect(cfg.services.map((s) => [s.name, s.minScale])).toEqual([["consumer", 1], ["api", 0], ["wasm", 0]]);
        expect(parsePlatformConfig({ ...base, services: [svc("consumer", { subscribes: ["orders"], minScale: 2 })] }).services[0].minScale).toBe(2);
        expect(problemsOf([svc("consumer", { subscribes: ["orders"], minScale: 0 })])).toEqual([
            'platform:services[0].minScale: 0 with subscribes ["orders"]: a container service scales on HTTP requests only (Knative), so a consumer scaled to zero never polls its topics; allowed: minScale >= 1 (the default for a container that subscribes)',
        ]);
    });

    it("a call to an unknown service names the entry, the value and the declared services", () => {
        expect(problemsOf([svc("a", { calls: ["b", "nope"] }), svc("b")])).toEqual([
            'platform:services[0].calls[1]: "nope" is not a declared service; allowed: names from platform:services: "a", "b"',
        ]);
    });

    it("a topic nobody declares is an error (topics are declared once, under platform:kafka.topics)", () => {
        expect(problemsOf([svc("a", { publishes: ["orders", "payments"] })])).toEqual([
            'platform:services[0].publishes[1]: "payments" is not declared in platform:kafka.topics; allowed: declared topics "orders" (declare it there with its partitions and retention)',
        ]);
        expect(problemsOf([svc("a", { subscribes: ["orders"] })], { kafka: { enabled: false } })[0]).toMatch(/^platform:services\[0\]\.subscribes\[0\]: "orders" needs event streaming, but platform:kafka.enabled is false/);
    });

    it("duplicate names: services, callees and topics listed twice", () => {
        const p = problemsOf([svc("a", { calls: ["b", "b"], subscribes: ["orders", "orders"] }), svc("b"), svc("a")]);
        expect(p).toContain('platform:services[0].calls[1]: "b" is listed twice; allowed: each callee once');
        expect(p).toContain('platform:services[0].subscribes[1]: "orders" is listed twice; allowed: each topic once');
        expect(p).toContain('platform:services[2].name: "a" is already used by platform:services[0]; allowed: a name used once');
    });

    it("a graph service on a managed cloud runtime is refused (its identity is not a mesh identity)", () => {
        const p = problemsOf([svc("a", { calls: ["b"] }), svc("b", { hosting: "cluster" })], { clouds: ["gcp", "kubernetes"] });
        expect(p).toEqual([
            'platform:services[0].hosting: "managed" runs "a" on the cloud\'s managed runtime on gcp, where the service graph (calls, publishes, subscribes) cannot be enforced by workload identity; allowed: hosting "cluster" (Knative on the platform cluster)',
        ]);
    });

    it("an explicit Kafka client may not claim a service's name with another identity", () => {
        const p = problemsOf([svc("a", { publishes: ["orders"] })], { kafka: { enabled: true, topics: [{ name: "orders" }], clients: [{ name: "a", namespace: "other" }] } });
        expect(p[0]).toMatch(/^platform:kafka\.clients\[0\]\.name: "a" is also a service in platform:services whose identity is serverless\/a, not other\/a/);
    });

    it("long service lists are abbreviated in messages", () => {
        const many = Array.from({ length: 30 }, (_, i) => svc(`s${i}`));
        const [line] = problemsOf([...many, svc("x", { calls: ["nope"] })]);
        expect(line).toContain("… (21 more)");
    });

    it("a valid graph derives invokers, clients and topic producers/consumers", () => {
        const cfg = parsePlatformConfig({ ...base, services: [svc("a", { calls: ["b"], publishes: ["orders"] }), svc("b", { runtime: "wasm", subscribes: ["orders"] })] });
        expect(cfg.services[1].invokers.kubernetes).toEqual([{ namespace: "serverless", serviceAccount: "a" }]);
        expect(cfg.services[0].invokers.kubernetes).toEqual([]);
        expect(cfg.kafka.clients).toEqual([
            { name: "a", namespace: "serverless", serviceAccount: "a" },
            { name: "b", namespace: "wasm", serviceAccount: "b" },
        ]);
        expect(cfg.kafka.topics[0]).toMatchObject({ name: "orders", producers: ["a"], consumers: ["b"] });
    });
});

describe("call cycles", () => {
    it("finds every strongly connected group and self-calls, and nothing in a DAG", () => {
        const g = (edges: Record<string, string[]>) => Object.entries(edges).map(([name, calls]) => ({ name, calls }));
        expect(callCycles(g({ a: ["b"], b: ["c"], c: [] }))).toEqual([]);
        expect(callCycles(g({ a: ["b"], b: ["c"], c: ["a"], d: ["d"], e: ["a"] }))).toEqual([["a", "b", "c"], ["d"]]);
        // Deep chains do not overflow the stack.
        const chain = Array.from({ length: 20000 }, (_, i) => ({ name: `s${i}`, calls: [`s${(i + 1) % 20000}`] }));
        expect(callCycles(chain)[0]).toHaveLength(20000);
    });

    it("the graph's namespaces are the ones the serverless stack deploys into", () => {
        expect(GRAPH_NAMESPACES).toEqual({ container: SERVERLESS_NAMESPACE, wasm: WASM_NAMESPACE });
    });
});
