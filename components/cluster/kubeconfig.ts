/**
 * The kubeconfig the managed-cluster implementations hand to their Kubernetes provider and output:
 * one cluster, one context, and a user whose credentials come from an exec plugin (`aws eks
 * get-token`, `gke-gcloud-auth-plugin`), so no token or key is ever stored in the stack.
 */
import { parse as parseYaml } from "yaml";

/** The client-go exec credential plugin that mints short-lived tokens for the user. */
export interface ExecCredentialPlugin {
    command: string;
    args?: string[];
    /** Shown by kubectl when the command is missing. */
    installHint?: string;
    /** Pass the cluster's server and CA to the plugin (KUBERNETES_EXEC_INFO). */
    provideClusterInfo?: boolean;
    /** Whether the plugin may prompt on a terminal; "Never" for plugins that must not block automation. */
    interactiveMode: "Never" | "IfAvailable" | "Always";
}

/**
 * An exec-plugin kubeconfig (JSON, which every YAML reader accepts) naming the cluster, its context
 * and its user after `clusterName`. `server` is the full https URL of the API endpoint; `caData`
 * undefined means the server's certificate is checked against the system's trusted roots.
 */
export function execKubeconfig(clusterName: string, server: string, caData: string | undefined, plugin: ExecCredentialPlugin): string {
    return JSON.stringify({
        apiVersion: "v1",
        kind: "Config",
        clusters: [{ name: clusterName, cluster: { server, ...(caData === undefined ? {} : { "certificate-authority-data": caData }) } }],
        contexts: [{ name: clusterName, context: { cluster: clusterName, user: clusterName } }],
        "current-context": clusterName,
        users: [{ name: clusterName, user: { exec: { apiVersion: "client.authentication.k8s.io/v1beta1", ...plugin } } }],
    });
}

/**
 * How kubelogin obtains the Entra ID token for an AKS cluster (its `--login` mode), chosen so that
 * nothing ever waits for a person: the kubeconfig AKS returns (`listClusterUserCredential`, format
 * exec) runs kubelogin in device-code mode, which blocks until someone signs in through a browser
 * (pulumi/pulumi-azure-native#2399). Modes and flags are kubelogin's (Azure/kubelogin@v0.2.19
 * pkg/internal/token/options.go, pkg/internal/converter/convert.go):
 * - `azurecli`: the token of the Azure CLI's signed-in account (`az login` on a workstation);
 * - `workloadidentity`: federated credentials; inside GitHub Actions (ACTIONS_ID_TOKEN_REQUEST_URL and
 *   _TOKEN set, i.e. `permissions: id-token: write`) kubelogin asks GitHub for a fresh OIDC token on
 *   every exchange (pkg/internal/token/provider.go), elsewhere it reads AZURE_FEDERATED_TOKEN_FILE;
 * - `msi`: the managed identity of the machine (a self-hosted runner VM in the VNet); AZURE_CLIENT_ID
 *   picks a user-assigned one.
 * kubelogin lets the AAD_LOGIN_METHOD environment variable override `--login` (UpdateFromEnv), so a
 * person can still switch mode locally without changing the stack.
 */
export const AKS_LOGIN_MODES = ["azurecli", "workloadidentity", "msi"] as const;
export type AksLogin = (typeof AKS_LOGIN_MODES)[number];

/** The Entra server application of AKS-managed Entra ID, the same for every cluster (kubelogin README, "exec plugin format"). */
export const AKS_SERVER_APP_ID = "6dae42f8-4368-4678-94ff-3960e28e3630";

export interface AksLoginOptions {
    login: AksLogin;
    /** The cluster's Entra tenant (workloadidentity). */
    tenantId: string;
    /** The federated application's client id (workloadidentity): the identity that runs Pulumi. */
    clientId: string;
}

/** The value following `flag` in an exec plugin's args, if any. */
function argValue(args: unknown, flag: string): string | undefined {
    if (!Array.isArray(args)) return undefined;
    const i = args.indexOf(flag);
    return i >= 0 && typeof args[i + 1] === "string" ? args[i + 1] : undefined;
}

/**
 * The kubeconfig the platform hands to kubectl and the Kubernetes provider for an AKS cluster: the
 * server and CA of the kubeconfig AKS returned (`aksKubeconfig`, YAML), and a kubelogin user in the
 * chosen non-interactive mode (`interactiveMode: Never`). Throws, naming what is missing, when the
 * AKS kubeconfig has no current cluster.
 */
export function aksExecKubeconfig(clusterName: string, aksKubeconfig: string, o: AksLoginOptions): string {
    if (!(AKS_LOGIN_MODES as readonly string[]).includes(o.login)) {
        throw new Error(`AKS login ${JSON.stringify(o.login)} is not supported; allowed: ${AKS_LOGIN_MODES.join(", ")} (modes that never prompt)`);
    }
    const doc = parseYaml(aksKubeconfig) ?? {};
    const contextName = doc["current-context"];
    const context = (doc.contexts ?? []).find((c: any) => c?.name === contextName)?.context;
    const cluster = (doc.clusters ?? []).find((c: any) => c?.name === context?.cluster)?.cluster;
    if (!cluster?.server || !cluster["certificate-authority-data"]) {
        throw new Error(`the kubeconfig AKS returned for ${clusterName} has no server and CA for its current context ${JSON.stringify(contextName)}`);
    }
    const returned = (doc.users ?? []).find((u: any) => u?.name === context?.user)?.user?.exec;
    // The server application and the cloud come from what AKS returned (sovereign clouds differ).
    const serverId = argValue(returned?.args, "--server-id") ?? AKS_SERVER_APP_ID;
    const environment = argValue(returned?.args, "--environment");
    const args = ["get-token", "--login", o.login, "--server-id", serverId];
    if (o.login === "workloadidentity") {
        // Without these, kubelogin needs AZURE_CLIENT_ID and AZURE_TENANT_ID in the environment (they still override).
        args.push("--client-id", o.clientId, "--tenant-id", o.tenantId);
        if (environment) args.push("--environment", environment);
    }
    return execKubeconfig(clusterName, cluster.server, cluster["certificate-authority-data"], {
        command: "kubelogin",
        args,
        installHint: "kubelogin is required to authenticate to AKS with Entra ID: https://azure.github.io/kubelogin/install.html (or `az aks install-cli`)",
        interactiveMode: "Never",
    });
}

/**
 * A managed cluster's identity for the Kubernetes provider's `clusterIdentifier`: known when the program
 * runs (cloud, region, the component's name), unlike the kubeconfig, so a preview of an update to the
 * cluster never plans to replace the provider and everything deployed through it.
 */
export function managedClusterIdentifier(cloud: "aws" | "azure" | "gcp", region: string | undefined, name: string): string {
    return `${cloud}/${region ?? "default"}/${name}`;
}
