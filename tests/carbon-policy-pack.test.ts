/**
 * policies/carbon-aware ships alone: its bundle is what its own build makes from the sources now, it
 * loads nothing outside its folder but the packages its package.json names, and a copy of the folder
 * alone, with only its own dependencies installed, gives every committed stack the same verdicts as the
 * in-repository pack (`npm run check -- --packs <copy's parent>`). Slow (two checks per stack, each
 * planning the stack: minutes on a loaded machine): run it alone.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { builtinModules } from "node:module";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { listStacks, PROJECT_ROOT } from "../tools/plan/stack-config";

const PACK = path.join(PROJECT_ROOT, "policies", "carbon-aware");
const pkg = JSON.parse(fs.readFileSync(path.join(PACK, "package.json"), "utf8")) as { main: string; dependencies: Record<string, string>; devDependencies: Record<string, string>; files: string[] };
// eslint-disable-next-line @typescript-eslint/no-require-imports
const build = require(path.join(PACK, "build.js")) as { bundle(): Promise<string>; OUTFILE: string; EXTERNAL: string[] };

/** Every module specifier a file loads: require("x") and require.resolve("x"). */
function specifiers(file: string): string[] {
    const text = fs.readFileSync(file, "utf8");
    return [...text.matchAll(/\brequire(?:\.resolve)?\(\s*["']([^"']+)["']/g)].map((m) => m[1]);
}
const packageName = (spec: string) => (spec.startsWith("@") ? spec.split("/").slice(0, 2).join("/") : spec.split("/")[0]);

/** The files the published pack runs: main, what it loads relatively, recursively. */
function runtimeFiles(): string[] {
    const seen = new Set<string>();
    const visit = (file: string) => {
        if (seen.has(file)) return;
        seen.add(file);
        for (const spec of specifiers(file)) {
            if (!spec.startsWith(".")) continue;
            const target = require.resolve(path.resolve(path.dirname(file), spec));
            visit(target);
        }
    };
    visit(path.join(PACK, pkg.main));
    return [...seen];
}

describe("the carbon-aware pack is self-contained", () => {
    it("bundle/pack.js is what build.js makes from the sources now (run npm run build in the pack after a change)", async () => {
        expect(fs.readFileSync(build.OUTFILE, "utf8")).toBe(await build.bundle());
    }, 60_000);

    it("its run-time files stay in the folder and load only Node built-ins and the packages package.json names", () => {
        const files = runtimeFiles();
        expect(files.map((f) => path.relative(PACK, f)).sort()).toEqual(["bundle/pack.js", "index.js", "runtime/deserialize-once.js", "runtime/struct-decode.js"]);
        for (const file of files) {
            expect(path.relative(PACK, file).startsWith("..")).toBe(false);
            for (const spec of specifiers(file).filter((s) => !s.startsWith("."))) {
                if (spec.startsWith("node:") || builtinModules.includes(spec)) continue;
                expect(Object.keys(pkg.dependencies), `${path.relative(PACK, file)} loads ${spec}`).toContain(packageName(spec));
            }
        }
        // The bundle's externals are dependencies; the build's own tool is a devDependency pinned to the one in use.
        for (const external of build.EXTERNAL) expect(Object.keys(pkg.dependencies)).toContain(external);
        expect(pkg.devDependencies.esbuild).toBe(JSON.parse(fs.readFileSync(require.resolve("esbuild/package.json"), "utf8")).version);
        // Every published file is one of the run-time files' folders or the manifest.
        expect(pkg.files.sort()).toEqual(["PulumiPolicy.yaml", "bundle/", "index.js", "runtime/"]);
    });

    it("its dependencies are the versions the repository tests it with", () => {
        // Read from the repository's node_modules (@tgwf/co2's exports do not expose its package.json).
        const installed = (name: string) => JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, "node_modules", name, "package.json"), "utf8")).version.replace(/^v/, "");
        for (const name of ["@pulumi/policy", "@pulumi/pulumi", "@tgwf/co2"]) expect(pkg.dependencies[name], name).toBe(installed(name));
        const protobufOfPulumi = require.resolve("google-protobuf/package.json", { paths: [path.dirname(require.resolve("@pulumi/pulumi/proto/analyzer_pb"))] });
        expect(pkg.dependencies["google-protobuf"]).toBe(JSON.parse(fs.readFileSync(protobufOfPulumi, "utf8")).version);
    });

    it("runtime/ keeps its copies equal to their twins (code and comments below the pack's header)", () => {
        const body = (text: string) => text.slice(text.indexOf('"use strict";'));
        for (const name of ["struct-decode.js", "deserialize-once.js"]) {
            const copy = fs.readFileSync(path.join(PACK, "runtime", name), "utf8");
            const twins = [path.join(PROJECT_ROOT, "policies", name), path.join(PROJECT_ROOT, "policies", "zero-trust", "lib", name)].filter((f) => fs.existsSync(f));
            expect(twins.length, `a twin of runtime/${name}`).toBeGreaterThan(0);
            for (const twin of twins) expect(body(copy), `runtime/${name} vs ${path.relative(PROJECT_ROOT, twin)}`).toBe(body(fs.readFileSync(twin, "utf8")));
        }
    });
});

