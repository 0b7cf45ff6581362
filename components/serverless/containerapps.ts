/**
 * Azure: Container Apps. One managed environment per stack inside the platform VNet (internal load
 * balancer only, workload profiles, mTLS between apps, public network access disabled) with a private
 * DNS zone for its default domain linked to the VNet, and one container app per service whose ingress
 * is reachable from the platform network only, with an HTTP scale rule from zero and a user-assigned
 * identity.
 *
 * Reachability (learn.microsoft.com/azure/container-apps/ingress-overview and
 * .../container-apps/networking): in an internal (VNet-injected, `vnetConfiguration.internal`)
 * environment, an app with `ingress.external: false` is reachable only from apps in the same
 * environment ("Limited to Container Apps Environment"); `external: true` makes it reachable from the
 * VNet ("Limited to VNet"; hashicorp/terraform-provider-azurerm#20693), never from the internet, since the
 * environment has only an internal load balancer. Callers in the VNet resolve `<app>.<defaultDomain>`
 * through a private DNS zone named after the environment's default domain with a wildcard A record to
 * its static IP (learn.microsoft.com/azure/container-apps/vnet-custom-internal, "Deploy with a private
 * DNS"). Who may call is then narrowed to the platform network's ranges with `ipSecurityRestrictions`:
 * with only Allow rules, every other source is denied (learn.microsoft.com/azure/container-apps/ip-restrictions).
 */
import * as app from "@pulumi/azure-native/app";
import * as authorization from "@pulumi/azure-native/authorization";
import * as managedidentity from "@pulumi/azure-native/managedidentity";
import * as privatedns from "@pulumi/azure-native/privatedns";
import * as pulumi from "@pulumi/pulumi";
import { AZURE_ROLES, roleDefinitionId } from "../azure/roles";
import { secretNamesOf, secretsArgsProblems } from "./secrets";
import { dependsOnWith, refuseArgs, serviceArgsProblems, withServerlessServiceAlias, type ServerlessServiceBaseArgs, type ServerlessServiceOutputs } from "./service";

export interface ContainerAppsEnvironmentArgs {
    resourceGroupName: pulumi.Input<string>;
    location: string;
    /** Subnet delegated to Microsoft.App/environments (Network.appsSubnetId), /27 or larger. */
    infrastructureSubnetId: pulumi.Input<string>;
    /** The platform VNet (Network.networkId): the private DNS zone of the environment's domain is linked to it. */
    virtualNetworkId: pulumi.Input<string>;
    /** Spread over availability zones (needs a zonal region). Default true. */
    zoneRedundant?: boolean;
    tags?: pulumi.Input<Record<string, pulumi.Input<string>>>;
}

/** The workload profile every app runs on: serverless, billed per use, scales to zero. */
export const CONSUMPTION_PROFILE = "Consumption";
/** TTL of the environment's DNS records: the static IP never changes for the environment's lifetime. */
const DNS_TTL_SECONDS = 3600;

/** A managed environment in the platform VNet with private DNS for its apps (provider: opts.providers["azure-native"]). */
export class ContainerAppsEnvironment extends pulumi.ComponentResource {
    public readonly environmentId: pulumi.Output<string>;
    public readonly defaultDomain: pulumi.Output<string>;
    /** Private IP of the environment's internal load balancer (for the private DNS zone). */
    public readonly staticIp: pulumi.Output<string>;

