/** Identity rules (ID-01 … ID-12): cluster authentication, workload identity, IAM trust and grants. */
import type { LaunchTemplateArgs } from "@pulumi/aws/ec2";
import type { ClusterArgs as EksClusterArgs, PodIdentityAssociationArgs } from "@pulumi/aws/eks";
import type {
    GroupPolicyArgs,
    GroupPolicyAttachmentArgs,
    PolicyArgs,
    PolicyAttachmentArgs,
    RoleArgs,
    RolePolicyArgs,
    RolePolicyAttachmentArgs,
    UserPolicyArgs,
    UserPolicyAttachmentArgs,
} from "@pulumi/aws/iam";
import type { ManagedClusterArgs } from "@pulumi/azure-native/containerservice";
import type { FederatedIdentityCredentialArgs } from "@pulumi/azure-native/managedidentity";
import type { IamBindingArgs, IamMemberArgs } from "@pulumi/gcp/cloudrun";
import type { ServiceArgs as CloudRunV2ServiceArgs, ServiceIamBindingArgs, ServiceIamMemberArgs } from "@pulumi/gcp/cloudrunv2";
import type { ClusterArgs as GkeClusterArgs, NodePoolArgs } from "@pulumi/gcp/container";
import { asArray, fmt, parseDocument, readKnown, resourcePolicy, UNKNOWN, isSet, type Props, type RuleDef, on } from "./common";

export const EKS = "aws:eks/cluster:Cluster";
export const GKE = "gcp:container/cluster:Cluster";
export const GNP = "gcp:container/nodePool:NodePool";
export const AKS = "azure-native:containerservice:ManagedCluster";

const eksAccess: RuleDef = {
    name: "id-01-eks-access-entries",
    id: "ID-01",
    description: "EKS clusters authenticate through access entries only, without implicit admin for the creator.",
    enforcementLevel: "mandatory",
    checks: on<Props<EksClusterArgs>>([EKS], (p) => {
        const out: string[] = [];
        const mode = p.accessConfig?.authenticationMode;
        if (mode !== "API")
            out.push(`EKS cluster: accessConfig.authenticationMode is ${fmt(mode)} (the default is CONFIG_MAP, the aws-auth ConfigMap); set it to "API" so access is granted only through IAM access entries.`);
        if (p.accessConfig?.bootstrapClusterCreatorAdminPermissions !== false)
            out.push(`EKS cluster: accessConfig.bootstrapClusterCreatorAdminPermissions is ${fmt(p.accessConfig?.bootstrapClusterCreatorAdminPermissions)} (the default grants the creator cluster-admin); set it to false and grant admins through access entries.`);
        return out;
    }),
};

const aksIdentity: RuleDef = {
    name: "id-02-aks-entra-rbac",
    id: "ID-02",
    description: "AKS clusters use Entra ID with Azure RBAC and no local accounts.",
    enforcementLevel: "mandatory",
    checks: on<Props<ManagedClusterArgs>>([AKS], (p) => {
        const out: string[] = [];
        if (p.disableLocalAccounts !== true)
            out.push(`AKS cluster: disableLocalAccounts is ${fmt(p.disableLocalAccounts)}; set it to true so the static cluster-admin credential cannot be used.`);
        if (p.aadProfile?.managed !== true)
            out.push(`AKS cluster: aadProfile.managed is ${fmt(p.aadProfile?.managed)}; set it to true (managed Entra ID integration).`);
        if (p.aadProfile?.enableAzureRBAC !== true)
            out.push(`AKS cluster: aadProfile.enableAzureRBAC is ${fmt(p.aadProfile?.enableAzureRBAC)}; set it to true so Kubernetes authorization is Azure RBAC.`);
        if (p.enableRBAC === false) out.push(`AKS cluster: enableRBAC is false; remove it or set it to true.`);
        return out;
    }),
};

const gkeLegacyAuth: RuleDef = {
    name: "id-03-gke-no-legacy-auth",
    id: "ID-03",
    description: "GKE clusters use neither legacy ABAC nor client certificates.",
    enforcementLevel: "mandatory",
    checks: on<Props<GkeClusterArgs>>([GKE], (p) => {
        const out: string[] = [];
        if (p.enableLegacyAbac === true) out.push(`GKE cluster: enableLegacyAbac is true; remove it (RBAC only).`);
        if (p.masterAuth?.clientCertificateConfig?.issueClientCertificate === true)
            out.push(`GKE cluster: masterAuth.clientCertificateConfig.issueClientCertificate is true; set it to false (long-lived client certificates cannot be revoked).`);
        return out;
    }),
};

