/**
 * ClusterAccessCheck: waits, on `pulumi up`, until the identity running Pulumi can act in a new AKS
 * cluster through Azure RBAC, so the first in-cluster resource is not refused while the deployer's
 * role assignment propagates.
 *
 * Why: with local accounts disabled, the deployer's "Azure Kubernetes Service RBAC Cluster Admin"
 * assignment is the only way in, and Azure role assignments take effect minutes after ARM accepts
 * them (https://learn.microsoft.com/azure/role-based-access-control/troubleshooting: "up to 10
 * minutes"). The Kubernetes provider does not retry a 403: its create retries only NotFound and
 * no-match errors (pulumi/pulumi-kubernetes@v4.32.0 provider/pkg/await/await.go,
 * `retrier.Do(apierrors.IsNotFound, meta.IsNoMatchError)`), and a refused Helm install fails the
 * release. Ordering after the assignment alone is therefore not enough.
 *
 * How: a dynamic resource whose create asks the API server, with the same kubeconfig (and so the
 * same kubelogin credential) the Kubernetes provider uses, whether the caller may do what the
 * platform's first resources need (ACCESS_QUESTIONS: one SelfSubjectAccessReview each), until all
 * are allowed or the bounded wait ends. It asks concrete questions, never a wildcard: AKS's Azure
 * RBAC webhook (guard) refuses a wildcard verb/group/resource unless resource discovery is on
 * ("Wildcard support for Resource/Verb/Group is not enabled", kubeguard/guard
 * authz/providers/azure/rbac/checkaccessreqhelper.go; `DiscoverResources: false` by default in
 * authz/providers/azure/options/options.go), so `kubectl auth can-i '*' '*'` would never pass. It also tolerates the API server's private DNS
 * name resolving late. It runs only on create (and when the role assignments it watches are
 * replaced); a preview never runs it. The provider code below is serialized into the stack by
 * Pulumi, so it uses nothing but Node's built-in modules and its own inputs.
 */
import * as pulumi from "@pulumi/pulumi";

/** What the check needs; every field is part of its inputs, so changing one re-runs the check. */
export interface ClusterAccessCheckArgs {
    /** The exec-plugin kubeconfig (JSON) the Kubernetes provider gets (a secret). */
    kubeconfig: pulumi.Input<string>;
    /** Ids of the role assignments the caller's access comes from (a replaced one triggers a new check). */
    roleAssignmentIds: pulumi.Input<string>[];
    /** Longest wait, in seconds, before the deploy fails with a clear message. */
    timeoutSeconds: number;
    /** Pause between two checks, in seconds. */
    intervalSeconds: number;
}

/**
 * What the check asks, one SelfSubjectAccessReview each; it passes only when every one is allowed.
 * Cluster-scoped creates across the API groups the platform's first resources use: namespaces (core),
 * CRDs (Istio, Strimzi, Knative charts), cluster role bindings (every chart's RBAC) and admission
 * webhooks (Istio, policy engines). "AKS RBAC Cluster Admin" grants all four; a reader or a
 * namespace-scoped role does not.
 */
export const ACCESS_QUESTIONS: readonly { verb: string; group: string; resource: string }[] = [
    { verb: "create", group: "", resource: "namespaces" },
    { verb: "create", group: "apiextensions.k8s.io", resource: "customresourcedefinitions" },
    { verb: "create", group: "rbac.authorization.k8s.io", resource: "clusterrolebindings" },
    { verb: "create", group: "admissionregistration.k8s.io", resource: "mutatingwebhookconfigurations" },
];

/** Default bound: longer than Azure RBAC's documented "up to 10 minutes", shorter than a CI job's patience. */
export const ACCESS_CHECK_TIMEOUT_SECONDS = 900;
export const ACCESS_CHECK_INTERVAL_SECONDS = 15;

interface CheckInputs {
    kubeconfig: string;
    questions: { verb: string; group: string; resource: string }[];
    roleAssignmentIds: string[];
    timeoutSeconds: number;
    intervalSeconds: number;
}

/**
 * The dynamic provider. Everything it uses is required inside the function bodies (closure
 * serialization captures nothing else from this module).
 */
