/**
 * The pack's one exception model, the same as the zero-trust pack's (config shape, mark, report
 * wording): a named exception with a mandatory reason lists the policies it exempts from, and a
 * resource is exempt from them when it carries the mark naming it. Each exemption is reported
 * ("not applicable" in the protocol) with the exception's name and reason.
 *
 * Pulumi's policy-pack config is per policy (`--policy-pack-config`: policy name → properties; "all"
 * takes a level only), so the pack-wide list is the config of one config-only policy,
 * `carbon-aware-exceptions`:
 *
 *     { "carbon-aware-exceptions": { "exceptions": [{ "name": "legacy-warsaw", "reason": "…", "policies": ["ca-01-max-grid-intensity"] }] } }
 *
 * The engine validates it against the schema before Configure: name a DNS label, reason non-empty,
 * policies only this pack's resource policies. The pack serves that policy first; @pulumi/policy's
 * server runs a request's policies in order, so its validation puts the config in force before any
 * rule runs. Disabling it leaves no exception in force (fails closed).
 *
 * The mark on a cloud resource is the tag (AWS, Azure `tags`) or label (GCP `labels`, `resourceLabels`
 * on gcp:container/cluster:Cluster) `platform-policy-exception: <name>`: one key valid in all three (GCP
 * label keys and values allow lowercase letters, digits, "-" and "_", max 63, which every DNS label meets).
 */
import type { ResourceValidationArgs, ResourceValidationPolicy } from "@pulumi/policy";

/** Tag / label key whose value names the exception a resource is under (the zero-trust pack's EXCEPTION_TAG). */
export const EXCEPTION_MARK = "platform-policy-exception";

/** The policy whose config holds the pack's exceptions. */
export const EXCEPTIONS_POLICY = "carbon-aware-exceptions";

/** A DNS-1123 label (twin of DNS_LABEL in components/contracts/names.ts). */
export const EXCEPTION_NAME_PATTERN = "^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$";

export interface PolicyException {
    /** A DNS label; the value of the resource's platform-policy-exception tag / label. */
    name: string;
    /** Why the exception is granted (ticket, owner); reported with every exemption. */
    reason: string;
    /** This pack's policy names the exception exempts from. */
    policies: string[];
}

export interface ExceptionsConfig {
    exceptions?: PolicyException[];
}

/** The config schema of the exceptions policy; `policyNames` are the policies an exception may name. */
export function exceptionsSchema(policyNames: readonly string[]) {
    return {
        properties: {
            exceptions: {
                type: "array" as const,
                default: [],
                description: `Named exceptions: { name (a DNS label), reason (mandatory), policies (this pack's policy names) }. A resource whose "${EXCEPTION_MARK}" tag (AWS, Azure) or label (GCP) is the name is exempt from those policies; each exemption is reported with the name and reason.`,
                items: {
                    type: "object" as const,
                    additionalProperties: false,
                    required: ["name", "reason", "policies"],
                    properties: {
                        name: { type: "string" as const, pattern: EXCEPTION_NAME_PATTERN },
                        reason: { type: "string" as const, minLength: 1, pattern: "\\S" },
                        policies: { type: "array" as const, minItems: 1, items: { type: "string" as const, enum: [...policyNames].sort() } },
                    },
                },
            },
        },
    };
}

/** The exceptions in force (from the exceptions policy's config of the last Configure). */
let inForce: PolicyException[] = [];

/**
 * Puts a config's exceptions in force. An entry the schema should have refused (the engine validates
 * before Configure; a caller that skips it) is an error naming the entry.
 */
export function setExceptions(config: ExceptionsConfig, policyNames: readonly string[]): void {
    const list = config?.exceptions ?? [];
    const namePattern = new RegExp(EXCEPTION_NAME_PATTERN);
    for (const [i, e] of list.entries()) {
        if (!e || typeof e.name !== "string" || !namePattern.test(e.name))
            throw new Error(`${EXCEPTIONS_POLICY}: exceptions[${i}].name: ${JSON.stringify(e?.name)}; allowed: a DNS label`);
        if (typeof e.reason !== "string" || !e.reason.trim())
            throw new Error(`${EXCEPTIONS_POLICY}: exceptions[${i}] "${e.name}": reason is ${JSON.stringify(e.reason)}; allowed: a non-empty reason`);
        const unknown = (e.policies ?? []).filter((p) => !policyNames.includes(p));
        if (!e.policies?.length || unknown.length)
            throw new Error(`${EXCEPTIONS_POLICY}: exceptions[${i}] "${e.name}": policies ${JSON.stringify(e.policies)}; allowed: one or more of ${policyNames.join(", ")}`);
    }
    inForce = list;
}

/** The config-only policy holding the exceptions; served first so its config is in force before the rules run. */
export function exceptionsPolicy(policyNames: readonly string[]): ResourceValidationPolicy {
    return {
        name: EXCEPTIONS_POLICY,
        description: "Named exceptions of the carbon-aware pack (config only): which marked resources are exempt from which policies, and why.",
        enforcementLevel: "mandatory",
        configSchema: exceptionsSchema(policyNames),
        validateResource: (args: ResourceValidationArgs) => setExceptions(args.getConfig<ExceptionsConfig>() ?? {}, policyNames),
    };
}

/** The exception name a resource carries in the first of its cloud's mark fields that has one. */
export function markOf(marks: Array<[string, Record<string, string> | undefined]>): string | undefined {
    for (const [, values] of marks) {
        const v = values?.[EXCEPTION_MARK];
        if (typeof v === "string" && v !== "") return v;
    }
    return undefined;
}

/** The exception in force that the mark names for `policy`, if any. */
export function exceptionFor(policy: string, mark: string | undefined): PolicyException | undefined {
    if (mark === undefined) return undefined;
    return inForce.find((e) => e.name === mark && e.policies.includes(policy));
}

/** The reason an exempt resource is reported with (the zero-trust pack's wording). */
export function exemptionReason(e: PolicyException, resourceName: string): string {
    return `policy exception "${e.name}" marked on "${resourceName}": ${e.reason}`;
}
