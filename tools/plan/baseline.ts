/**
 * The plan baseline: what each committed stack (and a few variants that exercise what the committed
 * stacks leave off) registers, as URN → digest of the inputs. A refactor that moves code between
 * components must keep every resource where it is: each baseline URN is either still planned or is an
 * alias of a planned resource (Pulumi then moves the state instead of replacing it), with the same
 * inputs. tests/plan-baseline.test.ts checks that; `npm run plan:baseline` rewrites the fixtures when a
 * change is meant to change plans (review the diff: every line is a resource that changes).
 *
 * Alias URNs are computed as the engine computes them for structured aliases (the SDK sends specs, the
 * engine expands them): a resource is also known under each of its own alias specs, and under every
 * URN its parent is known by (an alias of a parent is inherited by each child).
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
                { name: "always-on", image: "123456789012.dkr.ecr.eu-north-1.amazonaws.com/demo/always-on:1.0.0", minScale: 1, invokers: { aws: ["arn:aws:iam::123456789012:role/checkout"] } },
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

/** Every engine URN a planned resource answers to: its own and its aliases (own specs and inherited from ancestors). */
export function knownUrns(resources: RecordedResource[]): Map<string, RecordedResource> {
    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    const engine = engineUrns(resources);
    const memo = new Map<string, string[]>();
    const namesOf = (r: RecordedResource): string[] => {
        const cached = memo.get(r.urn);
        if (cached) return cached;
        const { stack, project } = urnParts(r.urn);
        const parent = r.parent ? byUrn.get(r.parent) : undefined;
        const underStack = (p: RecordedResource | undefined) => !p || p.type === STACK_TYPE;
        // The names of the parent (engine form); a parent outside the plan is taken as given.
        const parentNames = (p: RecordedResource | undefined): (string | undefined)[] => (underStack(p) ? [undefined] : namesOf(p!));
        const make = (parentName: string | undefined, type: string, name: string) =>
            `urn:pulumi:${stack}::${project}::${parentName ? `${urnParts(parentName).qualifiedType}$` : ""}${type}::${name}`;
        const names = new Set<string>([engine.get(r.urn)!]);
        for (const p of parentNames(parent)) names.add(make(p, r.type, r.name));
        for (const spec of r.options.aliasSpecs ?? []) {
            const type = spec.type || r.type;
            const name = spec.name || r.name;
            const aliasParent = spec.parentUrn ? byUrn.get(spec.parentUrn) : parent;
            const parents = spec.noParent ? [undefined] : spec.parentUrn && !aliasParent ? [spec.parentUrn] : parentNames(aliasParent);
            for (const p of parents) names.add(make(p, type, name));
        }
        for (const a of r.options.aliases) if (a) names.add(a);
        const list = [...names];
        memo.set(r.urn, list);
        return list;
    };
    const known = new Map<string, RecordedResource>();
    for (const r of resources) for (const n of namesOf(r)) known.set(n, r);
    return known;
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
