// Entry the Pulumi engine starts (`run-policy-pack <engine> .` requires this folder's "main").
// The rules are TypeScript. run-policy-pack registers ts-node with full type-checking for .ts files,
// which costs seconds at every start. Registering tsx's transpile-only CommonJS loader afterwards
// replaces that hook, so the rules are only transpiled (esbuild). Types are checked once by
// `tsc --noEmit` in CI, not at every start. (tsx's *scoped* require is not used on purpose: it keeps
// its own module cache, which loads a second copy of the gRPC message classes and breaks
// GetPluginInfo serialization.)
"use strict";
require("../struct-decode"); // request Structs decoded straight from their bytes
require("../deserialize-once"); // one properties decode per resource instead of one per policy
require("tsx/cjs/api").register();
require("./pack.ts");
