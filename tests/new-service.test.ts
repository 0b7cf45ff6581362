import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { ConfigError } from "../stacks/config";
import { PROJECT_ROOT } from "../tools/plan/stack-config";
import { newService, UsageError } from "../tools/new-service";

let root: string;
const stackFile = (stack: string) => path.join(root, `Pulumi.${stack}.yaml`);
const services = (stack: string) => (parse(fs.readFileSync(stackFile(stack), "utf8")).config["platform:services"] ?? []) as any[];

beforeEach(() => {
    // A copy of the project's files: the command edits the stack file in place.
    root = fs.mkdtempSync(path.join(os.tmpdir(), "new-service-"));
    for (const f of ["Pulumi.yaml", "Pulumi.local.yaml", "Pulumi.dev.yaml"]) fs.copyFileSync(path.join(PROJECT_ROOT, f), path.join(root, f));
});

describe("npm run new-service", () => {
    it("adds the service, keeps comments and other entries, and lists what the next pulumi up creates for it", async () => {
        const original = fs.readFileSync(stackFile("local"), "utf8");
        const r = await newService({ name: "orders-api", stack: "local", root, image: "ghcr.io/acme/orders-api:1.0.0", calls: ["hello-wasm"], publishes: ["orders"] });
        expect(r.change).toBe("added");
        const text = fs.readFileSync(stackFile("local"), "utf8");
        // The file is the original plus the new entry: every other line (comments, flow collections with
        // or without inner spaces, order) is kept exactly as it was written.
        const added = ["    - name: orders-api", "      image: ghcr.io/acme/orders-api:1.0.0", "      calls: [hello-wasm]", "      publishes: [orders]"];
        const lines = text.split("\n");
        const at = lines.indexOf(added[0]);
        expect(lines.slice(at, at + added.length)).toEqual(added);
        expect([...lines.slice(0, at), ...lines.slice(at + added.length)].join("\n")).toBe(original);
        expect(original).toContain("kubernetes: [{ namespace: kafka, serviceAccount: checkout }]");
        const list = services("local");
        expect(list.map((s) => s.name)).toEqual(["hello-api", "hello-wasm", "orders-api"]);
        expect(list[2]).toEqual({ name: "orders-api", image: "ghcr.io/acme/orders-api:1.0.0", calls: ["hello-wasm"], publishes: ["orders"] });
        // Planned: its workload and identity, its Kafka user, and the callee's new caller policy.
        const created = r.creates!.map((c) => `${c.type} ${c.name}`);
        expect(created).toContain("kubernetes:serving.knative.dev/v1:Service plt-local-kubernetes-orders-api-ksvc");
        expect(created).toContain("kubernetes:core/v1:ServiceAccount plt-local-kubernetes-orders-api-sa");
        expect(created).toContain("kubernetes:kafka.strimzi.io/v1:KafkaUser plt-local-k8s-user-orders-api");
        // hello-wasm already admits hello-api (the local stack's demo graph): its caller policy changes.
        expect(r.updates!.map((u) => `${u.type} ${u.name}`)).toContain("kubernetes:security.istio.io/v1:AuthorizationPolicy plt-local-kubernetes-hello-wasm-callers");
        // Nothing that belongs to other services is listed as created.
        expect(created.filter((c) => /hello-api/.test(c))).toEqual([]);
        expect(r.updates!.map((u) => u.name)).toContain("plt-local-k8s-kafka-clients");
    }, 120_000);

    it("is idempotent: the same command again writes nothing and reports the same resources", async () => {
        const args = { name: "orders-api", stack: "local", root, image: "ghcr.io/acme/orders-api:1.0.0", calls: ["hello-api"] };
        const first = await newService(args);
        const after = fs.readFileSync(stackFile("local"), "utf8");
        const mtime = fs.statSync(stackFile("local")).mtimeMs;
        const second = await newService(args);
        expect(second.change).toBe("unchanged");
        expect(fs.readFileSync(stackFile("local"), "utf8")).toBe(after);
        expect(fs.statSync(stackFile("local")).mtimeMs).toBe(mtime);
        expect(second.creates).toEqual(first.creates);
    }, 120_000);

    it("updates only the given fields of an existing service", async () => {
        const r = await newService({ name: "hello-api", stack: "local", root, subscribes: ["orders"], plan: false });
        expect(r.change).toBe("updated");
        const entry = services("local").find((s) => s.name === "hello-api");
        expect(entry).toMatchObject({ image: "ghcr.io/knative/helloworld-go:v1.23.0", maxScale: 3, calls: ["hello-wasm"], publishes: ["orders"], subscribes: ["orders"] });
        expect(entry.invokers).toEqual({ kubernetes: [{ namespace: "kafka", serviceAccount: "checkout" }] });
    });

    it("on a stack with cloud targets, a graph service is placed on the cluster (where calls are enforced by identity)", async () => {
        await newService({ name: "orders-api", stack: "dev", root, image: "ghcr.io/acme/orders-api:1.0.0", calls: ["hello-wasm"], plan: false });
        expect(services("dev").find((s) => s.name === "orders-api")).toEqual({ name: "orders-api", hosting: "cluster", image: "ghcr.io/acme/orders-api:1.0.0", calls: ["hello-wasm"] });
        await newService({ name: "plain", stack: "dev", root, runtime: "wasm", image: "ghcr.io/acme/plain:1.0.0", plan: false });
        expect(services("dev").find((s) => s.name === "plain")).toEqual({ name: "plain", runtime: "wasm", image: "ghcr.io/acme/plain:1.0.0" });
    });

    it("refuses bad input and leaves the file untouched", async () => {
        const before = fs.readFileSync(stackFile("local"), "utf8");
        await expect(newService({ name: "x", stack: "local", root, image: "ghcr.io/acme/x:1.0.0", calls: ["nope"], plan: false })).rejects.toThrow(ConfigError);
        await expect(newService({ name: "x", stack: "local", root, image: "ghcr.io/acme/x:1.0.0", subscribes: ["payments"], plan: false })).rejects.toThrow(/"payments" is not declared in platform:kafka.topics/);
        await expect(newService({ name: "x", stack: "local", root, image: "ghcr.io/acme/x", plan: false })).rejects.toThrow(UsageError);
        await expect(newService({ name: "x", stack: "local", root, plan: false })).rejects.toThrow(/--image is required for a new service/);
        await expect(newService({ name: "Bad_Name", stack: "local", root, image: "ghcr.io/acme/x:1.0.0", plan: false })).rejects.toThrow(/platform:services\[2\]\.name/);
        expect(fs.readFileSync(stackFile("local"), "utf8")).toBe(before);
    });
});

