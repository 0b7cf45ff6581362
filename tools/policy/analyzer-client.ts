/**
 * A policy-pack client speaking the engine's analyzer gRPC protocol (pulumi/analyzer.proto).
 *
 * `startPolicyPack(dir)` starts a pack exactly as `pulumi preview --policy-pack <dir>` does for a
 * nodejs pack: `node <dir's @pulumi/pulumi>/cmd/run-policy-pack <engine-address> .` with the pack
 * folder as working directory, reads the port the pack prints on stdout, and connects. The returned
 * handle calls GetAnalyzerInfo, GetPluginInfo, Configure, Analyze and AnalyzeStack. Generic: it
 * knows nothing about any particular pack.
 */
import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import * as grpc from "@grpc/grpc-js";
import * as analyzerRpc from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import * as pb from "@pulumi/pulumi/proto/analyzer_pb";
import Ajv from "ajv";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { Struct, type JavaScriptValue } from "google-protobuf/google/protobuf/struct_pb";
import { startEngineStub, type EngineStub } from "./engine-stub";
import { concatBytes, encodeStruct, lengthDelimited } from "./struct-encoding";

export type EnforcementLevel = "advisory" | "mandatory" | "disabled" | "remediate";
const LEVELS: EnforcementLevel[] = ["advisory", "mandatory", "disabled", "remediate"];
const toLevel = (l: number): EnforcementLevel => LEVELS[l] ?? "advisory";
const fromLevel = (l: EnforcementLevel): number => LEVELS.indexOf(l);

/** One resource as the engine hands it to an analyzer. */
export interface AnalyzerResource {
    urn: string;
    type: string;
    name: string;
    /** Input properties; the engine's unknown sentinel marks values a preview cannot know. */
    properties: Record<string, unknown>;
    parent?: string;
    /** URN of the explicit provider resource, if any. */
    provider?: string;
    dependencies?: string[];
    options?: {
        protect?: boolean;
        ignoreChanges?: string[];
        deleteBeforeReplace?: boolean;
        additionalSecretOutputs?: string[];
        aliases?: string[];
        customTimeouts?: { create?: number; update?: number; delete?: number };
    };
}

export interface PolicyInfo {
    name: string;
    description: string;
    enforcementLevel: EnforcementLevel;
    configSchema?: { properties: Record<string, any>; required: string[] };
}

export interface Diagnostic {
    policyPack: string;
    policyPackVersion: string;
    policy: string;
    description: string;
    enforcementLevel: EnforcementLevel;
    /** The resource the diagnostic is about ("" for a stack-wide finding). */
    urn: string;
    message: string;
}

export interface NotApplicable {
    policy: string;
    reason: string;
}

export interface AnalyzeResult {
    diagnostics: Diagnostic[];
    notApplicable: NotApplicable[];
}

/**
 * Policy-pack configuration in the format of `pulumi preview --policy-pack-config <file>`:
 * `{ "all": "advisory", "<policy>": "mandatory" | { "enforcementLevel": …, …properties } }`.
 */
export type PolicyPackConfig = Record<string, EnforcementLevel | ({ enforcementLevel?: EnforcementLevel } & Record<string, unknown>)>;

export class PolicyConfigError extends Error {}

/**
 * A policy pack that failed as a process: it did not start, died (a signal such as the out-of-memory
 * killer's SIGKILL, or an exit) or did not answer a call within its deadline. An ordinary failure with a
 * message that names the pack, never a stack trace; the check exits 2 on it.
 */
export class PolicyPackError extends Error {}

/** Deadline of one analyzer call unless StartOptions.rpcTimeoutMs says otherwise (env PLATFORM_POLICY_RPC_TIMEOUT_MS). */
export const DEFAULT_RPC_TIMEOUT_MS = 300_000;

