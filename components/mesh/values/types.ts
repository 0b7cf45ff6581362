/** What differs per platform when installing Istio ambient. One file per platform fills it in. */
export const MESH_PLATFORMS = ["aws", "azure", "gcp", "kubernetes"] as const;
export type MeshPlatform = (typeof MESH_PLATFORMS)[number];

export interface MeshPlatformValues {
    platform: MeshPlatform;
    /** `global.platform` for the Istio charts (non-standard CNI paths, node-critical quotas), if any. */
    globalPlatform?: string;
    /** Extra values per Istio chart, merged over the platform-neutral ones. */
    istiod: Record<string, unknown>;
    cni: Record<string, unknown>;
    ztunnel: Record<string, unknown>;
    /**
     * The cluster's dataplane is Cilium (GKE Dataplane V2, AKS Azure CNI powered by Cilium, or a Cilium
     * install on an existing cluster). Cilium exempts kubelet probes from policy by recognising the host;
     * ambient SNATs probes to 169.254.7.127, so they need an explicit Cilium allowance.
     */
    ciliumDataplane: boolean;
    /** Service annotations that keep the ingress gateway's load balancer internal (private addresses only). */
    internalLoadBalancer: { serviceType: "LoadBalancer" | "ClusterIP"; annotations: Record<string, string> };
    /** Service annotations for an internet-facing load balancer (only with a named edge exception). */
    publicLoadBalancer: { serviceType: "LoadBalancer"; annotations: Record<string, string> };
    /** Platform facts operators must know; shown in docs/mesh.md and the stack outputs. */
    notes: string[];
}
