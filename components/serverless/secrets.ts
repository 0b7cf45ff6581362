/**
 * Secrets of the managed runtimes (Cloud Run, Container Apps, Lambda, ECS Express Mode), by reference:
 * `secrets` maps an environment variable to the name of a secret in the cloud's own store, which the
 * product team creates and fills outside Pulumi. The components never see a value; each grants its own
 * service identity read access to exactly those secrets. This file holds what they share: the checks
 * of the names before anything is registered.
 */

import { ENV_NAME, SECRET_NAME_RULES } from "../contracts/secrets";

export { secretNamesOf } from "../contracts/secrets";

/** The secret stores of the managed runtimes. */
export type ManagedSecretStore = "aws" | "gcp" | "azure";

/**
 * Every problem of `secrets` (env name → secret name in `store`) as `args.secrets.<ENV>: …` lines: env names
 * that are not variable names, secret names the store refuses, and variables also set in `env` (a
 * literal would silently win or lose against the reference, depending on the runtime).
 */
export function secretsArgsProblems(store: ManagedSecretStore, secrets: Record<string, string> | undefined, env: Record<string, unknown> | undefined): string[] {
    const problems: string[] = [];
    // The same rules as platform:services[].secrets, checked again: components are used without the stack's config.
    const rule = SECRET_NAME_RULES[store];
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
