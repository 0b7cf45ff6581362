/**
 * Secrets management: External Secrets Operator on every cluster (operator.ts). SecretStores backed by each
 * cloud's secret store and the per-service ExternalSecrets build on it (docs/secrets.md).
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
