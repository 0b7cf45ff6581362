/**
 * npm run schema: prints the Pulumi package schema of the components, as @pulumi/pulumi's component
 * provider derives it from the TypeScript source (what `pulumi package get-schema` shows for this
 * repository). Exit 2 when a component cannot be expressed in a schema (the analyzer says why).
 * `--check` prints, instead of the schema, every way a component breaks the library's conventions
 * (type token, outputs) and exits 1 if there is any.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import * as ts from "typescript";
import { ComponentProvider, getPulumiComponents } from "@pulumi/pulumi/provider/experimental";
import * as library from "../index";

export const PROJECT_ROOT = path.join(__dirname, "..");

type ComponentClass = ReturnType<typeof getPulumiComponents>[number];

/**
 * The provider name and namespace the Node.js language host gives a source-based plugin, derived from
 * package.json's name exactly as @pulumi/pulumi 3.270's cmd/run-plugin/run.js does before it calls
 * componentProviderHost: `@scope/name` → name (characters other than letters, digits, - and _ become -)
 * in namespace `scope`. The name is the first part of every type token (`<name>:index:<Class>`).
 */
export function providerIdentity(packageName: string): { name: string; namespace?: string } {
    const m = /^(@(.*?)\/)?(.+)$/.exec(packageName);
    if (!m) throw new Error(`package.json name "${packageName}" is not a package name`);
    const name = m[3].replace(/[^-a-zA-Z0-9_]/g, "-");
    if (!/^[a-zA-Z]/.test(name)) throw new Error(`package.json name "${packageName}": the provider name "${name}" must start with a letter`);
    return { name, namespace: m[2] };
}

/** Every ComponentResource class a module exports (the library entry by default), as the language host finds them. */
export function exportedComponents(moduleExports: unknown = library): ComponentClass[] {
    return getPulumiComponents(moduleExports);
}

export interface SchemaOptions {
    /** The package folder: its package.json names the provider, its tsconfig.json and entry are analyzed. Default: this repository. */
    dir?: string;
    /** The package's exports (default: the library entry /index.ts). */
    moduleExports?: unknown;
    /** The class names to analyze (default: every component the exports hold). */
    only?: string[];
}

/** `options` may be just the class names to analyze (SchemaOptions.only). */
export async function packageSchema(opts: SchemaOptions | string[] = {}): Promise<Record<string, any>> {
    const options: SchemaOptions = Array.isArray(opts) ? { only: opts } : opts;
    const dir = options.dir ?? PROJECT_ROOT;
    const all = exportedComponents(options.moduleExports ?? library);
    const only = options.only;
    const components = only ? all.filter((c) => only.includes(c.name)) : all;
    if (only && components.length !== only.length)
        throw new Error(`unknown component(s): ${only.filter((n) => !all.some((c) => c.name === n)).join(", ")}; the library exports ${all.map((c) => c.name).join(", ")}`);
    const pkg = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8"));
    const provider = new ComponentProvider({ ...providerIdentity(pkg.name), dirname: dir, components });
    return JSON.parse(await provider.getSchema());
}

/**
 * The schema the plugin serves when started the way the Node.js language host starts a source-based
 * plugin (pulumi-language-nodejs RunPlugin: `node <@pulumi/pulumi>/cmd/run-plugin <plugin folder>`): the
 * folder's package.json `main` is required, its exported components are hosted by componentProviderHost,
 * and the schema is asked for over the ResourceProvider gRPC service (GetSchema, version 0), as
 * `pulumi package get-schema` does. The plugin process is stopped afterwards.
 */
