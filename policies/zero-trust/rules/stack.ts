/**
 * Stack policies: rules that span resources. A resource "belongs to" another when it depends on it
 * (the engine's dependency list), which works during preview when IDs are still unknown.
 */
import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { stackPolicy, type StackRuleDef } from "./common";
import { AKS, EKS } from "./identity";
import { AUTHORIZATION_POLICY, MESH_ROOT_NAMESPACE, NAMESPACE, NETWORK_POLICY, PEER_AUTHENTICATION, SYSTEM_NAMESPACES, systemSchema } from "./kubernetes";

const VPC = "aws:ec2/vpc:Vpc";

const dependsOn = (r: PolicyResource, target: PolicyResource) =>
    r.dependencies.some((d) => d.urn === target.urn) || Object.values(r.propertyDependencies).some((ds) => ds.some((d) => d.urn === target.urn));

const ofType = (resources: PolicyResource[], ...types: string[]) => resources.filter((r) => types.includes(r.type));

/** A stack rule: every VPC must have a resource of `companion` type that depends on it. */
const everyVpcHas = (rule: Omit<StackRuleDef, "validateStack" | "enforcementLevel">, companion: string, fix: (vpc: PolicyResource) => string): StackRuleDef => ({
    ...rule,
    enforcementLevel: "mandatory",
    validateStack: (args, report) => {
        const companions = ofType(args.resources, companion);
        for (const vpc of ofType(args.resources, VPC)) {
            if (!companions.some((c) => dependsOn(c, vpc))) report(fix(vpc), vpc.urn);
        }
    },
});

const defaultSecurityGroups = everyVpcHas(
    {
        name: "net-08-every-vpc-default-sg-managed",
        id: "NET-08",
        description: "Every VPC adopts its default security group (aws.ec2.DefaultSecurityGroup) so its rules can be emptied.",
    },
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup",
    (vpc) =>
        `VPC "${vpc.name}" has no DefaultSecurityGroup: its default group keeps AWS's allow-all-within-group and allow-all-egress rules; declare aws.ec2.DefaultSecurityGroup { vpcId, ingress: [], egress: [] }.`,
);

const vpcFlowLogs = everyVpcHas(
    { name: "log-02-every-vpc-flow-log", id: "LOG-02", description: "Every VPC has a flow log." },
    "aws:ec2/flowLog:FlowLog",
    (vpc) => `VPC "${vpc.name}" has no flow log; declare aws.ec2.FlowLog { vpcId, trafficType: "ALL" } to CloudWatch Logs or S3.`,
);

const AUDIT_CATEGORIES = ["kube-audit", "kube-audit-admin"];
const AUDIT_GROUPS = ["audit", "allLogs"];

const aksAuditLogs: StackRuleDef = {
    name: "log-01-aks-audit-diagnostics",
    id: "LOG-01",
    description: "Every AKS cluster ships kube-audit logs through a diagnostic setting.",
    enforcementLevel: "mandatory",
    validateStack: (args, report) => {
        const settings = ofType(args.resources, "azure-native:monitor:DiagnosticSetting");
        for (const aks of ofType(args.resources, AKS)) {
            const ok = settings.some(
                (s) =>
                    dependsOn(s, aks) &&
                    ((s.props.logs ?? []) as Array<{ category?: string; categoryGroup?: string; enabled?: boolean }>).some(
                        (l) => l.enabled !== false && (AUDIT_CATEGORIES.includes(l.category ?? "") || AUDIT_GROUPS.includes(l.categoryGroup ?? "")),
                    ),
            );
            if (!ok)
                report(`AKS cluster "${aks.name}" has no diagnostic setting with kube-audit logs; declare azure-native monitor.DiagnosticSetting { resourceUri: cluster.id, logs: [{ category: "kube-audit-admin", enabled: true }], workspaceId }.`, aks.urn);
        }
    },
};

const eksNetworkPolicy: StackRuleDef = {
    name: "net-16-eks-network-policy-addon",
    id: "NET-16",
    description: "Every EKS cluster runs the VPC CNI add-on with network policy enforcement.",
    enforcementLevel: "mandatory",
    validateStack: (args, report) => {
        const addons = ofType(args.resources, "aws:eks/addon:Addon").filter((a) => a.props.addonName === "vpc-cni");
        for (const eks of ofType(args.resources, EKS)) {
            if (!addons.some((a) => dependsOn(a, eks)))
                report(`EKS cluster "${eks.name}" has no vpc-cni add-on; declare aws.eks.Addon { addonName: "vpc-cni", configurationValues: '{"enableNetworkPolicy":"true"}' } so NetworkPolicies are enforced.`, eks.urn);
        }
    },
};

/** Kubernetes resources grouped by cluster (their provider); "" is the ambient default provider. */
function byCluster(resources: PolicyResource[]): Map<string, PolicyResource[]> {
    const m = new Map<string, PolicyResource[]>();
    for (const r of resources) {
        if (!r.type.startsWith("kubernetes:")) continue;
        const key = r.provider?.urn ?? "";
        const list = m.get(key);
        // Appended in place: copying the list per resource made grouping quadratic in the stack size.
        if (list) list.push(r);
        else m.set(key, [r]);
    }
    return m;
}

const nsName = (r: PolicyResource): string => r.props.metadata?.name ?? r.name;

