/**
 * The CEL sources of the platform's admission policies: what the zero-trust pack checks at preview
 * (policies/zero-trust/rules/kubernetes.ts), enforced by the API server on every create and update,
 * whoever sends it (kubectl, an operator, GitOps). Plain data, so the component plans it and the
 * offline tests (tests/admission.test.ts) evaluate exactly these expressions.
 *
 * Expressions read optional fields only behind `has()`: reading an absent field is a CEL error, and
 * with failurePolicy Fail an error denies the request.
 */

/** One admissionregistration.k8s.io/v1 Validation. */
export interface AdmissionValidation {
    expression: string;
    message: string;
    messageExpression?: string;
}

/** A named CEL expression (spec.variables), readable as `variables.<name>`. */
export interface AdmissionVariable {
    name: string;
    expression: string;
}

/** One resource rule of spec.matchConstraints.resourceRules. */
export interface AdmissionResourceRule {
    apiGroups: string[];
    apiVersions: string[];
    resources: string[];
    operations: string[];
}

/** Which parameter ConfigMap a policy reads (its data keys are the exceptions, values their reasons). */
export enum AdmissionParams {
    SystemNamespaces = "system-namespaces",
    EdgeExceptions = "edge-exceptions",
    IngressNamespaces = "ingress-namespaces",
    SecretSourceNamespaces = "secret-source-namespaces",
}

export interface AdmissionPolicyDefinition {
    /** Object name of the ValidatingAdmissionPolicy (and of its binding). */
    name: string;
    /** The zero-trust pack rules this policy enforces in the cluster. */
    packRules: string[];
    description: string;
    resourceRules: AdmissionResourceRule[];
    /** The parameter ConfigMap (absent: the policy has no exceptions). */
    params?: AdmissionParams;
    /** Conditions all of which must hold for the policy to apply (admissionFinalize adds "not-being-deleted"). */
    matchConditions?: AdmissionMatchCondition[];
    variables?: AdmissionVariable[];
    validations: AdmissionValidation[];
}

/** One spec.matchConditions entry. */
export interface AdmissionMatchCondition {
    name: string;
    expression: string;
}

const WRITE = ["CREATE", "UPDATE"];

/** A name is an exception when it is a key of the parameter ConfigMap's data. */
const listed = (key: string) => `(has(params.data) && ${key} in params.data)`;

/**
 * A namespace is exempt when the system-namespaces parameters list it, or its name starts with one of
 * the cluster target's managed prefixes (GKE's gke-managed-*: a ConfigMap key cannot hold a pattern).
 */
const exemptNamespace = (key: string, prefixes: string[]) =>
    prefixes.length ? `(${listed(key)} || ${prefixes.map((p) => `${key}.startsWith('${p}')`).join(" || ")})` : listed(key);

/** The one capability a pod may add: Pod Security `restricted` allows exactly NET_BIND_SERVICE. */
export const ALLOWED_ADDED_CAPABILITIES = ["NET_BIND_SERVICE"];
const ADDS_DISALLOWED_CAPABILITY = `has(c.securityContext) && has(c.securityContext.capabilities) && has(c.securityContext.capabilities.add) && c.securityContext.capabilities.add.exists(x, !(x in [${ALLOWED_ADDED_CAPABILITIES.map((c) => `'${c}'`).join(", ")}]))`;

/** The pod spec of every workload kind the pod policy matches. */
const POD_SPEC =
    "object.kind == 'Pod' ? object.spec : (object.kind == 'CronJob' ? object.spec.jobTemplate.spec.template.spec : object.spec.template.spec)";

