/**
 * The cluster access check's provider code (components/cluster/aks-access.ts), run for real against a
 * local HTTPS server that answers SelfSubjectAccessReviews like AKS's Azure RBAC webhook (guard): per
 * question, from the role assignments it has seen so far, and never for a wildcard verb/group/resource
 * (guard without resource discovery, its AKS default, answers those with an evaluation error:
 * kubeguard/guard authz/providers/azure/rbac/checkaccessreqhelper.go). A stand-in exec plugin prints an
 * ExecCredential as kubelogin does.
 */
import { execFileSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { unknownValue } from "@pulumi/pulumi/runtime/rpc";
import { ACCESS_QUESTIONS, accessCheckProvider } from "../components/cluster/aks-access";
import { execKubeconfig } from "../components/cluster/kubeconfig";

const TOKEN = "token-from-the-exec-plugin";

describe("ClusterAccessCheck (provider code against a local API server)", () => {
    let server: Server;
    let kubeconfig: string;
    /** Answers still to give "not allowed" before allowing; -1 never allows. */
    let deniesLeft = 0;
    /** Resources ("resource.group") the caller's role does not cover, whatever the propagation. */
    let neverAllowed = new Set<string>();
    const seen: { path?: string; authorization?: string; body: any }[] = [];
    const questions = ACCESS_QUESTIONS.map((q) => ({ ...q }));
    const checkInputs = (timeoutSeconds: number) => ({ kubeconfig, questions, roleAssignmentIds: ["a"], timeoutSeconds, intervalSeconds: 1 });

    let dir = "";
    beforeAll(async () => {
        dir = mkdtempSync(join(tmpdir(), "access-check-"));
        execFileSync("openssl", [
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
            "-addext", "subjectAltName=DNS:localhost", "-keyout", join(dir, "key.pem"), "-out", join(dir, "cert.pem"),
        ], { stdio: "ignore" });
        const cert = readFileSync(join(dir, "cert.pem"));
        const plugin = join(dir, "fake-kubelogin");
        writeFileSync(
            plugin,
            `#!/usr/bin/env node\nprocess.stdout.write(JSON.stringify({ apiVersion: "client.authentication.k8s.io/v1beta1", kind: "ExecCredential", status: { token: ${JSON.stringify(TOKEN)} } }));\n`,
        );
        chmodSync(plugin, 0o755);
        server = createServer({ key: readFileSync(join(dir, "key.pem")), cert }, (req, res) => {
            let body = "";
            req.on("data", (c) => (body += c));
            req.on("end", () => {
                const review = JSON.parse(body);
                seen.push({ path: req.url, authorization: req.headers.authorization, body: review });
                const { verb, group, resource } = review.spec.resourceAttributes;
                res.writeHead(201, { "content-type": "application/json" });
                if ([verb, group, resource].includes("*")) {
                    res.end(JSON.stringify({ kind: "SelfSubjectAccessReview", status: { allowed: false, evaluationError: `Wildcard support for Resource/Verb/Group is not enabled for request Group: ${group}, Resource: ${resource}, Verb: ${verb}` } }));
                    return;
                }
                // The role assignment reaches the authorizer after `deniesLeft` more questions.
                const allowed = deniesLeft === 0 && !neverAllowed.has(`${resource}.${group}`);
                if (deniesLeft > 0) deniesLeft--;
                res.end(JSON.stringify({ kind: "SelfSubjectAccessReview", status: { allowed, reason: allowed ? "" : "role assignment not visible yet" } }));
            });
        });
        await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
        const port = (server.address() as AddressInfo).port;
        kubeconfig = execKubeconfig("aks", `https://localhost:${port}`, cert.toString("base64"), { command: plugin, args: ["get-token"], interactiveMode: "Never" });
    });
    afterAll(async () => {
        await new Promise<void>((r) => server.close(() => r()));
        rmSync(dir, { recursive: true, force: true });
    });

    it("keeps asking while the caller is not allowed and finishes once every question is allowed, with the exec plugin's token", async () => {
        seen.length = 0;
        neverAllowed = new Set();
        deniesLeft = 2;
        const result = await accessCheckProvider.create!(checkInputs(30));
        // Two refused rounds (one question each, the first refusal ends a round), then one full round.
        expect(seen).toHaveLength(2 + ACCESS_QUESTIONS.length);
        for (const s of seen) {
            expect(s.path).toBe("/apis/authorization.k8s.io/v1/selfsubjectaccessreviews");
            expect(s.authorization).toBe(`Bearer ${TOKEN}`);
            expect(s.body.kind).toBe("SelfSubjectAccessReview");
            // Concrete questions only: guard refuses wildcards.
            expect(Object.values(s.body.spec.resourceAttributes)).not.toContain("*");
        }
        expect(seen.slice(2).map((s) => s.body.spec.resourceAttributes)).toEqual(ACCESS_QUESTIONS);
        expect(result.id).toBe("localhost-access");
    });

    it("asks about namespaces, CRDs, cluster role bindings and admission webhooks, each in its API group", () => {
        expect(ACCESS_QUESTIONS).toEqual(
            expect.arrayContaining([
                { verb: "create", group: "", resource: "namespaces" },
                { verb: "create", group: "apiextensions.k8s.io", resource: "customresourcedefinitions" },
                { verb: "create", group: "rbac.authorization.k8s.io", resource: "clusterrolebindings" },
                { verb: "create", group: "admissionregistration.k8s.io", resource: "mutatingwebhookconfigurations" },
            ]),
        );
    });

    it("fails when one question stays refused, naming it, although the others are allowed", async () => {
        seen.length = 0;
        deniesLeft = 0;
        neverAllowed = new Set(["mutatingwebhookconfigurations.admissionregistration.k8s.io"]);
        await expect(accessCheckProvider.create!(checkInputs(3))).rejects.toThrow(
            /cannot act in localhost after 3s: create mutatingwebhookconfigurations\.admissionregistration\.k8s\.io not allowed yet \(role assignment not visible yet\)/,
        );
        neverAllowed = new Set();
    });

    it("would never pass with a wildcard question, as guard refuses it (why the check asks concrete ones)", async () => {
        seen.length = 0;
        deniesLeft = 0;
        await expect(
            accessCheckProvider.create!({ ...checkInputs(2), questions: [{ verb: "*", group: "*", resource: "*" }] }),
        ).rejects.toThrow(/Wildcard support for Resource\/Verb\/Group is not enabled/);
    });

    it("fails at its bound, naming the server and the last answer", async () => {
        seen.length = 0;
        deniesLeft = -1;
        await expect(accessCheckProvider.create!(checkInputs(3))).rejects.toThrow(
            /cannot act in localhost after 3s: create namespaces not allowed yet \(role assignment not visible yet\)/,
        );
        expect(seen.length).toBeGreaterThanOrEqual(2);
    });
});

describe("ClusterAccessCheck diff", () => {
    const olds = { kubeconfig: "kubeconfig-of-cluster", questions: [], roleAssignmentIds: ["ra-1"], timeoutSeconds: 900, intervalSeconds: 15 };

    it("treats a kubeconfig not known in a preview (Pulumi's unknown placeholder) as no change", async () => {
        expect(unknownValue).toBe("04da6b54-80e4-46f7-96ec-b56ff0331ba9");
        const result = await accessCheckProvider.diff!("id", olds, { ...olds, kubeconfig: unknownValue });
        expect(result.changes).toBe(false);
        expect(result.replaces ?? []).toEqual([]);
    });

    it("replaces the check for a new kubeconfig or a replaced role assignment (also one whose id is not known yet)", async () => {
        for (const news of [
            { ...olds, kubeconfig: "kubeconfig-of-another-cluster" },
            { ...olds, roleAssignmentIds: ["ra-2"] },
            { ...olds, kubeconfig: unknownValue, roleAssignmentIds: [unknownValue] },
        ]) {
            const result = await accessCheckProvider.diff!("id", olds, news);
            expect(result.changes).toBe(true);
            expect(result.replaces).toEqual(["kubeconfig"]);
        }
    });

    it("ignores a changed timing", async () => {
        const result = await accessCheckProvider.diff!("id", olds, { ...olds, timeoutSeconds: 600 });
        expect(result.changes).toBe(false);
    });
});
