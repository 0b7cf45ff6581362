/**
 * npm run bench -- [--sizes 10,100,1000,3000] [--json] [--stack local]
 *
 * Scale benchmark of the golden path. For each size N it generates a stack of N services in memory (the
 * base stack's files plus a `platform:services` / `platform:kafka` override: no files are written), then
 * in a fresh child process per measurement, so peak memory is per size:
 *   1. platform: plan the stack under the mock runtime (tools/plan) and check it with every policy pack
 *      over the analyzer protocol (tools/policy), timing both;
 *   2. baseline: the bare Pulumi SDK under its own mock runtime registering as many plain resources as the
 *      platform plan had, each with inputs of the plan's average serialized size (the baseline: the
 *      targets are judged against it);
 *   3. floor (a diagnostic): the bare SDK registering the plan's own resources (same type tokens, names and
 *      inputs; flat, no platform code, no check), so the table shows what the platform and the check add
 *      over what these resources cost the SDK itself.
 * Prints a table (or, with --json, `[{ services, resources, seconds, peakRssMb, sumOfPeaksMb, baselineSeconds,
 * baselinePeakRssMb, … }]`) and whether each target is met. Targets are measured here, never in tests.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseArgs } from "node:util";
import * as pulumi from "@pulumi/pulumi";

const ROOT = path.resolve(__dirname, "..");

export interface BenchRow {
    services: number;
    resources: number;
    /** Plan + check, seconds. */
    seconds: number;
    planSeconds: number;
    checkSeconds: number;
    /** Peak of the summed RSS of the planning process and the policy-pack processes, sampled every 25 ms. */
    peakRssMb: number;
    /** Planner peak RSS + each pack's peak RSS: an upper bound of peakRssMb (the peaks need not coincide). */
    sumOfPeaksMb: number;
    plannerPeakRssMb: number;
    packsPeakRssMb: number;
    baselineSeconds: number;
    baselinePeakRssMb: number;
    /** The bare SDK registering this plan's own resources (flat, no platform code, no check): see childFloor. */
    floorSeconds: number;
    floorPeakRssMb: number;
    /** What the baseline's and the floor's mock monitors registered (the bench stops unless both equal `resources`). */
    baselineResources: number;
    floorResources: number;
}

/** The generated service graph for N services (deterministic). */
export function generatedStack(n: number): Record<string, unknown> {
    const topicCount = Math.max(1, Math.floor(n / 10));
    const topics = Array.from({ length: topicCount }, (_, t) => ({ name: `topic-${t}`, partitions: 3 }));
    const services = Array.from({ length: n }, (_, i) => {
        const calls = new Set<string>();
        // Mostly a DAG (calls go to higher indices) with one deliberate cycle: the last service calls the first.
        if (i + 1 < n) calls.add(`svc-${i + 1}`);
        const far = (i * 7 + 3) % n;
        if (far > i + 1) calls.add(`svc-${far}`);
        if (i === n - 1 && n > 1) calls.add("svc-0");
        const wasm = i % 10 === 9;
        return {
            name: `svc-${i}`,
            ...(wasm ? { runtime: "wasm", cpu: 0.1, memory: 128 } : {}),
            image: `ghcr.io/acme/svc-${i}:1.0.${i}`,
            maxScale: 3,
            env: { LOG_LEVEL: "info", SERVICE: `svc-${i}` },
            calls: [...calls],
            publishes: i % 2 === 0 ? [`topic-${i % topicCount}`] : [],
            subscribes: i % 3 === 0 ? [`topic-${(i + 1) % topicCount}`] : [],
        };
    });
    return {
        "platform:services": services,
        "platform:kafka": { enabled: true, strimzi: { zoneAware: false }, topics, clients: [] },
    };
}

const mb = (kb: number) => Math.round(kb / 1024);

/** The pids of this process's live child processes (the policy packs), from /proc. */
function childPids(): string[] {
    const pids: string[] = [];
    for (const task of fs.readdirSync("/proc/self/task"))
        pids.push(...fs.readFileSync(`/proc/self/task/${task}/children`, "utf8").trim().split(/\s+/).filter(Boolean));
    return pids;
}

/** A field of /proc/<pid>/status in kB (VmRSS: now, VmHWM: the process's own peak). */
function statusKb(pid: string, field: "VmRSS" | "VmHWM"): number {
    try {
        const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
        return m ? Number(m[1]) : 0;
    } catch {
        return 0; // the process just exited
    }
}

