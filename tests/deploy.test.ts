import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { deploy, EXIT_ENDPOINT_UNREACHABLE, EXIT_TIMEOUT, kubeconfigServers, policyPacks } from "../tools/deploy";
import { PROJECT_ROOT } from "../tools/plan/stack-config";
import { stackPackConfig } from "../tools/policy/pack-config";

// The deploy script drives the real Automation API; a stand-in `pulumi` on PATH records every call.
const FAKE_BIN = path.join(PROJECT_ROOT, "tests", "fixtures", "fake-pulumi");
let logFile: string;
const saved = { PATH: process.env.PATH, LOG: process.env.FAKE_PULUMI_LOG, V: process.env.FAKE_PULUMI_VIOLATION, KUBECONFIG: process.env.KUBECONFIG };

function calls(): string[][] {
    return fs.readFileSync(logFile, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l));
}

beforeEach(() => {
    logFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "fake-pulumi-")), "calls.log");
    process.env.PATH = `${FAKE_BIN}${path.delimiter}${saved.PATH}`;
    process.env.FAKE_PULUMI_LOG = logFile;
    delete process.env.FAKE_PULUMI_VIOLATION;
    delete process.env.FAKE_PULUMI_OUTPUTS;
    delete process.env.FAKE_PULUMI_HANG;
    delete process.env.FAKE_PULUMI_GARBAGE_AFTER_UP;
});
afterEach(() => {
    process.env.PATH = saved.PATH;
    process.env.FAKE_PULUMI_LOG = saved.LOG;
    if (saved.V === undefined) delete process.env.FAKE_PULUMI_VIOLATION;
    if (saved.KUBECONFIG === undefined) delete process.env.KUBECONFIG;
    else process.env.KUBECONFIG = saved.KUBECONFIG;
});

