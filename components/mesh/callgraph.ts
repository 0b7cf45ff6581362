/**
 * The call graph API: "service A may call service B" (optionally only some ports, methods and paths)
 * becomes positive-match ALLOW policies by workload identity.
 *
 * - A call without methods/paths is L4: ztunnel on B's node checks A's principal (and ports).
 * - A call with methods/paths is L7: B's namespace gets a waypoint (Gateway, class istio-waypoint) and
 *   is bound to it (`istio.io/use-waypoint`). Once a namespace uses a waypoint, *every* call into it
 *   arrives at B from the waypoint's identity, so all of them become waypoint policies bound to B's
 *   Service through targetRefs, and ztunnel admits only the waypoint itself.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { networkFactsProblems, type ClusterNetworkFacts } from "../cluster/network-facts";
import { dependsOnList, PlatformNamespace } from "../namespace";
import { INGRESS_NAMESPACE, ISTIO_NAMESPACE, NODE_AGENT_NAMESPACE, OBSERVABILITY_NAMESPACE } from "./args";
import { allowWorkloads, validateAllowWorkloads, type AllowWorkloadsArgs } from "./authorization";

/** Name (and service account) of the waypoint the call graph creates in a namespace. */
export const WAYPOINT_NAME = "waypoint";
/** Namespaces that never get a waypoint: mesh and cluster infrastructure. */
export const SYSTEM_NAMESPACES = ["kube-system", "kube-public", "kube-node-lease", ISTIO_NAMESPACE, INGRESS_NAMESPACE] as const;

/**
 * Namespaces the call graph must not create (it creates a PlatformNamespace, with default deny, for every
 * namespace of a declared ambient workload), with who owns each: the cluster's own and the mesh's. The
 * stack adds the namespaces other capabilities create (stacks/config/mesh.ts `platformNamespaces`).
 */
export const MESH_OWNED_NAMESPACES: Readonly<Record<string, string>> = {
    [NODE_AGENT_NAMESPACE]: "the cluster itself",
    "kube-public": "the cluster itself",
    "kube-node-lease": "the cluster itself",
    default: "the cluster itself",
    [ISTIO_NAMESPACE]: "the mesh (istiod)",
    [INGRESS_NAMESPACE]: "the mesh (ingress gateway)",
    [OBSERVABILITY_NAMESPACE]: "the mesh (OpenTelemetry collector)",
};

/** Pod label Istio puts on the waypoint's pods (the Gateway's name). */
const WAYPOINT_POD_SELECTOR = { matchLabels: { "gateway.networking.k8s.io/gateway-name": WAYPOINT_NAME } };

/**
 * NetworkPolicy allowances a default-deny namespace needs for its waypoint (pass as PlatformNamespace
 * `extraPolicies` wherever a namespace with a waypoint is created). The waypoint is an Envoy proxy, not a
 * captured workload: it needs its own path to istiod and the collector, and its readiness port.
 */
export function waypointNetworkPolicies(): { name: string; spec: k8s.types.input.networking.v1.NetworkPolicySpec }[] {
    const inNamespace = (ns: string, app?: string) => ({
        namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": ns } },
        ...(app ? { podSelector: { matchLabels: { app } } } : {}),
    });
    return [
        {
            // xDS and certificates from istiod (15012). Spans to the (enrolled) collector travel over HBONE,
            // which the namespace's allow-hbone policy already admits.
            name: "allow-waypoint-egress",
            spec: {
                podSelector: WAYPOINT_POD_SELECTOR,
                policyTypes: ["Egress"],
                egress: [
                    { to: [inNamespace(ISTIO_NAMESPACE, "istiod")], ports: [{ protocol: "TCP", port: 15012 }] },
                ],
            },
        },
        {
            // kubelet readiness probes on the proxy's status port; the waypoint is not captured by ambient, so
            // its probes come from the node, not from the SNAT address PlatformNamespace already admits.
            name: "allow-waypoint-status",
            spec: { podSelector: WAYPOINT_POD_SELECTOR, policyTypes: ["Ingress"], ingress: [{ ports: [{ protocol: "TCP", port: 15021 }] }] },
        },
    ];
}

