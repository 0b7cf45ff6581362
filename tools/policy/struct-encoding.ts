/**
 * Direct protobuf encoding of a JSON value as a google.protobuf.Struct, byte for byte what
 * `Struct.fromJavaScript(JSON.parse(JSON.stringify(v))).serializeBinary()` produces (keys sorted as
 * google-protobuf's map serialization sorts them), without building a tree of message objects first.
 * The policy check sends every resource's properties to every pack; building them through
 * google-protobuf's message classes was most of the client's time and garbage.
 *
 * JSON semantics: undefined and functions are dropped from objects and become null in arrays; numbers
 * that are not finite become null; objects with toJSON are encoded as what toJSON returns.
 */

class Writer {
    private buf = new Uint8Array(1024);
    len = 0;

    private room(n: number): void {
        if (this.len + n <= this.buf.length) return;
        let size = this.buf.length * 2;
        while (size < this.len + n) size *= 2;
        const next = new Uint8Array(size);
        next.set(this.buf.subarray(0, this.len));
        this.buf = next;
    }

    byte(b: number): void {
        this.room(1);
        this.buf[this.len++] = b;
    }

    varint(n: number): void {
        this.room(10);
        while (n > 127) {
            this.buf[this.len++] = (n & 127) | 128;
            n = Math.floor(n / 128);
        }
        this.buf[this.len++] = n;
    }

    double(n: number): void {
        this.room(8);
        new DataView(this.buf.buffer, this.buf.byteOffset + this.len, 8).setFloat64(0, n, true);
        this.len += 8;
    }

    bytes(b: Uint8Array): void {
        this.room(b.length);
        this.buf.set(b, this.len);
        this.len += b.length;
    }

    string(s: string): void {
        // UTF-8 length first (protobuf strings are length-delimited).
        const max = s.length * 3;
        this.room(max + 10);
        const start = this.len;
        // Reserve the length with the worst-case varint size, then move the body if it was smaller.
        const lenBytes = varintSize(max);
        const written = encoder.encodeInto(s, this.buf.subarray(start + lenBytes, start + lenBytes + max)).written;
        const actual = varintSize(written);
        if (actual !== lenBytes) this.buf.copyWithin(start + actual, start + lenBytes, start + lenBytes + written);
        this.varint(written);
        this.len = start + actual + written;
    }

    /** Writes a length-delimited field whose body `body` writes (in place: the length is patched in after). */
    nested(tag: number, body: () => void): void {
        this.byte(tag);
        this.room(MAX_LEN_BYTES);
        const at = this.len;
        this.len += MAX_LEN_BYTES;
        body();
        const n = this.len - at - MAX_LEN_BYTES;
        const size = varintSize(n);
        if (size !== MAX_LEN_BYTES) this.buf.copyWithin(at + size, at + MAX_LEN_BYTES, this.len);
        this.len = at;
        this.varint(n);
        this.len = at + size + n;
    }

    result(): Uint8Array {
        return this.buf.slice(0, this.len);
    }
}

/** Bytes reserved for a nested message's length (lengths below 2^35). */
const MAX_LEN_BYTES = 5;

const encoder = new TextEncoder();

function varintSize(n: number): number {
    let size = 1;
    while (n > 127) {
        n = Math.floor(n / 128);
        size++;
    }
    return size;
}

/** JSON.stringify's view of a value: undefined when it would be dropped. */
function jsonValue(v: unknown): unknown {
    if (v !== null && typeof v === "object" && typeof (v as { toJSON?: unknown }).toJSON === "function") v = (v as { toJSON: () => unknown }).toJSON();
    if (v === undefined || typeof v === "function" || typeof v === "symbol") return undefined;
    if (typeof v === "bigint") throw new TypeError("Do not know how to serialize a BigInt");
    return v;
}

// google.protobuf.Value fields: null_value = 1, number_value = 2, string_value = 3, bool_value = 4,
// struct_value = 5, list_value = 6. Struct: map<string, Value> fields = 1 (entry: key = 1, value = 2).
// ListValue: repeated Value values = 1.
function writeValueBody(w: Writer, v: unknown): void {
    if (v === null || v === undefined || (typeof v === "number" && !Number.isFinite(v))) {
        w.byte(0x08);
        w.varint(0);
    } else if (typeof v === "number") {
        w.byte(0x11);
        w.double(v);
    } else if (typeof v === "string") {
        w.byte(0x1a);
        w.string(v);
    } else if (typeof v === "boolean") {
        w.byte(0x20);
        w.varint(v ? 1 : 0);
    } else if (Array.isArray(v)) {
        w.nested(0x32, () => {
            for (const e of v) w.nested(0x0a, () => writeValueBody(w, jsonValue(e) ?? null));
        });
    } else {
        w.nested(0x2a, () => writeStructBody(w, v as Record<string, unknown>));
    }
}

function writeStructBody(w: Writer, obj: Record<string, unknown>): void {
    for (const key of Object.keys(obj).sort()) {
        const v = jsonValue(obj[key]);
        if (v === undefined) continue;
        w.nested(0x0a, () => {
            w.byte(0x0a);
            w.string(key);
            w.nested(0x12, () => writeValueBody(w, v));
        });
    }
}

/** The serialized google.protobuf.Struct of a plain JSON object. */
export function encodeStruct(obj: Record<string, unknown> | undefined): Uint8Array {
    const w = new Writer();
    writeStructBody(w, (jsonValue(obj) ?? {}) as Record<string, unknown>);
    return w.result();
}

/** `tag` + length + `body`: a length-delimited field (message, bytes or string) of a protobuf message. */
export function lengthDelimited(fieldNumber: number, body: Uint8Array): Uint8Array {
    const w = new Writer();
    w.varint((fieldNumber << 3) | 2);
    w.varint(body.length);
    w.bytes(body);
    return w.result();
}

/** Concatenates serialized protobuf fragments (fields of one message may be written in any order). */
export function concatBytes(parts: Uint8Array[]): Uint8Array {
    let size = 0;
    for (const p of parts) size += p.length;
    const out = new Uint8Array(size);
    let at = 0;
    for (const p of parts) {
        out.set(p, at);
        at += p.length;
    }
    return out;
}