interface CheckJson {
    violations: Array<{ policyPack: string; policy: string; enforcementLevel: string; urn: string; message: string }>;
    exemptions: Array<{ policyPack: string; policy: string; urn: string; reason: string }>;
}

/** `npm run check` as a user runs it; the carbon-aware pack's verdicts of its JSON report. */
function check(stack: string, extra: string[]): { violations: CheckJson["violations"]; exemptions: CheckJson["exemptions"] } {
    const run = spawnSync("npm", ["run", "--silent", "check", "--", "--stack", stack, "--format", "json", ...extra], {
        cwd: PROJECT_ROOT,
        encoding: "utf8",
        timeout: 300_000,
        maxBuffer: 200 * 1024 * 1024,
    });
    if (run.error || (run.status !== 0 && run.status !== 1)) throw new Error(`npm run check --stack ${stack} ${extra.join(" ")}: ${run.error?.message ?? `exit ${run.status}`}\n${run.stderr}`);
    const out = JSON.parse(run.stdout) as CheckJson;
    return {
        violations: out.violations.filter((v) => v.policyPack === "carbon-aware"),
        exemptions: out.exemptions.filter((e) => e.policyPack === "carbon-aware"),
    };
}

describe("a copy of the folder alone, with its own dependencies, gives the committed stacks the same verdicts", () => {
    let parent: string;
    const configFile = () => path.join(parent, "strict-carbon.json");

    beforeAll(() => {
        parent = fs.mkdtempSync(path.join(os.tmpdir(), "carbon-pack-standalone-"));
        const copy = path.join(parent, "carbon-aware");
        fs.cpSync(PACK, copy, { recursive: true, filter: (src) => path.basename(src) !== "node_modules" });
        // Its own dependencies only (no devDependencies: the bundle is committed), from the npm cache when it has them.
        const install = spawnSync("npm", ["install", "--omit=dev", "--prefer-offline", "--no-audit", "--no-fund", "--no-package-lock"], {
            cwd: copy,
            encoding: "utf8",
            timeout: 300_000,
        });
        if (install.error || install.status !== 0)
            throw new Error(`npm install in the copied pack failed (${install.error?.message ?? `exit ${install.status}`}); the standalone check cannot run:\n${install.stderr}`);
        // Nothing resolves from the repository: the copy's own @pulumi/pulumi starts it, as the engine would.
        expect(require.resolve("@pulumi/pulumi/package.json", { paths: [copy] }).startsWith(copy)).toBe(true);
        // A configuration under which the stacks get verdicts from CA-01 and CA-02 too.
        fs.writeFileSync(
            configFile(),
            JSON.stringify({
                "ca-01-max-grid-intensity": { maxIntensity: 10 },
                "ca-02-allowed-geographies": { allowedGeographies: ["US"] },
                "ca-03-lower-carbon-region": { minSavingPct: 0 },
                "carbon-aware-exceptions": { exceptions: [{ name: "not-marked", reason: "listed, marks nothing", policies: ["ca-01-max-grid-intensity"] }] },
            }),
        );
    }, 360_000);
    afterAll(() => {
        if (parent) fs.rmSync(parent, { recursive: true, force: true });
    });

    for (const stack of listStacks()) {
        it(`${stack}: the copy's verdicts are the in-repository pack's`, () => {
            const standalone = check(stack, ["--packs", parent]);
            const inRepository = check(stack, []);
            expect(standalone).toEqual(inRepository);
            if (stack !== "local") expect(inRepository.violations.some((v) => v.policy === "ca-04-placement-summary")).toBe(true);
        }, 600_000);
    }

    it("dev under a strict configuration: the copy's verdicts are the in-repository pack's", () => {
        const standalone = check("dev", ["--packs", parent, "--policy-pack-config", configFile()]);
        const inRepository = check("dev", ["--policy-pack-config", configFile()]);
        expect(standalone).toEqual(inRepository);
        const policies = new Set(inRepository.violations.map((v) => v.policy));
        // CA-03 stays silent: dev already runs in the lowest-carbon region of each cloud (platform:regions auto).
        expect([...policies].sort()).toEqual(["ca-01-max-grid-intensity", "ca-02-allowed-geographies", "ca-04-placement-summary"]);
    }, 600_000);
});
