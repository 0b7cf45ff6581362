/**
 * npm run check -- --stack <name> [--policy-pack-config <file>]... [--format text|json|sarif|markdown] [--packs <dir>]
 *
 * The credential-free policy check: plans the stack under Pulumi's mock runtime, starts every policy
 * pack under policies/ exactly as the engine does and analyzes every resource over the analyzer
 * gRPC protocol. Exit 1 on any mandatory violation, 0 otherwise, 2 on a tool error.
 */
import { exitAfterFlush } from "./exit";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { ConfigError, parsePlatformConfig, rawPlatformConfig } from "../stacks/config";
import { loadStackConfig, planConfig } from "./plan/index";
import { discoverPolicyPacks, PolicyConfigError, PolicyPackError, type PolicyPackConfig } from "./policy/analyzer-client";
import { readPackConfigFile, stackPackConfigFiles } from "./policy/pack-config";
import { exitCode, FORMATS, render, type Format } from "./policy/report";
import { startStreamingCheckInWorker } from "./policy/run";

const ROOT = path.resolve(__dirname, "..");

class UsageError extends Error {}

export { splitPackConfig } from "./policy/pack-config";

function readConfigFile(file: string): PolicyPackConfig {
    try {
        return readPackConfigFile(file);
    } catch (e) {
        throw new UsageError((e as Error).message);
    }
}

export async function main(argv: string[]): Promise<number> {
    let values;
    try {
        ({ values } = parseArgs({
            args: argv,
            options: {
                stack: { type: "string" },
                format: { type: "string", default: "text" },
                "policy-pack-config": { type: "string", multiple: true },
                packs: { type: "string", default: path.join(ROOT, "policies") },
            },
        }));
    } catch (e) {
        throw new UsageError((e as Error).message);
    }
    if (!values.stack) throw new UsageError("--stack is required");
    if (!FORMATS.includes(values.format as Format)) throw new UsageError(`--format is "${values.format}"; allowed: ${FORMATS.join(", ")}`);
    const packDirs = discoverPolicyPacks(values.packs!);
    if (packDirs.length === 0) throw new UsageError(`no policy packs (folders with PulumiPolicy.yaml) under ${values.packs}`);
    // The stack's own pack configuration (policies/config) first; a --policy-pack-config file given here
    // replaces the entries of the policies it names.
    const configs = [...stackPackConfigFiles(values.stack, packDirs), ...(values["policy-pack-config"] ?? [])].map(readConfigFile);

    const stackConfig = loadStackConfig(values.stack);
    parsePlatformConfig(rawPlatformConfig(stackConfig.config)); // a config error before any pack starts
    // As the engine does in a preview, the packs start with the plan and analyze each resource as it is
    // registered (from a worker thread, beside the plan); AnalyzeStack follows the plan. The config files
    // are split between the packs by the policy names each started pack declares. Results are in
    // resource order, as after the plan.
    const check = startStreamingCheckInWorker(packDirs, configs);
    let result;
    try {
        await planConfig(stackConfig, { onResource: (r) => check.add(r) });
        result = await check.finish();
    } finally {
        await check.close();
    }
    console.log(render(result, values.format as Format, { stack: values.stack, stackFile: `Pulumi.${values.stack}.yaml` }));
    for (const p of result.packs)
        console.error(`${p.name}@${p.version}: started in ${p.startupMs} ms, analysed ${p.resources} resources in ${p.analyzeMs} ms (${p.resourcesPerSecond.toFixed(0)} resources/s)`);
    return exitCode(result);
}

if (require.main === module) {
    main(process.argv.slice(2)).then(
        (code) => exitAfterFlush(code),
        (e) => {
            if (e instanceof UsageError) console.error(`${e.message}\nusage: npm run check -- --stack <name> [--policy-pack-config <file>] [--format text|json|sarif|markdown]`);
            else if (e instanceof ConfigError || e instanceof PolicyConfigError || e instanceof PolicyPackError) console.error(e.message);
            else console.error(`policy check failed: ${(e as Error).stack ?? e}`);
            exitAfterFlush(2);
        },
    );
}
