/** Kubernetes and mesh rules (K8S-01 … K8S-16) for resources the programs declare. */
import type * as k8s from "@pulumi/kubernetes/types/input";
import type { ReleaseArgs } from "@pulumi/kubernetes/helm/v3";
import type { ChartArgs } from "@pulumi/kubernetes/helm/v4";
import type { PolicyConfigSchema } from "@pulumi/policy";
import { asArray, fmt, resourcePolicy, type Props, type RuleContext, type RuleDef, on } from "./common";

export const NAMESPACE = "kubernetes:core/v1:Namespace";
export const NETWORK_POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy";
export const PEER_AUTHENTICATION = ["kubernetes:security.istio.io/v1:PeerAuthentication", "kubernetes:security.istio.io/v1beta1:PeerAuthentication"];
export const AUTHORIZATION_POLICY = ["kubernetes:security.istio.io/v1:AuthorizationPolicy", "kubernetes:security.istio.io/v1beta1:AuthorizationPolicy"];
export const MESH_ROOT_NAMESPACE = "istio-system";

/**
 * Namespaces Kubernetes itself runs: the default of `systemNamespaces`. The platform's own namespaces
 * (istio-system, cert-manager, knative-serving, …) are not the pack's business: the stack's pack config lists
 * them (policies/config/zero-trust.json), so the pack ships without knowledge of one platform.
 */
export const SYSTEM_NAMESPACES = ["kube-system", "kube-public", "kube-node-lease"];

export const systemSchema: PolicyConfigSchema = {
    properties: {
        systemNamespaces: { type: "array", items: { type: "string" }, default: SYSTEM_NAMESPACES, description: "Namespaces treated as system namespaces (the platform's own add-ons): at least baseline, not enrolled in the mesh, no default-deny required." },
    },
};

export const systemNamespaces = (ctx: { config: Record<string, any> }): string[] => ctx.config.systemNamespaces ?? SYSTEM_NAMESPACES;

/** The name a Namespace gets: metadata.name, or the Pulumi resource name (auto-naming adds a suffix). */
export const namespaceName = (p: Props<k8s.core.v1.Namespace>, resourceName: string) => p.metadata?.name ?? resourceName;

const podSecurity: RuleDef = {
    name: "k8s-01-pod-security-restricted",
    id: "K8S-01",
    description: "Namespaces enforce the restricted Pod Security Standard (system namespaces at least baseline; marked policy exceptions reported).",
    enforcementLevel: "mandatory",
    configSchema: systemSchema,
    checks: on<Props<k8s.core.v1.Namespace>>([NAMESPACE], (p, ctx) => {
        const level = p.metadata?.labels?.["pod-security.kubernetes.io/enforce"];
        const name = namespaceName(p, ctx.name);
        const allowed = systemNamespaces(ctx).includes(name) ? ["restricted", "baseline"] : ["restricted"];
        if (allowed.includes(level ?? "")) return [];
        return [`namespace ${fmt(name)}: metadata.labels["pod-security.kubernetes.io/enforce"] is ${fmt(level)}; set it to "restricted"${allowed.length > 1 ? ' (or "baseline" for this system namespace)' : ""}, or mark the namespace with a named policy exception.`];
    }),
};

type PodTemplate = Props<k8s.core.v1.PodTemplateSpec>;

/** Workload kinds and where their pod template lives, each read through its own type. */
const WORKLOADS: Record<string, (p: any) => PodTemplate | undefined> = {
    "kubernetes:core/v1:Pod": (p: Props<k8s.core.v1.Pod>) => ({ metadata: p.metadata, spec: p.spec }),
    "kubernetes:apps/v1:Deployment": (p: Props<k8s.apps.v1.Deployment>) => p.spec?.template,
    "kubernetes:apps/v1:StatefulSet": (p: Props<k8s.apps.v1.StatefulSet>) => p.spec?.template,
    "kubernetes:apps/v1:DaemonSet": (p: Props<k8s.apps.v1.DaemonSet>) => p.spec?.template,
    "kubernetes:apps/v1:ReplicaSet": (p: Props<k8s.apps.v1.ReplicaSet>) => p.spec?.template,
    "kubernetes:batch/v1:Job": (p: Props<k8s.batch.v1.Job>) => p.spec?.template,
    "kubernetes:batch/v1:CronJob": (p: Props<k8s.batch.v1.CronJob>) => p.spec?.jobTemplate?.spec?.template,
};