    constructor(name: string, args: ContainerAppsEnvironmentArgs, opts?: pulumi.ComponentResourceOptions) {
        const problems: string[] = [];
        if (!args.location) problems.push(`args.location: ${JSON.stringify(args.location)} is missing; allowed: an Azure region such as swedencentral`);
        if (!args.infrastructureSubnetId) problems.push(`args.infrastructureSubnetId: ${JSON.stringify(args.infrastructureSubnetId)} is missing; allowed: the ID of a subnet delegated to Microsoft.App/environments`);
        refuseArgs("ContainerAppsEnvironment", name, problems);
        super("platform:index:ContainerAppsEnvironment", name, {}, opts);
        const env = new app.ManagedEnvironment(
            name,
            {
                resourceGroupName: args.resourceGroupName,
                location: args.location,
                // Internal: the environment gets only a private load balancer in the VNet.
                vnetConfiguration: { infrastructureSubnetId: args.infrastructureSubnetId, internal: true },
                // Workload-profiles environments support UDRs, private endpoints and the Consumption profile.
                workloadProfiles: [{ name: CONSUMPTION_PROFILE, workloadProfileType: CONSUMPTION_PROFILE }],
                // mTLS between apps and encryption of all peer traffic inside the environment.
                peerAuthentication: { mtls: { enabled: true } },
                peerTrafficConfiguration: { encryption: { enabled: true } },
                publicNetworkAccess: "Disabled",
                zoneRedundant: args.zoneRedundant ?? true,
                // Console and system logs go to Azure Monitor; diagnostic settings choose the sink.
                appLogsConfiguration: { destination: "azure-monitor" },
                tags: args.tags,
            },
            { parent: this },
        );
        // The VNet resolves every app of the environment (`<app>.<defaultDomain>`) to its internal load balancer.
        const zone = new privatedns.PrivateZone(
            `${name}-dns`,
            { resourceGroupName: args.resourceGroupName, privateZoneName: env.defaultDomain, location: "Global", tags: args.tags },
            { parent: this },
        );
        new privatedns.VirtualNetworkLink(
            `${name}-dns-link`,
            {
                resourceGroupName: args.resourceGroupName,
                privateZoneName: zone.name,
                location: "Global",
                virtualNetwork: { id: args.virtualNetworkId },
                // Resolution only: nothing registers its own records in the environment's zone.
                registrationEnabled: false,
                tags: args.tags,
            },
            { parent: this },
        );
        new privatedns.PrivateRecordSet(
            `${name}-dns-wildcard`,
            {
                resourceGroupName: args.resourceGroupName,
                privateZoneName: zone.name,
                recordType: "A",
                relativeRecordSetName: "*",
                ttl: DNS_TTL_SECONDS,
                aRecords: [{ ipv4Address: env.staticIp }],
            },
            { parent: this },
        );
        this.environmentId = env.id;
        this.defaultDomain = env.defaultDomain;
        this.staticIp = env.staticIp;
        this.registerOutputs({ environmentId: this.environmentId, defaultDomain: this.defaultDomain });
    }
}

export interface ContainerAppServiceArgs extends ServerlessServiceBaseArgs {
    resourceGroupName: pulumi.Input<string>;
    location: string;
    /** Managed environment (ContainerAppsEnvironment.environmentId). */
    environmentId: pulumi.Input<string>;
    /** Workload profile the app runs on (default "Consumption"). */
    workloadProfileName?: string;
    /** The platform network's IPv4 ranges allowed to call the app (its ingress admits no other source). */
    callerRanges: string[];
    /**
     * Secrets by reference: environment variable → secret name in the Key Vault `keyVaultId` (created and
     * filled by the team outside Pulumi). The app's identity gets "Key Vault Secrets User" on exactly these
     * secrets; the app holds Key Vault references (`keyVaultUrl` + identity), never a value.
     */
    secrets?: Record<string, string>;
    /** Resource id of the Key Vault holding `secrets` (RBAC authorization; reachable from the environment's VNet). */
    keyVaultId?: pulumi.Input<string>;
    /** That vault's URI, e.g. https://kv-plt.vault.azure.net/ (the secret URLs are `<uri>secrets/<name>`). */
    keyVaultUri?: pulumi.Input<string>;
}

/**
 * A Container Apps secret name: lowercase letters, digits and '-', starting and ending alphanumeric, at most
 * 253 characters (the service's ContainerAppInvalidSecretName message, e.g. Azure/container-apps-deploy-action#116).
 * The app's secret is named after the Key Vault secret, lowercased (Key Vault names are case-insensitive).
 */
const CONTAINER_APP_SECRET_NAME = /^[a-z0-9]([-a-z0-9]{0,251}[a-z0-9])?$/;

