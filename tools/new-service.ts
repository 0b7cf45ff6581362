/**
 * npm run new-service -- <name> [--stack dev] [--runtime container|wasm] [--image <ref>] [--calls a,b]
 *                                [--publishes t1,t2] [--subscribes t3] [--no-plan]
 *
 * Adds a service to `platform:services` in Pulumi.<stack>.yaml (or updates the given fields of an existing
 * one) through the yaml Document API, so comments and layout survive, and prints what the next `pulumi up`
 * will create and change for it: the stack is planned with the mock harness before and after the edit and
 * the two plans are compared by URN. Idempotent: running it again with the same arguments changes nothing.
 * Safe defaults come from the schema (scale to zero, private, no invokers but its declared callers); the
 * file only gets what differs from them. The edit is validated as a whole stack config before the file is
 * written; a bad value is reported and the file is left untouched.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { Document as YamlDocument, isMap, isSeq, parseDocument, type Document, type YAMLMap, type YAMLSeq } from "yaml";
import { imageReferenceProblem } from "../components/serverless/rules";
import { ConfigError, parsePlatformConfig, rawPlatformConfig } from "../stacks/config";
import { planStack, type RecordedResource } from "./plan/index";
import { loadStackConfig, parseYamlFile, PROJECT_ROOT, stackFileName } from "./plan/stack-config";

const KEY = "platform:services";
const USAGE = "usage: npm run new-service -- <name> [--stack dev] [--runtime container|wasm] [--image <ref>] [--calls a,b] [--publishes t] [--subscribes t] [--no-plan]";

export class UsageError extends Error {}

export interface NewServiceResult {
    /** "added", "updated" or "unchanged". */
    change: "added" | "updated" | "unchanged";
    file: string;
    /** The service entry as written (plain values). */
    entry: Record<string, unknown>;
    /** Resources the next `pulumi up` creates / changes (type and name), when planned. */
    creates?: Array<{ type: string; name: string }>;
    updates?: Array<{ type: string; name: string }>;
}

const list = (v: string | undefined) => (v === undefined ? undefined : v.split(",").map((s) => s.trim()).filter(Boolean));

/** An image reference must pin a tag or digest: a moving `latest` would make two `pulumi up`s differ. */
function checkImage(image: string): void {
    const problem = imageReferenceProblem(image);
    if (problem) {
        throw new UsageError(`--image ${JSON.stringify(image)} ${problem}`);
    }
}

export interface NewServiceOptions {
    name: string;
    stack: string;
    runtime?: "container" | "wasm";
    image?: string;
    calls?: string[];
    publishes?: string[];
    subscribes?: string[];
    /** Project folder (Pulumi.yaml and the stack files); default the repository root. */
    root?: string;
    /** Plan before/after and report the resources (default true). */
    plan?: boolean;
}

