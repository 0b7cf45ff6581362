/** IPv4 CIDR arithmetic shared by the components (subnet plans, policy addresses) and the stack config (alignment and overlap checks). */

export interface Cidr {
    base: number;
    prefix: number;
}

export function parseCidr(text: string): Cidr {
    const [ip, bits] = text.split("/");
    const octets = ip.split(".").map(Number);
    const base = ((octets[0] << 24) | (octets[1] << 16) | (octets[2] << 8) | octets[3]) >>> 0;
    return { base, prefix: Number(bits) };
}

function mask(prefix: number): number {
    return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

/** True when the address is the network address of its prefix (10.0.0.0/16, not 10.0.1.0/16). */
export function isAligned(text: string): boolean {
    const c = parseCidr(text);
    return (c.base & mask(c.prefix)) >>> 0 === c.base;
}

export function overlaps(a: string, b: string): boolean {
    const x = parseCidr(a);
    const y = parseCidr(b);
    const m = mask(Math.min(x.prefix, y.prefix));
    return (x.base & m) >>> 0 === (y.base & m) >>> 0;
}

function format(base: number, prefix: number): string {
    return `${base >>> 24}.${(base >>> 16) & 255}.${(base >>> 8) & 255}.${base & 255}/${prefix}`;
}

/** The `index`-th subnet of `newPrefix` inside `parent` (like Terraform's cidrsubnet). */
export function subnet(parent: string, newPrefix: number, index: number): string {
    const p = parseCidr(parent);
    if (newPrefix < p.prefix || newPrefix > 32) throw new Error(`cannot cut a /${newPrefix} out of ${parent}`);
    const count = 2 ** (newPrefix - p.prefix);
    if (index < 0 || index >= count) throw new Error(`${parent} holds ${count} /${newPrefix} subnets; index ${index} is out of range`);
    return format((p.base + index * 2 ** (32 - newPrefix)) >>> 0, newPrefix);
}

/** The n-th host address in a CIDR (e.g. the DNS service IP inside a service range). */
export function host(cidr: string, n: number): string {
    const p = parseCidr(cidr);
    return format((p.base + n) >>> 0, 32).replace(/\/32$/, "");
}

/** True when `inner` lies inside `outer` (equal ranges included). */
export function cidrContains(outer: string, inner: string): boolean {
    return parseCidr(inner).prefix >= parseCidr(outer).prefix && overlaps(outer, inner);
}
