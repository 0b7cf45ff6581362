/**
 * GCP project bootstrap: a fresh project has none of the APIs the platform calls enabled, and the
 * service agents that the platform key's grants name (GKE, Managed Kafka) may not exist yet. This
 * component enables every API the stack uses (`projects.Service`) and has Google create those service
 * agents (`projects.ServiceIdentity`) before anything else in the project is created.
 *
 * The Compute Engine service agent is not among them: Service Usage refuses generateServiceIdentity for
 * compute.googleapis.com, and the agent exists once the Compute API is enabled (terraform-google-modules/
 * terraform-google-project-factory PR #628, modules/project_services/main.tf skips
 * `i.api != "compute.googleapis.com"`); a grant naming it waits for the compute `projects.Service`.
 *
 * Every `projects.Service` create and read also calls Cloud Resource Manager (terraform-provider-google
 * resource_google_project_service.go: Read → ResourceManager.Projects.Get), so the
 * cloudresourcemanager Service is created first and every other Service depends on it.
 *
 * The stack runs it under a provider of its own and makes the platform's GCP provider depend on
 * `ready`: every resource and data-source call made through that provider then waits for the APIs and
 * agents, whichever component creates it.
 */
import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";

/**
 * The API that serves each provider module's resources (`gcp:<module>/<resource>:<Type>`). A resource
 * type whose module is not listed here has no known API: the GCP precondition test fails on it, so a new
 * resource type cannot reach the plan without its API being enabled.
 */
export const GCP_API_OF_MODULE: Readonly<Record<string, string>> = {
    kms: "cloudkms.googleapis.com",
    compute: "compute.googleapis.com",
    container: "container.googleapis.com",
    // Service accounts and their IAM policies.
    serviceaccount: "iam.googleapis.com",
    // Project IAM members read-modify-write the project's IAM policy (projects.getIamPolicy/setIamPolicy).
    projects: "cloudresourcemanager.googleapis.com",
    managedkafka: "managedkafka.googleapis.com",
    cloudrunv2: "run.googleapis.com",
    // Per-secret IAM members (Cloud Run services' secretAccessor grants); the API is enabled for GKE's Secret Manager add-on.
    secretmanager: "secretmanager.googleapis.com",
};

/**
 * Service Usage itself serves `projects.Service` and `projects.ServiceIdentity`; it cannot enable itself
 * and is a precondition of the project (on by default in projects created in the console or with gcloud).
 */
export const SERVICE_USAGE_API = "serviceusage.googleapis.com";

/** Cloud Resource Manager: every `projects.Service` create/read calls it, so it is enabled before the others. */
export const RESOURCE_MANAGER_API = "cloudresourcemanager.googleapis.com";

/** The Google-managed service agent of an API: `service-<projectNumber>@<domain>.iam.gserviceaccount.com`. */
export const GCP_SERVICE_AGENT_DOMAINS = {
    // GKE service agent: calls KMS for application-layer secrets encryption (databaseEncryption).
    "container.googleapis.com": "container-engine-robot",
    // Compute Engine service agent: reads CMEK-encrypted boot disks (the nodes' bootDiskKmsKey).
    "compute.googleapis.com": "compute-system",
    // Managed Kafka service agent: encrypts the cluster's data with the CMEK key (gcpConfig.kmsKey).
    "managedkafka.googleapis.com": "gcp-sa-managedkafka",
} as const;
export type ServiceAgentApi = keyof typeof GCP_SERVICE_AGENT_DOMAINS;
/**
 * Service agents that `projects.ServiceIdentity` may request. Compute Engine's is refused by
 * generateServiceIdentity (project-factory PR #628) and exists once its API is enabled.
 */
export type GeneratedServiceAgentApi = Exclude<ServiceAgentApi, "compute.googleapis.com">;

/** The IAM member naming an API's service agent in a project. */
export function serviceAgentMember(projectNumber: pulumi.Input<string>, api: ServiceAgentApi): pulumi.Output<string> {
    return pulumi.interpolate`serviceAccount:service-${projectNumber}@${GCP_SERVICE_AGENT_DOMAINS[api]}.iam.gserviceaccount.com`;
}

/** What the stack uses on GCP beyond the foundation (key, network, GKE), which is always there. */
export interface GcpApiNeeds {
    /** Google Cloud Managed Service for Apache Kafka is the GCP Kafka backend. */
    managedKafka: boolean;
    /** At least one service runs on Cloud Run. */
    cloudRun: boolean;
}

/**
 * The APIs the stack calls, from the resource types it creates (GCP_API_OF_MODULE) plus those the GKE
 * cluster's settings call at run time. Sorted, without duplicates.
 */
export function gcpApisFor(needs: GcpApiNeeds): string[] {
    const apis = new Set<string>([
        // Foundation resource types: KMS key and grants, VPC/NAT, GKE, node service account, project IAM.
        GCP_API_OF_MODULE["kms"]!,
        GCP_API_OF_MODULE["compute"]!,
        GCP_API_OF_MODULE["container"]!,
        GCP_API_OF_MODULE["serviceaccount"]!,
        GCP_API_OF_MODULE["projects"]!,
        // Workload Identity: the GKE metadata server exchanges a pod's token for its Google service
        // account's access token through the IAM Service Account Credentials API.
        "iamcredentials.googleapis.com",
        // loggingConfig / monitoringConfig (control-plane and workload logs, managed Prometheus).
        "logging.googleapis.com",
        "monitoring.googleapis.com",
        // binaryAuthorization.evaluationMode PROJECT_SINGLETON_POLICY_ENFORCE evaluates the project's policy.
        "binaryauthorization.googleapis.com",
        // secretManagerConfig: the Secret Manager CSI add-on reads secrets from this API.
        "secretmanager.googleapis.com",
        // securityPostureConfig (mode BASIC): configuration-audit findings are served by this API.
        "containersecurity.googleapis.com",
    ]);
    if (needs.managedKafka) {
        apis.add(GCP_API_OF_MODULE["managedkafka"]!);
        // The bootstrap and broker names Managed Kafka publishes in the VPC are Cloud DNS records.
        apis.add("dns.googleapis.com");
    }
    if (needs.cloudRun) apis.add(GCP_API_OF_MODULE["cloudrunv2"]!);
    return [...apis].sort();
}