/** Applies the requested fields to the document; returns the entry as plain values and what happened. */
function edit(doc: Document, o: NewServiceOptions, clouds: string[]): { change: NewServiceResult["change"]; entry: Record<string, unknown>; item: YAMLMap; seq: YAMLSeq; existed: boolean } {
    if (!isMap(doc.contents)) throw new UsageError(`the stack file has no top-level mapping`);
    if (!doc.has("config")) doc.set("config", doc.createNode({}));
    let seq = doc.getIn(["config", KEY], true);
    if (seq === undefined || seq === null) {
        doc.setIn(["config", KEY], doc.createNode([]));
        seq = doc.getIn(["config", KEY], true);
    }
    if (!isSeq(seq)) throw new UsageError(`${KEY} in the stack file is not a list`);
    let item = seq.items.find((i) => isMap(i) && i.get("name") === o.name) as YAMLMap | undefined;
    const existed = !!item;
    const before = item ? JSON.stringify(item.toJSON()) : undefined;
    const graphed = !!(o.calls?.length || o.publishes?.length || o.subscribes?.length);
    if (!item) {
        if (!o.image) throw new UsageError(`--image is required for a new service; allowed: an image with a tag or digest, such as ghcr.io/acme/${o.name}:1.0.0`);
        item = doc.createNode({ name: o.name }) as YAMLMap;
        seq.add(item);
        if (o.runtime === "wasm") item.set("runtime", "wasm");
        // The service graph is enforced by workload identity on the clusters: graph services run there.
        if (graphed && o.runtime !== "wasm" && clouds.some((c) => c !== "kubernetes")) item.set("hosting", "cluster");
    } else if (o.runtime) {
        if (o.runtime === "container" && item.has("runtime")) item.delete("runtime");
        if (o.runtime === "wasm") item.set("runtime", "wasm");
    }
    if (o.image) item.set("image", o.image);
    for (const field of ["calls", "publishes", "subscribes"] as const) {
        const v = o[field];
        if (v === undefined) continue;
        if (v.length === 0) item.delete(field);
        else item.set(field, doc.createNode(v, { flow: true }));
    }
    const entry = item.toJSON() as Record<string, unknown>;
    const after = JSON.stringify(entry);
    return { change: before === undefined ? "added" : before === after ? "unchanged" : "updated", entry, item, seq, existed };
}

const lineStart = (text: string, at: number) => text.lastIndexOf("\n", at - 1) + 1;
const lineEnd = (text: string, at: number) => {
    const i = text.indexOf("\n", at);
    return i < 0 ? text.length : i + 1;
};

/**
 * The stack file with only the edited entry rewritten: the entry's own lines are replaced (or, for a new
 * entry, inserted after the list's last entry) and every other byte stays as the user wrote it (comments,
 * their padding, blank lines, flow styles). Returns undefined when the list has no block entry to align
 * with (absent, empty or in flow style); the caller then renders the whole document.
 */
function splice(original: string, seq: YAMLSeq, item: YAMLMap, existed: boolean): string | undefined {
    // A new entry was appended to the list already: align with the entry before it.
    const anchor = (existed ? item : seq.items[seq.items.length - 2]) as YAMLMap | undefined;
    if (!anchor?.range || seq.flow) return undefined;
    const start = lineStart(original, anchor.range[0]);
    const dash = /^(\s*)- /.exec(original.slice(start, anchor.range[0]));
    if (!dash) return undefined;
    // The entry's last content line (a node's end may already sit on the next line).
    const end = lineEnd(original, Math.max(anchor.range[0], original.slice(0, anchor.range[1]).trimEnd().length - 1));
    const single = new YamlDocument();
    single.contents = single.createNode([]) as YAMLSeq;
    (single.contents as YAMLSeq).items.push(item);
    const rendered = single
        .toString({ flowCollectionPadding: false, lineWidth: 0 })
        .trimEnd()
        .split("\n")
        .map((l) => (l ? dash[1] + l : l))
        .join("\n");
    const oldText = existed ? original.slice(start, end) : "";
    const text = keepUnchangedLines(oldText, rendered) + "\n";
    return existed ? original.slice(0, start) + text + original.slice(end) : original.slice(0, end) + text + original.slice(end);
}

/**
 * Serialises edits of one stack file: an exclusive lock file beside it (created with O_EXCL) held from
 * reading the file to replacing it. A second run fails at once and says so, rather than one edit being
 * lost; a lock left by a process that no longer runs is taken over.
 */
function lockStackFile(file: string): () => void {
    const lock = `${file}.lock`;
    for (let attempt = 0; attempt < 2; attempt++) {
        try {
            const fd = fs.openSync(lock, "wx");
            fs.writeSync(fd, String(process.pid));
            fs.closeSync(fd);
            return () => fs.rmSync(lock, { force: true });
        } catch (e) {
            if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
            const pid = Number(fs.readFileSync(lock, "utf8").trim());
            if (attempt === 0 && Number.isInteger(pid) && pid > 0 && !isRunning(pid)) {
                fs.rmSync(lock, { force: true });
                continue;
            }
            throw new UsageError(
                `${path.basename(file)} is being edited by another new-service run (process ${pid || "unknown"}, lock ${path.relative(process.cwd(), lock) || lock}); run again when it has finished`,
            );
        }
    }
    throw new UsageError(`could not lock ${file}`);
}

