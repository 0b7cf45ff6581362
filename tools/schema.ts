/**
 * npm run schema: prints the Pulumi package schema of the components, as @pulumi/pulumi's component
 * provider derives it from the TypeScript source (what `pulumi package get-schema` shows for this
 * repository). Exit 2 when a component cannot be expressed in a schema (the analyzer says why).
 */
import * as path from "node:path";
import { ComponentProvider, getPulumiComponents } from "@pulumi/pulumi/provider/experimental";
import * as library from "../index";

export const PROJECT_ROOT = path.join(__dirname, "..");

/** `only`: the class names to analyze (default: every component the library exports). */
export async function packageSchema(only?: string[]): Promise<Record<string, any>> {
    const all = getPulumiComponents(library);
    const components = only ? all.filter((c) => only.includes(c.name)) : all;
    if (only && components.length !== only.length)
        throw new Error(`unknown component(s): ${only.filter((n) => !all.some((c) => c.name === n)).join(", ")}; the library exports ${all.map((c) => c.name).join(", ")}`);
    const provider = new ComponentProvider({ name: "platform", dirname: PROJECT_ROOT, components });
    return JSON.parse(await provider.getSchema());
}

if (require.main === module) {
    // npm run schema [-- --components EksCluster,AksCluster]
    const i = process.argv.indexOf("--components");
    packageSchema(i > 0 ? process.argv[i + 1]?.split(",") : undefined).then(
        (schema) => console.log(JSON.stringify(schema, null, 2)),
        (e) => {
            console.error(`schema: ${e instanceof Error ? e.message : String(e)}`);
            process.exit(2);
        },
    );
}
