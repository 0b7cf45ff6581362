/**
 * External Secrets Operator (ESO) on one cluster: the pinned `external-secrets` Helm chart in its own
 * `external-secrets` PlatformNamespace (default deny, out of the mesh), with only namespace-scoped
 * SecretStores and ExternalSecrets processed. Each SecretStore reads as one service's own identity; this
 * component installs the operator and, on EKS, the controller's Pod Identity role that may only assume the
 * per-service secret readers under `secretReaderRolePath(prefix)`.
 *
 * Chart facts (external-secrets/external-secrets tag helm-chart-2.9.0, deploy/charts/external-secrets):
 * values.yaml `replicaCount: 1`, `leaderElect: false`, `processClusterStore`/`processClusterExternalSecret`/
 * `processPushSecret`/`processClusterPushSecret: true`, `crds.create<Kind>: true`, `webhook.port: 10250`,
 * `webhook.replicaCount`/`certController.replicaCount: 1`, `*.podDisruptionBudget.enabled: false`, container
 * `securityContext` restricted by default (runAsNonRoot, uid 1000, drop ALL, RuntimeDefault, read-only root).
 * templates/_helpers.tpl `reconciler-sanity-test` fails the render when processPushSecret is off but
 * processClusterPushSecret is on. templates/cert-controller-deployment.yaml passes
 * `--crd-names=externalsecrets…,secretstores…` when `crds.createClusterSecretStore` is false, so the
 * cert-controller only patches the CRDs that exist. cmd/controller/root.go (v2.9.0): with
 * `--enable-cluster-store-reconciler=false` the ExternalSecret reconciler skips ClusterSecretStore refs.
 */
import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { awsContext, nameTags, podIdentityTrustPolicy } from "../aws/context";
import { networkFactsProblems, type ClusterNetworkFacts } from "../cluster/network-facts";
import { DNS_LABEL } from "../contracts/names";
import { PlatformNamespace, type NamespaceNetworkPolicy } from "../namespace";
import { egressExceptionProblems, withHttpsDefault, type EgressExceptionArgs } from "../serverless/install/egress";
import { CREDENTIAL_EGRESS } from "../streaming/client-egress";

/** The chart the platform pins (tag helm-chart-2.9.0 / v2.9.0 of external-secrets/external-secrets). */
export const EXTERNAL_SECRETS_CHART_VERSION = "2.9.0";
export const EXTERNAL_SECRETS_CHART_REPO = "https://charts.external-secrets.io";
export const EXTERNAL_SECRETS_NAMESPACE = "external-secrets";
/** Release name; the chart names its Deployments, Services and service accounts after it. */
export const EXTERNAL_SECRETS_RELEASE = "external-secrets";
/**
 * The controller's service account (chart value `serviceAccount.name`, fixed so an EKS Pod Identity
 * association and the per-service reader roles' trust can name it). The controller, not the webhook or
 * cert-controller, calls the secret stores.
 */
export const EXTERNAL_SECRETS_CONTROLLER_SERVICE_ACCOUNT = "external-secrets";

/** `app.kubernetes.io/name` of the chart's three Deployments (templates/_helpers.tpl selector labels). */
export const EXTERNAL_SECRETS_APPS = {
    controller: "external-secrets",
    webhook: "external-secrets-webhook",
    certController: "external-secrets-cert-controller",
} as const;

/** The webhook's container port (values.yaml `webhook.port`; its Service maps 443 to it). */
export const EXTERNAL_SECRETS_WEBHOOK_PORT = 10250;

/** Clouds whose secret store the controller reaches; "kubernetes" reads Secrets through the API server only. */
export const EXTERNAL_SECRETS_CLOUDS = ["aws", "azure", "gcp", "kubernetes"] as const;

/**
 * The IAM path reserved for the per-service secret reader roles of one platform (prefix): the controller's
 * role may assume roles under it, and nothing else. Reader roles created there trust the controller role
 * and may read exactly their service's secrets.
 */
