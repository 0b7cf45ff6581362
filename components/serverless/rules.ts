/**
 * Where a service runs and what each runtime accepts. Pure functions shared by the stack config check
 * (stacks/config/services.ts, errors in ConfigError form) and by ServerlessService itself (it refuses bad
 * args before registering anything), so both always apply the same limits.
 */

/** The platforms a ServerlessService can be built on. */
export const SERVERLESS_PLATFORMS = ["cloudrun", "containerapps", "lambda", "ecs-express", "knative", "spin"] as const;
export type ServerlessPlatform = (typeof SERVERLESS_PLATFORMS)[number];

export type ServiceRuntime = "container" | "wasm";
/** managed: the cloud's own serverless product; cluster: Knative or SpinKube on the platform's cluster. */
export type ServiceHosting = "managed" | "cluster";
export type ServiceTarget = "aws" | "azure" | "gcp" | "kubernetes";

/** What a platform needs to know to judge a service's size and scale. */
export interface ServiceShape {
    runtime: ServiceRuntime;
    /** vCPU per instance. */
    cpu: number;
    /** MiB per instance. */
    memory: number;
    /** Requests one instance serves at once. */
    concurrency: number;
    minScale: number;
    maxScale: number;
}

/** Human names used in messages. */
export const PLATFORM_TITLES: Record<ServerlessPlatform, string> = {
    cloudrun: "Cloud Run",
    containerapps: "Azure Container Apps (Consumption profile)",
    lambda: "AWS Lambda",
    "ecs-express": "Amazon ECS Express Mode (Fargate)",
    knative: "Knative Serving",
    spin: "SpinKube",
};

/**
 * The platform that runs a service on one target. Containers go to the cloud's managed product unless
 * `hosting` is "cluster"; on AWS, `minScale >= 1` picks ECS Express Mode (an always-on service behind an
 * internal ALB) and `minScale 0` picks Lambda (the only AWS container runtime that scales to zero).
 * WebAssembly always runs on SpinKube on the target's cluster.
 */
export function platformFor(target: ServiceTarget, runtime: ServiceRuntime, hosting: ServiceHosting, minScale: number): ServerlessPlatform {
    if (runtime === "wasm") return "spin";
    if (target === "kubernetes" || hosting === "cluster") return "knative";
    if (target === "gcp") return "cloudrun";
    if (target === "azure") return "containerapps";
    return minScale >= 1 ? "ecs-express" : "lambda";
}

const fmt = (n: number) => String(Number(n.toFixed(3)));

/** Cloud Run: https://cloud.google.com/run/docs/configuring/services/cpu and …/memory-limits. */
function cloudRunProblems(s: ServiceShape): string[] {
    const p: string[] = [];
    const whole = [1, 2, 4, 6, 8];
    const fractional = s.cpu >= 0.08 && s.cpu < 1 && Math.abs(s.cpu * 100 - Math.round(s.cpu * 100)) < 1e-9;
    if (!whole.includes(s.cpu) && !fractional) {
        p.push(`cpu ${fmt(s.cpu)} is not allowed on Cloud Run; allowed: 1, 2, 4, 6 or 8, or 0.08-0.99 in steps of 0.01`);
        return p;
    }
    if (s.memory < 128 || s.memory > 32768) p.push(`memory ${s.memory} MiB is not allowed on Cloud Run; allowed: 128-32768 MiB`);
    // Minimum memory per CPU count, and minimum CPU per memory size.
    const minMemory: Record<number, number> = { 4: 2048, 6: 4096, 8: 4096 };
    if (minMemory[s.cpu] && s.memory < minMemory[s.cpu]) {
        p.push(`memory ${s.memory} MiB is too small for cpu ${fmt(s.cpu)} on Cloud Run; allowed: at least ${minMemory[s.cpu]} MiB`);
    }
    const minCpu = s.memory > 24576 ? 8 : s.memory > 16384 ? 6 : s.memory > 8192 ? 4 : s.memory > 4096 ? 2 : s.memory > 1024 ? 1 : s.memory > 512 ? 0.5 : 0.08;
    if (s.cpu < minCpu) p.push(`memory ${s.memory} MiB needs at least cpu ${minCpu} on Cloud Run; allowed: raise cpu or lower memory`);
    if (fractional && s.concurrency !== 1) {
        p.push(`concurrency ${s.concurrency} is not allowed with cpu ${fmt(s.cpu)} (below 1) on Cloud Run; allowed: concurrency 1, or cpu 1 or more`);
    }
    if (s.concurrency > 1000) p.push(`concurrency ${s.concurrency} is not allowed on Cloud Run; allowed: 1-1000`);
    return p;
}

