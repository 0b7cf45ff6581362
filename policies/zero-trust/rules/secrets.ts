/**
 * Secrets rules (SEC-02, SEC-03): secret stores reached by workload identity, never static credentials; secrets
 * reach workloads by reference, never as literal environment values. (SEC-01, the clusters' secret-store add-ons,
 * is in isolation.ts.)
 */
import type { TaskDefinitionArgs, ExpressGatewayServiceArgs } from "@pulumi/aws/ecs";
import type { FunctionArgs } from "@pulumi/aws/lambda";
import type { ContainerAppArgs } from "@pulumi/azure-native/app";
import type { ServiceArgs as CloudRunV1ServiceArgs } from "@pulumi/gcp/cloudrun";
import type { JobArgs as CloudRunV2JobArgs, ServiceArgs as CloudRunV2ServiceArgs } from "@pulumi/gcp/cloudrunv2";
import type * as k8s from "@pulumi/kubernetes/types/input";
import { asArray, fmt, parseDocument, readKnown, resourcePolicy, UNKNOWN, type Props, type RuleContext, type RuleDef, on } from "./common";
import { podTemplateOf, WORKLOAD_TYPES } from "./kubernetes";

// ---------------------------------------------------------------------------------------------
// SEC-02: External Secrets Operator stores authenticate by workload identity

/**
 * External Secrets Operator 2.9.0 serves external-secrets.io/v1 only (v1beta1 is `+kubebuilder:unservedversion`,
 * apis/externalsecrets/v1beta1/secretstore_types.go at v2.9.0), so these are the only type tokens.
 */
export const SECRET_STORE_TYPES = ["kubernetes:external-secrets.io/v1:SecretStore", "kubernetes:external-secrets.io/v1:ClusterSecretStore"];

/**
 * Keys under a provider that hold a static credential in a Kubernetes Secret (ESO 2.9.0 apis/externalsecrets/v1:
 * every `…SecretRef`/`secretRef` is an esmeta.SecretKeySelector or SecretReference; `authRef` is a kubeconfig in a
 * Secret (kubernetes provider); `cert`/`token` are client-certificate and bearer-token auth (kubernetes and vault
 * providers), `clientCert`/`clientKey`/`bearerToken`/`clientSecret`/`clientCertificate` their Secret selectors).
 */
const isStaticKey = (k: string) => /SecretRef$/.test(k) || /^(secretRef|authRef|cert|token|clientCert|clientKey|bearerToken|clientSecret|clientCertificate)$/.test(k);

/** Paths (relative to `base`) of static-credential keys in `value`, outermost only; unknown values are not read. */
function staticCredentialPaths(value: unknown, base: string): string[] {
    const v = readKnown(() => value);
    if (v === UNKNOWN || v === null || typeof v !== "object") return [];
    if (Array.isArray(v)) return v.flatMap((item, i) => staticCredentialPaths(item, `${base}[${i}]`));
    const out: string[] = [];
    for (const key of Object.keys(v)) {
        const child = readKnown(() => (v as Record<string, unknown>)[key]);
        if (child === undefined || child === null) continue;
        if (isStaticKey(key)) out.push(`${base}.${key}`);
        else out.push(...staticCredentialPaths(child, `${base}.${key}`));
    }
    return out;
}

const present = (read: () => unknown) => {
    const v = readKnown(read);
    return v === UNKNOWN || (v !== undefined && v !== null);
};

/**
 * The reader roles a store in `namespace` may assume: `/platform-secrets/<prefix>/<namespace>/<name>`
 * (components/secrets namespaceReaderRolePath). With no `auth` ESO assumes whatever `role` names with the
 * controller's credentials (ESO v2.9.0 docs/provider/aws-access.md), and the controller may assume every
 * reader under `/platform-secrets/<prefix>/`, so the namespace in the path is the boundary. A store whose
 * namespace is not known (a ClusterSecretStore, or unset) must still name a reader role of some namespace.
 */
