/**
 * The foundation's components as other Pulumi languages see them: the package schema that
 * @pulumi/pulumi's component provider derives from the TypeScript source (tools/schema.ts), limited to
 * the foundation's classes. Each must be expressible (the analyzer throws otherwise) and list its
 * arguments and outputs; the TypeScript-only getters (provider, networkFacts, extras, …) must stay out.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { packageSchema } from "../tools/schema";

/** Per class: the inputs (required ones marked with "!") and the outputs the schema must list. */
const EXPECTED: Record<string, { inputs: string[]; outputs: string[] }> = {
    AwsKmsKey: { inputs: ["region!", "rotationDays", "tags", "protect"], outputs: ["keyId", "aliasName"] },
    AzureKeyVaultKey: {
        inputs: ["resourceGroupName!", "tenantId!", "cryptoUsers", "rotationDays", "tags", "protect"],
        outputs: ["keyId", "vaultId", "vaultName", "keyName"],
    },
    GcpKmsKey: { inputs: ["project!", "region!", "rotationDays", "tags", "protect"], outputs: ["keyId"] },
    AwsNetwork: {
        inputs: ["region!", "cidr!", "logKmsKeyArn!", "zoneCount", "flowLogRetentionDays", "tags"],
        outputs: ["networkId", "nodeSubnetIds", "dataSubnetIds", "publicSubnetIds", "zones", "nodeSubnetCidrs"],
    },
    AzureNetwork: {
        inputs: ["region!", "cidr!", "resourceGroupName!", "tags"],
        outputs: ["networkId", "networkName", "nodeSubnetIds", "dataSubnetIds", "appsSubnetId", "apiServerSubnetId", "apiServerSubnetCidr"],
    },
    GcpNetwork: {
        inputs: ["project!", "region!", "cidr!", "podsCidr!", "servicesCidr!"],
        outputs: ["networkId", "networkName", "nodeSubnetIds", "dataSubnetIds", "podsRangeName", "servicesRangeName", "nodeSubnetCidrs", "podsCidr"],
    },
    EksCluster: {
        inputs: ["region!", "nodes!", "vpcId!", "nodeSubnetIds!", "nodeSubnetCidrs!", "secretsKeyArn!", "kubernetesVersion", "authorizedCidrs", "logRetentionDays", "adminRoleArns", "tags", "protect"],
        outputs: ["clusterName", "endpoint", "kubeconfig", "oidcIssuerUrl", "nodeRoleArn", "nodeRoleName", "clusterSecurityGroupId", "nodeSecurityGroupId", "vpcId"],
    },
    AksCluster: {
        inputs: [
            "region!", "resourceGroupName!", "tenantId!", "networkId!", "nodeSubnetId!", "apiServerSubnetId!", "apiServerSubnetCidr!", "secretsKeyId!", "secretsKeyVaultId!",
            "kubernetesVersion", "nodes", "adminGroupObjectIds", "logAnalyticsWorkspaceId", "zonal", "podCidr", "serviceCidr", "defender", "encryptionAtHost", "login", "accessTimeoutSeconds", "tags", "protect",
        ],
        outputs: [
            "clusterName", "endpoint", "kubeconfig", "oidcIssuerUrl", "clusterId", "identityPrincipalId", "identityClientId",
            "kubeletIdentityObjectId", "kubeletIdentityClientId", "nodeResourceGroup", "logAnalyticsWorkspaceId",
        ],
    },
    GkeCluster: {
        inputs: [
            "project!", "region!", "nodes!", "networkId!", "subnetworkId!", "podsRangeName!", "servicesRangeName!", "nodeSubnetCidrs!", "secretsKeyId!",
            "kubernetesVersion", "releaseChannel", "authorizedCidrs", "podsCidr", "tags", "protect",
        ],
        outputs: ["clusterName", "endpoint", "kubeconfig", "oidcIssuerUrl", "nodeServiceAccountEmail", "workloadPool", "projectId", "clusterId", "dnsEndpoint"],
    },
    ExistingCluster: { inputs: ["context", "kubeconfig", "network"], outputs: ["clusterName", "endpoint", "kubeconfig", "oidcIssuerUrl"] },
    GcpProjectServices: { inputs: ["apis!", "serviceAgents!", "project"], outputs: ["apis", "serviceAgents"] },
};

describe("the foundation's package schema", () => {
    let schema: Record<string, any>;
    beforeAll(async () => {
        schema = await packageSchema(Object.keys(EXPECTED));
    }, 300_000);

    it.each(Object.keys(EXPECTED))("%s lists its arguments and outputs under its class name", (name) => {
        const resource = schema.resources[`platform:index:${name}`];
        expect(resource, `platform:index:${name}`).toBeDefined();
        expect(resource.isComponent).toBe(true);
        const { inputs, outputs } = EXPECTED[name]!;
        expect(Object.keys(resource.inputProperties ?? {}).sort()).toEqual(inputs.map((i) => i.replace(/!$/, "")).sort());
        expect([...(resource.requiredInputs ?? [])].sort()).toEqual(inputs.filter((i) => i.endsWith("!")).map((i) => i.slice(0, -1)).sort());
        expect(Object.keys(resource.properties ?? {}).sort()).toEqual([...outputs].sort());
    });

    it("keeps the TypeScript-only members (provider, network facts, extras, subnet plans, child resources) out of the outputs", () => {
        for (const name of Object.keys(EXPECTED)) {
            const outputs = Object.keys(schema.resources[`platform:index:${name}`].properties ?? {});
            for (const tsOnly of ["provider", "networkFacts", "extras", "target", "subnetPlan", "services", "identities", "ready"]) {
                expect(outputs, `${name}.${tsOnly}`).not.toContain(tsOnly);
            }
        }
    });

    it("names the nested argument types (node sizing, network facts) instead of anonymous objects", () => {
        expect(schema.resources["platform:index:EksCluster"].inputProperties.nodes.$ref).toBe("#/types/platform:index:NodePoolSizing");
        expect(schema.types["platform:index:NodePoolSizing"].properties).toEqual({
            instanceType: expect.objectContaining({ type: "string" }),
            minNodes: expect.objectContaining({ type: "number" }),
            maxNodes: expect.objectContaining({ type: "number" }),
        });
        expect(schema.resources["platform:index:ExistingCluster"].inputProperties.network.$ref).toBe("#/types/platform:index:ClusterNetworkFacts");
        expect(schema.types["platform:index:ClusterNetworkFacts"].properties.apiServer.$ref).toBe("#/types/platform:index:ApiServerAddresses");
    });

    it("shows subnet-id lists as lists of strings and string choices as plain strings", () => {
        expect(schema.resources["platform:index:AwsNetwork"].properties.nodeSubnetIds).toMatchObject({ type: "array", items: { type: "string" } });
        expect(schema.resources["platform:index:GkeCluster"].inputProperties.releaseChannel).toMatchObject({ type: "string" });
        expect(schema.resources["platform:index:AksCluster"].inputProperties.login).toMatchObject({ type: "string" });
        expect(schema.resources["platform:index:GcpProjectServices"].inputProperties.serviceAgents).toMatchObject({ type: "array", items: { type: "string" } });
    });
});
