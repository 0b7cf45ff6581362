/**
 * The credential-free plan: run the stack program under the mock runtime and collect what it
 * registers. Shared by `npm run plan`, `npm run check`, the benchmark and the tests.
 */
import { parsePlatformConfig, rawPlatformConfig } from "../../stacks/config";
import { platformProgram } from "../../stacks/program";
import { runUnderMocks, type RecordedResource } from "./runtime";
import { loadStackConfig, type StackConfig } from "./stack-config";

export { loadStackConfig, type StackConfig } from "./stack-config";
export type { RecordedResource } from "./runtime";

export interface Plan {
    project: string;
    stack: string;
    resources: RecordedResource[];
    /** Stack outputs with secrets revealed (tests read these). */
    outputs: Record<string, unknown>;
    /** Stack outputs with secrets masked (what the CLI prints). */
    maskedOutputs: Record<string, unknown>;
}

/**
 * Plans a stack from its files (or from `overrides`, fully qualified keys, e.g. for tests).
 * Throws ConfigError, before anything is registered, when the configuration is invalid.
 */
export async function planStack(stack: string, overrides?: Record<string, unknown>, root?: string): Promise<Plan> {
    return planConfig(loadStackConfig(stack, { overrides, root }));
}

/** `onResource` sees each resource as it is recorded (the streaming policy check). */
export async function planConfig(sc: StackConfig, opts: { onResource?: (r: RecordedResource) => void } = {}): Promise<Plan> {
    // Validate first, outside the runtime, so a bad config registers nothing at all (not even the stack).
    parsePlatformConfig(rawPlatformConfig(sc.config));
    const run = await runUnderMocks(platformProgram, {
        project: sc.project,
        stack: sc.stack,
        config: sc.config,
        secretKeys: sc.secretKeys,
        onResource: opts.onResource,
    });
    return { project: sc.project, stack: sc.stack, resources: run.resources, outputs: run.outputs, maskedOutputs: run.maskedOutputs as Record<string, unknown> };
}
