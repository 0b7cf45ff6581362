/**
 * Azure: a Key Vault reachable only over private links (and by trusted Azure services), holding one
 * HSM-backed RSA key that Key Vault rotates itself. Access is Azure RBAC only (no access policies),
 * so every grant is an auditable role assignment.
 */
import * as authorization from "@pulumi/azure-native/authorization";
import * as keyvault from "@pulumi/azure-native/keyvault";
import * as pulumi from "@pulumi/pulumi";
import { AZURE_ROLES, roleDefinitionId } from "../azure/roles";
import type { EncryptionKeyOutputs } from "./outputs";

/** Azure Key Vault allows rotation policies from 7 days; the platform rule (ENC-06) caps rotation at 90 days. */
const MIN_ROTATION_DAYS = 7;
const MAX_ROTATION_DAYS = 90;
/** Each key version stays valid this long after the next one is created (time to roll consumers onto it). */
const EXPIRY_GRACE_DAYS = 90;
/** Key Vault emails the vault's contacts this long before a version expires. */
const NOTIFY_BEFORE_EXPIRY_DAYS = 30;
/** The longest soft-delete window Key Vault offers: a deleted vault or key is recoverable for 90 days. */
const SOFT_DELETE_DAYS = 90;
/** RSA 3072 (NIST SP 800-57: 128-bit security, acceptable beyond 2030); every AKS/Event Hubs/Storage CMK accepts it. */
const KEY_SIZE = 3072;

/** When each version of the key is rotated, expires and warns, and how long the AKS runbook has (days). */
export interface AzureKeyVersionSchedule {
    /** Key Vault creates the next version this long after a version is created. */
    rotateAfterDays: number;
    /** A version expires this long after it is created (the rotation policy's expiryTime). */
    expiresAfterDays: number;
    /** Key Vault notifies this long before a version expires. */
    notifyBeforeExpiryDays: number;
    /**
     * After a rotation, the `pulumi up` that moves AKS KMS to the new version and the re-encryption of
     * every Secret (`kubectl get secrets -A -o json | kubectl replace -f -`) must both be done within
     * this many days of the new version's creation. Two limits meet here: the previous version expires
     * `expiresAfterDays - rotateAfterDays` days after the new one is created, and an expired version no
     * longer unwraps ("If the key is expired, the KMS plugin will fail to decrypt the existing secrets");
     * and AKS keeps only the current and the previous version ("After you rotate the key, the previous
     * key (key1) is still cached … rotate the key twice. Then key2 and key3 are cached"), so Secrets
     * still under a version are lost to the cluster once AKS moves two versions on, which the first
     * `pulumi up` after the next rotation (`rotateAfterDays` later) does. Both quotes:
     * learn.microsoft.com/azure/aks/use-kms-etcd-encryption (MicrosoftDocs/azure-aks-docs
     * articles/aks/use-kms-etcd-encryption.md, "Rotate existing keys in a private key vault", "KMS observability").
     */
    reencryptWithinDays: number;
}

/** The key's version schedule for a rotation period (validated by AzureKeyVaultKey). */
export function azureKeyVersionSchedule(rotationDays: number): AzureKeyVersionSchedule {
    const expiresAfterDays = rotationDays + EXPIRY_GRACE_DAYS;
    return {
        rotateAfterDays: rotationDays,
        expiresAfterDays,
        notifyBeforeExpiryDays: NOTIFY_BEFORE_EXPIRY_DAYS,
        reencryptWithinDays: Math.min(expiresAfterDays - rotationDays, rotationDays),
    };
}

export interface AzureKeyVaultKeyArgs {
    /** Resource group of the vault. */
    resourceGroupName: pulumi.Input<string>;
    /** Entra tenant of the vault. */
    tenantId: pulumi.Input<string>;
    /** Principals (object ids of workload identities) given "Key Vault Crypto User" on the vault. */
    cryptoUsers?: pulumi.Input<string>[];
    /** Days between automatic rotations, 7 to 90 (default 90). */
    rotationDays?: number;
    /** Tags for the vault and the key. */
    tags?: pulumi.Input<Record<string, pulumi.Input<string>>>;
    /** Protect the vault and the key from deletion (default true). */
    protect?: boolean;
}

/**
 * Azure: a private, RBAC-only Key Vault with one HSM-backed RSA key that Key Vault rotates itself.
 * `keyId` is the versioned URI of the key's current version (AKS KMS takes only a versioned id).
 */
export class AzureKeyVaultKey extends pulumi.ComponentResource implements EncryptionKeyOutputs {
    /** The versioned key URI of the current version. */
    public readonly keyId: pulumi.Output<string>;
    /** The vault's resource id (AKS KMS needs it). */
    public readonly vaultId: pulumi.Output<string>;
    public readonly vaultName: pulumi.Output<string>;
    /** The key's versionless name. */
    public readonly keyName: pulumi.Output<string>;

    constructor(name: string, args: AzureKeyVaultKeyArgs, opts?: pulumi.ComponentResourceOptions) {
        // The token the single EncryptionKey class had: children keep their URNs through the parent alias.
        super("platform:index:AzureKeyVaultKey", name, {}, pulumi.mergeOptions(opts, { aliases: [{ type: "platform:index:EncryptionKey" }] }));
        const rotationDays = args.rotationDays ?? MAX_ROTATION_DAYS;
        if (!Number.isInteger(rotationDays) || rotationDays < MIN_ROTATION_DAYS || rotationDays > MAX_ROTATION_DAYS) {
            throw new Error(
                `AzureKeyVaultKey ${name}: args.rotationDays: ${args.rotationDays}; allowed: a whole number of days from ${MIN_ROTATION_DAYS} to ${MAX_ROTATION_DAYS}`,
            );
        }
        const out = createAzureKey(this, name, args, rotationDays);
        this.keyId = out.keyId;
        this.vaultId = out.vaultId;
        this.vaultName = out.vaultName;
        this.keyName = out.keyName;
        this.registerOutputs({ keyId: this.keyId, vaultId: this.vaultId, vaultName: this.vaultName, keyName: this.keyName });
    }
}

