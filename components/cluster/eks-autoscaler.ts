/**
 * Cluster Autoscaler for EKS. Managed node groups only carry min/max bounds: unlike AKS and GKE, EKS
 * runs nothing that moves the desired size when pods are pending or nodes sit idle. The upstream
 * autoscaler does, finding the node groups' Auto Scaling groups by the tags EKS puts on them
 * (`k8s.io/cluster-autoscaler/enabled`, `k8s.io/cluster-autoscaler/<cluster>`), and calling the Auto
 * Scaling API through an EKS Pod Identity role that may only resize this cluster's groups.
 */
import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { podIdentityTrustPolicy } from "../aws/context";

export const CLUSTER_AUTOSCALER_CHART_REPO = "https://kubernetes.github.io/autoscaler";
export const CLUSTER_AUTOSCALER_NAMESPACE = "kube-system";
/** The release, its Deployment and its service account share this name (the Pod Identity association names it). */
export const CLUSTER_AUTOSCALER_SERVICE_ACCOUNT = "cluster-autoscaler";

/**
 * Chart and image per Kubernetes minor. The autoscaler's minor must equal the cluster's (it embeds
 * that version's scheduler); each entry is the newest chart whose appVersion has that minor
 * (`helm search repo autoscaler/cluster-autoscaler --versions`; see docs/aws.md).
 */
export const CLUSTER_AUTOSCALER_RELEASES: Readonly<Record<string, { chart: string; image: string }>> = {
    "1.33": { chart: "9.51.0", image: "v1.33.0" },
    "1.34": { chart: "9.53.0", image: "v1.34.2" },
};

/** The pinned autoscaler release for a cluster minor, or an error naming the setting and what is allowed. */
export function clusterAutoscalerRelease(clusterName: string, kubernetesVersion: string): { chart: string; image: string } {
    const release = CLUSTER_AUTOSCALER_RELEASES[kubernetesVersion];
    if (!release) {
        throw new Error(
            `EksCluster ${clusterName}: args.kubernetesVersion: "${kubernetesVersion}" has no pinned Cluster Autoscaler release (platform:cluster.kubernetesVersion); allowed: ${Object.keys(CLUSTER_AUTOSCALER_RELEASES).join(" or ")}`,
        );
    }
    return release;
}

export interface EksClusterAutoscalerArgs {
    clusterName: pulumi.Input<string>;
    region: string;
    /** Kubernetes minor of the cluster; picks the chart and image (see CLUSTER_AUTOSCALER_RELEASES). */
    kubernetesVersion: string;
    accountId: pulumi.Input<string>;
    partition: pulumi.Input<string>;
    /** The cluster's Kubernetes provider. */
    provider: k8s.Provider;
    /** What must exist before the autoscaler starts: the node group (somewhere to run) and the Pod Identity agent. */
    dependsOn: pulumi.Resource[];
    tags: (resourceName: string) => pulumi.Input<Record<string, pulumi.Input<string>>>;
}

/** The autoscaler's IAM permissions: read the fleet anywhere, resize and shrink only this cluster's groups. */
export function clusterAutoscalerPolicy(clusterName: string, region: string, accountId: string, partition: string): string {
    return JSON.stringify({
        Version: "2012-10-17",
        Statement: [
            {
                // Describe/Get calls on Auto Scaling and EC2 cannot be scoped to resources.
                Sid: "DiscoverNodeGroups",
                Effect: "Allow",
                Action: [
                    "autoscaling:DescribeAutoScalingGroups",
                    "autoscaling:DescribeAutoScalingInstances",
                    "autoscaling:DescribeLaunchConfigurations",
                    "autoscaling:DescribeScalingActivities",
                    "autoscaling:DescribeTags",
                    "ec2:DescribeImages",
                    "ec2:DescribeInstanceTypes",
                    "ec2:DescribeLaunchTemplateVersions",
                    "ec2:GetInstanceTypesFromInstanceRequirements",
                ],
                Resource: "*",
            },
            {
                // Node group labels and taints (for scale-from-zero templates): this cluster's node groups only.
                Sid: "DescribeOwnNodeGroups",
                Effect: "Allow",
                Action: "eks:DescribeNodegroup",
                Resource: `arn:${partition}:eks:${region}:${accountId}:nodegroup/${clusterName}/*`,
            },
            {
                // EKS tags the Auto Scaling group of each managed node group of the cluster with this key.
                Sid: "ResizeOwnNodeGroups",
                Effect: "Allow",
                Action: ["autoscaling:SetDesiredCapacity", "autoscaling:TerminateInstanceInAutoScalingGroup"],
                Resource: "*",
                Condition: { StringEquals: { [`aws:ResourceTag/k8s.io/cluster-autoscaler/${clusterName}`]: "owned" } },
            },
        ],
    });
}