describe("npm run deploy", () => {
    it("creates a missing stack, previews with every policy pack, then runs up and returns masked outputs", async () => {
        const result = await deploy({ stack: "dev", log: () => {} });
        expect(result).toMatchObject({ exitCode: 0, violations: [] });
        expect(result.outputs).toEqual({ region: "eu-central-1", kubeconfig: "[secret]" });
        const commands = calls().map((c) => (c[0] === "stack" ? c.slice(0, 2).join(" ") : c[0]));
        expect(commands).toEqual(expect.arrayContaining(["stack select", "stack init", "preview", "up"]));
        expect(commands.indexOf("stack init")).toBeGreaterThan(commands.indexOf("stack select"));
        const preview = calls().find((c) => c[0] === "preview")!;
        const up = calls().find((c) => c[0] === "up")!;
        const packs = policyPacks();
        expect(packs.length).toBeGreaterThan(0);
        for (const pack of packs) {
            expect(preview.join(" ")).toContain(`--policy-pack ${pack}`);
            expect(up.join(" ")).toContain(`--policy-pack ${pack}`);
        }
        expect(calls().findIndex((c) => c[0] === "up")).toBeGreaterThan(calls().findIndex((c) => c[0] === "preview"));
    });

    it("stops on a mandatory violation without running up", async () => {
        process.env.FAKE_PULUMI_VIOLATION = "mandatory";
        const result = await deploy({ stack: "dev", log: () => {} });
        expect(result.exitCode).toBe(1);
        expect(result.violations).toEqual([
            expect.objectContaining({ policyPack: "zero-trust", policy: "eks-private-endpoint", enforcementLevel: "mandatory" }),
        ]);
        expect(calls().some((c) => c[0] === "up")).toBe(false);
    });

    it("deploys through an advisory violation and reports it", async () => {
        process.env.FAKE_PULUMI_VIOLATION = "advisory";
        const result = await deploy({ stack: "dev", log: () => {} });
        expect(result.exitCode).toBe(0);
        expect(result.violations.map((v) => v.enforcementLevel)).toEqual(["advisory"]);
        expect(calls().some((c) => c[0] === "up")).toBe(true);
    });

    it("passes the backend through and selects an existing stack without creating it", async () => {
        fs.writeFileSync(`${logFile}.stacks`, "dev\n");
        const result = await deploy({ stack: "dev", backend: "file:///tmp/state", previewOnly: true, log: () => {} });
        expect(result.exitCode).toBe(0);
        expect(calls().some((c) => c[0] === "stack" && c[1] === "init")).toBe(false);
        expect(calls().some((c) => c[0] === "up")).toBe(false);
        // One line per call, in call order; `pulumi version` (the Automation API's CLI probe) needs no backend.
        const backends = fs.readFileSync(`${logFile}.backend`, "utf8").split("\n").slice(0, -1);
        expect(backends).toHaveLength(calls().length);
        const stateCalls = calls().map((c, i) => [c[0], backends[i]]).filter(([cmd]) => cmd !== "version");
        expect(stateCalls.map(([cmd]) => cmd)).toEqual(expect.arrayContaining(["stack", "preview"]));
        for (const [, backend] of stateCalls) expect(backend).toBe("file:///tmp/state");
    });

    it("gives each --policy-pack its own --policy-pack-config, holding only the policies that pack declares", async () => {
        const cfg = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "pack-config-")), "policy.json");
        fs.writeFileSync(cfg, JSON.stringify({ all: "mandatory", "net-06-no-world-ingress": { allowedCidrs: ["203.0.113.0/24"] }, "ca-04-placement-summary": "disabled" }));
        const result = await deploy({ stack: "dev", policyPackConfigs: [cfg], log: () => {} });
        expect(result.exitCode).toBe(0);
        const packs = policyPacks();
        for (const command of ["preview", "up"]) {
            const args = calls().find((c) => c[0] === command)!;
            const packArgs = args.flatMap((a, i) => (a === "--policy-pack" ? [args[i + 1]] : []));
            expect(packArgs).toEqual(packs);
            // The CLI requires exactly one config per pack, in the same order.
            expect(args.filter((a) => a === "--policy-pack-config")).toHaveLength(packs.length);
        }
        const [previewConfigs] = fs.readFileSync(`${logFile}.configs`, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l));
        const byPack = Object.fromEntries(packs.map((p, i) => [path.basename(p), previewConfigs[i]]));
        // The stack's own pack config (policies/config) first, then the given file's entries.
        const zeroTrustDir = packs.find((p) => path.basename(p) === "zero-trust")!;
        expect(byPack["zero-trust"]).toEqual({ ...stackPackConfig("dev", zeroTrustDir), all: "mandatory", "net-06-no-world-ingress": { allowedCidrs: ["203.0.113.0/24"] } });
        expect(byPack["zero-trust"]["zero-trust-exceptions"]).toBeDefined();
        expect(byPack["carbon-aware"]).toEqual({ all: "mandatory", "ca-04-placement-summary": "disabled" });
    }, 120_000);

    it("fails with exit 2 when the policy config names a policy no pack has, before calling the CLI", async () => {
        const cfg = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "pack-config-")), "policy.json");
        fs.writeFileSync(cfg, JSON.stringify({ "no-such-policy": "advisory" }));
        const result = await deploy({ stack: "dev", policyPackConfigs: [cfg], log: () => {} });
        expect(result.exitCode).toBe(2);
        expect(result.error).toContain("no-such-policy");
        expect(fs.existsSync(logFile)).toBe(false);
    }, 120_000);

    it("applies the plan's secret checks before calling the CLI (a token in plain text is refused, never printed)", async () => {
        const root = fs.mkdtempSync(path.join(os.tmpdir(), "deploy-"));
        fs.copyFileSync(path.join(PROJECT_ROOT, "Pulumi.yaml"), path.join(root, "Pulumi.yaml"));
        fs.writeFileSync(
            path.join(root, "Pulumi.tok.yaml"),
            [
                "config:",
                "  platform:clouds: [kubernetes]",
                "  platform:carbonSignalToken: em-live-secret-123",
                "  platform:carbon:",
                "    scaling:",
                "      enabled: true",
                "      dirtyThreshold: 250",
                "      signal: { locations: { kubernetes: DE } }",
                "      workloads:",
                "        - name: report-builder",
                "          namespace: batch",
                "          maxReplicas: 6",
                "          dirtyMaxReplicas: 1",
                "          work: { type: rabbitmq, metadata: { queueName: reports, mode: QueueLength, value: '3' }, authenticationRef: { name: rabbit }, ports: [5671] }",
                "",
            ].join("\n"),
        );
        const result = await deploy({ stack: "tok", root, log: () => {} });
        expect(result.exitCode).toBe(2);
        expect(result.error).toMatch(/platform:carbonSignalToken: \(value not shown\) is stored in plain text/);
        expect(result.error).not.toContain("em-live-secret-123");
        expect(fs.existsSync(logFile)).toBe(false);
    });

    it("says how to install the Pulumi CLI when it is not on PATH", async () => {
        process.env.PATH = fs.mkdtempSync(path.join(os.tmpdir(), "empty-path-"));
        const result = await deploy({ stack: "dev", log: () => {} });
        expect(result.exitCode).toBe(2);
        expect(result.error).toMatch(/^the Pulumi CLI is not installed or not on PATH .*curl -fsSL https:\/\/get\.pulumi\.com \| sh/);
    }, 60_000);

    it("after a finished update, unreadable CLI output says the deploy happened and what could not be read", async () => {
        process.env.FAKE_PULUMI_GARBAGE_AFTER_UP = "1";
        const result = await deploy({ stack: "dev", log: () => {} });
        expect(commandsRun()).toContain("up");
        expect(result.exitCode).toBe(0);
        expect(result.error).toMatch(/^stack dev: the update finished \(2 create\), so the deploy happened; but what the CLI printed afterwards could not be read \(.+\)\. Nothing needs redeploying/);
    }, 120_000);

    it("removes its temporary per-pack config files, also when the deploy fails", async () => {
        const cfgDir = fs.mkdtempSync(path.join(os.tmpdir(), "pack-config-src-"));
        const cfg = path.join(cfgDir, "policy.json");
        fs.writeFileSync(cfg, JSON.stringify({ all: "mandatory" }));
        const temp = () => fs.readdirSync(os.tmpdir()).filter((d) => d.startsWith("policy-pack-config-")).sort();
        const before = temp();
        expect((await deploy({ stack: "dev", policyPackConfigs: [cfg], log: () => {} })).exitCode).toBe(0);
        process.env.FAKE_PULUMI_VIOLATION = "mandatory";
        expect((await deploy({ stack: "dev", policyPackConfigs: [cfg], log: () => {} })).exitCode).toBe(1);
        expect(temp()).toEqual(before);
    }, 180_000);

    it("the CLI refuses an option it does not have (--yes) with the usage, exit 2, no stack trace", () => {
        const r = spawnSync(process.execPath, [path.join(PROJECT_ROOT, "node_modules/tsx/dist/cli.mjs"), "tools/deploy.ts", "--stack", "dev", "--yes"], { cwd: PROJECT_ROOT, encoding: "utf8", timeout: 60_000 });
        expect(r.status).toBe(2);
        expect(r.stderr).toMatch(/^Unknown option '--yes'/);
        expect(r.stderr).toContain("usage: npm run deploy -- --stack <name>");
        expect(r.stderr).not.toMatch(/^\s+at /m);
    }, 60_000);

    it("fails with exit 2 on a bad stack config before calling the CLI at all", async () => {
        const root = fs.mkdtempSync(path.join(os.tmpdir(), "deploy-"));
        fs.copyFileSync(path.join(PROJECT_ROOT, "Pulumi.yaml"), path.join(root, "Pulumi.yaml"));
        fs.writeFileSync(path.join(root, "Pulumi.bad.yaml"), "config:\n  platform:clouds: [mars]\n");
        const result = await deploy({ stack: "bad", root, log: () => {} });
        expect(result.exitCode).toBe(2);
        expect(result.error).toContain('platform:clouds[0]: "mars"');
        expect(fs.existsSync(logFile)).toBe(false);
    });
});

