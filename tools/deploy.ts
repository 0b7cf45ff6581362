/**
 * npm run deploy -- --stack <name> [--policy-pack-config <file>] [--backend <url>] [--preview-only]
 *                   [--timeout-minutes <n>] [--probe-timeout-seconds <n>]
 *
 * The automated deploy CI runs on push to main, through Pulumi's Automation API (the real CLI must
 * be on PATH): validate the stack config offline, select or create the stack, check that every
 * Kubernetes API endpoint the stack already has is reachable from this machine, preview with every
 * policy pack under policies/, stop on a mandatory violation, then `up` and print the outputs.
 * Exit codes: 0 deployed (or previewed cleanly), 1 mandatory policy violation, 2 any other failure,
 * 3 a Kubernetes API endpoint is unreachable from here (nothing was previewed or deployed),
 * 4 preview + up ran past --timeout-minutes (the CLI was interrupted).
 */
import { exitAfterFlush } from "./exit";
import { LocalWorkspace, type EngineEvent, type OutputMap } from "@pulumi/pulumi/automation";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { parse as parseYaml } from "yaml";
import { parsePlatformConfig, rawPlatformConfig, type PlatformConfig } from "../stacks/config";
import { loadStackConfig, PROJECT_ROOT } from "./plan/stack-config";
import { perPackConfigFiles, stackPackConfigFiles } from "./policy/pack-config";

export interface DeployOptions {
    stack: string;
    /**
     * Policy pack config files (JSON, `--policy-pack-config` format, for all packs together). The CLI takes
     * one config per `--policy-pack`, in order, and a pack rejects policy names it does not declare, so the
     * entries are split per pack by the policy names each declares (as `npm run check` does).
     */
    policyPackConfigs?: string[];
    /** State backend URL (s3://, azblob://, gs://, file://, https://api.pulumi.com); default: the CLI's login. */
    backend?: string;
    previewOnly?: boolean;
    /**
     * Upper bound on preview + up together. On expiry the CLI gets SIGINT (the Automation API's abort
     * signal), which makes it cancel cleanly and write its state, and the deploy exits 4.
     */
    timeoutMinutes?: number;
    /** Deadline of each TCP probe of a Kubernetes API endpoint (default 10 s). */
    probeTimeoutSeconds?: number;
    /** How the probe opens a TCP connection (tests pass a stand-in; default net.connect). */
    connect?: (options: net.NetConnectOpts) => net.Socket;
    root?: string;
    log?: (line: string) => void;
}

export interface PolicyViolation {
    policyPack: string;
    policy: string;
    enforcementLevel: string;
    urn: string;
    message: string;
}

export interface DeployResult {
    exitCode: 0 | 1 | 2 | 3 | 4;
    violations: PolicyViolation[];
    outputs?: Record<string, unknown>;
    error?: string;
}

/** Folders under policies/ that hold a policy pack (a PulumiPolicy.yaml). */
export function policyPacks(root = PROJECT_ROOT): string[] {
    const dir = path.join(root, "policies");
    if (!fs.existsSync(dir)) return [];
    return fs
        .readdirSync(dir)
        .filter((d) => fs.existsSync(path.join(dir, d, "PulumiPolicy.yaml")))
        .sort()
        .map((d) => path.join(dir, d));
}

function maskOutputs(outputs: OutputMap, maskSecrets = true): Record<string, unknown> {
    return Object.fromEntries(Object.entries(outputs).map(([k, v]) => [k, maskSecrets && v.secret ? "[secret]" : v.value]));
}

/** Exit code when a Kubernetes API endpoint of the stack cannot be reached from this machine. */
export const EXIT_ENDPOINT_UNREACHABLE = 3;
/** Exit code when preview + up ran past `timeoutMinutes`. */
export const EXIT_TIMEOUT = 4;

/** A Kubernetes API server the deploy needs to reach: the in-cluster resources go through it. */
export interface ApiEndpoint {
    /** `aws`, `azure`, `gcp` or `kubernetes`. */
    target: string;
    server: string;
    host: string;
    port: number;
}

