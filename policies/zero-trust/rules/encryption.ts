/** Encryption rules (ENC-01 … ENC-09): envelope encryption, TLS, authenticated Kafka, key rotation and key access. */
import type { ClusterArgs as EksClusterArgs } from "@pulumi/aws/eks";
import type { KeyArgs as KmsKeyArgs } from "@pulumi/aws/kms";
import type { ClusterArgs as MskClusterArgs, ServerlessClusterArgs } from "@pulumi/aws/msk";
import type { ManagedEnvironmentArgs, ContainerAppArgs } from "@pulumi/azure-native/app";
import type { ManagedClusterArgs, AgentPoolArgs } from "@pulumi/azure-native/containerservice";
import type { NamespaceArgs as EventHubNamespaceArgs } from "@pulumi/azure-native/eventhub";
import type { KeyArgs as VaultKeyArgs, VaultArgs } from "@pulumi/azure-native/keyvault";
import type { ClusterArgs as GkeClusterArgs, NodePoolArgs } from "@pulumi/gcp/container";
import type { CryptoKeyArgs, CryptoKeyIAMBindingArgs, CryptoKeyIAMMemberArgs, KeyRingIAMBindingArgs, KeyRingIAMMemberArgs } from "@pulumi/gcp/kms";
import type { AclArgs } from "@pulumi/gcp/managedkafka";
import { AKS, EKS, GKE, GNP } from "./identity";
import { asArray, fmt, isSet, parseDocument, resourcePolicy, type Props, type RuleContext, type RuleDef, on } from "./common";

const secretsEnvelope: RuleDef = {
    name: "enc-01-secrets-envelope-encryption",
    id: "ENC-01",
    description: "Kubernetes secrets are envelope-encrypted with a customer-managed key.",
    enforcementLevel: "mandatory",
    checks: {
        ...on<Props<EksClusterArgs>>(EKS, (cluster) => {
            const e = cluster.encryptionConfig;
            // keyArn is usually the output of the KMS key in the same stack: unknown in preview, but set.
            return e?.resources?.includes("secrets") && isSet(e.provider, "keyArn")
                ? []
                : [`EKS cluster: encryptionConfig is ${e ? "missing resources [\"secrets\"] or provider.keyArn" : "unset"}; set encryptionConfig { resources: ["secrets"], provider: { keyArn: <KMS key ARN> } }.`];
        }),
        ...on<Props<GkeClusterArgs>>(GKE, (cluster) => {
            const d = cluster.databaseEncryption;
            const keyName = isSet(d, "keyName");
            return d?.state === "ENCRYPTED" && keyName
                ? []
                : [`GKE cluster: databaseEncryption.state is ${fmt(d?.state)}${keyName ? "" : " without keyName"}; set databaseEncryption { state: "ENCRYPTED", keyName: <Cloud KMS key> }.`];
        }),
        ...on<Props<ManagedClusterArgs>>(AKS, (cluster) => {
            const k = cluster.securityProfile?.azureKeyVaultKms;
            return k?.enabled === true && isSet(k, "keyId")
                ? []
                : [`AKS cluster: securityProfile.azureKeyVaultKms is ${k?.enabled ? "enabled without keyId" : fmt(k?.enabled)}; enable it with keyId set to a Key Vault key (keyVaultNetworkAccess "Private").`];
        }),
    }
};

const mskTls: RuleDef = {
    name: "enc-02-msk-tls",
    id: "ENC-02",
    description: "MSK encrypts client and inter-broker traffic with TLS only.",
    enforcementLevel: "mandatory",
    checks: on<Props<MskClusterArgs>>(["aws:msk/cluster:Cluster"], (p) => {
        const t = p.encryptionInfo?.encryptionInTransit;
        const out: string[] = [];
        if ((t?.clientBroker ?? "TLS") !== "TLS")
            out.push(`MSK cluster: encryptionInfo.encryptionInTransit.clientBroker is ${fmt(t?.clientBroker)}; set it to "TLS" (or leave it unset: the default is TLS).`);
        if (t?.inCluster === false) out.push(`MSK cluster: encryptionInfo.encryptionInTransit.inCluster is false; remove it or set it to true.`);
        return out;
    }),
};

