/**
 * Secrets of the managed runtimes (Cloud Run, Container Apps, Lambda, ECS Express Mode), by reference:
 * `secrets` maps an environment variable to the name of a secret in the cloud's own store, which the
 * product team creates and fills outside Pulumi. The components never see a value; each grants its own
 * service identity read access to exactly those secrets. This file holds what they share: the checks
 * of the names before anything is registered.
 */

/** The secret stores of the managed runtimes. */
export type ManagedSecretStore = "aws" | "gcp" | "azure";

/**
 * What a secret name may be in each store (the same rules as platform:services[].secrets, checked here
 * again because components are used without the stack's config):
 * - AWS Secrets Manager: 1-512 of letters, digits and /_+=.@- (Secrets Manager API, CreateSecret `Name`);
 * - Google Secret Manager: 1-255 of letters, digits, _ and - (Secret Manager API, Secret `secret_id`);
 * - Azure Key Vault: 1-127 of letters, digits and - (Key Vault "Object names").
 */
const STORE_NAME_RULES: Record<ManagedSecretStore, { pattern: RegExp; allowed: string }> = {
    aws: { pattern: /^[A-Za-z0-9/_+=.@-]{1,512}$/, allowed: "1-512 letters, digits or /_+=.@- (AWS Secrets Manager)" },
    gcp: { pattern: /^[A-Za-z0-9_-]{1,255}$/, allowed: "1-255 letters, digits, _ or - (Google Secret Manager)" },
    azure: { pattern: /^[0-9a-zA-Z-]{1,127}$/, allowed: "1-127 letters, digits or - (Azure Key Vault)" },
};

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Every problem of `secrets` (env name → secret name in `store`) as `args.secrets.<ENV>: …` lines: env names
 * that are not variable names, secret names the store refuses, and variables also set in `env` (a
 * literal would silently win or lose against the reference, depending on the runtime).
 */
export function secretsArgsProblems(store: ManagedSecretStore, secrets: Record<string, string> | undefined, env: Record<string, unknown> | undefined): string[] {
    const problems: string[] = [];
    const rule = STORE_NAME_RULES[store];
    for (const [envName, secretName] of Object.entries(secrets ?? {})) {
        if (!ENV_NAME.test(envName)) {
            problems.push(`args.secrets.${envName}: ${JSON.stringify(envName)} is not an environment variable name; allowed: letters, digits or _, not starting with a digit`);
        }
        if (typeof secretName !== "string" || !rule.pattern.test(secretName)) {
            problems.push(`args.secrets.${envName}: ${JSON.stringify(secretName)} is not a secret name; allowed: ${rule.allowed}`);
        }
        if (env && envName in env) {
            problems.push(`args.secrets.${envName}: is also set in args.env; allowed: a variable in env or in secrets, not both`);
        }
    }
    return problems;
}

/** The distinct secret names `secrets` references, in a stable order (one grant per secret, however many variables read it). */
export function secretNamesOf(secrets: Record<string, string> | undefined): string[] {
    return [...new Set(Object.values(secrets ?? {}))].sort();
}