export function secretReaderRolePath(prefix: string): string {
    return `/platform-secrets/${prefix}/`;
}

/** The controller's AWS identity (EKS Pod Identity). */
export interface ExternalSecretsAwsArgs {
    /** The EKS cluster whose Pod Identity agent hands the controller its role. */
    clusterName: pulumi.Input<string>;
    /** The platform prefix: the controller may assume the roles under `secretReaderRolePath(prefix)` only. */
    readerRolePrefix: string;
    /** Tags of the IAM role and the association. */
    tags?: pulumi.Input<Record<string, pulumi.Input<string>>>;
}

export interface ExternalSecretsOperatorArgs {
    /** Chart version; must be 2.9.x. Default EXTERNAL_SECRETS_CHART_VERSION. */
    chartVersion?: string;
    /** Namespace name. Default "external-secrets". */
    namespace?: string;
    /**
     * Where the secrets live: "aws" (Secrets Manager), "azure" (Key Vault), "gcp" (Secret Manager) or
     * "kubernetes" (Secrets of named namespaces, through the API server). Default "kubernetes". A string
     * checked at run time: a Pulumi schema has no literal unions.
     */
    cloud?: string;
    /**
     * The named egress exception `secret-stores` (platform:network.egressExceptions) that lets the
     * controller reach the cloud's secret store and token endpoints over HTTPS (ports default to 443).
     * Required for "aws", "azure" and "gcp"; not used on "kubernetes".
     */
    secretStoreEgress?: EgressExceptionArgs;
    /** With cloud "aws": the controller's EKS Pod Identity role. Required there. */
    aws?: ExternalSecretsAwsArgs;
    /**
     * Private address ranges (IPv4 CIDRs) of the secret store's private endpoints that the controller
     * reaches on 443, e.g. the Azure data subnet holding the platform Key Vault's private endpoint (the
     * vault takes no public traffic, and the egress exception excludes private ranges).
     */
    privateStoreCidrs?: string[];
    /** The cluster's network facts (KubernetesCluster.networkFacts): DNS, API server, policy engine. */
    network?: ClusterNetworkFacts;
}

/** What is wrong with the arguments, one line each; `at` names the component and its args. */
export function externalSecretsOperatorProblems(args: ExternalSecretsOperatorArgs, at: string): string[] {
    const problems: string[] = [];
    const version = args.chartVersion ?? EXTERNAL_SECRETS_CHART_VERSION;
    if (!/^2\.9\.\d+$/.test(version)) problems.push(`${at}.chartVersion: "${version}" is not allowed; allowed: external-secrets 2.9.x, the version the platform pins (e.g. ${EXTERNAL_SECRETS_CHART_VERSION})`);
    if (args.namespace !== undefined && !DNS_LABEL.test(args.namespace)) problems.push(`${at}.namespace: ${JSON.stringify(args.namespace)} is not a namespace name; allowed: a DNS-1123 label`);
    const cloud = args.cloud ?? "kubernetes";
    if (!(EXTERNAL_SECRETS_CLOUDS as readonly string[]).includes(cloud)) {
        problems.push(`${at}.cloud: ${JSON.stringify(cloud)} is not allowed; allowed: ${EXTERNAL_SECRETS_CLOUDS.map((c) => `"${c}"`).join(", ")}`);
    } else if (cloud !== "kubernetes" && !args.secretStoreEgress) {
        problems.push(`${at}.secretStoreEgress: missing for cloud "${cloud}"; allowed: the "secret-stores" egress exception (the controller reaches the cloud's secret store over HTTPS)`);
    }
    problems.push(...egressExceptionProblems(args.secretStoreEgress, `${at}.secretStoreEgress`));
    if (cloud === "aws" && !args.aws) problems.push(`${at}.aws: missing for cloud "aws"; allowed: { clusterName, readerRolePrefix } (the controller's EKS Pod Identity role)`);
    if (args.aws && cloud !== "aws") problems.push(`${at}.aws: set for cloud ${JSON.stringify(cloud)}; allowed: only with cloud "aws" (elsewhere stores authenticate as each service's own identity)`);
    if (args.aws && !DNS_LABEL.test(args.aws.readerRolePrefix ?? "")) {
        problems.push(`${at}.aws.readerRolePrefix: ${JSON.stringify(args.aws.readerRolePrefix)} is not allowed; allowed: a DNS-1123 label such as the platform prefix "plt-dev" (it names an IAM path)`);
    }
    for (const [i, cidr] of (args.privateStoreCidrs ?? []).entries()) {
        if (!/^(\d{1,3}\.){3}\d{1,3}\/([0-9]|[12][0-9]|3[0-2])$/.test(cidr)) problems.push(`${at}.privateStoreCidrs[${i}]: ${JSON.stringify(cidr)} is not allowed; allowed: an IPv4 CIDR such as 10.20.32.0/21`);
    }
    if (args.network) problems.push(...networkFactsProblems(args.network, `${at}.network`));
    return problems;
}