function appNamespaces(resources: PolicyResource[], system: string[]): PolicyResource[] {
    return ofType(resources, NAMESPACE).filter((n) => !system.includes(nsName(n)));
}

const isEmptySelector = (s: any) => !s || (Object.keys(s.matchLabels ?? {}).length === 0 && (s.matchExpressions ?? []).length === 0);

const defaultDeny: StackRuleDef = {
    name: "k8s-02-default-deny-network-policy",
    id: "K8S-02",
    description: "Every application namespace has a default-deny NetworkPolicy (podSelector {}, Ingress and Egress, no rules).",
    enforcementLevel: "mandatory",
    configSchema: systemSchema,
    validateStack: (args, report) => {
        const system: string[] = (args.getConfig() as any).systemNamespaces ?? SYSTEM_NAMESPACES;
        for (const [, resources] of byCluster(args.resources)) {
            const namespaces = appNamespaces(resources, system);
            if (namespaces.length === 0) continue;
            // NetworkPolicies by namespace, so each namespace looks only at its own (not every policy of the cluster).
            const policiesIn = new Map<unknown, PolicyResource[]>();
            for (const np of ofType(resources, NETWORK_POLICY)) {
                const key = np.props.metadata?.namespace;
                const list = policiesIn.get(key);
                if (list) list.push(np);
                else policiesIn.set(key, [np]);
            }
            for (const ns of namespaces) {
                const name = nsName(ns);
                const ok = (policiesIn.get(name) ?? []).some((np) => {
                    const spec = np.props.spec ?? {};
                    const types: string[] = spec.policyTypes ?? [];
                    return (
                        np.props.metadata?.namespace === name &&
                        isEmptySelector(spec.podSelector) &&
                        types.includes("Ingress") &&
                        types.includes("Egress") &&
                        (spec.ingress ?? []).length === 0 &&
                        (spec.egress ?? []).length === 0
                    );
                });
                if (!ok)
                    report(`namespace "${name}" has no default-deny NetworkPolicy; declare one with metadata.namespace "${name}", spec { podSelector: {}, policyTypes: ["Ingress", "Egress"] } and allow flows explicitly.`, ns.urn);
            }
        }
    },
};

const meshStrict: StackRuleDef = {
    name: "k8s-03-mesh-wide-strict-mtls",
    id: "K8S-03",
    description: "Every cluster with application namespaces has a mesh-wide STRICT PeerAuthentication in the root namespace.",
    enforcementLevel: "mandatory",
    configSchema: systemSchema,
    validateStack: (args, report) => {
        const system: string[] = (args.getConfig() as any).systemNamespaces ?? SYSTEM_NAMESPACES;
        for (const [provider, resources] of byCluster(args.resources)) {
            const apps = appNamespaces(resources, system);
            if (apps.length === 0) continue;
            const ok = ofType(resources, ...PEER_AUTHENTICATION).some(
                (pa) => pa.props.metadata?.namespace === MESH_ROOT_NAMESPACE && !pa.props.spec?.selector && pa.props.spec?.mtls?.mode === "STRICT",
            );
            if (!ok)
                report(`cluster ${provider ? `"${provider.split("::").pop()}"` : "(default provider)"} has application namespaces but no mesh-wide STRICT PeerAuthentication; declare one in "${MESH_ROOT_NAMESPACE}" without a selector and spec.mtls.mode "STRICT".`, apps[0].urn);
        }
    },
};

const allowNothing: StackRuleDef = {
    name: "k8s-04-allow-nothing-authorization",
    id: "K8S-04",
    description: "Every cluster has an allow-nothing AuthorizationPolicy in the root namespace, or one in every application namespace.",
    enforcementLevel: "mandatory",
    configSchema: systemSchema,
    validateStack: (args, report) => {
        const system: string[] = (args.getConfig() as any).systemNamespaces ?? SYSTEM_NAMESPACES;
        for (const [, resources] of byCluster(args.resources)) {
            const apps = appNamespaces(resources, system);
            if (apps.length === 0) continue;
            const denyAll = ofType(resources, ...AUTHORIZATION_POLICY).filter((ap) => {
                const spec = ap.props.spec ?? {};
                return (spec.action ?? "ALLOW") === "ALLOW" && (spec.rules ?? []).length === 0 && !spec.selector && !spec.targetRefs;
            });
            if (denyAll.some((ap) => ap.props.metadata?.namespace === MESH_ROOT_NAMESPACE)) continue;
            // Covered namespaces as a set: one lookup per namespace instead of a scan of every policy.
            const covered = new Set(denyAll.map((ap) => ap.props.metadata?.namespace));
            for (const ns of apps) {
                if (!covered.has(nsName(ns)))
                    report(`namespace "${nsName(ns)}" is not covered by an allow-nothing AuthorizationPolicy; declare one (spec: {}) in "${MESH_ROOT_NAMESPACE}" or in this namespace, then allow calls explicitly.`, ns.urn);
            }
        }
    },
};

export const stackRules: StackRuleDef[] = [defaultSecurityGroups, vpcFlowLogs, aksAuditLogs, eksNetworkPolicy, defaultDeny, meshStrict, allowNothing];

export const stackPolicies: StackValidationPolicy[] = stackRules.map(stackPolicy);