export interface PolicyPackHandle {
    dir: string;
    name: string;
    version: string;
    policies: PolicyInfo[];
    /** Milliseconds from spawning the process until the pack printed its port. */
    startupMs: number;
    /** Resolves the config as the engine does (defaults, "all", schema validation) and sends Configure. */
    configure(config?: PolicyPackConfig): Promise<void>;
    /** The policies the last configure() turned off (enforcement level "disabled"). */
    disabled(): string[];
    analyze(resource: AnalyzerResource, providers?: Map<string, AnalyzerResource>): Promise<AnalyzeResult>;
    analyzeStack(resources: AnalyzerResource[], providers?: Map<string, AnalyzerResource>): Promise<AnalyzeResult>;
    pluginVersion(): Promise<string>;
    /** What the pack wrote on stderr so far. */
    stderr(): string;
    close(): Promise<void>;
}

/** Every folder under `root` (one level deep) holding a PulumiPolicy.yaml, sorted. */
export function discoverPolicyPacks(root: string): string[] {
    if (!fs.existsSync(root)) return [];
    return fs
        .readdirSync(root, { withFileTypes: true })
        .filter((d) => d.isDirectory() && fs.existsSync(path.join(root, d.name, "PulumiPolicy.yaml")))
        .map((d) => path.join(root, d.name))
        .sort();
}

/** Plain JSON (drops undefined, which a protobuf Struct cannot carry). */
function toStruct(value: Record<string, unknown>): Struct {
    return Struct.fromJavaScript(JSON.parse(JSON.stringify(value ?? {})) as Record<string, JavaScriptValue>);
}

function options(r: AnalyzerResource): pb.AnalyzerResourceOptions {
    const o = new pb.AnalyzerResourceOptions();
    o.setProtect(r.options?.protect ?? false);
    o.setIgnorechangesList(r.options?.ignoreChanges ?? []);
    o.setDeletebeforereplace(r.options?.deleteBeforeReplace ?? false);
    o.setDeletebeforereplacedefined(r.options?.deleteBeforeReplace !== undefined);
    o.setAdditionalsecretoutputsList(r.options?.additionalSecretOutputs ?? []);
    o.setAliasesList(r.options?.aliases ?? []);
    if (r.parent) o.setParent(r.parent);
    const t = r.options?.customTimeouts;
    if (t) {
        const ct = new pb.AnalyzerResourceOptions.CustomTimeouts();
        ct.setCreate(t.create ?? 0).setUpdate(t.update ?? 0).setDelete(t.delete ?? 0);
        o.setCustomtimeouts(ct);
    }
    return o;
}

/**
 * Requests are encoded once per resource and reused for every pack (and every call): the properties go
 * straight from JSON to protobuf bytes (struct-encoding.ts) instead of through google-protobuf's message
 * tree, and a provider's bytes are built once for the thousands of resources that share it. The caches
 * are keyed by the caller's objects, so they go when the resources do.
 */
const NO_PROVIDERS = new Map<string, AnalyzerResource>();
const propertiesBytes = new WeakMap<AnalyzerResource, Uint8Array>();
const providerBytes = new WeakMap<Map<string, AnalyzerResource>, Map<string, Uint8Array>>();
const analyzeBytes = new WeakMap<Map<string, AnalyzerResource>, WeakMap<AnalyzerResource, Uint8Array>>();
const stackBytes = new WeakMap<Map<string, AnalyzerResource>, WeakMap<AnalyzerResource[], Uint8Array>>();

function cached<K extends object, V extends object>(map: WeakMap<K, V>, key: K, make: () => V): V {
    let v = map.get(key);
    if (!v) map.set(key, (v = make()));
    return v;
}

function encodedProperties(r: AnalyzerResource): Uint8Array {
    return cached(propertiesBytes, r, () => encodeStruct(r.properties ?? {}));
}

