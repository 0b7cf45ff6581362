/**
 * GCP: a Cloud Run v2 service. Internal ingress (public services only through an external load balancer,
 * the edge), a dedicated service account, Direct VPC egress of all traffic into the platform subnetwork,
 * and roles/run.invoker only for the named invokers (never allUsers: IAM checks every request).
 */
import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import { cpuQuantity, memoryQuantity } from "./rules";
import { refuseArgs, serviceArgsProblems, withServerlessServiceAlias, type ServerlessServiceBaseArgs, type ServerlessServiceOutputs } from "./service";

export interface CloudRunServiceArgs extends ServerlessServiceBaseArgs {
    project: pulumi.Input<string>;
    region: string;
    /** VPC network (self link or id) that Direct VPC egress attaches to. */
    network: pulumi.Input<string>;
    /** Subnetwork (self link or id) of that network. */
    subnetwork: pulumi.Input<string>;
    /** Cloud KMS key that encrypts the image copy Cloud Run keeps (CMEK). */
    encryptionKey?: pulumi.Input<string>;
    /** IAM members allowed to invoke (e.g. serviceAccount:checkout@p.iam.gserviceaccount.com); never allUsers. */
    invokers?: string[];
}

/** One Cloud Run v2 service with its own service account (provider: opts.providers.gcp). */
export class CloudRunService extends pulumi.ComponentResource implements ServerlessServiceOutputs {
    public readonly url: pulumi.Output<string>;
    public readonly identity: pulumi.Output<string>;

    constructor(name: string, args: CloudRunServiceArgs, opts?: pulumi.ComponentResourceOptions) {
        const problems = serviceArgsProblems("cloudrun", "container", args, args.invokers);
        if (!args.region) problems.push(`args.region: ${JSON.stringify(args.region)} is missing; allowed: a Cloud Run region such as europe-north1`);
        refuseArgs("CloudRunService", name, problems);
        super("platform:index:CloudRunService", name, {}, withServerlessServiceAlias(opts));
        const out = createCloudRunService(this, name, args);
        this.url = out.url;
        this.identity = out.identity;
        this.registerOutputs({ url: this.url, identity: this.identity });
    }
}

function createCloudRunService(parent: pulumi.Resource, name: string, args: CloudRunServiceArgs): ServerlessServiceOutputs {
    const account = new gcp.serviceaccount.Account(
        `${name}-sa`,
        {
            project: args.project,
            accountId: `run-${args.name}`,
            displayName: `Cloud Run service ${args.name}`,
            description: "Identity of one Cloud Run service; holds no roles unless granted explicitly.",
        },
        { parent },
    );
    // Below 1 vCPU, or below 512 MiB (gen2's minimum memory), Cloud Run needs the first-generation
    // environment; otherwise gen2 (full Linux, faster network).
    const executionEnvironment = args.cpu < 1 || args.memory < 512 ? "EXECUTION_ENVIRONMENT_GEN1" : "EXECUTION_ENVIRONMENT_GEN2";
    const service = new gcp.cloudrunv2.Service(
        `${name}-run`,
        {
            name: args.name,
            project: args.project,
            location: args.region,
            // Public services are reached only through an external Application Load Balancer (the edge,
            // with Cloud Armor), never on the run.app URL; private ones only from the VPC.
            ingress: args.public ? "INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER" : "INGRESS_TRAFFIC_INTERNAL_ONLY",
            invokerIamDisabled: false,
            // Stateless: replacing a service loses nothing, so it must stay deletable by the program.
            deletionProtection: false,
            labels: args.tags,
            template: {
                serviceAccount: account.email,
                executionEnvironment,
                maxInstanceRequestConcurrency: args.concurrency,
                scaling: { minInstanceCount: args.minScale, maxInstanceCount: args.maxScale },
                vpcAccess: {
                    networkInterfaces: [{ network: args.network, subnetwork: args.subnetwork }],
                    // Every outbound packet goes through the platform VPC (its firewall and NAT), not the internet directly.
                    egress: "ALL_TRAFFIC",
                },
                encryptionKey: args.encryptionKey,
                containers: [
                    {
                        image: args.image,
                        ports: { containerPort: args.port },
                        resources: {
                            limits: { cpu: cpuQuantity(args.cpu), memory: memoryQuantity(args.memory) },
                            // CPU only while serving requests: nothing is billed (or burned) between them.
                            cpuIdle: true,
                            startupCpuBoost: true,
                        },
                        envs: Object.entries(args.env ?? {}).map(([envName, value]) => ({ name: envName, value })),
                    },
                ],
            },
        },
        { parent },
    );
    for (const [i, member] of (args.invokers ?? []).entries()) {
        new gcp.cloudrunv2.ServiceIamMember(
            `${name}-invoker-${i}`,
            { project: args.project, location: args.region, name: service.name, role: "roles/run.invoker", member },
            { parent },
        );
    }
    return { url: service.uri, identity: account.email };
}