const podHostIsolation = (prefixes: string[]): AdmissionPolicyDefinition => ({
    name: "platform-pod-host-isolation",
    packRules: ["K8S-09", "K8S-10"],
    description:
        "Pods and pod templates outside the exempt namespaces share no host namespace, run no privileged container, mount no hostPath volume and add no Linux capability but NET_BIND_SERVICE (as Pod Security restricted).",
    resourceRules: [
        { apiGroups: [""], apiVersions: ["v1"], resources: ["pods"], operations: WRITE },
        { apiGroups: ["apps"], apiVersions: ["v1"], resources: ["deployments", "statefulsets", "daemonsets", "replicasets"], operations: WRITE },
        { apiGroups: ["batch"], apiVersions: ["v1"], resources: ["jobs", "cronjobs"], operations: WRITE },
    ],
    params: AdmissionParams.SystemNamespaces,
    variables: [
        { name: "exempt", expression: exemptNamespace("request.namespace", prefixes) },
        { name: "podSpec", expression: POD_SPEC },
        {
            name: "containers",
            expression: "(has(variables.podSpec.initContainers) ? variables.podSpec.initContainers : []) + variables.podSpec.containers",
        },
    ],
    validations: [
        {
            expression:
                "variables.exempt || !((has(variables.podSpec.hostNetwork) && variables.podSpec.hostNetwork) || (has(variables.podSpec.hostPID) && variables.podSpec.hostPID) || (has(variables.podSpec.hostIPC) && variables.podSpec.hostIPC))",
            message: "pods share no host namespace (hostNetwork, hostPID, hostIPC) outside the exempt system namespaces",
            messageExpression:
                "'namespace ' + request.namespace + ': ' + object.kind + ' ' + object.metadata.name + ' sets hostNetwork, hostPID or hostIPC; only the exempt system namespaces may (platform-admission/system-namespaces)'",
        },
        {
            expression:
                "variables.exempt || !variables.containers.exists(c, has(c.securityContext) && has(c.securityContext.privileged) && c.securityContext.privileged)",
            message: "no privileged containers outside the exempt system namespaces",
            messageExpression:
                "'namespace ' + request.namespace + ': ' + object.kind + ' ' + object.metadata.name + ' runs privileged container(s) ' + variables.containers.filter(c, has(c.securityContext) && has(c.securityContext.privileged) && c.securityContext.privileged).map(c, c.name).join(', ') + '; only the exempt system namespaces may'",
        },
        {
            expression: "variables.exempt || !has(variables.podSpec.volumes) || !variables.podSpec.volumes.exists(v, has(v.hostPath))",
            message: "no hostPath volumes outside the exempt system namespaces",
            messageExpression:
                "'namespace ' + request.namespace + ': ' + object.kind + ' ' + object.metadata.name + ' mounts hostPath volume(s) ' + variables.podSpec.volumes.filter(v, has(v.hostPath)).map(v, v.name).join(', ') + '; only the exempt system namespaces may'",
        },
        {
            expression: `variables.exempt || !variables.containers.exists(c, ${ADDS_DISALLOWED_CAPABILITY})`,
            message: "no added Linux capabilities but NET_BIND_SERVICE outside the exempt system namespaces",
            messageExpression: `'namespace ' + request.namespace + ': ' + object.kind + ' ' + object.metadata.name + ' adds capabilities other than NET_BIND_SERVICE in container(s) ' + variables.containers.filter(c, ${ADDS_DISALLOWED_CAPABILITY}).map(c, c.name).join(', ') + '; drop ALL and add at most NET_BIND_SERVICE outside the exempt system namespaces'`,
        },
    ],
});

/** Annotations that keep a cloud load balancer internal (the pack's K8S-08 list). */
export const INTERNAL_LOAD_BALANCER_ANNOTATIONS: Record<string, string[]> = {
    "service.beta.kubernetes.io/aws-load-balancer-scheme": ["internal"],
    "service.beta.kubernetes.io/aws-load-balancer-internal": ["true"],
    "service.beta.kubernetes.io/azure-load-balancer-internal": ["true"],
    "networking.gke.io/load-balancer-type": ["Internal"],
    "cloud.google.com/load-balancer-type": ["Internal"],
};

const internalAnnotationExpression = Object.entries(INTERNAL_LOAD_BALANCER_ANNOTATIONS)
    .map(([key, values]) => `(${JSON.stringify(key).replace(/"/g, "'")} in object.metadata.annotations && object.metadata.annotations[${JSON.stringify(key).replace(/"/g, "'")}] in [${values.map((v) => `'${v}'`).join(", ")}])`)
    .join(" || ");

/** The edge-exception mark (components/contracts EDGE_EXCEPTION_ANNOTATION), quoted for CEL. */
const edgeMark = (annotation: string) =>
    `(has(object.metadata.annotations) && '${annotation}' in object.metadata.annotations && ${listed(`object.metadata.annotations['${annotation}']`)})`;