/** AnalyzerProviderResource { type = 1, properties = 2, urn = 3, name = 4 }, once per provider. */
function encodedProvider(urn: string, providers: Map<string, AnalyzerResource>): Uint8Array {
    const perMap = cached(providerBytes, providers, () => new Map<string, Uint8Array>());
    let bytes = perMap.get(urn);
    if (!bytes) {
        const p = providers.get(urn);
        const msg = new pb.AnalyzerProviderResource();
        msg.setUrn(urn);
        // A provider URN ends with "<type>::<name>".
        const parts = urn.split("::");
        msg.setName(p?.name ?? parts[parts.length - 1]);
        msg.setType(p?.type ?? parts[parts.length - 2]?.split("$").pop() ?? "");
        bytes = concatBytes([msg.serializeBinary(), lengthDelimited(2, encodeStruct(p?.properties ?? {}))]);
        perMap.set(urn, bytes);
    }
    return bytes;
}

/**
 * AnalyzeRequest and AnalyzerResource share field numbers 1–6 (type, properties, urn, name, options,
 * provider); AnalyzerResource adds parent = 7 and dependencies = 8. Protobuf fields may come in any order,
 * so the message is the small fields (google-protobuf) followed by the pre-encoded properties and provider.
 */
function encodedResource(r: AnalyzerResource, providers: Map<string, AnalyzerResource>, forStack: boolean): Uint8Array {
    const head = forStack ? new pb.AnalyzerResource() : new pb.AnalyzeRequest();
    head.setType(r.type).setUrn(r.urn).setName(r.name).setOptions(options(r));
    if (forStack) {
        const m = head as pb.AnalyzerResource;
        m.setParent(r.parent ?? "");
        m.setDependenciesList(r.dependencies ?? []);
    }
    const parts = [head.serializeBinary(), lengthDelimited(2, encodedProperties(r))];
    if (r.provider) parts.push(lengthDelimited(6, encodedProvider(r.provider, providers)));
    return concatBytes(parts);
}

function analyzeRequestBytes(r: AnalyzerResource, providers: Map<string, AnalyzerResource> = NO_PROVIDERS): Uint8Array {
    const perMap = cached(analyzeBytes, providers, () => new WeakMap<AnalyzerResource, Uint8Array>());
    return cached(perMap, r, () => encodedResource(r, providers, false));
}

/** AnalyzeStackRequest { repeated AnalyzerResource resources = 1 }. */
function analyzeStackRequestBytes(resources: AnalyzerResource[], providers: Map<string, AnalyzerResource> = NO_PROVIDERS): Uint8Array {
    const perMap = cached(stackBytes, providers, () => new WeakMap<AnalyzerResource[], Uint8Array>());
    return cached(perMap, resources, () => concatBytes(resources.map((r) => lengthDelimited(1, encodedResource(r, providers, true)))));
}

const asBuffer = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength);

/** A unary call with an already encoded request, bounded by `deadline` (epoch ms). */
function callEncoded<Resp>(client: grpc.Client, path: string, request: Uint8Array, decode: (b: Uint8Array) => Resp, deadline: number): Promise<Resp> {
    return new Promise((resolve, reject) =>
        client.makeUnaryRequest(path, asBuffer, (b: Buffer) => decode(b), request, { deadline }, (err: grpc.ServiceError | null, resp?: Resp) =>
            err ? reject(err) : resolve(resp as Resp),
        ),
    );
}

function result(resp: pb.AnalyzeResponse, pack: { name: string; version: string }, urn = ""): AnalyzeResult {
    return {
        diagnostics: resp.getDiagnosticsList().map((d) => ({
            policyPack: d.getPolicypackname() || pack.name,
            policyPackVersion: d.getPolicypackversion() || pack.version,
            policy: d.getPolicyname(),
            description: d.getDescription(),
            enforcementLevel: toLevel(d.getEnforcementlevel()),
            // Analyze diagnostics carry no URN: the engine attributes them to the resource it sent.
            urn: d.getUrn() || urn,
            // @pulumi/policy prefixes the message with the policy description; keep the specific part.
            message: d.getDescription() && d.getMessage().startsWith(d.getDescription() + "\n")
                ? d.getMessage().slice(d.getDescription().length + 1)
                : d.getMessage(),
        })),
        notApplicable: resp.getNotApplicableList().map((n) => ({ policy: n.getPolicyName(), reason: n.getReason() })),
    };
}

