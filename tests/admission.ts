/**
 * Evaluates ValidatingAdmissionPolicies offline with @bufbuild/cel, the way the API server admits a
 * request (Kubernetes docs "Validating Admission Policy"; kubernetes/kubernetes staging/src/k8s.io/
 * apiserver/pkg/admission/plugin/policy/validating): a policy applies when one of its
 * matchConstraints.resourceRules matches the request's group, version, resource and operation; its
 * binding's matchResources.namespaceSelector must match the request's namespace's labels (for a Namespace
 * object, its own labels; every namespace carries kubernetes.io/metadata.name = its name; other
 * cluster-scoped objects are never skipped); the binding's paramRef selects the parameter object (none
 * found: parameterNotFoundAction Deny denies); matchConditions must all be true; `variables` are computed in order and read as `variables.<name>`;
 * each validation must evaluate to true. An expression error is a failure, which failurePolicy Fail
 * turns into a denial. The message is messageExpression's result when it is a non-empty string, else
 * `message`. A failure is a denial when the binding's validationActions hold Deny, a warning when they
 * hold Warn (Audit is not modelled). The CEL environment is @bufbuild/cel's standard library plus its strings extension
 * (`join`, `trim`, …), the subset of Kubernetes' CEL libraries these policies use.
 *
 * Values are plain JSON, integers as CEL int. A real API server also type-checks the expressions
 * against the objects' OpenAPI schemas and charges a cost budget; neither is modelled here.
 */
import { celEnv, isCelError, parse, plan, type CelEnv } from "@bufbuild/cel";
import { strings } from "@bufbuild/cel/ext";

const env: CelEnv = celEnv({ funcs: strings });

export interface AdmissionRequestLike {
    /** The object as sent (apiVersion, kind, metadata, spec). */
    object: any;
    operation?: "CREATE" | "UPDATE";
    /** The object before an UPDATE (null otherwise). */
    oldObject?: any;
    /** Labels of the request's namespace beyond kubernetes.io/metadata.name (which is always set). */
    namespaceLabels?: Record<string, string>;
    /** Evaluate every binding as if its validationActions were [Deny] (the policies' checks, whatever the enforcement). */
    asDeny?: boolean;
}

export interface ParamObject {
    apiVersion: string;
    kind: string;
    metadata: { name: string; namespace?: string };
    data?: Record<string, string>;
}

export interface Verdict {
    /** Policies that matched the request. */
    matched: string[];
    /** One line per denial: "<policy>: <message>". */
    denied: string[];
    /** One line per warning (bindings with Warn): "<policy>: <message>". */
    warned: string[];
}

/** A metav1.LabelSelector against labels (matchLabels and In, NotIn, Exists, DoesNotExist). */
export function selects(selector: any, labels: Record<string, string>): boolean {
    if (!selector) return true;
    for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (labels[k] !== v) return false;
    for (const e of selector.matchExpressions ?? []) {
        const has = e.key in labels;
        if (e.operator === "In" && !(has && e.values.includes(labels[e.key]))) return false;
        if (e.operator === "NotIn" && has && e.values.includes(labels[e.key])) return false;
        if (e.operator === "Exists" && !has) return false;
        if (e.operator === "DoesNotExist" && has) return false;
    }
    return true;
}

/** REST resource of a kind (the plurals these policies match; `…y` → `…ies`). */
export function resourceOf(kind: string): string {
    const k = kind.toLowerCase();
    return k.endsWith("y") ? `${k.slice(0, -1)}ies` : `${k}s`;
}

function groupVersion(apiVersion: string): { group: string; version: string } {
    const i = apiVersion.indexOf("/");
    return i < 0 ? { group: "", version: apiVersion } : { group: apiVersion.slice(0, i), version: apiVersion.slice(i + 1) };
}

/** JSON to CEL values: integers are CEL int (Kubernetes types integer fields as int). */
export function toCelValue(v: unknown): unknown {
    if (Array.isArray(v)) return v.map(toCelValue);
    if (typeof v === "number") return Number.isInteger(v) ? BigInt(v) : v;
    if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, toCelValue(x)]));
    return v;
}

const compiled = new Map<string, (ctx: Record<string, unknown>) => unknown>();
function run(expression: string, ctx: Record<string, unknown>): { value?: unknown; error?: string } {
    let program = compiled.get(expression);
    if (!program) {
        try {
            program = plan(env, parse(expression)) as unknown as (ctx: Record<string, unknown>) => unknown;
        } catch (e) {
            return { error: `compile error: ${e instanceof Error ? e.message : String(e)}` };
        }
        compiled.set(expression, program);
    }
    try {
        const value = program(ctx);
        return isCelError(value) ? { error: (value as { message: string }).message } : { value };
    } catch (e) {
        return { error: e instanceof Error ? e.message : String(e) };
    }
}

const matchesRule = (rule: any, group: string, version: string, resource: string, op: string) =>
    (rule.apiGroups ?? []).some((g: string) => g === "*" || g === group) &&
    (rule.apiVersions ?? []).some((v: string) => v === "*" || v === version) &&
    (rule.resources ?? []).some((r: string) => r === "*" || r === resource) &&
    (rule.operations ?? []).some((o: string) => o === "*" || o === op);

