/**
 * Serverless services (`platform:services`) on every target they are placed on: Cloud Run, Container
 * Apps, Lambda / ECS Express Mode, and Knative or SpinKube on the clusters. Shared runtimes (Container Apps
 * environment, ECS cluster, Knative, SpinKube, wasm node pools) are created once per target, only when a
 * service there needs them.
 */
import * as aws from "@pulumi/aws";
import type * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { ClusterTarget } from "../components/cluster";
import { allowSpanSenders } from "../components/mesh";
import { PlatformNamespace, type PlatformNamespaceArgs } from "../components/namespace";
import { ServerlessService, type ServerlessServiceArgs, type WorkloadIdentityBinding } from "../components/serverless";
import { ContainerAppsEnvironment } from "../components/serverless/containerapps";
import { KnativeRuntime } from "../components/serverless/install/knative";
import { spinAppExecutor, SpinKubeRuntime } from "../components/serverless/install/spinkube";
import { AZURE_ZONAL_REGIONS } from "../components/regions";
import { createAksWasmPool, createEksWasmPool, createGkeWasmPool, eksSpinShimArch } from "../components/serverless/install/wasm-nodes";
import { CREDENTIAL_KEYS, kafkaCredentialSecret, workloadIdentityBinding } from "../components/streaming";
import { EVENT_HUBS_KAFKA_PORT } from "../components/streaming/eventhubs";
import { GCP_MANAGED_KAFKA_PORT } from "../components/streaming/gcp-managed-kafka";
import { MSK_IAM_PORT } from "../components/streaming/msk";
import type { PlatformConfig } from "./config";
import { egressException } from "./config/egress";
import { kafkaBackendFor } from "./config/kafka";
import { imageFor, placementsOf } from "./config/services";
import type { InstalledMeshes } from "./mesh";
import type { Foundation } from "./platform";
import { nodeSizing } from "./sizing";
import type { TargetStreaming } from "./streaming";

/** Namespaces the cluster services live in. */
export const SERVERLESS_NAMESPACE = "serverless";
export const WASM_NAMESPACE = "wasm";

export interface ServiceEndpoint {
    platform: string;
    url: pulumi.Output<string>;
    identity: pulumi.Output<string>;
}

/** Per service, per target: platform, internal URL and identity. */
export type ServerlessOutputs = Record<string, Partial<Record<ClusterTarget, ServiceEndpoint>>>;

function enabledTargets(config: PlatformConfig): ClusterTarget[] {
    return config.clouds as ClusterTarget[];
}