/** Restricted Pod Security for every ESO pod, stated rather than relied on from the chart's defaults. */
const RESTRICTED_POD = { enabled: true, runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } };
const RESTRICTED_CONTAINER = {
    enabled: true,
    allowPrivilegeEscalation: false,
    capabilities: { drop: ["ALL"] },
    readOnlyRootFilesystem: true,
    runAsNonRoot: true,
    runAsUser: 1000,
    seccompProfile: { type: "RuntimeDefault" },
};

const byApp = (app: string) => ({ matchLabels: { "app.kubernetes.io/name": app, "app.kubernetes.io/instance": EXTERNAL_SECRETS_RELEASE } });

/** Two replicas, one allowed down at a time, spread over zones (best effort: small clusters may have one). */
function highlyAvailable(app: string, resources: Record<string, unknown>): Record<string, unknown> {
    return {
        replicaCount: 2,
        podDisruptionBudget: { enabled: true, minAvailable: 1 },
        topologySpreadConstraints: [
            { maxSkew: 1, topologyKey: "topology.kubernetes.io/zone", whenUnsatisfiable: "ScheduleAnyway", labelSelector: byApp(app) },
            { maxSkew: 1, topologyKey: "kubernetes.io/hostname", whenUnsatisfiable: "ScheduleAnyway", labelSelector: byApp(app) },
        ],
        podSecurityContext: RESTRICTED_POD,
        securityContext: RESTRICTED_CONTAINER,
        resources,
    };
}