function isRunning(pid: number): boolean {
    try {
        process.kill(pid, 0);
        return true;
    } catch (e) {
        return (e as NodeJS.ErrnoException).code === "EPERM";
    }
}

/** Replaces `file` atomically: a temporary file in the same folder (same mode), then rename. */
export function writeFileAtomic(file: string, text: string): void {
    const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
    try {
        fs.writeFileSync(tmp, text, { mode: fs.statSync(file).mode & 0o777 });
        fs.renameSync(tmp, file);
    } finally {
        fs.rmSync(tmp, { force: true });
    }
}

const key = (r: RecordedResource) => r.urn;

/** Resources that appear (creates) or whose inputs change (updates) between two plans. */
export function planDiff(before: RecordedResource[], after: RecordedResource[]): { creates: RecordedResource[]; updates: RecordedResource[] } {
    const old = new Map(before.map((r) => [key(r), JSON.stringify(r.inputs)]));
    const creates: RecordedResource[] = [];
    const updates: RecordedResource[] = [];
    for (const r of after) {
        const prev = old.get(key(r));
        if (prev === undefined) creates.push(r);
        else if (prev !== JSON.stringify(r.inputs)) updates.push(r);
    }
    return { creates, updates };
}

export async function newService(o: NewServiceOptions): Promise<NewServiceResult> {
    const root = o.root ?? PROJECT_ROOT;
    if (!fs.existsSync(path.join(root, "Pulumi.yaml"))) throw new UsageError(`--root ${JSON.stringify(root)} has no Pulumi.yaml; allowed: the project folder (the one holding Pulumi.yaml and the stack files)`);
    const file = path.join(root, stackFileName(o.stack));
    if (!fs.existsSync(file)) throw new UsageError(`no stack file ${file}`);
    if (o.image) checkImage(o.image);
    const unlock = lockStackFile(file);
    try {
        return await editLocked(o, root, file);
    } finally {
        unlock();
    }
}

async function editLocked(o: NewServiceOptions, root: string, file: string): Promise<NewServiceResult> {
    parseYamlFile(file); // a syntax error is a ConfigError naming the line
    const text = fs.readFileSync(file, "utf8");
    const doc = parseDocument(text, { merge: true });
    const current = loadStackConfig(o.stack, { root });
    const clouds = parsePlatformConfig(rawPlatformConfig(current.config)).clouds;
    const { change, entry, item, seq, existed } = edit(doc, o, clouds);
    const services = doc.getIn(["config", KEY]) as { toJSON(): unknown } | undefined;
    const newServices = (services as any)?.toJSON?.() ?? services;
    // Validate the whole stack with the edit before writing anything.
    const next = loadStackConfig(o.stack, { root, overrides: { [KEY]: newServices } });
    parsePlatformConfig(rawPlatformConfig(next.config));
    const result: NewServiceResult = { change, file, entry };
    if (o.plan ?? true) {
        // Attributable to the service: the stack without it versus the stack with it (so a second run reports
        // the same list). If the stack cannot stand without it (others call it), compare with the file as it was.
        const without = (newServices as Array<{ name: string }>).filter((s) => s.name !== o.name);
        let before;
        try {
            before = await planStack(o.stack, { [KEY]: without }, root);
        } catch (e) {
            if (!(e instanceof ConfigError)) throw e;
            before = await planStack(o.stack, undefined, root);
        }
        const after = await planStack(o.stack, { [KEY]: newServices }, root);
        const d = planDiff(before.resources, after.resources);
        result.creates = d.creates.map((r) => ({ type: r.type, name: r.name }));
        result.updates = d.updates.map((r) => ({ type: r.type, name: r.name }));
    }
    if (change !== "unchanged")
        writeFileAtomic(file, splice(text, seq, item, existed) ?? keepUnchangedLines(text, doc.toString({ flowCollectionPadding: false, lineWidth: 0 })));
    return result;
}

