/**
 * The zero-trust rules in process, as Pulumi's own policy packs test their rules: each typed check is called
 * with typed fixtures (the provider's own `…Args`, unwrapped), and the adapter (resourcePolicy) with typed
 * ResourceValidationArgs. Per rule: a passing, a failing and a left-unset case (every rule of the shared table,
 * plus typed cases per resource type); the exception model: granted and marked exempts with its reason, anything
 * less does not. The analyzer-protocol tests (tests/policy-rules.test.ts) prove the same rules over the engine path.
 */
import type { SecurityGroupArgs } from "@pulumi/aws/ec2";
import type { ExpressGatewayServiceArgs, TaskDefinitionArgs } from "@pulumi/aws/ecs";
import type { FunctionArgs } from "@pulumi/aws/lambda";
import type { ClusterArgs as EksClusterArgs } from "@pulumi/aws/eks";
import type { RoleArgs, RolePolicyAttachmentArgs } from "@pulumi/aws/iam";
import type { ContainerAppArgs } from "@pulumi/azure-native/app";
import type { ManagedClusterArgs } from "@pulumi/azure-native/containerservice";
import type { SubnetArgs as AzureSubnetArgs, VirtualNetworkArgs } from "@pulumi/azure-native/network";
import type { JobArgs as CloudRunV2JobArgs, ServiceArgs as CloudRunV2ServiceArgs, ServiceIamBindingArgs } from "@pulumi/gcp/cloudrunv2";
import type { ClusterArgs as GkeClusterArgs, NodePoolArgs } from "@pulumi/gcp/container";
import type * as k8s from "@pulumi/kubernetes/types/input";
import type { PolicyConfigSchema, ResourceValidationArgs } from "@pulumi/policy";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
    encryptionRules,
    exceptionsPolicy,
    identityRules,
    isSecretName,
    isolationRules,
    kubernetesRules,
    networkRules,
    resourcePolicy,
    secretsRules,
    setExceptions,
    zeroTrustPolicies,
    type Props,
    type RuleContext,
    type RuleDef,
} from "../policies/zero-trust/rules";
import { namespaceReaderRolePath, secretReaderRolePath, secretStoreBody } from "../components/secrets";
import { cases, variants } from "./policy-cases";

const RULES: RuleDef[] = [...identityRules, ...networkRules, ...encryptionRules, ...isolationRules, ...kubernetesRules, ...secretsRules];
const rule = (name: string) => {
    const r = RULES.find((x) => x.name === name);
    if (!r) throw new Error(`no rule ${name}`);
    return r;
};

/** The config a policy gets when none is given: its schema's defaults (as the engine resolves it). */
function defaults(schema: PolicyConfigSchema | undefined): Record<string, any> {
    return Object.fromEntries(Object.entries(schema?.properties ?? {}).flatMap(([k, s]) => (s && typeof s === "object" && "default" in s ? [[k, s.default]] : [])));
}

/** The messages rule `name`'s check for `type` gives `props` (typed by the caller). */
function judge<P>(name: string, type: string, props: P, config: Record<string, any> = {}, resourceName = "r"): string[] {
    const r = rule(name);
    const check = r.checks[type];
    if (!check) throw new Error(`${name} has no check for ${type}`);
    const cfg = { ...defaults(resourcePolicy(r).configSchema), ...config };
    const ctx: RuleContext = { name: resourceName, urn: `urn:pulumi:test::p::${type}::${resourceName}`, type, config: cfg, allowedCidrs: cfg.allowedCidrs ?? [] };
    return check(props, ctx);
}

/** A typed pass / fail / unset case: the fixtures must be the provider's input type for `type`. */
function typedCase<P>(c: { policy: string; type: string; pass: P; fail: P; unset: P; unsetViolates: boolean; mentions: string }) {
    return c;
}

describe("every rule's table case, in process", () => {
    it("every resource rule has at least one case", () => {
        const covered = new Set(cases.map((c) => c.policy));
        expect(RULES.map((r) => r.name).filter((n) => !covered.has(n))).toEqual([]);
    });
    for (const c of cases) {
        it(`${c.policy} on ${c.type}: passes, fails (naming ${c.mentions}) and judges the unset default`, () => {
            expect(judge(c.policy, c.type, c.pass)).toEqual([]);
            expect(judge(c.policy, c.type, c.fail).join("\n")).toContain(c.mentions);
            expect(judge(c.policy, c.type, c.unset).length > 0).toBe(c.unsetViolates);
        });
    }
});