/** The chart values of the platform's install (exported for the tests and the chart-facts tool). */
export function externalSecretsValues(): Record<string, unknown> {
    const controller = highlyAvailable(EXTERNAL_SECRETS_APPS.controller, { requests: { cpu: "50m", memory: "128Mi" }, limits: { memory: "512Mi" } });
    return {
        fullnameOverride: EXTERNAL_SECRETS_RELEASE,
        // CRDs come with the release (installCRDs), so SecretStores/ExternalSecrets can wait for it.
        installCRDs: true,
        // Zero trust: only namespace-scoped SecretStores (each reading as one service's identity) and
        // ExternalSecrets. A ClusterSecretStore would let any namespace read with one shared identity, a
        // ClusterExternalSecret would copy a secret into many namespaces, and a PushSecret writes cluster
        // Secrets out to a store. Their reconcilers are off and their CRDs are not installed, so such
        // objects cannot even be created. processClusterPushSecret must go with processPushSecret (the
        // chart's reconciler-sanity-test fails otherwise).
        processClusterStore: false,
        processClusterExternalSecret: false,
        processPushSecret: false,
        processClusterPushSecret: false,
        // Helm keeps the CRDs when the release goes (operator disabled, release replaced): deleting them
        // would delete every SecretStore and ExternalSecret, and with them the Secrets they own, which the
        // workloads read. crds.annotations is stamped on every CRD (hack/helm.generate.sh at v2.9.0).
        crds: {
            createClusterSecretStore: false,
            createClusterExternalSecret: false,
            createPushSecret: false,
            createClusterPushSecret: false,
            annotations: { "helm.sh/resource-policy": "keep" },
        },
        // Two controllers need leader election (chart default off): one reconciles, the other takes over.
        // The cert-controller uses the same switch.
        leaderElect: true,
        // The controller mints tokens only for the secret readers: the chart's cluster-wide create on
        // serviceaccounts/token (default true) would let it act as any service account, every workload
        // identity included; each reader brings its own Role instead (components/secrets/service-secrets.ts).
        // Namespace editors and admins do not get ESO's kinds (aggregateTo*): stores and ExternalSecrets are
        // the platform's, each reading as one service's reader (values.yaml at helm-chart-2.9.0: rbac.*).
        rbac: { serviceAccountTokenCreate: false, aggregateToEdit: false, aggregateToAdmin: false },
        serviceAccount: { create: true, name: EXTERNAL_SECRETS_CONTROLLER_SERVICE_ACCOUNT },
        ...controller,
        // The API server calls the webhook for every SecretStore and ExternalSecret: Fail (the chart
        // default) so nothing unvalidated is stored, with two replicas so one node loss does not block writes.
        webhook: { ...highlyAvailable(EXTERNAL_SECRETS_APPS.webhook, { requests: { cpu: "20m", memory: "64Mi" }, limits: { memory: "256Mi" } }), failurePolicy: "Fail" },
        certController: highlyAvailable(EXTERNAL_SECRETS_APPS.certController, { requests: { cpu: "20m", memory: "64Mi" }, limits: { memory: "256Mi" } }),
    };
}

type EgressRule = k8s.types.input.networking.v1.NetworkPolicyEgressRule;

/**
 * The NetworkPolicy allowances of the external-secrets namespace on top of PlatformNamespace's default
 * deny, DNS and API-server egress (every ESO pod watches or updates objects). The cloud's secret store is
 * reached through the `secret-stores` egress exception (a separate policy, controller pods only).
 */
export function externalSecretsNetworkPolicies(cloud: string, privateStoreCidrs: string[] = []): NamespaceNetworkPolicy[] {
    const policies: NamespaceNetworkPolicy[] = [
        // The API server calls the admission webhook (validates SecretStores and ExternalSecrets, and the
        // CRDs' conversion webhook) on its container port; the control plane's source addresses differ per
        // cloud, so the port is the boundary, as for the other operators' webhooks.
        {
            name: "allow-webhook-ingress",
            spec: {
                podSelector: byApp(EXTERNAL_SECRETS_APPS.webhook),
                policyTypes: ["Ingress"],
                ingress: [{ ports: [{ protocol: "TCP", port: EXTERNAL_SECRETS_WEBHOOK_PORT }] }],
            },
        },
    ];
    // Where the controller's own credentials come from (CREDENTIAL_EGRESS, components/streaming/client-egress.ts):
    // on EKS the node's Pod Identity agent (its role then assumes each service's reader role); on GKE the
    // metadata server, which ESO's workloadIdentity auth asks for the cluster's project, name and location
    // when a store omits them (docs/provider/google-secrets-manager.md at v2.9.0). On AKS stores exchange
    // the service account's token with Entra ID over 443 (the secret-stores exception).
    const credentials: EgressRule[] = CREDENTIAL_EGRESS[cloud] ?? [];
    if (credentials.length) {
        policies.push({
            name: "allow-controller-credentials",
            spec: { podSelector: byApp(EXTERNAL_SECRETS_APPS.controller), policyTypes: ["Egress"], egress: credentials },
        });
    }
    // A store behind a private endpoint (Azure: the platform Key Vault in the data subnet) is a private
    // address, which the egress exception never covers: the controller may reach exactly those ranges on 443.
    if (privateStoreCidrs.length) {
        policies.push({
            name: "allow-controller-private-store",
            spec: {
                podSelector: byApp(EXTERNAL_SECRETS_APPS.controller),
                policyTypes: ["Egress"],
                egress: [{ to: privateStoreCidrs.map((cidr) => ({ ipBlock: { cidr } })), ports: [{ protocol: "TCP", port: 443 }] }],
            },
        });
    }
    return policies;
}