function serviceExposure(edgeAnnotation: string): AdmissionPolicyDefinition {
    return {
        name: "platform-service-exposure",
        packRules: ["K8S-08"],
        description:
            "Services of type NodePort or LoadBalancer carry an edge-exception mark the parameters list; a LoadBalancer may also be internal (the cloud's internal annotation).",
        resourceRules: [{ apiGroups: [""], apiVersions: ["v1"], resources: ["services"], operations: WRITE }],
        params: AdmissionParams.EdgeExceptions,
        variables: [
            { name: "type", expression: "has(object.spec.type) ? object.spec.type : 'ClusterIP'" },
            { name: "edgeException", expression: edgeMark(edgeAnnotation) },
            { name: "internal", expression: `has(object.metadata.annotations) && (${internalAnnotationExpression})` },
        ],
        validations: [
            {
                expression: "variables.type != 'NodePort' || variables.edgeException",
                message: `a NodePort Service needs the ${edgeAnnotation} annotation naming a listed edge exception`,
                messageExpression: `'Service ' + request.namespace + '/' + object.metadata.name + ': type NodePort opens a port on every node; mark it with ${edgeAnnotation} naming an edge exception listed in platform-admission/edge-exceptions'`,
            },
            {
                expression: "variables.type != 'LoadBalancer' || variables.internal || variables.edgeException",
                message: `a LoadBalancer Service is internal (the cloud's internal annotation) or carries the ${edgeAnnotation} annotation naming a listed edge exception`,
                messageExpression: `'Service ' + request.namespace + '/' + object.metadata.name + ': type LoadBalancer without an internal load-balancer annotation gets a public address; make it internal or mark it with ${edgeAnnotation} naming an edge exception listed in platform-admission/edge-exceptions'`,
            },
        ],
    };
}

const WEAK_MTLS = "['PERMISSIVE', 'DISABLE']";

const peerAuthenticationStrict: AdmissionPolicyDefinition = {
    name: "platform-peer-authentication-strict",
    packRules: ["K8S-03"],
    description: "No PeerAuthentication relaxes mTLS: neither spec.mtls.mode nor any portLevelMtls mode is PERMISSIVE or DISABLE.",
    resourceRules: [{ apiGroups: ["security.istio.io"], apiVersions: ["*"], resources: ["peerauthentications"], operations: WRITE }],
    validations: [
        {
            expression: `!has(object.spec) || !has(object.spec.mtls) || !has(object.spec.mtls.mode) || !(object.spec.mtls.mode in ${WEAK_MTLS})`,
            message: "PeerAuthentication spec.mtls.mode is STRICT or unset (inherited), never PERMISSIVE or DISABLE",
            messageExpression: "'PeerAuthentication ' + request.namespace + '/' + object.metadata.name + ': spec.mtls.mode ' + object.spec.mtls.mode + ' relaxes mTLS; set STRICT'",
        },
        {
            expression: `!has(object.spec) || !has(object.spec.portLevelMtls) || !object.spec.portLevelMtls.exists(p, has(object.spec.portLevelMtls[p].mode) && object.spec.portLevelMtls[p].mode in ${WEAK_MTLS})`,
            message: "PeerAuthentication spec.portLevelMtls modes are STRICT or unset, never PERMISSIVE or DISABLE",
            messageExpression: `'PeerAuthentication ' + request.namespace + '/' + object.metadata.name + ': spec.portLevelMtls relaxes mTLS on port(s) ' + object.spec.portLevelMtls.filter(p, has(object.spec.portLevelMtls[p].mode) && object.spec.portLevelMtls[p].mode in ${WEAK_MTLS}).join(', ') + '; set STRICT'`,
        },
    ],
};

const NEGATIVE_SOURCES = ["notPrincipals", "notRequestPrincipals", "notNamespaces", "notIpBlocks", "notRemoteIpBlocks"];