/** One check per workload type: each reads its pod template its own way, then `check` judges the template. */
function onWorkloads(check: (template: PodTemplate, workload: { metadata?: Props<k8s.meta.v1.ObjectMeta> }, ctx: RuleContext) => string[]) {
    return Object.fromEntries(Object.entries(WORKLOADS).map(([type, template]) => [type, (p: any, ctx: RuleContext) => check(template(p) ?? {}, p, ctx)]));
}
export const WORKLOAD_TYPES = Object.keys(WORKLOADS);

/** The pod template of a workload of kind `type` (undefined for other kinds). */
export const podTemplateOf = (type: string, props: unknown): PodTemplate | undefined => WORKLOADS[type]?.(props);

const DATAPLANE_MODE = "istio.io/dataplane-mode";

const meshEnrolment: RuleDef = {
    name: "k8s-05-mesh-enrolment",
    id: "K8S-05",
    description: "Application namespaces are enrolled in the ambient mesh (istio.io/dataplane-mode: ambient) and no workload in them opts out.",
    enforcementLevel: "mandatory",
    configSchema: systemSchema,
    checks: {
        ...on<Props<k8s.core.v1.Namespace>>(NAMESPACE, (ns, ctx) => {
            const name = namespaceName(ns, ctx.name);
            if (systemNamespaces(ctx).includes(name)) return [];
            const mode = ns.metadata?.labels?.[DATAPLANE_MODE];
            return mode === "ambient" ? [] : [`namespace ${fmt(name)}: metadata.labels["${DATAPLANE_MODE}"] is ${fmt(mode)}; set it to "ambient" so its traffic gets mTLS and authorization.`];
        }),
        // A pod labelled istio.io/dataplane-mode: none leaves ambient: no mTLS and no authorization for it.
        ...onWorkloads((template, workload, ctx) => {
            if (systemNamespaces(ctx).includes(workload.metadata?.namespace ?? "")) return [];
            return template.metadata?.labels?.[DATAPLANE_MODE] === "none"
                ? [`${kindOf(ctx)}: pod template metadata.labels["${DATAPLANE_MODE}"] is "none", which takes its pods out of the mesh (no mTLS, no authorization); remove the label.`]
                : [];
        }),
    },
};

const peerAuthMode: RuleDef = {
    name: "k8s-03-peer-authentication-strict",
    id: "K8S-03",
    description: "No PeerAuthentication relaxes mTLS (PERMISSIVE or DISABLE, port-level included).",
    enforcementLevel: "mandatory",
    checks: on<any>(PEER_AUTHENTICATION, (p: any) => {
        const out: string[] = [];
        const mode = p.spec?.mtls?.mode;
        if (mode === "PERMISSIVE" || mode === "DISABLE") out.push(`PeerAuthentication: spec.mtls.mode is "${mode}"; set it to "STRICT".`);
        for (const [port, v] of Object.entries((p.spec?.portLevelMtls ?? {}) as Record<string, { mode?: string }>)) {
            if (v?.mode === "PERMISSIVE" || v?.mode === "DISABLE") out.push(`PeerAuthentication: spec.portLevelMtls[${port}].mode is "${v.mode}"; set it to "STRICT".`);
        }
        return out;
    }),
};

const NEGATIVE_SOURCE = ["notPrincipals", "notRequestPrincipals", "notNamespaces", "notIpBlocks", "notRemoteIpBlocks"];
const NEGATIVE_OPERATION = ["notHosts", "notPorts", "notMethods", "notPaths"];
const L7_OPERATION = ["hosts", "methods", "paths", "notHosts", "notMethods", "notPaths"];

