/**
 * ClusterAdmissionPolicies: the zero-trust pack's Kubernetes rules enforced by the API server itself,
 * with ValidatingAdmissionPolicy (admissionregistration.k8s.io/v1, built into Kubernetes, no controller
 * to run). Whatever applies an object — Pulumi, kubectl, an operator, GitOps — is checked on create and
 * update. Each policy has one binding whose validationActions follow `enforcement` ([Deny] on the
 * clusters the platform creates, [Warn, Audit] on an existing cluster by default); failurePolicy Fail,
 * so an expression error or missing parameters deny (or warn) too. Bindings skip kube-system,
 * kube-public and kube-node-lease outright (namespaceSelector), objects being deleted (matchCondition),
 * and on UPDATE an object that already broke the same rule (ratcheting: only new violations count).
 * The exceptions are parameters: auto-named ConfigMaps in the platform-admission namespace whose data
 * keys are the excepted names and whose values say why; a change replaces a ConfigMap create-before-
 * delete and the bindings' paramRef moves to the new name.
 * The CEL sources are in ./policies.ts; docs/admission.md lists what each enforces.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { DNS_LABEL, EDGE_EXCEPTION_ANNOTATION, OUTSIDE_MESH_REASON_ANNOTATION } from "../contracts/names";
import { AdmissionParams, admissionPolicyDefinitions, type AdmissionPolicyDefinition } from "./policies";

export * from "./policies";

/** A namespace excepted from a policy, and why. */
export interface AdmissionNamespaceException {
    namespace: string;
    reason: string;
}

/** A named public edge (the value of the platform.io/edge-exception mark), and why it may be public. */
export interface AdmissionEdgeException {
    name: string;
    reason: string;
}

export interface ClusterAdmissionPoliciesArgs {
    /**
     * Which cluster the policies guard: "aws" (EKS), "azure" (AKS), "gcp" (GKE) or "kubernetes" (an
     * existing cluster, kind included). Selects the namespaces that cluster's managed add-ons run in.
     */
    clusterTarget: string;
    /** The `kubernetes` target's NetworkPolicy engine ("calico" adds calico-system and tigera-operator). */
    networkPolicyEngine?: string;
    /**
     * Namespaces exempt, beyond the Kubernetes and managed ones, from the pod host-isolation, mesh
     * enrolment and NetworkPolicy policies, each with its reason (e.g. runtime-class-manager, whose node
     * installer writes the Spin shim on each host; a cloud add-on the platform does not know).
     */
    exemptNamespaces?: AdmissionNamespaceException[];
    /** Edge exceptions a NodePort or public LoadBalancer Service may name in platform.io/edge-exception. */
    edgeExceptions?: AdmissionEdgeException[];
    /**
     * Namespaces of ingress gateways, whose ALLOW AuthorizationPolicies may admit callers without a mesh
     * identity on named ports. Default: istio-ingress (the platform's gateway).
     */
    ingressNamespaces?: AdmissionNamespaceException[];
    /**
     * Namespaces a kubernetes-provider SecretStore may read (`remoteNamespace`), each with its reason: the
     * kubernetes target's secret source namespace, the Strimzi Kafka namespace (clients' credentials).
     * Default none: every kubernetes-provider store is denied.
     */
    secretSourceNamespaces?: AdmissionNamespaceException[];
    /** Namespace of the parameter ConfigMaps. Default "platform-admission". */
    paramsNamespace?: string;
    /**
     * What a violation does: "deny" (validationActions [Deny]) or "warn" ([Warn, Audit]: the request is
     * admitted with a warning and an audit annotation). Default: "deny" on the managed clusters the
     * platform creates (aws, azure, gcp), "warn" on the `kubernetes` target, whose workloads the platform
     * does not own. A string checked at run time (a Pulumi schema has no literal unions).
     */
    enforcement?: string;
}

export const ADMISSION_ENFORCEMENTS = ["deny", "warn"] as const;
export type AdmissionEnforcement = (typeof ADMISSION_ENFORCEMENTS)[number];

/** The enforcement a cluster target gets when none is configured. */
export function defaultAdmissionEnforcement(clusterTarget: string): AdmissionEnforcement {
    return clusterTarget === "kubernetes" ? "warn" : "deny";
}

/** validationActions of an enforcement (Deny and Warn may not be combined). */
export function admissionValidationActions(enforcement: AdmissionEnforcement): string[] {
    return enforcement === "deny" ? ["Deny"] : ["Warn", "Audit"];
}

