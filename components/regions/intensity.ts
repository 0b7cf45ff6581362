/**
 * Grid carbon intensity per Electricity Maps zone and year, read at run time from @tgwf/co2
 * (CO2.js). The project stores only the region → zone mapping (catalog.ts); the numbers stay in
 * the package, whose Electricity Maps data is ODbL: credit "Electricity Maps" wherever they are shown.
 */
import * as electricityMaps from "@tgwf/co2/data/electricity-maps";
import { averageIntensity } from "@tgwf/co2/data";

export const INTENSITY_UNIT = "gCO2e/kWh";

/** Yearly datasets CO2.js ships, found by export name (yearly2021 … yearlyNNNN), oldest first. */
const YEARLY: ReadonlyMap<number, electricityMaps.ElectricityMapsYear> = new Map(
    Object.entries(electricityMaps)
        .map(([name, value]) => [Number(/^yearly(\d{4})$/.exec(name)?.[1]), value] as const)
        .filter(([year, value]) => Number.isInteger(year) && value && typeof value === "object" && "data" in value)
        .sort(([a], [b]) => a - b) as [number, electricityMaps.ElectricityMapsYear][],
);

/** The data years available from the installed CO2.js, oldest first (2021–2025 in 0.19.0). */
export const INTENSITY_YEARS: readonly number[] = [...YEARLY.keys()];

/**
 * The latest full year: the newest shipped year that has ended (before the current calendar year).
 * A dataset for the running year would be a partial average, so it is never the default.
 */
export function latestFullYear(now: Date = new Date()): number {
    const full = INTENSITY_YEARS.filter((y) => y < now.getUTCFullYear());
    if (!full.length) throw new Error(`@tgwf/co2 ships no completed year of Electricity Maps data (has ${INTENSITY_YEARS.join(", ")})`);
    return full[full.length - 1];
}

/** Where a figure comes from, short enough for a table cell and precise enough to look up. */
export function intensitySource(year: number): string {
    return `Electricity Maps ${year} yearly average (life-cycle) via @tgwf/co2 (ODbL)`;
}

/** The zone's yearly average intensity in gCO2e/kWh, or undefined if CO2.js has no figure for it. */
export function zoneIntensity(zone: string, year: number): number | undefined {
    const dataset = YEARLY.get(year);
    if (!dataset) {
        throw new RangeError(`no Electricity Maps data for year ${year}; @tgwf/co2 ships ${INTENSITY_YEARS.join(", ")}`);
    }
    return dataset.data[zone]?.carbonIntensity.value;
}

/**
 * The world average grid intensity CO2.js uses as its global default (Ember yearly data, ~473
 * gCO2e/kWh). The carbon policy pack uses it as the default maximum.
 */
export const WORLD_AVERAGE_INTENSITY: number = averageIntensity.data["WORLD"];