export function awsReaderRoleArn(namespace: string | undefined): RegExp {
    const ns = namespace && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(namespace) ? namespace : "[a-z0-9-]+";
    return new RegExp(`^arn:aws[a-z-]*:iam::[0-9]{12}:role/platform-secrets/[a-z0-9-]+/${ns}/[^/]+$`);
}

/** What is static or shared about one provider block of a store (spec.provider.<kind>); one message per finding. */
function providerProblems(kind: string, cfg: any, where: string, namespace?: string): string[] {
    const at = `${where}.${kind}`;
    switch (kind) {
        // AWSAuth: secretRef (access keys) or jwt (a service account token); neither means the SDK default chain:
        // EKS Pod Identity / IRSA of the controller (secretstore_aws_types.go). `role` is assumed from there.
        case "aws": {
            const out: string[] = [];
            const extra = readKnown(() => cfg?.additionalRoles);
            if (Array.isArray(extra) && extra.length) out.push(`${at}.additionalRoles chains further roles the controller assumes; name the one reader role in role.`);
            // An auth block the preview cannot know yet is not judged (neither is the role it would assume).
            if (readKnown(() => cfg?.auth) === UNKNOWN) return out;
            if (present(() => cfg?.auth?.secretRef))
                out.push(`${at}.auth.secretRef holds static AWS access keys; remove auth (the controller's EKS Pod Identity) and name a reader role, or use auth.jwt.serviceAccountRef.`);
            const jwt = present(() => cfg?.auth?.jwt);
            const role = readKnown(() => cfg?.role);
            if (!jwt && !present(() => cfg?.auth?.secretRef) && (role === undefined || role === null || role === ""))
                out.push(`${at}.role is unset and there is no auth, so the store reads as the controller's own identity, shared by every store in the cluster; name the service's reader role (/platform-secrets/<prefix>/<namespace>/).`);
            if (!jwt && typeof role === "string" && role !== "" && !awsReaderRoleArn(namespace).test(role))
                out.push(
                    `${at}.role ${fmt(role)} is not a reader role of ${namespace ? `namespace ${fmt(namespace)}` : "a namespace"}: the controller assumes it for whoever creates the store; allowed: arn:aws:iam::<account>:role/platform-secrets/<prefix>/${namespace ?? "<namespace>"}/<name>.`,
                );
            return out;
        }
        // AzureKVProvider.authType defaults to ServicePrincipal (+kubebuilder:default=ServicePrincipal,
        // secretstore_azurekv_types.go): a client secret or certificate in authSecretRef.
        case "azurekv": {
            const out: string[] = [];
            const authType = readKnown(() => cfg?.authType);
            if (authType !== UNKNOWN && (authType === undefined || authType === "ServicePrincipal"))
                out.push(`${at}.authType is ${fmt(authType)} (the default is ServicePrincipal: a client secret in authSecretRef); set it to "WorkloadIdentity" with serviceAccountRef.`);
            // ManagedIdentity reads the token from IMDS: on AKS the node's kubelet identity, shared by every pod on it.
            if (authType === "ManagedIdentity")
                out.push(`${at}.authType is "ManagedIdentity": the identity IMDS gives every pod on the node (on AKS the kubelet identity), not the service's; set it to "WorkloadIdentity" with serviceAccountRef.`);
            // With WorkloadIdentity, authSecretRef may carry only clientId / tenantId (identifiers, not secrets).
            for (const k of ["clientSecret", "clientCertificate"])
                if (present(() => cfg?.authSecretRef?.[k])) out.push(`${at}.authSecretRef.${k} is a static credential; use authType "WorkloadIdentity".`);
            return out;
        }
        // GCPSMAuth: secretRef (a service-account key) or workloadIdentity / workloadIdentityFederation; none means
        // the controller's own Workload Identity (secretstore_gcpsm_types.go).
        case "gcpsm": {
            const out: string[] = [];
            if (readKnown(() => cfg?.auth) === UNKNOWN) return out;
            if (present(() => cfg?.auth?.secretRef)) out.push(`${at}.auth.secretRef holds a service-account key; use auth.workloadIdentity with the service's reader account.`);
            const auth = readKnown(() => cfg?.auth);
            const federated = present(() => cfg?.auth?.workloadIdentity) || present(() => cfg?.auth?.workloadIdentityFederation);
            if (auth !== UNKNOWN && !federated && !present(() => cfg?.auth?.secretRef))
                out.push(`${at}.auth names no identity, so the store reads as the controller's own Workload Identity, shared by every store in the cluster; use auth.workloadIdentity with the service's reader account.`);
            if (present(() => cfg?.auth?.workloadIdentityFederation?.awsSecurityCredentials))
                out.push(`${at}.auth.workloadIdentityFederation.awsSecurityCredentials holds static AWS keys; federate a service account token instead.`);
            return out;
        }
        // KubernetesAuth: cert (client certificate), token (bearer token) or serviceAccount; authRef is a kubeconfig in
        // a Secret (secretstore_kubernetes_types.go).
        case "kubernetes": {
            const out: string[] = [];
            if (present(() => cfg?.auth?.token)) out.push(`${at}.auth.token is a static bearer token; use auth.serviceAccount.`);
            if (present(() => cfg?.auth?.cert)) out.push(`${at}.auth.cert is a static client certificate; use auth.serviceAccount.`);
            if (present(() => cfg?.authRef)) out.push(`${at}.authRef is a kubeconfig in a Secret; use auth.serviceAccount.`);
            return out;
        }
        // Every other provider (vault, akeyless, onepassword, doppler, webhook, …): any Secret-held credential.
        default:
            return staticCredentialPaths(cfg, at).map((p) => `${p} is a static credential held in a Kubernetes Secret; authenticate with a workload identity (a service account token) instead, or grant an exception.`);
    }
}

