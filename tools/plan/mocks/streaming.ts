/**
 * Event-streaming mocks: the computed outputs MSK, Event Hubs, Google Managed Kafka and the Azure
 * private-endpoint/DNS resources would return (ARNs, resource ids, bootstrap addresses, names the
 * providers auto-generate), in each service's own formats. Deterministic: derived from resource names.
 */
import * as pulumi from "@pulumi/pulumi";
import { hex, regionOf } from "./aws";
import { MOCK_AWS_ACCOUNT, MOCK_AZURE_SUBSCRIPTION, MOCK_GCP_PROJECT, type CloudMocks } from "./types";

type Args = pulumi.runtime.MockResourceArgs;

const str = (v: unknown): string | undefined => (typeof v === "string" && v ? v : undefined);
const kafkaArn = (a: Args, resource: string) => `arn:aws:kafka:${regionOf(a)}:${MOCK_AWS_ACCOUNT}:${resource}`;
const uuid = (seed: string) => `${hex(seed, 8)}-${hex(seed + "a", 4)}-4${hex(seed + "b", 3)}-8${hex(seed + "c", 3)}-${hex(seed + "d", 12)}`;

function azureId(a: Args, provider: string, ...path: string[]): string {
    return `/subscriptions/${MOCK_AZURE_SUBSCRIPTION}/resourceGroups/${str(a.inputs.resourceGroupName) ?? "rg"}/providers/${provider}/${path.join("/")}`;
}
/** azure-native auto-names resources from the logical name plus a random suffix. */
const autoName = (a: Args, key: string) => str(a.inputs[key]) ?? `${a.name}${hex(a.name, 8)}`;

function mskCluster(a: Args) {
    const name = str(a.inputs.clusterName) ?? a.name;
    const clusterUuid = `${uuid(a.name)}-2`;
    return { name, clusterUuid, arn: kafkaArn(a, `cluster/${name}/${clusterUuid}`) };
}

