import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { GkeCluster, type GkeClusterArgs } from "../components/cluster";
import { GKE_NODE_ROLES } from "../components/cluster/gcp";
import { GcpKmsKey, type GcpKmsKeyArgs } from "../components/keys";
import { GcpNetwork } from "../components/network";
import { planStack, type Plan, type RecordedResource } from "../tools/plan/index";
import { MOCK_GCP_PROJECT_NUMBER } from "../tools/plan/mocks/gcp";
import { MOCK_CA_DATA, MOCK_GCP_PROJECT } from "../tools/plan/mocks/types";
import { runUnderMocks } from "../tools/plan/runtime";

const T = {
    keyRing: "gcp:kms/keyRing:KeyRing",
    cryptoKey: "gcp:kms/cryptoKey:CryptoKey",
    keyMember: "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember",
    network: "gcp:compute/network:Network",
    subnet: "gcp:compute/subnetwork:Subnetwork",
    router: "gcp:compute/router:Router",
    nat: "gcp:compute/routerNat:RouterNat",
    account: "gcp:serviceaccount/account:Account",
    projectMember: "gcp:projects/iAMMember:IAMMember",
    cluster: "gcp:container/cluster:Cluster",
    nodePool: "gcp:container/nodePool:NodePool",
};

function only(resources: RecordedResource[], type: string): RecordedResource {
    const found = resources.filter((r) => r.type === type);
    expect(found, `exactly one ${type}`).toHaveLength(1);
    return found[0]!;
}

