/** The `kubernetes` target: an existing cluster (kind, k3d, minikube, any conformant cluster). */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { KubernetesClusterArgs, KubernetesClusterOutputs } from "./index";
import { KIND_NETWORK_FACTS } from "./network-facts";

export function createExistingCluster(parent: pulumi.Resource, name: string, args: KubernetesClusterArgs): KubernetesClusterOutputs {
    const context = args.kubernetes?.context;
    const kubeconfigPath = args.kubernetes?.kubeconfig;
    const provider = new k8s.Provider(
        `${name}-k8s`,
        {
            // Unset context means the kubeconfig's current context, as kubectl does.
            context,
            kubeconfig: kubeconfigPath,
            // Server-side apply lets several owners (operators, Helm, this program) share fields safely.
            enableServerSideApply: true,
        },
        { parent },
    );
    const label = context ?? "current kubeconfig context";
    return {
        // Declared in config (platform:kubernetes.network); kind's facts by default.
        networkFacts: { ...KIND_NETWORK_FACTS, ...args.kubernetes?.network },
        clusterName: pulumi.output(label),
        endpoint: pulumi.output(`(from kubeconfig: ${label})`),
        kubeconfig: pulumi.secret(kubeconfigPath ?? "~/.kube/config"),
        oidcIssuerUrl: pulumi.output(""),
        provider,
        extras: {},
    };
}
