/**
 * The check client's direct Struct encoding must produce exactly the bytes google-protobuf produces
 * (the packs decode them with google-protobuf), and the planner's copy-on-write decoding must give the
 * same masked and revealed views as decoding each separately.
 */
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { describe, expect, it } from "vitest";
import { fromWire, SECRET_PLACEHOLDER, UNKNOWN, UNKNOWN_PLACEHOLDER } from "../tools/plan/runtime";
import { concatBytes, encodeStruct, lengthDelimited } from "../tools/policy/struct-encoding";

const viaGoogleProtobuf = (v: Record<string, unknown>) => Buffer.from(Struct.fromJavaScript(JSON.parse(JSON.stringify(v))).serializeBinary()).toString("hex");
const direct = (v: Record<string, unknown>) => Buffer.from(encodeStruct(v)).toString("hex");

describe("encodeStruct", () => {
    const cases: Record<string, Record<string, unknown>> = {
        empty: {},
        scalars: { s: "text", n: 42, f: -0.5, big: 1e300, t: true, fl: false, nul: null },
        "keys out of order and non-ASCII": { zeta: 1, alpha: "ünï€😀", Ä: 2, "": "" },
        "undefined, NaN and functions as JSON drops or nulls them": { u: undefined, nan: NaN, inf: Infinity, fn: () => 1, list: [undefined, NaN, 1] },
        nested: { metadata: { name: "svc", labels: { app: "svc" } }, spec: { list: [[], [{}], { a: [1, "x", null, true] }] } },
        "a string longer than 127 bytes and a body longer than 16 KiB": { short: "x".repeat(200), long: "y".repeat(20000) },
        "toJSON objects": { when: new Date(0) },
    };
    for (const [name, value] of Object.entries(cases)) {
        it(`matches google-protobuf byte for byte: ${name}`, () => {
            expect(direct(value)).toBe(viaGoogleProtobuf(value));
        });
    }

    it("decodes back to the JSON value", () => {
        const value = { b: [1, "two", { three: 3 }], a: { nested: true } };
        expect(Struct.deserializeBinary(encodeStruct(value)).toJavaScript()).toEqual(value);
    });

    it("frames a length-delimited field and concatenates fragments", () => {
        expect(Buffer.from(lengthDelimited(2, new Uint8Array([7, 8, 9]))).toString("hex")).toBe("1203070809");
        expect(Buffer.from(concatBytes([new Uint8Array([1]), new Uint8Array([]), new Uint8Array([2, 3])])).toString("hex")).toBe("010203");
    });
});

describe("fromWire (copy-on-write)", () => {
    const SIG = "4dabf18193072939515e22adb298388d";
    const secret = (value: unknown) => ({ [SIG]: "1b47061264138c4ac30d75fd1eb44270", value });
    const wire = { plain: { a: [1, 2], b: "x" }, pass: secret("hunter2"), later: UNKNOWN, list: ["a", secret("b")] };

    it("masks secrets and unknowns, or reveals them", () => {
        expect(fromWire(wire, true)).toEqual({ plain: { a: [1, 2], b: "x" }, pass: SECRET_PLACEHOLDER, later: UNKNOWN_PLACEHOLDER, list: ["a", SECRET_PLACEHOLDER] });
        expect(fromWire(wire, false)).toEqual({ plain: { a: [1, 2], b: "x" }, pass: "hunter2", later: UNKNOWN, list: ["a", "b"] });
    });

    it("shares plain subtrees between the views instead of copying them, and never changes its input", () => {
        const before = JSON.stringify(wire);
        const masked = fromWire(wire, true) as typeof wire;
        const raw = fromWire(wire, false) as typeof wire;
        expect(masked.plain).toBe(wire.plain);
        expect(raw.plain).toBe(wire.plain);
        expect(masked).not.toBe(wire);
        expect(JSON.stringify(wire)).toBe(before);
        const allPlain = { x: { y: [1, { z: "q" }] } };
        expect(fromWire(allPlain, true)).toBe(allPlain);
    });
});
