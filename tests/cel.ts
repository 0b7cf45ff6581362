/**
 * Evaluates the CEL rules of a CRD schema (`x-kubernetes-validations`) offline with @bufbuild/cel, the
 * way the API server does on create. Semantics followed (Kubernetes docs "Validation rules" and
 * kubernetes/kubernetes staging/src/k8s.io/apiextensions-apiserver/pkg/apiserver/schema/cel/validation.go):
 *
 * - a rule at a schema node runs with `self` bound to that node's value, once for every value present:
 *   per item for rules under `items`, per entry for rules under `additionalProperties`; absent and null
 *   values are not validated;
 * - schema defaults are applied first (the server defaults a request before it validates it), so rules
 *   such as `self.kind == 'Service'` see the defaulted field;
 * - values are typed by the schema (apiserver/pkg/cel/common/schemas.go SchemaDeclType): `integer` is
 *   CEL int, `number` double, strings with `format: duration` / `date` / `date-time` / `byte` are
 *   duration / timestamp / bytes, `x-kubernetes-int-or-string` is int or string; objects with
 *   `properties` expose only their declared fields, under escaped names (`namespace` is
 *   `__namespace__`, `-` is `__dash__`, apiserver/pkg/cel/escaping.go); at the resource root
 *   `apiVersion`, `kind`, `metadata.name` and `metadata.generateName` are always visible;
 * - reading an absent field is an error, and an error fails the rule ("<err> evaluating rule: …");
 * - a rule that reads `oldSelf` is a transition rule: it runs only on update, so a create skips it
 *   (counted). With `optionalOldSelf: true` the server runs it on create with `oldSelf` bound to
 *   `optional.none()`: @bufbuild/cel has no optional types, so such a rule is reported, not run;
 * - on failure the message is `messageExpression` (when it evaluates to a non-empty string), else
 *   `message`, else "failed rule: <rule>"; `fieldPath` is appended to the node's path; `reason` is kept;
 * - a rule calling a function the evaluator lacks (a Kubernetes CEL library such as `quantity()`,
 *   `url()`, `isSorted()`) is not run and is reported as needing that extension.
 *
 * Values only a real deployment can know (the plan's "(known after apply)") make the rules that see
 * them undetermined: counted, never passed or failed.
 */
import { celEnv, type CelEnv, type CelResult, isCelError, parse, plan } from "@bufbuild/cel";
import { strings } from "@bufbuild/cel/ext";

/** One `x-kubernetes-validations` entry (apiextensions.k8s.io/v1 ValidationRule). */
export interface CelRule {
    rule: string;
    message?: string;
    messageExpression?: string;
    fieldPath?: string;
    reason?: string;
    optionalOldSelf?: boolean;
}

/** How the plan marks a value a preview cannot know (tools/plan/runtime.ts UNKNOWN_PLACEHOLDER and UNKNOWN; tested equal). */
export const UNKNOWN_VALUES: ReadonlySet<unknown> = new Set(["(known after apply)", "04da6b54-80e4-46f7-96ec-b56ff0331ba9"]);

export interface CelFailure {
    /** JSON pointer of the value (plus the rule's fieldPath), as the schema errors are reported. */
    path: string;
    message: string;
    reason?: string;
    rule: string;
    /** Where the rule sits in the schema, e.g. `spec.listeners[*].tls`. */
    schemaPath: string;
}

export interface CelRuleRef {
    schemaPath: string;
    rule: string;
}

export interface CelOutcome {
    failures: CelFailure[];
    /** Rule evaluations that ran (a rule under `items` runs once per item). */
    evaluated: number;
    /** Distinct rules that ran at least once. */
    rulesRun: CelRuleRef[];
    /** Transition rules (they read `oldSelf`) skipped because this is a create. */
    transitionSkipped: CelRuleRef[];
    /** Rules not run because they need a function or type the evaluator lacks. */
    needsExtension: (CelRuleRef & { missing: string[] })[];
    /** Rules not decided because a value they read is only known after apply. */
    undetermined: CelRuleRef[];
}

interface CompiledRule {
    source: CelRule;
    schemaPath: string;
    transition: boolean;
    /** Functions (or `optional.none()` for optionalOldSelf) the evaluator lacks; empty when runnable. */
    missing: string[];
    program?: (ctx: { self: unknown }) => CelResult;
    messageProgram?: (ctx: { self: unknown }) => CelResult;
    /** A rule that does not parse is reported as a failure, as the server reports "rule compile error". */
    compileError?: string;
}

