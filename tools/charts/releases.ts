/**
 * Every Helm release the platform plans: the helm.sh/v3 Release resources of every stack's plan, plus the
 * components no committed stack enables (KEDA, planned on its own under the same mock runtime), each with
 * the exact values, namespace, chart and version the engine would send. Shared by `npm run charts:render`
 * and tests/charts.test.ts, so the fixtures and the test read the same thing.
 */
import { createHash } from "node:crypto";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { KedaInstall } from "../../components/carbon-scaling/keda";
import { CLUSTER_AUTOSCALER_RELEASES, installEksClusterAutoscaler } from "../../components/cluster/eks-autoscaler";
import { planStack, type RecordedResource } from "../plan";
import { runUnderMocks } from "../plan/runtime";
import { listStacks } from "../plan/stack-config";

export const RELEASE_TYPE = "kubernetes:helm.sh/v3:Release";

export interface PlannedRelease {
    /** Stack (or `component:<name>` for a component planned on its own). */
    stack: string;
    urn: string;
    resourceName: string;
    /** The Helm release name (Pulumi auto-names it from the resource name when `name` is unset). */
    releaseName: string;
    chartRef: string;
    /** The chart repository URL (`repositoryOpts.repo`); "" for an OCI reference (the URL is the chart reference). */
    repo: string;
    /** Chart name: the last path segment of the chart reference (OCI charts are referenced by URL). */
    chart: string;
    version: string;
    namespace: string;
    values: Record<string, unknown>;
    valuesSha256: string;
    provider: string;
}

export interface PlannedStack {
    stack: string;
    resources: RecordedResource[];
}

/** Canonical JSON (sorted keys) so the hash does not depend on property order. */
export function canonicalJson(value: unknown): string {
    if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
    if (value && typeof value === "object") {
        return `{${Object.keys(value as object)
            .sort()
            .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`)
            .join(",")}}`;
    }
    return JSON.stringify(value ?? null);
}

export const valuesHash = (values: unknown) => createHash("sha256").update(canonicalJson(values ?? {})).digest("hex");

export function releasesOf(plan: PlannedStack): PlannedRelease[] {
    return plan.resources
        .filter((r) => r.type === RELEASE_TYPE)
        .map((r) => {
            const i = r.inputs as Record<string, any>;
            const chartRef = String(i.chart);
            const values = (i.values ?? {}) as Record<string, unknown>;
            return {
                stack: plan.stack,
                urn: r.urn,
                resourceName: r.name,
                releaseName: i.name ?? r.name,
                chartRef,
                repo: String(i.repositoryOpts?.repo ?? ""),
                chart: chartRef.split("/").pop()!,
                version: String(i.version),
                namespace: String(i.namespace ?? "default"),
                values,
                valuesSha256: valuesHash(values),
                provider: r.provider,
            };
        });
}

/**
 * Components the committed stacks do not (fully) exercise: KEDA is installed only when a stack turns
 * carbon-aware scaling on, and the EKS Cluster Autoscaler's chart depends on the cluster's minor (the
 * stacks run one; every pinned minor is planned here).
 */
export async function planComponentsAlone(): Promise<PlannedStack[]> {
    const keda = await runUnderMocks(
        () => {
            const provider = new k8s.Provider("k8s", { context: "charts" });
            new KedaInstall("keda", {}, { provider });
        },
        { project: "platform", stack: "component-keda" },
    );
    const autoscaler = await runUnderMocks(
        () => {
            const provider = new k8s.Provider("k8s", { context: "charts" });
            const parent = new pulumi.ComponentResource("platform:index:ChartsAutoscalerVersions", "autoscaler");
            for (const minor of Object.keys(CLUSTER_AUTOSCALER_RELEASES)) {
                installEksClusterAutoscaler(parent, `eks-${minor.replace(".", "-")}`, {
                    clusterName: "charts",
                    region: "eu-north-1",
                    kubernetesVersion: minor,
                    accountId: "123456789012",
                    partition: "aws",
                    provider,
                    dependsOn: [],
                    tags: () => ({}),
                });
            }
        },
        { project: "platform", stack: "component-cluster-autoscaler" },
    );
    return [
        { stack: "component:keda", resources: keda.resources },
        { stack: "component:cluster-autoscaler", resources: autoscaler.resources },
    ];
}

/** Plans every stack in the repository and the stand-alone components. */
export async function planEverything(stacks = listStacks()): Promise<PlannedStack[]> {
    const out: PlannedStack[] = [];
    for (const stack of stacks) out.push({ stack, resources: (await planStack(stack)).resources });
    return [...out, ...(await planComponentsAlone())];
}