/**
 * The verdict of one policy and its binding on a request. `params` are the parameter objects that exist
 * in the cluster (the paramRef picks one by name and namespace).
 */
export function admit(policy: any, binding: any, params: ParamObject[], req: AdmissionRequestLike): Verdict {
    const name = policy.metadata.name;
    const spec = policy.spec;
    const object = req.object;
    const op = req.operation ?? "CREATE";
    const { group, version } = groupVersion(object.apiVersion);
    const resource = resourceOf(object.kind);
    const matched = (spec.matchConstraints?.resourceRules ?? []).some((r: any) => matchesRule(r, group, version, resource, op));
    const none: Verdict = { matched: [], denied: [], warned: [] };
    if (!matched) return none;
    // Namespace selector: a namespaced object's namespace, a Namespace itself; other cluster-scoped objects always match.
    const namespaceSelector = binding.spec.matchResources?.namespaceSelector;
    if (object.kind === "Namespace") {
        if (!selects(namespaceSelector, { ...(object.metadata?.labels ?? {}), "kubernetes.io/metadata.name": object.metadata?.name ?? "" })) return none;
    } else if (object.metadata?.namespace) {
        if (!selects(namespaceSelector, { ...(req.namespaceLabels ?? {}), "kubernetes.io/metadata.name": object.metadata.namespace })) return none;
    }
    const actions: string[] = req.asDeny ? ["Deny"] : (binding.spec.validationActions ?? []);
    const verdictOf = (messages: string[]): Verdict => ({
        matched: [name],
        denied: actions.includes("Deny") ? messages : [],
        warned: actions.includes("Warn") ? messages : [],
    });
    const deny = (message: string): Verdict => verdictOf([`${name}: ${message}`]);

    let paramValue: unknown = null;
    if (spec.paramKind) {
        const ref = binding.spec.paramRef;
        if (!ref) return deny("the policy has a paramKind but its binding no paramRef");
        const found = params.find(
            (p) => p.kind === spec.paramKind.kind && p.apiVersion === spec.paramKind.apiVersion && p.metadata.name === ref.name && (p.metadata.namespace ?? "") === (ref.namespace ?? ""),
        );
        if (!found) {
            if (ref.parameterNotFoundAction === "Allow") return verdictOf([]);
            return deny(`no params found for binding ${binding.metadata.name} (${ref.namespace}/${ref.name}); parameterNotFoundAction ${ref.parameterNotFoundAction ?? "Deny"}`);
        }
        paramValue = toCelValue(found);
    }
    const namespace = object.metadata?.namespace ?? "";
    const ctx: Record<string, unknown> = {
        object: toCelValue(object),
        oldObject: req.oldObject == null ? null : toCelValue(req.oldObject),
        params: paramValue,
        request: toCelValue({ operation: op, namespace, name: object.metadata?.name ?? "", kind: { group, version, kind: object.kind }, resource: { group, version, resource } }),
    };
    const failed = (what: string, error: string) => spec.failurePolicy === "Ignore" ? undefined : deny(`${what}: ${error}`);
    for (const c of spec.matchConditions ?? []) {
        const r = run(c.expression, ctx);
        if (r.error) return failed(`matchCondition ${c.name}`, r.error) ?? none;
        if (r.value !== true) return none;
    }
    const variables: Record<string, unknown> = {};
    const variableErrors = new Map<string, string>();
    for (const v of spec.variables ?? []) {
        const r = run(v.expression, { ...ctx, variables });
        if (r.error) variableErrors.set(v.name, r.error);
        else variables[v.name] = r.value;
    }
    const denied: string[] = [];
    for (const val of spec.validations ?? []) {
        const brokenVariable = [...variableErrors].find(([n]) => new RegExp(`\\bvariables\\.${n}\\b`).test(val.expression));
        const r = brokenVariable ? { error: `variable ${brokenVariable[0]}: ${brokenVariable[1]}` } : run(val.expression, { ...ctx, variables });
        if (r.error) {
            if (spec.failurePolicy !== "Ignore") denied.push(`${name}: expression error: ${r.error} (${val.expression})`);
            continue;
        }
        if (r.value === true) continue;
        let message: string = val.message ?? `failed expression: ${val.expression}`;
        if (val.messageExpression) {
            const m = run(val.messageExpression, { ...ctx, variables });
            if (!m.error && typeof m.value === "string" && m.value.trim() !== "") message = m.value;
        }
        denied.push(`${name}: ${message}`);
    }
    return verdictOf(denied);
}

/** The verdict of every policy with its bindings. */
export function admitAll(policies: any[], bindings: any[], params: ParamObject[], req: AdmissionRequestLike): Verdict {
    const out: Verdict = { matched: [], denied: [], warned: [] };
    for (const policy of policies) {
        for (const binding of bindings.filter((b) => b.spec.policyName === policy.metadata.name)) {
            const v = admit(policy, binding, params, req);
            out.matched.push(...v.matched);
            out.denied.push(...v.denied);
            out.warned.push(...v.warned);
        }
    }
    return out;
}