/**
 * A request principal (`<iss>/<sub>` of a validated JWT) that names a fixed issuer: an http(s) issuer with a
 * host or a bare issuer without ":", then "/" and a subject or "*". "*", "*"-prefixes, a "*" in the issuer
 * and scheme-only prefixes ("https://*") would match tokens of any issuer. Same pattern as the admission
 * policy platform-authorization-named-sources (components/admission/policies.ts; a pack ships on its own).
 */
export const NAMED_REQUEST_PRINCIPAL = /^(https?:\/\/[^/* ]+[^* ]*|[^*/: ][^*: ]*)\/([*]|[^* ]+)$/;
/** Paths an ALLOW rule without sources may open (unauthenticated health checks): exact or "/prefix/*". */
export const UNAUTHENTICATED_PATH = /^\/[^*{} ]+(\/[*])?$/;
const UNAUTHENTICATED_METHODS = ["GET", "HEAD"];

const authorizationPolicy: RuleDef = {
    name: "k8s-04-authorization-positive-match",
    id: "K8S-04",
    description:
        "Istio ALLOW rules use positive matching only (no not* fields); request principals name a fixed JWT issuer; a rule without sources opens only exact or prefix paths with GET/HEAD.",
    enforcementLevel: "mandatory",
    checks: on<any>(AUTHORIZATION_POLICY, (p: any) => {
        const spec = p.spec ?? {};
        if ((spec.action ?? "ALLOW") !== "ALLOW") return [];
        const out: string[] = [];
        asArray<any>(spec.rules).forEach((r, i) => {
            asArray<any>(r?.from).forEach((f, j) => {
                for (const k of NEGATIVE_SOURCE) if (f?.source?.[k] !== undefined) out.push(`AuthorizationPolicy: spec.rules[${i}].from[${j}].source.${k} is a negative match in an ALLOW rule; list what is allowed instead (or move it to a DENY policy).`);
                for (const rp of asArray<any>(f?.source?.requestPrincipals)) {
                    if (typeof rp !== "string" || !NAMED_REQUEST_PRINCIPAL.test(rp)) {
                        out.push(`AuthorizationPolicy: spec.rules[${i}].from[${j}].source.requestPrincipals has ${fmt(rp)}, which admits tokens of any issuer; name the issuer: "<issuer>/*" or "<issuer>/<subject>".`);
                    }
                }
            });
            asArray<any>(r?.to).forEach((t, j) => {
                for (const k of NEGATIVE_OPERATION) if (t?.operation?.[k] !== undefined) out.push(`AuthorizationPolicy: spec.rules[${i}].to[${j}].operation.${k} is a negative match in an ALLOW rule; list what is allowed instead.`);
                // A rule without sources that names paths opens them to every caller (beside a JWT requirement:
                // unauthenticated): only named health-check paths, read-only.
                const op = t?.operation ?? {};
                if (asArray(r?.from).length === 0 && op.paths !== undefined) {
                    const wide = asArray<any>(op.paths).filter((x) => typeof x !== "string" || !UNAUTHENTICATED_PATH.test(x));
                    const methods = asArray<any>(op.methods);
                    const writes = methods.filter((m) => !UNAUTHENTICATED_METHODS.includes(m));
                    if (wide.length || methods.length === 0 || writes.length) {
                        out.push(
                            `AuthorizationPolicy: spec.rules[${i}].to[${j}].operation opens paths ${fmt(op.paths)} with methods ${fmt(op.methods ?? "any")} to every caller (no \`from\`); unauthenticated paths must be exact ("/healthz") or prefix ("/status/*") paths with methods GET or HEAD only.`,
                        );
                    }
                }
            });
        });
        return out;
    }),
};

/** Namespaces of Envoy gateway Deployments (istio/gateway chart): their pods enforce L7 policies that select them. */
export const GATEWAY_NAMESPACES = ["istio-ingress"];

