/**
 * `platform:carbon`: settings of carbon-aware placement (components/regions/rank.ts). They steer
 * `platform:regions.<cloud>: auto`; explicit regions are only annotated with their intensity.
 */
import { z } from "zod";
import { REGIONS } from "../../components/regions";
import { INTENSITY_YEARS } from "../../components/regions/intensity";

const KNOWN_REGIONS = new Set(REGIONS.map((r) => r.region));

export const carbonConfigSchema = z
    .strictObject({
        /** Electricity Maps data year; unset = the latest full year @tgwf/co2 ships. */
        year: z
            .int()
            .refine((y) => INTENSITY_YEARS.includes(y), {
                error: `must be a year @tgwf/co2 ships data for: ${INTENSITY_YEARS.join(", ")}`,
            })
            .optional(),
        /** Regions above this yearly grid intensity (gCO2e/kWh) are never chosen by auto. */
        maxIntensity: z.number().positive({ error: "must be a positive number of gCO2e/kWh" }).optional(),
        /** Region names auto must not choose (any cloud), e.g. for latency or contract reasons. */
        excludedRegions: z
            .array(
                z.string().refine((r) => KNOWN_REGIONS.has(r), {
                    error: "is not a region of AWS, Azure or GCP in the catalogue (components/regions/catalog.ts)",
                }),
            )
            .default([]),
        /** Only choose regions where every needed service is confirmed by a listed source. */
        requireVerified: z.boolean().default(false),
    })
    .prefault({});

export type CarbonConfig = z.output<typeof carbonConfigSchema>;