/** What to do when a target's endpoint is unreachable (docs/e2e.md "Runners that reach the API endpoints"). */
const REACH_HINTS: Record<string, string> = {
    aws: "EKS has a private endpoint only: run the deploy on a runner inside the VPC (a CodeBuild-hosted GitHub Actions runner in the VPC, label in the repository variable RUNNER_<STACK>) or from a network listed in platform:cluster.authorizedCidrs",
    azure: "AKS is a private cluster (its FQDN resolves only in the private DNS zone): run the deploy on a GitHub-hosted runner with Azure private networking in a VNet that is peered with the cluster's VNet and linked to its private DNS zone (label in RUNNER_<STACK>)",
    gcp: "GKE's IP endpoints are private: reach the DNS-based control-plane endpoint (IAM-authorized, reachable from hosted runners) or run the deploy from a network listed in platform:cluster.authorizedCidrs",
    kubernetes: "the kubeconfig's cluster does not answer: is it running (kind get clusters; docker ps)? Is platform:kubernetes.context the right context?",
};

function endpointOf(target: string, server: string): ApiEndpoint | undefined {
    let url: URL;
    try {
        url = new URL(server);
    } catch {
        return undefined;
    }
    const port = url.port ? Number(url.port) : url.protocol === "http:" ? 80 : 443;
    return { target, server, host: url.hostname.replace(/^\[|\]$/g, ""), port };
}

/**
 * The API servers of a kubeconfig (YAML or JSON): the one of `context` (default: its current context)
 * when the kubeconfig names contexts, else every cluster's.
 */
export function kubeconfigServers(text: string, context?: string): string[] {
    const doc = parseYaml(text) as any;
    const clusters: any[] = Array.isArray(doc?.clusters) ? doc.clusters : [];
    const contexts: any[] = Array.isArray(doc?.contexts) ? doc.contexts : [];
    const name = context ?? doc?.["current-context"];
    const ctx = contexts.find((c) => c?.name === name);
    if (ctx) {
        const cluster = clusters.find((c) => c?.name === ctx.context?.cluster);
        return cluster?.cluster?.server ? [String(cluster.cluster.server)] : [];
    }
    if (context) return [];
    return clusters.map((c) => c?.cluster?.server).filter((s): s is string => typeof s === "string");
}

/**
 * The managed clusters' API endpoints recorded in the stack outputs (`<cloud>.kubeconfig`, written by
 * stacks/platform.ts foundationOutputs). Empty before the first successful `up`.
 */
export function endpointsFromOutputs(outputs: Record<string, unknown>): ApiEndpoint[] {
    const found: ApiEndpoint[] = [];
    for (const target of ["aws", "azure", "gcp"]) {
        const out = outputs[target] as { kubeconfig?: unknown } | undefined;
        if (!out || typeof out !== "object" || typeof out.kubeconfig !== "string") continue;
        let servers: string[];
        try {
            servers = kubeconfigServers(out.kubeconfig);
        } catch {
            continue;
        }
        for (const server of servers) {
            const e = endpointOf(target, server);
            if (e) found.push(e);
        }
    }
    return found;
}

/**
 * The `kubernetes` target's API server, read from the kubeconfig the provider will use (the same
 * resolution as kubectl: platform:kubernetes.kubeconfig, else the first file of $KUBECONFIG, else
 * ~/.kube/config; platform:kubernetes.context, else the current context). A string is the reason it
 * cannot be determined.
 */
export function kubernetesTargetEndpoint(cfg: { context?: string; kubeconfig?: string }, env = process.env): ApiEndpoint | string {
    const expand = (p: string) => (p.startsWith("~/") ? path.join(os.homedir(), p.slice(2)) : p);
    const file = expand(cfg.kubeconfig ?? env.KUBECONFIG?.split(path.delimiter).find(Boolean) ?? "~/.kube/config");
    if (!fs.existsSync(file)) return `the kubeconfig ${file} does not exist (create the cluster first, e.g. kind create cluster)`;
    let servers: string[];
    try {
        servers = kubeconfigServers(fs.readFileSync(file, "utf8"), cfg.context);
    } catch (e) {
        return `the kubeconfig ${file} cannot be read: ${(e as Error).message}`;
    }
    const label = cfg.context ? `context ${cfg.context}` : "the current context";
    if (!servers.length) return `the kubeconfig ${file} has no cluster for ${label} (platform:kubernetes.context)`;
    return endpointOf("kubernetes", servers[0]) ?? `the kubeconfig ${file} names an invalid server ${JSON.stringify(servers[0])} for ${label}`;
}

