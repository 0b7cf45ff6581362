/**
 * `platform:admission`: exceptions to the in-cluster admission policies beyond those the platform derives
 * itself (components/admission, docs/admission.md). Today one list: namespaces a cluster's add-ons need
 * exempt from the host-access, mesh-enrolment and NetworkPolicy policies (e.g. EKS's amazon-cloudwatch
 * when the CloudWatch Observability add-on is turned on), each with its reason. And what a violation does:
 * `enforcement` (deny | warn, every cluster) and `enforcementByTarget` (per cluster target, overriding it);
 * unset, "deny" on the clusters the platform creates and "warn" on the `kubernetes` target.
 */
import { z } from "zod";
import { ADMISSION_ENFORCEMENTS, ADMISSION_TARGETS } from "../../components/admission";
import { DNS_LABEL } from "../../components/contracts/names";

export const admissionConfigSchema = z
    .strictObject({
        exemptNamespaces: z
            .array(
                z.strictObject({
                    namespace: z.string().regex(DNS_LABEL, { error: "must be a namespace name (DNS-1123 label)" }),
                    reason: z.string().trim().min(1, { error: "must say why the namespace is exempt (the add-on and who owns it)" }),
                    /** Clusters it applies to; default every cluster of the stack. */
                    targets: z.array(z.enum(ADMISSION_TARGETS as [string, ...string[]])).min(1).optional(),
                }),
            )
            .default([]),
        /** deny ([Deny]) or warn ([Warn, Audit]) on every cluster; unset = per target (deny; warn on kubernetes). */
        enforcement: z.enum(ADMISSION_ENFORCEMENTS).optional(),
        /** Per cluster target, overriding `enforcement`. */
        enforcementByTarget: z
            .strictObject(Object.fromEntries(ADMISSION_TARGETS.map((t) => [t, z.enum(ADMISSION_ENFORCEMENTS).optional()])) as Record<string, z.ZodOptional<z.ZodEnum<{ deny: "deny"; warn: "warn" }>>>)
            .default({}),
    })
    .prefault({});
