/**
 * The plan baseline: what each committed stack (and a few variants that exercise what the committed
 * stacks leave off) registers, as URN → digest of the inputs. A refactor that moves code between
 * components must keep every resource where it is: each baseline URN is either still planned or is an
 * alias of a planned resource (Pulumi then moves the state instead of replacing it), with the same
 * inputs. tests/plan-baseline.test.ts checks that; `npm run plan:baseline` rewrites the fixtures when a
 * change is meant to change plans (review the diff: every line is a resource that changes).
 *
 * URNs are the engine's (the whole chain of ancestors' types), and a planned resource takes over an old one
 * as the engine matches aliases (matchOldState). tests/fixtures/plan-state-v0 is the frozen state of the
 * stacks before the per-cloud components (commit 29f20a5); this tool never rewrites it.
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { planStack, type RecordedResource } from "./index";

export interface BaselineCase {
    /** File name under tests/fixtures/plan-baseline (without .json). */
    id: string;
    stack: string;
    overrides?: Record<string, unknown>;
}

const scalingWorkload = {
    name: "report-builder",
    namespace: "batch",
    maxReplicas: 6,
    dirtyMaxReplicas: 1,
    work: {
        type: "aws-sqs-queue",
        metadata: { queueURL: "https://sqs.eu-central-1.amazonaws.com/123456789012/reports", queueLength: "5", awsRegion: "eu-central-1" },
        authenticationRef: { name: "sqs-reader" },
        ports: [443],
    },
};

/** The committed stacks, plus variants for the components they do not exercise. */
export const BASELINE_CASES: BaselineCase[] = [
    ...["dev", "local", "aws", "azure", "gcp"].map((stack) => ({ id: stack, stack })),
    {
        id: "local-carbon-scaling",
        stack: "local",
        overrides: {
            "platform:carbon": {
                excludedRegions: [],
                scaling: {
                    enabled: true,
                    dirtyThreshold: 250,
                    signal: { provider: "carbon-aware-sdk", url: "https://carbon-aware-sdk.example.com", locations: { kubernetes: "westeurope" } },
                    staticIntensity: { kubernetes: 300 },
                    workloads: [scalingWorkload],
                },
            },
        },
    },
    {
        id: "dev-strimzi",
        stack: "dev",
        overrides: { "platform:kafka": { enabled: true, backend: { aws: "strimzi", azure: "strimzi", gcp: "strimzi" }, topics: [{ name: "orders", partitions: 3, producers: ["checkout"], consumers: ["fulfilment"] }], clients: [{ name: "checkout" }, { name: "fulfilment" }] } },
    },
    {
        id: "aws-ecs-express",
        stack: "aws",
        overrides: {
            "platform:services": [
                { name: "always-on", image: "123456789012.dkr.ecr.eu-north-1.amazonaws.com/demo/always-on:1.0.0", minScale: 1, invokers: { aws: ["arn:aws:iam::123456789012:role/checkout"] }, secrets: { DB_PASSWORD: "always-on-db-password" } },
            ],
        },
    },
];

export type Baseline = Record<string, string>;

/** Inputs digest: the provider reference is left out (it names the provider's URN, which moves with it). */
export function inputsDigest(r: RecordedResource): string {
    const stable = (v: unknown): unknown =>
        Array.isArray(v)
            ? v.map(stable)
            : v && typeof v === "object"
              ? Object.fromEntries(Object.keys(v as object).sort().map((k) => [k, stable((v as Record<string, unknown>)[k])]))
              : v;
    // A dynamic provider's `__provider` is its serialized code, which changes whenever code moves.
    const { __provider: _code, ...inputs } = r.inputs;
    const body = JSON.stringify({ custom: r.custom, protect: r.protect, retainOnDelete: r.retainOnDelete, inputs: stable(inputs) });
    return createHash("sha256").update(body).digest("hex").slice(0, 16);
}

/** Components hold no state (a refactor may add, drop or retype them); only custom resources are compared. */
export const COMPONENT = "component";

export function baselineOf(resources: RecordedResource[]): Baseline {
    const engine = engineUrns(resources);
    return Object.fromEntries(
        resources.map((r) => [engine.get(r.urn)!, r.custom ? inputsDigest(r) : COMPONENT]).sort(([a], [b]) => (a < b ? -1 : 1)),
    );
}

const urnParts = (urn: string) => {
    // urn:pulumi:<stack>::<project>::<qualified type>::<name>
    const [, rest] = urn.split("urn:pulumi:");
    const [stack, project, qualifiedType, ...name] = rest.split("::");
    return { stack, project, qualifiedType, name: name.join("::") };
};

const STACK_TYPE = "pulumi:pulumi:Stack";

