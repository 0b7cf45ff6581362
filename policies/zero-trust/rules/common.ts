/**
 * Building blocks shared by every zero-trust rule: a small rule definition (catalogue id, level,
 * resource type tokens, a check returning messages), the conversion to a @pulumi/policy
 * ResourceValidationPolicy, edge exceptions and CIDR helpers.
 *
 * Rules match on type tokens (`args.type === "aws:eks/cluster:Cluster"`) instead of
 * `validateResourceOfType(aws.eks.Cluster, …)`: importing a provider SDK at run time costs seconds of
 * pack start-up. Property paths stay compile-checked because each rule reads its props through the
 * provider's own `…Args` interface, unwrapped (`Props<ClusterArgs>`), imported with `import type` only.
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
import { PRIVATE_IPV4_RANGES, PRIVATE_IPV6_RANGES } from "../../../components/network/private-ranges";

/** The props a policy sees for a resource whose constructor takes `A` (inputs unwrapped). */
export type Props<A> = Unwrap<A>;

/** Config every exposure rule accepts (see docs/policies.md). */
export interface ExposureConfig {
    /**
     * Named public edges: exempt from this rule, reported as not applicable. An entry matches a resource's
     * name or URN, or the exception name the resource itself carries in its `platform.io/edge-exception`
     * annotation (both sides must agree: the program marks the resource, the pack config names it).
     */
    edgeExceptions?: string[];
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
    /** Answers "not applicable" with a reason (an explicit, reported exemption); does not return. */
    notApplicable: (reason: string) => never;
}

export interface RuleDef<P = any> {
    /** Policy name, e.g. "id-01-eks-access-entries". */
    name: string;
    /** Catalogue id, e.g. "ID-01". */
    id: string;
    description: string;
    enforcementLevel: EnforcementLevel;
    /** Type tokens the rule applies to. */
    types: readonly string[];
    /** Exposure rules honour `edgeExceptions` and `allowedCidrs`. */
    exposure?: boolean;
    configSchema?: PolicyConfigSchema;
    /** Returns one message per violation: what is wrong, on which property, how to fix it. */
    check(props: P, ctx: RuleContext): string[];
}

const exposureSchema: PolicyConfigSchema = {
    properties: {
        edgeExceptions: {
            type: "array",
            items: { type: "string" },
            default: [],
            description: "Public edges exempt from this exposure rule: resource names, URNs, or exception names a resource carries in its platform.io/edge-exception annotation.",
        },
        allowedCidrs: {
            type: "array",
            items: { type: "string" },
            default: [],
            description: "Public CIDRs that may be allowed in (never 0.0.0.0/0 or ::/0).",
        },
    },
};

/** The annotation by which a program marks a resource as a named public edge (see components/mesh, serverless). */
export const EDGE_EXCEPTION_ANNOTATION = "platform.io/edge-exception";

/**
 * The edge-exception name a resource carries: on a Kubernetes object in metadata.annotations, on a helm
 * release of a gateway chart in values.service.annotations. Undefined when unmarked or not yet known.
 */
export function edgeExceptionMark(props: any): string | undefined {
    try {
        const v = props?.metadata?.annotations?.[EDGE_EXCEPTION_ANNOTATION] ?? props?.values?.service?.annotations?.[EDGE_EXCEPTION_ANNOTATION];
        return typeof v === "string" && v !== "" ? v : undefined;
    } catch {
        // An unknown value during preview: the resource is not (yet) marked; the rule itself judges the rest.
        return undefined;
    }
}

/** Converts a rule definition into a policy the PolicyPack serves. */
export function resourcePolicy(rule: RuleDef): ResourceValidationPolicy {
    const types = new Set(rule.types);
    const configSchema: PolicyConfigSchema | undefined = rule.exposure
        ? { properties: { ...exposureSchema.properties, ...rule.configSchema?.properties } }
        : rule.configSchema;
    return {
        name: rule.name,
        description: `[${rule.id}] ${rule.description}`,
        enforcementLevel: rule.enforcementLevel,
        configSchema,
        validateResource: (args: ResourceValidationArgs, report: ReportViolation) => {
            if (!types.has(args.type)) return;
            const config = (args.getConfig() ?? {}) as Record<string, any>;
            if (rule.exposure) {
                const exceptions: string[] = config.edgeExceptions ?? [];
                const mark = edgeExceptionMark(args.props);
                // Reported to the engine as "not applicable" with the reason, so the exemption is visible.
                if (exceptions.includes(args.name) || exceptions.includes(args.urn))
                    args.notApplicable(`public edge exception "${args.name}" (edgeExceptions of ${rule.name})`);
                if (mark !== undefined && exceptions.includes(mark))
                    args.notApplicable(`public edge exception "${mark}" marked on "${args.name}" (edgeExceptions of ${rule.name})`);
            }
            const ctx: RuleContext = {
                name: args.name,
                urn: args.urn,
                type: args.type,
                config,
                allowedCidrs: config.allowedCidrs ?? [],
                notApplicable: (reason: string) => args.notApplicable(reason) as never,
            };
            for (const message of rule.check(args.props, ctx)) report(`[${rule.id}] ${message}`);
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
