/**
 * Azure Event Hubs through its Kafka endpoint: a zone-redundant namespace with TLS 1.2 minimum, local
 * (SAS key) authentication disabled so only Entra identities connect, and no public network access; it
 * is reached through a private endpoint in the platform VNet whose address the private DNS zone
 * `privatelink.servicebus.windows.net` resolves. Each topic is an event hub; each client a user-assigned
 * managed identity (federated with its Kubernetes service account) holding the Data Sender/Receiver
 * role on exactly the event hubs it uses. The azure-native provider comes from opts.provider / opts.providers.
 */
import * as authorization from "@pulumi/azure-native/authorization";
import * as eventhub from "@pulumi/azure-native/eventhub";
import * as managedidentity from "@pulumi/azure-native/managedidentity";
import * as network from "@pulumi/azure-native/network";
import * as privatedns from "@pulumi/azure-native/privatedns";
import * as pulumi from "@pulumi/pulumi";
import { AZURE_ROLES, roleDefinitionId } from "../azure/roles";
import { AZURE_ZONAL_REGIONS } from "../regions";
import {
    argumentError,
    keepPlanTimeValues,
    planTimeValuesOf,
    clientTopics,
    streamingOutputs,
    streamingTags,
    type ClientAccess,
    type EventStreamingOutputs,
    type KafkaClient,
    type KafkaClientSettings,
    type StreamingCommonArgs,
} from "./common";
import { show, streamingProblems } from "./validate";

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

export interface EventHubsKafkaArgs extends StreamingCommonArgs {
    resourceGroupName: pulumi.Input<string>;
    /** Azure region of the namespace, e.g. "westeurope". */
    location: string;
    /** The platform VNet (linked to the private DNS zone). */
    vnetId: pulumi.Input<string>;
    /** Subnet for the private endpoint. */
    subnetId: pulumi.Input<string>;
    /** "Standard" (default) or "Premium": quotas per namespace, throughput units vs processing units. */
    tier?: string;
    /** AKS OIDC issuer: client identities are federated with their service accounts. */
    oidcIssuerUrl?: pulumi.Input<string>;
    /** Spread over availability zones (default: whether `location` has availability zones). */
    zoneRedundant?: boolean;
    /** Extra tags (the component adds `capability: event-streaming`). */
    tags?: pulumi.Input<Record<string, pulumi.Input<string>>>;
}

/** Problems of EventHubsKafka arguments (shared rules under the tier's quotas, plus Azure's own). */
export function eventHubsKafkaProblems(args: EventHubsKafkaArgs): string[] {
    const problems = streamingProblems("eventhubs", args, { tier: args.tier });
    if (!/^[a-z0-9]+$/.test(args.location ?? "")) problems.push(`location: ${show(args.location)} is not an Azure region name; allowed: a region such as "westeurope"`);
    return problems;
}

/** Azure Event Hubs' Kafka endpoint with Entra-only clients bound to AKS workload identity. */
export class EventHubsKafka extends pulumi.ComponentResource implements EventStreamingOutputs {
    public readonly bootstrapServers: pulumi.Output<string>;
    public readonly topics: pulumi.Output<string[]>;
    public readonly clientSettings: pulumi.Output<KafkaClientSettings>;
    public readonly clients: pulumi.Output<Record<string, KafkaClient>>;

    /** TypeScript-only: `clientSettings` as a plan-time value. */
    get settings(): KafkaClientSettings {
        return planTimeValuesOf(this).settings;
    }
    /** TypeScript-only: per client, its identity as an Output. */
    get clientAccess(): Record<string, ClientAccess> {
        return planTimeValuesOf(this).clientAccess;
    }

