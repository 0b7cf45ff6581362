/**
 * The Pulumi package schema of the mesh components, as @pulumi/pulumi's component provider derives it
 * from the TypeScript source (npm run schema): every argument and output expressible, so Python, Go,
 * .NET, Java and YAML programs can use them.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { packageSchema, schemaProblems } from "../tools/schema";

const COMPONENTS = ["AmbientMesh", "MeshCallGraph", "PlatformNamespace"];

let schema: Record<string, any>;
beforeAll(async () => {
    schema = await packageSchema({ only: COMPONENTS });
}, 120_000);

const resource = (name: string) => schema.resources[`platform:index:${name}`];

describe("mesh components in the package schema", () => {
    it("AmbientMesh lists its flat inputs (platform and CNI as strings) and its outputs", () => {
        const mesh = resource("AmbientMesh");
        expect(mesh.isComponent).toBe(true);
        expect(Object.keys(mesh.inputProperties).sort()).toEqual(["accessLogging", "callGraph", "ingress", "istiodReplicas", "kubernetesCni", "network", "platform", "tracing"]);
        expect(mesh.requiredInputs).toEqual(["platform"]);
        expect(mesh.inputProperties.platform.type).toBe("string");
        expect(mesh.inputProperties.callGraph.$ref).toBe("#/types/platform:index:MeshCallGraphSpec");
        expect(schema.types["platform:index:MeshIngressArgs"].properties.exposure.type).toBe("string");
        // Outputs only: the resource objects (ready, charts, callGraph …) are TypeScript-only getters.
        expect(Object.keys(mesh.properties).sort()).toEqual(["gatewayApiVersion", "istioVersion", "notes", "waypointNamespaces"]);
        expect(mesh.properties.waypointNamespaces).toEqual({ type: "array", items: { type: "string" }, description: expect.any(String) });
    });

    it("MeshCallGraph takes no dependsOn argument (opts.dependsOn) and outputs its waypoints and policies", () => {
        const graph = resource("MeshCallGraph");
        expect(Object.keys(graph.inputProperties).sort()).toEqual(["calls", "createNamespaces", "network", "ownedNamespaces", "services"]);
        expect(graph.requiredInputs.sort()).toEqual(["calls", "services"]);
        expect(Object.keys(graph.properties).sort()).toEqual(["policyNames", "waypointNamespaces"]);
        expect(Object.keys(schema.types["platform:index:MeshService"].properties).sort()).toEqual(["ambient", "name", "namespace", "selector", "serviceAccount"]);
    });

    it("PlatformNamespace lists podSecurity as a string, API-server egress as a flag plus labels, and only namespaceName as output", () => {
        const ns = resource("PlatformNamespace");
        expect(Object.keys(ns.inputProperties).sort()).toEqual([
            "ambient",
            "apiServerEgress",
            "apiServerEgressPodLabels",
            "egressExceptions",
            "extraPolicies",
            "labels",
            "name",
            "network",
            "outsideMeshReason",
            "podSecurity",
            "policyException",
            "waypoint",
        ]);
        expect(ns.inputProperties.podSecurity.type).toBe("string");
        expect(ns.inputProperties.apiServerEgress.type).toBe("boolean");
        expect(Object.keys(ns.properties)).toEqual(["namespaceName"]);
        expect(ns.required).toEqual(["namespaceName"]);
    });

    it("breaks none of the library's conventions (token = class name, every public property an Output in the schema)", () => {
        expect(schemaProblems(schema, COMPONENTS)).toEqual([]);
    });
});