const waypointTarget: RuleDef = {
    name: "k8s-06-l7-policy-targets-waypoint",
    id: "K8S-06",
    description:
        "In ambient mode, AuthorizationPolicies with L7 attributes target a waypoint (spec.targetRefs); in a gateway namespace (gatewayNamespaces) a selector reaches the gateway's own Envoy, which enforces L7.",
    enforcementLevel: "mandatory",
    configSchema: {
        properties: {
            gatewayNamespaces: {
                type: "array",
                items: { type: "string" },
                default: GATEWAY_NAMESPACES,
                description: "Namespaces of Envoy gateway Deployments (not ambient-captured): a policy selecting their pods is enforced by the gateway itself.",
            },
        },
    },
    checks: on<any>(AUTHORIZATION_POLICY, (p: any, ctx) => {
        const spec = p.spec ?? {};
        const gateways: string[] = ctx.config.gatewayNamespaces ?? GATEWAY_NAMESPACES;
        if (spec.selector && gateways.includes(p.metadata?.namespace ?? "")) return [];
        const l7 = asArray<any>(spec.rules).some(
            (r) =>
                asArray<any>(r?.to).some((t) => L7_OPERATION.some((k) => t?.operation?.[k] !== undefined)) ||
                asArray<any>(r?.when).some((w) => typeof w?.key === "string" && w.key.startsWith("request.")) ||
                asArray<any>(r?.from).some((f) => f?.source?.requestPrincipals !== undefined),
        );
        if (!l7) return [];
        const hasTarget = asArray(spec.targetRefs).length > 0 || spec.targetRef !== undefined;
        return hasTarget ? [] : [`AuthorizationPolicy: uses L7 attributes (hosts, methods, paths or request.*) without spec.targetRefs; ztunnel enforces only L4, so the rule would not apply: target the waypoint Gateway.`];
    }),
};

const ciliumEncryption: RuleDef = {
    name: "k8s-07-cilium-transparent-encryption",
    id: "K8S-07",
    description: "Cilium installations turn on transparent encryption (WireGuard or IPsec).",
    enforcementLevel: "mandatory",
    checks: on<Props<ReleaseArgs | ChartArgs>>(["kubernetes:helm.sh/v3:Release", "kubernetes:helm.sh/v4:Chart"], (p) => {
        if (p.chart !== "cilium" && !/\/cilium$/.test(String(p.chart ?? ""))) return [];
        const enc = p.values?.encryption;
        return enc?.enabled === true && ["wireguard", "ipsec"].includes(enc.type ?? "ipsec")
            ? []
            : [`Cilium chart: values.encryption is ${fmt(enc)}; set values.encryption { enabled: true, type: "wireguard" }.`];
    }),
};

const SERVICE = "kubernetes:core/v1:Service";
const INTERNAL_LB_ANNOTATIONS: Array<[string, string[]]> = [
    ["service.beta.kubernetes.io/aws-load-balancer-scheme", ["internal"]],
    ["service.beta.kubernetes.io/aws-load-balancer-internal", ["true", "0.0.0.0/0"]],
    ["service.beta.kubernetes.io/azure-load-balancer-internal", ["true"]],
    ["networking.gke.io/load-balancer-type", ["Internal"]],
    ["cloud.google.com/load-balancer-type", ["Internal"]],
];

const HELM_RELEASE = "kubernetes:helm.sh/v3:Release";
const KNATIVE_SERVING = ["kubernetes:operator.knative.dev/v1beta1:KnativeServing", "kubernetes:operator.knative.dev/v1:KnativeServing"];

const isInternal = (annotations: Record<string, string> | undefined) =>
    INTERNAL_LB_ANNOTATIONS.some(([k, vals]) => vals.includes(annotations?.[k] ?? ""));

const INTERNAL_HINT =
    "the cloud's internal annotation (e.g. service.beta.kubernetes.io/aws-load-balancer-scheme: internal, service.beta.kubernetes.io/azure-load-balancer-internal: \"true\", networking.gke.io/load-balancer-type: Internal)";

