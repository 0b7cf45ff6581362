/**
 * Reads and validates the `platform:*` stack configuration. Stacks call `loadPlatformConfig()`;
 * components never read config, they receive the typed result.
 */
import * as pulumi from "@pulumi/pulumi";
import type { z } from "zod";
import { CLOUDS, type Cloud, type Geography } from "../../components/regions";
import { RegionError, resolveRegion, type RegionChoice } from "../../components/regions/resolve";
import { overlaps, parseCidr } from "../../components/contracts/cidr";
import { CARBON_SIGNAL_TOKEN_KEY, carbonScalingProblems, configSecretCheck, placementOptions } from "./carbon";
import { checkKafkaConfig, kafkaBackendFor } from "./kafka";
import { networkProblems } from "./egress";
import { clusterSecretsProblems } from "./secret-sources";
import { lambdaImageProblems, servicesProblems } from "./services";
import { applyServiceGraph } from "./service-graph";
import { meshProblems, meshRequiredProblems, platformNamespaces } from "./mesh";
import { platformConfigSchema, type ParsedPlatformConfig, type Target } from "./schema";

export * from "./schema";

export const CONFIG_NAMESPACE = "platform";

/** The validated configuration with every enabled cloud's region resolved. */
export interface PlatformConfig extends ParsedPlatformConfig {
    /** Enabled clouds (the `kubernetes` target excluded). */
    enabledClouds: Cloud[];
    /** Resolved region per enabled cloud. */
    placement: Partial<Record<Cloud, RegionChoice>>;
}

