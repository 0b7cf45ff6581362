/**
 * Address ranges that never route to the public internet: RFC 1918 private, shared (CGNAT), loopback and
 * link-local. The platform excludes them where it means "public addresses only" (a NetworkPolicy
 * `ipBlock.except`), and the zero-trust pack treats sources inside them as private. No imports: the policy
 * pack loads it at start-up.
 */
export const PRIVATE_IPV4_RANGES = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16"] as const;
export const PRIVATE_IPV6_RANGES = ["fc00::/7", "fe80::/10", "::1/128"] as const;