/** The Istio gateway chart (istio/gateway); its Service is type LoadBalancer unless values.service.type says otherwise. */
const isIstioGatewayChart = (p: any) =>
    p.chart === "istio/gateway" || (p.chart === "gateway" && /istio/i.test(String(p.repositoryOpts?.repo ?? "")));

const internalLoadBalancer: RuleDef = {
    name: "k8s-08-internal-load-balancer",
    id: "K8S-08",
    description: "Load balancers in front of the cluster are internal unless declared a public edge (Services of type LoadBalancer, the Istio gateway chart's Service, the Kourier gateway).",
    enforcementLevel: "mandatory",
    exposure: true,
    checks: {
        ...on<Props<k8s.core.v1.Service>>(SERVICE, (svc) => {
            if (svc.spec?.type !== "LoadBalancer") return [];
            return isInternal(svc.metadata?.annotations)
                ? []
                : [`Service: spec.type is LoadBalancer without an internal load-balancer annotation; add ${INTERNAL_HINT} or declare it a public edge exception.`];
        }),
        // A helm.v3.Release is opaque: only its values show the Service the chart renders.
        ...on<Props<ReleaseArgs>>(HELM_RELEASE, (release) => {
            if (!isIstioGatewayChart(release)) return [];
            const svc = release.values?.service ?? {};
            const type = svc.type ?? "LoadBalancer";
            if (type !== "LoadBalancer" || isInternal(svc.annotations)) return [];
            return [`Istio gateway release: values.service.type is ${fmt(svc.type)} (the chart's default is LoadBalancer) and values.service.annotations has no internal load-balancer annotation, so the gateway gets an internet-facing load balancer; set values.service.type to "ClusterIP" or add ${INTERNAL_HINT}, or declare the release a public edge exception.`];
        }),
        // KnativeServing is a custom resource: its spec is read as the operator's CRD documents it (no SDK type).
        ...on<any>(KNATIVE_SERVING, (serving) => {
            const kourier = serving.spec?.ingress?.kourier;
            if (kourier?.enabled !== true) return [];
            const type = kourier["service-type"] ?? "LoadBalancer";
            if (type !== "LoadBalancer") return [];
            const override = asArray<any>(serving.spec?.services).find((s) => s?.name === "kourier");
            if (isInternal(override?.annotations)) return [];
            return [`KnativeServing: spec.ingress.kourier["service-type"] is ${fmt(kourier["service-type"])} (Kourier's default is LoadBalancer), so the Kourier gateway gets an internet-facing load balancer; set it to "ClusterIP" (or give spec.services[kourier] ${INTERNAL_HINT}), or declare the KnativeServing a public edge exception.`];
        }),
    },
};



function containers(spec: Props<k8s.core.v1.PodSpec>): Array<{ where: string; c: Props<k8s.core.v1.Container> }> {
    return [
        ...asArray(spec.initContainers).map((c, i) => ({ where: `initContainers[${fmt(c.name ?? i)}]`, c })),
        ...asArray(spec.containers).map((c, i) => ({ where: `containers[${fmt(c.name ?? i)}]`, c })),
    ];
}

const kindOf = (ctx: RuleContext) => `${ctx.type.split(":").pop()} ${fmt(ctx.name)}`;

const hostIsolation: RuleDef = {
    name: "k8s-09-no-host-access",
    id: "K8S-09",
    description: "Pods share no host namespaces, run nothing privileged, cannot escalate privileges and bind no host ports.",
    enforcementLevel: "mandatory",
    checks: onWorkloads((template, _workload, ctx) => {
        const spec: Props<k8s.core.v1.PodSpec> = template.spec ?? { containers: [] };
        const out: string[] = [];
        for (const k of ["hostNetwork", "hostPID", "hostIPC"] as const)
            if (spec[k] === true) out.push(`${kindOf(ctx)}: pod spec.${k} is true; remove it.`);
        for (const { where, c } of containers(spec)) {
            if (c.securityContext?.privileged === true) out.push(`${kindOf(ctx)}: ${where}.securityContext.privileged is true; remove it.`);
            if (c.securityContext?.allowPrivilegeEscalation !== false)
                out.push(`${kindOf(ctx)}: ${where}.securityContext.allowPrivilegeEscalation is ${fmt(c.securityContext?.allowPrivilegeEscalation)} (default true); set it to false.`);
            for (const port of asArray(c.ports)) if (port.hostPort) out.push(`${kindOf(ctx)}: ${where}.ports sets hostPort ${port.hostPort}; remove it and expose the pod through a Service.`);
        }
        return out;
    }),
};

