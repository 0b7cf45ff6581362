/**
 * Building blocks shared by every zero-trust rule: a small rule definition (catalogue id, level, one typed
 * check per resource type), the conversion to a @pulumi/policy ResourceValidationPolicy, the pack's one
 * exception model and CIDR helpers.
 *
 * A rule's checks are keyed by type token (`"aws:eks/cluster:Cluster": (cluster: Props<ClusterArgs>, ctx) => …`)
 * instead of `validateResourceOfType(aws.eks.Cluster, …)`: that needs the provider SDK's class at run time,
 * and importing a provider SDK costs seconds of pack start-up (and would make the pack depend on every
 * cloud SDK). Property paths stay compile-checked because each check reads its props through the provider's
 * own `…Args` interface, unwrapped (`Props<ClusterArgs>`), imported with `import type` only (erased when the
 * pack is transpiled, so the pack's package.json does not name the SDKs).
 */
import type {
    EnforcementLevel,
    PolicyConfigSchema,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationPolicy,
} from "@pulumi/policy";
import type { Unwrap } from "@pulumi/pulumi";

/** The props a policy sees for a resource whose constructor takes `A` (inputs unwrapped). */
export type Props<A> = Unwrap<A>;

/** Config every exposure rule accepts (see docs/policies.md). */
export interface ExposureConfig {
    /** Public (non-private) CIDRs that may be allowed in; 0.0.0.0/0 and ::/0 are never allowed. */
    allowedCidrs?: string[];
}

export interface RuleContext {
    name: string;
    urn: string;
    type: string;
    /** The policy's config from Configure (without enforcementLevel). */
    config: Record<string, any>;
    allowedCidrs: string[];
}

/** One check of a rule: the resource's props typed by its provider's `…Args`; one message per violation. */
export type Check<P> = (props: P, ctx: RuleContext) => string[];

export interface RuleDef {
    /** Policy name, e.g. "id-01-eks-access-entries". */
    name: string;
    /** Catalogue id, e.g. "ID-01". */
    id: string;
    description: string;
    enforcementLevel: EnforcementLevel;
    /**
     * One typed check per resource type token the rule applies to (build entries with `on`). Each returns one
     * message per violation: what is wrong, on which property, how to fix it.
     */
    checks: Record<string, Check<any>>;
    /** Exposure rules take `allowedCidrs`. */
    exposure?: boolean;
    configSchema?: PolicyConfigSchema;
}

/** `{ [type]: check }` for each type token: the same typed check for several tokens of one kind (v1/v1beta1). */
export function on<P>(types: string | readonly string[], check: Check<P>): Record<string, Check<any>> {
    return Object.fromEntries((typeof types === "string" ? [types] : types).map((t) => [t, check]));
}

const exposureSchema: PolicyConfigSchema = {
    properties: {
        allowedCidrs: {
            type: "array",
            items: { type: "string" },
            default: [],
            description: "Public CIDRs that may be allowed in (never 0.0.0.0/0 or ::/0).",
        },
    },
};

// ---------------------------------------------------------------------------------------------
// Exceptions: one model for every rule

/**
 * The key of the mark by which a program names the exception a resource is granted: an annotation on
 * Kubernetes objects (metadata.annotations, or values.service.annotations of a gateway helm release).
 * Twin of EDGE_EXCEPTION_ANNOTATION in components/contracts/names.ts (the components set it); a pack ships on
 * its own, so it keeps its own copy, and tests/policy-pack-standalone.test.ts checks the two agree.
 */
export const EXCEPTION_ANNOTATION = "platform.io/edge-exception";

/**
 * The key of the mark on cloud resources: a tag (AWS, Azure `tags`) or label (GCP `labels`). One key valid
 * in all three: GCP label keys allow only lowercase letters, digits, `_` and `-`, Azure tag names no `/`.
 */
export const EXCEPTION_TAG = "platform-policy-exception";

/** The policy whose config holds the pack's exceptions (Pulumi's pack config is per policy). */
export const EXCEPTIONS_POLICY = "zero-trust-exceptions";

