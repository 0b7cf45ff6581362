/**
 * `platform:services`: the workloads the platform runs serverless (scale to zero by default). One entry per
 * service; each runs on every enabled target unless `targets` narrows it. The entry schema is exported
 * on its own (`serviceEntrySchema`) so later issues can `.extend()` it (calls, publishes, subscribes).
 * Cross-field checks (duplicates, min/max, sizes per target, wasm placement, public exception) live in
 * `servicesProblems`, called from parsePlatformConfig.
 */
import { z } from "zod";
import {
    imageReferenceProblem,
    platformFor,
    shapeProblems,
    type ServerlessPlatform,
    type ServiceTarget,
} from "../../components/serverless/rules";
import { DNS_LABEL } from "../../components/contracts/names";
import { ENV_NAME, SECRET_NAME_RULES } from "../../components/contracts/secrets";

/** Short enough for every derived name: GCP service account ids (`run-<name>`, at most 30 characters). */
const SERVICE_NAME = /^[a-z]([-a-z0-9]{0,22}[a-z0-9])?$/;
const SERVICE_ACCOUNT = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;

export const serviceEntrySchema = z.strictObject({
    name: z.string().regex(SERVICE_NAME, {
        error: "must be 1-24 lowercase letters, digits or '-', starting with a letter and ending alphanumeric (it names the service on every cloud)",
    }),
    /** "container": an OCI image; "wasm": a Spin application (OCI artifact) run by SpinKube. */
    runtime: z.enum(["container", "wasm"]).default("container"),
    image: z.string().min(1, { error: "must name an image, such as ghcr.io/acme/api:1.2.3" }),
    /**
     * The image to run on one target instead of `image`, where that target's runtime pulls from its own
     * registry: AWS Lambda pulls only from Amazon ECR in the stack's AWS region (lambdaImageProblems).
     */
    images: z
        .strictObject({
            aws: z.string().min(1).optional(),
            azure: z.string().min(1).optional(),
            gcp: z.string().min(1).optional(),
            kubernetes: z.string().min(1).optional(),
        })
        .optional(),
    /** Port the app listens on (containers); wasm apps are served by Spin on its own port. */
    port: z.int().min(1).max(65535).default(8080),
    minScale: z.int().min(0, { error: "must be 0 or more" }).default(0),
    maxScale: z.int().min(1, { error: "must be at least 1" }).default(10),
    /** Requests one instance serves at once (Cloud Run, Container Apps, Knative; Lambda always serves one). */
    concurrency: z.int().min(1).max(1000).default(80),
    /** vCPU per instance. The default (1 vCPU, 2048 MiB) is valid on every runtime. */
    cpu: z.number().positive({ error: "must be a positive number of vCPUs" }).default(1),
    /** MiB per instance. */
    memory: z.int().positive({ error: "must be a positive number of MiB" }).default(2048),
    env: z.record(z.string().regex(ENV_NAME, { error: "environment variable names must be letters, digits or _, not starting with a digit" }), z.string()).default({}),
    /**
     * Secrets the service reads, by reference: environment variable → the secret's name in the store of the
     * target it runs on (AWS Secrets Manager, Azure Key Vault, Google Secret Manager; on the kubernetes
     * target a Secret in platform:secrets' source namespace). The value never passes through config, plan or
     * state; only this service's identity may read these secrets (docs/secrets.md).
     */
    secrets: z
        .record(
            z.string().regex(ENV_NAME, { error: "environment variable names must be letters, digits or _, not starting with a digit" }),
            z.string().min(1, { error: "must name a secret in the target's secret store" }),
        )
        .default({}),
    /** Reachable from outside the platform network. Needs `edgeException`. */
    public: z.boolean().default(false),
    /** Why this service may be public (ticket, owner): the explicit edge exception `public` requires. */
    edgeException: z.string().min(1).optional(),
    /** Targets to run on (default: every enabled target). */
    targets: z.array(z.enum(["aws", "azure", "gcp", "kubernetes"])).min(1).optional(),
    /** Containers on aws/azure/gcp: "managed" (Cloud Run, Container Apps, Lambda/ECS) or "cluster" (Knative). Wasm is always "cluster". */
    hosting: z.enum(["managed", "cluster"]).optional(),
    /** Who may call the service. Nobody else can: there is no anonymous access anywhere. */
    invokers: z
        .strictObject({
            /** IAM members given roles/run.invoker, e.g. "serviceAccount:api@p.iam.gserviceaccount.com". */
            gcp: z.array(z.string().min(1)).default([]),
            /** IAM principal ARNs (roles, accounts) given lambda:InvokeFunctionUrl. */
            aws: z.array(z.string().min(1)).default([]),
            /** Mesh identities (namespace + service account) allowed through the mesh to cluster services. */
            kubernetes: z
                .array(
                    z.strictObject({
                        namespace: z.string().regex(DNS_LABEL, { error: "must be a namespace name (DNS-1123 label)" }),
                        serviceAccount: z.string().regex(SERVICE_ACCOUNT, { error: "must be a service account name" }),
                    }),
                )
                .default([]),
        })
        .prefault({}),
    // The service graph (stacks/config/service-graph.ts, docs/golden-path.md): declared once here, it
    // derives the callees' mesh invokers and the Kafka clients and topic producers/consumers.
    /** Services this one calls; each callee admits exactly its declared callers, by workload identity. */
    calls: z.array(z.string().min(1, { error: "must be a service name" })).default([]),
    /** Topics (declared in platform:kafka.topics) this service writes to. */
    publishes: z.array(z.string().min(1, { error: "must be a topic name" })).default([]),
    /** Topics (declared in platform:kafka.topics) this service reads. */
    subscribes: z.array(z.string().min(1, { error: "must be a topic name" })).default([]),
});

