/**
 * `npm run charts:pull -- --charts-dir <dir>`: downloads the source of every chart the platform pins, at
 * the pinned version, from the repository each planned release names (`helm pull`, with the same Helm the
 * render uses), into `<dir>/<chart>-<version>`. Then `npm run charts:render -- --charts-dir <dir> --check`
 * compares what those charts render with the committed facts (the chart-facts job of
 * .github/workflows/pull-request.yml). The charts stay outside the project: only facts are committed.
 *
 * Needs the network (chart repositories, OCI registries); every `helm pull` has a deadline.
 * Exit codes: 0 pulled, 1 a pull failed or timed out, 2 usage.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { helmBinary } from "./render";
import { planEverything, releasesOf, type PlannedRelease } from "./releases";

/** Seconds one `helm pull` attempt may take before it is stopped. */
export const PULL_TIMEOUT_SECONDS = 60;
/** Attempts per chart (chart repositories and registries have transient failures). */
export const PULL_ATTEMPTS = 2;
/** Where a pulled chart's provenance is written (render uses it instead of the git source in sources.ts). */
export const PULLED_SOURCE_FILE = ".platform-pulled-from.json";

export interface PulledSource {
    /** The chart repository URL, or the OCI reference. */
    pulledFrom: string;
    version: string;
}

export interface ChartPull {
    chart: string;
    version: string;
    /** Folder under the charts dir the chart is unpacked into (`<chart>-<version>`, what render looks for first). */
    folder: string;
    /** helm arguments after the binary. */
    args: string[];
}

/** One pull per distinct chart and version, from the repository the release itself names. */
export function chartPulls(releases: PlannedRelease[]): ChartPull[] {
    const pulls = new Map<string, ChartPull>();
    for (const r of releases) {
        const key = `${r.chart}@${r.version}`;
        if (pulls.has(key)) continue;
        const oci = r.chartRef.startsWith("oci://");
        if (!oci && !r.repo)
            throw new Error(`release ${r.stack}/${r.resourceName} (${r.chartRef} ${r.version}) names no chart repository (repositoryOpts.repo) and is not an OCI reference: it cannot be pulled`);
        const folder = `${r.chart}-${r.version}`;
        const source = oci ? [r.chartRef] : [r.chart, "--repo", r.repo];
        pulls.set(key, { chart: r.chart, version: r.version, folder, args: ["pull", ...source, "--version", r.version, "--untar", "--untardir", folder] });
    }
    return [...pulls.values()].sort((a, b) => a.folder.localeCompare(b.folder));
}

export async function main(argv: string[]): Promise<number> {
    const at = argv.indexOf("--charts-dir");
    if (at < 0 || !argv[at + 1]) {
        console.error("usage: npm run charts:pull -- --charts-dir <empty dir for the chart sources>");
        return 2;
    }
    const chartsDir = path.resolve(argv[at + 1]);
    fs.mkdirSync(chartsDir, { recursive: true });
    const helm = helmBinary();
    const pulls = chartPulls((await planEverything()).flatMap(releasesOf));
    let failed = 0;
    for (const p of pulls) {
        // `--untardir <chart>-<version>` unpacks into <chart>-<version>/<chart>; render wants Chart.yaml one level down.
        const target = path.join(chartsDir, p.folder);
        const staging = `${target}.tmp`;
        let why = "";
        for (let attempt = 1; attempt <= PULL_ATTEMPTS; attempt++) {
            fs.rmSync(target, { recursive: true, force: true });
            fs.rmSync(staging, { recursive: true, force: true });
            const r = spawnSync(helm, p.args, { cwd: chartsDir, encoding: "utf8", timeout: PULL_TIMEOUT_SECONDS * 1000, killSignal: "SIGKILL" });
            const inner = path.join(target, p.chart);
            if (r.status === 0 && fs.existsSync(path.join(inner, "Chart.yaml"))) {
                fs.renameSync(inner, staging);
                fs.rmSync(target, { recursive: true, force: true });
                fs.renameSync(staging, target);
                const source: PulledSource = { pulledFrom: p.args[1].startsWith("oci://") ? p.args[1] : p.args[3], version: p.version };
                fs.writeFileSync(path.join(target, PULLED_SOURCE_FILE), `${JSON.stringify(source)}\n`);
                console.log(`pulled ${p.chart} ${p.version} → ${path.relative(process.cwd(), target)}`);
                why = "";
                break;
            }
            why =
                r.error?.message.includes("ETIMEDOUT") || r.signal
                    ? `no answer within ${PULL_TIMEOUT_SECONDS}s`
                    : r.status === 0
                      ? `helm unpacked no ${p.chart}/Chart.yaml (found: ${fs.existsSync(target) ? fs.readdirSync(target).join(", ") || "nothing" : "nothing"})`
                      : (r.stderr || String(r.error ?? "")).trim();
            // A failed attempt leaves nothing behind that a later render could take for the chart.
            fs.rmSync(target, { recursive: true, force: true });
            if (attempt < PULL_ATTEMPTS) spawnSync("sleep", ["5"]);
        }
        if (why) {
            failed++;
            console.error(`charts:pull: helm ${p.args.join(" ")}: ${why} (${PULL_ATTEMPTS} attempts)`);
        }
    }
    if (failed) console.error(`charts:pull: ${failed} of ${pulls.length} chart(s) could not be pulled (network, repository or version?)`);
    return failed ? 1 : 0;
}

if (require.main === module) {
    main(process.argv.slice(2)).then(
        (code) => process.exit(code),
        (e) => {
            console.error(`charts:pull: ${e instanceof Error ? e.message : e}`);
            process.exit(2);
        },
    );
}
