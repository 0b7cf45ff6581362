/** Network facts of a cluster that the platform's NetworkPolicies depend on (no imports: cheap to load anywhere). */

/**
 * What enforces NetworkPolicy on a cluster. It decides how the platform writes the flows that a
 * NetworkPolicy `ipBlock` cannot express everywhere: Cilium (AKS Azure CNI powered by Cilium, GKE
 * Dataplane V2, kind with Cilium) gives node, host and API-server addresses their own identities, and an
 * ipBlock does not select them (docs.cilium.io "Selecting nodes with CIDR / ipBlock": CIDR selectors do
 * not match in-cluster entities unless policy-cidr-match-mode=nodes; AKS lists "ipBlock cannot allow
 * access to node or pod IPs" among Azure CNI powered by Cilium's limitations).
 */
export const NETWORK_POLICY_ENGINES = ["cilium", "calico", "vpc-cni", "kindnet", "unknown"] as const;
export type NetworkPolicyEngine = (typeof NETWORK_POLICY_ENGINES)[number];

/** Where pods reach the API server (a named type: a Pulumi schema has no anonymous object types). */
export interface ApiServerAddresses {
    cidrs: string[];
    ports: number[];
}

/** Network facts of one cluster that the platform's NetworkPolicies depend on (plain values, known at plan time). */
export interface ClusterNetworkFacts {
    /**
     * One of NETWORK_POLICY_ENGINES ("cilium", "calico", "vpc-cni", "kindnet", "unknown"). A string, not
     * the literal union: a Pulumi package schema cannot express unions, and these facts are a component
     * argument for every Pulumi language (checked with networkFactsProblems).
     */
    networkPolicyEngine: string;
    /**
     * Where pods reach the Kubernetes API server, as the enforcer sees the destination: the private
     * endpoint's addresses and, where egress is checked before Service DNAT (VPC CNI), the `kubernetes`
     * Service's ClusterIP. Unused on Cilium, which names the API server as the `kube-apiserver` entity.
     */
    apiServer: ApiServerAddresses;
    /** NodeLocal DNSCache's listen address where the cache runs (pods' resolv.conf points at it). */
    nodeLocalDnsAddress?: string;
}

/** The link-local address NodeLocal DNSCache listens on (kubernetes/kubernetes cluster/addons/dns/nodelocaldns, default 169.254.20.10). */
export const NODE_LOCAL_DNS_ADDRESS = "169.254.20.10";

/**
 * kind's defaults: kindnet enforces NetworkPolicy (kube-network-policies, since kind v0.24); the API
 * server listens on the control-plane node's 6443, on the `kind` Docker network (Docker's default pools
 * start in 172.16.0.0/12), and in-cluster clients dial the `kubernetes` Service 10.96.0.1:443 (kubeadm's
 * default service subnet 10.96.0.0/12).
 */
export const KIND_NETWORK_FACTS: ClusterNetworkFacts = {
    networkPolicyEngine: "kindnet",
    apiServer: { cidrs: ["172.16.0.0/12", "10.96.0.1/32"], ports: [443, 6443] },
};

/** What is wrong with a cluster's network facts given as a component argument (`where` names the argument). */
export function networkFactsProblems(facts: ClusterNetworkFacts, where: string): string[] {
    const problems: string[] = [];
    if (!(NETWORK_POLICY_ENGINES as readonly string[]).includes(facts.networkPolicyEngine))
        problems.push(`${where}.networkPolicyEngine: "${facts.networkPolicyEngine}" must be one of ${NETWORK_POLICY_ENGINES.map((e) => `"${e}"`).join(", ")}`);
    return problems;
}
