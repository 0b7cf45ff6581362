import { defineConfig } from "vitest/config";

// Each test file runs in its own forked process: Pulumi's mock runtime is process-global state.
// Two workers match the two cores CI has; the provider SDKs are large, so more would only thrash.
export default defineConfig({
    test: {
        include: ["tests/**/*.test.ts", "policies/**/*.test.ts"],
        pool: "forks",
        maxWorkers: 2,
        testTimeout: 120_000,
        hookTimeout: 120_000,
        reporters: ["default", "./tests/summary-reporter.ts"],
    },
});