/**
 * Memory of the whole check (planner + packs). `simultaneousPeak` samples the summed RSS of this process
 * and its children every 25 ms: the peak the machine actually had to hold (a spike shorter than a sample
 * can be missed). `sumOfPeaks` adds each process's own peak (planner maxRSS + each pack's VmHWM), an
 * upper bound that counts the planner's plan-time peak and the packs' analysis-time peaks as if they
 * coincided. Linux only (NaN elsewhere).
 */
function memorySampler(): { stop(): { simultaneousPeakMb: number; packsPeakMb: number } } {
    let peakKb = 0;
    let packsKb = 0;
    let ok = true;
    const sample = () => {
        try {
            let total = statusKb("self", "VmRSS");
            let packs = 0;
            for (const pid of childPids()) packs += statusKb(pid, "VmHWM");
            for (const pid of childPids()) total += statusKb(pid, "VmRSS");
            peakKb = Math.max(peakKb, total);
            packsKb = Math.max(packsKb, packs);
        } catch {
            ok = false;
        }
    };
    sample();
    const timer = setInterval(sample, 25);
    return {
        stop() {
            sample();
            clearInterval(timer);
            return { simultaneousPeakMb: ok ? mb(peakKb) : NaN, packsPeakMb: ok ? mb(packsKb) : NaN };
        },
    };
}

async function childPlatform(n: number, stack: string, replayFile?: string): Promise<Record<string, number>> {
    const { loadStackConfig, planConfig } = await import("./plan/index");
    const { discoverPolicyPacks } = await import("./policy/analyzer-client");
    const { startStreamingCheckInWorker } = await import("./policy/run");
    const memory = memorySampler();
    const t0 = performance.now();
    // As `npm run check` (and the engine in a preview) does: the packs start with the deployment and
    // analyze each resource as it is registered, beside the plan; AnalyzeStack follows the plan.
    const { readPackConfigFile, stackPackConfigFiles } = await import("./policy/pack-config");
    const packDirs = discoverPolicyPacks(path.join(ROOT, "policies"));
    // With the stack's pack config (policies/config), as npm run check gives it.
    const check = startStreamingCheckInWorker(packDirs, stackPackConfigFiles(stack, packDirs).map(readPackConfigFile));
    let violations = 0;
    let mem = { simultaneousPeakMb: NaN, packsPeakMb: NaN };
    let plan;
    let t1 = t0;
    try {
        plan = await planConfig(loadStackConfig(stack, { overrides: generatedStack(n) }), { onResource: (r) => check.add(r) });
        t1 = performance.now();
        const result = await check.finish();
        violations = result.violations.filter((v) => v.enforcementLevel === "mandatory").length;
        if (process.env.BENCH_VERBOSE)
            for (const p of result.packs) process.stderr.write(`  ${p.name}: start ${p.startupMs} ms, analyze ${p.analyzeMs} ms from configure, of which AnalyzeStack ${p.analyzeStackMs} ms; plan done at ${Math.round(t1 - t0)} ms\n`);
        mem = memory.stop(); // before the packs exit
    } finally {
        memory.stop();
        await check.close();
    }
    const t2 = performance.now();
    let bytes = 0;
    for (const r of plan.resources) bytes += JSON.stringify(r.rawInputs).length;
    const planner = mb(process.resourceUsage().maxRSS);
    // For the floor measurement (written after the timing, so not measured): what the plan registered.
    if (replayFile) {
        const replay: ReplayResource[] = plan.resources
            .filter((r) => r.type !== "pulumi:pulumi:Stack")
            .map((r) => ({ type: r.type, name: r.name, custom: r.custom, inputs: r.rawInputs }));
        fs.writeFileSync(replayFile, JSON.stringify(replay));
    }
    const packsPeak = mem.packsPeakMb;
    return {
        services: n,
        resources: plan.resources.length,
        seconds: (t2 - t0) / 1000,
        planSeconds: (t1 - t0) / 1000,
        checkSeconds: (t2 - t1) / 1000,
        plannerPeakRssMb: planner,
        packsPeakRssMb: packsPeak,
        peakRssMb: mem.simultaneousPeakMb,
        sumOfPeaksMb: planner + (Number.isNaN(packsPeak) ? 0 : packsPeak),
        averageInputBytes: Math.round(bytes / Math.max(1, plan.resources.length)),
        mandatoryViolations: violations,
    };
}

