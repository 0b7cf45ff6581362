/**
 * Azure built-in roles the platform grants, and the full role definition id for one of them. Shared by
 * every Azure component (keys, cluster, streaming) so each GUID is written down once.
 */
import * as authorization from "@pulumi/azure-native/authorization";
import * as pulumi from "@pulumi/pulumi";

/** Built-in Azure role definition ids (the same GUID in every subscription and cloud). */
export const AZURE_ROLES = {
    /** Use keys for cryptographic operations (wrap/unwrap, encrypt/decrypt); cannot manage them. */
    keyVaultCryptoUser: "12338af0-0e69-4776-bea7-57ae8d297424",
    /** Key Vault Secrets User: read secret contents; scoped to one secret, exactly that secret. */
    keyVaultSecretsUser: "4633458b-17de-408a-b874-0445c86b69e6",
    /** Manage the vault resource (not its data); AKS needs it to create its private link to a private vault. */
    keyVaultContributor: "f25e0fa2-a7c8-4377-a976-54943a77a395",
    /** Manage networks; AKS needs it on a bring-your-own VNet (subnet join, NAT, private DNS link). */
    networkContributor: "4d97b98b-1d4f-4787-a291-c67834d212e7",
    /** Kubernetes cluster-admin through Azure RBAC (clusters with local accounts disabled). */
    aksRbacClusterAdmin: "b1ff04bb-8a4e-4dc4-8eb5-8693973ce19b",
    /** Azure Event Hubs Data Sender: publish to an event hub (a Kafka producer). */
    eventHubsDataSender: "2b629674-e913-4c01-ae53-ef4638d8f975",
    /** Azure Event Hubs Data Receiver: read from an event hub (a Kafka consumer). */
    eventHubsDataReceiver: "a638d3c7-ab3a-418d-83e6-5f17a39d4fde",
} as const;

/** The full role definition id for a built-in role in the subscription the provider deploys to. */
export function roleDefinitionId(parent: pulumi.Resource, role: string): pulumi.Output<string> {
    const client = authorization.getClientConfigOutput({ parent });
    return pulumi.interpolate`/subscriptions/${client.subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${role}`;
}
