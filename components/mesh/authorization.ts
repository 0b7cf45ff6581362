/**
 * Identity-based allow rules for the ambient mesh.
 *
 * The mesh starts from an allow-nothing AuthorizationPolicy in the root namespace, so every flow needs
 * a positive-match ALLOW by workload identity (SPIFFE principal `cluster.local/ns/<ns>/sa/<sa>`).
 *
 * - L4 (principals + ports): enforced by ztunnel on the destination node; the policy selects the
 *   destination workloads with `selector` (or the whole namespace without one).
 * - L7 (methods, paths, hosts): ztunnel cannot see HTTP, so the policy must be bound to a waypoint through
 *   `targetRefs` (the waypoint Gateway, or one Service behind it). An L7 rule without a waypoint would be
 *   silently treated as deny by ztunnel; we reject it up front instead.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { DNS_LABEL, DNS_SUBDOMAIN, HTTP_METHODS, PATH_PATTERN } from "./names";

/** Trust domain of the mesh's workload certificates (istiod's default). */
export const TRUST_DOMAIN = "cluster.local";

export interface WorkloadIdentity {
    namespace: string;
    serviceAccount: string;
}

export interface AllowWorkloadsArgs {
    /** Namespace of the destination workloads (the policy lives there). */
    namespace: pulumi.Input<string>;
    /** Destination pods' labels (L4, enforced by ztunnel). Omit to cover the whole namespace. */
    selector?: Record<string, string>;
    /** Calling identities; at least one. */
    from: WorkloadIdentity[];
    /** Destination ports allowed; omit for any port. */
    ports?: number[];
    /** HTTP methods allowed (L7: requires `waypoint`). */
    methods?: string[];
    /** HTTP paths allowed: exact, `prefix*`, `*suffix` or `*` (L7: requires `waypoint`). */
    paths?: string[];
    /**
     * HTTP Host (:authority) values allowed (L7: requires `waypoint`): exact `a.b`, with a port `a.b:80`,
     * any port `a.b:*`, or suffix `*.b`. Istio compares exactly, so list a host with and without its port.
     * Elements not yet known (Outputs) are not checked here.
     */
    hosts?: pulumi.Input<string>[];
    /** Waypoint (Gateway name in `namespace`) that enforces this policy; needed for methods/paths/hosts. */
    waypoint?: string;
    /**
     * With `waypoint`: bind to this Service only (targetRefs kind Service) instead of every service behind
     * the waypoint, so the L7 rule does not leak to neighbours sharing the waypoint.
     */
    service?: string;
    /**
     * Kubernetes name of the policy (default: `name`). Lets callers keep the Pulumi name unique per cluster
     * (e.g. prefixed with the cluster) while the in-cluster name stays short and identical everywhere.
     */
    policyName?: string;
}

export { HTTP_METHODS } from "./names";

/** The SPIFFE-style principal Istio gives a workload running as `serviceAccount` in `namespace`. */
export function principalOf(id: WorkloadIdentity): string {
    return `${TRUST_DOMAIN}/ns/${id.namespace}/sa/${id.serviceAccount}`;
}

/** Host match forms this module emits: a DNS name with an optional port or `:*`, or a `*.suffix`. */
const HOST_PATTERN = /^([a-z0-9]([-a-z0-9.]*[a-z0-9])?(:([0-9]{1,5}|\*))?|\*\.[a-z0-9]([-a-z0-9.]*[a-z0-9])?)$/;

function fail(name: string, field: string, value: unknown, allowed: string): never {
    throw new Error(`allowWorkloads(${JSON.stringify(name)}).${field}: ${JSON.stringify(value)} ${allowed}`);
}