describe("npm run new-service: safe edits", () => {
    it("leaves every line outside the edited entry byte-identical (comment padding, blank lines, flow styles)", async () => {
        const file = stackFile("local");
        const original = fs
            .readFileSync(file, "utf8")
            .replace("      maxScale: 3\n      invokers:", "      maxScale: 3      # padded comment\n\n      invokers:");
        expect(original).toContain("maxScale: 3      # padded comment\n\n");
        fs.writeFileSync(file, original);
        await newService({ name: "hello-wasm", stack: "local", root, image: "ghcr.io/spinframework/containerd-shim-spin/examples/spin-rust-hello:v0.19.1", plan: false });
        const updated = fs.readFileSync(file, "utf8");
        expect(updated).toBe(original.replace("spin-rust-hello:v0.19.0", "spin-rust-hello:v0.19.1"));
        // Inside the edited entry too, unchanged lines keep their spelling.
        await newService({ name: "hello-api", stack: "local", root, image: "ghcr.io/knative/helloworld-go:v1.23.1", plan: false });
        expect(fs.readFileSync(file, "utf8")).toBe(updated.replace("helloworld-go:v1.23.0", "helloworld-go:v1.23.1"));
    });

    it("two runs on one stack file at the same moment: one writes, the other fails and says so (no lost edit)", async () => {
        const runs = await Promise.allSettled([
            newService({ name: "one", stack: "local", root, image: "ghcr.io/acme/one:1.0.0", plan: false }),
            newService({ name: "two", stack: "local", root, image: "ghcr.io/acme/two:1.0.0", plan: false }),
        ]);
        expect(runs.map((r) => r.status)).toEqual(["fulfilled", "rejected"]);
        expect((runs[1] as PromiseRejectedResult).reason).toBeInstanceOf(UsageError);
        expect(String((runs[1] as PromiseRejectedResult).reason.message)).toMatch(/^Pulumi\.local\.yaml is being edited by another new-service run \(process \d+, lock .*Pulumi\.local\.yaml\.lock\); run again when it has finished$/);
        expect(services("local").map((s) => s.name)).toEqual(["hello-api", "hello-wasm", "one"]);
        // The lock is gone after the run, so the second edit goes through now.
        await newService({ name: "two", stack: "local", root, image: "ghcr.io/acme/two:1.0.0", plan: false });
        expect(services("local").map((s) => s.name)).toEqual(["hello-api", "hello-wasm", "one", "two"]);
        expect(fs.readdirSync(root).filter((f) => /lock|tmp/.test(f))).toEqual([]);
    });

    it("a lock left by a process that no longer runs is taken over", async () => {
        fs.writeFileSync(`${stackFile("local")}.lock`, "999999999");
        await newService({ name: "one", stack: "local", root, image: "ghcr.io/acme/one:1.0.0", plan: false });
        expect(services("local").map((s) => s.name)).toContain("one");
        expect(fs.existsSync(`${stackFile("local")}.lock`)).toBe(false);
    });

    it("refuses a stack name that leaves the project and a --root without Pulumi.yaml", async () => {
        await expect(newService({ name: "x", stack: "x/../../elsewhere/file", root, image: "ghcr.io/acme/x:1.0.0", plan: false })).rejects.toThrow(/is not one the Pulumi CLI accepts/);
        await expect(newService({ name: "x", stack: "local", root: path.join(root, "missing"), image: "ghcr.io/acme/x:1.0.0", plan: false })).rejects.toThrow(/has no Pulumi\.yaml; allowed: the project folder/);
    });
});

