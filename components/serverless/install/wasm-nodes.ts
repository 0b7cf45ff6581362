/**
 * Dedicated wasm node pools on every managed cluster. EKS and GKE need them because their default node
 * images cannot run containerd-shim-spin (Amazon Linux 2023: we use Canonical's Ubuntu EKS image;
 * Container-Optimized OS: UBUNTU_CONTAINERD). AKS nodes (Azure Linux) run the shim as they are, but the
 * shim's install Job restarts containerd on every node it selects, all at once under the `recreate`
 * rollout (runtime-class-manager v0.2.0 implements no other): a pool of its own keeps that restart off the
 * system and user pools. An existing cluster gets no pool: the shim goes to the nodes labelled for it.
 * The pools carry WASM_NODE_LABEL, which the Shim's nodeSelector (and so the RuntimeClass) targets.
 */
import * as aws from "@pulumi/aws";
import * as containerservice from "@pulumi/azure-native/containerservice";
import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import { ec2Architecture, type Ec2Architecture } from "../../cluster/aws";
import { WASM_NODE_LABEL } from "./spinkube";

/** What every wasm pool takes: the cluster it joins (by name) and the nodes' size. */
export interface WasmNodePoolArgs {
    clusterName: pulumi.Input<string>;
    kubernetesVersion: string;
    instanceType: string;
    minNodes?: number;
    maxNodes?: number;
    tags?: pulumi.Input<Record<string, pulumi.Input<string>>>;
}

export interface AksWasmPoolArgs extends WasmNodePoolArgs {
    resourceGroupName: pulumi.Input<string>;
    /** The cluster's node subnet (the platform network's first node subnet). */
    nodeSubnetId: pulumi.Input<string>;
    /** Spread over availability zones 1-3 (the region has zones). */
    zonal: boolean;
}

export interface GkeWasmPoolArgs extends WasmNodePoolArgs {
    project: pulumi.Input<string>;
    region: string;
    /** The least-privilege node service account of the cluster's main pool. */
    nodeServiceAccountEmail: pulumi.Input<string>;
    /** Cloud KMS key that encrypts the nodes' boot disks (the main pool uses the platform key). */
    bootDiskKmsKey?: pulumi.Input<string>;
}

export interface EksWasmPoolArgs extends WasmNodePoolArgs {
    /** The node role of the cluster's main node group. */
    nodeRoleArn: pulumi.Input<string>;
    /** The security group of the cluster's nodes. */
    nodeSecurityGroupId: pulumi.Input<string>;
    /** The cluster's private node subnets. */
    subnetIds: pulumi.Input<string>[];
}

/**
 * AKS: a user pool "wasm" like the cluster's user pool (Azure Linux, the node subnet, zones, no public
 * IPs, encryption at host), labelled for the shim and autoscaled from one node.
 */
export function createAksWasmPool(
    name: string,
    args: AksWasmPoolArgs,
    opts: pulumi.CustomResourceOptions,
): containerservice.AgentPool {
    if (!args.nodeSubnetId) throw new Error(`createAksWasmPool ${name}: args.nodeSubnetId: ${JSON.stringify(args.nodeSubnetId)} is missing; allowed: the ID of the cluster's node subnet`);
    const min = args.minNodes ?? 1;
    return new containerservice.AgentPool(
        name,
        {
            resourceGroupName: args.resourceGroupName,
            resourceName: args.clusterName,
            agentPoolName: "wasm",
            mode: containerservice.AgentPoolMode.User,
            vmSize: args.instanceType,
            osType: containerservice.OSType.Linux,
            osSKU: containerservice.OSSKU.AzureLinux,
            type: containerservice.AgentPoolType.VirtualMachineScaleSets,
            vnetSubnetID: args.nodeSubnetId,
            availabilityZones: args.zonal ? ["1", "2", "3"] : undefined,
            enableNodePublicIP: false,
            enableEncryptionAtHost: true,
            enableAutoScaling: true,
            count: min,
            minCount: min,
            maxCount: args.maxNodes ?? 3,
            orchestratorVersion: args.kubernetesVersion,
            nodeLabels: WASM_NODE_LABEL,
            tags: args.tags,
        },
        // The autoscaler owns the node count after creation.
        { ...opts, ignoreChanges: ["count"] },
    );
}

