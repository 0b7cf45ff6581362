/**
 * AWS: scale to zero with a Lambda container-image function (HTTP apps run unchanged behind the AWS Lambda
 * Web Adapter, see docs/serverless.md), invoked only through a function URL with AWS_IAM auth. A service
 * that asks for minScale >= 1 is an always-on service: ECS Express Mode (Fargate tasks behind an ALB that
 * Express Mode manages; private subnets give an internal ALB). App Runner is closed to new customers.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { awsContext, managedPolicyArn, nameTags, serviceTrustPolicy } from "../aws/context";
import { LAMBDA_MB_PER_VCPU } from "./rules";
import { secretNamesOf, secretsArgsProblems } from "./secrets";
import { refuseArgs, serviceArgsProblems, withServerlessServiceAlias, type ServerlessServiceBaseArgs, type ServerlessServiceOutputs } from "./service";

/** Where an AWS service runs: the platform VPC, its private subnets, its key. */
export interface AwsServiceNetworkArgs extends ServerlessServiceBaseArgs {
    vpcId: pulumi.Input<string>;
    /** VPC range, the only destination besides HTTPS the service may reach. */
    vpcCidr: string;
    /** Private subnets (at least two zones) for the function's or tasks' network interfaces. */
    subnetIds: pulumi.Input<string>[];
    /** KMS key for environment variables and logs. */
    kmsKeyArn?: pulumi.Input<string>;
    /** Days to keep logs (default 365). */
    logRetentionDays?: number;
    /**
     * Prefix of the account-wide physical names (Lambda function, ECS service, log groups), e.g. the
     * stack prefix "plt-dev": two stacks in one account then never claim the same name. Unset: the
     * bare service name.
     */
    namePrefix?: string;
    /**
     * Secrets by reference: environment variable → secret name in AWS Secrets Manager, in the provider's
     * account and region. Each must exist before `pulumi up`: its ARN (with the random suffix Secrets
     * Manager appends) is looked up at plan time. Only these ARNs become readable (secretsmanager:GetSecretValue),
     * by the execution role on ECS and by the function's role on Lambda.
     */
    secrets?: Record<string, string>;
}

/** The suffix of the Lambda environment variable that carries a secret's ARN: `<ENV_NAME>_SECRET_ARN`. */
export const LAMBDA_SECRET_ARN_SUFFIX = "_SECRET_ARN";

export interface LambdaServiceArgs extends AwsServiceNetworkArgs {
    /** AWS principal ARNs allowed to invoke the function URL (SigV4-signed); never "*". */
    invokers?: string[];
    /**
     * Reserve `maxScale` concurrent executions for the function (default false). A reservation caps the
     * function at maxScale, but AWS refuses one that leaves the account's unreserved concurrency below its
     * minimum (100; new accounts may have a quota of only 10 or 50 in total), so it is opt-in; without it
     * maxScale is not enforced on Lambda.
     */
    reserveConcurrency?: boolean;
}

export interface EcsExpressServiceArgs extends AwsServiceNetworkArgs {
    /** ECS cluster the Express Mode service runs in (EcsServicesCluster.clusterArn). */
    ecsClusterArn: pulumi.Input<string>;
}

/** Checks both AWS runtimes share: the physical-name prefix and the log retention. */
function awsNetworkProblems(args: AwsServiceNetworkArgs): string[] {
    const problems: string[] = [];
    const namePrefix = args.namePrefix;
    // A Lambda function name is at most 64 letters, digits, '-' or '_' (Lambda API reference, CreateFunction
    // FunctionName); the service name takes up to 24 of them and the joining '-' one.
    if (namePrefix !== undefined && !/^[A-Za-z0-9][A-Za-z0-9-_]{0,38}$/.test(namePrefix)) {
        problems.push(`args.namePrefix: ${JSON.stringify(namePrefix)} is not allowed; allowed: 1-39 letters, digits, '-' or '_', starting with a letter or digit`);
    }
    if (args.logRetentionDays !== undefined && !CLOUDWATCH_RETENTION_DAYS.includes(args.logRetentionDays)) {
        problems.push(`args.logRetentionDays: ${args.logRetentionDays} is not allowed; allowed: ${CLOUDWATCH_RETENTION_DAYS.join(", ")}`);
    }
    if (!args.subnetIds || args.subnetIds.length === 0) problems.push(`args.subnetIds: none given; allowed: the platform VPC's private subnets (at least two zones)`);
    problems.push(...secretsArgsProblems("aws", args.secrets, args.env));
    return problems;
}

