/**
 * Every zero-trust rule over the engine's analyzer protocol: one pack process started exactly as the
 * engine starts it (run-policy-pack), then Configure / Analyze / AnalyzeStack calls. Each rule has a
 * passing case, a failing case and a "left unset" case (judged by the provider default).
 */
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startPolicyPack, type AnalyzerResource, type PolicyPackHandle } from "../tools/policy/analyzer-client";
import { AKS, cases, EKS, GKE, goodPod, variants, type Case } from "./policy-cases";

const PACK = path.resolve(__dirname, "../policies/zero-trust");
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
let pack: PolicyPackHandle;
let n = 0;

beforeAll(async () => {
    pack = await startPolicyPack(PACK);
    await pack.configure({});
}, 120_000);
afterAll(async () => pack?.close());

function resource(type: string, properties: Record<string, unknown>, extra: Partial<AnalyzerResource> = {}): AnalyzerResource {
    const name = extra.name ?? `r${++n}`;
    return { urn: `urn:pulumi:test::platform::${type}::${name}`, type, name, properties, ...extra };
}

async function violations(policy: string, type: string, props: Record<string, unknown>, extra: Partial<AnalyzerResource> = {}) {
    const r = await pack.analyze(resource(type, props, extra));
    return r.diagnostics.filter((d) => d.policy === policy);
}


