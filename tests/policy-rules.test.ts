/**
 * Every zero-trust rule over the engine's analyzer protocol: one pack process started exactly as the
 * engine starts it (run-policy-pack), then Configure / Analyze / AnalyzeStack calls. Each rule has a
 * passing case, a failing case and a "left unset" case (judged by the provider default).
 */
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startPolicyPack, type AnalyzerResource, type PolicyPackHandle } from "../tools/policy/analyzer-client";

const PACK = path.resolve(__dirname, "../policies/zero-trust");
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
let pack: PolicyPackHandle;
let n = 0;

beforeAll(async () => {
    pack = await startPolicyPack(PACK);
    await pack.configure({});
}, 120_000);
afterAll(async () => pack?.close());

function resource(type: string, properties: Record<string, unknown>, extra: Partial<AnalyzerResource> = {}): AnalyzerResource {
    const name = extra.name ?? `r${++n}`;
    return { urn: `urn:pulumi:test::platform::${type}::${name}`, type, name, properties, ...extra };
}

async function violations(policy: string, type: string, props: Record<string, unknown>, extra: Partial<AnalyzerResource> = {}) {
    const r = await pack.analyze(resource(type, props, extra));
    return r.diagnostics.filter((d) => d.policy === policy);
}

interface Case {
    policy: string;
    type: string;
    pass: Record<string, unknown>;
    fail: Record<string, unknown>;
    /** Props with the checked settings left unset, and whether that violates (insecure provider default). */
    unset: Record<string, unknown>;
    unsetViolates: boolean;
    level?: "mandatory" | "advisory";
    /** A fragment the failure message must contain (the property path). */
    mentions: string;
}

const EKS = "aws:eks/cluster:Cluster";
const GKE = "gcp:container/cluster:Cluster";
const AKS = "azure-native:containerservice:ManagedCluster";
const goodPod = {
    serviceAccountName: "app",
    automountServiceAccountToken: false,
    securityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } },
    containers: [{ name: "app", image: "app:1", securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } } }],
};
const deployment = (spec: unknown, ns = "shop") => ({ metadata: { namespace: ns }, spec: { template: { spec } } });

