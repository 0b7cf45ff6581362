/**
 * Serverless: one HTTP workload that scales with requests (to zero by default), private by default, with
 * its own identity. One component per runtime, all behind `ServerlessServiceOutputs` (url, identity):
 * CloudRunService (GCP Cloud Run v2), ContainerAppService (Azure Container Apps), LambdaService (AWS
 * Lambda, scale to zero), EcsExpressService (ECS Express Mode, minScale >= 1), KnativeService (Knative
 * Serving) and SpinService (SpinKube, wasm). Shared runtimes are components too, installed once per
 * target: ContainerAppsEnvironment, EcsServicesCluster, KnativeRuntime, SpinKubeRuntime.
 */
export { CloudRunService, CLOUD_RUN_SECRET_VERSION, SECRET_ACCESSOR_ROLE, type CloudRunServiceArgs } from "./cloudrun";
export { ContainerAppService, ContainerAppsEnvironment, CONSUMPTION_PROFILE, callerRangeProblems, type ContainerAppServiceArgs, type ContainerAppsEnvironmentArgs } from "./containerapps";
export {
    CLOUDWATCH_RETENTION_DAYS,
    EcsExpressService,
    LAMBDA_SECRET_ARN_SUFFIX,
    LambdaService,
    awsPhysicalName,
    type AwsServiceNetworkArgs,
    type EcsExpressServiceArgs,
    type LambdaServiceArgs,
} from "./aws-lambda";
export { CONTAINER_INSIGHTS_MODES, EcsServicesCluster, type EcsServicesClusterArgs } from "./ecs-cluster";
export { KnativeService, type KnativeServiceArgs } from "./knative";
export { SpinService, SPIN_HTTP_PORT, type SpinServiceArgs } from "./spin";
export { type ClusterServiceArgs, type SecretKeyReference, type WorkloadIdentityBinding } from "./cluster-service";
export { KnativeRuntime, type KnativeRuntimeArgs } from "./install/knative";
export { SpinKubeRuntime, spinAppExecutor, type SpinKubeRuntimeArgs } from "./install/spinkube";
export { type EgressExceptionArgs } from "./install/egress";
export { SERVERLESS_PLATFORMS, platformFor, type ServerlessPlatform } from "./rules";
export { type ServerlessServiceBaseArgs, type ServerlessServiceOutputs } from "./service";
export { secretsArgsProblems, type ManagedSecretStore } from "./secrets";
export { KEY_VAULT_PRIVATE_DNS_ZONE, KeyVaultPrivateEndpoint, type KeyVaultPrivateEndpointArgs } from "./key-vault-endpoint";