describe("the catalogue audit: one insecure variant per condition, in process", () => {
    for (const v of variants) {
        it(`${v.policy} on ${v.type}: ${v.condition} (naming ${v.mentions})`, () => {
            expect(judge(v.policy, v.type, v.props).join("\n")).toContain(v.mentions);
        });
    }
});

describe("one typed check per resource type", () => {
    it("no rule has a check for a type it does not judge; every check is keyed by a full type token", () => {
        for (const r of RULES) for (const type of Object.keys(r.checks)) expect(type).toMatch(/^[a-z0-9-]+:[^:]*:[A-Za-z0-9]+$/);
    });

    const typed = [
        typedCase<Props<EksClusterArgs>>({
            policy: "net-01-eks-private-endpoint", type: "aws:eks/cluster:Cluster",
            pass: { roleArn: "arn:role", vpcConfig: { subnetIds: ["s"], endpointPrivateAccess: true, endpointPublicAccess: false } },
            fail: { roleArn: "arn:role", vpcConfig: { subnetIds: ["s"], endpointPrivateAccess: true, endpointPublicAccess: true, publicAccessCidrs: ["0.0.0.0/0"] } },
            unset: { roleArn: "arn:role", vpcConfig: { subnetIds: ["s"] } }, unsetViolates: true, mentions: "vpcConfig.publicAccessCidrs",
        }),
        typedCase<Props<GkeClusterArgs>>({
            policy: "id-04-gke-workload-identity", type: "gcp:container/cluster:Cluster",
            pass: { workloadIdentityConfig: { workloadPool: "p.svc.id.goog" }, removeDefaultNodePool: true },
            fail: { workloadIdentityConfig: { workloadPool: "p.svc.id.goog" }, nodeConfig: { workloadMetadataConfig: { mode: "GCE_METADATA" } } },
            unset: { removeDefaultNodePool: true }, unsetViolates: true, mentions: "nodeConfig.workloadMetadataConfig.mode",
        }),
        typedCase<Props<NodePoolArgs>>({
            policy: "id-04-gke-workload-identity", type: "gcp:container/nodePool:NodePool",
            pass: { cluster: "c", nodeConfig: { workloadMetadataConfig: { mode: "GKE_METADATA" } } },
            fail: { cluster: "c", nodeConfig: { workloadMetadataConfig: { mode: "GCE_METADATA" } } },
            unset: { cluster: "c" }, unsetViolates: true, mentions: "workloadMetadataConfig.mode",
        }),
        typedCase<Props<ManagedClusterArgs>>({
            policy: "net-16-cluster-network-policy", type: "azure-native:containerservice:ManagedCluster",
            pass: { resourceGroupName: "rg", networkProfile: { networkPolicy: "cilium" } },
            fail: { resourceGroupName: "rg", networkProfile: { networkPolicy: "none" } },
            unset: { resourceGroupName: "rg" }, unsetViolates: true, mentions: "networkProfile.networkPolicy",
        }),
        typedCase<Props<SecurityGroupArgs>>({
            policy: "net-06-no-world-ingress", type: "aws:ec2/securityGroup:SecurityGroup",
            pass: { ingress: [{ protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["10.0.0.0/16"] }] },
            fail: { ingress: [{ protocol: "tcp", fromPort: 22, toPort: 22, cidrBlocks: ["0.0.0.0/0"] }] },
            unset: {}, unsetViolates: false, mentions: "ingress[0].cidrBlocks",
        }),
        typedCase<Props<RolePolicyAttachmentArgs>>({
            policy: "id-11-iam-no-admin", type: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
            pass: { role: "r", policyArn: "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy" },
            fail: { role: "r", policyArn: "arn:aws:iam::aws:policy/AdministratorAccess" },
            unset: { role: "r", policyArn: "" }, unsetViolates: false, mentions: "policyArn attaches AdministratorAccess",
        }),
        typedCase<Props<RoleArgs>>({
            policy: "id-11-iam-no-admin", type: "aws:iam/role:Role",
            pass: { assumeRolePolicy: "{}", managedPolicyArns: ["arn:aws:iam::aws:policy/ReadOnlyAccess"] },
            fail: { assumeRolePolicy: "{}", managedPolicyArns: ["arn:aws:iam::aws:policy/AdministratorAccess"] },
            unset: { assumeRolePolicy: "{}" }, unsetViolates: false, mentions: "managedPolicyArns includes AdministratorAccess",
        }),
        typedCase<Props<ServiceIamBindingArgs>>({
            policy: "id-12-cloud-run-no-public-invoker", type: "gcp:cloudrunv2/serviceIamBinding:ServiceIamBinding",
            pass: { name: "svc", role: "roles/run.invoker", members: ["serviceAccount:caller@p.iam.gserviceaccount.com"] },
            fail: { name: "svc", role: "roles/run.invoker", members: ["allUsers"] },
            unset: { name: "svc", role: "roles/run.invoker", members: [] }, unsetViolates: false, mentions: "members includes allUsers",
        }),
        typedCase<Props<CloudRunV2ServiceArgs>>({
            policy: "net-14-serverless-internal-ingress", type: "gcp:cloudrunv2/service:Service",
            pass: { location: "l", template: {}, ingress: "INGRESS_TRAFFIC_INTERNAL_ONLY" },
            fail: { location: "l", template: {}, ingress: "INGRESS_TRAFFIC_ALL" },
            unset: { location: "l", template: {} }, unsetViolates: true, mentions: "ingress is",
        }),
        typedCase<Props<ContainerAppArgs>>({
            policy: "net-14-serverless-internal-ingress", type: "azure-native:app:ContainerApp",
            pass: { resourceGroupName: "rg", configuration: { ingress: { external: true, ipSecurityRestrictions: [{ name: "vnet", action: "Allow", ipAddressRange: "10.0.0.0/16" }] } } },
            fail: { resourceGroupName: "rg", configuration: { ingress: { external: true } } },
            unset: { resourceGroupName: "rg" }, unsetViolates: false, mentions: "configuration.ingress.external",
        }),
        typedCase<Props<AzureSubnetArgs>>({
            policy: "net-11-azure-subnet-nsg", type: "azure-native:network:Subnet",
            pass: { resourceGroupName: "rg", virtualNetworkName: "v", subnetName: "nodes", networkSecurityGroup: { id: "nsg" } },
            fail: { resourceGroupName: "rg", virtualNetworkName: "v", subnetName: "nodes" },
            unset: { resourceGroupName: "rg", virtualNetworkName: "v", subnetName: "GatewaySubnet" }, unsetViolates: false, mentions: "networkSecurityGroup is unset",
        }),
        typedCase<Props<VirtualNetworkArgs>>({
            policy: "net-11-azure-subnet-nsg", type: "azure-native:network:VirtualNetwork",
            pass: { resourceGroupName: "rg", subnets: [{ name: "nodes", networkSecurityGroup: { id: "nsg" } }] },
            fail: { resourceGroupName: "rg", subnets: [{ name: "nodes" }] },
            unset: { resourceGroupName: "rg" }, unsetViolates: false, mentions: 'subnet "nodes"',
        }),
        typedCase<Props<k8s.core.v1.Namespace>>({
            policy: "k8s-05-mesh-enrolment", type: "kubernetes:core/v1:Namespace",
            pass: { metadata: { name: "shop", labels: { "istio.io/dataplane-mode": "ambient" } } },
            fail: { metadata: { name: "shop", labels: { "istio.io/dataplane-mode": "none" } } },
            unset: { metadata: { name: "shop" } }, unsetViolates: true, mentions: "istio.io/dataplane-mode",
        }),
        typedCase<Props<k8s.batch.v1.CronJob>>({
            policy: "k8s-09-no-host-access", type: "kubernetes:batch/v1:CronJob",
            pass: { metadata: { namespace: "shop" }, spec: { schedule: "@daily", jobTemplate: { spec: { template: { spec: { containers: [{ name: "c", securityContext: { allowPrivilegeEscalation: false } }] } } } } } },
            fail: { metadata: { namespace: "shop" }, spec: { schedule: "@daily", jobTemplate: { spec: { template: { spec: { hostNetwork: true, containers: [{ name: "c", securityContext: { allowPrivilegeEscalation: false } }] } } } } } },
            unset: { metadata: { namespace: "shop" }, spec: { schedule: "@daily", jobTemplate: { spec: { template: { spec: { containers: [{ name: "c" }] } } } } } },
            unsetViolates: true, mentions: "hostNetwork",
        }),
        typedCase<Props<k8s.rbac.v1.ClusterRole>>({
            policy: "k8s-13-rbac-least-privilege", type: "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole",
            pass: { rules: [{ apiGroups: [""], resources: ["pods"], verbs: ["get"] }] },
            fail: { rules: [{ apiGroups: ["*"], resources: ["pods"], verbs: ["get"] }] },
            unset: {}, unsetViolates: false, mentions: 'rules[0].apiGroups contains "*"',
        }),
        typedCase<Props<k8s.rbac.v1.ClusterRoleBinding>>({
            policy: "k8s-13-rbac-least-privilege", type: "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding",
            pass: { roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "view" }, subjects: [{ kind: "Group", name: "devs" }] },
            fail: { roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "cluster-admin" }, subjects: [{ kind: "Group", name: "devs" }] },
            unset: { roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "view" } }, unsetViolates: false, mentions: 'roleRef.name is "cluster-admin"',
        }),
        // New in SEC-02/SEC-03/ID-05/ID-13: each further resource type with the provider's own input type.
        typedCase<Props<FunctionArgs>>({
            policy: "sec-03-no-literal-secret-env", type: "aws:lambda/function:Function",
            pass: { role: "r", environment: { variables: { PAYMENT_API_KEY: "arn:aws:secretsmanager:eu-north-1:1:secret:pay-Ab12Cd", LOG_LEVEL: "info" } } },
            fail: { role: "r", environment: { variables: { PAYMENT_API_KEY: "pk_live_123" } } },
            unset: { role: "r" }, unsetViolates: false, mentions: 'environment.variables "PAYMENT_API_KEY" has a literal value',
        }),
        typedCase<Props<TaskDefinitionArgs>>({
            policy: "sec-03-no-literal-secret-env", type: "aws:ecs/taskDefinition:TaskDefinition",
            pass: { family: "f", containerDefinitions: JSON.stringify([{ name: "app", secrets: [{ name: "KAFKA_PASSWORD", valueFrom: "arn:aws:secretsmanager:eu-north-1:1:secret:k" }] }]) },
            fail: { family: "f", containerDefinitions: JSON.stringify([{ name: "app", environment: [{ name: "KAFKA_PASSWORD", value: "p" }] }]) },
            unset: { family: "f", containerDefinitions: "[]" }, unsetViolates: false, mentions: 'containerDefinitions["app"].environment[0] "KAFKA_PASSWORD"',
        }),
        typedCase<Props<ExpressGatewayServiceArgs>>({
            policy: "sec-03-no-literal-secret-env", type: "aws:ecs/expressGatewayService:ExpressGatewayService",
            pass: { executionRoleArn: "e", infrastructureRoleArn: "i", primaryContainer: { image: "app:1", environments: [{ name: "PORT", value: "8080" }], secrets: [{ name: "DB_PASSWORD", valueFrom: "arn:aws:secretsmanager:eu-north-1:1:secret:db" }] } },
            fail: { executionRoleArn: "e", infrastructureRoleArn: "i", primaryContainer: { image: "app:1", environments: [{ name: "DB_PASSWORD", value: "p" }] } },
            unset: { executionRoleArn: "e", infrastructureRoleArn: "i", primaryContainer: { image: "app:1" } }, unsetViolates: false, mentions: "primaryContainer.environments[0]",
        }),
        typedCase<Props<CloudRunV2JobArgs>>({
            policy: "sec-03-no-literal-secret-env", type: "gcp:cloudrunv2/job:Job",
            pass: { location: "l", template: { template: { containers: [{ image: "i", envs: [{ name: "DB_PASSWORD", valueSource: { secretKeyRef: { secret: "db", version: "latest" } } }] }] } } },
            fail: { location: "l", template: { template: { containers: [{ image: "i", envs: [{ name: "DB_PASSWORD", value: "p" }] }] } } },
            unset: { location: "l", template: { template: { containers: [{ image: "i" }] } } }, unsetViolates: false, mentions: "template.template.containers[0].envs[0]",
        }),
        typedCase<Props<CloudRunV2ServiceArgs>>({
            policy: "sec-03-no-literal-secret-env", type: "gcp:cloudrunv2/service:Service",
            pass: { location: "l", template: { containers: [{ image: "i", envs: [{ name: "DB_PASSWORD", valueSource: { secretKeyRef: { secret: "db", version: "latest" } } }] }] } },
            fail: { location: "l", template: { containers: [{ image: "i", envs: [{ name: "DB_PASSWORD", value: "p" }] }] } },
            unset: { location: "l", template: {} }, unsetViolates: false, mentions: "template.containers[0].envs[0]",
        }),
        typedCase<Props<ContainerAppArgs>>({
            policy: "sec-03-no-literal-secret-env", type: "azure-native:app:ContainerApp",
            pass: { resourceGroupName: "rg", configuration: { secrets: [{ name: "db", keyVaultUrl: "https://kv.vault.azure.net/secrets/db", identity: "/id" }] }, template: { containers: [{ name: "app", env: [{ name: "DB_PASSWORD", secretRef: "db" }] }] } },
            fail: { resourceGroupName: "rg", configuration: { secrets: [{ name: "db", value: "p" }] }, template: { containers: [{ name: "app", env: [{ name: "DB_PASSWORD", secretRef: "db" }] }] } },
            unset: { resourceGroupName: "rg" }, unsetViolates: false, mentions: 'configuration.secrets["db"] has a value',
        }),
        typedCase<Props<k8s.batch.v1.Job>>({
            policy: "sec-03-no-literal-secret-env", type: "kubernetes:batch/v1:Job",
            pass: { metadata: { namespace: "shop" }, spec: { template: { spec: { containers: [{ name: "migrate", env: [{ name: "DATABASE_CREDENTIALS", valueFrom: { secretKeyRef: { name: "db", key: "creds" } } }] }] } } } },
            fail: { metadata: { namespace: "shop" }, spec: { template: { spec: { containers: [{ name: "migrate", env: [{ name: "DATABASE_CREDENTIALS", value: "user:pw" }] }] } } } },
            unset: { metadata: { namespace: "shop" }, spec: { template: { spec: { containers: [{ name: "migrate" }] } } } }, unsetViolates: false, mentions: '"DATABASE_CREDENTIALS" has a literal value',
        }),
        typedCase<Props<ManagedClusterArgs>>({
            policy: "id-13-aks-managed-identity", type: "azure-native:containerservice:ManagedCluster",
            pass: { resourceGroupName: "rg", identity: { type: "UserAssigned", userAssignedIdentities: ["/id"] } },
            fail: { resourceGroupName: "rg", identity: { type: "None" }, servicePrincipalProfile: { clientId: "00000000-0000-0000-0000-000000000001", secret: "s" } },
            unset: { resourceGroupName: "rg" }, unsetViolates: true, mentions: "servicePrincipalProfile names a service principal with a client secret",
        }),
        typedCase<Props<GkeClusterArgs>>({
            policy: "id-05-gke-node-service-account", type: "gcp:container/cluster:Cluster",
            pass: { removeDefaultNodePool: true, clusterAutoscaling: { enabled: true, autoProvisioningDefaults: { serviceAccount: "nodes@p.iam.gserviceaccount.com" } } },
            fail: { removeDefaultNodePool: true, clusterAutoscaling: { enabled: true, autoProvisioningDefaults: { serviceAccount: "12345-compute@developer.gserviceaccount.com" } } },
            unset: { removeDefaultNodePool: true, clusterAutoscaling: { enabled: true } }, unsetViolates: true, mentions: "autoProvisioningDefaults.serviceAccount is the default compute service account",
        }),
    ];
    for (const c of typed) {
        it(`${c.policy} on ${c.type}: passes, fails and judges the unset default`, () => {
            expect(judge(c.policy, c.type, c.pass)).toEqual([]);
            expect(judge(c.policy, c.type, c.fail).join("\n")).toContain(c.mentions);
            expect(judge(c.policy, c.type, c.unset).length > 0).toBe(c.unsetViolates);
        });
    }

    it("a check judges only its own type: a Role's rules are not read from a binding", () => {
        const binding: Props<k8s.rbac.v1.RoleBinding> = { roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "r" } };
        expect(judge("k8s-13-rbac-least-privilege", "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding", { ...binding, rules: [{ verbs: ["*"] }] })).toEqual([]);
    });
});

