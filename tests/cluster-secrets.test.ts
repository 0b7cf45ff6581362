/**
 * Secrets of services on clusters (Knative, SpinKube) through External Secrets Operator: per store, the
 * reader identity, its trust or federation, the grants on exactly the service's secrets, a SecretStore
 * authenticated by workload identity only, the ExternalSecret; the stacks wiring them into the workloads
 * by reference; and the configuration errors.
 */
import { beforeAll, describe, expect, it } from "vitest";
import {
    AwsSecretsManagerServiceSecrets,
    AzureKeyVaultServiceSecrets,
    GcpSecretManagerServiceSecrets,
    KubernetesServiceSecrets,
} from "../components/secrets";
import { ConfigError, parsePlatformConfig } from "../stacks/config";
import { planStack, type Plan, type RecordedResource } from "../tools/plan";
import { runUnderMocks } from "../tools/plan/runtime";
import { packageSchema } from "../tools/schema";
import { validateCustomResource } from "./crd";
import { modelTypeErrors } from "./model-schemas";
import { azureSubnetPlan } from "../components/network/azure";

/** The dev stack's Azure VNet range (platform:network.azure.cidr's default; Pulumi.dev.yaml leaves it). */
const DEV_AZURE_CIDR = "10.20.0.0/16";

const STORE = "kubernetes:external-secrets.io/v1:SecretStore";
const EXTERNAL_SECRET = "kubernetes:external-secrets.io/v1:ExternalSecret";
const common = { namespace: "wasm", serviceName: "hello-wasm", secrets: { API_TOKEN: "hello-api-token", DB_PASSWORD: "hello-db-password" } };
const CONTROLLER_ROLE = "arn:aws:iam::123456789012:role/plt-dev-aws-eso-controller";

async function run(build: () => unknown): Promise<RecordedResource[]> {
    return (await runUnderMocks(build, { project: "platform", stack: "test" })).resources;
}
const ofType = (resources: RecordedResource[], type: string) => resources.filter((r) => r.type === type);
const one = (resources: RecordedResource[], type: string) => {
    const found = ofType(resources, type);
    expect(found.map((r) => r.name), type).toHaveLength(1);
    return found[0];
};

/** Every ESO object validates against the upstream API (schema validator and the TypeScript model type check). */
function expectValidEsoObjects(resources: RecordedResource[]): void {
    const objects = resources.filter((r) => r.type === STORE || r.type === EXTERNAL_SECRET);
    expect(objects.length).toBeGreaterThanOrEqual(2);
    for (const o of objects) expect(validateCustomResource(o.rawInputs as any).errors, o.name).toEqual([]);
    expect(modelTypeErrors(objects.map((o) => ({ label: o.name, object: o.rawInputs as any })))).toEqual([]);
}

/** The ExternalSecret every store's component makes: one key per environment variable, owned target Secret. */
function expectExternalSecret(resources: RecordedResource[], property?: string): void {
    const es = one(resources, EXTERNAL_SECRET).rawInputs as any;
    expect(es.metadata).toMatchObject({ name: "hello-wasm-secrets", namespace: "wasm" });
    expect(es.spec).toEqual({
        refreshInterval: "15m",
        secretStoreRef: { kind: "SecretStore", name: "hello-wasm-secrets" },
        target: { name: "hello-wasm-secrets", creationPolicy: "Owner" },
        data: [
            { secretKey: "API_TOKEN", remoteRef: { key: "hello-api-token", ...(property ? { property } : {}) } },
            { secretKey: "DB_PASSWORD", remoteRef: { key: "hello-db-password", ...(property ? { property } : {}) } },
        ],
    });
    // The ExternalSecret waits for its store.
    expect(one(resources, EXTERNAL_SECRET).dependencies).toContain(one(resources, STORE).urn);
}

/**
 * The reader account: its own (not the workload's), no API token mounted; ESO's controller may create
 * tokens for it and for nothing else (a Role on this account's serviceaccounts/token, bound to the
 * controller), and the store waits for that grant.
 */
