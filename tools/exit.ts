/**
 * Exits once stdout and stderr have flushed. `process.exit()` right after a large `console.log` to a
 * pipe cuts the output (Node writes to pipes asynchronously), which would truncate `--json` documents.
 */
export function exitAfterFlush(code: number): void {
    process.stdout.write("", () => process.stderr.write("", () => process.exit(code)));
}
