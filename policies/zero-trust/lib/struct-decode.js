// Loaded by the pack's entry (index.js), before @pulumi/policy. (Was policies/struct-decode.js, shared by
// both packs; each pack now ships its own copy so it loads nothing from outside its folder.)
//
// Every resource reaches a pack as a protobuf Struct twice (its Analyze request and the AnalyzeStack
// request), and google-protobuf decodes each one into a tree of message objects (a Map per Struct, a
// Value per field) that @pulumi/policy then walks once with `toJavaScript()` and drops. Profiled at
// 1,000 services that decode was the largest part of each pack's CPU (5 s of ~13 s, plus the garbage).
//
// Here the properties Structs inside the analyzer's requests are kept as their bytes and decoded straight
// to JavaScript on `toJavaScript()`, with the same result: keys sorted and the last duplicate winning (as
// jspb.Map does), numbers as doubles, a Value without a kind throwing 'Unexpected struct type'. Anything
// else asked of such a Struct (its fields map, re-serializing it) first decodes it the original way, so
// callers that use more than `toJavaScript()` see an ordinary message. Bytes the fast path cannot read
// fall back to the original decoder too. tests/struct-decode.test.ts compares both on every resource of
// the stacks' plans and on edge cases.
"use strict";
const path = require("node:path");

// The google-protobuf copy the analyzer's generated messages use (the one @pulumi/pulumi resolves).
const fromPulumiProto = { paths: [path.dirname(require.resolve("@pulumi/pulumi/proto/analyzer_pb"))] };
const jspb = require(require.resolve("google-protobuf", fromPulumiProto));
const { Struct } = require(require.resolve("google-protobuf/google/protobuf/struct_pb.js", fromPulumiProto));

/** Struct bytes not yet decoded, per Struct message. */
const pending = new WeakMap();

class MalformedStruct extends Error {}

const KIND_NOT_SET = Symbol("kind not set");

function decoder(bytes) {
    const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    let pos = 0;
    const varint = () => {
        let b = buf[pos++];
        if (b < 0x80) return b;
        if (b === undefined) throw new MalformedStruct("truncated varint");
        let result = b & 0x7f;
        let scale = 0x80;
        for (;;) {
            b = buf[pos++];
            if (b === undefined) throw new MalformedStruct("truncated varint");
            result += (b & 0x7f) * scale;
            if (b < 0x80) return result;
            scale *= 0x80;
            if (scale > 2 ** 63) throw new MalformedStruct("varint too long");
        }
    };
    /** The end of a length-delimited field that starts at `pos`, checked against the buffer. */
    const delimited = () => {
        const end = varint() + pos;
        if (end > buf.length) throw new MalformedStruct("length past the end");
        return end;
    };
    const skip = (wireType) => {
        if (wireType === 0) varint();
        else if (wireType === 1) pos += 8;
        else if (wireType === 2) pos = delimited();
        else if (wireType === 5) pos += 4;
        else throw new MalformedStruct(`wire type ${wireType}`);
        if (pos > buf.length) throw new MalformedStruct("truncated field");
    };
    const ended = (end) => {
        if (pos !== end) throw new MalformedStruct("field overran its message");
    };
    function struct(end) {
        const fields = new Map();
        while (pos < end) {
            const tag = varint();
            if (tag !== 10) {
                skip(tag & 7);
                continue;
            }
            // A map entry: key (1, string), value (2, Value).
            const entryEnd = delimited();
            let key = "";
            let value = KIND_NOT_SET;
            while (pos < entryEnd) {
                const t = varint();
                if (t === 10) {
                    const keyEnd = delimited();
                    key = buf.toString("utf8", pos, keyEnd);
                    pos = keyEnd;
                } else if (t === 18) value = valueOf(delimited());
                else skip(t & 7);
            }
            ended(entryEnd);
            fields.set(key, value); // the last duplicate wins, as in jspb.Map
        }
        ended(end);
        // jspb.Map iterates its keys sorted; Struct.toJavaScript assigns in that order.
        const out = {};
        for (const key of [...fields.keys()].sort()) {
            const value = fields.get(key);
            if (value === KIND_NOT_SET) throw new Error("Unexpected struct type");
            out[key] = value;
        }
        return out;
    }
    function list(end) {
        const out = [];
        while (pos < end) {
            const tag = varint();
            if (tag !== 10) {
                skip(tag & 7);
                continue;
            }
            const value = valueOf(delimited());
            if (value === KIND_NOT_SET) throw new Error("Unexpected struct type");
            out.push(value);
        }
        ended(end);
        return out;
    }
    function valueOf(end) {
        // A oneof: the last kind on the wire wins, as in google-protobuf.
        let value = KIND_NOT_SET;
        while (pos < end) {
            const tag = varint();
            if (tag === 8) {
                varint(); // null_value: NULL_VALUE is the enum's only value
                value = null;
            } else if (tag === 17) {
                if (pos + 8 > end) throw new MalformedStruct("truncated double");
                value = buf.readDoubleLE(pos); // number_value
                pos += 8;
            } else if (tag === 26) {
                const stringEnd = delimited(); // string_value
                value = buf.toString("utf8", pos, stringEnd);
                pos = stringEnd;
            } else if (tag === 32) value = varint() !== 0; // bool_value
            else if (tag === 42) value = struct(delimited()); // struct_value
            else if (tag === 50) value = list(delimited()); // list_value
            else skip(tag & 7);
        }
        ended(end);
        return value;
    }
    return { decode: () => struct(buf.length) };
}

