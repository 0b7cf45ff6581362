/**
 * Azure: the private path from the platform VNet to a Key Vault whose public network access is disabled
 * (the platform vault, components/keys/azure.ts). Container Apps resolve Key Vault references from the
 * environment's network, and Container Apps is not one of Key Vault's trusted services, so the
 * "AzureServices" bypass does not let them through (microsoft/azure-container-apps#1287; without a
 * private endpoint a revision fails with "Unable to get value using Managed identity",
 * microsoft/sre-agent#347). A private endpoint in the data subnet (the apps subnet is delegated to
 * Microsoft.App/environments and takes no endpoints) and the `privatelink.vaultcore.azure.net` zone linked
 * to the VNet make `<vault>.vault.azure.net` resolve to the endpoint from every subnet, the environment's
 * included (Key Vault's private-link group id is "vault").
 */
import * as network from "@pulumi/azure-native/network";
import * as privatedns from "@pulumi/azure-native/privatedns";
import * as pulumi from "@pulumi/pulumi";
import { refuseArgs } from "./service";

/** The private DNS zone of Key Vault private endpoints in Azure's public cloud. */
export const KEY_VAULT_PRIVATE_DNS_ZONE = "privatelink.vaultcore.azure.net";

export interface KeyVaultPrivateEndpointArgs {
    resourceGroupName: pulumi.Input<string>;
    location: string;
    /** Resource id of the vault. */
    keyVaultId: pulumi.Input<string>;
    /** Subnet for the endpoint (not a delegated one): the platform network's data subnet. */
    subnetId: pulumi.Input<string>;
    /** The VNet the zone is linked to (every subnet in it resolves the vault privately). */
    virtualNetworkId: pulumi.Input<string>;
    tags?: pulumi.Input<Record<string, pulumi.Input<string>>>;
}

/** A private endpoint for one Key Vault with its DNS in the VNet (provider: opts.providers["azure-native"]). */
export class KeyVaultPrivateEndpoint extends pulumi.ComponentResource {
    /** Resource id of the private endpoint. */
    public readonly endpointId: pulumi.Output<string>;

    constructor(name: string, args: KeyVaultPrivateEndpointArgs, opts?: pulumi.ComponentResourceOptions) {
        const problems: string[] = [];
        if (!args.location) problems.push(`args.location: ${JSON.stringify(args.location)} is missing; allowed: an Azure region such as swedencentral`);
        if (!args.keyVaultId) problems.push(`args.keyVaultId: ${JSON.stringify(args.keyVaultId)} is missing; allowed: the resource id of the Key Vault`);
        if (!args.subnetId) problems.push(`args.subnetId: ${JSON.stringify(args.subnetId)} is missing; allowed: the id of a subnet that is not delegated (the data subnet)`);
        refuseArgs("KeyVaultPrivateEndpoint", name, problems);
        super("platform:index:KeyVaultPrivateEndpoint", name, {}, opts);
        const parent = this;
        const endpoint = new network.PrivateEndpoint(
            `${name}-pe`,
            {
                resourceGroupName: args.resourceGroupName,
                location: args.location,
                subnet: { id: args.subnetId },
                privateLinkServiceConnections: [{ name, privateLinkServiceId: args.keyVaultId, groupIds: ["vault"] }],
                tags: args.tags,
            },
            { parent },
        );
        const zone = new privatedns.PrivateZone(
            `${name}-dns`,
            { resourceGroupName: args.resourceGroupName, privateZoneName: KEY_VAULT_PRIVATE_DNS_ZONE, location: "global", tags: args.tags },
            { parent },
        );
        const link = new privatedns.VirtualNetworkLink(
            `${name}-dns-link`,
            {
                resourceGroupName: args.resourceGroupName,
                privateZoneName: zone.name,
                location: "global",
                virtualNetwork: { id: args.virtualNetworkId },
                // Resolution only: nothing registers its own records in the service's zone.
                registrationEnabled: false,
                tags: args.tags,
            },
            { parent },
        );
        // The endpoint's A record in the zone, kept in step with the endpoint by Azure.
        new network.PrivateDnsZoneGroup(
            `${name}-dns-group`,
            { resourceGroupName: args.resourceGroupName, privateEndpointName: endpoint.name, privateDnsZoneConfigs: [{ name: "vault", privateDnsZoneId: zone.id }] },
            { parent, dependsOn: [link] },
        );
        this.endpointId = endpoint.id;
        this.registerOutputs({ endpointId: this.endpointId });
    }
}