    constructor(name: string, args: EventHubsKafkaArgs, opts?: pulumi.ComponentResourceOptions) {
        const problems = eventHubsKafkaProblems(args);
        if (problems.length) throw argumentError("EventHubsKafka", name, problems);
        // Stacks built before the per-backend components keep their resources: children inherit the alias.
        super("platform:index:EventHubsKafka", name, {}, pulumi.mergeOptions(opts, { aliases: [{ type: "platform:index:EventStreaming" }] }));
        const parent = this;
        const protect = args.protect ?? true;
        const tier = (args.tier ?? "Standard") as keyof typeof EVENT_HUBS_CAPACITY;
        const capacity = EVENT_HUBS_CAPACITY[tier][args.size as keyof (typeof EVENT_HUBS_CAPACITY)["Standard"]];
        const tags = streamingTags(args.tags);
        const rg = args.resourceGroupName;

        const ns = new eventhub.Namespace(
            `${name}-kafka`,
            {
                resourceGroupName: rg,
                location: args.location,
                sku: { name: tier, tier, capacity },
                kafkaEnabled: true,
                // Entra ID only: no SAS keys that could leak or outlive their owner.
                disableLocalAuth: true,
                minimumTlsVersion: "1.2",
                publicNetworkAccess: "Disabled",
                // Zone redundancy needs availability zones; regions without them refuse it.
                zoneRedundant: args.zoneRedundant ?? AZURE_ZONAL_REGIONS.has(args.location),
                // Standard scales throughput units on demand up to 10× the baseline; Premium units are fixed.
                ...(tier === "Standard" ? { isAutoInflateEnabled: true, maximumThroughputUnits: capacity * 10 } : {}),
                tags,
            },
            // Deleting the namespace deletes every event hub's data.
            { parent, protect },
        );

        // Private endpoint in the platform VNet, and DNS that resolves the namespace to it from the VNet.
        const endpoint = new network.PrivateEndpoint(
            `${name}-kafka-pe`,
            {
                resourceGroupName: rg,
                location: args.location,
                subnet: { id: args.subnetId },
                privateLinkServiceConnections: [{ name: `${name}-kafka`, privateLinkServiceId: ns.id, groupIds: ["namespace"] }],
                tags,
            },
            { parent },
        );
        const zone = new privatedns.PrivateZone(
            `${name}-kafka-dns`,
            { resourceGroupName: rg, privateZoneName: EVENT_HUBS_PRIVATE_DNS_ZONE, location: "global", tags },
            { parent },
        );
        new privatedns.VirtualNetworkLink(
            `${name}-kafka-dns-link`,
            {
                resourceGroupName: rg,
                privateZoneName: zone.name,
                location: "global",
                virtualNetwork: { id: args.vnetId },
                // Resolution only: VMs must not register records in the service's zone.
                registrationEnabled: false,
                tags,
            },
            { parent },
        );
        new network.PrivateDnsZoneGroup(
            `${name}-kafka-dns-group`,
            {
                resourceGroupName: rg,
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
                    resourceGroupName: rg,
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
            const { produces, consumes } = clientTopics(args.topics, c.name);
            const identity = new managedidentity.UserAssignedIdentity(`${name}-kafka-${c.name}`, { resourceGroupName: rg, location: args.location, tags }, { parent });
            if (args.oidcIssuerUrl) {
                // AKS workload identity: only pods running as this service account get the identity's tokens.
                new managedidentity.FederatedIdentityCredential(
                    `${name}-kafka-${c.name}`,
                    {
                        resourceGroupName: rg,
                        resourceName: identity.name,
                        issuer: args.oidcIssuerUrl,
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
            clients[c.name] = { kind: "managed-identity", identity: identity.clientId, namespace: c.namespace, serviceAccount: c.serviceAccount, produces, consumes };
        }

        // The Kafka endpoint takes SASL PLAIN (SAS connection strings, disabled here: disableLocalAuth) or
        // OAUTHBEARER with a Microsoft Entra token, over TLS on 9093 ("Azure Event Hubs for Apache Kafka",
        // https://learn.microsoft.com/azure/event-hubs/azure-event-hubs-apache-kafka-overview#security-and-authentication).
        const settings: KafkaClientSettings = { securityProtocol: "SASL_SSL", saslMechanism: "OAUTHBEARER", credential: "workload-identity" };
        keepPlanTimeValues(this, { settings, clientAccess: clients });
        this.bootstrapServers = pulumi.interpolate`${ns.name}.servicebus.windows.net:${EVENT_HUBS_KAFKA_PORT}`;
        ({ topics: this.topics, clientSettings: this.clientSettings, clients: this.clients } = streamingOutputs(
            args.topics.map((t) => hubs.get(t.name)!.name),
            settings,
            clients,
        ));
        this.registerOutputs({ bootstrapServers: this.bootstrapServers, topics: this.topics, clientSettings: this.clientSettings, clients: this.clients });
    }
}
