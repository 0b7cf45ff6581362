/**
 * `platform:secrets`: secrets management (docs/secrets.md). Today the External Secrets Operator switch:
 * `operator.enabled` (default true) installs it on every cluster of the stack. An object schema so the
 * secret store settings can join it.
 */
import { z } from "zod";
import { secretSourcesConfigSchema } from "./secret-sources";

export const secretsOperatorConfigSchema = z
    .strictObject({
        /** Install External Secrets Operator on every cluster (stacks/secrets.ts). */
        enabled: z.boolean().default(true),
    })
    .prefault({});

export const secretsConfigSchema = z
    .strictObject({
        operator: secretsOperatorConfigSchema,
        /** The kubernetes target's secret store (stacks/config/secret-sources.ts). */
        kubernetes: secretSourcesConfigSchema,
    })
    .prefault({});

export type SecretsConfig = z.output<typeof secretsConfigSchema>;
