/**
 * Runs policy packs over a plan the way `pulumi preview --policy-pack …` does: start each pack,
 * Configure it, one Analyze per resource, one AnalyzeStack with all of them.
 */
import * as path from "node:path";
import { Worker } from "node:worker_threads";
import type { RecordedResource } from "../plan/runtime";
import {
    PolicyConfigError,
    PolicyPackError,
    startPolicyPack,
    type AnalyzerResource,
    type Diagnostic,
    type EnforcementLevel,
    type PolicyInfo,
    type PolicyPackConfig,
    type PolicyPackHandle,
} from "./analyzer-client";

/** "Not applicable" answers that are named policy exceptions (reported with their reason), not mere non-matches. */
const EXEMPTION_REASON = /^policy exception "/;

export interface Violation {
    policyPack: string;
    policy: string;
    enforcementLevel: EnforcementLevel;
    urn: string;
    type: string;
    message: string;
}

export interface Exemption {
    policyPack: string;
    policy: string;
    urn: string;
    type: string;
    reason: string;
}

export interface PackStats {
    name: string;
    version: string;
    dir: string;
    startupMs: number;
    analyzeMs: number;
    /** Of analyzeMs, the AnalyzeStack call (after every Analyze answered). */
    analyzeStackMs?: number;
    resources: number;
    /** Resources analysed per second (Analyze calls plus the AnalyzeStack call). */
    resourcesPerSecond: number;
    policies: PolicyInfo[];
    /** Policies the pack config turned off (reported, so a disabled guardrail is never silent). */
    disabled?: string[];
}

export interface CheckResult {
    resources: number;
    violations: Violation[];
    exemptions: Exemption[];
    packs: PackStats[];
}

/** Go-style durations ("10m", "1h30m", "45s") → seconds, as the analyzer protocol carries them. */
function durationSeconds(d: string | undefined): number | undefined {
    if (!d) return undefined;
    let total = 0;
    for (const m of d.matchAll(/(\d+(?:\.\d+)?)(h|m|s|ms)/g)) total += Number(m[1]) * { h: 3600, m: 60, s: 1, ms: 0.001 }[m[2] as "h"];
    return total;
}

/** A planned resource as the engine sends it to analyzers. */
export function toAnalyzerResource(r: RecordedResource): AnalyzerResource {
    return {
        urn: r.urn,
        type: r.type,
        name: r.name,
        properties: r.rawInputs,
        parent: r.parent || undefined,
        provider: r.provider || undefined,
        dependencies: r.dependencies,
        options: {
            protect: r.protect,
            ignoreChanges: r.options.ignoreChanges,
            deleteBeforeReplace: r.options.deleteBeforeReplace,
            additionalSecretOutputs: r.options.additionalSecretOutputs,
            aliases: r.options.aliases,
            customTimeouts: r.options.customTimeouts
                ? {
                      create: durationSeconds(r.options.customTimeouts.create),
                      update: durationSeconds(r.options.customTimeouts.update),
                      delete: durationSeconds(r.options.customTimeouts.delete),
                  }
                : undefined,
        },
    };
}

/**
 * The provider resources of a plan, one map per resource list: the client encodes each request once per
 * (resource, providers map), so packs analyzing the same list share the encoded requests.
 */
const providerMaps = new WeakMap<AnalyzerResource[], Map<string, AnalyzerResource>>();
function providersOf(resources: AnalyzerResource[]): Map<string, AnalyzerResource> {
    let m = providerMaps.get(resources);
    if (!m) providerMaps.set(resources, (m = new Map(resources.filter((r) => r.type.startsWith("pulumi:providers:")).map((r) => [r.urn, r]))));
    return m;
}

/** Analyze requests in flight per pack. */
const ANALYZE_CONCURRENCY = 16;

/**
 * Feeds one pack its Analyze requests as resources arrive (like the engine, which analyzes each resource
 * as its step runs), up to ANALYZE_CONCURRENCY in flight; the results are kept in resource order.
 * Requests wait until `start()` (the pack is configured).
 */
class PackFeed {
    readonly results: Array<Awaited<ReturnType<PolicyPackHandle["analyze"]>>> = [];
    private next = 0;
    private inFlight = 0;
    private started = false;
    private failure: { error: unknown } | undefined;
    private idle: Array<() => void> = [];
    startedAt = 0;

    constructor(
        readonly pack: PolicyPackHandle,
        private readonly resources: AnalyzerResource[],
        private readonly providers: Map<string, AnalyzerResource>,
    ) {}

    start(): void {
        this.started = true;
        this.startedAt = Date.now();
        this.pump();
    }