export interface MeshService {
    /** Logical name: the Kubernetes Service name (and the default service account and `app` label). */
    name: string;
    namespace: string;
    /** Service account its pods run as (default: `name`). */
    serviceAccount?: string;
    /** Labels of its pods (default: `{ app: name }`). */
    selector?: Record<string, string>;
    /** Enrolled in the ambient mesh (default true). A service outside the mesh has no mTLS identity. */
    ambient?: boolean;
}

export interface MeshCall {
    from: string;
    to: string;
    ports?: number[];
    methods?: string[];
    paths?: string[];
}

export interface PlannedPolicy {
    /** Unique within the graph; used as the Kubernetes name. */
    name: string;
    args: AllowWorkloadsArgs;
}

export interface CallGraphPlan {
    policies: PlannedPolicy[];
    /** Namespaces that need a waypoint (and the `istio.io/use-waypoint` label). */
    waypointNamespaces: string[];
    /** Every namespace hosting a declared ambient service. */
    namespaces: string[];
}

/** An error in the call graph; `problems` holds one line per bad entry. */
export class CallGraphError extends Error {
    constructor(public readonly problems: string[]) {
        super(`Invalid mesh call graph:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
        this.name = "CallGraphError";
    }
}

const isL7 = (c: MeshCall) => (c.methods?.length ?? 0) > 0 || (c.paths?.length ?? 0) > 0;

/**
 * Checks the graph and returns one line per problem, with `path` as the prefix for each entry
 * (e.g. "platform:mesh" from the stack, "callGraph" from code). `ownedNamespaces` (namespace → who creates
 * it) lists namespaces the graph would collide with when it creates its workloads' namespaces; pass `{}`
 * when it does not create them.
 */
export function callGraphProblems(
    services: MeshService[],
    calls: MeshCall[],
    path = "callGraph",
    servicesKey = "services",
    ownedNamespaces: Readonly<Record<string, string>> = MESH_OWNED_NAMESPACES,
): string[] {
    const problems: string[] = [];
    const byName = new Map<string, MeshService>();
    const owned = Object.keys(ownedNamespaces).sort();
    services.forEach((s, i) => {
        if (byName.has(s.name)) problems.push(`${path}.${servicesKey}[${i}].name: ${JSON.stringify(s.name)} is declared twice; allowed: unique service names`);
        byName.set(s.name, s);
        const owner = Object.hasOwn(ownedNamespaces, s.namespace) ? ownedNamespaces[s.namespace] : undefined;
        if (owner && s.ambient !== false) {
            // Two owners of one namespace: the second create fails, and the call graph's default deny and
            // waypoint label would land on another component's pods.
            problems.push(
                `${path}.${servicesKey}[${i}].namespace: ${JSON.stringify(s.namespace)} is created by ${owner}; the call graph creates its workloads' namespaces, so it cannot share one; allowed: a namespace nothing else on the platform creates (not ${owned.join(", ")})`,
            );
        }
    });
    const known = [...byName.keys()].map((n) => JSON.stringify(n)).join(", ") || "(none declared)";
    calls.forEach((c, i) => {
        const from = byName.get(c.from);
        const to = byName.get(c.to);
        if (!from) problems.push(`${path}.calls[${i}].from: ${JSON.stringify(c.from)} is not a declared service; allowed: ${known}`);
        if (!to) problems.push(`${path}.calls[${i}].to: ${JSON.stringify(c.to)} is not a declared service; allowed: ${known}`);
        if (from && from.ambient === false) {
            problems.push(`${path}.calls[${i}].from: ${JSON.stringify(c.from)} is outside the ambient mesh, so it has no workload identity to allow; allowed: a service with ambient: true`);
        }
        if (to && to.ambient === false) {
            problems.push(`${path}.calls[${i}].to: ${JSON.stringify(c.to)} is outside the ambient mesh, so no identity policy (and no waypoint) can protect it; allowed: a service with ambient: true`);
        }
        if (to && isL7(c) && (SYSTEM_NAMESPACES as readonly string[]).includes(to.namespace)) {
            problems.push(
                `${path}.calls[${i}]: L7 rule (methods/paths) to ${JSON.stringify(c.to)} needs a waypoint, but none can be made in system namespace ${JSON.stringify(to.namespace)}; allowed: drop methods/paths (L4) or call a service in an application namespace`,
            );
        }
    });
    return problems;
}

