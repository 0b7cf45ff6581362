/**
 * AWS: scale to zero with a Lambda container-image function (HTTP apps run unchanged behind the AWS Lambda
 * Web Adapter, see docs/serverless.md), invoked only through a function URL with AWS_IAM auth. A service
 * that asks for minScale >= 1 is an always-on service: ECS Express Mode (Fargate tasks behind an ALB that
 * Express Mode manages; private subnets give an internal ALB). App Runner is closed to new customers.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { awsContext, managedPolicyArn, nameTags, serviceTrustPolicy } from "../aws/context";
import type { ServerlessServiceArgs, ServerlessServiceOutputs } from "./index";
import { LAMBDA_MB_PER_VCPU } from "./rules";

/** Security group for the service's network interfaces: nothing in; out only HTTPS and the VPC itself. */
function serviceSecurityGroup(parent: pulumi.Resource, name: string, args: ServerlessServiceArgs, inbound: boolean): aws.ec2.SecurityGroup {
    const a = args.aws!;
    return new aws.ec2.SecurityGroup(
        `${name}-sg`,
        {
            vpcId: a.vpcId,
            description: `Serverless service ${args.name}`,
            // ECS tasks take requests from the Express Mode load balancer inside the VPC; Lambda takes none.
            ingress: inbound ? [{ protocol: "tcp", fromPort: args.port, toPort: args.port, cidrBlocks: [a.vpcCidr], description: "load balancer to tasks" }] : [],
            egress: [
                { protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"], description: "HTTPS to AWS APIs and registries (through NAT)" },
                { protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: [a.vpcCidr], description: "platform services inside the VPC" },
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
export function awsPhysicalName(args: ServerlessServiceArgs): string {
    return args.aws?.namePrefix ? `${args.aws.namePrefix}-${args.name}` : args.name;
}

export function createLambdaService(parent: pulumi.Resource, name: string, args: ServerlessServiceArgs): ServerlessServiceOutputs {
    const a = args.aws!;
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
    const sg = serviceSecurityGroup(parent, name, args, false);
    const logGroup = new aws.cloudwatch.LogGroup(
        `${name}-logs`,
        { name: `/aws/lambda/${physicalName}`, retentionInDays: a.logRetentionDays ?? 365, kmsKeyId: a.kmsKeyArn, tags: args.tags },
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
            reservedConcurrentExecutions: a.reserveConcurrency ? args.maxScale : undefined,
            vpcConfig: { subnetIds: a.subnetIds, securityGroupIds: [sg.id] },
            kmsKeyArn: a.kmsKeyArn,
            tracingConfig: { mode: "Active" },
            loggingConfig: { logFormat: "JSON", logGroup: logGroup.name },
            environment: {
                variables: {
                    ...(args.env ?? {}),
                    // The Lambda Web Adapter forwards invocations to the app's HTTP port.
                    AWS_LWA_PORT: String(args.port),
                    PORT: String(args.port),
                },
            },
            tags: args.tags,
        },
        { parent, dependsOn: [vpcAccess, xrayWrite] },
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

export function createEcsExpressService(parent: pulumi.Resource, name: string, args: ServerlessServiceArgs): ServerlessServiceOutputs {
    const a = args.aws!;
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
    const sg = serviceSecurityGroup(parent, name, args, true);
    const logGroup = new aws.cloudwatch.LogGroup(
        `${name}-logs`,
        { name: `/ecs/${physicalName}`, retentionInDays: a.logRetentionDays ?? 365, kmsKeyId: a.kmsKeyArn, tags: args.tags },
        { parent },
    );
    const service = new aws.ecs.ExpressGatewayService(
        `${name}-ecs`,
        {
            serviceName: physicalName,
            cluster: a.ecsClusterArn,
            cpu: String(Math.round(args.cpu * 1024)),
            memory: String(args.memory),
            executionRoleArn: execution.role.arn,
            infrastructureRoleArn: infrastructure.role.arn,
            taskRoleArn: task.role.arn,
            // Private subnets only: Express Mode then provisions an internal load balancer, and tasks get no public IP.
            networkConfigurations: [{ subnets: a.subnetIds, securityGroups: [sg.id] }],
            primaryContainer: {
                image: args.image,
                containerPort: args.port,
                environments: Object.entries(args.env ?? {}).map(([envName, value]) => ({ name: envName, value })),
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
        { parent, dependsOn: [execution.attachment!, infrastructure.attachment!] },
    );
    const url = service.ingressPaths.apply((paths) => (paths?.[0]?.endpoint ? `https://${paths[0].endpoint}` : ""));
    return { url, identity: task.role.arn };
}
