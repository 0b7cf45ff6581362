/**
 * Azure: Container Apps. One managed environment per stack inside the platform VNet (internal load
 * balancer only, workload profiles, mTLS between apps, public network access disabled), and one container
 * app per service with internal ingress, an HTTP scale rule from zero and a user-assigned identity.
 */
import * as app from "@pulumi/azure-native/app";
import * as managedidentity from "@pulumi/azure-native/managedidentity";
import * as pulumi from "@pulumi/pulumi";
import type { ServerlessServiceArgs, ServerlessServiceOutputs } from "./index";

export interface ContainerAppsEnvironmentArgs {
    resourceGroupName: pulumi.Input<string>;
    location: string;
    /** Subnet delegated to Microsoft.App/environments (Network.appsSubnetId), /27 or larger. */
    infrastructureSubnetId: pulumi.Input<string>;
    /** Spread over availability zones (needs a zonal region). Default true. */
    zoneRedundant?: boolean;
    tags?: pulumi.Input<Record<string, pulumi.Input<string>>>;
}

/** The workload profile every app runs on: serverless, billed per use, scales to zero. */
export const CONSUMPTION_PROFILE = "Consumption";

export class ContainerAppsEnvironment extends pulumi.ComponentResource {
    public readonly environmentId: pulumi.Output<string>;
    public readonly defaultDomain: pulumi.Output<string>;
    /** Private IP of the environment's internal load balancer (for the private DNS zone). */
    public readonly staticIp: pulumi.Output<string>;

    constructor(name: string, args: ContainerAppsEnvironmentArgs, opts?: pulumi.ComponentResourceOptions) {
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
        this.environmentId = env.id;
        this.defaultDomain = env.defaultDomain;
        this.staticIp = env.staticIp;
        this.registerOutputs({ environmentId: this.environmentId, defaultDomain: this.defaultDomain });
    }
}

export function createContainerApp(parent: pulumi.Resource, name: string, args: ServerlessServiceArgs): ServerlessServiceOutputs {
    const a = args.azure!;
    const identity = new managedidentity.UserAssignedIdentity(
        `${name}-id`,
        { resourceGroupName: a.resourceGroupName, location: a.location, resourceName: `id-${args.name}`, tags: args.tags },
        { parent },
    );
    const containerApp = new app.ContainerApp(
        `${name}-app`,
        {
            resourceGroupName: a.resourceGroupName,
            location: a.location,
            containerAppName: args.name,
            managedEnvironmentId: a.environmentId,
            workloadProfileName: a.workloadProfileName ?? CONSUMPTION_PROFILE,
            identity: { type: "UserAssigned", userAssignedIdentities: [identity.id] },
            configuration: {
                activeRevisionsMode: "Single",
                ingress: {
                    // external false: reachable only from apps in the environment. A public service is
                    // exposed VNet-wide (still behind the internal load balancer) for the edge gateway.
                    external: args.public === true,
                    targetPort: args.port,
                    transport: "http",
                    allowInsecure: false,
                },
            },
            template: {
                containers: [
                    {
                        name: args.name,
                        image: args.image,
                        resources: { cpu: args.cpu, memory: `${args.memory / 1024}Gi` },
                        env: Object.entries(args.env ?? {}).map(([envName, value]) => ({ name: envName, value })),
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
        { parent },
    );
    const fqdn = containerApp.configuration.apply((c) => c?.ingress?.fqdn ?? "");
    return { url: pulumi.interpolate`https://${fqdn}`, identity: identity.id };
}
