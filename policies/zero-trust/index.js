// Entry the Pulumi engine starts (`run-policy-pack <engine> .` requires this folder's "main").
// The pack is self-contained: it loads nothing from outside this folder, only the packages its
// package.json names (installed next to it, or resolved from an enclosing node_modules in the repository).
// The rules are TypeScript. run-policy-pack registers ts-node with full type-checking for .ts files,
// which costs seconds at every start. Registering tsx's transpile-only CommonJS loader afterwards
// replaces that hook, so the rules are only transpiled (esbuild). Types are checked once by
// `tsc --noEmit` in the repository, not at every start: the rules import the providers' types with
// `import type` only, which transpiling erases, so no provider SDK is needed at run time. (tsx's *scoped*
// require is not used on purpose: it keeps its own module cache, which loads a second copy of the gRPC
// message classes and breaks GetPluginInfo serialization.)
"use strict";
require("./lib/struct-decode"); // request Structs decoded straight from their bytes
require("./lib/deserialize-once"); // one properties decode per resource instead of one per policy
require("tsx/cjs/api").register();
require("./pack.ts");
