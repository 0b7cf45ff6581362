/**
 * PlatformNamespace: the only way the platform creates an application namespace. It is enrolled in
 * the Istio ambient mesh, enforces the `restricted` Pod Security level, and starts from a default-deny
 * NetworkPolicy (ingress and egress) with only the allowances DNS and ambient itself need. Workloads
 * then open exactly what they use, by identity, through mesh AuthorizationPolicies.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { KIND_NETWORK_FACTS, networkFactsProblems, type ClusterNetworkFacts } from "../cluster/network-facts";
import { PRIVATE_IPV4_RANGES } from "../contracts/private-ranges";
import { cidrContains } from "../contracts/cidr";
import { DNS_LABEL, EDGE_EXCEPTION_ANNOTATION, OUTSIDE_MESH_REASON_ANNOTATION } from "../contracts/names";

export { dependsOnList } from "./options";

/** Pod Security Admission levels (kubernetes.io/docs/concepts/security/pod-security-standards). */
export const POD_SECURITY_LEVELS = ["restricted", "baseline", "privileged"] as const;
export type PodSecurityLevel = (typeof POD_SECURITY_LEVELS)[number];

/**
 * One extra NetworkPolicy of a namespace. `spec` is a Kubernetes NetworkPolicySpec as the API takes it
 * (k8s.types.input.networking.v1.NetworkPolicySpec fits in TypeScript); typed as a map because that type
 * has port fields that are number-or-name unions, which a Pulumi schema cannot express.
 */
export interface NamespaceNetworkPolicy {
    /** metadata.name of the NetworkPolicy (and suffix of its Pulumi name). */
    name: string;
    spec: Record<string, any>;
    annotations?: Record<string, string>;
}

/** A named egress exception granted to some pods of the namespace (all pods without `podSelector`). */
export interface NamespaceEgressException {
    exception: EgressException;
    podSelector?: k8s.types.input.meta.v1.LabelSelector;
}

export interface PlatformNamespaceArgs {
    /** Namespace name (a DNS-1123 label). */
    name: string;
    /** Enrol in the ambient mesh (ztunnel mTLS). Default true; only mesh infrastructure opts out. */
    ambient?: boolean;
    /** Why a namespace stays outside the mesh (ambient: false): the admission policies require it (OUTSIDE_MESH_REASON_ANNOTATION). */
    outsideMeshReason?: string;
    /**
     * Pod Security Admission level enforced: "restricted" (default), "baseline" or "privileged" (system
     * add-ons may need baseline). A string checked at run time: a Pulumi schema has no literal unions.
     */
    podSecurity?: string;
    /**
     * The named policy exception this namespace carries (annotation platform.io/edge-exception), e.g. for a
     * podSecurity below "restricted": the policy pack config must grant that name, or the mark exempts nothing.
     */
    policyException?: string;
    /** Route this namespace's L7 traffic through the named waypoint (`istio.io/use-waypoint`). */
    waypoint?: pulumi.Input<string>;
    labels?: pulumi.Input<Record<string, pulumi.Input<string>>>;
    /** Extra NetworkPolicy allowances beyond the defaults, e.g. an operator's webhook port. */
    extraPolicies?: NamespaceNetworkPolicy[];
    /**
     * The cluster's network facts (KubernetesCluster.networkFacts): where DNS answers, where the API
     * server is and what enforces policy. Default KIND_NETWORK_FACTS (the `kubernetes` target's default).
     */
    network?: ClusterNetworkFacts;
    /**
     * Pods here talk to the Kubernetes API server (operators, controllers, webhooks rotating their
     * certificates): allowed to the API server only (its addresses, or Cilium's `kube-apiserver` entity),
     * never to any address on 443. Every pod, or those matching `apiServerEgressPodLabels`.
     */
    apiServerEgress?: boolean;
    /** With apiServerEgress: only the pods with these labels (e.g. { app: "istiod" }). */
    apiServerEgressPodLabels?: Record<string, string>;
    /** Named exceptions to "no egress to public addresses", each in its own NetworkPolicy named after it. */
    egressExceptions?: NamespaceEgressException[];
}