export function addServerless(foundation: Foundation, config: PlatformConfig, streaming: Partial<Record<ClusterTarget, TargetStreaming>>, meshes: InstalledMeshes): ServerlessOutputs {
    const services = config.services;
    const outputs: ServerlessOutputs = {};
    if (services.length === 0) return outputs;
    const prefix = foundation.prefix;
    const tags = { "managed-by": "pulumi", platform: "platform", ...config.tags };

    const placed = services.flatMap((s) => placementsOf(s, enabledTargets(config)).map((p) => ({ service: s, ...p })));

    // Lazily created shared runtimes, one per target.
    const azureEnvs: Partial<Record<ClusterTarget, ContainerAppsEnvironment>> = {};
    let ecsCluster: aws.ecs.Cluster | undefined;
    const knative: Partial<Record<ClusterTarget, { runtime: KnativeRuntime; ns: PlatformNamespace }>> = {};
    const spanSenders: Partial<Record<ClusterTarget, { namespace: string; serviceAccount: string }[]>> = {};
    const spin: Partial<Record<ClusterTarget, { runtime: SpinKubeRuntime; ns: PlatformNamespace; deps: pulumi.Resource[] }>> = {};

    // Strimzi clients' SCRAM credentials: the Strimzi component leaves the Secrets of these namespaces to
    // their owner (created here, after Kafka), so each client's pods read them in their own namespace.
    // Each Secret by target and name, so the workloads that read it are ordered after it (a component's
    // dependsOn does not reach its children).
    const credentialSecrets = new Map<string, k8s.core.v1.Secret>();
    const kafkaCredentialsIn = (ns: PlatformNamespace, namespace: string, target: ClusterTarget, provider: k8s.Provider) => {
        for (const access of Object.values(streaming[target]?.clients ?? {})) {
            if (access.namespace !== namespace || !access.credentials) continue;
            const secret = kafkaCredentialSecret(`${prefix}-${target}-kafka-credentials-${access.credentials.username}`, access.credentials, ns.namespaceName, { provider, dependsOn: [ns] });
            credentialSecrets.set(`${target}/${access.credentials.secretName}`, secret);
        }
    };

    const knativeOn = (target: ClusterTarget) => {
        if (knative[target]) return knative[target]!;
        const provider = foundation.clusters[target]!.provider;
        // meshReady: Knative's own AuthorizationPolicies wait for this cluster's Istio CRDs.
        const network = foundation.clusters[target]!.networkFacts;
        // Its controller resolves image tags to digests at the registries (parsePlatformConfig requires the exception).
        const registryEgress = egressException(config.network.egressExceptions, "image-registries");
        const runtime = new KnativeRuntime(`${prefix}-${target}-knative`, { meshReady: meshes[target]?.ready, network, registryEgress }, { provider });
        const ns = new PlatformNamespace(
            `${prefix}-${target}-serverless-ns`,
            { name: SERVERLESS_NAMESPACE, network, ...kafkaEgress(config, target, SERVERLESS_NAMESPACE) },
            { provider },
        );
        kafkaCredentialsIn(ns, SERVERLESS_NAMESPACE, target, provider);
        return (knative[target] = { runtime, ns });
    };

    const spinOn = (target: ClusterTarget) => {
        if (spin[target]) return spin[target]!;
        const cluster = foundation.clusters[target]!;
        const provider = cluster.provider;
        const cloud = target === "kubernetes" ? undefined : foundation.clouds[target];
        const deps: pulumi.Resource[] = [];
        if (cloud && (target === "aws" || target === "gcp" || target === "azure")) {
            const poolArgs = {
                cluster,
                network: cloud.network,
                region: cloud.region,
                kubernetesVersion: config.cluster.kubernetesVersion,
                instanceType: nodeSizing(target, config).instanceType,
                // GKE: boot disks under the platform key, like the main pool (EKS uses the account EBS key).
                bootDiskKmsKey: target === "gcp" ? cloud.key.keyId : undefined,
                tags,
            };
            deps.push(
                target === "gcp"
                    ? createGkeWasmPool(`${prefix}-gcp-wasm-pool`, poolArgs, { provider: cloud.provider })
                    : target === "azure"
                      ? createAksWasmPool(
                            `${prefix}-az-wasm-pool`,
                            { ...poolArgs, resourceGroupName: cloud.azure!.resourceGroupName, zonal: AZURE_ZONAL_REGIONS.has(cloud.region) },
                            { provider: cloud.provider },
                        )
                      : createEksWasmPool(`${prefix}-aws-wasm-pool`, poolArgs, { provider: cloud.provider }),
            );
        }
        // Managed clusters: the wasm pool (WASM_NODE_LABEL, the runtime's default). An existing cluster:
        // every Linux node takes the shim (label nodes and pass a narrower selector to limit it).
        const nodeSelector = cloud ? undefined : { "kubernetes.io/os": "linux" };
        // EKS: the shim build matches the wasm pool's instance architecture (Graviton by default).
        const arch = target === "aws" ? eksSpinShimArch(nodeSizing("aws", config).instanceType) : undefined;
        // Its install Jobs download the shim from GitHub (parsePlatformConfig requires the exception).
        const shimDownload = egressException(config.network.egressExceptions, "spin-shim-download");
        const runtime = new SpinKubeRuntime(`${prefix}-${target}-spinkube`, { nodeSelector, arch, network: cluster.networkFacts, shimDownload }, { provider, dependsOn: deps });
        // SpinApp (0.6) exposes no pod securityContext, so its pods cannot meet "restricted"; the wasm
        // sandbox (no syscalls, capability-based WASI) is the isolation, and the namespace enforces baseline.
        const ns = new PlatformNamespace(
            `${prefix}-${target}-wasm-ns`,
            { name: WASM_NAMESPACE, podSecurity: "baseline", network: cluster.networkFacts, ...kafkaEgress(config, target, WASM_NAMESPACE) },
            { provider },
        );
        kafkaCredentialsIn(ns, WASM_NAMESPACE, target, provider);
        const executor = spinAppExecutor(`${prefix}-${target}-spin-executor`, ns.namespaceName, { provider, dependsOn: [...runtime.ready, ns] });
        return (spin[target] = { runtime, ns, deps: [executor, ...runtime.ready] });
    };

    for (const { service, target, platform } of placed) {
        const base: ServerlessServiceArgs = {
            platform,
            name: service.name,
            runtime: service.runtime,
            // The target's own copy where its runtime needs one (Lambda: ECR in the region), else image.
            image: imageFor(service, target),
            port: service.port,
            minScale: service.minScale,
            maxScale: service.maxScale,
            concurrency: service.concurrency,
            cpu: service.cpu,
            memory: service.memory,
            env: service.env,
            public: service.public,
            edgeException: service.edgeException,
            tags,
        };
        const resourceName = `${prefix}-${target}-${service.name}`;
        let svc: ServerlessService;
        if (platform === "knative" || platform === "spin") {
            const provider = foundation.clusters[target]!.provider;
            const rt = platform === "knative" ? knativeOn(target) : spinOn(target);
            const deps = "deps" in rt ? [...rt.deps, rt.ns] : [...rt.runtime.ready, rt.ns];
            (spanSenders[target] ??= []).push({ namespace: platform === "knative" ? SERVERLESS_NAMESPACE : WASM_NAMESPACE, serviceAccount: service.name });
            svc = new ServerlessService(
                resourceName,
                {
                    ...base,
                    // Where its topics are and how to reach them; the service's own env wins.
                    env: { ...kafkaEnvOf(streaming, target, service.name), ...service.env },
                    meshInvokers: service.invokers.kubernetes,
                    // meshReady: the service's AuthorizationPolicies wait for this cluster's Istio CRDs.
                    kubernetes: {
                        namespace: rt.ns.namespaceName,
                        meshReady: meshes[target]?.ready,
                        workloadIdentity: clientOn(streaming, target, service.name),
                        secretEnv: Object.fromEntries(
                            Object.entries(withoutKeys(kafkaSecretEnvOf(streaming, target, service.name), service.env)).map(([k, ref]) => [
                                k,
                                { ...ref, secret: credentialSecrets.get(`${target}/${ref.secretName}`) },
                            ]),
                        ),
                    },
                },
                { provider, dependsOn: deps },
            );
        } else if (platform === "cloudrun") {
            const cloud = foundation.clouds.gcp!;
            svc = new ServerlessService(
                resourceName,
                {
                    ...base,
                    invokers: service.invokers.gcp,
                    gcp: { project: cloud.gcp!.project, region: cloud.region, network: cloud.network.networkId, subnetwork: cloud.network.nodeSubnetIds[0] },
                },
                { providers: { gcp: cloud.provider } },
            );
        } else if (platform === "containerapps") {
            const cloud = foundation.clouds.azure!;
            if (!azureEnvs.azure) {
                const subnet = cloud.network.appsSubnetId;
                if (!subnet) throw new Error("platform:services: Container Apps need the network's apps subnet (Network.appsSubnetId) on azure; the Azure network exposes none");
                azureEnvs.azure = new ContainerAppsEnvironment(
                    `${prefix}-cae`,
                    { resourceGroupName: cloud.azure!.resourceGroupName, location: cloud.region, infrastructureSubnetId: subnet, virtualNetworkId: cloud.network.networkId, tags },
                    { providers: { "azure-native": cloud.provider } },
                );
            }
            svc = new ServerlessService(
                resourceName,
                {
                    ...base,
                    azure: {
                        resourceGroupName: cloud.azure!.resourceGroupName,
                        location: cloud.region,
                        environmentId: azureEnvs.azure.environmentId,
                        // The platform VNet: AKS nodes (pods leave them SNATed to the node address), the apps subnet, the data subnet.
                        callerRanges: [config.network.azure.cidr],
                    },
                },
                { providers: { "azure-native": cloud.provider } },
            );
        } else {
            const cloud = foundation.clouds.aws!;
            if (platform === "ecs-express" && !ecsCluster) {
                ecsCluster = new aws.ecs.Cluster(
                    `${prefix}-services`,
                    { settings: [{ name: "containerInsights", value: "enhanced" }], tags },
                    { provider: cloud.provider },
                );
            }
            svc = new ServerlessService(
                resourceName,
                {
                    ...base,
                    invokers: service.invokers.aws,
                    aws: {
                        vpcId: cloud.network.networkId,
                        vpcCidr: config.network.aws.cidr,
                        subnetIds: cloud.network.nodeSubnetIds,
                        kmsKeyArn: cloud.key.keyId,
                        ecsClusterArn: ecsCluster?.arn,
                        // The dev and aws stacks may share an account: their functions, ECS services and log
                        // groups carry the stack prefix.
                        namePrefix: prefix,
                    },
                },
                { providers: { aws: cloud.provider } },
            );
        }
        (outputs[service.name] ??= {})[target] = { platform, url: svc.url, identity: svc.identity };
    }
    // Instrumented services export their own spans (OTLP) to the mesh's collector, which admits only
    // declared senders: one policy per cluster naming every service that runs there.
    for (const [target, senders] of Object.entries(spanSenders) as [ClusterTarget, { namespace: string; serviceAccount: string }[]][]) {
        const mesh = meshes[target];
        if (!mesh) continue;
        allowSpanSenders(`${prefix}-${target}-service-spans`, "allow-service-spans", senders, { provider: foundation.clusters[target]!.provider, dependsOn: mesh.ready });
    }
    return outputs;
}

