import type { CloudMocks } from "./types";

export const gcpMocks: CloudMocks = {
    resources: {},
    calls: {},
};
