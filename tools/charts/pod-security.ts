/**
 * The Pod Security Standards' baseline and restricted controls, applied to a pod spec the way Pod Security
 * Admission applies them (every container, init container and the pod itself; a container value overrides
 * the pod's). Source: https://kubernetes.io/docs/concepts/security/pod-security-standards/ (policy
 * version "latest", as the platform's namespaces enforce it). Returns one message per failed control.
 */
export type PodSecurityLevel = "privileged" | "baseline" | "restricted";

export interface PodSpecLike {
    securityContext?: Record<string, any>;
    hostNetwork?: boolean;
    hostPID?: boolean;
    hostIPC?: boolean;
    volumes?: Record<string, any>[];
    containers?: Record<string, any>[];
    initContainers?: Record<string, any>[];
}

/** Capabilities baseline lets a container add. */
const BASELINE_CAPABILITIES = new Set([
    "AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD", "NET_BIND_SERVICE", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT",
]);
/** The "safe" sysctls baseline allows (latest policy version). */
const SAFE_SYSCTLS = new Set([
    "kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range", "net.ipv4.ip_unprivileged_port_start", "net.ipv4.tcp_syncookies",
    "net.ipv4.ping_group_range", "net.ipv4.ip_local_reserved_ports", "net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_fin_timeout",
    "net.ipv4.tcp_keepalive_intvl", "net.ipv4.tcp_keepalive_probes",
]);
const SELINUX_TYPES = new Set(["", "container_t", "container_init_t", "container_kvm_t", "container_engine_t"]);
/** Volume sources restricted allows. */
const RESTRICTED_VOLUMES = new Set(["configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim", "projected", "secret"]);
const VOLUME_META = new Set(["name"]);

const stripStd = (c: string) => c.replace(/^CAP_/, "").toUpperCase();

export function podSecurityViolations(spec: PodSpecLike, level: PodSecurityLevel, annotations: Record<string, string> = {}): string[] {
    if (level === "privileged") return [];
    const out: string[] = [];
    const pod = spec.securityContext ?? {};
    const containers: Record<string, any>[] = [...(spec.initContainers ?? []).map((c) => ({ ...c, init: true })), ...(spec.containers ?? [])];
    const where = (c: { name?: string; init?: boolean }) => `${c.init ? "initContainer" : "container"} ${JSON.stringify(c.name)}`;

    // ---- baseline ----
    if (pod.windowsOptions?.hostProcess) out.push("pod securityContext.windowsOptions.hostProcess is true (HostProcess)");
    for (const f of ["hostNetwork", "hostPID", "hostIPC"] as const) if (spec[f]) out.push(`pod ${f} is true (host namespaces)`);
    for (const v of spec.volumes ?? []) if (v.hostPath) out.push(`volume ${JSON.stringify(v.name)} is a hostPath (${v.hostPath.path})`);
    for (const s of pod.sysctls ?? []) if (!SAFE_SYSCTLS.has(s.name)) out.push(`pod sysctl ${s.name} is not a safe sysctl`);
    const checkCommon = (sc: Record<string, any>, who: string) => {
        if (sc.seccompProfile?.type === "Unconfined") out.push(`${who} seccompProfile.type is Unconfined`);
        const se = sc.seLinuxOptions;
        if (se && (!SELINUX_TYPES.has(se.type ?? "") || se.user || se.role)) out.push(`${who} seLinuxOptions ${JSON.stringify(se)} is not allowed`);
        if (sc.appArmorProfile && !["RuntimeDefault", "Localhost"].includes(sc.appArmorProfile.type)) out.push(`${who} appArmorProfile.type is ${sc.appArmorProfile.type}`);
    };
    checkCommon(pod, "pod securityContext");
    for (const [k, v] of Object.entries(annotations)) {
        if (k.startsWith("container.apparmor.security.beta.kubernetes.io/") && !(v === "runtime/default" || v.startsWith("localhost/"))) out.push(`annotation ${k}=${v} (AppArmor)`);
    }
    for (const c of containers) {
        const sc = c.securityContext ?? {};
        const who = where(c);
        if (sc.privileged) out.push(`${who} is privileged`);
        if (sc.windowsOptions?.hostProcess) out.push(`${who} windowsOptions.hostProcess is true`);
        for (const cap of sc.capabilities?.add ?? []) if (!BASELINE_CAPABILITIES.has(stripStd(cap))) out.push(`${who} adds capability ${cap}`);
        if (sc.procMount && sc.procMount !== "Default") out.push(`${who} procMount is ${sc.procMount}`);
        for (const p of c.ports ?? []) if (p.hostPort) out.push(`${who} uses hostPort ${p.hostPort}`);
        checkCommon(sc, `${who} securityContext`);
    }
    if (level === "baseline") return out;

    // ---- restricted ----
    for (const v of spec.volumes ?? []) {
        const source = Object.keys(v).find((k) => !VOLUME_META.has(k));
        if (source && !RESTRICTED_VOLUMES.has(source) && source !== "hostPath") out.push(`volume ${JSON.stringify(v.name)} has type ${source}`);
    }
    const podSeccomp = pod.seccompProfile?.type;
    for (const c of containers) {
        const sc = c.securityContext ?? {};
        const who = where(c);
        if (sc.allowPrivilegeEscalation !== false) out.push(`${who} securityContext.allowPrivilegeEscalation is not false`);
        const nonRoot = sc.runAsNonRoot ?? pod.runAsNonRoot;
        if (nonRoot !== true) out.push(`${who}: runAsNonRoot is not true (pod or container securityContext)`);
        if ((sc.runAsUser ?? pod.runAsUser) === 0) out.push(`${who}: runAsUser is 0`);
        const seccomp = sc.seccompProfile?.type ?? podSeccomp;
        if (seccomp !== "RuntimeDefault" && seccomp !== "Localhost") out.push(`${who}: seccompProfile.type is ${seccomp ?? "unset"} (needs RuntimeDefault or Localhost on the pod or the container)`);
        const drop = (sc.capabilities?.drop ?? []).map(stripStd);
        if (!drop.includes("ALL")) out.push(`${who} securityContext.capabilities.drop does not include ALL`);
        for (const cap of sc.capabilities?.add ?? []) if (stripStd(cap) !== "NET_BIND_SERVICE") out.push(`${who} adds capability ${cap} (restricted allows only NET_BIND_SERVICE)`);
    }
    if (pod.runAsUser === 0) out.push("pod securityContext.runAsUser is 0");
    return [...new Set(out)];
}