/**
 * What a Kafka client service needs to connect, as environment variables named after the Kafka client
 * configs: the bootstrap servers, `security.protocol` and `sasl.mechanism` of this target's backend, its
 * topics, and the consumer-group prefix its ACLs allow. Credentials come from workload identity, or (Strimzi)
 * from `kafkaSecretEnvOf`.
 */
function kafkaEnvOf(streaming: Partial<Record<ClusterTarget, TargetStreaming>>, target: ClusterTarget, service: string): Record<string, pulumi.Input<string>> {
    const kafka = streaming[target];
    const access = kafka?.clients[service];
    if (!kafka || !access) return {};
    const settings = kafka.clientSettings;
    return {
        KAFKA_BOOTSTRAP_SERVERS: kafka.bootstrapServers,
        KAFKA_SECURITY_PROTOCOL: settings.securityProtocol,
        ...(settings.saslMechanism ? { KAFKA_SASL_MECHANISM: settings.saslMechanism } : {}),
        ...(access.produces.length ? { KAFKA_PRODUCE_TOPICS: access.produces.join(",") } : {}),
        ...(access.consumes.length ? { KAFKA_CONSUME_TOPICS: access.consumes.join(","), KAFKA_GROUP_PREFIX: service } : {}),
    };
}

/** A Strimzi client's SCRAM username and password, by secretKeyRef to the Secret in its own namespace. */
function kafkaSecretEnvOf(streaming: Partial<Record<ClusterTarget, TargetStreaming>>, target: ClusterTarget, service: string): Record<string, { secretName: string; key: string }> {
    const credentials = streaming[target]?.clients[service]?.credentials;
    if (!credentials) return {};
    return {
        KAFKA_SASL_USERNAME: { secretName: credentials.secretName, key: CREDENTIAL_KEYS.username },
        KAFKA_SASL_PASSWORD: { secretName: credentials.secretName, key: CREDENTIAL_KEYS.password },
    };
}