describe("zero-trust rules over the analyzer protocol", () => {
    it("serves every resource rule of the table and names them as the catalogue does", () => {
        const resourcePolicies = pack.policies.map((p) => p.name);
        for (const c of cases) expect(resourcePolicies).toContain(c.policy);
        expect(pack.name).toBe("zero-trust");
        expect(pack.version).toMatch(/^\d+\.\d+\.\d+$/);
    });

    for (const c of cases) {
        it(`${c.policy}: passes, fails and judges the unset default`, async () => {
            expect(await violations(c.policy, c.type, c.pass)).toEqual([]);
            const fail = await violations(c.policy, c.type, c.fail);
            expect(fail.length).toBeGreaterThan(0);
            expect(fail[0].enforcementLevel).toBe(c.level ?? "mandatory");
            expect(fail.map((d) => d.message).join("\n")).toContain(c.mentions);
            const unset = await violations(c.policy, c.type, c.unset);
            expect(unset.length > 0).toBe(c.unsetViolates);
        });
    }

    // Rules that cover several resource types: each further type gets its own pass / fail / unset case.
    const istioGateway = (values: Record<string, unknown>) => ({ chart: "gateway", version: "1.30.5", repositoryOpts: { repo: "https://istio-release.storage.googleapis.com/charts" }, namespace: "istio-ingress", values });
    const knativeServing = (kourier: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({ metadata: { name: "knative-serving", namespace: "knative-serving" }, spec: { ingress: { kourier }, ...extra } });
    const moreCases: Case[] = [
        {
            policy: "k8s-08-internal-load-balancer", type: "kubernetes:helm.sh/v3:Release",
            pass: istioGateway({ service: { type: "LoadBalancer", annotations: { "networking.gke.io/load-balancer-type": "Internal" } } }),
            fail: istioGateway({ service: { type: "LoadBalancer", annotations: { "service.beta.kubernetes.io/aws-load-balancer-scheme": "internet-facing" } } }),
            // The istio/gateway chart's Service defaults to type LoadBalancer without annotations: public.
            unset: istioGateway({}), unsetViolates: true, mentions: "values.service.type",
        },
        {
            policy: "k8s-08-internal-load-balancer", type: "kubernetes:operator.knative.dev/v1beta1:KnativeServing",
            pass: knativeServing({ enabled: true, "service-type": "ClusterIP" }),
            fail: knativeServing({ enabled: true, "service-type": "LoadBalancer" }),
            // Kourier's gateway Service defaults to type LoadBalancer.
            unset: knativeServing({ enabled: true }), unsetViolates: true, mentions: "service-type",
        },
        {
            policy: "k8s-05-mesh-enrolment", type: "kubernetes:apps/v1:Deployment",
            pass: { metadata: { namespace: "shop" }, spec: { template: { metadata: { labels: { app: "api" } }, spec: goodPod } } },
            fail: { metadata: { namespace: "shop" }, spec: { template: { metadata: { labels: { app: "api", "istio.io/dataplane-mode": "none" } }, spec: goodPod } } },
            unset: { metadata: { namespace: "shop" }, spec: { template: { spec: goodPod } } }, unsetViolates: false, mentions: "istio.io/dataplane-mode",
        },
    ];

    for (const c of moreCases) {
        it(`${c.policy} on ${c.type}: passes, fails and judges the unset default`, async () => {
            expect(await violations(c.policy, c.type, c.pass)).toEqual([]);
            const fail = await violations(c.policy, c.type, c.fail);
            expect(fail.length).toBeGreaterThan(0);
            expect(fail[0].enforcementLevel).toBe(c.level ?? "mandatory");
            expect(fail.map((d) => d.message).join("\n")).toContain(c.mentions);
            expect((await violations(c.policy, c.type, c.unset)).length > 0).toBe(c.unsetViolates);
        });
    }

    it("k8s-08: a Kourier LoadBalancer made internal through spec.services passes; other helm charts are not judged", async () => {
        const internal = knativeServing({ enabled: true, "service-type": "LoadBalancer" }, { services: [{ name: "kourier", annotations: { "service.beta.kubernetes.io/azure-load-balancer-internal": "true" } }] });
        expect(await violations("k8s-08-internal-load-balancer", "kubernetes:operator.knative.dev/v1beta1:KnativeServing", internal)).toEqual([]);
        expect(await violations("k8s-08-internal-load-balancer", "kubernetes:helm.sh/v3:Release", { chart: "keda", repositoryOpts: { repo: "https://kedacore.github.io/charts" }, values: {} })).toEqual([]);
    });

    it("k8s-16: an ipBlock of a /0 passes only in a policy named as an egress exception with its reason", async () => {
        const NP = "kubernetes:networking.k8s.io/v1:NetworkPolicy";
        const open = { podSelector: {}, egress: [{ to: [{ ipBlock: { cidr: "0.0.0.0/0" } }], ports: [{ protocol: "TCP", port: 443 }] }] };
        const bare = await violations("k8s-16-network-policy-egress-named", NP, { spec: open });
        expect(bare.map((d) => d.message)).toEqual([expect.stringContaining('spec.egress[0].to[0].ipBlock.cidr "0.0.0.0/0" reaches any address on TCP/443')]);
        const noReason = await violations("k8s-16-network-policy-egress-named", NP, { metadata: { annotations: { "platform.io/egress-exception": "entra-id" } }, spec: open });
        expect(noReason).toHaveLength(1);
        const named = { "platform.io/egress-exception": "entra-id", "platform.io/egress-exception-reason": "token exchange with Entra ID" };
        expect(await violations("k8s-16-network-policy-egress-named", NP, { metadata: { annotations: named }, spec: open })).toEqual([]);
    });

    it("k8s-05: workloads in system namespaces may opt out of the mesh", async () => {
        const opted = { metadata: { namespace: "kube-system" }, spec: { template: { metadata: { labels: { "istio.io/dataplane-mode": "none" } }, spec: goodPod } } };
        expect(await violations("k8s-05-mesh-enrolment", "kubernetes:apps/v1:Deployment", opted)).toEqual([]);
    });

    it("k8s-14: a listener without TLS passes only with SCRAM-SHA-512 in an application (ambient, STRICT) namespace", async () => {
        const kafka = (namespace: string, authentication: string) => ({
            metadata: { name: "events", namespace },
            spec: { kafka: { listeners: [{ name: "scram", port: 9092, type: "internal", tls: false, authentication: { type: authentication } }], authorization: { type: "simple" } } },
        });
        const type = "kubernetes:kafka.strimzi.io/v1:Kafka";
        expect(await violations("k8s-14-strimzi-tls-auth", type, kafka("kafka", "scram-sha-512"))).toEqual([]);
        // PLAIN-style mechanisms and system namespaces (not ambient-enrolled by K8S-05) still need TLS.
        expect((await violations("k8s-14-strimzi-tls-auth", type, kafka("kafka", "tls")))[0]?.message).toMatch(/listeners\["scram"\]\.tls is false/);
        expect((await violations("k8s-14-strimzi-tls-auth", type, kafka("kube-system", "scram-sha-512")))[0]?.message).toMatch(/not "kube-system"/);
    });

    // The catalogue audit: every condition of every row fails its insecure variant over the protocol too.
    for (const v of variants) {
        it(`${v.policy} on ${v.type}: ${v.condition} is a violation`, async () => {
            const d = await violations(v.policy, v.type, v.props);
            expect(d.map((x) => x.message).join("\n")).toContain(v.mentions);
        });
    }

    it("ignores resources of other types", async () => {
        const r = await pack.analyze(resource("aws:s3/bucket:Bucket", { bucket: "x" }));
        expect(r.diagnostics).toEqual([]);
    });

    it("reports a rule that reads an unknown preview value as advisory 'can't run during preview', as the engine does", async () => {
        const d = await violations("net-01-eks-private-endpoint", EKS, { vpcConfig: { endpointPrivateAccess: true, endpointPublicAccess: UNKNOWN } });
        expect(d).toHaveLength(1);
        expect(d[0].enforcementLevel).toBe("advisory");
        expect(d[0].message).toMatch(/can't run policy 'net-01-eks-private-endpoint'.*during preview.*vpcConfig\.endpointPublicAccess/);
    });
});

describe("presence checks during preview: another resource's output is unknown, but set", () => {
    // Under `pulumi preview` a key ARN, NSG id or service-account email created in the same stack is the
    // engine's unknown sentinel. Presence rules must pass (as the offline check with known mock values
    // does), not degrade to an advisory "can't run"; value rules still judge known values.
    const presence: Array<[string, string, Record<string, unknown>, Record<string, unknown>]> = [
        ["enc-01-secrets-envelope-encryption", EKS, { encryptionConfig: { resources: ["secrets"], provider: { keyArn: UNKNOWN } } }, { encryptionConfig: { resources: ["secrets"], provider: {} } }],
        ["enc-01-secrets-envelope-encryption", GKE, { databaseEncryption: { state: "ENCRYPTED", keyName: UNKNOWN } }, { databaseEncryption: { state: "ENCRYPTED" } }],
        ["enc-01-secrets-envelope-encryption", AKS, { securityProfile: { azureKeyVaultKms: { enabled: true, keyId: UNKNOWN, keyVaultNetworkAccess: "Private" } } }, { securityProfile: { azureKeyVaultKms: { enabled: true } } }],
        ["id-05-gke-node-service-account", "gcp:container/nodePool:NodePool", { nodeConfig: { serviceAccount: UNKNOWN } }, { nodeConfig: { serviceAccount: "default" } }],
        ["id-04-gke-workload-identity", GKE, { workloadIdentityConfig: { workloadPool: UNKNOWN }, removeDefaultNodePool: true }, { workloadIdentityConfig: {}, removeDefaultNodePool: true }],
        ["net-11-azure-subnet-nsg", "azure-native:network:Subnet", { subnetName: "nodes", networkSecurityGroup: { id: UNKNOWN } }, { subnetName: "nodes", networkSecurityGroup: {} }],
        ["net-11-azure-subnet-nsg", "azure-native:network:Subnet", { subnetName: "nodes", networkSecurityGroup: UNKNOWN }, { subnetName: "nodes" }],
    ];
    for (const [policy, type, unknownButSet, missing] of presence) {
        it(`${policy} on ${type}: an unknown value counts as set; a missing one is still a violation`, async () => {
            expect(await violations(policy, type, unknownButSet)).toEqual([]);
            const d = await violations(policy, type, missing);
            expect(d.length).toBeGreaterThan(0);
            expect(d[0].enforcementLevel).toBe("mandatory");
        });
    }
});

describe("secrets and node identities over the protocol (SEC-02, SEC-03, ID-05, ID-13)", () => {
    afterAll(async () => pack.configure({}));
    const k8sEnv = (env: unknown[]) => ({ metadata: { namespace: "shop" }, spec: { template: { spec: { ...goodPod, containers: [{ ...goodPod.containers[0], env }] } } } });

    it("sec-03: a value the preview cannot know (another resource's output) is not a literal; a literal next to it still is", async () => {
        const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
        expect(await violations("sec-03-no-literal-secret-env", DEPLOYMENT, k8sEnv([{ name: "DB_PASSWORD", value: UNKNOWN }]))).toEqual([]);
        const mixed = await violations("sec-03-no-literal-secret-env", DEPLOYMENT, k8sEnv([{ name: "DB_PASSWORD", value: UNKNOWN }, { name: "API_TOKEN", value: "t0k" }]));
        expect(mixed.map((d) => d.message)).toEqual([expect.stringContaining('env[1] "API_TOKEN" has a literal value')]);
        expect(mixed[0].enforcementLevel).toBe("mandatory");
        // The secret's ARN as a Lambda variable is a reference (read at run time by the function's role), known or not.
        const LAMBDA = "aws:lambda/function:Function";
        expect(await violations("sec-03-no-literal-secret-env", LAMBDA, { environment: { variables: { DB_PASSWORD: UNKNOWN, API_KEY_SECRET_ARN: UNKNOWN } } })).toEqual([]);
        expect(await violations("sec-03-no-literal-secret-env", "aws:ecs/taskDefinition:TaskDefinition", { family: "f", containerDefinitions: UNKNOWN })).toEqual([]);
    });

    it("sec-03: names about a secret (its id, ARN, file, URL) and data keys are not secrets; case and separators do not matter", async () => {
        const LAMBDA = "aws:lambda/function:Function";
        const vars = { AWS_ACCESS_KEY_ID: "AKIAEXAMPLE", DB_PASSWORD_FILE: "/run/secrets/db", TOKEN_URL: "https://login/token", PARTITION_KEY: "tenant", KMS_KEY_ARN: "arn:aws:kms:x", PUBLIC_KEY: "ssh-ed25519 AAAA" };
        expect(await violations("sec-03-no-literal-secret-env", LAMBDA, { environment: { variables: vars } })).toEqual([]);
        const bad = await violations("sec-03-no-literal-secret-env", LAMBDA, { environment: { variables: { "db-password": "x", clientSecret: "y", SESSION_SIGNING_KEY: "z", GITHUB_PAT: "p" } } });
        expect(bad.map((d) => d.message.match(/"([^"]+)" has a literal value/)?.[1]).sort()).toEqual(["SESSION_SIGNING_KEY", "clientSecret", "db-password"]);
    });

    it("sec-03: switches (ENABLE_/DISABLE_/REQUIRE_/ALLOW_), publishable keys, booleans and numeric settings pass; the secrets beside them do not", async () => {
        const LAMBDA = "aws:lambda/function:Function";
        const vars = { ENABLE_TOKEN_AUTH: "true", DISABLE_PASSWORD_LOGIN: "false", REQUIRE_API_KEY: "yes", ALLOW_TOKEN_REFRESH: "1", STRIPE_PUBLISHABLE_KEY: "pk_live_51Hx", PASSWORD_HASH_ROUNDS: "12", TOKEN_AUTH: "true" };
        expect(await violations("sec-03-no-literal-secret-env", LAMBDA, { environment: { variables: vars } })).toEqual([]);
        const bad = await violations("sec-03-no-literal-secret-env", LAMBDA, { environment: { variables: { ...vars, STRIPE_SECRET_KEY: "sk_live_51Hx", DB_PASSWORD: "123456" } } });
        expect(bad.map((d) => d.message.match(/"([^"]+)" has a literal value/)?.[1]).sort()).toEqual(["DB_PASSWORD", "STRIPE_SECRET_KEY"]);
        const knative = await violations("sec-03-no-literal-secret-env", "kubernetes:apps/v1:Deployment", k8sEnv([{ name: "ENABLE_TOKEN_AUTH", value: "true" }, { name: "PASSWORD_HASH_ROUNDS", value: "12" }, { name: "API_TOKEN", value: "t0k" }]));
        expect(knative.map((d) => d.message)).toEqual([expect.stringContaining('env[2] "API_TOKEN" has a literal value')]);
    });

    it("sec-03: a Container Apps secret with a value (not a Key Vault reference) is reported", async () => {
        const app = { configuration: { secrets: [{ name: "db", value: "hunter2" }, { name: "kv", keyVaultUrl: "https://kv.vault.azure.net/secrets/kv", identity: "/id" }] } };
        const d = await violations("sec-03-no-literal-secret-env", "azure-native:app:ContainerApp", app);
        expect(d.map((x) => x.message)).toEqual([expect.stringContaining('configuration.secrets["db"] has a value')]);
    });

    it("sec-02: a store whose provider is not yet known is not judged; one with a static credential is, and a granted exception exempts it with its reason", async () => {
        const CSS = "kubernetes:external-secrets.io/v1:ClusterSecretStore";
        expect(await violations("sec-02-secret-store-workload-identity", CSS, { spec: { provider: UNKNOWN } })).toEqual([]);
        const staticKeys = (mark?: string) => ({
            metadata: { name: "legacy", ...(mark ? { annotations: { "platform.io/edge-exception": mark } } : {}) },
            spec: { provider: { aws: { service: "ParameterStore", region: "eu-north-1", auth: { secretRef: { accessKeyIDSecretRef: { name: "k", key: "id" } } } } } },
        });
        expect(await violations("sec-02-secret-store-workload-identity", CSS, staticKeys("legacy-keys"))).toHaveLength(1);
        await pack.configure({ "zero-trust-exceptions": { exceptions: [{ name: "legacy-keys", reason: "on-prem cluster without pod identity (SEC-9)", policies: ["sec-02-secret-store-workload-identity"] }] } });
        const exempt = await pack.analyze(resource(CSS, staticKeys("legacy-keys"), { name: "legacy" }));
        expect(exempt.diagnostics.filter((d) => d.policy === "sec-02-secret-store-workload-identity")).toEqual([]);
        expect(exempt.notApplicable).toContainEqual({ policy: "sec-02-secret-store-workload-identity", reason: 'policy exception "legacy-keys" marked on "legacy": on-prem cluster without pod identity (SEC-9)' });
        expect(await violations("sec-02-secret-store-workload-identity", CSS, staticKeys())).toHaveLength(1);
    });

    it("sec-02: Azure WorkloadIdentity may read its client and tenant ids from a Secret, never a client secret; Kubernetes client certificates and kubeconfigs are static", async () => {
        const SS = "kubernetes:external-secrets.io/v1:SecretStore";
        const wi = (authSecretRef: Record<string, unknown>) => ({ spec: { provider: { azurekv: { authType: "WorkloadIdentity", vaultUrl: "https://kv.vault.azure.net", serviceAccountRef: { name: "eso" }, authSecretRef } } } });
        expect(await violations("sec-02-secret-store-workload-identity", SS, wi({ clientId: { name: "ids", key: "client-id" }, tenantId: { name: "ids", key: "tenant-id" } }))).toEqual([]);
        expect((await violations("sec-02-secret-store-workload-identity", SS, wi({ clientSecret: { name: "sp", key: "secret" } })))[0]?.message).toContain("authSecretRef.clientSecret");
        // ManagedIdentity is IMDS: on AKS the node's kubelet identity, shared by every pod on the node.
        expect((await violations("sec-02-secret-store-workload-identity", SS, { spec: { provider: { azurekv: { authType: "ManagedIdentity", vaultUrl: "https://kv.vault.azure.net" } } } })).map((d) => d.message)).toEqual([
            expect.stringContaining('spec.provider.azurekv.authType is "ManagedIdentity": the identity IMDS gives every pod on the node'),
        ]);
        const k8sStore = (extra: Record<string, unknown>) => ({ spec: { provider: { kubernetes: { remoteNamespace: "shop", ...extra } } } });
        expect((await violations("sec-02-secret-store-workload-identity", SS, k8sStore({ auth: { cert: { clientCert: { name: "c", key: "crt" }, clientKey: { name: "c", key: "key" } } } })))[0]?.message).toContain("auth.cert");
        expect((await violations("sec-02-secret-store-workload-identity", SS, k8sStore({ authRef: { name: "kubeconfig", key: "config" } })))[0]?.message).toContain("authRef");
        expect((await violations("sec-02-secret-store-workload-identity", SS, { spec: { provider: { gcpsm: { projectID: "p", auth: { workloadIdentityFederation: { audience: "a", awsSecurityCredentials: { region: "r", awsCredentialsSecretRef: { name: "aws" } } } } } } } }))[0]?.message).toContain("awsSecurityCredentials");
    });

    it("sec-02: an aws store names a reader role under its own namespace's path (known strings only); gcpsm without auth reads as the controller", async () => {
        const SS = "kubernetes:external-secrets.io/v1:SecretStore";
        const role = (ns: unknown, r: unknown) => ({ metadata: { name: "web-secrets", namespace: ns }, spec: { provider: { aws: { service: "SecretsManager", region: "eu-north-1", role: r } } } });
        const reader = (ns: string) => `arn:aws:iam::123456789012:role/platform-secrets/plt-dev/${ns}/plt-dev-aws-web-secrets-reader-1a2b3c4`;
        expect(await violations("sec-02-secret-store-workload-identity", SS, role("shop", reader("shop")))).toEqual([]);
        expect(await violations("sec-02-secret-store-workload-identity", SS, role("shop", reader("shop").replace("arn:aws:", "arn:aws-us-gov:")))).toEqual([]);
        const other = await violations("sec-02-secret-store-workload-identity", SS, role("shop", reader("payments")));
        expect(other.map((d) => d.message)).toEqual([expect.stringContaining('is not a reader role of namespace "shop"')]);
        expect(other[0].enforcementLevel).toBe("mandatory");
        // A nested path, or a namespace that only starts with the store's: not that namespace's reader.
        expect(await violations("sec-02-secret-store-workload-identity", SS, role("shop", reader("shop/nested")))).toHaveLength(1);
        expect(await violations("sec-02-secret-store-workload-identity", SS, role("shop", reader("shopx")))).toHaveLength(1);
        // An ARN the preview cannot know yet (the reader role is created in the same update) is not judged.
        expect(await violations("sec-02-secret-store-workload-identity", SS, role("shop", UNKNOWN))).toEqual([]);
        // With the namespace unknown, any namespace's reader role passes; an arbitrary role does not.
        expect(await violations("sec-02-secret-store-workload-identity", SS, role(UNKNOWN, reader("payments")))).toEqual([]);
        expect(await violations("sec-02-secret-store-workload-identity", SS, role(UNKNOWN, "arn:aws:iam::123456789012:role/admin"))).toHaveLength(1);
        // auth.jwt is the namespace's own service account (IRSA): the role is assumed with its token, not the controller's.
        expect(await violations("sec-02-secret-store-workload-identity", SS, { metadata: { namespace: "shop" }, spec: { provider: { aws: { service: "SecretsManager", region: "eu-north-1", role: "arn:aws:iam::123456789012:role/shop-reader", auth: { jwt: { serviceAccountRef: { name: "web" } } } } } } })).toEqual([]);
        const gcpsm = (auth: unknown) => ({ metadata: { namespace: "shop" }, spec: { provider: { gcpsm: { projectID: "p", ...(auth === undefined ? {} : { auth }) } } } });
        expect((await violations("sec-02-secret-store-workload-identity", SS, gcpsm(undefined))).map((d) => d.message)).toEqual([expect.stringContaining("spec.provider.gcpsm.auth names no identity")]);
        expect(await violations("sec-02-secret-store-workload-identity", SS, gcpsm(UNKNOWN))).toEqual([]);
        expect(await violations("sec-02-secret-store-workload-identity", SS, gcpsm({ workloadIdentity: { serviceAccountRef: { name: "web-secrets-reader" } } }))).toEqual([]);
    });

    it("id-13: an AKS cluster on a service principal fails even when its client id is another resource's output; a managed identity passes", async () => {
        expect(await violations("id-13-aks-managed-identity", AKS, { identity: { type: "SystemAssigned" } })).toEqual([]);
        expect(await violations("id-13-aks-managed-identity", AKS, { identity: { type: "SystemAssigned" }, servicePrincipalProfile: { clientId: "msi" } })).toEqual([]);
        const sp = await violations("id-13-aks-managed-identity", AKS, { identity: { type: "UserAssigned" }, servicePrincipalProfile: { clientId: UNKNOWN } });
        expect(sp.map((d) => d.message)).toEqual([expect.stringContaining("servicePrincipalProfile names a service principal")]);
    });

    it("id-05: GKE node auto-provisioning without a service account runs nodes as the default compute account", async () => {
        const nap = (defaults: Record<string, unknown>) => ({ removeDefaultNodePool: true, clusterAutoscaling: { enabled: true, autoProvisioningDefaults: defaults } });
        expect(await violations("id-05-gke-node-service-account", GKE, nap({ serviceAccount: UNKNOWN }))).toEqual([]);
        expect((await violations("id-05-gke-node-service-account", GKE, nap({ oauthScopes: ["https://www.googleapis.com/auth/cloud-platform"] })))[0]?.message).toContain("autoProvisioningDefaults.serviceAccount");
        expect(await violations("id-05-gke-node-service-account", GKE, { removeDefaultNodePool: true })).toEqual([]);
    });
});

describe("zero-trust stack policies over AnalyzeStack", () => {
    const vpc = resource("aws:ec2/vpc:Vpc", { cidrBlock: "10.10.0.0/16" }, { name: "vpc" });
    const flowLog = resource("aws:ec2/flowLog:FlowLog", { trafficType: "ALL", vpcId: UNKNOWN }, { name: "fl", dependencies: [vpc.urn] });
    const dsg = resource("aws:ec2/defaultSecurityGroup:DefaultSecurityGroup", { vpcId: UNKNOWN, ingress: [], egress: [] }, { name: "dsg", dependencies: [vpc.urn] });
    const stackDiag = async (policy: string, rs: AnalyzerResource[]) => (await pack.analyzeStack(rs)).diagnostics.filter((d) => d.policy === policy);

    it("log-02: a VPC with a flow log passes; without one it fails", async () => {
        expect(await stackDiag("log-02-every-vpc-flow-log", [vpc, flowLog, dsg])).toEqual([]);
        const d = await stackDiag("log-02-every-vpc-flow-log", [vpc, dsg]);
        expect(d).toHaveLength(1);
        expect(d[0]).toMatchObject({ enforcementLevel: "mandatory", urn: vpc.urn });
        expect(await stackDiag("log-02-every-vpc-flow-log", [])).toEqual([]);
    });

    it("net-08: every VPC adopts its default security group", async () => {
        expect(await stackDiag("net-08-every-vpc-default-sg-managed", [vpc, flowLog, dsg])).toEqual([]);
        expect(await stackDiag("net-08-every-vpc-default-sg-managed", [vpc, flowLog])).toHaveLength(1);
    });

    const ns = (name: string, provider?: string) => resource("kubernetes:core/v1:Namespace", { metadata: { name } }, { name, provider });
    const denyAll = (namespace: string) =>
        resource("kubernetes:networking.k8s.io/v1:NetworkPolicy", { metadata: { namespace }, spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] } });
    const strictPa = resource("kubernetes:security.istio.io/v1:PeerAuthentication", { metadata: { name: "default", namespace: "istio-system" }, spec: { mtls: { mode: "STRICT" } } });
    const allowNothing = resource("kubernetes:security.istio.io/v1:AuthorizationPolicy", { metadata: { name: "allow-nothing", namespace: "istio-system" }, spec: {} });

    it("k8s-02: every application namespace needs a default-deny NetworkPolicy", async () => {
        expect(await stackDiag("k8s-02-default-deny-network-policy", [ns("shop"), denyAll("shop")])).toEqual([]);
        const leaky = resource("kubernetes:networking.k8s.io/v1:NetworkPolicy", { metadata: { namespace: "shop" }, spec: { podSelector: {}, policyTypes: ["Ingress"] } });
        expect(await stackDiag("k8s-02-default-deny-network-policy", [ns("shop"), leaky])).toHaveLength(1);
        // System namespaces are not application namespaces.
        expect(await stackDiag("k8s-02-default-deny-network-policy", [ns("kube-system")])).toEqual([]);
    });

    it("k8s-03: a cluster with application namespaces needs a mesh-wide STRICT PeerAuthentication", async () => {
        expect(await stackDiag("k8s-03-mesh-wide-strict-mtls", [ns("shop"), strictPa])).toEqual([]);
        const permissive = resource("kubernetes:security.istio.io/v1:PeerAuthentication", { metadata: { namespace: "istio-system" }, spec: { mtls: { mode: "PERMISSIVE" } } });
        expect(await stackDiag("k8s-03-mesh-wide-strict-mtls", [ns("shop"), permissive])).toHaveLength(1);
        expect(await stackDiag("k8s-03-mesh-wide-strict-mtls", [ns("shop")])).toHaveLength(1);
        // One finding per cluster: a second provider's namespaces are judged on their own.
        const other = "urn:pulumi:test::platform::pulumi:providers:kubernetes::other";
        expect(await stackDiag("k8s-03-mesh-wide-strict-mtls", [ns("shop"), strictPa, ns("web", other)])).toHaveLength(1);
    });

    it("k8s-04: an allow-nothing AuthorizationPolicy covers every application namespace", async () => {
        expect(await stackDiag("k8s-04-allow-nothing-authorization", [ns("shop"), allowNothing])).toEqual([]);
        expect(await stackDiag("k8s-04-allow-nothing-authorization", [ns("shop")])).toHaveLength(1);
    });

    it("log-01 (AKS) and net-16 (EKS): audit diagnostics and the network-policy add-on per cluster", async () => {
        const aks = resource(AKS, {}, { name: "aks" });
        const diag = resource("azure-native:monitor:DiagnosticSetting", { logs: [{ category: "kube-audit-admin", enabled: true }] }, { dependencies: [aks.urn] });
        expect(await stackDiag("log-01-aks-audit-diagnostics", [aks, diag])).toEqual([]);
        expect(await stackDiag("log-01-aks-audit-diagnostics", [aks])).toHaveLength(1);
        const eks = resource(EKS, {}, { name: "eks" });
        const cni = resource("aws:eks/addon:Addon", { addonName: "vpc-cni", configurationValues: '{"enableNetworkPolicy":"true"}' }, { dependencies: [eks.urn] });
        expect(await stackDiag("net-16-eks-network-policy-addon", [eks, cni])).toEqual([]);
        expect(await stackDiag("net-16-eks-network-policy-addon", [eks])).toHaveLength(1);
    });
});

describe("zero-trust configuration over Configure", () => {
    afterAll(async () => pack.configure({}));

    const EXCEPTIONS = "zero-trust-exceptions";
    const exception = (name: string, policies: string[], reason = `ticket OPS-1: ${name}`) => ({ [EXCEPTIONS]: { exceptions: [{ name, reason, policies }] } });

    it("exempts a resource marked with a named exception only when the pack config grants it for that policy, reported with its reason", async () => {
        const marked = { metadata: { namespace: "edge", annotations: { "platform.io/edge-exception": "public-web" } }, spec: { type: "LoadBalancer" } };
        // Marked by the program but not granted by the pack's config: still a violation.
        await pack.configure({});
        expect(await violations("k8s-08-internal-load-balancer", "kubernetes:core/v1:Service", marked, { name: "web-lb" })).toHaveLength(1);
        await pack.configure(exception("public-web", ["k8s-08-internal-load-balancer"], "the shop's public storefront (OPS-42)"));
        const exempt = await pack.analyze(resource("kubernetes:core/v1:Service", marked, { name: "web-lb" }));
        expect(exempt.diagnostics.filter((d) => d.policy === "k8s-08-internal-load-balancer")).toEqual([]);
        expect(exempt.notApplicable).toContainEqual({ policy: "k8s-08-internal-load-balancer", reason: 'policy exception "public-web" marked on "web-lb": the shop\'s public storefront (OPS-42)' });
        // Granted but the resource is not marked with it (a name match is not a mark): a violation.
        const unmarked = { metadata: { namespace: "edge" }, spec: { type: "LoadBalancer" } };
        expect(await violations("k8s-08-internal-load-balancer", "kubernetes:core/v1:Service", unmarked, { name: "public-web" })).toHaveLength(1);
        // Granted for another policy only: the mark does not exempt from this one.
        await pack.configure(exception("public-web", ["k8s-15-knative-cluster-local"]));
        expect(await violations("k8s-08-internal-load-balancer", "kubernetes:core/v1:Service", marked, { name: "web-lb" })).toHaveLength(1);
    });

    it("reads the mark of a gateway helm release from values.service.annotations, and of cloud resources from tags and labels", async () => {
        await pack.configure({
            [EXCEPTIONS]: {
                exceptions: [
                    { name: "mesh-ingress", reason: "public API gateway", policies: ["k8s-08-internal-load-balancer"] },
                    { name: "public-site", reason: "marketing site", policies: ["net-14-serverless-internal-ingress"] },
                ],
            },
        });
        const release = (mark?: string) => ({
            chart: "gateway",
            repositoryOpts: { repo: "https://istio-release.storage.googleapis.com/charts" },
            values: { service: { type: "LoadBalancer", ...(mark ? { annotations: { "platform.io/edge-exception": mark } } : {}) } },
        });
        const gw = await pack.analyze(resource("kubernetes:helm.sh/v3:Release", release("mesh-ingress"), { name: "gw" }));
        expect(gw.notApplicable).toContainEqual({ policy: "k8s-08-internal-load-balancer", reason: 'policy exception "mesh-ingress" marked on "gw": public API gateway' });
        expect(await violations("k8s-08-internal-load-balancer", "kubernetes:helm.sh/v3:Release", release(), { name: "gw2" })).toHaveLength(1);
        const run = (labels: Record<string, string>) => ({ ingress: "INGRESS_TRAFFIC_ALL", labels });
        const site = await pack.analyze(resource("gcp:cloudrunv2/service:Service", run({ "platform-policy-exception": "public-site" }), { name: "site" }));
        expect(site.notApplicable).toContainEqual({ policy: "net-14-serverless-internal-ingress", reason: 'policy exception "public-site" marked on "site": marketing site' });
        expect(await violations("net-14-serverless-internal-ingress", "gcp:cloudrunv2/service:Service", run({}))).toHaveLength(1);
        const app = { configuration: { ingress: { external: true } }, tags: { "platform-policy-exception": "public-site" } };
        expect((await pack.analyze(resource("azure-native:app:ContainerApp", app, { name: "app" }))).notApplicable).toContainEqual({
            policy: "net-14-serverless-internal-ingress",
            reason: 'policy exception "public-site" marked on "app": marketing site',
        });
    });

    it("exempts a namespace marked with a granted exception from K8S-01; system namespaces come from config, not the pack", async () => {
        const ns = (name: string, level: string, mark?: string) => ({
            metadata: { name, labels: { "pod-security.kubernetes.io/enforce": level }, ...(mark ? { annotations: { "platform.io/edge-exception": mark } } : {}) },
        });
        await pack.configure(exception("spin-apps", ["k8s-01-pod-security-restricted"], "SpinApps have no pod securityContext"));
        const exempt = await pack.analyze(resource("kubernetes:core/v1:Namespace", ns("wasm", "baseline", "spin-apps"), { name: "wasm-ns" }));
        expect(exempt.diagnostics.filter((d) => d.policy === "k8s-01-pod-security-restricted")).toEqual([]);
        expect(exempt.notApplicable).toContainEqual({ policy: "k8s-01-pod-security-restricted", reason: 'policy exception "spin-apps" marked on "wasm-ns": SpinApps have no pod securityContext' });
        expect(await violations("k8s-01-pod-security-restricted", "kubernetes:core/v1:Namespace", ns("wasm", "baseline"))).toHaveLength(1);
        // The pack's own default knows only Kubernetes' namespaces: a platform add-on namespace at baseline is a
        // violation until the stack's pack config lists it as a system namespace.
        await pack.configure({});
        expect(await violations("k8s-01-pod-security-restricted", "kubernetes:core/v1:Namespace", ns("kube-system", "baseline"))).toEqual([]);
        expect(await violations("k8s-01-pod-security-restricted", "kubernetes:core/v1:Namespace", ns("cert-manager", "baseline"))).toHaveLength(1);
        await pack.configure({ "k8s-01-pod-security-restricted": { systemNamespaces: ["kube-system", "cert-manager"] } });
        expect(await violations("k8s-01-pod-security-restricted", "kubernetes:core/v1:Namespace", ns("cert-manager", "baseline"))).toEqual([]);
    });

    it("rejects an exception without a reason, with a name that is not a DNS label, or naming a policy the pack does not have", async () => {
        const bad = (e: unknown) => pack.configure({ [EXCEPTIONS]: { exceptions: [e] } });
        await expect(bad({ name: "web", reason: "", policies: ["k8s-08-internal-load-balancer"] })).rejects.toThrow(/zero-trust-exceptions.*reason/);
        await expect(bad({ name: "web", reason: "  ", policies: ["k8s-08-internal-load-balancer"] })).rejects.toThrow(/zero-trust-exceptions.*reason/);
        await expect(bad({ name: "web", policies: ["k8s-08-internal-load-balancer"] })).rejects.toThrow(/reason/);
        await expect(bad({ name: "Web_Edge", reason: "r", policies: ["k8s-08-internal-load-balancer"] })).rejects.toThrow(/zero-trust-exceptions.*name/);
        await expect(bad({ name: "web", reason: "r", policies: ["k8s-99-no-such-rule"] })).rejects.toThrow(/zero-trust-exceptions.*policies.*allowed values/);
        // The exception model replaced the per-rule lists: they are no longer accepted.
        await expect(pack.configure({ "k8s-08-internal-load-balancer": { edgeExceptions: ["web"] } })).rejects.toThrow(/edgeExceptions/);
    });

    it("accepts public ranges listed in allowedCidrs, never the whole internet", async () => {
        await pack.configure({ "net-12-gcp-firewall-no-world-ingress": { allowedCidrs: ["203.0.113.0/24"] } });
        const fw = (r: string) => ({ allows: [{ protocol: "tcp", ports: ["443"] }], sourceRanges: [r] });
        expect(await violations("net-12-gcp-firewall-no-world-ingress", "gcp:compute/firewall:Firewall", fw("203.0.113.0/25"))).toEqual([]);
        expect(await violations("net-12-gcp-firewall-no-world-ingress", "gcp:compute/firewall:Firewall", fw("198.51.100.0/24"))).toHaveLength(1);
        expect(await violations("net-12-gcp-firewall-no-world-ingress", "gcp:compute/firewall:Firewall", fw("0.0.0.0/0"))).toHaveLength(1);
    });

    it("overrides the enforcement level per rule", async () => {
        await pack.configure({ "id-03-gke-no-legacy-auth": "advisory", "id-10-imdsv2-hop-limit": "disabled" });
        expect((await violations("id-03-gke-no-legacy-auth", GKE, { enableLegacyAbac: true }))[0].enforcementLevel).toBe("advisory");
        expect(await violations("id-10-imdsv2-hop-limit", "aws:ec2/launchTemplate:LaunchTemplate", {})).toEqual([]);
    });

    it("rejects config the pack's schema does not allow, before analysing", async () => {
        await expect(pack.configure({ "net-12-gcp-firewall-no-world-ingress": { allowedCidrs: "10.0.0.0/8" } as any })).rejects.toThrow(/allowedCidrs must be array/);
        await expect(pack.configure({ "no-such-policy": "mandatory" })).rejects.toThrow(/no-such-policy/);
    });
});
