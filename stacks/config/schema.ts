/**
 * The stack configuration contract (`platform:*` keys). Every key is validated here, with zod,
 * before the program registers a single resource. Pulumi.yaml documents and defaults the same keys;
 * tests/config.test.ts keeps the two in step.
 */
import { z } from "zod";
import { iamPrincipalKey } from "../../components/aws/context";
import { CLOUDS, GEOGRAPHIES } from "../../components/regions";
import { CLUSTER_AUTOSCALER_RELEASES } from "../../components/cluster/eks-autoscaler";
import { AKS_LOGIN_MODES } from "../../components/cluster/kubeconfig";
import { isAligned } from "../../components/contracts/cidr";
import { carbonConfigSchema } from "./carbon";
import { servicesSchema } from "./services";
import { kafkaConfigSchema } from "./kafka";
import { meshConfigSchema } from "./mesh";
import { admissionConfigSchema } from "./admission";
import { secretsConfigSchema } from "./secrets";
import { egressExceptionsSchema } from "./egress";
import { NETWORK_POLICY_ENGINES } from "../../components/cluster/network-facts";

export const TARGETS = [...CLOUDS, "kubernetes"] as const;
export type Target = (typeof TARGETS)[number];

/** Kubernetes minors the platform supports (the EKS cluster-autoscaler table is the narrowest list). */
export const SUPPORTED_KUBERNETES_VERSIONS: readonly string[] = Object.keys(CLUSTER_AUTOSCALER_RELEASES).sort();

export const NODE_SIZES = ["small", "medium", "large"] as const;
export type NodeSize = (typeof NODE_SIZES)[number];

export const RELEASE_CHANNELS = ["RAPID", "REGULAR", "STABLE"] as const;

const cidr = z
    .cidrv4({ error: "must be an IPv4 CIDR such as 10.0.0.0/16" })
    .refine(isAligned, { error: "must be a network address (the host bits after the prefix must be zero)" });

const regionSetting = z.string().min(1, { error: "must be a region name or auto" });

const regions = z
    .strictObject({
        aws: regionSetting.default("auto"),
        azure: regionSetting.default("auto"),
        gcp: regionSetting.default("auto"),
    })
    .prefault({});

const network = z
    .strictObject({
        aws: z.strictObject({ cidr: cidr.default("10.10.0.0/16") }).prefault({}),
        azure: z
            .strictObject({
                cidr: cidr.default("10.20.0.0/16"),
                /** Pod overlay range of Azure CNI (overlay mode); never routed on the VNet. */
                podCidr: cidr.default("100.64.0.0/16"),
                serviceCidr: cidr.default("100.65.0.0/16"),
            })
            .prefault({}),
        gcp: z
            .strictObject({
                cidr: cidr.default("10.30.0.0/20"),
                podsCidr: cidr.default("10.32.0.0/14"),
                servicesCidr: cidr.default("10.36.0.0/20"),
            })
            .prefault({}),
        /** Internet destinations platform pods may reach, each named with its reason (stacks/config/egress.ts). */
        egressExceptions: egressExceptionsSchema,
    })
    .prefault({});

const nodeTypes = z
    .strictObject({
        aws: z.string().min(1).optional(),
        azure: z.string().min(1).optional(),
        gcp: z.string().min(1).optional(),
    })
    .prefault({});

