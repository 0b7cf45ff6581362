/**
 * Reads Pulumi.yaml and Pulumi.<stack>.yaml the way the CLI does: project-level defaults first, stack
 * values over them, keys without a namespace belong to the project, secure values stay secret (they
 * cannot be decrypted offline, so the program sees a placeholder and the key is marked secret).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parse, YAMLParseError } from "yaml";
import { ConfigError } from "../../stacks/config";
import { SECRET_PLACEHOLDER } from "./runtime";

export interface StackConfig {
    project: string;
    stack: string;
    /** Fully qualified key → value as the CLI serializes it (strings raw, everything else JSON). */
    config: Record<string, string>;
    secretKeys: string[];
}

export const PROJECT_ROOT = path.resolve(__dirname, "..", "..");

function serialize(value: unknown): string {
    return typeof value === "string" ? value : JSON.stringify(value);
}

function isSecure(value: unknown): boolean {
    return value !== null && typeof value === "object" && !Array.isArray(value) && "secure" in (value as object);
}

/** Replaces secure leaves inside an object value, collecting whether any were found. */
function maskSecure(value: unknown, found: { secret: boolean }): unknown {
    if (isSecure(value)) {
        found.secret = true;
        return SECRET_PLACEHOLDER;
    }
    if (Array.isArray(value)) return value.map((v) => maskSecure(v, found));
    if (value !== null && typeof value === "object") {
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, maskSecure(v, found)]));
    }
    return value;
}

/**
 * A stack name the Pulumi CLI accepts: `[<org>/[<project>/]]<stack>`, each part letters, digits, '-',
 * '_' or '.' (pulumi/pkg/tokens ValidateStackName: ^[A-Za-z0-9_.-]{1,100}$), never a part of dots
 * alone. Only the last part names the stack file, so no name can reach outside the project.
 */
const STACK_PART = /^[A-Za-z0-9_.-]{1,100}$/;

/** A `--stack` that names no usable stack (a usage mistake: the commands exit 2 on it). */
export class StackNameError extends ConfigError {}

export function stackFileName(stack: string): string {
    const parts = stack.split("/");
    if (parts.length > 3 || parts.some((p) => !STACK_PART.test(p) || /^\.+$/.test(p)))
        throw new StackNameError([
            `stack name ${JSON.stringify(stack)} is not one the Pulumi CLI accepts; allowed: [<org>/[<project>/]]<stack>, each part 1-100 letters, digits, '-', '_' or '.' (not dots alone)`,
        ]);
    return `Pulumi.${parts[parts.length - 1]}.yaml`;
}

/**
 * Parses a YAML file as the Pulumi CLI does (merge keys `<<` included); a syntax error is a ConfigError
 * naming the file, line and column, not a library stack trace.
 */
export function parseYamlFile(file: string): unknown {
    const text = fs.readFileSync(file, "utf8");
    try {
        return parse(text, { merge: true });
    } catch (e) {
        if (!(e instanceof YAMLParseError)) throw e;
        const at = e.linePos?.[0];
        const where = at ? ` line ${at.line}, column ${at.col}` : "";
        throw new ConfigError([`${path.relative(process.cwd(), file) || file}${where}: ${e.message.split("\n")[0].replace(/ at line \d+, column \d+:?$/, "")}`]);
    }
}

export function readProject(root = PROJECT_ROOT): { name: string; defaults: Record<string, unknown> } {
    const doc = parseYamlFile(path.join(root, "Pulumi.yaml")) as Record<string, any>;
    const name = doc.name as string;
    const defaults: Record<string, unknown> = {};
    for (const [rawKey, decl] of Object.entries<any>(doc.config ?? {})) {
        const key = rawKey.includes(":") ? rawKey : `${name}:${rawKey}`;
        if (decl !== null && typeof decl === "object" && !Array.isArray(decl)) {
            if ("value" in decl) defaults[key] = decl.value;
            else if ("default" in decl) defaults[key] = decl.default;
        } else {
            defaults[key] = decl;
        }
    }
    return { name, defaults };
}

/** Loads a stack's effective configuration; `overrides` (fully qualified keys) win over files. */
export function loadStackConfig(stack: string, opts: { root?: string; overrides?: Record<string, unknown> } = {}): StackConfig {
    const root = opts.root ?? PROJECT_ROOT;
    const project = readProject(root);
    const file = path.join(root, stackFileName(stack));
    let stackValues: Record<string, unknown> = {};
    if (fs.existsSync(file)) {
        const doc = parseYamlFile(file);
        if (doc !== null && doc !== undefined && (typeof doc !== "object" || Array.isArray(doc)))
            throw new ConfigError([`${path.relative(process.cwd(), file) || file}: the file must be a YAML mapping with a "config:" section`]);
        stackValues = ((doc as any)?.config ?? {}) as Record<string, unknown>;
    } else if (!opts.overrides) {
        throw new StackNameError([`stack ${JSON.stringify(stack)} has no stack file ${path.relative(process.cwd(), file) || file}; stacks here: ${listStacks(root).join(", ") || "(none)"}`]);
    }
    const merged: Record<string, unknown> = { ...project.defaults };
    for (const [rawKey, value] of Object.entries(stackValues)) {
        merged[rawKey.includes(":") ? rawKey : `${project.name}:${rawKey}`] = value;
    }
    Object.assign(merged, opts.overrides ?? {});
    const config: Record<string, string> = {};
    const secretKeys: string[] = [];
    for (const [key, value] of Object.entries(merged)) {
        const found = { secret: false };
        config[key] = serialize(maskSecure(value, found));
        if (found.secret) secretKeys.push(key);
    }
    return { project: project.name, stack, config, secretKeys };
}

export function listStacks(root = PROJECT_ROOT): string[] {
    return fs
        .readdirSync(root)
        .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
        .filter((s): s is string => !!s)
        .sort();
}
