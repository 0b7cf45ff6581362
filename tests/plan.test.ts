import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { planStack } from "../tools/plan";
import { SECRET_PLACEHOLDER } from "../tools/plan/runtime";
import { loadStackConfig, PROJECT_ROOT } from "../tools/plan/stack-config";

const run = promisify(execFile);
const TSX = path.join(PROJECT_ROOT, "node_modules", ".bin", "tsx");

async function planCli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    try {
        const { stdout, stderr } = await run(TSX, ["tools/plan.ts", ...args], { cwd: PROJECT_ROOT, maxBuffer: 256 * 1024 * 1024 });
        return { code: 0, stdout, stderr };
    } catch (e: any) {
        return { code: e.code, stdout: e.stdout, stderr: e.stderr };
    }
}

describe("stack config files are read as the CLI reads them", () => {
    it("applies project defaults, then stack values, and qualifies bare keys with the project", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "plan-"));
        fs.copyFileSync(path.join(PROJECT_ROOT, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
        fs.writeFileSync(path.join(dir, "Pulumi.t.yaml"), "config:\n  clouds: [aws]\n  platform:geography: US\n  gcp:project: p1\n");
        const sc = loadStackConfig("t", { root: dir });
        expect(sc.config["platform:clouds"]).toBe('["aws"]');
        expect(sc.config["platform:geography"]).toBe("US");
        expect(sc.config["gcp:project"]).toBe("p1");
        expect(JSON.parse(sc.config["platform:cluster"])).toMatchObject({ minNodes: 3, maxNodes: 6 });
    });

    it("keeps secure values secret and never passes their ciphertext on", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "plan-"));
        fs.copyFileSync(path.join(PROJECT_ROOT, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
        fs.writeFileSync(path.join(dir, "Pulumi.s.yaml"), "config:\n  app:token:\n    secure: v1:AAAAciphertext\n");
        const sc = loadStackConfig("s", { root: dir });
        expect(sc.config["app:token"]).toBe(SECRET_PLACEHOLDER);
        expect(sc.secretKeys).toContain("app:token");
        expect(JSON.stringify(sc)).not.toContain("ciphertext");
    });
});

describe("the kubernetes target plans against an existing cluster", () => {
    it("creates a provider for the configured context and no cloud resource", async () => {
        const plan = await planStack("local");
        const provider = plan.resources.find((r) => r.type === "pulumi:providers:kubernetes")!;
        expect(provider.inputs.context).toBe("kind-platform");
        expect(plan.resources.some((r) => /^(aws|azure-native|gcp):/.test(r.type))).toBe(false);
        expect(plan.maskedOutputs.kubernetes).toMatchObject({ kubeconfig: SECRET_PLACEHOLDER });
    });
});

describe("npm run plan", () => {
    it("--json prints the plan document with every resource's identity, options and inputs", async () => {
        const { code, stdout } = await planCli(["--stack", "local", "--json"]);
        expect(code).toBe(0);
        const doc = JSON.parse(stdout);
        expect(doc).toMatchObject({ project: "platform", stack: "local" });
        expect(Object.keys(doc.resources[0]).sort()).toEqual(
            ["custom", "dependencies", "inputs", "name", "parent", "protect", "provider", "retainOnDelete", "type", "urn"].sort(),
        );
        expect(doc.resources.map((r: any) => r.type)).toContain("platform:index:ExistingCluster");
        expect(JSON.stringify(doc.outputs)).toContain(SECRET_PLACEHOLDER);
    });

    it("prints a tree, counts and says plainly that no cloud was called", async () => {
        const { code, stdout } = await planCli(["--stack", "local"]);
        expect(code).toBe(0);
        expect(stdout).toMatch(/Offline plan of platform\/local: no cloud, engine or Pulumi CLI was called/);
        expect(stdout).toMatch(/platform:index:ExistingCluster\s+plt-local-k8s/);
        expect(stdout).toMatch(/\d+ resources to create/);
    });

    it("exits 1 with the validation message for a bad stack config", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "plan-"));
        fs.copyFileSync(path.join(PROJECT_ROOT, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
        fs.writeFileSync(path.join(dir, "Pulumi.bad.yaml"), "config:\n  platform:clouds: [aws, oracle]\n");
        const { code, stderr, stdout } = await planCli(["--stack", "bad", "--root", dir]);
        expect(code).toBe(1);
        expect(stderr).toContain('platform:clouds[1]: "oracle" must be one of "aws", "azure", "gcp", "kubernetes"');
        expect(stdout).toBe("");
    });

    it("exits 2 and lists the stacks for an unknown stack", async () => {
        const { code, stderr } = await planCli(["--stack", "nope"]);
        expect(code).toBe(2);
        expect(stderr).toMatch(/stack "nope" has no stack file .*Pulumi\.nope\.yaml; stacks here: .*dev/);
    });
});

describe("npm run plan prints placement and whole documents", () => {
    it("prints each cloud's region, intensity, the naive default's intensity and the reduction", async () => {
        const { code, stdout } = await planCli(["--stack", "dev"]);
        expect(code).toBe(0);
        const section = stdout.slice(stdout.indexOf("Placement:"), stdout.indexOf("Outputs:"));
        for (const cloud of ["aws", "azure", "gcp"]) {
            expect(section).toMatch(new RegExp(`${cloud}\\s+\\S+\\s+auto\\s+\\d+ gCO2e/kWh \\(\\d{4}\\)(; naive default \\S+ \\d+ gCO2e/kWh, [\\d.]+% lower)?`));
        }
    });

    it("--json of the dev stack is one complete document even when it is large (flushed before exit)", async () => {
        const { code, stdout } = await planCli(["--stack", "dev", "--json"]);
        expect(code).toBe(0);
        expect(stdout.length).toBeGreaterThan(131072);
        const doc = JSON.parse(stdout);
        const types = new Set(doc.resources.map((r: any) => r.type));
        for (const t of ["aws:eks/cluster:Cluster", "azure-native:containerservice:ManagedCluster", "gcp:container/cluster:Cluster"]) {
            expect(types.has(t)).toBe(true);
        }
    });
});

describe("every stack file plans with explicit providers and only its own clouds", () => {
    const CLOUD_PACKAGES: Record<string, string> = { aws: "aws", azure: "azure-native", gcp: "gcp" };
    const cases: [string, string[]][] = [
        ["dev", ["aws", "azure", "gcp"]],
        ["aws", ["aws"]],
        ["azure", ["azure"]],
        ["gcp", ["gcp"]],
        ["local", []],
    ];
    it.each(cases)("%s", async (stack, clouds) => {
        const plan = await planStack(stack);
        // Dynamic resources (pulumi-nodejs:dynamic…) run in the program's own process: no cloud provider to name.
        const custom = plan.resources.filter((r) => r.custom && !r.type.startsWith("pulumi:providers:") && !r.type.startsWith("pulumi-nodejs:dynamic"));
        // No resource falls back to a default provider (ambient credentials, implicit region).
        expect(custom.filter((r) => r.provider === "").map((r) => r.urn)).toEqual([]);
        const packages = new Set(custom.map((r) => r.type.split(":")[0]));
        for (const [cloud, pkg] of Object.entries(CLOUD_PACKAGES)) expect(packages.has(pkg)).toBe(clouds.includes(cloud));
        // Every cluster target gets an in-cluster provider.
        expect(plan.resources.some((r) => r.type === "pulumi:providers:kubernetes")).toBe(true);
    });
});