const cases: Case[] = [
    { policy: "id-01-eks-access-entries", type: EKS, pass: { accessConfig: { authenticationMode: "API", bootstrapClusterCreatorAdminPermissions: false } }, fail: { accessConfig: { authenticationMode: "API_AND_CONFIG_MAP", bootstrapClusterCreatorAdminPermissions: false } }, unset: {}, unsetViolates: true, mentions: "accessConfig.authenticationMode" },
    { policy: "id-02-aks-entra-rbac", type: AKS, pass: { disableLocalAccounts: true, aadProfile: { managed: true, enableAzureRBAC: true } }, fail: { disableLocalAccounts: false, aadProfile: { managed: true, enableAzureRBAC: true } }, unset: {}, unsetViolates: true, mentions: "disableLocalAccounts" },
    { policy: "id-03-gke-no-legacy-auth", type: GKE, pass: { enableLegacyAbac: false }, fail: { enableLegacyAbac: true }, unset: {}, unsetViolates: false, mentions: "enableLegacyAbac" },
    { policy: "id-04-gke-workload-identity", type: GKE, pass: { workloadIdentityConfig: { workloadPool: "p.svc.id.goog" }, removeDefaultNodePool: true }, fail: { workloadIdentityConfig: { workloadPool: "p.svc.id.goog" }, nodeConfig: { workloadMetadataConfig: { mode: "GCE_METADATA" } } }, unset: { removeDefaultNodePool: true }, unsetViolates: true, mentions: "workloadMetadataConfig.mode" },
    { policy: "id-05-gke-node-service-account", type: "gcp:container/nodePool:NodePool", pass: { nodeConfig: { serviceAccount: "nodes@p.iam.gserviceaccount.com" } }, fail: { nodeConfig: { serviceAccount: "123-compute@developer.gserviceaccount.com" } }, unset: { nodeConfig: {} }, unsetViolates: true, mentions: "nodeConfig.serviceAccount" },
    { policy: "id-06-aks-workload-identity", type: AKS, pass: { securityProfile: { workloadIdentity: { enabled: true } }, oidcIssuerProfile: { enabled: true } }, fail: { securityProfile: { workloadIdentity: { enabled: true } }, oidcIssuerProfile: { enabled: true }, podIdentityProfile: { enabled: true } }, unset: {}, unsetViolates: true, mentions: "podIdentityProfile.enabled" },
    { policy: "id-07-azure-federated-credential", type: "azure-native:managedidentity:FederatedIdentityCredential", pass: { subject: "system:serviceaccount:shop:api", audiences: ["api://AzureADTokenExchange"] }, fail: { subject: "system:serviceaccount:shop:*", audiences: ["api://AzureADTokenExchange"] }, unset: {}, unsetViolates: true, mentions: "subject" },
    {
        policy: "id-08-iam-role-trust", type: "aws:iam/role:Role",
        pass: { assumeRolePolicy: JSON.stringify({ Statement: [{ Effect: "Allow", Principal: { Federated: "arn:aws:iam::1:oidc-provider/oidc.eks.eu-north-1.amazonaws.com/id/X" }, Action: "sts:AssumeRoleWithWebIdentity", Condition: { StringEquals: { "oidc.eks.eu-north-1.amazonaws.com/id/X:sub": "system:serviceaccount:shop:api", "oidc.eks.eu-north-1.amazonaws.com/id/X:aud": "sts.amazonaws.com" } } }] }) },
        fail: { assumeRolePolicy: JSON.stringify({ Statement: [{ Effect: "Allow", Principal: { AWS: "*" }, Action: "sts:AssumeRole" }] }) },
        unset: { assumeRolePolicy: JSON.stringify({ Statement: [{ Effect: "Allow", Principal: { Federated: "arn:aws:iam::1:oidc-provider/oidc.eks.x/id/X" }, Action: "sts:AssumeRoleWithWebIdentity" }] }) },
        unsetViolates: true, mentions: "Principal \"*\"",
    },
    { policy: "id-09-eks-pod-identity-service-account", type: "aws:eks/podIdentityAssociation:PodIdentityAssociation", pass: { serviceAccount: "api", namespace: "shop" }, fail: { serviceAccount: "default", namespace: "shop" }, unset: { namespace: "shop" }, unsetViolates: false, level: "advisory", mentions: "serviceAccount" },
    { policy: "id-10-imdsv2-hop-limit", type: "aws:ec2/launchTemplate:LaunchTemplate", pass: { metadataOptions: { httpTokens: "required", httpPutResponseHopLimit: 1 } }, fail: { metadataOptions: { httpTokens: "optional", httpPutResponseHopLimit: 1 } }, unset: {}, unsetViolates: true, mentions: "metadataOptions.httpTokens" },
    { policy: "id-11-iam-no-admin", type: "aws:iam/rolePolicyAttachment:RolePolicyAttachment", pass: { policyArn: "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy" }, fail: { policyArn: "arn:aws:iam::aws:policy/AdministratorAccess" }, unset: {}, unsetViolates: false, mentions: "AdministratorAccess" },
    { policy: "id-12-cloud-run-no-public-invoker", type: "gcp:cloudrunv2/serviceIamMember:ServiceIamMember", pass: { member: "serviceAccount:caller@p.iam.gserviceaccount.com" }, fail: { member: "allUsers" }, unset: {}, unsetViolates: false, mentions: "allUsers" },
    { policy: "net-01-eks-private-endpoint", type: EKS, pass: { vpcConfig: { endpointPrivateAccess: true, endpointPublicAccess: false } }, fail: { vpcConfig: { endpointPrivateAccess: true, endpointPublicAccess: true, publicAccessCidrs: ["0.0.0.0/0"] } }, unset: { vpcConfig: {} }, unsetViolates: true, mentions: "publicAccessCidrs" },
    { policy: "net-02-gke-private-cluster", type: GKE, pass: { privateClusterConfig: { enablePrivateNodes: true, enablePrivateEndpoint: true }, masterAuthorizedNetworksConfig: { cidrBlocks: [{ cidrBlock: "10.99.0.0/24" }] } }, fail: { privateClusterConfig: { enablePrivateNodes: true, enablePrivateEndpoint: true }, masterAuthorizedNetworksConfig: { cidrBlocks: [{ cidrBlock: "0.0.0.0/0" }] } }, unset: {}, unsetViolates: true, mentions: "masterAuthorizedNetworksConfig" },
    { policy: "net-03-aks-private-api", type: AKS, pass: { apiServerAccessProfile: { enablePrivateCluster: true, enablePrivateClusterPublicFQDN: false } }, fail: { apiServerAccessProfile: { enablePrivateCluster: true, enablePrivateClusterPublicFQDN: true } }, unset: {}, unsetViolates: true, mentions: "enablePrivateClusterPublicFQDN" },
    { policy: "net-04-no-public-node-ips", type: "azure-native:containerservice:AgentPool", pass: { enableNodePublicIP: false }, fail: { enableNodePublicIP: true }, unset: {}, unsetViolates: false, mentions: "enableNodePublicIP" },
    { policy: "net-05-subnet-no-auto-public-ip", type: "aws:ec2/subnet:Subnet", pass: { mapPublicIpOnLaunch: true, tags: { "kubernetes.io/role/elb": "1" } }, fail: { mapPublicIpOnLaunch: true }, unset: {}, unsetViolates: false, mentions: "mapPublicIpOnLaunch" },
    { policy: "net-06-no-world-ingress", type: "aws:ec2/securityGroup:SecurityGroup", pass: { ingress: [{ protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["10.10.0.0/16"] }] }, fail: { ingress: [{ protocol: "tcp", fromPort: 22, toPort: 22, ipv6CidrBlocks: ["::/0"] }] }, unset: {}, unsetViolates: false, mentions: "ingress[0].ipv6CidrBlocks" },
    { policy: "net-07-no-open-egress", type: "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule", pass: { ipProtocol: "tcp", fromPort: 443, toPort: 443, cidrIpv4: "0.0.0.0/0" }, fail: { ipProtocol: "-1", cidrIpv4: "0.0.0.0/0" }, unset: {}, unsetViolates: false, level: "advisory", mentions: "ipProtocol -1" },
    { policy: "net-08-default-security-group-empty", type: "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup", pass: { ingress: [], egress: [] }, fail: { ingress: [{ protocol: "-1", self: true, fromPort: 0, toPort: 0 }], egress: [] }, unset: {}, unsetViolates: false, mentions: "ingress" },
    { policy: "net-09-nacl-no-world-admin-ports", type: "aws:ec2/networkAclRule:NetworkAclRule", pass: { egress: false, ruleAction: "allow", cidrBlock: "0.0.0.0/0", protocol: "tcp", fromPort: 443, toPort: 443 }, fail: { egress: false, ruleAction: "allow", cidrBlock: "0.0.0.0/0", protocol: "tcp", fromPort: 22, toPort: 22 }, unset: { ruleAction: "allow", protocol: "-1", cidrBlock: "10.0.0.0/8" }, unsetViolates: false, level: "advisory", mentions: "port 22" },
    { policy: "net-10-nsg-no-internet-inbound", type: "azure-native:network:SecurityRule", pass: { direction: "Inbound", access: "Allow", sourceAddressPrefix: "VirtualNetwork" }, fail: { direction: "Inbound", access: "Allow", sourceAddressPrefix: "Internet" }, unset: { direction: "Inbound", access: "Allow" }, unsetViolates: false, mentions: "source" },
    { policy: "net-11-azure-subnet-nsg", type: "azure-native:network:Subnet", pass: { subnetName: "nodes", networkSecurityGroup: { id: "/subscriptions/x/nsg" } }, fail: { subnetName: "nodes", networkSecurityGroup: {} }, unset: { subnetName: "nodes" }, unsetViolates: true, mentions: "networkSecurityGroup" },
    { policy: "net-11a-azure-subnet-no-default-outbound", type: "azure-native:network:Subnet", pass: { defaultOutboundAccess: false }, fail: { defaultOutboundAccess: true }, unset: {}, unsetViolates: true, level: "advisory", mentions: "defaultOutboundAccess" },
    { policy: "net-12-gcp-firewall-no-world-ingress", type: "gcp:compute/firewall:Firewall", pass: { allows: [{ protocol: "tcp", ports: ["22"] }], sourceRanges: ["10.30.0.0/20"] }, fail: { allows: [{ protocol: "tcp", ports: ["22"] }], sourceRanges: ["0.0.0.0/0"] }, unset: { allows: [{ protocol: "tcp" }] }, unsetViolates: false, mentions: "sourceRanges" },
    { policy: "net-13-kafka-no-public-access", type: "azure-native:eventhub:Namespace", pass: { publicNetworkAccess: "Disabled" }, fail: { publicNetworkAccess: "Enabled" }, unset: {}, unsetViolates: true, mentions: "publicNetworkAccess" },
    { policy: "net-14-serverless-internal-ingress", type: "gcp:cloudrunv2/service:Service", pass: { ingress: "INGRESS_TRAFFIC_INTERNAL_ONLY" }, fail: { ingress: "INGRESS_TRAFFIC_ALL" }, unset: {}, unsetViolates: true, mentions: "ingress" },
    { policy: "net-14-serverless-internal-ingress", type: "azure-native:app:ContainerApp", pass: { configuration: { ingress: { external: true, ipSecurityRestrictions: [{ name: "vnet", ipAddressRange: "10.20.0.0/16", action: "Allow" }] } } }, fail: { configuration: { ingress: { external: true, ipSecurityRestrictions: [{ name: "any", ipAddressRange: "0.0.0.0/0", action: "Allow" }] } } }, unset: { configuration: { ingress: { external: true } } }, unsetViolates: true, mentions: "ipSecurityRestrictions" },
    { policy: "net-15-serverless-egress-through-vpc", type: "gcp:cloudrunv2/service:Service", pass: { template: { vpcAccess: { egress: "ALL_TRAFFIC" } } }, fail: { template: { vpcAccess: { egress: "PRIVATE_RANGES_ONLY" } } }, unset: {}, unsetViolates: true, level: "advisory", mentions: "template.vpcAccess.egress" },
    { policy: "net-16-cluster-network-policy", type: GKE, pass: { datapathProvider: "ADVANCED_DATAPATH" }, fail: { datapathProvider: "LEGACY_DATAPATH" }, unset: {}, unsetViolates: true, mentions: "datapathProvider" },
    { policy: "enc-01-secrets-envelope-encryption", type: EKS, pass: { encryptionConfig: { resources: ["secrets"], provider: { keyArn: "arn:aws:kms:eu-north-1:1:key/k" } } }, fail: { encryptionConfig: { resources: [], provider: { keyArn: "arn:k" } } }, unset: {}, unsetViolates: true, mentions: "encryptionConfig" },
    { policy: "enc-02-msk-tls", type: "aws:msk/cluster:Cluster", pass: { encryptionInfo: { encryptionInTransit: { clientBroker: "TLS", inCluster: true } } }, fail: { encryptionInfo: { encryptionInTransit: { clientBroker: "TLS_PLAINTEXT" } } }, unset: {}, unsetViolates: false, mentions: "clientBroker" },
    { policy: "enc-02a-msk-customer-key", type: "aws:msk/cluster:Cluster", pass: { encryptionInfo: { encryptionAtRestKmsKeyArn: "arn:k" } }, fail: { encryptionInfo: { encryptionAtRestKmsKeyArn: "" } }, unset: {}, unsetViolates: true, level: "advisory", mentions: "encryptionAtRestKmsKeyArn" },
    { policy: "enc-03-kafka-client-auth", type: "aws:msk/cluster:Cluster", pass: { clientAuthentication: { sasl: { iam: true } } }, fail: { clientAuthentication: { sasl: { iam: true }, unauthenticated: true } }, unset: {}, unsetViolates: true, mentions: "unauthenticated" },
    { policy: "enc-04-event-hubs-tls-entra", type: "azure-native:eventhub:Namespace", pass: { minimumTlsVersion: "1.2", disableLocalAuth: true }, fail: { minimumTlsVersion: "1.0", disableLocalAuth: true }, unset: {}, unsetViolates: true, mentions: "minimumTlsVersion" },
    { policy: "enc-05-container-apps-mtls", type: "azure-native:app:ManagedEnvironment", pass: { peerAuthentication: { mtls: { enabled: true } }, peerTrafficConfiguration: { encryption: { enabled: true } } }, fail: { peerAuthentication: { mtls: { enabled: false } }, peerTrafficConfiguration: { encryption: { enabled: true } } }, unset: {}, unsetViolates: true, mentions: "peerAuthentication.mtls.enabled" },
    { policy: "enc-06-key-rotation", type: "gcp:kms/cryptoKey:CryptoKey", pass: { rotationPeriod: "7776000s" }, fail: { rotationPeriod: "31536000s" }, unset: {}, unsetViolates: true, mentions: "rotationPeriod" },
    { policy: "enc-07-no-public-key-access", type: "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember", pass: { role: "roles/cloudkms.cryptoKeyEncrypterDecrypter", member: "serviceAccount:gke@p.iam.gserviceaccount.com" }, fail: { role: "roles/cloudkms.cryptoKeyEncrypterDecrypter", member: "allAuthenticatedUsers" }, unset: {}, unsetViolates: false, mentions: "allAuthenticatedUsers" },
    { policy: "enc-08-key-vault-hardening", type: "azure-native:keyvault:Vault", pass: { properties: { enablePurgeProtection: true, publicNetworkAccess: "Disabled" } }, fail: { properties: { enablePurgeProtection: true, publicNetworkAccess: "Enabled" } }, unset: { properties: {} }, unsetViolates: true, mentions: "publicNetworkAccess" },
    { policy: "enc-08a-key-vault-rbac", type: "azure-native:keyvault:Vault", pass: { properties: { enableRbacAuthorization: true } }, fail: { properties: { enableRbacAuthorization: false } }, unset: { properties: {} }, unsetViolates: true, level: "advisory", mentions: "enableRbacAuthorization" },
    { policy: "enc-09-node-disk-encryption", type: "azure-native:containerservice:AgentPool", pass: { enableEncryptionAtHost: true }, fail: { enableEncryptionAtHost: false }, unset: {}, unsetViolates: true, level: "advisory", mentions: "enableEncryptionAtHost" },
    { policy: "iso-01-node-hardening", type: AKS, pass: { addonProfiles: { azurepolicy: { enabled: true } } }, fail: { addonProfiles: { azurepolicy: { enabled: false } } }, unset: {}, unsetViolates: true, level: "advisory", mentions: "azurepolicy" },
    { policy: "iso-02-ecs-task-isolation", type: "aws:ecs/taskDefinition:TaskDefinition", pass: { family: "f", containerDefinitions: JSON.stringify([{ name: "app", readonlyRootFilesystem: true }]) }, fail: { family: "f", containerDefinitions: JSON.stringify([{ name: "app", readonlyRootFilesystem: true, privileged: true }]) }, unset: { family: "f", containerDefinitions: JSON.stringify([{ name: "app" }]) }, unsetViolates: true, mentions: "privileged" },
    { policy: "log-01-control-plane-audit-logs", type: EKS, pass: { enabledClusterLogTypes: ["api", "audit", "authenticator"] }, fail: { enabledClusterLogTypes: ["api"] }, unset: {}, unsetViolates: true, mentions: "enabledClusterLogTypes" },
    { policy: "log-02-flow-and-broker-logs", type: "gcp:compute/subnetwork:Subnetwork", pass: { logConfig: { aggregationInterval: "INTERVAL_5_SEC" } }, fail: { purpose: "PRIVATE" }, unset: {}, unsetViolates: true, mentions: "logConfig" },
    { policy: "log-02a-azure-flow-log-retention", type: "azure-native:network:FlowLog", pass: { enabled: true, retentionPolicy: { enabled: true, days: 90 } }, fail: { enabled: true, retentionPolicy: { enabled: true, days: 7 } }, unset: {}, unsetViolates: true, level: "advisory", mentions: "retentionPolicy" },
    { policy: "sec-01-secret-store-integration", type: GKE, pass: { secretManagerConfig: { enabled: true } }, fail: { secretManagerConfig: { enabled: false } }, unset: {}, unsetViolates: true, level: "advisory", mentions: "secretManagerConfig.enabled" },
    { policy: "k8s-01-pod-security-restricted", type: "kubernetes:core/v1:Namespace", pass: { metadata: { name: "shop", labels: { "pod-security.kubernetes.io/enforce": "restricted" } } }, fail: { metadata: { name: "shop", labels: { "pod-security.kubernetes.io/enforce": "baseline" } } }, unset: { metadata: { name: "shop" } }, unsetViolates: true, mentions: "pod-security.kubernetes.io/enforce" },
    { policy: "k8s-03-peer-authentication-strict", type: "kubernetes:security.istio.io/v1:PeerAuthentication", pass: { spec: { mtls: { mode: "STRICT" } } }, fail: { spec: { mtls: { mode: "STRICT" }, portLevelMtls: { "8080": { mode: "PERMISSIVE" } } } }, unset: { spec: {} }, unsetViolates: false, mentions: "portLevelMtls" },
    { policy: "k8s-04-authorization-positive-match", type: "kubernetes:security.istio.io/v1:AuthorizationPolicy", pass: { spec: { rules: [{ from: [{ source: { principals: ["cluster.local/ns/shop/sa/web"] } }] }] } }, fail: { spec: { rules: [{ from: [{ source: { notPrincipals: ["cluster.local/ns/x/sa/y"] } }] }] } }, unset: { spec: {} }, unsetViolates: false, mentions: "notPrincipals" },
    { policy: "k8s-05-mesh-enrolment", type: "kubernetes:core/v1:Namespace", pass: { metadata: { name: "shop", labels: { "istio.io/dataplane-mode": "ambient" } } }, fail: { metadata: { name: "shop", labels: { "istio.io/dataplane-mode": "none" } } }, unset: { metadata: { name: "shop" } }, unsetViolates: true, mentions: "istio.io/dataplane-mode" },
    { policy: "k8s-06-l7-policy-targets-waypoint", type: "kubernetes:security.istio.io/v1:AuthorizationPolicy", pass: { spec: { targetRefs: [{ kind: "Gateway", group: "gateway.networking.k8s.io", name: "waypoint" }], rules: [{ to: [{ operation: { methods: ["GET"] } }] }] } }, fail: { spec: { rules: [{ to: [{ operation: { methods: ["GET"] } }] }] } }, unset: { spec: { rules: [{ to: [{ operation: { ports: ["8080"] } }] }] } }, unsetViolates: false, mentions: "targetRefs" },
    { policy: "k8s-07-cilium-transparent-encryption", type: "kubernetes:helm.sh/v3:Release", pass: { chart: "cilium", values: { encryption: { enabled: true, type: "wireguard" } } }, fail: { chart: "cilium", values: { encryption: { enabled: false } } }, unset: { chart: "cilium", values: {} }, unsetViolates: true, mentions: "values.encryption" },
    { policy: "k8s-08-internal-load-balancer", type: "kubernetes:core/v1:Service", pass: { metadata: { namespace: "shop", annotations: { "service.beta.kubernetes.io/azure-load-balancer-internal": "true" } }, spec: { type: "LoadBalancer" } }, fail: { metadata: { namespace: "shop" }, spec: { type: "LoadBalancer" } }, unset: { metadata: { namespace: "shop" }, spec: {} }, unsetViolates: false, mentions: "LoadBalancer" },
    { policy: "k8s-09-no-host-access", type: "kubernetes:apps/v1:Deployment", pass: deployment(goodPod), fail: deployment({ ...goodPod, hostNetwork: true }), unset: deployment({ containers: [{ name: "app", image: "app:1" }] }), unsetViolates: true, mentions: "spec.hostNetwork" },
    { policy: "k8s-10-restricted-security-context", type: "kubernetes:apps/v1:Deployment", pass: deployment(goodPod), fail: deployment({ ...goodPod, containers: [{ name: "app", securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: false, capabilities: { drop: ["ALL"] } } }] }), unset: deployment({ containers: [{ name: "app" }] }), unsetViolates: true, mentions: "readOnlyRootFilesystem" },
    { policy: "k8s-11-dedicated-service-account", type: "kubernetes:apps/v1:Deployment", pass: deployment(goodPod), fail: deployment({ ...goodPod, serviceAccountName: "default" }), unset: deployment({ containers: [{ name: "app" }] }), unsetViolates: true, mentions: "serviceAccountName" },
    { policy: "k8s-12-no-default-namespace", type: "kubernetes:apps/v1:Deployment", pass: deployment(goodPod), fail: deployment(goodPod, "default"), unset: { spec: { template: { spec: goodPod } } }, unsetViolates: true, mentions: "metadata.namespace" },
    { policy: "k8s-13-rbac-least-privilege", type: "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding", pass: { roleRef: { kind: "ClusterRole", name: "view" }, subjects: [{ kind: "Group", name: "devs" }] }, fail: { roleRef: { kind: "ClusterRole", name: "cluster-admin" }, subjects: [{ kind: "Group", name: "devs" }] }, unset: {}, unsetViolates: false, mentions: "cluster-admin" },
    { policy: "k8s-14-strimzi-tls-auth", type: "kubernetes:kafka.strimzi.io/v1beta2:Kafka", pass: { spec: { kafka: { listeners: [{ name: "tls", tls: true, authentication: { type: "tls" } }], authorization: { type: "simple" } } } }, fail: { spec: { kafka: { listeners: [{ name: "plain", tls: false, authentication: { type: "tls" } }], authorization: { type: "simple" } } } }, unset: { spec: { kafka: { listeners: [{ name: "tls", tls: true }] } } }, unsetViolates: true, mentions: "tls" },
    {
        policy: "k8s-16-network-policy-egress-named",
        type: "kubernetes:networking.k8s.io/v1:NetworkPolicy",
        pass: {
            metadata: { annotations: { "platform.io/egress-exception": "entra-id", "platform.io/egress-exception-reason": "token exchange" } },
            spec: { podSelector: {}, egress: [{ to: [{ ipBlock: { cidr: "0.0.0.0/0", except: ["10.0.0.0/8"] } }], ports: [{ protocol: "TCP", port: 443 }] }, { to: [{ ipBlock: { cidr: "10.10.0.0/18" } }] }] },
        },
        fail: { spec: { podSelector: {}, egress: [{ ports: [{ protocol: "TCP", port: 443 }] }] } },
        unset: { spec: { podSelector: {} } },
        unsetViolates: false,
        mentions: "spec.egress[0] has no destinations",
    },
    { policy: "k8s-15-knative-cluster-local", type: "kubernetes:serving.knative.dev/v1:Service", pass: { metadata: { labels: { "networking.knative.dev/visibility": "cluster-local" } } }, fail: { metadata: { labels: { "networking.knative.dev/visibility": "public" } } }, unset: {}, unsetViolates: true, level: "advisory", mentions: "networking.knative.dev/visibility" },
];

