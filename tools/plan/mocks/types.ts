import type * as pulumi from "@pulumi/pulumi";

export type ResourceMock = (args: pulumi.runtime.MockResourceArgs) => Record<string, unknown>;
export type CallMock = (args: pulumi.runtime.MockCallArgs) => Record<string, unknown>;

/** What one cloud contributes to the mock runtime: computed outputs by resource type, invoke results by token. */
export interface CloudMocks {
    /** Extra state (computed outputs) per resource type token; inputs are echoed back underneath. */
    resources: Record<string, ResourceMock>;
    /** Results of provider functions (invokes) per function token. */
    calls: Record<string, CallMock>;
}

/** Fake but well-formed identifiers used across the mocks. */
export const MOCK_AWS_ACCOUNT = "123456789012";
export const MOCK_GCP_PROJECT = "platform-dev-123456";
export const MOCK_AZURE_SUBSCRIPTION = "00000000-0000-0000-0000-000000000000";
export const MOCK_AZURE_TENANT = "11111111-1111-1111-1111-111111111111";
/** A syntactically valid base64 PEM stand-in for cluster CA certificates. */
export const MOCK_CA_DATA = Buffer.from("-----BEGIN CERTIFICATE-----\nMOCK\n-----END CERTIFICATE-----\n").toString("base64");