const secretStoreIdentity: RuleDef = {
    name: "sec-02-secret-store-workload-identity",
    id: "SEC-02",
    description:
        "External Secrets Operator SecretStores and ClusterSecretStores reach the cloud's secret store by the service's own workload identity (EKS Pod Identity assuming a reader role under /platform-secrets/<prefix>/<the store's namespace>/, Entra Workload ID, GKE Workload Identity, a service account), never a static credential held in a Secret nor an identity every pod or store shares (Azure ManagedIdentity, the controller's own identity).",
    enforcementLevel: "mandatory",
    checks: on<any>(SECRET_STORE_TYPES, (store: any, ctx) => {
        const provider = readKnown(() => store?.spec?.provider);
        if (provider === UNKNOWN) return [];
        const kind = ctx.type.split(":").pop();
        if (!provider || typeof provider !== "object") return [`${kind} ${fmt(ctx.name)}: spec.provider is unset; name the cloud's secret store.`];
        const ns = readKnown(() => store?.metadata?.namespace);
        const namespace = kind === "SecretStore" && typeof ns === "string" && ns ? ns : undefined;
        return Object.keys(provider).flatMap((k) => providerProblems(k, readKnown(() => provider[k]), "spec.provider", namespace)).map((m) => `${kind} ${fmt(ctx.name)}: ${m}`);
    }),
};

// ---------------------------------------------------------------------------------------------
// SEC-03: no secret as a literal environment value

/**
 * Words that make a variable name a secret's: whole words of the name split at `_`, `-`, `.` and camelCase
 * (so `dbPassword`, `DB_PASSWORD`, `db-password` all match, and `PASSWORDLESS_LOGIN` or `TOKENIZER_MODE` do not).
 */