/** Lambda passes each secret's ARN as `<ENV_NAME>_SECRET_ARN`: that name must not be taken by `env`. */
function lambdaSecretEnvProblems(args: LambdaServiceArgs): string[] {
    return Object.keys(args.secrets ?? {})
        .filter((envName) => `${envName}${LAMBDA_SECRET_ARN_SUFFIX}` in (args.env ?? {}))
        .map((envName) => `args.secrets.${envName}: the function receives its ARN as ${envName}${LAMBDA_SECRET_ARN_SUFFIX}, which args.env also sets; allowed: another variable name in env or in secrets`);
}

/**
 * The ARNs of the secrets (name → ARN), looked up in Secrets Manager through the parent's provider. The
 * ARN ends in a random 6-character suffix Secrets Manager adds at creation, so it cannot be written down
 * from the name; a policy on exactly this ARN stops matching if the secret is deleted and re-created
 * under the same name (a new suffix), which the next `pulumi up` picks up.
 */
function secretArns(parent: pulumi.Resource, secrets: Record<string, string> | undefined): Map<string, pulumi.Output<string>> {
    return new Map(secretNamesOf(secrets).map((secretName) => [secretName, aws.secretsmanager.getSecretOutput({ name: secretName }, { parent }).arn]));
}

/**
 * An inline policy on `role` that lets it read exactly these secrets (GetSecretValue on each ARN, no
 * wildcard, no other action), or undefined without secrets.
 */
function secretReadPolicy(parent: pulumi.Resource, name: string, role: aws.iam.Role, arns: Map<string, pulumi.Output<string>>): aws.iam.RolePolicy | undefined {
    if (arns.size === 0) return undefined;
    return new aws.iam.RolePolicy(
        name,
        {
            role: role.id,
            policy: pulumi.all([...arns.values()]).apply((resources) =>
                JSON.stringify({
                    Version: "2012-10-17",
                    Statement: [{ Sid: "ReadOwnSecrets", Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: resources }],
                }),
            ),
        },
        { parent },
    );
}

/** The retention periods CloudWatch Logs accepts (CloudWatch Logs API reference, PutRetentionPolicy retentionInDays). */
export const CLOUDWATCH_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];

/** A scale-to-zero service: a container-image Lambda function behind an AWS_IAM function URL (provider: opts.providers.aws). */
export class LambdaService extends pulumi.ComponentResource implements ServerlessServiceOutputs {
    public readonly url: pulumi.Output<string>;
    public readonly identity: pulumi.Output<string>;

    constructor(name: string, args: LambdaServiceArgs, opts?: pulumi.ComponentResourceOptions) {
        refuseArgs("LambdaService", name, [...serviceArgsProblems("lambda", "container", args, args.invokers), ...awsNetworkProblems(args), ...lambdaSecretEnvProblems(args)]);
        super("platform:index:LambdaService", name, {}, withServerlessServiceAlias(opts));
        const out = createLambdaService(this, name, args);
        this.url = out.url;
        this.identity = out.identity;
        this.registerOutputs({ url: this.url, identity: this.identity });
    }
}

/** An always-on service (minScale >= 1): ECS Express Mode on Fargate behind an internal ALB (provider: opts.providers.aws). */
export class EcsExpressService extends pulumi.ComponentResource implements ServerlessServiceOutputs {
    public readonly url: pulumi.Output<string>;
    public readonly identity: pulumi.Output<string>;

    constructor(name: string, args: EcsExpressServiceArgs, opts?: pulumi.ComponentResourceOptions) {
        const problems = [...serviceArgsProblems("ecs-express", "container", args), ...awsNetworkProblems(args)];
        if (!args.ecsClusterArn) problems.push(`args.ecsClusterArn: ${JSON.stringify(args.ecsClusterArn)} is missing; allowed: the ARN of the ECS cluster (EcsServicesCluster.clusterArn)`);
        refuseArgs("EcsExpressService", name, problems);
        super("platform:index:EcsExpressService", name, {}, withServerlessServiceAlias(opts));
        const out = createEcsExpressService(this, name, args);
        this.url = out.url;
        this.identity = out.identity;
        this.registerOutputs({ url: this.url, identity: this.identity });
    }
}