const mskCmk: RuleDef = {
    name: "enc-02a-msk-customer-key",
    id: "ENC-02",
    description: "MSK data at rest uses a customer-managed KMS key.",
    enforcementLevel: "advisory",
    checks: on<Props<MskClusterArgs>>(["aws:msk/cluster:Cluster"], (p) =>
        isSet(p.encryptionInfo, "encryptionAtRestKmsKeyArn")
            ? []
            : [`MSK cluster: encryptionInfo.encryptionAtRestKmsKeyArn is unset (an AWS-managed key is used); set it to the platform KMS key.`]),
};

const kafkaAuth: RuleDef = {
    name: "enc-03-kafka-client-auth",
    id: "ENC-03",
    description: "Kafka clients always authenticate (IAM, SCRAM or mTLS); ACLs never grant to every user.",
    enforcementLevel: "mandatory",
    checks: {
        ...on<Props<MskClusterArgs>>("aws:msk/cluster:Cluster", (cluster) => {
            const a = cluster.clientAuthentication;
            const out: string[] = [];
            if (a?.unauthenticated === true) out.push(`MSK cluster: clientAuthentication.unauthenticated is true; remove it.`);
            const strong = a?.sasl?.iam === true || a?.sasl?.scram === true || (a?.tls?.certificateAuthorityArns?.length ?? 0) > 0;
            if (!strong) out.push(`MSK cluster: clientAuthentication has no IAM, SCRAM or mTLS method; set clientAuthentication.sasl.iam to true.`);
            return out;
        }),
        ...on<Props<ServerlessClusterArgs>>("aws:msk/serverlessCluster:ServerlessCluster", (cluster) => {
            const iam = cluster.clientAuthentication?.sasl?.iam?.enabled;
            return iam === true ? [] : [`MSK Serverless cluster: clientAuthentication.sasl.iam.enabled is ${fmt(iam)}; set it to true.`];
        }),
        ...on<Props<AclArgs>>("gcp:managedkafka/acl:Acl", (acl) =>
            asArray(acl.aclEntries)
                .filter((e) => e.principal === "User:*")
                .map((e) => `Managed Kafka ACL: aclEntries grants ${fmt(e.operation)} to principal "User:*"; name the service accounts ("User:<sa>@<project>.iam.gserviceaccount.com").`),
        ),
    }
};

const eventHubTls: RuleDef = {
    name: "enc-04-event-hubs-tls-entra",
    id: "ENC-04",
    description: "Event Hubs namespaces require TLS 1.2 and Entra ID authentication (no SAS keys).",
    enforcementLevel: "mandatory",
    checks: on<Props<EventHubNamespaceArgs>>(["azure-native:eventhub:Namespace"], (p) => {
        const out: string[] = [];
        if (p.minimumTlsVersion !== "1.2") out.push(`Event Hubs namespace: minimumTlsVersion is ${fmt(p.minimumTlsVersion)}; set it to "1.2" explicitly.`);
        if (p.disableLocalAuth !== true) out.push(`Event Hubs namespace: disableLocalAuth is ${fmt(p.disableLocalAuth)} (default false: SAS keys work); set it to true so only Entra ID identities connect.`);
        return out;
    }),
};

const containerAppsMtls: RuleDef = {
    name: "enc-05-container-apps-mtls",
    id: "ENC-05",
    description: "Container Apps environments encrypt app-to-app traffic with mTLS; apps refuse plain HTTP.",
    enforcementLevel: "mandatory",
    checks: {
        ...on<Props<ContainerAppArgs>>("azure-native:app:ContainerApp", (app) =>
            app.configuration?.ingress?.allowInsecure === true ? [`Container App: configuration.ingress.allowInsecure is true; set it to false so HTTP is redirected to HTTPS.`] : [],
        ),
        ...on<Props<ManagedEnvironmentArgs>>("azure-native:app:ManagedEnvironment", (e) => {
            const out: string[] = [];
            if (e.peerAuthentication?.mtls?.enabled !== true)
                out.push(`Container Apps environment: peerAuthentication.mtls.enabled is ${fmt(e.peerAuthentication?.mtls?.enabled)}; set it to true.`);
            if (e.peerTrafficConfiguration?.encryption?.enabled !== true)
                out.push(`Container Apps environment: peerTrafficConfiguration.encryption.enabled is ${fmt(e.peerTrafficConfiguration?.encryption?.enabled)}; set it to true.`);
            return out;
        }),
    }
};

