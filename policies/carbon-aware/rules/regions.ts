/**
 * The pack's one bridge to the platform's region catalogue (components/regions: regions, grid zones,
 * intensities via @tgwf/co2, the ranking, the service catalogue). It is the only import that leaves
 * this folder, and only at build time: build.js bundles it into bundle/pack.js, so the published pack
 * carries the catalogue the platform uses instead of a hand-kept copy (tests/carbon-policy-pack.test.ts
 * checks bundle/ is fresh). @tgwf/co2 stays external: a dependency in the pack's package.json.
 */
export { findRegion, GEOGRAPHIES, type Cloud, type Geography, type RegionInfo } from "../../../components/regions";
export { INTENSITY_YEARS, latestFullYear, WORLD_AVERAGE_INTENSITY, zoneIntensity } from "../../../components/regions/intensity";
export { rankRegions, reductionPercent } from "../../../components/regions/rank";
export { PLATFORM_SERVICES, type PlatformService } from "../../../components/regions/services";