export async function pluginSchema(dir: string, timeoutMs = 180_000): Promise<Record<string, any>> {
    const sdk = path.dirname(require.resolve("@pulumi/pulumi/package.json", { paths: [dir] }));
    const grpc = require(require.resolve("@grpc/grpc-js", { paths: [sdk] }));
    const { ResourceProviderClient } = require(path.join(sdk, "proto", "provider_grpc_pb"));
    const { GetSchemaRequest } = require(path.join(sdk, "proto", "provider_pb"));
    const child = spawn(process.execPath, [path.join(sdk, "cmd", "run-plugin"), dir], { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    child.stderr!.on("data", (d) => (stderr += d));
    try {
        const port = await new Promise<number>((resolve, reject) => {
            let stdout = "";
            const timer = setTimeout(() => reject(new Error(`plugin in ${dir} printed no port within ${timeoutMs} ms; stderr: ${stderr.slice(-2000)}`)), timeoutMs);
            child.stdout!.on("data", (d) => {
                stdout += d;
                const m = /^(\d+)\s*$/m.exec(stdout);
                if (m) {
                    clearTimeout(timer);
                    resolve(Number(m[1]));
                }
            });
            child.on("exit", (code) => {
                clearTimeout(timer);
                reject(new Error(`plugin in ${dir} exited with code ${code} before printing its port; stderr: ${stderr.slice(-2000)}`));
            });
        });
        const client = new ResourceProviderClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
        try {
            const response = await new Promise<any>((resolve, reject) =>
                client.getSchema(new GetSchemaRequest().setVersion(0), { deadline: Date.now() + timeoutMs }, (err: Error | null, r: any) => (err ? reject(err) : resolve(r))),
            );
            return JSON.parse(response.getSchema());
        } finally {
            client.close();
        }
    } finally {
        child.kill();
    }
}

/** What the TypeScript source says about a component class: its type token and its public instance properties. */
interface ClassFacts {
    file: string;
    /** The literal first argument of its super(...) call, or undefined when it is not a compile-time string. */
    token?: string;
    /** Public instance properties (what the analyzer turns into outputs), with whether each is a pulumi.Output. */
    properties: { name: string; isOutput: boolean }[];
}

/**
 * The declared type is @pulumi/pulumi's Output<T> (by its declaration, whatever the import is called), or
 * a list of them: the analyzer gives `Output<T>[]` the schema type "array of T", and construct serializes
 * it as such (the networks' subnet lists, whose length the stacks read at plan time).
 */
function isPulumiOutput(checker: ts.TypeChecker, type: ts.TypeNode | undefined): boolean {
    if (type && ts.isArrayTypeNode(type)) return isPulumiOutput(checker, type.elementType);
    if (!type || !ts.isTypeReferenceNode(type)) return false;
    let symbol = checker.getSymbolAtLocation(type.typeName);
    if (symbol && symbol.flags & ts.SymbolFlags.Alias) symbol = checker.getAliasedSymbol(symbol);
    const declaration = symbol?.declarations?.[0];
    return symbol?.getName() === "Output" && !!declaration && /[\\/]@pulumi[\\/]pulumi[\\/]/.test(declaration.getSourceFile().fileName);
}

function classFacts(dir: string, names: string[]): Map<string, ClassFacts> {
    const configPath = path.join(dir, "tsconfig.json");
    const config = ts.readConfigFile(configPath, ts.sys.readFile);
    const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, dir);
    const program = ts.createProgram({ rootNames: parsed.fileNames, options: { ...parsed.options, noEmit: true } });
    const checker = program.getTypeChecker();
    const wanted = new Set(names);
    const found = new Map<string, ClassFacts>();
    for (const sf of program.getSourceFiles()) {
        if (sf.isDeclarationFile || sf.fileName.includes("/node_modules/")) continue;
        sf.forEachChild((node) => {
            if (!ts.isClassDeclaration(node) || !node.name || !wanted.has(node.name.text)) return;
            const ctor = node.members.find(ts.isConstructorDeclaration);
            let token: string | undefined;
            const visit = (n: ts.Node): void => {
                if (token === undefined && ts.isCallExpression(n) && n.expression.kind === ts.SyntaxKind.SuperKeyword && n.arguments[0]) {
                    const t = checker.getTypeAtLocation(n.arguments[0]);
                    if (t.isStringLiteral()) token = t.value;
                }
                n.forEachChild(visit);
            };
            if (ctor?.body) visit(ctor.body);
            const properties = node.members
                .filter((m): m is ts.PropertyDeclaration => ts.isPropertyDeclaration(m) && !!m.name && ts.isIdentifier(m.name))
                .filter((m) => !(ts.getCombinedModifierFlags(m) & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected | ts.ModifierFlags.Static)))
                .map((m) => ({ name: (m.name as ts.Identifier).text, isOutput: isPulumiOutput(checker, m.type) }));
            found.set(node.name.text, { file: path.relative(dir, sf.fileName), token, properties });
        });
    }
    return found;
}

/**
 * Every way the schema and the source of these components break the library's conventions: each class is
 * a component resource `<provider>:index:<ClassName>` in the schema, with its inputs and outputs; the token
 * its constructor registers equals that (the provider's Construct is called with the schema token, and the
 * engine records the one the class registers); every public property is a pulumi.Output and an output in
 * the schema (TypeScript-only values are getters or methods). Empty when all hold.
 */
export function schemaProblems(schema: Record<string, any>, componentNames: string[], dir: string = PROJECT_ROOT): string[] {
    const problems: string[] = [];
    const facts = classFacts(dir, componentNames);
    for (const name of componentNames) {
        const token = `${schema.name}:index:${name}`;
        const resource = schema.resources?.[token];
        const source = facts.get(name);
        if (!source) {
            problems.push(`${name}: no class declaration found in the sources of ${dir}`);
            continue;
        }
        if (source.token !== token) problems.push(`${name} (${source.file}): registers type "${source.token ?? "(not a string literal)"}"; expected "${token}"`);
        if (!resource) {
            problems.push(`${name}: the schema has no resource "${token}"`);
            continue;
        }
        if (resource.isComponent !== true) problems.push(`${name}: "${token}" is not marked isComponent`);
        const inputs = Object.keys(resource.inputProperties ?? {});
        const outputs = Object.keys(resource.properties ?? {});
        for (const r of resource.requiredInputs ?? []) if (!inputs.includes(r)) problems.push(`${name}: required input "${r}" is not among its inputProperties`);
        for (const r of resource.required ?? []) if (!outputs.includes(r)) problems.push(`${name}: required output "${r}" is not among its properties`);
        for (const p of source.properties) {
            if (!p.isOutput) problems.push(`${name}.${p.name} (${source.file}): a public property that is not a pulumi.Output; make it an Output, or a getter/method if it is TypeScript-only`);
            else if (!outputs.includes(p.name)) problems.push(`${name}.${p.name}: a pulumi.Output property missing from the schema's outputs`);
        }
        for (const o of outputs) if (!source.properties.some((p) => p.name === o)) problems.push(`${name}: schema output "${o}" is not a public property of the class`);
    }
    return problems;
}

if (require.main === module) {
    // npm run schema [-- --components EksCluster,AksCluster] [--check]
    const i = process.argv.indexOf("--components");
    const only = i > 0 ? process.argv[i + 1]?.split(",") : undefined;
    const check = process.argv.includes("--check");
    packageSchema({ only }).then(
        (schema) => {
            if (!check) return console.log(JSON.stringify(schema, null, 2));
            const names = only ?? exportedComponents().map((c) => c.name);
            const problems = schemaProblems(schema, names);
            for (const p of problems) console.error(p);
            console.log(`${names.length} component(s) checked, ${problems.length} problem(s)`);
            if (problems.length) process.exit(1);
        },
        (e) => {
            console.error(`schema: ${e instanceof Error ? e.message : String(e)}`);
            process.exit(2);
        },
    );
}
