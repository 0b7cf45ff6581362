/**
 * What a secret reference is, wherever it is checked (the stack config, the managed runtimes' components,
 * the cluster stores): an environment variable name mapped to a secret's name in a store.
 */

/** An environment variable name: letters, digits and _, not starting with a digit. */
export const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The stores a secret name can live in: each cloud's own, and Secrets of a namespace on the kubernetes target. */
export type SecretStoreKind = "aws" | "gcp" | "azure" | "kubernetes";

/**
 * What a secret name may be in each store:
 * - AWS Secrets Manager: 1-512 of letters, digits and /_+=.@- (CreateSecret API, `Name`);
 * - Google Secret Manager: 1-255 of letters, digits, _ and - (Secret resource, `secret_id`);
 * - Azure Key Vault: 1-127 of letters, digits and - (Key Vault "Object names");
 * - kubernetes target: a Secret name, a DNS-1123 subdomain (lowercase letters, digits, '-' and '.').
 */
export const SECRET_NAME_RULES: Record<SecretStoreKind, { pattern: RegExp; allowed: string }> = {
    aws: { pattern: /^[A-Za-z0-9/_+=.@-]{1,512}$/, allowed: "1-512 letters, digits or /_+=.@- (AWS Secrets Manager)" },
    gcp: { pattern: /^[A-Za-z0-9_-]{1,255}$/, allowed: "1-255 letters, digits, _ or - (Google Secret Manager)" },
    azure: { pattern: /^[0-9a-zA-Z-]{1,127}$/, allowed: "1-127 letters, digits or - (Azure Key Vault)" },
    kubernetes: {
        pattern: /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/,
        allowed: "a Kubernetes Secret name: lowercase letters, digits, '-' or '.', at most 253 (kubernetes target)",
    },
};

/** The distinct secret names a `secrets` map references, in a stable order (one grant per secret, however many variables read it). */
export function secretNamesOf(secrets: Record<string, string> | undefined): string[] {
    return [...new Set(Object.values(secrets ?? {}))].sort();
}
