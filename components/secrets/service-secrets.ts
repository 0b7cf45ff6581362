/**
 * Secrets of one service on a cluster, delivered by External Secrets Operator (ESO 2.9, installed by
 * `ExternalSecretsOperator`): one component per store behind `ServiceSecretsOutputs`, as for every other
 * capability. Each creates, for one service in one namespace:
 * - a reader identity that may read exactly the service's secrets and nothing else;
 * - a namespaced `SecretStore` (`<service>-secrets`) authenticated through workload identity only: no
 *   static key, no token in a Secret;
 * - an `ExternalSecret` (`<service>-secrets`) whose target Secret of the same name has one key per
 *   environment variable, which the service's pods read by `secretKeyRef`.
 *
 * The reader is a service account of its own (`<service>-secrets-reader`), never the workload's: ESO
 * mints its tokens through the TokenRequest API, while the service's pods run as their own account and
 * never hold a credential that can read the store (a compromised pod cannot read more than the values
 * it was given, nor their other versions).
 *
 * In-cluster resources go through the cluster's Kubernetes provider (opts.provider / opts.providers); the
 * cloud side through the cloud's provider in opts.providers. ESO's CRDs and webhook must exist first:
 * pass `ExternalSecretsOperator.ready` in opts.dependsOn.
 *
 * Upstream facts (external-secrets v2.9.0, apis/externalsecrets/v1/*_types.go and docs/provider/*.md):
 * - ExternalSecret: `refreshInterval` defaults to 1h; `target.creationPolicy` Owner (the Secret is
 *   garbage-collected with the ExternalSecret), `deletionPolicy` Retain.
 * - aws: `service: SecretsManager`, `region`, `role` (assumed with the controller's credentials); no
 *   `auth` means the controller's own credentials, here its EKS Pod Identity (docs/provider/aws-access.md:
 *   `serviceAccountRef` cannot be used with Pod Identity). Reads call GetSecretValue only
 *   (providers/v1/aws/secretsmanager/secretsmanager.go, `fetch`).
 * - azurekv: `authType: WorkloadIdentity`, `vaultUrl`, `serviceAccountRef`; the client and tenant ids come
 *   from the referenced account's `azure.workload.identity/client-id` / `tenant-id` annotations, and the
 *   token ESO requests has audience `api://AzureADTokenExchange` (providers/v1/azure/keyvault/keyvault.go).
 * - gcpsm: `auth.workloadIdentity` { serviceAccountRef, clusterLocation, clusterName, clusterProjectID }
 *   with the account annotated `iam.gke.io/gcp-service-account` (docs/provider/google-secrets-manager.md,
 *   "Linking a Kubernetes service account to a GCP service account").
 * - kubernetes: `remoteNamespace`, `server.caProvider` (a namespaced store's caProvider has no namespace:
 *   runtime/esutils/k8s_connection_validate.go), `auth.serviceAccount`. Reads are a `get` of the named
 *   Secret (providers/v1/kubernetes/client.go `GetSecret`); store validation is a SelfSubjectRulesReview
 *   that looks for `get` on `secrets` and ignores resourceNames (providers/v1/kubernetes/validate.go), so
 *   a Role restricted to resourceNames validates.
 */
import { createHash } from "node:crypto";
import * as aws from "@pulumi/aws";
import * as authorization from "@pulumi/azure-native/authorization";
import * as managedidentity from "@pulumi/azure-native/managedidentity";
import * as gcp from "@pulumi/gcp";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { AZURE_ROLES, roleDefinitionId } from "../azure/roles";
import { ENV_NAME, secretNamesOf } from "../contracts/secrets";
import { EXTERNAL_SECRETS_CONTROLLER_SERVICE_ACCOUNT, EXTERNAL_SECRETS_NAMESPACE } from "./operator";

export const EXTERNAL_SECRETS_API = "external-secrets.io/v1";
/** How often ESO re-reads the store: a rotated secret reaches the pods' Secret within this time. */
export const SERVICE_SECRETS_REFRESH = "15m";
/** The key a Secret in the kubernetes target's source namespace holds its value under. */
export const SOURCE_SECRET_KEY = "value";
/** Default namespace the kubernetes target's secret values live in (`platform:secrets.kubernetes.sourceNamespace`). */
export const DEFAULT_SECRET_SOURCE_NAMESPACE = "platform-secrets";
/** The audience of the token ESO requests for Azure workload identity (keyvault.go `AzureDefaultAudience`). */
export const AZURE_TOKEN_AUDIENCE = "api://AzureADTokenExchange";