/** Opens a TCP connection to the endpoint within `timeoutMs`; undefined when it connects, else why not. */
export function probeEndpoint(e: ApiEndpoint, timeoutMs: number, connect: (options: net.NetConnectOpts) => net.Socket = net.connect): Promise<string | undefined> {
    return new Promise((resolve) => {
        // The deadline covers the name lookup too (a private name may hang in DNS instead of failing).
        const socket = connect({ host: e.host, port: e.port });
        const done = (reason: string | undefined) => {
            clearTimeout(timer);
            socket.destroy();
            resolve(reason);
        };
        const timer = setTimeout(() => done(`no TCP answer within ${timeoutMs / 1000} s`), timeoutMs);
        socket.once("connect", () => done(undefined));
        socket.once("error", (err: NodeJS.ErrnoException) => {
            const why: Record<string, string> = {
                ENOTFOUND: "the name does not resolve from here (a private DNS zone?)",
                EAI_AGAIN: "the name does not resolve from here (DNS lookup failed)",
                ECONNREFUSED: "connection refused",
                EHOSTUNREACH: "no route to the host",
                ENETUNREACH: "no route to the network",
                ETIMEDOUT: "the connection timed out",
            };
            done(why[err.code ?? ""] ?? `${err.code ?? "error"}: ${err.message}`);
        });
    });
}

/**
 * The unreachable-endpoint message, or undefined when every known endpoint answers. Managed clusters
 * that do not exist yet (no stack outputs) cannot be probed; the deploy's timeout bounds that case.
 */
async function checkEndpoints(
    config: PlatformConfig,
    outputs: Record<string, unknown>,
    probeTimeoutMs: number,
    log: (line: string) => void,
    connect?: (options: net.NetConnectOpts) => net.Socket,
): Promise<string | undefined> {
    const endpoints = endpointsFromOutputs(outputs).filter((e) => config.clouds.includes(e.target as never));
    const problems: string[] = [];
    if (config.clouds.includes("kubernetes")) {
        const e = kubernetesTargetEndpoint(config.kubernetes);
        if (typeof e === "string") problems.push(`kubernetes: ${e}`);
        else endpoints.push(e);
    }
    const missing = config.clouds.filter((c) => c !== "kubernetes" && !endpoints.some((e) => e.target === c));
    if (missing.length) log(`no API endpoint recorded yet for ${missing.join(", ")} (first deploy): the cluster is created by this run`);
    const results = await Promise.all(endpoints.map(async (e) => ({ e, reason: await probeEndpoint(e, probeTimeoutMs, connect) })));
    for (const { e, reason } of results) {
        if (reason) problems.push(`${e.target}: ${e.server} (${e.host}:${e.port}): ${reason}. ${REACH_HINTS[e.target] ?? ""}`.trim());
        else log(`${e.target}: Kubernetes API ${e.host}:${e.port} reachable`);
    }
    if (!problems.length) return undefined;
    return [
        "The Kubernetes API endpoint is not reachable from this machine, so the in-cluster resources could not be",
        "installed (the deploy would hang on the first of them). Nothing was previewed or deployed.",
        ...problems.map((p) => `  - ${p}`),
        "Run the deploy where the endpoints are reachable: docs/e2e.md, \"Runners that reach the API endpoints\".",
    ].join("\n");
}