/** `from` without the keys `over` sets (the service's own env wins over the platform's). */
function withoutKeys<T>(from: Record<string, T>, over: Record<string, unknown> = {}): Record<string, T> {
    return Object.fromEntries(Object.entries(from).filter(([k]) => !(k in over)));
}

/** The workload-identity binding of the service's Kafka client on this target, if the service is one. */
function clientOn(streaming: Partial<Record<ClusterTarget, TargetStreaming>>, target: ClusterTarget, service: string): WorkloadIdentityBinding | undefined {
    const access = streaming[target]?.clients[service];
    return access ? workloadIdentityBinding(access) : undefined;
}

/** Port clients use to reach each managed Kafka backend (Strimzi runs in the cluster, behind the mesh). */
const MANAGED_KAFKA_PORT: Record<string, number> = { msk: MSK_IAM_PORT, eventhubs: EVENT_HUBS_KAFKA_PORT, "gcp-managed-kafka": GCP_MANAGED_KAFKA_PORT };

type EgressRule = k8s.types.input.networking.v1.NetworkPolicyEgressRule;
const to = (cidr: string, port: number): EgressRule => ({ to: [{ ipBlock: { cidr } }], ports: [{ protocol: "TCP", port }] });

/**
 * Where a pod on each managed cluster gets its cloud credentials through workload identity, which a
 * default-deny namespace must let the Kafka clients reach:
 * - EKS Pod Identity: the node's Pod Identity Agent, 169.254.170.23:80;
 * - GKE Workload Identity: the GKE metadata server, 169.254.169.254:80 (and 169.254.169.252:988 on
 *   Dataplane V2, as Google's network-policy guidance for workload identity lists);
 * - AKS workload identity: the pod exchanges its projected token with Entra ID itself, on 443 of a public
 *   endpoint (login.microsoftonline.com): the named egress exception `entra-id`
 *   (platform:network.egressExceptions), in its own NetworkPolicy.
 */
