/** Isolation, logging and secret-store rules (ISO-01, ISO-02, LOG-01, LOG-02, SEC-01). */
import type { ClusterArgs as EksClusterArgs } from "@pulumi/aws/eks";
import type { TaskDefinitionArgs } from "@pulumi/aws/ecs";
import type { ClusterArgs as MskClusterArgs } from "@pulumi/aws/msk";
import type { ManagedClusterArgs } from "@pulumi/azure-native/containerservice";
import type { FlowLogArgs as AzureFlowLogArgs } from "@pulumi/azure-native/network";
import type { SubnetworkArgs } from "@pulumi/gcp/compute";
import type { ClusterArgs as GkeClusterArgs } from "@pulumi/gcp/container";
import { AKS, EKS, GKE } from "./identity";
import { asArray, fmt, parseDocument, resourcePolicy, type Props, type RuleDef, on } from "./common";

const clusterHardening: RuleDef = {
    name: "iso-01-node-hardening",
    id: "ISO-01",
    description: "GKE: shielded nodes with secure boot, binary authorization, no alpha features. AKS: Azure Policy add-on.",
    enforcementLevel: "advisory",
    checks: {
        ...on<Props<ManagedClusterArgs>>(AKS, (cluster) => {
            const enabled = cluster.addonProfiles?.["azurepolicy"]?.enabled;
            return enabled === true ? [] : [`AKS cluster: addonProfiles.azurepolicy.enabled is ${fmt(enabled)}; enable the Azure Policy add-on (Gatekeeper admission control).`];
        }),
        ...on<Props<GkeClusterArgs>>(GKE, (c) => {
            const out: string[] = [];
            if (c.enableShieldedNodes === false) out.push(`GKE cluster: enableShieldedNodes is false; remove it (default true).`);
            if (c.removeDefaultNodePool !== true && c.nodeConfig?.shieldedInstanceConfig?.enableSecureBoot !== true)
                out.push(`GKE cluster default pool: nodeConfig.shieldedInstanceConfig.enableSecureBoot is ${fmt(c.nodeConfig?.shieldedInstanceConfig?.enableSecureBoot)}; set it to true.`);
            if (c.binaryAuthorization?.evaluationMode !== "PROJECT_SINGLETON_POLICY_ENFORCE")
                out.push(`GKE cluster: binaryAuthorization.evaluationMode is ${fmt(c.binaryAuthorization?.evaluationMode)}; set it to "PROJECT_SINGLETON_POLICY_ENFORCE".`);
            if (c.enableKubernetesAlpha === true) out.push(`GKE cluster: enableKubernetesAlpha is true; alpha clusters get no security patches: remove it.`);
            return out;
        }),
    }
};

interface ContainerDef {
    name?: string;
    privileged?: boolean;
    readonlyRootFilesystem?: boolean;
}

const ecsTask: RuleDef = {
    name: "iso-02-ecs-task-isolation",
    id: "ISO-02",
    description: "ECS task definitions: no privileged containers, read-only root filesystems, no host PID, separate task and execution roles.",
    enforcementLevel: "mandatory",
    checks: on<Props<TaskDefinitionArgs>>(["aws:ecs/taskDefinition:TaskDefinition"], (p) => {
        const out: string[] = [];
        const defs = parseDocument(p.containerDefinitions);
        for (const c of asArray<ContainerDef>(defs)) {
            if (c.privileged === true) out.push(`ECS task definition: containerDefinitions[${fmt(c.name)}].privileged is true; remove it.`);
            if (c.readonlyRootFilesystem !== true)
                out.push(`ECS task definition: containerDefinitions[${fmt(c.name)}].readonlyRootFilesystem is ${fmt(c.readonlyRootFilesystem)}; set it to true (mount writable volumes where needed).`);
        }
        if (p.pidMode === "host") out.push(`ECS task definition: pidMode is "host"; remove it so tasks cannot see host processes.`);
        if (p.taskRoleArn && p.executionRoleArn && p.taskRoleArn === p.executionRoleArn)
            out.push(`ECS task definition: taskRoleArn equals executionRoleArn; give the application its own role, separate from the agent's execution role.`);
        return out;
    }),
};

const EKS_AUDIT_LOGS = ["api", "audit", "authenticator"];

