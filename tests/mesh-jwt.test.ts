/**
 * End-user authentication at the ingress gateway (platform:mesh.ingress.jwt, AmbientMeshArgs.ingress.jwt):
 * the RequestAuthentication and ALLOW AuthorizationPolicy the mesh gives the gateway, istiod's egress for
 * the key set, how the gateway's ALLOW policies decide requests (Istio's documented semantics), and the
 * errors of bad settings.
 */
import * as k8s from "@pulumi/kubernetes";
import { describe, expect, it } from "vitest";
import { NAMED_REQUEST_PRINCIPAL } from "../components/admission/policies";
import { AmbientMesh, MeshArgsError, type AmbientMeshArgs, type IngressJwtArgs } from "../components/mesh";
import { JWT_ISSUER, UNAUTHENTICATED_PATH } from "../components/mesh/args";
import { ConfigError, parsePlatformConfig, rawPlatformConfig } from "../stacks/config";
import { DEFAULT_EGRESS_EXCEPTIONS } from "../stacks/config/egress";
import { loadStackConfig, planStack } from "../tools/plan";
import { runUnderMocks, type RecordedResource } from "../tools/plan/runtime";
import { validateCustomResource } from "./crd";

const GOOGLE: IngressJwtArgs = {
    issuer: "https://accounts.google.com",
    jwksUri: "https://www.googleapis.com/oauth2/v3/certs",
    audiences: ["123456789012-storefront.apps.googleusercontent.com"],
    unauthenticatedPaths: ["/healthz"],
};
const JWKS_EGRESS = { name: "jwks", cidrs: ["0.0.0.0/0"], reason: "istiod fetches the issuer's key set" };

async function plan(args: AmbientMeshArgs) {
    const { resources } = await runUnderMocks(
        () => {
            const provider = new k8s.Provider("k8s", { context: "test" });
            new AmbientMesh("mesh", args, { provider });
            return {};
        },
        { project: "platform", stack: "test" },
    );
    return resources;
}

const byName = (resources: RecordedResource[], kind: string, name: string) =>
    resources.find((r) => (r.inputs as any).kind === kind && (r.inputs.metadata as any)?.name === name);

