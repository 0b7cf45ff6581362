// Entry the Pulumi engine starts: `run-policy-pack <engine> .` requires this folder's "main". The
// rules are TypeScript, bundled by build.js (npm run build) into bundle/pack.js with the platform's
// region catalogue, so the published folder needs neither a TypeScript loader nor anything outside it.
// (run-policy-pack still registers ts-node for .ts files; plain JavaScript does not go through it.)
"use strict";
require("./runtime/struct-decode"); // request Structs decoded straight from their bytes
require("./runtime/deserialize-once"); // one properties decode per resource instead of one per policy
require("./bundle/pack.js");
