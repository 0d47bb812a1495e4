import * as cloudflare from "@pulumi/cloudflare";
import * as pulumi from "@pulumi/pulumi";
import type { CloudflareConfig } from "../config/edge";
import type { Environment } from "../config/primitives";
import { PerEnvironment } from "../shared/environment";
import { Phase, planAtLeast, rulesByPhase, WafSettings } from "./rulesets";

/**
 * Per-environment edge posture, where the stack does not set it. (Cloudflare now acts only on the
 * `under_attack` and `off` security levels; the others are kept as the declared posture.)
 */
export const edgeDefaults: PerEnvironment<{
    securityLevel: string;
    owaspParanoiaLevel: number;
    owaspSensitivity: WafSettings["sensitivity"];
}> = {
    dev: { securityLevel: "medium", owaspParanoiaLevel: 1, owaspSensitivity: "low" },
    staging: { securityLevel: "medium", owaspParanoiaLevel: 1, owaspSensitivity: "medium" },
    production: { securityLevel: "high", owaspParanoiaLevel: 2, owaspSensitivity: "high" },
};

/**
 * Zone settings, as the API names them (snake_case ids and value keys: camelCase ones are
 * never equal to what Cloudflare returns, so previews would never settle). Exported for tests.
 */
export function zoneSettings(securityLevel: string): Record<string, unknown> {
    return {
        ssl: "strict",
        min_tls_version: "1.2",
        tls_1_3: "on",
        always_use_https: "on",
        automatic_https_rewrites: "on",
        http3: "on",
        security_level: securityLevel,
        security_header: {
            strict_transport_security: { enabled: true, max_age: 31536000, include_subdomains: true, preload: true, nosniff: true },
        },
    };
}

/** DNS record type for an address: A for IPv4, AAAA for IPv6, CNAME for a host name. */
export function recordType(address: string): "A" | "AAAA" | "CNAME" {
    if (/^\d{1,3}(\.\d{1,3}){3}$/.test(address)) return "A";
    if (address.includes(":")) return "AAAA";
    return "CNAME";
}

export interface CloudflareEdgeArgs {
    environment: Environment;
    config: CloudflareConfig;
    /** The API token (a Pulumi secret); without it the provider reads CLOUDFLARE_API_TOKEN. */
    apiToken?: pulumi.Output<string>;
    /** Public hosts served through the ingress controller. */
    hosts: string[];
    /** The ingress controller's load balancer address (IP or host name). */
    ingressAddress: pulumi.Output<string>;
}

/**
 * The platform's Cloudflare edge: zone security settings, proxied DNS for every public host
 * pointing at the ingress load balancer, the WAF (managed and custom rules), rate limits, HTTP
 * DDoS sensitivity and bot protection. All through one explicit provider.
 */
export class CloudflareEdge extends pulumi.ComponentResource {
    readonly zoneId: string;
    readonly hosts: string[];

    constructor(name: string, args: CloudflareEdgeArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:edge:CloudflareEdge", name, {}, opts);
        const cf = args.config;
        const d = edgeDefaults[args.environment];
        const provider = new cloudflare.Provider(`${name}-provider`, { apiToken: args.apiToken }, { parent: this });
        const child = { parent: this, provider };
        this.zoneId = cf.zoneId;
        this.hosts = args.hosts;

        for (const [settingId, value] of Object.entries(zoneSettings(cf.securityLevel ?? d.securityLevel))) {
            new cloudflare.ZoneSetting(`${name}-setting-${settingId.replace(/_/g, "-")}`, { zoneId: cf.zoneId, settingId, value }, child);
        }

        // Records wait for the address: Pulumi creates them once the load balancer reports it.
        const address = args.ingressAddress.apply((a) => {
            if (!a) throw new Error("the ingress load balancer has no address yet; DNS cannot point at it");
            return a;
        });
        for (const host of args.hosts) {
            new cloudflare.DnsRecord(
                `${name}-record-${host}`,
                {
                    zoneId: cf.zoneId,
                    name: host,
                    type: address.apply(recordType),
                    content: address,
                    proxied: true,
                    ttl: 1, // "automatic": required for proxied records
                    comment: "Ingress host, managed by the platform program",
                },
                child,
            );
        }
        for (const record of cf.records) {
            new cloudflare.DnsRecord(
                `${name}-extra-${record.type.toLowerCase()}-${record.name}`,
                {
                    zoneId: cf.zoneId,
                    name: record.name,
                    type: record.type,
                    content: record.content,
                    proxied: record.proxied ?? false,
                    ttl: record.proxied ? 1 : (record.ttl ?? 3600),
                    priority: record.priority,
                },
                child,
            );
        }

        const waf: WafSettings = {
            plan: cf.plan,
            paranoiaLevel: cf.waf.owaspParanoiaLevel ?? d.owaspParanoiaLevel,
            sensitivity: cf.waf.owaspSensitivity ?? d.owaspSensitivity,
        };
        for (const [phase, rules] of Object.entries(rulesByPhase(cf, waf)) as [Phase, cloudflare.types.input.RulesetRule[]][]) {
            if (rules.length === 0) continue;
            new cloudflare.Ruleset(
                `${name}-${phase.replace(/_/g, "-")}`,
                {
                    zoneId: cf.zoneId,
                    kind: "zone",
                    phase,
                    name: `platform ${phase}`,
                    description: `Platform ${phase} entrypoint (one per zone and phase)`,
                    rules,
                },
                // Only one entrypoint ruleset may exist per zone and phase: a replacement (a renamed
                // ruleset, say) must delete the old one before creating the new one.
                { ...child, deleteBeforeReplace: true },
            );
        }

        // Bot protection: Bot Fight Mode on Free, Super Bot Fight Mode on Pro and Business;
        // Enterprise bot management acts through the bot-score rule in the custom phase.
        new cloudflare.BotManagement(
            `${name}-bots`,
            planAtLeast(cf.plan, "pro")
                ? {
                      zoneId: cf.zoneId,
                      enableJs: true,
                      sbfmDefinitelyAutomated: "block",
                      sbfmVerifiedBots: "allow",
                      ...(planAtLeast(cf.plan, "business") ? { sbfmLikelyAutomated: "managed_challenge" } : {}),
                  }
                : { zoneId: cf.zoneId, enableJs: true, fightMode: true },
            child,
        );
        this.registerOutputs({ zoneId: this.zoneId, hosts: this.hosts });
    }
}
