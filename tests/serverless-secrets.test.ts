/**
 * Secrets by reference on the managed runtimes (platform:services[].secrets): each runtime receives a
 * reference, never a value; only the service's own identity may read exactly its secrets; the workload
 * waits for those grants; a service without secrets gets no grant and no change. Then the same over the
 * planned dev stack and the ECS Express variant: no secret value, no secret-like literal anywhere.
 */
import * as aws from "@pulumi/aws";
import * as azure from "@pulumi/azure-native/provider";
import * as gcp from "@pulumi/gcp";
import { beforeAll, describe, expect, it } from "vitest";
import {
    CLOUD_RUN_SECRET_VERSION,
    CloudRunService,
    ContainerAppService,
    EcsExpressService,
    KEY_VAULT_PRIVATE_DNS_ZONE,
    KeyVaultPrivateEndpoint,
    LAMBDA_SECRET_ARN_SUFFIX,
    LambdaService,
    SECRET_ACCESSOR_ROLE,
    type CloudRunServiceArgs,
    type ContainerAppServiceArgs,
    type EcsExpressServiceArgs,
    type LambdaServiceArgs,
} from "../components/serverless";
import { AZURE_ROLES } from "../components/azure/roles";
import { planStack, type Plan } from "../tools/plan";
import { BASELINE_CASES } from "../tools/plan/baseline";
import { runUnderMocks, type RecordedResource } from "../tools/plan/runtime";

const base = { name: "orders", image: "registry.example.com/orders:1.0.0", port: 8080, minScale: 0, maxScale: 5, concurrency: 40, cpu: 1, memory: 2048, env: { LOG_LEVEL: "info" } };
/** Two variables reading one secret, and a second secret: one grant per secret. */
const SECRETS = { DB_PASSWORD: "orders-db-password", DB_PASSWORD_FALLBACK: "orders-db-password", API_TOKEN: "orders-api-token" };
const SECRET_NAMES = ["orders-api-token", "orders-db-password"];

const plan = (build: () => unknown) => runUnderMocks(async () => build(), { project: "platform", stack: "test" });
const byType = (resources: RecordedResource[], type: string) => resources.filter((r) => r.type === type);
const one = (resources: RecordedResource[], type: string) => {
    const list = byType(resources, type);
    expect(list, type).toHaveLength(1);
    return list[0];
};

/** Runs `build` and expects it to throw `message` with no resource of `prefix` registered. */
async function refused(build: () => unknown, message: RegExp, prefix: string) {
    let registered: RecordedResource[] = [];
    await expect(plan(build).then((r) => (registered = r.resources))).rejects.toThrow(message);
    expect(registered.filter((r) => r.type.startsWith(prefix))).toEqual([]);
}

// ---------------------------------------------------------------------------------------------------------
function cloudRun(extra: Partial<CloudRunServiceArgs> = {}) {
    const provider = new gcp.Provider("gcp", { project: "p-123", region: "europe-north1" });
    return new CloudRunService(
        "orders",
        { ...base, project: "p-123", region: "europe-north1", network: "projects/p-123/global/networks/plt", subnetwork: "projects/p-123/regions/europe-north1/subnetworks/nodes", ...extra },
        { providers: { gcp: provider } },
    );
}

