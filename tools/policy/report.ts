/** Renders a policy check result as text, JSON, SARIF 2.1.0 or Markdown. */
import type * as sarif from "sarif";
import type { CheckResult, Violation } from "./run";

export type Format = "text" | "json" | "sarif" | "markdown";
export const FORMATS: Format[] = ["text", "json", "sarif", "markdown"];

export interface ReportContext {
    stack: string;
    /** The file SARIF results point at (GitHub code scanning needs a physical location). */
    stackFile: string;
}

export function summary(r: CheckResult) {
    return {
        resources: r.resources,
        mandatory: r.violations.filter((v) => v.enforcementLevel === "mandatory").length,
        advisory: r.violations.filter((v) => v.enforcementLevel === "advisory").length,
    };
}

/** 1 when any violation is mandatory, else 0. */
export function exitCode(r: CheckResult): 0 | 1 {
    return summary(r).mandatory > 0 ? 1 : 0;
}

export function jsonReport(r: CheckResult) {
    return {
        summary: summary(r),
        violations: r.violations.map((v) => ({
            policyPack: v.policyPack,
            policy: v.policy,
            enforcementLevel: v.enforcementLevel,
            urn: v.urn,
            type: v.type,
            message: v.message,
        })),
        exemptions: r.exemptions,
        disabled: disabledPolicies(r),
    };
}

const order = (a: Violation, b: Violation) =>
    (a.enforcementLevel === b.enforcementLevel ? 0 : a.enforcementLevel === "mandatory" ? -1 : 1) || a.urn.localeCompare(b.urn) || a.policy.localeCompare(b.policy);

const resourceLabel = (v: { urn: string; type: string }) => (v.urn ? `${v.type || "?"}  ${v.urn.split("::").pop()}` : "(stack)");

/** "<pack>/<policy>" of every policy the config turned off. */
export function disabledPolicies(r: CheckResult): string[] {
    return r.packs.flatMap((p) => (p.disabled ?? []).map((d) => `${p.name}/${d}`));
}

export function textReport(r: CheckResult, ctx: ReportContext): string {
    const s = summary(r);
    const lines = [`Policy check of stack ${ctx.stack}: ${s.resources} resources, ${r.packs.map((p) => `${p.name}@${p.version}`).join(", ") || "no policy packs"}`, ""];
    for (const v of [...r.violations].sort(order)) {
        lines.push(`${v.enforcementLevel.toUpperCase().padEnd(9)} ${v.policyPack}/${v.policy}  ${resourceLabel(v)}`);
        for (const l of v.message.split("\n")) lines.push(`          ${l}`);
    }
    for (const e of r.exemptions) lines.push(`EXEMPT    ${e.policyPack}/${e.policy}  ${resourceLabel(e)}: ${e.reason}`);
    for (const d of disabledPolicies(r)) lines.push(`DISABLED  ${d} (turned off by the policy-pack config: nothing was checked for it)`);
    lines.push("", `${s.mandatory} mandatory, ${s.advisory} advisory violation(s), ${r.exemptions.length} exemption(s).`);
    lines.push(s.mandatory ? "FAILED: fix the mandatory violations." : "PASSED: no mandatory violations.");
    return lines.join("\n");
}

const cell = (s: string) => s.replace(/\|/g, "\\|").replace(/\n/g, "<br>");

export function markdownReport(r: CheckResult, ctx: ReportContext): string {
    const s = summary(r);
    const out = [
        `### Policy check: \`${ctx.stack}\` ${s.mandatory ? "❌" : "✅"}`,
        "",
        `${s.resources} resources · **${s.mandatory} mandatory** · ${s.advisory} advisory · ${r.exemptions.length} exemptions · packs: ${r.packs.map((p) => `\`${p.name}@${p.version}\``).join(", ")}`,
        "",
    ];
    if (r.violations.length) {
        out.push("| level | policy | resource | message |", "|---|---|---|---|");
        for (const v of [...r.violations].sort(order))
            out.push(`| ${v.enforcementLevel} | \`${v.policyPack}/${v.policy}\` | ${cell(resourceLabel(v))} | ${cell(v.message)} |`);
    } else out.push("No violations.");
    if (r.exemptions.length) {
        out.push("", "| exempt policy | resource | reason |", "|---|---|---|");
        for (const e of r.exemptions) out.push(`| \`${e.policyPack}/${e.policy}\` | ${cell(resourceLabel(e))} | ${cell(e.reason)} |`);
    }
    const disabled = disabledPolicies(r);
    if (disabled.length) out.push("", `Disabled by the policy-pack config (not checked): ${disabled.map((d) => `\`${d}\``).join(", ")}`);
    return out.join("\n");
}

export function sarifReport(r: CheckResult, ctx: ReportContext): sarif.Log {
    const runs: sarif.Run[] = [];
    const packs = r.packs.length ? r.packs : [];
    for (const pack of packs) {
        const rules: sarif.ReportingDescriptor[] = pack.policies.map((p) => ({
            id: p.name,
            name: p.name,
            shortDescription: { text: p.description || p.name },
            defaultConfiguration: { level: p.enforcementLevel === "mandatory" ? "error" : p.enforcementLevel === "disabled" ? "none" : "warning" },
        }));
        const index = new Map(rules.map((rule, i) => [rule.id, i]));
        const results: sarif.Result[] = r.violations
            .filter((v) => v.policyPack === pack.name)
            .map((v) => ({
                ruleId: v.policy,
                ...(index.has(v.policy) ? { ruleIndex: index.get(v.policy) } : {}),
                level: v.enforcementLevel === "mandatory" ? "error" : "warning",
                message: { text: v.message },
                locations: [
                    {
                        physicalLocation: { artifactLocation: { uri: ctx.stackFile }, region: { startLine: 1 } },
                        logicalLocations: [{ fullyQualifiedName: v.urn || `stack:${ctx.stack}`, kind: "resource" }],
                    },
                ],
                // Stable identity of a finding across runs, so code scanning tracks it.
                partialFingerprints: { "pulumiPolicy/v1": `${v.policy}|${v.urn}|${v.message}` },
                properties: { enforcementLevel: v.enforcementLevel, resourceType: v.type, stack: ctx.stack },
            }));
        runs.push({
            tool: { driver: { name: `pulumi-policy/${pack.name}`, version: pack.version, informationUri: "https://www.pulumi.com/docs/iac/using-pulumi/crossguard/", rules } },
            automationDetails: { id: `policy/${ctx.stack}/${pack.name}/` },
            results,
        });
    }
    return { version: "2.1.0", $schema: "https://json.schemastore.org/sarif-2.1.0.json", runs };
}

export function render(r: CheckResult, format: Format, ctx: ReportContext): string {
    switch (format) {
        case "json":
            return JSON.stringify(jsonReport(r), null, 2);
        case "sarif":
            return JSON.stringify(sarifReport(r, ctx), null, 2);
        case "markdown":
            return markdownReport(r, ctx);
        default:
            return textReport(r, ctx);
    }
}