/**
 * A destination outside the cluster and the platform network that some pods must reach, with the reason:
 * configured in `platform:network.egressExceptions` (stacks/config/network.ts). NetworkPolicy cannot
 * name hosts, so `cidrs` are the addresses (public ones: private ranges inside them are excluded) and
 * `fqdns` only document which host the addresses stand for.
 */
export interface EgressException {
    name: string;
    cidrs: string[];
    ports: number[];
    reason: string;
    fqdns?: string[];
}


/** Address ambient's istio-cni rewrites kubelet probes to, so they still reach pods behind default deny. */
export const AMBIENT_PROBE_SOURCE = "169.254.7.127/32";

/**
 * The `ipBlock` peers of an egress exception: each CIDR minus the private ranges strictly inside it (so
 * "0.0.0.0/0" means public addresses only; Kubernetes rejects an `except` outside or equal to its cidr).
 */
export function publicIpBlocks(cidrs: string[]): k8s.types.input.networking.v1.NetworkPolicyPeer[] {
    return cidrs.map((cidr) => {
        const except = PRIVATE_IPV4_RANGES.filter((r) => r !== cidr && cidrContains(cidr, r));
        return { ipBlock: { cidr, ...(except.length ? { except: [...except] } : {}) } };
    });
}

/** The NetworkPolicy of one egress exception: named after it, its reason in annotations. */
export function egressExceptionPolicy(
    exception: EgressException,
    podSelector: k8s.types.input.meta.v1.LabelSelector = {},
): { name: string; annotations: Record<string, string>; spec: k8s.types.input.networking.v1.NetworkPolicySpec } {
    return {
        name: `allow-egress-${exception.name}`,
        annotations: {
            "platform.io/egress-exception": exception.name,
            "platform.io/egress-exception-reason": exception.reason,
            ...(exception.fqdns?.length ? { "platform.io/egress-exception-fqdns": exception.fqdns.join(",") } : {}),
        },
        spec: {
            podSelector,
            policyTypes: ["Egress"],
            egress: [{ to: publicIpBlocks(exception.cidrs), ports: exception.ports.map((port) => ({ protocol: "TCP", port })) }],
        },
    };
}

/** Cilium's label for a pod's namespace in endpoint selectors. */
const CILIUM_NAMESPACE_LABEL = "k8s:io.kubernetes.pod.namespace";

/** HBONE: the mTLS tunnel port ztunnel and waypoints use between pods. */
export const HBONE_PORT = 15008;

/** What is wrong with the arguments, one line each (`PlatformNamespace <name>: args.<path>: …; allowed: …`). */
export function platformNamespaceProblems(name: string, args: PlatformNamespaceArgs): string[] {
    const at = `PlatformNamespace ${name}: args.`;
    const problems: string[] = [];
    if (!DNS_LABEL.test(args.name ?? "")) {
        problems.push(
            `${at}name: ${JSON.stringify(args.name)} is not a DNS-1123 label; allowed: lowercase letters, digits and '-', at most 63 characters, starting and ending alphanumeric`,
        );
    }
    if (args.podSecurity !== undefined && !(POD_SECURITY_LEVELS as readonly string[]).includes(args.podSecurity)) {
        problems.push(`${at}podSecurity: ${JSON.stringify(args.podSecurity)} is not a Pod Security level; allowed: ${POD_SECURITY_LEVELS.map((l) => `"${l}"`).join(", ")}`);
    }
    if (args.apiServerEgressPodLabels !== undefined && !args.apiServerEgress) {
        problems.push(`${at}apiServerEgressPodLabels: ${JSON.stringify(args.apiServerEgressPodLabels)} is set without apiServerEgress; allowed: only with apiServerEgress: true`);
    }
    if (args.network) problems.push(...networkFactsProblems(args.network, `${at}network`));
    return problems;
}

export class PlatformNamespace extends pulumi.ComponentResource {
    /** metadata.name of the namespace, known once it exists (depend on it to wait for the namespace). */
    public readonly namespaceName: pulumi.Output<string>;

