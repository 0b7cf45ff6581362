/**
 * The serverless components as other Pulumi languages see them: the package schema @pulumi/pulumi's
 * component provider derives from the TypeScript source (npm run schema) lists each one under its class
 * name, with its inputs (required ones marked) and its outputs.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { packageSchema } from "../tools/schema";

const SHARED_INPUTS = ["name", "image", "port", "minScale", "maxScale", "concurrency", "cpu", "memory", "env", "public", "edgeException", "tags"];
const SHARED_REQUIRED = ["concurrency", "cpu", "image", "maxScale", "memory", "minScale", "name", "port"];
const SERVICE_OUTPUTS = ["identity", "url"];

/** Per component: the inputs beyond the shared ones, which of them are required, and the outputs. */
const EXPECTED: Record<string, { inputs: string[]; required: string[]; outputs: string[]; shared?: boolean }> = {
    CloudRunService: { inputs: ["project", "region", "network", "subnetwork", "encryptionKey", "invokers", "secrets", "secretsProject"], required: ["project", "region", "network", "subnetwork"], outputs: SERVICE_OUTPUTS, shared: true },
    ContainerAppService: { inputs: ["resourceGroupName", "location", "environmentId", "workloadProfileName", "callerRanges", "secrets", "keyVaultId", "keyVaultUri"], required: ["resourceGroupName", "location", "environmentId", "callerRanges"], outputs: SERVICE_OUTPUTS, shared: true },
    LambdaService: { inputs: ["vpcId", "vpcCidr", "subnetIds", "kmsKeyArn", "logRetentionDays", "namePrefix", "secrets", "invokers", "reserveConcurrency"], required: ["vpcId", "vpcCidr", "subnetIds"], outputs: SERVICE_OUTPUTS, shared: true },
    EcsExpressService: { inputs: ["vpcId", "vpcCidr", "subnetIds", "kmsKeyArn", "logRetentionDays", "namePrefix", "secrets", "ecsClusterArn"], required: ["vpcId", "vpcCidr", "subnetIds", "ecsClusterArn"], outputs: SERVICE_OUTPUTS, shared: true },
    KnativeService: { inputs: ["namespace", "meshInvokers", "workloadIdentity", "secretEnv"], required: ["namespace"], outputs: SERVICE_OUTPUTS, shared: true },
    SpinService: { inputs: ["namespace", "meshInvokers", "workloadIdentity", "secretEnv", "executor"], required: ["namespace"], outputs: SERVICE_OUTPUTS, shared: true },
    ContainerAppsEnvironment: { inputs: ["resourceGroupName", "location", "infrastructureSubnetId", "virtualNetworkId", "zoneRedundant", "tags"], required: ["resourceGroupName", "location", "infrastructureSubnetId", "virtualNetworkId"], outputs: ["defaultDomain", "environmentId", "staticIp"] },
    KeyVaultPrivateEndpoint: { inputs: ["resourceGroupName", "location", "keyVaultId", "subnetId", "virtualNetworkId", "tags"], required: ["resourceGroupName", "location", "keyVaultId", "subnetId", "virtualNetworkId"], outputs: ["endpointId"] },
    EcsServicesCluster: { inputs: ["containerInsights", "tags"], required: [], outputs: ["clusterArn", "clusterName"] },
    KnativeRuntime: { inputs: ["replicas", "ambientMesh", "network", "registryEgress"], required: [], outputs: ["servingNamespace"] },
    SpinKubeRuntime: { inputs: ["nodeSelector", "arch", "network", "shimDownload"], required: [], outputs: ["runtimeClassName"] },
};

let schema: Record<string, any>;
beforeAll(async () => {
    schema = await packageSchema({ only: Object.keys(EXPECTED) });
}, 240_000);

describe("the serverless components' package schema", () => {
    it.each(Object.entries(EXPECTED))("lists %s with its inputs and outputs", (component, expected) => {
        const resource = schema.resources[`platform:index:${component}`];
        expect(resource, component).toBeDefined();
        expect(resource.isComponent).toBe(true);
        const inputs = [...(expected.shared ? SHARED_INPUTS : []), ...expected.inputs].sort();
        expect(Object.keys(resource.inputProperties ?? {}).sort()).toEqual(inputs);
        expect([...(resource.requiredInputs ?? [])].sort()).toEqual([...(expected.shared ? SHARED_REQUIRED : []), ...expected.required].sort());
        expect(Object.keys(resource.properties ?? {}).sort()).toEqual(expected.outputs);
        // TypeScript-only conveniences (the runtimes' `ready` resources) stay out of the schema.
        expect(Object.keys(resource.properties ?? {})).not.toContain("ready");
    });

    it("gives the nested arguments named types", () => {
        expect(schema.resources["platform:index:KnativeService"].inputProperties.secretEnv.additionalProperties).toMatchObject({ $ref: "#/types/platform:index:SecretKeyReference" });
        expect(schema.resources["platform:index:KnativeService"].inputProperties.meshInvokers.items).toMatchObject({ $ref: "#/types/platform:index:WorkloadIdentity" });
        expect(schema.resources["platform:index:KnativeRuntime"].inputProperties.registryEgress).toMatchObject({ $ref: "#/types/platform:index:EgressExceptionArgs" });
        expect(Object.keys(schema.types["platform:index:EgressExceptionArgs"].properties).sort()).toEqual(["cidrs", "fqdns", "name", "ports", "reason"]);
        expect(schema.types["platform:index:EgressExceptionArgs"].required.sort()).toEqual(["cidrs", "name", "reason"]);
    });
});
