// Loaded by the pack's entry (index.js) before the pack itself (a copy per pack: a pack ships on its own).
//
// @pulumi/policy's Analyze handler decodes the resource's properties (protobuf Struct → JavaScript)
// once per *policy*, not once per resource: for the zero-trust pack's ~45 policies that was ~45 full
// decodes of every resource (and of its provider), most of the pack's Analyze time. AnalyzeStack does the
// same once per stack policy for every resource. The decode is a pure function of the request's Struct,
// so it is memoized per Struct object: every policy of one request (and every stack policy) gets the same
// decoded value, each still behind its own unknown-checking proxy. Rules read props; none writes them.
// Remediate decodes with secret proxies (the `true` flag) and is left as it is.
"use strict";
const deserialize = require("@pulumi/policy/deserialize");

const original = deserialize.deserializeProperties;
const decoded = new WeakMap();

deserialize.deserializeProperties = function deserializePropertiesOnce(struct, proxySecrets) {
    if (proxySecrets || struct === null || typeof struct !== "object") return original(struct, proxySecrets);
    let value = decoded.get(struct);
    if (value === undefined) {
        value = original(struct, proxySecrets);
        decoded.set(struct, value);
    }
    return value;
};
