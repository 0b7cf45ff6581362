/**
 * The zero-trust pack ships on its own: policies/zero-trust copied alone into an empty directory, its own
 * dependencies installed there from its package.json (npm, from the cache when it can), started by
 * `npm run check --packs <that directory>` as the engine starts packs, gives the same verdicts (violations and
 * exemptions) as the pack inside the repository, for every committed stack. And the constants the pack keeps
 * as its own copies agree with their twins in the components.
 */
import { execFile, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EDGE_EXCEPTION_ANNOTATION } from "../components/contracts/names";
import { PRIVATE_IPV4_RANGES, PRIVATE_IPV6_RANGES } from "../components/contracts/private-ranges";
import * as pack from "../policies/zero-trust/rules";

const ROOT = path.resolve(__dirname, "..");
const PACK = path.join(ROOT, "policies/zero-trust");
const STACKS = fs
    .readdirSync(ROOT)
    .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
    .filter((s): s is string => !!s)
    .sort();
/** Bound on the pack's own `npm install` (from the npm cache when it holds the packages). */
const INSTALL_TIMEOUT_MS = 240_000;

describe("the pack's own copies of platform constants agree with their twins", () => {
    it("the exception mark key is the annotation the components set", () => {
        expect(pack.EXCEPTION_ANNOTATION).toBe(EDGE_EXCEPTION_ANNOTATION);
    });
    it("the private ranges are the components' private ranges", () => {
        expect([...pack.PRIVATE_IPV4_RANGES]).toEqual([...PRIVATE_IPV4_RANGES]);
        expect([...pack.PRIVATE_IPV6_RANGES]).toEqual([...PRIVATE_IPV6_RANGES]);
    });
});

describe("the pack loads nothing from outside its folder", () => {
    it("every relative import or require of the pack's sources stays inside policies/zero-trust, and every package it loads is in its package.json", () => {
        const deps = Object.keys(JSON.parse(fs.readFileSync(path.join(PACK, "package.json"), "utf8")).dependencies ?? {});
        const files = (dir: string): string[] =>
            fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) => (d.name === "node_modules" ? [] : d.isDirectory() ? files(path.join(dir, d.name)) : [path.join(dir, d.name)]));
        const problems: string[] = [];
        for (const file of files(PACK).filter((f) => /\.(ts|js)$/.test(f))) {
            const src = fs.readFileSync(file, "utf8");
            // Runtime loads only: `import type` is erased when the pack is transpiled.
            const specs = [...src.matchAll(/^\s*import\s+(?!type\b)[^;]*?from\s+"([^"]+)"|require\(\s*"([^"]+)"\s*\)|require\.resolve\(\s*"([^"]+)"/gm)].map((m) => m[1] ?? m[2] ?? m[3]);
            for (const spec of specs) {
                if (spec.startsWith("node:")) continue;
                if (spec.startsWith(".")) {
                    const target = path.resolve(path.dirname(file), spec);
                    if (!target.startsWith(PACK + path.sep)) problems.push(`${path.relative(ROOT, file)} loads ${spec}`);
                    continue;
                }
                const name = spec.startsWith("@") ? spec.split("/").slice(0, 2).join("/") : spec.split("/")[0];
                if (!deps.includes(name)) problems.push(`${path.relative(ROOT, file)} loads ${name}, which its package.json does not name`);
            }
        }
        expect(problems).toEqual([]);
    });
});

/** Runs the check CLI (json) and returns the zero-trust verdicts: violations and exemptions, without timings. */
async function verdicts(stack: string, packsRoot?: string): Promise<{ violations: unknown[]; exemptions: unknown[] }> {
    const args = [path.join(ROOT, "node_modules/tsx/dist/cli.mjs"), "tools/check.ts", "--stack", stack, "--format", "json", ...(packsRoot ? ["--packs", packsRoot] : [])];
    const { status, stdout, stderr } = await new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
        const child = spawn(process.execPath, args, { cwd: ROOT });
        let out = "";
        let err = "";
        child.stdout.on("data", (b) => (out += b));
        child.stderr.on("data", (b) => (err += b));
        const killer = setTimeout(() => child.kill("SIGKILL"), 240_000);
        child.on("close", (code) => {
            clearTimeout(killer);
            resolve({ status: code, stdout: out, stderr: err });
        });
    });
    if (status !== 0 && status !== 1) throw new Error(`npm run check --stack ${stack} ${packsRoot ?? ""} exited ${status}: ${stderr}`);
    const r = JSON.parse(stdout) as { violations: Array<{ policyPack: string }>; exemptions: Array<{ policyPack: string }> };
    return {
        violations: r.violations.filter((v) => v.policyPack === "zero-trust"),
        exemptions: r.exemptions.filter((e) => e.policyPack === "zero-trust"),
    };
}

describe("policies/zero-trust copied out alone, with only its own dependencies", () => {
    let root: string;
    beforeAll(async () => {
        root = fs.mkdtempSync(path.join(os.tmpdir(), "zero-trust-standalone-"));
        const copy = path.join(root, "zero-trust");
        fs.cpSync(PACK, copy, { recursive: true, filter: (src) => path.basename(src) !== "node_modules" });
        // Fails loudly (the test fails with npm's output) when the install cannot happen: never skipped.
        try {
            await promisify(execFile)("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", "--no-package-lock", "--omit=dev"], {
                cwd: copy,
                timeout: INSTALL_TIMEOUT_MS,
                maxBuffer: 16 * 1024 * 1024,
            });
        } catch (e) {
            const err = e as { message: string; stderr?: string };
            throw new Error(`npm install of the copied pack's own dependencies failed (registry and npm cache unreachable?): ${err.message}\n${err.stderr ?? ""}`);
        }
        expect(fs.existsSync(path.join(copy, "node_modules/@pulumi/policy/package.json"))).toBe(true);
    }, INSTALL_TIMEOUT_MS + 30_000);
    afterAll(() => {
        if (root) fs.rmSync(root, { recursive: true, force: true });
    });

    it("resolves its packages from its own node_modules, not the repository's", () => {
        const resolved = require.resolve("@pulumi/policy", { paths: [path.join(root, "zero-trust")] });
        expect(resolved.startsWith(path.join(root, "zero-trust", "node_modules"))).toBe(true);
    });

    it.each(STACKS)("stack %s: the same violations and exemptions as the pack in the repository", async (stack) => {
        const [inRepo, standalone] = await Promise.all([verdicts(stack), verdicts(stack, root)]);
        expect(standalone).toEqual(inRepo);
    }, 600_000);
});
