/**
 * The zero-trust policy pack: constructing the PolicyPack starts the analyzer gRPC server (it
 * prints its port). Rules live in ./rules so tests and other packs can import them without a server.
 */
import { PolicyPack } from "@pulumi/policy";
import { zeroTrustPolicies } from "./rules";

new PolicyPack("zero-trust", { policies: zeroTrustPolicies });
