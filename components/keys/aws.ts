/**
 * AWS: one customer-managed symmetric KMS key (with an alias) that EKS secrets, CloudWatch log
 * groups and data services encrypt with.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { awsContext } from "../aws/context";
import type { EncryptionKeyArgs, EncryptionKeyOutputs } from "./index";

/** AWS accepts rotation periods from 90 to 2560 days; the platform asks for the shortest by default. */
const MIN_ROTATION_DAYS = 90;
const MAX_ROTATION_DAYS = 2560;

export function createAwsKey(parent: pulumi.Resource, name: string, args: EncryptionKeyArgs): EncryptionKeyOutputs {
    const rotationDays = args.rotationDays ?? MIN_ROTATION_DAYS;
    if (!Number.isInteger(rotationDays) || rotationDays < MIN_ROTATION_DAYS || rotationDays > MAX_ROTATION_DAYS) {
        throw new Error(
            `EncryptionKey ${name}: rotationDays ${rotationDays} is not allowed on AWS KMS; use a whole number of days between ${MIN_ROTATION_DAYS} and ${MAX_ROTATION_DAYS}`,
        );
    }
    const { accountId, partition, dnsSuffix } = awsContext(parent);

    const policy = pulumi.all([accountId, partition, dnsSuffix]).apply(([account, part, suffix]) =>
        JSON.stringify({
            Version: "2012-10-17",
            Statement: [
                {
                    // The account itself administers the key, so access is granted through IAM policies
                    // (auditable in one place) and the key can never become unmanageable. No "*" principal.
                    Sid: "AccountAdministersKeyThroughIam",
                    Effect: "Allow",
                    Principal: { AWS: `arn:${part}:iam::${account}:root` },
                    Action: "kms:*",
                    Resource: "*",
                },
                {
                    // CloudWatch Logs encrypts log groups (VPC flow logs, EKS control-plane logs) with the key,
                    // but only for log groups of this account and region.
                    Sid: "CloudWatchLogsEncryptsThisAccountsLogGroups",
                    Effect: "Allow",
                    Principal: { Service: `logs.${args.region}.${suffix}` },
                    Action: ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
                    Resource: "*",
                    Condition: {
                        ArnLike: { "kms:EncryptionContext:aws:logs:arn": `arn:${part}:logs:${args.region}:${account}:log-group:*` },
                    },
                },
            ],
        }),
    );

    const key = new aws.kms.Key(
        `${name}-key`,
        {
            description: `Platform key for ${name}: Kubernetes secrets, logs and data at rest`,
            keyUsage: "ENCRYPT_DECRYPT",
            customerMasterKeySpec: "SYMMETRIC_DEFAULT",
            enableKeyRotation: true,
            rotationPeriodInDays: rotationDays,
            // The longest window: a scheduled deletion can be cancelled for 30 days.
            deletionWindowInDays: 30,
            policy,
            tags: args.tags,
        },
        // Deleting the key makes everything it encrypted unreadable.
        { parent, protect: args.protect ?? true },
    );
    new aws.kms.Alias(`${name}-key-alias`, { name: `alias/${name}`, targetKeyId: key.keyId }, { parent });

    return { keyId: key.arn };
}
