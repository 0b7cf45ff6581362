/**
 * What every serverless service component shares: the arguments of one HTTP workload (size, scale,
 * exposure), the outputs behind which every runtime looks the same (`ServerlessServiceOutputs`), and
 * the checks each constructor runs before it registers anything.
 */
import * as pulumi from "@pulumi/pulumi";
import { shapeProblems, type ServerlessPlatform, type ServiceRuntime } from "./rules";

/** The arguments every runtime takes. Each runtime's Args interface extends it with where the service runs. */
export interface ServerlessServiceBaseArgs {
    /** Service name (DNS label, at most 24 characters); names the cloud resources too. */
    name: string;
    image: pulumi.Input<string>;
    /** Port the container listens on (SpinKube serves on its own port and ignores it). */
    port: number;
    /** Instances kept warm; 0 scales to zero. */
    minScale: number;
    maxScale: number;
    /** Requests per instance at once. */
    concurrency: number;
    /** vCPU per instance. */
    cpu: number;
    /** MiB per instance. */
    memory: number;
    env?: Record<string, pulumi.Input<string>>;
    /** Reachable from outside the platform network; requires `edgeException`. */
    public?: boolean;
    /** The reason this service is a public edge (required with `public`). */
    edgeException?: string;
    tags?: pulumi.Input<Record<string, pulumi.Input<string>>>;
}

/** What every serverless service component outputs, whatever runs it. */
export interface ServerlessServiceOutputs {
    /** URL reachable from inside the platform network (or the cluster). */
    url: pulumi.Output<string>;
    /** The identity the service runs as: SA email, role ARN, managed identity id or mesh principal. */
    identity: pulumi.Output<string>;
}

/** The type token of the one union component these replace: their aliases keep its resources in place. */
export const LEGACY_SERVERLESS_SERVICE_TYPE = "platform:index:ServerlessService";

/** `opts` plus the alias from the former ServerlessService (its children follow their parent's alias). */
export function withServerlessServiceAlias(opts: pulumi.ComponentResourceOptions | undefined): pulumi.ComponentResourceOptions {
    return pulumi.mergeOptions(opts, { aliases: [{ type: LEGACY_SERVERLESS_SERVICE_TYPE }] });
}

const NAME = /^[a-z]([-a-z0-9]{0,22}[a-z0-9])?$/;
const ANONYMOUS_INVOKERS = ["allUsers", "allAuthenticatedUsers", "*"];

/** Every problem of the shared arguments on `platform`, as `args.<path>: …; allowed: …` lines. */
export function serviceArgsProblems(platform: ServerlessPlatform, runtime: ServiceRuntime, args: ServerlessServiceBaseArgs, invokers: string[] = []): string[] {
    const problems: string[] = [];
    if (!NAME.test(args.name)) {
        problems.push(`args.name: ${JSON.stringify(args.name)} is not allowed; allowed: 1-24 lowercase letters, digits or '-', starting with a letter`);
    }
    problems.push(...shapeProblems(platform, { ...args, runtime }).map((p) => `args.${p.field}: ${p.message}`));
    if (args.public && !args.edgeException) {
        problems.push(`args.public: true without args.edgeException; allowed: public false, or an edgeException naming why this service is a public edge`);
    }
    for (const [i, m] of invokers.entries()) {
        if (ANONYMOUS_INVOKERS.includes(m)) problems.push(`args.invokers[${i}]: ${JSON.stringify(m)} would allow anonymous calls; allowed: named identities only`);
    }
    return problems;
}

/** Throws one Error listing every problem as `<Class> <name>: <problem>`; does nothing without problems. */
export function refuseArgs(className: string, name: string, problems: string[]): void {
    if (problems.length) throw new Error(problems.map((p) => `${className} ${name}: ${p}`).join("\n"));
}

/**
 * The component's own `dependsOn` plus `extra`, for children that must wait for both. A component's
 * dependsOn orders its registration, but the engine records a dependency only on the resource that
 * names it: what its children read (a Secret, the mesh's CRDs) is passed on explicitly.
 */
export function dependsOnWith(opts: pulumi.ComponentResourceOptions | undefined, extra: pulumi.Resource[] = []): pulumi.Input<pulumi.Resource>[] {
    const own = opts?.dependsOn;
    if (own === undefined) return extra;
    if (Array.isArray(own)) return [...own, ...extra];
    // A single resource, or a promise or output of resources: the SDK gathers nested dependsOn entries.
    return [own as pulumi.Input<pulumi.Resource>, ...extra];
}
