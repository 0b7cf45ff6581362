/**
 * The cluster access check's provider code (components/cluster/aks-access.ts), run for real against a
 * local HTTPS server that answers SelfSubjectAccessReviews like an API server whose authorizer has not
 * yet seen a role assignment, and a stand-in exec plugin that prints an ExecCredential as kubelogin does.
 */
import { execFileSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { accessCheckProvider } from "../components/cluster/aks-access";
import { execKubeconfig } from "../components/cluster/kubeconfig";

const TOKEN = "token-from-the-exec-plugin";

describe("ClusterAccessCheck (provider code against a local API server)", () => {
    let server: Server;
    let kubeconfig: string;
    /** Answers still to give "not allowed" before allowing; -1 never allows. */
    let deniesLeft = 0;
    const seen: { path?: string; authorization?: string; body: any }[] = [];

    beforeAll(async () => {
        const dir = mkdtempSync(join(tmpdir(), "access-check-"));
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
                seen.push({ path: req.url, authorization: req.headers.authorization, body: JSON.parse(body) });
                const allowed = deniesLeft === 0;
                if (deniesLeft > 0) deniesLeft--;
                res.writeHead(201, { "content-type": "application/json" });
                res.end(JSON.stringify({ kind: "SelfSubjectAccessReview", status: { allowed, reason: allowed ? "" : "role assignment not visible yet" } }));
            });
        });
        await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
        const port = (server.address() as AddressInfo).port;
        kubeconfig = execKubeconfig("aks", `https://localhost:${port}`, cert.toString("base64"), { command: plugin, args: ["get-token"], interactiveMode: "Never" });
    });
    afterAll(() => new Promise<void>((r) => server.close(() => r())));

    it("keeps asking while the caller is not allowed and finishes once it is, with the exec plugin's token", async () => {
        seen.length = 0;
        deniesLeft = 2;
        const result = await accessCheckProvider.create!({ kubeconfig, roleAssignmentIds: ["a"], timeoutSeconds: 30, intervalSeconds: 1 });
        expect(seen).toHaveLength(3);
        for (const s of seen) {
            expect(s.path).toBe("/apis/authorization.k8s.io/v1/selfsubjectaccessreviews");
            expect(s.authorization).toBe(`Bearer ${TOKEN}`);
            expect(s.body).toMatchObject({ kind: "SelfSubjectAccessReview", spec: { resourceAttributes: { verb: "*", group: "*", resource: "*" } } });
        }
        expect(result.id).toBe("localhost-access");
    });

    it("fails at its bound, naming the server and the last answer", async () => {
        seen.length = 0;
        deniesLeft = -1;
        await expect(accessCheckProvider.create!({ kubeconfig, roleAssignmentIds: ["a"], timeoutSeconds: 3, intervalSeconds: 1 })).rejects.toThrow(
            /cannot act in localhost after 3s: not allowed yet \(role assignment not visible yet\)/,
        );
        expect(seen.length).toBeGreaterThanOrEqual(2);
    });
});
