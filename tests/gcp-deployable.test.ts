/**
 * What the first `pulumi up` on a fresh GCP project needs, checked over the planned resources:
 * every API a resource uses is enabled before the resource is created, the service agents the
 * platform key's grants name exist before the grants, the CiliumClusterwideNetworkPolicy CRD is
 * served on every GKE cluster a CCNP is planned on, and the Kubernetes provider reaches the control
 * plane through the IAM-checked DNS endpoint (no VPN needed).
 */
import * as gcp from "@pulumi/gcp";
import { beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { GcpProjectServices } from "../components/gcp/project-services";
import { planStack, type Plan, type RecordedResource } from "../tools/plan/index";
import { MOCK_GCP_PROJECT } from "../tools/plan/mocks/types";
import { runUnderMocks } from "../tools/plan/runtime";

/**
 * The API serving each provider module's resources, from the Google API each resource's REST calls go
 * to (cloudkms, compute, container, iam for service accounts, cloudresourcemanager for project IAM
 * policies, managedkafka, run). Kept here, apart from the component's table, so that a resource type
 * with no known API fails the test instead of passing unchecked.
 */
const API_OF_MODULE: Record<string, string> = {
    kms: "cloudkms.googleapis.com",
    compute: "compute.googleapis.com",
    container: "container.googleapis.com",
    serviceaccount: "iam.googleapis.com",
    projects: "cloudresourcemanager.googleapis.com",
    managedkafka: "managedkafka.googleapis.com",
    cloudrunv2: "run.googleapis.com",
    secretmanager: "secretmanager.googleapis.com",
};
/** Served by Service Usage, which cannot enable itself: a documented precondition of the project. */
const SERVICE_USAGE_TYPES = new Set(["gcp:projects/service:Service", "gcp:projects/serviceIdentity:ServiceIdentity"]);
/** APIs the GKE cluster's settings call at run time (logs, metrics, Workload Identity, Binary Authorization, Secret Manager add-on). */
const GKE_RUNTIME_APIS = [
    "logging.googleapis.com",
    "monitoring.googleapis.com",
    "iamcredentials.googleapis.com",
    "binaryauthorization.googleapis.com",
    "secretmanager.googleapis.com",
];
/** Service-agent domains (service-<projectNumber>@<domain>.iam.gserviceaccount.com) and their APIs. */
const AGENT_API: Record<string, string> = {
    "container-engine-robot": "container.googleapis.com",
    "compute-system": "compute.googleapis.com",
    "gcp-sa-managedkafka": "managedkafka.googleapis.com",
    "serverless-robot-prod": "run.googleapis.com",
};

const SERVICE = "gcp:projects/service:Service";
const IDENTITY = "gcp:projects/serviceIdentity:ServiceIdentity";

/** Every resource a resource waits for: its dependencies and its provider, transitively. */
function upstream(plan: Plan, r: RecordedResource): Set<string> {
    const byUrn = new Map(plan.resources.map((x) => [x.urn, x]));
    const seen = new Set<string>();
    const stack = [...r.dependencies, ...(r.provider ? [r.provider] : [])];
    while (stack.length) {
        const urn = stack.pop()!;
        if (seen.has(urn)) continue;
        seen.add(urn);
        const next = byUrn.get(urn);
        if (next) stack.push(...next.dependencies, ...(next.provider ? [next.provider] : []));
    }
    return seen;
}

function servicesByApi(plan: Plan, type: string): Map<string, RecordedResource> {
    return new Map(plan.resources.filter((r) => r.type === type).map((r) => [String(r.inputs.service), r]));
}

function moduleOf(type: string): string {
    // "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember" → "kms"
    return type.split(":")[1]!.split("/")[0]!;
}

const stacks: Record<string, Plan> = {};
beforeAll(async () => {
    stacks["gcp"] = await planStack("gcp");
    stacks["dev"] = await planStack("dev");
}, 120_000);

describe.each(["gcp", "dev"])("GCP preconditions over the %s plan", (name) => {
    const plan = () => stacks[name]!;
    const gcpResources = () => plan().resources.filter((r) => r.custom && r.type.startsWith("gcp:"));

    it("enables the API of every GCP resource before creating it", () => {
        const services = servicesByApi(plan(), SERVICE);
        const checked = gcpResources().filter((r) => !SERVICE_USAGE_TYPES.has(r.type));
        expect(checked.length).toBeGreaterThan(10);
        for (const r of checked) {
            const api = API_OF_MODULE[moduleOf(r.type)];
            expect(api, `${r.type} (${r.name}) has no known API; add its module to API_OF_MODULE and to GCP_API_OF_MODULE`).toBeDefined();
            const service = services.get(api!);
            expect(service, `${api} is not enabled (needed by ${r.type} ${r.name})`).toBeDefined();
            expect(upstream(plan(), r).has(service!.urn), `${r.type} ${r.name} does not wait for ${api}`).toBe(true);
        }
    });

    it("enables the APIs the GKE cluster's settings call before creating the cluster", () => {
        const services = servicesByApi(plan(), SERVICE);
        const clusters = plan().resources.filter((r) => r.type === "gcp:container/cluster:Cluster");
        expect(clusters).toHaveLength(1);
        const waitsFor = upstream(plan(), clusters[0]!);
        for (const api of GKE_RUNTIME_APIS) {
            expect(services.get(api), `${api} is not enabled`).toBeDefined();
            expect(waitsFor.has(services.get(api)!.urn), `the cluster does not wait for ${api}`).toBe(true);
        }
    });

    it("never disables an API on destroy (other workloads may use it) nor its dependants", () => {
        const services = plan().resources.filter((r) => r.type === SERVICE);
        expect(services.length).toBeGreaterThan(5);
        for (const s of services) expect(s.inputs, String(s.inputs.service)).toMatchObject({ disableOnDestroy: false, disableDependentServices: false });
    });

    it("enables Cloud Resource Manager before every other API (each Service's create and read calls it)", () => {
        const services = plan().resources.filter((r) => r.type === SERVICE);
        const resourceManager = services.find((s) => s.inputs.service === "cloudresourcemanager.googleapis.com");
        expect(resourceManager).toBeDefined();
        expect(upstream(plan(), resourceManager!).has(resourceManager!.urn)).toBe(false);
        for (const s of services) {
            if (s === resourceManager) continue;
            expect(s.dependencies, `${s.inputs.service} does not wait for cloudresourcemanager`).toContain(resourceManager!.urn);
        }
        // Nothing Service Usage serves waits for a Service it would itself enable first.
        for (const s of services) expect(upstream(plan(), resourceManager!).has(s.urn)).toBe(false);
    });

    it("creates each service agent a KMS grant names (after its API) before the grant", () => {
        const services = servicesByApi(plan(), SERVICE);
        const identities = servicesByApi(plan(), IDENTITY);
        const grants = plan().resources.filter((r) => r.type === "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember");
        const agentGrants = grants.filter((g) => /^serviceAccount:service-\d+@/.test(String(g.inputs.member)));
        // GKE secrets encryption, node boot disks, Managed Kafka CMEK.
        expect(agentGrants.length).toBeGreaterThanOrEqual(3);
        for (const g of agentGrants) {
            const domain = /^serviceAccount:service-\d+@([-a-z]+)\.iam\.gserviceaccount\.com$/.exec(String(g.inputs.member))?.[1];
            const api = AGENT_API[domain ?? ""];
            expect(api, `unknown service agent in ${g.name}: ${g.inputs.member}`).toBeDefined();
            if (api === "compute.googleapis.com") {
                // generateServiceIdentity refuses compute (project-factory PR #628): no ServiceIdentity;
                // the agent exists once the Compute API is on, so the grant waits for that Service.
                expect(identities.has(api)).toBe(false);
                expect(upstream(plan(), g).has(services.get(api)!.urn), `${g.name} does not wait for the compute API`).toBe(true);
                continue;
            }
            const identity = identities.get(api!);
            expect(identity, `no ServiceIdentity for ${api} (named by ${g.name})`).toBeDefined();
            expect(upstream(plan(), g).has(identity!.urn), `${g.name} does not wait for the ${api} service agent`).toBe(true);
            expect(identity!.dependencies, `the ${api} service agent is requested before the API is enabled`).toContain(services.get(api!)!.urn);
        }
    });

    it("serves the CiliumClusterwideNetworkPolicy CRD on every GKE cluster a CCNP is planned on", () => {
        const byUrn = new Map(plan().resources.map((r) => [r.urn, r]));
        const gkeClusters = new Map(
            plan()
                .resources.filter((r) => r.type === "gcp:container/cluster:Cluster")
                .map((c) => [c.parent, c]),
        );
        const ccnps = plan().resources.filter((r) => r.type === "kubernetes:cilium.io/v2:CiliumClusterwideNetworkPolicy");
        let onGke = 0;
        for (const p of ccnps) {
            // The CCNP's Kubernetes provider is a child of the GkeCluster component that also holds the GKE cluster.
            const clusterComponent = byUrn.get(p.provider)?.parent;
            const gke = gkeClusters.get(clusterComponent ?? "");
            if (!gke) continue;
            onGke++;
            expect(gke.inputs.enableCiliumClusterwideNetworkPolicy, `${p.name} is planned on ${gke.name}, which does not enable the CCNP CRD`).toBe(true);
            expect(gke.inputs.datapathProvider).toBe("ADVANCED_DATAPATH");
        }
        expect(onGke, "no CCNP is planned on the GKE cluster (the mesh's probe allowance is expected there)").toBeGreaterThan(0);
    });

    it("reaches the control plane through the IAM-checked DNS endpoint, keeping the IP endpoints private", () => {
        const cluster = plan().resources.find((r) => r.type === "gcp:container/cluster:Cluster")!;
        expect(cluster.inputs.controlPlaneEndpointsConfig).toEqual({
            dnsEndpointConfig: { allowExternalTraffic: true, enableK8sTokensViaDns: false, enableK8sCertsViaDns: false },
            ipEndpointsConfig: { enabled: true },
        });
        expect(cluster.inputs.privateClusterConfig).toMatchObject({ enablePrivateNodes: true, enablePrivateEndpoint: true });
        expect(cluster.inputs.masterAuthorizedNetworksConfig).toMatchObject({ gcpPublicCidrsAccessEnabled: false, privateEndpointEnforcementEnabled: true });

        // The kubeconfig the GKE cluster's Kubernetes provider is configured with.
        const provider = plan().resources.find((r) => r.type === "pulumi:providers:kubernetes" && r.parent === cluster.parent)!;
        expect(provider).toBeDefined();
        const kubeconfig = parse(String(provider.rawInputs.kubeconfig));
        const region = String(cluster.inputs.location);
        expect(kubeconfig.clusters).toHaveLength(1);
        const server = kubeconfig.clusters[0].cluster.server as string;
        expect(server).toMatch(new RegExp(`^https://gke-[0-9a-f]+-\\d+\\.${region}\\.gke\\.goog$`));
        expect(server).not.toMatch(/^https:\/\/\d+\.\d+\.\d+\.\d+/);
        expect(kubeconfig.users[0].user.exec.command).toBe("gke-gcloud-auth-plugin");
    });
});

describe("GCP APIs follow what the stack uses", () => {
    it("enables Managed Kafka, Cloud DNS and Cloud Run only when Kafka is on Managed Kafka and a service is on Cloud Run", async () => {
        const apisOf = (plan: Plan) => [...servicesByApi(plan, SERVICE).keys()];
        const full = apisOf(stacks["gcp"]!);
        for (const api of ["managedkafka.googleapis.com", "dns.googleapis.com", "run.googleapis.com"]) expect(full).toContain(api);

        const bare = await planStack("gcp", { "platform:kafka": { enabled: false }, "platform:services": [] });
        const apis = apisOf(bare);
        for (const api of ["managedkafka.googleapis.com", "dns.googleapis.com", "run.googleapis.com"]) expect(apis).not.toContain(api);
        expect([...servicesByApi(bare, IDENTITY).keys()].sort()).toEqual(["container.googleapis.com"]);
        expect([...servicesByApi(stacks["gcp"]!, IDENTITY).keys()].sort()).toEqual(["container.googleapis.com", "managedkafka.googleapis.com"]);
        // Every resource type of the smaller plan still has its API.
        const types = new Set(bare.resources.filter((r) => r.custom && r.type.startsWith("gcp:") && !SERVICE_USAGE_TYPES.has(r.type)).map((r) => r.type));
        for (const t of types) expect(apis, t).toContain(API_OF_MODULE[moduleOf(t)]);
    }, 60_000);
});

describe("GcpProjectServices used directly", () => {
    async function build(args: ConstructorParameters<typeof GcpProjectServices>[1]) {
        const sink: RecordedResource[] = [];
        const run = runUnderMocks(
            () => {
                const provider = new gcp.Provider("gcp-apis", { project: MOCK_GCP_PROJECT, region: "europe-west1" });
                return new GcpProjectServices("apis", args, { provider }).ready.length;
            },
            { project: "platform", stack: "test", sink },
        );
        // A failed run still lets the registrations it started finish before the next test.
        const settled = run.catch(async (error: unknown) => {
            await new Promise((r) => setTimeout(r, 500));
            throw error;
        });
        return { run: settled, sink };
    }

    it("refuses a service agent whose API is not enabled, registering no Service", async () => {
        const { run, sink } = await build({ apis: ["compute.googleapis.com"], serviceAgents: ["container.googleapis.com"] });
        await expect(run).rejects.toThrow(/^GcpProjectServices apis: args\.serviceAgents: "container.googleapis.com", which is not among args\.apis; allowed: compute.googleapis.com$/);
        expect(sink.some((r) => r.type === SERVICE || r.type === IDENTITY)).toBe(false);
    });

    it("refuses the Compute Engine agent, which Service Usage does not generate", async () => {
        const { run, sink } = await build({ apis: ["compute.googleapis.com"], serviceAgents: ["compute.googleapis.com"] });
        await expect(run).rejects.toThrow(/^GcpProjectServices apis: args\.serviceAgents: "compute.googleapis.com", whose agent Service Usage does not generate/);
        expect(sink.some((r) => r.type === SERVICE || r.type === IDENTITY)).toBe(false);
    });

    it("refuses a malformed API name", async () => {
        const { run, sink } = await build({ apis: ["container"], serviceAgents: [] });
        await expect(run).rejects.toThrow(/^GcpProjectServices apis: args\.apis: "container"; allowed: API names like "container.googleapis.com"$/);
        expect(sink.some((r) => r.type === SERVICE)).toBe(false);
    });

    it("refuses a service agent it does not know, naming the ones it can create", async () => {
        const { run, sink } = await build({ apis: ["run.googleapis.com"], serviceAgents: ["run.googleapis.com"] });
        await expect(run).rejects.toThrow(/^GcpProjectServices apis: args\.serviceAgents: "run.googleapis.com"; allowed: container.googleapis.com, managedkafka.googleapis.com$/);
        expect(sink.some((r) => r.type === SERVICE || r.type === IDENTITY)).toBe(false);
    });
});