/** "7776000s" → seconds. */
const seconds = (d: string | undefined) => (d && /^\d+(\.\d+)?s$/.test(d) ? Number(d.slice(0, -1)) : undefined);
const NINETY_DAYS = 90 * 24 * 3600;

const keyRotation: RuleDef = {
    name: "enc-06-key-rotation",
    id: "ENC-06",
    description: "Customer-managed keys rotate automatically (at most every 90 days on GCP).",
    enforcementLevel: "mandatory",
    checks: {
        ...on<Props<KmsKeyArgs>>("aws:kms/key:Key", (k) => {
            // Asymmetric and HMAC keys cannot rotate automatically.
            if (k.customerMasterKeySpec && k.customerMasterKeySpec !== "SYMMETRIC_DEFAULT") return [];
            return k.enableKeyRotation === true ? [] : [`KMS key: enableKeyRotation is ${fmt(k.enableKeyRotation)} (default false); set it to true.`];
        }),
        ...on<Props<CryptoKeyArgs>>("gcp:kms/cryptoKey:CryptoKey", (k) => {
            if (k.purpose && k.purpose !== "ENCRYPT_DECRYPT") return [];
            const s = seconds(k.rotationPeriod);
            return s !== undefined && s <= NINETY_DAYS ? [] : [`Cloud KMS key: rotationPeriod is ${fmt(k.rotationPeriod)}; set it to at most "7776000s" (90 days).`];
        }),
        ...on<Props<VaultKeyArgs>>("azure-native:keyvault:Key", (k) => {
            const actions = k.properties?.rotationPolicy?.lifetimeActions ?? [];
            return actions.some((a) => String(a.action?.type ?? "").toLowerCase() === "rotate")
                ? []
                : [`Key Vault key: properties.rotationPolicy has no "Rotate" lifetime action; add lifetimeActions [{ trigger: { timeAfterCreate: "P90D" }, action: { type: "Rotate" } }].`];
        }),
    }
};

const GCP_KEY_IAM_MEMBER = ["gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember", "gcp:kms/keyRingIAMMember:KeyRingIAMMember"];
const GCP_KEY_IAM_BINDING = ["gcp:kms/cryptoKeyIAMBinding:CryptoKeyIAMBinding", "gcp:kms/keyRingIAMBinding:KeyRingIAMBinding"];

const publicGrants = (role: string | undefined, members: string[] | undefined, ctx: RuleContext) =>
    asArray(members)
        .filter((m) => m === "allUsers" || m === "allAuthenticatedUsers")
        .map((m) => `${ctx.type.split(":").pop()}: grants ${fmt(role)} to ${m}; grant it to named service accounts.`);

const keyAccess: RuleDef = {
    name: "enc-07-no-public-key-access",
    id: "ENC-07",
    description: "Key policies and key IAM never grant to public principals.",
    enforcementLevel: "mandatory",
    checks: {
        ...on<Props<KmsKeyArgs>>("aws:kms/key:Key", (key) => {
            const doc = parseDocument(key.policy);
            if (!doc) return [];
            return asArray<any>(doc.Statement)
                .filter((s) => s?.Effect === "Allow" && (s.Principal === "*" || asArray(s.Principal?.AWS).includes("*")) && !s.Condition)
                .map(() => `KMS key: policy allows Principal "*" without a condition; name the account root or roles that may use the key.`);
        }),
        ...on<Props<CryptoKeyIAMMemberArgs | KeyRingIAMMemberArgs>>(GCP_KEY_IAM_MEMBER, (m, ctx) => publicGrants(m.role, [m.member], ctx)),
        ...on<Props<CryptoKeyIAMBindingArgs | KeyRingIAMBindingArgs>>(GCP_KEY_IAM_BINDING, (b, ctx) => publicGrants(b.role, b.members, ctx)),
    }
};

