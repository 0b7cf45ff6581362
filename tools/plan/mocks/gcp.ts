import type * as pulumi from "@pulumi/pulumi";
import { MOCK_CA_DATA, MOCK_GCP_PROJECT, type CloudMocks } from "./types";

/** The project number the mocked project resolves to (service-agent emails embed it). */
export const MOCK_GCP_PROJECT_NUMBER = "123456789012";

type Inputs = Record<string, any>;

/** The name a resource gets: its explicit name, or a Pulumi-style auto-name with a fixed suffix. */
function nameOf(args: pulumi.runtime.MockResourceArgs): string {
    return (args.inputs as Inputs)["name"] ?? `${args.name}-a1b2c3d`;
}

function projectOf(args: pulumi.runtime.MockResourceArgs): string {
    return (args.inputs as Inputs)["project"] ?? MOCK_GCP_PROJECT;
}

const COMPUTE = "https://www.googleapis.com/compute/v1";

export const gcpMocks: CloudMocks = {
    resources: {
        "gcp:kms/keyRing:KeyRing": (args) => {
            const name = nameOf(args);
            return { id: `projects/${projectOf(args)}/locations/${args.inputs.location}/keyRings/${name}`, name };
        },
        "gcp:kms/cryptoKey:CryptoKey": (args) => {
            const name = nameOf(args);
            return { id: `${args.inputs.keyRing}/cryptoKeys/${name}`, name, primaries: [] };
        },
        "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember": (args) => ({
            id: `${args.inputs.cryptoKeyId}/${args.inputs.role}/${args.inputs.member}`,
            etag: "BwYmockEtag=",
        }),
        "gcp:compute/network:Network": (args) => {
            const name = nameOf(args);
            const id = `projects/${projectOf(args)}/global/networks/${name}`;
            return { id, name, selfLink: `${COMPUTE}/${id}`, numericId: "4815162342", gatewayIpv4: "" };
        },
        "gcp:compute/subnetwork:Subnetwork": (args) => {
            const name = nameOf(args);
            const id = `projects/${projectOf(args)}/regions/${args.inputs.region}/subnetworks/${name}`;
            const gateway = String(args.inputs.ipCidrRange ?? "10.0.0.0/24").replace(/\.0\/\d+$/, ".1");
            return { id, name, selfLink: `${COMPUTE}/${id}`, gatewayAddress: gateway, fingerprint: "mockfp" };
        },
        "gcp:compute/router:Router": (args) => {
            const name = nameOf(args);
            const id = `projects/${projectOf(args)}/regions/${args.inputs.region}/routers/${name}`;
            return { id, name, selfLink: `${COMPUTE}/${id}` };
        },
        "gcp:compute/routerNat:RouterNat": (args) => {
            const name = nameOf(args);
            return { id: `${projectOf(args)}/${args.inputs.region}/${args.inputs.router}/${name}`, name };
        },
        "gcp:serviceaccount/account:Account": (args) => {
            const email = `${args.inputs.accountId}@${projectOf(args)}.iam.gserviceaccount.com`;
            return {
                id: `projects/${projectOf(args)}/serviceAccounts/${email}`,
                name: `projects/${projectOf(args)}/serviceAccounts/${email}`,
                email,
                member: `serviceAccount:${email}`,
                uniqueId: "109876543210987654321",
            };
        },
        "gcp:projects/iAMMember:IAMMember": (args) => ({
            id: `${projectOf(args)}/${args.inputs.role}/${args.inputs.member}`,
            etag: "BwYmockEtag=",
        }),
        "gcp:container/cluster:Cluster": (args) => {
            const name = nameOf(args);
            const inputs = args.inputs as Inputs;
            // A PSC control plane takes an address from the node subnetwork.
            const privateEndpoint = "10.30.0.2";
            return {
                id: `projects/${projectOf(args)}/locations/${inputs.location}/clusters/${name}`,
                name,
                selfLink: `https://container.googleapis.com/v1/projects/${projectOf(args)}/locations/${inputs.location}/clusters/${name}`,
                endpoint: privateEndpoint,
                masterVersion: `${inputs.minMasterVersion ?? "1.34"}.1-gke.1000000`,
                privateClusterConfig: { ...inputs.privateClusterConfig, privateEndpoint, publicEndpoint: "", peeringName: "" },
                // GKE gives every cluster a DNS endpoint name under <location>.gke.goog (known after apply).
                controlPlaneEndpointsConfig: {
                    ...inputs.controlPlaneEndpointsConfig,
                    dnsEndpointConfig: {
                        ...inputs.controlPlaneEndpointsConfig?.dnsEndpointConfig,
                        endpoint: `gke-0f1e2d3c4b5a69788796a5b4c3d2e1f0-${MOCK_GCP_PROJECT_NUMBER}.${inputs.location}.gke.goog`,
                    },
                },
                masterAuth: { ...inputs.masterAuth, clusterCaCertificate: MOCK_CA_DATA, clientCertificate: "", clientKey: "" },
                labelFingerprint: "mocklabels",
                operation: "",
            };
        },
        "gcp:container/nodePool:NodePool": (args) => {
            const name = nameOf(args);
            const inputs = args.inputs as Inputs;
            return {
                id: `projects/${projectOf(args)}/locations/${inputs.location}/clusters/${inputs.cluster}/nodePools/${name}`,
                name,
                version: "1.34.1-gke.1000000",
                instanceGroupUrls: [],
                managedInstanceGroupUrls: [],
            };
        },
    },
    calls: {
        "gcp:organizations/getProject:getProject": (args) => {
            const projectId = (args.inputs as Inputs)["projectId"] ?? MOCK_GCP_PROJECT;
            return { id: `projects/${projectId}`, projectId, number: MOCK_GCP_PROJECT_NUMBER, name: projectId, labels: {} };
        },
        "gcp:organizations/getClientConfig:getClientConfig": () => ({
            id: "mock-client-config",
            project: MOCK_GCP_PROJECT,
            region: "europe-west1",
            zone: "europe-west1-b",
            accessToken: "mock-access-token",
            defaultLabels: {},
        }),
    },
};
