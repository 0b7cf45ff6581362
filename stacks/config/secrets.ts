/**
 * `platform:secrets`: secrets management (docs/secrets.md). Today the External Secrets Operator switch:
 * `operator.enabled` (default true) installs it on every cluster of the stack. An object schema so the
 * secret store settings can join it.
 */
import { z } from "zod";

export const secretsOperatorConfigSchema = z
    .strictObject({
        /** Install External Secrets Operator on every cluster (stacks/secrets.ts). */
        enabled: z.boolean().default(true),
    })
    .prefault({});

export const secretsConfigSchema = z
    .strictObject({
        operator: secretsOperatorConfigSchema,
    })
    .prefault({});

export type SecretsConfig = z.output<typeof secretsConfigSchema>;