    /** More resources were appended to the shared list. */
    pump(): void {
        if (!this.started || this.failure) return;
        while (this.inFlight < ANALYZE_CONCURRENCY && this.next < this.resources.length) {
            const i = this.next++;
            this.inFlight++;
            this.pack.analyze(this.resources[i], this.providers).then(
                (res) => {
                    this.results[i] = res;
                    this.inFlight--;
                    this.pump();
                    this.settle();
                },
                (error) => {
                    this.failure ??= { error };
                    this.inFlight--;
                    this.settle();
                },
            );
        }
    }

    private settle(): void {
        if (this.inFlight === 0 && (this.failure || this.next >= this.resources.length)) for (const f of this.idle.splice(0)) f();
    }

    /** Resolves when every resource appended so far is analysed; rejects with the first failed call. */
    async drained(): Promise<void> {
        if (!(this.inFlight === 0 && (this.failure || this.next >= this.resources.length))) await new Promise<void>((r) => this.idle.push(r));
        if (this.failure) throw this.failure.error;
    }
}

/** Violations and exemptions of one pack's Analyze results plus its AnalyzeStack, in resource order. */
async function collect(
    feed: PackFeed,
    resources: AnalyzerResource[],
    providers: Map<string, AnalyzerResource>,
): Promise<{ violations: Violation[]; exemptions: Exemption[]; analyzeMs: number; analyzeStackMs: number }> {
    const pack = feed.pack;
    await feed.drained();
    const typeOf = new Map(resources.map((r) => [r.urn, r.type]));
    const violations: Violation[] = [];
    const exemptions: Exemption[] = [];
    const toViolation = (d: Diagnostic): Violation => ({
        policyPack: d.policyPack,
        policy: d.policy,
        enforcementLevel: d.enforcementLevel,
        urn: d.urn,
        type: typeOf.get(d.urn) ?? "",
        message: d.message,
    });
    resources.forEach((r, i) => {
        const res = feed.results[i];
        violations.push(...res.diagnostics.map(toViolation));
        for (const n of res.notApplicable)
            if (EXEMPTION_REASON.test(n.reason)) exemptions.push({ policyPack: pack.name, policy: n.policy, urn: r.urn, type: r.type, reason: n.reason });
    });
    const stackStarted = Date.now();
    const stack = await pack.analyzeStack(resources, providers);
    violations.push(...stack.diagnostics.map(toViolation));
    return { violations, exemptions, analyzeMs: Date.now() - feed.startedAt, analyzeStackMs: Date.now() - stackStarted };
}

/** Analyzes `resources` with an already started (and configured) pack. */
export async function analyzeWithPack(
    pack: PolicyPackHandle,
    resources: AnalyzerResource[],
): Promise<{ violations: Violation[]; exemptions: Exemption[]; analyzeMs: number; analyzeStackMs: number }> {
    const providers = providersOf(resources);
    const feed = new PackFeed(pack, resources, providers);
    feed.start();
    return collect(feed, resources, providers);
}

export interface RunOptions {
    /** Per pack name, the config in `--policy-pack-config` format. */
    config?: Record<string, PolicyPackConfig>;
}

/**
 * A check that runs while the plan runs: `add` each resource as it is recorded (the packs analyze it as
 * soon as they are started and configured, as the engine's analyzers do during a preview), then `finish`
 * after the plan for the remaining Analyze calls and AnalyzeStack. The result is the same as
 * runPolicyPacks over the same resources in the same order.
 */
export interface StreamingCheck {
    add(resource: RecordedResource): void;
    /** The same, for a resource already in the analyzer's form. */
    addAnalyzerResource(resource: AnalyzerResource): void;
    finish(): Promise<CheckResult>;
    /** Stops the packs (always call it, also after a failure). */
    close(): Promise<void>;
}

/**
 * Starts every pack in `packDirs` at once. `config` gives each pack's config once the packs are known
 * (their policy names come from GetAnalyzerInfo), or is a fixed map.
 */