/**
 * A request principal (`<iss>/<sub>` of a validated JWT; istio/api 1.30.3 security/v1beta1/
 * authorization_policy.proto Source.request_principals) that names a fixed issuer: an http(s) issuer with a
 * host, or a bare issuer without ":", then "/" and a subject or "*" (any subject of that issuer). Never
 * "*", a "*"-prefix, a "*" inside the issuer or a scheme-only prefix such as "https://*", each of which
 * Istio would match against every issuer. Written without backslashes so CEL and JavaScript read it alike.
 */
export const NAMED_ISSUER_PATTERN = "(https?://[^/* ]+[^* ]*|[^*/: ][^*: ]*)";
export const NAMED_REQUEST_PRINCIPAL = `^${NAMED_ISSUER_PATTERN}/([*]|[^* ]+)$`;
/**
 * Paths an ALLOW rule without `from` may open in an ingress namespace (unauthenticated health checks next
 * to a JWT requirement): exact "/healthz" or a prefix "/status/*", never "*", "/*", a suffix or a template.
 */
export const UNAUTHENTICATED_PATH_PATTERN = "^/[^*{} ]+(/[*])?$";
/** The methods such a path rule may name: reads only. */
export const UNAUTHENTICATED_METHODS = ["GET", "HEAD"];

const authorizationPolicySources: AdmissionPolicyDefinition = {
    name: "platform-authorization-named-sources",
    packRules: ["K8S-04"],
    description:
        "ALLOW AuthorizationPolicies name their sources: every rule has `from`, every source lists principals (mesh identities) or request principals naming a fixed JWT issuer, none is \"*\" and none negates. In the ingress namespaces the parameters list, a rule may omit `from` if it names its ports (the gateway's clients have no mesh identity); if it also names paths (unauthenticated health checks beside a JWT requirement), they are exact or prefix paths read with GET/HEAD only.",
    resourceRules: [{ apiGroups: ["security.istio.io"], apiVersions: ["*"], resources: ["authorizationpolicies"], operations: WRITE }],
    params: AdmissionParams.IngressNamespaces,
    variables: [
        { name: "allow", expression: "!has(object.spec) || !has(object.spec.action) || object.spec.action == 'ALLOW'" },
        { name: "rules", expression: "has(object.spec) && has(object.spec.rules) ? object.spec.rules : []" },
        { name: "ingress", expression: listed("request.namespace") },
    ],
    validations: [
        {
            expression:
                "!variables.allow || variables.rules.all(r, (has(r.from) && size(r.from) > 0) || (variables.ingress && has(r.to) && size(r.to) > 0 && r.to.all(t, has(t.operation) && has(t.operation.ports) && size(t.operation.ports) > 0)))",
            message: "every rule of an ALLOW AuthorizationPolicy names its sources (`from`)",
            messageExpression:
                "'AuthorizationPolicy ' + request.namespace + '/' + object.metadata.name + ': an ALLOW rule without `from` admits every caller; list the callers\\' principals (ingress namespaces listed in platform-admission/ingress-namespaces may instead name the ports)'",
        },
        {
            expression:
                "!variables.allow || variables.rules.all(r, !has(r.from) || r.from.all(f, has(f.source) && ((has(f.source.principals) && size(f.source.principals) > 0) || (has(f.source.requestPrincipals) && size(f.source.requestPrincipals) > 0)) && (!has(f.source.principals) || !f.source.principals.exists(p, p == '*' || p.startsWith('*')))))",
            message: "every source of an ALLOW AuthorizationPolicy lists principals or request principals, no principal \"*\" or a \"*\" prefix",
            messageExpression:
                "'AuthorizationPolicy ' + request.namespace + '/' + object.metadata.name + ': an ALLOW source has no principals or a wildcard principal; name each caller by its identity (cluster.local/ns/<namespace>/sa/<service-account>) or its token issuer (requestPrincipals <issuer>/*)'",
        },
        {
            expression: `!variables.allow || variables.rules.all(r, !has(r.from) || r.from.all(f, !has(f.source) || !has(f.source.requestPrincipals) || f.source.requestPrincipals.all(p, p.matches('${NAMED_REQUEST_PRINCIPAL}'))))`,
            message: "every request principal of an ALLOW AuthorizationPolicy names a fixed issuer (<issuer>/<subject> or <issuer>/*)",
            messageExpression:
                "'AuthorizationPolicy ' + request.namespace + '/' + object.metadata.name + ': a request principal is \"*\", starts with \"*\" or names no fixed issuer, so it admits tokens of any issuer; name the issuer: <issuer>/* or <issuer>/<subject>'",
        },
        {
            expression: `!variables.allow || variables.rules.all(r, (has(r.from) && size(r.from) > 0) || !has(r.to) || r.to.all(t, !has(t.operation) || !has(t.operation.paths) || (t.operation.paths.all(p, p.matches('${UNAUTHENTICATED_PATH_PATTERN}')) && has(t.operation.methods) && size(t.operation.methods) > 0 && t.operation.methods.all(m, m in [${UNAUTHENTICATED_METHODS.map((m) => `'${m}'`).join(", ")}]))))`,
            message: "an ALLOW rule without `from` that names paths opens only exact or prefix paths (never \"*\", \"/*\", a suffix or a template), with methods GET or HEAD",
            messageExpression:
                "'AuthorizationPolicy ' + request.namespace + '/' + object.metadata.name + ': an ALLOW rule without `from` opens paths to every caller; unauthenticated paths must be exact (/healthz) or prefix (/status/*) paths with methods GET or HEAD only'",
        },
        {
            expression: `!variables.allow || variables.rules.all(r, !has(r.from) || r.from.all(f, !has(f.source) || ![${NEGATIVE_SOURCES.map((k) => `'${k}'`).join(", ")}].exists(k, k in f.source)))`,
            message: "ALLOW rules match positively: no notPrincipals, notNamespaces, notIpBlocks, notRemoteIpBlocks or notRequestPrincipals",
            messageExpression:
                "'AuthorizationPolicy ' + request.namespace + '/' + object.metadata.name + ': an ALLOW source uses a negative match (not*); list what is allowed, or move the exclusion to a DENY policy'",
        },
    ],
};

