import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { SUPPORTED_KUBERNETES_VERSIONS } from "../stacks/config/schema";
import { PROJECT_ROOT } from "../tools/plan/stack-config";

// The workflows and the end-to-end scripts cannot run here (no Docker, no cluster, no Pulumi CLI);
// what can be checked offline is their structure: triggers, deadlines, that every step's script exists
// and parses, and that the pinned versions and demo identities agree with the docs and the stack.
const WORKFLOWS = path.join(PROJECT_ROOT, ".github", "workflows");
const E2E = path.join(PROJECT_ROOT, "tools", "e2e");
const read = (...p: string[]) => fs.readFileSync(path.join(PROJECT_ROOT, ...p), "utf8");
const workflow = (name: string) => parse(fs.readFileSync(path.join(WORKFLOWS, name), "utf8")) as any;
const workflowFiles = fs.readdirSync(WORKFLOWS).filter((f) => /\.ya?ml$/.test(f));

/** NAME="${NAME:-value}" or NAME="value" lines of a tools/e2e/*.env file, as defaults. */
function envDefaults(file: string): Record<string, string> {
    const out: Record<string, string> = {};
    for (const line of fs.readFileSync(path.join(E2E, file), "utf8").split("\n")) {
        const m = /^([A-Z0-9_]+)="(?:\$\{\1:-(.*)\}|(.*))"$/.exec(line.trim());
        if (m) out[m[1]] = m[2] ?? m[3];
    }
    return out;
}
const versions = envDefaults("versions.env");
const demo = envDefaults("demo.env");
const scripts = fs.readdirSync(E2E).filter((f) => f.endsWith(".sh"));

describe("every workflow job is bounded", () => {
    it.each(workflowFiles)("%s: every job has timeout-minutes", (file) => {
        const jobs = Object.entries<any>(workflow(file).jobs);
        expect(jobs.length).toBeGreaterThan(0);
        for (const [name, job] of jobs) {
            expect(typeof job["timeout-minutes"], `${file} job ${name}`).toBe("number");
            expect(job["timeout-minutes"]).toBeGreaterThan(0);
            // A step's own deadline never exceeds its job's (it would be dead letter).
            for (const step of job.steps ?? []) {
                if (step["timeout-minutes"] !== undefined) expect(step["timeout-minutes"]).toBeLessThanOrEqual(job["timeout-minutes"]);
            }
        }
    });
});