/** The plainest custom resource: a type token and inputs, nothing else. */
class PlainResource extends pulumi.CustomResource {
    constructor(name: string, inputs: pulumi.Inputs) {
        super("bench:index:Resource", name, inputs);
    }
}

/** Mocks that echo every resource's inputs as its state (as a preview does) and count the registrations. */
function countingEchoMocks(): pulumi.runtime.Mocks & { registered: number } {
    return {
        registered: 0,
        newResource(a) {
            this.registered++;
            return { id: a.custom === false ? "" : `${a.name}-id`, state: a.inputs };
        },
        call: () => ({}),
    };
}

/** The bare SDK: N plain custom resources with inputs of `inputBytes` serialized size, under setMocks. */
async function childBaseline(count: number, inputBytes: number): Promise<Record<string, number>> {
    // Same conditions as the platform's plan (tools/plan/runtime.ts): SDK stack traces not source-mapped.
    process.setSourceMapsEnabled(false);
    const t0 = performance.now();
    const mocks = countingEchoMocks();
    await pulumi.runtime.setMocks(mocks, "bench", "baseline", true);
    const filler = "x".repeat(Math.max(0, inputBytes - 120));
    await pulumi.runtime.runInPulumiStack(async () => {
        const urns: pulumi.Output<string>[] = [];
        // The stack resource counts as one of the plan's resources: count - 1 plain ones beside it.
        for (let i = 0; i < count - 1; i++) {
            const r = new PlainResource(`resource-${i}`, {
                metadata: { name: `resource-${i}`, namespace: "bench", labels: { app: `resource-${i}` } },
                spec: { replicas: 1, data: filler },
            });
            urns.push(r.urn);
        }
        await new Promise<void>((resolve) => pulumi.all(urns).apply(() => resolve()));
        return undefined;
    });
    // The SDK's own "every RPC finished" barrier (what the harness awaits too).
    const settings = (await import("@pulumi/pulumi/runtime/settings")) as unknown as { waitForRPCs?: () => Promise<void> };
    await settings.waitForRPCs?.();
    return { baselineSeconds: (performance.now() - t0) / 1000, baselinePeakRssMb: mb(process.resourceUsage().maxRSS), registered: mocks.registered };
}

/** A resource as the floor replays it: what the plan registered, without parents, providers or options. */
interface ReplayResource {
    type: string;
    name: string;
    custom: boolean;
    inputs: Record<string, unknown>;
}

/** A custom resource of any type token, with exactly the given inputs. */
class ReplayedCustomResource extends pulumi.CustomResource {
    constructor(type: string, name: string, inputs: pulumi.Inputs) {
        super(type, name, inputs);
    }
}

/** A component of any type token with no children and no outputs (what a bare component registers). */
class ReplayedComponent extends pulumi.ComponentResource {
    constructor(type: string, name: string) {
        super(type, name, {});
        this.registerOutputs({});
    }
}

/**
 * The floor for these resources: the bare SDK under its mock runtime (echo mocks, as the baseline)
 * registering the platform plan's own resources, same type tokens, names and inputs, flat, all at once, with
 * no platform code and no check. A diagnostic beside the issue's baseline (which registers as many plain
 * resources with inputs of the same average size): plan + check minus this is what the platform's code
 * and the policy check add; this minus the baseline is what these resources' shapes cost the SDK itself
 * (more input fields to serialize and decode, more output properties to resolve).
 */
async function childFloor(file: string): Promise<Record<string, number>> {
    const resources = JSON.parse(fs.readFileSync(file, "utf8")) as ReplayResource[];
    process.setSourceMapsEnabled(false);
    const t0 = performance.now();
    const mocks = countingEchoMocks();
    await pulumi.runtime.setMocks(mocks, "bench", "floor", true);
    await pulumi.runtime.runInPulumiStack(async () => {
        const urns: pulumi.Output<string>[] = [];
        const seen = new Set<string>();
        for (const [i, r] of resources.entries()) {
            // Flattened, two resources may share a type and name (their parents told them apart).
            const name = seen.has(`${r.type}::${r.name}`) ? `${r.name}-${i}` : r.name;
            seen.add(`${r.type}::${name}`);
            urns.push((r.custom ? new ReplayedCustomResource(r.type, name, r.inputs) : new ReplayedComponent(r.type, name)).urn);
        }
        await new Promise<void>((resolve) => pulumi.all(urns).apply(() => resolve()));
        return undefined;
    });
    const settings = (await import("@pulumi/pulumi/runtime/settings")) as unknown as { waitForRPCs?: () => Promise<void> };
    await settings.waitForRPCs?.();
    return { floorSeconds: (performance.now() - t0) / 1000, floorPeakRssMb: mb(process.resourceUsage().maxRSS), registered: mocks.registered };
}

