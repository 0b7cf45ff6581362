import type * as pulumi from "@pulumi/pulumi";
import type { NetworkArgs, NetworkOutputs } from "./index";

export function createAwsNetwork(parent: pulumi.Resource, name: string, args: NetworkArgs): NetworkOutputs {
    throw new Error("not implemented yet: " + parent + name + args.cloud);
}
