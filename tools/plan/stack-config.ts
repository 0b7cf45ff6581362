/**
 * Reads Pulumi.yaml and Pulumi.<stack>.yaml the way the CLI does: project-level defaults first, stack
 * values over them, keys without a namespace belong to the project, secure values stay secret (they
 * cannot be decrypted offline, so the program sees a placeholder and the key is marked secret).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
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

export function readProject(root = PROJECT_ROOT): { name: string; defaults: Record<string, unknown> } {
    const doc = parse(fs.readFileSync(path.join(root, "Pulumi.yaml"), "utf8")) as Record<string, any>;
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
    const file = path.join(root, `Pulumi.${stack}.yaml`);
    let stackValues: Record<string, unknown> = {};
    if (fs.existsSync(file)) {
        stackValues = ((parse(fs.readFileSync(file, "utf8")) as any)?.config ?? {}) as Record<string, unknown>;
    } else if (!opts.overrides) {
        throw new Error(`no stack file ${path.relative(process.cwd(), file) || file}; stacks here: ${listStacks(root).join(", ") || "(none)"}`);
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
