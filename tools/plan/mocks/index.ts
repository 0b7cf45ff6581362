import type * as pulumi from "@pulumi/pulumi";
import { awsMocks } from "./aws";
import { azureMocks } from "./azure";
import { gcpMocks } from "./gcp";
import { kubernetesMocks } from "./kubernetes";
import { serverlessMocks } from "./serverless";
import { streamingMocks } from "./streaming";
import type { CloudMocks } from "./types";

const ALL: CloudMocks[] = [serverlessMocks, streamingMocks, awsMocks, azureMocks, gcpMocks, kubernetesMocks];

/**
 * The platform's mocks for `pulumi.runtime.setMocks`: every resource echoes its inputs (as a
 * provider's preview does) plus realistic computed outputs, and every invoke the program makes
 * returns a plausible answer. An invoke nobody mocked fails loudly rather than returning `{}`, so
 * a new data source cannot silently plan against nothing.
 */
export function platformMocks(): pulumi.runtime.Mocks {
    const resources = Object.assign({}, ...ALL.map((m) => m.resources));
    const calls = Object.assign({}, ...ALL.map((m) => m.calls));
    return {
        newResource(args) {
            const extra = resources[args.type]?.(args) ?? {};
            const id = args.custom === false ? undefined : (extra["id"] as string | undefined) ?? `${args.name}-id`;
            return { id: id ?? "", state: { ...args.inputs, ...extra } };
        },
        call(args) {
            const mock = calls[args.token];
            if (!mock) {
                throw new Error(`no mock result for the provider function ${args.token}; add one to tools/plan/mocks/`);
            }
            return mock(args);
        },
    };
}
