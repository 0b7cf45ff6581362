import { describe, expect, it } from "vitest";
import { ConfigError, parsePlatformConfig, platformConfigSchema } from "../stacks/config";
import { platformProgram } from "../stacks/program";
import { runUnderMocks, type RecordedResource } from "../tools/plan/runtime";
import { loadStackConfig, readProject } from "../tools/plan/stack-config";

function problems(raw: Record<string, unknown>): string[] {
    try {
        parsePlatformConfig(raw);
    } catch (e) {
        expect(e).toBeInstanceOf(ConfigError);
        return (e as ConfigError).problems;
    }
    throw new Error("expected the configuration to be rejected");
}

describe("platform config: bad values name the key, the value and what is allowed", () => {
    const cases: [string, Record<string, unknown>, RegExp[]][] = [
        ["unknown cloud", { clouds: ["aws", "oracle"] }, [/platform:clouds\[1\]/, /"oracle"/, /"aws", "azure", "gcp", "kubernetes"/]],
        ["empty cloud list", { clouds: [] }, [/platform:clouds/, /\[\]/, /at least one target/]],
        ["a cloud listed twice", { clouds: ["aws", "aws"] }, [/platform:clouds/, /\["aws","aws"\]/, /twice/]],
        ["unknown region for that cloud", { clouds: ["aws"], regions: { aws: "eu-moon-1" } }, [/platform:regions\.aws/, /"eu-moon-1"/, /not a region of AWS/, /eu-central-1/]],
        ["an Azure name used for GCP", { clouds: ["gcp"], regions: { gcp: "westeurope" } }, [/platform:regions\.gcp/, /"westeurope"/, /europe-west1/]],
        ["region outside the geography", { clouds: ["azure"], geography: "EU", regions: { azure: "eastus" } }, [/platform:regions\.azure/, /"eastus"/, /geography US/, /Allowed in EU: auto or one of .*westeurope/]],
        ["unknown geography", { clouds: ["aws"], geography: "Europe" }, [/platform:geography/, /"Europe"/, /"EU"/]],
        ["auto with no region of that cloud in the geography", { clouds: ["aws"], geography: "EEA" }, [/platform:regions\.aws/, /no (feasible )?AWS region in geography EEA/]],
        ["min nodes above max nodes", { clouds: ["aws"], cluster: { minNodes: 5, maxNodes: 3 } }, [/platform:cluster\.minNodes/, /5/, /platform:cluster\.maxNodes \(3\)/, /<= maxNodes/]],
        ["zero nodes", { clouds: ["aws"], cluster: { minNodes: 0 } }, [/platform:cluster\.minNodes/, /0/, /at least 1/]],
        ["fractional node count", { clouds: ["aws"], cluster: { maxNodes: 2.5 } }, [/platform:cluster\.maxNodes/, /2\.5/, /whole number/]],
        ["malformed CIDR", { clouds: ["aws"], network: { aws: { cidr: "10.0.0/16" } } }, [/platform:network\.aws\.cidr/, /"10\.0\.0\/16"/, /IPv4 CIDR such as 10\.0\.0\.0\/16/]],
        ["CIDR with host bits", { clouds: ["gcp"], network: { gcp: { cidr: "10.30.0.5/20" } } }, [/platform:network\.gcp\.cidr/, /"10\.30\.0\.5\/20"/, /network address/]],
        ["VPC too small for three zones", { clouds: ["aws"], network: { aws: { cidr: "10.10.0.0/24" } } }, [/platform:network\.aws\.cidr/, /"10\.10\.0\.0\/24"/, /between \/16 and \/20/]],
        ["overlapping GKE ranges", { clouds: ["gcp"], network: { gcp: { servicesCidr: "10.30.0.0/24" } } }, [/platform:network\.gcp\.servicesCidr/, /"10\.30\.0\.0\/24"/, /overlaps platform:network\.gcp\.cidr/]],
        ["API endpoint open to the internet", { clouds: ["aws"], cluster: { authorizedCidrs: ["0.0.0.0/0"] } }, [/platform:cluster\.authorizedCidrs\[0\]/, /"0\.0\.0\.0\/0"/, /whole internet/]],
        ["unknown node size", { clouds: ["aws"], cluster: { nodeSize: "huge" } }, [/platform:cluster\.nodeSize/, /"huge"/, /"small", "medium", "large"/]],
        ["malformed Kubernetes version", { clouds: ["aws"], cluster: { kubernetesVersion: "1.34.2" } }, [/platform:cluster\.kubernetesVersion/, /"1\.34\.2"/, /such as 1\.34/]],
        ["Kubernetes version the platform does not support", { clouds: ["aws"], cluster: { kubernetesVersion: "1.30" } }, [/platform:cluster\.kubernetesVersion/, /"1\.30"/, /not a supported version; allowed: 1\.33, 1\.34/]],
        ["mesh off while Strimzi and cluster services need it", { clouds: ["kubernetes"], mesh: { enabled: false }, kafka: { enabled: true }, services: [{ name: "api", image: "ghcr.io/acme/api:1.0.0" }] }, [/platform:mesh\.enabled: false cannot be combined with Strimzi Kafka \(on kubernetes\) and services on a cluster \("api"\)/, /allowed: true/]],
        ["misspelt top-level key", { clouds: ["aws"], regoins: { aws: "auto" } }, [/platform:regoins is not a known setting/, /platform:regions/]],
        ["misspelt nested key", { clouds: ["aws"], cluster: { maxNode: 3 } }, [/platform:cluster\.maxNode is not a known setting/, /maxNodes/]],
        ["region key for an unknown cloud", { clouds: ["aws"], regions: { oracle: "auto" } }, [/platform:regions\.oracle is not a known setting/, /aws, azure, gcp/]],
        ["wrong type of release channel", { clouds: ["gcp"], cluster: { releaseChannel: "FAST" } }, [/platform:cluster\.releaseChannel/, /"FAST"/, /"RAPID", "REGULAR", "STABLE"/]],
        ["admin that is not an IAM ARN", { clouds: ["aws"], cluster: { admins: { aws: ["platform-admins"] } } }, [/platform:cluster\.admins\.aws\[0\]/, /"platform-admins"/, /IAM role or user ARN without wildcards, such as arn:aws:iam::123456789012:role\//]],
        ["Azure admin that is not a group object id", { clouds: ["azure"], cluster: { admins: { azure: ["admins@contoso.com"] } } }, [/platform:cluster\.admins\.azure\[0\]/, /"admins@contoso\.com"/, /Entra group object id/]],
        ["tag key clouds reject", { clouds: ["aws"], tags: { "Cost Center": "x" } }, [/platform:tags\.Cost Center/, /"Cost Center"/, /lowercase letters, digits/]],
    ];
    it.each(cases)("%s", (_label, raw, expected) => {
        const text = problems(raw).join("\n");
        for (const re of expected) expect(text).toMatch(re);
    });

    it("reports every problem at once", () => {
        expect(problems({ clouds: ["aws"], cluster: { minNodes: 9, maxNodes: 3, authorizedCidrs: ["0.0.0.0/0"] } })).toHaveLength(2);
    });
});

describe("platform config: good values", () => {
    it("fills every default and resolves auto to the geography's default region", () => {
        const cfg = parsePlatformConfig({ clouds: ["aws", "azure", "gcp", "kubernetes"] });
        expect(cfg.enabledClouds).toEqual(["aws", "azure", "gcp"]);
        expect(cfg.geography).toBe("EU");
        expect(cfg.protect).toBe(true);
        expect(cfg.cluster).toMatchObject({ minNodes: 3, maxNodes: 6, nodeSize: "small", authorizedCidrs: [] });
        for (const cloud of cfg.enabledClouds) expect(cfg.placement[cloud]!.mode).toBe("auto");
    });

    it("allows the mesh off when nothing on a cluster relies on it", () => {
        const cfg = parsePlatformConfig({ clouds: ["gcp"], mesh: { enabled: false }, services: [{ name: "api", image: "ghcr.io/acme/api:1.0.0" }] });
        expect(cfg.mesh.enabled).toBe(false);
    });

    it("keeps an explicit region inside the geography", () => {
        const cfg = parsePlatformConfig({ clouds: ["gcp"], geography: "US", regions: { gcp: "us-west1" } });
        expect(cfg.placement.gcp).toMatchObject({ region: "us-west1", mode: "explicit" });
    });
});

describe("Pulumi.yaml declares the same keys and defaults as the schema", () => {
    const project = readProject();
    const shape = platformConfigSchema.shape as Record<string, any>;

    it("documents every schema key and nothing else", () => {
        const declared = Object.keys(project.defaults).filter((k) => k.startsWith("platform:")).map((k) => k.slice(9));
        expect(declared.sort()).toEqual(Object.keys(shape).sort());
    });

    it.each(Object.keys(platformConfigSchema.shape).filter((k) => k !== "clouds"))("default of platform:%s matches the schema", (key) => {
        expect(shape[key].parse(project.defaults[`platform:${key}`])).toEqual(shape[key].parse(undefined));
    });
});

describe("a bad stack config registers nothing", () => {
    it("fails inside the program before its first resource", async () => {
        const sc = loadStackConfig("dev", { overrides: { "platform:cluster": { minNodes: 4, maxNodes: 2 } } });
        const sink: RecordedResource[] = [];
        await expect(runUnderMocks(platformProgram, { ...sc, sink })).rejects.toThrow(/platform:cluster\.minNodes: 4/);
        // Only the engine's own root Stack component exists; no resource of the program was registered.
        expect(sink.map((r) => r.type)).toEqual(["pulumi:pulumi:Stack"]);
    });
});
