import type { CloudflareConfig, CustomRule } from "./edge";
import { challengeActions, defaultRateLimits, extraRecordKey, planAtLeast, rateLimitCapabilities } from "./edge";
import { formatPath } from "./errors";
import { isUnder, levelsBelow, PublicHost, publicHosts } from "./hosts";
import type { CrossCheckInput, Issue } from "./rules";

/**
 * Cross-key rules for the Cloudflare edge: accept only what the Cloudflare API and the Pulumi
 * engine accept, and what actually works once deployed (certificates that issue, one owner per
 * zone, no challenge in front of an API client). Each problem names the key to change.
 */
export function checkCloudflare(cf: CloudflareConfig, cfg: Partial<CrossCheckInput>, issue: Issue): void {
    const hosts = publicHosts(cfg);
    checkPlatformNeeds(cf, cfg, issue);
    checkZoneOwner(cf, cfg, issue);
    checkHosts(cf, hosts, issue);
    checkRecords(cf, hosts, issue);
    checkCustomRules(cf, hosts, issue);
    checkRateLimits(cf, hosts, issue);
    checkAccess(cf, hosts, issue);
    const refs = new Set<string>();
    [...(cf.rateLimits ?? defaultRateLimits).map((r) => r.ref), ...cf.waf.customRules.map((r) => r.ref)].forEach((ref) => {
        if (refs.has(ref)) issue(["cloudflare"], `rule reference '${ref}' is used twice: refs must be unique per zone`);
        refs.add(ref);
    });
}

const on = (cfg: Partial<CrossCheckInput>, c: "ingressNginx" | "certManager") => cfg.components?.[c]?.enabled !== false;

function checkPlatformNeeds(cf: CloudflareConfig, cfg: Partial<CrossCheckInput>, issue: Issue): void {
    if (cfg.components && !on(cfg, "ingressNginx")) issue(["cloudflare"], "needs ingressNginx: DNS records point at its load balancer");
    if (cfg.components?.ingressNginx.serviceType === "NodePort") {
        issue(
            ["components", "ingressNginx", "serviceType"],
            "must be LoadBalancer with Cloudflare: the DNS records point at the load balancer's address and the origin lock restricts its source ranges",
        );
    }
    if (cfg.components && on(cfg, "certManager") && cfg.cloudflareDnsApiToken === undefined) {
        issue(
            ["cloudflareDnsApiToken"],
            "is required with Cloudflare: origin certificates are issued by DNS-01 (set a token with Zone:DNS:Edit and Zone:Zone:Read on this zone only, with --secret)",
        );
    }
    if (cfg.domain && !isUnder(cfg.domain, cf.zoneName)) {
        issue(["cloudflare", "zoneName"], `the platform domain '${cfg.domain}' is not in zone '${cf.zoneName}'`);
    }
    cf.addOns.forEach((addOn, i) => {
        if (addOn === "botManagement" && cf.plan !== "enterprise")
            issue(["cloudflare", "addOns", i], `Bot Management is an Enterprise add-on; the zone's plan is ${cf.plan}`);
    });
    if (cf.edgeCertificates && !cf.addOns.includes("advancedCertificateManager"))
        issue(["cloudflare", "edgeCertificates"], "needs the advancedCertificateManager add-on in platform:cloudflare.addOns");
    if (cf.adoptRulesets.ddos_l7 && !cf.ddosSensitivity)
        issue(
            ["cloudflare", "adoptRulesets", "ddos_l7"],
            "the stack deploys no ddos_l7 ruleset (no ddosSensitivity override): nothing would adopt it",
        );
    if ((cf.access || cf.notifications) && cf.accountId === undefined)
        issue(["cloudflare", "accountId"], "is required for Access applications and notification policies, which live in the account");
}

/** A zone has one entrypoint ruleset per phase and one plan: exactly one stack may manage it. */
function checkZoneOwner(cf: CloudflareConfig, cfg: Partial<CrossCheckInput>, issue: Issue): void {
    for (const other of cfg.otherStackZones ?? []) {
        if (other.zoneId === cf.zoneId) {
            issue(
                ["cloudflare", "zoneId"],
                `zone ${cf.zoneId} is already managed by stack '${other.stack}' (${other.source}): each zone has one owner ` +
                    "(its entrypoint rulesets, settings and plan would be overwritten by whichever stack ran last); give this stack its own zone",
            );
        }
    }
}

/**
 * Every public host once: two apps (or an app and a UI) on one host would be two Ingresses the
 * controller's webhook refuses, and two DNS records with one URN the engine refuses.
 */
export function checkPublicHosts(cfg: Partial<CrossCheckInput>, issue: Issue): void {
    const seen = new Map<string, PublicHost>();
    // Name the other app as every message does (apps[backend], not apps[0]).
    const named = (path: PublicHost["path"]) => {
        const app = path[0] === "apps" ? cfg.apps?.find((a) => a.index === path[1])?.app.name : undefined;
        return app ? `apps[${app}]${formatPath(path.slice(2)).replace(/^(?=[A-Za-z])/, ".")}` : formatPath(path);
    };
    for (const h of publicHosts(cfg)) {
        const first = seen.get(h.host);
        if (first)
            issue(
                h.path,
                `duplicate public host '${h.host}' (also platform:${named(first.path)}): one DNS record and one Ingress per host`,
            );
        else seen.set(h.host, h);
    }
}

