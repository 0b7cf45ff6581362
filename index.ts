/**
 * The library entry: every component and the types of its arguments and outputs. A product team's
 * Pulumi program imports from here; the stack program (stacks/) and the tools stay outside it.
 */
export * from "./components/admission";
export * from "./components/carbon-scaling";
export * from "./components/cluster";
export * from "./components/contracts";
export * from "./components/gcp/project-services";
export * from "./components/keys";
export * from "./components/mesh";
export * from "./components/namespace";
export * from "./components/network";
export * from "./components/regions";
export * from "./components/secrets";
export * from "./components/serverless";
export * from "./components/streaming";