function reader(resources: RecordedResource[]): any {
    const sa = one(resources, "kubernetes:core/v1:ServiceAccount").rawInputs as any;
    expect(sa.metadata).toMatchObject({ name: "hello-wasm-secrets-reader", namespace: "wasm" });
    expect(sa.automountServiceAccountToken).toBe(false);
    const tokenRole = resources.find((r) => r.type === "kubernetes:rbac.authorization.k8s.io/v1:Role" && r.name === "s-reader-token")!.rawInputs as any;
    expect(tokenRole.metadata).toMatchObject({ name: "hello-wasm-secrets-reader-token", namespace: "wasm" });
    expect(tokenRole.rules).toEqual([{ apiGroups: [""], resources: ["serviceaccounts/token"], resourceNames: ["hello-wasm-secrets-reader"], verbs: ["create"] }]);
    const tokenBinding = resources.find((r) => r.type === "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding" && r.name === "s-reader-token")!;
    expect((tokenBinding.rawInputs as any).subjects).toEqual([{ kind: "ServiceAccount", name: "external-secrets", namespace: "external-secrets" }]);
    expect((tokenBinding.rawInputs as any).roleRef).toEqual({ apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "hello-wasm-secrets-reader-token" });
    expect(one(resources, STORE).dependencies).toContain(tokenBinding.urn);
    return sa;
}

describe("AwsSecretsManagerServiceSecrets (EKS Pod Identity)", () => {
    let resources: RecordedResource[];
    beforeAll(async () => {
        resources = await run(
            () => new AwsSecretsManagerServiceSecrets("s", { ...common, region: "eu-north-1", controllerRoleArn: CONTROLLER_ROLE, readerRolePath: "/platform-secrets/plt-dev/" }),
        );
    });

    it("a reader role under the controller's path and the service's namespace, trusted by the controller's role only, reading exactly the secrets' ARNs", () => {
        const role = one(resources, "aws:iam/role:Role").rawInputs as any;
        // The namespace is the boundary: a SecretStore may name only roles under its namespace's path (admission).
        expect(role.path).toBe("/platform-secrets/plt-dev/wasm/");
        expect(JSON.parse(role.assumeRolePolicy).Statement).toEqual([
            { Sid: "EsoControllerOnly", Effect: "Allow", Principal: { AWS: CONTROLLER_ROLE }, Action: ["sts:AssumeRole", "sts:TagSession"] },
        ]);
        const policy = JSON.parse((one(resources, "aws:iam/rolePolicy:RolePolicy").rawInputs as any).policy);
        expect(policy.Statement).toHaveLength(1);
        expect(policy.Statement[0].Action).toEqual(["secretsmanager:GetSecretValue"]);
        // The full ARNs Secrets Manager gives the two secrets (with their random suffix), nothing wider.
        expect(policy.Statement[0].Resource).toHaveLength(2);
        for (const [arn, name] of (policy.Statement[0].Resource as string[]).map((a, i) => [a, ["hello-api-token", "hello-db-password"][i]])) {
            expect(arn).toMatch(new RegExp(`^arn:aws:secretsmanager:eu-north-1:123456789012:secret:${name}-[A-Za-z]{6}$`));
        }
    });

    it("a store with the role and no auth (the controller's Pod Identity assumes it), and the ExternalSecret", () => {
        // No reader account on AWS: nothing authenticates as one, so ESO mints no token here.
        expect(resources.filter((r) => r.type === "kubernetes:core/v1:ServiceAccount" || r.type.startsWith("kubernetes:rbac."))).toEqual([]);
        const store = one(resources, STORE).rawInputs as any;
        expect(store.spec.provider.aws).toMatchObject({ service: "SecretsManager", region: "eu-north-1" });
        expect(store.spec.provider.aws.auth).toBeUndefined();
        // The reader role's ARN, under the path the controller may assume roles under.
        expect(store.spec.provider.aws.role).toMatch(/^arn:aws:iam::123456789012:role\/platform-secrets\/plt-dev\/wasm\/s-reader/);
        expectExternalSecret(resources);
        expectValidEsoObjects(resources);
    });

    it("refuses a path that is no IAM path before registering anything", async () => {
        await expect(run(() => new AwsSecretsManagerServiceSecrets("s", { ...common, region: "eu-north-1", controllerRoleArn: CONTROLLER_ROLE, readerRolePath: "platform" }))).rejects.toThrow(
            'AwsSecretsManagerServiceSecrets s: args.readerRolePath: "platform" is not an IAM path; allowed: "/" or "/<segments>/"',
        );
    });
});