function call<Req, Resp>(client: any, method: string, req: Req, deadline: number): Promise<Resp> {
    return new Promise((resolve, reject) =>
        client[method](req, { deadline }, (err: grpc.ServiceError | null, resp: Resp) => (err ? reject(err) : resolve(resp))),
    );
}

/** How a pack process ended, in words a user can act on. */
function describeExit(code: number | null, signal: NodeJS.Signals | null): string {
    if (signal === "SIGKILL") return "was killed by SIGKILL (the out-of-memory killer sends it when the machine runs out of memory)";
    if (signal) return `was killed by ${signal}`;
    return `exited with code ${code}`;
}

/** The last lines of a pack's stderr without colour codes and stack frames, indented, for an error message. */
function stderrTail(stderr: string): string {
    const lines = stderr
        .replace(/\x1b\[[0-9;]*m/g, "")
        .split("\n")
        .filter((l) => l.trim() && !/^\s*at /.test(l))
        .slice(-8);
    return lines.length && lines[0] ? `\n  its stderr ends with:\n    ${lines.join("\n    ")}` : "";
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms).unref());

/** The run-policy-pack entry of the @pulumi/pulumi the pack itself resolves, as the engine finds it. */
export function runPolicyPackPath(dir: string): string {
    const pkg = require.resolve("@pulumi/pulumi/package.json", { paths: [dir] });
    return path.join(path.dirname(pkg), "cmd", "run-policy-pack");
}

export interface StartOptions {
    /** An engine address to pass; by default a stub Engine service is started for this pack. */
    engineAddress?: string;
    /** Give up when no port was printed after this long (default 60 s). */
    timeoutMs?: number;
    /** Deadline of each analyzer call (default: env PLATFORM_POLICY_RPC_TIMEOUT_MS, else DEFAULT_RPC_TIMEOUT_MS). */
    rpcTimeoutMs?: number;
}

function rpcTimeoutFromEnv(): number {
    const raw = process.env.PLATFORM_POLICY_RPC_TIMEOUT_MS;
    if (raw === undefined || raw === "") return DEFAULT_RPC_TIMEOUT_MS;
    const n = Number(raw);
    if (!Number.isInteger(n) || n <= 0) throw new PolicyPackError(`PLATFORM_POLICY_RPC_TIMEOUT_MS is "${raw}"; allowed: a whole number of milliseconds greater than 0`);
    return n;
}

