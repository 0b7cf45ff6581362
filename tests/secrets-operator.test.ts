/**
 * External Secrets Operator: the component under Pulumi's mock runtime (the Release's chart, version,
 * repository and values; the namespace and its NetworkPolicies; the EKS controller role, its permission
 * and Pod Identity association; argument errors), the stack wiring on every cluster of the committed
 * stacks (and none with platform:secrets.operator.enabled false), and the pods the pinned chart renders
 * (tests/fixtures/charts/external-secrets-2.9.0.json) against Pod Security and the admission policies.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import { beforeAll, describe, expect, it } from "vitest";
import { OUTSIDE_MESH_REASON_ANNOTATION } from "../components/contracts/names";
import {
    EXTERNAL_SECRETS_CHART_REPO,
    EXTERNAL_SECRETS_CHART_VERSION,
    EXTERNAL_SECRETS_CONTROLLER_SERVICE_ACCOUNT,
    ExternalSecretsOperator,
    ExternalSecretsOperatorError,
    secretReaderRolePath,
    type ExternalSecretsOperatorArgs,
} from "../components/secrets";
import { ConfigError, parsePlatformConfig, rawPlatformConfig } from "../stacks/config";
import { egressException } from "../stacks/config/egress";
import { mockKubernetesAutoName } from "../tools/plan/mocks/kubernetes";
import { unknownValueKeys, type ChartFacts } from "../tools/charts/facts";
import { podSecurityViolations } from "../tools/charts/pod-security";
import { loadStackConfig, planConfig, type Plan, type RecordedResource } from "../tools/plan";
import { runUnderMocks } from "../tools/plan/runtime";
import { admitAll, type ParamObject } from "./admission";
import { NETWORK_POLICY, networkPolicySpecProblems } from "./network-policy";

const RELEASE = "kubernetes:helm.sh/v3:Release";
const configOf = (stack: string, overrides?: Record<string, unknown>) => parsePlatformConfig(rawPlatformConfig(loadStackConfig(stack, { overrides }).config));
const SECRET_STORES = egressException(configOf("dev").network.egressExceptions, "secret-stores")!;

async function planOperator(args: ExternalSecretsOperatorArgs) {
    return runUnderMocks(
        () => {
            const kubernetes = new k8s.Provider("k8s", { context: "kind-test" });
            const providers: any[] = [kubernetes];
            if (args.cloud === "aws") providers.push(new aws.Provider("aws", { region: "eu-north-1" }));
            const operator = new ExternalSecretsOperator("eso", args, { providers });
            return { roleArn: operator.controllerRoleArn, sa: operator.controllerServiceAccount, namespace: operator.namespace };
        },
        { project: "platform", stack: "test" },
    );
}

const named = (resources: RecordedResource[], type: string) => resources.filter((r) => r.type === type);
const policies = (resources: RecordedResource[]) => Object.fromEntries(named(resources, NETWORK_POLICY).map((r) => [(r.inputs as any).metadata.name, (r.inputs as any).spec]));

describe("ExternalSecretsOperator (component)", () => {
    it("installs the pinned chart with HA, restricted, namespace-scoped-only values", async () => {
        const run = await planOperator({});
        const [release] = named(run.resources, RELEASE);
        const inputs = release.inputs as any;
        expect(inputs).toMatchObject({
            name: "external-secrets",
            chart: "external-secrets",
            version: "2.9.0",
            repositoryOpts: { repo: "https://charts.external-secrets.io" },
            namespace: "external-secrets",
            createNamespace: false,
            atomic: true,
            skipAwait: false,
        });
        expect(EXTERNAL_SECRETS_CHART_VERSION).toBe("2.9.0");
        expect(EXTERNAL_SECRETS_CHART_REPO).toBe("https://charts.external-secrets.io");
        const v = inputs.values;
        expect(v).toMatchObject({
            installCRDs: true,
            processClusterStore: false,
            processClusterExternalSecret: false,
            processPushSecret: false,
            processClusterPushSecret: false,
            crds: { createClusterSecretStore: false, createClusterExternalSecret: false, createPushSecret: false, createClusterPushSecret: false, annotations: { "helm.sh/resource-policy": "keep" } },
            leaderElect: true,
            rbac: { serviceAccountTokenCreate: false, aggregateToEdit: false, aggregateToAdmin: false },
            serviceAccount: { create: true, name: EXTERNAL_SECRETS_CONTROLLER_SERVICE_ACCOUNT },
        });
        for (const [component, app] of [
            [v, "external-secrets"],
            [v.webhook, "external-secrets-webhook"],
            [v.certController, "external-secrets-cert-controller"],
        ] as const) {
            expect(component.replicaCount, app).toBe(2);
            expect(component.podDisruptionBudget, app).toEqual({ enabled: true, minAvailable: 1 });
            expect(component.topologySpreadConstraints.map((t: any) => t.topologyKey), app).toEqual(["topology.kubernetes.io/zone", "kubernetes.io/hostname"]);
            expect(component.topologySpreadConstraints[0].labelSelector.matchLabels["app.kubernetes.io/name"], app).toBe(app);
            expect(component.resources.requests.memory, app).toBeDefined();
            expect(component.resources.limits.memory, app).toBeDefined();
            expect(component.securityContext, app).toMatchObject({ allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] }, runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } });
            expect(component.podSecurityContext, app).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } });
        }
        expect(v.webhook.failurePolicy).toBe("Fail");
        // The release waits for the namespace (its NetworkPolicies are children of it).
        const ns = run.resources.find((r) => r.type === "kubernetes:core/v1:Namespace")!;
        expect(release.dependencies).toContain(ns.urn);
    });

    it("every value key it sets is one the pinned chart reads (chart facts)", async () => {
        const facts: ChartFacts = JSON.parse(fs.readFileSync(path.join(__dirname, "fixtures", "charts", "external-secrets-2.9.0.json"), "utf8"));
        const run = await planOperator({});
        const values = (named(run.resources, RELEASE)[0].inputs as any).values;
        expect(unknownValueKeys(facts, values)).toEqual([]);
        // The check can fail: a misspelt key is reported.
        expect(unknownValueKeys(facts, { ...values, processClusterStores: false })).toEqual(["processClusterStores"]);
        // The chart renders ExternalSecret and SecretStore, and no cluster-scoped store or PushSecret.
        const kinds = facts.crds.map((c) => c.kind);
        expect(kinds).toEqual(expect.arrayContaining(["ExternalSecret", "SecretStore"]));
        for (const k of ["ClusterSecretStore", "ClusterExternalSecret", "PushSecret", "ClusterPushSecret"]) expect(kinds).not.toContain(k);
    });

    it("a restricted, out-of-mesh namespace with default deny and commented allowances (kubernetes: no secret-store egress)", async () => {
        const run = await planOperator({});
        const ns = named(run.resources, "kubernetes:core/v1:Namespace")[0].inputs as any;
        expect(ns.metadata.name).toBe("external-secrets");
        expect(ns.metadata.labels["pod-security.kubernetes.io/enforce"]).toBe("restricted");
        expect(ns.metadata.labels["istio.io/dataplane-mode"]).toBeUndefined();
        expect(ns.metadata.annotations[OUTSIDE_MESH_REASON_ANNOTATION]).toMatch(/webhook is called by the API server/);
        const p = policies(run.resources);
        expect(Object.keys(p).sort()).toEqual(["allow-apiserver-egress", "allow-dns", "allow-webhook-ingress", "default-deny"]);
        for (const [name, spec] of Object.entries(p)) expect(networkPolicySpecProblems(spec), name).toEqual([]);
        expect(p["default-deny"]).toEqual({ podSelector: {}, policyTypes: ["Ingress", "Egress"] });
        // Only the webhook pods, only on the webhook's container port (values.yaml webhook.port 10250).
        expect(p["allow-webhook-ingress"]).toEqual({
            podSelector: { matchLabels: { "app.kubernetes.io/name": "external-secrets-webhook", "app.kubernetes.io/instance": "external-secrets" } },
            policyTypes: ["Ingress"],
            ingress: [{ ports: [{ protocol: "TCP", port: 10250 }] }],
        });
    });

    it("on AWS: a Pod Identity role for the controller that may only assume the secret readers, and the secret-stores egress", async () => {
        const run = await planOperator({ cloud: "aws", secretStoreEgress: SECRET_STORES, aws: { clusterName: "plt-dev-aws", readerRolePrefix: "plt-dev" } });
        const [role] = named(run.resources, "aws:iam/role:Role");
        const trust = JSON.parse((role.inputs as any).assumeRolePolicy);
        expect(trust.Statement).toEqual([
            {
                Effect: "Allow",
                Principal: { Service: "pods.eks.amazonaws.com" },
                Action: ["sts:AssumeRole", "sts:TagSession"],
                Condition: {
                    StringEquals: {
                        "aws:RequestTag/eks-cluster-name": "plt-dev-aws",
                        "aws:RequestTag/kubernetes-namespace": "external-secrets",
                        "aws:RequestTag/kubernetes-service-account": "external-secrets",
                    },
                },
            },
        ]);
        const [policy] = named(run.resources, "aws:iam/rolePolicy:RolePolicy");
        expect(JSON.parse((policy.inputs as any).policy).Statement).toEqual([
            { Sid: "AssumeSecretReaders", Effect: "Allow", Action: ["sts:AssumeRole", "sts:TagSession"], Resource: "arn:aws:iam::123456789012:role/platform-secrets/plt-dev/*" },
        ]);
        expect(secretReaderRolePath("plt-dev")).toBe("/platform-secrets/plt-dev/");
        // Nothing else is attached to the role.
        expect(named(run.resources, "aws:iam/rolePolicyAttachment:RolePolicyAttachment")).toEqual([]);
        const [association] = named(run.resources, "aws:eks/podIdentityAssociation:PodIdentityAssociation");
        expect(association.inputs).toMatchObject({ clusterName: "plt-dev-aws", namespace: "external-secrets", serviceAccount: "external-secrets" });
        expect((association.inputs as any).roleArn).toMatch(/^arn:aws:iam::123456789012:role\//);
        expect((run.outputs as any).roleArn).toBe((association.inputs as any).roleArn);
        // The controller's credentials exist before its pods start.
        const [release] = named(run.resources, RELEASE);
        expect(release.dependencies).toEqual(expect.arrayContaining([association.urn, policy.urn]));

        const p = policies(run.resources);
        const controller = { matchLabels: { "app.kubernetes.io/name": "external-secrets", "app.kubernetes.io/instance": "external-secrets" } };
        expect(p["allow-controller-credentials"]).toEqual({
            podSelector: controller,
            policyTypes: ["Egress"],
            egress: [{ to: [{ ipBlock: { cidr: "169.254.170.23/32" } }], ports: [{ protocol: "TCP", port: 80 }] }],
        });
        const egress = p["allow-egress-secret-stores"];
        expect(egress.podSelector).toEqual(controller);
        expect(egress.egress[0].ports).toEqual([{ protocol: "TCP", port: 443 }]);
        expect(egress.egress[0].to[0].ipBlock.cidr).toBe("0.0.0.0/0");
        expect(egress.egress[0].to[0].ipBlock.except).toEqual(expect.arrayContaining(["10.0.0.0/8", "169.254.0.0/16"]));
    });

    it("on Azure and GCP: no controller identity; GCP's controller may ask the metadata server", async () => {
        for (const cloud of ["azure", "gcp"]) {
            const run = await planOperator({ cloud, secretStoreEgress: SECRET_STORES });
            expect(run.resources.filter((r) => r.type.startsWith("aws:"))).toEqual([]);
            expect((run.outputs as any).roleArn).toBe("");
            const p = policies(run.resources);
            expect(p["allow-egress-secret-stores"], cloud).toBeDefined();
            const metadata = (p["allow-controller-credentials"]?.egress ?? []).map((e: any) => e.to[0].ipBlock.cidr);
            expect(metadata, cloud).toEqual(cloud === "gcp" ? ["169.254.169.254/32", "169.254.169.252/32"] : []);
        }
    });

    it("a store behind a private endpoint: the controller may reach exactly those ranges on 443, and nothing private without them", async () => {
        const run = await planOperator({ cloud: "azure", secretStoreEgress: SECRET_STORES, privateStoreCidrs: ["10.20.128.0/19"] });
        const p = policies(run.resources);
        expect(p["allow-controller-private-store"]).toEqual({
            podSelector: { matchLabels: { "app.kubernetes.io/name": "external-secrets", "app.kubernetes.io/instance": "external-secrets" } },
            policyTypes: ["Egress"],
            egress: [{ to: [{ ipBlock: { cidr: "10.20.128.0/19" } }], ports: [{ protocol: "TCP", port: 443 }] }],
        });
        expect(networkPolicySpecProblems(p["allow-controller-private-store"])).toEqual([]);
        const without = policies((await planOperator({ cloud: "azure", secretStoreEgress: SECRET_STORES })).resources);
        expect(without["allow-controller-private-store"]).toBeUndefined();
    });

    it("refuses bad arguments (checked before the component registers), naming the argument and what is allowed", async () => {
        const cases: [ExternalSecretsOperatorArgs, RegExp][] = [
            [{ cloud: "vault" }, /ExternalSecretsOperator eso: args\.cloud: "vault" is not allowed; allowed: "aws", "azure", "gcp", "kubernetes"/],
            [{ cloud: "azure" }, /args\.secretStoreEgress: missing for cloud "azure"; allowed: the "secret-stores" egress exception/],
            [{ cloud: "aws", secretStoreEgress: SECRET_STORES }, /args\.aws: missing for cloud "aws"; allowed: \{ clusterName, readerRolePrefix \}/],
            [{ cloud: "gcp", secretStoreEgress: SECRET_STORES, aws: { clusterName: "c", readerRolePrefix: "p" } }, /args\.aws: set for cloud "gcp"; allowed: only with cloud "aws"/],
            [{ cloud: "aws", secretStoreEgress: SECRET_STORES, aws: { clusterName: "c", readerRolePrefix: "Plt Dev" } }, /args\.aws\.readerRolePrefix: "Plt Dev" is not allowed/],
            [{ chartVersion: "0.10.0" }, /args\.chartVersion: "0\.10\.0" is not allowed; allowed: external-secrets 2\.9\.x/],
            [{ namespace: "Secrets" }, /args\.namespace: "Secrets" is not a namespace name/],
            [{ privateStoreCidrs: ["10.20.128.0"] }, /args\.privateStoreCidrs\[0\]: "10\.20\.128\.0" is not allowed; allowed: an IPv4 CIDR/],
        ];
        for (const [args, message] of cases) {
            const error = await planOperator(args).then(
                () => undefined,
                (e) => e,
            );
            expect(error, JSON.stringify(args)).toBeInstanceOf(ExternalSecretsOperatorError);
            expect(String(error.message)).toMatch(message);
        }
    });
});

// ---- the stacks ----

const STACKS = ["dev", "local", "aws", "azure", "gcp"] as const;
const plans: Record<string, Plan> = {};
beforeAll(async () => {
    for (const stack of STACKS) plans[stack] = await planConfig(loadStackConfig(stack));
    // The aws stack: no service there reads secrets through the operator (dev's hello-wasm does, so dev refuses it off).
    plans["aws-off"] = await planConfig(loadStackConfig("aws", { overrides: { "platform:secrets": { operator: { enabled: false } } } }));
}, 600_000);

const operatorsOf = (plan: Plan) => plan.resources.filter((r) => r.type === "platform:index:ExternalSecretsOperator");

describe("stack wiring (stacks/secrets.ts)", () => {
    it("every cluster of the dev, local, aws, azure and gcp stacks gets the operator, through its own provider", () => {
        for (const stack of STACKS) {
            const targets = Object.keys(configOf(stack).placement).concat(configOf(stack).clouds.includes("kubernetes") ? ["kubernetes"] : []);
            const operators = operatorsOf(plans[stack]);
            expect(operators.map((o) => /-(aws|azure|gcp|kubernetes)-eso$/.exec(o.name)?.[1]).sort(), stack).toEqual([...new Set(targets)].sort());
            const releases = plans[stack].resources.filter((r) => r.type === RELEASE && r.name.endsWith("-eso-release"));
            expect(releases.length, stack).toBe(operators.length);
            // One release per cluster provider.
            expect(new Set(releases.map((r) => r.provider)).size, stack).toBe(releases.length);
            const outputs = (plans[stack].outputs as any).secretsOperator;
            for (const target of Object.keys(outputs)) expect(outputs[target].controllerServiceAccount).toBe("external-secrets");
        }
        // The EKS controller role only where an EKS cluster is.
        expect((plans.aws.outputs as any).secretsOperator.aws.controllerRoleArn).toMatch(/^arn:aws:iam::/);
        expect((plans.dev.outputs as any).secretsOperator.gcp.controllerRoleArn).toBe("");
        expect(plans.local.resources.filter((r) => r.type === NETWORK_POLICY && (r.inputs as any).metadata.name === "allow-egress-secret-stores" && (r.inputs as any).metadata.namespace === "external-secrets")).toEqual([]);
    });

    it("platform:secrets.operator.enabled: false leaves it out", () => {
        expect(operatorsOf(plans["aws-off"])).toEqual([]);
        expect(plans["aws-off"].resources.filter((r) => r.type === RELEASE && (r.inputs as any).chart === "external-secrets")).toEqual([]);
        expect((plans["aws-off"].outputs as any).secretsOperator).toEqual({});
    });

    it("a bad platform:secrets value is refused by name", () => {
        const problemsOf = (overrides: Record<string, unknown>) => {
            try {
                configOf("dev", overrides);
                return [];
            } catch (e) {
                if (!(e instanceof ConfigError)) throw e;
                return e.problems;
            }
        };
        expect(problemsOf({ "platform:secrets": { operator: { enabled: "yes" } } }).join("\n")).toMatch(/platform:secrets\.operator\.enabled/);
        expect(problemsOf({ "platform:secrets": { operater: {} } }).join("\n")).toMatch(/platform:secrets.*operater/);
    });
});

// ---- the pods the pinned chart renders: Pod Security and the admission policies of each cluster ----

const VAP = "kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicy";
const BINDING = "kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicyBinding";

function admissionOf(plan: Plan, provider: string) {
    const on = plan.resources.filter((r) => r.provider === provider);
    return {
        policies: on.filter((r) => r.type === VAP).map((r) => r.inputs),
        bindings: on.filter((r) => r.type === BINDING).map((r) => r.inputs),
        params: on
            .filter((r) => r.type === "kubernetes:core/v1:ConfigMap")
            .map((r) => {
                const cm = r.inputs as any;
                return { ...cm, metadata: { ...cm.metadata, name: cm.metadata?.name ?? mockKubernetesAutoName(r.name) } } as ParamObject;
            }),
    };
}

describe("the chart's pods", () => {
    const facts: ChartFacts = JSON.parse(fs.readFileSync(path.join(__dirname, "fixtures", "charts", "external-secrets-2.9.0.json"), "utf8"));
    const deployment = (p: ChartFacts["renders"][number]["pods"][number]) => ({
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: p.name, namespace: p.namespace },
        spec: { template: { metadata: { labels: p.labels }, spec: p.spec } },
    });

    it("meet restricted Pod Security and are admitted by every cluster's admission policies; a privileged variant is denied", () => {
        let checked = 0;
        for (const render of facts.renders) {
            expect(render.pods.map((p) => p.name).sort()).toEqual(["external-secrets", "external-secrets-cert-controller", "external-secrets-webhook"]);
            for (const pod of render.pods) expect(podSecurityViolations(pod.spec as any, "restricted", pod.annotations), pod.name).toEqual([]);
            for (const use of render.usedBy) {
                const [stack, releaseName] = use.split("/");
                if (!plans[stack]) continue;
                const release = plans[stack].resources.find((r) => r.name === releaseName)!;
                const { policies, bindings, params } = admissionOf(plans[stack], release.provider);
                expect(policies.length, use).toBeGreaterThan(0);
                const namespace = plans[stack].resources.find((r) => r.provider === release.provider && r.type === "kubernetes:core/v1:Namespace" && (r.inputs as any).metadata.name === "external-secrets")!;
                const request = (object: any) => admitAll(policies, bindings, params, { object, operation: "CREATE", oldObject: null, asDeny: true });
                expect(request(namespace.inputs).denied, `${use} namespace`).toEqual([]);
                for (const pod of render.pods) {
                    expect(request(deployment(pod)).denied, `${use} ${pod.name}`).toEqual([]);
                    checked++;
                }
                const insecure = deployment(render.pods[0]);
                insecure.spec.template.spec = JSON.parse(JSON.stringify(insecure.spec.template.spec));
                (insecure.spec.template.spec as any).containers[0].securityContext = { privileged: true };
                expect(request(insecure).denied.length, `${use} privileged variant`).toBeGreaterThan(0);
            }
        }
        expect(checked).toBeGreaterThanOrEqual(3 * 7);
    });
});
