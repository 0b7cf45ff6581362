/**
 * Runs a Pulumi program under Pulumi's own mock runtime (`pulumi.runtime.setMocks`) and records
 * every resource registration exactly as the SDK sends it to the engine: type, name, parent,
 * provider, options and the serialized inputs. This is what `pulumi preview` would hand to the
 * providers, without a CLI, an engine or credentials.
 */
import * as pulumi from "@pulumi/pulumi";
import * as settings from "@pulumi/pulumi/runtime/settings";
import { platformMocks } from "./mocks";

/** Signatures the SDK uses on the wire for special values (sdk/nodejs/runtime/rpc.ts). */
const SPECIAL_SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
const RESOURCE_REF_SIG = "5cf8f73096256a8f31e491e813e4eb8e";
const ASSET_SIG = "c44067f5952c0a294b673a41bacd8c17";
const ARCHIVE_SIG = "0def7320c3a5731c473e5ecbe6d01bc7";
const OUTPUT_SIG = "d0e6a833031e9bbcd3f4e8bde6ca49a4";
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

export const SECRET_PLACEHOLDER = "[secret]";
export const UNKNOWN_PLACEHOLDER = "(known after apply)";

export interface RecordedResource {
    urn: string;
    type: string;
    name: string;
    parent: string;
    /** URN of the explicit provider, or "" when the resource has none. */
    provider: string;
    custom: boolean;
    protect: boolean;
    retainOnDelete: boolean;
    /** URNs this resource depends on. */
    dependencies: string[];
    /** Inputs as the engine would see them, with secrets masked and unknowns marked. */
    inputs: Record<string, unknown>;
    /** Inputs with secret values revealed and unknowns as the engine's unknown sentinel (for policy analysis). */
    rawInputs: Record<string, unknown>;
    /** Option fields the analyzer protocol carries. */
    options: {
        deleteBeforeReplace: boolean;
        ignoreChanges: string[];
        additionalSecretOutputs: string[];
        aliases: string[];
        /** Structured aliases as the SDK sends them (the engine turns them into URNs). */
        aliasSpecs?: { name: string; type: string; parentUrn: string; noParent: boolean }[];
        customTimeouts?: { create?: string; update?: string; delete?: string };
    };
}

export interface MockRun<T> {
    resources: RecordedResource[];
    /** The value the program returned, with outputs resolved (secrets revealed). */
    outputs: T;
    /** The same with secrets masked, for printing. */
    maskedOutputs: unknown;
}

/**
 * Converts a wire value into a plain value: `mask` hides secrets, otherwise they are revealed.
 * Copy-on-write: a subtree holding no special value (secret, unknown, reference, asset, output) is
 * returned as is, so the masked and the revealed view of a resource share every plain subtree
 * (one decoded copy of the inputs per resource instead of two). Treat the results as read-only.
 */
export function fromWire(value: unknown, mask: boolean): unknown {
    if (value === UNKNOWN) return mask ? UNKNOWN_PLACEHOLDER : UNKNOWN;
    if (Array.isArray(value)) {
        let out: unknown[] | undefined;
        for (let i = 0; i < value.length; i++) {
            const v = fromWire(value[i], mask);
            if (v !== value[i] && !out) out = value.slice(0, i);
            if (out) out.push(v);
        }
        return out ?? value;
    }
    if (value !== null && typeof value === "object") {
        const obj = value as Record<string, unknown>;
        const sig = obj[SPECIAL_SIG_KEY];
        if (sig === SECRET_SIG) return mask ? SECRET_PLACEHOLDER : fromWire(obj["value"], mask);
        if (sig === RESOURCE_REF_SIG) return obj["urn"];
        if (sig === OUTPUT_SIG) {
            if (obj["secret"] && mask) return SECRET_PLACEHOLDER;
            return "value" in obj ? fromWire(obj["value"], mask) : mask ? UNKNOWN_PLACEHOLDER : UNKNOWN;
        }
        if (sig === ASSET_SIG || sig === ARCHIVE_SIG) {
            const { [SPECIAL_SIG_KEY]: _sig, ...rest } = obj;
            return { asset: rest };
        }
        let out: Record<string, unknown> | undefined;
        for (const k in obj) {
            const v = fromWire(obj[k], mask);
            if (v !== obj[k] && !out) {
                out = {};
                for (const k2 in obj) {
                    if (k2 === k) break;
                    out[k2] = obj[k2];
                }
            }
            if (out) out[k] = v;
        }
        return out ?? obj;
    }
    return value;
}