/** A named exception (pack config `exceptions`): the listed policies do not apply to resources marked with its name. */
export interface PolicyException {
    /** A DNS label; the mark a resource carries. */
    name: string;
    /** Why the exception is granted (ticket, owner); reported with every exemption. */
    reason: string;
    /** Policy names of this pack the exception exempts from. */
    policies: string[];
}

const DNS_LABEL_PATTERN = "^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$";

/**
 * The schema of `exceptions`; `policyNames` are the pack's policies, so the engine rejects an exception that
 * names a policy the pack does not have when it validates the pack config (before Configure).
 */
export function exceptionsSchema(policyNames: string[]): PolicyConfigSchema {
    return {
        properties: {
            exceptions: {
                type: "array",
                default: [],
                description:
                    "Named exceptions: { name (a DNS label), reason (mandatory), policies (this pack's policy names) }. A resource marked with the name (annotation platform.io/edge-exception, or tag/label platform-policy-exception) is exempt from those policies; each exemption is reported with the name and reason.",
                items: {
                    type: "object",
                    additionalProperties: false,
                    required: ["name", "reason", "policies"],
                    properties: {
                        name: { type: "string", pattern: DNS_LABEL_PATTERN },
                        reason: { type: "string", minLength: 1, pattern: "\\S" },
                        policies: { type: "array", minItems: 1, items: { type: "string", enum: [...policyNames].sort() } },
                    },
                },
            },
        },
    };
}

/**
 * The exception name a resource carries: on a Kubernetes object in metadata.annotations, on a helm release
 * of a gateway chart in values.service.annotations, on a cloud resource in tags or labels. Undefined when
 * unmarked or not yet known.
 */
export function exceptionMark(props: any): string | undefined {
    try {
        const v =
            props?.metadata?.annotations?.[EXCEPTION_ANNOTATION] ??
            props?.values?.service?.annotations?.[EXCEPTION_ANNOTATION] ??
            props?.tags?.[EXCEPTION_TAG] ??
            props?.labels?.[EXCEPTION_TAG];
        return typeof v === "string" && v !== "" ? v : undefined;
    } catch {
        // An unknown value during preview: the resource is not (yet) marked; the rule itself judges the rest.
        return undefined;
    }
}

/**
 * The exceptions currently configured. Pulumi's pack config is per policy, so they are the config of the
 * EXCEPTIONS_POLICY policy, which the pack serves first: the server runs a request's policies in order, and
 * that policy's check reads its config (from the last Configure) before any rule runs. Disabling that policy
 * leaves no exception in force (fails closed).
 */
let configuredExceptions: PolicyException[] = [];

/** Reads `config.exceptions` into force; an entry the schema should have refused is an error naming it. */
export function setExceptions(config: Record<string, any>): void {
    const list = (config?.exceptions ?? []) as PolicyException[];
    for (const [i, e] of list.entries()) {
        if (!e || typeof e.name !== "string" || !new RegExp(DNS_LABEL_PATTERN).test(e.name))
            throw new Error(`${EXCEPTIONS_POLICY}: exceptions[${i}].name: ${JSON.stringify(e?.name)}; allowed: a DNS label`);
        if (typeof e.reason !== "string" || !e.reason.trim())
            throw new Error(`${EXCEPTIONS_POLICY}: exceptions[${i}] "${e.name}": reason is ${JSON.stringify(e.reason)}; allowed: a non-empty reason`);
    }
    configuredExceptions = list;
}

/** The configured exception a resource's mark names for `policy`, if any. */
export function exceptionFor(policy: string, props: unknown): PolicyException | undefined {
    if (configuredExceptions.length === 0) return undefined;
    const mark = exceptionMark(props);
    if (mark === undefined) return undefined;
    return configuredExceptions.find((e) => e.name === mark && e.policies.includes(policy));
}

/** The reason an exempt resource is reported with ("not applicable" in the protocol). */
export function exemptionReason(e: PolicyException, resourceName: string): string {
    return `policy exception "${e.name}" marked on "${resourceName}": ${e.reason}`;
}