describe("e2e-kind.yml: the run that meets a live cluster", () => {
    const wf = workflow("e2e-kind.yml");
    const job = wf.jobs.e2e;
    const runs: { run: string; if?: string }[] = job.steps.filter((s: any) => s.run).map((s: any) => ({ run: s.run.trim(), if: s.if }));
    const scriptSteps = runs.filter((s) => s.run.startsWith("tools/e2e/"));

    it("runs on manual dispatch and on pull requests to main", () => {
        expect(Object.keys(wf.on).sort()).toEqual(["pull_request", "workflow_dispatch"]);
        expect(wf.on.pull_request.branches).toEqual(["main"]);
        expect(wf.permissions).toEqual({ contents: "read" });
    });

    it("only calls the scripts, each an executable file under tools/e2e that bash parses", () => {
        // Besides `npm ci`, every run step is exactly one script of tools/e2e.
        expect(runs.filter((s) => s.run !== "npm ci").every((s) => /^tools\/e2e\/[a-z-]+\.sh$/.test(s.run))).toBe(true);
        for (const { run } of scriptSteps) {
            const file = path.join(PROJECT_ROOT, run);
            expect(fs.existsSync(file), run).toBe(true);
            expect(fs.statSync(file).mode & 0o111, `${run} is executable`).not.toBe(0);
            execFileSync("bash", ["-n", file]);
        }
    });

    it("creates, deploys, checks the mesh and Kafka, and always destroys and deletes the cluster, in that order", () => {
        const order = scriptSteps.map((s) => path.basename(s.run, ".sh"));
        expect(order).toEqual(["install-tools", "create-cluster", "up", "check-mesh", "check-kafka", "collect-logs", "destroy", "delete-cluster"]);
        const step = (name: string) => scriptSteps.find((s) => s.run === `tools/e2e/${name}.sh`)!;
        expect(step("destroy").if).toBe("always()");
        expect(step("delete-cluster").if).toBe("always()");
        expect(step("collect-logs").if).toBe("failure()");
        for (const name of ["create-cluster", "up", "check-mesh", "check-kafka"]) expect(step(name).if).toBeUndefined();
    });

    it("pins kind, kubectl, Pulumi and one node image per supported Kubernetes minor, as tools/e2e/versions.env and docs/e2e.md do", () => {
        const docs = read("docs", "e2e.md");
        for (const key of ["KIND_VERSION", "KUBECTL_VERSION", "PULUMI_VERSION"]) {
            expect(job.env[key], key).toBe(versions[key]);
            expect(docs, `docs/e2e.md states ${key}`).toContain(`\`${versions[key]}\``);
        }
        const include: { kubernetes: string; "node-image": string }[] = job.strategy.matrix.include;
        expect(include.map((i) => i.kubernetes).sort()).toEqual([...SUPPORTED_KUBERNETES_VERSIONS].sort());
        for (const { kubernetes, "node-image": image } of include) {
            // The node image of the minor, by digest (kind's release notes ask for the digest).
            expect(image).toMatch(new RegExp(`^kindest/node:v${kubernetes.replace(".", "\\.")}\\.\\d+@sha256:[0-9a-f]{64}$`));
            expect(image).toBe(versions[`KIND_NODE_IMAGE_${kubernetes.replace(".", "_")}`]);
            expect(docs).toContain(image);
        }
        expect(job.env.KIND_NODE_IMAGE).toBe("${{ matrix.node-image }}");
        // The CLI is released with the SDK's version; the run uses the CLI of the SDK the program is built on.
        const sdk = JSON.parse(read("node_modules", "@pulumi", "pulumi", "package.json")).version;
        expect(versions.PULUMI_VERSION).toBe(sdk);
        // kubectl within one minor of every node version (Kubernetes version skew policy).
        const kubectlMinor = Number(/^v1\.(\d+)\./.exec(versions.KUBECTL_VERSION)![1]);
        for (const v of SUPPORTED_KUBERNETES_VERSIONS) expect(Math.abs(kubectlMinor - Number(v.split(".")[1]))).toBeLessThanOrEqual(1);
    });
});

