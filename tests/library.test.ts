/**
 * The library package as a consumer gets it: `npm pack` (which builds dist/ through `prepare`), the
 * tarball installed into a fresh Pulumi program folder without a registry (extracted into its
 * node_modules, with only the package's declared dependencies and peer dependencies linked from this
 * repository's node_modules), then a program there that imports the package by name registers a
 * component under Pulumi's mock runtime. Nothing here uses the network.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { builtinModules } from "node:module";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { exportedComponents, pluginSchema } from "../tools/schema";

const ROOT = path.join(__dirname, "..");
const PKG = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"));
const DECLARED = [...Object.keys(PKG.dependencies ?? {}), ...Object.keys(PKG.peerDependencies ?? {})];

let tmp: string;
let tarball: string;
let files: string[];
let installed: string;

/** The package name a bare module specifier names: `@scope/name/sub` → `@scope/name`, `yaml` → `yaml`. */
function packageOf(specifier: string): string {
    const parts = specifier.split("/");
    return specifier.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0];
}

function link(program: string, name: string): void {
    const target = fs.realpathSync(path.join(ROOT, "node_modules", name));
    const at = path.join(program, "node_modules", name);
    fs.mkdirSync(path.dirname(at), { recursive: true });
    fs.symlinkSync(target, at, "dir");
}

beforeAll(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "platform-library-"));
    // `prepare` runs `npm run build`; the deadline covers tsc on a busy 2-core machine.
    execFileSync("npm", ["pack", "--pack-destination", tmp, "--offline", "--silent"], {
        cwd: ROOT,
        timeout: 300_000,
        stdio: ["ignore", "pipe", "pipe"],
        env: { ...process.env, npm_config_audit: "false", npm_config_fund: "false", npm_config_update_notifier: "false" },
    });
    const tgz = fs.readdirSync(tmp).filter((f) => f.endsWith(".tgz"));
    expect(tgz).toHaveLength(1);
    tarball = path.join(tmp, tgz[0]);
    files = execFileSync("tar", ["-tzf", tarball], { encoding: "utf8" })
        .split("\n")
        .filter(Boolean)
        .map((f) => f.replace(/^package\//, ""));

    // `npm install <tarball>` without a registry: the package extracted where npm would put it.
    const program = path.join(tmp, "consumer");
    installed = path.join(program, "node_modules", ...PKG.name.split("/"));
    fs.mkdirSync(installed, { recursive: true });
    execFileSync("tar", ["-xzf", tarball, "-C", installed, "--strip-components=1"]);
    for (const name of DECLARED) link(program, name);
}, 360_000);

