/**
 * What the cluster runtimes (KnativeService, SpinService) share: the arguments of a service in a
 * PlatformNamespace, and the service account it runs as. The cluster's Kubernetes provider comes
 * through opts.provider; what the service's workloads and mesh policies must wait for (the runtime, the
 * namespace, the mesh's CRDs, the Secrets its secretEnv reads) through opts.dependsOn.
 */
import * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import type { WorkloadIdentity } from "../mesh/authorization";
import type { ServerlessServiceBaseArgs } from "./service";

/** How a pod's Kubernetes service account gets a cloud identity on a managed cluster. */
export interface WorkloadIdentityBinding {
    serviceAccountAnnotations?: Record<string, pulumi.Input<string>>;
    podLabels?: Record<string, string>;
}

/** One key of a Secret in the service's namespace, read into an environment variable (secretKeyRef). */
export interface SecretKeyReference {
    secretName: pulumi.Input<string>;
    key: string;
}

export interface ClusterServiceArgs extends ServerlessServiceBaseArgs {
    /** Namespace (a PlatformNamespace) the service lives in. */
    namespace: pulumi.Input<string>;
    /** Mesh identities allowed to call the service. */
    meshInvokers?: WorkloadIdentity[];
    /**
     * The cloud identity the pods use through the cluster's workload identity (e.g. a Kafka client's):
     * annotations for the service account and labels for the pods (see `workloadIdentityBinding` in
     * components/streaming). The cloud side (federated credential, IAM binding) is created with the identity.
     */
    workloadIdentity?: WorkloadIdentityBinding;
    /**
     * Environment variables read from Secrets in the service's namespace (secretKeyRef), e.g. a Kafka
     * client's SCRAM username and password: the value never appears in the workload's spec. A Secret this
     * program creates goes in opts.dependsOn, so the workload is ordered after it (pods admitted before
     * their Secret exists fail with CreateContainerConfigError).
     */
    secretEnv?: Record<string, SecretKeyReference>;
}

/**
 * The service account a cluster-hosted service runs as (Knative and Spin alike): its own, named after the
 * service (the mesh principal and the Kafka client identity), carrying the cloud identity when the service
 * has one. The app does not call the Kubernetes API, so no API token is mounted (workload identity
 * webhooks project their own audience-bound token).
 */
export function workloadServiceAccount(parent: pulumi.Resource, name: string, args: ClusterServiceArgs): k8s.core.v1.ServiceAccount {
    const annotations = args.workloadIdentity?.serviceAccountAnnotations;
    return new k8s.core.v1.ServiceAccount(
        `${name}-sa`,
        {
            metadata: {
                name: args.name,
                namespace: args.namespace,
                labels: { "app.kubernetes.io/name": args.name },
                ...(annotations ? { annotations } : {}),
            },
            automountServiceAccountToken: false,
        },
        { parent },
    );
}

/** The secretEnv entries as container env (secretKeyRef); Spin lowercases variable names. */
export function secretEnvVars(args: ClusterServiceArgs, rename: (envName: string) => string = (n) => n) {
    return Object.entries(args.secretEnv ?? {}).map(([envName, ref]) => ({
        name: rename(envName),
        valueFrom: { secretKeyRef: { name: ref.secretName, key: ref.key } },
    }));
}