const SECRET_WORDS = new Set(["PASSWORD", "PASSWORDS", "PASSWD", "PASSPHRASE", "TOKEN", "TOKENS", "SECRET", "SECRETS", "CREDENTIAL", "CREDENTIALS", "APIKEY"]);
/** Two-word secrets: `API_KEY`, `PRIVATE_KEY`, `ACCESS_KEY`, `SECRET_KEY`, … and any name ending in `_KEY`. */
const SECRET_PAIRS = [["API", "KEY"], ["PRIVATE", "KEY"], ["ACCESS", "KEY"]];
/**
 * A last word that makes the name about a secret, not the secret itself: where it is (SECRET_NAME, SECRET_ARN,
 * TOKEN_URL, PASSWORD_FILE, VAULT_PATH), what identifies it (AWS_ACCESS_KEY_ID, KMS_KEY_ID), or a setting of it
 * (TOKEN_TTL, TOKEN_AUDIENCE, PASSWORD_MIN_LENGTH).
 */
const NOT_A_SECRET_LAST = new Set([
    "ID", "IDS", "NAME", "NAMES", "ARN", "URL", "URI", "ENDPOINT", "HOST", "PATH", "FILE", "DIR", "REF", "VERSION", "TYPE", "KIND",
    "HEADER", "LENGTH", "SIZE", "TTL", "TIMEOUT", "EXPIRY", "LIFETIME", "AUDIENCE", "ISSUER", "ALGORITHM", "ENABLED", "REGION",
    "PREFIX", "SUFFIX", "MOUNT", "LOCATION", "PROJECT", "VAULT", "FORMAT", "POLICY", "ROTATION",
    // Settings of a secrets client, e.g. the AWS Parameters and Secrets Lambda Extension's own variables
    // (PARAMETERS_SECRETS_EXTENSION_HTTP_PORT, …_LOG_LEVEL, …_MAX_CONNECTIONS, SECRETS_MANAGER_TIMEOUT_MILLIS).
    "PORT", "LEVEL", "CONNECTIONS", "MILLIS", "SECONDS", "MS", "COUNT", "MODE", "PROVIDER", "STORE", "BACKEND", "MANAGER",
]);
/** `…_KEY` names that are not keys to anything: data keys and public keys. */
const NOT_A_SECRET_KEY = new Set(["PARTITION", "SORT", "ROUTING", "CACHE", "PRIMARY", "HASH", "SHARD", "LOOKUP", "IDEMPOTENCY", "PUBLIC", "KMS", "FOREIGN", "MESSAGE", "EVENT", "GROUP"]);

/**
 * A first word that makes the name a switch or a policy about secrets, not a secret: ENABLE_TOKEN_AUTH,
 * DISABLE_PASSWORD_LOGIN, REQUIRE_API_KEY, ALLOW_TOKEN_REFRESH (a secret is never named as an imperative).
 */
const NOT_A_SECRET_FIRST = new Set(["ENABLE", "ENABLED", "DISABLE", "DISABLED", "REQUIRE", "REQUIRED", "ALLOW", "ALLOWED", "SKIP"]);
/** A word anywhere that says the value is meant to be public: Stripe's publishable key (pk_…), a public token. */
const NOT_A_SECRET_ANYWHERE = new Set(["PUBLISHABLE", "PUBLIC"]);

/** The words of a variable name: camelCase and `_`/`-`/`.` separated, upper-cased. */
export function nameWords(name: string): string[] {
    return name
        .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
        .toUpperCase()
        .split(/[^A-Z0-9]+/)
        .filter(Boolean);
}

/** True when an environment variable (or Spin variable) called `name` holds a secret by its name. */
export function isSecretName(name: string): boolean {
    const w = nameWords(name);
    if (w.length === 0) return false;
    const last = w[w.length - 1];
    if (NOT_A_SECRET_LAST.has(last)) return false;
    if (NOT_A_SECRET_FIRST.has(w[0]) || w.some((x) => NOT_A_SECRET_ANYWHERE.has(x))) return false;
    if (w.some((x) => SECRET_WORDS.has(x))) return true;
    if (SECRET_PAIRS.some(([a, b]) => w.some((x, i) => x === a && w[i + 1] === b))) return true;
    return last === "KEY" && w.length > 1 && !NOT_A_SECRET_KEY.has(w[w.length - 2]);
}