/** Helm values: auto-discovery by cluster tag, two zone-spread replicas, restricted pod security. */
export function clusterAutoscalerValues(clusterName: string, region: string, image: string): Record<string, unknown> {
    const podLabels = { "app.kubernetes.io/instance": CLUSTER_AUTOSCALER_SERVICE_ACCOUNT };
    return {
        cloudProvider: "aws",
        awsRegion: region,
        // Finds every Auto Scaling group tagged k8s.io/cluster-autoscaler/enabled and .../<cluster>.
        autoDiscovery: { clusterName },
        image: { tag: image },
        fullnameOverride: CLUSTER_AUTOSCALER_SERVICE_ACCOUNT,
        rbac: { create: true, serviceAccount: { create: true, name: CLUSTER_AUTOSCALER_SERVICE_ACCOUNT } },
        // Two replicas with leader election: one acts, the other takes over if its node or zone is lost.
        replicaCount: 2,
        podDisruptionBudget: { maxUnavailable: 1 },
        // Best effort: the node group is one Auto Scaling group over all zones, so the autoscaler cannot add a
        // node in a chosen zone; a hard constraint could leave the second replica pending indefinitely.
        topologySpreadConstraints: [
            { maxSkew: 1, topologyKey: "topology.kubernetes.io/zone", whenUnsatisfiable: "ScheduleAnyway", labelSelector: { matchLabels: podLabels } },
        ],
        priorityClassName: "system-cluster-critical",
        resources: { requests: { cpu: "100m", memory: "300Mi" }, limits: { memory: "600Mi" } },
        extraArgs: {
            // Keep the per-zone node counts even (one group per zone, or several similar groups).
            "balance-similar-node-groups": true,
            // emptyDir is scratch space; without this, nodes running any pod with one would never be removed.
            "skip-nodes-with-local-storage": false,
            // Pick the group that leaves the least CPU and memory idle after scale-up.
            expander: "least-waste",
        },
        // Restricted pod security: non-root, no capabilities, no privilege escalation, default seccomp, read-only root.
        securityContext: { runAsNonRoot: true, runAsUser: 65534, runAsGroup: 65534, seccompProfile: { type: "RuntimeDefault" } },
        containerSecurityContext: {
            allowPrivilegeEscalation: false,
            readOnlyRootFilesystem: true,
            capabilities: { drop: ["ALL"] },
        },
    };
}

/** Installs the autoscaler into kube-system with its Pod Identity role; returns the Helm release. */
export function installEksClusterAutoscaler(parent: pulumi.Resource, name: string, args: EksClusterAutoscalerArgs): k8s.helm.v3.Release {
    const { chart, image } = clusterAutoscalerRelease(name, args.kubernetesVersion);
    const role = new aws.iam.Role(
        `${name}-cluster-autoscaler`,
        {
            description: `Cluster Autoscaler of ${name} (${CLUSTER_AUTOSCALER_NAMESPACE}/${CLUSTER_AUTOSCALER_SERVICE_ACCOUNT}, EKS Pod Identity)`,
            assumeRolePolicy: podIdentityTrustPolicy(args.clusterName, CLUSTER_AUTOSCALER_NAMESPACE, CLUSTER_AUTOSCALER_SERVICE_ACCOUNT),
            tags: args.tags(`${name}-cluster-autoscaler`),
        },
        { parent },
    );
    const policy = new aws.iam.RolePolicy(
        `${name}-cluster-autoscaler`,
        {
            role: role.id,
            policy: pulumi
                .all([args.clusterName, args.accountId, args.partition])
                .apply(([cluster, account, partition]) => clusterAutoscalerPolicy(cluster, args.region, account, partition)),
        },
        { parent },
    );
    const association = new aws.eks.PodIdentityAssociation(
        `${name}-cluster-autoscaler`,
        {
            clusterName: args.clusterName,
            namespace: CLUSTER_AUTOSCALER_NAMESPACE,
            serviceAccount: CLUSTER_AUTOSCALER_SERVICE_ACCOUNT,
            roleArn: role.arn,
            tags: args.tags(`${name}-cluster-autoscaler`),
        },
        { parent },
    );
    return new k8s.helm.v3.Release(
        `${name}-cluster-autoscaler`,
        {
            name: CLUSTER_AUTOSCALER_SERVICE_ACCOUNT,
            chart: "cluster-autoscaler",
            version: chart,
            repositoryOpts: { repo: CLUSTER_AUTOSCALER_CHART_REPO },
            namespace: CLUSTER_AUTOSCALER_NAMESPACE,
            // Wait for the Deployment to be ready and roll back a failed upgrade.
            atomic: true,
            values: pulumi.output(args.clusterName).apply((cluster) => clusterAutoscalerValues(cluster, args.region, image)),
        },
        // Credentials exist before the first pod asks for them; nodes exist for it to run on.
        { parent, provider: args.provider, dependsOn: [...args.dependsOn, association, policy] },
    );
}
