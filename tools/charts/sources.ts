/**
 * Where the source of each pinned chart comes from (provenance written into its facts fixture). Keyed
 * `<chart name>@<pinned version>`; `tag` is the upstream git tag the chart was rendered from. Where the
 * public mirror available when the fixtures were written had no tag for the pinned version, `tag` is the
 * newest earlier one and `note` says so (docs/charts.md, "not verified offline").
 */
export interface ChartSource {
    repo: string;
    tag: string;
    commit: string;
    path: string;
    licence: string;
    note?: string;
}

const istio = (path: string): ChartSource => ({
    repo: "https://github.com/istio/istio",
    tag: "1.30.3",
    commit: "56df41f63e513f834c9a3af33d8aed82d1d961f2",
    path,
    licence: "Apache-2.0",
    note: "pinned 1.30.5; rendered from 1.30.3, the newest 1.30 tag in the mirror used (re-render from 1.30.5)",
});

export const CHART_SOURCES: Record<string, ChartSource> = {
    "base@1.30.5": istio("manifests/charts/base"),
    "istiod@1.30.5": istio("manifests/charts/istio-control/istio-discovery"),
    "cni@1.30.5": istio("manifests/charts/istio-cni"),
    "ztunnel@1.30.5": istio("manifests/charts/ztunnel"),
    "gateway@1.30.5": istio("manifests/charts/gateway"),
    "opentelemetry-collector@0.177.0": {
        repo: "https://github.com/open-telemetry/opentelemetry-helm-charts",
        tag: "opentelemetry-collector-0.170.0",
        commit: "f5178cb97987004b474867a99e081be59b7f9bab",
        path: "charts/opentelemetry-collector",
        licence: "Apache-2.0",
        note: "pinned 0.177.0; rendered from 0.170.0, the newest tag in the mirror used (re-render from 0.177.0)",
    },
    "strimzi-kafka-operator@1.2.0": {
        repo: "https://github.com/strimzi/strimzi-kafka-operator",
        tag: "1.2.0",
        commit: "6c7b43c4af0db547c10463ba09d1dfa6f5e156a0",
        path: "helm-charts/helm3/strimzi-kafka-operator",
        licence: "Apache-2.0",
    },
    "keda@2.20.2": { repo: "https://github.com/kedacore/charts", tag: "v2.20.2", commit: "cbb9bb8ce0809dc9048f72302f7c09765d66ed56", path: "keda", licence: "Apache-2.0" },
    "knative-operator@v1.23.0": {
        repo: "https://github.com/knative/operator",
        tag: "knative-v1.23.0",
        commit: "8f004985af79024f25b9e6014da1a4c22bf48182",
        path: "config/charts/knative-operator",
        licence: "Apache-2.0",
    },
    "cert-manager@v1.19.4": {
        repo: "https://github.com/cert-manager/cert-manager",
        tag: "v1.19.4",
        commit: "83820a03ce3e6b8a1084fa765d77a6b5b98e6943",
        path: "deploy/charts/cert-manager",
        licence: "Apache-2.0",
    },
    "runtime-class-manager@0.2.0": {
        repo: "https://github.com/spinframework/runtime-class-manager",
        tag: "v0.2.0",
        commit: "7e6b1b8f7bb3a51fc202f0b20e3cae704ad2f824",
        path: "deploy/helm",
        licence: "Apache-2.0",
    },
    "spin-operator@0.6.1": {
        repo: "https://github.com/spinframework/spin-operator",
        tag: "v0.6.1",
        commit: "96c9d1d1d69c2c04e005375c44f323fb10e31002",
        path: "charts/spin-operator",
        licence: "Apache-2.0",
    },
    "external-secrets@2.9.0": {
        repo: "https://github.com/external-secrets/external-secrets",
        tag: "helm-chart-2.9.0",
        commit: "cc5bfbc2234ace9cb0caff4ea89c435cf517b27b",
        path: "deploy/charts/external-secrets",
        licence: "Apache-2.0",
        note: "the tag's chart has no CRD templates (packaging splits deploy/crds/bundle.yaml into templates/crds with hack/helm.generate.sh's conditionals; done in the /tmp copy) and its disabled bitwarden-sdk-server dependency was dropped from the /tmp copy's Chart.yaml (not vendored in the tag); re-render from the published 2.9.0",
    },
    "cluster-autoscaler@9.51.0": {
        repo: "https://github.com/kubernetes/autoscaler",
        tag: "cluster-autoscaler-chart-9.51.0",
        commit: "9befb31fd94d73ae0b888bd9536ae085cd9304e1",
        path: "charts/cluster-autoscaler",
        licence: "Apache-2.0",
    },
    "cluster-autoscaler@9.53.0": {
        repo: "https://github.com/kubernetes/autoscaler",
        tag: "cluster-autoscaler-chart-9.53.0",
        commit: "a2db9eb71c285fe5779c622e9255b17b08e78147",
        path: "cluster-autoscaler/charts/cluster-autoscaler",
        licence: "Apache-2.0",
    },
};