function metadataMode(nodeConfig: { workloadMetadataConfig?: { mode?: string } } | undefined, kind: string): string[] {
    const mode = nodeConfig?.workloadMetadataConfig?.mode;
    return mode === "GKE_METADATA"
        ? []
        : [`${kind}: nodeConfig.workloadMetadataConfig.mode is ${fmt(mode)}; set it to "GKE_METADATA" so pods cannot read the node's credentials from the metadata server.`];
}

/**
 * The Compute Engine default service account, `<project number>-compute@developer.gserviceaccount.com`: what GKE
 * nodes run as when no service account is set, and granted Editor on the project by default.
 */
export const DEFAULT_COMPUTE_SA = /^\d+-compute@developer\.gserviceaccount\.com$/;

function nodeServiceAccount(holder: { serviceAccount?: string } | undefined, kind: string, path = "nodeConfig.serviceAccount"): string[] {
    const read = readKnown(() => holder?.serviceAccount);
    // Unknown in preview means the email of a service account the stack creates: a dedicated one.
    if (read === UNKNOWN) return [];
    const sa = read;
    if (!sa || sa === "default")
        return [`${kind}: ${path} is ${fmt(sa)} (the default compute service account has project Editor); set a dedicated least-privilege service account.`];
    if (DEFAULT_COMPUTE_SA.test(sa))
        return [`${kind}: ${path} is the default compute service account ${sa}; use a dedicated least-privilege service account.`];
    return [];
}

const gkeWorkloadIdentity: RuleDef = {
    name: "id-04-gke-workload-identity",
    id: "ID-04",
    description: "GKE clusters and node pools use Workload Identity and hide the node metadata server.",
    enforcementLevel: "mandatory",
    checks: {
        ...on<Props<NodePoolArgs>>(GNP, (pool) => metadataMode(pool.nodeConfig, "GKE node pool")),
        ...on<Props<GkeClusterArgs>>(GKE, (c) => {
            const out: string[] = [];
            if (!isSet(c.workloadIdentityConfig, "workloadPool"))
                out.push(`GKE cluster: workloadIdentityConfig.workloadPool is ${fmt(c.workloadIdentityConfig?.workloadPool)}; set it to "<project>.svc.id.goog".`);
            // The cluster's nodeConfig only matters for the default pool; a cluster that removes it has none.
            if (c.removeDefaultNodePool !== true) out.push(...metadataMode(c.nodeConfig, "GKE cluster default pool"));
            return out;
        }),
    }
};

const gkeNodeServiceAccount: RuleDef = {
    name: "id-05-gke-node-service-account",
    id: "ID-05",
    description: "GKE nodes run as a dedicated service account, not the default compute account.",
    enforcementLevel: "mandatory",
    checks: {
        ...on<Props<NodePoolArgs>>(GNP, (pool) => nodeServiceAccount(pool.nodeConfig, "GKE node pool")),
        ...on<Props<GkeClusterArgs>>(GKE, (c) => [
            ...(c.removeDefaultNodePool === true || c.enableAutopilot === true ? [] : nodeServiceAccount(c.nodeConfig, "GKE cluster default pool")),
            // Nodes GKE creates itself (Autopilot, node auto-provisioning) run as
            // clusterAutoscaling.autoProvisioningDefaults.serviceAccount, the default compute account when unset.
            ...(c.enableAutopilot === true || c.clusterAutoscaling?.enabled === true
                ? nodeServiceAccount(c.clusterAutoscaling?.autoProvisioningDefaults, "GKE cluster auto-provisioned nodes", "clusterAutoscaling.autoProvisioningDefaults.serviceAccount")
                : []),
        ]),
    }
};

