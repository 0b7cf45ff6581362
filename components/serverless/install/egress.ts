/**
 * A named egress exception as the runtimes take it: what `platform:network.egressExceptions` holds, with
 * the ports left to the runtime's own flow when unset. A named interface (not a mapped type of
 * EgressException), so a Pulumi schema can carry it.
 */
import type { EgressException } from "../../namespace";

export interface EgressExceptionArgs {
    /** The exception's name (what the NetworkPolicy `allow-egress-<name>` is called after). */
    name: string;
    /** Destination addresses (private ranges inside them are always excluded). */
    cidrs: string[];
    /** TCP ports; unset: 443, the port of the runtime's flow. */
    ports?: number[];
    /** Why the platform needs this destination (annotated on the policy). */
    reason: string;
    /** The hosts the addresses stand for (documentation). */
    fqdns?: string[];
}

/** The exception with its ports filled in (443 unless given). */
export function withHttpsDefault(exception: EgressExceptionArgs): EgressException {
    return { ...exception, ports: exception.ports ?? [443] };
}

/** What is wrong with an egress exception argument (`where` names it, e.g. "args.registryEgress"). */
export function egressExceptionProblems(exception: EgressExceptionArgs | undefined, where: string): string[] {
    if (!exception) return [];
    const problems: string[] = [];
    if (!exception.name) problems.push(`${where}.name: ${JSON.stringify(exception.name)} is missing; allowed: the exception's name`);
    if (!exception.cidrs?.length) problems.push(`${where}.cidrs: none given; allowed: at least one IPv4 CIDR`);
    if (!exception.reason?.trim()) problems.push(`${where}.reason: ${JSON.stringify(exception.reason)} is missing; allowed: why the platform needs this destination`);
    for (const [i, port] of (exception.ports ?? []).entries()) {
        if (!Number.isInteger(port) || port < 1 || port > 65535) problems.push(`${where}.ports[${i}]: ${port} is not allowed; allowed: a TCP port 1-65535`);
    }
    return problems;
}
