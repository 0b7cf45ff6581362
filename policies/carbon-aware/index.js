// Entry the Pulumi engine starts (`run-policy-pack <engine> .` requires this folder's "main").
// Same loader as policies/zero-trust: the TypeScript rules are loaded through tsx's scoped,
// transpile-only require (run-policy-pack's ts-node type-checks at every start, which costs seconds).
"use strict";
const { require: tsxRequire } = require("tsx/cjs/api");
tsxRequire("./pack.ts", __filename);
