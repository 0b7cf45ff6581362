/**
 * Runs policy packs over a plan the way `pulumi preview --policy-pack …` does: start each pack,
 * Configure it, one Analyze per resource, one AnalyzeStack with all of them.
 */
import type { RecordedResource } from "../plan/runtime";
import {
    startPolicyPack,
    type AnalyzerResource,
    type Diagnostic,
    type EnforcementLevel,
    type PolicyInfo,
    type PolicyPackConfig,
    type PolicyPackHandle,
} from "./analyzer-client";

/** "Not applicable" answers that are explicit, configured exemptions (reported), not mere non-matches. */
const EXEMPTION_REASON = /^(public edge exception|pod security exception)/;

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
    resources: number;
    /** Resources analysed per second (Analyze calls plus the AnalyzeStack call). */
    resourcesPerSecond: number;
    policies: PolicyInfo[];
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

/** Analyzes `resources` with an already started pack. */
export async function analyzeWithPack(
    pack: PolicyPackHandle,
    resources: AnalyzerResource[],
): Promise<{ violations: Violation[]; exemptions: Exemption[]; analyzeMs: number }> {
    const typeOf = new Map(resources.map((r) => [r.urn, r.type]));
    const providers = providersOf(resources);
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
    const started = Date.now();
    // One Analyze per resource; like the engine's parallel step executor, several are in flight at once
    // (the pack answers them in turn), and the results are collected in resource order.
    const results = new Array<Awaited<ReturnType<PolicyPackHandle["analyze"]>>>(resources.length);
    let next = 0;
    const worker = async () => {
        while (next < resources.length) {
            const i = next++;
            results[i] = await pack.analyze(resources[i], providers);
        }
    };
    await Promise.all(Array.from({ length: Math.min(ANALYZE_CONCURRENCY, resources.length) }, worker));
    resources.forEach((r, i) => {
        const res = results[i];
        violations.push(...res.diagnostics.map(toViolation));
        for (const n of res.notApplicable)
            if (EXEMPTION_REASON.test(n.reason)) exemptions.push({ policyPack: pack.name, policy: n.policy, urn: r.urn, type: r.type, reason: n.reason });
    });
    const stack = await pack.analyzeStack(resources, providers);
    violations.push(...stack.diagnostics.map(toViolation));
    return { violations, exemptions, analyzeMs: Date.now() - started };
}

export interface RunOptions {
    /** Per pack name, the config in `--policy-pack-config` format. */
    config?: Record<string, PolicyPackConfig>;
}

/** Starts every pack in `packDirs`, analyzes the plan's resources, stops the packs. */
export async function runPolicyPacks(resources: RecordedResource[], packDirs: string[], opts: RunOptions = {}): Promise<CheckResult> {
    const analyzerResources = resources.map(toAnalyzerResource);
    const result: CheckResult = { resources: resources.length, violations: [], exemptions: [], packs: [] };
    const packs = await Promise.all(packDirs.map((d) => startPolicyPack(d)));
    try {
        // The packs are separate processes: analyze with all of them at once, report in pack order.
        const analyzed = await Promise.all(
            packs.map(async (pack) => {
                await pack.configure(opts.config?.[pack.name] ?? {});
                return analyzeWithPack(pack, analyzerResources);
            }),
        );
        for (const [i, pack] of packs.entries()) {
            const r = analyzed[i];
            result.violations.push(...r.violations);
            result.exemptions.push(...r.exemptions);
            result.packs.push({
                name: pack.name,
                version: pack.version,
                dir: pack.dir,
                startupMs: pack.startupMs,
                analyzeMs: r.analyzeMs,
                resources: analyzerResources.length,
                resourcesPerSecond: analyzerResources.length / Math.max(r.analyzeMs / 1000, 0.001),
                policies: pack.policies,
            });
        }
    } finally {
        await Promise.all(packs.map((p) => p.close()));
    }
    return result;
}