function runChild(args: string[]): Promise<Record<string, number>> {
    return new Promise((resolve, reject) => {
        // Same node, same loader flags (tsx) as this process.
        const child = spawn(process.execPath, [...process.execArgv, __filename, ...args], { cwd: ROOT, stdio: ["ignore", "pipe", "inherit"] });
        let out = "";
        child.stdout.on("data", (b) => (out += b.toString()));
        child.on("exit", (code) => {
            const line = out.trim().split("\n").pop() ?? "";
            if (code !== 0) return reject(new Error(`bench child ${args.join(" ")} exited with ${code}\n${out}`));
            try {
                resolve(JSON.parse(line));
            } catch {
                reject(new Error(`bench child ${args.join(" ")} printed no result\n${out}`));
            }
        });
    });
}

export interface TargetCheck {
    target: string;
    met: boolean | undefined;
    detail: string;
}

/** The targets, evaluated on the measured rows (undefined when a size was not run). */
export function targets(rows: BenchRow[]): TargetCheck[] {
    const at = (n: number) => rows.find((r) => r.services === n);
    const r1k = at(1000);
    const r3k = at(3000);
    const fmt = (x: number) => x.toFixed(2);
    return [
        {
            target: "1,000 services: plan+check within 1.5x the bare SDK",
            met: r1k ? r1k.seconds <= 1.5 * r1k.baselineSeconds : undefined,
            detail: r1k ? `${fmt(r1k.seconds)} s vs 1.5 x ${fmt(r1k.baselineSeconds)} s = ${fmt(1.5 * r1k.baselineSeconds)} s (ratio ${fmt(r1k.seconds / r1k.baselineSeconds)})` : "size 1000 not run",
        },
        {
            target: "1,000 services: peak memory under 1 GB",
            met: r1k ? r1k.peakRssMb < 1024 : undefined,
            detail: r1k
                ? `${r1k.peakRssMb} MB at once (sum of each process's own peak: ${r1k.sumOfPeaksMb} MB = planner ${r1k.plannerPeakRssMb} + packs ${r1k.packsPeakRssMb})`
                : "size 1000 not run",
        },
        {
            target: "3,000 services: at most 3.3x the 1,000-service time",
            met: r1k && r3k ? r3k.seconds <= 3.3 * r1k.seconds : undefined,
            detail: r1k && r3k ? `${fmt(r3k.seconds)} s vs 3.3 x ${fmt(r1k.seconds)} s = ${fmt(3.3 * r1k.seconds)} s (ratio ${fmt(r3k.seconds / r1k.seconds)})` : "sizes 1000 and 3000 not both run",
        },
    ];
}

function table(rows: BenchRow[]): string {
    const head = ["services", "resources", "plan s", "check s", "total s", "peak MB", "sum of peaks MB", "SDK s", "SDK MB", "x SDK", "floor s", "floor MB", "x floor"];
    const body = rows.map((r) => [
        String(r.services),
        String(r.resources),
        r.planSeconds.toFixed(2),
        r.checkSeconds.toFixed(2),
        r.seconds.toFixed(2),
        String(r.peakRssMb),
        String(r.sumOfPeaksMb),
        r.baselineSeconds.toFixed(2),
        String(r.baselinePeakRssMb),
        (r.seconds / r.baselineSeconds).toFixed(2),
        r.floorSeconds.toFixed(2),
        String(r.floorPeakRssMb),
        (r.seconds / r.floorSeconds).toFixed(2),
    ]);
    const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
    const line = (cells: string[]) => cells.map((c, i) => c.padStart(widths[i])).join("  ");
    return [line(head), line(widths.map((w) => "-".repeat(w))), ...body.map(line)].join("\n");
}

/** A mistake in the command line: one line and the usage, exit 2, no stack trace. */
class UsageError extends Error {}
const USAGE = "usage: npm run bench -- [--sizes 10,100,1000,3000] [--json] [--stack local]";

