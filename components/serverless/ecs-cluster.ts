/**
 * The ECS cluster that ECS Express Mode services (EcsExpressService) run in: one per account and region
 * of a stack, with Container Insights. Its tasks are Fargate (Express Mode provisions them), so the
 * cluster holds no instances.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { refuseArgs } from "./service";

/** The values of the cluster's `containerInsights` setting (ECS API reference, ClusterSetting: enhanced, enabled, disabled). */
export const CONTAINER_INSIGHTS_MODES = ["enhanced", "enabled", "disabled"];

export interface EcsServicesClusterArgs {
    /** CloudWatch Container Insights: "enhanced" (default: per task and container), "enabled" or "disabled". */
    containerInsights?: string;
    tags?: pulumi.Input<Record<string, pulumi.Input<string>>>;
}

/** An ECS cluster for ECS Express Mode services (provider: opts.providers.aws). */
export class EcsServicesCluster extends pulumi.ComponentResource {
    public readonly clusterArn: pulumi.Output<string>;
    public readonly clusterName: pulumi.Output<string>;

    constructor(name: string, args: EcsServicesClusterArgs = {}, opts?: pulumi.ComponentResourceOptions) {
        const insights = args.containerInsights ?? "enhanced";
        refuseArgs("EcsServicesCluster", name, CONTAINER_INSIGHTS_MODES.includes(insights) ? [] : [
            `args.containerInsights: ${JSON.stringify(insights)} is not allowed; allowed: ${CONTAINER_INSIGHTS_MODES.map((m) => JSON.stringify(m)).join(", ")}`,
        ]);
        super("platform:index:EcsServicesCluster", name, {}, opts);
        const cluster = new aws.ecs.Cluster(
            name,
            { settings: [{ name: "containerInsights", value: insights }], tags: args.tags },
            // The stack created this cluster at its root before the component existed: the alias keeps it in place.
            { parent: this, aliases: [{ parent: pulumi.rootStackResource }] },
        );
        this.clusterArn = cluster.arn;
        this.clusterName = cluster.name;
        this.registerOutputs({ clusterArn: this.clusterArn, clusterName: this.clusterName });
    }
}
