/**
 * Validates custom resources against the real upstream CRD schemas the project carries in schemas/crds/
 * (provenance: schemas/crds/README.md) with ajv.
 *
 * Kubernetes' structural-schema dialect is translated for a JSON-Schema validator:
 * - objects with `properties` reject unknown fields (as `kubectl apply --validate=strict` / server-side
 *   field validation "Strict" does), unless they carry `x-kubernetes-preserve-unknown-fields`;
 * - `x-kubernetes-int-or-string` accepts an integer or a string;
 * - Kubernetes formats (int-or-string, cidr, date-time, idn-hostname, int32, …) are registered leniently
 *   where the API server itself is lenient.
 * The schema's CEL rules (`x-kubernetes-validations`) are evaluated too, as the API server does on a
 * create (tests/cel.ts: semantics, and what is skipped or reported instead of run); their failures are
 * reported as "<instance path>: <rule's message> (CEL rule)".
 */
import Ajv, { type ErrorObject, type ValidateFunction } from "ajv";
import * as fs from "node:fs";
import * as path from "node:path";
import { parseAllDocuments } from "yaml";
import { type CelOutcome, evaluateCelRules } from "./cel";
import { modelValidation } from "./model-schemas";

export const CRD_ROOT = path.resolve(__dirname, "..", "schemas", "crds");

interface CrdVersion {
    name: string;
    served: boolean;
    schema?: { openAPIV3Schema: Record<string, unknown> };
}

interface Crd {
    group: string;
    kind: string;
    versions: CrdVersion[];
    file: string;
}

let crds: Map<string, Crd> | undefined;

function loadCrds(): Map<string, Crd> {
    if (crds) return crds;
    crds = new Map();
    for (const group of fs.readdirSync(CRD_ROOT)) {
        const dir = path.join(CRD_ROOT, group);
        if (!fs.statSync(dir).isDirectory()) continue;
        for (const file of fs.readdirSync(dir).filter((f) => f.endsWith(".yaml"))) {
            for (const doc of parseAllDocuments(fs.readFileSync(path.join(dir, file), "utf8"))) {
                const crd = doc.toJS() as any;
                if (crd?.kind !== "CustomResourceDefinition") continue;
                crds.set(`${crd.spec.group}/${crd.spec.names.kind}`, {
                    group: crd.spec.group,
                    kind: crd.spec.names.kind,
                    versions: crd.spec.versions,
                    file: path.join(group, file),
                });
            }
        }
    }
    return crds;
}

/** Rewrites a structural schema into plain JSON Schema (see the header comment). */
function toJsonSchema(node: any): any {
    if (Array.isArray(node)) return node.map(toJsonSchema);
    if (node === null || typeof node !== "object") return node;
    const out: any = {};
    for (const [k, v] of Object.entries(node)) {
        if (k === "x-kubernetes-validations") continue; // CEL: evaluated by tests/cel.ts, not by ajv
        // RE2 (Go) one-letter Unicode classes such as \PC are written \P{C} in JavaScript (Cilium uses them).
        if (k === "pattern" && typeof v === "string") {
            out[k] = v.replace(/\\([pP])([A-Z])/g, "\\$1{$2}");
            continue;
        }
        out[k] = k === "properties" ? Object.fromEntries(Object.entries(v as object).map(([p, s]) => [p, toJsonSchema(s)])) : toJsonSchema(v);
    }
    if (out["x-kubernetes-int-or-string"]) {
        delete out.type;
        if (!out.anyOf && !out.oneOf) out.anyOf = [{ type: "integer" }, { type: "string" }];
    }
    if (out.type === "object" && out.properties && out.additionalProperties === undefined && !out["x-kubernetes-preserve-unknown-fields"]) {
        out.additionalProperties = false;
    }
    return out;
}

const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: true });
const cidr = /^(\d{1,3}\.){3}\d{1,3}\/\d{1,2}$|^[0-9a-fA-F:]+\/\d{1,3}$/;
ajv.addFormat("cidr", cidr);
ajv.addFormat("int-or-string", true);
ajv.addFormat("date-time", /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i);
ajv.addFormat("idn-hostname", /^[^\s/:]+$/);
for (const f of ["int32", "int64", "int", "double", "float", "byte", "ipv4", "ipv6", "hostname", "uri", "email", "duration"]) {
    ajv.addFormat(f, true);
}