function namespaceMeshEnrolment(reasonAnnotation: string, prefixes: string[]): AdmissionPolicyDefinition {
    return {
        name: "platform-namespace-mesh-enrolment",
        packRules: ["K8S-05"],
        description: `Namespaces are enrolled in the ambient mesh (istio.io/dataplane-mode: ambient), or say why not (${reasonAnnotation}), or are an exempt system namespace.`,
        resourceRules: [{ apiGroups: [""], apiVersions: ["v1"], resources: ["namespaces"], operations: WRITE }],
        params: AdmissionParams.SystemNamespaces,
        validations: [
            {
                expression: `${exemptNamespace("object.metadata.name", prefixes)} || (has(object.metadata.labels) && 'istio.io/dataplane-mode' in object.metadata.labels && object.metadata.labels['istio.io/dataplane-mode'] == 'ambient') || (has(object.metadata.annotations) && '${reasonAnnotation}' in object.metadata.annotations && object.metadata.annotations['${reasonAnnotation}'].trim() != '')`,
                message: `a namespace outside the ambient mesh carries its reason in the ${reasonAnnotation} annotation`,
                messageExpression: `'namespace ' + object.metadata.name + ': not labelled istio.io/dataplane-mode=ambient, so its pods get no mTLS and no identity policy; enrol it, or give the reason in the ${reasonAnnotation} annotation'`,
            },
        ],
    };
}