/**
 * Values that point at a secret instead of holding it: an AWS Secrets Manager / SSM Parameter ARN, a Google
 * Secret Manager resource name, a Key Vault secret URI or App Service Key Vault reference. A service may take
 * these literally (e.g. Lambda reads the secret by ARN through the Parameters and Secrets extension).
 */
const REFERENCE_VALUE = [
    /^arn:aws[a-z-]*:(secretsmanager|ssm):/,
    /^projects\/[^/]+\/secrets\/[^/]+(\/versions\/[^/]+)?$/,
    /^https:\/\/[a-z0-9-]+\.vault\.(azure\.net|azure\.cn|usgovcloudapi\.net)\/secrets\//,
    /^@Microsoft\.KeyVault\(/,
];

/** Literal booleans (env values are strings): a switch, never a secret. */
const BOOLEAN_VALUE = /^(true|false|yes|no|on|off)$/i;
/** Literal decimal numbers. */
const NUMBER_VALUE = /^-?[0-9]+(\.[0-9]+)?$/;
/** The name's last word is the secret (PASSWORD, TOKEN, …_KEY), not a setting of it (ROUNDS, RETRIES). */
function namesTheSecretItself(name: string): boolean {
    const w = nameWords(name);
    const last = w[w.length - 1];
    return SECRET_WORDS.has(last) || last === "KEY";
}

/**
 * The finding for one name/value pair, or undefined. A value the preview cannot know (an output of another
 * resource) is not a literal the author typed: it passes here, and when it is a secret's value it shows in
 * state, which SEC-03 cannot see at preview (see docs/zero-trust-rules.md).
 */
function literalSecret(where: string, name: unknown, value: unknown, fix: string): string | undefined {
    const n = readKnown(() => name);
    if (typeof n !== "string" || !isSecretName(n)) return undefined;
    const v = readKnown(() => value);
    if (v === UNKNOWN || v === undefined || v === null || v === "") return undefined;
    if (typeof v === "string" && REFERENCE_VALUE.some((r) => r.test(v))) return undefined;
    // A boolean is a switch (ENABLE_TOKEN_AUTH=true), never a secret. A number is a setting of the secret
    // (PASSWORD_HASH_ROUNDS=12) unless the name ends in the secret itself (DB_PASSWORD=123456, APP_PIN_KEY=4321).
    if (typeof v === "boolean" || (typeof v === "string" && BOOLEAN_VALUE.test(v.trim()))) return undefined;
    if ((typeof v === "number" || (typeof v === "string" && NUMBER_VALUE.test(v.trim()))) && !namesTheSecretItself(n)) return undefined;
    return `${where} ${fmt(n)} has a literal value: a secret would sit in the program, the stack's state and the resource's configuration; ${fix}`;
}

/** The literal-secret findings for a list of `{ name, value }` entries (env arrays). */
function envList(list: unknown, where: string, fix: string, valueKey = "value"): string[] {
    const entries = readKnown(() => list);
    if (entries === UNKNOWN) return [];
    return asArray<any>(entries as any[]).flatMap((e, i) => {
        const m = literalSecret(`${where}[${i}]`, readKnown(() => e?.name), readKnown(() => e?.[valueKey]), fix);
        return m ? [m] : [];
    });
}

const K8S_FIX = "read it with valueFrom.secretKeyRef from a Secret an ExternalSecret syncs from the cloud's secret store.";

/** A Kubernetes pod spec's containers (init and app). */
function podSpecEnv(spec: Props<k8s.core.v1.PodSpec> | undefined, base: string): string[] {
    const s = readKnown(() => spec);
    if (s === UNKNOWN || !s) return [];
    return [
        ...asArray(readKnown(() => s.initContainers) as any[]).flatMap((c: any, i) => envList(c?.env, `${base}.initContainers[${fmt(c?.name ?? i)}].env`, K8S_FIX)),
        ...asArray(readKnown(() => s.containers) as any[]).flatMap((c: any, i) => envList(c?.env, `${base}.containers[${fmt(c?.name ?? i)}].env`, K8S_FIX)),
    ];
}

const kindOf = (ctx: RuleContext) => `${ctx.type.split(":").pop()} ${fmt(ctx.name)}`;

const CLOUD_RUN_FIX = "use valueSource.secretKeyRef { secret, version } (Secret Manager, read by the service's own account).";
const CONTAINER_APP_FIX = "use secretRef to a configuration.secrets entry with keyVaultUrl and the app's identity.";
const AWS_FIX = "reference the secret by ARN (ECS: secrets[].valueFrom; Lambda: the secret's ARN, read at run time with the task or function role).";

const literalSecretEnv: RuleDef = {
    name: "sec-03-no-literal-secret-env",
    id: "SEC-03",
    description:
        "No secret as a literal environment value: variables named like secrets (PASSWORD, TOKEN, SECRET, API_KEY, PRIVATE_KEY, ACCESS_KEY, CREDENTIAL, …_KEY) are references to the secret store (secretKeyRef, valueSource.secretKeyRef, secretRef to Key Vault, ECS secrets, an ARN), never typed values.",
    enforcementLevel: "mandatory",
    checks: {
        // Every Kubernetes workload kind, read through its own type (pod template of Deployment, Job, CronJob, …).
        ...Object.fromEntries(
            WORKLOAD_TYPES.map((type) => [type, (p: any, ctx: RuleContext) => podSpecEnv(podTemplateOf(type, p)?.spec, "pod spec").map((m) => `${kindOf(ctx)}: ${m}`)]),
        ),
        // Knative serving.knative.dev/v1 Service: spec.template.spec is a PodSpec subset (containers[].env).
        ...on<any>("kubernetes:serving.knative.dev/v1:Service", (svc: any, ctx) =>
            podSpecEnv(readKnown(() => svc?.spec?.template?.spec) as any, "spec.template.spec").map((m) => `${kindOf(ctx)}: ${m}`),
        ),
        // SpinKube SpinApp (core.spinkube.dev/v1alpha1, spin-operator v0.6.1 api/v1alpha1/spinapp_types.go):
        // spec.variables[] { name, value, valueFrom (an EnvVarSource) }.
        ...on<any>("kubernetes:core.spinkube.dev/v1alpha1:SpinApp", (app: any, ctx) =>
            envList(readKnown(() => app?.spec?.variables), "spec.variables", "bind it with valueFrom.secretKeyRef from a Secret an ExternalSecret syncs.").map((m) => `${kindOf(ctx)}: ${m}`),
        ),
        // The Pulumi GCP provider names a container's env list `envs` (cloudrunv2 ServiceTemplateContainer /
        // JobTemplateTemplateContainer, cloudrun ServiceTemplateSpecContainer), each { name, value | valueSource }.
        ...on<Props<CloudRunV2ServiceArgs>>("gcp:cloudrunv2/service:Service", (svc) =>
            asArray(readKnown(() => svc.template?.containers) as Props<CloudRunV2ServiceArgs>["template"]["containers"]).flatMap((c, i) =>
                envList(readKnown(() => c?.envs), `Cloud Run service: template.containers[${fmt(c?.name ?? i)}].envs`, CLOUD_RUN_FIX),
            ),
        ),
        ...on<Props<CloudRunV2JobArgs>>("gcp:cloudrunv2/job:Job", (job) =>
            asArray(readKnown(() => job.template?.template?.containers) as NonNullable<Props<CloudRunV2JobArgs>["template"]["template"]>["containers"]).flatMap((c, i) =>
                envList(readKnown(() => c?.envs), `Cloud Run job: template.template.containers[${fmt(c?.name ?? i)}].envs`, CLOUD_RUN_FIX),
            ),
        ),
        ...on<Props<CloudRunV1ServiceArgs>>("gcp:cloudrun/service:Service", (svc) =>
            asArray(readKnown(() => svc.template?.spec?.containers) as NonNullable<NonNullable<Props<CloudRunV1ServiceArgs>["template"]>["spec"]>["containers"]).flatMap((c, i) =>
                envList(readKnown(() => c?.envs), `Cloud Run service: template.spec.containers[${fmt(c?.name ?? i)}].envs`, "use valueFrom.secretKeyRef (Secret Manager)."),
            ),
        ),
        ...on<Props<ContainerAppArgs>>("azure-native:app:ContainerApp", (app) => {
            const out = [
                ...asArray(readKnown(() => app.template?.initContainers) as any[]).flatMap((c: any, i) =>
                    envList(c?.env, `Container App: template.initContainers[${fmt(c?.name ?? i)}].env`, CONTAINER_APP_FIX),
                ),
                ...asArray(readKnown(() => app.template?.containers) as any[]).flatMap((c: any, i) =>
                    envList(c?.env, `Container App: template.containers[${fmt(c?.name ?? i)}].env`, CONTAINER_APP_FIX),
                ),
            ];
            // A Container Apps secret holds its value in the app's configuration (and the stack's state) unless it
            // is a Key Vault reference (keyVaultUrl + identity): every entry is a secret by definition.
            asArray(readKnown(() => app.configuration?.secrets) as any[]).forEach((s: any, i) => {
                const hasValue = present(() => s?.value);
                const kv = present(() => s?.keyVaultUrl);
                if (hasValue && !kv)
                    out.push(`Container App: configuration.secrets[${fmt(readKnown(() => s?.name) ?? i)}] has a value, so the secret sits in the app's configuration and the stack's state; use keyVaultUrl with the app's identity.`);
            });
            return out;
        }),
        ...on<Props<FunctionArgs>>("aws:lambda/function:Function", (fn) => {
            const vars = readKnown(() => fn.environment?.variables);
            if (vars === UNKNOWN || !vars) return [];
            return Object.keys(vars).flatMap((k) => {
                const m = literalSecret("Lambda function: environment.variables", k, readKnown(() => (vars as Record<string, unknown>)[k]), AWS_FIX);
                return m ? [m] : [];
            });
        }),
        // containerDefinitions is a JSON string (ECS RegisterTaskDefinition's ContainerDefinition list): environment
        // [{ name, value }] vs secrets [{ name, valueFrom }].
        ...on<Props<TaskDefinitionArgs>>("aws:ecs/taskDefinition:TaskDefinition", (task) => {
            const raw = readKnown(() => task.containerDefinitions);
            if (raw === UNKNOWN) return [];
            return asArray<any>(parseDocument(raw)).flatMap((c: any, i) =>
                envList(c?.environment, `ECS task definition: containerDefinitions[${fmt(c?.name ?? i)}].environment`, "move it to secrets [{ name, valueFrom: <secret ARN> }]."),
            );
        }),
        ...on<Props<ExpressGatewayServiceArgs>>("aws:ecs/expressGatewayService:ExpressGatewayService", (svc) =>
            envList(readKnown(() => svc.primaryContainer?.environments), "ECS Express service: primaryContainer.environments", "move it to primaryContainer.secrets [{ name, valueFrom: <secret ARN> }]."),
        ),
    },
};

export const secretsRules: RuleDef[] = [secretStoreIdentity, literalSecretEnv];

export const secretsPolicies = secretsRules.map(resourcePolicy);