afterAll(() => {
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

describe("npm pack", () => {
    it("holds the compiled entry with its declarations and source maps", () => {
        expect(files).toEqual(expect.arrayContaining(["package.json", "README.md", "LICENSE", "docs/library.md", "dist/index.js", "dist/index.d.ts", "dist/index.js.map"]));
        expect(files.some((f) => f.startsWith("dist/components/cluster/") && f.endsWith(".d.ts"))).toBe(true);
        // The ODbL attribution of the carbon data the regions component reads from @tgwf/co2.
        expect(files).toContain("components/regions/SOURCES.md");
    });

    it("leaves out the stack program, the tools, the tests, the policy packs and the TypeScript sources", () => {
        const outside = files.filter((f) => /^(stacks|tools|tests|policies|schemas)\//.test(f) || /^dist\/(stacks|tools|tests|policies)\//.test(f));
        expect(outside).toEqual([]);
        expect(files.filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts"))).toEqual([]);
    });

    it("declares every package the compiled code requires, as a dependency or a peer dependency", () => {
        const required = new Set<string>();
        for (const f of files.filter((f) => f.endsWith(".js"))) {
            const js = fs.readFileSync(path.join(installed, f), "utf8");
            for (const m of js.matchAll(/require\("([^"]+)"\)/g)) {
                const spec = m[1];
                if (spec.startsWith(".") || spec.startsWith("node:") || builtinModules.includes(spec)) continue;
                required.add(packageOf(spec));
            }
        }
        expect([...required].sort()).toEqual([...DECLARED].sort());
    });

    it("makes the cloud SDKs peer dependencies, so the consumer's program and the components share one @pulumi/pulumi", () => {
        expect(Object.keys(PKG.peerDependencies).sort()).toEqual(["@pulumi/aws", "@pulumi/azure-native", "@pulumi/gcp", "@pulumi/kubernetes", "@pulumi/pulumi"]);
        for (const name of Object.keys(PKG.peerDependencies)) {
            expect(PKG.dependencies?.[name]).toBeUndefined();
            expect(PKG.devDependencies[name]).toBe(PKG.peerDependencies[name]);
        }
    });
});

describe("a Pulumi program using the installed package", () => {
    it("imports a component by the package's name and registers it under the mock runtime", () => {
        const program = path.join(tmp, "consumer");
        fs.writeFileSync(
            path.join(program, "index.js"),
            `const pulumi = require("@pulumi/pulumi");
const registered = [];
pulumi.runtime.setMocks(
    {
        newResource: (args) => {
            registered.push({ type: args.type, name: args.name, custom: args.custom, inputs: args.inputs });
            return { id: args.custom ? args.name + "-id" : undefined, state: args.inputs };
        },
        call: (args) => args.inputs,
    },
    "consumer",
    "dev",
    false,
);
const k8s = require("@pulumi/kubernetes");
const { PlatformNamespace } = require(${JSON.stringify(PKG.name)});
const provider = new k8s.Provider("k8s", { context: "kind-test" });
const ns = new PlatformNamespace("team-a", { name: "team-a" }, { provider });
ns.urn.apply((urn) => { registered.push({ type: "urn", name: urn }); });
process.on("beforeExit", () => {
    if (!process.exitCode) process.stdout.write(JSON.stringify(registered));
    process.exit();
});
`,
        );
        const out = execFileSync(process.execPath, ["index.js"], { cwd: program, encoding: "utf8", timeout: 120_000, env: { ...process.env, NODE_PATH: "" } });
        const registered = JSON.parse(out) as { type: string; name: string; custom?: boolean; inputs?: any }[];
        // The component is the parent its children are registered under (the URN carries the type chain).
        const urn = registered.find((r) => r.type === "urn")!.name;
        expect(urn).toBe("urn:pulumi:dev::consumer::platform:index:PlatformNamespace::team-a");
        const namespace = registered.find((r) => r.type === "kubernetes:core/v1:Namespace")!;
        expect(namespace.inputs.metadata).toMatchObject({
            name: "team-a",
            labels: { "istio.io/dataplane-mode": "ambient", "pod-security.kubernetes.io/enforce": "restricted" },
        });
        const denyAll = registered.find((r) => r.type === "kubernetes:networking.k8s.io/v1:NetworkPolicy" && r.inputs.metadata?.name === "default-deny")!;
        expect(denyAll.inputs.spec).toEqual({ podSelector: {}, policyTypes: ["Ingress", "Egress"] });
        expect(denyAll.inputs.metadata.namespace).toBe("team-a");
    });

    it("type-checks a TypeScript consumer against the package's declarations (resolved through exports)", () => {
        const program = path.join(tmp, "consumer");
        fs.writeFileSync(
            path.join(program, "consumer.ts"),
            `import * as k8s from "@pulumi/kubernetes";
import { PlatformNamespace, type PlatformNamespaceArgs } from ${JSON.stringify(PKG.name)};
const args: PlatformNamespaceArgs = { name: "team-a" };
const provider = new k8s.Provider("k8s", { context: "kind-test" });
export const name = new PlatformNamespace("team-a", args, { provider }).namespaceName;
`,
        );
        fs.writeFileSync(
            path.join(program, "tsconfig.json"),
            JSON.stringify({ compilerOptions: { strict: true, module: "node16", moduleResolution: "node16", target: "ES2022", noEmit: true, skipLibCheck: true, types: [] }, files: ["consumer.ts"] }),
        );
        const tsc = path.join(ROOT, "node_modules", "typescript", "bin", "tsc");
        const result = (() => {
            try {
                return execFileSync(process.execPath, [tsc, "-p", "."], { cwd: program, encoding: "utf8", timeout: 240_000 });
            } catch (e: any) {
                return `${e.stdout ?? ""}${e.stderr ?? ""}` || String(e);
            }
        })();
        expect(result).toBe("");
    });
});

describe("the plugin, started as the Node.js language host starts it (cmd/run-plugin <repository>, then GetSchema over gRPC)", () => {
    it("serves every component the package exports (what pulumi package add <repository> gets), from the dist/ the pack built", async () => {
        const schema = await pluginSchema(ROOT);
        expect(schema.name).toBe("platform");
        expect(schema.namespace).toBe("lowcarbon-platform");
        expect(Object.keys(schema.resources).sort()).toEqual(exportedComponents().map((c) => `platform:index:${c.name}`).sort());
    }, 400_000);
});
