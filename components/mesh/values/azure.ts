import type { MeshPlatformValues } from "./types";

/** AKS with Azure CNI overlay powered by Cilium. */
export const azureMeshValues: MeshPlatformValues = {
    platform: "azure",
    istiod: {},
    cni: {},
    ztunnel: {},
    // Azure CNI powered by Cilium: Cilium's own chaining config is managed by AKS (non-exclusive), but its
    // probe exemption does not cover ambient's SNAT address.
    ciliumDataplane: true,
    internalLoadBalancer: {
        serviceType: "LoadBalancer",
        annotations: { "service.beta.kubernetes.io/azure-load-balancer-internal": "true" },
    },
    publicLoadBalancer: { serviceType: "LoadBalancer", annotations: {} },
    notes: [
        "The AKS managed Istio add-on (serviceMeshProfile) must stay disabled: it installs its own istiod and CRDs, which conflict with this upstream install.",
        "Azure CNI powered by Cilium is managed by AKS; cni.exclusive is AKS's setting. Ambient on AKS Cilium is verified by Istio's platform notes only for the probe allowance, which this install adds.",
    ],
};
