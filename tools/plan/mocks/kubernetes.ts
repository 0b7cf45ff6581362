import type { CloudMocks } from "./types";

export const kubernetesMocks: CloudMocks = {
    resources: {},
    calls: {},
};
