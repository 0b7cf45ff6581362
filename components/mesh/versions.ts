/**
 * Pinned upstream versions of everything the mesh installs. One place to bump; the tests assert the
 * charts use exactly these.
 */

/** Istio charts (base, istiod, cni, ztunnel, gateway). 1.30.5 is the newest 1.30 patch announced on istio.io. */
export const ISTIO_VERSION = "1.30.5";
export const ISTIO_CHART_REPO = "https://istio-release.storage.googleapis.com/charts";

/** Gateway API CRDs, standard channel (the schemas in schemas/crds are v1.6.1 standard). */
export const GATEWAY_API_VERSION = "v1.6.1";
export const GATEWAY_API_CRDS_URL = `https://github.com/kubernetes-sigs/gateway-api/releases/download/${GATEWAY_API_VERSION}/standard-install.yaml`;

/** OpenTelemetry collector chart (app version 0.163.2). */
export const OTEL_COLLECTOR_CHART_VERSION = "0.177.0";
export const OTEL_CHART_REPO = "https://open-telemetry.github.io/opentelemetry-helm-charts";
/** The Kubernetes distribution of the collector: OTLP receivers, batch/memory_limiter, OTLP and debug exporters. */
export const OTEL_COLLECTOR_IMAGE = "ghcr.io/open-telemetry/opentelemetry-collector-releases/opentelemetry-collector-k8s";
