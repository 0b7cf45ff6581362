/**
 * Container Apps reachable from the platform network, and only from it: the azure stack's services (Pulumi.azure.yaml)
 * as planned. Rules over every app and the environment, plus the error bad caller ranges get.
 */
import { Provider as AzureProvider } from "@pulumi/azure-native/provider";
import { beforeAll, describe, expect, it } from "vitest";
import { ContainerAppService, type ContainerAppServiceArgs } from "../components/serverless";
import { overlaps, parseCidr } from "../components/contracts/cidr";
import { planStack, type Plan, type RecordedResource } from "../tools/plan/index";
import { runUnderMocks } from "../tools/plan/runtime";

const T = {
    env: "azure-native:app:ManagedEnvironment",
    app: "azure-native:app:ContainerApp",
    zone: "azure-native:privatedns:PrivateZone",
    link: "azure-native:privatedns:VirtualNetworkLink",
    record: "azure-native:privatedns:PrivateRecordSet",
    vnet: "azure-native:network:VirtualNetwork",
};
const all = (rs: RecordedResource[], type: string) => rs.filter((r) => r.type === type);
const only = (rs: RecordedResource[], type: string) => {
    const found = all(rs, type);
    expect(found, `exactly one ${type}`).toHaveLength(1);
    return found[0]!;
};

describe("Container Apps on the azure stack", () => {
    let plan: Plan;
    let res: RecordedResource[];
    let vnetCidr: string;
    beforeAll(async () => {
        plan = await planStack("azure");
        res = plan.resources;
        vnetCidr = (only(res, T.vnet).inputs as any).addressSpace.addressPrefixes[0];
    });

    it("keeps the environment internal to the VNet (internal load balancer only)", () => {
        expect((only(res, T.env).inputs as any).vnetConfiguration).toMatchObject({ internal: true });
    });

    it("makes every app reachable from the VNet and admits only the platform network's ranges", () => {
        const apps = all(res, T.app);
        expect(apps.length).toBeGreaterThan(0);
        for (const app of apps) {
            const ingress = (app.inputs as any).configuration.ingress;
            // Internal environment: external = "Limited to VNet"; false would confine callers to the environment.
            expect(ingress.external, app.name).toBe(true);
            expect(ingress.allowInsecure, app.name).toBe(false);
            const rules = ingress.ipSecurityRestrictions as any[];
            expect(rules.length, app.name).toBeGreaterThan(0);
            for (const rule of rules) {
                // All Allow (Container Apps then denies every other source), each inside the platform VNet.
                expect(rule.action, `${app.name}/${rule.name}`).toBe("Allow");
                expect(overlaps(rule.ipAddressRange, vnetCidr) && parseCidr(rule.ipAddressRange).prefix >= parseCidr(vnetCidr).prefix, rule.ipAddressRange).toBe(true);
            }
            // The cluster's nodes (where its pods' calls come from) are inside the admitted ranges.
            expect(rules.some((r) => r.ipAddressRange === vnetCidr)).toBe(true);
        }
    });

    it("resolves the environment's default domain in the VNet: a private zone of that name, linked, with a wildcard A record to the static IP", () => {
        const env = only(res, T.env);
        // The environment's own DNS (other capabilities, e.g. Event Hubs' private endpoint, bring their own zones).
        const ofEnv = res.filter((r) => /platform:index:ContainerAppsEnvironment::/.test(r.parent));
        const zone = only(ofEnv, T.zone);
        // The environment's outputs as the mocks give them (defaultDomain, staticIp) are what the zone and record carry.
        const envOutputs = { defaultDomain: `mockdomain-1a2b3c4d.${(env.inputs as any).location}.azurecontainerapps.io`, staticIp: "10.20.8.100" };
        expect(zone.inputs).toMatchObject({ privateZoneName: envOutputs.defaultDomain, location: "Global" });
        const link = only(ofEnv, T.link);
        const vnet = only(res, T.vnet);
        expect(link.inputs).toMatchObject({ privateZoneName: envOutputs.defaultDomain, registrationEnabled: false });
        expect((link.inputs as any).virtualNetwork.id).toMatch(new RegExp(`/providers/Microsoft\\.Network/virtualNetworks/${vnet.name}$`));
        const record = only(ofEnv, T.record);
        expect(record.inputs).toMatchObject({
            privateZoneName: envOutputs.defaultDomain,
            recordType: "A",
            relativeRecordSetName: "*",
            aRecords: [{ ipv4Address: envOutputs.staticIp }],
        });
        // Every app URL is a name in that zone (the wildcard covers it), not an environment-only `.internal.` name.
        const services = plan.outputs["services"] as Record<string, Record<string, { platform: string; url: string }>>;
        const urls = Object.values(services).flatMap((targets) => Object.values(targets)).filter((t) => t.platform === "containerapps").map((t) => t.url);
        expect(urls.length).toBeGreaterThan(0);
        for (const url of urls) {
            const host = new URL(url).hostname;
            expect(host.endsWith(`.${envOutputs.defaultDomain}`), url).toBe(true);
            expect(host.split(".").length, url).toBe(envOutputs.defaultDomain.split(".").length + 1);
        }
    });
});

describe("Container Apps caller ranges", () => {
    const base: ContainerAppServiceArgs = {
        name: "orders",
        image: "ghcr.io/acme/orders:1.0.0",
        port: 8080,
        minScale: 0,
        maxScale: 5,
        concurrency: 40,
        cpu: 1,
        memory: 2048,
        resourceGroupName: "rg",
        location: "swedencentral",
        environmentId: "env-id",
        callerRanges: [],
    };
    it.each([
        [undefined, /ContainerAppService orders: args\.callerRanges: none given; allowed: the platform network's IPv4 ranges/],
        [[], /args\.callerRanges: none given/],
        [["0.0.0.0/0"], /args\.callerRanges\[0\]: "0\.0\.0\.0\/0" would admit every address/],
        [["10.20.0.0/16", "vnet"], /args\.callerRanges\[1\]: "vnet" is not an IPv4 CIDR; allowed: a range such as 10\.20\.0\.0\/16/],
    ])("refuses %j before registering the app or its identity", async (callerRanges, message) => {
        const sink: RecordedResource[] = [];
        const run = runUnderMocks(
            () => {
                const provider = new AzureProvider("azure", { location: "swedencentral" });
                return new ContainerAppService(
                    "orders",
                    { ...base, callerRanges: callerRanges as string[] },
                    { providers: { "azure-native": provider } },
                ).url;
            },
            { project: "platform", stack: "test", sink },
        ).catch(async (e) => {
            await new Promise((r) => setTimeout(r, 300));
            throw e;
        });
        await expect(run).rejects.toThrow(message);
        expect(sink.filter((r) => r.type === T.app || r.type === "azure-native:managedidentity:UserAssignedIdentity")).toEqual([]);
    });
});
