/**
 * Azure Event Hubs through its Kafka endpoint: a zone-redundant namespace with TLS 1.2 minimum, local
 * (SAS key) authentication disabled so only Entra identities connect, and no public network access; it
 * is reached through a private endpoint in the platform VNet whose address the private DNS zone
 * `privatelink.servicebus.windows.net` resolves. Each topic is an event hub; each client a user-assigned
 * managed identity (federated with its Kubernetes service account) holding the Data Sender/Receiver
 * role on exactly the event hubs it uses.
 */
import * as authorization from "@pulumi/azure-native/authorization";
import * as eventhub from "@pulumi/azure-native/eventhub";
import * as managedidentity from "@pulumi/azure-native/managedidentity";
import * as network from "@pulumi/azure-native/network";
import * as privatedns from "@pulumi/azure-native/privatedns";
import * as pulumi from "@pulumi/pulumi";
import { AZURE_ROLES, roleDefinitionId } from "../azure/roles";
import { clientTopics, type ClientAccess, type EventStreamingArgs, type EventStreamingOutputs } from "./index";

/** The built-in role a Kafka client gets on each event hub it produces to (sender) or consumes from (receiver). */
export const EVENT_HUBS_ROLES = {
    sender: AZURE_ROLES.eventHubsDataSender,
    receiver: AZURE_ROLES.eventHubsDataReceiver,
} as const;

export const EVENT_HUBS_PRIVATE_DNS_ZONE = "privatelink.servicebus.windows.net";
/** Kafka clients connect to the namespace on 9093 (SASL_SSL). */
export const EVENT_HUBS_KAFKA_PORT = 9093;

/** Throughput units (Standard, auto-inflating up to 10×) or processing units (Premium) per size class. */
export const EVENT_HUBS_CAPACITY = {
    Standard: { small: 1, medium: 2, large: 4 },
    Premium: { small: 1, medium: 2, large: 4 },
} as const;