/** ResourceValidationArgs for the adapter, with notApplicable throwing as @pulumi/policy's does. */
function validationArgs(type: string, name: string, props: Record<string, unknown>, config: Record<string, unknown> = {}): ResourceValidationArgs {
    return {
        type,
        name,
        urn: `urn:pulumi:test::p::${type}::${name}`,
        props,
        opts: { protect: false, ignoreChanges: [], aliases: [], additionalSecretOutputs: [], customTimeouts: {}, parent: undefined, provider: undefined } as never,
        stackTags: new Map(),
        isType: () => false,
        asType: () => undefined,
        getConfig: <T extends object>() => config as T,
        notApplicable: (reason?: string) => {
            throw new NotApplicable(reason ?? "");
        },
    } as unknown as ResourceValidationArgs;
}
class NotApplicable extends Error {}

/** Runs the adapter of `policy` on one resource: its messages, or the not-applicable reason. */
function run(policy: string, type: string, name: string, props: Record<string, unknown>): { messages: string[]; notApplicable?: string } {
    const messages: string[] = [];
    try {
        const p = resourcePolicy(rule(policy));
        void (p.validateResource as (a: ResourceValidationArgs, report: (m: string) => void) => void)(validationArgs(type, name, props), (m) => messages.push(m));
    } catch (e) {
        if (e instanceof NotApplicable) return { messages, notApplicable: e.message };
        throw e;
    }
    return { messages };
}