describe("AzureKeyVaultServiceSecrets (AKS workload identity)", () => {
    let resources: RecordedResource[];
    const vaultId = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv-plt";
    beforeAll(async () => {
        resources = await run(
            () =>
                new AzureKeyVaultServiceSecrets("s", {
                    ...common,
                    resourceGroupName: "rg",
                    location: "swedencentral",
                    oidcIssuerUrl: "https://oidc.example/issuer/",
                    tenantId: "00000000-0000-0000-0000-00000000000t",
                    vaultId,
                    vaultUrl: "https://kv-plt.vault.azure.net/",
                }),
        );
    });

    it("a managed identity federated with the reader account only, Key Vault Secrets User on each secret's own scope", () => {
        const federation = one(resources, "azure-native:managedidentity:FederatedIdentityCredential").rawInputs as any;
        expect(federation).toMatchObject({ issuer: "https://oidc.example/issuer/", subject: "system:serviceaccount:wasm:hello-wasm-secrets-reader", audiences: ["api://AzureADTokenExchange"] });
        const grants = ofType(resources, "azure-native:authorization:RoleAssignment").map((r) => r.rawInputs as any);
        expect(grants.map((g) => g.scope).sort()).toEqual([`${vaultId}/secrets/hello-api-token`, `${vaultId}/secrets/hello-db-password`]);
        for (const g of grants) {
            expect(g.roleDefinitionId).toMatch(/\/roleDefinitions\/4633458b-17de-408a-b874-0445c86b69e6$/);
            expect(g.principalType).toBe("ServicePrincipal");
        }
    });

    it("the reader account carries the identity's client and tenant ids; the store uses WorkloadIdentity through it", () => {
        const sa = reader(resources);
        expect(Object.keys(sa.metadata.annotations).sort()).toEqual(["azure.workload.identity/client-id", "azure.workload.identity/tenant-id"]);
        expect(sa.metadata.annotations["azure.workload.identity/tenant-id"]).toBe("00000000-0000-0000-0000-00000000000t");
        const store = one(resources, STORE).rawInputs as any;
        expect(store.spec.provider).toEqual({ azurekv: { authType: "WorkloadIdentity", vaultUrl: "https://kv-plt.vault.azure.net/", serviceAccountRef: { name: "hello-wasm-secrets-reader" } } });
        expectExternalSecret(resources);
        expectValidEsoObjects(resources);
    });
});

