/**
 * What stops the first `pulumi up` on AKS, checked over the plan: the kubeconfig the Kubernetes provider
 * gets signs in without a prompt (AKS returns a device-code one, as the mocks do), the provider waits for
 * the deployer's role assignment to work (not only to exist), the cluster is protected like the keys, and
 * KMS gets the key version Key Vault reports as current (not the one the key was created with).
 */
import { Provider as AzureProvider } from "@pulumi/azure-native/provider";
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { AksCluster, type AksClusterArgs } from "../components/cluster";
import { AKS_LOGIN_MODES, AKS_SERVER_APP_ID } from "../components/cluster/kubeconfig";
import { AzureKeyVaultKey } from "../components/keys";
import { AzureNetwork } from "../components/network";
import { ConfigError, parsePlatformConfig, platformConfigSchema } from "../stacks/config";
import { planStack, type Plan, type RecordedResource } from "../tools/plan/index";
import { MOCK_AZURE_CURRENT_KEY_VERSION, MOCK_AZURE_DEPLOYER_OBJECT_ID } from "../tools/plan/mocks/azure";
import { MOCK_AZURE_TENANT } from "../tools/plan/mocks/types";
import { runUnderMocks } from "../tools/plan/runtime";

const T = {
    cluster: "azure-native:containerservice:ManagedCluster",
    pool: "azure-native:containerservice:AgentPool",
    role: "azure-native:authorization:RoleAssignment",
    workspace: "azure-native:operationalinsights:Workspace",
    key: "azure-native:keyvault:Key",
    vault: "azure-native:keyvault:Vault",
    check: "pulumi-nodejs:dynamic/platform:ClusterAccessCheck",
    k8s: "pulumi:providers:kubernetes",
};
/** The deployer's client id as the mocked getClientConfig reports it. */
const MOCK_DEPLOYER_CLIENT_ID = "33333333-3333-3333-3333-333333333333";

const only = (rs: RecordedResource[], type: string) => {
    const found = rs.filter((r) => r.type === type);
    expect(found, `exactly one ${type}`).toHaveLength(1);
    return found[0]!;
};
const azureOnly = (extra: Record<string, unknown> = {}) => ({
    "platform:clouds": ["azure"],
    ...("services" in platformConfigSchema.shape ? { "platform:services": [] } : {}),
    ...extra,
});
/** The exec user of a kubeconfig (JSON or YAML-compatible JSON) and its server. */
function execOf(kubeconfig: string) {
    const doc = JSON.parse(kubeconfig);
    const context = doc.contexts.find((c: any) => c.name === doc["current-context"]).context;
    return {
        exec: doc.users.find((u: any) => u.name === context.user).user.exec,
        server: doc.clusters.find((c: any) => c.name === context.cluster).cluster.server as string,
    };
}
/** The value after a flag in exec args. */
const flag = (args: string[], name: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);

