/**
 * GCP: a Cloud KMS key ring in the platform's region and one symmetric crypto key that rotates at
 * least every 90 days. The GKE and Compute Engine service agents may use the key (GKE envelope-
 * encrypts Kubernetes secrets with it; node boot disks are encrypted with it).
 */
import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import { serviceAgentMember } from "../gcp/project-services";
import type { EncryptionKeyOutputs } from "./outputs";

const DAY_SECONDS = 86_400;
/** Cloud KMS accepts rotation periods from one day; the platform rule (ENC-06) caps them at 90 days. */
const MIN_ROTATION_DAYS = 1;
const MAX_ROTATION_DAYS = 90;
/** How long a destroyed key version stays recoverable (the Cloud KMS maximum is 120 days; 30 is its default). */
const DESTROY_SCHEDULED_DAYS = 30;

export interface GcpKmsKeyArgs {
    /** Project of the key ring. */
    project: pulumi.Input<string>;
    /** Location of the key ring: the platform's region. */
    region: string;
    /** Days between automatic rotations, 1 to 90 (default 90). */
    rotationDays?: number;
    /** Labels for the crypto key. */
    tags?: pulumi.Input<Record<string, pulumi.Input<string>>>;
    /** Protect the key ring and the key from deletion (default true). */
    protect?: boolean;
}

/**
 * GCP: a Cloud KMS key ring and one symmetric crypto key; the GKE and Compute Engine service agents
 * may use it. `keyId` is the crypto key's id (GKE databaseEncryption, node boot disks, Managed Kafka).
 */
export class GcpKmsKey extends pulumi.ComponentResource implements EncryptionKeyOutputs {
    /** The crypto key's id, projects/<p>/locations/<l>/keyRings/<r>/cryptoKeys/<k>. */
    public readonly keyId: pulumi.Output<string>;

    constructor(name: string, args: GcpKmsKeyArgs, opts?: pulumi.ComponentResourceOptions) {
        // The token the single EncryptionKey class had: children keep their URNs through the parent alias.
        super("platform:index:GcpKmsKey", name, {}, pulumi.mergeOptions(opts, { aliases: [{ type: "platform:index:EncryptionKey" }] }));
        const rotationDays = args.rotationDays ?? MAX_ROTATION_DAYS;
        if (!Number.isInteger(rotationDays) || rotationDays < MIN_ROTATION_DAYS || rotationDays > MAX_ROTATION_DAYS) {
            throw new Error(
                `GcpKmsKey ${name}: args.rotationDays: ${args.rotationDays}; allowed: a whole number of days from ${MIN_ROTATION_DAYS} to ${MAX_ROTATION_DAYS}`,
            );
        }
        this.keyId = createGcpKey(this, name, args, rotationDays);
        this.registerOutputs({ keyId: this.keyId });
    }
}

function createGcpKey(parent: pulumi.Resource, name: string, args: GcpKmsKeyArgs, rotationDays: number): pulumi.Output<string> {
    const project = args.project;
    const protect = args.protect ?? true;

    // Key rings cannot be deleted in Cloud KMS at all (a destroy only forgets them), and a name can never
    // be reused in the same location; the name is therefore left to Pulumi's auto-naming (random suffix),
    // so a re-created stack never collides with the ring a previous one left behind.
    const keyRing = new gcp.kms.KeyRing(`${name}-keyring`, { project, location: args.region }, { parent, protect });

    const key = new gcp.kms.CryptoKey(
        `${name}-key`,
        {
            keyRing: keyRing.id,
            purpose: "ENCRYPT_DECRYPT",
            versionTemplate: { algorithm: "GOOGLE_SYMMETRIC_ENCRYPTION", protectionLevel: "SOFTWARE" },
            rotationPeriod: `${rotationDays * DAY_SECONDS}s`,
            // A version scheduled for destruction stays restorable for 30 days: a mistaken destroy of the
            // key does not immediately make every dataset it encrypts unreadable.
            destroyScheduledDuration: `${DESTROY_SCHEDULED_DAYS * DAY_SECONDS}s`,
            labels: args.tags,
        },
        { parent, protect },
    );

    // Member bindings only: each grants one role to one principal and leaves every other binding on the
    // key alone (a CryptoKeyIAMPolicy would replace the whole policy and drop grants made elsewhere).
    const projectNumber = gcp.organizations.getProjectOutput({ projectId: project }, { parent }).number;
    // The GKE agent exists once the stack's GcpProjectServices has run generateServiceIdentity for it; the
    // Compute Engine agent, which Service Usage does not generate, once the Compute API is enabled
    // (project-factory PR #628). The stack's GCP provider, which these grants use, depends on both.
    const serviceAgents = {
        // GKE application-layer secrets encryption (databaseEncryption) calls KMS as this agent.
        gke: serviceAgentMember(projectNumber, "container.googleapis.com"),
        // Compute Engine reads the CMEK-encrypted boot disks of GKE nodes as this agent.
        compute: serviceAgentMember(projectNumber, "compute.googleapis.com"),
    };
    for (const [agent, member] of Object.entries(serviceAgents)) {
        new gcp.kms.CryptoKeyIAMMember(
            `${name}-key-${agent}-agent`,
            { cryptoKeyId: key.id, role: "roles/cloudkms.cryptoKeyEncrypterDecrypter", member },
            { parent },
        );
    }

    return key.id;
}
