import { awsMeshValues } from "./aws";
import { azureMeshValues } from "./azure";
import { gcpMeshValues } from "./gcp";
import { kubernetesMeshValues } from "./kubernetes";
import type { MeshPlatform, MeshPlatformValues } from "./types";

export { MESH_PLATFORMS, type MeshPlatform, type MeshPlatformValues } from "./types";

/** The per-platform values for a cluster target; `kubernetesCni` only matters for the kubernetes target. */
export function meshPlatformValues(platform: MeshPlatform, kubernetesCni: string = "default"): MeshPlatformValues {
    switch (platform) {
        case "aws":
            return awsMeshValues;
        case "azure":
            return azureMeshValues;
        case "gcp":
            return gcpMeshValues;
        case "kubernetes":
            return kubernetesMeshValues(kubernetesCni);
    }
}
