/**
 * ServerlessService: one HTTP workload that scales with requests (to zero by default), private by default,
 * with its own identity. One Args interface; one implementation per platform:
 * cloudrun.ts (GCP Cloud Run v2), containerapps.ts (Azure Container Apps), aws-lambda.ts (Lambda for
 * scale-to-zero, ECS Express Mode for minScale >= 1), knative.ts (Knative Serving), spin.ts (SpinKube, wasm).
 * Shared runtimes (Container Apps environment, Knative, SpinKube) are installed once per target by the
 * components in containerapps.ts and install/.
 */
import * as pulumi from "@pulumi/pulumi";
import type { WorkloadIdentity } from "../mesh/authorization";
import { createEcsExpressService, createLambdaService } from "./aws-lambda";
import { createCloudRunService } from "./cloudrun";
import { createContainerApp } from "./containerapps";
import { createKnativeService } from "./knative";
import { PLATFORM_TITLES, shapeProblems, type ServerlessPlatform, type ServiceRuntime } from "./rules";
import { createSpinApp } from "./spin";

export { SERVERLESS_PLATFORMS, type ServerlessPlatform } from "./rules";

export interface ServerlessServiceArgs {
    platform: ServerlessPlatform;
    /** Service name (DNS label, at most 24 characters); names the cloud resources too. */
    name: string;
    runtime: ServiceRuntime;
    image: pulumi.Input<string>;
    /** Port the container listens on (ignored by SpinKube, which serves on its own port). */
    port: number;
    /** Instances kept warm; 0 scales to zero. */
    minScale: number;
    maxScale: number;
    /** Requests per instance at once. */
    concurrency: number;
    /** vCPU per instance. */
    cpu: number;
    /** MiB per instance. */
    memory: number;
    env?: Record<string, pulumi.Input<string>>;
    /** Reachable from outside the platform network; requires `edgeException`. */
    public?: boolean;
    /** The reason this service is a public edge (required with `public`). */
    edgeException?: string;
    /** Cloud identities allowed to invoke: GCP IAM members (cloudrun) or AWS principal ARNs (lambda). */
    invokers?: string[];
    /** Mesh identities allowed to call a cluster service (knative, spin). */
    meshInvokers?: WorkloadIdentity[];
    tags?: pulumi.Input<Record<string, pulumi.Input<string>>>;
    gcp?: {
        project: pulumi.Input<string>;
        region: string;
        /** VPC network (self link or id) and subnetwork that Direct VPC egress attaches to. */
        network: pulumi.Input<string>;
        subnetwork: pulumi.Input<string>;
        /** Cloud KMS key that encrypts the image copy Cloud Run keeps (CMEK). */
        encryptionKey?: pulumi.Input<string>;
    };
    azure?: {
        resourceGroupName: pulumi.Input<string>;
        location: string;
        /** Managed environment (ContainerAppsEnvironment.environmentId). */
        environmentId: pulumi.Input<string>;
        /** Workload profile the app runs on (default "Consumption"). */
        workloadProfileName?: string;
        /** The platform network's IPv4 ranges allowed to call the app (its ingress admits no other source). */
        callerRanges?: string[];
    };
    aws?: {
        vpcId: pulumi.Input<string>;
        /** VPC range, the only destination besides HTTPS the function may reach. */
        vpcCidr: string;
        /** Private subnets (at least two zones) for the function's or tasks' network interfaces. */
        subnetIds: pulumi.Input<string>[];
        /** KMS key for environment variables and logs. */
        kmsKeyArn?: pulumi.Input<string>;
        /** ECS cluster for Express Mode services (minScale >= 1). */
        ecsClusterArn?: pulumi.Input<string>;
        /** Days to keep logs (default 365). */
        logRetentionDays?: number;
        /**
         * Prefix of the account-wide physical names (Lambda function, ECS service, log groups), e.g. the
         * stack prefix "plt-dev": two stacks in one account then never claim the same name. Unset: the
         * bare service name.
         */
        namePrefix?: string;
        /**
         * Reserve `maxScale` concurrent executions for the Lambda function (default false). A reservation
         * caps the function at maxScale, but AWS refuses one that leaves the account's unreserved
         * concurrency below its minimum (100; new accounts may have a quota of only 10 or 50 in total), so
         * it is opt-in; without it maxScale is not enforced on Lambda.
         */
        reserveConcurrency?: boolean;
    };
    kubernetes?: {
        /** Namespace (a PlatformNamespace) the service lives in. */
        namespace: pulumi.Input<string>;
        /** SpinAppExecutor name (spin only; default "containerd-shim-spin"). */
        executor?: string;
        /**
         * What the service's mesh AuthorizationPolicies must wait for (AmbientMesh.ready: Istio CRDs, istiod),
         * so a first deploy does not apply them before their CRD exists.
         */
        meshReady?: pulumi.Resource[];
        /**
         * The cloud identity the pods use through the cluster's workload identity (e.g. a Kafka client's):
         * annotations for the service account and labels for the pods (see `workloadIdentityBinding` in
         * components/streaming). The cloud side (federated credential, IAM binding) is created with the identity.
         */
        workloadIdentity?: WorkloadIdentityBinding;
        /**
         * Environment variables read from Secrets in the service's namespace (secretKeyRef), e.g. a Kafka
         * client's SCRAM username and password: the value never appears in the workload's spec. `secret`: the
         * Secret resource when this program creates it, so the workload is ordered after it (pods admitted
         * before their Secret exists fail with CreateContainerConfigError).
         */
        secretEnv?: Record<string, { secretName: pulumi.Input<string>; key: string; secret?: pulumi.Resource }>;
    };
}