function providerUrn(ref: string): string {
    // A provider reference is "<urn>::<id>"; the id is the last "::" segment.
    if (!ref) return "";
    const i = ref.lastIndexOf("::");
    return i < 0 ? ref : ref.slice(0, i);
}

/** Records registrations made through the monitor that `setMocks` installed. */
function recordRegistrations(sink: RecordedResource[], onResource?: (r: RecordedResource) => void): void {
    const monitor = settings.getMonitor() as any;
    const register = monitor.registerResource.bind(monitor);
    monitor.registerResource = (req: any, callback: (err: unknown, resp?: any) => void) => {
        register(req, (err: unknown, resp?: any) => {
            if (!err && resp) {
                const wire = req.getObject()?.toJavaScript() ?? {};
                const timeouts = req.getCustomtimeouts?.();
                const recorded: RecordedResource = {
                    urn: resp.getUrn(),
                    type: req.getType(),
                    name: req.getName(),
                    parent: req.getParent(),
                    provider: providerUrn(req.getProvider()),
                    custom: req.getCustom(),
                    protect: req.getProtect() === true,
                    retainOnDelete: req.getRetainondelete() === true,
                    dependencies: [...new Set<string>(req.getDependenciesList())],
                    inputs: fromWire(wire, true) as Record<string, unknown>,
                    rawInputs: fromWire(wire, false) as Record<string, unknown>,
                    options: {
                        deleteBeforeReplace: req.getDeletebeforereplace() === true,
                        ignoreChanges: req.getIgnorechangesList(),
                        additionalSecretOutputs: req.getAdditionalsecretoutputsList(),
                        aliases: (req.getAliasesList?.() ?? []).map((a: any) => a.getUrn?.() ?? ""),
                        aliasSpecs: (req.getAliasesList?.() ?? [])
                            .map((a: any) => a.getSpec?.())
                            .filter(Boolean)
                            .map((s: any) => ({ name: s.getName(), type: s.getType(), parentUrn: s.getParenturn(), noParent: s.getNoparent() })),
                        customTimeouts: timeouts
                            ? { create: timeouts.getCreate(), update: timeouts.getUpdate(), delete: timeouts.getDelete() }
                            : undefined,
                    },
                };
                sink.push(recorded);
                onResource?.(recorded);
            }
            callback(err, resp);
        });
    };
}

/**
 * Resolves every Output inside a value (outputs, promises, arrays, plain objects). Unknown values
 * (a preview cannot know them) become UNKNOWN_PLACEHOLDER; with `mask`, secrets become SECRET_PLACEHOLDER.
 */
export async function resolveDeep(value: unknown, mask = false): Promise<unknown> {
    if (pulumi.Output.isInstance(value)) {
        const o = value as any;
        if (mask && (await o.isSecret)) return SECRET_PLACEHOLDER;
        if (!(await o.isKnown)) return UNKNOWN_PLACEHOLDER;
        return resolveDeep(await o.promise(), mask);
    }
    if (value instanceof Promise) return resolveDeep(await value, mask);
    if (pulumi.Resource.isInstance(value)) return resolveDeep((value as pulumi.Resource).urn, mask);
    if (Array.isArray(value)) return Promise.all(value.map((v) => resolveDeep(v, mask)));
    if (value !== null && typeof value === "object") {
        const out: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(value)) out[k] = await resolveDeep(v, mask);
        return out;
    }
    return value;
}