/** Security group for the service's network interfaces: nothing in; out only HTTPS and the VPC itself. */
function serviceSecurityGroup(parent: pulumi.Resource, name: string, args: AwsServiceNetworkArgs, inbound: boolean): aws.ec2.SecurityGroup {
    return new aws.ec2.SecurityGroup(
        `${name}-sg`,
        {
            vpcId: args.vpcId,
            description: `Serverless service ${args.name}`,
            // ECS tasks take requests from the Express Mode load balancer inside the VPC; Lambda takes none.
            ingress: inbound ? [{ protocol: "tcp", fromPort: args.port, toPort: args.port, cidrBlocks: [args.vpcCidr], description: "load balancer to tasks" }] : [],
            egress: [
                { protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"], description: "HTTPS to AWS APIs and registries (through NAT)" },
                { protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: [args.vpcCidr], description: "platform services inside the VPC" },
            ],
            tags: nameTags(args.tags, `${args.name}-serverless`),
        },
        { parent },
    );
}

/**
 * The account-wide physical name of the service (function, ECS service, log groups): prefixed, so that two
 * stacks deploying the same service into one account and region do not collide.
 */
export function awsPhysicalName(args: AwsServiceNetworkArgs): string {
    return args.namePrefix ? `${args.namePrefix}-${args.name}` : args.name;
}

function createLambdaService(parent: pulumi.Resource, name: string, args: LambdaServiceArgs): ServerlessServiceOutputs {
    const physicalName = awsPhysicalName(args);
    const { partition } = awsContext(parent);
    const role = new aws.iam.Role(
        `${name}-role`,
        { description: `Lambda service ${args.name}`, assumeRolePolicy: serviceTrustPolicy("lambda.amazonaws.com"), tags: args.tags },
        { parent },
    );
    // Network interfaces in the VPC and log delivery: the AWS managed minimum for a VPC function.
    const vpcAccess = new aws.iam.RolePolicyAttachment(
        `${name}-vpc-access`,
        { role: role.name, policyArn: managedPolicyArn(partition, "service-role/AWSLambdaVPCAccessExecutionRole") },
        { parent },
    );
    // Active tracing sends segments to X-Ray as the function's role: without xray:PutTraceSegments and
    // PutTelemetryRecords (this AWS managed policy) the traces are dropped (Lambda developer guide, "Visualize
    // Lambda function invocations using AWS X-Ray": execution role permissions).
    const xrayWrite = new aws.iam.RolePolicyAttachment(
        `${name}-xray-write`,
        { role: role.name, policyArn: managedPolicyArn(partition, "AWSXRayDaemonWriteAccess") },
        { parent },
    );
    // Lambda has no native secret environment: the function's role may read exactly its secrets, and the
    // function gets each secret's ARN (never its value) to fetch it at run time (docs/serverless.md, "Secrets").
    const arns = secretArns(parent, args.secrets);
    const secretRead = secretReadPolicy(parent, `${name}-secrets-read`, role, arns);
    const sg = serviceSecurityGroup(parent, name, args, false);
    const logGroup = new aws.cloudwatch.LogGroup(
        `${name}-logs`,
        { name: `/aws/lambda/${physicalName}`, retentionInDays: args.logRetentionDays ?? 365, kmsKeyId: args.kmsKeyArn, tags: args.tags },
        { parent },
    );
    // Lambda sizes CPU by memory: give at least the memory that buys the requested vCPUs.
    const memorySize = Math.min(10240, Math.max(args.memory, Math.ceil(args.cpu * LAMBDA_MB_PER_VCPU)));
    const fn = new aws.lambda.Function(
        `${name}-fn`,
        {
            name: physicalName,
            packageType: "Image",
            imageUri: args.image,
            role: role.arn,
            memorySize,
            timeout: 60,
            // Opt-in only: a reservation caps the concurrent instances at maxScale, but AWS refuses one that
            // would leave the account's unreserved concurrency below 100, and new accounts start with a
            // total quota of 10 or 50 (Lambda developer guide, "Configuring reserved concurrency": "up to the
            // Unreserved account concurrency value minus 100"; aws-samples/one-observability-demo#278).
            // Without it, the function shares the account's pool and maxScale is not enforced.
            reservedConcurrentExecutions: args.reserveConcurrency ? args.maxScale : undefined,
            vpcConfig: { subnetIds: args.subnetIds, securityGroupIds: [sg.id] },
            kmsKeyArn: args.kmsKeyArn,
            tracingConfig: { mode: "Active" },
            loggingConfig: { logFormat: "JSON", logGroup: logGroup.name },
            environment: {
                variables: {
                    ...(args.env ?? {}),
                    ...Object.fromEntries(Object.entries(args.secrets ?? {}).map(([envName, secretName]) => [`${envName}${LAMBDA_SECRET_ARN_SUFFIX}`, arns.get(secretName)!])),
                    // The Lambda Web Adapter forwards invocations to the app's HTTP port.
                    AWS_LWA_PORT: String(args.port),
                    PORT: String(args.port),
                },
            },
            tags: args.tags,
        },
        { parent, dependsOn: [vpcAccess, xrayWrite, ...(secretRead ? [secretRead] : [])] },
    );
    const url = new aws.lambda.FunctionUrl(
        `${name}-url`,
        // AWS_IAM: every request must be SigV4-signed by a principal the function's policy allows.
        { functionName: fn.name, authorizationType: "AWS_IAM", invokeMode: "BUFFERED" },
        { parent },
    );
    for (const [i, principal] of (args.invokers ?? []).entries()) {
        new aws.lambda.Permission(
            `${name}-invoke-url-${i}`,
            { function: fn.name, action: "lambda:InvokeFunctionUrl", principal, functionUrlAuthType: "AWS_IAM" },
            { parent },
        );
        // Function URLs also need lambda:InvokeFunction, limited to calls made through the URL.
        new aws.lambda.Permission(
            `${name}-invoke-fn-${i}`,
            { function: fn.name, action: "lambda:InvokeFunction", principal, invokedViaFunctionUrl: true },
            { parent },
        );
    }
    return { url: url.functionUrl, identity: role.arn };
}

function createEcsExpressService(parent: pulumi.Resource, name: string, args: EcsExpressServiceArgs): ServerlessServiceOutputs {
    const physicalName = awsPhysicalName(args);
    const { partition } = awsContext(parent);
    const role = (suffix: string, service: string, policy: string | undefined, description: string) => {
        const r = new aws.iam.Role(`${name}-${suffix}`, { description, assumeRolePolicy: serviceTrustPolicy(service), tags: args.tags }, { parent });
        const attachment = policy
            ? new aws.iam.RolePolicyAttachment(`${name}-${suffix}`, { role: r.name, policyArn: managedPolicyArn(partition, policy) }, { parent })
            : undefined;
        return { role: r, attachment };
    };
    // Three distinct roles: the app's identity (no policies), image pull/log delivery, and what Express Mode
    // needs to manage the load balancer, security groups and scaling.
    const task = role("task", "ecs-tasks.amazonaws.com", undefined, `Identity of ECS service ${args.name}`);
    const execution = role("execution", "ecs-tasks.amazonaws.com", "service-role/AmazonECSTaskExecutionRolePolicy", `Image pull and logs for ${args.name}`);
    const infrastructure = role(
        "infrastructure",
        "ecs.amazonaws.com",
        "service-role/AmazonECSInfrastructureRoleforExpressGatewayServices",
        `ECS Express Mode infrastructure for ${args.name}`,
    );
    // ECS fetches task secrets at task start with the task execution role (not the task role): that role
    // may read exactly these ARNs (ECS developer guide, "Pass Secrets Manager secrets through Amazon ECS
    // environment variables" and "Amazon ECS task execution IAM role": secretsmanager:GetSecretValue).
    const arns = secretArns(parent, args.secrets);
    const secretRead = secretReadPolicy(parent, `${name}-execution-secrets-read`, execution.role, arns);
    const sg = serviceSecurityGroup(parent, name, args, true);
    const logGroup = new aws.cloudwatch.LogGroup(
        `${name}-logs`,
        { name: `/ecs/${physicalName}`, retentionInDays: args.logRetentionDays ?? 365, kmsKeyId: args.kmsKeyArn, tags: args.tags },
        { parent },
    );
    const service = new aws.ecs.ExpressGatewayService(
        `${name}-ecs`,
        {
            serviceName: physicalName,
            cluster: args.ecsClusterArn,
            cpu: String(Math.round(args.cpu * 1024)),
            memory: String(args.memory),
            executionRoleArn: execution.role.arn,
            infrastructureRoleArn: infrastructure.role.arn,
            taskRoleArn: task.role.arn,
            // Private subnets only: Express Mode then provisions an internal load balancer, and tasks get no public IP.
            networkConfigurations: [{ subnets: args.subnetIds, securityGroups: [sg.id] }],
            primaryContainer: {
                image: args.image,
                containerPort: args.port,
                environments: Object.entries(args.env ?? {}).map(([envName, value]) => ({ name: envName, value })),
                // By reference: the secret's ARN; ECS injects the value into the container at start.
                secrets: arns.size ? Object.entries(args.secrets ?? {}).map(([envName, secretName]) => ({ name: envName, valueFrom: arns.get(secretName)! })) : undefined,
                awsLogsConfigurations: [{ logGroup: logGroup.name, logStreamPrefix: args.name }],
            },
            scalingTargets: [
                {
                    autoScalingMetric: "REQUEST_COUNT_PER_TARGET",
                    autoScalingTargetValue: args.concurrency,
                    minTaskCount: args.minScale,
                    maxTaskCount: args.maxScale,
                },
            ],
            waitForSteadyState: true,
            tags: args.tags,
        },
        // The roles' policies must outlive the service, or deletion hangs in DRAINING.
        // The secrets policy too: tasks started before it exists would fail to fetch their secrets.
        { parent, dependsOn: [execution.attachment!, infrastructure.attachment!, ...(secretRead ? [secretRead] : [])] },
    );
    const url = service.ingressPaths.apply((paths) => (paths?.[0]?.endpoint ? `https://${paths[0].endpoint}` : ""));
    return { url, identity: task.role.arn };
}