/** Hosts in the zone, with an edge certificate that covers them; API and uptime hosts among them. */
function checkHosts(cf: CloudflareConfig, hosts: PublicHost[], issue: Issue): void {
    const seen = new Map(hosts.map((h) => [h.host, h]));
    const acm = cf.addOns.includes("advancedCertificateManager");
    for (const h of hosts) {
        if (!isUnder(h.host, cf.zoneName)) issue(h.path, `'${h.host}' is not in zone '${cf.zoneName}'`);
        else if (levelsBelow(h.host, cf.zoneName) > 1 && !acm) {
            issue(
                h.path,
                `'${h.host}' is ${levelsBelow(h.host, cf.zoneName)} levels below zone '${cf.zoneName}': Universal SSL covers only the apex and first-level names. ` +
                    "Declare platform:cloudflare.addOns [advancedCertificateManager] (a certificate pack or Total TLS covers it) or use a first-level host",
            );
        }
    }
    const isPublic = (host: string) => seen.has(host);
    cf.apiHosts.forEach((host, i) => {
        if (!isPublic(host)) issue(["cloudflare", "apiHosts", i], `'${host}' is not a public host of this stack`);
        else if (seen.get(host)!.kind === "ui")
            issue(["cloudflare", "apiHosts", i], `'${host}' is a platform UI, which browsers use behind Access`);
    });
    cf.uptimeChecks.forEach((c, i) => {
        if (!isPublic(c.host)) issue(["cloudflare", "uptimeChecks", i, "host"], `'${c.host}' is not a public host of this stack`);
    });
}

/** Extra records as the DNS API accepts them, each with a distinct resource name. */
function checkRecords(cf: CloudflareConfig, hosts: PublicHost[], issue: Issue): void {
    const names = new Map<string, number>();
    const hostNames = new Set(hosts.map((h) => h.host));
    cf.records.forEach((r, i) => {
        const at = (...key: string[]) => ["cloudflare", "records", i, ...key];
        if (!isUnder(r.name, cf.zoneName)) issue(at("name"), `'${r.name}' is not in zone '${cf.zoneName}'`);
        const key = extraRecordKey(r);
        const first = names.get(key);
        if (first !== undefined) issue(at(), `duplicate record ${r.type} '${r.name}' (also records[${first}]): give each a distinct 'ref'`);
        else names.set(key, i);
        if (hostNames.has(r.name) && ["A", "AAAA", "CNAME"].includes(r.type))
            issue(at("name"), `'${r.name}' is a public host of this stack: its record points at the ingress load balancer`);
        if (r.proxied && !["A", "AAAA", "CNAME"].includes(r.type))
            issue(at("proxied"), `only A, AAAA and CNAME records can be proxied, not ${r.type}`);
        if (r.proxied && r.ttl !== undefined) issue(at("ttl"), "must be omitted on a proxied record (its TTL is automatic)");
        if (r.type === "MX" && r.priority === undefined) issue(at("priority"), "is required for an MX record");
        if (r.type !== "MX" && r.priority !== undefined) issue(at("priority"), `only MX records take a priority, not ${r.type}`);
        if (r.type === "CAA") {
            if (r.content !== undefined) issue(at("content"), "CAA records take 'data' ({ flags, tag, value }), not 'content'");
            if (r.data === undefined) issue(at("data"), "is required for a CAA record ({ flags, tag, value })");
        } else {
            if (r.data !== undefined) issue(at("data"), `only CAA records take 'data'; a ${r.type} record takes 'content'`);
            if (r.content === undefined) issue(at("content"), `is required for a ${r.type} record`);
        }
    });
}

/**
 * Rules-language fields and operators by entitlement. `cf.threat_score` is refused outright:
 * Cloudflare no longer populates it, so a rule on it never matches.
 */
const expressionEntitlements: { pattern: RegExp; allowed: (cf: CloudflareConfig) => boolean; problem: (cf: CloudflareConfig) => string }[] = [
    { pattern: /\bcf\.threat_score\b/, allowed: () => false, problem: () => "uses cf.threat_score, which Cloudflare no longer populates: the rule would never match" },
    { pattern: /\bcf\.bot_management\./, allowed: (cf) => cf.addOns.includes("botManagement"), problem: () => "uses cf.bot_management.*, which needs the botManagement add-on in platform:cloudflare.addOns" },
    { pattern: /\bcf\.waf\.score\.class\b/, allowed: (cf) => planAtLeast(cf.plan, "business"), problem: (cf) => `uses cf.waf.score.class, which needs a Business plan (the zone's plan is ${cf.plan})` },
    { pattern: /\bcf\.waf\.score(\.(sqli|xss|rce))?(?![.\w])/, allowed: (cf) => cf.plan === "enterprise", problem: (cf) => `uses cf.waf.score, which needs an Enterprise plan (the zone's plan is ${cf.plan})` },
    { pattern: /\s(matches|~)\s/, allowed: (cf) => planAtLeast(cf.plan, "business"), problem: (cf) => `uses the 'matches' (regex) operator, which needs a Business plan (the zone's plan is ${cf.plan})` },
]; // prettier-ignore

