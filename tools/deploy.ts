/**
 * npm run deploy -- --stack <name> [--policy-pack-config <file>] [--backend <url>] [--preview-only]
 *
 * The automated deploy CI runs on push to main, through Pulumi's Automation API (the real CLI must
 * be on PATH): validate the stack config offline, select or create the stack, preview with every
 * policy pack under policies/, stop on a mandatory violation, then `up` and print the outputs.
 * Exit codes: 0 deployed (or previewed cleanly), 1 mandatory policy violation, 2 any other failure.
 */
import { exitAfterFlush } from "./exit";
import { LocalWorkspace, type EngineEvent, type OutputMap } from "@pulumi/pulumi/automation";
import * as fs from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { parsePlatformConfig, rawPlatformConfig } from "../stacks/config";
import { loadStackConfig, PROJECT_ROOT } from "./plan/stack-config";
import { perPackConfigFiles } from "./policy/pack-config";

export interface DeployOptions {
    stack: string;
    /**
     * Policy pack config files (JSON, `--policy-pack-config` format, for all packs together). The CLI takes
     * one config per `--policy-pack`, in order, and a pack rejects policy names it does not declare, so the
     * entries are split per pack by the policy names each declares (as `npm run check` does).
     */
    policyPackConfigs?: string[];
    /** State backend URL (s3://, azblob://, gs://, file://, https://api.pulumi.com); default: the CLI's login. */
    backend?: string;
    previewOnly?: boolean;
    root?: string;
    log?: (line: string) => void;
}

export interface PolicyViolation {
    policyPack: string;
    policy: string;
    enforcementLevel: string;
    urn: string;
    message: string;
}

export interface DeployResult {
    exitCode: 0 | 1 | 2;
    violations: PolicyViolation[];
    outputs?: Record<string, unknown>;
    error?: string;
}

/** Folders under policies/ that hold a policy pack (a PulumiPolicy.yaml). */
export function policyPacks(root = PROJECT_ROOT): string[] {
    const dir = path.join(root, "policies");
    if (!fs.existsSync(dir)) return [];
    return fs
        .readdirSync(dir)
        .filter((d) => fs.existsSync(path.join(dir, d, "PulumiPolicy.yaml")))
        .sort()
        .map((d) => path.join(dir, d));
}

function maskOutputs(outputs: OutputMap): Record<string, unknown> {
    return Object.fromEntries(Object.entries(outputs).map(([k, v]) => [k, v.secret ? "[secret]" : v.value]));
}

export async function deploy(opts: DeployOptions): Promise<DeployResult> {
    const root = opts.root ?? PROJECT_ROOT;
    const log = opts.log ?? ((l: string) => console.log(l));
    // Fail fast and offline on a bad config, before the CLI or any cloud is touched.
    try {
        parsePlatformConfig(rawPlatformConfig(loadStackConfig(opts.stack, { root }).config));
    } catch (e) {
        return { exitCode: 2, violations: [], error: (e as Error).message };
    }
    const packs = policyPacks(root);
    let packConfigs: string[];
    try {
        packConfigs = await perPackConfigFiles(opts.policyPackConfigs ?? [], packs);
    } catch (e) {
        return { exitCode: 2, violations: [], error: (e as Error).message };
    }
    const violations: PolicyViolation[] = [];
    // An engine event is reported once per sequence number; an event log that is re-read (file tailing
    // on older CLIs) must not double-count a violation.
    const seen = new Set<number>();
    const onEvent = (event: EngineEvent) => {
        const p = event.policyEvent;
        if (!p) return;
        if (seen.has(event.sequence)) return;
        seen.add(event.sequence);
        violations.push({
            policyPack: p.policyPackName,
            policy: p.policyName,
            enforcementLevel: p.enforcementLevel,
            urn: p.resourceUrn ?? "",
            message: p.message,
        });
    };
    try {
        const stack = await LocalWorkspace.createOrSelectStack(
            { stackName: opts.stack, workDir: root },
            { envVars: opts.backend ? { PULUMI_BACKEND_URL: opts.backend } : {} },
        );
        log(`stack ${opts.stack}: preview with ${packs.length} policy pack(s): ${packs.map((p) => path.basename(p)).join(", ")}`);
        try {
            await stack.preview({ policyPacks: packs, policyPackConfigs: packConfigs.length ? packConfigs : undefined, onEvent, onOutput: log });
        } catch (e) {
            if (violations.some((v) => v.enforcementLevel === "mandatory")) throw new MandatoryViolation();
            throw e;
        }
        // The CLI fails a preview with mandatory violations; this guards a CLI that only reports them.
        if (violations.some((v) => v.enforcementLevel === "mandatory")) throw new MandatoryViolation();
        if (opts.previewOnly) return { exitCode: 0, violations };
        log(`stack ${opts.stack}: up`);
        await stack.up({ policyPacks: packs, policyPackConfigs: packConfigs.length ? packConfigs : undefined, onOutput: log });
        const outputs = maskOutputs(await stack.outputs());
        return { exitCode: 0, violations, outputs };
    } catch (e) {
        if (e instanceof MandatoryViolation) {
            return { exitCode: 1, violations, error: "mandatory policy violations; nothing was deployed" };
        }
        return { exitCode: 2, violations, error: (e as Error).message };
    }
}

class MandatoryViolation extends Error {}

async function main(): Promise<number> {
    const { values } = parseArgs({
        options: {
            stack: { type: "string" },
            "policy-pack-config": { type: "string", multiple: true },
            backend: { type: "string" },
            "preview-only": { type: "boolean", default: false },
        },
    });
    if (!values.stack) {
        console.error("usage: npm run deploy -- --stack <name> [--policy-pack-config <file>] [--backend <url>] [--preview-only]");
        return 2;
    }
    const result = await deploy({
        stack: values.stack,
        policyPackConfigs: values["policy-pack-config"],
        backend: values.backend ?? process.env.PULUMI_BACKEND_URL,
        previewOnly: values["preview-only"],
    });
    for (const v of result.violations) {
        console.error(`[${v.enforcementLevel}] ${v.policyPack}/${v.policy} ${v.urn}: ${v.message}`);
    }
    if (result.error) console.error(result.error);
    if (result.outputs) console.log(JSON.stringify(result.outputs, null, 2));
    return result.exitCode;
}

if (require.main === module) {
    main().then(
        (code) => exitAfterFlush(code),
        (e) => {
            console.error(e);
            exitAfterFlush(2);
        },
    );
}