/** An exec-plugin kubeconfig like the ones stacks/platform.ts outputs per managed cluster. */
function kubeconfig(server: string, name = "plt-dev-aws"): string {
    return JSON.stringify({
        apiVersion: "v1",
        kind: "Config",
        clusters: [{ name, cluster: { server, "certificate-authority-data": "" } }],
        contexts: [{ name, context: { cluster: name, user: name } }],
        "current-context": name,
        users: [{ name, user: {} }],
    });
}

/** A local port with nothing listening on it (bound, then released). */
async function closedPort(): Promise<number> {
    const server = net.createServer();
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const { port } = server.address() as net.AddressInfo;
    await new Promise<void>((r) => server.close(() => r()));
    return port;
}

/** A project copy whose only stack `kind` targets an existing cluster through the given kubeconfig file. */
function kindProject(kubeconfigPath: string, context = "kind-platform"): string {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "deploy-kind-"));
    fs.copyFileSync(path.join(PROJECT_ROOT, "Pulumi.yaml"), path.join(root, "Pulumi.yaml"));
    fs.writeFileSync(
        path.join(root, "Pulumi.kind.yaml"),
        `config:\n  platform:clouds: [kubernetes]\n  platform:kubernetes:\n    context: ${context}\n    kubeconfig: ${kubeconfigPath}\n`,
    );
    return root;
}