export interface GcpProjectServicesArgs {
    /** Project whose APIs are enabled (unset: the provider's project). */
    project?: pulumi.Input<string>;
    /** API names, e.g. "container.googleapis.com". */
    apis: string[];
    /**
     * APIs whose service agent a grant names and Google must create; each must be among `apis`, and one
     * of "container.googleapis.com", "managedkafka.googleapis.com" (GCP_SERVICE_AGENT_DOMAINS but compute).
     */
    serviceAgents: string[];
}

interface ProjectServicesChildren {
    services: Record<string, gcp.projects.Service>;
    identities: Partial<Record<GeneratedServiceAgentApi, gcp.projects.ServiceIdentity>>;
}
/** TypeScript-only: each GcpProjectServices' children, kept off the class's properties (a schema would read those as outputs). */
const childrenOf = new WeakMap<GcpProjectServices, ProjectServicesChildren>();

export class GcpProjectServices extends pulumi.ComponentResource {
    /** The APIs enabled (one `projects.Service` each). */
    public readonly apis: pulumi.Output<string[]>;
    /** The APIs whose service agent was created (one `projects.ServiceIdentity` each). */
    public readonly serviceAgents: pulumi.Output<string[]>;

    constructor(name: string, args: GcpProjectServicesArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:index:GcpProjectServices", name, {}, opts);
        const apiName = /^[a-z][a-z0-9-]*\.googleapis\.com$/;
        for (const api of args.apis) {
            if (!apiName.test(api)) {
                throw new Error(`GcpProjectServices ${name}: args.apis: ${JSON.stringify(api)}; allowed: API names like "container.googleapis.com"`);
            }
        }
        const generated = Object.keys(GCP_SERVICE_AGENT_DOMAINS).filter((a) => a !== "compute.googleapis.com");
        for (const api of args.serviceAgents) {
            if (api === "compute.googleapis.com") {
                throw new Error(`GcpProjectServices ${name}: args.serviceAgents: "compute.googleapis.com", whose agent Service Usage does not generate (it exists once the Compute API is enabled); allowed: ${generated.join(", ")}`);
            }
            if (!generated.includes(api)) {
                throw new Error(`GcpProjectServices ${name}: args.serviceAgents: ${JSON.stringify(api)}; allowed: ${generated.join(", ")}`);
            }
            if (!args.apis.includes(api)) {
                throw new Error(`GcpProjectServices ${name}: args.serviceAgents: ${JSON.stringify(api)}, which is not among args.apis; allowed: ${args.apis.join(", ")}`);
            }
        }

        const services: Record<string, gcp.projects.Service> = {};
        const enable = (api: string, dependsOn: pulumi.Resource[]) =>
            new gcp.projects.Service(
                `${name}-${api.split(".")[0]}`,
                {
                    project: args.project,
                    service: api,
                    // Leaving the stack (or dropping an API from the list) never switches an API off:
                    // other workloads in the project may rely on it, and disabling one deletes its resources.
                    disableOnDestroy: false,
                    disableDependentServices: false,
                },
                { parent: this, dependsOn },
            );
        const apis = [...new Set(args.apis)];
        // Cloud Resource Manager first: the other Services' create and read call it.
        const resourceManager = apis.includes(RESOURCE_MANAGER_API) ? enable(RESOURCE_MANAGER_API, []) : undefined;
        if (resourceManager) services[RESOURCE_MANAGER_API] = resourceManager;
        for (const api of apis) {
            if (api === RESOURCE_MANAGER_API) continue;
            services[api] = enable(api, resourceManager ? [resourceManager] : []);
        }

        // generateServiceIdentity creates the agent if it does not exist yet (it otherwise appears some
        // time after the API is enabled, and a grant naming it fails until then). Its email output is not
        // populated for every API, so grants build the documented address and depend on this resource.
        const identities: Partial<Record<GeneratedServiceAgentApi, gcp.projects.ServiceIdentity>> = {};
        childrenOf.set(this, { services, identities });
        for (const api of args.serviceAgents as GeneratedServiceAgentApi[]) {
            identities[api] = new gcp.projects.ServiceIdentity(
                `${name}-${GCP_SERVICE_AGENT_DOMAINS[api]}`,
                { project: args.project, service: api },
                { parent: this, dependsOn: [services[api]!] },
            );
        }

        this.apis = pulumi.output(Object.keys(services));
        this.serviceAgents = pulumi.output(Object.keys(identities));
        this.registerOutputs({ apis: this.apis, serviceAgents: this.serviceAgents });
    }

    /** TypeScript-only: one `projects.Service` per API. */
    get services(): Record<string, gcp.projects.Service> {
        return childrenOf.get(this)!.services;
    }
    /** TypeScript-only: one `projects.ServiceIdentity` per service agent. */
    get identities(): Partial<Record<GeneratedServiceAgentApi, gcp.projects.ServiceIdentity>> {
        return childrenOf.get(this)!.identities;
    }
    /** TypeScript-only: everything the project's other resources must wait for (the stack's GCP provider dependsOn). */
    get ready(): pulumi.Resource[] {
        return [...Object.values(this.services), ...Object.values(this.identities)];
    }
}
