/**
 * The CPU architecture of every node pool in a plan, read independently from each cloud's naming (the
 * components are not consulted, so a component that derives the wrong image is caught):
 *
 * - EC2 instance types: `<family><generation><attributes>.<size>`; a "g" attribute right after the
 *   generation means AWS Graviton (m7g, c7gn, r6gd, t4g, g5g), the a1 family is the first Graviton, and
 *   mac2-m1/mac2-m2 are Apple silicon; everything else is x86_64 (AWS "Amazon EC2 instance type naming
 *   conventions", docs.aws.amazon.com/ec2/latest/instancetypes/instance-type-names.html).
 * - EKS `amiType`: the API's values name the architecture, `*_ARM_64*` or `*_X86_64*`; `CUSTOM` (a
 *   launch template's AMI) cannot be read from the plan (EKS API Nodegroup.amiType,
 *   docs.aws.amazon.com/eks/latest/APIReference/API_Nodegroup.html).
 * - Azure `vmSize`: `<Family><vCPUs>[-constrained]<additive features>[_accelerator]_v<N>`; the additive
 *   feature "p" is an Arm CPU (Dpsv5, Epsv6, …), otherwise x86_64 (MicrosoftDocs/azure-compute-docs
 *   articles/virtual-machines/vm-naming-conventions.md). AKS picks the node image's architecture from the
 *   VM size, so osSKU does not decide it.
 * - GCE `machineType`: `<series>-<shape>-<vCPUs>`; the Arm series are Tau T2A (Ampere Altra), C4A and
 *   N4A (Google Axion) and A4X (NVIDIA Grace); the other series are x86_64 (cloud.google.com/compute/docs/
 *   machine-resource, the "Arm" column). GKE's Windows Server images run only on x86 machines; COS and
 *   Ubuntu images exist for both.
 * - A `kubernetes.io/arch` node label or taint on the pool, when present, must name the same architecture.
 */

export type Arch = "arm64" | "amd64";

export function ec2Arch(instanceType: string): Arch | undefined {
    const m = /^([a-z]+)(\d+)([a-z-]*?)(-[a-z0-9]+)?\.[a-z0-9-]+$/.exec(instanceType);
    if (!m) return undefined;
    const [, family, generation, attributes, suffix = ""] = m;
    if (family === "a" && generation === "1") return "arm64";
    if (family === "mac") return /^-m\d/.test(suffix) ? "arm64" : "amd64";
    return attributes.startsWith("g") ? "arm64" : "amd64";
}

export function eksAmiArch(amiType: string): Arch | undefined {
    if (/_ARM_64(_|$)/i.test(amiType)) return "arm64";
    if (/_X86_64(_|$)/i.test(amiType)) return "amd64";
    return undefined; // CUSTOM: the launch template's AMI decides
}

export function azureVmArch(vmSize: string): Arch | undefined {
    const m = /^(?:Standard|Basic)_([A-Z]+)(\d+)(?:-\d+)?([a-zA-Z]*)(?:_[A-Za-z0-9]+)*$/.exec(vmSize);
    if (!m) return undefined;
    return m[3].includes("p") ? "arm64" : "amd64";
}

const GCE_ARM_SERIES = new Set(["t2a", "c4a", "n4a", "a4x"]);

export function gceMachineArch(machineType: string): Arch | undefined {
    const m = /^([a-z]+\d+[a-z]*)-[a-z0-9-]+$/.exec(machineType);
    if (!m) return undefined;
    return GCE_ARM_SERIES.has(m[1]) ? "arm64" : "amd64";
}

/** The architectures a GKE node image runs on. */
export function gkeImageArchs(imageType: string): Arch[] {
    return /^WINDOWS/i.test(imageType) ? ["amd64"] : ["amd64", "arm64"];
}

export interface ArchEvidence {
    source: string;
    value: string;
    /** The architectures this source allows (one for a machine type, possibly two for an image). */
    archs: Arch[] | undefined;
}

export interface NodePool {
    resource: string;
    type: string;
    evidence: ArchEvidence[];
}

const ARCH_LABEL = "kubernetes.io/arch";
const LABEL_ARCH: Record<string, Arch> = { arm64: "arm64", amd64: "amd64" };

function labelEvidence(source: string, labels: unknown): ArchEvidence[] {
    const v = labels && typeof labels === "object" ? (labels as Record<string, unknown>)[ARCH_LABEL] : undefined;
    if (typeof v !== "string") return [];
    return [{ source, value: v, archs: LABEL_ARCH[v] ? [LABEL_ARCH[v]] : undefined }];
}

function taintEvidence(source: string, taints: unknown): ArchEvidence[] {
    if (!Array.isArray(taints)) return [];
    const out: ArchEvidence[] = [];
    for (const t of taints) {
        // AKS writes taints as "key=value:Effect"; EKS and GKE as { key, value, effect }.
        const [key, value] = typeof t === "string" ? (/^([^=]+)=([^:]*)/.exec(t)?.slice(1) ?? []) : [t?.key, t?.value];
        if (key === ARCH_LABEL && typeof value === "string") out.push({ source, value, archs: LABEL_ARCH[value] ? [LABEL_ARCH[value]] : undefined });
    }
    return out;
}