/** Names in the service's namespace: the store, the ExternalSecret and its target Secret share one. */
export const serviceSecretName = (service: string) => `${service}-secrets`;
/** The service account ESO authenticates as for the service (never the workload's own account). */
export const secretReaderServiceAccount = (service: string) => `${service}-secrets-reader`;

/** What every store's component gives the service. */
export interface ServiceSecretsOutputs {
    /** The Secret in the service's namespace (one key per environment variable): the service's `secretEnv`. */
    secretName: pulumi.Output<string>;
    /** The keys of that Secret: the environment variable names. */
    secretKeys: pulumi.Output<string[]>;
    /** The Kubernetes service account ESO reads the store as ("" on AWS, where the controller's Pod Identity assumes the reader role). */
    readerServiceAccount: pulumi.Output<string>;
    /** The reader's cloud identity: IAM role ARN, managed identity client id, Google service account email, or the service account on the kubernetes target. */
    readerIdentity: pulumi.Output<string>;
}

/** Arguments every store's component takes. */
export interface ServiceSecretsArgs {
    /** The service's namespace (a DNS-1123 label): the store, the ExternalSecret and the Secret live there. */
    namespace: string;
    /** The service's name (a DNS-1123 label of at most 48 characters): names the Secret `<service>-secrets`. */
    serviceName: string;
    /** Environment variable → the secret's name in the store. At least one. */
    secrets: Record<string, string>;
    /** How often ESO re-reads the store (a Go duration such as "15m" or "1h"). Default "15m". */
    refreshInterval?: string;
}

export interface AwsSecretsManagerServiceSecretsArgs extends ServiceSecretsArgs {
    /** Region of the secrets (the store's `region`). */
    region: string;
    /** The ESO controller's Pod Identity role: the only principal the reader role trusts. */
    controllerRoleArn: pulumi.Input<string>;
    /**
     * IAM path the controller may assume roles under (`secretReaderRolePath(prefix)`). The reader role is
     * created one level below, under `<readerRolePath><namespace>/`: the admission policy
     * platform-secret-store-workload-identity lets a SecretStore name only roles under its own namespace's path.
     */
    readerRolePath: string;
    /** Tags of the IAM role. */
    tags?: pulumi.Input<Record<string, pulumi.Input<string>>>;
}

export interface AzureKeyVaultServiceSecretsArgs extends ServiceSecretsArgs {
    /** Resource group of the reader's managed identity. */
    resourceGroupName: pulumi.Input<string>;
    location: pulumi.Input<string>;
    /** The AKS cluster's OIDC issuer: the reader identity is federated with the reader service account there. */
    oidcIssuerUrl: pulumi.Input<string>;
    /** Entra tenant of the identity (the reader account's `azure.workload.identity/tenant-id`). */
    tenantId: pulumi.Input<string>;
    /** Resource id of the Key Vault (RBAC authorization): grants are scoped to `<vaultId>/secrets/<name>`. */
    vaultId: pulumi.Input<string>;
    /** The vault's URL, e.g. "https://<vault>.vault.azure.net/". */
    vaultUrl: pulumi.Input<string>;
    tags?: pulumi.Input<Record<string, pulumi.Input<string>>>;
}

export interface GcpSecretManagerServiceSecretsArgs extends ServiceSecretsArgs {
    /** Project of the secrets, the cluster and the reader's Google service account. */
    project: pulumi.Input<string>;
    /** The GKE cluster's name and location (region), for ESO's identity binding token exchange. */
    clusterName: pulumi.Input<string>;
    clusterLocation: pulumi.Input<string>;
}