const CREDENTIAL_EGRESS: Record<"aws" | "azure" | "gcp", EgressRule[]> = {
    aws: [to("169.254.170.23/32", 80)],
    gcp: [to("169.254.169.254/32", 80), to("169.254.169.252/32", 988)],
    azure: [],
};

/**
 * The services' namespaces deny egress by default. On a cloud whose Kafka is managed (brokers, private
 * endpoint or Private Service Connect addresses in the platform network), the namespace's Kafka clients,
 * and only they, may open the backend's client port to the platform network's range, and reach where
 * their workload identity gets its credentials (on AKS through the `entra-id` egress exception).
 */
function kafkaEgress(config: PlatformConfig, target: ClusterTarget, namespace: string): Pick<PlatformNamespaceArgs, "extraPolicies" | "egressExceptions"> {
    if (!config.kafka.enabled || target === "kubernetes") return {};
    const port = MANAGED_KAFKA_PORT[kafkaBackendFor(target, config.kafka)];
    const clients = config.kafka.clients.filter((c) => c.namespace === namespace).map((c) => c.serviceAccount);
    if (port === undefined || clients.length === 0) return {};
    const podSelector = { matchExpressions: [{ key: "app.kubernetes.io/name", operator: "In", values: clients }] };
    // parsePlatformConfig refuses a stack whose AKS Kafka clients have no entra-id exception.
    const entra = target === "azure" ? egressException(config.network.egressExceptions, "entra-id") : undefined;
    return {
        extraPolicies: [
            {
                name: "allow-kafka-egress",
                spec: { podSelector, policyTypes: ["Egress"], egress: [to(config.network[target].cidr, port), ...CREDENTIAL_EGRESS[target]] },
            },
        ],
        egressExceptions: entra ? [{ exception: { ...entra, ports: entra.ports ?? [443] }, podSelector }] : [],
    };
}