describe("GcpSecretManagerServiceSecrets (GKE Workload Identity)", () => {
    let resources: RecordedResource[];
    beforeAll(async () => {
        resources = await run(() => new GcpSecretManagerServiceSecrets("s", { ...common, project: "platform-dev-123456", clusterName: "plt-gke", clusterLocation: "europe-north2" }));
    });

    it("a Google service account only the reader account may use, secretAccessor on each secret only", () => {
        const account = one(resources, "gcp:serviceaccount/account:Account").rawInputs as any;
        // The service's name and a hash of the component's: stacks sharing a project do not collide.
        expect(account.accountId).toMatch(/^sr-hello-wasm-[0-9a-f]{6}$/);
        const wi = one(resources, "gcp:serviceaccount/iAMMember:IAMMember").rawInputs as any;
        expect(wi).toMatchObject({ role: "roles/iam.workloadIdentityUser", member: "serviceAccount:platform-dev-123456.svc.id.goog[wasm/hello-wasm-secrets-reader]" });
        const grants = ofType(resources, "gcp:secretmanager/secretIamMember:SecretIamMember").map((r) => r.rawInputs as any);
        expect(grants.map((g) => [g.secretId, g.role]).sort()).toEqual([
            ["hello-api-token", "roles/secretmanager.secretAccessor"],
            ["hello-db-password", "roles/secretmanager.secretAccessor"],
        ]);
        for (const g of grants) expect(g.member).toMatch(/^serviceAccount:sr-hello-wasm-[0-9a-f]{6}@/);
    });

    it("the store authenticates through the annotated reader account with the cluster named", () => {
        const sa = reader(resources);
        expect(sa.metadata.annotations["iam.gke.io/gcp-service-account"]).toMatch(/^sr-hello-wasm-[0-9a-f]{6}@/);
        const store = one(resources, STORE).rawInputs as any;
        expect(store.spec.provider).toEqual({
            gcpsm: {
                projectID: "platform-dev-123456",
                auth: { workloadIdentity: { serviceAccountRef: { name: "hello-wasm-secrets-reader" }, clusterLocation: "europe-north2", clusterName: "plt-gke", clusterProjectID: "platform-dev-123456" } },
            },
        });
        expectExternalSecret(resources);
        expectValidEsoObjects(resources);
    });
});

describe("KubernetesServiceSecrets (Secrets of a source namespace)", () => {
    let resources: RecordedResource[];
    beforeAll(async () => {
        resources = await run(() => new KubernetesServiceSecrets("s", { ...common, sourceNamespace: "platform-secrets" }));
    });

    it("the reader may get exactly the named Secrets of the source namespace (no list, no watch, no other Secret)", () => {
        const role = resources.find((r) => r.type === "kubernetes:rbac.authorization.k8s.io/v1:Role" && r.name === "s-reader")!.rawInputs as any;
        expect(role.metadata.namespace).toBe("platform-secrets");
        expect(role.rules).toEqual([{ apiGroups: [""], resources: ["secrets"], resourceNames: ["hello-api-token", "hello-db-password"], verbs: ["get"] }]);
        const binding = resources.find((r) => r.type === "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding" && r.name === "s-reader")!.rawInputs as any;
        expect(binding.metadata.namespace).toBe("platform-secrets");
        expect(binding.roleRef).toEqual({ apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: role.metadata.name });
        expect(binding.subjects).toEqual([{ kind: "ServiceAccount", name: "hello-wasm-secrets-reader", namespace: "wasm" }]);
    });

    it("the store reads the source namespace as the reader through the in-cluster API server; values under key \"value\"", () => {
        reader(resources);
        const store = one(resources, STORE).rawInputs as any;
        expect(store.spec.provider.kubernetes).toEqual({
            remoteNamespace: "platform-secrets",
            server: { url: "https://kubernetes.default.svc", caProvider: { type: "ConfigMap", name: "kube-root-ca.crt", key: "ca.crt" } },
            auth: { serviceAccount: { name: "hello-wasm-secrets-reader" } },
        });
        expectExternalSecret(resources, "value");
        expectValidEsoObjects(resources);
    });

    it("refuses bad arguments with the argument, the value and what is allowed", async () => {
        await expect(run(() => new KubernetesServiceSecrets("s", { ...common, sourceNamespace: "wasm" }))).rejects.toThrow(
            'KubernetesServiceSecrets s: args.sourceNamespace: "wasm" is the service\'s own namespace; allowed: a namespace the service\'s pods cannot read',
        );
        await expect(run(() => new KubernetesServiceSecrets("s", { ...common, secrets: {}, sourceNamespace: "platform-secrets" }))).rejects.toThrow(
            "KubernetesServiceSecrets s: args.secrets: {} names no secret; allowed: at least one ENV_NAME → secret name",
        );
        await expect(run(() => new KubernetesServiceSecrets("s", { ...common, secrets: { "1BAD": "x" }, refreshInterval: "soon", sourceNamespace: "platform-secrets" }))).rejects.toThrow(
            /args\.secrets\.1BAD: is not an environment variable name[\s\S]*args\.refreshInterval: "soon" is not a duration/,
        );
    });
});