    constructor(name: string, args: PlatformNamespaceArgs, opts?: pulumi.ComponentResourceOptions) {
        const problems = platformNamespaceProblems(name, args);
        if (problems.length) throw new Error(problems.join("\n"));
        super("platform:index:PlatformNamespace", name, {}, opts);
        const level = args.podSecurity ?? "restricted";
        const ambient = args.ambient ?? true;
        const labels: Record<string, pulumi.Input<string>> = {
            "pod-security.kubernetes.io/enforce": level,
            "pod-security.kubernetes.io/enforce-version": "latest",
            "pod-security.kubernetes.io/warn": "restricted",
            "pod-security.kubernetes.io/audit": "restricted",
            "app.kubernetes.io/managed-by": "pulumi",
        };
        if (ambient) labels["istio.io/dataplane-mode"] = "ambient";
        if (args.waypoint) labels["istio.io/use-waypoint"] = args.waypoint;

        const namespace = new k8s.core.v1.Namespace(
            name,
            {
                metadata: {
                    name: args.name,
                    labels: pulumi.output(args.labels ?? {}).apply((extra) => ({ ...extra, ...labels })) as any,
                    ...(args.policyException || (!ambient && args.outsideMeshReason)
                        ? {
                              annotations: {
                                  ...(args.policyException ? { [EDGE_EXCEPTION_ANNOTATION]: args.policyException } : {}),
                                  ...(!ambient && args.outsideMeshReason ? { [OUTSIDE_MESH_REASON_ANNOTATION]: args.outsideMeshReason } : {}),
                              },
                          }
                        : {}),
                },
            },
            { parent: this },
        );
        this.namespaceName = namespace.metadata.name;
        const network = args.network ?? KIND_NETWORK_FACTS;
        const cilium = network.networkPolicyEngine === "cilium";
        const policy = (suffix: string, spec: k8s.types.input.networking.v1.NetworkPolicySpec, annotations?: Record<string, string>) =>
            new k8s.networking.v1.NetworkPolicy(
                `${name}-${suffix}`,
                { metadata: { name: suffix, namespace: this.namespaceName, ...(annotations ? { annotations } : {}) }, spec },
                { parent: this },
            );

        // Nothing in, nothing out: every flow below is an explicit, commented exception.
        policy("default-deny", { podSelector: {}, policyTypes: ["Ingress", "Egress"] });
        // Name resolution: pods may ask the cluster DNS, and nothing else, on port 53. CoreDNS/kube-dns pods
        // carry k8s-app=kube-dns on every target (kubeadm's CoreDNS manifest, which kind uses; the EKS
        // CoreDNS add-on; AKS coredns; GKE kube-dns). Where NodeLocal DNSCache runs (GKE here), pods'
        // resolv.conf names the node-local address instead, so it is allowed too, and so are the cache's
        // own pods (k8s-app=node-local-dns), which Dataplane V2 redirects kube-dns traffic to.
        const inKubeSystem = (app: string) => ({
            namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } },
            podSelector: { matchLabels: { "k8s-app": app } },
        });
        policy("allow-dns", {
            podSelector: {},
            policyTypes: ["Egress"],
            egress: [
                {
                    to: [
                        inKubeSystem("kube-dns"),
                        ...(network.nodeLocalDnsAddress ? [inKubeSystem("node-local-dns"), { ipBlock: { cidr: `${network.nodeLocalDnsAddress}/32` } }] : []),
                    ],
                    ports: [
                        { protocol: "UDP", port: 53 },
                        { protocol: "TCP", port: 53 },
                    ],
                },
            ],
        });
        if (ambient) {
            // Ambient carries all pod-to-pod traffic in HBONE (mTLS on 15008). ztunnel then enforces the
            // identity-based AuthorizationPolicies, so L3 only needs to admit the tunnel port.
            policy("allow-hbone", {
                podSelector: {},
                policyTypes: ["Ingress", "Egress"],
                ingress: [{ from: [{ namespaceSelector: {} }], ports: [{ protocol: "TCP", port: HBONE_PORT }] }],
                egress: [{ to: [{ namespaceSelector: {} }], ports: [{ protocol: "TCP", port: HBONE_PORT }] }],
            });
            // istio-cni SNATs kubelet health probes to a link-local address; without this, default deny
            // would fail every liveness/readiness probe.
            policy("allow-kubelet-probes", {
                podSelector: {},
                policyTypes: ["Ingress"],
                ingress: [{ from: [{ ipBlock: { cidr: AMBIENT_PROBE_SOURCE } }] }],
            });
        }
        if (args.apiServerEgress) this.allowApiServer(name, args.name, args.apiServerEgressPodLabels ?? {}, network, cilium, namespace);
        for (const { exception, podSelector } of args.egressExceptions ?? []) {
            const p = egressExceptionPolicy(exception, podSelector);
            policy(p.name, p.spec, p.annotations);
        }
        // The API server validates the spec; NamespaceNetworkPolicy types it loosely only for the schema.
        for (const extra of args.extraPolicies ?? []) policy(extra.name, extra.spec as k8s.types.input.networking.v1.NetworkPolicySpec, extra.annotations);
        this.registerOutputs({ namespaceName: this.namespaceName });
    }

    /**
     * Egress to the Kubernetes API server only. Cilium gives the API server its own identity and an
     * ipBlock does not select it (nor nodes, where kind runs it), so there the allowance is a
     * CiliumClusterwideNetworkPolicy to the `kube-apiserver` entity, which adds to the namespace's
     * NetworkPolicies (enableDefaultDeny off). GKE serves CCNPs when the cluster sets
     * enableCiliumClusterwideNetworkPolicy and serves no namespaced CiliumNetworkPolicy, hence cluster-wide.
     * Elsewhere it is a NetworkPolicy to the API server's addresses from the cluster's network facts.
     */
    private allowApiServer(name: string, namespace: string, podLabels: Record<string, string>, network: ClusterNetworkFacts, cilium: boolean, namespaceResource: k8s.core.v1.Namespace): void {
        const ports = network.apiServer.ports;
        if (cilium) {
            new k8s.apiextensions.CustomResource(
                `${name}-allow-apiserver-egress`,
                {
                    apiVersion: "cilium.io/v2",
                    kind: "CiliumClusterwideNetworkPolicy",
                    metadata: { name: `allow-apiserver-egress-${namespace}`, labels: { "app.kubernetes.io/managed-by": "pulumi" } },
                    spec: {
                        description: `Pods of namespace ${namespace} may reach the Kubernetes API server, and nothing else through this policy`,
                        endpointSelector: { matchLabels: { [CILIUM_NAMESPACE_LABEL]: namespace, ...podLabels } },
                        enableDefaultDeny: { ingress: false, egress: false },
                        egress: [{ toEntities: ["kube-apiserver"], toPorts: [{ ports: ports.map((port) => ({ port: String(port), protocol: "TCP" })) }] }],
                    },
                },
                { parent: this, dependsOn: [namespaceResource] },
            );
            return;
        }
        if (network.apiServer.cidrs.length === 0) {
            throw new Error(
                `PlatformNamespace ${namespace}: apiServerEgress needs the API server's addresses, and network.apiServer.cidrs is empty for engine "${network.networkPolicyEngine}"; allowed: the API endpoint's CIDRs (platform:kubernetes.network.apiServerCidrs on the kubernetes target)`,
            );
        }
        new k8s.networking.v1.NetworkPolicy(
            `${name}-allow-apiserver-egress`,
            {
                metadata: { name: "allow-apiserver-egress", namespace: this.namespaceName },
                spec: {
                    podSelector: Object.keys(podLabels).length ? { matchLabels: podLabels } : {},
                    policyTypes: ["Egress"],
                    egress: [{ to: network.apiServer.cidrs.map((cidr) => ({ ipBlock: { cidr } })), ports: ports.map((port) => ({ protocol: "TCP", port })) }],
                },
            },
            { parent: this },
        );
    }
}