const env: CelEnv = celEnv({ funcs: strings });

/** Operators and macros the planner handles itself, not through the function table. */
const OPERATOR = /^(_.*_|_\[\??_\]|@.*|!_|-_)$/;

function astFacts(node: unknown, facts: { idents: Set<string>; calls: Set<string> }): void {
    if (Array.isArray(node)) {
        for (const n of node) astFacts(n, facts);
        return;
    }
    if (node === null || typeof node !== "object") return;
    const kind = (node as any).exprKind;
    if (kind?.case === "identExpr") facts.idents.add(kind.value.name);
    if (kind?.case === "callExpr") facts.calls.add(kind.value.function);
    for (const v of Object.values(node)) if (v && typeof v === "object") astFacts(v, facts);
}

const compiledBySchema = new WeakMap<object, CompiledRule[]>();

function compileRules(schema: any, schemaPath: string): CompiledRule[] {
    const cached = compiledBySchema.get(schema);
    if (cached) return cached;
    const rules: CompiledRule[] = [];
    for (const source of (schema["x-kubernetes-validations"] ?? []) as CelRule[]) {
        const r: CompiledRule = { source, schemaPath, transition: false, missing: [] };
        try {
            const parsed = parse(source.rule);
            const facts = { idents: new Set<string>(), calls: new Set<string>() };
            astFacts(parsed.expr, facts);
            r.transition = facts.idents.has("oldSelf");
            r.missing = [...facts.calls].filter((f) => !OPERATOR.test(f) && !env.funcs.find(f)).sort();
            if (r.transition && source.optionalOldSelf) r.missing.push("optional types (optionalOldSelf: oldSelf is optional.none() on create)");
            if (r.missing.length === 0 && !r.transition) r.program = plan(env, parsed) as CompiledRule["program"];
            if (source.messageExpression) {
                try {
                    r.messageProgram = plan(env, parse(source.messageExpression)) as CompiledRule["messageProgram"];
                } catch {
                    // The server falls back to `message` when messageExpression fails.
                }
            }
        } catch (e) {
            r.compileError = e instanceof Error ? e.message : String(e);
        }
        rules.push(r);
    }
    compiledBySchema.set(schema, rules);
    return rules;
}

// ---- values: defaults, then CEL types --------------------------------------------------------

function clone<T>(v: T): T {
    return v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T);
}

/** Applies structural defaults as the API server does on a request (properties absent or null). */
export function applyDefaults(value: unknown, schema: any): unknown {
    if (!schema || value === null || value === undefined) return value;
    if (Array.isArray(value)) return schema.items ? value.map((v) => applyDefaults(v, schema.items)) : value;
    if (typeof value !== "object") return value;
    const out: Record<string, unknown> = { ...(value as Record<string, unknown>) };
    if (schema.properties) {
        for (const [k, sub] of Object.entries<any>(schema.properties)) {
            if ((out[k] === undefined || (out[k] === null && !sub.nullable)) && sub.default !== undefined) out[k] = clone(sub.default);
            if (out[k] !== undefined) out[k] = applyDefaults(out[k], sub);
        }
    }
    if (schema.additionalProperties && typeof schema.additionalProperties === "object") {
        for (const k of Object.keys(out)) if (!schema.properties?.[k]) out[k] = applyDefaults(out[k], schema.additionalProperties);
    }
    return out;
}

const RESERVED = new Set(
    "true false null in as break const continue else for function if import let loop package namespace return var void while".split(" "),
);

/** A property name as CEL rules spell it, or undefined when it cannot be reached from CEL. */
export function escapeProperty(name: string): string | undefined {
    if (name.length === 0 || /^[0-9]/.test(name)) return undefined;
    if (RESERVED.has(name)) return `__${name}__`;
    if (/[^a-zA-Z0-9_./-]/.test(name)) return undefined;
    return name.replace(/__|[./-]/g, (s) => ({ __: "__underscores__", ".": "__dot__", "-": "__dash__", "/": "__slash__" })[s]!);
}

const toDuration = plan(env, parse("duration(s)"));
const toTimestamp = plan(env, parse("timestamp(s)"));

function typedString(value: string, format: unknown): unknown {
    const convert = format === "duration" ? toDuration : format === "date" || format === "date-time" ? toTimestamp : undefined;
    if (format === "byte") return Uint8Array.from(Buffer.from(value, "base64"));
    if (!convert) return value;
    const v = convert({ s: format === "date" ? `${value}T00:00:00Z` : value } as any);
    return isCelError(v) ? value : v; // a malformed value stays a string; the rule then fails on it, as on the server
}