describe("tools/e2e scripts", () => {
    it.each(scripts)("%s parses, runs under set -euo pipefail, and puts a deadline on every wait and remote call", (file) => {
        const text = fs.readFileSync(path.join(E2E, file), "utf8");
        execFileSync("bash", ["-n", path.join(E2E, file)]);
        if (file === "lib.sh") expect(text).toContain("set -euo pipefail");
        else {
            expect(text.startsWith("#!/usr/bin/env bash\n")).toBe(true);
            expect(text).toContain('source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"');
            expect(fs.statSync(path.join(E2E, file)).mode & 0o111).not.toBe(0);
        }
        // Continuation lines joined, comments dropped, quoted text (messages) blanked.
        const lines = text
            .replace(/\\\n/g, " ")
            .split("\n")
            .filter((l) => !l.trim().startsWith("#") && !/^\s*need /.test(l))
            .map((l) => l.replace(/"(?:[^"\\]|\\.)*"/g, '""'));
        for (const line of lines) {
            if (/\b(k|kubectl) wait\b/.test(line)) expect(line, line).toMatch(/--timeout=\d+[smh]/);
            // The CLIs that talk to a cluster, a backend or a registry run under `timeout` (`k` does itself).
            for (const m of line.matchAll(/(^|[;&|(]\s*|\s)(pulumi|kind|npm run)\s+(\S+)/g)) {
                if (m[3] === "version") continue;
                expect(line.slice(0, m.index! + m[1].length), `${file}: ${line.trim()}`).toMatch(/\btimeout\s/);
            }
            if (/\bcurl\s/.test(line)) expect(line, line).toMatch(/--max-time/);
        }
    });

    it("the demo identities are the ones Pulumi.local.yaml declares", () => {
        const stackFile = parse(read(`Pulumi.${demo.E2E_STACK}.yaml`)).config as Record<string, any>;
        expect(stackFile["platform:kubernetes"].context).toBe(`kind-${demo.KIND_CLUSTER_NAME}`);
        expect(demo.KUBE_CONTEXT).toBe("kind-${KIND_CLUSTER_NAME}");
        const services: any[] = stackFile["platform:services"];
        const target = services.find((s) => s.name === demo.MESH_TARGET_SERVICE);
        expect(target, "the mesh target is a service of the stack").toBeDefined();
        const caller = { namespace: demo.MESH_CALLER_NAMESPACE, serviceAccount: demo.MESH_CALLER_SERVICE_ACCOUNT };
        expect(target.invokers.kubernetes).toContainEqual(caller);
        // No service of the stack declares the undeclared identity, in any namespace.
        for (const s of services) {
            for (const inv of s.invokers?.kubernetes ?? []) expect(inv.serviceAccount).not.toBe(demo.MESH_UNDECLARED_SERVICE_ACCOUNT);
        }
        // The L4 pair: the caller service declares the call, so the target's ztunnel policy admits exactly it.
        expect(services.find((s) => s.name === demo.MESH_L4_CALLER_SERVICE)?.calls).toContain(demo.MESH_L4_TARGET_SERVICE);
        expect(services.find((s) => s.name === demo.MESH_L4_TARGET_SERVICE)).toBeDefined();
        expect(services.find((s) => s.name === demo.KAFKA_PUBLISHER)?.publishes).toContain(demo.KAFKA_TOPIC);
        expect(services.find((s) => s.name === demo.KAFKA_SUBSCRIBER)?.subscribes).toContain(demo.KAFKA_TOPIC);
        expect(stackFile["platform:kafka"].enabled).toBe(true);
        expect(stackFile["platform:kafka"].topics.map((t: any) => t.name)).toContain(demo.KAFKA_TOPIC);
    });

    it("the kind cluster keeps kind's CNI only while the local stack does not ask for Cilium, and has a worker per Kafka broker", () => {
        const kindConfig = parse(fs.readFileSync(path.join(E2E, "kind-config.yaml"), "utf8"));
        const stackFile = parse(read(`Pulumi.${demo.E2E_STACK}.yaml`)).config as Record<string, any>;
        const cni = stackFile["platform:mesh"]?.kubernetesCni ?? "default";
        expect(Boolean(kindConfig.networking?.disableDefaultCNI)).toBe(cni === "cilium");
        const workers = kindConfig.nodes.filter((n: any) => n.role === "worker").length;
        // Strimzi spreads its three brokers (replication 3, min.insync.replicas 2) over hostnames.
        expect(workers).toBeGreaterThanOrEqual(3);
    });
});

describe("deploy and preview jobs run where the API endpoints are reachable (blocker 6)", () => {
    const stacksClouds = (stack: string): string[] => parse(read(`Pulumi.${stack}.yaml`)).config["platform:clouds"];
    const jobs = [
        { file: "deploy.yml", job: "deploy" },
        { file: "pull-request.yml", job: "preview" },
    ];

    it.each(jobs)("$file $job: a runner label per stack from RUNNER_<STACK>, the deploy script with a deadline below the job's", ({ file, job: name }) => {
        const job = workflow(file).jobs[name];
        expect(job["runs-on"]).toContain("vars[matrix.runner_variable]");
        // CodeBuild-hosted runners need the run id and attempt in the label (AWS CodeBuild user guide).
        expect(job["runs-on"]).toContain("format('{0}-{1}-{2}', vars[matrix.runner_variable], github.run_id, github.run_attempt)");
        for (const entry of job.strategy.matrix.include) {
            expect(fs.existsSync(path.join(PROJECT_ROOT, `Pulumi.${entry.stack}.yaml`)), entry.stack).toBe(true);
            expect(entry.runner_variable).toBe(`RUNNER_${entry.stack.toUpperCase()}`);
        }
        const deployStep = job.steps.find((s: any) => /npm run deploy/.test(s.run ?? ""));
        expect(deployStep.run).toContain("--stack ${{ matrix.stack }}");
        const minutes = Number(/--timeout-minutes (\d+)/.exec(deployStep.run)![1]);
        expect(minutes).toBeLessThan(deployStep["timeout-minutes"]);
        expect(deployStep["timeout-minutes"]).toBeLessThanOrEqual(job["timeout-minutes"]);
    });

    it("deploy.yml refuses a stack with an EKS or AKS cluster on a runner without a label, before anything else", () => {
        const job = workflow("deploy.yml").jobs.deploy;
        for (const entry of job.strategy.matrix.include) {
            const clouds = stacksClouds(entry.stack);
            expect(Boolean(entry.private_endpoints), entry.stack).toBe(clouds.includes("aws") || clouds.includes("azure"));
        }
        const guard = job.steps[0];
        expect(guard.if).toBe("matrix.private_endpoints && vars[matrix.runner_variable] == ''");
        expect(guard.run).toContain("exit 3");
        expect(guard.run).toContain("${{ matrix.runner_variable }}");
    });

    it("docs/e2e.md documents every runner variable the workflows read and the deploy's exit codes", () => {
        const docs = read("docs", "e2e.md");
        const text = workflowFiles.map((f) => fs.readFileSync(path.join(WORKFLOWS, f), "utf8")).join("\n");
        const used = new Set<string>();
        for (const f of workflowFiles) {
            for (const job of Object.values<any>(workflow(f).jobs)) for (const e of job.strategy?.matrix?.include ?? []) if (e.runner_variable) used.add(e.runner_variable);
        }
        for (const m of text.matchAll(/vars\.(RUNNER_[A-Z0-9_]+)/g)) used.add(m[1]);
        expect(used.size).toBeGreaterThan(0);
        for (const v of used) expect(docs, v).toContain(v);
        expect(docs).toMatch(/\| *3 *\|/);
        expect(docs).toMatch(/\| *4 *\|/);
    });
});

describe("every npm script a workflow runs exists", () => {
    const scriptsOf = JSON.parse(read("package.json")).scripts as Record<string, string>;
    it.each(workflowFiles)("%s", (file) => {
        const runs = Object.values<any>(workflow(file).jobs).flatMap((job) => (job.steps ?? []).map((s: any) => String(s.run ?? "")));
        const used = runs.flatMap((run) => [...run.matchAll(/npm run (?:--silent )?([\w:-]+)/g)].map((m) => m[1]));
        for (const name of used) expect(scriptsOf[name], `${file} runs npm run ${name}`).toBeDefined();
    });

    it("the chart-facts job pulls every pinned chart, then compares a fresh render with the committed facts, when what it checks changes", () => {
        const wf = workflow("chart-facts.yml");
        expect(wf.on.pull_request.paths).toEqual(expect.arrayContaining(["components/**", "tools/charts/**", "tests/fixtures/charts/**"]));
        const steps = wf.jobs["chart-facts"].steps.map((s: any) => String(s.run ?? ""));
        const pull = steps.findIndex((r: string) => /npm run charts:pull -- --charts-dir "\$RUNNER_TEMP\/charts"/.test(r));
        const check = steps.findIndex((r: string) => /npm run charts:render -- --charts-dir "\$RUNNER_TEMP\/charts" --check/.test(r));
        expect(pull).toBeGreaterThan(0);
        expect(check).toBeGreaterThan(pull);
    });
});
