import type * as pulumi from "@pulumi/pulumi";

/** Identifiers every cloud's network exposes. */
export interface NetworkOutputs {
    /** VPC id (AWS), VNet id (Azure) or network id (GCP). */
    networkId: pulumi.Output<string>;
    /**
     * Subnets for cluster nodes (one per zone on AWS, one subnet on Azure/GCP). A list of outputs, not an
     * output of a list: how many there are is known when the program runs, and consumers check it then
     * (MSK wants one per zone). The schema shows it as a list of strings.
     */
    nodeSubnetIds: pulumi.Output<string>[];
    /** Subnets for data services such as Kafka brokers and private endpoints (a list of outputs, as nodeSubnetIds). */
    dataSubnetIds: pulumi.Output<string>[];
}

/**
 * TypeScript-only: a network as the stack program passes it to the capabilities, whichever cloud it is
 * on. The shared outputs, the component itself (for dependsOn), and the members one cloud's consumers
 * read (Azure's Container Apps subnet).
 */
export interface Network extends NetworkOutputs, pulumi.Resource {
    /** Azure: the infrastructure subnet delegated to Microsoft.App/environments (Container Apps). */
    readonly appsSubnetId?: pulumi.Output<string>;
}