export const streamingMocks: CloudMocks = {
    resources: {
        "aws:ec2/securityGroup:SecurityGroup": (a) => {
            const id = `sg-0${hex(a.name, 16)}`;
            return { id, arn: `arn:aws:ec2:${regionOf(a)}:${MOCK_AWS_ACCOUNT}:security-group/${id}`, ownerId: MOCK_AWS_ACCOUNT, name: `${a.name}-${hex(a.name, 7)}` };
        },
        "aws:msk/configuration:Configuration": (a) => ({
            arn: kafkaArn(a, `configuration/${str(a.inputs.name) ?? a.name}/${uuid(a.name)}-3`),
            latestRevision: 1,
        }),
        "aws:msk/cluster:Cluster": (a) => {
            const c = mskCluster(a);
            const host = (i: number) => `b-${i}.${c.name}.${hex(a.name, 6)}.c2.kafka.${regionOf(a)}.amazonaws.com`;
            return {
                id: c.arn,
                arn: c.arn,
                clusterUuid: c.clusterUuid,
                bootstrapBrokersSaslIam: [1, 2, 3].map((i) => `${host(i)}:9098`).join(","),
                bootstrapBrokersTls: "",
                currentVersion: "K3AEGXETSR30VB",
            };
        },
        "aws:msk/serverlessCluster:ServerlessCluster": (a) => {
            const c = mskCluster(a);
            return {
                id: c.arn,
                arn: c.arn,
                clusterUuid: c.clusterUuid,
                bootstrapBrokersSaslIam: `boot-${hex(a.name, 8)}.c2.kafka-serverless.${regionOf(a)}.amazonaws.com:9098`,
            };
        },
        "aws:msk/topic:Topic": (a) => {
            const cluster = str(a.inputs.clusterArn) ?? kafkaArn(a, "cluster/unknown/0");
            const arn = `${cluster.replace(":cluster/", ":topic/")}/${str(a.inputs.name)}`;
            return { id: `${cluster},${str(a.inputs.name)}`, arn, configsActual: a.inputs.configs ?? "{}" };
        },
        "aws:eks/podIdentityAssociation:PodIdentityAssociation": (a) => {
            const associationId = `a-${hex(a.name, 17)}`;
            return { id: associationId, associationId, associationArn: `arn:aws:eks:${regionOf(a)}:${MOCK_AWS_ACCOUNT}:podidentityassociation/${str(a.inputs.clusterName)}/${associationId}` };
        },

        "azure-native:eventhub:Namespace": (a) => {
            const name = autoName(a, "namespaceName");
            return {
                id: azureId(a, "Microsoft.EventHub", "namespaces", name),
                name,
                serviceBusEndpoint: `https://${name}.servicebus.windows.net:443/`,
                status: "Active",
            };
        },
        "azure-native:eventhub:EventHub": (a) => {
            const name = autoName(a, "eventHubName");
            return { id: azureId(a, "Microsoft.EventHub", "namespaces", str(a.inputs.namespaceName) ?? "ns", "eventhubs", name), name, partitionIds: [] };
        },
        "azure-native:network:PrivateEndpoint": (a) => {
            const name = autoName(a, "privateEndpointName");
            return { id: azureId(a, "Microsoft.Network", "privateEndpoints", name), name };
        },
        "azure-native:network:PrivateDnsZoneGroup": (a) => {
            const name = autoName(a, "privateDnsZoneGroupName");
            return { id: azureId(a, "Microsoft.Network", "privateEndpoints", str(a.inputs.privateEndpointName) ?? "pe", "privateDnsZoneGroups", name), name };
        },
        "azure-native:privatedns:PrivateZone": (a) => {
            const name = autoName(a, "privateZoneName");
            return { id: azureId(a, "Microsoft.Network", "privateDnsZones", name), name };
        },
        "azure-native:privatedns:VirtualNetworkLink": (a) => {
            const name = autoName(a, "virtualNetworkLinkName");
            return { id: azureId(a, "Microsoft.Network", "privateDnsZones", str(a.inputs.privateZoneName) ?? "zone", "virtualNetworkLinks", name), name };
        },
        "azure-native:managedidentity:FederatedIdentityCredential": (a) => {
            const name = autoName(a, "federatedIdentityCredentialResourceName");
            return { id: azureId(a, "Microsoft.ManagedIdentity", "userAssignedIdentities", str(a.inputs.resourceName) ?? "id", "federatedIdentityCredentials", name), name };
        },

        "gcp:managedkafka/cluster:Cluster": (a) => {
            const project = str(a.inputs.project) ?? MOCK_GCP_PROJECT;
            const name = `projects/${project}/locations/${str(a.inputs.location)}/clusters/${str(a.inputs.clusterId)}`;
            return { id: name, name, project, state: "ACTIVE" };
        },
        "gcp:managedkafka/topic:Topic": (a) => {
            const project = str(a.inputs.project) ?? MOCK_GCP_PROJECT;
            const name = `projects/${project}/locations/${str(a.inputs.location)}/clusters/${str(a.inputs.cluster)}/topics/${str(a.inputs.topicId)}`;
            return { id: name, name, project };
        },
        "gcp:managedkafka/acl:Acl": (a) => {
            const project = str(a.inputs.project) ?? MOCK_GCP_PROJECT;
            const name = `projects/${project}/locations/${str(a.inputs.location)}/clusters/${str(a.inputs.cluster)}/acls/${str(a.inputs.aclId)}`;
            return { id: name, project, etag: hex(a.name, 12) };
        },
        "gcp:serviceaccount/iAMMember:IAMMember": (a) => ({ id: `${str(a.inputs.serviceAccountId)}/${str(a.inputs.role)}/${str(a.inputs.member)}`, etag: hex(a.name, 12) }),

        "kubernetes:helm.sh/v3:Release": (a) => ({
            status: { name: str(a.inputs.name) ?? a.name, namespace: a.inputs.namespace, status: "deployed", version: a.inputs.version, revision: 1 },
        }),
    },
    calls: {},
};