describe("CloudRunService secrets", () => {
    it("passes each secret as a secretKeyRef and grants only its own service account secretAccessor on exactly those secrets, before the service", async () => {
        const { resources } = await plan(() => cloudRun({ secrets: SECRETS }).url);
        const service = one(resources, "gcp:cloudrunv2/service:Service");
        const envs = (service.inputs as any).template.containers[0].envs as any[];
        expect(envs).toEqual([
            { name: "LOG_LEVEL", value: "info" },
            { name: "DB_PASSWORD", valueSource: { secretKeyRef: { secret: "orders-db-password", version: CLOUD_RUN_SECRET_VERSION } } },
            { name: "DB_PASSWORD_FALLBACK", valueSource: { secretKeyRef: { secret: "orders-db-password", version: "latest" } } },
            { name: "API_TOKEN", valueSource: { secretKeyRef: { secret: "orders-api-token", version: "latest" } } },
        ]);
        const email = (one(resources, "gcp:serviceaccount/account:Account").inputs as any).accountId + "@p-123.iam.gserviceaccount.com";
        const grants = byType(resources, "gcp:secretmanager/secretIamMember:SecretIamMember");
        expect(grants.map((g) => g.inputs).sort((a: any, b: any) => a.secretId.localeCompare(b.secretId))).toEqual(
            SECRET_NAMES.map((secretId) => ({ project: "p-123", secretId, role: SECRET_ACCESSOR_ROLE, member: `serviceAccount:${email}` })),
        );
        // No grant on the project or on any other secret: only per-secret members exist.
        expect(resources.filter((r) => /iam(Member|Binding|Policy)/i.test(r.type) && !grants.includes(r) && r.type !== "gcp:cloudrunv2/serviceIamMember:ServiceIamMember")).toEqual([]);
        for (const g of grants) expect(service.dependencies).toContain(g.urn);
    });

    it("names secrets of another project in full and grants there", async () => {
        const { resources } = await plan(() => cloudRun({ secrets: { DB_PASSWORD: "db" }, secretsProject: "p-secrets" }).url);
        const envs = (one(resources, "gcp:cloudrunv2/service:Service").inputs as any).template.containers[0].envs;
        expect(envs[1]).toEqual({ name: "DB_PASSWORD", valueSource: { secretKeyRef: { secret: "projects/p-secrets/secrets/db", version: "latest" } } });
        expect(one(resources, "gcp:secretmanager/secretIamMember:SecretIamMember").inputs).toMatchObject({ project: "p-secrets", secretId: "db" });
    });

    it("without secrets: no grant, and the service's inputs are those of a service that never heard of secrets", async () => {
        const without = await plan(() => cloudRun().url);
        const empty = await plan(() => cloudRun({ secrets: {} }).url);
        expect(byType(without.resources, "gcp:secretmanager/secretIamMember:SecretIamMember")).toEqual([]);
        expect(byType(empty.resources, "gcp:secretmanager/secretIamMember:SecretIamMember")).toEqual([]);
        const svc = one(without.resources, "gcp:cloudrunv2/service:Service");
        expect((svc.inputs as any).template.containers[0].envs).toEqual([{ name: "LOG_LEVEL", value: "info" }]);
        expect(one(empty.resources, "gcp:cloudrunv2/service:Service").inputs).toEqual(svc.inputs);
    });

    it.each([
        [{ secrets: { DB_PASSWORD: "db password" } }, /^CloudRunService orders: args\.secrets\.DB_PASSWORD: "db password" is not a secret name; allowed: 1-255 letters, digits, _ or - \(Google Secret Manager\)/],
        [{ secrets: { LOG_LEVEL: "log-level" } }, /CloudRunService orders: args\.secrets\.LOG_LEVEL: is also set in args\.env; allowed: a variable in env or in secrets, not both/],
        [{ secrets: { "1BAD": "x" } }, /CloudRunService orders: args\.secrets\.1BAD: "1BAD" is not an environment variable name/],
    ])("rejects %j before registering anything", async (extra, message) => {
        await refused(() => cloudRun(extra as Partial<CloudRunServiceArgs>).url, message, "gcp:");
    });
});

// ---------------------------------------------------------------------------------------------------------
const VAULT_ID = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv-plt";

function containerApp(extra: Partial<ContainerAppServiceArgs> = {}) {
    const provider = new azure.Provider("azure", { location: "swedencentral" });
    return new ContainerAppService(
        "orders",
        { ...base, resourceGroupName: "rg", location: "swedencentral", environmentId: "/subscriptions/s/env", callerRanges: ["10.20.0.0/16"], ...extra },
        { providers: { "azure-native": provider } },
    );
}

