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
    // NLB from the Kubernetes AWS cloud provider (the service controller EKS runs in its control plane), not
    // the AWS Load Balancer Controller: nothing extra runs in the cluster, and no in-cluster identity holds
    // the broad EC2/ELB rights that controller needs. `aws-load-balancer-internal` keeps the NLB private
    // (subnets tagged kubernetes.io/role/internal-elb). `aws-load-balancer-scheme` is the same statement in
    // the Load Balancer Controller's terms, so the NLB stays internal if that controller is installed later
    // and takes the Service over (its webhook sets loadBalancerClass on new Services).
    internalLoadBalancer: {
        serviceType: "LoadBalancer",
        annotations: {
            "service.beta.kubernetes.io/aws-load-balancer-type": "nlb",
            "service.beta.kubernetes.io/aws-load-balancer-internal": "true",
            "service.beta.kubernetes.io/aws-load-balancer-scheme": "internal",
        },
    },
    publicLoadBalancer: {
        serviceType: "LoadBalancer",
        annotations: {
            "service.beta.kubernetes.io/aws-load-balancer-type": "nlb",
            "service.beta.kubernetes.io/aws-load-balancer-scheme": "internet-facing",
        },
    },
    notes: [
        "VPC CNI: if security groups for pods (SecurityGroupPolicy, ENABLE_POD_ENI) are ever turned on, set POD_SECURITY_GROUP_ENFORCING_MODE=standard on the vpc-cni add-on; strict mode drops the link-local SNAT address ambient uses for kubelet probes.",
        "The ingress gateway's NLB comes from EKS's built-in cloud-provider service controller (instance targets through node ports); the AWS Load Balancer Controller is not needed. Its `external`/`ip` annotations would leave the Service pending without that controller.",
    ],
};