/** The policy holding the exceptions: validates nothing itself, puts its config in force for the rules after it. */
export function exceptionsPolicy(policyNames: string[]): ResourceValidationPolicy {
    return {
        name: EXCEPTIONS_POLICY,
        description: "Named exceptions of the zero-trust pack (config only): which marked resources are exempt from which policies, and why.",
        enforcementLevel: "mandatory",
        configSchema: exceptionsSchema(policyNames),
        validateResource: (args: ResourceValidationArgs) => setExceptions(args.getConfig() as Record<string, any>),
    };
}

/** Converts a rule definition into a policy the PolicyPack serves. */
export function resourcePolicy(rule: RuleDef): ResourceValidationPolicy {
    const configSchema: PolicyConfigSchema | undefined = rule.exposure
        ? { properties: { ...exposureSchema.properties, ...rule.configSchema?.properties } }
        : rule.configSchema;
    return {
        name: rule.name,
        description: `[${rule.id}] ${rule.description}`,
        enforcementLevel: rule.enforcementLevel,
        configSchema,
        validateResource: (args: ResourceValidationArgs, report: ReportViolation) => {
            const check = rule.checks[args.type];
            if (check === undefined) return;
            // Reported to the engine as "not applicable" with the exception's name and reason, so it is visible.
            const exception = exceptionFor(rule.name, args.props);
            if (exception) args.notApplicable(exemptionReason(exception, args.name));
            const config = (args.getConfig() ?? {}) as Record<string, any>;
            const ctx: RuleContext = { name: args.name, urn: args.urn, type: args.type, config, allowedCidrs: config.allowedCidrs ?? [] };
            for (const message of check(args.props, ctx)) report(`[${rule.id}] ${message}`);
        },
    };
}

export interface StackRuleDef {
    name: string;
    id: string;
    description: string;
    enforcementLevel: EnforcementLevel;
    configSchema?: PolicyConfigSchema;
    validateStack: StackValidationPolicy["validateStack"];
}

export function stackPolicy(rule: StackRuleDef): StackValidationPolicy {
    return {
        name: rule.name,
        description: `[${rule.id}] ${rule.description}`,
        enforcementLevel: rule.enforcementLevel,
        configSchema: rule.configSchema,
        validateStack: (args, report) =>
            rule.validateStack(args, (message: string, urn?: string) => report(`[${rule.id}] ${message}`, urn)),
    };
}

// ---------------------------------------------------------------------------------------------
// Values

/** A short description of the resource for messages. */
export function what(ctx: RuleContext, kind: string): string {
    return `${kind} "${ctx.name}"`;
}

/**
 * True when `obj[key]` holds a value. During preview a value that is the output of another resource (a
 * key ARN, an NSG id, a service-account email) is unknown: it is set, only not known yet, so presence
 * checks pass instead of the advisory "can't run during preview" reading it would cause. The check then
 * gives the same verdict under `pulumi preview` as the offline check, where mocks make such values known.
 */
export function isSet(obj: any, key: string): boolean {
    if (obj === undefined || obj === null || typeof obj !== "object" || !(key in obj)) return false;
    const v = readKnown(() => obj[key]);
    return v === UNKNOWN || (v !== undefined && v !== null && v !== "");
}

/** Marks a value a preview cannot know yet (see readKnown). */
export const UNKNOWN: unique symbol = Symbol("unknown during preview");

/** The value `read` returns, or UNKNOWN when it reads a value the preview cannot know (@pulumi/policy's proxy throws). */
export function readKnown<T>(read: () => T): T | typeof UNKNOWN {
    try {
        return read();
    } catch (e) {
        // @pulumi/policy's UnknownValueError is internal to the package: recognise it by name.
        if (e instanceof Error && e.constructor.name === "UnknownValueError") return UNKNOWN;
        throw e;
    }
}

export function fmt(v: unknown): string {
    return v === undefined ? "unset" : JSON.stringify(v);
}

/** Parses a JSON policy document given as a string or an object; undefined when it is not JSON. */
export function parseDocument(doc: unknown): any {
    if (typeof doc === "string") {
        try {
            return JSON.parse(doc);
        } catch {
            return undefined;
        }
    }
    return doc;
}

export function asArray<T>(v: T | T[] | undefined | null): T[] {
    if (v === undefined || v === null) return [];
    return Array.isArray(v) ? v : [v];
}