const restrictedContext: RuleDef = {
    name: "k8s-10-restricted-security-context",
    id: "K8S-10",
    description: "Containers run as non-root, drop ALL capabilities, use the RuntimeDefault seccomp profile and a read-only root filesystem.",
    enforcementLevel: "mandatory",
    checks: onWorkloads((template, _workload, ctx) => {
        const spec: Props<k8s.core.v1.PodSpec> = template.spec ?? { containers: [] };
        const pod = spec.securityContext;
        const out: string[] = [];
        for (const { where, c } of containers(spec)) {
            const sc = c.securityContext;
            if ((sc?.runAsNonRoot ?? pod?.runAsNonRoot) !== true)
                out.push(`${kindOf(ctx)}: ${where}.securityContext.runAsNonRoot is unset (in the pod too); set it to true.`);
            if (!asArray(sc?.capabilities?.drop).includes("ALL"))
                out.push(`${kindOf(ctx)}: ${where}.securityContext.capabilities.drop is ${fmt(sc?.capabilities?.drop)}; set it to ["ALL"].`);
            const seccomp = sc?.seccompProfile?.type ?? pod?.seccompProfile?.type;
            if (seccomp !== "RuntimeDefault" && seccomp !== "Localhost")
                out.push(`${kindOf(ctx)}: ${where} seccompProfile.type is ${fmt(seccomp)}; set securityContext.seccompProfile.type to "RuntimeDefault".`);
            if (sc?.readOnlyRootFilesystem !== true)
                out.push(`${kindOf(ctx)}: ${where}.securityContext.readOnlyRootFilesystem is ${fmt(sc?.readOnlyRootFilesystem)}; set it to true (mount an emptyDir where the app writes).`);
        }
        return out;
    }),
};

const serviceAccountToken: RuleDef = {
    name: "k8s-11-dedicated-service-account",
    id: "K8S-11",
    description: "Pods run as a dedicated service account and do not mount its token unless they call the API.",
    enforcementLevel: "mandatory",
    configSchema: {
        properties: {
            apiClients: { type: "array", items: { type: "string" }, default: [], description: "Workload names (resource names) that call the Kubernetes API and may mount a token." },
        },
    },
    checks: onWorkloads((template, _workload, ctx) => {
        const spec: Props<k8s.core.v1.PodSpec> = template.spec ?? { containers: [] };
        const out: string[] = [];
        if (!spec.serviceAccountName || spec.serviceAccountName === "default")
            out.push(`${kindOf(ctx)}: pod spec.serviceAccountName is ${fmt(spec.serviceAccountName)}; create a dedicated service account for this workload.`);
        const apiClients: string[] = ctx.config.apiClients ?? [];
        if (spec.automountServiceAccountToken !== false && !apiClients.includes(ctx.name))
            out.push(`${kindOf(ctx)}: pod spec.automountServiceAccountToken is ${fmt(spec.automountServiceAccountToken)} (default true); set it to false, or list the workload in apiClients if it calls the Kubernetes API.`);
        return out;
    }),
};

const notDefaultNamespace: RuleDef = {
    name: "k8s-12-no-default-namespace",
    id: "K8S-12",
    description: "No workloads in the default namespace.",
    enforcementLevel: "mandatory",
    // Every workload kind and Service carries its namespace in the same ObjectMeta.
    checks: on<{ metadata?: Props<k8s.meta.v1.ObjectMeta> }>([...WORKLOAD_TYPES, SERVICE], (p, ctx) => {
        const ns = p.metadata?.namespace;
        return !ns || ns === "default" ? [`${kindOf(ctx)}: metadata.namespace is ${fmt(ns)}; put it in an application namespace.`] : [];
    }),
};