export interface KubernetesServiceSecretsArgs extends ServiceSecretsArgs {
    /** The namespace the values live in, one Secret per secret name with its value under the key "value". */
    sourceNamespace: string;
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const DURATION = /^([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$/;

/** Problems of the shared arguments, one line each ("<path>: <value> …; allowed: …"). */
export function serviceSecretsProblems(args: ServiceSecretsArgs): string[] {
    const problems: string[] = [];
    const show = (v: unknown) => JSON.stringify(v);
    if (!DNS_LABEL.test(args.namespace ?? "")) problems.push(`namespace: ${show(args.namespace)} is not a namespace name; allowed: a DNS-1123 label`);
    // `<service>-secrets-reader` must stay a DNS-1123 label (63).
    if (!DNS_LABEL.test(args.serviceName ?? "") || args.serviceName.length > 48) {
        problems.push(`serviceName: ${show(args.serviceName)} is not a service name; allowed: a DNS-1123 label of at most 48 characters`);
    }
    const entries = Object.entries(args.secrets ?? {});
    if (!entries.length) problems.push(`secrets: ${show(args.secrets)} names no secret; allowed: at least one ENV_NAME → secret name`);
    for (const [env, secret] of entries) {
        if (!ENV_NAME.test(env)) problems.push(`secrets.${env}: is not an environment variable name; allowed: letters, digits and _, not starting with a digit`);
        if (typeof secret !== "string" || !secret) problems.push(`secrets.${env}: ${show(secret)} is empty; allowed: the secret's name in the store`);
    }
    if (args.refreshInterval !== undefined && !DURATION.test(args.refreshInterval)) {
        problems.push(`refreshInterval: ${show(args.refreshInterval)} is not a duration; allowed: a Go duration such as "15m" or "1h"`);
    }
    return problems;
}

function refuse(className: string, name: string, problems: string[]): void {
    if (problems.length) throw new Error(problems.map((p) => `${className} ${name}: args.${p}`).join("\n"));
}

/** The ESO objects (pure, so tests validate them against the upstream schema directly). */
export function secretStoreBody(args: ServiceSecretsArgs, provider: pulumi.Input<Record<string, unknown>>): Record<string, any> {
    return {
        apiVersion: EXTERNAL_SECRETS_API,
        kind: "SecretStore",
        metadata: { name: serviceSecretName(args.serviceName), namespace: args.namespace, labels: secretLabels(args.serviceName) },
        spec: { provider },
    };
}

/** Options of the ExternalSecret body: the remote property (kubernetes target) and a target template. */
export interface ExternalSecretShape {
    /** The key inside the remote secret (Kubernetes Secrets); unset: the whole value. */
    property?: string;
    /** `target.template.data`: keys of the Secret rendered from the fetched values (`{{ .KEY }}`) or literals. */
    templateData?: Record<string, string>;
    /** The target Secret's name (default `<service>-secrets`). */
    targetName?: string;
}

export function externalSecretBody(args: ServiceSecretsArgs, shape: ExternalSecretShape = {}): Record<string, any> {
    const name = serviceSecretName(args.serviceName);
    return {
        apiVersion: EXTERNAL_SECRETS_API,
        kind: "ExternalSecret",
        metadata: { name, namespace: args.namespace, labels: secretLabels(args.serviceName) },
        spec: {
            refreshInterval: args.refreshInterval ?? SERVICE_SECRETS_REFRESH,
            secretStoreRef: { kind: "SecretStore", name },
            target: {
                name: shape.targetName ?? name,
                // The Secret belongs to the ExternalSecret (deleted with it); nothing else writes it.
                creationPolicy: "Owner",
                ...(shape.templateData ? { template: { engineVersion: "v2", mergePolicy: "Replace", data: shape.templateData } } : {}),
            },
            data: Object.entries(args.secrets)
                .sort(([a], [b]) => a.localeCompare(b))
                .map(([env, secret]) => ({ secretKey: env, remoteRef: { key: secret, ...(shape.property ? { property: shape.property } : {}) } })),
        },
    };
}

function secretLabels(service: string): Record<string, string> {
    return { "app.kubernetes.io/name": service, "app.kubernetes.io/component": "secrets", "app.kubernetes.io/managed-by": "pulumi" };
}

/** The reader service account and what ESO needs to act as it (`ready`: what the store waits for). */
interface ReaderAccount {
    account: k8s.core.v1.ServiceAccount;
    ready: pulumi.Resource[];
}

/**
 * The reader service account: no API token mounted (no pod runs as it). ESO requests short-lived tokens
 * for it (TokenRequest), and may do so for this account only: the chart's cluster-wide
 * `serviceaccounts/token` grant is off (rbac.serviceAccountTokenCreate: false, components/secrets/operator.ts),
 * so each reader comes with a Role allowing `create` on its own `serviceaccounts/token` (resourceNames),
 * bound to the ESO controller (values.yaml at helm-chart-2.9.0 documents this per-ServiceAccount form).
 */
function readerAccount(parent: pulumi.Resource, name: string, args: ServiceSecretsArgs, annotations?: Record<string, pulumi.Input<string>>): ReaderAccount {
    const readerName = secretReaderServiceAccount(args.serviceName);
    const account = new k8s.core.v1.ServiceAccount(
        `${name}-reader`,
        {
            metadata: { name: readerName, namespace: args.namespace, labels: secretLabels(args.serviceName), ...(annotations ? { annotations } : {}) },
            automountServiceAccountToken: false,
        },
        { parent },
    );
    const tokenRole = { name: `${readerName}-token`, namespace: args.namespace, labels: secretLabels(args.serviceName) };
    const role = new k8s.rbac.v1.Role(
        `${name}-reader-token`,
        { metadata: tokenRole, rules: [{ apiGroups: [""], resources: ["serviceaccounts/token"], resourceNames: [readerName], verbs: ["create"] }] },
        { parent },
    );
    const binding = new k8s.rbac.v1.RoleBinding(
        `${name}-reader-token`,
        {
            metadata: tokenRole,
            roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: tokenRole.name },
            subjects: [{ kind: "ServiceAccount", name: EXTERNAL_SECRETS_CONTROLLER_SERVICE_ACCOUNT, namespace: EXTERNAL_SECRETS_NAMESPACE }],
        },
        { parent, dependsOn: [role] },
    );
    return { account, ready: [account, binding] };
}

/** Store, then ExternalSecret; both ESO custom resources wait for the operator (opts.dependsOn) and the reader. */
function storeAndExternalSecret(
    parent: pulumi.Resource,
    name: string,
    args: ServiceSecretsArgs,
    provider: pulumi.Input<Record<string, unknown>>,
    readerReady: pulumi.Resource[],
    opts: pulumi.ComponentResourceOptions | undefined,
    shape?: ExternalSecretShape,
): k8s.apiextensions.CustomResource {
    const upstream = opts?.dependsOn === undefined ? [] : Array.isArray(opts.dependsOn) ? opts.dependsOn : [opts.dependsOn as pulumi.Input<pulumi.Resource>];
    const store = new k8s.apiextensions.CustomResource(
        `${name}-store`,
        secretStoreBody(args, provider) as any,
        { parent, dependsOn: [...upstream, ...readerReady] },
    );
    return new k8s.apiextensions.CustomResource(`${name}-external-secret`, externalSecretBody(args, shape) as any, { parent, dependsOn: [...upstream, store] });
}

/** Keeps the ExternalSecret per component for TypeScript callers (not a schema output). */
const externalSecrets = new WeakMap<pulumi.ComponentResource, k8s.apiextensions.CustomResource>();

/** TypeScript-only: a store component's ExternalSecret, what the service's workload waits for (opts.dependsOn). */
export function externalSecretOf(component: pulumi.ComponentResource): k8s.apiextensions.CustomResource {
    const found = externalSecrets.get(component);
    if (!found) throw new Error(`externalSecretOf: ${component} is not a service secrets component`);
    return found;
}

/** The shared outputs, registered on the component. */
function serviceSecretsOutputs(
    component: pulumi.ComponentResource,
    args: ServiceSecretsArgs,
    externalSecret: k8s.apiextensions.CustomResource,
    readerIdentity: pulumi.Input<string>,
    hasReaderAccount = true,
): ServiceSecretsOutputs {
    externalSecrets.set(component, externalSecret);
    return {
        secretName: pulumi.output(serviceSecretName(args.serviceName)),
        secretKeys: pulumi.output(Object.keys(args.secrets).sort()),
        readerServiceAccount: pulumi.output(hasReaderAccount ? secretReaderServiceAccount(args.serviceName) : ""),
        readerIdentity: pulumi.output(readerIdentity),
    };
}

/** The reader role's permission: GetSecretValue on exactly these secrets (their full ARNs). */
export function secretsManagerReadPolicy(secretArns: string[]): string {
    return JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Sid: "ReadServiceSecrets", Effect: "Allow", Action: ["secretsmanager:GetSecretValue"], Resource: [...secretArns].sort() }],
    });
}

