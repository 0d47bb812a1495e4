import type { PolicyResource, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";

/** The Cloudflare edge: records proxied, and every zone guarded by WAF, rate limits and strict TLS. */

export const managedRulesets = {
    cloudflareManaged: "efb7b8c949ac4650a09736fc376e9aee",
    owaspCore: "4814384a9e5d4991b9815dcfc25d2f1f",
} as const;

const rulesetType = "cloudflare:index/ruleset:Ruleset";
const zoneSettingType = "cloudflare:index/zoneSetting:ZoneSetting";

export const proxiedRecords: ResourceValidationPolicy = {
    name: "dns-records-proxied",
    description: "Address records (A, AAAA, CNAME) are proxied through Cloudflare, so WAF and DDoS protection apply.",
    configSchema: { properties: { unproxied: { type: "array", items: { type: "string" }, default: [] } } },
    validateResource: (args, reportViolation) => {
        if (args.type !== "cloudflare:index/dnsRecord:DnsRecord" && args.type !== "cloudflare:index/record:Record") return;
        const { unproxied } = args.getConfig<{ unproxied: string[] }>();
        if (["A", "AAAA", "CNAME"].includes(args.props.type) && args.props.proxied !== true && !unproxied.includes(args.props.name)) {
            reportViolation(`DNS record ${args.props.name} (${args.props.type}) is not proxied`);
        }
    },
};

function zonesOf(resources: PolicyResource[]): string[] {
    return [
        ...new Set(
            resources
                .filter((r) => r.type.startsWith("cloudflare:") && typeof r.props.zoneId === "string")
                .map((r) => r.props.zoneId as string),
        ),
    ];
}

const rulesetsOf = (resources: PolicyResource[], zone: string, phase: string) =>
    resources.filter((r) => r.type === rulesetType && r.props.zoneId === zone && r.props.phase === phase);

export const zoneWafAndRateLimits: StackValidationPolicy = {
    name: "zone-waf-and-rate-limits",
    description:
        "Every zone deploys the Cloudflare Managed and OWASP rulesets, custom WAF rules and rate limits (mandatory for production stacks).",
    validateStack: (args, reportViolation) => {
        for (const zone of zonesOf(args.resources)) {
            const managed = rulesetsOf(args.resources, zone, "http_request_firewall_managed").flatMap((r) => r.props.rules ?? []);
            for (const [label, id] of Object.entries(managedRulesets)) {
                if (
                    !managed.some(
                        (rule: { action?: string; enabled?: boolean; actionParameters?: { id?: string } }) =>
                            rule.action === "execute" && rule.enabled !== false && rule.actionParameters?.id === id,
                    )
                ) {
                    reportViolation(`zone ${zone} does not execute the ${label} ruleset (${id})`);
                }
            }
            for (const [phase, what] of [
                ["http_request_firewall_custom", "custom WAF rules"],
                ["http_ratelimit", "rate limiting rules"],
            ]) {
                const rules = rulesetsOf(args.resources, zone, phase).flatMap((r) => r.props.rules ?? []);
                if (!rules.some((rule: { enabled?: boolean }) => rule.enabled !== false))
                    reportViolation(`zone ${zone} has no ${what} (${phase})`);
            }
        }
    },
};

export const zoneTls: StackValidationPolicy = {
    name: "zone-tls-settings",
    description: "Every zone requires TLS 1.2 or newer and validates the origin certificate (SSL mode strict).",
    validateStack: (args, reportViolation) => {
        const settings = args.resources.filter((r) => r.type === zoneSettingType);
        const setting = (zone: string, id: string) =>
            settings.find((s) => s.props.zoneId === zone && s.props.settingId === id)?.props.value;
        for (const zone of zonesOf(args.resources)) {
            const minTls = setting(zone, "min_tls_version");
            if (minTls === undefined || Number(minTls) < 1.2)
                reportViolation(`zone ${zone} allows TLS below 1.2 (min_tls_version is ${minTls ?? "unset"})`);
            const ssl = setting(zone, "ssl");
            if (ssl !== "strict" && ssl !== "origin_pull") reportViolation(`zone ${zone} SSL mode is ${ssl ?? "unset"}, not strict`);
        }
    },
};

export const cloudflarePolicies = [proxiedRecords, zoneWafAndRateLimits, zoneTls];
