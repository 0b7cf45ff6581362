import * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import type { ServerlessServiceArgs } from "./index";

/**
 * The service account a cluster-hosted service runs as (Knative and Spin alike): its own, named after the
 * service (the mesh principal and the Kafka client identity), carrying the cloud identity when the service
 * has one. The app does not call the Kubernetes API, so no API token is mounted (workload identity
 * webhooks project their own audience-bound token).
 */
export function workloadServiceAccount(parent: pulumi.Resource, name: string, args: ServerlessServiceArgs): k8s.core.v1.ServiceAccount {
    const annotations = args.kubernetes!.workloadIdentity?.serviceAccountAnnotations;
    return new k8s.core.v1.ServiceAccount(
        `${name}-sa`,
        {
            metadata: {
                name: args.name,
                namespace: args.kubernetes!.namespace,
                labels: { "app.kubernetes.io/name": args.name },
                ...(annotations ? { annotations } : {}),
            },
            automountServiceAccountToken: false,
        },
        { parent },
    );
}

/** The Secrets a workload's secretEnv names that this program creates: what the workload waits for. */
export function secretEnvResources(args: ServerlessServiceArgs): pulumi.Resource[] {
    return [...new Set(Object.values(args.kubernetes?.secretEnv ?? {}).flatMap((ref) => (ref.secret ? [ref.secret] : [])))];
}
