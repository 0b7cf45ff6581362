import type { NodePoolSizing } from "../components/cluster";
import type { Cloud } from "../components/regions";
import type { NodeSize, PlatformConfig } from "./config";

/**
 * Node sizes per cloud for `platform:cluster.nodeSize`. AWS uses Graviton (arm64): the same work
 * for less energy. Azure and GCP use x86 general-purpose sizes that exist in every region; an
 * explicit `platform:cluster.nodeTypes.<cloud>` overrides the table.
 */
export const NODE_TYPES: Record<Cloud, Record<NodeSize, string>> = {
    aws: { small: "m7g.large", medium: "m7g.xlarge", large: "m7g.2xlarge" },
    azure: { small: "Standard_D2s_v5", medium: "Standard_D4s_v5", large: "Standard_D8s_v5" },
    gcp: { small: "e2-standard-2", medium: "e2-standard-4", large: "e2-standard-8" },
};

export function nodeSizing(cloud: Cloud, config: PlatformConfig): NodePoolSizing {
    return {
        instanceType: config.cluster.nodeTypes[cloud] ?? NODE_TYPES[cloud][config.cluster.nodeSize],
        minNodes: config.cluster.minNodes,
        maxNodes: config.cluster.maxNodes,
    };
}