describe("the package schema of the store components", () => {
    it("every store component is in the schema with the shared outputs", async () => {
        const classes = ["AwsSecretsManagerServiceSecrets", "AzureKeyVaultServiceSecrets", "GcpSecretManagerServiceSecrets", "KubernetesServiceSecrets", "StrimziClientCredentials"];
        const schema = await packageSchema({ only: classes });
        for (const c of classes.slice(0, 4)) {
            const resource = schema.resources[`platform:index:${c}`];
            expect(resource, c).toBeDefined();
            expect(Object.keys(resource.properties).sort(), c).toEqual(["readerIdentity", "readerServiceAccount", "secretKeys", "secretName"]);
            expect(resource.requiredInputs, c).toEqual(expect.arrayContaining(["namespace", "serviceName", "secrets"]));
        }
        expect(Object.keys(schema.resources["platform:index:StrimziClientCredentials"].properties).sort()).toEqual(["readerServiceAccount", "secretName"]);
    }, 120_000);
});

describe("stacks: services with secrets on the clusters", () => {
    let dev: Plan;
    let clusters: Plan;
    beforeAll(async () => {
        dev = await planStack("dev");
        // A container service on the clusters (Knative) of all three clouds, declaring two secrets.
        clusters = await planStack("dev", {
            "platform:services": [
                {
                    name: "orders-api",
                    image: "ghcr.io/knative/helloworld-go:v1.23.0",
                    port: 8080,
                    hosting: "cluster",
                    maxScale: 2,
                    secrets: { DB_PASSWORD: "orders-db-password", API_TOKEN: "orders-api-token" },
                },
            ],
        });
    }, 300_000);

    it("dev: hello-wasm (SpinKube on GKE) reads its secret by reference from the ExternalSecret's Secret, after the ExternalSecret", () => {
        const app = dev.resources.find((r) => r.type === "kubernetes:core.spinkube.dev/v1alpha1:SpinApp" && (r.inputs.metadata as any).name === "hello-wasm")!;
        expect((app.inputs.spec as any).variables).toContainEqual({ name: "greeting_signing_key", valueFrom: { secretKeyRef: { name: "hello-wasm-secrets", key: "GREETING_SIGNING_KEY" } } });
        const es = dev.resources.find((r) => r.type === EXTERNAL_SECRET && (r.inputs.metadata as any).namespace === "wasm")!;
        expect((es.inputs.spec as any).data).toEqual([{ secretKey: "GREETING_SIGNING_KEY", remoteRef: { key: "hello-wasm-signing-key" } }]);
        const component = dev.resources.find((r) => r.type === "platform:index:SpinService" && r.name.endsWith("-gcp-hello-wasm"))!;
        expect(component.dependencies).toContain(es.urn);
        expect(dev.resources.find((r) => r.type === "platform:index:GcpSecretManagerServiceSecrets")).toBeDefined();
    });

    it("Knative on EKS, AKS and GKE: each cloud's store component, env by secretKeyRef, no value anywhere", () => {
        const stores = Object.fromEntries(
            ["AwsSecretsManagerServiceSecrets", "AzureKeyVaultServiceSecrets", "GcpSecretManagerServiceSecrets"].map((c) => [c, clusters.resources.filter((r) => r.type === `platform:index:${c}`).length]),
        );
        expect(stores).toEqual({ AwsSecretsManagerServiceSecrets: 1, AzureKeyVaultServiceSecrets: 1, GcpSecretManagerServiceSecrets: 1 });
        const services = clusters.resources.filter((r) => r.type === "kubernetes:serving.knative.dev/v1:Service" && (r.inputs.metadata as any).name === "orders-api");
        expect(services).toHaveLength(3);
        for (const svc of services) {
            const env = (svc.inputs.spec as any).template.spec.containers[0].env as any[];
            expect(env.filter((e) => e.valueFrom?.secretKeyRef).sort((a, b) => a.name.localeCompare(b.name))).toEqual([
                { name: "API_TOKEN", valueFrom: { secretKeyRef: { name: "orders-api-secrets", key: "API_TOKEN" } } },
                { name: "DB_PASSWORD", valueFrom: { secretKeyRef: { name: "orders-api-secrets", key: "DB_PASSWORD" } } },
            ]);
            expect(env.find((e) => e.name === "DB_PASSWORD" && "value" in e)).toBeUndefined();
        }
        // The AWS reader role trusts the cluster's ESO controller role, under the path that role may assume.
        const role = clusters.resources.find((r) => r.type === "aws:iam/role:Role" && r.name.endsWith("-orders-api-secrets-reader"))!;
        // Under the service's namespace: the admission policy lets only that namespace's stores name it.
        const awsStore = clusters.resources.find((r) => r.type === STORE && (r.inputs as any).spec.provider.aws)!.inputs as any;
        expect((role.rawInputs as any).path).toBe(`/platform-secrets/plt-dev/${awsStore.metadata.namespace}/`);
        expect(awsStore.metadata.namespace).toBe("serverless");
        const controller = clusters.resources.find((r) => r.type === "aws:iam/role:Role" && r.name.endsWith("-eso-controller"))!;
        expect(JSON.parse((role.rawInputs as any).assumeRolePolicy).Statement[0].Principal.AWS).toMatch(/eso-controller/);
        expect(controller).toBeDefined();
        // Azure: scoped to single secrets in the platform's vault.
        const grants = clusters.resources.filter((r) => r.type === "azure-native:authorization:RoleAssignment" && r.name.includes("-orders-api-secrets-read-"));
        expect(grants.map((g) => String((g.rawInputs as any).scope).replace(/^.*\/secrets\//, "")).sort()).toEqual(["orders-api-token", "orders-db-password"]);
        // AKS: the vault takes no public traffic, so the store waits for its private endpoint (here the only
        // service with secrets on azure is on the cluster), and the controller may reach the data subnet on 443.
        const endpoint = clusters.resources.find((r) => r.type === "platform:index:KeyVaultPrivateEndpoint")!;
        expect(endpoint).toBeDefined();
        const azureStore = clusters.resources.find((r) => r.type === "platform:index:AzureKeyVaultServiceSecrets")!;
        // (A component dependency is recorded as its children.)
        expect(azureStore.dependencies).toContain(endpoint.urn.replace("pulumi:pulumi:Stack$platform:index:KeyVaultPrivateEndpoint::plt-dev-kv-endpoint", "platform:index:KeyVaultPrivateEndpoint$azure-native:network:PrivateEndpoint::plt-dev-kv-endpoint-pe"));
        const privateStore = clusters.resources.find(
            (r) => r.type === "kubernetes:networking.k8s.io/v1:NetworkPolicy" && (r.inputs.metadata as any).name === "allow-controller-private-store",
        )!;
        expect((privateStore.inputs.spec as any).egress).toEqual([{ to: [{ ipBlock: { cidr: azureSubnetPlan(DEV_AZURE_CIDR).data } }], ports: [{ protocol: "TCP", port: 443 }] }]);
        expect(clusters.resources.filter((r) => r.type === "kubernetes:networking.k8s.io/v1:NetworkPolicy" && (r.inputs.metadata as any).name === "allow-controller-private-store")).toHaveLength(1);
        expectValidEsoObjects(clusters.resources);
        // Names only: the printed plan holds no value, only the secret names.
        expect(JSON.stringify(clusters.resources.map((r) => r.inputs))).not.toMatch(/stringData/);
    });

    it("local (kubernetes target): the protected source namespace, and hello-wasm's secret and Kafka credentials both by ExternalSecret", async () => {
        const local = await planStack("local");
        const source = local.resources.find((r) => r.type === "kubernetes:core/v1:Namespace" && (r.rawInputs as any).metadata.name === "platform-secrets")!;
        expect(source.protect).toBe(true);
        const app = local.resources.find((r) => r.type === "kubernetes:core.spinkube.dev/v1alpha1:SpinApp")!;
        const refs = ((app.inputs.spec as any).variables as any[]).filter((v) => v.valueFrom).map((v) => [v.name, v.valueFrom.secretKeyRef.name, v.valueFrom.secretKeyRef.key]);
        expect(refs.sort()).toEqual([
            ["greeting_signing_key", "hello-wasm-secrets", "GREETING_SIGNING_KEY"],
            ["kafka_sasl_password", "kafka-hello-wasm-credentials", "password"],
            ["kafka_sasl_username", "kafka-hello-wasm-credentials", "username"],
        ]);
        const store = local.resources.find((r) => r.type === STORE && (r.rawInputs as any).metadata.name === "hello-wasm-secrets")!;
        expect((store.rawInputs as any).spec.provider.kubernetes.remoteNamespace).toBe("platform-secrets");
        expectValidEsoObjects(local.resources);
    }, 300_000);
});

describe("configuration errors, before any resource", () => {
    const problemsOf = (raw: Record<string, unknown>): string[] => {
        try {
            parsePlatformConfig(raw);
        } catch (e) {
            if (e instanceof ConfigError) return e.problems;
            throw e;
        }
        return [];
    };

    it("a cluster service with secrets needs External Secrets Operator", () => {
        const problems = problemsOf({
            clouds: ["kubernetes"],
            secrets: { operator: { enabled: false } },
            services: [{ name: "hello-wasm", runtime: "wasm", image: "ghcr.io/spinframework/containerd-shim-spin/examples/spin-rust-hello:v0.19.0", secrets: { API_TOKEN: "hello-token" } }],
        });
        expect(problems).toContain(
            'platform:services[0].secrets: service "hello-wasm" runs on kubernetes (spin), where secrets come through External Secrets Operator, but platform:secrets.operator.enabled is false; allowed: enable the operator, or drop the secrets',
        );
    });

    it("Strimzi's SCRAM clients need External Secrets Operator", () => {
        const problems = problemsOf({ clouds: ["kubernetes"], secrets: { operator: { enabled: false } }, kafka: { enabled: true, clients: [{ name: "checkout" }] } });
        expect(problems.some((p) => p.startsWith("platform:secrets.operator.enabled: false, but Strimzi on kubernetes has SCRAM clients (checkout)"))).toBe(true);
    });

    it("a service named kafka-<client> with secrets cannot share a Strimzi client's credential names", () => {
        const raw = (name: string) => ({
            clouds: ["kubernetes"],
            kafka: { enabled: true, clients: [{ name: "checkout" }] },
            services: [{ name, image: "ghcr.io/acme/x:1", secrets: { TOKEN: "x-token" } }],
        });
        expect(problemsOf(raw("kafka-checkout"))).toEqual([
            'platform:services[0].name: "kafka-checkout" with secrets on a cluster would share the secret store, reader and ExternalSecret names of Strimzi client "checkout"\'s credentials (kafka-checkout-secrets); allowed: a service name not starting with "kafka-checkout"',
        ]);
        expect(problemsOf(raw("kafka-orders"))).toEqual([]); // no client of that name
    });

    it("the source namespace must be a namespace name", () => {
        expect(problemsOf({ clouds: ["kubernetes"], secrets: { kubernetes: { sourceNamespace: "Secrets!" } } }).join("\n")).toMatch(/platform:secrets\.kubernetes\.sourceNamespace.*namespace name/);
    });
});