// ---------------------------------------------------------------------------------------------
// CIDRs

export const WORLD = ["0.0.0.0/0", "::/0"];

interface ParsedCidr {
    v6: boolean;
    base: bigint;
    bits: number;
}

function parseIp(ip: string): { v6: boolean; value: bigint } | undefined {
    if (/^\d{1,3}(\.\d{1,3}){3}$/.test(ip)) {
        const parts = ip.split(".").map(Number);
        if (parts.some((p) => p > 255)) return undefined;
        return { v6: false, value: parts.reduce((a, p) => (a << 8n) | BigInt(p), 0n) };
    }
    if (ip.includes(":")) {
        const [head, tail] = ip.split("::");
        const h = head ? head.split(":") : [];
        const t = tail !== undefined ? (tail ? tail.split(":") : []) : [];
        const groups = tail !== undefined ? [...h, ...Array(8 - h.length - t.length).fill("0"), ...t] : h;
        if (groups.length !== 8 || groups.some((g) => !/^[0-9a-f]{1,4}$/i.test(g))) return undefined;
        return { v6: true, value: groups.reduce((a, g) => (a << 16n) | BigInt(parseInt(g, 16)), 0n) };
    }
    return undefined;
}

export function parseCidr(cidr: string): ParsedCidr | undefined {
    const [ip, len] = cidr.trim().split("/");
    const p = parseIp(ip);
    if (!p) return undefined;
    const max = p.v6 ? 128 : 32;
    const bits = len === undefined ? max : Number(len);
    if (!Number.isInteger(bits) || bits < 0 || bits > max) return undefined;
    const mask = bits === 0 ? 0n : ((1n << BigInt(bits)) - 1n) << BigInt(max - bits);
    return { v6: p.v6, base: p.value & mask, bits };
}

/** True when `inner` lies entirely inside `outer`. */
export function cidrWithin(inner: string, outer: string): boolean {
    const a = parseCidr(inner);
    const b = parseCidr(outer);
    if (!a || !b || a.v6 !== b.v6 || a.bits < b.bits) return false;
    const max = a.v6 ? 128 : 32;
    const mask = b.bits === 0 ? 0n : ((1n << BigInt(b.bits)) - 1n) << BigInt(max - b.bits);
    return (a.base & mask) === b.base;
}

/**
 * Address ranges that never route to the public internet (RFC 1918, shared CGNAT, loopback, link-local; IPv6
 * ULA, link-local, loopback). Twins of PRIVATE_IPV4_RANGES / PRIVATE_IPV6_RANGES in
 * components/contracts/private-ranges.ts: a pack ships on its own, so it keeps its own copy, and
 * tests/policy-pack-standalone.test.ts checks the two agree.
 */
export const PRIVATE_IPV4_RANGES = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16"] as const;
export const PRIVATE_IPV6_RANGES = ["fc00::/7", "fe80::/10", "::1/128"] as const;

const PRIVATE_RANGES = [...PRIVATE_IPV4_RANGES, ...PRIVATE_IPV6_RANGES];

/** True when `cidr` only covers private, shared (CGNAT) or link-local addresses. */
export function isPrivateCidr(cidr: string): boolean {
    return PRIVATE_RANGES.some((r) => cidrWithin(cidr, r));
}

/**
 * Why a source range may not be allowed in, or undefined when it may: the whole internet never;
 * another public range only when it lies inside one of the configured `allowedCidrs`.
 */
export function cidrProblem(cidr: string, allowed: string[]): string | undefined {
    const c = cidr.trim();
    if (c === "*" || c.toLowerCase() === "internet" || c.toLowerCase() === "any") return `"${c}" admits the whole internet`;
    const parsed = parseCidr(c);
    if (!parsed) return undefined; // service tags, security-group ids and the like are not address ranges
    if (parsed.bits === 0) return `${c} admits the whole internet`;
    if (isPrivateCidr(c)) return undefined;
    if (allowed.some((a) => cidrWithin(c, a) && (parseCidr(a)?.bits ?? 0) > 0)) return undefined;
    return `${c} is a public range not listed in allowedCidrs`;
}
