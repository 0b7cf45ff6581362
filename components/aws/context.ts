/**
 * Small AWS helpers shared by the AWS implementations of the foundation components (key, network,
 * cluster): the account and partition the explicit provider points at, IAM trust policies for AWS
 * services, managed-policy ARNs and Name tags. Policies are plain JSON (no getPolicyDocument invokes).
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

export interface AwsContext {
    accountId: pulumi.Output<string>;
    /** "aws", "aws-cn" or "aws-us-gov": ARNs must not hard-code it. */
    partition: pulumi.Output<string>;
    /** "amazonaws.com" (or "amazonaws.com.cn"): regional service principals end with it. */
    dnsSuffix: pulumi.Output<string>;
}

/** Looks the account and partition up through the parent's (explicit) AWS provider. */
export function awsContext(parent: pulumi.Resource): AwsContext {
    const identity = aws.getCallerIdentityOutput({}, { parent });
    const partition = aws.getPartitionOutput({}, { parent });
    return { accountId: identity.accountId, partition: partition.partition, dnsSuffix: partition.dnsSuffix };
}

/** Trust policy letting one AWS service principal assume a role, optionally under conditions. */
export function serviceTrustPolicy(service: string, condition?: pulumi.Input<Record<string, unknown>>): pulumi.Output<string> {
    return pulumi.output(condition).apply((c) =>
        JSON.stringify({
            Version: "2012-10-17",
            Statement: [
                {
                    Effect: "Allow",
                    Principal: { Service: service },
                    Action: "sts:AssumeRole",
                    ...(c ? { Condition: c } : {}),
                },
            ],
        }),
    );
}

/**
 * Trust policy of a role for EKS Pod Identity: the Pod Identity service assumes it (and tags the
 * session), and only for one service account of one cluster: the conditions match the session tags
 * Pod Identity sets, without which any association in the account could use the role.
 */
export function podIdentityTrustPolicy(clusterName: pulumi.Input<string> | undefined, namespace: string, serviceAccount: string): pulumi.Output<string> {
    // Without a cluster name (a role associated elsewhere), the namespace and service account still bind it.
    return pulumi.output(clusterName).apply((cluster) =>
        JSON.stringify({
            Version: "2012-10-17",
            Statement: [
                {
                    Effect: "Allow",
                    Principal: { Service: "pods.eks.amazonaws.com" },
                    Action: ["sts:AssumeRole", "sts:TagSession"],
                    Condition: {
                        StringEquals: {
                            ...(cluster ? { "aws:RequestTag/eks-cluster-name": cluster } : {}),
                            "aws:RequestTag/kubernetes-namespace": namespace,
                            "aws:RequestTag/kubernetes-service-account": serviceAccount,
                        },
                    },
                },
            ],
        }),
    );
}

/** ARN of an AWS managed IAM policy in the provider's partition. */
export function managedPolicyArn(partition: pulumi.Input<string>, policyName: string): pulumi.Output<string> {
    return pulumi.interpolate`arn:${partition}:iam::aws:policy/${policyName}`;
}

/** The component's tags plus a Name tag (what the console shows) and any extra tags. */
export function nameTags(
    tags: pulumi.Input<Record<string, pulumi.Input<string>>> | undefined,
    name: string,
    extra: Record<string, string> = {},
): pulumi.Output<Record<string, string>> {
    return pulumi.output(tags ?? {}).apply((t): Record<string, string> => ({ ...t, ...extra, Name: name }));
}

/**
 * The IAM principal that runs `pulumi up`, in the form EKS access entries accept. `getCallerIdentity`
 * gives an STS session ARN for an assumed role (arn:aws:sts::1:assumed-role/Name/session);
 * `iam.getSessionContext` maps it to the role's IAM ARN, path included (SSO roles live under
 * /aws-reserved/sso.amazonaws.com/), and passes an IAM user's ARN through unchanged (pulumi-aws 7.x,
 * iam/getSessionContext). The deploying identity needs iam:GetRole on its own role for that lookup.
 */
export function deployerPrincipalArn(opts: pulumi.InvokeOutputOptions): pulumi.Output<string> {
    const caller = aws.getCallerIdentityOutput({}, opts);
    return aws.iam.getSessionContextOutput({ arn: caller.arn }, opts).issuerArn;
}

/**
 * What identifies an IAM role or user: partition, account, kind and name. The path is left out because
 * IAM names are unique per account whatever the path, and role ARNs are often written without it.
 * Undefined for anything that is not an IAM role or user ARN.
 */
export function iamPrincipalKey(arn: string): string | undefined {
    const m = /^arn:([^:]+):iam::(\d{12}):(role|user)\/(?:.*\/)?([^/]+)$/.exec(arn);
    return m ? `${m[1]}:${m[2]}:${m[3]}/${m[4]}` : undefined;
}
