/**
 * Serverless services (`platform:services`) on every target they are placed on: Cloud Run, Container
 * Apps, Lambda / ECS Express Mode, and Knative or SpinKube on the clusters. Shared runtimes (Container Apps
 * environment, ECS cluster, Knative, SpinKube, wasm node pools) are created once per target, only when a
 * service there needs them.
 */
import type * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { ClusterTarget, KubernetesCluster } from "../components/cluster";
import { AzureKeyVaultKey } from "../components/keys";
import { allowSpanSenders } from "../components/mesh";
import { PlatformNamespace } from "../components/namespace";
import {
    CloudRunService,
    ContainerAppService,
    ContainerAppsEnvironment,
    EcsExpressService,
    EcsServicesCluster,
    KeyVaultPrivateEndpoint,
    KnativeRuntime,
    KnativeService,
    LambdaService,
    SpinKubeRuntime,
    SpinService,
    spinAppExecutor,
    type SecretKeyReference,
    type ServerlessServiceBaseArgs,
    type ServerlessServiceOutputs,
    type WorkloadIdentityBinding,
} from "../components/serverless";
import { AZURE_ZONAL_REGIONS } from "../components/regions";
import { createAksWasmPool, createEksWasmPool, createGkeWasmPool, eksSpinShimArch } from "../components/serverless/install/wasm-nodes";
import {
    AwsSecretsManagerServiceSecrets,
    AzureKeyVaultServiceSecrets,
    GcpSecretManagerServiceSecrets,
    KubernetesServiceSecrets,
    serviceSecretName,
    type ServiceSecretsArgs,
} from "../components/secrets/service-secrets";
import { CREDENTIAL_KEYS, StrimziClientCredentials, workloadIdentityBinding } from "../components/streaming";
import { kafkaClientEgress, type KafkaClientEgress } from "../components/streaming/client-egress";
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

/**
 * What the services' secrets need of one cluster's External Secrets Operator (stacks/secrets.ts): what the
 * stores wait for, and on AWS the controller's role (the reader roles trust it) and the reader role path.
 */
export interface ClusterSecretsOperator {
    ready: pulumi.Resource[];
    controllerRoleArn: pulumi.Output<string>;
    /** AWS: the IAM path the controller may assume reader roles under (secretReaderRolePath). */
    readerRolePath?: string;
    /** kubernetes target: the namespace the values live in (created by the stack). */
    sourceNamespace?: string;
}