const keyVault: RuleDef = {
    name: "enc-08-key-vault-hardening",
    id: "ENC-08",
    description: "Key Vaults have purge protection and no public network access.",
    enforcementLevel: "mandatory",
    checks: on<Props<VaultArgs>>(["azure-native:keyvault:Vault"], (p) => {
        const v = p.properties;
        const out: string[] = [];
        if (v?.enablePurgeProtection !== true) out.push(`Key Vault: properties.enablePurgeProtection is ${fmt(v?.enablePurgeProtection)}; set it to true so deleted keys cannot be purged during retention.`);
        if (v?.publicNetworkAccess !== "Disabled") out.push(`Key Vault: properties.publicNetworkAccess is ${fmt(v?.publicNetworkAccess)} (default enabled); set it to "Disabled" and use a private endpoint.`);
        return out;
    }),
};

const keyVaultRbac: RuleDef = {
    name: "enc-08a-key-vault-rbac",
    id: "ENC-08",
    description: "Key Vaults authorize data access with Azure RBAC (not access policies).",
    enforcementLevel: "advisory",
    checks: on<Props<VaultArgs>>(["azure-native:keyvault:Vault"], (p) =>
        p.properties?.enableRbacAuthorization === true
            ? []
            : [`Key Vault: properties.enableRbacAuthorization is ${fmt(p.properties?.enableRbacAuthorization)}; set it to true.`]),
};

const nodeDisks: RuleDef = {
    name: "enc-09-node-disk-encryption",
    id: "ENC-09",
    description: "Node disks are encrypted at host / with CMEK; GKE encrypts inter-node traffic.",
    enforcementLevel: "advisory",
    checks: {
        ...on<Props<ManagedClusterArgs>>(AKS, (cluster) =>
            asArray(cluster.agentPoolProfiles)
                .filter((a) => a.enableEncryptionAtHost !== true)
                .map((a) => `AKS cluster: agentPoolProfiles[${fmt(a.name)}].enableEncryptionAtHost is ${fmt(a.enableEncryptionAtHost)}; set it to true.`),
        ),
        ...on<Props<AgentPoolArgs>>("azure-native:containerservice:AgentPool", (pool) =>
            pool.enableEncryptionAtHost === true ? [] : [`AKS agent pool: enableEncryptionAtHost is unset or false; set it to true.`],
        ),
        ...on<Props<GkeClusterArgs>>(GKE, (c) => {
            const out: string[] = [];
            if (c.inTransitEncryptionConfig !== "IN_TRANSIT_ENCRYPTION_INTER_NODE_TRANSPARENT")
                out.push(`GKE cluster: inTransitEncryptionConfig is ${fmt(c.inTransitEncryptionConfig)}; set it to "IN_TRANSIT_ENCRYPTION_INTER_NODE_TRANSPARENT".`);
            if (c.removeDefaultNodePool !== true && !isSet(c.nodeConfig, "bootDiskKmsKey"))
                out.push(`GKE cluster default pool: nodeConfig.bootDiskKmsKey is unset; set it to a Cloud KMS key.`);
            return out;
        }),
        ...on<Props<NodePoolArgs>>(GNP, (pool) => (isSet(pool.nodeConfig, "bootDiskKmsKey") ? [] : [`GKE node pool: nodeConfig.bootDiskKmsKey is unset; set it to a Cloud KMS key.`])),
    }
};

export const encryptionRules: RuleDef[] = [secretsEnvelope, mskTls, mskCmk, kafkaAuth, eventHubTls, containerAppsMtls, keyRotation, keyAccess, keyVault, keyVaultRbac, nodeDisks];

export const encryptionPolicies = encryptionRules.map(resourcePolicy);