describe("zero-trust rules over the analyzer protocol", () => {
    it("serves every resource rule of the table and names them as the catalogue does", () => {
        const resourcePolicies = pack.policies.map((p) => p.name);
        for (const c of cases) expect(resourcePolicies).toContain(c.policy);
        expect(pack.name).toBe("zero-trust");
        expect(pack.version).toMatch(/^\d+\.\d+\.\d+$/);
    });

    for (const c of cases) {
        it(`${c.policy}: passes, fails and judges the unset default`, async () => {
            expect(await violations(c.policy, c.type, c.pass)).toEqual([]);
            const fail = await violations(c.policy, c.type, c.fail);
            expect(fail.length).toBeGreaterThan(0);
            expect(fail[0].enforcementLevel).toBe(c.level ?? "mandatory");
            expect(fail.map((d) => d.message).join("\n")).toContain(c.mentions);
            const unset = await violations(c.policy, c.type, c.unset);
            expect(unset.length > 0).toBe(c.unsetViolates);
        });
    }

    // Rules that cover several resource types: each further type gets its own pass / fail / unset case.
    const istioGateway = (values: Record<string, unknown>) => ({ chart: "gateway", version: "1.30.5", repositoryOpts: { repo: "https://istio-release.storage.googleapis.com/charts" }, namespace: "istio-ingress", values });
    const knativeServing = (kourier: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({ metadata: { name: "knative-serving", namespace: "knative-serving" }, spec: { ingress: { kourier }, ...extra } });
    const moreCases: Case[] = [
        {
            policy: "k8s-08-internal-load-balancer", type: "kubernetes:helm.sh/v3:Release",
            pass: istioGateway({ service: { type: "LoadBalancer", annotations: { "networking.gke.io/load-balancer-type": "Internal" } } }),
            fail: istioGateway({ service: { type: "LoadBalancer", annotations: { "service.beta.kubernetes.io/aws-load-balancer-scheme": "internet-facing" } } }),
            // The istio/gateway chart's Service defaults to type LoadBalancer without annotations: public.
            unset: istioGateway({}), unsetViolates: true, mentions: "values.service.type",
        },
        {
            policy: "k8s-08-internal-load-balancer", type: "kubernetes:operator.knative.dev/v1beta1:KnativeServing",
            pass: knativeServing({ enabled: true, "service-type": "ClusterIP" }),
            fail: knativeServing({ enabled: true, "service-type": "LoadBalancer" }),
            // Kourier's gateway Service defaults to type LoadBalancer.
            unset: knativeServing({ enabled: true }), unsetViolates: true, mentions: "service-type",
        },
        {
            policy: "k8s-05-mesh-enrolment", type: "kubernetes:apps/v1:Deployment",
            pass: { metadata: { namespace: "shop" }, spec: { template: { metadata: { labels: { app: "api" } }, spec: goodPod } } },
            fail: { metadata: { namespace: "shop" }, spec: { template: { metadata: { labels: { app: "api", "istio.io/dataplane-mode": "none" } }, spec: goodPod } } },
            unset: { metadata: { namespace: "shop" }, spec: { template: { spec: goodPod } } }, unsetViolates: false, mentions: "istio.io/dataplane-mode",
        },
    ];

    for (const c of moreCases) {
        it(`${c.policy} on ${c.type}: passes, fails and judges the unset default`, async () => {
            expect(await violations(c.policy, c.type, c.pass)).toEqual([]);
            const fail = await violations(c.policy, c.type, c.fail);
            expect(fail.length).toBeGreaterThan(0);
            expect(fail[0].enforcementLevel).toBe(c.level ?? "mandatory");
            expect(fail.map((d) => d.message).join("\n")).toContain(c.mentions);
            expect((await violations(c.policy, c.type, c.unset)).length > 0).toBe(c.unsetViolates);
        });
    }

    it("k8s-08: a Kourier LoadBalancer made internal through spec.services passes; other helm charts are not judged", async () => {
        const internal = knativeServing({ enabled: true, "service-type": "LoadBalancer" }, { services: [{ name: "kourier", annotations: { "service.beta.kubernetes.io/azure-load-balancer-internal": "true" } }] });
        expect(await violations("k8s-08-internal-load-balancer", "kubernetes:operator.knative.dev/v1beta1:KnativeServing", internal)).toEqual([]);
        expect(await violations("k8s-08-internal-load-balancer", "kubernetes:helm.sh/v3:Release", { chart: "keda", repositoryOpts: { repo: "https://kedacore.github.io/charts" }, values: {} })).toEqual([]);
    });

    it("k8s-16: an ipBlock of a /0 passes only in a policy named as an egress exception with its reason", async () => {
        const NP = "kubernetes:networking.k8s.io/v1:NetworkPolicy";
        const open = { podSelector: {}, egress: [{ to: [{ ipBlock: { cidr: "0.0.0.0/0" } }], ports: [{ protocol: "TCP", port: 443 }] }] };
        const bare = await violations("k8s-16-network-policy-egress-named", NP, { spec: open });
        expect(bare.map((d) => d.message)).toEqual([expect.stringContaining('spec.egress[0].to[0].ipBlock.cidr "0.0.0.0/0" reaches any address on TCP/443')]);
        const noReason = await violations("k8s-16-network-policy-egress-named", NP, { metadata: { annotations: { "platform.io/egress-exception": "entra-id" } }, spec: open });
        expect(noReason).toHaveLength(1);
        const named = { "platform.io/egress-exception": "entra-id", "platform.io/egress-exception-reason": "token exchange with Entra ID" };
        expect(await violations("k8s-16-network-policy-egress-named", NP, { metadata: { annotations: named }, spec: open })).toEqual([]);
    });

    it("k8s-05: workloads in system namespaces may opt out of the mesh", async () => {
        const opted = { metadata: { namespace: "kube-system" }, spec: { template: { metadata: { labels: { "istio.io/dataplane-mode": "none" } }, spec: goodPod } } };
        expect(await violations("k8s-05-mesh-enrolment", "kubernetes:apps/v1:Deployment", opted)).toEqual([]);
    });

    it("k8s-14: a listener without TLS passes only with SCRAM-SHA-512 in an application (ambient, STRICT) namespace", async () => {
        const kafka = (namespace: string, authentication: string) => ({
            metadata: { name: "events", namespace },
            spec: { kafka: { listeners: [{ name: "scram", port: 9092, type: "internal", tls: false, authentication: { type: authentication } }], authorization: { type: "simple" } } },
        });
        const type = "kubernetes:kafka.strimzi.io/v1:Kafka";
        expect(await violations("k8s-14-strimzi-tls-auth", type, kafka("kafka", "scram-sha-512"))).toEqual([]);
        // PLAIN-style mechanisms and system namespaces (not ambient-enrolled by K8S-05) still need TLS.
        expect((await violations("k8s-14-strimzi-tls-auth", type, kafka("kafka", "tls")))[0]?.message).toMatch(/listeners\["scram"\]\.tls is false/);
        expect((await violations("k8s-14-strimzi-tls-auth", type, kafka("kube-system", "scram-sha-512")))[0]?.message).toMatch(/not "kube-system"/);
    });

    it("ignores resources of other types", async () => {
        const r = await pack.analyze(resource("aws:s3/bucket:Bucket", { bucket: "x" }));
        expect(r.diagnostics).toEqual([]);
    });

    it("reports a rule that reads an unknown preview value as advisory 'can't run during preview', as the engine does", async () => {
        const d = await violations("net-01-eks-private-endpoint", EKS, { vpcConfig: { endpointPrivateAccess: true, endpointPublicAccess: UNKNOWN } });
        expect(d).toHaveLength(1);
        expect(d[0].enforcementLevel).toBe("advisory");
        expect(d[0].message).toMatch(/can't run policy 'net-01-eks-private-endpoint'.*during preview.*vpcConfig\.endpointPublicAccess/);
    });
});

describe("presence checks during preview: another resource's output is unknown, but set", () => {
    // Under `pulumi preview` a key ARN, NSG id or service-account email created in the same stack is the
    // engine's unknown sentinel. Presence rules must pass (as the offline check with known mock values
    // does), not degrade to an advisory "can't run"; value rules still judge known values.
    const presence: Array<[string, string, Record<string, unknown>, Record<string, unknown>]> = [
        ["enc-01-secrets-envelope-encryption", EKS, { encryptionConfig: { resources: ["secrets"], provider: { keyArn: UNKNOWN } } }, { encryptionConfig: { resources: ["secrets"], provider: {} } }],
        ["enc-01-secrets-envelope-encryption", GKE, { databaseEncryption: { state: "ENCRYPTED", keyName: UNKNOWN } }, { databaseEncryption: { state: "ENCRYPTED" } }],
        ["enc-01-secrets-envelope-encryption", AKS, { securityProfile: { azureKeyVaultKms: { enabled: true, keyId: UNKNOWN, keyVaultNetworkAccess: "Private" } } }, { securityProfile: { azureKeyVaultKms: { enabled: true } } }],
        ["id-05-gke-node-service-account", "gcp:container/nodePool:NodePool", { nodeConfig: { serviceAccount: UNKNOWN } }, { nodeConfig: { serviceAccount: "default" } }],
        ["id-04-gke-workload-identity", GKE, { workloadIdentityConfig: { workloadPool: UNKNOWN }, removeDefaultNodePool: true }, { workloadIdentityConfig: {}, removeDefaultNodePool: true }],
        ["net-11-azure-subnet-nsg", "azure-native:network:Subnet", { subnetName: "nodes", networkSecurityGroup: { id: UNKNOWN } }, { subnetName: "nodes", networkSecurityGroup: {} }],
        ["net-11-azure-subnet-nsg", "azure-native:network:Subnet", { subnetName: "nodes", networkSecurityGroup: UNKNOWN }, { subnetName: "nodes" }],
    ];
    for (const [policy, type, unknownButSet, missing] of presence) {
        it(`${policy} on ${type}: an unknown value counts as set; a missing one is still a violation`, async () => {
            expect(await violations(policy, type, unknownButSet)).toEqual([]);
            const d = await violations(policy, type, missing);
            expect(d.length).toBeGreaterThan(0);
            expect(d[0].enforcementLevel).toBe("mandatory");
        });
    }
});

describe("zero-trust stack policies over AnalyzeStack", () => {
    const vpc = resource("aws:ec2/vpc:Vpc", { cidrBlock: "10.10.0.0/16" }, { name: "vpc" });
    const flowLog = resource("aws:ec2/flowLog:FlowLog", { trafficType: "ALL", vpcId: UNKNOWN }, { name: "fl", dependencies: [vpc.urn] });
    const dsg = resource("aws:ec2/defaultSecurityGroup:DefaultSecurityGroup", { vpcId: UNKNOWN, ingress: [], egress: [] }, { name: "dsg", dependencies: [vpc.urn] });
    const stackDiag = async (policy: string, rs: AnalyzerResource[]) => (await pack.analyzeStack(rs)).diagnostics.filter((d) => d.policy === policy);

    it("log-02: a VPC with a flow log passes; without one it fails", async () => {
        expect(await stackDiag("log-02-every-vpc-flow-log", [vpc, flowLog, dsg])).toEqual([]);
        const d = await stackDiag("log-02-every-vpc-flow-log", [vpc, dsg]);
        expect(d).toHaveLength(1);
        expect(d[0]).toMatchObject({ enforcementLevel: "mandatory", urn: vpc.urn });
        expect(await stackDiag("log-02-every-vpc-flow-log", [])).toEqual([]);
    });

    it("net-08: every VPC adopts its default security group", async () => {
        expect(await stackDiag("net-08-every-vpc-default-sg-managed", [vpc, flowLog, dsg])).toEqual([]);
        expect(await stackDiag("net-08-every-vpc-default-sg-managed", [vpc, flowLog])).toHaveLength(1);
    });

    const ns = (name: string, provider?: string) => resource("kubernetes:core/v1:Namespace", { metadata: { name } }, { name, provider });
    const denyAll = (namespace: string) =>
        resource("kubernetes:networking.k8s.io/v1:NetworkPolicy", { metadata: { namespace }, spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] } });
    const strictPa = resource("kubernetes:security.istio.io/v1:PeerAuthentication", { metadata: { name: "default", namespace: "istio-system" }, spec: { mtls: { mode: "STRICT" } } });
    const allowNothing = resource("kubernetes:security.istio.io/v1:AuthorizationPolicy", { metadata: { name: "allow-nothing", namespace: "istio-system" }, spec: {} });

    it("k8s-02: every application namespace needs a default-deny NetworkPolicy", async () => {
        expect(await stackDiag("k8s-02-default-deny-network-policy", [ns("shop"), denyAll("shop")])).toEqual([]);
        const leaky = resource("kubernetes:networking.k8s.io/v1:NetworkPolicy", { metadata: { namespace: "shop" }, spec: { podSelector: {}, policyTypes: ["Ingress"] } });
        expect(await stackDiag("k8s-02-default-deny-network-policy", [ns("shop"), leaky])).toHaveLength(1);
        // System namespaces are not application namespaces.
        expect(await stackDiag("k8s-02-default-deny-network-policy", [ns("kube-system")])).toEqual([]);
    });

    it("k8s-03: a cluster with application namespaces needs a mesh-wide STRICT PeerAuthentication", async () => {
        expect(await stackDiag("k8s-03-mesh-wide-strict-mtls", [ns("shop"), strictPa])).toEqual([]);
        const permissive = resource("kubernetes:security.istio.io/v1:PeerAuthentication", { metadata: { namespace: "istio-system" }, spec: { mtls: { mode: "PERMISSIVE" } } });
        expect(await stackDiag("k8s-03-mesh-wide-strict-mtls", [ns("shop"), permissive])).toHaveLength(1);
        expect(await stackDiag("k8s-03-mesh-wide-strict-mtls", [ns("shop")])).toHaveLength(1);
        // One finding per cluster: a second provider's namespaces are judged on their own.
        const other = "urn:pulumi:test::platform::pulumi:providers:kubernetes::other";
        expect(await stackDiag("k8s-03-mesh-wide-strict-mtls", [ns("shop"), strictPa, ns("web", other)])).toHaveLength(1);
    });

    it("k8s-04: an allow-nothing AuthorizationPolicy covers every application namespace", async () => {
        expect(await stackDiag("k8s-04-allow-nothing-authorization", [ns("shop"), allowNothing])).toEqual([]);
        expect(await stackDiag("k8s-04-allow-nothing-authorization", [ns("shop")])).toHaveLength(1);
    });

    it("log-01 (AKS) and net-16 (EKS): audit diagnostics and the network-policy add-on per cluster", async () => {
        const aks = resource(AKS, {}, { name: "aks" });
        const diag = resource("azure-native:monitor:DiagnosticSetting", { logs: [{ category: "kube-audit-admin", enabled: true }] }, { dependencies: [aks.urn] });
        expect(await stackDiag("log-01-aks-audit-diagnostics", [aks, diag])).toEqual([]);
        expect(await stackDiag("log-01-aks-audit-diagnostics", [aks])).toHaveLength(1);
        const eks = resource(EKS, {}, { name: "eks" });
        const cni = resource("aws:eks/addon:Addon", { addonName: "vpc-cni", configurationValues: '{"enableNetworkPolicy":"true"}' }, { dependencies: [eks.urn] });
        expect(await stackDiag("net-16-eks-network-policy-addon", [eks, cni])).toEqual([]);
        expect(await stackDiag("net-16-eks-network-policy-addon", [eks])).toHaveLength(1);
    });
});

