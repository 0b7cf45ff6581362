/**
 * The platform's customer-managed key on one cloud: Kubernetes secrets, Kafka data at rest and other
 * stateful services encrypt with it. One shared outputs interface (EncryptionKeyOutputs) and one
 * component per cloud: AwsKmsKey, AzureKeyVaultKey, GcpKmsKey (each aliased from the single
 * `platform:index:EncryptionKey` they replace, so existing stacks keep their keys).
 */
export * from "./outputs";
export { AwsKmsKey, type AwsKmsKeyArgs } from "./aws";
export { AzureKeyVaultKey, azureKeyVersionSchedule, type AzureKeyVaultKeyArgs, type AzureKeyVersionSchedule } from "./azure";
export { GcpKmsKey, type GcpKmsKeyArgs } from "./gcp";
