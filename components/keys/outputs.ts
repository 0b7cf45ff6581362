import type * as pulumi from "@pulumi/pulumi";

/** What every cloud's platform key exposes: the id other services encrypt with. */
export interface EncryptionKeyOutputs {
    /** ARN (AWS KMS), versioned key URI (Azure Key Vault) or crypto key id (GCP Cloud KMS). */
    keyId: pulumi.Output<string>;
}
