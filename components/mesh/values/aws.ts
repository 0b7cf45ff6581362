import type { MeshPlatformValues } from "./types";

/** EKS with the Amazon VPC CNI (network policy enforced by its eBPF agent). */
export const awsMeshValues: MeshPlatformValues = {
    platform: "aws",
    // EKS uses the standard CNI paths and has no node-critical quota restriction: no global.platform.
    istiod: {},
    cni: {},
    ztunnel: {},
    // The VPC CNI is chained with istio-cni, not replaced: no Cilium allowance needed; the kubelet probe
    // allowance lives in each PlatformNamespace's NetworkPolicy (enforced by the VPC CNI agent).
    ciliumDataplane: false,
    internalLoadBalancer: {
        serviceType: "LoadBalancer",
        annotations: {
            // NLB through the AWS Load Balancer Controller, private subnets only, targets are pod IPs.
            "service.beta.kubernetes.io/aws-load-balancer-type": "external",
            "service.beta.kubernetes.io/aws-load-balancer-nlb-target-type": "ip",
            "service.beta.kubernetes.io/aws-load-balancer-scheme": "internal",
        },
    },
    publicLoadBalancer: {
        serviceType: "LoadBalancer",
        annotations: {
            "service.beta.kubernetes.io/aws-load-balancer-type": "external",
            "service.beta.kubernetes.io/aws-load-balancer-nlb-target-type": "ip",
            "service.beta.kubernetes.io/aws-load-balancer-scheme": "internet-facing",
        },
    },
    notes: [
        "VPC CNI: if security groups for pods (SecurityGroupPolicy, ENABLE_POD_ENI) are ever turned on, set POD_SECURITY_GROUP_ENFORCING_MODE=standard on the vpc-cni add-on; strict mode drops the link-local SNAT address ambient uses for kubelet probes.",
        "The ingress gateway's annotations need the AWS Load Balancer Controller; without it the in-tree controller ignores them and would create a classic (public) ELB, so install the controller before enabling ingress.",
    ],
};