describe("the catalogue and its audit name every policy (docs/zero-trust-rules.md)", () => {
    const doc = readFileSync(resolve(__dirname, "../docs/zero-trust-rules.md"), "utf8");
    const [catalogue, rest] = doc.split("## Audit");
    const audit = rest.split("\n## ")[0];
    /** Backticked policy names in the table rows of a section (a policy name: lowercase id prefix and words). */
    const named = (section: string) =>
        new Set(section.split("\n").filter((l) => l.startsWith("| ")).flatMap((l) => [...l.matchAll(/`([a-z][a-z0-9]*-\d+a?-[a-z0-9-]+)`/g)].map((m) => m[1])));
    const pack = zeroTrustPolicies.filter((p) => p.name !== "zero-trust-exceptions").map((p) => p.name).sort();

    it("every policy of the pack has a catalogue row and an audit row", () => {
        expect(pack.filter((n) => !named(catalogue).has(n))).toEqual([]);
        expect(pack.filter((n) => !named(audit).has(n))).toEqual([]);
    });
    it("every policy the document names exists", () => {
        expect([...named(catalogue), ...named(audit)].filter((n) => !pack.includes(n))).toEqual([]);
    });
});

describe("SEC-02 and the platform's own AWS store", () => {
    it("the store AwsSecretsManagerServiceSecrets builds (its role under namespaceReaderRolePath) passes in its namespace and fails in another", () => {
        const SS = "kubernetes:external-secrets.io/v1:SecretStore";
        const role = `arn:aws:iam::123456789012:role${namespaceReaderRolePath(secretReaderRolePath("plt-dev"), "serverless")}plt-dev-aws-orders-api-secrets-reader-1a2b3c4`;
        const body = (namespace: string) =>
            secretStoreBody({ namespace, serviceName: "orders-api", secrets: { DB_PASSWORD: "orders-db-password" } }, { aws: { service: "SecretsManager", region: "eu-north-1", role } });
        expect(judge("sec-02-secret-store-workload-identity", SS, body("serverless"))).toEqual([]);
        expect(judge("sec-02-secret-store-workload-identity", SS, body("shop")).join("\n")).toContain('is not a reader role of namespace "shop"');
    });
});

