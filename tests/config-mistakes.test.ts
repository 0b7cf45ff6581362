/**
 * Ordinary mistakes in stack files and names get one clear error (the setting or file, the bad value and
 * what is allowed), never a stack trace, and nothing is read or written outside the project.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { imageReferenceProblem } from "../components/serverless/rules";
import { ConfigError, parsePlatformConfig, rawPlatformConfig } from "../stacks/config";
import { loadStackConfig, PROJECT_ROOT, stackFileName } from "../tools/plan/stack-config";

const TSX = path.join(PROJECT_ROOT, "node_modules", ".bin", "tsx");

function problems(run: () => unknown): string[] {
    try {
        run();
    } catch (e) {
        expect(e).toBeInstanceOf(ConfigError);
        return (e as ConfigError).problems;
    }
    throw new Error("expected a ConfigError");
}

let root: string;
beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), "config-mistakes-"));
    fs.copyFileSync(path.join(PROJECT_ROOT, "Pulumi.yaml"), path.join(root, "Pulumi.yaml"));
});
afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

describe("stack names", () => {
    it("refuses names the Pulumi CLI refuses, so no name reaches outside the project", () => {
        for (const bad of ["x/../../elsewhere/file", "../dev", "..", "a b", "dev;rm", "a/b/c/d", ""]) {
            expect(problems(() => stackFileName(bad))[0]).toMatch(/^stack name .* is not one the Pulumi CLI accepts; allowed: \[<org>\/\[<project>\/\]\]<stack>/);
        }
        expect(() => loadStackConfig("x/../../elsewhere/file")).toThrow(ConfigError);
    });

    it("accepts plain and fully qualified names; the stack file is named after the last part", () => {
        expect(stackFileName("dev")).toBe("Pulumi.dev.yaml");
        expect(stackFileName("acme/platform/prod-eu.1")).toBe("Pulumi.prod-eu.1.yaml");
    });

    it("a stack without a file is a config error listing the stacks there", () => {
        expect(problems(() => loadStackConfig("nope"))[0]).toMatch(/stack "nope" has no stack file .*Pulumi\.nope\.yaml; stacks here: .*dev/);
    });
});

describe("stack files", () => {
    it("broken YAML is a config error naming the file, line and column", () => {
        fs.writeFileSync(path.join(root, "Pulumi.broken.yaml"), "config:\n  platform:clouds: [aws\n  platform:geography: EU\n");
        const [p] = problems(() => loadStackConfig("broken", { root }));
        expect(p).toMatch(/Pulumi\.broken\.yaml line \d+, column \d+: /);
    });

    it("the plan command exits 1 on broken YAML with the location and no stack trace", () => {
        const file = path.join(PROJECT_ROOT, "Pulumi.zz-broken-test.yaml");
        fs.writeFileSync(file, "config:\n  platform:clouds: [kubernetes\n");
        try {
            const r = spawnSync(TSX, ["tools/plan.ts", "--stack", "zz-broken-test"], { cwd: PROJECT_ROOT, encoding: "utf8", timeout: 120_000 });
            expect(r.status).toBe(1);
            expect(r.stderr).toMatch(/Pulumi\.zz-broken-test\.yaml line \d+, column \d+/);
            expect(r.stderr).not.toMatch(/^\s+at /m);
        } finally {
            fs.rmSync(file, { force: true });
        }
    });

    it("YAML merge keys (<<), which the Pulumi CLI accepts, are merged, not refused as unknown settings", () => {
        fs.writeFileSync(
            path.join(root, "Pulumi.merge.yaml"),
            ["config:", "  platform:clouds: [kubernetes]", "  platform:cluster:", "    <<: &sizes { minNodes: 2, maxNodes: 4 }", "    nodeSize: small", ""].join("\n"),
        );
        const sc = loadStackConfig("merge", { root });
        const cfg = parsePlatformConfig(rawPlatformConfig(sc.config));
        expect(cfg.cluster.minNodes).toBe(2);
        expect(cfg.cluster.maxNodes).toBe(4);
    });

    it("a misspelt platform namespace is an error; other providers' namespaces stay allowed", () => {
        const base = { "platform:clouds": '["kubernetes"]', "aws:region": "eu-west-1", "gcp:project": "p", "kubernetes:context": "kind" };
        expect(() => rawPlatformConfig(base)).not.toThrow();
        for (const ns of ["platfrom", "Platform", "platforms", "platfom"]) {
            const [p] = problems(() => rawPlatformConfig({ ...base, [`${ns}:geography`]: "EU" }));
            expect(p).toBe(`${ns}:geography: the namespace "${ns}" is not "platform", so this setting would be ignored; allowed: platform:geography`);
        }
    });

    it("an unquoted Kubernetes version (YAML reads 1.30 as 1.3) says to quote it", () => {
        const [p] = problems(() => parsePlatformConfig({ clouds: ["aws"], cluster: { kubernetesVersion: 1.3 } }));
        expect(p).toMatch(/^platform:cluster\.kubernetesVersion: 1\.3 must be of type string; YAML read an unquoted number \(1\.30 becomes 1\.3\): write it in quotes, e\.g\. "1\.34"/);
    });
});

describe("commands", () => {
    it("plan with a --root that is not a project: one line, the usage, exit 2, no stack trace", () => {
        const r = spawnSync(TSX, ["tools/plan.ts", "--stack", "dev", "--root", path.join(root, "missing")], { cwd: PROJECT_ROOT, encoding: "utf8", timeout: 120_000 });
        expect(r.status).toBe(2);
        expect(r.stderr).toMatch(/^--root ".*missing" has no Pulumi\.yaml; allowed: the project folder/);
        expect(r.stderr).toContain("usage: npm run plan -- --stack <name>");
        expect(r.stderr).not.toMatch(/^\s+at /m);
    });

    it("plan of a stack that does not exist: a usage mistake (exit 2) naming the stacks there", () => {
        const r = spawnSync(TSX, ["tools/plan.ts", "--stack", "nope"], { cwd: PROJECT_ROOT, encoding: "utf8", timeout: 120_000 });
        expect(r.status).toBe(2);
        expect(r.stderr).toMatch(/stack "nope" has no stack file Pulumi\.nope\.yaml; stacks here: aws, azure, dev, gcp, local/);
        expect(r.stderr).not.toMatch(/^\s+at /m);
    });
});

describe("settings checked for what the clouds accept", () => {
    it("image references must be OCI references pinned by a tag other than latest or a digest", () => {
        for (const ok of ["ghcr.io/acme/api:1.2.3", "registry.example.com:5000/team/api:v1", "nginx:1.27", `ghcr.io/a/b@sha256:${"a".repeat(64)}`, `ghcr.io/a/b:latest@sha256:${"b".repeat(64)}`])
            expect(imageReferenceProblem(ok), ok).toBeUndefined();
        expect(imageReferenceProblem("nginx")).toMatch(/has no pinned version/);
        expect(imageReferenceProblem("ghcr.io/acme/api:latest")).toMatch(/pinned to "latest", which moves/);
        for (const bad of ["ghcr.io/acme/api:1.0 ", "ghcr.io/acme/a pi:1", "ghcr.io/acme/api:1\n0", "GHCR.io/Acme/API:1", "ghcr.io/acme/api::1"])
            expect(imageReferenceProblem(bad), JSON.stringify(bad)).toMatch(/is not an OCI image reference/);
        const [p] = problems(() => parsePlatformConfig({ clouds: ["kubernetes"], services: [{ name: "api", image: "nginx" }] }));
        expect(p).toBe('platform:services[0].image: "nginx" has no pinned version; allowed: an image with a tag or digest, such as ghcr.io/acme/api:1.2.3');
    });

    it("AWS admins must be IAM role or user ARNs without wildcards", () => {
        const ok = parsePlatformConfig({ clouds: ["kubernetes"], cluster: { admins: { aws: ["arn:aws:iam::123456789012:role/platform-admins", "arn:aws:iam::123456789012:role/ci/deployer"] } } });
        expect(ok.cluster.admins.aws).toHaveLength(2);
        for (const bad of ["arn:aws:iam::123456789012:role/*", "arn:aws:iam::123456789012:role/", "arn:aws:iam::12345:role/x", "arn:aws:sts::123456789012:assumed-role/x/y"]) {
            const [p] = problems(() => parsePlatformConfig({ clouds: ["kubernetes"], cluster: { admins: { aws: [bad] } } }));
            expect(p).toMatch(/^platform:cluster\.admins\.aws\[0\]: .* must be an IAM role or user ARN without wildcards/);
        }
    });

    it("the same AWS admin listed twice (with and without its path) is refused: EKS takes one access entry per principal", () => {
        const admins = ["arn:aws:iam::123456789012:role/AWSReservedSSO_Admin_abc", "arn:aws:iam::123456789012:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Admin_abc"];
        const [p] = problems(() => parsePlatformConfig({ clouds: ["kubernetes"], cluster: { admins: { aws: admins } } }));
        expect(p).toBe(`platform:cluster.admins.aws[1]: "${admins[1]}" names the same IAM principal as platform:cluster.admins.aws[0]; allowed: each principal once`);
        // Two different roles, and one role in two accounts, are two principals.
        expect(() => parsePlatformConfig({ clouds: ["kubernetes"], cluster: { admins: { aws: [admins[0], "arn:aws:iam::123456789012:role/ci", "arn:aws:iam::210987654321:role/ci"] } } })).not.toThrow();
    });

    it("Kafka topics that differ only in case are refused on Event Hubs (case-insensitive names)", () => {
        const kafka = { enabled: true, topics: [{ name: "Orders" }, { name: "orders" }] };
        const found = problems(() => parsePlatformConfig({ clouds: ["azure"], regions: { azure: "westeurope" }, kafka }));
        expect(found).toContain(
            'platform:kafka.topics[1].name: "orders" differs from topic "Orders" only in case, and event hub names are case-insensitive (both would be one hub); allowed: names that differ after lowercasing',
        );
        // Kafka itself is case-sensitive: MSK keeps both.
        expect(() => parsePlatformConfig({ clouds: ["aws"], regions: { aws: "eu-central-1" }, kafka })).not.toThrow();
    });
});
