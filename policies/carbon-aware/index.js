// Entry the Pulumi engine starts (`run-policy-pack <engine> .` requires this folder's "main").
// Same loader as policies/zero-trust (see there): tsx's transpile-only CommonJS hook replaces the
// type-checking ts-node that run-policy-pack registers, and modules share one cache (tsx's scoped require
// kept its own, which loaded @pulumi/policy and the gRPC classes a second time and slowed start-up).
"use strict";
require("../struct-decode"); // request Structs decoded straight from their bytes
require("../deserialize-once");
require("tsx/cjs/api").register();
require("./pack.ts");