async function main(argv: string[]): Promise<number> {
    let parsed;
    try {
        parsed = parseArgs({
            args: argv,
            options: {
                sizes: { type: "string", default: "10,100,1000,3000" },
                json: { type: "boolean", default: false },
                stack: { type: "string", default: "local" },
                child: { type: "string" },
                services: { type: "string" },
                resources: { type: "string" },
                "input-bytes": { type: "string" },
                "replay-file": { type: "string" },
            },
        });
    } catch (e) {
        throw new UsageError((e as Error).message);
    }
    const { values } = parsed;
    if (values.child === "platform") {
        console.log(JSON.stringify(await childPlatform(Number(values.services), values.stack!, values["replay-file"])));
        return 0;
    }
    if (values.child === "floor") {
        console.log(JSON.stringify(await childFloor(values["replay-file"]!)));
        return 0;
    }
    if (values.child === "baseline") {
        console.log(JSON.stringify(await childBaseline(Number(values.resources), Number(values["input-bytes"]))));
        return 0;
    }
    const sizes = values.sizes!.split(",").map((s) => Number(s.trim()));
    if (sizes.some((s) => !Number.isInteger(s) || s < 1)) throw new UsageError(`--sizes ${values.sizes}: allowed: a comma-separated list of whole numbers >= 1`);
    const rows: BenchRow[] = [];
    for (const n of sizes) {
        if (!values.json) process.stderr.write(`bench: ${n} services …\n`);
        const replayFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "bench-")), "resources.json");
        let p: Record<string, number>, b: Record<string, number>, f: Record<string, number>;
        try {
            p = await runChild(["--child", "platform", "--services", String(n), "--stack", values.stack!, "--replay-file", replayFile]);
            b = await runChild(["--child", "baseline", "--resources", String(p.resources), "--input-bytes", String(p.averageInputBytes)]);
            f = await runChild(["--child", "floor", "--replay-file", replayFile]);
        } finally {
            fs.rmSync(path.dirname(replayFile), { recursive: true, force: true });
        }
        // Same resource count on every side (each child counts what its mock monitor registered).
        for (const [side, registered] of [["baseline", b.registered], ["floor", f.registered]] as const)
            if (registered !== p.resources) throw new Error(`bench: the ${side} registered ${registered} resources, the plan had ${p.resources}`);
        rows.push({
            services: n,
            resources: p.resources,
            seconds: p.seconds,
            planSeconds: p.planSeconds,
            checkSeconds: p.checkSeconds,
            peakRssMb: p.peakRssMb,
            sumOfPeaksMb: p.sumOfPeaksMb,
            plannerPeakRssMb: p.plannerPeakRssMb,
            packsPeakRssMb: p.packsPeakRssMb,
            baselineSeconds: b.baselineSeconds,
            baselinePeakRssMb: b.baselinePeakRssMb,
            floorSeconds: f.floorSeconds,
            floorPeakRssMb: f.floorPeakRssMb,
            baselineResources: b.registered,
            floorResources: f.registered,
        });
        if (p.mandatoryViolations && !values.json) process.stderr.write(`bench: ${n} services: ${p.mandatoryViolations} mandatory policy violations\n`);
    }
    if (values.json) {
        console.log(JSON.stringify(rows, null, 2));
        return 0;
    }
    console.log(table(rows));
    console.log("");
    for (const t of targets(rows)) console.log(`${t.met === undefined ? "n/a " : t.met ? "met " : "MISS"}  ${t.target}: ${t.detail}`);
    const r1k = rows.find((r) => r.services === 1000);
    if (r1k)
        console.log(
            `info  1,000 services, the bare SDK registering these same resources (the floor): ${r1k.floorSeconds.toFixed(2)} s, ${r1k.floorPeakRssMb} MB ` +
                `(${(r1k.floorSeconds / r1k.baselineSeconds).toFixed(2)}x the baseline); plan+check is ${(r1k.seconds / r1k.floorSeconds).toFixed(2)}x the floor`,
        );
    return 0;
}

if (require.main === module) {
    main(process.argv.slice(2)).then(
        (code) => process.exit(code),
        (e) => {
            console.error(e instanceof UsageError ? `${e.message}\n${USAGE}` : `bench failed: ${(e as Error).stack ?? e}`);
            process.exit(2);
        },
    );
}