export const accessCheckProvider: pulumi.dynamic.ResourceProvider = {
    async create(inputs: CheckInputs) {
        const childProcess = require("child_process");
        const https = require("https");
        const config = JSON.parse(inputs.kubeconfig);
        const context = config.contexts.find((c: any) => c.name === config["current-context"]).context;
        const cluster = config.clusters.find((c: any) => c.name === context.cluster).cluster;
        const exec = config.users.find((u: any) => u.name === context.user).user.exec;
        const server = new URL(cluster.server);
        const ca = Buffer.from(cluster["certificate-authority-data"], "base64");
        const env = { ...process.env };
        for (const e of exec.env ?? []) env[e.name] = e.value;

        // The same token the Kubernetes provider gets: the exec plugin's ExecCredential.
        const token = (): string => {
            const out = childProcess.execFileSync(exec.command, exec.args ?? [], { env, encoding: "utf8", timeout: 120_000, stdio: ["ignore", "pipe", "pipe"] });
            return JSON.parse(out).status.token;
        };
        const review = (question: { verb: string; group: string; resource: string }): string =>
            JSON.stringify({ apiVersion: "authorization.k8s.io/v1", kind: "SelfSubjectAccessReview", spec: { resourceAttributes: question } });
        const label = (q: { verb: string; group: string; resource: string }): string => `${q.verb} ${q.resource}${q.group ? `.${q.group}` : ""}`;
        const ask = (bearer: string, question: { verb: string; group: string; resource: string }): Promise<string> =>
            new Promise((resolve) => {
                const req = https.request(
                    {
                        host: server.hostname,
                        port: server.port || 443,
                        path: "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews",
                        method: "POST",
                        ca,
                        timeout: 30_000,
                        headers: { "content-type": "application/json", authorization: `Bearer ${bearer}` },
                    },
                    (res: any) => {
                        let body = "";
                        res.on("data", (chunk: string) => (body += chunk));
                        res.on("end", () => {
                            if (res.statusCode !== 201 && res.statusCode !== 200) return resolve(`${label(question)}: HTTP ${res.statusCode}`);
                            try {
                                const status = JSON.parse(body).status ?? {};
                                resolve(
                                    status.allowed
                                        ? "allowed"
                                        : `${label(question)} not allowed yet (${status.reason || status.evaluationError || "no reason given"})`,
                                );
                            } catch {
                                resolve("unreadable answer");
                            }
                        });
                    },
                );
                req.on("timeout", () => req.destroy(new Error("timed out")));
                req.on("error", (e: Error) => resolve(`unreachable (${e.message})`));
                req.end(review(question));
            });

        const deadline = Date.now() + inputs.timeoutSeconds * 1000;
        let last = "not checked";
        for (;;) {
            try {
                const bearer = token();
                last = "allowed";
                // Every question, in order; the first refusal is the answer to report.
                for (const question of inputs.questions) {
                    last = await ask(bearer, question);
                    if (last !== "allowed") break;
                }
            } catch (e) {
                last = `no token from ${exec.command} (${(e as Error).message.split("\n")[0]})`;
            }
            if (last === "allowed") break;
            if (Date.now() + inputs.intervalSeconds * 1000 > deadline) {
                throw new Error(
                    `the identity running Pulumi still cannot act in ${server.hostname} after ${inputs.timeoutSeconds}s: ${last}. ` +
                        `Check its role on the cluster (Azure Kubernetes Service RBAC Cluster Admin), that this machine reaches the private endpoint, and that ${exec.command} can log in non-interactively; then run pulumi up again.`,
                );
            }
            await new Promise((r) => setTimeout(r, inputs.intervalSeconds * 1000));
        }
        return { id: `${server.hostname}-access`, outs: { ...inputs, checkedAt: new Date().toISOString() } };
    },
    async diff(_id: string, olds: CheckInputs, news: CheckInputs) {
        // A new cluster (kubeconfig) or a replaced role assignment needs a new check; timings do not.
        // In a preview of a cluster update the kubeconfig (read from the cluster) is Pulumi's unknown
        // placeholder (the dynamic provider's diff gets it as that string: @pulumi/pulumi
        // cmd/dynamic-provider diff passes `news` as sent, runtime/rpc `unknownValue`). That is not a
        // change: a new cluster also replaces the role assignment scoped to it, whose id then differs
        // (or is unknown) here; and `pulumi up` diffs again with the real kubeconfig.
        const unknown = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
        const kubeconfigChanged = news.kubeconfig !== unknown && olds.kubeconfig !== news.kubeconfig;
        const changed =
            kubeconfigChanged ||
            JSON.stringify(olds.roleAssignmentIds) !== JSON.stringify(news.roleAssignmentIds);
        return { changes: changed, replaces: changed ? ["kubeconfig"] : [], deleteBeforeReplace: false };
    },
    async update(_id: string, _olds: CheckInputs, news: CheckInputs) {
        return { outs: news };
    },
};

/** Waits until the caller can act in the cluster; order the Kubernetes provider after it. */
export class ClusterAccessCheck extends pulumi.dynamic.Resource {
    constructor(name: string, args: ClusterAccessCheckArgs, opts?: pulumi.CustomResourceOptions) {
        if (!Number.isInteger(args.timeoutSeconds) || args.timeoutSeconds < 60 || args.timeoutSeconds > 3600) {
            throw new Error(`ClusterAccessCheck ${name}: timeoutSeconds is ${args.timeoutSeconds}; allowed: a whole number of seconds from 60 to 3600`);
        }
        if (!Number.isInteger(args.intervalSeconds) || args.intervalSeconds < 1 || args.intervalSeconds > args.timeoutSeconds) {
            throw new Error(`ClusterAccessCheck ${name}: intervalSeconds is ${args.intervalSeconds}; allowed: a whole number from 1 to timeoutSeconds (${args.timeoutSeconds})`);
        }
        super(accessCheckProvider, name, { ...args, questions: ACCESS_QUESTIONS.map((q) => ({ ...q })), kubeconfig: pulumi.secret(args.kubeconfig) }, { ...opts, additionalSecretOutputs: ["kubeconfig"] }, "platform", "ClusterAccessCheck");
    }
}
