import * as pulumi from "@pulumi/pulumi";
import { loadPlatformConfig } from "./config";
import { addAdmissionPolicies } from "./admission";
import { addCarbonScaling } from "./carbon-scaling";
import { addGoldenPath } from "./golden-path";
import { addMesh } from "./mesh";
import { buildFoundation, foundationOutputs } from "./platform";
import { addSecretsOperator, secretsOperatorOutputs } from "./secrets";
import { clusterSecretsOperators } from "./cluster-secrets";
import { addServerless } from "./serverless";
import { addStreaming } from "./streaming";

/**
 * The stack program: validate the whole configuration first (a bad value stops here, before any
 * resource is registered), then compose the platform and return the stack outputs.
 */
export async function platformProgram(): Promise<Record<string, unknown>> {
    const config = loadPlatformConfig();
    const foundation = await buildFoundation(config, {
        stack: pulumi.getStack(),
        gcpProject: new pulumi.Config("gcp").get("project"),
    });
    // Its policies admit every object the platform plans (tests/admission.test.ts). The mesh waits for it:
    // when a policy is tightened or widened together with a mesh object (the ingress JWT's request
    // principals), the API server must judge the object by the new policy, not race the old one.
    const admission = addAdmissionPolicies(foundation, config);
    // External Secrets Operator on every cluster; SecretStores wait for its release (stacks/secrets.ts).
    const secretsOperators = addSecretsOperator(foundation, config);
    const mesh = addMesh(foundation, config, admission);
    // Secrets delivered on the clusters (services' secrets, Strimzi clients' credentials) go through it.
    const clusterSecrets = clusterSecretsOperators(foundation, config, secretsOperators);
    const kafka = addStreaming(foundation, config, mesh.meshes, Object.fromEntries(Object.entries(clusterSecrets).map(([t, o]) => [t, o.ready])));
    return {
        placement: config.placement,
        ...foundationOutputs(foundation),
        mesh: mesh.outputs,
        kafka,
        // Services that are Kafka clients run as the client's cloud identity (workload identity).
        services: addServerless(foundation, config, kafka, mesh.meshes, clusterSecrets),
        serviceGraph: addGoldenPath(config),
        carbonScaling: addCarbonScaling(foundation, config),
        secretsOperator: secretsOperatorOutputs(secretsOperators),
    };
}