/** Decodes the bytes of a google.protobuf.Struct to what `Struct.toJavaScript()` returns. */
function structBytesToJavaScript(bytes) {
    return decoder(bytes).decode();
}

const originalFromReader = Struct.deserializeBinaryFromReader;
const originalReadMessage = jspb.BinaryReader.prototype.readMessage;

/** Decodes a pending Struct the original way, so it is an ordinary message from then on. */
function materialize(struct) {
    const bytes = pending.get(struct);
    if (bytes === undefined) return;
    pending.delete(struct);
    originalFromReader(struct, new jspb.BinaryReader(bytes));
}

function install() {
    if (Struct.deserializeBinaryFromReader.lazyStructBytes) return; // already installed in this process
    // Generated parents read a Struct field with `reader.readMessage(value, Struct.deserializeBinaryFromReader)`:
    // that call now keeps the field's bytes. Called directly (Struct.deserializeBinary), it decodes as before.
    const fromReader = function deserializeBinaryFromReader(msg, reader) {
        return originalFromReader(msg, reader);
    };
    fromReader.lazyStructBytes = true;
    Struct.deserializeBinaryFromReader = fromReader;
    jspb.BinaryReader.prototype.readMessage = function readMessage(message, read) {
        if (read === fromReader && message instanceof Struct && !pending.has(message)) {
            pending.set(message, this.readBytes());
            return;
        }
        return originalReadMessage.call(this, message, read);
    };
    const originalToJavaScript = Struct.prototype.toJavaScript;
    Struct.prototype.toJavaScript = function toJavaScript() {
        const bytes = pending.get(this);
        if (bytes !== undefined) {
            try {
                return structBytesToJavaScript(bytes);
            } catch (e) {
                if (!(e instanceof MalformedStruct)) throw e;
                materialize(this); // let the original decoder judge bytes this one cannot read
            }
        }
        return originalToJavaScript.call(this);
    };
    // Everything else a message offers reads its fields: decode them first.
    for (const method of ["getFieldsMap", "clearFieldsMap", "serializeBinary", "toObject", "cloneMessage", "clone"]) {
        const original = Struct.prototype[method];
        if (typeof original !== "function") continue;
        Struct.prototype[method] = function (...args) {
            materialize(this);
            return original.apply(this, args);
        };
    }
}

install();

/** The bytes a Struct still holds undecoded (undefined once it is an ordinary message); for tests. */
function pendingBytes(struct) {
    return pending.get(struct);
}

module.exports = { structBytesToJavaScript, pendingBytes };
