/**
 * Event streaming: Kafka-compatible topics and least-privilege clients, one component per backend behind
 * the shared outputs `EventStreamingOutputs` (common.ts):
 * - `MskKafka` (msk.ts): Amazon MSK, provisioned or serverless, IAM clients through EKS Pod Identity;
 * - `EventHubsKafka` (eventhubs.ts): Azure Event Hubs' Kafka endpoint, managed identities through AKS workload identity;
 * - `GcpManagedKafka` (gcp-managed-kafka.ts): Google Managed Service for Apache Kafka, service accounts through GKE workload identity;
 * - `StrimziKafka` (strimzi.ts): Strimzi on a Kubernetes cluster, KafkaUsers with SCRAM credentials.
 * Every client gets the backend's native identity with exactly the rights its topics need; nothing
 * authenticates with shared keys and nothing is reachable from the internet. `streamingBackendFor`
 * says which backend a target uses.
 */
export {
    CLEANUP_POLICIES,
    clientTopics,
    CREDENTIAL_KEYS,
    HOUR_MS,
    kafkaCredentialSecret,
    minInSync,
    STREAMING_BACKEND_CHOICES,
    STREAMING_BACKENDS,
    STREAMING_SIZES,
    STREAMING_TARGETS,
    streamingBackendFor,
    workloadIdentityBinding,
    type CleanupPolicy,
    type ClientAccess,
    type ClientCredentials,
    type EventStreamingOutputs,
    type KafkaClient,
    type KafkaClientSettings,
    type StreamingBackend,
    type StreamingClient,
    type StreamingCommonArgs,
    type StreamingSize,
    type StreamingTopic,
} from "./common";
export { EventHubsKafka, eventHubsKafkaProblems, type EventHubsKafkaArgs } from "./eventhubs";
export { GcpManagedKafka, gcpManagedKafkaProblems, type GcpManagedKafkaArgs } from "./gcp-managed-kafka";
export { MskKafka, mskKafkaProblems, type MskKafkaArgs } from "./msk";
export { managedClusterRetainStorage, StrimziKafka, strimziKafkaProblems, type StrimziKafkaArgs, type StrimziRetainStorage } from "./strimzi";
export { brokerCount, kubernetesName, streamingProblems, TOPIC_NAME_RULES } from "./validate";