/** Problems of the Key Vault references, as `args.…` lines. */
function keyVaultSecretProblems(args: ContainerAppServiceArgs): string[] {
    const problems = secretsArgsProblems("azure", args.secrets, args.env);
    const names = secretNamesOf(args.secrets);
    if (names.length === 0) return problems;
    if (!args.keyVaultId) problems.push(`args.keyVaultId: ${JSON.stringify(args.keyVaultId)} is missing; allowed: the resource id of the Key Vault that holds args.secrets`);
    if (!args.keyVaultUri) problems.push(`args.keyVaultUri: ${JSON.stringify(args.keyVaultUri)} is missing; allowed: that vault's URI, such as https://kv-plt.vault.azure.net/`);
    const seen = new Map<string, string>();
    for (const secretName of names) {
        if (/^[0-9a-zA-Z-]{1,127}$/.test(secretName) && !CONTAINER_APP_SECRET_NAME.test(secretName.toLowerCase())) {
            problems.push(`args.secrets: ${JSON.stringify(secretName)} cannot name a Container Apps secret; allowed: a Key Vault name that starts and ends with a letter or digit`);
        }
        // Key Vault names are case-insensitive: two spellings are one secret (and one role assignment scope).
        const other = seen.get(secretName.toLowerCase());
        if (other) problems.push(`args.secrets: ${JSON.stringify(secretName)} and ${JSON.stringify(other)} are the same Key Vault secret (names are case-insensitive); allowed: one spelling`);
        seen.set(secretName.toLowerCase(), secretName);
    }
    return problems;
}

/** One container app with its own user-assigned identity, reachable from the platform network only (provider: opts.providers["azure-native"]). */
export class ContainerAppService extends pulumi.ComponentResource implements ServerlessServiceOutputs {
    public readonly url: pulumi.Output<string>;
    public readonly identity: pulumi.Output<string>;

    constructor(name: string, args: ContainerAppServiceArgs, opts?: pulumi.ComponentResourceOptions) {
        refuseArgs("ContainerAppService", name, [
            ...serviceArgsProblems("containerapps", "container", args),
            ...callerRangeProblems(args.callerRanges),
            ...keyVaultSecretProblems(args),
        ]);
        super("platform:index:ContainerAppService", name, {}, withServerlessServiceAlias(opts));
        const out = createContainerApp(this, name, args, opts);
        this.url = out.url;
        this.identity = out.identity;
        this.registerOutputs({ url: this.url, identity: this.identity });
    }
}

/** Every reason the caller ranges cannot be used, as "args.callerRanges: …" lines. */
export function callerRangeProblems(ranges: readonly string[] | undefined): string[] {
    if (!ranges || ranges.length === 0) {
        return ["args.callerRanges: none given; allowed: the platform network's IPv4 ranges (CIDRs) that may call the app (without them the app would accept any caller that reaches the VNet)"];
    }
    return ranges.flatMap((r, i) => {
        const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(r);
        if (!m || m.slice(1, 5).some((o) => Number(o) > 255) || Number(m[5]) > 32) {
            return [`args.callerRanges[${i}]: ${JSON.stringify(r)} is not an IPv4 CIDR; allowed: a range such as 10.20.0.0/16`];
        }
        return Number(m[5]) === 0 ? [`args.callerRanges[${i}]: ${JSON.stringify(r)} would admit every address; allowed: the platform network's ranges`] : [];
    });
}

