import type * as pulumi from "@pulumi/pulumi";
import type { KubernetesClusterArgs, KubernetesClusterOutputs } from "./index";

export function createAzureCluster(parent: pulumi.Resource, name: string, args: KubernetesClusterArgs): KubernetesClusterOutputs {
    throw new Error("not implemented yet: " + parent + name + args.target);
}