/** A configuration that cannot be used. `problems` holds one line per bad setting. */
export class ConfigError extends Error {
    constructor(public readonly problems: string[]) {
        super(`Invalid stack configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
        this.name = "ConfigError";
    }
}

function keyOf(path: readonly PropertyKey[]): string {
    const [top, ...rest] = path.map(String);
    return `${CONFIG_NAMESPACE}:${top ?? ""}${rest.map((p) => (/^\d+$/.test(p) ? `[${p}]` : `.${p}`)).join("")}`;
}

function valueAt(raw: unknown, path: readonly PropertyKey[]): unknown {
    let v: any = raw;
    for (const p of path) v = v == null ? undefined : v[p as any];
    return v;
}

function show(value: unknown): string {
    return value === undefined ? "(unset)" : JSON.stringify(value);
}

/** The keys of the object schema at a config path (through defaults, optionals, arrays and records). */
function objectShapeAt(path: readonly PropertyKey[]): Record<string, unknown> {
    let node: any = platformConfigSchema;
    const unwrap = () => {
        while (node?.def && ["default", "prefault", "optional", "nullable", "pipe"].includes(node.def.type)) node = node.def.innerType ?? node.def.in;
    };
    for (const p of path) {
        unwrap();
        if (node?.def?.type === "array") node = node.def.element;
        else if (node?.def?.type === "record") node = node.def.valueType;
        else node = node?.shape?.[p as string];
    }
    unwrap();
    return node?.shape ?? {};
}

function describeIssue(raw: unknown, issue: z.core.$ZodIssue): string[] {
    if (issue.code === "unrecognized_keys") {
        return issue.keys.map((k) => {
            const known =
                issue.path.length === 0
                    ? Object.keys(platformConfigSchema.shape).map((s) => `${CONFIG_NAMESPACE}:${s}`)
                    : Object.keys(objectShapeAt(issue.path));
            return `${keyOf([...issue.path, k])} is not a known setting. Allowed: ${known.join(", ")}`;
        });
    }
    if (issue.code === "invalid_key") {
        const key = String(issue.path[issue.path.length - 1]);
        return [`${keyOf(issue.path)}: the key ${JSON.stringify(key)} ${issue.issues.map((i) => i.message).join("; ")}`];
    }
    const value = valueAt(raw, issue.path);
    let message = issue.message;
    if (issue.code === "invalid_value") message = `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}`;
    if (issue.code === "invalid_type") message = `must be ${issue.expected === "int" ? "a whole number" : `of type ${issue.expected}`}`;
    // YAML reads an unquoted 1.30 as the number 1.3: say so, and how to write it.
    if (issue.code === "invalid_type" && issue.expected === "string" && typeof value === "number")
        message += `; YAML read an unquoted number (1.30 becomes 1.3): write it in quotes, e.g. "${issue.path[issue.path.length - 1] === "kubernetesVersion" ? "1.34" : String(value)}"`;
    if (issue.code === "too_small" && issue.origin === "array") message = issue.message;
    return [`${keyOf(issue.path)}: ${show(value)} ${message.replace(/^Invalid input: /, "")}`];
}

/**
 * A container service runs on Knative, which scales on HTTP requests only: a Kafka consumer scaled to zero
 * never polls its topics. A container that subscribes therefore keeps one replica when `minScale` is not
 * set, and an explicit `minScale: 0` with `subscribes` is refused. (Wasm services already keep one
 * replica: SpinKube has no request-driven scale to zero.)
 */
function subscriberMinScale(raw: Record<string, unknown>, services: { runtime: string; minScale: number; subscribes: string[] }[], problems: string[]): void {
    const rawServices = Array.isArray(raw["services"]) ? (raw["services"] as Record<string, unknown>[]) : [];
    services.forEach((s, i) => {
        if (s.runtime !== "container" || s.subscribes.length === 0) return;
        if (rawServices[i]?.["minScale"] === undefined) s.minScale = Math.max(1, s.minScale);
        else if (s.minScale === 0) {
            problems.push(
                `platform:services[${i}].minScale: 0 with subscribes ${JSON.stringify(s.subscribes)}: a container service scales on HTTP requests only (Knative), so a consumer scaled to zero never polls its topics; allowed: minScale >= 1 (the default for a container that subscribes)`,
            );
        }
    });
}

/** Validates raw settings (keys without the `platform:` prefix) and resolves regions. */
export function parsePlatformConfig(raw: Record<string, unknown>, opts: { isSecret?: (fullKey: string) => boolean } = {}): PlatformConfig {
    const parsed = platformConfigSchema.safeParse(raw);
    if (!parsed.success) throw new ConfigError(parsed.error.issues.flatMap((i) => describeIssue(raw, i)));
    const problems: string[] = [];
    subscriberMinScale(raw, parsed.data.services, problems);
    // The service graph (calls/publishes/subscribes) becomes invokers, Kafka clients and topic producers/consumers.
    const cfg = applyServiceGraph(parsed.data, problems);

    if (cfg.cluster.minNodes > cfg.cluster.maxNodes) {
        problems.push(
            `platform:cluster.minNodes: ${cfg.cluster.minNodes} is greater than platform:cluster.maxNodes (${cfg.cluster.maxNodes}); minNodes must be <= maxNodes`,
        );
    }
    cfg.cluster.authorizedCidrs.forEach((c, i) => {
        if (parseCidr(c).prefix === 0) {
            problems.push(
                `platform:cluster.authorizedCidrs[${i}]: "${c}" would open the private API endpoints to the whole internet; list the VPN, bastion or CI networks instead`,
            );
        }
    });

    const { aws, azure, gcp } = cfg.network;
    const prefixBetween = (key: string, value: string, lo: number, hi: number) => {
        const p = parseCidr(value).prefix;
        if (p < lo || p > hi) problems.push(`${key}: "${value}" must have a prefix between /${lo} and /${hi}`);
    };
    prefixBetween("platform:network.aws.cidr", aws.cidr, 16, 20);
    prefixBetween("platform:network.azure.cidr", azure.cidr, 8, 22);
    prefixBetween("platform:network.gcp.cidr", gcp.cidr, 8, 24);
    prefixBetween("platform:network.gcp.podsCidr", gcp.podsCidr, 8, 21);
    const disjoint = (section: string, entries: Record<string, string>) => {
        const list = Object.entries(entries);
        for (let i = 0; i < list.length; i++)
            for (let j = i + 1; j < list.length; j++)
                if (overlaps(list[i][1], list[j][1]))
                    problems.push(
                        `platform:network.${section}.${list[j][0]}: "${list[j][1]}" overlaps platform:network.${section}.${list[i][0]} ("${list[i][1]}"); the ranges must be disjoint`,
                    );
    };
    disjoint("azure", azure);
    disjoint("gcp", gcp);

    const enabledClouds = CLOUDS.filter((c) => cfg.clouds.includes(c));
    const placement: Partial<Record<Cloud, RegionChoice>> = {};
    for (const cloud of enabledClouds) {
        try {
            // auto weighs the carbon settings and the services this stack needs on that cloud.
            placement[cloud] = resolveRegion(cloud, cfg.geography as Geography, cfg.regions[cloud], placementOptions(cfg, cloud));
        } catch (e) {
            if (!(e instanceof RegionError)) throw e;
            problems.push(`platform:regions.${cloud}: ${e.message}`);
        }
    }
    checkKafkaConfig(cfg, problems);
    problems.push(...servicesProblems(cfg.services, cfg.clouds));
    // AWS-specific: Lambda pulls from ECR in its own region only, so the check needs the resolved region.
    problems.push(...lambdaImageProblems(cfg.services, cfg.clouds, placement.aws?.region));
    problems.push(...meshProblems(cfg.mesh, platformNamespaces(cfg)));
    problems.push(...meshRequiredProblems(cfg));
    problems.push(...networkProblems({ ...cfg, azureKafkaManaged: kafkaBackendFor("azure", cfg.kafka) !== "strimzi" }));
    problems.push(...carbonScalingProblems({ ...cfg, placement }, opts.isSecret));
    problems.push(...clusterSecretsProblems(cfg));
    if (problems.length) throw new ConfigError(problems);
    return { ...cfg, enabledClouds, placement };
}

/** Turns the CLI's serialized config values (strings, JSON for objects and lists) back into values. */
export function decodeConfigValue(value: string): unknown {
    try {
        return JSON.parse(value);
    } catch {
        return value;
    }
}

/** Edit distance (insert, delete, substitute, swap two neighbours) between two short strings. */
function editDistance(a: string, b: string): number {
    const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
    for (let i = 1; i <= a.length; i++)
        for (let j = 1; j <= b.length; j++) {
            d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
            if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
        }
    return d[a.length][b.length];
}

/**
 * Config keys whose namespace looks like a misspelt `platform` (`platfrom:`, `Platform:`, `platforms:`):
 * the CLI would pass them on and the program would silently ignore them. Other providers' namespaces
 * (aws:, gcp:, azure-native:, kubernetes:, the project's own) stay allowed.
 */
export function misspeltNamespaceProblems(keys: string[]): string[] {
    const problems: string[] = [];
    for (const key of keys) {
        const ns = key.includes(":") ? key.slice(0, key.indexOf(":")) : "";
        if (!ns || ns === CONFIG_NAMESPACE) continue;
        if (editDistance(ns.toLowerCase(), CONFIG_NAMESPACE) <= 2)
            problems.push(`${key}: the namespace "${ns}" is not "${CONFIG_NAMESPACE}", so this setting would be ignored; allowed: ${CONFIG_NAMESPACE}:${key.slice(ns.length + 1)}`);
    }
    return problems;
}

/** Collects the `platform:*` settings the engine passed to this program. */
export function rawPlatformConfig(all: Record<string, string> = pulumi.runtime.allConfig()): Record<string, unknown> {
    const misspelt = misspeltNamespaceProblems(Object.keys(all));
    if (misspelt.length) throw new ConfigError(misspelt);
    const raw: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(all)) {
        if (!key.startsWith(`${CONFIG_NAMESPACE}:`)) continue;
        const name = key.slice(CONFIG_NAMESPACE.length + 1);
        const decoded = decodeConfigValue(value);
        // A plain string such as a region name or a geography stays a string even if it parses as JSON.
        // The signal token stays the exact string it was set to (a token may look like a number).
        raw[name] = (typeof decoded === "number" && name === "geography") || name === CARBON_SIGNAL_TOKEN_KEY ? value : decoded;
    }
    return raw;
}

/** Reads and validates the stack's configuration. Throws ConfigError before anything is registered. */
export function loadPlatformConfig(): PlatformConfig {
    return parsePlatformConfig(rawPlatformConfig(), { isSecret: configSecretCheck() });
}

export function isTarget(value: string): value is Target {
    return (["aws", "azure", "gcp", "kubernetes"] as string[]).includes(value);
}
