/**
 * Type declarations for the parts of @tgwf/co2 (CO2.js, Apache-2.0 code; Electricity Maps data
 * under ODbL) the platform reads. The package ships JavaScript only, and its subpath exports are not
 * visible to TypeScript's `node` module resolution, so the shapes are declared here from
 * dist/cjs/data/electricity-maps/yearly_*.js and dist/cjs/data/average-intensities.min.js (0.19.0).
 */
declare module "@tgwf/co2/data/electricity-maps" {
    export interface ElectricityMapsZoneYear {
        zone: { zoneName: string; countryName?: string };
        carbonIntensity: { value: number; unit: string };
        renewableEnergy?: { value: number; unit: string };
        carbonFreeEnergy?: { value: number; unit: string };
    }
    export interface ElectricityMapsYear {
        data: Record<string, ElectricityMapsZoneYear>;
        methodology: string;
    }
    export const yearly2021: ElectricityMapsYear;
    export const yearly2022: ElectricityMapsYear;
    export const yearly2023: ElectricityMapsYear;
    export const yearly2024: ElectricityMapsYear;
    export const yearly2025: ElectricityMapsYear;
    const all: Record<string, ElectricityMapsYear>;
    export default all;
}

declare module "@tgwf/co2/data" {
    /** Ember's yearly average grid intensity by country (ISO alpha-3) and region, incl. WORLD. */
    export const averageIntensity: { data: Record<string, number>; type: string };
}
