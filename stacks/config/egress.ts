/**
 * `platform:network.egressExceptions`: the public destinations platform pods may still reach, each named
 * with its reason. Every namespace the platform creates denies egress by default and reaches the API
 * server only at its own addresses; what remains on the internet is listed here, and the NetworkPolicy
 * that opens it is named `allow-egress-<name>` and carries the name and reason as annotations.
 *
 * NetworkPolicy cannot name hosts: `cidrs` are the addresses (private ranges inside a CIDR are always
 * excluded, so "0.0.0.0/0" means "public addresses"), `fqdns` document the hosts they stand for. Narrow
 * `cidrs` to the provider's published ranges (e.g. Azure's AzureActiveDirectory service tag) where you can.
 */
import { z } from "zod";
import { isAligned } from "../../components/contracts/cidr";
import { placementsOf, type ServiceEntry } from "./services";

/** The platform flows that need an internet destination, by exception name. */
export const EGRESS_EXCEPTION_USES = {
    "entra-id": "Kafka clients on AKS (workload identity token exchange with Entra ID)",
    "keda-scalers": "KEDA's operator when platform:carbon.scaling is enabled (the live carbon signal and the workloads' work sources)",
    "spin-shim-download": "runtime-class-manager's shim install Jobs on clusters that run SpinKube (the containerd-shim-spin release tarball)",
    "image-registries": "the Knative Serving controller on clusters that run Knative (image tag-to-digest resolution)",
    "secret-stores": "External Secrets Operator's controller on the managed clusters (the cloud's secret store and token endpoints; platform:secrets)",
} as const;
export type EgressExceptionName = keyof typeof EGRESS_EXCEPTION_USES;

const port = z.int().min(1, { error: "must be a TCP port 1-65535" }).max(65535, { error: "must be a TCP port 1-65535" });

const exception = z.strictObject({
    /** The platform flow that needs it (EGRESS_EXCEPTION_USES). */
    name: z.enum(Object.keys(EGRESS_EXCEPTION_USES) as [EgressExceptionName, ...EgressExceptionName[]]),
    cidrs: z
        .array(
            z
                .cidrv4({ error: "must be an IPv4 CIDR such as 20.190.128.0/18" })
                .refine(isAligned, { error: "must be a network address (the host bits after the prefix must be zero)" }),
        )
        .min(1, { error: "must list at least one CIDR" }),
    /** TCP ports; unset: the ports the flow itself uses (keda-scalers: the signal URL's and the work sources'). */
    ports: z.array(port).min(1, { error: "must list at least one port, or be left unset" }).optional(),
    /** The hosts the addresses stand for (documentation; NetworkPolicy cannot match names). */
    fqdns: z.array(z.string().min(1)).default([]),
    reason: z.string().trim().min(10, { error: "must say why the platform needs this destination (at least 10 characters)" }),
});

export type EgressExceptionConfig = z.output<typeof exception>;

/** The defaults: what the platform's own flows need, each with its reason. */
export const DEFAULT_EGRESS_EXCEPTIONS: z.input<typeof exception>[] = [
    {
        name: "entra-id",
        cidrs: ["0.0.0.0/0"],
        ports: [443],
        fqdns: ["login.microsoftonline.com"],
        reason: "AKS workload identity: a Kafka client exchanges its projected service-account token for an Entra ID token at login.microsoftonline.com (Event Hubs authenticates Kafka clients with it); narrow cidrs to the AzureActiveDirectory service tag",
    },
    {
        name: "keda-scalers",
        cidrs: ["0.0.0.0/0"],
        fqdns: ["api.electricitymaps.com"],
        reason: "KEDA's operator polls the live carbon signal (platform:carbon.scaling.signal.url) and the workloads' work sources (cloud queue APIs) on the ports they use; narrow cidrs to those services' ranges",
    },
    {
        name: "spin-shim-download",
        cidrs: ["0.0.0.0/0"],
        ports: [443],
        fqdns: ["github.com", "release-assets.githubusercontent.com", "objects.githubusercontent.com"],
        reason: "SpinKube: runtime-class-manager's install Job (its downloader init container) fetches the containerd-shim-spin release tarball from github.com, which redirects to GitHub's release-asset hosts; narrow cidrs to GitHub's published ranges (api.github.com/meta)",
    },
    {
        name: "image-registries",
        cidrs: ["0.0.0.0/0"],
        ports: [443],
        fqdns: ["ghcr.io", "pkg-containers.githubusercontent.com", "registry-1.docker.io", "auth.docker.io"],
        reason: "Knative Serving's controller resolves each Revision's image tag to a digest by asking the image's registry (knative.dev/docs/serving/tag-resolution); narrow cidrs to the registries the services pull from",
    },
    {
        name: "secret-stores",
        cidrs: ["0.0.0.0/0"],
        ports: [443],
        fqdns: ["secretsmanager.*.amazonaws.com", "sts.*.amazonaws.com", "*.vault.azure.net", "login.microsoftonline.com", "secretmanager.googleapis.com", "sts.googleapis.com", "iamcredentials.googleapis.com"],
        reason: "External Secrets Operator's controller reads each service's secrets from the cloud's secret store (AWS Secrets Manager after assuming the reader role with STS; Azure Key Vault after the Entra ID token exchange; Google Secret Manager after the STS token exchange); narrow cidrs to the cloud's published ranges",
    },
];

