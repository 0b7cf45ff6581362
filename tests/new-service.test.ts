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
        // Every comment line of the original survives.
        for (const line of original.split("\n").filter((l) => l.trim().startsWith("#"))) expect(text).toContain(line);
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