const BINDINGS = ["kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding", "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding"];
const ROLES = ["kubernetes:rbac.authorization.k8s.io/v1:ClusterRole", "kubernetes:rbac.authorization.k8s.io/v1:Role"];
const ANONYMOUS = ["system:anonymous", "system:unauthenticated"];

const rbac: RuleDef = {
    name: "k8s-13-rbac-least-privilege",
    id: "K8S-13",
    description: "No cluster-admin bindings outside the allowlist, no anonymous subjects, no \"*\" in roles.",
    enforcementLevel: "mandatory",
    configSchema: {
        properties: {
            clusterAdminAllowlist: { type: "array", items: { type: "string" }, default: [], description: "Binding resource names allowed to grant cluster-admin." },
        },
    },
    checks: {
        ...on<Props<k8s.rbac.v1.ClusterRole | k8s.rbac.v1.Role>>(ROLES, (role, ctx) =>
            asArray(role.rules).flatMap((r, i) =>
                (["apiGroups", "resources", "verbs"] as const)
                    .filter((k) => asArray(r[k]).includes("*"))
                    .map((k) => `${kindOf(ctx)}: rules[${i}].${k} contains "*"; list the API groups, resources and verbs needed.`),
            ),
        ),
        ...on<Props<k8s.rbac.v1.ClusterRoleBinding | k8s.rbac.v1.RoleBinding>>(BINDINGS, (binding, ctx) => {
            const out: string[] = [];
            const allow: string[] = ctx.config.clusterAdminAllowlist ?? [];
            if (binding.roleRef?.name === "cluster-admin" && !allow.includes(ctx.name))
                out.push(`${kindOf(ctx)}: roleRef.name is "cluster-admin"; bind a narrower role, or add this binding to clusterAdminAllowlist.`);
            for (const s of asArray(binding.subjects)) if (ANONYMOUS.includes(s?.name)) out.push(`${kindOf(ctx)}: subjects includes "${s.name}"; remove it.`);
            return out;
        }),
    },
};

const STRIMZI_AUTH = ["tls", "scram-sha-512", "oauth", "custom"];

const strimzi: RuleDef = {
    name: "k8s-14-strimzi-tls-auth",
    id: "K8S-14",
    description:
        "Strimzi Kafka listeners all authenticate and are encrypted: TLS, or SCRAM-SHA-512 in an application namespace (ambient mTLS, K8S-05/K8S-03); authorization is on.",
    enforcementLevel: "mandatory",
    configSchema: systemSchema,
    checks: on<any>(["kubernetes:kafka.strimzi.io/v1beta2:Kafka", "kubernetes:kafka.strimzi.io/v1:Kafka"], (p: any, ctx) => {
        const kafka = p.spec?.kafka ?? {};
        const out: string[] = [];
        // A listener without TLS is still encrypted when its namespace is an application namespace: K8S-05 makes
        // that namespace ambient and K8S-03 makes the mesh STRICT, so ztunnel carries every connection in mTLS
        // and refuses plaintext. Only with SCRAM-SHA-512, a challenge-response mechanism (the password never
        // crosses the wire); PLAIN or no authentication still needs TLS.
        const meshEncrypted = !systemNamespaces(ctx).includes(p.metadata?.namespace ?? "");
        asArray<any>(kafka.listeners).forEach((l) => {
            const scramInMesh = meshEncrypted && l?.authentication?.type === "scram-sha-512";
            if (l?.tls !== true && !scramInMesh)
                out.push(
                    `Kafka: spec.kafka.listeners[${fmt(l?.name)}].tls is ${fmt(l?.tls)}; set it to true, or use authentication scram-sha-512 in an ambient application namespace (not ${fmt(p.metadata?.namespace)}).`,
                );
            if (!STRIMZI_AUTH.includes(l?.authentication?.type))
                out.push(`Kafka: spec.kafka.listeners[${fmt(l?.name)}].authentication.type is ${fmt(l?.authentication?.type)}; set it to "tls", "scram-sha-512" or "oauth".`);
        });
        if (!kafka.authorization?.type) out.push(`Kafka: spec.kafka.authorization is unset, so every authenticated client may do anything; set authorization { type: "simple" }.`);
        return out;
    }),
};

