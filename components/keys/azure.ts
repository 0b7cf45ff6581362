import type * as pulumi from "@pulumi/pulumi";
import type { EncryptionKeyArgs, EncryptionKeyOutputs } from "./index";

export function createAzureKey(parent: pulumi.Resource, name: string, args: EncryptionKeyArgs): EncryptionKeyOutputs {
    throw new Error("not implemented yet: " + parent + name + args.cloud);
}
