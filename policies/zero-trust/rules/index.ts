/** Every zero-trust policy, by area. Importing these modules does not start a server. */
import type { Policy } from "@pulumi/policy";
import { encryptionPolicies } from "./encryption";
import { identityPolicies } from "./identity";
import { isolationPolicies } from "./isolation";
import { kubernetesPolicies } from "./kubernetes";
import { networkPolicies } from "./network";
import { stackPolicies } from "./stack";

export * from "./common";
export { encryptionPolicies, encryptionRules } from "./encryption";
export { identityPolicies, identityRules } from "./identity";
export { isolationPolicies, isolationRules } from "./isolation";
export { kubernetesPolicies, kubernetesRules } from "./kubernetes";
export { networkPolicies, networkRules } from "./network";
export { stackPolicies, stackRules } from "./stack";

export const zeroTrustPolicies: Policy[] = [
    ...identityPolicies,
    ...networkPolicies,
    ...encryptionPolicies,
    ...isolationPolicies,
    ...kubernetesPolicies,
    ...stackPolicies,
];
