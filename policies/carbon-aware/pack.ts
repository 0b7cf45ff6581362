/**
 * The carbon-aware policy pack: constructing the PolicyPack starts the analyzer gRPC server (it
 * prints its port). Rules live in ./rules so tests can import them without a server. build.js bundles
 * this file into bundle/pack.js, which index.js (the package's main) loads.
 */
import { PolicyPack } from "@pulumi/policy";
import { carbonAwarePolicies } from "./rules";

new PolicyPack("carbon-aware", { policies: carbonAwarePolicies });