describe("npm run new-service (the CLI)", () => {
    const cli = (...args: string[]) => {
        const tsx = path.join(PROJECT_ROOT, "node_modules", "tsx", "dist", "cli.mjs");
        const r = spawnSync(process.execPath, [tsx, path.join(PROJECT_ROOT, "tools", "new-service.ts"), ...args, "--root", root], { cwd: root, encoding: "utf8", timeout: 120_000 });
        return { code: r.status, stdout: r.stdout, stderr: r.stderr };
    };

    it("runs the README's example: writes the entry and prints what the next pulumi up creates and changes", () => {
        const r = cli("orders-api", "--stack", "local", "--image", "ghcr.io/acme/orders-api:1.0.0", "--calls", "hello-api", "--publishes", "orders");
        expect(r.code, r.stderr).toBe(0);
        expect(r.stdout).toContain('Pulumi.local.yaml: added service orders-api: {"name":"orders-api","image":"ghcr.io/acme/orders-api:1.0.0","calls":["hello-api"],"publishes":["orders"]}');
        expect(r.stdout).toMatch(/The next `pulumi up` of stack local will create \d+ resource\(s\) for it:/);
        expect(r.stdout).toContain("  + kubernetes:serving.knative.dev/v1:Service  plt-local-kubernetes-orders-api-ksvc");
        expect(r.stdout).toContain("  ~ kubernetes:security.istio.io/v1:AuthorizationPolicy  plt-local-kubernetes-hello-api-callers");
        expect(services("local").map((s) => s.name)).toContain("orders-api");
        // Again: nothing to write.
        const again = cli("orders-api", "--stack", "local", "--image", "ghcr.io/acme/orders-api:1.0.0", "--calls", "hello-api", "--publishes", "orders", "--no-plan");
        expect(again.code).toBe(0);
        expect(again.stdout).toContain("service orders-api is already up to date; nothing written.");
    }, 150_000);

    it("refuses a bad --runtime and a missing name with what is allowed, and writes nothing", () => {
        const before = fs.readFileSync(stackFile("local"), "utf8");
        const bad = cli("x", "--stack", "local", "--runtime", "vm", "--no-plan");
        expect(bad.code).not.toBe(0);
        expect(bad.stderr).toContain('--runtime "vm"; allowed: container, wasm');
        const none = cli("--stack", "local", "--no-plan");
        expect(none.code).not.toBe(0);
        expect(none.stderr).toContain("expected one service name, got 0");
        expect(fs.readFileSync(stackFile("local"), "utf8")).toBe(before);
    }, 60_000);
});