/** What an ExternalSecretsOperator keeps for its TypeScript-only getters (resource objects). */
interface OperatorParts {
    release: k8s.helm.v3.Release;
    namespace: PlatformNamespace;
}

/** Per-instance parts, outside the class so the schema analyzer does not list them as outputs. */
const operatorParts = new WeakMap<ExternalSecretsOperator, OperatorParts>();

/** Error of a bad ExternalSecretsOperator argument. */
export class ExternalSecretsOperatorError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "ExternalSecretsOperatorError";
    }
}

/** The controller role's only permission: assume (and tag the session of) the reader roles under the path. */
export function externalSecretsControllerPolicy(partition: string, accountId: string, prefix: string): string {
    return JSON.stringify({
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "AssumeSecretReaders",
                Effect: "Allow",
                Action: ["sts:AssumeRole", "sts:TagSession"],
                Resource: `arn:${partition}:iam::${accountId}:role${secretReaderRolePath(prefix)}*`,
            },
        ],
    });
}

/**
 * External Secrets Operator (chart pinned to 2.9.x) in its own out-of-mesh PlatformNamespace. Type
 * `platform:index:ExternalSecretsOperator`. On "aws" it also creates the controller's EKS Pod Identity
 * role (an AWS provider in opts.providers) whose only permission is to assume the per-service reader roles.
 */
export class ExternalSecretsOperator extends pulumi.ComponentResource {
    /** The namespace the operator runs in. */
    public readonly namespace: pulumi.Output<string>;
    /** The controller's service account (what reader identities trust, e.g. the Pod Identity association). */
    public readonly controllerServiceAccount: pulumi.Output<string>;
    /** The chart version installed. */
    public readonly chartVersion: pulumi.Output<string>;
    /** The Helm release's name (its status is what SecretStores wait for). */
    public readonly releaseName: pulumi.Output<string>;
    /** AWS: ARN of the controller's Pod Identity role ("" elsewhere). Reader roles trust it. */
    public readonly controllerRoleArn: pulumi.Output<string>;

    /** TypeScript only: the Helm release (CRDs, webhook, controller): what SecretStores and ExternalSecrets must dependsOn. */
    get release(): k8s.helm.v3.Release {
        return operatorParts.get(this)!.release;
    }
    /** TypeScript only: the operator's PlatformNamespace component. */
    get platformNamespace(): PlatformNamespace {
        return operatorParts.get(this)!.namespace;
    }
    /** TypeScript only: what SecretStores and ExternalSecrets wait for (namespace and release). */
    get ready(): pulumi.Resource[] {
        const parts = operatorParts.get(this)!;
        return [parts.namespace, parts.release];
    }

