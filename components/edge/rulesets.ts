import type * as cloudflare from "@pulumi/cloudflare";
import type { CloudflareConfig, CloudflarePlan, CustomRule, RateLimitRule } from "../config/edge";
import { defaultRateLimits, planAtLeast } from "../config/edge";

export { planAtLeast };

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

export interface WafSettings {
    plan: CloudflarePlan;
    paranoiaLevel: number;
    sensitivity: keyof typeof owaspThreshold;
}

/** Which public hosts browsers use and which API clients call: challenges go to browser hosts only. */
export interface EdgeHosts {
    browser: string[];
    api: string[];
}

/** `http.host in {"a" "b"}`: the rules-language set form. */
export const hostIn = (hosts: string[]) => `(http.host in {${hosts.map((h) => JSON.stringify(h)).join(" ")}})`;

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

/**
 * Skip rules, first in the custom phase. API hosts skip Super Bot Fight Mode (its challenges and
 * blocks would break API and mobile clients), the Browser Integrity Check (SDKs send no browser
 * headers) and the security level (so "I'm Under Attack" does not interstitial an API). Uptime
 * checks (GET/HEAD on their exact path) also skip rate limits. Nothing else is skipped: the
 * managed WAF and the pattern rules still inspect every request.
 */
export function skipRules(cf: CloudflareConfig): Rule[] {
    const sbfm = planAtLeast(cf.plan, "pro") ? ["http_request_sbfm"] : [];
    const rules: Rule[] = [];
    if (cf.apiHosts.length > 0) {
        rules.push({
            ref: "skip-api-clients",
            description: "API hosts: no bot fight mode, browser integrity check or security-level challenge",
            expression: hostIn(cf.apiHosts),
            action: "skip",
            actionParameters: { ...(sbfm.length ? { phases: sbfm } : {}), products: ["bic", "securityLevel"] },
            logging: { enabled: true },
        });
    }
    if (cf.uptimeChecks.length > 0) {
        const checks = cf.uptimeChecks.map(
            (c) => `(http.host eq ${JSON.stringify(c.host)} and http.request.uri.path eq ${JSON.stringify(c.path)})`,
        );
        rules.push({
            ref: "skip-uptime-checks",
            description: "Uptime checks: not rate limited, bot-checked or challenged",
            expression: `(http.request.method in {"GET" "HEAD"}) and (${checks.join(" or ")})`,
            action: "skip",
            actionParameters: { phases: ["http_ratelimit", ...sbfm], products: ["bic", "securityLevel"] },
            logging: { enabled: true },
        });
    }
    return rules;
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
 * scores (Enterprise with Bot Management). Blocks apply everywhere; challenges only on browser
 * hosts, and not at all when the stack has none. `cf.threat_score` is deliberately absent:
 * Cloudflare no longer populates it, so a rule on it would never match.
 */
export function scoreRules(cf: Pick<CloudflareConfig, "plan" | "addOns">, hosts: EdgeHosts): Rule[] {
    const challenge = (rule: Rule): Rule[] =>
        hosts.browser.length ? [{ ...rule, expression: `${hostIn(hosts.browser)} and (${String(rule.expression)})` }] : [];
    if (cf.plan === "enterprise") {
        return [
            {
                ref: "block-attack-scores",
                description: "WAF attack score: likely SQLi, XSS or RCE",
                expression: "(cf.waf.score.sqli lt 20) or (cf.waf.score.xss lt 20) or (cf.waf.score.rce lt 20)",
                action: "block",
            },
            ...(cf.addOns.includes("botManagement")
                ? challenge({
                      ref: "challenge-likely-bots",
                      description: "Browser hosts: bot score below 30 (not a verified bot)",
                      expression: "(cf.bot_management.score lt 30) and not cf.bot_management.verified_bot",
                      action: "managed_challenge",
                  })
                : []),
        ];
    }
    if (cf.plan === "business") {
        return [
            {
                ref: "block-attack-class",
                description: "WAF attack score class: attack",
                expression: 'cf.waf.score.class eq "attack"',
                action: "block",
            },
            ...challenge({
                ref: "challenge-likely-attack",
                description: "Browser hosts: WAF attack score class likely attack",
                expression: 'cf.waf.score.class eq "likely_attack"',
                action: "managed_challenge",
            }),
        ];
    }
    return [];
}

/** A stack's own custom rule, limited to its hosts when it names them. */
export function customRule(r: CustomRule): Rule {
    return {
        ref: r.ref,
        description: r.description,
        expression: r.hosts ? `${hostIn(r.hosts)} and (${r.expression})` : r.expression,
        action: r.action,
    };
}

export function customWafRules(cf: CloudflareConfig, hosts: EdgeHosts): Rule[] {
    return [...skipRules(cf), ...patternRules, ...scoreRules(cf, hosts), ...cf.waf.customRules.map(customRule)];
}

/**
 * A rate limit counted per client IP (and Cloudflare data centre, which every rule must include),
 * on its host and path and, where the plan has the fields, its methods and response codes.
 */
export function rateLimitRule(rule: RateLimitRule): Rule {
    const parts = [
        ...(rule.host ? [`(http.host eq ${JSON.stringify(rule.host)})`] : []),
        `starts_with(http.request.uri.path, ${JSON.stringify(rule.path)})`,
        ...(rule.methods ? [`(http.request.method in {${rule.methods.map((m) => JSON.stringify(m)).join(" ")}})`] : []),
    ];
    const expression = parts.join(" and ");
    return {
        ref: `ratelimit-${rule.ref}`,
        description: rule.description,
        expression,
        action: "block",
        ratelimit: {
            characteristics: ["cf.colo.id", "ip.src"],
            period: rule.period,
            requestsPerPeriod: rule.requests,
            mitigationTimeout: rule.mitigationTimeout ?? rule.period,
            ...(rule.countStatuses
                ? { countingExpression: `${expression} and (http.response.code in {${rule.countStatuses.join(" ")}})` }
                : {}),
        },
    };
}

export function rateLimitRules(cf: CloudflareConfig): Rule[] {
    return (cf.rateLimits ?? defaultRateLimits).map(rateLimitRule);
}

/** HTTP DDoS (L7) managed ruleset: an override only when the stack asks for another sensitivity than the default. */
export function ddosRules(cf: CloudflareConfig): Rule[] {
    if (!cf.ddosSensitivity) return [];
    return [
        execute("http-ddos-sensitivity", `HTTP DDoS attack protection, ${cf.ddosSensitivity} sensitivity`, managedRulesetIds.httpDdos, {
            sensitivityLevel: cf.ddosSensitivity,
        }),
    ];
}

/** Every rule of the zone, by phase: one Ruleset each (a phase without rules gets none). Exported for tests. */
export function rulesByPhase(cf: CloudflareConfig, waf: WafSettings, hosts: EdgeHosts): Record<Phase, Rule[]> {
    return {
        http_request_firewall_managed: managedWafRules(waf),
        http_request_firewall_custom: customWafRules(cf, hosts),
        http_ratelimit: rateLimitRules(cf),
        ddos_l7: ddosRules(cf),
    };
}
