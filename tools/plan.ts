/**
 * npm run plan -- --stack <name> [--json]
 *
 * The credential-free plan: reads Pulumi.yaml and Pulumi.<stack>.yaml as the CLI does, runs the
 * stack program under Pulumi's mock runtime and prints what `pulumi preview` would send to the
 * providers. No cloud, no engine, no Pulumi CLI and no credentials are involved.
 */
import { exitAfterFlush } from "./exit";
import * as fs from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { ConfigError } from "../stacks/config";
import { planStack, type Plan, type RecordedResource } from "./plan/index";
import { StackNameError } from "./plan/stack-config";

// `import … from "tools/plan"` resolves to this file before the folder: re-export the library API.
export * from "./plan/index";

function usage(): never {
    console.error("usage: npm run plan -- --stack <name> [--json] [--root <project folder>]");
    process.exit(2);
}

/** The document `--json` prints; its shape is a contract other tooling reads. */
export function planDocument(plan: Plan) {
    return {
        project: plan.project,
        stack: plan.stack,
        resources: plan.resources.map((r: RecordedResource) => ({
            urn: r.urn,
            type: r.type,
            name: r.name,
            parent: r.parent,
            provider: r.provider,
            custom: r.custom,
            protect: r.protect,
            retainOnDelete: r.retainOnDelete,
            dependencies: r.dependencies,
            inputs: r.inputs,
        })),
        outputs: plan.maskedOutputs,
    };
}

function printTree(plan: Plan): void {
    const children = new Map<string, RecordedResource[]>();
    for (const r of plan.resources) {
        const list = children.get(r.parent) ?? [];
        list.push(r);
        children.set(r.parent, list);
    }
    const countBelow = (urn: string): number =>
        (children.get(urn) ?? []).reduce((n, c) => n + 1 + countBelow(c.urn), 0);
    const walk = (urn: string, indent: string) => {
        for (const r of children.get(urn) ?? []) {
            const below = countBelow(r.urn);
            const flags = [r.protect ? "protected" : "", r.retainOnDelete ? "retained on delete" : ""].filter(Boolean);
            console.log(
                `${indent}${r.custom ? "+" : "▸"} ${r.type}  ${r.name}${below ? `  (${below} below)` : ""}${flags.length ? `  [${flags.join(", ")}]` : ""}`,
            );
            walk(r.urn, indent + "    ");
        }
    };
    console.log(`Offline plan of ${plan.project}/${plan.stack}: no cloud, engine or Pulumi CLI was called.`);
    console.log(`Resources come from Pulumi's mock runtime; computed values a real preview cannot know yet are marked "(known after apply)".\n`);
    walk("", "");
    const custom = plan.resources.filter((r) => r.custom && !r.type.startsWith("pulumi:providers:"));
    const byCloud = new Map<string, number>();
    for (const r of custom) byCloud.set(r.type.split(":")[0], (byCloud.get(r.type.split(":")[0]) ?? 0) + 1);
    console.log(`\n${custom.length} resources to create (${[...byCloud].map(([k, v]) => `${k}: ${v}`).join(", ")}), ` +
        `${plan.resources.filter((r) => !r.custom).length} components, ${plan.resources.filter((r) => r.type.startsWith("pulumi:providers:")).length} providers.`);
    const placement = (plan.maskedOutputs.placement ?? {}) as Record<string, any>;
    if (Object.keys(placement).length) {
        console.log("\nPlacement:");
        for (const [cloud, p] of Object.entries(placement)) {
            const carbon =
                p.gco2ePerKwh !== undefined
                    ? `${p.gco2ePerKwh} gCO2e/kWh (${p.year})` +
                      (p.naiveDefault && p.naiveDefault.region !== p.region
                          ? `; naive default ${p.naiveDefault.region} ${p.naiveDefault.gco2ePerKwh} gCO2e/kWh, ${p.reductionPct}% lower`
                          : "")
                    : "intensity unknown";
            console.log(`  ${cloud.padEnd(6)} ${String(p.region).padEnd(16)} ${p.mode.padEnd(9)} ${carbon}${p.verified === false ? "  [some service availability unverified]" : ""}`);
        }
    }
    console.log("\nOutputs:");
    console.log(JSON.stringify(plan.maskedOutputs, null, 2));
}

async function main(): Promise<void> {
    let values;
    try {
        ({ values } = parseArgs({ options: { stack: { type: "string" }, json: { type: "boolean", default: false }, root: { type: "string" } } }));
    } catch (e) {
        console.error((e as Error).message);
        usage();
    }
    if (!values.stack) usage();
    if (values.root !== undefined && !fs.existsSync(path.join(values.root, "Pulumi.yaml"))) {
        console.error(`--root ${JSON.stringify(values.root)} has no Pulumi.yaml; allowed: the project folder (the one holding Pulumi.yaml and the stack files)`);
        usage();
    }
    const plan = await planStack(values.stack, undefined, values.root);
    if (values.json) console.log(JSON.stringify(planDocument(plan), null, 2));
    else printTree(plan);
}

if (require.main === module) {
    main().then(
        () => exitAfterFlush(0),
        (e) => {
            console.error(e instanceof ConfigError ? e.message : `plan failed: ${(e as Error).stack ?? e}`);
            // A stack that does not exist is a usage mistake (2); a bad setting in one that does is 1.
            exitAfterFlush(e instanceof ConfigError && !(e instanceof StackNameError) ? 1 : 2);
        },
    );
}