describe("GCP foundation (dev stack, gcp only)", () => {
    let plan: Plan;
    let region: string;
    beforeAll(async () => {
        // The foundation alone: the dev stack's services and Kafka add a wasm pool, service accounts and key grants (tested elsewhere).
        plan = await planStack("dev", { "platform:clouds": ["gcp"], "platform:services": [], "platform:kafka": { enabled: false } });
        region = (plan.outputs["gcp"] as any).region;
    });
    const res = () => plan.resources;
    const inputs = (type: string) => only(res(), type).inputs as Record<string, any>;

    it("creates only GCP resources (and the cluster's Kubernetes provider)", () => {
        // "gcp:kms/keyRing:KeyRing" → gcp; "pulumi:providers:kubernetes" → kubernetes.
        const packageOf = (type: string) => (type.startsWith("pulumi:providers:") ? type.split(":")[2] : type.split(":")[0]);
        const clouds = new Set(res().filter((r) => r.custom).map((r) => packageOf(r.type)));
        expect([...clouds].sort()).toEqual(["gcp", "kubernetes"]);
        expect(res().some((r) => r.type.startsWith("aws:") || r.type.startsWith("azure-native:"))).toBe(false);
    });

    it("gives every GCP resource the stack's explicit gcp provider (API enablement its own, which the platform's waits for)", () => {
        const bootstrap = new Set(["gcp:projects/service:Service", "gcp:projects/serviceIdentity:ServiceIdentity"]);
        const gcpResources = res().filter((r) => r.custom && r.type.startsWith("gcp:"));
        expect(gcpResources.length).toBeGreaterThanOrEqual(Object.keys(T).length);
        for (const r of gcpResources) expect(r.provider, r.name).toMatch(bootstrap.has(r.type) ? /pulumi:providers:gcp::gcp-apis$/ : /pulumi:providers:gcp::gcp$/);
        const k8sProvider = only(res(), "pulumi:providers:kubernetes");
        expect(k8sProvider.parent).toMatch(/platform:index:GkeCluster::plt-dev-gcp$/);
    });

    it("keeps the key ring and key in the region, protected, rotating every 90 days", () => {
        const ring = only(res(), T.keyRing);
        const key = only(res(), T.cryptoKey);
        expect(ring.protect).toBe(true);
        expect(key.protect).toBe(true);
        expect(ring.inputs).toMatchObject({ location: region, project: MOCK_GCP_PROJECT });
        expect(key.inputs).toMatchObject({
            rotationPeriod: "7776000s",
            purpose: "ENCRYPT_DECRYPT",
            destroyScheduledDuration: "2592000s",
            versionTemplate: { algorithm: "GOOGLE_SYMMETRIC_ENCRYPTION" },
        });
        expect(key.inputs.keyRing).toMatch(new RegExp(`^projects/${MOCK_GCP_PROJECT}/locations/${region}/keyRings/`));
    });

    it("grants the GKE (and Compute Engine) service agents the key through member bindings only", () => {
        const members = res().filter((r) => r.type === T.keyMember).map((r) => r.inputs as any);
        const keyId = (plan.resources.find((r) => r.type === T.cluster)!.inputs as any).databaseEncryption.keyName;
        expect(members.map((m) => m.member).sort()).toEqual([
            `serviceAccount:service-${MOCK_GCP_PROJECT_NUMBER}@compute-system.iam.gserviceaccount.com`,
            `serviceAccount:service-${MOCK_GCP_PROJECT_NUMBER}@container-engine-robot.iam.gserviceaccount.com`,
        ]);
        for (const m of members) {
            expect(m.role).toBe("roles/cloudkms.cryptoKeyEncrypterDecrypter");
            expect(m.cryptoKeyId).toBe(keyId);
        }
        expect(res().some((r) => /IAMPolicy|IAMBinding/.test(r.type))).toBe(false);
    });

    it("builds a custom-mode VPC with a flow-logged subnetwork and secondary ranges for pods and services", () => {
        expect(inputs(T.network)).toMatchObject({ autoCreateSubnetworks: false, routingMode: "REGIONAL", deleteDefaultRoutesOnCreate: false });
        expect(inputs(T.subnet)).toMatchObject({
            region,
            ipCidrRange: "10.30.0.0/20",
            privateIpGoogleAccess: true,
            secondaryIpRanges: [
                { rangeName: "pods", ipCidrRange: "10.32.0.0/14" },
                { rangeName: "services", ipCidrRange: "10.36.0.0/20" },
            ],
            logConfig: { aggregationInterval: "INTERVAL_5_SEC", flowSampling: 0.5, metadata: "INCLUDE_ALL_METADATA" },
        });
        expect(inputs(T.subnet).network).toBe((plan.outputs["gcp"] as any).networkId);
    });

    it("gives the subnetwork outbound-only internet through Cloud NAT, logging errors", () => {
        const subnetId = (inputs(T.cluster) as any).subnetwork;
        expect(inputs(T.router)).toMatchObject({ region, network: (plan.outputs["gcp"] as any).networkId });
        expect(inputs(T.nat)).toMatchObject({
            region,
            natIpAllocateOption: "AUTO_ONLY",
            sourceSubnetworkIpRangesToNat: "LIST_OF_SUBNETWORKS",
            subnetworks: [{ name: subnetId, sourceIpRangesToNats: ["ALL_IP_RANGES"] }],
            logConfig: { enable: true, filter: "ERRORS_ONLY" },
        });
        // No firewall rule is added: the implied deny-all ingress stays in force.
        expect(res().some((r) => r.type === "gcp:compute/firewall:Firewall")).toBe(false);
    });

    it("makes the GKE cluster regional, private and authorized only for the configured networks", () => {
        const c = inputs(T.cluster);
        expect(c).toMatchObject({
            location: region,
            removeDefaultNodePool: true,
            initialNodeCount: 1,
            deletionProtection: true,
            networkingMode: "VPC_NATIVE",
            ipAllocationPolicy: { clusterSecondaryRangeName: "pods", servicesSecondaryRangeName: "services" },
            privateClusterConfig: { enablePrivateNodes: true, enablePrivateEndpoint: true, privateEndpointSubnetwork: c.subnetwork },
        });
        expect(c.privateClusterConfig.masterIpv4CidrBlock).toBeUndefined();
        expect(c.masterAuthorizedNetworksConfig).toMatchObject({ gcpPublicCidrsAccessEnabled: false, privateEndpointEnforcementEnabled: true });
        expect(c.masterAuthorizedNetworksConfig.cidrBlocks.map((b: any) => b.cidrBlock)).toEqual(["10.99.0.0/24", "10.30.0.0/20", "10.32.0.0/14"]);
        expect(c.network).toBe((plan.outputs["gcp"] as any).networkId);
        expect(c.subnetwork).toMatch(new RegExp(`^projects/${MOCK_GCP_PROJECT}/regions/${region}/subnetworks/`));
    });

    it("hardens the cluster: identity, encryption, Dataplane V2, shielded nodes, audit logs", () => {
        const c = inputs(T.cluster);
        expect(c).toMatchObject({
            workloadIdentityConfig: { workloadPool: `${MOCK_GCP_PROJECT}.svc.id.goog` },
            datapathProvider: "ADVANCED_DATAPATH",
            databaseEncryption: { state: "ENCRYPTED" },
            enableShieldedNodes: true,
            enableLegacyAbac: false,
            masterAuth: { clientCertificateConfig: { issueClientCertificate: false } },
            binaryAuthorization: { evaluationMode: "PROJECT_SINGLETON_POLICY_ENFORCE" },
            securityPostureConfig: { mode: "BASIC" },
            secretManagerConfig: { enabled: true },
            monitoringConfig: { managedPrometheus: { enabled: true } },
            releaseChannel: { channel: "REGULAR" },
            minMasterVersion: "1.34",
            addonsConfig: { networkPolicyConfig: { disabled: true }, httpLoadBalancing: { disabled: false } },
        });
        expect(c.databaseEncryption.keyName).toMatch(/\/cryptoKeys\//);
        expect(c.loggingConfig.enableComponents.sort()).toEqual(["APISERVER", "CONTROLLER_MANAGER", "SCHEDULER", "SYSTEM_COMPONENTS", "WORKLOADS"]);
        // The short-lived default pool is hardened too and runs as the node account.
        expect(c.nodeConfig).toMatchObject({ workloadMetadataConfig: { mode: "GKE_METADATA" }, serviceAccount: inputs(T.nodePool).nodeConfig.serviceAccount });
        // The cluster waits for the key component, i.e. for the service agents' grants on the key.
        const cluster = only(res(), T.cluster);
        const grants = res().filter((r) => r.type === T.keyMember);
        expect(grants).toHaveLength(2);
        for (const g of grants) expect(cluster.dependencies).toContain(g.urn);
    });

    it("runs nodes as a dedicated account holding only the five least-privilege roles", () => {
        const account = inputs(T.account);
        const email = `${account.accountId}@${MOCK_GCP_PROJECT}.iam.gserviceaccount.com`;
        expect(account.accountId).toMatch(/^[a-z][-a-z0-9]{4,28}[a-z0-9]$/);
        const grants = res().filter((r) => r.type === T.projectMember).map((r) => r.inputs as any);
        expect(grants.map((g) => g.role).sort()).toEqual([...GKE_NODE_ROLES].sort());
        for (const g of grants) expect(g).toMatchObject({ project: MOCK_GCP_PROJECT, member: `serviceAccount:${email}` });
        expect(inputs(T.nodePool).nodeConfig.serviceAccount).toBe(email);
        expect(inputs(T.nodePool).nodeConfig.serviceAccount).not.toMatch(/-compute@developer\.gserviceaccount\.com$/);
    });

    it("sizes one autoscaling, balanced, auto-repaired node pool from the stack's node settings", () => {
        const pool = inputs(T.nodePool);
        expect(pool).toMatchObject({
            location: region,
            cluster: (plan.outputs["gcp"] as any).clusterName,
            autoscaling: { totalMinNodeCount: 2, totalMaxNodeCount: 4, locationPolicy: "BALANCED" },
            management: { autoRepair: true, autoUpgrade: true },
            nodeConfig: {
                machineType: "e2-standard-2",
                imageType: "COS_CONTAINERD",
                diskType: "pd-balanced",
                oauthScopes: ["https://www.googleapis.com/auth/cloud-platform"],
                workloadMetadataConfig: { mode: "GKE_METADATA" },
                shieldedInstanceConfig: { enableSecureBoot: true, enableIntegrityMonitoring: true },
                resourceLabels: { "managed-by": "pulumi", stack: "dev", team: "platform" },
            },
        });
        expect(pool.nodeConfig.bootDiskKmsKey).toBe(inputs(T.cluster).databaseEncryption.keyName);
        expect(pool.autoscaling.minNodeCount).toBeUndefined();
    });

    it("outputs the private endpoint, the OIDC issuer and a secret kubeconfig for the DNS endpoint using gke-gcloud-auth-plugin", () => {
        const out = plan.outputs["gcp"] as any;
        expect(out.endpoint).toBe("10.30.0.2");
        expect(out.oidcIssuerUrl).toBe(
            `https://container.googleapis.com/v1/projects/${MOCK_GCP_PROJECT}/locations/${region}/clusters/${out.clusterName}`,
        );
        expect((plan.maskedOutputs["gcp"] as any).kubeconfig).toBe("[secret]");
        const kc = parse(out.kubeconfig);
        // The DNS endpoint (reachable from outside the VPC with IAM) and no pinned CA: its certificate is
        // publicly trusted, the cluster CA signs only the IP endpoints'.
        expect(kc.clusters[0].cluster).toEqual({ server: `https://gke-0f1e2d3c4b5a69788796a5b4c3d2e1f0-${MOCK_GCP_PROJECT_NUMBER}.${region}.gke.goog` });
        expect(kc.clusters[0].cluster["certificate-authority-data"]).toBeUndefined();
        expect(JSON.stringify(kc)).not.toContain(MOCK_CA_DATA);
        expect(kc.users[0].user.exec).toMatchObject({ command: "gke-gcloud-auth-plugin", apiVersion: "client.authentication.k8s.io/v1beta1" });
        expect(kc["current-context"]).toBe(out.clusterName);
        const k8sProvider = only(res(), "pulumi:providers:kubernetes");
        expect(String(k8sProvider.rawInputs.enableServerSideApply)).toBe("true");
        expect(k8sProvider.inputs.kubeconfig).toBe("[secret]");
    });

    it("leaves the key ring and key unprotected only when platform:protect is false", async () => {
        const throwaway = await planStack("dev", { "platform:clouds": ["gcp"], "platform:protect": false });
        expect(only(throwaway.resources, T.keyRing).protect).toBe(false);
        expect(only(throwaway.resources, T.cryptoKey).protect).toBe(false);
    });

    it("protects the GKE cluster (deletionProtection and Pulumi protect) unless platform:protect is false", async () => {
        const kept = only(res(), "gcp:container/cluster:Cluster");
        expect(kept.inputs.deletionProtection).toBe(true);
        expect(kept.protect).toBe(true);
        const throwaway = await planStack("dev", { "platform:clouds": ["gcp"], "platform:protect": false });
        const gone = only(throwaway.resources, "gcp:container/cluster:Cluster");
        expect(gone.inputs.deletionProtection).toBe(false);
        expect(gone.protect).toBe(false);
    });
});

/**
 * Runs the GCP components directly, with an explicit provider, as a stack would. A run that fails
 * still lets the registrations it started finish before returning, so none of them reaches the next
 * test's mock monitor.
 */
async function runComponents(build: (provider: gcp.Provider) => unknown) {
    const sink: RecordedResource[] = [];
    const run = runUnderMocks(
        () => {
            const provider = new gcp.Provider("gcp", { project: MOCK_GCP_PROJECT, region: "europe-west1" });
            return build(provider);
        },
        { project: "platform", stack: "test", sink },
    );
    const settled = run.then(
        (r) => r,
        async (error: unknown) => {
            await new Promise((r) => setTimeout(r, 500));
            throw error;
        },
    );
    return { run: settled, sink };
}

const keyArgs: GcpKmsKeyArgs = { project: MOCK_GCP_PROJECT, region: "europe-west1" };

function foundation(provider: gcp.Provider, clusterArgs: Partial<GkeClusterArgs>) {
    const providers = { gcp: provider };
    const key = new GcpKmsKey("t", keyArgs, { providers });
    const network = new GcpNetwork(
        "t",
        { project: MOCK_GCP_PROJECT, region: "europe-west1", cidr: "10.30.0.0/20", podsCidr: "10.32.0.0/14", servicesCidr: "10.36.0.0/20" },
        { providers },
    );
    const cluster = new GkeCluster(
        "t",
        {
            project: MOCK_GCP_PROJECT,
            region: "europe-west1",
            releaseChannel: "STABLE",
            nodes: { instanceType: "e2-standard-4", minNodes: 3, maxNodes: 9 },
            networkId: network.networkId,
            subnetworkId: network.nodeSubnetIds[0]!,
            podsRangeName: network.podsRangeName,
            servicesRangeName: network.servicesRangeName,
            nodeSubnetCidrs: ["10.30.0.0/20"],
            podsCidr: "10.32.0.0/14",
            secretsKeyId: key.keyId,
            ...clusterArgs,
        },
        { providers, dependsOn: [key] },
    );
    return { key, network, cluster };
}

describe("GCP components used directly", () => {
    it("rotates the key on the requested schedule", async () => {
        const { run } = await runComponents((provider) => new GcpKmsKey("k", { ...keyArgs, rotationDays: 30 }, { providers: { gcp: provider } }).keyId);
        const { resources } = await run;
        expect(only(resources, T.cryptoKey).inputs.rotationPeriod).toBe("2592000s");
    });

    it("rejects a rotation period above 90 days before registering any key resource", async () => {
        const { run, sink } = await runComponents((provider) => new GcpKmsKey("k", { ...keyArgs, rotationDays: 120 }, { providers: { gcp: provider } }));
        await expect(run).rejects.toThrow(/^GcpKmsKey k: args\.rotationDays: 120; allowed: a whole number of days from 1 to 90$/);
        expect(sink.some((r) => r.type.startsWith("gcp:kms"))).toBe(false);
    });

    it("exposes the node account, workload pool, project and cluster id as extras; honours the release channel", async () => {
        const { run } = await runComponents((provider) => {
            const { cluster } = foundation(provider, {});
            return pulumi.output(cluster.extras);
        });
        const { resources, outputs } = await run;
        const extras = outputs as Record<string, string>;
        expect(extras).toEqual({
            nodeServiceAccountEmail: `t-nodes@${MOCK_GCP_PROJECT}.iam.gserviceaccount.com`,
            workloadPool: `${MOCK_GCP_PROJECT}.svc.id.goog`,
            projectId: MOCK_GCP_PROJECT,
            clusterId: expect.stringMatching(new RegExp(`^projects/${MOCK_GCP_PROJECT}/locations/europe-west1/clusters/`)),
            dnsEndpoint: expect.stringMatching(/^gke-[0-9a-f]+-\d+\.europe-west1\.gke\.goog$/),
        });
        expect(only(resources, T.cluster).inputs.releaseChannel).toEqual({ channel: "STABLE" });
        expect(only(resources, T.cluster).inputs.masterAuthorizedNetworksConfig).toMatchObject({
            cidrBlocks: [{ cidrBlock: "10.30.0.0/20" }, { cidrBlock: "10.32.0.0/14" }],
        });
        expect(only(resources, T.nodePool).inputs.autoscaling).toMatchObject({ totalMinNodeCount: 3, totalMaxNodeCount: 9 });
    });

    it("refuses to open the private endpoint to 0.0.0.0/0, registering no cluster resource", async () => {
        const { run, sink } = await runComponents((provider) => foundation(provider, { authorizedCidrs: ["10.99.0.0/24", "0.0.0.0/0"] }));
        await expect(run).rejects.toThrow(/^GkeCluster t: args\.authorizedCidrs\[1\]: "0\.0\.0\.0\/0"; allowed: .*never a \/0/);
        expect(sink.some((r) => r.type.startsWith("gcp:container") || r.type === T.account)).toBe(false);
    });

    it("refuses a cluster without its network's pod range", async () => {
        const { run, sink } = await runComponents((provider) => foundation(provider, { podsRangeName: undefined as never }));
        await expect(run).rejects.toThrow(/^GkeCluster t: args\.podsRangeName: undefined; allowed: the GcpNetwork's matching output/);
        expect(sink.some((r) => r.type.startsWith("gcp:container"))).toBe(false);
    });

    it("refuses a release channel GKE does not have, naming the allowed ones", async () => {
        const { run, sink } = await runComponents((provider) => foundation(provider, { releaseChannel: "EXTENDED" }));
        await expect(run).rejects.toThrow(/^GkeCluster t: args\.releaseChannel: "EXTENDED"; allowed: "RAPID", "REGULAR", "STABLE"$/);
        expect(sink.some((r) => r.type.startsWith("gcp:container") || r.type === T.account)).toBe(false);
    });

    it("makes the control plane wait for what the component waits for (the key's service-agent grants)", async () => {
        const { run } = await runComponents((provider) => foundation(provider, {}).cluster.clusterName);
        const { resources } = await run;
        const grants = resources.filter((r) => r.type === "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember");
        expect(grants.map((g) => g.name).sort()).toEqual(["t-key-compute-agent", "t-key-gke-agent"]);
        const gke = only(resources, T.cluster);
        for (const g of grants) expect(gke.dependencies, g.name).toContain(g.urn);
    });
});
