/** Every zero-trust policy, by area. Importing these modules does not start a server. */
import type { Policy, ResourceValidationPolicy } from "@pulumi/policy";
import { exceptionsPolicy } from "./common";
import { encryptionPolicies } from "./encryption";
import { identityPolicies } from "./identity";
import { isolationPolicies } from "./isolation";
import { kubernetesPolicies } from "./kubernetes";
import { networkPolicies } from "./network";
import { secretsPolicies } from "./secrets";
import { stackPolicies } from "./stack";

export * from "./common";
export { encryptionPolicies, encryptionRules } from "./encryption";
export { identityPolicies, identityRules } from "./identity";
export { isolationPolicies, isolationRules } from "./isolation";
export { kubernetesPolicies, kubernetesRules } from "./kubernetes";
export { networkPolicies, networkRules } from "./network";
export { secretsPolicies, secretsRules, isSecretName, nameWords, SECRET_STORE_TYPES } from "./secrets";
export { stackPolicies, stackRules } from "./stack";

/** The rules: every policy an exception may name. */
export const zeroTrustRules: Policy[] = [
    ...identityPolicies,
    ...networkPolicies,
    ...encryptionPolicies,
    ...isolationPolicies,
    ...kubernetesPolicies,
    ...secretsPolicies,
    ...stackPolicies,
];

/**
 * The pack's policies: the exceptions policy first (the server runs a request's policies in order, so the
 * configured exceptions are in force before any rule of that request runs; see exceptionsPolicy), then the rules.
 */
export const zeroTrustPolicies: Policy[] = [exceptionsPolicy(zeroTrustRules.filter(isResourcePolicy).map((p) => p.name)), ...zeroTrustRules];

/** Exceptions name resource policies only: a stack policy has no "not applicable" answer to report one with. */
function isResourcePolicy(p: Policy): p is ResourceValidationPolicy {
    return "validateResource" in p;
}