/**
 * The engine's URN of each resource. The mock runtime's URNs keep only the parent's own type
 * (`<parent type>$<type>`, the stack's included); the engine's qualify a type by the whole chain of
 * ancestors' types, the stack's left out. Baselines hold engine URNs, so a moved grandchild is judged as
 * the engine will judge it.
 */
export function engineUrns(resources: RecordedResource[]): Map<string, string> {
    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    const out = new Map<string, string>();
    const qualified = (r: RecordedResource): string => {
        if (r.type === STACK_TYPE) return "";
        const parent = r.parent ? byUrn.get(r.parent) : undefined;
        const chain = parent ? qualified(parent) : "";
        return chain ? `${chain}$${r.type}` : r.type;
    };
    for (const r of resources) {
        const { stack, project } = urnParts(r.urn);
        out.set(r.urn, r.type === STACK_TYPE ? r.urn : `urn:pulumi:${stack}::${project}::${qualified(r)}::${r.name}`);
    }
    return out;
}

/**
 * Which resource of an earlier state each planned resource takes over, decided as the engine decides it
 * (pkg/resource/deploy/step_generator.go, generateAliases and the URN lookup of each registration): a
 * resource keeps the state under its own URN if that exists; otherwise the first of its aliases that exists
 * in the old state. Its aliases are its own alias specs (with the parent they name, none, or its parent),
 * plus, when its parent was itself taken over under an old URN, its own type and name (and each spec's)
 * under that one old parent URN: a child inherits only the alias its parent actually matched. Resources are
 * processed in registration order, as the engine receives them (parents first).
 *
 * Returns planned resource → the old engine URN it takes over (absent: it is created anew).
 */
export function matchOldState(oldUrns: ReadonlySet<string>, resources: RecordedResource[]): Map<RecordedResource, string> {
    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    const engine = engineUrns(resources);
    const matched = new Map<RecordedResource, string>();
    const claimed = new Set<string>();
    for (const r of resources) {
        if (r.type === STACK_TYPE) continue;
        const { stack, project } = urnParts(r.urn);
        const make = (parentEngineUrn: string | undefined, type: string, name: string) =>
            `urn:pulumi:${stack}::${project}::${parentEngineUrn ? `${urnParts(parentEngineUrn).qualifiedType}$` : ""}${type}::${name}`;
        const parent = r.parent ? byUrn.get(r.parent) : undefined;
        const parentEngine = parent && parent.type !== STACK_TYPE ? engine.get(parent.urn) : undefined;
        const own = engine.get(r.urn)!;
        const specs = (r.options.aliasSpecs ?? []).map((spec) => {
            const named = spec.parentUrn ? byUrn.get(spec.parentUrn) : undefined;
            const specParent = spec.noParent
                ? undefined
                : spec.parentUrn
                  ? named
                      ? named.type === STACK_TYPE
                          ? undefined
                          : engine.get(named.urn)
                      : spec.parentUrn.includes("::pulumi:pulumi:Stack::")
                        ? undefined
                        : spec.parentUrn
                  : parentEngine;
            return { type: spec.type || r.type, name: spec.name || r.name, parent: specParent };
        });
        const candidates = [own, ...specs.map((a) => make(a.parent, a.type, a.name)), ...r.options.aliases.filter(Boolean)];
        const parentOld = parent ? matched.get(parent) : undefined;
        if (parentOld && parentOld !== parentEngine)
            for (const tn of [{ type: r.type, name: r.name }, ...specs]) candidates.push(make(parentOld, tn.type, tn.name));
        const hit = candidates.find((u) => oldUrns.has(u) && !claimed.has(u));
        if (hit) {
            matched.set(r, hit);
            claimed.add(hit);
        }
    }
    return matched;
}

export const BASELINE_DIR = path.join(__dirname, "..", "..", "tests", "fixtures", "plan-baseline");

export async function planCase(c: BaselineCase): Promise<RecordedResource[]> {
    return (await planStack(c.stack, c.overrides)).resources;
}

if (require.main === module) {
    (async () => {
        fs.mkdirSync(BASELINE_DIR, { recursive: true });
        for (const c of BASELINE_CASES) {
            const baseline = baselineOf(await planCase(c));
            const file = path.join(BASELINE_DIR, `${c.id}.json`);
            const tmp = `${file}.${process.pid}.tmp`;
            fs.writeFileSync(tmp, JSON.stringify(baseline, null, 1) + "\n");
            fs.renameSync(tmp, file);
            console.log(`${path.relative(process.cwd(), file)}: ${Object.keys(baseline).length} resources`);
        }
    })().catch((e) => {
        console.error(e instanceof Error ? e.message : String(e));
        process.exit(2);
    });
}