/** Container Apps Consumption profile: cpu 0.25-4 in steps of 0.25, memory exactly 2 GiB per vCPU. */
function containerAppsProblems(s: ServiceShape): string[] {
    const quarter = Math.abs(s.cpu * 4 - Math.round(s.cpu * 4)) < 1e-9;
    if (!quarter || s.cpu < 0.25 || s.cpu > 4 || s.memory !== s.cpu * 2048) {
        return [
            `cpu ${fmt(s.cpu)} with memory ${s.memory} MiB is not a Container Apps Consumption combination; allowed: cpu 0.25-4 in steps of 0.25 with memory = 2048 MiB per vCPU (e.g. 0.5/1024, 1/2048, 2/4096)`,
        ];
    }
    if (s.maxScale > 1000) return [`maxScale ${s.maxScale} is not allowed on Container Apps; allowed: 1-1000`];
    return [];
}

/** Lambda gives one vCPU per 1769 MB and at most 6 vCPUs at 10240 MB; each instance serves one request. */
export const LAMBDA_MB_PER_VCPU = 1769;
function lambdaProblems(s: ServiceShape): string[] {
    const p: string[] = [];
    if (s.memory < 128 || s.memory > 10240) p.push(`memory ${s.memory} MiB is not allowed on AWS Lambda; allowed: 128-10240 MiB`);
    if (s.cpu > 6) p.push(`cpu ${fmt(s.cpu)} is not allowed on AWS Lambda; allowed: at most 6 (Lambda sizes CPU by memory: 1 vCPU per ${LAMBDA_MB_PER_VCPU} MB)`);
    return p;
}

/** Fargate task sizes ECS Express Mode accepts (cpu 0.25-4 vCPU, memory 512-8192 MiB). */
const FARGATE: Record<string, [number, number, number]> = {
    // cpu: [min MiB, max MiB, step MiB]
    "0.25": [512, 2048, 512],
    "0.5": [1024, 4096, 1024],
    "1": [2048, 8192, 1024],
    "2": [4096, 8192, 1024],
    "4": [8192, 8192, 1024],
};
function ecsExpressProblems(s: ServiceShape): string[] {
    const range = FARGATE[fmt(s.cpu)];
    if (!range) return [`cpu ${fmt(s.cpu)} is not allowed on ECS Express Mode; allowed: 0.25, 0.5, 1, 2 or 4`];
    const [lo, hi, step] = range;
    const ok = s.memory >= lo && s.memory <= hi && (s.memory === 512 || s.memory % step === 0);
    return ok ? [] : [`memory ${s.memory} MiB is not allowed with cpu ${fmt(s.cpu)} on ECS Express Mode; allowed: ${lo}-${hi} MiB in steps of ${step}`];
}

/** Kubernetes quantities are free-form; only sanity limits apply. */
function clusterProblems(s: ServiceShape): string[] {
    const p: string[] = [];
    if (s.cpu < 0.01 || s.cpu > 64) p.push(`cpu ${fmt(s.cpu)} is not allowed on a cluster; allowed: 0.01-64`);
    if (s.memory < 16 || s.memory > 262144) p.push(`memory ${s.memory} MiB is not allowed on a cluster; allowed: 16-262144 MiB`);
    return p;
}

/**
 * Everything wrong with running `s` on `platform`, one message per problem, each naming the field first
 * (`cpu …`, `memory …`, `minScale …`) so callers can prefix the setting's key.
 */
