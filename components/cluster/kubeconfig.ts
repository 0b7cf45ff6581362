/**
 * The kubeconfig the managed-cluster implementations hand to their Kubernetes provider and output:
 * one cluster, one context, and a user whose credentials come from an exec plugin (`aws eks
 * get-token`, `gke-gcloud-auth-plugin`), so no token or key is ever stored in the stack.
 */

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