/** The resource root always exposes apiVersion, kind, metadata.name and metadata.generateName. */
function withTypeAndObjectMeta(schema: any): any {
    return {
        ...schema,
        properties: {
            ...(schema.properties ?? {}),
            apiVersion: { type: "string" },
            kind: { type: "string" },
            metadata: { type: "object", properties: { name: { type: "string" }, generateName: { type: "string" } } },
        },
    };
}

/** Converts a (defaulted) JSON value to the CEL value the schema types it as; undefined when CEL cannot see it. */
export function toCel(value: unknown, schema: any, resourceRoot = false): unknown {
    if (value === null) return null;
    if (value === undefined || !schema) return undefined;
    if (schema["x-kubernetes-int-or-string"]) return typeof value === "number" && Number.isInteger(value) ? BigInt(value) : value;
    if (resourceRoot || schema["x-kubernetes-embedded-resource"]) schema = withTypeAndObjectMeta(schema);
    switch (schema.type) {
        case "integer":
            return typeof value === "number" && Number.isInteger(value) ? BigInt(value) : value;
        case "number":
        case "boolean":
            return value;
        case "string":
            return typeof value === "string" ? typedString(value, schema.format) : value;
        case "array":
            if (!Array.isArray(value) || !schema.items) return undefined;
            return value.map((v) => toCel(v, schema.items, false));
        case "object": {
            if (typeof value !== "object" || Array.isArray(value)) return value;
            const entries: [string, unknown][] = [];
            const ap = schema.additionalProperties;
            if (ap && typeof ap === "object" && !schema.properties) {
                for (const [k, v] of Object.entries(value as object)) {
                    const c = toCel(v, ap, false);
                    if (c !== undefined) entries.push([k, c]);
                }
            } else {
                // Only declared fields are visible (unknown ones under x-kubernetes-preserve-unknown-fields are not).
                for (const [k, sub] of Object.entries<any>(schema.properties ?? {})) {
                    const name = escapeProperty(k);
                    const v = (value as Record<string, unknown>)[k];
                    if (name === undefined || v === undefined) continue;
                    const c = toCel(v, sub, false);
                    if (c !== undefined) entries.push([name, c]);
                }
            }
            return new Map(entries);
        }
        default:
            return undefined; // untyped (preserve-unknown-fields only): not exposed to CEL
    }
}

function containsUnknown(value: unknown): boolean {
    if (UNKNOWN_VALUES.has(value)) return true;
    if (Array.isArray(value)) return value.some(containsUnknown);
    if (value !== null && typeof value === "object") return Object.values(value).some(containsUnknown);
    return false;
}

// ---- the walk --------------------------------------------------------------------------------

function pointer(parts: (string | number)[]): string {
    return parts.length === 0 ? "/" : "/" + parts.map((p) => String(p).replace(/~/g, "~0").replace(/\//g, "~1")).join("/");
}

/** `.a.b` or `.a['k']` (the rule's fieldPath) as pointer segments. */
function fieldPathParts(fieldPath: string): string[] {
    const parts: string[] = [];
    const re = /\.([^.[\]]+)|\['((?:[^'\\]|\\.)*)'\]/g;
    let m: RegExpExecArray | null;
    while ((m = re.exec(fieldPath))) parts.push(m[1] ?? m[2].replace(/\\(.)/g, "$1"));
    return parts;
}

function messageFor(r: CompiledRule, self: unknown): string {
    if (r.messageProgram) {
        const m = r.messageProgram({ self });
        if (typeof m === "string" && m.trim() !== "" && !/\n/.test(m.trim())) return m.trim();
    }
    return r.source.message?.trim() || `failed rule: ${r.source.rule.trim()}`;
}

function ruleLabel(r: CompiledRule): string {
    return r.source.message?.trim() || r.source.rule.trim();
}

class Walk {
    readonly outcome: CelOutcome = { failures: [], evaluated: 0, rulesRun: [], transitionSkipped: [], needsExtension: [], undetermined: [] };
    private readonly seen = new Map<string, Set<string>>();