/**
 * Namespaces no binding matches (matchResources.namespaceSelector on kubernetes.io/metadata.name, NotIn):
 * node agents there never depend on the parameters. For a Namespace object the selector is matched
 * against the namespace's own labels, so these Namespaces themselves are skipped too.
 */
export const ADMISSION_UNMATCHED_NAMESPACES = ["kube-system", "kube-public", "kube-node-lease"];

/** Namespace of the parameter ConfigMaps. */
export const ADMISSION_PARAMS_NAMESPACE = "platform-admission";

/** Label naming which parameters a ConfigMap holds (its name is Pulumi's auto-name). */
export const ADMISSION_PARAMS_LABEL = "platform.io/admission-params";

export const ADMISSION_TARGETS = ["aws", "azure", "gcp", "kubernetes"];

/** Kubernetes' own namespaces (every cluster). */
const KUBERNETES_NAMESPACES: AdmissionNamespaceException[] = [
    { namespace: "kube-system", reason: "Kubernetes and cloud node agents (CNI, kube-proxy, CSI), and the platform's istio-cni and ztunnel, which need host access" },
    { namespace: "kube-public", reason: "Kubernetes: cluster-info for bootstrap" },
    { namespace: "kube-node-lease", reason: "Kubernetes: node heartbeats" },
];

/**
 * Namespaces each managed cloud (or kind) creates and updates for its own add-ons; denying them would
 * break the add-on. EKS runs its add-ons (vpc-cni, kube-proxy, CoreDNS, Pod Identity agent, EBS CSI)
 * in kube-system. AKS: the Azure Policy add-on's Gatekeeper (gatekeeper-system) and `az aks command
 * invoke` (aks-command). GKE: Managed Service for Prometheus (gmp-system, gmp-public, gke-gmp-system)
 * and GKE's own managed components (gke-managed-system, gke-managed-cim). kind: its local-path storage
 * provisioner (local-path-storage), whose helper pods mount hostPath. Sources in docs/admission.md.
 */
const MANAGED_NAMESPACES: Record<string, AdmissionNamespaceException[]> = {
    aws: [],
    azure: [
        { namespace: "gatekeeper-system", reason: "AKS Azure Policy add-on (Gatekeeper), managed by AKS" },
        { namespace: "aks-command", reason: "AKS run command (az aks command invoke), managed by AKS" },
    ],
    gcp: [
        { namespace: "gke-managed-system", reason: "GKE managed components" },
        { namespace: "gke-managed-cim", reason: "GKE managed components (Kubernetes metrics collection)" },
        { namespace: "gmp-system", reason: "GKE Managed Service for Prometheus (operator and collectors)" },
        { namespace: "gmp-public", reason: "GKE Managed Service for Prometheus (user configuration)" },
        { namespace: "gke-gmp-system", reason: "GKE Managed Service for Prometheus (managed collection)" },
    ],
    kubernetes: [{ namespace: "local-path-storage", reason: "kind's local-path provisioner: helper pods mount hostPath for volumes" }],
};

/**
 * Namespace prefixes exempt per target: GKE creates further gke-managed-* namespaces for its managed
 * components (gke-managed-system, gke-managed-cim, gke-managed-filestorecsi, …). A ConfigMap key cannot
 * hold a pattern, so the prefix is part of the policies' CEL on that target.
 */
const MANAGED_NAMESPACE_PREFIXES: Record<string, string[]> = { gcp: ["gke-managed-"] };

/** The namespace prefixes a cluster target exempts. */
export function admissionExemptNamespacePrefixes(clusterTarget: string): string[] {
    return MANAGED_NAMESPACE_PREFIXES[clusterTarget] ?? [];
}

const CALICO_NAMESPACES: AdmissionNamespaceException[] = [
    { namespace: "calico-system", reason: "Calico node agents (host network)" },
    { namespace: "tigera-operator", reason: "Calico's operator (host network)" },
];

export const DEFAULT_INGRESS_NAMESPACES: AdmissionNamespaceException[] = [
    { namespace: "istio-ingress", reason: "the platform's ingress gateway: its clients (through the load balancer) have no mesh identity; its policy names ports 80/443" },
];

/** ConfigMap data keys: [-._a-zA-Z0-9]+ (Kubernetes validation of ConfigMap keys). */
const CONFIG_MAP_KEY = /^[-._a-zA-Z0-9]+$/;