function networkPolicyNotAllowAll(egressException: string, egressReason: string, prefixes: string[]): AdmissionPolicyDefinition {
    return {
        name: "platform-network-policy-named-peers",
        packRules: ["K8S-16", "K8S-02"],
        description:
            "No NetworkPolicy admits everything: no ingress rule without sources and ports, no ingress from a /0, no egress rule without destinations, and egress to a /0 only in a named egress exception.",
        resourceRules: [{ apiGroups: ["networking.k8s.io"], apiVersions: ["v1"], resources: ["networkpolicies"], operations: WRITE }],
        params: AdmissionParams.SystemNamespaces,
        variables: [
            { name: "exempt", expression: exemptNamespace("request.namespace", prefixes) },
            { name: "ingress", expression: "has(object.spec.ingress) ? object.spec.ingress : []" },
            { name: "egress", expression: "has(object.spec.egress) ? object.spec.egress : []" },
            {
                name: "namedEgressException",
                expression: `has(object.metadata.annotations) && '${egressException}' in object.metadata.annotations && '${egressReason}' in object.metadata.annotations && object.metadata.annotations['${egressReason}'].trim() != ''`,
            },
        ],
        validations: [
            {
                expression: "variables.exempt || variables.ingress.all(r, (has(r.from) && size(r.from) > 0) || (has(r.ports) && size(r.ports) > 0))",
                message: "an ingress rule names its sources or its ports",
                messageExpression:
                    "'NetworkPolicy ' + request.namespace + '/' + object.metadata.name + ': an ingress rule without `from` and `ports` admits every source on every port; name the sources (selectors, ipBlocks) or the ports'",
            },
            {
                expression: "variables.exempt || variables.ingress.all(r, !has(r.from) || r.from.all(p, !has(p.ipBlock) || !p.ipBlock.cidr.endsWith('/0')))",
                message: "no ingress from a /0 ipBlock",
                messageExpression: "'NetworkPolicy ' + request.namespace + '/' + object.metadata.name + ': an ingress ipBlock of /0 admits every address; narrow it'",
            },
            {
                expression: "variables.exempt || variables.egress.all(r, has(r.to) && size(r.to) > 0)",
                message: "an egress rule names its destinations",
                messageExpression:
                    "'NetworkPolicy ' + request.namespace + '/' + object.metadata.name + ': an egress rule without `to` reaches every address; name the destinations'",
            },
            {
                expression:
                    "variables.exempt || variables.namedEgressException || variables.egress.all(r, !has(r.to) || r.to.all(p, !has(p.ipBlock) || !p.ipBlock.cidr.endsWith('/0')))",
                message: `egress to a /0 ipBlock only in a named egress exception (${egressException} and ${egressReason} annotations)`,
                messageExpression: `'NetworkPolicy ' + request.namespace + '/' + object.metadata.name + ': egress to a /0 ipBlock reaches any address; narrow it, or make it a named egress exception (${egressException} and ${egressReason} annotations, platform:network.egressExceptions)'`,
            },
        ],
    };
}

/** The SecretStore providers the platform's stores use; any other is denied. */
export const SECRET_STORE_PROVIDERS = ["aws", "azurekv", "gcpsm", "kubernetes"];

/**
 * The IAM role ARN an AWS SecretStore in a namespace may name: a reader role under
 * `/platform-secrets/<prefix>/<namespace>/` (namespaceReaderRolePath), as a CEL string expression over the
 * request's namespace (a DNS-1123 label, so it holds no regular-expression metacharacter).
 */
export const awsReaderRoleArnPattern = (namespaceExpression: string) =>
    `'^arn:aws[a-z-]*:iam::[0-9]{12}:role/platform-secrets/[a-z0-9-]+/' + ${namespaceExpression} + '/[^/]+$'`;

/** A serviceAccountRef of a namespaced store names an account of the store's own namespace. */
const ownAccount = (ref: string) => `(!has(${ref}.namespace) || ${ref}.namespace == request.namespace)`;

/**
 * SecretStores authenticate by workload identity only, each naming only its own namespace's reader.
 * Field names: external-secrets v2.9.0 apis/externalsecrets/v1/secretstore_{aws,azurekv,gcpsm,kubernetes}_types.go.
 * ESO uses a store only when exactly one provider is set (apis/externalsecrets/v1/provider_schema.go
 * getProviderName: "secret stores must only have exactly one backend specified"), so requiring one of
 * the four to be the only one of them present leaves any other provider unusable or denied.
 */
