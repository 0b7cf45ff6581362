/** The `kubernetes` target: an existing cluster (kind, k3d, minikube, any conformant cluster). */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { KubernetesCluster } from "./outputs";
import { KIND_NETWORK_FACTS, networkFactsProblems, type ClusterNetworkFacts } from "./network-facts";

export interface ExistingClusterArgs {
    /** kubeconfig context; unset means the current context. */
    context?: string;
    /** kubeconfig file path; unset means $KUBECONFIG or ~/.kube/config. */
    kubeconfig?: string;
    /** The cluster's network facts (default KIND_NETWORK_FACTS: kindnet, kind's API server addresses). */
    network?: ClusterNetworkFacts;
}

interface ExistingClusterHandles {
    provider: k8s.Provider;
    networkFacts: ClusterNetworkFacts;
}
/** TypeScript-only values of each ExistingCluster, kept off the class's properties (a schema would read those as outputs). */
const handlesOf = new WeakMap<ExistingCluster, ExistingClusterHandles>();

/**
 * An existing cluster reached through a kubeconfig context: creates nothing but the Kubernetes provider
 * that installs into it. Type token platform:index:ExistingCluster.
 */
export class ExistingCluster extends pulumi.ComponentResource implements KubernetesCluster {
    public readonly clusterName: pulumi.Output<string>;
    public readonly endpoint: pulumi.Output<string>;
    /** The kubeconfig file's path (a secret, as the managed clusters' kubeconfigs are). */
    public readonly kubeconfig: pulumi.Output<string>;
    /** Always "": an existing cluster's issuer is not known here. */
    public readonly oidcIssuerUrl: pulumi.Output<string>;

    constructor(name: string, args: ExistingClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        // The token the single KubernetesCluster class had: children keep their URNs through the parent alias.
        super("platform:index:ExistingCluster", name, {}, pulumi.mergeOptions(opts, { aliases: [{ type: "platform:index:KubernetesCluster" }] }));
        // Declared in config (platform:kubernetes.network); kind's facts by default.
        const facts = { ...KIND_NETWORK_FACTS, ...args.network };
        const problems = networkFactsProblems(facts, "args.network");
        if (problems.length) throw new Error(`ExistingCluster ${name}: ${problems.join("; ")}`);

        const context = args.context;
        const kubeconfigPath = args.kubeconfig;
        const provider = new k8s.Provider(
            `${name}-k8s`,
            {
                // Unset context means the kubeconfig's current context, as kubectl does.
                context,
                kubeconfig: kubeconfigPath,
                // Server-side apply lets several owners (operators, Helm, this program) share fields safely.
                enableServerSideApply: true,
            },
            { parent: this },
        );
        handlesOf.set(this, { provider, networkFacts: facts });
        const label = context ?? "current kubeconfig context";
        this.clusterName = pulumi.output(label);
        this.endpoint = pulumi.output(`(from kubeconfig: ${label})`);
        this.kubeconfig = pulumi.secret(kubeconfigPath ?? "~/.kube/config");
        this.oidcIssuerUrl = pulumi.output("");
        this.registerOutputs({ clusterName: this.clusterName, endpoint: this.endpoint, kubeconfig: this.kubeconfig, oidcIssuerUrl: this.oidcIssuerUrl });
    }

    /** TypeScript-only: always "kubernetes". */
    get target(): "kubernetes" {
        return "kubernetes";
    }
    /** TypeScript-only: the provider that installs into the cluster. */
    get provider(): k8s.Provider {
        return handlesOf.get(this)!.provider;
    }
    /** TypeScript-only: the network facts given (or kind's). */
    get networkFacts(): ClusterNetworkFacts {
        return handlesOf.get(this)!.networkFacts;
    }
    /** TypeScript-only: an existing cluster has no cloud-specific outputs. */
    get extras(): Record<string, pulumi.Output<string>> {
        return {};
    }
}