const validators = new Map<string, ValidateFunction>();

export interface CrdValidation {
    valid: boolean;
    /** One line per problem: "<instance path>: <message>". */
    errors: string[];
    /** The CRD file the object was checked against. */
    crd?: string;
    /** What the CEL rules did: evaluations, rules run, transition rules skipped, rules needing an extension. */
    cel?: CelOutcome;
}

/** The served version's schema for an apiVersion/kind, or the reason there is none. */
export function crdSchemaFor(apiVersion: string, kind: string): { schema: Record<string, unknown>; crd: string } | { error: string; crd?: string } {
    const slash = apiVersion.lastIndexOf("/");
    const group = apiVersion.slice(0, slash);
    const version = apiVersion.slice(slash + 1);
    const crd = loadCrds().get(`${group}/${kind}`);
    if (!crd) return { error: `no CRD for ${group}/${kind} under ${CRD_ROOT}` };
    const v = crd.versions.find((x) => x.name === version);
    if (!v || !v.served) {
        const served = crd.versions.filter((x) => x.served).map((x) => `${group}/${x.name}`);
        return { error: `${apiVersion} ${kind} is not served; served: ${served.join(", ")}`, crd: crd.file };
    }
    return { schema: v.schema?.openAPIV3Schema ?? {}, crd: crd.file };
}

/** Every CRD the project carries: group, kind, file and served versions' schemas. */
export function carriedCrds(): { group: string; kind: string; file: string; versions: { name: string; schema: Record<string, unknown> }[] }[] {
    return [...loadCrds().values()].map((c) => ({
        group: c.group,
        kind: c.kind,
        file: c.file,
        versions: c.versions.filter((v) => v.served).map((v) => ({ name: v.name, schema: v.schema?.openAPIV3Schema ?? {} })),
    }));
}

/** Validates one custom resource object ({ apiVersion, kind, metadata, spec, … }). */
export function validateCustomResource(obj: { apiVersion?: unknown; kind?: unknown; [k: string]: unknown }): CrdValidation {
    const apiVersion = String(obj.apiVersion ?? "");
    const kind = String(obj.kind ?? "");
    const found = crdSchemaFor(apiVersion, kind);
    if ("error" in found) {
        // Kinds whose CRD the project does not carry: the pinned model package's schema (tests/model-schemas.ts).
        const model = found.crd ? undefined : modelValidation(obj);
        return model ?? { valid: false, errors: [found.error], crd: found.crd };
    }
    const key = `${apiVersion}/${kind}`;
    let validate = validators.get(key);
    if (!validate) {
        const root = toJsonSchema(found.schema);
        // The API server always accepts apiVersion, kind and metadata at the root, even when a CRD's
        // schema (Istio's) lists only spec and status.
        if (root.properties) root.properties = { apiVersion: { type: "string" }, kind: { type: "string" }, metadata: { type: "object" }, ...root.properties };
        validate = ajv.compile(root);
        validators.set(key, validate);
    }
    const ok = validate(obj) as boolean;
    const cel = evaluateCelRules(found.schema, obj);
    const errors = (validate.errors ?? []).map(
        (e: ErrorObject) =>
            `${e.instancePath || "/"}: ${e.message}${e.keyword === "additionalProperties" ? ` (${(e.params as any).additionalProperty})` : ""}${
                e.keyword === "enum" ? ` (${(e.params as any).allowedValues.join(", ")})` : ""
            }`,
    );
    for (const f of cel.failures) errors.push(`${f.path}: ${f.message} (CEL rule)`);
    return { valid: ok && cel.failures.length === 0, errors, crd: found.crd, cel };
}

/** API groups served by Kubernetes itself (or by Pulumi's Helm and YAML resources), not by a CRD. */
const BUILT_IN_GROUP = /^(core|apps|batch|policy|autoscaling|helm\.sh|yaml|(?!gateway\.networking\.k8s\.io)[a-z.]*k8s\.io)$/;

/** Picks the custom resources out of a plan's recorded resources (type `kubernetes:<group>/<version>:<Kind>`). */
export function customResourcesOf<T extends { type: string }>(resources: T[]): T[] {
    return resources.filter((r) => {
        const m = /^kubernetes:([^:/]+)\/[^:]+:[A-Za-z]+$/.exec(r.type);
        return !!m && !BUILT_IN_GROUP.test(m[1]);
    });
}