describe("ContainerAppService secrets", () => {
    it("holds Key Vault references read by its own identity, which gets Key Vault Secrets User on exactly those secrets, before the app", async () => {
        const { resources } = await plan(() =>
            containerApp({ secrets: { ...SECRETS, SIGNING_KEY: "Orders-Signing-Key" }, keyVaultId: VAULT_ID, keyVaultUri: "https://kv-plt.vault.azure.net" }).url,
        );
        const app = one(resources, "azure-native:app:ContainerApp");
        const identity = one(resources, "azure-native:managedidentity:UserAssignedIdentity");
        const identityId = `/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-orders`;
        const names = [...SECRET_NAMES, "Orders-Signing-Key"].sort();
        // One app secret per Key Vault secret: a versionless URL (the vault URI normalised to end in '/'), the app's identity, no value.
        expect((app.inputs as any).configuration.secrets).toEqual(
            names.map((n) => ({ name: n.toLowerCase(), keyVaultUrl: `https://kv-plt.vault.azure.net/secrets/${n}`, identity: identityId })),
        );
        expect((app.inputs as any).template.containers[0].env).toEqual([
            { name: "LOG_LEVEL", value: "info" },
            { name: "DB_PASSWORD", secretRef: "orders-db-password" },
            { name: "DB_PASSWORD_FALLBACK", secretRef: "orders-db-password" },
            { name: "API_TOKEN", secretRef: "orders-api-token" },
            { name: "SIGNING_KEY", secretRef: "orders-signing-key" },
        ]);
        const grants = byType(resources, "azure-native:authorization:RoleAssignment");
        const byScope = (a: any, b: any) => (a.scope < b.scope ? -1 : a.scope > b.scope ? 1 : 0);
        expect(grants.map((g) => g.inputs).sort(byScope)).toEqual(
            names.map((n) => ({
                principalId: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/),
                principalType: "ServicePrincipal",
                roleDefinitionId: `/subscriptions/00000000-0000-0000-0000-000000000000/providers/Microsoft.Authorization/roleDefinitions/${AZURE_ROLES.keyVaultSecretsUser}`,
                scope: `${VAULT_ID}/secrets/${n}`,
            })).sort(byScope),
        );
        // Every grant names the app's own identity (the mock's principal of id-orders), never the vault as scope.
        const principals = new Set(grants.map((g) => (g.inputs as any).principalId));
        expect(principals.size).toBe(1);
        expect(grants.every((g) => (g.dependencies ?? []).includes(identity.urn))).toBe(true);
        expect(grants.some((g) => (g.inputs as any).scope === VAULT_ID)).toBe(false);
        for (const g of grants) expect(app.dependencies).toContain(g.urn);
    });

    it("without secrets: no grant, no configuration.secrets, env unchanged", async () => {
        const { resources } = await plan(() => containerApp().url);
        expect(byType(resources, "azure-native:authorization:RoleAssignment")).toEqual([]);
        const app = one(resources, "azure-native:app:ContainerApp").inputs as any;
        expect(app.configuration.secrets).toBeUndefined();
        expect(app.template.containers[0].env).toEqual([{ name: "LOG_LEVEL", value: "info" }]);
    });

    it.each([
        [{ secrets: { DB_PASSWORD: "db" } }, /ContainerAppService orders: args\.keyVaultId: undefined is missing; allowed: the resource id of the Key Vault that holds args\.secrets/],
        [{ secrets: { DB_PASSWORD: "db" }, keyVaultId: VAULT_ID }, /ContainerAppService orders: args\.keyVaultUri: undefined is missing/],
        [{ secrets: { DB_PASSWORD: "db_password" }, keyVaultId: VAULT_ID, keyVaultUri: "https://kv-plt.vault.azure.net/" }, /args\.secrets\.DB_PASSWORD: "db_password" is not a secret name; allowed: 1-127 letters, digits or - \(Azure Key Vault\)/],
        [{ secrets: { DB_PASSWORD: "-db" }, keyVaultId: VAULT_ID, keyVaultUri: "https://kv-plt.vault.azure.net/" }, /args\.secrets: "-db" cannot name a Container Apps secret/],
        [{ secrets: { DB_PASSWORD: "Db", DB_PASSWORD_2: "db" }, keyVaultId: VAULT_ID, keyVaultUri: "https://kv-plt.vault.azure.net/" }, /args\.secrets: "db" and "Db" are the same Key Vault secret \(names are case-insensitive\)/],
    ])("rejects %j before registering anything", async (extra, message) => {
        await refused(() => containerApp(extra as Partial<ContainerAppServiceArgs>).url, message, "azure-native:");
    });
});