const aksWorkloadIdentity: RuleDef = {
    name: "id-06-aks-workload-identity",
    id: "ID-06",
    description: "AKS clusters use Entra Workload ID (OIDC issuer on), not the deprecated pod identity.",
    enforcementLevel: "mandatory",
    checks: on<Props<ManagedClusterArgs>>([AKS], (p) => {
        const out: string[] = [];
        if (p.securityProfile?.workloadIdentity?.enabled !== true)
            out.push(`AKS cluster: securityProfile.workloadIdentity.enabled is ${fmt(p.securityProfile?.workloadIdentity?.enabled)}; set it to true.`);
        if (p.oidcIssuerProfile?.enabled !== true)
            out.push(`AKS cluster: oidcIssuerProfile.enabled is ${fmt(p.oidcIssuerProfile?.enabled)}; set it to true (workload identity federation needs the issuer).`);
        if (p.podIdentityProfile?.enabled === true)
            out.push(`AKS cluster: podIdentityProfile.enabled is true; pod-managed identity is deprecated and lets any pod reach IMDS: use workload identity.`);
        return out;
    }),
};

const SERVICE_ACCOUNT_SUBJECT = /^system:serviceaccount:[a-z0-9]([-a-z0-9]*[a-z0-9])?:[a-z0-9]([-.a-z0-9]*[a-z0-9])?$/;

const azureFederatedCredential: RuleDef = {
    name: "id-07-azure-federated-credential",
    id: "ID-07",
    description: "Azure federated identity credentials trust exactly one Kubernetes service account and the token-exchange audience.",
    enforcementLevel: "mandatory",
    checks: on<Props<FederatedIdentityCredentialArgs>>(["azure-native:managedidentity:FederatedIdentityCredential"], (p) => {
        const out: string[] = [];
        if (!p.subject || !SERVICE_ACCOUNT_SUBJECT.test(p.subject))
            out.push(`federated credential: subject is ${fmt(p.subject)}; set it to one exact service account, "system:serviceaccount:<namespace>:<name>".`);
        const aud = p.audiences ?? [];
        if (aud.length !== 1 || aud[0] !== "api://AzureADTokenExchange")
            out.push(`federated credential: audiences is ${fmt(p.audiences)}; set it to ["api://AzureADTokenExchange"].`);
        return out;
    }),
};

function principals(stmt: any): { aws: string[]; federated: string[]; any: boolean } {
    const pr = stmt?.Principal;
    if (pr === "*") return { aws: ["*"], federated: [], any: true };
    const aws = asArray<string>(pr?.AWS);
    return { aws, federated: asArray<string>(pr?.Federated), any: aws.includes("*") };
}

/** Condition keys of a statement flattened as "Operator:key" → values. */
function conditions(stmt: any): Array<{ op: string; key: string; values: string[] }> {
    const out: Array<{ op: string; key: string; values: string[] }> = [];
    for (const [op, body] of Object.entries(stmt?.Condition ?? {})) {
        for (const [key, v] of Object.entries(body as Record<string, unknown>)) out.push({ op, key, values: asArray(v as string | string[]).map(String) });
    }
    return out;
}