describe("SEC-03: which variable names are a secret's", () => {
    const secrets = ["DB_PASSWORD", "db_password", "dbPassword", "db-password", "MYSQL_PASSWD", "SSH_PASSPHRASE", "GITHUB_TOKEN", "apiToken", "CLIENT_SECRET", "JWT_SECRET", "STRIPE_API_KEY", "APIKEY", "apiKey", "TLS_PRIVATE_KEY", "AWS_SECRET_ACCESS_KEY", "MINIO_ACCESS_KEY", "GOOGLE_CREDENTIALS", "DB_CREDENTIAL", "SESSION_SIGNING_KEY", "ENCRYPTION_KEY", "LICENSE_KEY", "APP_SECRETS", "AWS_SESSION_TOKEN"];
    const notSecrets = [
        "LOG_LEVEL", "PORT", "AWS_ACCESS_KEY_ID", "KMS_KEY_ID", "DB_PASSWORD_FILE", "SECRET_NAME", "DB_SECRET_ARN", "TOKEN_URL", "TOKEN_ENDPOINT", "TOKEN_TTL", "OIDC_TOKEN_AUDIENCE",
        "PASSWORD_MIN_LENGTH", "PARTITION_KEY", "SORT_KEY", "ROUTING_KEY", "CACHE_KEY", "PUBLIC_KEY", "KMS_KEY", "PASSWORDLESS_LOGIN", "TOKENIZER_MODE", "KEYCLOAK_URL", "MONKEY", "KEY_VAULT_NAME", "",
        // The AWS Parameters and Secrets Lambda Extension's settings (the documented way a Lambda reads a secret by ARN).
        "PARAMETERS_SECRETS_EXTENSION_CACHE_ENABLED", "PARAMETERS_SECRETS_EXTENSION_CACHE_SIZE", "PARAMETERS_SECRETS_EXTENSION_HTTP_PORT", "PARAMETERS_SECRETS_EXTENSION_LOG_LEVEL",
        "PARAMETERS_SECRETS_EXTENSION_MAX_CONNECTIONS", "SECRETS_MANAGER_TIMEOUT_MILLIS", "SECRETS_MANAGER_TTL", "SSM_PARAMETER_STORE_TTL",
        // Switches and policies about a secret (the words say so), and keys meant to be public.
        "ENABLE_TOKEN_AUTH", "enableTokenAuth", "DISABLE_PASSWORD_LOGIN", "REQUIRE_API_KEY", "ALLOW_TOKEN_REFRESH", "ALLOWED_TOKEN_ISSUERS", "SKIP_TOKEN_VALIDATION",
        "STRIPE_PUBLISHABLE_KEY", "NEXT_PUBLIC_API_KEY",
    ];
    // Prefixes only count as the first word: a secret named after a switch is still a secret.
    secrets.push("TOKEN_ENABLE_SECRET", "SMTP_ALLOW_PASSWORD", "USE_TOKEN");
    for (const n of secrets) it(`${JSON.stringify(n)} is a secret's name`, () => expect(isSecretName(n)).toBe(true));
    it("booleans are switches and numbers settings of a secret, unless the name ends in the secret itself; other literals stay findings", () => {
        const LAMBDA = "aws:lambda/function:Function";
        const literal = (variables: Record<string, unknown>) => judge("sec-03-no-literal-secret-env", LAMBDA, { environment: { variables } }).map((m) => m.match(/"([^"]+)" has a literal value/)?.[1]);
        expect(literal({ TOKEN_AUTH: "true", API_TOKEN_CHECK: "False", SECRET_ROTATION_ON: "yes", PASSWORD_HASH_ROUNDS: "12", TOKEN_RETRIES: 3, SESSION_TOKEN_REFRESH_BEFORE: "30.5", SECRET_BOOL: true })).toEqual([]);
        // Numeric and other literals where the name is the secret: still findings.
        expect(literal({ DB_PASSWORD: "123456", DEVICE_PIN_KEY: 4321, API_TOKEN: "tok", CLIENT_SECRET: "12ab", DB_PASSWORD_HASH_ROUNDS_SECRET: "12" }).sort()).toEqual(["API_TOKEN", "CLIENT_SECRET", "DB_PASSWORD", "DB_PASSWORD_HASH_ROUNDS_SECRET", "DEVICE_PIN_KEY"]);
        // A word that is no boolean is a value: "truee", "enabled-by-default".
        expect(literal({ API_TOKEN: "truee", DB_PASSWORD: "on-call" })).toEqual(["API_TOKEN", "DB_PASSWORD"]);
    });
    for (const n of notSecrets) it(`${JSON.stringify(n)} is not`, () => expect(isSecretName(n)).toBe(false));
});