/** GKE: an Ubuntu node pool, same least-privilege node account and metadata protection as the main pool. */
export function createGkeWasmPool(name: string, args: GkeWasmPoolArgs, opts: pulumi.CustomResourceOptions): gcp.container.NodePool {
    return new gcp.container.NodePool(
        name,
        {
            name: "wasm",
            cluster: args.clusterName,
            location: args.region,
            project: args.project,
            // Per zone: a regional pool spans the region's zones.
            autoscaling: { totalMinNodeCount: args.minNodes ?? 1, totalMaxNodeCount: args.maxNodes ?? 3, locationPolicy: "BALANCED" },
            management: { autoRepair: true, autoUpgrade: true },
            // Upgrades add a node before draining one, as on the main pool.
            upgradeSettings: { strategy: "SURGE", maxSurge: 1, maxUnavailable: 0 },
            nodeConfig: {
                machineType: args.instanceType,
                imageType: "UBUNTU_CONTAINERD",
                diskType: "pd-balanced",
                // Boot disks encrypted with the platform key, like the main pool's.
                bootDiskKmsKey: args.bootDiskKmsKey,
                // No unauthenticated kubelet read-only port (10255).
                kubeletConfig: { insecureKubeletReadonlyPortEnabled: "FALSE" },
                serviceAccount: args.nodeServiceAccountEmail,
                oauthScopes: ["https://www.googleapis.com/auth/cloud-platform"],
                labels: WASM_NODE_LABEL,
                workloadMetadataConfig: { mode: "GKE_METADATA" },
                shieldedInstanceConfig: { enableSecureBoot: true, enableIntegrityMonitoring: true },
                metadata: { "disable-legacy-endpoints": "true" },
            },
        },
        opts,
    );
}

/**
 * Canonical publishes the Ubuntu EKS node image id per Ubuntu release, Kubernetes minor and architecture
 * in SSM: ubuntu/eks/$RELEASE/$K8S_VERSION/stable/current/$ARCH/hvm/$VOL_TYPE/ami-id, ARCH amd64 or arm64
 * (Canonical's "Find Ubuntu images on AWS"). The architecture follows the pool's instance type.
 */
export function ubuntuEksAmiParameter(kubernetesVersion: string, arch: Ec2Architecture): string {
    return `/aws/service/canonical/ubuntu/eks/24.04/${kubernetesVersion}/stable/current/${arch === "arm64" ? "arm64" : "amd64"}/hvm/ebs-gp3/ami-id`;
}

/**
 * The containerd-shim-spin build for nodes of an instance type: its releases ship
 * containerd-shim-spin-v2-linux-x86_64.tar.gz and -linux-aarch64.tar.gz (spinframework/containerd-shim-spin
 * release assets). Derived from the same ec2Architecture as the pool's image.
 */
export function eksSpinShimArch(instanceType: string): "x86_64" | "aarch64" {
    return ec2Architecture(instanceType) === "arm64" ? "aarch64" : "x86_64";
}

/** EKS: a managed node group on Canonical's Ubuntu EKS image (custom AMI through a launch template). */
export function createEksWasmPool(name: string, args: EksWasmPoolArgs, opts: pulumi.CustomResourceOptions): aws.eks.NodeGroup {
    // Image and instance share one architecture (an amd64 image cannot boot a Graviton instance).
    const ami = aws.ssm.getParameterOutput({ name: ubuntuEksAmiParameter(args.kubernetesVersion, ec2Architecture(args.instanceType)) }, opts);
    const userData = pulumi.output(args.clusterName).apply((cluster) =>
        Buffer.from(`#!/bin/bash\nset -euo pipefail\n/etc/eks/bootstrap.sh ${cluster} --kubelet-extra-args '--node-labels=platform.io/wasm=true'\n`).toString("base64"),
    );
    const template = new aws.ec2.LaunchTemplate(
        `${name}-lt`,
        {
            imageId: ami.value,
            instanceType: args.instanceType,
            userData,
            // IMDSv2 only, one hop: pods cannot borrow the node's credentials.
            metadataOptions: { httpTokens: "required", httpPutResponseHopLimit: 1, httpEndpoint: "enabled" },
            blockDeviceMappings: [{ deviceName: "/dev/sda1", ebs: { volumeSize: 50, volumeType: "gp3", encrypted: "true", deleteOnTermination: "true" } }],
            vpcSecurityGroupIds: [args.nodeSecurityGroupId],
            tagSpecifications: [{ resourceType: "instance", tags: args.tags }],
        },
        opts,
    );
    return new aws.eks.NodeGroup(
        name,
        {
            clusterName: args.clusterName,
            nodeRoleArn: args.nodeRoleArn,
            subnetIds: args.subnetIds,
            scalingConfig: { minSize: args.minNodes ?? 1, desiredSize: args.minNodes ?? 1, maxSize: args.maxNodes ?? 3 },
            launchTemplate: { id: template.id, version: template.latestVersion.apply(String) },
            labels: WASM_NODE_LABEL,
            tags: args.tags,
        },
        { ...opts, ignoreChanges: ["scalingConfig.desiredSize"] },
    );
}