/**
 * Pure mapping from the graph to the policies and waypoints (throws CallGraphError on a bad graph).
 * `ownedNamespaces`: see callGraphProblems (default: the cluster's and the mesh's own namespaces).
 */
export function planCallGraph(services: MeshService[], calls: MeshCall[], ownedNamespaces: Readonly<Record<string, string>> = MESH_OWNED_NAMESPACES): CallGraphPlan {
    const problems = callGraphProblems(services, calls, "callGraph", "services", ownedNamespaces);
    if (problems.length) throw new CallGraphError(problems);
    const byName = new Map(services.map((s) => [s.name, s]));
    const identity = (s: MeshService) => ({ namespace: s.namespace, serviceAccount: s.serviceAccount ?? s.name });
    const waypointNamespaces = [...new Set(calls.filter(isL7).map((c) => byName.get(c.to)!.namespace))].sort();
    const policies: PlannedPolicy[] = [];
    for (const c of calls) {
        const from = byName.get(c.from)!;
        const to = byName.get(c.to)!;
        const name = `allow-${c.from}-to-${c.to}`;
        const viaWaypoint = waypointNamespaces.includes(to.namespace);
        const args: AllowWorkloadsArgs = viaWaypoint
            ? {
                  namespace: to.namespace,
                  from: [identity(from)],
                  ports: c.ports,
                  methods: c.methods,
                  paths: c.paths,
                  waypoint: WAYPOINT_NAME,
                  // Bind to B's Service only, so the rule does not open B's neighbours behind the same waypoint.
                  service: to.name,
              }
            : { namespace: to.namespace, selector: to.selector ?? { app: to.name }, from: [identity(from)], ports: c.ports };
        for (const k of ["ports", "methods", "paths"] as const) if (!args[k]?.length) delete args[k];
        validateAllowWorkloads(name, args);
        policies.push({ name, args });
    }
    for (const ns of waypointNamespaces) {
        // Behind a waypoint, traffic reaches the pods from the waypoint's identity: ztunnel admits only it.
        policies.push({
            name: `allow-${WAYPOINT_NAME}`,
            args: { namespace: ns, from: [{ namespace: ns, serviceAccount: WAYPOINT_NAME }] },
        });
    }
    const namespaces = [...new Set(services.filter((s) => s.ambient !== false).map((s) => s.namespace))].sort();
    return { policies, waypointNamespaces, namespaces };
}

/** A call graph: who may call whom. AmbientMesh takes it as `callGraph`; MeshCallGraphArgs adds the network facts. */
export interface MeshCallGraphSpec {
    services: MeshService[];
    calls: MeshCall[];
    /**
     * Create the services' namespaces as PlatformNamespaces (ambient, restricted, default deny), bound to
     * their waypoint where one is needed. Default true; false when the namespaces are created elsewhere
     * (they must then set `waypoint: "waypoint"` for every namespace in `waypointNamespaces`).
     */
    createNamespaces?: boolean;
    /**
     * Namespaces other components create (namespace → owner), added to MESH_OWNED_NAMESPACES: a workload
     * there is refused while the graph creates namespaces, instead of two components creating one namespace.
     */
    ownedNamespaces?: Record<string, string>;
}

/**
 * Arguments of MeshCallGraph. What must exist first (Istio CRDs, istiod, Gateway API CRDs) is
 * `opts.dependsOn` (a resource or a list): the component passes it on to every resource it creates.
 */
