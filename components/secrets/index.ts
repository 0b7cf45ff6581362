/**
 * Secrets management: External Secrets Operator on every cluster (operator.ts), and per service on a
 * cluster a reader identity, a SecretStore backed by the cloud's store through workload identity and an
 * ExternalSecret (service-secrets.ts: one component per store behind ServiceSecretsOutputs) (docs/secrets.md).
 */
export {
    EXTERNAL_SECRETS_APPS,
    EXTERNAL_SECRETS_CHART_REPO,
    EXTERNAL_SECRETS_CHART_VERSION,
    EXTERNAL_SECRETS_CLOUDS,
    EXTERNAL_SECRETS_CONTROLLER_SERVICE_ACCOUNT,
    EXTERNAL_SECRETS_NAMESPACE,
    EXTERNAL_SECRETS_RELEASE,
    EXTERNAL_SECRETS_WEBHOOK_PORT,
    ExternalSecretsOperator,
    ExternalSecretsOperatorError,
    externalSecretsControllerPolicy,
    externalSecretsNetworkPolicies,
    externalSecretsOperatorProblems,
    externalSecretsValues,
    secretReaderRolePath,
    type ExternalSecretsAwsArgs,
    type ExternalSecretsOperatorArgs,
} from "./operator";
export {
    AwsSecretsManagerServiceSecrets,
    AzureKeyVaultServiceSecrets,
    DEFAULT_SECRET_SOURCE_NAMESPACE,
    EXTERNAL_SECRETS_API,
    externalSecretBody,
    GcpSecretManagerServiceSecrets,
    KubernetesServiceSecrets,
    namespaceReaderRolePath,
    SERVICE_SECRETS_REFRESH,
    secretReaderServiceAccount,
    secretStoreBody,
    serviceSecretName,
    serviceSecretsProblems,
    SOURCE_SECRET_KEY,
    type AwsSecretsManagerServiceSecretsArgs,
    type AzureKeyVaultServiceSecretsArgs,
    type GcpSecretManagerServiceSecretsArgs,
    type KubernetesServiceSecretsArgs,
    type ServiceSecretsArgs,
    type ServiceSecretsOutputs,
} from "./service-secrets";
