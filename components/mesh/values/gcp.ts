import type { MeshPlatformValues } from "./types";

/** GKE Standard with Dataplane V2 (ADVANCED_DATAPATH, Cilium-based). */
export const gcpMeshValues: MeshPlatformValues = {
    platform: "gcp",
    // GKE keeps CNI binaries in a non-standard directory and only admits system-node-critical pods
    // (istio-cni, ztunnel) in namespaces with a matching ResourceQuota: global.platform=gke handles both.
    globalPlatform: "gke",
    istiod: {},
    // Explicit, in case a chart's gke profile stops implying it: the quota that admits node-critical pods.
    cni: { resourceQuotas: { enabled: true } },
    ztunnel: { resourceQuotas: { enabled: true } },
    ciliumDataplane: true,
    internalLoadBalancer: {
        serviceType: "LoadBalancer",
        annotations: { "networking.gke.io/load-balancer-type": "Internal" },
    },
    publicLoadBalancer: { serviceType: "LoadBalancer", annotations: {} },
    notes: [
        "Do not enable GKE's managed Gateway API (gatewayApiConfig) on the cluster: it owns the Gateway API CRDs this install pins.",
        "Dataplane V2 is Cilium managed by GKE (non-exclusive CNI chaining is GKE's setting); the probe allowance is added as a CiliumClusterwideNetworkPolicy.",
    ],
};