export async function startPolicyPack(dir: string, opts: StartOptions = {}): Promise<PolicyPackHandle> {
    const absDir = path.resolve(dir);
    if (!fs.existsSync(path.join(absDir, "PulumiPolicy.yaml"))) throw new PolicyPackError(`${absDir} is not a policy pack (no PulumiPolicy.yaml)`);
    const rpcTimeoutMs = opts.rpcTimeoutMs ?? rpcTimeoutFromEnv();
    const engine: EngineStub | undefined = opts.engineAddress ? undefined : await startEngineStub();
    const address = opts.engineAddress ?? engine!.address;
    const started = Date.now();
    const child: ChildProcess = spawn(process.execPath, [runPolicyPackPath(absDir), address, "."], {
        cwd: absDir,
        stdio: ["ignore", "pipe", "pipe"],
        env: process.env,
    });
    let stderr = "";
    child.stderr!.on("data", (b) => (stderr += b.toString()));
    // How the process ended, once it has: calls in flight fail at once with it instead of waiting for
    // their deadline, and close() does not wait for an exit that already happened (a process killed by
    // a signal keeps exitCode null, so exitCode alone cannot tell).
    let ended: string | undefined;
    const exited = new Promise<void>((resolve) => child.once("exit", (code, signal) => resolve(void (ended = describeExit(code, signal)))));
    let stdout = "";
    const port = await new Promise<number>((resolve, reject) => {
        const timer = setTimeout(() => {
            child.kill("SIGKILL");
            reject(new PolicyPackError(`policy pack ${absDir} printed no port within ${opts.timeoutMs ?? 60000} ms${stderrTail(stderr)}`));
        }, opts.timeoutMs ?? 60000);
        child.stdout!.on("data", (b) => {
            stdout += b.toString();
            const m = /^\s*(\d+)\s*\n/.exec(stdout);
            if (m) {
                clearTimeout(timer);
                resolve(Number(m[1]));
            }
        });
        child.on("exit", (code, signal) => {
            clearTimeout(timer);
            reject(new PolicyPackError(`policy pack ${absDir} ${describeExit(code, signal)} before printing its port${stderrTail(stderr)}`));
        });
    });
    const startupMs = Date.now() - started;
    const client = new analyzerRpc.AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), {
        "grpc.max_receive_message_length": 400 * 1024 * 1024,
        "grpc.max_send_message_length": 400 * 1024 * 1024,
    });

    let packName = path.basename(absDir);
    let disabledPolicies: string[] = [];
    /** Every call: its deadline, and an immediate, named failure if the process ends meanwhile. */
    const guarded = <T>(method: string, run: (deadline: number) => Promise<T>): Promise<T> => {
        const failure = (why: string) => new PolicyPackError(`policy pack ${packName} (${absDir}) ${why} during ${method}${stderrTail(stderr)}`);
        if (ended) return Promise.reject(failure(ended));
        return Promise.race([
            run(Date.now() + rpcTimeoutMs).catch(async (e: grpc.ServiceError) => {
                if (e?.code === grpc.status.DEADLINE_EXCEEDED) throw failure(`did not answer within ${rpcTimeoutMs} ms (deadline; PLATFORM_POLICY_RPC_TIMEOUT_MS sets it)`);
                // A dying pack drops its connection before its exit event arrives: give the event a moment,
                // so the message says how the process ended rather than only that the connection broke.
                if (e?.code === grpc.status.UNAVAILABLE || e?.code === grpc.status.CANCELLED || e?.code === grpc.status.INTERNAL) await Promise.race([exited, sleep(2000)]);
                if (ended) throw failure(ended);
                throw failure(`failed (${e?.details || e?.message || e})`);
            }),
            exited.then(() => Promise.reject(failure(ended!))),
        ]);
    };
    const info = await guarded("GetAnalyzerInfo", (d) => call<Empty, pb.AnalyzerInfo>(client, "getAnalyzerInfo", new Empty(), d));
    const pack = { name: info.getName(), version: info.getVersion() };
    packName = pack.name;
    const policies: PolicyInfo[] = info.getPoliciesList().map((p) => {
        const schema = p.getConfigschema();
        return {
            name: p.getName(),
            description: p.getDescription(),
            enforcementLevel: toLevel(p.getEnforcementlevel()),
            configSchema: schema ? { properties: (schema.getProperties()?.toJavaScript() ?? {}) as Record<string, any>, required: schema.getRequiredList() } : undefined,
        };
    });

    return {
        dir: absDir,
        name: pack.name,
        version: pack.version,
        policies,
        startupMs,
        async configure(config: PolicyPackConfig = {}) {
            const req = new pb.ConfigureAnalyzerRequest();
            const map = req.getPolicyconfigMap();
            const resolved = resolvePolicyConfig(pack.name, policies, config);
            disabledPolicies = resolved.filter(([, level]) => level === "disabled").map(([name]) => name);
            for (const [name, level, props] of resolved) {
                const pc = new pb.PolicyConfig();
                pc.setEnforcementlevel(fromLevel(level));
                pc.setProperties(toStruct(props));
                map.set(name, pc);
            }
            await guarded("Configure", (d) => call(client, "configure", req, d));
        },
        async analyze(r, providers) {
            const resp = await guarded("Analyze", (d) => callEncoded(client, "/pulumirpc.Analyzer/Analyze", analyzeRequestBytes(r, providers), pb.AnalyzeResponse.deserializeBinary, d));
            return result(resp, pack, r.urn);
        },
        async analyzeStack(resources, providers) {
            const resp = await guarded("AnalyzeStack", (d) => callEncoded(client, "/pulumirpc.Analyzer/AnalyzeStack", analyzeStackRequestBytes(resources, providers), pb.AnalyzeResponse.deserializeBinary, d));
            return result(resp, pack);
        },
        async pluginVersion() {
            const resp: any = await guarded("GetPluginInfo", (d) => call(client, "getPluginInfo", new Empty(), d));
            return resp.getVersion();
        },
        disabled: () => disabledPolicies,
        stderr: () => stderr,
        async close() {
            client.close();
            // Never waits for ever: SIGTERM, then SIGKILL for a pack that ignores it (or is stopped).
            if (!ended) {
                child.kill("SIGTERM");
                const gone = await Promise.race([exited.then(() => true), sleep(3000).then(() => false)]);
                if (!gone) {
                    child.kill("SIGKILL");
                    await Promise.race([exited, sleep(3000)]);
                }
            }
            await engine?.close();
        },
    };
}

