import type { MeshPlatformValues } from "./types";

/** GKE Standard with Dataplane V2 (ADVANCED_DATAPATH, Cilium-based). */
export const gcpMeshValues: MeshPlatformValues = {
    platform: "gcp",
    // GKE keeps CNI binaries in a non-standard directory (global.platform=gke). GKE only admits
    // system-node-critical pods (istio-cni, ztunnel) in namespaces with a matching ResourceQuota; they run
    // in kube-system, which has one, so no extra quota is created.
    globalPlatform: "gke",
    istiod: {},
    cni: {},
    ztunnel: {},
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