function checkCustomRules(cf: CloudflareConfig, hosts: PublicHost[], issue: Issue): void {
    const apiHosts = new Set(cf.apiHosts);
    const known = new Set(hosts.map((h) => h.host));
    cf.waf.customRules.forEach((r: CustomRule, i) => {
        const at = (...key: (string | number)[]) => ["cloudflare", "waf", "customRules", i, ...key];
        if (r.action === "log" && cf.plan !== "enterprise")
            issue(at("action"), `'log' is an Enterprise action; the zone's plan is ${cf.plan}`);
        for (const e of expressionEntitlements) {
            if (e.pattern.test(r.expression) && !e.allowed(cf)) issue(at("expression"), e.problem(cf));
        }
        (r.hosts ?? []).forEach((host, j) => {
            if (!known.has(host)) issue(at("hosts", j), `'${host}' is not a public host of this stack`);
        });
        if ((challengeActions as readonly string[]).includes(r.action)) {
            if (!r.hosts) issue(at("hosts"), `is required for a '${r.action}' rule: challenges apply to browser hosts only`);
            (r.hosts ?? []).forEach((host, j) => {
                if (apiHosts.has(host)) issue(at("hosts", j), `'${host}' is an API host: API and mobile clients cannot solve a challenge`);
            });
        }
    });
}

/** Rate limits the plan can express, each counting the traffic it is meant for. */
function checkRateLimits(cf: CloudflareConfig, hosts: PublicHost[], issue: Issue): void {
    const caps = rateLimitCapabilities[cf.plan];
    const rules = cf.rateLimits ?? defaultRateLimits;
    const where = (i: number, key?: string) =>
        cf.rateLimits ? ["cloudflare", "rateLimits", i, ...(key ? [key] : [])] : ["cloudflare", "rateLimits"];
    const which = (r: { ref: string }) => (cf.rateLimits ? "" : `the default '${r.ref}' rule: `);
    if (rules.length > caps.maxRules) {
        issue(
            ["cloudflare", "rateLimits"],
            `${cf.rateLimits ? "" : "the defaults: "}${rules.length} rules, but the ${cf.plan} plan allows ${caps.maxRules} per zone`,
        );
    }
    const known = new Set(hosts.map((h) => h.host));
    rules.forEach((r, i) => {
        if (r.period > caps.maxPeriod) {
            issue(
                where(i, "period"),
                `${which(r)}${r.requests} per ${r.period}s needs a plan with ${r.period}s periods; the ${cf.plan} plan counts over at most ${caps.maxPeriod}s. ` +
                    "Declare rateLimits explicitly with a period the plan offers (a documented approximation) or upgrade the zone",
            );
        }
        const timeout = r.mitigationTimeout ?? r.period;
        if (timeout > caps.maxTimeout && timeout >= r.period) {
            issue(
                where(i, "mitigationTimeout"),
                `${which(r)}a ${timeout}s mitigation timeout exceeds the ${cf.plan} plan's ${caps.maxTimeout}s`,
            );
        }
        if (r.host && !caps.hostField)
            issue(where(i, "host"), `the ${cf.plan} plan's rate limiting rules match on the path only, not the host`);
        if (r.host && !known.has(r.host)) issue(where(i, "host"), `'${r.host}' is not a public host of this stack`);
        if (!r.host && caps.hostField && known.size > 1) {
            issue(
                where(i, "host"),
                `${cf.rateLimits ? "is required" : `the default '${r.ref}' rule has no host`}: the zone serves ${known.size} hosts ` +
                    "and a rule without a host counts all of them (the UIs' API calls included)",
            );
        }
        if (r.methods && !caps.methodField)
            issue(where(i, "methods"), `the ${cf.plan} plan's rate limiting rules cannot match on the method (Business and above)`);
        if (r.countStatuses && !caps.countingExpression)
            issue(where(i, "countStatuses"), `the ${cf.plan} plan has no counting expressions (Business and above)`);
    });
}

/** Platform UIs behind Cloudflare Access, or not exposed. */
function checkAccess(cf: CloudflareConfig, hosts: PublicHost[], issue: Issue): void {
    const uis = hosts.filter((h) => h.kind === "ui");
    if (!cf.access) {
        for (const ui of uis) {
            issue(
                ui.path.at(-1) === "host" ? [...ui.path.slice(0, -1), "expose"] : ui.path,
                `'${ui.host}' would be public through Cloudflare: declare platform:cloudflare.access (who may sign in) or do not expose it`,
            );
        }
        return;
    }
    const a = cf.access;
    if (a.allowedEmails.length + a.allowedEmailDomains.length + a.groups.length === 0)
        issue(["cloudflare", "access"], "must allow someone: set allowedEmails, allowedEmailDomains or groups");
}