describe("AKS on the azure stack: login, access wait, protection, KMS key version", () => {
    let plan: Plan;
    let res: RecordedResource[];
    beforeAll(async () => {
        plan = await planStack("dev", azureOnly({ "platform:regions": { azure: "francecentral" } }));
        res = plan.resources;
    });

    it("hands the Kubernetes provider a kubeconfig whose kubelogin never prompts (azurecli by default), though AKS returned device code", () => {
        const provider = only(res, T.k8s);
        expect(provider.inputs.kubeconfig).toBe("[secret]");
        const { exec, server } = execOf(String(provider.rawInputs.kubeconfig));
        expect(exec).toMatchObject({ command: "kubelogin", interactiveMode: "Never" });
        expect(exec.args[0]).toBe("get-token");
        expect(flag(exec.args, "--login")).toBe("azurecli");
        expect(flag(exec.args, "--server-id")).toBe(AKS_SERVER_APP_ID);
        // The only --login is the chosen one: nothing of the device-code user AKS returned survives.
        expect(exec.args.filter((a: string) => a === "--login")).toHaveLength(1);
        expect(exec.args).not.toContain("devicecode");
        expect(server).toMatch(/^https:\/\/.*privatelink\.francecentral\.azmk8s\.io:443$/);
        // The stack output is the same kubeconfig (what kubectl users get).
        expect((plan.outputs["azure"] as any).kubeconfig).toBe(provider.rawInputs.kubeconfig);
    });

    it("orders the Kubernetes provider after a bounded access check that watches every deployer role assignment on the cluster", () => {
        const provider = only(res, T.k8s);
        const check = only(res, T.check);
        expect(provider.dependencies).toContain(check.urn);
        // Every role assignment of the deployer: the check depends on each and names each (a replaced one re-runs it).
        const deployerGrants = res.filter((r) => r.type === T.role && (r.inputs as any).principalId === MOCK_AZURE_DEPLOYER_OBJECT_ID);
        expect(deployerGrants.length).toBeGreaterThan(0);
        const watched = (check.rawInputs as any).roleAssignmentIds as string[];
        expect(watched).toHaveLength(deployerGrants.length);
        for (const grant of deployerGrants) {
            expect(check.dependencies, grant.name).toContain(grant.urn);
            expect(watched.filter((id) => id.startsWith(`${(grant.inputs as any).scope}/providers/Microsoft.Authorization/roleAssignments/`))).toHaveLength(1);
        }
        // It checks with exactly the provider's credentials, waits on the user pool, and is bounded.
        expect(check.inputs.kubeconfig).toBe("[secret]");
        expect((check.rawInputs as any).kubeconfig).toBe(provider.rawInputs.kubeconfig);
        expect(check.dependencies).toContain(only(res, T.pool).urn);
        const { timeoutSeconds, intervalSeconds } = check.rawInputs as any;
        // Longer than Azure RBAC's documented propagation ("up to 10 minutes"), at most an hour.
        expect(timeoutSeconds).toBeGreaterThan(600);
        expect(timeoutSeconds).toBeLessThanOrEqual(3600);
        expect(intervalSeconds).toBeGreaterThan(0);
        expect(intervalSeconds).toBeLessThan(timeoutSeconds);
        // Concrete questions, each with a verb, an API group (core is "") and a resource, never a wildcard:
        // AKS's Azure RBAC webhook (guard) refuses wildcards unless resource discovery is on (aks-access.ts).
        const questions = (check.rawInputs as any).questions as { verb: string; group: string; resource: string }[];
        expect(questions.length).toBeGreaterThan(0);
        for (const q of questions) {
            expect(q.verb, JSON.stringify(q)).toMatch(/^[a-z]+$/);
            expect(q.resource, JSON.stringify(q)).toMatch(/^[a-z]+$/);
            expect(q.group, JSON.stringify(q)).toMatch(/^([a-z0-9-]+(\.[a-z0-9-]+)*)?$/);
        }
        expect(questions).toContainEqual({ verb: "create", group: "", resource: "namespaces" });
    });

    it("makes every in-cluster resource on AKS wait for the access check (through the provider)", () => {
        const provider = only(res, T.k8s);
        // Azure only: AKS is the one cluster, so every in-cluster resource (mesh, charts, namespaces) must go
        // through its one provider; a resource created through a provider waits for it, which waits for the check.
        const inCluster = res.filter((r) => r.custom && r.type.startsWith("kubernetes:"));
        expect(inCluster.length).toBeGreaterThan(0);
        for (const r of inCluster) expect(r.provider, r.name).toBe(provider.urn);
    });

    it("protects the AKS cluster and its audit-log workspace like the vault and key", () => {
        for (const type of [T.cluster, T.workspace, T.vault, T.key]) expect(only(res, type).protect, type).toBe(true);
    });

    it("gives KMS the key version Key Vault reports as current on this up, not the version the key was created with", () => {
        const kms = (only(res, T.cluster).inputs as any).securityProfile.azureKeyVaultKms;
        const key = only(res, T.key);
        expect(kms.keyId).toMatch(new RegExp(`/keys/${key.name}/${MOCK_AZURE_CURRENT_KEY_VERSION}$`));
        // Each version outlives the next rotation by the grace in which one `pulumi up` moves AKS on.
        const policy = (key.inputs as any).properties.rotationPolicy;
        const rotate = Number(/^P(\d+)D$/.exec(policy.lifetimeActions.find((a: any) => a.action.type === "rotate").trigger.timeAfterCreate)![1]);
        const expire = Number(/^P(\d+)D$/.exec(policy.attributes.expiryTime)![1]);
        expect(expire - rotate).toBeGreaterThanOrEqual(90);
        expect(policy.lifetimeActions).toContainEqual(expect.objectContaining({ action: { type: "notify" } }));
    });

    it("leaves the cluster and workspace unprotected only when platform:protect is false", async () => {
        const throwaway = (await planStack("dev", azureOnly({ "platform:regions": { azure: "francecentral" }, "platform:protect": false }))).resources;
        expect(only(throwaway, T.cluster).protect).toBe(false);
        expect(only(throwaway, T.workspace).protect).toBe(false);
    });
});