export function addServerless(
    foundation: Foundation,
    config: PlatformConfig,
    streaming: Partial<Record<ClusterTarget, TargetStreaming>>,
    meshes: InstalledMeshes,
    secretOperators: Partial<Record<ClusterTarget, ClusterSecretsOperator>> = {},
): ServerlessOutputs {
    const services = config.services;
    const outputs: ServerlessOutputs = {};
    if (services.length === 0) return outputs;
    const prefix = foundation.prefix;
    const tags = { "managed-by": "pulumi", platform: "platform", ...config.tags };

    const placed = services.flatMap((s) => placementsOf(s, enabledTargets(config)).map((p) => ({ service: s, ...p })));

    // Lazily created shared runtimes, one per target.
    let containerAppsEnvironment: ContainerAppsEnvironment | undefined;
    let ecsCluster: EcsServicesCluster | undefined;
    let platformVaultEndpoint: KeyVaultPrivateEndpoint | undefined;
    const knative: Partial<Record<ClusterTarget, { runtime: KnativeRuntime; ns: PlatformNamespace }>> = {};
    const spanSenders: Partial<Record<ClusterTarget, { namespace: string; serviceAccount: string }[]>> = {};
    const spin: Partial<Record<ClusterTarget, { runtime: SpinKubeRuntime; ns: PlatformNamespace; deps: pulumi.Resource[] }>> = {};

    /**
     * The platform vault takes no public traffic: Container Apps' Key Vault references and External Secrets
     * Operator on AKS reach it through a private endpoint in the VNet's data subnet, created once, with the
     * first service on azure that declares secrets.
     */
    const vaultEndpoint = (keyVaultId: pulumi.Input<string>): KeyVaultPrivateEndpoint => {
        if (platformVaultEndpoint) return platformVaultEndpoint;
        const cloud = foundation.clouds.azure!;
        return (platformVaultEndpoint = new KeyVaultPrivateEndpoint(
            `${prefix}-kv-endpoint`,
            {
                resourceGroupName: cloud.azure!.resourceGroupName,
                location: cloud.region,
                keyVaultId,
                subnetId: cloud.network.dataSubnetIds[0],
                virtualNetworkId: cloud.network.networkId,
                tags,
            },
            { providers: { "azure-native": cloud.provider } },
        ));
    };

    /** The cluster's External Secrets Operator, which every secret delivered on the cluster needs. */
    const operatorOn = (target: ClusterTarget, what: string): ClusterSecretsOperator => {
        const operator = secretOperators[target];
        // parsePlatformConfig refuses this configuration (clusterSecretsProblems); a guard for library callers.
        if (!operator) throw new Error(`platform:secrets.operator.enabled: ${what} on the ${target} cluster needs External Secrets Operator there; allowed: true`);
        return operator;
    };

    // Strimzi clients' SCRAM credentials: the Strimzi component leaves these namespaces to their owner
    // (created here, after Kafka); External Secrets Operator copies each client's User Operator Secret into
    // its namespace. Each ExternalSecret by target and Secret name, so the workloads that read it wait for it.
    const credentialSecrets = new Map<string, pulumi.Resource>();
    const kafkaCredentialsIn = (ns: PlatformNamespace, namespace: string, target: ClusterTarget, provider: k8s.Provider) => {
        for (const access of Object.values(streaming[target]?.clients ?? {})) {
            if (access.namespace !== namespace || !access.credentials) continue;
            const c = access.credentials;
            const operator = operatorOn(target, `the Kafka credentials of ${c.username}`);
            const delivered = new StrimziClientCredentials(
                `${prefix}-${target}-kafka-credentials-${c.username}`,
                { kafkaNamespace: c.kafkaNamespace, namespace, client: c.username },
                { provider, dependsOn: [ns, ...operator.ready] },
            );
            credentialSecrets.set(`${target}/${c.secretName}`, delivered.externalSecret);
        }
    };

    /**
     * The service's own secrets on a cluster: the store component of the target's cloud (the kubernetes
     * target: the source namespace), in the service's namespace. Returns the ExternalSecret and secretEnv.
     */
    const serviceSecretsOn = (target: ClusterTarget, service: PlatformConfig["services"][number], namespace: string, ns: PlatformNamespace) => {
        if (!Object.keys(service.secrets ?? {}).length) return undefined;
        const operator = operatorOn(target, `the secrets of service ${service.name}`);
        const cluster = foundation.clusters[target]!;
        const name = `${prefix}-${target}-${service.name}-secrets`;
        const args: ServiceSecretsArgs = { namespace, serviceName: service.name, secrets: service.secrets };
        const dependsOn = [ns, ...operator.ready];
        let component: AwsSecretsManagerServiceSecrets | AzureKeyVaultServiceSecrets | GcpSecretManagerServiceSecrets | KubernetesServiceSecrets;
        if (target === "kubernetes") {
            component = new KubernetesServiceSecrets(name, { ...args, sourceNamespace: operator.sourceNamespace! }, { provider: cluster.provider, dependsOn });
        } else {
            const cloud = foundation.clouds[target]!;
            const providers = [cluster.provider, cloud.provider];
            if (target === "aws") {
                component = new AwsSecretsManagerServiceSecrets(
                    name,
                    { ...args, region: cloud.region, controllerRoleArn: operator.controllerRoleArn, readerRolePath: operator.readerRolePath!, tags },
                    { providers, dependsOn },
                );
            } else if (target === "azure") {
                const vault = cloud.key;
                if (!(vault instanceof AzureKeyVaultKey)) throw new Error(`platform:services: the azure foundation's key is not a Key Vault key; service ${service.name}'s secrets need the vault`);
                component = new AzureKeyVaultServiceSecrets(
                    name,
                    {
                        ...args,
                        resourceGroupName: cloud.azure!.resourceGroupName,
                        location: cloud.region,
                        oidcIssuerUrl: cluster.oidcIssuerUrl!,
                        tenantId: cloud.azure!.tenantId,
                        vaultId: vault.vaultId,
                        // Azure public cloud's Key Vault DNS suffix (the platform's clouds are public ones).
                        vaultUrl: pulumi.interpolate`https://${vault.vaultName}.vault.azure.net/`,
                        tags,
                    },
                    // ESO reads the vault through its private endpoint (the controller's egress: stacks/secrets.ts).
                    { providers, dependsOn: [...dependsOn, vaultEndpoint(vault.vaultId)] },
                );
            } else {
                component = new GcpSecretManagerServiceSecrets(
                    name,
                    { ...args, project: cloud.gcp!.project, clusterName: cluster.clusterName, clusterLocation: cloud.region },
                    { providers, dependsOn },
                );
            }
        }
        const secretName = serviceSecretName(service.name);
        const secretEnv = Object.fromEntries(Object.keys(service.secrets).map((env) => [env, { secretName, key: env }]));
        return { externalSecret: component.externalSecret, secretEnv };
    };

    const knativeOn = (target: ClusterTarget) => {
        if (knative[target]) return knative[target]!;
        const provider = foundation.clusters[target]!.provider;
        const network = foundation.clusters[target]!.networkFacts;
        // Its controller resolves image tags to digests at the registries (parsePlatformConfig requires the exception).
        const registryEgress = egressException(config.network.egressExceptions, "image-registries");
        // Knative's own Istio resources wait for this cluster's Istio CRDs and istiod.
        const mesh = meshes[target];
        const runtime = new KnativeRuntime(`${prefix}-${target}-knative`, { ambientMesh: !!mesh, network, registryEgress }, { provider, dependsOn: mesh?.ready });
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
            const pool = {
                clusterName: cluster.clusterName,
                kubernetesVersion: config.cluster.kubernetesVersion,
                instanceType: nodeSizing(target, config).instanceType,
                tags,
            };
            deps.push(
                target === "gcp"
                    ? createGkeWasmPool(
                          `${prefix}-gcp-wasm-pool`,
                          {
                              ...pool,
                              project: clusterExtra(cluster, "projectId"),
                              region: cloud.region,
                              nodeServiceAccountEmail: clusterExtra(cluster, "nodeServiceAccountEmail"),
                              // Boot disks under the platform key, like the main pool.
                              bootDiskKmsKey: cloud.key.keyId,
                          },
                          { provider: cloud.provider },
                      )
                    : target === "azure"
                      ? createAksWasmPool(
                            `${prefix}-az-wasm-pool`,
                            { ...pool, resourceGroupName: cloud.azure!.resourceGroupName, nodeSubnetId: cloud.network.nodeSubnetIds[0], zonal: AZURE_ZONAL_REGIONS.has(cloud.region) },
                            { provider: cloud.provider },
                        )
                      : createEksWasmPool(
                            `${prefix}-aws-wasm-pool`,
                            {
                                ...pool,
                                nodeRoleArn: clusterExtra(cluster, "nodeRoleArn"),
                                nodeSecurityGroupId: clusterExtra(cluster, "nodeSecurityGroupId"),
                                subnetIds: cloud.network.nodeSubnetIds,
                            },
                            { provider: cloud.provider },
                        ),
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
            { name: WASM_NAMESPACE, podSecurity: "baseline", policyException: "spinapp-no-pod-security-context", network: cluster.networkFacts, ...kafkaEgress(config, target, WASM_NAMESPACE) },
            { provider },
        );
        kafkaCredentialsIn(ns, WASM_NAMESPACE, target, provider);
        const executor = spinAppExecutor(`${prefix}-${target}-spin-executor`, ns.namespaceName, { provider, dependsOn: [...runtime.ready, ns] });
        return (spin[target] = { runtime, ns, deps: [executor, ...runtime.ready] });
    };

    for (const { service, target, platform } of placed) {
        const base: ServerlessServiceBaseArgs = {
            name: service.name,
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
        let svc: ServerlessServiceOutputs;
        if (platform === "knative" || platform === "spin") {
            const provider = foundation.clusters[target]!.provider;
            const rt = platform === "knative" ? knativeOn(target) : spinOn(target);
            const namespace = platform === "knative" ? SERVERLESS_NAMESPACE : WASM_NAMESPACE;
            const own = serviceSecretsOn(target, service, namespace, rt.ns);
            // The service's own secrets win over the platform's Kafka credentials (config refuses clashes with env).
            const secretEnv = { ...withoutKeys(kafkaSecretEnvOf(streaming, target, service.name), { ...service.env, ...own?.secretEnv }), ...own?.secretEnv };
            // The service waits for its runtime and namespace, the mesh (its AuthorizationPolicies need the
            // Istio CRDs) and the Secrets it reads.
            const dependsOn = [
                ...("deps" in rt ? rt.deps : rt.runtime.ready),
                rt.ns,
                ...(meshes[target]?.ready ?? []),
                ...Object.values(secretEnv).flatMap((ref) => credentialSecrets.get(`${target}/${ref.secretName}`) ?? []),
                ...(own ? [own.externalSecret] : []),
            ];
            (spanSenders[target] ??= []).push({ namespace, serviceAccount: service.name });
            const clusterArgs = {
                ...base,
                // Where its topics are and how to reach them; the service's own env wins.
                env: { ...kafkaEnvOf(streaming, target, service.name), ...service.env },
                namespace: rt.ns.namespaceName,
                meshInvokers: service.invokers.kubernetes,
                workloadIdentity: clientOn(streaming, target, service.name),
                secretEnv,
            };
            svc = platform === "knative" ? new KnativeService(resourceName, clusterArgs, { provider, dependsOn }) : new SpinService(resourceName, clusterArgs, { provider, dependsOn });
        } else if (platform === "cloudrun") {
            const cloud = foundation.clouds.gcp!;
            svc = new CloudRunService(
                resourceName,
                {
                    ...base,
                    invokers: service.invokers.gcp,
                    project: cloud.gcp!.project,
                    region: cloud.region,
                    network: cloud.network.networkId,
                    subnetwork: cloud.network.nodeSubnetIds[0],
                    // In Secret Manager of the stack's project.
                    secrets: service.secrets,
                },
                { providers: { gcp: cloud.provider } },
            );
        } else if (platform === "containerapps") {
            const cloud = foundation.clouds.azure!;
            if (!containerAppsEnvironment) {
                const subnet = cloud.network.appsSubnetId;
                if (!subnet) throw new Error("platform:services: Container Apps need the network's apps subnet (Network.appsSubnetId) on azure; the Azure network exposes none");
                containerAppsEnvironment = new ContainerAppsEnvironment(
                    `${prefix}-cae`,
                    { resourceGroupName: cloud.azure!.resourceGroupName, location: cloud.region, infrastructureSubnetId: subnet, virtualNetworkId: cloud.network.networkId, tags },
                    { providers: { "azure-native": cloud.provider } },
                );
            }
            const vaultSecrets = platformVaultSecrets(cloud.key, service.secrets);
            if (vaultSecrets.keyVaultId) vaultEndpoint(vaultSecrets.keyVaultId);
            svc = new ContainerAppService(
                resourceName,
                {
                    ...base,
                    resourceGroupName: cloud.azure!.resourceGroupName,
                    location: cloud.region,
                    environmentId: containerAppsEnvironment.environmentId,
                    // The platform VNet: AKS nodes (pods leave them SNATed to the node address), the apps subnet, the data subnet.
                    callerRanges: [config.network.azure.cidr],
                    // Key Vault references into the platform vault (docs/serverless.md, "Secrets").
                    ...vaultSecrets,
                },
                { providers: { "azure-native": cloud.provider }, dependsOn: vaultSecrets.keyVaultId ? platformVaultEndpoint : undefined },
            );
        } else {
            const cloud = foundation.clouds.aws!;
            const network = {
                vpcId: cloud.network.networkId,
                vpcCidr: config.network.aws.cidr,
                subnetIds: cloud.network.nodeSubnetIds,
                kmsKeyArn: cloud.key.keyId,
                // The dev and aws stacks may share an account: their functions, ECS services and log
                // groups carry the stack prefix.
                namePrefix: prefix,
            };
            if (platform === "ecs-express") {
                ecsCluster ??= new EcsServicesCluster(`${prefix}-services`, { tags }, { providers: { aws: cloud.provider } });
                svc = new EcsExpressService(resourceName, { ...base, ...network, ecsClusterArn: ecsCluster.clusterArn, secrets: service.secrets }, { providers: { aws: cloud.provider } });
            } else {
                svc = new LambdaService(resourceName, { ...base, ...network, invokers: service.invokers.aws, secrets: service.secrets }, { providers: { aws: cloud.provider } });
            }
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

/** An ID the cluster exposes in `extras` (node role, node security group, project…) that the wasm pool needs. */
function clusterExtra(cluster: KubernetesCluster, key: string): pulumi.Output<string> {
    const value = cluster.extras[key];
    if (!value) throw new Error(`platform:services: the ${cluster.target} cluster exposes no extras.${key}; its wasm node pool needs it`);
    return value;
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
function kafkaSecretEnvOf(streaming: Partial<Record<ClusterTarget, TargetStreaming>>, target: ClusterTarget, service: string): Record<string, SecretKeyReference & { secretName: string }> {
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

/**
 * The services' namespaces deny egress by default. On a cloud whose Kafka is managed, the namespace's Kafka
 * clients reach the backend and their credentials (kafkaClientEgress, components/streaming).
 */
function kafkaEgress(config: PlatformConfig, target: ClusterTarget, namespace: string): Partial<KafkaClientEgress> {
    if (!config.kafka.enabled || target === "kubernetes") return {};
    const clients = config.kafka.clients.filter((c) => c.namespace === namespace).map((c) => c.serviceAccount);
    const egress = kafkaClientEgress({
        cloud: target,
        backend: kafkaBackendFor(target, config.kafka),
        platformCidr: config.network[target].cidr,
        clients,
        // parsePlatformConfig refuses a stack whose AKS Kafka clients have no entra-id exception.
        entraIdEgress: target === "azure" ? egressException(config.network.egressExceptions, "entra-id") : undefined,
    });
    return egress.extraPolicies.length ? egress : {};
}

/**
 * A Container App's secrets in the platform Key Vault: its id, and its URI derived from the platform key's
 * versioned URI (`<vault uri>keys/<name>/<version>`, the form Key Vault gives every object). Nothing when the
 * service declares no secrets, so its app is unchanged.
 */
function platformVaultSecrets(key: unknown, secrets: Record<string, string>): { secrets?: Record<string, string>; keyVaultId?: pulumi.Output<string>; keyVaultUri?: pulumi.Output<string> } {
    if (Object.keys(secrets).length === 0) return {};
    if (!(key instanceof AzureKeyVaultKey)) throw new Error("platform:services[].secrets: the azure target's platform key is not a Key Vault key; Container Apps read secrets from the platform Key Vault");
    return { secrets, keyVaultId: key.vaultId, keyVaultUri: key.keyId.apply((uri) => `${new URL(uri).origin}/`) };
}