/**
 * The engine's reconciliation of a policy-pack config file with the pack's policies: each policy
 * gets the level given for it, else the one given for "all", else its own; its properties are the
 * schema defaults overlaid with the given ones, validated against the schema.
 */
export function resolvePolicyConfig(
    packName: string,
    policies: PolicyInfo[],
    config: PolicyPackConfig,
): Array<[string, EnforcementLevel, Record<string, unknown>]> {
    const known = new Set(policies.map((p) => p.name));
    for (const key of Object.keys(config)) {
        if (key !== "all" && !known.has(key)) throw new PolicyConfigError(`policy pack ${packName}: config names policy "${key}", which the pack does not have (it has: ${[...known].join(", ")})`);
    }
    const levelOf = (v: unknown, where: string): EnforcementLevel | undefined => {
        if (v === undefined) return undefined;
        if (typeof v !== "string" && (v === null || typeof v !== "object" || Array.isArray(v)))
            throw new PolicyConfigError(`policy pack ${packName}: ${where} is ${JSON.stringify(v)}; allowed: an enforcement level (${LEVELS.join(", ")}) or an object { enforcementLevel?, …properties }`);
        const l = typeof v === "string" ? v : (v as { enforcementLevel?: unknown }).enforcementLevel;
        if (l === undefined) return undefined;
        if (!LEVELS.includes(l as EnforcementLevel)) throw new PolicyConfigError(`policy pack ${packName}: ${where} enforcementLevel is ${JSON.stringify(l)}; allowed: ${LEVELS.join(", ")}`);
        return l as EnforcementLevel;
    };
    const all = levelOf(config["all"], `"all"`);
    const ajv = new Ajv({ allErrors: true, strict: false });
    return policies.map((p) => {
        const given = config[p.name];
        const level = levelOf(given, `policy "${p.name}"`) ?? all ?? p.enforcementLevel;
        const props: Record<string, unknown> = {};
        for (const [k, s] of Object.entries(p.configSchema?.properties ?? {})) if (s && typeof s === "object" && "default" in s) props[k] = s.default;
        if (given && typeof given === "object") {
            const { enforcementLevel: _l, ...rest } = given;
            Object.assign(props, rest);
        }
        const unknown = Object.keys(props).filter((k) => !(k in (p.configSchema?.properties ?? {})));
        if (unknown.length)
            throw new PolicyConfigError(
                `policy pack ${packName}: config of policy "${p.name}" sets ${unknown.map((k) => `"${k}"`).join(", ")}, which the policy does not take; allowed: ${Object.keys(p.configSchema?.properties ?? {}).join(", ") || "enforcementLevel only"}`,
            );
        if (p.configSchema) {
            const validate = ajv.compile({ type: "object", properties: p.configSchema.properties, required: p.configSchema.required });
            if (!validate(props))
                throw new PolicyConfigError(`policy pack ${packName}: config of policy "${p.name}" is invalid: ${ajv.errorsText(validate.errors)}`);
        }
        return [p.name, level, props];
    });
}