describe("zero-trust configuration over Configure", () => {
    afterAll(async () => pack.configure({}));

    const EXCEPTIONS = "zero-trust-exceptions";
    const exception = (name: string, policies: string[], reason = `ticket OPS-1: ${name}`) => ({ [EXCEPTIONS]: { exceptions: [{ name, reason, policies }] } });

    it("exempts a resource marked with a named exception only when the pack config grants it for that policy, reported with its reason", async () => {
        const marked = { metadata: { namespace: "edge", annotations: { "platform.io/edge-exception": "public-web" } }, spec: { type: "LoadBalancer" } };
        // Marked by the program but not granted by the pack's config: still a violation.
        await pack.configure({});
        expect(await violations("k8s-08-internal-load-balancer", "kubernetes:core/v1:Service", marked, { name: "web-lb" })).toHaveLength(1);
        await pack.configure(exception("public-web", ["k8s-08-internal-load-balancer"], "the shop's public storefront (OPS-42)"));
        const exempt = await pack.analyze(resource("kubernetes:core/v1:Service", marked, { name: "web-lb" }));
        expect(exempt.diagnostics.filter((d) => d.policy === "k8s-08-internal-load-balancer")).toEqual([]);
        expect(exempt.notApplicable).toContainEqual({ policy: "k8s-08-internal-load-balancer", reason: 'policy exception "public-web" marked on "web-lb": the shop\'s public storefront (OPS-42)' });
        // Granted but the resource is not marked with it (a name match is not a mark): a violation.
        const unmarked = { metadata: { namespace: "edge" }, spec: { type: "LoadBalancer" } };
        expect(await violations("k8s-08-internal-load-balancer", "kubernetes:core/v1:Service", unmarked, { name: "public-web" })).toHaveLength(1);
        // Granted for another policy only: the mark does not exempt from this one.
        await pack.configure(exception("public-web", ["k8s-15-knative-cluster-local"]));
        expect(await violations("k8s-08-internal-load-balancer", "kubernetes:core/v1:Service", marked, { name: "web-lb" })).toHaveLength(1);
    });

    it("reads the mark of a gateway helm release from values.service.annotations, and of cloud resources from tags and labels", async () => {
        await pack.configure({
            [EXCEPTIONS]: {
                exceptions: [
                    { name: "mesh-ingress", reason: "public API gateway", policies: ["k8s-08-internal-load-balancer"] },
                    { name: "public-site", reason: "marketing site", policies: ["net-14-serverless-internal-ingress"] },
                ],
            },
        });
        const release = (mark?: string) => ({
            chart: "gateway",
            repositoryOpts: { repo: "https://istio-release.storage.googleapis.com/charts" },
            values: { service: { type: "LoadBalancer", ...(mark ? { annotations: { "platform.io/edge-exception": mark } } : {}) } },
        });
        const gw = await pack.analyze(resource("kubernetes:helm.sh/v3:Release", release("mesh-ingress"), { name: "gw" }));
        expect(gw.notApplicable).toContainEqual({ policy: "k8s-08-internal-load-balancer", reason: 'policy exception "mesh-ingress" marked on "gw": public API gateway' });
        expect(await violations("k8s-08-internal-load-balancer", "kubernetes:helm.sh/v3:Release", release(), { name: "gw2" })).toHaveLength(1);
        const run = (labels: Record<string, string>) => ({ ingress: "INGRESS_TRAFFIC_ALL", labels });
        const site = await pack.analyze(resource("gcp:cloudrunv2/service:Service", run({ "platform-policy-exception": "public-site" }), { name: "site" }));
        expect(site.notApplicable).toContainEqual({ policy: "net-14-serverless-internal-ingress", reason: 'policy exception "public-site" marked on "site": marketing site' });
        expect(await violations("net-14-serverless-internal-ingress", "gcp:cloudrunv2/service:Service", run({}))).toHaveLength(1);
        const app = { configuration: { ingress: { external: true } }, tags: { "platform-policy-exception": "public-site" } };
        expect((await pack.analyze(resource("azure-native:app:ContainerApp", app, { name: "app" }))).notApplicable).toContainEqual({
            policy: "net-14-serverless-internal-ingress",
            reason: 'policy exception "public-site" marked on "app": marketing site',
        });
    });

    it("exempts a namespace marked with a granted exception from K8S-01; system namespaces come from config, not the pack", async () => {
        const ns = (name: string, level: string, mark?: string) => ({
            metadata: { name, labels: { "pod-security.kubernetes.io/enforce": level }, ...(mark ? { annotations: { "platform.io/edge-exception": mark } } : {}) },
        });
        await pack.configure(exception("spin-apps", ["k8s-01-pod-security-restricted"], "SpinApps have no pod securityContext"));
        const exempt = await pack.analyze(resource("kubernetes:core/v1:Namespace", ns("wasm", "baseline", "spin-apps"), { name: "wasm-ns" }));
        expect(exempt.diagnostics.filter((d) => d.policy === "k8s-01-pod-security-restricted")).toEqual([]);
        expect(exempt.notApplicable).toContainEqual({ policy: "k8s-01-pod-security-restricted", reason: 'policy exception "spin-apps" marked on "wasm-ns": SpinApps have no pod securityContext' });
        expect(await violations("k8s-01-pod-security-restricted", "kubernetes:core/v1:Namespace", ns("wasm", "baseline"))).toHaveLength(1);
        // The pack's own default knows only Kubernetes' namespaces: a platform add-on namespace at baseline is a
        // violation until the stack's pack config lists it as a system namespace.
        await pack.configure({});
        expect(await violations("k8s-01-pod-security-restricted", "kubernetes:core/v1:Namespace", ns("kube-system", "baseline"))).toEqual([]);
        expect(await violations("k8s-01-pod-security-restricted", "kubernetes:core/v1:Namespace", ns("cert-manager", "baseline"))).toHaveLength(1);
        await pack.configure({ "k8s-01-pod-security-restricted": { systemNamespaces: ["kube-system", "cert-manager"] } });
        expect(await violations("k8s-01-pod-security-restricted", "kubernetes:core/v1:Namespace", ns("cert-manager", "baseline"))).toEqual([]);
    });

    it("rejects an exception without a reason, with a name that is not a DNS label, or naming a policy the pack does not have", async () => {
        const bad = (e: unknown) => pack.configure({ [EXCEPTIONS]: { exceptions: [e] } });
        await expect(bad({ name: "web", reason: "", policies: ["k8s-08-internal-load-balancer"] })).rejects.toThrow(/zero-trust-exceptions.*reason/);
        await expect(bad({ name: "web", reason: "  ", policies: ["k8s-08-internal-load-balancer"] })).rejects.toThrow(/zero-trust-exceptions.*reason/);
        await expect(bad({ name: "web", policies: ["k8s-08-internal-load-balancer"] })).rejects.toThrow(/reason/);
        await expect(bad({ name: "Web_Edge", reason: "r", policies: ["k8s-08-internal-load-balancer"] })).rejects.toThrow(/zero-trust-exceptions.*name/);
        await expect(bad({ name: "web", reason: "r", policies: ["k8s-99-no-such-rule"] })).rejects.toThrow(/zero-trust-exceptions.*policies.*allowed values/);
        // The exception model replaced the per-rule lists: they are no longer accepted.
        await expect(pack.configure({ "k8s-08-internal-load-balancer": { edgeExceptions: ["web"] } })).rejects.toThrow(/edgeExceptions/);
    });

    it("accepts public ranges listed in allowedCidrs, never the whole internet", async () => {
        await pack.configure({ "net-12-gcp-firewall-no-world-ingress": { allowedCidrs: ["203.0.113.0/24"] } });
        const fw = (r: string) => ({ allows: [{ protocol: "tcp", ports: ["443"] }], sourceRanges: [r] });
        expect(await violations("net-12-gcp-firewall-no-world-ingress", "gcp:compute/firewall:Firewall", fw("203.0.113.0/25"))).toEqual([]);
        expect(await violations("net-12-gcp-firewall-no-world-ingress", "gcp:compute/firewall:Firewall", fw("198.51.100.0/24"))).toHaveLength(1);
        expect(await violations("net-12-gcp-firewall-no-world-ingress", "gcp:compute/firewall:Firewall", fw("0.0.0.0/0"))).toHaveLength(1);
    });

    it("overrides the enforcement level per rule", async () => {
        await pack.configure({ "id-03-gke-no-legacy-auth": "advisory", "id-10-imdsv2-hop-limit": "disabled" });
        expect((await violations("id-03-gke-no-legacy-auth", GKE, { enableLegacyAbac: true }))[0].enforcementLevel).toBe("advisory");
        expect(await violations("id-10-imdsv2-hop-limit", "aws:ec2/launchTemplate:LaunchTemplate", {})).toEqual([]);
    });

    it("rejects config the pack's schema does not allow, before analysing", async () => {
        await expect(pack.configure({ "net-12-gcp-firewall-no-world-ingress": { allowedCidrs: "10.0.0.0/8" } as any })).rejects.toThrow(/allowedCidrs must be array/);
        await expect(pack.configure({ "no-such-policy": "mandatory" })).rejects.toThrow(/no-such-policy/);
    });
});