export function startStreamingCheck(
    packDirs: string[],
    config: RunOptions["config"] | ((packs: PolicyPackHandle[]) => RunOptions["config"]) = {},
): StreamingCheck {
    const resources: AnalyzerResource[] = [];
    const providers = new Map<string, AnalyzerResource>();
    const each = packDirs.map((d) => startPolicyPack(d));
    const starting = Promise.all(each);
    // Every pack that did start, also when a sibling failed to, so close() can stop them.
    const settled = Promise.allSettled(each);
    const feeds = starting.then(async (packs) => {
        const cfg = typeof config === "function" ? config(packs) : config;
        return Promise.all(
            packs.map(async (pack) => {
                await pack.configure(cfg?.[pack.name] ?? {});
                const feed = new PackFeed(pack, resources, providers);
                feed.start();
                return feed;
            }),
        );
    });
    feeds.catch(() => undefined); // reported by finish()
    let ready: PackFeed[] = [];
    void feeds.then((f) => (ready = f), () => undefined);
    return {
        add(r) {
            this.addAnalyzerResource(toAnalyzerResource(r));
        },
        addAnalyzerResource(a) {
            resources.push(a);
            // A provider registers (and is recorded) before any resource that uses it.
            if (a.type.startsWith("pulumi:providers:")) providers.set(a.urn, a);
            for (const f of ready) f.pump();
        },
        async finish() {
            const fs = await feeds;
            for (const f of fs) f.pump();
            // The packs are separate processes: all at once, reported in pack order.
            const analyzed = await Promise.all(fs.map((f) => collect(f, resources, providers)));
            const result: CheckResult = { resources: resources.length, violations: [], exemptions: [], packs: [] };
            for (const [i, f] of fs.entries()) {
                const r = analyzed[i];
                result.violations.push(...r.violations);
                result.exemptions.push(...r.exemptions);
                result.packs.push({
                    name: f.pack.name,
                    version: f.pack.version,
                    dir: f.pack.dir,
                    startupMs: f.pack.startupMs,
                    analyzeMs: r.analyzeMs,
                    analyzeStackMs: r.analyzeStackMs,
                    resources: resources.length,
                    resourcesPerSecond: resources.length / Math.max(r.analyzeMs / 1000, 0.001),
                    policies: f.pack.policies,
                    disabled: f.pack.disabled(),
                });
            }
            return result;
        },
        async close() {
            const packs = await settled;
            await Promise.all(packs.map((p) => (p.status === "fulfilled" ? p.value.close() : undefined)));
        },
    };
}

/** Starts every pack in `packDirs`, analyzes the plan's resources, stops the packs. */
export async function runPolicyPacks(resources: RecordedResource[], packDirs: string[], opts: RunOptions = {}): Promise<CheckResult> {
    const check = startStreamingCheck(packDirs, opts.config);
    try {
        for (const r of resources) check.add(r);
        return await check.finish();
    } finally {
        await check.close();
    }
}

/**
 * startStreamingCheck in a worker thread. The plan keeps its thread's event loop busy (the SDK's mock
 * runtime resolves registrations in promise continuations, so timers and I/O wait until the plan ends):
 * packs started from the planning thread could not be configured or sent anything before the plan was
 * over. In a worker, the packs' handshakes, the request encoding and the Analyze calls run on their own
 * event loop while the plan runs; the planning thread only posts each recorded resource.
 * `configs` are `--policy-pack-config` files, split between the packs by their policy names.
 */
export function startStreamingCheckInWorker(packDirs: string[], configs: PolicyPackConfig[] = []): StreamingCheck {
    const worker = new Worker(path.join(__dirname, "check-worker.js"), { workerData: { packDirs, configs }, execArgv: [] });
    let exited = false;
    const exit = new Promise<void>((resolve) => worker.once("exit", () => resolve(void (exited = true))));
    const reply = new Promise<CheckResult>((resolve, reject) => {
        worker.on("message", (m: { result?: CheckResult; error?: { name: string; message: string; stack?: string } }) => {
            if (m.result) resolve(m.result);
            else if (m.error) {
                // Ordinary failures keep their class (and no stack trace); anything else is a bug: keep its stack.
                const ordinary = { PolicyConfigError, PolicyPackError }[m.error.name as "PolicyConfigError" | "PolicyPackError"];
                const e = ordinary ? new ordinary(m.error.message) : new Error(m.error.message);
                if (!ordinary) e.stack = m.error.stack;
                reject(e);
            }
        });
        worker.once("error", reject);
        void exit.then(() => reject(new Error("policy check worker exited before answering")));
    });
    reply.catch(() => undefined); // reported by finish()
    return {
        add(r) {
            this.addAnalyzerResource(toAnalyzerResource(r));
        },
        addAnalyzerResource(a) {
            worker.postMessage({ resource: a });
        },
        async finish() {
            worker.postMessage({ finish: true });
            return reply;
        },
        async close() {
            if (!exited) worker.postMessage({ close: true });
            // The worker stops its packs (each bounded, see PolicyPackHandle.close); should it still not
            // exit, it is terminated rather than waited for.
            const timer = setTimeout(() => void worker.terminate(), WORKER_CLOSE_TIMEOUT_MS);
            await exit;
            clearTimeout(timer);
        },
    };
}

/** How long the check's worker may take to stop its packs after close. */
const WORKER_CLOSE_TIMEOUT_MS = 15_000;