/** Checks the arguments; throws a clear error naming the field, the bad value and what is allowed. */
export function validateAllowWorkloads(name: string, args: AllowWorkloadsArgs): void {
    const objectName = args.policyName ?? name;
    if (!DNS_SUBDOMAIN.test(objectName)) {
        fail(name, args.policyName !== undefined ? "policyName" : "name", objectName, "is not a valid Kubernetes object name; allowed: a DNS-1123 subdomain (lowercase letters, digits, '-', '.')");
    }
    if (!args.from || args.from.length === 0) fail(name, "from", args.from ?? [], "is empty; allowed: at least one { namespace, serviceAccount } (an empty source list would allow nobody, or with Istio's semantics everybody)");
    args.from.forEach((id, i) => {
        if (!DNS_LABEL.test(id?.namespace ?? "")) fail(name, `from[${i}].namespace`, id?.namespace, "is not a namespace name; allowed: a DNS-1123 label");
        if (!DNS_SUBDOMAIN.test(id?.serviceAccount ?? "")) fail(name, `from[${i}].serviceAccount`, id?.serviceAccount, "is not a service account name; allowed: a DNS-1123 subdomain");
    });
    for (const [i, p] of (args.ports ?? []).entries()) {
        if (!Number.isInteger(p) || p < 1 || p > 65535) fail(name, `ports[${i}]`, p, "is not a port; allowed: an integer 1-65535");
    }
    for (const [i, m] of (args.methods ?? []).entries()) {
        if (!(HTTP_METHODS as readonly string[]).includes(m)) fail(name, `methods[${i}]`, m, `is not an HTTP method; allowed: ${HTTP_METHODS.join(", ")}`);
    }
    for (const [i, p] of (args.paths ?? []).entries()) {
        if (!PATH_PATTERN.test(p)) fail(name, `paths[${i}]`, p, "is not an Istio path match; allowed: exact '/a/b', prefix '/a/*', suffix '*.ext' or '*'");
    }
    for (const [i, h] of (args.hosts ?? []).entries()) {
        if (typeof h === "string" && !HOST_PATTERN.test(h)) fail(name, `hosts[${i}]`, h, "is not an Istio host match; allowed: 'a.b', 'a.b:80', 'a.b:*' or '*.b' (lowercase DNS names)");
    }
    const l7 = (args.methods?.length ?? 0) > 0 || (args.paths?.length ?? 0) > 0 || (args.hosts?.length ?? 0) > 0;
    if (l7 && !args.waypoint) {
        fail(name, "waypoint", args.waypoint, "is missing for an L7 rule (methods/paths/hosts): ztunnel only enforces L4 (identity, port); allowed: the name of a waypoint Gateway in the destination namespace");
    }
    if (args.waypoint !== undefined && !DNS_LABEL.test(args.waypoint)) fail(name, "waypoint", args.waypoint, "is not a Gateway name; allowed: a DNS-1123 label");
    if (args.waypoint && args.selector) {
        fail(name, "selector", args.selector, "cannot be combined with waypoint: a waypoint policy is bound by targetRefs; allowed: `service` to narrow it to one Service");
    }
    if (args.service !== undefined) {
        if (!args.waypoint) fail(name, "service", args.service, "needs waypoint: Service-bound policies are enforced by the waypoint; allowed: set waypoint, or use selector for L4");
        if (!DNS_LABEL.test(args.service)) fail(name, "service", args.service, "is not a Service name; allowed: a DNS-1123 label");
    }
    for (const [k, v] of Object.entries(args.selector ?? {})) {
        if (k.includes("*") || v.includes("*")) fail(name, `selector.${k}`, v, "uses a wildcard; allowed: exact label keys and values");
    }
}

/** The AuthorizationPolicy spec for the arguments (already validated). */
export function allowWorkloadsSpec(args: AllowWorkloadsArgs): Record<string, unknown> {
    const operation: Record<string, pulumi.Input<string>[]> = {};
    if (args.ports?.length) operation.ports = args.ports.map(String); // the CRD types ports as strings
    if (args.methods?.length) operation.methods = [...args.methods];
    if (args.paths?.length) operation.paths = [...args.paths];
    if (args.hosts?.length) operation.hosts = [...args.hosts];
    const rule: Record<string, unknown> = {
        // Positive match on identity: only these principals; never a negative (notPrincipals) match.
        from: [{ source: { principals: args.from.map(principalOf) } }],
    };
    if (Object.keys(operation).length) rule.to = [{ operation }];
    const spec: Record<string, unknown> = { action: "ALLOW", rules: [rule] };
    if (args.waypoint) {
        spec.targetRefs = args.service
            ? [{ kind: "Service", group: "", name: args.service }]
            : [{ kind: "Gateway", group: "gateway.networking.k8s.io", name: args.waypoint }];
    } else if (args.selector && Object.keys(args.selector).length) {
        spec.selector = { matchLabels: { ...args.selector } };
    }
    return spec;
}

/**
 * An Istio `AuthorizationPolicy` (security.istio.io/v1, ALLOW) letting the `from` identities reach the
 * selected workloads (or the waypoint / Service). `name` is the Pulumi name and, unless `policyName` is
 * given, the Kubernetes name.
 */
export function allowWorkloads(name: string, args: AllowWorkloadsArgs, opts: pulumi.CustomResourceOptions): k8s.apiextensions.CustomResource {
    validateAllowWorkloads(name, args);
    return new k8s.apiextensions.CustomResource(
        name,
        {
            apiVersion: "security.istio.io/v1",
            kind: "AuthorizationPolicy",
            metadata: { name: args.policyName ?? name, namespace: args.namespace, labels: { "app.kubernetes.io/managed-by": "pulumi" } },
            spec: allowWorkloadsSpec(args),
        },
        opts,
    );
}