describe("KeyVaultPrivateEndpoint", () => {
    const args = { resourceGroupName: "rg", location: "swedencentral", keyVaultId: VAULT_ID, subnetId: "/subscriptions/s/vnet/subnets/data", virtualNetworkId: "/subscriptions/s/vnet" };
    const endpoint = (extra: Record<string, unknown> = {}) =>
        new KeyVaultPrivateEndpoint("kv", { ...args, ...extra }, { providers: { "azure-native": new azure.Provider("azure", { location: "swedencentral" }) } }).endpointId;

    it("puts a private endpoint for the vault into the given subnet and resolves the vault to it in the VNet", async () => {
        const { resources } = await plan(() => endpoint());
        const pe = one(resources, "azure-native:network:PrivateEndpoint");
        expect(pe.inputs).toMatchObject({ subnet: { id: args.subnetId }, privateLinkServiceConnections: [{ privateLinkServiceId: VAULT_ID, groupIds: ["vault"] }] });
        expect(one(resources, "azure-native:privatedns:PrivateZone").inputs).toMatchObject({ privateZoneName: KEY_VAULT_PRIVATE_DNS_ZONE, location: "global" });
        expect(one(resources, "azure-native:privatedns:VirtualNetworkLink").inputs).toMatchObject({ virtualNetwork: { id: args.virtualNetworkId }, registrationEnabled: false });
        const group = one(resources, "azure-native:network:PrivateDnsZoneGroup");
        expect(group.dependencies).toContain(pe.urn);
        expect((group.inputs as any).privateDnsZoneConfigs).toHaveLength(1);
    });

    it("rejects a missing subnet before registering anything", async () => {
        await refused(() => endpoint({ subnetId: "" }), /^KeyVaultPrivateEndpoint kv: args\.subnetId: "" is missing; allowed: the id of a subnet that is not delegated/, "azure-native:network");
    });
});

// ---------------------------------------------------------------------------------------------------------
const awsNetwork = { vpcId: "vpc-1", vpcCidr: "10.10.0.0/16", subnetIds: ["subnet-a", "subnet-b"], kmsKeyArn: "arn:aws:kms:eu-north-1:123456789012:key/k" };
/** The mock's ARN of a secret: name, '-', six letters (Secrets Manager's random suffix). */
const secretArn = (name: string) => new RegExp(`^arn:aws:secretsmanager:eu-north-1:123456789012:secret:${name}-[A-Za-z0-9]{6}$`);

function lambda(extra: Partial<LambdaServiceArgs> = {}) {
    const provider = new aws.Provider("aws", { region: "eu-north-1" });
    return new LambdaService("orders", { ...base, ...awsNetwork, ...extra }, { providers: { aws: provider } });
}
function ecs(extra: Partial<EcsExpressServiceArgs> = {}) {
    const provider = new aws.Provider("aws", { region: "eu-north-1" });
    return new EcsExpressService("orders", { ...base, ...awsNetwork, minScale: 1, ecsClusterArn: "arn:aws:ecs:eu-north-1:123456789012:cluster/services", ...extra }, { providers: { aws: provider } });
}