export const egressExceptionsSchema = z
    .array(exception)
    .refine((l) => new Set(l.map((e) => e.name)).size === l.length, { error: "must not name an exception twice" })
    .default(DEFAULT_EGRESS_EXCEPTIONS as any);

/** The configured exception of that name, if any. */
export function egressException(list: EgressExceptionConfig[], name: EgressExceptionName): EgressExceptionConfig | undefined {
    return list.find((e) => e.name === name);
}

/**
 * Cross-field checks: a flow that needs an exception finds it configured; the kubernetes target's policy
 * engine agrees with the mesh's view of its CNI. One line per problem, naming the setting.
 */
export function networkProblems(cfg: {
    clouds: readonly string[];
    network: { egressExceptions: EgressExceptionConfig[] };
    kubernetes: { network: { engine: string } };
    mesh: { kubernetesCni: string };
    carbon: { scaling: { enabled: boolean } };
    kafka: { enabled: boolean; clients: unknown[] };
    azureKafkaManaged: boolean;
    services: ServiceEntry[];
    secrets?: { operator: { enabled: boolean } };
}): string[] {
    const problems: string[] = [];
    const has = (name: EgressExceptionName) => !!egressException(cfg.network.egressExceptions, name);
    const missing = (name: EgressExceptionName, why: string) =>
        problems.push(
            `platform:network.egressExceptions: no "${name}" exception, but ${why} needs it; allowed: keep the default { name: "${name}", cidrs, reason } (narrow its cidrs instead of removing it)`,
        );
    if (cfg.clouds.includes("azure") && cfg.kafka.enabled && cfg.azureKafkaManaged && cfg.kafka.clients.length > 0 && !has("entra-id")) {
        missing("entra-id", "Event Hubs' Kafka clients on AKS (workload identity token exchange)");
    }
    if (cfg.carbon.scaling.enabled && !has("keda-scalers")) missing("keda-scalers", "platform:carbon.scaling (KEDA polls the carbon signal)");
    // The cluster runtimes a service places: SpinKube downloads its shim, Knative resolves image digests.
    const platforms = new Set(cfg.services.flatMap((s) => placementsOf(s, cfg.clouds as Parameters<typeof placementsOf>[1]).map((p) => p.platform)));
    if (platforms.has("spin") && !has("spin-shim-download")) missing("spin-shim-download", "SpinKube (a wasm service: runtime-class-manager downloads the Spin shim)");
    if (platforms.has("knative") && !has("image-registries")) missing("image-registries", "Knative (a cluster-hosted service: the controller resolves image tags to digests)");
    const managedClouds = cfg.clouds.filter((c) => c !== "kubernetes");
    if (cfg.secrets?.operator.enabled && managedClouds.length && !has("secret-stores")) {
        missing("secret-stores", `External Secrets Operator on ${managedClouds.join(", ")} (platform:secrets.operator.enabled: its controller reads the cloud's secret store)`);
    }
    if (cfg.clouds.includes("kubernetes")) {
        const engine = cfg.kubernetes.network.engine;
        const cni = cfg.mesh.kubernetesCni;
        if ((engine === "cilium") !== (cni === "cilium")) {
            problems.push(
                `platform:kubernetes.network.engine: "${engine}" disagrees with platform:mesh.kubernetesCni "${cni}"; allowed: engine "cilium" together with kubernetesCni "cilium", or neither`,
            );
        }
    }
    return problems;
}