    private once(list: keyof Omit<CelOutcome, "failures" | "evaluated">, r: CompiledRule, extra: object = {}): void {
        const key = `${r.schemaPath}\u0000${r.source.rule}`;
        const set = this.seen.get(list) ?? new Set<string>();
        this.seen.set(list, set);
        if (set.has(key)) return;
        set.add(key);
        (this.outcome[list] as CelRuleRef[]).push({ schemaPath: r.schemaPath, rule: r.source.rule, ...extra });
    }

    node(schema: any, value: unknown, parts: (string | number)[], schemaPath: string, resourceRoot: boolean): void {
        if (!schema || value === null || value === undefined) return;
        this.rules(schema, value, parts, schemaPath, resourceRoot);
        for (const [i, sub] of ((schema.allOf ?? []) as any[]).entries()) {
            this.rules(sub, value, parts, `${schemaPath}(allOf[${i}])`, resourceRoot, schema);
        }
        if (Array.isArray(value)) {
            if (schema.items) value.forEach((v, i) => this.node(schema.items, v, [...parts, i], `${schemaPath}[*]`, !!schema.items["x-kubernetes-embedded-resource"]));
            return;
        }
        if (typeof value !== "object") return;
        for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
            const sub = schema.properties?.[k];
            if (sub) this.node(sub, v, [...parts, k], schemaPath ? `${schemaPath}.${k}` : k, !!sub["x-kubernetes-embedded-resource"]);
            else if (schema.additionalProperties && typeof schema.additionalProperties === "object") {
                this.node(schema.additionalProperties, v, [...parts, k], `${schemaPath}[*]`, false);
            }
        }
    }

    /** Runs the rules declared at `schema` (typing `self` by `typing`, the structural node, for allOf branches). */
    private rules(schema: any, value: unknown, parts: (string | number)[], schemaPath: string, resourceRoot: boolean, typing = schema): void {
        const compiled = compileRules(schema, schemaPath || "(root)");
        if (compiled.length === 0) return;
        let self: unknown;
        let unknown: boolean | undefined;
        for (const r of compiled) {
            const fail = (message: string) =>
                this.outcome.failures.push({
                    path: pointer([...parts, ...fieldPathParts(r.source.fieldPath ?? "")]),
                    message,
                    reason: r.source.reason,
                    rule: r.source.rule,
                    schemaPath: r.schemaPath,
                });
            if (r.compileError) {
                fail(`rule compile error: ${r.compileError} (${ruleLabel(r)})`);
                continue;
            }
            if (r.transition && !r.source.optionalOldSelf) {
                this.once("transitionSkipped", r);
                continue;
            }
            if (r.missing.length > 0) {
                this.once("needsExtension", r, { missing: r.missing });
                continue;
            }
            unknown ??= containsUnknown(value);
            if (unknown) {
                this.once("undetermined", r);
                continue;
            }
            self ??= toCel(value, typing, resourceRoot);
            const result = r.program!({ self });
            this.outcome.evaluated++;
            this.once("rulesRun", r);
            if (isCelError(result)) fail(`${result.message} evaluating rule: ${ruleLabel(r)}`);
            else if (result !== true) fail(messageFor(r, self));
        }
    }
}

/**
 * Evaluates every CEL rule of `schema` (a CRD version's openAPIV3Schema) against `obj` as a create:
 * defaults applied, transition rules skipped.
 */
export function evaluateCelRules(schema: object, obj: unknown): CelOutcome {
    const walk = new Walk();
    walk.node(schema, applyDefaults(obj, schema), [], "", true);
    return walk.outcome;
}

/** Every rule a schema declares, with what the evaluator can do about it (for the catalogue in the docs). */
export function catalogueRules(schema: object): { schemaPath: string; rule: CelRule; transition: boolean; missing: string[] }[] {
    const out: { schemaPath: string; rule: CelRule; transition: boolean; missing: string[] }[] = [];
    const visit = (node: any, path: string) => {
        if (!node || typeof node !== "object") return;
        for (const r of compileRules(node, path || "(root)")) out.push({ schemaPath: r.schemaPath, rule: r.source, transition: r.transition, missing: r.missing });
        for (const [k, sub] of Object.entries<any>(node.properties ?? {})) visit(sub, path ? `${path}.${k}` : k);
        if (node.items) visit(node.items, `${path}[*]`);
        if (node.additionalProperties && typeof node.additionalProperties === "object") visit(node.additionalProperties, `${path}[*]`);
        for (const [i, sub] of ((node.allOf ?? []) as any[]).entries()) visit(sub, `${path}(allOf[${i}])`);
    };
    visit(schema, "");
    return out;
}