export function shapeProblems(platform: ServerlessPlatform, s: ServiceShape): { field: keyof ServiceShape; message: string }[] {
    const out: { field: keyof ServiceShape; message: string }[] = [];
    const push = (messages: string[]) =>
        messages.forEach((m) => out.push({ field: m.split(" ")[0] as keyof ServiceShape, message: m }));
    if (s.runtime === "wasm" && platform !== "spin") {
        out.push({
            field: "runtime",
            message: `"wasm" cannot run on ${PLATFORM_TITLES[platform]}: it runs Linux OCI containers only; allowed: run wasm services on a cluster (SpinKube)`,
        });
    }
    if (s.runtime === "container" && platform === "spin") {
        out.push({ field: "runtime", message: `"container" cannot run on SpinKube; allowed: "wasm"` });
    }
    if (!Number.isInteger(s.minScale) || s.minScale < 0) out.push({ field: "minScale", message: `minScale ${s.minScale} is not allowed; allowed: a whole number >= 0` });
    if (!Number.isInteger(s.maxScale) || s.maxScale < 1) out.push({ field: "maxScale", message: `maxScale ${s.maxScale} is not allowed; allowed: a whole number >= 1` });
    if (s.minScale > s.maxScale) out.push({ field: "minScale", message: `minScale ${s.minScale} is greater than maxScale ${s.maxScale}; allowed: minScale <= maxScale` });
    if (!Number.isInteger(s.concurrency) || s.concurrency < 1) out.push({ field: "concurrency", message: `concurrency ${s.concurrency} is not allowed; allowed: a whole number >= 1` });
    push(
        {
            cloudrun: cloudRunProblems,
            containerapps: containerAppsProblems,
            lambda: lambdaProblems,
            "ecs-express": ecsExpressProblems,
            knative: clusterProblems,
            spin: clusterProblems,
        }[platform](s),
    );
    return out;
}

/** Kubernetes quantity strings for a shape: "500m" / "1", "512Mi". */
export function cpuQuantity(cpu: number): string {
    return Number.isInteger(cpu) ? String(cpu) : `${Math.round(cpu * 1000)}m`;
}
export function memoryQuantity(mib: number): string {
    return `${mib}Mi`;
}

/**
 * An OCI image reference, by the grammar of distribution/reference (reference.go, regexp.go):
 * `[domain[:port]/]path[:tag][@digest]`, path components of lowercase alphanumerics joined by `.`, `_`,
 * `__` or dashes, a tag of at most 128 word characters, `.` and `-` (not starting with `.` or `-`), a
 * digest `algorithm:hex` (sha256 with 64 hex digits in practice).
 */
const DOMAIN_COMPONENT = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
const DOMAIN = `(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[0-9a-fA-F:]+\\])(?::[0-9]+)?`;
const PATH_COMPONENT = "[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*";
const IMAGE_REFERENCE = new RegExp(
    `^(?:(${DOMAIN})/)?(${PATH_COMPONENT}(?:/${PATH_COMPONENT})*)(?::([\\w][\\w.-]{0,127}))?(?:@([A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}))?$`,
);

/**
 * Why `image` cannot be deployed reproducibly, or undefined when it is a well-formed reference pinned by
 * a tag other than `latest` or by a digest. A moving or missing tag makes two `pulumi up`s of one
 * commit run different code.
 */
export function imageReferenceProblem(image: string): string | undefined {
    const m = IMAGE_REFERENCE.exec(image);
    // A first component with a '.', a ':' or "localhost" is a registry domain, as for docker pull.
    if (!m) return "is not an OCI image reference; allowed: [registry/]repository[:tag][@sha256:digest] in lowercase, such as ghcr.io/acme/api:1.2.3";
    const [, , , tag, digest] = m;
    if (!tag && !digest) return "has no pinned version; allowed: an image with a tag or digest, such as ghcr.io/acme/api:1.2.3";
    if (tag === "latest" && !digest) return 'is pinned to "latest", which moves; allowed: a version tag or a digest, such as ghcr.io/acme/api:1.2.3';
    return undefined;
}
