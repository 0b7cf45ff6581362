/** Computed outputs of the serverless runtimes (Cloud Run, Container Apps, Lambda, ECS Express) and their invokes. */
import { hex, regionOf } from "./aws";
import { MOCK_AWS_ACCOUNT, MOCK_AZURE_SUBSCRIPTION, type CloudMocks } from "./types";

type Inputs = Record<string, any>;
const region = (inputs: Inputs) => inputs.region ?? "eu-north-1";

export const serverlessMocks: CloudMocks = {
    resources: {
        "gcp:cloudrunv2/service:Service": (args) => {
            const i = args.inputs as Inputs;
            return {
                id: `projects/${i.project}/locations/${i.location}/services/${i.name}`,
                uri: `https://${i.name}-abcdefghij-${String(i.location).replace(/[^a-z]/g, "").slice(0, 2)}.a.run.app`,
                uid: "00000000-0000-4000-8000-000000000001",
            };
        },
        "gcp:cloudrunv2/serviceIamMember:ServiceIamMember": (args) => ({ etag: "BwYmockEtag=", id: `${args.inputs.name}/${args.inputs.role}/${args.inputs.member}` }),
        // The provider's id of a secret IAM member: "<secret>/<role>/<member>".
        "gcp:secretmanager/secretIamMember:SecretIamMember": (args) => ({
            etag: "BwYmockEtag=",
            id: `projects/${args.inputs.project}/secrets/${args.inputs.secretId}/${args.inputs.role}/${args.inputs.member}`,
        }),
        "azure-native:app:ManagedEnvironment": (args) => {
            const i = args.inputs as Inputs;
            const name = i.environmentName ?? `${args.name}-env`;
            return {
                id: `/subscriptions/${MOCK_AZURE_SUBSCRIPTION}/resourceGroups/${i.resourceGroupName}/providers/Microsoft.App/managedEnvironments/${name}`,
                name,
                defaultDomain: `mockdomain-1a2b3c4d.${i.location}.azurecontainerapps.io`,
                staticIp: "10.20.8.100",
            };
        },
        "azure-native:app:ContainerApp": (args) => {
            const i = args.inputs as Inputs;
            // Ingress visible outside the environment gets `<app>.<defaultDomain>`, environment-only ingress `<app>.internal.<defaultDomain>`.
            const internal = i.configuration?.ingress?.external === true ? "" : "internal.";
            const fqdn = `${i.containerAppName}.${internal}mockdomain-1a2b3c4d.${i.location}.azurecontainerapps.io`;
            return {
                id: `/subscriptions/${MOCK_AZURE_SUBSCRIPTION}/resourceGroups/${i.resourceGroupName}/providers/Microsoft.App/containerApps/${i.containerAppName}`,
                name: i.containerAppName,
                latestRevisionFqdn: fqdn,
                configuration: { ...(i.configuration ?? {}), ingress: { ...(i.configuration?.ingress ?? {}), fqdn } },
            };
        },
        "aws:lambda/function:Function": (args) => ({
            arn: `arn:aws:lambda:${region(args.inputs)}:${MOCK_AWS_ACCOUNT}:function:${args.inputs.name}`,
            invokeArn: `arn:aws:apigateway:${region(args.inputs)}:lambda:path/functions/${args.inputs.name}/invocations`,
            version: "$LATEST",
        }),
        "aws:lambda/functionUrl:FunctionUrl": (args) => ({
            functionUrl: `https://mock${String(args.inputs.functionName).replace(/[^a-z0-9]/g, "")}.lambda-url.eu-north-1.on.aws/`,
            urlId: "mockurlid",
        }),
        "aws:ecs/cluster:Cluster": (args) => ({ arn: `arn:aws:ecs:eu-north-1:${MOCK_AWS_ACCOUNT}:cluster/${args.name}`, name: args.name }),
        "aws:ecs/expressGatewayService:ExpressGatewayService": (args) => ({
            serviceArn: `arn:aws:ecs:eu-north-1:${MOCK_AWS_ACCOUNT}:service/${args.inputs.serviceName}`,
            ingressPaths: [{ accessType: "PRIVATE", endpoint: `${args.inputs.serviceName}.ecs.eu-north-1.on.aws` }],
        }),
    },
    calls: {
        // A Secrets Manager secret by name: its ARN carries a 6-character suffix Secrets Manager adds at
        // creation (arn:aws:secretsmanager:<region>:<account>:secret:<name>-AbCdEf), here derived from the
        // name so plans are stable. Encrypted with the AWS managed key (kmsKeyId empty). No value.
        "aws:secretsmanager/getSecret:getSecret": (args) => {
            const name = String(args.inputs.name);
            const region = regionOf(args);
            const suffix = hex(`secret:${name}`, 6).replace(/[0-9]/g, (d) => "AbCdEfGhIj"[Number(d)]);
            const arn = `arn:aws:secretsmanager:${region}:${MOCK_AWS_ACCOUNT}:secret:${name}-${suffix}`;
            return { id: arn, arn, name, region, description: "", kmsKeyId: "", policy: "", tags: {}, createdDate: "2026-01-01T00:00:00Z", lastChangedDate: "2026-01-01T00:00:00Z" };
        },
        // Canonical's Ubuntu EKS image id, looked up in SSM for the wasm node pool.
        "aws:ssm/getParameter:getParameter": (args) => ({ name: args.inputs.name, type: "String", value: "ami-0123456789abcdef0", version: 1, arn: `arn:aws:ssm:eu-north-1::parameter${args.inputs.name}` }),
    },
};