describe("platform:cluster.azureLogin", () => {
    it.each(["devicecode", "interactive", "AzureCLI", ""])("refuses %j with the key, the value and the allowed modes", (value) => {
        let error: unknown;
        try {
            parsePlatformConfig({ clouds: ["azure"], cluster: { azureLogin: value } });
        } catch (e) {
            error = e;
        }
        expect(error).toBeInstanceOf(ConfigError);
        expect((error as ConfigError).problems).toEqual([
            `platform:cluster.azureLogin: ${JSON.stringify(value)} must be one of ${AKS_LOGIN_MODES.map((m) => JSON.stringify(m)).join(", ")}`,
        ]);
    });

    it("defaults to azurecli", () => {
        expect(parsePlatformConfig({ clouds: ["azure"] }).cluster.azureLogin).toBe("azurecli");
    });
});

/** The Azure foundation built directly, as the stack does, with cluster args to vary. */
function runCluster(clusterArgs: Partial<AksClusterArgs>) {
    const sink: RecordedResource[] = [];
    const started = runUnderMocks(
        () => {
            const provider = new AzureProvider("azure", { location: "swedencentral" });
            const providers = { "azure-native": provider };
            const azure = { resourceGroupName: "rg-test", tenantId: MOCK_AZURE_TENANT };
            const key = new AzureKeyVaultKey("t", azure, { providers });
            const network = new AzureNetwork("t", { region: "swedencentral", cidr: "10.20.0.0/16", resourceGroupName: "rg-test" }, { providers });
            const cluster = new AksCluster(
                "t",
                {
                    region: "swedencentral",
                    ...azure,
                    zonal: true,
                    networkId: network.networkId,
                    nodeSubnetId: network.nodeSubnetIds[0]!,
                    apiServerSubnetId: network.apiServerSubnetId,
                    apiServerSubnetCidr: network.subnetPlan.apiServer,
                    secretsKeyId: key.keyId,
                    secretsKeyVaultId: key.vaultId,
                    ...clusterArgs,
                },
                { providers },
            );
            return pulumi.secret(cluster.kubeconfig);
        },
        { project: "platform", stack: "test", sink },
    );
    // A failed run settles only after the registrations already started have finished.
    const run = started.catch(async (e) => {
        await new Promise((r) => setTimeout(r, 300));
        throw e;
    });
    return { run, sink };
}

describe("the AKS kubeconfig per login mode (component)", () => {
    it.each(AKS_LOGIN_MODES)("%s: the provider's kubelogin runs non-interactively in that mode", async (login) => {
        const { resources, outputs } = await runCluster({ login }).run;
        const provider = only(resources, T.k8s);
        const { exec } = execOf(String(provider.rawInputs.kubeconfig));
        expect(String(outputs)).toBe(provider.rawInputs.kubeconfig);
        expect(exec.interactiveMode).toBe("Never");
        expect(flag(exec.args, "--login")).toBe(login);
        expect(flag(exec.args, "--server-id")).toBe(AKS_SERVER_APP_ID);
        if (login === "workloadidentity") {
            // Self-contained for CI: the federated app (the identity running Pulumi) and the cluster's tenant.
            expect(flag(exec.args, "--client-id")).toBe(MOCK_DEPLOYER_CLIENT_ID);
            expect(flag(exec.args, "--tenant-id")).toBe(MOCK_AZURE_TENANT);
            expect(flag(exec.args, "--environment")).toBe("AzurePublicCloud");
        } else {
            // azurecli takes the tenant from the CLI session and msi from the machine (kubelogin's own conversion drops both).
            expect(exec.args).not.toContain("--client-id");
            expect(exec.args).not.toContain("--tenant-id");
        }
    });

    it("refuses an interactive login mode before registering any cluster resource", async () => {
        const { run, sink } = runCluster({ login: "devicecode" });
        await expect(run).rejects.toThrow(/^AksCluster t: args\.login: "devicecode"; allowed: azurecli, workloadidentity, msi/);
        expect(sink.some((r) => r.type.startsWith("azure-native:containerservice") || r.type === "azure-native:managedidentity:UserAssignedIdentity")).toBe(false);
    });

    it("refuses an access wait outside 60-3600 seconds before registering any cluster resource", async () => {
        const { run, sink } = runCluster({ accessTimeoutSeconds: 30 });
        await expect(run).rejects.toThrow(/^AksCluster t: args\.accessTimeoutSeconds: 30; allowed: a whole number of seconds from 60 to 3600$/);
        expect(sink.some((r) => r.type.startsWith("azure-native:containerservice"))).toBe(false);
    });
});
