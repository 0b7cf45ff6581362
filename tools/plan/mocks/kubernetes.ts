import { createHash } from "node:crypto";
import type { CloudMocks, ResourceMock } from "./types";

/**
 * The name pulumi-kubernetes gives an object without metadata.name: the resource name, a dash and a
 * random suffix. Here the suffix is a hash of the resource name, so plans are reproducible.
 */
export function mockKubernetesAutoName(resourceName: string): string {
    return `${resourceName}-${createHash("sha256").update(resourceName).digest("hex").slice(0, 8)}`;
}

/** Echo the inputs with metadata.name auto-named when the program left it out. */
const autoNamed: ResourceMock = (args) => {
    const metadata = (args.inputs["metadata"] ?? {}) as Record<string, unknown>;
    return metadata["name"] ? {} : { metadata: { ...metadata, name: mockKubernetesAutoName(args.name) } };
};

export const kubernetesMocks: CloudMocks = {
    resources: { "kubernetes:core/v1:ConfigMap": autoNamed },
    calls: {},
};
