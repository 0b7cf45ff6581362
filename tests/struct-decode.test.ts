/**
 * policies/zero-trust/lib/struct-decode.js (the pack's own copy): the pack keeps the properties Structs of analyzer requests as bytes and
 * decode them straight to JavaScript. Every value must be what google-protobuf's decode + toJavaScript()
 * gives (same values, same key order, same errors), for every resource the stacks plan and for edge cases;
 * a Struct used as a message (fields map, re-serialized) must behave as an ordinary one.
 */
import * as jspb from "google-protobuf";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { beforeAll, describe, expect, it } from "vitest";
import { generatedStack } from "../tools/bench";
import { loadStackConfig, planConfig } from "../tools/plan/index";
import { encodeStruct } from "../tools/policy/struct-encoding";
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { structBytesToJavaScript, pendingBytes } = require("../policies/zero-trust/lib/struct-decode.js") as {
    structBytesToJavaScript: (b: Uint8Array) => unknown;
    pendingBytes: (s: unknown) => Uint8Array | undefined;
};
// eslint-disable-next-line @typescript-eslint/no-require-imports
const analyzer = require("@pulumi/pulumi/proto/analyzer_pb") as any;

/** What google-protobuf itself gives: Struct.deserializeBinary decodes eagerly (not through a parent). */
function original(bytes: Uint8Array): { value?: unknown; error?: string } {
    try {
        return { value: Struct.deserializeBinary(bytes).toJavaScript() };
    } catch (e) {
        return { error: (e as Error).message };
    }
}

/** The packs' path: the Struct arrives inside an AnalyzeRequest and is decoded by @pulumi/policy's toJavaScript(). */
function inRequest(bytes: Uint8Array): { value?: unknown; error?: string } {
    // AnalyzeRequest field 2 (properties) is the Struct, length-delimited.
    const request = analyzer.AnalyzeRequest.deserializeBinary(concat([fieldHeader(2, bytes.length), bytes]));
    try {
        return { value: request.getProperties().toJavaScript() };
    } catch (e) {
        return { error: (e as Error).message };
    }
}

function fast(bytes: Uint8Array): { value?: unknown; error?: string } {
    try {
        return { value: structBytesToJavaScript(bytes) };
    } catch (e) {
        return { error: (e as Error).message };
    }
}

function varint(n: number): number[] {
    const out: number[] = [];
    while (n >= 0x80) {
        out.push((n & 0x7f) | 0x80);
        n = Math.floor(n / 128);
    }
    out.push(n);
    return out;
}
const fieldHeader = (field: number, length: number) => new Uint8Array([...varint((field << 3) | 2), ...varint(length)]);
function concat(parts: Uint8Array[]): Uint8Array {
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) {
        out.set(p, at);
        at += p.length;
    }
    return out;
}

/** Same result: values (NaN, -0 and all), key order at every level, or the same error. */
function expectSame(bytes: Uint8Array) {
    const want = original(bytes);
    for (const got of [fast(bytes), inRequest(bytes)]) {
        if (want.error !== undefined) {
            expect(got.error).toBe(want.error);
            continue;
        }
        expect(got.error).toBeUndefined();
        expect(got.value).toStrictEqual(want.value);
        expect(keyOrder(got.value)).toEqual(keyOrder(want.value));
    }
}
function keyOrder(v: unknown): unknown {
    if (Array.isArray(v)) return v.map(keyOrder);
    if (v !== null && typeof v === "object") return Object.entries(v).map(([k, x]) => [k, keyOrder(x)]);
    return typeof v === "number" && Object.is(v, -0) ? "-0" : v;
}

/** google-protobuf's writer as its JavaScript has it (@types/google-protobuf gives endSubMessage a parameter it has not). */
interface Writer {
    beginSubMessage(field: number): void;
    endSubMessage(): void;
    writeString(field: number, value: string): void;
    writeDouble(field: number, value: number): void;
    writeBool(field: number, value: boolean): void;
    writeUint64(field: number, value: number): void;
}

/** A Struct written field by field (for what fromJavaScript never writes: duplicates, kindless values, unknown fields). */
function handWritten(write: (w: Writer) => void): Uint8Array {
    const w = new jspb.BinaryWriter();
    write(w as unknown as Writer);
    return w.getResultBuffer();
}
function entry(w: Writer, key: string, value: (w: Writer) => void) {
    w.beginSubMessage(1);
    w.writeString(1, key);
    w.beginSubMessage(2);
    value(w);
    w.endSubMessage();
    w.endSubMessage();
}

describe("struct-decode: every resource the stacks plan", () => {
    const resources: Record<string, unknown>[] = [];
    beforeAll(async () => {
        for (const [stack, overrides] of [
            ["dev", undefined],
            ["local", undefined],
            ["local", generatedStack(30)],
        ] as const) {
            const plan = await planConfig(loadStackConfig(stack, { overrides }));
            for (const r of plan.resources) resources.push(r.rawInputs);
        }
    }, 120_000);

    it("decodes each one exactly as google-protobuf does, directly and inside an AnalyzeRequest", () => {
        expect(resources.length).toBeGreaterThan(300);
        for (const props of resources) expectSame(encodeStruct(props));
    });
});