export function createEventHubsStreaming(parent: pulumi.Resource, name: string, args: EventStreamingArgs): EventStreamingOutputs {
    const az = args.azure!;
    const protect = args.protect ?? true;
    const tier = az.tier ?? "Standard";
    const capacity = EVENT_HUBS_CAPACITY[tier][args.size];

    const ns = new eventhub.Namespace(
        `${name}-kafka`,
        {
            resourceGroupName: az.resourceGroupName,
            location: az.location,
            sku: { name: tier, tier, capacity },
            kafkaEnabled: true,
            // Entra ID only: no SAS keys that could leak or outlive their owner.
            disableLocalAuth: true,
            minimumTlsVersion: "1.2",
            publicNetworkAccess: "Disabled",
            zoneRedundant: az.zoneRedundant ?? true,
            // Standard scales throughput units on demand up to 10× the baseline; Premium units are fixed.
            ...(tier === "Standard" ? { isAutoInflateEnabled: true, maximumThroughputUnits: capacity * 10 } : {}),
            tags: args.tags,
        },
        // Deleting the namespace deletes every event hub's data.
        { parent, protect },
    );

    // Private endpoint in the platform VNet, and DNS that resolves the namespace to it from the VNet.
    const endpoint = new network.PrivateEndpoint(
        `${name}-kafka-pe`,
        {
            resourceGroupName: az.resourceGroupName,
            location: az.location,
            subnet: { id: az.subnetId },
            privateLinkServiceConnections: [{ name: `${name}-kafka`, privateLinkServiceId: ns.id, groupIds: ["namespace"] }],
            tags: args.tags,
        },
        { parent },
    );
    const zone = new privatedns.PrivateZone(
        `${name}-kafka-dns`,
        { resourceGroupName: az.resourceGroupName, privateZoneName: EVENT_HUBS_PRIVATE_DNS_ZONE, location: "global", tags: args.tags },
        { parent },
    );
    new privatedns.VirtualNetworkLink(
        `${name}-kafka-dns-link`,
        {
            resourceGroupName: az.resourceGroupName,
            privateZoneName: zone.name,
            location: "global",
            virtualNetwork: { id: az.vnetId },
            // Resolution only: VMs must not register records in the service's zone.
            registrationEnabled: false,
            tags: args.tags,
        },
        { parent },
    );
    new network.PrivateDnsZoneGroup(
        `${name}-kafka-dns-group`,
        {
            resourceGroupName: az.resourceGroupName,
            privateEndpointName: endpoint.name,
            privateDnsZoneConfigs: [{ name: "servicebus", privateDnsZoneId: zone.id }],
        },
        { parent },
    );

    const hubs = new Map<string, eventhub.EventHub>();
    for (const t of args.topics) {
        const compact = t.cleanupPolicy === "compact";
        const hub = new eventhub.EventHub(
            `${name}-topic-${t.name}`,
            {
                resourceGroupName: az.resourceGroupName,
                namespaceName: ns.name,
                eventHubName: t.name,
                partitionCount: t.partitions,
                retentionDescription: {
                    cleanupPolicy: compact ? "Compact" : "Delete",
                    retentionTimeInHours: t.retentionHours,
                    // Compacted hubs keep delete markers as long as the data, so readers see every deletion.
                    ...(compact ? { tombstoneRetentionTimeInHours: t.retentionHours } : {}),
                },
            },
            { parent, protect },
        );
        hubs.set(t.name, hub);
    }

    const clients: Record<string, ClientAccess> = {};
    for (const c of args.clients) {
        const { produces, consumes } = clientTopics(args, c.name);
        const identity = new managedidentity.UserAssignedIdentity(
            `${name}-kafka-${c.name}`,
            { resourceGroupName: az.resourceGroupName, location: az.location, tags: args.tags },
            { parent },
        );
        if (az.oidcIssuerUrl) {
            // AKS workload identity: only pods running as this service account get the identity's tokens.
            new managedidentity.FederatedIdentityCredential(
                `${name}-kafka-${c.name}`,
                {
                    resourceGroupName: az.resourceGroupName,
                    resourceName: identity.name,
                    issuer: az.oidcIssuerUrl,
                    subject: `system:serviceaccount:${c.namespace}:${c.serviceAccount}`,
                    audiences: ["api://AzureADTokenExchange"],
                },
                { parent },
            );
        }
        const grant = (topic: string, role: keyof typeof EVENT_HUBS_ROLES) => {
            const hub = hubs.get(topic)!;
            new authorization.RoleAssignment(
                `${name}-kafka-${c.name}-${role}-${topic}`,
                {
                    principalId: identity.principalId,
                    principalType: "ServicePrincipal",
                    roleDefinitionId: roleDefinitionId(parent, EVENT_HUBS_ROLES[role]),
                    // Scoped to the one event hub, never the namespace.
                    scope: hub.id,
                    description: `Kafka client ${c.name}: ${role} on ${topic}`,
                },
                { parent },
            );
        };
        produces.forEach((t) => grant(t, "sender"));
        consumes.forEach((t) => grant(t, "receiver"));
        clients[c.name] = {
            kind: "managed-identity",
            identity: identity.clientId,
            namespace: c.namespace,
            serviceAccount: c.serviceAccount,
            produces,
            consumes,
        };
    }

    return {
        bootstrapServers: pulumi.interpolate`${ns.name}.servicebus.windows.net:${EVENT_HUBS_KAFKA_PORT}`,
        // The Kafka endpoint takes SASL PLAIN (SAS connection strings, disabled here: disableLocalAuth) or
        // OAUTHBEARER with a Microsoft Entra token, over TLS on 9093 ("Azure Event Hubs for Apache Kafka",
        // https://learn.microsoft.com/azure/event-hubs/azure-event-hubs-apache-kafka-overview#security-and-authentication).
        clientSettings: { securityProtocol: "SASL_SSL", saslMechanism: "OAUTHBEARER", credential: "workload-identity" },
        topics: args.topics.map((t) => hubs.get(t.name)!.name),
        clients,
    };
}