/** The reader role's trust: the ESO controller's role only, which assumes it (and tags its session). */
export function readerTrustPolicy(controllerRoleArn: string): string {
    return JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Sid: "EsoControllerOnly", Effect: "Allow", Principal: { AWS: controllerRoleArn }, Action: ["sts:AssumeRole", "sts:TagSession"] }],
    });
}

/**
 * The IAM path of a namespace's reader roles: `<readerRolePath><namespace>/`. Still under the controller's
 * `role<readerRolePath>*` (IAM wildcards match within an ARN's colon-separated segments, so `*` spans "/":
 * IAM User Guide, "IAM JSON policy elements: Resource", e.g. `user/accounting/*`), and the namespace is the boundary the admission
 * policy enforces: a SecretStore may only name a role under its own namespace's path, since the store has
 * no `auth` and ESO assumes whatever `role` it names with the controller's credentials (ESO v2.9.0
 * docs/provider/aws-access.md), so without that check any namespace could name any service's reader.
 */
export function namespaceReaderRolePath(readerRolePath: string, namespace: string): string {
    return `${readerRolePath}${namespace}/`;
}

/**
 * AWS Secrets Manager through EKS Pod Identity: the ESO controller (its Pod Identity role may only assume
 * roles under the reader path) assumes this service's reader role, which may GetSecretValue on exactly
 * the service's secrets. The role sits under `<readerRolePath><namespace>/` (namespaceReaderRolePath).
 * Type `platform:index:AwsSecretsManagerServiceSecrets`.
 */