function one(source: string, value: unknown, classify: (v: string) => Arch | undefined): ArchEvidence[] {
    if (typeof value !== "string") return [];
    const arch = classify(value);
    return [{ source, value, archs: arch ? [arch] : undefined }];
}

/** Every node pool / node group the plan creates, with what each of its settings says about its CPU architecture. */
export function nodePoolsOf(resources: { type: string; name: string; inputs: Record<string, any> }[]): NodePool[] {
    const pools: NodePool[] = [];
    for (const r of resources) {
        const i = r.inputs;
        if (r.type === "aws:eks/nodeGroup:NodeGroup") {
            pools.push({
                resource: r.name,
                type: r.type,
                evidence: [
                    ...((i.instanceTypes as unknown[]) ?? []).flatMap((t, n) => one(`instanceTypes[${n}]`, t, ec2Arch)),
                    ...one("amiType", i.amiType, eksAmiArch),
                    ...labelEvidence("labels", i.labels),
                    ...taintEvidence("taints", i.taints),
                ],
            });
        } else if (r.type === "azure-native:containerservice:AgentPool") {
            pools.push({
                resource: r.name,
                type: r.type,
                evidence: [...one("vmSize", i.vmSize, azureVmArch), ...labelEvidence("nodeLabels", i.nodeLabels), ...taintEvidence("nodeTaints", i.nodeTaints)],
            });
        } else if (r.type === "azure-native:containerservice:ManagedCluster") {
            for (const p of (i.agentPoolProfiles as any[]) ?? []) {
                pools.push({
                    resource: `${r.name}/${p.name}`,
                    type: `${r.type}.agentPoolProfiles`,
                    evidence: [...one("vmSize", p.vmSize, azureVmArch), ...labelEvidence("nodeLabels", p.nodeLabels), ...taintEvidence("nodeTaints", p.nodeTaints)],
                });
            }
        } else if (r.type === "gcp:container/nodePool:NodePool" || (r.type === "gcp:container/cluster:Cluster" && !i.removeDefaultNodePool && i.nodeConfig)) {
            const c = i.nodeConfig ?? {};
            pools.push({
                resource: r.name,
                type: r.type,
                evidence: [
                    ...one("nodeConfig.machineType", c.machineType, gceMachineArch),
                    ...(typeof c.imageType === "string" ? [{ source: "nodeConfig.imageType", value: c.imageType, archs: gkeImageArchs(c.imageType) }] : []),
                    ...labelEvidence("nodeConfig.labels", c.labels),
                    ...taintEvidence("nodeConfig.taints", c.taints),
                ],
            });
        }
    }
    return pools;
}

/** What is wrong with a pool's architecture: unreadable settings, no machine type, or settings that disagree. */
export function archProblems(pool: NodePool): string[] {
    const problems: string[] = [];
    for (const e of pool.evidence) {
        if (!e.archs) problems.push(`${pool.resource}: cannot tell the CPU architecture of ${e.source} "${e.value}"`);
    }
    const machine = pool.evidence.filter((e) => /instanceTypes|vmSize|machineType/.test(e.source));
    if (machine.length === 0) problems.push(`${pool.resource}: no instance/VM/machine type, so no CPU architecture`);
    const known = pool.evidence.filter((e) => e.archs);
    const common = (["arm64", "amd64"] as Arch[]).filter((a) => known.every((e) => e.archs!.includes(a)));
    if (known.length > 0 && common.length === 0) {
        problems.push(`${pool.resource}: settings disagree on the CPU architecture: ${known.map((e) => `${e.source} "${e.value}" is ${e.archs!.join("/")}`).join(", ")}`);
    }
    return problems;
}

/** The single architecture of a pool whose settings agree (undefined when they do not). */
export function poolArch(pool: NodePool): Arch | undefined {
    const machine = pool.evidence.find((e) => /instanceTypes|vmSize|machineType/.test(e.source) && e.archs);
    return archProblems(pool).length === 0 ? machine?.archs?.[0] : undefined;
}

/** `kubernetes.io/arch` node selectors and required node-affinity terms anywhere in the plan's Kubernetes inputs (Helm values included). */
export function archSelectorsOf(resources: { type: string; name: string; inputs: Record<string, unknown> }[]): { resource: string; path: string; archs: string[] }[] {
    const out: { resource: string; path: string; archs: string[] }[] = [];
    const visit = (v: unknown, path: string, resource: string) => {
        if (Array.isArray(v)) return v.forEach((x, n) => visit(x, `${path}[${n}]`, resource));
        if (!v || typeof v !== "object") return;
        const o = v as Record<string, unknown>;
        const sel = o.nodeSelector as Record<string, unknown> | undefined;
        if (sel && typeof sel === "object" && typeof sel[ARCH_LABEL] === "string") out.push({ resource, path: `${path}.nodeSelector`, archs: [sel[ARCH_LABEL] as string] });
        if (o.key === ARCH_LABEL && o.operator === "In" && Array.isArray(o.values)) out.push({ resource, path, archs: o.values.map(String) });
        for (const [k, x] of Object.entries(o)) visit(x, path ? `${path}.${k}` : k, resource);
    };
    for (const r of resources) if (r.type.startsWith("kubernetes:")) visit(r.inputs, "", r.name);
    return out;
}