const commandsRun = () => (fs.existsSync(logFile) ? calls().map((c) => c[0]) : []);

describe("npm run deploy: Kubernetes API endpoints the runner cannot reach (blocker 6)", () => {
    it("exits 3 before preview when a managed cluster's recorded endpoint refuses, naming the target, the address and what to do", async () => {
        const port = await closedPort();
        process.env.FAKE_PULUMI_OUTPUTS = JSON.stringify({ aws: { endpoint: `https://127.0.0.1:${port}`, kubeconfig: kubeconfig(`https://127.0.0.1:${port}`) } });
        const result = await deploy({ stack: "dev", probeTimeoutSeconds: 5, log: () => {} });
        expect(result.exitCode).toBe(EXIT_ENDPOINT_UNREACHABLE);
        expect(result.error).toContain("not reachable from this machine");
        expect(result.error).toContain(`aws: https://127.0.0.1:${port} (127.0.0.1:${port}): connection refused`);
        expect(result.error).toContain("CodeBuild-hosted GitHub Actions runner");
        expect(result.error).toContain("Nothing was previewed or deployed");
        expect(commandsRun()).not.toContain("preview");
        expect(commandsRun()).not.toContain("up");
    });

    // The tests never send traffic off this machine: an endpoint that never answers and a private name
    // that does not resolve are played by the probe's connect function (a socket that never connects, a
    // lookup that fails as getaddrinfo does outside the private DNS zone).
    it("gives up on an endpoint that does not answer within the probe deadline instead of hanging", async () => {
        process.env.FAKE_PULUMI_OUTPUTS = JSON.stringify({ azure: { kubeconfig: kubeconfig("https://10.20.0.4:443", "plt-dev-azure") } });
        const tried: string[] = [];
        const silent = (o: net.NetConnectOpts) => (tried.push(`${(o as net.TcpNetConnectOpts).host}:${(o as net.TcpNetConnectOpts).port}`), new net.Socket());
        const started = Date.now();
        const result = await deploy({ stack: "dev", probeTimeoutSeconds: 2, connect: silent, log: () => {} });
        expect(Date.now() - started).toBeLessThan(15_000);
        expect(tried).toEqual(["10.20.0.4:443"]);
        expect(result.exitCode).toBe(EXIT_ENDPOINT_UNREACHABLE);
        expect(result.error).toContain("azure: https://10.20.0.4:443 (10.20.0.4:443): no TCP answer within 2 s");
        expect(result.error).toContain("Azure private networking");
        expect(commandsRun()).not.toContain("preview");
    }, 30_000);

    it("reports a private name that does not resolve from here", async () => {
        process.env.FAKE_PULUMI_OUTPUTS = JSON.stringify({ azure: { kubeconfig: kubeconfig("https://plt-dev.privatelink.westeurope.azmk8s.io:443") } });
        const notFound = (o: net.NetConnectOpts) =>
            net.connect({
                ...(o as net.TcpNetConnectOpts),
                lookup: (host, _opts, cb) => cb(Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: "ENOTFOUND" }), "", 4),
            });
        const result = await deploy({ stack: "dev", probeTimeoutSeconds: 5, connect: notFound, log: () => {} });
        expect(result.exitCode).toBe(EXIT_ENDPOINT_UNREACHABLE);
        expect(result.error).toContain("plt-dev.privatelink.westeurope.azmk8s.io:443): the name does not resolve from here (a private DNS zone?)");
    }, 30_000);

    it("previews and deploys when every recorded endpoint answers", async () => {
        const server = net.createServer((s) => s.destroy());
        await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
        const { port } = server.address() as net.AddressInfo;
        try {
            process.env.FAKE_PULUMI_OUTPUTS = JSON.stringify({ gcp: { kubeconfig: kubeconfig(`https://127.0.0.1:${port}`, "plt-dev-gcp") } });
            const lines: string[] = [];
            const result = await deploy({ stack: "dev", probeTimeoutSeconds: 5, log: (l) => lines.push(l) });
            expect(result.exitCode).toBe(0);
            expect(lines).toContain(`gcp: Kubernetes API 127.0.0.1:${port} reachable`);
            // aws and azure have no recorded endpoint: created by this run, said so, not probed.
            expect(lines.some((l) => l.includes("no API endpoint recorded yet for aws, azure"))).toBe(true);
            expect(commandsRun()).toEqual(expect.arrayContaining(["preview", "up"]));
        } finally {
            server.close();
        }
    });

    it("probes the kubernetes target's cluster from its kubeconfig context and exits 3 when it is down", async () => {
        const port = await closedPort();
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kubeconfig-"));
        const file = path.join(dir, "config");
        fs.writeFileSync(
            file,
            [
                "apiVersion: v1",
                "kind: Config",
                "current-context: other",
                "clusters:",
                "  - name: kind-platform",
                `    cluster: { server: "https://127.0.0.1:${port}" }`,
                "  - name: other",
                "    cluster: { server: https://203.0.113.9:6443 }",
                "contexts:",
                "  - { name: kind-platform, context: { cluster: kind-platform, user: kind-platform } }",
                "  - { name: other, context: { cluster: other, user: other } }",
                "users: []",
            ].join("\n"),
        );
        const result = await deploy({ stack: "kind", root: kindProject(file), probeTimeoutSeconds: 5, log: () => {} });
        expect(result.exitCode).toBe(EXIT_ENDPOINT_UNREACHABLE);
        // The configured context's cluster, not the kubeconfig's current one.
        expect(result.error).toContain(`kubernetes: https://127.0.0.1:${port} (127.0.0.1:${port}): connection refused`);
        expect(result.error).toContain("kind get clusters");
        expect(commandsRun()).not.toContain("preview");
    });

    it("exits 3 when the kubernetes target's kubeconfig or context does not exist", async () => {
        const missing = path.join(os.tmpdir(), "no-such-dir", "kubeconfig");
        const result = await deploy({ stack: "kind", root: kindProject(missing), log: () => {} });
        expect(result.exitCode).toBe(EXIT_ENDPOINT_UNREACHABLE);
        expect(result.error).toContain(`kubernetes: the kubeconfig ${missing} does not exist`);

        const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "kubeconfig-")), "config");
        fs.writeFileSync(file, kubeconfig("https://127.0.0.1:6443", "kind-other"));
        const noContext = await deploy({ stack: "kind", root: kindProject(file), log: () => {} });
        expect(noContext.exitCode).toBe(EXIT_ENDPOINT_UNREACHABLE);
        expect(noContext.error).toContain(`has no cluster for context kind-platform`);
    });

    it("interrupts a preview + up that runs past --timeout-minutes and exits 4", async () => {
        // The preview of an in-cluster resource on an unreachable cluster waits the same way up does.
        process.env.FAKE_PULUMI_HANG = "preview";
        const started = Date.now();
        const result = await deploy({ stack: "dev", timeoutMinutes: 0.1, log: () => {} });
        expect(result.exitCode).toBe(EXIT_TIMEOUT);
        expect(result.error).toContain("ran past --timeout-minutes 0.1");
        expect(Date.now() - started).toBeLessThan(40_000);
        expect(commandsRun()).toContain("preview");
        expect(commandsRun()).not.toContain("up");
    }, 60_000);

    it("reads the API servers of AKS-style YAML and exec-plugin JSON kubeconfigs", () => {
        const aks = "apiVersion: v1\nclusters:\n- cluster:\n    certificate-authority-data: x\n    server: https://plt-dev-abc.privatelink.westeurope.azmk8s.io:443\n  name: plt\ncontexts:\n- context: {cluster: plt, user: u}\n  name: plt\ncurrent-context: plt\n";
        expect(kubeconfigServers(aks)).toEqual(["https://plt-dev-abc.privatelink.westeurope.azmk8s.io:443"]);
        expect(kubeconfigServers(kubeconfig("https://10.0.0.2"))).toEqual(["https://10.0.0.2"]);
        expect(kubeconfigServers(kubeconfig("https://10.0.0.2"), "missing")).toEqual([]);
    });
});