export class AwsSecretsManagerServiceSecrets extends pulumi.ComponentResource implements ServiceSecretsOutputs {
    public readonly secretName: pulumi.Output<string>;
    public readonly secretKeys: pulumi.Output<string[]>;
    public readonly readerServiceAccount: pulumi.Output<string>;
    public readonly readerIdentity: pulumi.Output<string>;

    /** TypeScript-only: the ExternalSecret, what the service's workload waits for (opts.dependsOn). */
    get externalSecret(): k8s.apiextensions.CustomResource {
        return externalSecretOf(this);
    }

    constructor(name: string, args: AwsSecretsManagerServiceSecretsArgs, opts?: pulumi.ComponentResourceOptions) {
        const problems = serviceSecretsProblems(args);
        if (!/^\/([\x21-\x7e]+\/)?$/.test(args.readerRolePath ?? "")) problems.push(`readerRolePath: ${JSON.stringify(args.readerRolePath)} is not an IAM path; allowed: "/" or "/<segments>/"`);
        if (!args.region) problems.push(`region: ${JSON.stringify(args.region)} is empty; allowed: an AWS region such as "eu-north-1"`);
        refuse("AwsSecretsManagerServiceSecrets", name, problems);
        super("platform:index:AwsSecretsManagerServiceSecrets", name, {}, opts);
        const names = secretNamesOf(args.secrets);
        // The full ARNs (with Secrets Manager's random suffix), so the grant names exactly these secrets.
        const arns = names.map((secretName) => aws.secretsmanager.getSecretOutput({ name: secretName, region: args.region }, { parent: this }).arn);
        const role = new aws.iam.Role(
            `${name}-reader`,
            {
                path: namespaceReaderRolePath(args.readerRolePath, args.namespace),
                description: `Reads the secrets of ${args.namespace}/${args.serviceName} for External Secrets`,
                assumeRolePolicy: pulumi.output(args.controllerRoleArn).apply(readerTrustPolicy),
                maxSessionDuration: 3600,
                tags: args.tags,
            },
            { parent: this },
        );
        new aws.iam.RolePolicy(`${name}-reader`, { role: role.id, policy: pulumi.all(arns).apply(secretsManagerReadPolicy) }, { parent: this });
        // No `auth`: the controller's Pod Identity credentials assume `role` (serviceAccountRef is not usable
        // with Pod Identity), so there is no reader service account on AWS and ESO mints no token here.
        const provider = { aws: { service: "SecretsManager", region: args.region, role: role.arn } };
        const externalSecret = storeAndExternalSecret(this, name, args, pulumi.output(provider) as any, [role], opts);
        const outputs = serviceSecretsOutputs(this, args, externalSecret, role.arn, false);
        this.secretName = outputs.secretName;
        this.secretKeys = outputs.secretKeys;
        this.readerServiceAccount = outputs.readerServiceAccount;
        this.readerIdentity = outputs.readerIdentity;
        this.registerOutputs(outputs);
    }
}

