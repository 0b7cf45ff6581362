/**
 * The Pulumi package schema (npm run schema): every ComponentResource class the library entry exports is
 * a component resource `platform:index:<ClassName>` with its inputs and outputs, as
 * @pulumi/pulumi's ComponentProvider (what `pulumi package add` starts) derives them from the source.
 * The check itself is proven on tests/fixtures/schema-package, a package with one component that
 * follows the conventions and one that breaks two of them.
 */
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import * as fixture from "./fixtures/schema-package";
import { exportedComponents, packageSchema, pluginSchema, providerIdentity, schemaProblems } from "../tools/schema";

const FIXTURE = path.join(__dirname, "fixtures", "schema-package");

describe("provider identity", () => {
    it("derives the provider name and namespace from package.json's name as the Node.js language host does", () => {
        expect(providerIdentity("@lowcarbon-platform/platform")).toEqual({ name: "platform", namespace: "lowcarbon-platform" });
        expect(providerIdentity("my.components")).toEqual({ name: "my-components", namespace: undefined });
        expect(() => providerIdentity("@acme/1st")).toThrow(/must start with a letter/);
    });

    it("this package's name gives the provider name every type token starts with", () => {
        expect(providerIdentity(require("../package.json").name).name).toBe("platform");
    });
});

describe("schema check on a fixture package", () => {
    it("accepts a component that follows the conventions and lists its inputs and outputs", async () => {
        const schema = await packageSchema({ dir: FIXTURE, moduleExports: fixture, only: ["TeamQuota"] });
        expect(schema.name).toBe("platform");
        expect(schema.namespace).toBe("fixture");
        expect(schema.version).toBe("1.2.3");
        const quota = schema.resources["platform:index:TeamQuota"];
        expect(quota.isComponent).toBe(true);
        expect(Object.keys(quota.inputProperties).sort()).toEqual(["cpu", "labels", "namespace"]);
        expect(quota.requiredInputs).toEqual(["namespace"]);
        // The getter is TypeScript-only: not an output.
        expect(Object.keys(quota.properties).sort()).toEqual(["cpu", "quotaName", "scopes"]);
        expect(quota.properties.scopes).toMatchObject({ type: "array", items: { type: "string" } });
        expect(schemaProblems(schema, ["TeamQuota"], FIXTURE)).toEqual([]);
    });

    it("names a type token other than platform:index:<ClassName> and a public property that is not an Output", async () => {
        const schema = await packageSchema({ dir: FIXTURE, moduleExports: fixture });
        expect(Object.keys(schema.resources).sort()).toEqual(["platform:index:LegacyQuota", "platform:index:TeamQuota"]);
        expect(schemaProblems(schema, ["TeamQuota", "LegacyQuota"], FIXTURE)).toEqual([
            'LegacyQuota (index.ts): registers type "platform:index:Quota"; expected "platform:index:LegacyQuota"',
            "LegacyQuota.hosts (index.ts): a public property that is not a pulumi.Output; make it an Output, or a getter/method if it is TypeScript-only",
        ]);
    });

    it("names a component the schema lacks", async () => {
        const schema = await packageSchema({ dir: FIXTURE, moduleExports: fixture, only: ["TeamQuota"] });
        expect(schemaProblems(schema, ["TeamQuota", "LegacyQuota"], FIXTURE)).toContain('LegacyQuota: the schema has no resource "platform:index:LegacyQuota"');
    });
});

describe("library schema", () => {
    it("lists every component the library exports, under platform:index:<ClassName>, with inputs and outputs", async () => {
        const names = exportedComponents().map((c) => c.name);
        expect(names.length).toBeGreaterThan(0);
        const schema = await packageSchema();
        expect(schema.name).toBe("platform");
        const tokens = Object.entries(schema.resources as Record<string, any>)
            .filter(([, r]) => r.isComponent)
            .map(([t]) => t);
        expect(tokens.sort()).toEqual(names.map((n) => `platform:index:${n}`).sort());
        expect(schemaProblems(schema, names)).toEqual([]);
    }, 400_000);
});

describe("the plugin, started as the Node.js language host starts it (cmd/run-plugin <folder>, then GetSchema over gRPC)", () => {
    it("serves the fixture package's components under the provider name its package.json gives", async () => {
        const schema = await pluginSchema(FIXTURE);
        expect(schema.name).toBe("platform");
        expect(schema.namespace).toBe("fixture");
        expect(Object.keys(schema.resources).sort()).toEqual(["platform:index:LegacyQuota", "platform:index:TeamQuota"]);
        expect(Object.keys(schema.resources["platform:index:TeamQuota"].inputProperties).sort()).toEqual(["cpu", "labels", "namespace"]);
    });

    // The repository's own package is served from dist/ by tests/library.test.ts, after its `npm pack` has
    // built dist/ (two files building and reading dist/ in parallel would race).
});
