import type { MeshPlatformValues } from "./types";

/** An existing cluster (kind, k3d, minikube, on-premises). Its CNI is declared in config. */
export function kubernetesMeshValues(cni: string): MeshPlatformValues {
    return {
        platform: "kubernetes",
        istiod: {},
        cni: {},
        ztunnel: {},
        ciliumDataplane: cni === "cilium",
        // No cloud load balancer to make internal: the gateway stays a ClusterIP service (reach it through
        // port-forward or your own internal LB).
        internalLoadBalancer: { serviceType: "ClusterIP", annotations: {} },
        publicLoadBalancer: { serviceType: "LoadBalancer", annotations: {} },
        notes:
            cni === "cilium"
                ? ["Cilium: install Cilium with cni.exclusive=false, or it deletes istio-cni's chained configuration and ambient capture stops."]
                : [],
    };
}
