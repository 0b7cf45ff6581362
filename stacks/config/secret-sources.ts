/**
 * `platform:secrets.kubernetes` (the kubernetes target's secret source) and the cross-field checks of
 * secrets delivered on clusters (docs/secrets.md, "Services on clusters", "Kafka credentials (Strimzi)").
 */
import { z } from "zod";
import { DEFAULT_SECRET_SOURCE_NAMESPACE } from "../../components/secrets/service-secrets";
import type { ServiceTarget } from "../../components/serverless/rules";
import { kafkaBackendFor, type KafkaConfig } from "./kafka";
import { placementsOf, type ServiceEntry } from "./services";

/** The kubernetes target's store: Secrets in one namespace the platform creates (and protects). */
export const secretSourcesConfigSchema = z
    .strictObject({
        /** Namespace holding the kubernetes target's secret values: one Secret per name, its value under key "value". */
        sourceNamespace: z
            .string()
            .regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, { error: "must be a namespace name (a DNS-1123 label)" })
            .default(DEFAULT_SECRET_SOURCE_NAMESPACE),
    })
    .prefault({});

export type SecretSourcesConfig = z.output<typeof secretSourcesConfigSchema>;

/** The runtimes whose services receive secrets through External Secrets Operator on a cluster. */
const CLUSTER_RUNTIMES = new Set(["knative", "spin"]);

/** What the checks read of the parsed configuration. */
export interface ClusterSecretsConfigView {
    clouds: readonly ServiceTarget[];
    services: ServiceEntry[];
    kafka: KafkaConfig;
    secrets: { operator: { enabled: boolean }; kubernetes: SecretSourcesConfig };
}

/**
 * Secrets on clusters need External Secrets Operator: a cluster service (Knative, Spin) declaring
 * `secrets`, and Strimzi's SCRAM clients (their credentials reach their namespaces through it).
 */
export function clusterSecretsProblems(cfg: ClusterSecretsConfigView): string[] {
    const problems: string[] = [];
    const operatorOff = !cfg.secrets.operator.enabled;
    // A Strimzi client's credential objects are named `kafka-<client>-secrets…` (StrimziClientCredentials), the
    // same names a service `kafka-<client>` with secrets would get: refuse the pair instead of an AlreadyExists.
    const strimziClients = new Set(
        cfg.kafka.enabled && cfg.clouds.some((t) => kafkaBackendFor(t, cfg.kafka) === "strimzi") ? cfg.kafka.clients.map((c) => c.name) : [],
    );
    cfg.services.forEach((s, i) => {
        if (!Object.keys(s.secrets ?? {}).length) return;
        const onClusters = placementsOf(s, cfg.clouds).filter((p) => CLUSTER_RUNTIMES.has(p.platform));
        const client = s.name.startsWith("kafka-") ? s.name.slice("kafka-".length) : undefined;
        if (client && strimziClients.has(client) && onClusters.length) {
            problems.push(
                `platform:services[${i}].name: "${s.name}" with secrets on a cluster would share the secret store, reader and ExternalSecret names of Strimzi client "${client}"'s credentials (kafka-${client}-secrets); allowed: a service name not starting with "kafka-${client}"`,
            );
        }
        if (operatorOff && onClusters.length) {
            problems.push(
                `platform:services[${i}].secrets: service "${s.name}" runs on ${onClusters.map((p) => `${p.target} (${p.platform})`).join(", ")}, where secrets come through External Secrets Operator, but platform:secrets.operator.enabled is false; allowed: enable the operator, or drop the secrets`,
            );
        }
    });
    if (operatorOff && cfg.kafka.enabled && cfg.kafka.clients.length && (cfg.kafka.strimzi.authentication ?? "scram-sha-512") === "scram-sha-512") {
        const strimziTargets = cfg.clouds.filter((t) => kafkaBackendFor(t, cfg.kafka) === "strimzi");
        if (strimziTargets.length) {
            problems.push(
                `platform:secrets.operator.enabled: false, but Strimzi on ${strimziTargets.join(", ")} has SCRAM clients (${cfg.kafka.clients.map((c) => c.name).join(", ")}), whose credentials reach their namespaces through External Secrets Operator; allowed: true (the default), or platform:kafka.strimzi.authentication "tls" with clients in the Kafka namespace`,
            );
        }
    }
    return problems;
}
