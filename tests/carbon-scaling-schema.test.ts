/**
 * The Pulumi package schema of the carbon-aware scaling components (npm run schema): every argument and
 * output expressible, so other Pulumi languages can use them.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { packageSchema, schemaProblems } from "../tools/schema";

const COMPONENTS = ["CarbonAwareScaling", "KedaInstall"];

let schema: Record<string, any>;
beforeAll(async () => {
    schema = await packageSchema({ only: COMPONENTS });
}, 120_000);

describe("carbon-aware scaling components in the package schema", () => {
    it("CarbonAwareScaling lists its inputs (named nested types, no kedaReady) and outputs", () => {
        const scaling = schema.resources["platform:index:CarbonAwareScaling"];
        expect(Object.keys(scaling.inputProperties).sort()).toEqual([
            "dirtyMaxReplicas",
            "dirtyThreshold",
            "failureThreshold",
            "installKeda",
            "kedaChartVersion",
            "kedaNamespace",
            "kedaNetwork",
            "kedaPublicDestinations",
            "maxReplicas",
            "minReplicas",
            "pollingInterval",
            "scaledObjectName",
            "signal",
            "staticIntensity",
            "staticSource",
            "staticYear",
            "targetPerReplica",
            "workTrigger",
            "workload",
        ]);
        expect(scaling.requiredInputs.sort()).toEqual(["dirtyThreshold", "signal", "staticIntensity", "workTrigger", "workload"]);
        expect(scaling.inputProperties.workload.$ref).toBe("#/types/platform:index:ScaledWorkload");
        expect(schema.types["platform:index:CarbonSignalArgs"].properties.provider.type).toBe("string");
        expect(schema.types["platform:index:TriggerAuthenticationRef"].properties.kind.type).toBe("string");
        expect(Object.keys(scaling.properties).sort()).toEqual(["fallbackReplicas", "scaledObjectName"]);
        expect(scaling.properties.fallbackReplicas.type).toBe("number");
    });

    it("KedaInstall (token = class name) lists its inputs and its namespace and chart version as outputs", () => {
        const keda = schema.resources["platform:index:KedaInstall"];
        expect(Object.keys(keda.inputProperties).sort()).toEqual(["chartVersion", "egressPorts", "namespace", "network", "publicDestinations"]);
        expect(keda.inputProperties.publicDestinations.$ref).toBe("#/types/platform:index:KedaPublicDestinations");
        expect(Object.keys(schema.types["platform:index:KedaPublicDestinations"].properties).sort()).toEqual(["cidrs", "fqdns", "name", "ports", "reason"]);
        expect(Object.keys(keda.properties).sort()).toEqual(["chartVersion", "namespace"]);
    });

    it("breaks none of the library's conventions (token = class name, every public property an Output in the schema)", () => {
        expect(schemaProblems(schema, COMPONENTS)).toEqual([]);
    });
});
