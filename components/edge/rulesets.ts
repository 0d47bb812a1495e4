import type * as cloudflare from "@pulumi/cloudflare";
import type { CloudflareConfig, CloudflarePlan, RateLimitRule } from "../config/edge";
import { defaultRateLimits } from "../config/edge";

/**
 * The edge's rules, as pure builders grouped by phase. Cloudflare allows one entrypoint ruleset
 * per zone and phase, so every feature contributes rules to a phase and the component creates
 * exactly one Ruleset per phase from the result. Every rule has a stable `ref`.
 */
export type Phase = "http_request_firewall_managed" | "http_request_firewall_custom" | "http_ratelimit" | "ddos_l7";
export type Rule = cloudflare.types.input.RulesetRule;

export const managedRulesetIds = {
    cloudflareManaged: "efb7b8c949ac4650a09736fc376e9aee",
    owaspCore: "4814384a9e5d4991b9815dcfc25d2f1f",
    freeManaged: "77454fe2d30c4220b5701f6fdfb893ba",
    httpDdos: "4d21379b4f9f4bb088e0729962c8b3cf",
} as const;

/** The OWASP ruleset's anomaly-score rule, whose threshold sets the sensitivity. */
export const owaspAnomalyRuleId = "6179ae15870a4bb7b2d480d4843b323c";
export const owaspThreshold = { low: 60, medium: 40, high: 25 } as const;

const rank: Record<CloudflarePlan, number> = { free: 0, pro: 1, business: 2, enterprise: 3 };
export const planAtLeast = (plan: CloudflarePlan, min: CloudflarePlan) => rank[plan] >= rank[min];

export interface WafSettings {
    plan: CloudflarePlan;
    paranoiaLevel: number;
    sensitivity: keyof typeof owaspThreshold;
}

/** A rule that runs a managed ruleset on every request, with optional overrides. */
function execute(
    ref: string,
    description: string,
    id: string,
    overrides?: cloudflare.types.input.RulesetRuleActionParametersOverrides,
): Rule {
    return { ref, description, expression: "true", action: "execute", actionParameters: { id, ...(overrides ? { overrides } : {}) } };
}

/** Managed rulesets: Cloudflare Managed and OWASP Core on Pro and above, the Free Managed ruleset on Free. */
export function managedWafRules(waf: WafSettings): Rule[] {
    if (!planAtLeast(waf.plan, "pro")) return [execute("free-managed", "Cloudflare Free Managed Ruleset", managedRulesetIds.freeManaged)];
    // Paranoia levels above the chosen one are switched off by their category tag.
    const disabledLevels = [2, 3, 4]
        .filter((level) => level > waf.paranoiaLevel)
        .map((level) => ({ category: `paranoia-level-${level}`, enabled: false }));
    return [
        execute("cloudflare-managed", "Cloudflare Managed Ruleset", managedRulesetIds.cloudflareManaged),
        execute(
            "owasp-core",
            `OWASP Core Ruleset, paranoia level ${waf.paranoiaLevel}, ${waf.sensitivity} sensitivity`,
            managedRulesetIds.owaspCore,
            {
                categories: disabledLevels,
                rules: [{ id: owaspAnomalyRuleId, scoreThreshold: owaspThreshold[waf.sensitivity], action: "block" }],
            },
        ),
    ];
}

/** Pattern rules that work on every plan (no regex: `matches` needs Business). */
const decodedQuery = "lower(url_decode(http.request.uri.query))";
const decodedPath = "lower(url_decode(http.request.uri.path))";
export const patternRules: Rule[] = [
    {
        ref: "block-path-traversal",
        description: "Path traversal in path or query",
        expression: `(${decodedPath} contains "../") or (${decodedPath} contains "..\\\\") or (${decodedQuery} contains "../") or (${decodedPath} contains "/etc/passwd")`,
        action: "block",
    },
    {
        ref: "block-xss-patterns",
        description: "Script injection in the query string",
        expression: `(${decodedQuery} contains "<script") or (${decodedQuery} contains "javascript:") or (${decodedQuery} contains "onerror=")`,
        action: "block",
    },
    {
        ref: "block-sqli-patterns",
        description: "SQL injection in the query string",
        expression: `(${decodedQuery} contains "union select") or (${decodedQuery} contains "' or '1'='1") or (${decodedQuery} contains "sleep(")`,
        action: "block",
    },
];

/**
 * Rules on WAF attack scores (Business: the score class; Enterprise: per-attack scores) and bot
 * scores (Enterprise). `cf.threat_score` is deliberately absent: Cloudflare no longer populates
 * it, so a rule on it would never match.
 */
export function scoreRules(plan: CloudflarePlan): Rule[] {
    if (plan === "enterprise") {
        return [
            {
                ref: "block-attack-scores",
                description: "WAF attack score: likely SQLi, XSS or RCE",
                expression: "(cf.waf.score.sqli lt 20) or (cf.waf.score.xss lt 20) or (cf.waf.score.rce lt 20)",
                action: "block",
            },
            {
                ref: "challenge-likely-bots",
                description: "Bot score below 30 (not a verified bot)",
                expression: "(cf.bot_management.score lt 30) and not cf.bot_management.verified_bot",
                action: "managed_challenge",
            },
        ];
    }
    if (plan === "business") {
        return [
            {
                ref: "block-attack-class",
                description: "WAF attack score class: attack",
                expression: 'cf.waf.score.class eq "attack"',
                action: "block",
            },
            {
                ref: "challenge-likely-attack",
                description: "WAF attack score class: likely attack",
                expression: 'cf.waf.score.class eq "likely_attack"',
                action: "managed_challenge",
            },
        ];
    }
    return [];
}

export function customWafRules(cf: CloudflareConfig): Rule[] {
    return [...patternRules, ...scoreRules(cf.plan), ...cf.waf.customRules.map((r) => ({ ...r }))];
}

/** A rate limit counted per client IP (and Cloudflare data centre, which every rule must include). */
export function rateLimitRule(rule: RateLimitRule): Rule {
    const path = `starts_with(http.request.uri.path, "${rule.path}")`;
    return {
        ref: `ratelimit-${rule.ref}`,
        description: rule.description,
        expression: rule.host ? `(http.host eq "${rule.host}") and ${path}` : path,
        action: "block",
        ratelimit: {
            characteristics: ["cf.colo.id", "ip.src"],
            period: rule.period,
            requestsPerPeriod: rule.requests,
            mitigationTimeout: rule.mitigationTimeout ?? rule.period,
        },
    };
}

export function rateLimitRules(cf: CloudflareConfig): Rule[] {
    return (cf.rateLimits ?? defaultRateLimits).map(rateLimitRule);
}

/** HTTP DDoS (L7) managed ruleset with the configured sensitivity. */
export function ddosRules(cf: CloudflareConfig): Rule[] {
    return [
        execute("http-ddos-sensitivity", `HTTP DDoS attack protection, ${cf.ddosSensitivity} sensitivity`, managedRulesetIds.httpDdos, {
            sensitivityLevel: cf.ddosSensitivity,
        }),
    ];
}

/** Every rule of the zone, by phase: one Ruleset each. Exported for tests. */
export function rulesByPhase(cf: CloudflareConfig, waf: WafSettings): Record<Phase, Rule[]> {
    return {
        http_request_firewall_managed: managedWafRules(waf),
        http_request_firewall_custom: customWafRules(cf),
        http_ratelimit: rateLimitRules(cf),
        ddos_l7: ddosRules(cf),
    };
}
