/**
 * Schemas of the custom resources whose CRDs the project does not carry as files (schemas/crds holds
 * only CRDs copied with provenance from ../shared): External Secrets Operator's SecretStore,
 * ClusterSecretStore and ExternalSecret, and Istio's RequestAuthentication. They come from pinned, MIT-
 * licensed model packages of kubernetes-models-ts (provenance: schemas/crds/README.md, "Schemas from model
 * packages"), generated from the upstream API:
 * - @kubernetes-models/external-secrets 2.0.0: from ESO's Go API types (module
 *   github.com/external-secrets/external-secrets v0.16.2, the types ESO's CRDs are generated from);
 * - @kubernetes-models/istio 3.0.1: from istio/istio 1.29.2 manifests/charts/base/files/crd-all.gen.yaml.
 *
 * Two checks, because the packages' run-time validators accept unknown fields:
 * - `modelValidation`: the package's compiled JSON-schema validator (types, required fields, enums, patterns);
 * - `modelTypeErrors`: the objects written as TypeScript object literals typed with the package's interfaces
 *   and type-checked, so an unknown or misspelt field anywhere in the object is an excess-property error.
 * Neither runs CEL rules (the packages carry none); docs/offline-proof.md lists that.
 */
import * as path from "node:path";
import ts from "typescript";
import { ClusterSecretStore, ExternalSecret, SecretStore } from "@kubernetes-models/external-secrets/external-secrets.io/v1";
import { RequestAuthentication } from "@kubernetes-models/istio/security.istio.io/v1";

interface ModelKind {
    /** The model class: its constructor sets apiVersion/kind, validate() throws the schema errors. */
    model: new (data: any) => any;
    /** Module and interface the type check imports. */
    module: string;
    typeName: string;
    /** What a validation reports as its source (in place of a CRD file). */
    source: string;
}

const ESO = "@kubernetes-models/external-secrets@2.0.0 (ESO Go API types v0.16.2)";
const ISTIO = "@kubernetes-models/istio@3.0.1 (istio 1.29.2 crd-all.gen.yaml)";

export const MODEL_KINDS: Record<string, ModelKind> = {
    "external-secrets.io/v1/SecretStore": { model: SecretStore, module: "@kubernetes-models/external-secrets/external-secrets.io/v1/SecretStore", typeName: "ISecretStore", source: ESO },
    "external-secrets.io/v1/ClusterSecretStore": {
        model: ClusterSecretStore,
        module: "@kubernetes-models/external-secrets/external-secrets.io/v1/ClusterSecretStore",
        typeName: "IClusterSecretStore",
        source: ESO,
    },
    "external-secrets.io/v1/ExternalSecret": { model: ExternalSecret, module: "@kubernetes-models/external-secrets/external-secrets.io/v1/ExternalSecret", typeName: "IExternalSecret", source: ESO },
    "security.istio.io/v1/RequestAuthentication": {
        model: RequestAuthentication,
        module: "@kubernetes-models/istio/security.istio.io/v1/RequestAuthentication",
        typeName: "IRequestAuthentication",
        source: ISTIO,
    },
};

/** The package validator's verdict, or undefined when no model package covers apiVersion/kind. */
export function modelValidation(obj: { apiVersion?: unknown; kind?: unknown }): { valid: boolean; errors: string[]; crd: string } | undefined {
    const kind = MODEL_KINDS[`${String(obj.apiVersion)}/${String(obj.kind)}`];
    if (!kind) return undefined;
    try {
        new kind.model(obj).validate();
        return { valid: true, errors: [], crd: kind.source };
    } catch (e: any) {
        const details: any[] = e?.errors ?? e?.details ?? [];
        const errors = details.length
            ? details.map((d) => `${d.instancePath || "/"}: ${d.message}${d.params?.allowedValues ? ` (${d.params.allowedValues.join(", ")})` : ""}`)
            : [String(e?.message ?? e)];
        return { valid: false, errors, crd: kind.source };
    }
}

/**
 * Type-checks objects against the model packages' interfaces: one program for all of them. Returns one
 * line per problem, "<label>: <TypeScript message>"; an object whose kind has no model is a problem too.
 */
export function modelTypeErrors(objects: { label: string; object: { apiVersion?: unknown; kind?: unknown } }[]): string[] {
    const problems: string[] = [];
    const lines: string[] = [];
    const imports = new Map<string, string>();
    objects.forEach(({ label, object }, i) => {
        const key = `${String(object.apiVersion)}/${String(object.kind)}`;
        const kind = MODEL_KINDS[key];
        if (!kind) {
            problems.push(`${label}: no model package covers ${key}`);
            return;
        }
        const alias = `T${imports.size}`;
        if (!imports.has(kind.module)) imports.set(kind.module, `import type { ${kind.typeName} as ${alias} } from "${kind.module}";`);
        const local = /as (T\d+)/.exec(imports.get(kind.module)!)![1];
        lines.push(`// ${i}\nexport const o${i}: ${local} = ${JSON.stringify(object, null, 1)};`);
    });
    if (!lines.length) return problems;
    const root = path.resolve(__dirname, "..");
    const file = path.join(root, "tests", "__model_check__.ts");
    const text = [...imports.values(), ...lines].join("\n");
    const options: ts.CompilerOptions = { strict: true, noEmit: true, skipLibCheck: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.CommonJS, moduleResolution: ts.ModuleResolutionKind.Node10, types: [] };
    const host = ts.createCompilerHost(options);
    const read = host.readFile.bind(host);
    const exists = host.fileExists.bind(host);
    host.readFile = (f) => (path.resolve(f) === file ? text : read(f));
    host.fileExists = (f) => path.resolve(f) === file || exists(f);
    const getSource = host.getSourceFile.bind(host);
    host.getSourceFile = (f, lang, onError, create) => (path.resolve(f) === file ? ts.createSourceFile(f, text, lang) : getSource(f, lang, onError, create));
    const program = ts.createProgram([file], options, host);
    for (const d of ts.getPreEmitDiagnostics(program)) {
        const message = ts.flattenDiagnosticMessageText(d.messageText, "\n").split("\n").slice(-1)[0];
        if (!d.file || path.resolve(d.file.fileName) !== file) {
            problems.push(`model type check: ${message}`);
            continue;
        }
        // The object a diagnostic falls in: the nearest "// <index>" line above it.
        const before = text.slice(0, d.start ?? 0);
        const marks = [...before.matchAll(/^\/\/ (\d+)$/gm)];
        const index = Number(marks[marks.length - 1]?.[1] ?? -1);
        problems.push(`${objects[index]?.label ?? "?"}: ${message}`);
    }
    return problems;
}