/** How a pod's Kubernetes service account gets a cloud identity on a managed cluster. */
export interface WorkloadIdentityBinding {
    serviceAccountAnnotations?: Record<string, pulumi.Input<string>>;
    podLabels?: Record<string, string>;
}

/** What every implementation returns. */
export interface ServerlessServiceOutputs {
    /** URL reachable from inside the platform network (or the cluster). */
    url: pulumi.Output<string>;
    /** The identity the service runs as: SA email, role ARN, managed identity id or mesh principal. */
    identity: pulumi.Output<string>;
}

const NAME = /^[a-z]([-a-z0-9]{0,22}[a-z0-9])?$/;

/** Every reason the args cannot be built, as "field: value, what is allowed" lines. */
export function serverlessArgsProblems(args: ServerlessServiceArgs): string[] {
    const problems: string[] = [];
    if (!NAME.test(args.name)) {
        problems.push(`name: ${JSON.stringify(args.name)} is not allowed; allowed: 1-24 lowercase letters, digits or '-', starting with a letter`);
    }
    problems.push(...shapeProblems(args.platform, args).map((p) => `${p.field}: ${p.message}`));
    if (args.public && !args.edgeException) {
        problems.push(`public: true without edgeException; allowed: public false, or an edgeException naming why this service is a public edge`);
    }
    for (const m of args.invokers ?? []) {
        if (m === "allUsers" || m === "allAuthenticatedUsers" || m === "*") {
            problems.push(`invokers: ${JSON.stringify(m)} would allow anonymous calls; allowed: named identities only`);
        }
    }
    const needs: Record<ServerlessPlatform, keyof ServerlessServiceArgs> = {
        cloudrun: "gcp",
        containerapps: "azure",
        lambda: "aws",
        "ecs-express": "aws",
        knative: "kubernetes",
        spin: "kubernetes",
    };
    if (!args[needs[args.platform]]) problems.push(`${needs[args.platform]}: missing; ${PLATFORM_TITLES[args.platform]} needs it`);
    if (args.platform === "ecs-express" && args.aws && !args.aws.ecsClusterArn) problems.push(`aws.ecsClusterArn: missing; ECS Express Mode needs a cluster`);
    const namePrefix = args.aws?.namePrefix;
    // A Lambda function name is at most 64 letters, digits, '-' or '_' (Lambda API reference, CreateFunction
    // FunctionName); the service name takes up to 24 of them and the joining '-' one.
    if (namePrefix !== undefined && !/^[A-Za-z0-9][A-Za-z0-9-_]{0,38}$/.test(namePrefix)) {
        problems.push(`aws.namePrefix: ${JSON.stringify(namePrefix)} is not allowed; allowed: 1-39 letters, digits, '-' or '_', starting with a letter or digit`);
    }
    return problems;
}

export class ServerlessService extends pulumi.ComponentResource implements ServerlessServiceOutputs {
    public readonly platform: ServerlessPlatform;
    public readonly url: pulumi.Output<string>;
    public readonly identity: pulumi.Output<string>;

    constructor(name: string, args: ServerlessServiceArgs, opts?: pulumi.ComponentResourceOptions) {
        // Refuse bad input before anything is registered.
        const problems = serverlessArgsProblems(args);
        if (problems.length) {
            throw new Error(`ServerlessService ${name} (${PLATFORM_TITLES[args.platform] ?? args.platform}):\n${problems.map((p) => `  - ${p}`).join("\n")}`);
        }
        super("platform:index:ServerlessService", name, {}, opts);
        this.platform = args.platform;
        const build = {
            cloudrun: createCloudRunService,
            containerapps: createContainerApp,
            lambda: createLambdaService,
            "ecs-express": createEcsExpressService,
            knative: createKnativeService,
            spin: createSpinApp,
        }[args.platform];
        const out = build(this, name, args);
        this.url = out.url;
        this.identity = out.identity;
        this.registerOutputs({ url: this.url, identity: this.identity });
    }
}
