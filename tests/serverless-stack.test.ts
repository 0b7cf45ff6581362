/**
 * The cluster runtimes over the planned stacks, against what the pinned upstream controllers do: the Shim
 * asks runtime-class-manager for a rollout strategy it implements, and every workload that reads a Secret
 * (secretKeyRef) is ordered after that Secret (or the ExternalSecret that makes it) when the program plans it.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { RUNTIME_CLASS_MANAGER_CHART } from "../components/serverless/install/spinkube";
import { planStack, type Plan, type RecordedResource } from "../tools/plan";

/** dev places hello-wasm on SpinKube on GKE; local runs Knative, SpinKube and Strimzi with SCRAM credentials. */
const STACKS = ["dev", "local"] as const;
const plans: Record<string, Plan> = {};

beforeAll(async () => {
    for (const stack of STACKS) plans[stack] = await planStack(stack);
}, 300_000);

/**
 * The rollout strategies runtime-class-manager's Shim reconciler implements, per chart version
 * (spinframework/runtime-class-manager@v0.2.0 internal/controller/shim_controller.go handleInstallShim:
 * "rolling" returns "rolling strategy not implemented yet"; the CRD's enum still admits it).
 */
const IMPLEMENTED_ROLLOUT_STRATEGIES: Record<string, string[]> = { "0.2.0": ["recreate"] };

const SHIM = "kubernetes:runtime.spinkube.dev/v1alpha1:Shim";
const SECRET = "kubernetes:core/v1:Secret";
const EXTERNAL_SECRET = "kubernetes:external-secrets.io/v1:ExternalSecret";
const meta = (r: RecordedResource) => r.inputs.metadata as any;

/** Every secretKeyRef name anywhere in a resource's inputs. */
function secretRefs(value: unknown, out: string[] = []): string[] {
    if (Array.isArray(value)) for (const v of value) secretRefs(v, out);
    else if (value && typeof value === "object") {
        for (const [k, v] of Object.entries(value)) {
            if (k === "secretKeyRef" && v && typeof (v as any).name === "string") out.push((v as any).name);
            else secretRefs(v, out);
        }
    }
    return out;
}

describe("SpinKube's Shim", () => {
    it("every Shim asks for a rollout strategy the pinned runtime-class-manager implements", () => {
        const implemented = IMPLEMENTED_ROLLOUT_STRATEGIES[RUNTIME_CLASS_MANAGER_CHART.version];
        expect(implemented, `no record of runtime-class-manager ${RUNTIME_CLASS_MANAGER_CHART.version}'s strategies`).toBeDefined();
        let shims = 0;
        for (const stack of STACKS)
            for (const shim of plans[stack].resources.filter((r) => r.type === SHIM)) {
                expect(implemented, `${stack}: ${shim.name}`).toContain((shim.inputs.spec as any).rolloutStrategy.type);
                shims++;
            }
        expect(shims).toBeGreaterThanOrEqual(2);
    });
});

describe("workloads that read a Secret", () => {
    it("every resource with a secretKeyRef depends on the Secret it names, when the program creates that Secret", () => {
        let ordered = 0;
        for (const stack of STACKS) {
            const resources = plans[stack].resources;
            // A Secret the program writes, or one an ExternalSecret it plans makes (spec.target.name).
            const secrets = resources.filter((r) => r.type === SECRET || r.type === EXTERNAL_SECRET);
            const secretName = (s: RecordedResource) => (s.type === SECRET ? meta(s).name : (s.inputs.spec as any).target.name);
            for (const r of resources) {
                for (const name of new Set(secretRefs(r.inputs))) {
                    const secret = secrets.find((s) => s.provider === r.provider && secretName(s) === name && meta(s).namespace === meta(r)?.namespace);
                    if (!secret) continue;
                    expect(r.dependencies, `${stack}: ${r.type} ${r.name} reads Secret ${name} before it exists`).toContain(secret.urn);
                    ordered++;
                }
            }
        }
        // local: the Knative service's and the SpinApp's Kafka SCRAM credentials and the SpinApp's own secret (ExternalSecrets).
        const workloads = plans.local.resources.filter((r) => /:(Service|SpinApp)$/.test(r.type) && /knative|spinkube/.test(r.type) && secretRefs(r.inputs).length > 0);
        expect(workloads.map((r) => r.type).sort()).toEqual(["kubernetes:core.spinkube.dev/v1alpha1:SpinApp", "kubernetes:serving.knative.dev/v1:Service"]);
        expect(ordered).toBeGreaterThanOrEqual(workloads.length + 1);
    });
});
