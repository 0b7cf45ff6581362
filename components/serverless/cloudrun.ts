/**
 * GCP: a Cloud Run v2 service. Internal ingress (public services only through an external load balancer,
 * the edge), a dedicated service account, Direct VPC egress of all traffic into the platform subnetwork,
 * and roles/run.invoker only for the named invokers (never allUsers: IAM checks every request).
 */
import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import { cpuQuantity, memoryQuantity } from "./rules";
import { secretNamesOf, secretsArgsProblems } from "./secrets";
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
    /**
     * Secrets by reference: environment variable → secret id in Google Secret Manager (created and filled by
     * the team outside Pulumi). The service account gets roles/secretmanager.secretAccessor on exactly these
     * secrets; the container receives each as `valueSource.secretKeyRef` (version "latest").
     */
    secrets?: Record<string, string>;
    /** Project that holds the secrets (default: `project`). */
    secretsProject?: pulumi.Input<string>;
}

/** The Secret Manager role that reads secret payloads (versions), nothing else: no listing, no metadata changes. */
export const SECRET_ACCESSOR_ROLE = "roles/secretmanager.secretAccessor";
/**
 * The version every secret reference reads. Cloud Run resolves an env-var secret when an instance starts,
 * so "latest" means: each new instance reads the version current at its start, and a rotation reaches every
 * instance at the next revision (or as instances are replaced). A pinned number would need a config change
 * and a `pulumi up` per rotation, and the platform never sees the versions the team creates
 * (cloud.google.com/run/docs/configuring/services/secrets; docs/serverless.md, "Secrets").
 */
export const CLOUD_RUN_SECRET_VERSION = "latest";

/** One Cloud Run v2 service with its own service account (provider: opts.providers.gcp). */
export class CloudRunService extends pulumi.ComponentResource implements ServerlessServiceOutputs {
    public readonly url: pulumi.Output<string>;
    public readonly identity: pulumi.Output<string>;

    constructor(name: string, args: CloudRunServiceArgs, opts?: pulumi.ComponentResourceOptions) {
        const problems = serviceArgsProblems("cloudrun", "container", args, args.invokers);
        if (!args.region) problems.push(`args.region: ${JSON.stringify(args.region)} is missing; allowed: a Cloud Run region such as europe-north1`);
        problems.push(...secretsArgsProblems("gcp", args.secrets, args.env));
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
    // Read access to exactly the service's secrets, for its own account only. Cloud Run checks at deploy
    // time that the service account can access every referenced secret and fails the revision otherwise
    // (cloud.google.com/run/docs/configuring/services/secrets), so the service waits for these grants.
    const secretsProject = args.secretsProject ?? args.project;
    const grants = secretNamesOf(args.secrets).map(
        (secretName) =>
            new gcp.secretmanager.SecretIamMember(
                `${name}-secret-${secretName}`,
                { project: secretsProject, secretId: secretName, role: SECRET_ACCESSOR_ROLE, member: pulumi.interpolate`serviceAccount:${account.email}` },
                { parent },
            ),
    );
    // The secret as Cloud Run names it: the bare id in the service's project, the full name in another one.
    const secretRef = (secretName: string) =>
        pulumi.all([pulumi.output(args.project), pulumi.output(secretsProject)]).apply(([own, other]) => (own === other ? secretName : `projects/${other}/secrets/${secretName}`));
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
                        envs: [
                            ...Object.entries(args.env ?? {}).map(([envName, value]) => ({ name: envName, value })),
                            // By reference: Cloud Run reads the value from Secret Manager as the service account.
                            ...Object.entries(args.secrets ?? {}).map(([envName, secretName]) => ({
                                name: envName,
                                valueSource: { secretKeyRef: { secret: secretRef(secretName), version: CLOUD_RUN_SECRET_VERSION } },
                            })),
                        ],
                    },
                ],
            },
        },
        { parent, dependsOn: grants },
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
