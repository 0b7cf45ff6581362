/**
 * AWS: one customer-managed symmetric KMS key (with an alias) that EKS secrets, CloudWatch log
 * groups and data services encrypt with.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { awsContext } from "../aws/context";
import type { EncryptionKeyOutputs } from "./outputs";

/** AWS accepts rotation periods from 90 to 2560 days; the platform asks for the shortest by default. */
const MIN_ROTATION_DAYS = 90;
const MAX_ROTATION_DAYS = 2560;

export interface AwsKmsKeyArgs {
    /** The region the key lives in (CloudWatch Logs of this region may use it). */
    region: string;
    /** Days between automatic rotations, 90 to 2560 (default 90, the shortest AWS allows). */
    rotationDays?: number;
    /** Tags for the key. */
    tags?: pulumi.Input<Record<string, pulumi.Input<string>>>;
    /** Protect the key from deletion (default true): losing it makes everything it encrypted unreadable. */
    protect?: boolean;
}

/**
 * AWS: the platform's customer-managed KMS key. `keyId` is the key's ARN (EKS secrets encryption,
 * CloudWatch log groups, MSK, EBS take it).
 */
export class AwsKmsKey extends pulumi.ComponentResource implements EncryptionKeyOutputs {
    /** The key's ARN. */
    public readonly keyId: pulumi.Output<string>;
    /** The alias, `alias/<name>`. */
    public readonly aliasName: pulumi.Output<string>;

    constructor(name: string, args: AwsKmsKeyArgs, opts?: pulumi.ComponentResourceOptions) {
        // The token the single EncryptionKey class had: children keep their URNs through the parent alias.
        super("platform:index:AwsKmsKey", name, {}, pulumi.mergeOptions(opts, { aliases: [{ type: "platform:index:EncryptionKey" }] }));
        const rotationDays = args.rotationDays ?? MIN_ROTATION_DAYS;
        if (!Number.isInteger(rotationDays) || rotationDays < MIN_ROTATION_DAYS || rotationDays > MAX_ROTATION_DAYS) {
            throw new Error(
                `AwsKmsKey ${name}: args.rotationDays: ${rotationDays} is not allowed on AWS KMS; allowed: a whole number of days from ${MIN_ROTATION_DAYS} to ${MAX_ROTATION_DAYS}`,
            );
        }
        const out = createKey(this, name, args, rotationDays);
        this.keyId = out.keyId;
        this.aliasName = out.aliasName;
        this.registerOutputs({ keyId: this.keyId, aliasName: this.aliasName });
    }
}

function createKey(parent: pulumi.Resource, name: string, args: AwsKmsKeyArgs, rotationDays: number) {
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
    const alias = new aws.kms.Alias(`${name}-key-alias`, { name: `alias/${name}`, targetKeyId: key.keyId }, { parent });

    return { keyId: key.arn, aliasName: alias.name };
}