const controlPlaneLogs: RuleDef = {
    name: "log-01-control-plane-audit-logs",
    id: "LOG-01",
    description: "Control-plane audit logs are on (EKS api/audit/authenticator; GKE API server logs; AKS kube-audit diagnostics, see the stack policy).",
    enforcementLevel: "mandatory",
    checks: {
        ...on<Props<EksClusterArgs>>(EKS, (cluster) => {
            const types = cluster.enabledClusterLogTypes ?? [];
            const missing = EKS_AUDIT_LOGS.filter((t) => !types.includes(t));
            return missing.length ? [`EKS cluster: enabledClusterLogTypes is missing ${missing.join(", ")}; include "api", "audit" and "authenticator".`] : [];
        }),
        ...on<Props<GkeClusterArgs>>(GKE, (c) => {
            const out: string[] = [];
            if (c.loggingService === "none") out.push(`GKE cluster: loggingService is "none"; remove it (Cloud Logging).`);
            const comps = c.loggingConfig?.enableComponents ?? [];
            if (!comps.includes("APISERVER"))
                out.push(`GKE cluster: loggingConfig.enableComponents is ${fmt(c.loggingConfig?.enableComponents)}; include "SYSTEM_COMPONENTS" and "APISERVER" so API server requests are logged.`);
            return out;
        }),
    }
};

/** Subnet purposes that cannot have flow logs. */
const GCP_PROXY_PURPOSES = ["REGIONAL_MANAGED_PROXY", "GLOBAL_MANAGED_PROXY", "INTERNAL_HTTPS_LOAD_BALANCER", "PRIVATE_SERVICE_CONNECT"];

const flowLogs: RuleDef = {
    name: "log-02-flow-and-broker-logs",
    id: "LOG-02",
    description: "GCP subnetworks have flow logs; MSK brokers ship logs (AWS VPC flow logs: see the stack policy).",
    enforcementLevel: "mandatory",
    checks: {
        ...on<Props<MskClusterArgs>>("aws:msk/cluster:Cluster", (cluster) => {
            const b = cluster.loggingInfo?.brokerLogs;
            const enabled = b?.cloudwatchLogs?.enabled === true || b?.firehose?.enabled === true || b?.s3?.enabled === true;
            return enabled ? [] : [`MSK cluster: loggingInfo.brokerLogs has no enabled destination; enable cloudwatchLogs (or s3/firehose).`];
        }),
        ...on<Props<SubnetworkArgs>>("gcp:compute/subnetwork:Subnetwork", (s) => {
            if (GCP_PROXY_PURPOSES.includes(s.purpose ?? "")) return [];
            return s.logConfig ? [] : [`subnetwork: logConfig is unset, so VPC flow logs are off; set logConfig { aggregationInterval: "INTERVAL_5_SEC", flowSampling: 0.5, metadata: "INCLUDE_ALL_METADATA" }.`];
        }),
    }
};

const azureFlowLogs: RuleDef = {
    name: "log-02a-azure-flow-log-retention",
    id: "LOG-02",
    description: "Azure flow logs are enabled and kept at least 90 days.",
    enforcementLevel: "advisory",
    checks: on<Props<AzureFlowLogArgs>>(["azure-native:network:FlowLog"], (p) => {
        const out: string[] = [];
        if (p.enabled === false) out.push(`flow log: enabled is false; set it to true.`);
        const r = p.retentionPolicy;
        if (r?.enabled !== true || (r.days ?? 0) < 90) out.push(`flow log: retentionPolicy is ${fmt(r)}; set { enabled: true, days: 90 } or more.`);
        return out;
    }),
};

const secretStore: RuleDef = {
    name: "sec-01-secret-store-integration",
    id: "SEC-01",
    description: "Clusters integrate the cloud secret store with rotation (AKS Key Vault secrets provider, GKE Secret Manager add-on).",
    enforcementLevel: "advisory",
    checks: {
        ...on<Props<ManagedClusterArgs>>(AKS, (cluster) => {
            const a = cluster.addonProfiles?.["azureKeyvaultSecretsProvider"];
            if (a?.enabled !== true) return [`AKS cluster: addonProfiles.azureKeyvaultSecretsProvider.enabled is ${fmt(a?.enabled)}; enable it.`];
            return a.config?.["enableSecretRotation"] === "true" ? [] : [`AKS cluster: addonProfiles.azureKeyvaultSecretsProvider.config.enableSecretRotation is ${fmt(a.config?.["enableSecretRotation"])}; set it to "true".`];
        }),
        ...on<Props<GkeClusterArgs>>(GKE, (cluster) => {
            const enabled = cluster.secretManagerConfig?.enabled;
            return enabled === true ? [] : [`GKE cluster: secretManagerConfig.enabled is ${fmt(enabled)}; set it to true.`];
        }),
    }
};

export const isolationRules: RuleDef[] = [clusterHardening, ecsTask, controlPlaneLogs, flowLogs, azureFlowLogs, secretStore];

export const isolationPolicies = isolationRules.map(resourcePolicy);
