/**
 * npm run regions -- --cloud <aws|azure|gcp> --geography <EU|US|…>[,<…>] [--needs kubernetes,kafka,serverless]
 *                    [--year 2025] [--max-intensity 300] [--exclude r1,r2] [--require-verified] [--json]
 *
 * Prints the carbon ranking of a cloud's regions (components/regions/rank.ts): feasible regions best
 * first, then the excluded ones with their reasons. `--json` prints an array of
 * { region, gco2ePerKwh, year, source, services, verified } best first.
 * Intensities: Electricity Maps yearly averages via @tgwf/co2 (ODbL).
 */
import { exitAfterFlush } from "./exit";
import { parseArgs } from "node:util";
import type { Cloud, Geography } from "../components/regions";
import { rankRegions, RankingError, type Ranking } from "../components/regions/rank";
import type { PlatformService } from "../components/regions/services";

const USAGE =
    "usage: npm run regions -- --cloud <aws|azure|gcp> --geography <EU|US|…> [--needs kubernetes,kafka,serverless] " +
    "[--year <year>] [--max-intensity <gCO2e/kWh>] [--exclude <region,…>] [--require-verified] [--json]";

const list = (v: string | undefined): string[] => (v ? v.split(",").map((s) => s.trim()).filter(Boolean) : []);

/** The `--json` document: a contract other tooling reads. */
export function rankingDocument(ranking: Ranking) {
    return ranking.candidates.map((c) => ({
        region: c.region,
        gco2ePerKwh: c.gco2ePerKwh,
        year: c.year,
        source: c.source,
        services: Object.fromEntries(c.services.map((s) => [s.service, { status: s.status, product: s.product, source: s.source }])),
        verified: c.verified,
        ...(c.googleCfePct !== undefined ? { googleCfePct: c.googleCfePct } : {}),
    }));
}

export function rankingTable(ranking: Ranking): string {
    const rows = ranking.candidates.map((c, i) => [
        String(i + 1),
        c.region,
        c.location,
        c.gridZone,
        String(c.gco2ePerKwh),
        c.googleCfePct !== undefined ? `${c.googleCfePct}` : "",
        c.services.map((s) => `${s.service}:${s.status}`).join(" ") || "-",
    ]);
    const header = ["#", "region", "location", "grid zone", "gCO2e/kWh", "Google CFE%", "services"];
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
    const line = (r: string[]) => r.map((cell, i) => cell.padEnd(widths[i])).join("  ").trimEnd();
    const out = [
        `${ranking.cloud} regions in ${ranking.geographies.join(", ")} for ${ranking.needs.join(", ") || "(no service)"}, ` +
            `ranked by ${ranking.source}${ranking.maxIntensity !== undefined ? `, max ${ranking.maxIntensity} gCO2e/kWh` : ""}`,
        "",
        line(header),
        line(widths.map((w) => "-".repeat(w))),
        ...rows.map(line),
    ];
    if (!rows.length) out.push("(no feasible region)");
    if (ranking.excluded.length) {
        out.push("", "Excluded:");
        for (const e of ranking.excluded) out.push(`  ${e.region} (${e.location}): ${e.reasons.join("; ")}`);
    }
    out.push("", "Intensity data: Electricity Maps (electricitymaps.com), ODbL, via CO2.js. Google CFE%: GoogleCloudPlatform/region-carbon-info (Apache-2.0).");
    return out.join("\n");
}

function main(): number {
    let values;
    try {
        ({ values } = parseArgs({
            options: {
                cloud: { type: "string" },
                geography: { type: "string" },
                needs: { type: "string" },
                year: { type: "string" },
                "max-intensity": { type: "string" },
                exclude: { type: "string" },
                "require-verified": { type: "boolean", default: false },
                json: { type: "boolean", default: false },
            },
        }));
    } catch (e) {
        console.error(`${(e as Error).message}\n${USAGE}`);
        return 2;
    }
    if (!values.cloud || !values.geography) {
        console.error(USAGE);
        return 2;
    }
    const num = (flag: string, v: string | undefined): number | undefined => {
        if (v === undefined) return undefined;
        const n = Number(v);
        if (!Number.isFinite(n)) throw new RankingError(`--${flag} "${v}" must be a number`);
        return n;
    };
    try {
        const ranking = rankRegions({
            cloud: values.cloud as Cloud,
            geographies: list(values.geography) as Geography[],
            needs: list(values.needs) as PlatformService[],
            excludedRegions: list(values.exclude),
            year: num("year", values.year),
            maxIntensity: num("max-intensity", values["max-intensity"]),
            requireVerified: values["require-verified"],
        });
        console.log(values.json ? JSON.stringify(rankingDocument(ranking), null, 2) : rankingTable(ranking));
        return 0;
    } catch (e) {
        if (e instanceof RankingError) {
            console.error(`regions: ${e.message}`);
            return 1;
        }
        throw e;
    }
}

if (require.main === module) exitAfterFlush(main());