export async function deploy(opts: DeployOptions): Promise<DeployResult> {
    const root = opts.root ?? PROJECT_ROOT;
    const log = opts.log ?? ((l: string) => console.log(l));
    // Fail fast and offline on a bad config, before the CLI or any cloud is touched.
    let config: PlatformConfig;
    try {
        // The same checks as the plan, secrets included (a plain-text value where a secret is required).
        const sc = loadStackConfig(opts.stack, { root });
        config = parsePlatformConfig(rawPlatformConfig(sc.config), { isSecret: (key) => sc.secretKeys.includes(key) });
    } catch (e) {
        return { exitCode: 2, violations: [], error: (e as Error).message };
    }
    const packs = policyPacks(root);
    let packConfigs: string[];
    // The per-pack config files live only as long as this deploy.
    let packConfigDir: string | undefined;
    try {
        // The stack's own pack configuration (policies/config, as npm run check applies it), then the given files.
        const configFiles = [...stackPackConfigFiles(opts.stack, packs, path.join(root, "policies/config")), ...(opts.policyPackConfigs ?? [])];
        if (configFiles.length) packConfigDir = fs.mkdtempSync(path.join(os.tmpdir(), "policy-pack-config-"));
        packConfigs = await perPackConfigFiles(configFiles, packs, packConfigDir);
    } catch (e) {
        removeDir(packConfigDir);
        return { exitCode: 2, violations: [], error: (e as Error).message };
    }
    const violations: PolicyViolation[] = [];
    // An engine event is reported once per sequence number; an event log that is re-read (file tailing
    // on older CLIs) must not double-count a violation.
    const seen = new Set<number>();
    const onEvent = (event: EngineEvent) => {
        const p = event.policyEvent;
        if (!p) return;
        if (seen.has(event.sequence)) return;
        seen.add(event.sequence);
        violations.push({
            policyPack: p.policyPackName,
            policy: p.policyName,
            enforcementLevel: p.enforcementLevel,
            urn: p.resourceUrn ?? "",
            message: p.message,
        });
    };
    // One deadline for preview + up: on expiry the Automation API sends the CLI SIGINT
    // (@pulumi/pulumi 3.270 automation/cmd.js exec: signal "abort" → proc.kill("SIGINT")), and the
    // CLI cancels the operation and saves its state instead of being killed mid-write.
    const abort = new AbortController();
    let timedOut = false;
    const timer =
        opts.timeoutMinutes !== undefined
            ? setTimeout(() => {
                  timedOut = true;
                  abort.abort();
              }, opts.timeoutMinutes * 60_000)
            : undefined;
    try {
        const stack = await LocalWorkspace.createOrSelectStack(
            { stackName: opts.stack, workDir: root },
            { envVars: opts.backend ? { PULUMI_BACKEND_URL: opts.backend } : {} },
        );
        // A private endpoint the runner cannot reach makes the first in-cluster resource (and the preview
        // of one) wait on a connection that never opens: probe first, fail in seconds with what to do.
        const unreachable = await checkEndpoints(config, maskOutputs(await stack.outputs(), false), (opts.probeTimeoutSeconds ?? 10) * 1000, log, opts.connect);
        if (unreachable) return { exitCode: EXIT_ENDPOINT_UNREACHABLE, violations, error: unreachable };
        // An abort signal that fired before the command started would never reach it.
        abort.signal.throwIfAborted();
        log(`stack ${opts.stack}: preview with ${packs.length} policy pack(s): ${packs.map((p) => path.basename(p)).join(", ")}`);
        try {
            await stack.preview({ policyPacks: packs, policyPackConfigs: packConfigs.length ? packConfigs : undefined, onEvent, onOutput: log, signal: abort.signal });
        } catch (e) {
            if (violations.some((v) => v.enforcementLevel === "mandatory")) throw new MandatoryViolation();
            throw e;
        }
        // The CLI fails a preview with mandatory violations; this guards a CLI that only reports them.
        if (violations.some((v) => v.enforcementLevel === "mandatory")) throw new MandatoryViolation();
        if (opts.previewOnly) return { exitCode: 0, violations };
        abort.signal.throwIfAborted();
        log(`stack ${opts.stack}: up`);
        // The update's summary event says the engine finished it; what the CLI prints afterwards (history,
        // outputs) is read separately, so unreadable output after a finished update is reported as that.
        let finished: EngineEvent["summaryEvent"] | undefined;
        try {
            await stack.up({
                policyPacks: packs,
                policyPackConfigs: packConfigs.length ? packConfigs : undefined,
                onOutput: log,
                onEvent: (ev) => void (ev.summaryEvent && (finished = ev.summaryEvent)),
                signal: abort.signal,
            });
            return { exitCode: 0, violations, outputs: maskOutputs(await stack.outputs()) };
        } catch (e) {
            if (!finished || timedOut || !unreadable(e)) throw e;
            const changes = Object.entries(finished.resourceChanges ?? {}).map(([op, n]) => `${n} ${op}`).join(", ") || "no changes";
            return {
                exitCode: 0,
                violations,
                error:
                    `stack ${opts.stack}: the update finished (${changes}), so the deploy happened; but what the CLI printed ` +
                    `afterwards could not be read (${firstLine((e as Error).message)}). Nothing needs redeploying: read the ` +
                    `outputs with \`pulumi stack output --stack ${opts.stack}\` and the result with \`pulumi stack history\`.`,
            };
        }
    } catch (e) {
        if (e instanceof MandatoryViolation) {
            return { exitCode: 1, violations, error: "mandatory policy violations; nothing was deployed" };
        }
        if (timedOut) {
            return {
                exitCode: EXIT_TIMEOUT,
                violations,
                error:
                    `stack ${opts.stack}: preview + up ran past --timeout-minutes ${opts.timeoutMinutes}; the CLI was interrupted ` +
                    `(SIGINT) and cancelled the operation. Resources created so far are in the state; an operation left ` +
                    `pending by the interruption is resolved with \`pulumi refresh\` (--import-pending-creates when the ` +
                    `resource exists, --clear-pending-creates when it does not). If it hung on an in-cluster resource, ` +
                    `check that this runner reaches the cluster's API endpoint (docs/e2e.md).`,
            };
        }
        if (cliMissing(e))
            return {
                exitCode: 2,
                violations,
                error:
                    "the Pulumi CLI is not installed or not on PATH (the deploy drives it through the Automation API). Install it: " +
                    "`curl -fsSL https://get.pulumi.com | sh` (Linux, macOS), `brew install pulumi`, or `choco install pulumi` " +
                    "(https://www.pulumi.com/docs/iac/download-install/); in GitHub Actions the pulumi/actions step installs it.",
            };
        return { exitCode: 2, violations, error: (e as Error).message };
    } finally {
        if (timer) clearTimeout(timer);
        removeDir(packConfigDir);
    }
}

