/**
 * NetworkPolicy helpers for the tests: the networking.k8s.io/v1 validation the API server applies on
 * create (kubernetes/kubernetes pkg/apis/networking/validation/validation.go, ValidateNetworkPolicySpec:
 * policyTypes Ingress/Egress only, protocols TCP/UDP/SCTP, numeric ports 1-65535 and endPort ≥ port, a
 * peer is either an ipBlock or pod/namespace selectors, ipBlock.cidr a valid CIDR and every `except`
 * strictly inside it), and small queries over a plan's policies.
 */
import { cidrContains, parseCidr } from "../components/contracts/cidr";

export const NETWORK_POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy";
export const CCNP = "kubernetes:cilium.io/v2:CiliumClusterwideNetworkPolicy";

const CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;
function validCidr(text: unknown): boolean {
    const m = CIDR.exec(String(text));
    return !!m && m.slice(1, 5).every((o) => Number(o) <= 255) && Number(m[5]) <= 32;
}

function selectorProblems(sel: any, at: string): string[] {
    if (sel === undefined) return [];
    if (typeof sel !== "object" || sel === null) return [`${at}: must be a label selector`];
    const out: string[] = [];
    for (const [i, e] of (sel.matchExpressions ?? []).entries()) {
        if (!["In", "NotIn", "Exists", "DoesNotExist"].includes(e.operator)) out.push(`${at}.matchExpressions[${i}].operator: ${e.operator}`);
        if ((e.operator === "In" || e.operator === "NotIn") && !(e.values?.length > 0)) out.push(`${at}.matchExpressions[${i}].values: must be non-empty for ${e.operator}`);
    }
    return out;
}

function portProblems(ports: any[] | undefined, at: string): string[] {
    const out: string[] = [];
    for (const [i, p] of (ports ?? []).entries()) {
        if (p.protocol !== undefined && !["TCP", "UDP", "SCTP"].includes(p.protocol)) out.push(`${at}[${i}].protocol: ${p.protocol}`);
        if (typeof p.port === "number" && !(Number.isInteger(p.port) && p.port >= 1 && p.port <= 65535)) out.push(`${at}[${i}].port: ${p.port}`);
        if (p.endPort !== undefined && !(typeof p.port === "number" && p.endPort >= p.port)) out.push(`${at}[${i}].endPort: needs a numeric port <= endPort`);
    }
    return out;
}

function peerProblems(peers: any[] | undefined, at: string): string[] {
    const out: string[] = [];
    for (const [i, peer] of (peers ?? []).entries()) {
        const where = `${at}[${i}]`;
        const hasSel = peer.podSelector !== undefined || peer.namespaceSelector !== undefined;
        if (peer.ipBlock && hasSel) out.push(`${where}: ipBlock cannot be combined with selectors`);
        if (!peer.ipBlock && !hasSel) out.push(`${where}: must specify a peer`);
        out.push(...selectorProblems(peer.podSelector, `${where}.podSelector`), ...selectorProblems(peer.namespaceSelector, `${where}.namespaceSelector`));
        if (peer.ipBlock) {
            const { cidr, except } = peer.ipBlock;
            if (!validCidr(cidr)) out.push(`${where}.ipBlock.cidr: ${cidr} is not a CIDR`);
            for (const x of except ?? []) {
                if (!validCidr(x)) out.push(`${where}.ipBlock.except: ${x} is not a CIDR`);
                else if (!(cidrContains(cidr, x) && parseCidr(x).prefix > parseCidr(cidr).prefix)) out.push(`${where}.ipBlock.except: ${x} must be strictly within ${cidr}`);
            }
        }
    }
    return out;
}

/** The problems the API server would report for this NetworkPolicy spec (empty when valid). */
export function networkPolicySpecProblems(spec: any): string[] {
    const out: string[] = [];
    if (!spec || typeof spec.podSelector !== "object") out.push("spec.podSelector: required");
    out.push(...selectorProblems(spec?.podSelector, "spec.podSelector"));
    for (const t of spec?.policyTypes ?? []) if (t !== "Ingress" && t !== "Egress") out.push(`spec.policyTypes: ${t}`);
    for (const [i, r] of (spec?.ingress ?? []).entries()) out.push(...portProblems(r.ports, `spec.ingress[${i}].ports`), ...peerProblems(r.from, `spec.ingress[${i}].from`));
    for (const [i, r] of (spec?.egress ?? []).entries()) out.push(...portProblems(r.ports, `spec.egress[${i}].ports`), ...peerProblems(r.to, `spec.egress[${i}].to`));
    return out;
}

/** Whether an egress rule admits TCP `port` (a rule without ports admits every port). */
export function admitsTcpPort(rule: any, port: number): boolean {
    if (!rule.ports?.length) return true;
    return rule.ports.some((p: any) => (p.protocol ?? "TCP") === "TCP" && (p.port === undefined || p.port === port || (p.endPort !== undefined && port >= p.port && port <= p.endPort)));
}

/** Whether an egress rule reaches any address: no `to`, or an ipBlock of a /0. */
export function reachesAnyAddress(rule: any): boolean {
    if (!rule.to?.length) return true;
    return rule.to.some((peer: any) => peer.ipBlock && parseCidr(peer.ipBlock.cidr).prefix === 0);
}

/** The cluster target a Kubernetes resource of a stack plan belongs to, from its provider's name. */
export function targetOf(provider: string | undefined): "aws" | "azure" | "gcp" | "kubernetes" | undefined {
    const m = /::plt-[a-z0-9-]+?-(aws|az|gcp|k8s)-k8s$/.exec(provider ?? "");
    return m ? ({ aws: "aws", az: "azure", gcp: "gcp", k8s: "kubernetes" } as const)[m[1] as "aws" | "az" | "gcp" | "k8s"] : undefined;
}
