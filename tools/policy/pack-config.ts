/**
 * Policy-pack config files in Pulumi's `--policy-pack-config` format (policy name → level or
 * { enforcementLevel, …properties }, plus "all"), shared by the offline check and the deploy script.
 *
 * The CLI takes exactly one `--policy-pack-config` per `--policy-pack`, in the same order, and each pack
 * rejects policy names it does not declare. Users write one file for all packs; these helpers split it
 * by the policy names each pack declares, so the offline check and `pulumi preview`/`up` configure
 * every pack identically.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { PolicyConfigError, startPolicyPack, type PolicyPackConfig } from "./analyzer-client";

/**
 * Later config files refine earlier ones policy by policy: a level or property given later wins, the rest
 * of the earlier entry stays (a user's `{ "k8s-01-…": "advisory" }` keeps the stack's systemNamespaces), and
 * named `exceptions` lists are joined by name (a user's own exceptions add to the platform's instead of
 * silently replacing them; a later entry of the same name replaces the earlier one).
 */
export function mergePackConfigs(files: PolicyPackConfig[]): PolicyPackConfig {
    const asObject = (v: unknown): Record<string, unknown> => (typeof v === "string" ? { enforcementLevel: v } : { ...(v as Record<string, unknown>) });
    const merged: PolicyPackConfig = {};
    for (const file of files) {
        for (const [policy, entry] of Object.entries(file)) {
            const before = merged[policy];
            if (before === undefined || entry === null || typeof entry !== "object" && typeof entry !== "string") {
                merged[policy] = entry;
                continue;
            }
            const a = asObject(before);
            const b = asObject(entry);
            const joined: Record<string, unknown> = { ...a, ...b };
            if (Array.isArray(a.exceptions) && Array.isArray(b.exceptions)) {
                const byName = new Map<string, unknown>();
                for (const e of [...a.exceptions, ...b.exceptions]) byName.set(String((e as { name?: unknown })?.name), e);
                joined.exceptions = [...byName.values()];
            }
            const keys = Object.keys(joined);
            merged[policy] = (keys.length === 1 && keys[0] === "enforcementLevel" ? joined.enforcementLevel : joined) as PolicyPackConfig[string];
        }
    }
    return merged;
}

/** Splits merged config files between packs by the policy names each pack declares; "all" goes to every pack. */
export function splitPackConfig(files: PolicyPackConfig[], packs: Array<{ name: string; policies: string[] }>): Record<string, PolicyPackConfig> {
    const merged = mergePackConfigs(files);
    const out: Record<string, PolicyPackConfig> = {};
    const claimed = new Set<string>(["all"]);
    for (const pack of packs) {
        const cfg: PolicyPackConfig = {};
        if (merged["all"] !== undefined) cfg["all"] = merged["all"];
        for (const policy of pack.policies) {
            if (merged[policy] !== undefined) {
                cfg[policy] = merged[policy];
                claimed.add(policy);
            }
        }
        out[pack.name] = cfg;
    }
    const unknown = Object.keys(merged).filter((k) => !claimed.has(k));
    if (unknown.length) throw new PolicyConfigError(`--policy-pack-config names policies no pack has: ${unknown.join(", ")}`);
    return out;
}

/** Reads one config file; a clear error naming the file when it is missing or not a JSON object. */
export function readPackConfigFile(file: string): PolicyPackConfig {
    let text: string;
    try {
        text = fs.readFileSync(file, "utf8");
    } catch (e) {
        throw new PolicyConfigError(`--policy-pack-config ${file}: ${(e as Error).message}`);
    }
    try {
        const v = JSON.parse(text);
        if (v === null || typeof v !== "object" || Array.isArray(v)) throw new Error("the file must hold a JSON object");
        return v;
    } catch (e) {
        throw new PolicyConfigError(`--policy-pack-config ${file}: not valid policy config JSON (${(e as Error).message})`);
    }
}

/** Each pack's name and policy names, learned by starting it as the engine does (GetAnalyzerInfo). */
export async function packPolicyNames(packDirs: string[]): Promise<Array<{ dir: string; name: string; policies: string[] }>> {
    return Promise.all(
        packDirs.map(async (dir) => {
            const h = await startPolicyPack(dir);
            await h.close();
            return { dir, name: h.name, policies: h.policies.map((p) => p.name) };
        }),
    );
}

/**
 * Writes one config file per pack (in `packDirs` order) for the CLI's `--policy-pack-config`, split
 * from the given files. Returns [] when no config file is given (the packs' own defaults apply).
 */
export async function perPackConfigFiles(configFiles: string[], packDirs: string[], outDir?: string): Promise<string[]> {
    if (configFiles.length === 0) return [];
    const configs = configFiles.map(readPackConfigFile);
    const packs = await packPolicyNames(packDirs);
    const split = splitPackConfig(configs, packs);
    const dir = outDir ?? fs.mkdtempSync(path.join(os.tmpdir(), "policy-pack-config-"));
    return packs.map((p) => {
        const file = path.join(dir, `${p.name}.json`);
        fs.writeFileSync(file, JSON.stringify(split[p.name], null, 2));
        return file;
    });
}

/** Where the platform keeps its packs' configuration: one `--policy-pack-config` file per pack, `<pack name>.json`. */
export const PLATFORM_PACK_CONFIG_DIR = path.resolve(__dirname, "../../policies/config");

/**
 * The stack's pack configuration: what the platform itself configures in each pack it runs (its own system
 * namespaces, the named exceptions its components mark resources with), as the files a user passes with
 * `pulumi preview --policy-pack policies/<pack> --policy-pack-config policies/config/<pack>.json`. The packs'
 * defaults know no platform. `<pack>.<stack>.json` overrides `<pack>.json` for one stack. Only the packs in
 * `packDirs` (named by their folder, which is the pack's name) are configured, so a check of one pack alone
 * gets that pack's file only.
 */
export function stackPackConfigFiles(stack: string, packDirs: string[], dir = PLATFORM_PACK_CONFIG_DIR): string[] {
    return packDirs.flatMap((packDir) => {
        const pack = path.basename(packDir);
        const file = [path.join(dir, `${pack}.${stack}.json`), path.join(dir, `${pack}.json`)].find((f) => fs.existsSync(f));
        return file ? [file] : [];
    });
}

/** The stack's configuration of one pack (see stackPackConfigFiles); `{}` when the platform configures none. */
export function stackPackConfig(stack: string, packDir: string, dir = PLATFORM_PACK_CONFIG_DIR): PolicyPackConfig {
    const [file] = stackPackConfigFiles(stack, [packDir], dir);
    return file ? readPackConfigFile(file) : {};
}