export const servicesSchema = z.array(serviceEntrySchema).default([]);
export type ServiceEntry = z.output<typeof serviceEntrySchema>;

/** One service placed on one target. */
export interface ServicePlacement {
    target: ServiceTarget;
    platform: ServerlessPlatform;
}

/** Where a service runs: its targets (or every enabled one), each with the platform that runs it there. */
export function placementsOf(service: ServiceEntry, enabledTargets: readonly ServiceTarget[]): ServicePlacement[] {
    const targets = service.targets ?? enabledTargets;
    const hosting = service.hosting ?? (service.runtime === "wasm" ? "cluster" : "managed");
    return targets.map((target) => ({ target, platform: platformFor(target, service.runtime, hosting, service.minScale) }));
}

/** The image a service runs on one target: its per-target override, else `image`. */
export function imageFor(service: Pick<ServiceEntry, "image" | "images">, target: ServiceTarget): string {
    return service.images?.[target] ?? service.image;
}

/**
 * An Amazon ECR private image: <account>.dkr.ecr.<region>.amazonaws.com[.cn]/<repository>[:tag|@digest].
 * The FIPS endpoints (dkr.ecr-fips.…) do not match: Lambda does not support them for images.
 */
const ECR_IMAGE = /^\d{12}\.dkr\.ecr\.([a-z]{2}(?:-[a-z]+)+-\d)\.amazonaws\.com(?:\.cn)?\/[a-z0-9][a-z0-9._/-]*(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}|@sha256:[a-f0-9]{64})?$/;

/**
 * Services placed on AWS Lambda must name an image in Amazon ECR in the function's region: "The Amazon ECR
 * repository must be in the same AWS Region as the Lambda function" (another account is allowed), and Lambda
 * takes no other registry (Lambda developer guide, "Create a Lambda function using a container image"). An
 * ECR pull-through cache rule is no way around it: Lambda does not trigger the cache's first pull (ECR user
 * guide, pull through cache considerations), so the image must already be in ECR. `awsRegion` is the
 * resolved region (undefined when it could not be resolved: then only the registry is checked).
 */
export function lambdaImageProblems(services: ServiceEntry[], enabledTargets: readonly ServiceTarget[], awsRegion: string | undefined): string[] {
    const problems: string[] = [];
    services.forEach((s, i) => {
        if (!placementsOf(s, enabledTargets).some((p) => p.target === "aws" && p.platform === "lambda")) return;
        const image = imageFor(s, "aws");
        const key = s.images?.aws ? `platform:services[${i}].images.aws` : `platform:services[${i}].image`;
        const region = /^\d{12}\.dkr\.ecr\./.test(image) ? ECR_IMAGE.exec(image)?.[1] : undefined;
        if (region && (!awsRegion || region === awsRegion)) return;
        const where = awsRegion ?? "<the stack's AWS region>";
        const why = region ? `is in ${region}, not in the stack's AWS region ${where}` : "is not in Amazon ECR";
        problems.push(
            `${key}: ${JSON.stringify(image)} of service "${s.name}" ${why}: AWS Lambda (minScale 0 on aws) pulls container images only from Amazon ECR in the function's region ` +
                `(an ECR pull-through cache does not serve Lambda's first pull); allowed: <account>.dkr.ecr.${where}.amazonaws.com/<repository>:<tag> ` +
                `(set platform:services[${i}].images.aws to the ECR copy and keep image for the other targets), or minScale >= 1 (ECS Express Mode) or hosting "cluster" (Knative), which pull from any registry`,
        );
    });
    return problems;
}

