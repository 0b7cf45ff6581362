/**
 * The Azure key's version schedule against what AKS KMS (legacy, the GA one the cluster uses) tolerates:
 * a version AKS still needs must not expire ("If the key is expired, the KMS plugin will fail to decrypt
 * the existing secrets"), and AKS keeps only its current and previous version ("After you rotate the
 * key, the previous key (key1) is still cached … rotate the key twice. Then key2 and key3 are cached"),
 * both from learn.microsoft.com/azure/aks/use-kms-etcd-encryption. The runbook's deadline
 * (`reencryptWithinDays`, docs/azure.md) is checked by playing rotations, `pulumi up`s and re-encryptions
 * day by day, with the worst timings an operator may choose within it.
 */
import { describe, expect, it } from "vitest";
import { azureKeyVersionSchedule, type AzureKeyVersionSchedule } from "../components/keys/azure";
import { planStack } from "../tools/plan/index";

/**
 * Plays `cycles` rotations. Version k is created on day k*rotate. AKS moves to the newest version on
 * day k*rotate + moveDelay (a `pulumi up`); Secrets are re-encrypted to AKS's current version on day
 * k*rotate + reencryptDelay. Events of one day run in that order: creation, move, re-encryption. After
 * each event, Secrets must be wrapped by a version AKS still caches, and no version AKS needs may have
 * expired. Returns the first broken rule, or undefined.
 */
function play(s: AzureKeyVersionSchedule, moveDelay: number, reencryptDelay: number, cycles = 5): string | undefined {
    const created = (v: number) => v * s.rotateAfterDays;
    const expired = (v: number, day: number) => day >= created(v) + s.expiresAfterDays;
    let newest = 0;
    let current = 0;
    let previous: number | undefined;
    let secrets = 0;
    const check = (day: number, after: string) => {
        if (secrets !== current && secrets !== previous) return `day ${day} (${after}): Secrets under v${secrets}, AKS caches v${current} and v${previous}`;
        for (const v of new Set([current, secrets])) if (expired(v, day)) return `day ${day} (${after}): v${v} expired while AKS needs it`;
        return undefined;
    };
    for (let day = 0; day <= (cycles + 1) * s.rotateAfterDays; day++) {
        if (day > 0 && day % s.rotateAfterDays === 0) newest = day / s.rotateAfterDays;
        for (let k = 1; k <= newest; k++) {
            if (day === created(k) + moveDelay && current !== k) {
                previous = current;
                current = k;
                const broken = check(day, `pulumi up moves AKS to v${k}`);
                if (broken) return broken;
            }
        }
        for (let k = 1; k <= newest; k++) {
            if (day === created(k) + reencryptDelay && current === k) {
                secrets = k;
            }
        }
        const broken = check(day, "end of day");
        if (broken) return broken;
    }
    return undefined;
}

describe("Azure key versions and AKS KMS re-encryption", () => {
    for (const rotationDays of [7, 30, 60, 89, 90]) {
        it(`rotation every ${rotationDays} days: moving AKS and re-encrypting within ${azureKeyVersionSchedule(rotationDays).reencryptWithinDays} days of each rotation never loses a Secret`, () => {
            const s = azureKeyVersionSchedule(rotationDays);
            expect(s.expiresAfterDays).toBeGreaterThan(s.rotateAfterDays);
            expect(s.reencryptWithinDays).toBeGreaterThan(0);
            // Any move day and any later re-encryption day inside the window (the last whole day is W - 1).
            for (const moveDelay of [0, s.reencryptWithinDays - 1]) {
                for (const reencryptDelay of [moveDelay, s.reencryptWithinDays - 1]) {
                    expect(play(s, moveDelay, reencryptDelay), `move +${moveDelay}d, re-encrypt +${reencryptDelay}d`).toBeUndefined();
                }
            }
            // The window is tight: re-encrypting on its last day or later, after the next up, loses Secrets.
            expect(play(s, 0, s.reencryptWithinDays)).toMatch(/Secrets under v\d+, AKS caches|expired/);
            // Without re-encryption the cluster loses the first Secrets at the second move.
            expect(play(s, 0, Number.MAX_SAFE_INTEGER)).toMatch(/Secrets under v0/);
        });
    }

    it("the planned key policy is the schedule the runbook's deadline is computed from", async () => {
        const plan = await planStack("azure");
        const keys = plan.resources.filter((r) => r.type === "azure-native:keyvault:Key");
        expect(keys.length).toBeGreaterThan(0);
        for (const key of keys) {
            const policy = (key.inputs as any).properties.rotationPolicy;
            const rotate = Number(/^P(\d+)D$/.exec(policy.lifetimeActions.find((a: any) => a.action.type === "rotate").trigger.timeAfterCreate)![1]);
            const s = azureKeyVersionSchedule(rotate);
            expect(policy.attributes.expiryTime, key.name).toBe(`P${s.expiresAfterDays}D`);
            expect(policy.lifetimeActions, key.name).toContainEqual({ trigger: { timeBeforeExpiry: `P${s.notifyBeforeExpiryDays}D` }, action: { type: "notify" } });
            expect(play(s, 0, s.reencryptWithinDays - 1), key.name).toBeUndefined();
        }
    });
});