/** The system namespaces a cluster target exempts (Kubernetes', the managed ones, then the given ones). */
export function admissionSystemNamespaces(args: Pick<ClusterAdmissionPoliciesArgs, "clusterTarget" | "networkPolicyEngine" | "exemptNamespaces">): AdmissionNamespaceException[] {
    const all = [
        ...KUBERNETES_NAMESPACES,
        ...(MANAGED_NAMESPACES[args.clusterTarget] ?? []),
        ...(args.networkPolicyEngine === "calico" ? CALICO_NAMESPACES : []),
        ...(args.exemptNamespaces ?? []),
    ];
    const seen = new Set<string>();
    return all.filter((e) => !seen.has(e.namespace) && seen.add(e.namespace));
}

/** Problems with the arguments, one line each, naming the argument, the value and what is allowed. */
export function admissionArgsProblems(name: string, args: ClusterAdmissionPoliciesArgs): string[] {
    const problems: string[] = [];
    const at = (path: string, value: unknown, allowed: string) =>
        problems.push(`ClusterAdmissionPolicies ${name}: args.${path}: ${JSON.stringify(value)} is not allowed; allowed: ${allowed}`);
    if (!ADMISSION_TARGETS.includes(args.clusterTarget)) at("clusterTarget", args.clusterTarget, ADMISSION_TARGETS.map((t) => `"${t}"`).join(", "));
    const named = (path: string, list: { key: string; reason: string }[], keyAllowed: (k: string) => boolean, keyHint: string) =>
        list.forEach((e, i) => {
            if (!keyAllowed(e.key)) at(`${path}[${i}]`, e.key, keyHint);
            if (!e.reason || !e.reason.trim()) at(`${path}[${i}].reason`, e.reason ?? "", "a non-empty reason (why this exception exists, who owns it)");
        });
    const ns = (l?: AdmissionNamespaceException[]) => (l ?? []).map((e) => ({ key: e.namespace, reason: e.reason }));
    named("exemptNamespaces", ns(args.exemptNamespaces), (k) => DNS_LABEL.test(k), "a namespace name (DNS-1123 label)");
    named("ingressNamespaces", ns(args.ingressNamespaces), (k) => DNS_LABEL.test(k), "a namespace name (DNS-1123 label)");
    named("secretSourceNamespaces", ns(args.secretSourceNamespaces), (k) => DNS_LABEL.test(k), "a namespace name (DNS-1123 label)");
    named("edgeExceptions", (args.edgeExceptions ?? []).map((e) => ({ key: e.name, reason: e.reason })), (k) => CONFIG_MAP_KEY.test(k), "letters, digits, '-', '_' and '.' (a ConfigMap key)");
    if (args.enforcement !== undefined && !(ADMISSION_ENFORCEMENTS as readonly string[]).includes(args.enforcement)) at("enforcement", args.enforcement, ADMISSION_ENFORCEMENTS.map((e) => `"${e}"`).join(", "));
    if (args.paramsNamespace !== undefined && !DNS_LABEL.test(args.paramsNamespace)) at("paramsNamespace", args.paramsNamespace, "a namespace name (DNS-1123 label)");
    return problems;
}

const toData = (entries: { key: string; reason: string }[]): Record<string, string> => Object.fromEntries(entries.map((e) => [e.key, e.reason]));

export class ClusterAdmissionPolicies extends pulumi.ComponentResource {
    /** Names of the ValidatingAdmissionPolicies (each has a binding of the same name). */
    public readonly policyNames: pulumi.Output<string[]>;
    /** Namespace of the parameter ConfigMaps. */
    public readonly paramsNamespace: pulumi.Output<string>;
    /** Namespaces exempt from the pod, mesh-enrolment and NetworkPolicy policies. */
    public readonly exemptNamespaces: pulumi.Output<string[]>;
    /** The bindings' validationActions. */
    public readonly validationActions: pulumi.Output<string[]>;