/** The one statement of a RolePolicy's document, checked to allow only GetSecretValue. */
function secretStatement(policy: RecordedResource) {
    const doc = JSON.parse((policy.inputs as any).policy);
    expect(doc.Statement).toHaveLength(1);
    const [st] = doc.Statement;
    expect(st).toMatchObject({ Effect: "Allow", Action: "secretsmanager:GetSecretValue" });
    expect(st.Condition).toBeUndefined();
    return st as { Resource: string[] };
}

describe("LambdaService secrets", () => {
    it("passes each secret's ARN (never a value) as <ENV>_SECRET_ARN and lets only the function's role read exactly those ARNs, before the function", async () => {
        const { resources } = await plan(() => lambda({ secrets: SECRETS }).url);
        const fn = one(resources, "aws:lambda/function:Function");
        const vars = (fn.inputs as any).environment.variables as Record<string, string>;
        for (const env of Object.keys(SECRETS)) expect(vars[env], env).toBeUndefined();
        expect(vars[`DB_PASSWORD${LAMBDA_SECRET_ARN_SUFFIX}`]).toMatch(secretArn("orders-db-password"));
        expect(vars.DB_PASSWORD_FALLBACK_SECRET_ARN).toBe(vars.DB_PASSWORD_SECRET_ARN);
        expect(vars.API_TOKEN_SECRET_ARN).toMatch(secretArn("orders-api-token"));
        const policy = one(resources, "aws:iam/rolePolicy:RolePolicy");
        const role = one(resources, "aws:iam/role:Role");
        expect(policy.dependencies).toContain(role.urn);
        // Exactly the two ARNs, each the full ARN with its suffix: no wildcard anywhere.
        const st = secretStatement(policy);
        expect([...st.Resource].sort()).toEqual([vars.API_TOKEN_SECRET_ARN, vars.DB_PASSWORD_SECRET_ARN].sort());
        expect(JSON.stringify(st)).not.toContain("*");
        expect(fn.dependencies).toContain(policy.urn);
    });

    it("without secrets: no policy and no ARN variable", async () => {
        const { resources } = await plan(() => lambda().url);
        expect(byType(resources, "aws:iam/rolePolicy:RolePolicy")).toEqual([]);
        expect((one(resources, "aws:lambda/function:Function").inputs as any).environment.variables).toEqual({ LOG_LEVEL: "info", AWS_LWA_PORT: "8080", PORT: "8080" });
    });

    it.each([
        [{ secrets: { DB_PASSWORD: "db" }, env: { DB_PASSWORD_SECRET_ARN: "x" } }, /LambdaService orders: args\.secrets\.DB_PASSWORD: the function receives its ARN as DB_PASSWORD_SECRET_ARN, which args\.env also sets/],
        [{ secrets: { DB_PASSWORD: "db password" } }, /LambdaService orders: args\.secrets\.DB_PASSWORD: "db password" is not a secret name; allowed: 1-512 letters, digits or \/_\+=\.@- \(AWS Secrets Manager\)/],
    ])("rejects %j before registering anything", async (extra, message) => {
        await refused(() => lambda(extra as Partial<LambdaServiceArgs>).url, message, "aws:");
    });
});