function createContainerApp(parent: pulumi.Resource, name: string, args: ContainerAppServiceArgs, opts: pulumi.ComponentResourceOptions | undefined): ServerlessServiceOutputs {
    const identity = new managedidentity.UserAssignedIdentity(
        `${name}-id`,
        { resourceGroupName: args.resourceGroupName, location: args.location, resourceName: `id-${args.name}`, tags: args.tags },
        { parent },
    );
    // Read access to exactly the app's secrets: one role assignment per secret, scoped to the secret itself
    // (Key Vault RBAC guide: roles can be assigned on individual secrets), for the app's identity only. The app resolves its
    // Key Vault references when a revision is provisioned, so it waits for these.
    const secretNames = secretNamesOf(args.secrets);
    const secretsUser = secretNames.length ? roleDefinitionId(parent, AZURE_ROLES.keyVaultSecretsUser) : undefined;
    const grants = secretNames.map(
        (secretName) =>
            new authorization.RoleAssignment(
                `${name}-kv-secret-${secretName}`,
                {
                    principalId: identity.principalId,
                    // A managed identity: without the type, ARM may reject the assignment while the new
                    // identity's service principal is still replicating.
                    principalType: authorization.PrincipalType.ServicePrincipal,
                    roleDefinitionId: secretsUser!,
                    scope: pulumi.interpolate`${args.keyVaultId}/secrets/${secretName}`,
                },
                { parent },
            ),
    );
    const appSecretName = (secretName: string) => secretName.toLowerCase();
    const vaultUri = pulumi.output(args.keyVaultUri ?? "").apply((u) => (u.endsWith("/") ? u : `${u}/`));
    const containerApp = new app.ContainerApp(
        `${name}-app`,
        {
            resourceGroupName: args.resourceGroupName,
            location: args.location,
            containerAppName: args.name,
            managedEnvironmentId: args.environmentId,
            workloadProfileName: args.workloadProfileName ?? CONSUMPTION_PROFILE,
            identity: { type: "UserAssigned", userAssignedIdentities: [identity.id] },
            configuration: {
                activeRevisionsMode: "Single",
                // Key Vault references, versionless: Container Apps reads the current version with the app's
                // identity and picks up a new one within 30 minutes (learn.microsoft.com/azure/container-apps/manage-secrets).
                secrets: secretNames.length
                    ? secretNames.map((secretName) => ({
                          name: appSecretName(secretName),
                          keyVaultUrl: pulumi.interpolate`${vaultUri}secrets/${secretName}`,
                          identity: identity.id,
                      }))
                    : undefined,
                ingress: {
                    // In the internal environment, external means "reachable from the VNet" (through the
                    // internal load balancer), never from the internet; false would confine callers to
                    // apps in the environment, out of reach of the cluster's services. A public service
                    // is no different here: its edge gateway sits in the platform network too.
                    external: true,
                    targetPort: args.port,
                    transport: "http",
                    allowInsecure: false,
                    // Only the platform network may call: with only Allow rules, every other source is denied.
                    ipSecurityRestrictions: args.callerRanges.map((range, i) => ({
                        name: `platform-network-${i}`,
                        description: "the platform network (VNet and what it peers); identity is not checked here, see docs/serverless.md",
                        ipAddressRange: range,
                        action: "Allow",
                    })),
                },
            },
            template: {
                containers: [
                    {
                        name: args.name,
                        image: args.image,
                        resources: { cpu: args.cpu, memory: `${args.memory / 1024}Gi` },
                        env: [
                            ...Object.entries(args.env ?? {}).map(([envName, value]) => ({ name: envName, value })),
                            ...Object.entries(args.secrets ?? {}).map(([envName, secretName]) => ({ name: envName, secretRef: appSecretName(secretName) })),
                        ],
                    },
                ],
                scale: {
                    minReplicas: args.minScale,
                    maxReplicas: args.maxScale,
                    // Scale on concurrent HTTP requests per replica, from zero.
                    rules: [{ name: "http-concurrency", http: { metadata: { concurrentRequests: String(args.concurrency) } } }],
                },
            },
            tags: args.tags,
        },
        // The grants, and what the component waits for (e.g. the vault's private endpoint): both must be in
        // place before the first revision resolves its Key Vault references.
        { parent, dependsOn: dependsOnWith(opts, grants) },
    );
    // `<app>.<defaultDomain>`: resolved in the VNet by the environment's private DNS zone.
    const fqdn = containerApp.configuration.apply((c) => c?.ingress?.fqdn ?? "");
    return { url: pulumi.interpolate`https://${fqdn}`, identity: identity.id };
}