/**
 * Azure Key Vault through AKS workload identity: a user-assigned identity federated with the service's
 * reader account only, holding "Key Vault Secrets User" on each of its secrets (never on the vault).
 * Type `platform:index:AzureKeyVaultServiceSecrets`.
 */
export class AzureKeyVaultServiceSecrets extends pulumi.ComponentResource implements ServiceSecretsOutputs {
    public readonly secretName: pulumi.Output<string>;
    public readonly secretKeys: pulumi.Output<string[]>;
    public readonly readerServiceAccount: pulumi.Output<string>;
    public readonly readerIdentity: pulumi.Output<string>;

    /** TypeScript-only: the ExternalSecret, what the service's workload waits for (opts.dependsOn). */
    get externalSecret(): k8s.apiextensions.CustomResource {
        return externalSecretOf(this);
    }

    constructor(name: string, args: AzureKeyVaultServiceSecretsArgs, opts?: pulumi.ComponentResourceOptions) {
        refuse("AzureKeyVaultServiceSecrets", name, serviceSecretsProblems(args));
        super("platform:index:AzureKeyVaultServiceSecrets", name, {}, opts);
        const identity = new managedidentity.UserAssignedIdentity(`${name}-reader`, { resourceGroupName: args.resourceGroupName, location: args.location, tags: args.tags }, { parent: this });
        const federation = new managedidentity.FederatedIdentityCredential(
            `${name}-reader`,
            {
                resourceGroupName: args.resourceGroupName,
                resourceName: identity.name,
                issuer: args.oidcIssuerUrl,
                // Only tokens of the reader account of this namespace are exchanged.
                subject: `system:serviceaccount:${args.namespace}:${secretReaderServiceAccount(args.serviceName)}`,
                audiences: [AZURE_TOKEN_AUDIENCE],
            },
            { parent: this },
        );
        const grants = secretNamesOf(args.secrets).map(
            (secret) =>
                new authorization.RoleAssignment(
                    `${name}-read-${secret}`,
                    {
                        principalId: identity.principalId,
                        principalType: "ServicePrincipal",
                        roleDefinitionId: roleDefinitionId(this, AZURE_ROLES.keyVaultSecretsUser),
                        // One secret's scope: the identity reads this secret and no other in the vault.
                        scope: pulumi.interpolate`${args.vaultId}/secrets/${secret}`,
                        description: `${args.namespace}/${args.serviceName} reads secret ${secret}`,
                    },
                    { parent: this },
                ),
        );
        const reader = readerAccount(this, name, args, { "azure.workload.identity/client-id": identity.clientId, "azure.workload.identity/tenant-id": args.tenantId });
        const provider = { azurekv: { authType: "WorkloadIdentity", vaultUrl: args.vaultUrl, serviceAccountRef: { name: secretReaderServiceAccount(args.serviceName) } } };
        const externalSecret = storeAndExternalSecret(this, name, args, pulumi.output(provider) as any, [...reader.ready, federation, ...grants], opts);
        const outputs = serviceSecretsOutputs(this, args, externalSecret, identity.clientId);
        this.secretName = outputs.secretName;
        this.secretKeys = outputs.secretKeys;
        this.readerServiceAccount = outputs.readerServiceAccount;
        this.readerIdentity = outputs.readerIdentity;
        this.registerOutputs(outputs);
    }
}

/**
 * A Google service account id (6-30 of [a-z0-9-], starting with a letter) for the service's reader: the
 * service's name and a hash of the component's name, so stacks sharing a project never collide.
 */
