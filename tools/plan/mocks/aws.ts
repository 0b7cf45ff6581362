import type { CloudMocks } from "./types";

export const awsMocks: CloudMocks = {
    resources: {},
    calls: {},
};