export interface MockRunOptions {
    project: string;
    stack: string;
    /** Fully qualified config ("platform:clouds" → serialized value), as the CLI passes it. */
    config?: Record<string, string>;
    secretKeys?: string[];
    /** Run as a preview (the default), so the program sees `isDryRun() === true`. */
    preview?: boolean;
    /** Wrap the program in a root `pulumi:pulumi:Stack` as the engine does (default true). */
    stackResource?: boolean;
    /** Where to record registrations (a fresh list by default); lets callers see them even if the program throws. */
    sink?: RecordedResource[];
    /** Called with each resource as it is recorded (in registration order), e.g. to analyze it while the plan runs. */
    onResource?: (r: RecordedResource) => void;
}

/**
 * Runs `program` under the mock runtime and returns every registered resource in registration
 * order with the program's resolved result. One run at a time per process: the runtime is global.
 */
export async function runUnderMocks<T>(program: () => T | Promise<T>, opts: MockRunOptions): Promise<MockRun<Awaited<T>>> {
    // The SDK formats a stack trace for every promise it creates (`new Error().stack`, kept only for its
    // leak diagnostics). Under tsx, source maps are on and each of those frames is mapped back to the
    // TypeScript source, which cost about a third of the plan time. Off for the run: stacks are still
    // captured, just not mapped; an error the program throws is formatted (mapped) after the run.
    const sourceMaps = process.sourceMapsEnabled;
    if (sourceMaps) process.setSourceMapsEnabled(false);
    try {
        return await runUnderMocksUnmapped(program, opts);
    } finally {
        if (sourceMaps) process.setSourceMapsEnabled(true);
    }
}

async function runUnderMocksUnmapped<T>(program: () => T | Promise<T>, opts: MockRunOptions): Promise<MockRun<Awaited<T>>> {
    pulumi.runtime.setAllConfig(opts.config ?? {}, opts.secretKeys ?? []);
    await pulumi.runtime.setMocks(platformMocks(), opts.project, opts.stack, opts.preview ?? true);
    const resources: RecordedResource[] = opts.sink ?? [];
    recordRegistrations(resources, opts.onResource);
    let result: unknown;
    if (opts.stackResource ?? true) {
        // A program error is carried out of the stack callback and rethrown here, so the Stack
        // resource still completes and no registration promise is left rejected and unhandled.
        let failure: { error: unknown } | undefined;
        await pulumi.runtime.runInPulumiStack(async () => {
            try {
                result = await program();
            } catch (error) {
                failure = { error };
            }
            return undefined;
        });
        if (failure) {
            // Let registrations the program started before it failed drain into this run's monitor,
            // so they cannot land in the next run's.
            await drain(resources);
            throw failure.error;
        }
    } else {
        result = await program();
    }
    const outputs = (await resolveDeep(result)) as Awaited<T>;
    const maskedOutputs = await resolveDeep(result, true);
    await drain(resources);
    return { resources, outputs, maskedOutputs };
}

/** Waits until every outstanding RPC (registrations, invokes, outputs) has finished. */
async function drain(resources: RecordedResource[]): Promise<void> {
    // waitForRPCs is the SDK's own "queue drained" barrier (what disconnect() awaits); it is internal,
    // so it is reached untyped, with the count-stops-moving wait as a fallback.
    const waitForRPCs = (settings as unknown as { waitForRPCs?: () => Promise<void> }).waitForRPCs;
    if (waitForRPCs) await waitForRPCs().catch(() => undefined);
    await waitForQuiescence(resources);
}

async function waitForQuiescence(resources: RecordedResource[]): Promise<void> {
    // Registrations resolve asynchronously; wait until the count stops moving.
    let last = -1;
    while (last !== resources.length) {
        last = resources.length;
        await new Promise((r) => setTimeout(r, 20));
    }
}
