import type { CloudMocks } from "./types";

export const azureMocks: CloudMocks = {
    resources: {},
    calls: {},
};