function removeDir(dir: string | undefined): void {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
}

const firstLine = (s: string) => s.split("\n").find((l) => l.trim())?.trim() ?? s;

/** A spawn of `pulumi` that failed because there is no such program. */
function cliMissing(e: unknown): boolean {
    const err = e as NodeJS.ErrnoException & { message?: string };
    return err?.code === "ENOENT" || (/\bENOENT\b/.test(err?.message ?? "") && /pulumi/.test(err?.message ?? ""));
}

/** The CLI answered with something that is not the JSON the Automation API expects. */
function unreadable(e: unknown): boolean {
    return e instanceof SyntaxError || /JSON|Unexpected token|could not parse|unexpected end/i.test((e as Error)?.message ?? "");
}

class MandatoryViolation extends Error {}

async function main(): Promise<number> {
    const usage =
        "usage: npm run deploy -- --stack <name> [--policy-pack-config <file>] [--backend <url>] [--preview-only] [--timeout-minutes <n>] [--probe-timeout-seconds <n>]";
    let parsed;
    try {
        parsed = parseArgs({
            options: {
                stack: { type: "string" },
                "policy-pack-config": { type: "string", multiple: true },
                backend: { type: "string" },
                "preview-only": { type: "boolean", default: false },
                "timeout-minutes": { type: "string", default: "90" },
                "probe-timeout-seconds": { type: "string", default: "10" },
            },
        });
    } catch (e) {
        // e.g. `--yes`: the deploy never asks, it previews with every pack and stops on a mandatory violation.
        console.error(`${(e as Error).message}\n${usage}`);
        return 2;
    }
    const { values } = parsed;
    const timeoutMinutes = Number(values["timeout-minutes"]);
    const probeTimeoutSeconds = Number(values["probe-timeout-seconds"]);
    if (!values.stack) {
        console.error(usage);
        return 2;
    }
    if (!(timeoutMinutes > 0)) {
        console.error(`--timeout-minutes: ${JSON.stringify(values["timeout-minutes"])} is not a positive number of minutes\n${usage}`);
        return 2;
    }
    if (!(probeTimeoutSeconds > 0)) {
        console.error(`--probe-timeout-seconds: ${JSON.stringify(values["probe-timeout-seconds"])} is not a positive number of seconds\n${usage}`);
        return 2;
    }
    const result = await deploy({
        stack: values.stack,
        policyPackConfigs: values["policy-pack-config"],
        backend: values.backend ?? process.env.PULUMI_BACKEND_URL,
        previewOnly: values["preview-only"],
        timeoutMinutes,
        probeTimeoutSeconds,
    });
    for (const v of result.violations) {
        console.error(`[${v.enforcementLevel}] ${v.policyPack}/${v.policy} ${v.urn}: ${v.message}`);
    }
    if (result.error) console.error(result.error);
    if (result.outputs) console.log(JSON.stringify(result.outputs, null, 2));
    return result.exitCode;
}

if (require.main === module) {
    main().then(
        (code) => exitAfterFlush(code),
        (e) => {
            console.error(e);
            exitAfterFlush(2);
        },
    );
}