describe("EcsExpressService secrets", () => {
    it("gives the container each secret by ARN and lets only the execution role (not the task role) read exactly those ARNs, before the service", async () => {
        const { resources } = await plan(() => ecs({ secrets: SECRETS }).url);
        const service = one(resources, "aws:ecs/expressGatewayService:ExpressGatewayService");
        const container = (service.inputs as any).primaryContainer;
        expect(container.environments).toEqual([{ name: "LOG_LEVEL", value: "info" }]);
        expect(container.secrets.map((s: any) => s.name)).toEqual(Object.keys(SECRETS));
        for (const s of container.secrets) expect(s.valueFrom).toMatch(secretArn(SECRETS[s.name as keyof typeof SECRETS]));
        const policy = one(resources, "aws:iam/rolePolicy:RolePolicy");
        const execution = byType(resources, "aws:iam/role:Role").find((r) => r.name === "orders-execution")!;
        const task = byType(resources, "aws:iam/role:Role").find((r) => r.name === "orders-task")!;
        expect(policy.dependencies).toContain(execution.urn);
        expect(policy.dependencies).not.toContain(task.urn);
        expect((service.inputs as any).executionRoleArn).toMatch(/orders-execution/);
        const st = secretStatement(policy);
        expect([...st.Resource].sort()).toEqual([...new Set(container.secrets.map((s: any) => s.valueFrom))].sort());
        expect(service.dependencies).toContain(policy.urn);
    });

    it("without secrets: no policy and no secrets on the container", async () => {
        const { resources } = await plan(() => ecs().url);
        expect(byType(resources, "aws:iam/rolePolicy:RolePolicy")).toEqual([]);
        expect((one(resources, "aws:ecs/expressGatewayService:ExpressGatewayService").inputs as any).primaryContainer.secrets).toBeUndefined();
    });
});

// ---------------------------------------------------------------------------------------------------------
/** A variable name that says it holds a secret (the zero-trust pack's literal-secret rule looks for the same). */
const SECRET_LIKE = /PASSWORD|TOKEN|SECRET|KEY/i;

/** Every environment entry of the managed runtimes in a plan, as { resource, name, literal value or undefined }. */
function envEntries(resources: RecordedResource[]) {
    const out: { resource: string; name: string; literal: unknown }[] = [];
    for (const r of resources) {
        const i = r.inputs as any;
        if (r.type === "gcp:cloudrunv2/service:Service") for (const e of i.template.containers.flatMap((c: any) => c.envs ?? [])) out.push({ resource: r.name, name: e.name, literal: e.value });
        if (r.type === "azure-native:app:ContainerApp") for (const e of i.template.containers.flatMap((c: any) => c.env ?? [])) out.push({ resource: r.name, name: e.name, literal: e.value });
        if (r.type === "aws:ecs/expressGatewayService:ExpressGatewayService") {
            for (const e of i.primaryContainer.environments ?? []) out.push({ resource: r.name, name: e.name, literal: e.value });
            for (const e of i.primaryContainer.secrets ?? []) out.push({ resource: r.name, name: e.name, literal: e.value });
        }
        if (r.type === "aws:lambda/function:Function") for (const [name, value] of Object.entries(i.environment?.variables ?? {})) out.push({ resource: r.name, name, literal: value });
    }
    return out;
}

/** Resource types that would carry a secret's value: the platform never creates one. */
const SECRET_VALUE_TYPES = [/^aws:secretsmanager\/secretVersion:/, /^gcp:secretmanager\/secretVersion:/, /^azure-native:keyvault:Secret$/];