const cluster = z
    .strictObject({
        kubernetesVersion: z
            .string()
            .regex(/^1\.(2[89]|3[0-9])$/, { error: "must be a minor version between 1.28 and 1.39, such as 1.34" })
            // Versions every managed target supports here; EKS pins a matching cluster-autoscaler per minor.
            .refine((v) => SUPPORTED_KUBERNETES_VERSIONS.includes(v), {
                error: `is not a supported version; allowed: ${SUPPORTED_KUBERNETES_VERSIONS.join(", ")}`,
            })
            .default("1.34"),
        nodeSize: z.enum(NODE_SIZES).default("small"),
        nodeTypes,
        minNodes: z.int().min(1, { error: "must be at least 1" }).max(1000).default(3),
        maxNodes: z.int().min(1, { error: "must be at least 1" }).max(1000).default(6),
        /** Networks (VPN, bastion, CI runners) allowed to reach the private API endpoints. */
        authorizedCidrs: z.array(cidr).default([]),
        releaseChannel: z.enum(RELEASE_CHANNELS).default("REGULAR"),
        /**
         * How kubelogin signs in to AKS for kubectl and the Kubernetes provider, never interactively:
         * azurecli (a workstation after `az login`), workloadidentity (CI with OIDC federation, e.g.
         * GitHub Actions with `id-token: write`), msi (a VM's managed identity). components/cluster/kubeconfig.ts.
         */
        azureLogin: z.enum(AKS_LOGIN_MODES).default("azurecli"),
        /**
         * Cluster administrators. aws: IAM role or user ARNs given cluster-admin through EKS access
         * entries (when empty, the identity running `pulumi up` is granted so a first deploy can
         * install into the cluster). azure: Entra group object ids with AKS RBAC admin.
         */
        admins: z
            .strictObject({
                aws: z
                    // IAM names are 1-64 of [A-Za-z0-9+=,.@_-] under an optional path (IAM User Guide,
                    // "IAM object quotas" and "IAM identifiers"); wildcards are not principals.
                    .array(
                        z.string().regex(/^arn:aws(-cn|-us-gov|-iso|-iso-b)?:iam::\d{12}:(role|user)(\/[\w+=,.@-]+)*\/[\w+=,.@-]{1,64}$/, {
                            error: "must be an IAM role or user ARN without wildcards, such as arn:aws:iam::123456789012:role/platform-admins",
                        }),
                    )
                    // One access entry per principal (EKS refuses a second): the same role with and without
                    // its path is one principal, since IAM names are unique per account whatever the path.
                    .superRefine((arns, ctx) => {
                        const seen = new Map<string, number>();
                        arns.forEach((arn, i) => {
                            const key = iamPrincipalKey(arn);
                            if (key === undefined) return;
                            const first = seen.get(key);
                            if (first !== undefined)
                                ctx.addIssue({ code: "custom", path: [i], message: `names the same IAM principal as platform:cluster.admins.aws[${first}]; allowed: each principal once` });
                            else seen.set(key, i);
                        });
                    })
                    .default([]),
                azure: z.array(z.uuid({ error: "must be an Entra group object id (a GUID)" })).default([]),
            })
            .prefault({}),
    })
    .prefault({});

const kubernetes = z
    .strictObject({
        /** kubeconfig context of the existing cluster; empty means the kubeconfig's current context. */
        context: z.string().optional(),
        /** Path to the kubeconfig file; empty means $KUBECONFIG or ~/.kube/config. */
        kubeconfig: z.string().optional(),
        /**
         * The existing cluster's network, for the platform's NetworkPolicies (defaults: kind's). engine:
         * what enforces NetworkPolicy (cilium uses the kube-apiserver entity instead of addresses);
         * apiServerCidrs / apiServerPorts: where pods reach the API server (the control-plane nodes'
         * addresses and the `kubernetes` Service ClusterIP); nodeLocalDnsAddress: NodeLocal DNSCache's address.
         */
        network: z
            .strictObject({
                engine: z.enum(NETWORK_POLICY_ENGINES).default("kindnet"),
                apiServerCidrs: z.array(cidr).min(1, { error: "must list the API server's addresses" }).default(["172.16.0.0/12", "10.96.0.1/32"]),
                apiServerPorts: z.array(z.int().min(1, { error: "must be a TCP port 1-65535" }).max(65535, { error: "must be a TCP port 1-65535" })).min(1).default([443, 6443]),
                nodeLocalDnsAddress: z.ipv4({ error: "must be an IPv4 address such as 169.254.20.10" }).optional(),
            })
            .prefault({}),
    })
    .prefault({});

export const platformConfigSchema = z.strictObject({
    clouds: z
        .array(z.enum(TARGETS))
        .min(1, { error: "must name at least one target" })
        .refine((l) => new Set(l).size === l.length, { error: "must not name a target twice" }),
    geography: z.enum(GEOGRAPHIES).default("EU"),
    regions,
    network,
    cluster,
    kubernetes,
    /** Protect stateful resources (keys, Kafka clusters, topics) from deletion. Only throwaway stacks turn it off. */
    protect: z.boolean().default(true),
    /** Carbon-aware placement: data year, maximum intensity, excluded regions (stacks/config/carbon.ts). */
    carbon: carbonConfigSchema,
    /** API token of the live carbon signal, set with `pulumi config set --secret` (stacks/config/carbon.ts). */
    carbonSignalToken: z.string().default(""),
    /** Event streaming (stacks/config/kafka.ts, docs/kafka.md). */
    kafka: kafkaConfigSchema,
    /** Serverless services (stacks/config/services.ts, docs/serverless.md). */
    services: servicesSchema,
    /** Istio ambient mesh on every cluster (stacks/config/mesh.ts, docs/mesh.md). */
    mesh: meshConfigSchema,
    /** Exceptions to the in-cluster admission policies (stacks/config/admission.ts, docs/admission.md). */
    admission: admissionConfigSchema,
    /** Secrets management: External Secrets Operator on every cluster (stacks/config/secrets.ts, docs/secrets.md). */
    secrets: secretsConfigSchema,
    tags: z.record(z.string().regex(/^[a-z][a-z0-9_-]{0,62}$/, { error: "tag keys must be lowercase letters, digits, - or _ (a form every cloud accepts)" }), z.string().max(63)).default({}),
});

export type PlatformConfigInput = z.input<typeof platformConfigSchema>;
export type ParsedPlatformConfig = z.output<typeof platformConfigSchema>;