const knativeVisibility: RuleDef = {
    name: "k8s-15-knative-cluster-local",
    id: "K8S-15",
    description: "Knative Services are cluster-local unless declared a public edge.",
    enforcementLevel: "advisory",
    exposure: true,
    checks: on<any>(["kubernetes:serving.knative.dev/v1:Service"], (p: any) => {
        const v = p.metadata?.labels?.["networking.knative.dev/visibility"];
        return v === "cluster-local" ? [] : [`Knative Service: metadata.labels["networking.knative.dev/visibility"] is ${fmt(v)}; set it to "cluster-local", or declare the service a public edge exception.`];
    }),
};

/** Annotations that name a NetworkPolicy's internet egress and say why (components/namespace, egressExceptionPolicy). */
export const EGRESS_EXCEPTION_ANNOTATION = "platform.io/egress-exception";
export const EGRESS_EXCEPTION_REASON_ANNOTATION = "platform.io/egress-exception-reason";

const networkPolicyEgress: RuleDef = {
    name: "k8s-16-network-policy-egress-named",
    id: "K8S-16",
    description:
        "NetworkPolicy egress names its destinations: no rule without `to` (every address), and an ipBlock of a /0 only in a policy annotated as a named egress exception with its reason.",
    enforcementLevel: "mandatory",
    checks: on<Props<k8s.networking.v1.NetworkPolicy>>(NETWORK_POLICY, (p, ctx) => {
        const annotations: Record<string, string> = p.metadata?.annotations ?? {};
        const named = !!annotations[EGRESS_EXCEPTION_ANNOTATION] && !!String(annotations[EGRESS_EXCEPTION_REASON_ANNOTATION] ?? "").trim();
        const ports = (rule: Props<k8s.networking.v1.NetworkPolicyEgressRule>) =>
            asArray(rule.ports).length ? asArray(rule.ports).map((x) => `${x.protocol ?? "TCP"}/${x.port ?? "*"}`).join(", ") : "every port";
        const out: string[] = [];
        asArray(p.spec?.egress).forEach((rule, i) => {
            const to = asArray(rule?.to);
            if (!to.length) {
                out.push(
                    `NetworkPolicy ${fmt(ctx.name)}: spec.egress[${i}] has no destinations, so it reaches every address on ${ports(rule)}; name them (the API server's addresses, a pod or namespace selector) or make it a named egress exception.`,
                );
                return;
            }
            to.forEach((peer, j) => {
                const cidr = String(peer?.ipBlock?.cidr ?? "");
                if (/\/0$/.test(cidr) && !named) {
                    out.push(
                        `NetworkPolicy ${fmt(ctx.name)}: spec.egress[${i}].to[${j}].ipBlock.cidr ${fmt(cidr)} reaches any address on ${ports(rule)}; narrow it, or name it an egress exception with metadata.annotations["${EGRESS_EXCEPTION_ANNOTATION}"] and ["${EGRESS_EXCEPTION_REASON_ANNOTATION}"] (platform:network.egressExceptions).`,
                    );
                }
            });
        });
        return out;
    }),
};

export const kubernetesRules: RuleDef[] = [
    podSecurity,
    peerAuthMode,
    authorizationPolicy,
    meshEnrolment,
    waypointTarget,
    ciliumEncryption,
    internalLoadBalancer,
    hostIsolation,
    restrictedContext,
    serviceAccountToken,
    notDefaultNamespace,
    rbac,
    strimzi,
    knativeVisibility,
    networkPolicyEgress,
];

export const kubernetesPolicies = kubernetesRules.map(resourcePolicy);