    constructor(name: string, args: ExternalSecretsOperatorArgs = {}, opts?: pulumi.ComponentResourceOptions) {
        const problems = externalSecretsOperatorProblems(args, `ExternalSecretsOperator ${name}: args`);
        if (problems.length) throw new ExternalSecretsOperatorError(problems.join("\n"));
        super("platform:index:ExternalSecretsOperator", name, {}, opts);
        const version = args.chartVersion ?? EXTERNAL_SECRETS_CHART_VERSION;
        const cloud = args.cloud ?? "kubernetes";
        const namespaceName = args.namespace ?? EXTERNAL_SECRETS_NAMESPACE;

        const namespace = new PlatformNamespace(
            `${name}-ns`,
            {
                name: namespaceName,
                // The API server calls the webhook; ztunnel refuses its plain-TLS calls to enrolled pods under
                // STRICT mTLS (istio/istio#52874), as for KEDA, cert-manager and the Knative operator.
                ambient: false,
                outsideMeshReason: "External Secrets Operator's webhook is called by the API server, which ztunnel refuses under STRICT mTLS (istio/istio#52874)",
                network: args.network,
                // Controller (objects, Secrets, service-account tokens), webhook and cert-controller (its certificate
                // Secret, the webhook configurations and CRDs) all talk to the API server.
                apiServerEgress: true,
                extraPolicies: externalSecretsNetworkPolicies(cloud, args.privateStoreCidrs),
                egressExceptions:
                    cloud !== "kubernetes" && args.secretStoreEgress
                        ? [{ exception: withHttpsDefault(args.secretStoreEgress), podSelector: byApp(EXTERNAL_SECRETS_APPS.controller) }]
                        : [],
            },
            { parent: this },
        );

        let controllerRoleArn: pulumi.Output<string> = pulumi.output("");
        const credentialsReady: pulumi.Resource[] = [];
        if (cloud === "aws" && args.aws) {
            const a = args.aws;
            const { accountId, partition } = awsContext(this);
            const role = new aws.iam.Role(
                `${name}-controller`,
                {
                    description: `External Secrets controller of ${name} (${namespaceName}/${EXTERNAL_SECRETS_CONTROLLER_SERVICE_ACCOUNT}, EKS Pod Identity): assumes the secret readers under ${secretReaderRolePath(a.readerRolePrefix)}`,
                    assumeRolePolicy: podIdentityTrustPolicy(a.clusterName, namespaceName, EXTERNAL_SECRETS_CONTROLLER_SERVICE_ACCOUNT),
                    tags: nameTags(a.tags, `${name}-controller`),
                },
                { parent: this },
            );
            const policy = new aws.iam.RolePolicy(
                `${name}-controller`,
                {
                    role: role.id,
                    policy: pulumi.all([partition, accountId]).apply(([p, acct]) => externalSecretsControllerPolicy(p, acct, a.readerRolePrefix)),
                },
                { parent: this },
            );
            const association = new aws.eks.PodIdentityAssociation(
                `${name}-controller`,
                {
                    clusterName: a.clusterName,
                    namespace: namespaceName,
                    serviceAccount: EXTERNAL_SECRETS_CONTROLLER_SERVICE_ACCOUNT,
                    roleArn: role.arn,
                    tags: nameTags(a.tags, `${name}-controller`),
                },
                { parent: this },
            );
            controllerRoleArn = role.arn;
            credentialsReady.push(policy, association);
        }

        const release = new k8s.helm.v3.Release(
            `${name}-release`,
            {
                name: EXTERNAL_SECRETS_RELEASE,
                chart: "external-secrets",
                version,
                repositoryOpts: { repo: EXTERNAL_SECRETS_CHART_REPO },
                namespace: namespace.namespaceName,
                createNamespace: false,
                // Wait for the webhook and controllers, and roll back a failed install or upgrade.
                skipAwait: false,
                atomic: true,
                values: externalSecretsValues(),
            },
            // The controller's credentials exist before its first pod asks for them.
            { parent: this, dependsOn: [namespace, ...credentialsReady] },
        );
        operatorParts.set(this, { release, namespace });
        this.namespace = namespace.namespaceName;
        this.controllerServiceAccount = pulumi.output(EXTERNAL_SECRETS_CONTROLLER_SERVICE_ACCOUNT);
        this.chartVersion = pulumi.output(version);
        this.releaseName = release.name;
        this.controllerRoleArn = controllerRoleArn;
        this.registerOutputs({
            namespace: this.namespace,
            controllerServiceAccount: this.controllerServiceAccount,
            chartVersion: this.chartVersion,
            releaseName: this.releaseName,
            controllerRoleArn: this.controllerRoleArn,
        });
    }
}
