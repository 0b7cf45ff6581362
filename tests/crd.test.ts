import { describe, expect, it } from "vitest";
import { validateCustomResource } from "./crd";

// The validator itself: it must accept a correct resource and reject typos, wrong types and enums.
describe("CRD validator", () => {
    const topic = {
        apiVersion: "kafka.strimzi.io/v1",
        kind: "KafkaTopic",
        metadata: { name: "orders", labels: { "strimzi.io/cluster": "events" } },
        spec: { partitions: 6, replicas: 3, config: { "min.insync.replicas": 2 } },
    };

    it("accepts a valid KafkaTopic", () => {
        expect(validateCustomResource(topic)).toMatchObject({ valid: true, errors: [] });
    });

    it("rejects an unknown field where the schema does not preserve unknown fields", () => {
        const r = validateCustomResource({ ...topic, spec: { ...topic.spec, partitons: 3 } });
        expect(r.valid).toBe(false);
        expect(r.errors.join("\n")).toContain("partitons");
    });

    it("rejects a wrong type", () => {
        const r = validateCustomResource({ ...topic, spec: { ...topic.spec, partitions: "six" } });
        expect(r.valid).toBe(false);
        expect(r.errors.join("\n")).toMatch(/\/spec\/partitions: must be integer/);
    });

    it("rejects an enum value the CRD does not allow", () => {
        const r = validateCustomResource({
            apiVersion: "security.istio.io/v1",
            kind: "PeerAuthentication",
            metadata: { name: "default", namespace: "istio-system" },
            spec: { mtls: { mode: "STRICTEST" } },
        });
        expect(r.valid).toBe(false);
        expect(r.errors.join("\n")).toContain("STRICT");
    });

    it("rejects an apiVersion the CRD does not serve", () => {
        const r = validateCustomResource({ ...topic, apiVersion: "kafka.strimzi.io/v1beta2" });
        expect(r.valid).toBe(false);
        expect(r.errors[0]).toContain("kafka.strimzi.io/v1");
    });

    it("accepts int-or-string fields in both forms", () => {
        const base = {
            apiVersion: "keda.sh/v1alpha1",
            kind: "ScaledObject",
            metadata: { name: "batch", namespace: "jobs" },
        };
        const withTarget = (value: unknown) => ({
            ...base,
            spec: { scaleTargetRef: { name: "batch" }, triggers: [{ type: "cpu", metadata: { value: "50" } }], fallback: undefined, minReplicaCount: value },
        });
        expect(validateCustomResource(withTarget(0)).valid).toBe(true);
        expect(validateCustomResource(withTarget("zero")).valid).toBe(false);
    });
});

describe("customResourcesOf", () => {
    it("keeps CRD-backed kinds and drops built-in kinds", async () => {
        const { customResourcesOf } = await import("./crd");
        const types = [
            "kubernetes:core/v1:Namespace",
            "kubernetes:networking.k8s.io/v1:NetworkPolicy",
            "kubernetes:helm.sh/v3:Release",
            "kubernetes:apps/v1:Deployment",
            "kubernetes:security.istio.io/v1:PeerAuthentication",
            "kubernetes:gateway.networking.k8s.io/v1:Gateway",
            "kubernetes:kafka.strimzi.io/v1:KafkaTopic",
        ];
        expect(customResourcesOf(types.map((type) => ({ type }))).map((r) => r.type)).toEqual([
            "kubernetes:security.istio.io/v1:PeerAuthentication",
            "kubernetes:gateway.networking.k8s.io/v1:Gateway",
            "kubernetes:kafka.strimzi.io/v1:KafkaTopic",
        ]);
    });
});

// Kinds whose CRD the project does not carry are checked against pinned model packages (tests/model-schemas.ts).
describe("model-package schemas (ESO, Istio RequestAuthentication)", () => {
    const externalSecret = {
        apiVersion: "external-secrets.io/v1",
        kind: "ExternalSecret",
        metadata: { name: "api-secrets", namespace: "serverless" },
        spec: {
            refreshInterval: "1h",
            secretStoreRef: { kind: "SecretStore", name: "api" },
            target: { name: "api-secrets", creationPolicy: "Owner" },
            data: [{ secretKey: "DB_PASSWORD", remoteRef: { key: "api-db-password" } }],
        },
    };
    const requestAuthentication = {
        apiVersion: "security.istio.io/v1",
        kind: "RequestAuthentication",
        metadata: { name: "ingress-jwt", namespace: "istio-ingress" },
        spec: { jwtRules: [{ issuer: "https://issuer.example.com", jwksUri: "https://issuer.example.com/.well-known/jwks.json", audiences: ["api"] }] },
    };

    it("accepts valid objects, naming the package as the schema's source", async () => {
        const { modelTypeErrors } = await import("./model-schemas");
        expect(validateCustomResource(externalSecret)).toMatchObject({ valid: true, errors: [], crd: expect.stringContaining("@kubernetes-models/external-secrets@2.0.0") });
        expect(validateCustomResource(requestAuthentication)).toMatchObject({ valid: true, crd: expect.stringContaining("@kubernetes-models/istio@3.0.1") });
        expect(modelTypeErrors([{ label: "es", object: externalSecret }, { label: "ra", object: requestAuthentication }])).toEqual([]);
    });

    it("rejects a wrong enum value and a missing required field", () => {
        const badPolicy = validateCustomResource({ ...externalSecret, spec: { ...externalSecret.spec, target: { name: "x", creationPolicy: "Always" } } });
        expect(badPolicy.valid).toBe(false);
        expect(badPolicy.errors.join("\n")).toContain("/spec/target/creationPolicy");
        const noKey = validateCustomResource({ ...externalSecret, spec: { ...externalSecret.spec, data: [{ secretKey: "X", remoteRef: {} }] } });
        expect(noKey.valid).toBe(false);
        expect(noKey.errors.join("\n")).toContain("key");
    });

    it("the type check reports a misspelt field the run-time validator lets through", async () => {
        const { modelTypeErrors } = await import("./model-schemas");
        const typo = { ...requestAuthentication, spec: { jwtRules: [{ issuer: "https://i.example.com", jwksURI: "https://i.example.com/jwks" }] } };
        expect(validateCustomResource(typo).valid).toBe(true); // the package's validator allows unknown fields
        const problems = modelTypeErrors([{ label: "typo", object: typo }]);
        expect(problems).toHaveLength(1);
        expect(problems[0]).toMatch(/^typo: .*'"jwksURI"' does not exist/);
        expect(modelTypeErrors([{ label: "other", object: { apiVersion: "example.com/v1", kind: "Thing" } }])).toEqual(["other: no model package covers example.com/v1/Thing"]);
    });
});