describe("struct-decode: edge cases", () => {
    const values: Record<string, Record<string, unknown>> = {
        empty: {},
        numbers: { nan: NaN, inf: Infinity, ninf: -Infinity, negzero: -0, tiny: 5e-324, big: 1.7976931348623157e308, int: 2 ** 53 + 2, neg: -42.5 },
        strings: { empty: "", unicode: "ünï€😀 中文 \u0000 \u2028", long: "z".repeat(70_000), "": "empty key", "10": "numeric-looking key", "2": "another" },
        nesting: { a: [[], [{}], [[[]]], { b: [null, true, false, 0, "x", { c: {} }] }], deep: { d: { e: { f: { g: [1, [2, [3]]] } } } } },
        "keys out of order": { zeta: 1, alpha: 2, Ä: 3, a: 4, Z: 5, _: 6, "~": 7 },
    };
    for (const [name, value] of Object.entries(values)) {
        it(`matches google-protobuf: ${name}`, () => {
            // fromJavaScript + serializeBinary keeps NaN, -0 and Infinity, which JSON would not.
            expectSame(Struct.fromJavaScript(value as never).serializeBinary());
        });
    }

    it("keeps the last of duplicate keys and sorts keys written out of order", () => {
        const bytes = handWritten((w) => {
            entry(w, "zeta", (v) => v.writeDouble(2, 1));
            entry(w, "alpha", (v) => v.writeString(3, "first"));
            entry(w, "zeta", (v) => v.writeBool(4, true));
        });
        expectSame(bytes);
        expect(fast(bytes).value).toStrictEqual({ alpha: "first", zeta: true });
    });

    it("takes the last kind of a Value that carries several, and skips unknown fields", () => {
        const bytes = handWritten((w) => {
            entry(w, "k", (v) => {
                v.writeString(3, "text");
                v.writeUint64(99, 7); // unknown field
                v.writeDouble(2, 3.5);
            });
            w.writeString(7, "unknown top-level field");
        });
        expectSame(bytes);
        expect(fast(bytes).value).toStrictEqual({ k: 3.5 });
    });

    it("throws google-protobuf's error for a Value without a kind, at any depth", () => {
        const top = handWritten((w) => entry(w, "k", () => undefined));
        const inList = handWritten((w) =>
            entry(w, "k", (v) => {
                v.beginSubMessage(6);
                v.beginSubMessage(1);
                v.endSubMessage();
                v.endSubMessage();
            }),
        );
        for (const bytes of [top, inList]) {
            expectSame(bytes);
            expect(fast(bytes).error).toBe("Unexpected struct type");
        }
    });

    it("leaves malformed bytes to google-protobuf (inside a request) instead of guessing", () => {
        const good = encodeStruct({ name: "svc", list: [1, 2, 3] });
        for (const bytes of [good.slice(0, good.length - 3), concat([good, new Uint8Array([0x0b])])]) {
            expect(fast(bytes).error).toBeDefined(); // the fast decoder refuses
            let eager: unknown;
            let lazy: unknown;
            try {
                eager = Struct.deserializeBinary(bytes).toJavaScript();
            } catch (e) {
                eager = `error: ${(e as Error).message}`;
            }
            lazy = inRequest(bytes);
            lazy = (lazy as { error?: string }).error !== undefined ? `error: ${(lazy as { error: string }).error}` : (lazy as { value: unknown }).value;
            expect(lazy).toStrictEqual(eager);
        }
    });
});

describe("struct-decode: a Struct kept as bytes is still a message", () => {
    const props = { metadata: { name: "svc", labels: { app: "svc" } }, spec: { replicas: 2, ports: [80, 443] } };
    const bytes = encodeStruct(props);
    const request = () => analyzer.AnalyzeRequest.deserializeBinary(concat([fieldHeader(2, bytes.length), bytes]));

    it("arrives as its bytes (the fast path is the one taken), and the eager decode does not", () => {
        expect(Buffer.from(pendingBytes(request().getProperties())!)).toEqual(Buffer.from(bytes));
        expect(pendingBytes(Struct.deserializeBinary(bytes))).toBeUndefined();
    });

    it("its fields map, its object form and its serialization are google-protobuf's", () => {
        const eager = Struct.deserializeBinary(bytes);
        expect(request().getProperties().getFieldsMap().getLength()).toBe(2);
        expect(request().getProperties().toObject()).toStrictEqual(eager.toObject());
        expect(Buffer.from(request().getProperties().serializeBinary())).toEqual(Buffer.from(eager.serializeBinary()));
        expect(Buffer.from(request().serializeBinary())).toEqual(Buffer.from(concat([fieldHeader(2, bytes.length), bytes])));
    });

    it("decodes the same after it was used as a message", () => {
        const struct = request().getProperties();
        struct.getFieldsMap();
        expect(pendingBytes(struct)).toBeUndefined();
        expect(struct.toJavaScript()).toStrictEqual(props);
        expect(request().getProperties().toJavaScript()).toStrictEqual(props);
    });
});
