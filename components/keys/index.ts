/**
 * EncryptionKey: the platform's customer-managed key on one cloud. Kubernetes secrets, Kafka data
 * at rest and other stateful services encrypt with it. One abstract interface, one file per cloud.
 */
import * as pulumi from "@pulumi/pulumi";
import type { Cloud } from "../regions";
import { createAwsKey } from "./aws";
import { createAzureKey } from "./azure";
import { createGcpKey } from "./gcp";

export interface EncryptionKeyArgs {
    cloud: Cloud;
    region: string;
    /** Days between automatic rotations (AWS rotates yearly by default; we ask for at most 90 days everywhere). */
    rotationDays?: number;
    /** Labels/tags for the key and its container. */
    tags?: pulumi.Input<Record<string, pulumi.Input<string>>>;
    /** Protect the key (and vault/key ring) from deletion. Losing it destroys every dataset it encrypts. */
    protect?: boolean;
    azure?: {
        resourceGroupName: pulumi.Input<string>;
        tenantId: pulumi.Input<string>;
        /** Principals (object ids) given "Key Vault Crypto User" on the vault. */
        cryptoUsers?: pulumi.Input<string>[];
    };
    gcp?: {
        project: pulumi.Input<string>;
    };
}

/** What every cloud's key implementation returns. */
export interface EncryptionKeyOutputs {
    /** ARN (AWS), key id URL (Azure) or crypto key id (GCP). */
    keyId: pulumi.Output<string>;
    /** Azure only: the vault's resource id (AKS KMS needs it). */
    vaultId?: pulumi.Output<string>;
    vaultName?: pulumi.Output<string>;
    /** Azure only: the key's versionless name. */
    keyName?: pulumi.Output<string>;
}

export class EncryptionKey extends pulumi.ComponentResource {
    public readonly cloud: Cloud;
    public readonly keyId: pulumi.Output<string>;
    public readonly vaultId?: pulumi.Output<string>;
    public readonly vaultName?: pulumi.Output<string>;
    public readonly keyName?: pulumi.Output<string>;

    constructor(name: string, args: EncryptionKeyArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:index:EncryptionKey", name, {}, opts);
        this.cloud = args.cloud;
        const build = { aws: createAwsKey, azure: createAzureKey, gcp: createGcpKey }[args.cloud];
        const out = build(this, name, args);
        this.keyId = out.keyId;
        this.vaultId = out.vaultId;
        this.vaultName = out.vaultName;
        this.keyName = out.keyName;
        this.registerOutputs({ keyId: this.keyId });
    }
}