const secretStoreWorkloadIdentity: AdmissionPolicyDefinition = {
    name: "platform-secret-store-workload-identity",
    packRules: ["SEC-02"],
    description:
        "SecretStores use the platform's workload-identity forms only, each reaching only its own namespace's reader: aws without `auth` credentials or `additionalRoles`, `role` a reader role under /platform-secrets/<prefix>/<the store's namespace>/; azurekv `authType: WorkloadIdentity` with a `serviceAccountRef` and no `authSecretRef`; gcpsm `auth.workloadIdentity` only; kubernetes `auth.serviceAccount` only, `remoteNamespace` one the parameters list. Any other provider, and every ClusterSecretStore (the platform installs none), is denied.",
    resourceRules: [{ apiGroups: ["external-secrets.io"], apiVersions: ["*"], resources: ["secretstores", "clustersecretstores"], operations: WRITE }],
    params: AdmissionParams.SecretSourceNamespaces,
    variables: [{ name: "provider", expression: "object.spec.provider" }],
    validations: [
        {
            expression: "object.kind != 'ClusterSecretStore'",
            message: "no ClusterSecretStore: every store is namespaced and reads only its namespace's secrets",
            messageExpression:
                "'ClusterSecretStore ' + object.metadata.name + ': a cluster-wide store serves every namespace; use a SecretStore in the namespace that needs the secrets'",
        },
        {
            expression: `size([${SECRET_STORE_PROVIDERS.map((p) => `has(variables.provider.${p})`).join(", ")}].filter(x, x)) == 1`,
            message: `a SecretStore uses exactly one of the providers ${SECRET_STORE_PROVIDERS.join(", ")}`,
            messageExpression: `'SecretStore ' + request.namespace + '/' + object.metadata.name + ': its provider is not one of ${SECRET_STORE_PROVIDERS.join(", ")}; the platform reads secrets through the cloud\\'s store by workload identity, or from the platform\\'s source namespaces'`,
        },
        {
            expression: `!has(variables.provider.aws) || ((!has(variables.provider.aws.auth) || (!has(variables.provider.aws.auth.secretRef) && !has(variables.provider.aws.auth.jwt))) && (!has(variables.provider.aws.additionalRoles) || size(variables.provider.aws.additionalRoles) == 0) && has(variables.provider.aws.role) && variables.provider.aws.role.matches(${awsReaderRoleArnPattern("request.namespace")}))`,
            message: "an aws SecretStore has no auth credentials and no additionalRoles, and names a reader role under /platform-secrets/<prefix>/<its namespace>/",
            messageExpression:
                "'SecretStore ' + request.namespace + '/' + object.metadata.name + ': the aws provider must use the controller\\'s Pod Identity (no auth.secretRef, auth.jwt or additionalRoles) and a role under /platform-secrets/<prefix>/' + request.namespace + '/, the reader roles of this namespace' + (has(variables.provider.aws.role) ? ' (role ' + variables.provider.aws.role + ')' : ' (no role)')",
        },
        {
            expression:
                "!has(variables.provider.azurekv) || (has(variables.provider.azurekv.authType) && variables.provider.azurekv.authType == 'WorkloadIdentity' && has(variables.provider.azurekv.serviceAccountRef) && " +
                ownAccount("variables.provider.azurekv.serviceAccountRef") +
                " && !has(variables.provider.azurekv.authSecretRef))",
            message: "an azurekv SecretStore uses authType WorkloadIdentity with a serviceAccountRef of its namespace, and no authSecretRef",
            messageExpression:
                "'SecretStore ' + request.namespace + '/' + object.metadata.name + ': the azurekv provider must use authType WorkloadIdentity with a serviceAccountRef in this namespace and no authSecretRef (ManagedIdentity is the node\\'s identity, shared by every pod; ServicePrincipal is a static secret)'",
        },
        {
            expression:
                "!has(variables.provider.gcpsm) || (has(variables.provider.gcpsm.auth) && has(variables.provider.gcpsm.auth.workloadIdentity) && has(variables.provider.gcpsm.auth.workloadIdentity.serviceAccountRef) && " +
                ownAccount("variables.provider.gcpsm.auth.workloadIdentity.serviceAccountRef") +
                " && !has(variables.provider.gcpsm.auth.secretRef) && !has(variables.provider.gcpsm.auth.workloadIdentityFederation))",
            message: "a gcpsm SecretStore uses auth.workloadIdentity with a serviceAccountRef of its namespace, nothing else",
            messageExpression:
                "'SecretStore ' + request.namespace + '/' + object.metadata.name + ': the gcpsm provider must use auth.workloadIdentity with a serviceAccountRef in this namespace (no auth is the controller\\'s own identity; secretRef is a static key)'",
        },
        {
            expression:
                "!has(variables.provider.kubernetes) || (has(variables.provider.kubernetes.auth) && has(variables.provider.kubernetes.auth.serviceAccount) && " +
                ownAccount("variables.provider.kubernetes.auth.serviceAccount") +
                " && !has(variables.provider.kubernetes.auth.token) && !has(variables.provider.kubernetes.auth.cert) && !has(variables.provider.kubernetes.authRef) && has(variables.provider.kubernetes.remoteNamespace) && " +
                listed("variables.provider.kubernetes.remoteNamespace") +
                ")",
            message: "a kubernetes SecretStore authenticates as a service account of its namespace and reads a source namespace the parameters list",
            messageExpression:
                "'SecretStore ' + request.namespace + '/' + object.metadata.name + ': the kubernetes provider must use auth.serviceAccount (no token, cert or authRef) and a remoteNamespace listed in platform-admission/secret-source-namespaces' + (has(variables.provider.kubernetes.remoteNamespace) ? ' (remoteNamespace ' + variables.provider.kubernetes.remoteNamespace + ')' : ' (no remoteNamespace)')",
        },
    ],
};