export function gcpReaderAccountId(component: string, service: string): string {
    const hash = createHash("sha256").update(`${component}/${service}`).digest("hex").slice(0, 6);
    return `sr-${service.slice(0, 19)}-${hash}`.replace(/-+/g, "-");
}

/**
 * Google Secret Manager through GKE Workload Identity: a Google service account for the service's reader
 * account only (`roles/iam.workloadIdentityUser` for `<project>.svc.id.goog[<ns>/<reader>]`), holding
 * `roles/secretmanager.secretAccessor` on each of its secrets (never on the project).
 * Type `platform:index:GcpSecretManagerServiceSecrets`.
 *
 * The Google service account (rather than the Kubernetes account as a principal, which ESO also supports)
 * is the pattern the platform's Kafka clients use: the grant is to a named, auditable identity and needs
 * neither the project number nor the principal:// form.
 */
export class GcpSecretManagerServiceSecrets extends pulumi.ComponentResource implements ServiceSecretsOutputs {
    public readonly secretName: pulumi.Output<string>;
    public readonly secretKeys: pulumi.Output<string[]>;
    public readonly readerServiceAccount: pulumi.Output<string>;
    public readonly readerIdentity: pulumi.Output<string>;

    /** TypeScript-only: the ExternalSecret, what the service's workload waits for (opts.dependsOn). */
    get externalSecret(): k8s.apiextensions.CustomResource {
        return externalSecretOf(this);
    }

    constructor(name: string, args: GcpSecretManagerServiceSecretsArgs, opts?: pulumi.ComponentResourceOptions) {
        refuse("GcpSecretManagerServiceSecrets", name, serviceSecretsProblems(args));
        super("platform:index:GcpSecretManagerServiceSecrets", name, {}, opts);
        const account = new gcp.serviceaccount.Account(
            `${name}-reader`,
            { project: args.project, accountId: gcpReaderAccountId(name, args.serviceName), displayName: `Secret reader of ${args.namespace}/${args.serviceName} (External Secrets)` },
            { parent: this },
        );
        const binding = new gcp.serviceaccount.IAMMember(
            `${name}-reader-wi`,
            {
                serviceAccountId: account.name,
                role: "roles/iam.workloadIdentityUser",
                member: pulumi.interpolate`serviceAccount:${args.project}.svc.id.goog[${args.namespace}/${secretReaderServiceAccount(args.serviceName)}]`,
            },
            { parent: this },
        );
        const grants = secretNamesOf(args.secrets).map(
            (secret) =>
                new gcp.secretmanager.SecretIamMember(
                    `${name}-read-${secret}`,
                    { project: args.project, secretId: secret, role: "roles/secretmanager.secretAccessor", member: pulumi.interpolate`serviceAccount:${account.email}` },
                    { parent: this },
                ),
        );
        const reader = readerAccount(this, name, args, { "iam.gke.io/gcp-service-account": account.email });
        const provider = {
            gcpsm: {
                projectID: args.project,
                auth: {
                    workloadIdentity: {
                        serviceAccountRef: { name: secretReaderServiceAccount(args.serviceName) },
                        clusterLocation: args.clusterLocation,
                        clusterName: args.clusterName,
                        clusterProjectID: args.project,
                    },
                },
            },
        };
        const externalSecret = storeAndExternalSecret(this, name, args, pulumi.output(provider) as any, [...reader.ready, binding, ...grants], opts);
        const outputs = serviceSecretsOutputs(this, args, externalSecret, account.email);
        this.secretName = outputs.secretName;
        this.secretKeys = outputs.secretKeys;
        this.readerServiceAccount = outputs.readerServiceAccount;
        this.readerIdentity = outputs.readerIdentity;
        this.registerOutputs(outputs);
    }
}

/**
 * The reader's Role in the source namespace: `get` on exactly the named Secrets (resourceNames), nothing
 * else (no list or watch: ESO reads each Secret by name). SelfSubjectRulesReview, which ESO's store
 * validation creates, is left to Kubernetes' default `system:basic-user` (every authenticated account).
 */
export function secretReaderRole(sourceNamespace: string, service: string, secretNames: string[]): Record<string, any> {
    return {
        metadata: { name: `${service}-secrets-reader`, namespace: sourceNamespace, labels: secretLabels(service) },
        rules: [{ apiGroups: [""], resources: ["secrets"], resourceNames: [...new Set(secretNames)].sort(), verbs: ["get"] }],
    };
}