describe("AmbientMesh ingress.jwt", () => {
    it("gives the gateway a RequestAuthentication for the issuer and an ALLOW policy that requires its token", async () => {
        const resources = await plan({ platform: "gcp", ingress: { enabled: true, jwt: { ...GOOGLE, jwksEgress: JWKS_EGRESS } } });
        const ra = byName(resources, "RequestAuthentication", "ingress-jwt")!;
        expect(ra.inputs).toMatchObject({ apiVersion: "security.istio.io/v1", metadata: { namespace: "istio-ingress" } });
        expect(ra.inputs.spec).toEqual({
            selector: { matchLabels: { istio: "ingressgateway" } },
            jwtRules: [{ issuer: GOOGLE.issuer, jwksUri: GOOGLE.jwksUri, audiences: GOOGLE.audiences, forwardOriginalToken: false }],
        });
        // The gateway's one ALLOW policy (the same object as without jwt, updated in place) now requires the token.
        const ap = byName(resources, "AuthorizationPolicy", "allow-ingress-gateway")!;
        expect(ap.inputs.metadata).toMatchObject({ namespace: "istio-ingress" });
        expect(ap.inputs.spec).toEqual({
            action: "ALLOW",
            selector: { matchLabels: { istio: "ingressgateway" } },
            rules: [
                { from: [{ source: { requestPrincipals: ["https://accounts.google.com/*"] } }], to: [{ operation: { ports: ["80", "443"] } }] },
                { to: [{ operation: { ports: ["80", "443"], methods: ["GET", "HEAD"], paths: ["/healthz"] } }] },
            ],
        });
        // The gateway's own Pods carry the label both policies select (the chart's values.labels).
        const gateway = resources.find((r) => r.type === "kubernetes:helm.sh/v3:Release" && r.inputs.name === "istio-ingressgateway")!;
        expect((gateway.inputs.values as any).labels).toEqual({ istio: "ingressgateway" });
        // No other ALLOW policy selects the gateway: an open port rule beside it would admit token-less requests.
        const gatewayAllows = resources.filter((r) => (r.inputs as any).kind === "AuthorizationPolicy" && (r.inputs.metadata as any).namespace === "istio-ingress");
        expect(gatewayAllows).toEqual([ap]);
        // Both wait for the Istio CRDs and istiod, like every mesh custom resource; the policy also waits for the
        // RequestAuthentication, so the gateway never requires a token it cannot validate yet.
        const istiod = resources.find((r) => r.type === "kubernetes:helm.sh/v3:Release" && r.inputs.name === "istiod")!;
        for (const r of [ra, ap]) expect(r.dependencies).toContain(istiod.urn);
        expect(ap.dependencies).toContain(ra.urn);
    });

    it("opens istiod (only) to the key set's port as a named egress exception", async () => {
        const resources = await plan({ platform: "aws", ingress: { enabled: true, jwt: { ...GOOGLE, jwksEgress: JWKS_EGRESS } } });
        const np = resources.find((r) => r.type === "kubernetes:networking.k8s.io/v1:NetworkPolicy" && (r.inputs.metadata as any).name === "allow-egress-jwks")!;
        expect(np.inputs.metadata).toMatchObject({
            namespace: "istio-system",
            annotations: { "platform.io/egress-exception": "jwks", "platform.io/egress-exception-fqdns": "www.googleapis.com" },
        });
        const spec = np.inputs.spec as any;
        expect(spec.podSelector).toEqual({ matchLabels: { app: "istiod" } });
        expect(spec.policyTypes).toEqual(["Egress"]);
        expect(spec.egress).toHaveLength(1);
        expect(spec.egress[0].ports).toEqual([{ protocol: "TCP", port: 443 }]);
        expect(spec.egress[0].to[0].ipBlock.cidr).toBe("0.0.0.0/0");
        // A key set on another port gets that port.
        const other = await plan({ platform: "aws", ingress: { enabled: true, jwt: { ...GOOGLE, jwksUri: "https://idp.example.com:8443/keys", jwksEgress: JWKS_EGRESS } } });
        const np2 = other.find((r) => (r.inputs.metadata as any)?.name === "allow-egress-jwks")!;
        expect((np2.inputs.spec as any).egress[0].ports).toEqual([{ protocol: "TCP", port: 8443 }]);
        // Without jwt: no RequestAuthentication, no JWKS egress, and the gateway's port-only policy as before.
        const plain = await plan({ platform: "aws", ingress: { enabled: true } });
        expect(plain.some((r) => (r.inputs as any).kind === "RequestAuthentication")).toBe(false);
        expect(plain.some((r) => (r.inputs.metadata as any)?.name === "allow-egress-jwks")).toBe(false);
        expect(byName(plain, "AuthorizationPolicy", "allow-ingress-gateway")!.inputs.spec).toEqual({
            action: "ALLOW",
            selector: { matchLabels: { istio: "ingressgateway" } },
            rules: [{ to: [{ operation: { ports: ["80", "443"] } }] }],
        });
    });

    it("omits the path rule without unauthenticatedPaths", async () => {
        const { unauthenticatedPaths: _, ...strict } = GOOGLE;
        const resources = await plan({ platform: "azure", ingress: { enabled: true, jwt: strict } });
        expect((byName(resources, "AuthorizationPolicy", "allow-ingress-gateway")!.inputs.spec as any).rules).toEqual([
            { from: [{ source: { requestPrincipals: ["https://accounts.google.com/*"] } }], to: [{ operation: { ports: ["80", "443"] } }] },
        ]);
    });

    it("validates against the upstream CRD schemas", async () => {
        const resources = await plan({ platform: "gcp", ingress: { enabled: true, jwt: GOOGLE } });
        const ap = byName(resources, "AuthorizationPolicy", "allow-ingress-gateway")!;
        expect(validateCustomResource(ap.inputs).errors).toEqual([]);
        const ra = byName(resources, "RequestAuthentication", "ingress-jwt")!;
        // RequestAuthentication: the pinned @kubernetes-models/istio schema (tests/model-schemas.ts).
        expect(validateCustomResource(ra.inputs).errors).toEqual([]);
        // The schemas refuse what Istio would: an empty issuer, audiences that are not a list, an action outside the enum.
        const spec = ra.inputs.spec as any;
        expect(validateCustomResource({ ...ra.inputs, spec: { ...spec, jwtRules: [{ ...spec.jwtRules[0], issuer: "" }] } }).valid).toBe(false);
        expect(validateCustomResource({ ...ra.inputs, spec: { ...spec, jwtRules: [{ ...spec.jwtRules[0], audiences: "storefront" }] } }).valid).toBe(false);
        const badAp = { ...ap.inputs, spec: { ...(ap.inputs.spec as any), action: "PERMIT" } };
        expect(validateCustomResource(badAp).valid).toBe(false);
    });

    it("refuses bad settings before registering anything, naming the argument", () => {
        const build = (jwt: IngressJwtArgs, enabled = true) => () => new AmbientMesh("mesh", { platform: "gcp", ingress: { enabled, jwt } });
        expect(build({ ...GOOGLE, issuer: "*" })).toThrow(MeshArgsError);
        expect(build({ ...GOOGLE, issuer: "*" })).toThrow(/AmbientMesh mesh: args\.ingress\.jwt\.issuer: "\*" is not an issuer; allowed: the token's exact "iss" value/);
        expect(build({ ...GOOGLE, jwksUri: "http://www.googleapis.com/oauth2/v3/certs" })).toThrow(/args\.ingress\.jwt\.jwksUri: "http:\/\/www\.googleapis\.com\/oauth2\/v3\/certs" is not an https URL/);
        expect(build({ ...GOOGLE, audiences: [] })).toThrow(/args\.ingress\.jwt\.audiences: \[\] is empty; allowed: at least one "aud" value/);
        expect(build({ ...GOOGLE, unauthenticatedPaths: ["/*"] })).toThrow(/args\.ingress\.jwt\.unauthenticatedPaths\[0\]: "\/\*" is not allowed; allowed: an exact path "\/healthz" or a prefix "\/status\/\*"/);
        expect(build(GOOGLE, false)).toThrow(/args\.ingress\.jwt: is set but the ingress gateway is not enabled; allowed: only with AmbientMesh mesh: args\.ingress\.enabled: true/);
        expect(build({ ...GOOGLE, jwksEgress: { name: "jwks", cidrs: [], reason: "x" } })).toThrow(/args\.ingress\.jwt\.jwksEgress\.cidrs: none given/);
    });

    it("accepts the issuers providers use, and the request principal it derives names that issuer", () => {
        const issuers = [
            "https://accounts.google.com",
            "accounts.google.com",
            "https://login.microsoftonline.com/0b5ad3c7-1111-2222-3333-444455556666/v2.0",
            "https://sts.windows.net/0b5ad3c7-1111-2222-3333-444455556666/",
            "https://cognito-idp.eu-north-1.amazonaws.com/eu-north-1_AbCdEf123",
            "1234567-compute@developer.gserviceaccount.com",
        ];
        const principal = new RegExp(NAMED_REQUEST_PRINCIPAL);
        for (const issuer of issuers) {
            expect(JWT_ISSUER.test(issuer), issuer).toBe(true);
            expect(principal.test(`${issuer}/*`), issuer).toBe(true);
        }
        for (const issuer of ["*", "https://*", "https://evil*", "*.google.com", "https://", "accounts google", ""]) expect(JWT_ISSUER.test(issuer), issuer).toBe(false);
        for (const p of ["*", "*/sub", "https://*", "https:/" + "/*", "https://evil*", "iss*"]) expect(principal.test(p), p).toBe(false);
        for (const p of ["/healthz", "/status/*", "/api/v1/health"]) expect(UNAUTHENTICATED_PATH.test(p), p).toBe(true);
        for (const p of ["*", "/*", "*.png", "/a*", "/foo/{*}", "healthz", "/a/*/b"]) expect(UNAUTHENTICATED_PATH.test(p), p).toBe(false);
    });
});

/**
 * Istio's ALLOW evaluation for one workload (istio/api 1.30.3 security/v1beta1/authorization_policy.proto):
 * a request is allowed when any ALLOW policy has a rule whose `from` (any source; every field of a source),
 * `to` (any operation; every field of it) all match; string fields match exactly, by prefix `abc*`,
 * suffix `*abc` or presence `*`; a policy without rules matches nothing. No CUSTOM or DENY policies exist.
 */
interface Request {
    port: string;
    method: string;
    path: string;
    /** `<iss>/<sub>` of a validated token; absent without one. */
    requestPrincipal?: string;
}
const matchValue = (pattern: string, value: string | undefined) =>
    value !== undefined &&
    (pattern === "*" ? value !== "" : pattern.endsWith("*") ? value.startsWith(pattern.slice(0, -1)) : pattern.startsWith("*") ? value.endsWith(pattern.slice(1)) : value === pattern);
const anyOf = (patterns: string[] | undefined, value: string | undefined) => patterns === undefined || patterns.some((p) => matchValue(p, value));
function allowed(policies: any[], req: Request): boolean {
    return policies.some((spec) =>
        (spec.rules ?? []).some(
            (rule: any) =>
                (rule.from === undefined || rule.from.some((f: any) => anyOf(f.source.requestPrincipals, req.requestPrincipal) && anyOf(f.source.principals, undefined))) &&
                (rule.to === undefined || rule.to.some((t: any) => anyOf(t.operation.ports, req.port) && anyOf(t.operation.methods, req.method) && anyOf(t.operation.paths, req.path))),
        ),
    );
}

describe("the dev stack's gateway admits only authenticated requests, and GET/HEAD /healthz", () => {
    it("plans ingress.jwt on every cluster of the dev stack and decides requests as configured", async () => {
        const { resources } = await planStack("dev");
        const gateways = resources.filter((r) => r.type.startsWith("kubernetes:security.istio.io/") && (r.inputs.metadata as any)?.namespace === "istio-ingress");
        const ras = gateways.filter((r) => (r.inputs as any).kind === "RequestAuthentication");
        expect(ras.map((r) => r.name).sort()).toEqual(["plt-dev-aws-mesh-ingress-jwt", "plt-dev-azure-mesh-ingress-jwt", "plt-dev-gcp-mesh-ingress-jwt"]);
        // Every ALLOW policy the gateway pods get: those selecting istio=ingressgateway in istio-ingress, and
        // the root namespace's allow-nothing (no selector: every workload).
        const root = resources.filter((r) => (r.inputs as any).kind === "AuthorizationPolicy" && (r.inputs.metadata as any)?.namespace === "istio-system" && !(r.inputs.spec as any).selector && !(r.inputs.spec as any).targetRefs);
        expect(root.length).toBeGreaterThan(0);
        for (const target of ["aws", "azure", "gcp"]) {
            const mine = (r: RecordedResource) => r.name.startsWith(`plt-dev-${target}-mesh-`);
            const policies = [...gateways, ...root]
                .filter((r) => mine(r) && (r.inputs as any).kind === "AuthorizationPolicy")
                .map((r) => r.inputs.spec as any)
                .filter((s) => (s.action ?? "ALLOW") === "ALLOW");
            expect(policies.every((s) => s.selector === undefined || s.selector.matchLabels.istio === "ingressgateway")).toBe(true);
            const google = "https://accounts.google.com/110169484474386276334";
            expect(allowed(policies, { port: "443", method: "POST", path: "/api/orders", requestPrincipal: google }), target).toBe(true);
            expect(allowed(policies, { port: "443", method: "POST", path: "/api/orders" }), target).toBe(false);
            expect(allowed(policies, { port: "80", method: "GET", path: "/api/orders" }), target).toBe(false);
            expect(allowed(policies, { port: "443", method: "GET", path: "/api/orders", requestPrincipal: "https://evil.example.com/x" }), target).toBe(false);
            expect(allowed(policies, { port: "80", method: "GET", path: "/healthz" }), target).toBe(true);
            expect(allowed(policies, { port: "80", method: "HEAD", path: "/healthz" }), target).toBe(true);
            expect(allowed(policies, { port: "80", method: "POST", path: "/healthz" }), target).toBe(false);
            expect(allowed(policies, { port: "80", method: "GET", path: "/healthz/admin" }), target).toBe(false);
            // Not a listener port: nothing admits it.
            expect(allowed(policies, { port: "15000", method: "GET", path: "/healthz", requestPrincipal: google }), target).toBe(false);
        }
    });
});

describe("platform:mesh.ingress.jwt config", () => {
    const raw = () => rawPlatformConfig(loadStackConfig("dev").config) as any;
    const problems = (mutate: (c: any) => void) => {
        const cfg = raw();
        mutate(cfg);
        try {
            parsePlatformConfig(cfg);
        } catch (e) {
            expect(e).toBeInstanceOf(ConfigError);
            return (e as ConfigError).problems;
        }
        throw new Error("expected a ConfigError");
    };

    it("the dev stack sets it, with the default jwks egress exception", () => {
        const cfg = parsePlatformConfig(raw());
        expect(cfg.mesh.ingress.jwt).toEqual({
            issuer: "https://accounts.google.com",
            jwksUri: "https://www.googleapis.com/oauth2/v3/certs",
            audiences: ["123456789012-storefront.apps.googleusercontent.com"],
            unauthenticatedPaths: ["/healthz"],
        });
        expect(cfg.network.egressExceptions.some((e) => e.name === "jwks")).toBe(true);
    });

    it("names the setting, the value and what is allowed", () => {
        expect(problems((c) => (c.mesh.ingress.jwt.issuer = "*"))[0]).toMatch(/^platform:mesh\.ingress\.jwt\.issuer: "\*" must be the token's exact "iss"/);
        expect(problems((c) => (c.mesh.ingress.jwt.jwksUri = "http://www.googleapis.com/oauth2/v3/certs"))[0]).toMatch(/^platform:mesh\.ingress\.jwt\.jwksUri: .* must be an https URL/);
        expect(problems((c) => (c.mesh.ingress.jwt.audiences = []))[0]).toMatch(/^platform:mesh\.ingress\.jwt\.audiences: .* must list at least one "aud" value/);
        expect(problems((c) => (c.mesh.ingress.jwt.unauthenticatedPaths = ["/healthz", "*"]))[0]).toMatch(
            /^platform:mesh\.ingress\.jwt\.unauthenticatedPaths\[1\]: "\*" must be an exact path "\/healthz" or a prefix "\/status\/\*"/,
        );
        expect(problems((c) => (c.mesh.ingress.jwt.extra = true))[0]).toMatch(/^platform:mesh\.ingress\.jwt/);
        expect(problems((c) => (c.mesh.ingress.enabled = false))).toEqual([
            "platform:mesh.ingress.jwt: is set but the ingress gateway is not enabled; allowed: only with platform:mesh.ingress.enabled: true",
        ]);
        expect(
            problems((c) => {
                c.network = { ...(c.network ?? {}), egressExceptions: (c.network?.egressExceptions ?? DEFAULT_EGRESS_EXCEPTIONS).filter((e: any) => e.name !== "jwks") };
            }),
        ).toEqual([
            expect.stringMatching(/^platform:network\.egressExceptions: no "jwks" exception, but platform:mesh\.ingress\.jwt \(istiod fetches the issuer's key set\) needs it/),
        ]);
    });
});