/**
 * A YAML line without the spelling the library does not keep: the optional spaces just inside flow
 * brackets (`{ a: b }` and `{a: b}` are the same) and the padding before an inline comment.
 */
const flowInsensitive = (line: string) =>
    line
        .replace(/([[{])\s+/g, "$1")
        .replace(/\s+([\]}])/g, "$1")
        .replace(/\s+#/g, " #");

/**
 * The yaml library re-renders the whole document with one flow-collection style, so `[a]` and `{ a: b }`
 * cannot both survive a write. Lines whose content did not change keep their original spelling: each
 * rendered line that matches the next unused original line with the same content (ignoring only that
 * padding) is replaced by it. Only the edited entry is written in the library's style.
 */
export function keepUnchangedLines(original: string, rendered: string): string {
    const originals = new Map<string, string[]>();
    for (const line of original.split("\n")) {
        const key = flowInsensitive(line);
        originals.set(key, [...(originals.get(key) ?? []), line]);
    }
    return rendered
        .split("\n")
        .map((line) => originals.get(flowInsensitive(line))?.shift() ?? line)
        .join("\n");
}

export async function main(argv: string[]): Promise<number> {
    let parsed;
    try {
        parsed = parseArgs({
            args: argv,
            allowPositionals: true,
            options: {
                stack: { type: "string", default: "dev" },
                runtime: { type: "string" },
                image: { type: "string" },
                calls: { type: "string" },
                publishes: { type: "string" },
                subscribes: { type: "string" },
                root: { type: "string" },
                "no-plan": { type: "boolean", default: false },
            },
        });
    } catch (e) {
        throw new UsageError((e as Error).message);
    }
    const { values, positionals } = parsed;
    if (positionals.length !== 1) throw new UsageError(`expected one service name, got ${positionals.length}`);
    if (values.runtime !== undefined && values.runtime !== "container" && values.runtime !== "wasm") {
        throw new UsageError(`--runtime ${JSON.stringify(values.runtime)}; allowed: container, wasm`);
    }
    const r = await newService({
        name: positionals[0],
        stack: values.stack!,
        runtime: values.runtime as "container" | "wasm" | undefined,
        image: values.image,
        calls: list(values.calls),
        publishes: list(values.publishes),
        subscribes: list(values.subscribes),
        root: values.root,
        plan: !values["no-plan"],
    });
    const rel = path.relative(process.cwd(), r.file) || r.file;
    console.log(
        r.change === "unchanged"
            ? `${rel}: service ${positionals[0]} is already up to date; nothing written.`
            : `${rel}: ${r.change} service ${positionals[0]}: ${JSON.stringify(r.entry)}`,
    );
    if (r.creates) {
        console.log(`\nThe next \`pulumi up\` of stack ${values.stack} will create ${r.creates.length} resource(s) for it:`);
        for (const c of r.creates) console.log(`  + ${c.type}  ${c.name}`);
        if (r.updates!.length) {
            console.log(`and change ${r.updates!.length} (callers admitted, Kafka permissions, topic clients):`);
            for (const u of r.updates!) console.log(`  ~ ${u.type}  ${u.name}`);
        }
    }
    return 0;
}

if (require.main === module) {
    main(process.argv.slice(2)).then(
        (code) => process.exit(code),
        (e) => {
            if (e instanceof UsageError) console.error(`${e.message}\n${USAGE}`);
            else if (e instanceof ConfigError) console.error(`${e.message}\nThe stack file was not changed.`);
            else console.error(`new-service failed: ${(e as Error).stack ?? e}`);
            process.exit(e instanceof UsageError || e instanceof ConfigError ? 1 : 2);
        },
    );
}
