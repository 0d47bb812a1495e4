import type * as cloudflare from "@pulumi/cloudflare";
import type { CloudflareConfig } from "../config/edge";
import { planAtLeast } from "../config/edge";

/**
 * Zone bot settings that never break an API client.
 * - Free: Bot Fight Mode, which no rule can skip: it stays off when the stack has API hosts
 *   (it would challenge every SDK and mobile client), on otherwise.
 * - Pro and Business (and Enterprise without Bot Management, which gets Business' Super Bot
 *   Fight Mode): definitely automated traffic blocked, likely automated challenged on Business;
 *   API hosts skip the whole phase through the `skip-api-clients` custom rule.
 * - Enterprise with Bot Management: the bot score rule on browser hosts decides; the model keeps
 *   itself current.
 * Exported for tests.
 */
export function botSettings(cf: Pick<CloudflareConfig, "zoneId" | "plan" | "addOns" | "apiHosts">): cloudflare.BotManagementArgs {
    if (cf.addOns.includes("botManagement")) return { zoneId: cf.zoneId, enableJs: true, autoUpdateModel: true };
    if (!planAtLeast(cf.plan, "pro")) return { zoneId: cf.zoneId, enableJs: true, fightMode: cf.apiHosts.length === 0 };
    return {
        zoneId: cf.zoneId,
        enableJs: true,
        sbfmDefinitelyAutomated: "block",
        sbfmVerifiedBots: "allow",
        ...(planAtLeast(cf.plan, "business") ? { sbfmLikelyAutomated: "managed_challenge" } : {}),
    };
}
