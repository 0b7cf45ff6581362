/**
 * What the namespace of a Kafka client needs beyond default deny to reach a managed Kafka backend: the
 * backend's client port on the platform network, and where the pod's workload identity gets its cloud
 * credentials. Used by the namespaces of the serverless services (stacks/serverless.ts); any namespace
 * holding Kafka clients of a managed backend needs the same.
 */
import type * as k8s from "@pulumi/kubernetes";
import type { PlatformNamespaceArgs } from "../namespace";
import { withHttpsDefault, type EgressExceptionArgs } from "../serverless/install/egress";
import { EVENT_HUBS_KAFKA_PORT } from "./eventhubs";
import { GCP_MANAGED_KAFKA_PORT } from "./gcp-managed-kafka";
import { MSK_IAM_PORT } from "./msk";

/** Port clients use to reach each managed Kafka backend (Strimzi runs in the cluster, behind the mesh). */
export const MANAGED_KAFKA_PORT: Record<string, number> = { msk: MSK_IAM_PORT, eventhubs: EVENT_HUBS_KAFKA_PORT, "gcp-managed-kafka": GCP_MANAGED_KAFKA_PORT };

type EgressRule = k8s.types.input.networking.v1.NetworkPolicyEgressRule;
const to = (cidr: string, port: number): EgressRule => ({ to: [{ ipBlock: { cidr } }], ports: [{ protocol: "TCP", port }] });

/**
 * Where a pod on each managed cluster gets its cloud credentials through workload identity, which a
 * default-deny namespace must let the Kafka clients reach:
 * - EKS Pod Identity: the node's Pod Identity Agent, 169.254.170.23:80;
 * - GKE Workload Identity: the GKE metadata server, 169.254.169.254:80 (and 169.254.169.252:988 on
 *   Dataplane V2, as Google's network-policy guidance for workload identity lists);
 * - AKS workload identity: the pod exchanges its projected token with Entra ID itself, on 443 of a public
 *   endpoint (login.microsoftonline.com): the named egress exception `entra-id`, in its own NetworkPolicy.
 */
export const CREDENTIAL_EGRESS: Record<string, EgressRule[]> = {
    aws: [to("169.254.170.23/32", 80)],
    gcp: [to("169.254.169.254/32", 80), to("169.254.169.252/32", 988)],
    azure: [],
};

export interface KafkaClientEgressArgs {
    /** The managed cluster's cloud: "aws", "azure" or "gcp". */
    cloud: string;
    /** The Kafka backend on that cloud (STREAMING_BACKENDS); "strimzi" needs nothing here. */
    backend: string;
    /** The platform network's range, where the brokers' private endpoints are. */
    platformCidr: string;
    /** The client pods' `app.kubernetes.io/name` labels (their service names) in this namespace. */
    clients: string[];
    /** AKS: the `entra-id` egress exception (ports default to 443); required there with clients. */
    entraIdEgress?: EgressExceptionArgs;
}

/** The PlatformNamespace fields that open a managed Kafka backend to the namespace's clients. */
export interface KafkaClientEgress {
    extraPolicies: NonNullable<PlatformNamespaceArgs["extraPolicies"]>;
    egressExceptions: NonNullable<PlatformNamespaceArgs["egressExceptions"]>;
}

/**
 * The Kafka clients of a namespace, and only they, may open the managed backend's client port to the
 * platform network's range, and reach where their workload identity gets its credentials (on AKS through
 * the `entra-id` egress exception). Nothing for Strimzi or without clients.
 */
export function kafkaClientEgress(args: KafkaClientEgressArgs): KafkaClientEgress {
    const credentials = CREDENTIAL_EGRESS[args.cloud];
    if (!credentials) {
        throw new Error(`kafkaClientEgress: args.cloud: ${JSON.stringify(args.cloud)} is not allowed; allowed: ${Object.keys(CREDENTIAL_EGRESS).map((c) => JSON.stringify(c)).join(", ")}`);
    }
    const port = MANAGED_KAFKA_PORT[args.backend];
    if (port === undefined || args.clients.length === 0) return { extraPolicies: [], egressExceptions: [] };
    if (args.cloud === "azure" && !args.entraIdEgress) {
        throw new Error(`kafkaClientEgress: args.entraIdEgress: missing; allowed: the "entra-id" egress exception, which AKS Kafka clients need for their workload identity tokens`);
    }
    const podSelector = { matchExpressions: [{ key: "app.kubernetes.io/name", operator: "In", values: args.clients }] };
    return {
        extraPolicies: [
            {
                name: "allow-kafka-egress",
                spec: { podSelector, policyTypes: ["Egress"], egress: [to(args.platformCidr, port), ...credentials] },
            },
        ],
        egressExceptions: args.cloud === "azure" && args.entraIdEgress ? [{ exception: withHttpsDefault(args.entraIdEgress), podSelector }] : [],
    };
}