/** The kubernetes-provider store reading `sourceNamespace` through the API server as the reader account. */
export function kubernetesStoreProvider(sourceNamespace: string, service: string): Record<string, unknown> {
    return {
        kubernetes: {
            remoteNamespace: sourceNamespace,
            // The in-cluster API server, trusted through the CA every namespace carries (kube-root-ca.crt).
            server: { url: "https://kubernetes.default.svc", caProvider: { type: "ConfigMap", name: "kube-root-ca.crt", key: "ca.crt" } },
            auth: { serviceAccount: { name: secretReaderServiceAccount(service) } },
        },
    };
}

/**
 * Creates the reader account, its Role and RoleBinding in the source namespace, the store and the
 * ExternalSecret (shared by KubernetesServiceSecrets and the Strimzi clients' credentials).
 */
export function kubernetesSourcedSecret(
    parent: pulumi.Resource,
    name: string,
    args: ServiceSecretsArgs,
    sourceNamespace: string,
    opts: pulumi.ComponentResourceOptions | undefined,
    shape: ExternalSecretShape = { property: SOURCE_SECRET_KEY },
): k8s.apiextensions.CustomResource {
    const reader = readerAccount(parent, name, args);
    const roleBody = secretReaderRole(sourceNamespace, args.serviceName, Object.values(args.secrets));
    const role = new k8s.rbac.v1.Role(`${name}-reader`, roleBody, { parent });
    const binding = new k8s.rbac.v1.RoleBinding(
        `${name}-reader`,
        {
            metadata: roleBody.metadata,
            roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: roleBody.metadata.name },
            subjects: [{ kind: "ServiceAccount", name: secretReaderServiceAccount(args.serviceName), namespace: args.namespace }],
        },
        { parent, dependsOn: [role] },
    );
    return storeAndExternalSecret(parent, name, args, kubernetesStoreProvider(sourceNamespace, args.serviceName), [...reader.ready, binding], opts, shape);
}

/**
 * The kubernetes target (or any cluster without a cloud store): values in Secrets of one source namespace
 * (key "value"), read by the service's reader account, which may `get` exactly those Secrets.
 * Type `platform:index:KubernetesServiceSecrets`.
 */
export class KubernetesServiceSecrets extends pulumi.ComponentResource implements ServiceSecretsOutputs {
    public readonly secretName: pulumi.Output<string>;
    public readonly secretKeys: pulumi.Output<string[]>;
    public readonly readerServiceAccount: pulumi.Output<string>;
    public readonly readerIdentity: pulumi.Output<string>;

    /** TypeScript-only: the ExternalSecret, what the service's workload waits for (opts.dependsOn). */
    get externalSecret(): k8s.apiextensions.CustomResource {
        return externalSecretOf(this);
    }

    constructor(name: string, args: KubernetesServiceSecretsArgs, opts?: pulumi.ComponentResourceOptions) {
        const problems = serviceSecretsProblems(args);
        if (!DNS_LABEL.test(args.sourceNamespace ?? "")) problems.push(`sourceNamespace: ${JSON.stringify(args.sourceNamespace)} is not a namespace name; allowed: a DNS-1123 label`);
        if (args.sourceNamespace === args.namespace) problems.push(`sourceNamespace: ${JSON.stringify(args.sourceNamespace)} is the service's own namespace; allowed: a namespace the service's pods cannot read`);
        refuse("KubernetesServiceSecrets", name, problems);
        super("platform:index:KubernetesServiceSecrets", name, {}, opts);
        const externalSecret = kubernetesSourcedSecret(this, name, args, args.sourceNamespace, opts);
        const outputs = serviceSecretsOutputs(this, args, externalSecret, `system:serviceaccount:${args.namespace}:${secretReaderServiceAccount(args.serviceName)}`);
        this.secretName = outputs.secretName;
        this.secretKeys = outputs.secretKeys;
        this.readerServiceAccount = outputs.readerServiceAccount;
        this.readerIdentity = outputs.readerIdentity;
        this.registerOutputs(outputs);
    }
}