/** Problems of one service's `secrets`: names every target it runs on accepts, no clash with `env`. */
function secretsProblems(s: ServiceEntry, key: string, enabledTargets: readonly ServiceTarget[]): string[] {
    const problems: string[] = [];
    const targets = [...new Set((s.targets ?? enabledTargets).filter((t) => enabledTargets.includes(t)))];
    for (const [envName, secretName] of Object.entries(s.secrets)) {
        if (envName in s.env) {
            problems.push(`${key}.secrets.${envName}: is also set in ${key}.env; allowed: a variable in env or in secrets, not both`);
        }
        for (const t of targets) {
            const rule = SECRET_NAME_RULES[t];
            if (!rule.pattern.test(secretName)) {
                problems.push(`${key}.secrets.${envName}: ${JSON.stringify(secretName)} is not a valid secret name on target "${t}", where the service runs; allowed: ${rule.allowed}`);
            }
        }
    }
    return problems;
}

const FORBIDDEN_GCP_MEMBERS = ["allUsers", "allAuthenticatedUsers"];

/** Cross-field problems of `platform:services`, in ConfigError form. */
export function servicesProblems(services: ServiceEntry[], enabledTargets: readonly ServiceTarget[]): string[] {
    const problems: string[] = [];
    const seen = new Map<string, number>();
    services.forEach((s, i) => {
        const key = `platform:services[${i}]`;
        const first = seen.get(s.name);
        if (first !== undefined) {
            problems.push(`${key}.name: "${s.name}" is already used by platform:services[${first}]; allowed: a name used once`);
        } else seen.set(s.name, i);
        const imageProblem = imageReferenceProblem(s.image);
        if (imageProblem) problems.push(`${key}.image: ${JSON.stringify(s.image)} ${imageProblem}`);
        if (s.public && !s.edgeException) {
            problems.push(
                `${key}.public: true has no edgeException; allowed: public false (the default), or set ${key}.edgeException to the reason (ticket, owner) this service is a public edge`,
            );
        }
        for (const t of s.targets ?? []) {
            if (!enabledTargets.includes(t)) {
                problems.push(`${key}.targets: "${t}" is not an enabled target; allowed: ${enabledTargets.map((e) => `"${e}"`).join(", ")} (platform:clouds)`);
            }
        }
        if (s.runtime === "wasm" && s.hosting === "managed") {
            problems.push(
                `${key}.hosting: "managed" cannot run a wasm service: Cloud Run, Container Apps and Lambda run Linux OCI containers only; allowed: "cluster" (SpinKube), or leave hosting unset`,
            );
        }
        problems.push(...secretsProblems(s, key, enabledTargets));
        s.invokers.gcp.forEach((m, j) => {
            if (FORBIDDEN_GCP_MEMBERS.includes(m)) {
                problems.push(`${key}.invokers.gcp[${j}]: "${m}" would make the service anonymous; allowed: named identities such as serviceAccount:<email> or group:<email>`);
            }
        });
        s.invokers.aws.forEach((a, j) => {
            if (a === "*") problems.push(`${key}.invokers.aws[${j}]: "*" would let any AWS principal invoke; allowed: role or account ARNs`);
        });
        const checked = new Set<string>();
        for (const { platform } of placementsOf({ ...s, hosting: s.runtime === "wasm" ? "cluster" : s.hosting }, enabledTargets)) {
            if (checked.has(platform)) continue;
            checked.add(platform);
            for (const p of shapeProblems(platform, s)) {
                if (p.field === "runtime") continue; // reported above through hosting/targets
                // Messages name the runtime they come from; scale rules that hold everywhere appear once.
                const msg = `${key}.${p.field}: ${p.message}`;
                if (!problems.includes(msg)) problems.push(msg);
            }
        }
    });
    return problems;
}