function createAzureKey(parent: pulumi.Resource, name: string, args: AzureKeyVaultKeyArgs, rotationDays: number) {
    const schedule = azureKeyVersionSchedule(rotationDays);
    const { resourceGroupName, tenantId } = args;
    const protect = args.protect ?? true;

    // Vault names are global and, with purge protection, stay reserved for 90 days after a delete. The
    // name is therefore left to auto-naming (random suffix) so a re-created stack never collides with a
    // soft-deleted vault; the logical name is kept to 16 characters so name + suffix fits the 24 allowed.
    const vaultLogicalName = `kv-${name.replace(/[^a-zA-Z0-9]/g, "").slice(0, 13)}`;
    const vault = new keyvault.Vault(
        vaultLogicalName,
        {
            resourceGroupName,
            tags: args.tags,
            properties: {
                tenantId,
                // Premium: keys live in FIPS 140-3 Level 3 HSMs (RSA-HSM). The vault costs the same as
                // Standard; only HSM key operations cost more, and a platform key sees few of them
                // (envelope encryption wraps data keys, it does not encrypt the data itself).
                sku: { family: keyvault.SkuFamily.A, name: keyvault.SkuName.Premium },
                // Azure RBAC instead of access policies: grants are role assignments, scoped and audited,
                // and data-plane rights can be given without management-plane rights.
                enableRbacAuthorization: true,
                enableSoftDelete: true,
                softDeleteRetentionInDays: SOFT_DELETE_DAYS,
                // Nobody, not even an owner, can purge the vault or key before the retention ends.
                enablePurgeProtection: true,
                // Private links only. "AzureServices" lets trusted first-party services (AKS KMS, Event
                // Hubs and Storage customer-managed keys) through the firewall with their own identities.
                publicNetworkAccess: "Disabled",
                networkAcls: { defaultAction: keyvault.NetworkRuleAction.Deny, bypass: keyvault.NetworkRuleBypassOptions.AzureServices, ipRules: [], virtualNetworkRules: [] },
                enabledForDeployment: false,
                enabledForDiskEncryption: false,
                enabledForTemplateDeployment: false,
            },
        },
        { parent, protect },
    );

    const key = new keyvault.Key(
        `${name}-key`,
        {
            resourceGroupName,
            vaultName: vault.name,
            tags: args.tags,
            properties: {
                kty: keyvault.JsonWebKeyType.RSA_HSM,
                keySize: KEY_SIZE,
                // Wrap/unwrap for envelope encryption (AKS KMS, CMK); encrypt/decrypt for direct use.
                keyOps: ["wrapKey", "unwrapKey", "encrypt", "decrypt"],
                attributes: { enabled: true },
                rotationPolicy: {
                    // Every new version expires `rotationDays + 90` days after it is created, so a consumer
                    // pinned to a version (AKS KMS pins one) has 90 days to move to the next before it lapses.
                    // The expiry stays: a policy sets one expiry for every new version and cannot spare the
                    // versions still in use. AKS also needs its Secrets re-encrypted after each move, within
                    // schedule.reencryptWithinDays of the rotation (runbook in docs/azure.md).
                    attributes: { expiryTime: `P${schedule.expiresAfterDays}D` },
                    lifetimeActions: [
                        { trigger: { timeAfterCreate: `P${schedule.rotateAfterDays}D` }, action: { type: keyvault.KeyRotationPolicyActionType.Rotate } },
                        { trigger: { timeBeforeExpiry: `P${schedule.notifyBeforeExpiryDays}D` }, action: { type: keyvault.KeyRotationPolicyActionType.Notify } },
                    ],
                },
            },
        },
        { parent, protect },
    );

    const cryptoUser = roleDefinitionId(parent, AZURE_ROLES.keyVaultCryptoUser);
    (args.cryptoUsers ?? []).forEach((principalId, i) => {
        // Scoped to the vault: the principal may use this vault's keys, nothing else in the subscription.
        new authorization.RoleAssignment(
            `${name}-crypto-user-${i}`,
            {
                principalId,
                // Crypto users are workload identities (managed identities of Event Hubs, Storage, AKS, …),
                // never people: the provider would otherwise assume "User" and ARM would reject the mismatch.
                principalType: authorization.PrincipalType.ServicePrincipal,
                roleDefinitionId: cryptoUser,
                scope: vault.id,
            },
            { parent },
        );
    });

    // The key's current version, read from Key Vault (through ARM, so the private vault's firewall does
    // not apply) on every `pulumi up`. The Key resource's own keyUriWithVersion is the version it was
    // created with and changes only on `pulumi refresh`; AKS KMS pins the version it is given (AKS "KMS
    // etcd encryption (legacy)", learn.microsoft.com/azure/aks/use-kms-etcd-encryption; the azure-native
    // 3.28 ManagedCluster, API 2025-09-01, offers no versionless or auto-rotating KMS key), so a stale
    // version would expire under it. Read fresh, each up after a rotation moves AKS to the new version.
    const current = keyvault.getKeyOutput({ resourceGroupName, vaultName: vault.name, keyName: key.name }, { parent, dependsOn: [key] });

    return {
        // The versioned key URI of the current version: AKS KMS accepts only a versioned key id.
        keyId: current.keyUriWithVersion,
        vaultId: vault.id,
        vaultName: vault.name,
        keyName: key.name,
    };
}