export interface AdmissionMarks {
    edgeException: string;
    outsideMeshReason: string;
    egressException: string;
    egressExceptionReason: string;
}

/** Skips objects being deleted (finalizer removal, a terminating namespace): their state is on its way out. */
export const NOT_BEING_DELETED: AdmissionMatchCondition = { name: "not-being-deleted", expression: "object == null || !has(object.metadata.deletionTimestamp)" };

/** `object` as a whole word (not oldObject, namespaceObject). */
const OBJECT_REF = /\bobject\b/g;
const capitalised = (n: string) => n.charAt(0).toUpperCase() + n.slice(1);

/**
 * Ratcheting on UPDATE: each validation V becomes `V || (oldObject != null && !V_old)`, where V_old is V
 * over `variables.previous` (oldObject on UPDATE; object on CREATE, where V_old is never reached), its
 * object-dependent variables recomputed over it as `old<Name>`. Both branches of `previous` have the
 * object's type, so the expressions type-check as the originals do. An object that already broke the
 * same rule before the update is admitted; a new violation, or one on CREATE, is denied. Plus the
 * not-being-deleted match condition.
 */
export function withRatchet(def: AdmissionPolicyDefinition): AdmissionPolicyDefinition {
    const variables = def.variables ?? [];
    const dependent = new Set<string>();
    const refersTo = (e: string, n: string) => new RegExp(`\\bvariables\\.${n}\\b`).test(e);
    for (const v of variables) if (new RegExp(OBJECT_REF.source).test(v.expression) || [...dependent].some((d) => refersTo(v.expression, d))) dependent.add(v.name);
    const toOld = (e: string) =>
        e.replace(OBJECT_REF, "variables.previous").replace(/\bvariables\.(\w+)\b/g, (m, n: string) => (dependent.has(n) ? `variables.old${capitalised(n)}` : m));
    const oldVariables = variables.filter((v) => dependent.has(v.name)).map((v) => ({ name: `old${capitalised(v.name)}`, expression: toOld(v.expression) }));
    return {
        ...def,
        matchConditions: [NOT_BEING_DELETED, ...(def.matchConditions ?? [])],
        variables: [...variables, { name: "previous", expression: "oldObject != null ? oldObject : object" }, ...oldVariables],
        validations: def.validations.map((v) => ({ ...v, expression: `(${v.expression}) || (oldObject != null && !(${toOld(v.expression)}))` })),
    };
}

export interface AdmissionPolicyOptions {
    /** Namespace name prefixes exempt like the listed system namespaces (GKE: gke-managed-). */
    exemptNamespacePrefixes?: string[];
}

/** Every platform admission policy, in a fixed order. */
export function admissionPolicyDefinitions(marks: AdmissionMarks, opts: AdmissionPolicyOptions = {}): AdmissionPolicyDefinition[] {
    const prefixes = opts.exemptNamespacePrefixes ?? [];
    return [
        podHostIsolation(prefixes),
        serviceExposure(marks.edgeException),
        peerAuthenticationStrict,
        authorizationPolicySources,
        namespaceMeshEnrolment(marks.outsideMeshReason, prefixes),
        networkPolicyNotAllowAll(marks.egressException, marks.egressExceptionReason, prefixes),
        secretStoreWorkloadIdentity,
    ].map(withRatchet);
}