export interface MeshCallGraphArgs extends MeshCallGraphSpec {
    /** The cluster's network facts for the namespaces' DNS allowance (KubernetesCluster.networkFacts). */
    network?: ClusterNetworkFacts;
}

/** The namespaces a call graph with these arguments must stay out of (none when it creates no namespace). */
export function callGraphOwnedNamespaces(args: { createNamespaces?: boolean; ownedNamespaces?: Record<string, string> }): Record<string, string> {
    return (args.createNamespaces ?? true) ? { ...args.ownedNamespaces, ...MESH_OWNED_NAMESPACES } : {};
}

export class MeshCallGraph extends pulumi.ComponentResource {
    /** Namespaces that got a waypoint (L7 rules), sorted. */
    public readonly waypointNamespaces: pulumi.Output<string[]>;
    /** The AuthorizationPolicies, as "namespace/name". */
    public readonly policyNames: pulumi.Output<string[]>;

    constructor(name: string, args: MeshCallGraphArgs, opts?: pulumi.ComponentResourceOptions) {
        // Checked before anything is registered.
        const problems = callGraphProblems(args.services ?? [], args.calls ?? [], `MeshCallGraph ${name}: args`, "services", callGraphOwnedNamespaces(args));
        if (args.network) problems.push(...networkFactsProblems(args.network, `MeshCallGraph ${name}: args.network`));
        if (problems.length) throw new CallGraphError(problems);
        const plan = planCallGraph(args.services, args.calls, callGraphOwnedNamespaces(args));
        super("platform:index:MeshCallGraph", name, {}, opts);
        const dependsOn = dependsOnList(opts?.dependsOn);
        const namespaceResources = new Map<string, pulumi.Resource>();
        if (args.createNamespaces ?? true) {
            for (const ns of plan.namespaces) {
                const waypoint = plan.waypointNamespaces.includes(ns) ? WAYPOINT_NAME : undefined;
                namespaceResources.set(
                    ns,
                    new PlatformNamespace(
                        `${name}-ns-${ns}`,
                        { name: ns, waypoint, network: args.network, extraPolicies: waypoint ? waypointNetworkPolicies() : undefined },
                        { parent: this },
                    ),
                );
            }
        }
        const after = (ns: string, extra: pulumi.Resource[] = []): pulumi.Input<pulumi.Resource>[] => [...dependsOn, ...(namespaceResources.has(ns) ? [namespaceResources.get(ns)!] : []), ...extra];
        const waypoints = new Map<string, pulumi.Resource>();
        for (const ns of plan.waypointNamespaces) {
            waypoints.set(
                ns,
                new k8s.apiextensions.CustomResource(
                    `${name}-${ns}-${WAYPOINT_NAME}`,
                    {
                        apiVersion: "gateway.networking.k8s.io/v1",
                        kind: "Gateway",
                        metadata: {
                            name: WAYPOINT_NAME,
                            namespace: ns,
                            // Service-addressed traffic (the call graph binds policies to Services).
                            labels: { "istio.io/waypoint-for": "service", "app.kubernetes.io/managed-by": "pulumi" },
                        },
                        spec: {
                            gatewayClassName: "istio-waypoint",
                            listeners: [{ name: "mesh", port: 15008, protocol: "HBONE" }],
                        },
                    },
                    { parent: this, dependsOn: after(ns) },
                ),
            );
        }
        for (const p of plan.policies) {
            const ns = p.args.namespace as string;
            allowWorkloads(`${name}-${ns}-${p.name}`, { ...p.args, policyName: p.name }, {
                parent: this,
                dependsOn: after(ns, waypoints.has(ns) ? [waypoints.get(ns)!] : []),
            });
        }
        this.waypointNamespaces = pulumi.output(plan.waypointNamespaces);
        this.policyNames = pulumi.output(plan.policies.map((p) => `${p.args.namespace}/${p.name}`));
        this.registerOutputs({ waypointNamespaces: this.waypointNamespaces, policyNames: this.policyNames });
    }
}