describe("the exception model, in process", () => {
    afterEach(() => setExceptions({}));
    const lb = (mark?: string): Props<k8s.core.v1.Service> => ({
        metadata: { namespace: "edge", ...(mark ? { annotations: { "platform.io/edge-exception": mark } } : {}) },
        spec: { type: "LoadBalancer" },
    });

    it("the exceptions policy is served first and puts its config in force", () => {
        expect(zeroTrustPolicies[0].name).toBe("zero-trust-exceptions");
        const holder = exceptionsPolicy(["k8s-08-internal-load-balancer"]);
        void (holder.validateResource as (a: ResourceValidationArgs) => void)(
            validationArgs("kubernetes:core/v1:Service", "x", {}, { exceptions: [{ name: "public-web", reason: "storefront", policies: ["k8s-08-internal-load-balancer"] }] }),
        );
        expect(run("k8s-08-internal-load-balancer", "kubernetes:core/v1:Service", "web", lb("public-web"))).toEqual({
            messages: [],
            notApplicable: 'policy exception "public-web" marked on "web": storefront',
        });
    });

    it("granted but not marked, marked but not granted, or granted for another policy: judged as usual", () => {
        setExceptions({ exceptions: [{ name: "public-web", reason: "storefront", policies: ["k8s-08-internal-load-balancer"] }] });
        expect(run("k8s-08-internal-load-balancer", "kubernetes:core/v1:Service", "public-web", lb()).messages).toHaveLength(1);
        expect(run("k8s-08-internal-load-balancer", "kubernetes:core/v1:Service", "web", lb("other")).messages).toHaveLength(1);
        setExceptions({ exceptions: [{ name: "public-web", reason: "storefront", policies: ["k8s-15-knative-cluster-local"] }] });
        expect(run("k8s-08-internal-load-balancer", "kubernetes:core/v1:Service", "web", lb("public-web")).messages).toHaveLength(1);
    });

    it("reads the mark of cloud resources from tags (AWS, Azure) and labels (GCP)", () => {
        setExceptions({ exceptions: [{ name: "public-api", reason: "partner API (OPS-7)", policies: ["net-14-serverless-internal-ingress", "net-01-eks-private-endpoint"] }] });
        const run2: Props<CloudRunV2ServiceArgs> = { location: "l", template: {}, ingress: "INGRESS_TRAFFIC_ALL", labels: { "platform-policy-exception": "public-api" } };
        expect(run("net-14-serverless-internal-ingress", "gcp:cloudrunv2/service:Service", "api", run2 as Record<string, unknown>).notApplicable).toBe('policy exception "public-api" marked on "api": partner API (OPS-7)');
        const eks: Props<EksClusterArgs> = { roleArn: "r", vpcConfig: { subnetIds: ["s"] }, tags: { "platform-policy-exception": "public-api" } };
        expect(run("net-01-eks-private-endpoint", "aws:eks/cluster:Cluster", "eks", eks as Record<string, unknown>).notApplicable).toContain('"public-api"');
    });

    it("refuses an exception without a reason or with a name that is not a DNS label, naming it", () => {
        expect(() => setExceptions({ exceptions: [{ name: "web", reason: " ", policies: ["k8s-08-internal-load-balancer"] }] })).toThrow(/exceptions\[0\] "web": reason is " "; allowed: a non-empty reason/);
        expect(() => setExceptions({ exceptions: [{ name: "Web!", reason: "r", policies: [] }] })).toThrow(/exceptions\[0\]\.name: "Web!"; allowed: a DNS label/);
    });

    it("the exceptions schema allows only the pack's resource policies", () => {
        const schema = zeroTrustPolicies[0].configSchema!.properties!.exceptions as { items: { properties: { policies: { items: { enum: string[] } } } } };
        const allowed = schema.items.properties.policies.items.enum;
        expect(allowed).toEqual([...RULES.map((r) => r.name)].sort());
        expect(allowed).not.toContain("k8s-02-default-deny-network-policy");
    });
});