const iamTrust: RuleDef = {
    name: "id-08-iam-role-trust",
    id: "ID-08",
    description: "IAM role trust policies name their principals; OIDC federation pins one service account (:sub) and the audience (:aud).",
    enforcementLevel: "mandatory",
    checks: on<Props<RoleArgs>>(["aws:iam/role:Role"], (p) => {
        const doc = parseDocument(p.assumeRolePolicy);
        if (!doc) return [`IAM role: assumeRolePolicy is not a JSON policy document; it cannot be checked.`];
        const out: string[] = [];
        for (const stmt of asArray<any>(doc.Statement)) {
            if (stmt?.Effect !== "Allow") continue;
            const pr = principals(stmt);
            if (pr.any) out.push(`IAM role: assumeRolePolicy allows Principal "*"; name the accounts, roles or services that may assume the role.`);
            for (const fed of pr.federated) {
                if (!/oidc-provider\//.test(fed) && !/oidc/i.test(fed)) continue;
                const conds = conditions(stmt);
                const sub = conds.find((c) => c.key.endsWith(":sub"));
                const aud = conds.find((c) => c.key.endsWith(":aud"));
                if (!sub || sub.op !== "StringEquals" || sub.values.length !== 1 || /[*?]/.test(sub.values[0]))
                    out.push(`IAM role: the OIDC trust on ${fed} does not pin ":sub" to one service account with StringEquals (found ${sub ? `${sub.op} ${fmt(sub.values)}` : "no :sub condition"}); add StringEquals "<issuer>:sub": "system:serviceaccount:<namespace>:<name>".`);
                if (!aud || aud.values.length === 0 || aud.values.some((v) => /[*?]/.test(v)))
                    out.push(`IAM role: the OIDC trust on ${fed} has no exact ":aud" condition; add StringEquals "<issuer>:aud": "sts.amazonaws.com".`);
            }
        }
        return out;
    }),
};

const podIdentityDefaultSa: RuleDef = {
    name: "id-09-eks-pod-identity-service-account",
    id: "ID-09",
    description: "EKS Pod Identity associations bind a dedicated service account, not \"default\".",
    enforcementLevel: "advisory",
    checks: on<Props<PodIdentityAssociationArgs>>(["aws:eks/podIdentityAssociation:PodIdentityAssociation"], (p) =>
        p.serviceAccount === "default"
            ? [`pod identity association: serviceAccount is "default"; every pod of namespace ${fmt(p.namespace)} would get the role: bind a dedicated service account.`]
            : []),
};

const launchTemplateImds: RuleDef = {
    name: "id-10-imdsv2-hop-limit",
    id: "ID-10",
    description: "Launch templates require IMDSv2 with a hop limit of 1, so pods cannot reach node credentials.",
    enforcementLevel: "mandatory",
    checks: on<Props<LaunchTemplateArgs>>(["aws:ec2/launchTemplate:LaunchTemplate"], (p) => {
        const out: string[] = [];
        const m = p.metadataOptions;
        if (m?.httpTokens !== "required")
            out.push(`launch template: metadataOptions.httpTokens is ${fmt(m?.httpTokens)} (the default allows IMDSv1); set it to "required".`);
        if (m?.httpPutResponseHopLimit !== 1)
            out.push(`launch template: metadataOptions.httpPutResponseHopLimit is ${fmt(m?.httpPutResponseHopLimit)}; set it to 1 so containers cannot reach the instance metadata service.`);
        return out;
    }),
};

const POLICY_TYPES = ["aws:iam/policy:Policy", "aws:iam/rolePolicy:RolePolicy", "aws:iam/userPolicy:UserPolicy", "aws:iam/groupPolicy:GroupPolicy"];
const ATTACHMENT_TYPES = [
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
    "aws:iam/userPolicyAttachment:UserPolicyAttachment",
    "aws:iam/groupPolicyAttachment:GroupPolicyAttachment",
    "aws:iam/policyAttachment:PolicyAttachment",
];

function adminStatements(policy: unknown): string[] {
    const doc = parseDocument(policy);
    if (!doc) return [];
    const out: string[] = [];
    for (const stmt of asArray<any>(doc.Statement)) {
        if (stmt?.Effect !== "Allow") continue;
        const actions = asArray<string>(stmt.Action);
        const resources = asArray<string>(stmt.Resource);
        if (actions.some((a) => a === "*" || a === "*:*") && resources.includes("*"))
            out.push(`allows Action "*" on Resource "*" (full administrator); grant the specific actions on the specific resources needed`);
    }
    return out;
}

const isAdminArn = (arn: unknown) => typeof arn === "string" && /:policy\/AdministratorAccess$/.test(arn);

const iamLeastPrivilege: RuleDef = {
    name: "id-11-iam-no-admin",
    id: "ID-11",
    description: "IAM policies grant no \"*\" action on \"*\" and nothing attaches AdministratorAccess.",
    enforcementLevel: "mandatory",
    checks: {
        ...on<Props<RolePolicyAttachmentArgs | UserPolicyAttachmentArgs | GroupPolicyAttachmentArgs | PolicyAttachmentArgs>>(ATTACHMENT_TYPES, (a, ctx) =>
            isAdminArn(a.policyArn) ? [`${ctx.type.split(":").pop()}: policyArn attaches AdministratorAccess; attach a least-privilege policy.`] : [],
        ),
        ...on<Props<RoleArgs>>("aws:iam/role:Role", (r) => {
            const out: string[] = [];
            if (asArray(r.managedPolicyArns as string[] | undefined).some(isAdminArn))
                out.push(`IAM role: managedPolicyArns includes AdministratorAccess; attach a least-privilege policy.`);
            for (const ip of asArray(r.inlinePolicies as Array<{ name?: string; policy?: string }> | undefined))
                for (const m of adminStatements(ip?.policy)) out.push(`IAM role: inlinePolicies[${fmt(ip?.name)}].policy ${m}.`);
            return out;
        }),
        ...on<Props<PolicyArgs | RolePolicyArgs | UserPolicyArgs | GroupPolicyArgs>>(POLICY_TYPES, (p, ctx) => adminStatements(p.policy).map((m) => `${ctx.type.split(":").pop()}: policy ${m}.`)),
    }
};

const PUBLIC_MEMBERS = ["allUsers", "allAuthenticatedUsers"];
const CLOUD_RUN_IAM_MEMBER = ["gcp:cloudrunv2/serviceIamMember:ServiceIamMember", "gcp:cloudrun/iamMember:IamMember"];
const CLOUD_RUN_IAM_BINDING = ["gcp:cloudrunv2/serviceIamBinding:ServiceIamBinding", "gcp:cloudrun/iamBinding:IamBinding"];

function publicInvokers(field: string, members: string[] | undefined): string[] {
    const bad = asArray(members).filter((m) => PUBLIC_MEMBERS.includes(m));
    return bad.length ? [`Cloud Run IAM: ${field} includes ${bad.join(", ")}; grant the role to named principals only.`] : [];
}

const cloudRunInvokers: RuleDef = {
    name: "id-12-cloud-run-no-public-invoker",
    id: "ID-12",
    description: "Cloud Run services are never invokable by allUsers/allAuthenticatedUsers and keep the IAM invoker check.",
    enforcementLevel: "mandatory",
    exposure: true,
    checks: {
        ...on<Props<CloudRunV2ServiceArgs>>("gcp:cloudrunv2/service:Service", (s) =>
            s.invokerIamDisabled === true
                ? [`Cloud Run service: invokerIamDisabled is true, so anyone who reaches it may invoke it; remove it and grant roles/run.invoker to named principals.`]
                : [],
        ),
        ...on<Props<ServiceIamMemberArgs | IamMemberArgs>>(CLOUD_RUN_IAM_MEMBER, (m) => publicInvokers("member", [m.member])),
        ...on<Props<ServiceIamBindingArgs | IamBindingArgs>>(CLOUD_RUN_IAM_BINDING, (b) => publicInvokers("members", b.members)),
    }
};

const aksClusterIdentity: RuleDef = {
    name: "id-13-aks-managed-identity",
    id: "ID-13",
    description: "AKS clusters run as a managed identity (system- or user-assigned), not a service principal with a client secret.",
    enforcementLevel: "mandatory",
    checks: on<Props<ManagedClusterArgs>>([AKS], (p) => {
        const out: string[] = [];
        const type = p.identity?.type;
        if (type !== "UserAssigned" && type !== "SystemAssigned")
            out.push(`AKS cluster: identity.type is ${fmt(type)}; set it to "UserAssigned" (or "SystemAssigned") so the cluster and its kubelets authenticate with managed identities, not a service principal.`);
        // A service principal authenticates with a client secret that must be created, rotated and renewed before it
        // expires; AKS never creates one (learn.microsoft.com/azure/aks/use-managed-identity). Managed identities
        // carry no secret. Without identityProfile.kubeletidentity AKS creates a kubelet identity for this cluster
        // alone in the node resource group (same page): not shared, no roles by default, so it is not judged here.
        if (isSet(p.servicePrincipalProfile, "secret") || (isSet(p.servicePrincipalProfile, "clientId") && readKnown(() => p.servicePrincipalProfile?.clientId) !== "msi"))
            out.push(`AKS cluster: servicePrincipalProfile names a service principal${isSet(p.servicePrincipalProfile, "secret") ? " with a client secret" : ""}; remove it and use identity { type: "UserAssigned" }.`);
        return out;
    }),
};

export const identityRules: RuleDef[] = [
    eksAccess,
    aksIdentity,
    gkeLegacyAuth,
    gkeWorkloadIdentity,
    gkeNodeServiceAccount,
    aksWorkloadIdentity,
    azureFederatedCredential,
    iamTrust,
    podIdentityDefaultSa,
    launchTemplateImds,
    iamLeastPrivilege,
    cloudRunInvokers,
    aksClusterIdentity,
];

export const identityPolicies = identityRules.map(resourcePolicy);