describe("the planned stacks", () => {
    const plans: Record<string, Plan> = {};
    beforeAll(async () => {
        plans.dev = await planStack("dev");
        const variant = BASELINE_CASES.find((v) => v.id === "aws-ecs-express")!;
        plans[variant.id] = await planStack(variant.stack, variant.overrides);
    }, 300_000);

    it("dev gives hello-api its secret by reference on Cloud Run, Container Apps and Lambda; the ECS variant on ECS Express", () => {
        const dev = plans.dev.resources;
        // Cloud Run's grants (hello-wasm's GKE secret reader has its own, tests/cluster-secrets.test.ts).
        const cloudRunGrants = byType(dev, "gcp:secretmanager/secretIamMember:SecretIamMember").filter((r) => !r.name.includes("-hello-wasm-"));
        expect(cloudRunGrants.map((r) => (r.inputs as any).secretId)).toEqual(["hello-api-db-password"]);
        expect(byType(dev, "azure-native:app:ContainerApp").flatMap((r) => (r.inputs as any).configuration.secrets ?? []).map((s: any) => s.keyVaultUrl)).toEqual([
            expect.stringMatching(/^https:\/\/[a-z0-9-]+\.vault\.azure\.net\/secrets\/hello-api-db-password$/),
        ]);
        expect(byType(dev, "azure-native:authorization:RoleAssignment").filter((r) => String((r.inputs as any).scope).includes("/secrets/")).map((r) => (r.inputs as any).scope)).toEqual([
            expect.stringMatching(/\/providers\/Microsoft\.KeyVault\/vaults\/[A-Za-z0-9-]+\/secrets\/hello-api-db-password$/),
        ]);
        // The platform vault takes no public traffic: the app reaches it through one private endpoint in the
        // data subnet, and waits for it and its DNS.
        const vaultEndpoints = byType(dev, "azure-native:network:PrivateEndpoint").filter((r) => (r.inputs as any).privateLinkServiceConnections[0].groupIds.includes("vault"));
        expect(vaultEndpoints).toHaveLength(1);
        const [pe] = vaultEndpoints;
        expect((pe.inputs as any).privateLinkServiceConnections[0].privateLinkServiceId).toMatch(/\/providers\/Microsoft\.KeyVault\/vaults\/[A-Za-z0-9-]+$/);
        expect((pe.inputs as any).subnet.id).toMatch(/\/subnets\/plt-dev-az-data$/);
        const app = one(dev, "azure-native:app:ContainerApp");
        expect(app.dependencies).toContain(pe.urn);
        const zoneGroup = byType(dev, "azure-native:network:PrivateDnsZoneGroup").find((r) => r.parent === pe.parent)!;
        expect(app.dependencies).toContain(zoneGroup.urn);
        const fn = one(dev, "aws:lambda/function:Function");
        expect((fn.inputs as any).environment.variables.DB_PASSWORD_SECRET_ARN).toMatch(/^arn:aws:secretsmanager:[a-z0-9-]+:\d{12}:secret:hello-api-db-password-[A-Za-z0-9]{6}$/);
        // Only a stack whose Container Apps read secrets gets the vault endpoint.
        expect(plans["aws-ecs-express"].resources.filter((r) => r.type === "platform:index:KeyVaultPrivateEndpoint")).toEqual([]);
        const ecsService = one(plans["aws-ecs-express"].resources, "aws:ecs/expressGatewayService:ExpressGatewayService");
        expect((ecsService.inputs as any).primaryContainer.secrets).toEqual([{ name: "DB_PASSWORD", valueFrom: expect.stringMatching(/:secret:always-on-db-password-[A-Za-z0-9]{6}$/) }]);
    });

    it.each(["dev", "aws-ecs-express"])("%s: no secret-like variable holds a literal, no resource carries a secret value, no output names one", (id) => {
        const { resources, outputs } = plans[id];
        const entries = envEntries(resources);
        expect(entries.length).toBeGreaterThan(0);
        for (const e of entries.filter((x) => SECRET_LIKE.test(x.name))) {
            // The only literal a secret-like name may hold is an ARN (Lambda's reference), never a value.
            if (e.literal !== undefined) expect(`${e.resource} ${e.name}=${e.literal}`).toMatch(/_SECRET_ARN=arn:aws:secretsmanager:[^:]+:\d{12}:secret:[^ ]+-[A-Za-z0-9]{6}$/);
        }
        expect(resources.filter((r) => SECRET_VALUE_TYPES.some((t) => t.test(r.type)))).toEqual([]);
        // No input anywhere is named like a secret's payload.
        expect(JSON.stringify(resources.map((r) => r.inputs))).not.toMatch(/"secret_?string"|"secretData"|"payload"/i);
        // The stack outputs carry URLs and identities only: no env map, no secret reference resolved to a value.
        expect(JSON.stringify(outputs)).not.toMatch(/DB_PASSWORD/);
    });
});