    constructor(name: string, args: ClusterAdmissionPoliciesArgs, opts?: pulumi.ComponentResourceOptions) {
        const problems = admissionArgsProblems(name, args);
        if (problems.length) throw new Error(problems.join("\n"));
        super("platform:index:ClusterAdmissionPolicies", name, {}, opts);

        const paramsNamespace = args.paramsNamespace ?? ADMISSION_PARAMS_NAMESPACE;
        const system = admissionSystemNamespaces(args);
        const params: Record<AdmissionParams, Record<string, string>> = {
            [AdmissionParams.SystemNamespaces]: toData(system.map((e) => ({ key: e.namespace, reason: e.reason }))),
            [AdmissionParams.EdgeExceptions]: toData((args.edgeExceptions ?? []).map((e) => ({ key: e.name, reason: e.reason }))),
            [AdmissionParams.IngressNamespaces]: toData((args.ingressNamespaces ?? DEFAULT_INGRESS_NAMESPACES).map((e) => ({ key: e.namespace, reason: e.reason }))),
            [AdmissionParams.SecretSourceNamespaces]: toData((args.secretSourceNamespaces ?? []).map((e) => ({ key: e.namespace, reason: e.reason }))),
        };

        // Holds only ConfigMaps: no pods, so it is enrolled and denies all traffic; whoever may edit it may add exceptions.
        const namespace = new k8s.core.v1.Namespace(
            `${name}-params`,
            {
                metadata: {
                    name: paramsNamespace,
                    labels: {
                        "app.kubernetes.io/managed-by": "pulumi",
                        "istio.io/dataplane-mode": "ambient",
                        "pod-security.kubernetes.io/enforce": "restricted",
                        "pod-security.kubernetes.io/enforce-version": "latest",
                    },
                },
            },
            { parent: this },
        );
        new k8s.networking.v1.NetworkPolicy(
            `${name}-params-default-deny`,
            { metadata: { name: "default-deny", namespace: namespace.metadata.name }, spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] } },
            { parent: this },
        );
        const configMaps = new Map<AdmissionParams, k8s.core.v1.ConfigMap>();
        for (const kind of Object.values(AdmissionParams)) {
            configMaps.set(
                kind,
                new k8s.core.v1.ConfigMap(
                    `${name}-${kind}`,
                    {
                        // No metadata.name: Pulumi auto-names it (<resource name>-<suffix>), so a data change
                        // replaces it create-before-delete and the binding's paramRef moves to the new one;
                        // a fixed name would be deleted first, leaving the Deny bindings without parameters.
                        metadata: {
                            namespace: namespace.metadata.name,
                            labels: { "app.kubernetes.io/managed-by": "pulumi", "app.kubernetes.io/part-of": "platform-admission", [ADMISSION_PARAMS_LABEL]: kind },
                        },
                        data: params[kind],
                    },
                    { parent: this },
                ),
            );
        }

        const definitions = admissionPolicyDefinitions(
            {
                edgeException: EDGE_EXCEPTION_ANNOTATION,
                outsideMeshReason: OUTSIDE_MESH_REASON_ANNOTATION,
                egressException: "platform.io/egress-exception",
                egressExceptionReason: "platform.io/egress-exception-reason",
            },
            { exemptNamespacePrefixes: admissionExemptNamespacePrefixes(args.clusterTarget) },
        );
        const validationActions = admissionValidationActions((args.enforcement as AdmissionEnforcement | undefined) ?? defaultAdmissionEnforcement(args.clusterTarget));
        for (const def of definitions) {
            const policy = new k8s.admissionregistration.v1.ValidatingAdmissionPolicy(`${name}-${def.name}`, { metadata: { name: def.name }, spec: policySpec(def) }, { parent: this });
            const paramMap = def.params ? configMaps.get(def.params)! : undefined;
            // The binding comes last: a Deny binding whose parameters are missing denies everything it matches.
            new k8s.admissionregistration.v1.ValidatingAdmissionPolicyBinding(
                `${name}-${def.name}`,
                {
                    metadata: { name: def.name },
                    spec: {
                        policyName: policy.metadata.name,
                        validationActions,
                        matchResources: {
                            namespaceSelector: { matchExpressions: [{ key: "kubernetes.io/metadata.name", operator: "NotIn", values: ADMISSION_UNMATCHED_NAMESPACES }] },
                        },
                        ...(paramMap ? { paramRef: { name: paramMap.metadata.name, namespace: paramsNamespace, parameterNotFoundAction: "Deny" } } : {}),
                    },
                },
                { parent: this, dependsOn: paramMap ? [policy, paramMap] : [policy] },
            );
        }

        this.policyNames = pulumi.output(definitions.map((d) => d.name));
        this.paramsNamespace = namespace.metadata.name;
        this.exemptNamespaces = pulumi.output(system.map((e) => e.namespace));
        this.validationActions = pulumi.output(validationActions);
        this.registerOutputs({ policyNames: this.policyNames, paramsNamespace: this.paramsNamespace, exemptNamespaces: this.exemptNamespaces, validationActions: this.validationActions });
    }
}

function policySpec(def: AdmissionPolicyDefinition): k8s.types.input.admissionregistration.v1.ValidatingAdmissionPolicySpec {
    return {
        failurePolicy: "Fail",
        ...(def.params ? { paramKind: { apiVersion: "v1", kind: "ConfigMap" } } : {}),
        matchConstraints: { resourceRules: def.resourceRules },
        ...(def.matchConditions?.length ? { matchConditions: def.matchConditions } : {}),
        ...(def.variables?.length ? { variables: def.variables } : {}),
        validations: def.validations,
    };
}
