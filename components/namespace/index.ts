/**
 * PlatformNamespace: the only way the platform creates an application namespace. It is enrolled in
 * the Istio ambient mesh, enforces the `restricted` Pod Security level, and starts from a default-deny
 * NetworkPolicy (ingress and egress) with only the allowances DNS and ambient itself need. Workloads
 * then open exactly what they use, by identity, through mesh AuthorizationPolicies.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";

export type PodSecurityLevel = "restricted" | "baseline" | "privileged";

export interface PlatformNamespaceArgs {
    /** Namespace name (a DNS-1123 label). */
    name: string;
    /** Enrol in the ambient mesh (ztunnel mTLS). Default true; only mesh infrastructure opts out. */
    ambient?: boolean;
    /** Pod Security Admission level enforced. Default "restricted"; system add-ons may need "baseline". */
    podSecurity?: PodSecurityLevel;
    /** Route this namespace's L7 traffic through the named waypoint (`istio.io/use-waypoint`). */
    waypoint?: pulumi.Input<string>;
    labels?: pulumi.Input<Record<string, pulumi.Input<string>>>;
    /** Extra NetworkPolicy allowances beyond the defaults, e.g. an operator's webhook port. */
    extraPolicies?: { name: string; spec: k8s.types.input.networking.v1.NetworkPolicySpec }[];
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** Address ambient's istio-cni rewrites kubelet probes to, so they still reach pods behind default deny. */
export const AMBIENT_PROBE_SOURCE = "169.254.7.127/32";

/**
 * An `extraPolicies` spec for components that talk to the Kubernetes API server (operators, controllers,
 * webhooks' certificate rotation): its address is not a pod, so it is matched by port (443 on managed
 * clusters, 6443 on kubeadm/kind).
 */
export const API_SERVER_EGRESS: k8s.types.input.networking.v1.NetworkPolicySpec = {
    podSelector: {},
    policyTypes: ["Egress"],
    egress: [{ ports: [{ protocol: "TCP", port: 443 }, { protocol: "TCP", port: 6443 }] }],
};
/** HBONE: the mTLS tunnel port ztunnel and waypoints use between pods. */
export const HBONE_PORT = 15008;

export class PlatformNamespace extends pulumi.ComponentResource {
    public readonly namespaceName: pulumi.Output<string>;
    public readonly namespace: k8s.core.v1.Namespace;

    constructor(name: string, args: PlatformNamespaceArgs, opts?: pulumi.ComponentResourceOptions) {
        if (!DNS_LABEL.test(args.name)) {
            throw new Error(
                `namespace name ${JSON.stringify(args.name)} is not a DNS-1123 label; allowed: lowercase letters, digits and '-', at most 63 characters, starting and ending alphanumeric`,
            );
        }
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

        this.namespace = new k8s.core.v1.Namespace(
            name,
            {
                metadata: {
                    name: args.name,
                    labels: pulumi.output(args.labels ?? {}).apply((extra) => ({ ...extra, ...labels })) as any,
                },
            },
            { parent: this },
        );
        this.namespaceName = this.namespace.metadata.name;
        const policy = (suffix: string, spec: k8s.types.input.networking.v1.NetworkPolicySpec) =>
            new k8s.networking.v1.NetworkPolicy(
                `${name}-${suffix}`,
                { metadata: { name: suffix, namespace: this.namespaceName }, spec },
                { parent: this },
            );

        // Nothing in, nothing out: every flow below is an explicit, commented exception.
        policy("default-deny", { podSelector: {}, policyTypes: ["Ingress", "Egress"] });
        // Name resolution: pods may ask the cluster DNS, and nothing else, on port 53.
        policy("allow-dns", {
            podSelector: {},
            policyTypes: ["Egress"],
            egress: [
                {
                    to: [
                        {
                            namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } },
                            podSelector: { matchLabels: { "k8s-app": "kube-dns" } },
                        },
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
        for (const extra of args.extraPolicies ?? []) policy(extra.name, extra.spec);
        this.registerOutputs({ namespaceName: this.namespaceName });
    }
}
