import { strict as assert } from "assert";
import { parseStackConfig } from "../components/config";
import type { CloudflareConfig, CloudflarePlan } from "../components/config/edge";
import { botSettings } from "../components/edge/bots";
import { rulesetOptions } from "../components/edge/cloudflare-edge";
import { accessIncludes } from "../components/edge/access";
import { notificationAlerts } from "../components/edge/notifications";
import { ddosRules, hostIn, managedRulesetIds, rateLimitRule, rulesByPhase, scoreRules, skipRules } from "../components/edge/rulesets";
import { caaRecords, certificateCovers, certificatePackHosts, recordType, zoneSettings } from "../components/edge/zone";
import { cliConfigFromYaml } from "../engine/synth/stack-files";

/** A stack file with a Cloudflare section (and two hosts: an API and a browser one), parsed. */
function parse(cloudflare: Record<string, unknown>, extra = "") {
    return parseStackConfig({
        ...cliConfigFromYaml(`config:
  platform:environment: staging
  platform:cluster: { context: c }
  platform:domain: example.com
  platform:namespaces: { core: { layer: core }, monitoring: { layer: monitoring } }
  platform:guardrails: { policyMode: Enforce, excludedNamespaces: [kube-system], allowedRegistries: [ghcr.io/acme/], acme: { email: a@example.com } }
  platform:cloudflare: ${JSON.stringify({ zoneId: "0123456789abcdef0123456789abcdef", zoneName: "example.com", ...cloudflare })}
  platform:cloudflareDnsApiToken: { secure: AAAB }
${extra}`),
        source: "stacks/Pulumi.fixture.yaml",
    });
}
const problems = (r: ReturnType<typeof parse>) => (r.ok ? [] : r.problems);
const zone = (plan: CloudflarePlan, more: Partial<CloudflareConfig> = {}): CloudflareConfig => ({
    zoneId: "0123456789abcdef0123456789abcdef",
    zoneName: "example.com",
    plan,
    addOns: [],
    dnssec: true,
    apiHosts: ["api.example.com"],
    uptimeChecks: [{ host: "api.example.com", path: "/healthz" }],
    waf: { customRules: [] },
    records: [],
    adoptRulesets: {},
    ...more,
});
const hosts = { browser: ["www.example.com"], api: ["api.example.com"] };

describe("Cloudflare edge by plan", () => {
    describe("rate limits", () => {
        it("refuse the default signup limit (5 per hour) below Enterprise, with a message naming the key", () => {
            assert.ok(parse({ plan: "enterprise" }).ok);
            const business = problems(parse({ plan: "business" }));
            assert.ok(
                business.some((p) =>
                    p.startsWith(
                        "stacks/Pulumi.fixture.yaml: platform:cloudflare.rateLimits: the default 'signup' rule: 5 per 3600s needs a plan with 3600s periods; the business plan counts over at most 600s",
                    ),
                ),
                business.join("\n"),
            );
        });

        it("refuse more rules than the plan allows and periods it does not offer", () => {
            const limit = (more: Record<string, unknown>) => ({
                ref: "api",
                description: "a",
                path: "/api/",
                requests: 10,
                period: 60,
                ...more,
            });
            const free = problems(parse({ plan: "free", rateLimits: [limit({}), limit({ ref: "b", period: 10 })] }));
            assert.ok(
                free.some((p) => p.includes("platform:cloudflare.rateLimits: 2 rules, but the free plan allows 1 per zone")),
                free.join("\n"),
            );
            assert.ok(free.some((p) => p.includes("platform:cloudflare.rateLimits[0].period: 10 per 60s needs a plan with 60s periods")));
            const odd = problems(parse({ plan: "enterprise", rateLimits: [limit({ period: 50 })] }));
            assert.ok(
                odd.some((p) => p.includes("platform:cloudflare.rateLimits[0].period: must be one of 10, 15, 20,")),
                odd.join("\n"),
            );
            const longBlock = problems(parse({ plan: "pro", rateLimits: [limit({ mitigationTimeout: 86400 })] }));
            assert.ok(
                longBlock.some((p) =>
                    p.includes(
                        "platform:cloudflare.rateLimits[0].mitigationTimeout: a 86400s mitigation timeout exceeds the pro plan's 3600s",
                    ),
                ),
            );
        });

        it("match on the host from Pro, on the method and the response from Business", () => {
            const signup = { ref: "signup", description: "s", path: "/signup", requests: 1, period: 10 };
            assert.ok(
                problems(parse({ plan: "free", rateLimits: [{ ...signup, host: "api.example.com" }] })).some((p) =>
                    p.includes("rateLimits[0].host: the free plan's rate limiting rules match on the path only"),
                ),
            );
            assert.ok(
                problems(parse({ plan: "pro", rateLimits: [{ ...signup, methods: ["POST"] }] })).some((p) =>
                    p.includes("rateLimits[0].methods: the pro plan"),
                ),
            );
            assert.ok(parse({ plan: "business", rateLimits: [{ ...signup, methods: ["POST"], countStatuses: [401] }] }).ok);
            const rule = rateLimitRule({ ...signup, host: "api.example.com", methods: ["POST"], countStatuses: [401, 403] });
            assert.equal(
                rule.expression,
                '(http.host eq "api.example.com") and starts_with(http.request.uri.path, "/signup") and (http.request.method in {"POST"})',
            );
            assert.equal(
                (rule.ratelimit as { countingExpression: string }).countingExpression,
                `${String(rule.expression)} and (http.response.code in {401 403})`,
                "the counting expression narrows what is counted, never what is blocked",
            );
        });
    });

    describe("bots and challenges", () => {
        it("keep Bot Fight Mode off on Free when API clients would meet it (no rule can skip it)", () => {
            assert.deepEqual(botSettings(zone("free")), { zoneId: zone("free").zoneId, enableJs: true, fightMode: false });
            assert.equal(botSettings(zone("free", { apiHosts: [] })).fightMode, true);
        });

        it("block definitely automated traffic from Pro, challenge likely automated from Business, defer to Bot Management when bought", () => {
            assert.deepEqual(botSettings(zone("pro")), {
                zoneId: zone("pro").zoneId,
                enableJs: true,
                sbfmDefinitelyAutomated: "block",
                sbfmVerifiedBots: "allow",
            });
            assert.equal(botSettings(zone("business")).sbfmLikelyAutomated, "managed_challenge");
            assert.equal(
                botSettings(zone("enterprise")).sbfmLikelyAutomated,
                "managed_challenge",
                "Enterprise without Bot Management has Business' SBFM",
            );
            assert.deepEqual(botSettings(zone("enterprise", { addOns: ["botManagement"] })), {
                zoneId: zone("pro").zoneId,
                enableJs: true,
                autoUpdateModel: true,
            });
        });

        it("skip Super Bot Fight Mode for API hosts where it exists, and rate limits for uptime checks on every plan", () => {
            const [freeApi, freeUptime] = skipRules(zone("free"));
            assert.deepEqual(freeApi.actionParameters, { products: ["bic", "securityLevel"] });
            assert.deepEqual(freeUptime.actionParameters, { phases: ["http_ratelimit"], products: ["bic", "securityLevel"] });
            assert.equal(
                freeUptime.expression,
                '(http.request.method in {"GET" "HEAD"}) and ((http.host eq "api.example.com" and http.request.uri.path eq "/healthz"))',
            );
            const [proApi] = skipRules(zone("pro"));
            assert.deepEqual(proApi.actionParameters, { phases: ["http_request_sbfm"], products: ["bic", "securityLevel"] });
            assert.deepEqual(skipRules(zone("pro", { apiHosts: [], uptimeChecks: [] })), []);
        });

        it("score rules by plan: blocks everywhere, challenges on browser hosts only and none without them", () => {
            assert.deepEqual(scoreRules(zone("free"), hosts), []);
            const business = scoreRules(zone("business"), hosts);
            assert.deepEqual(
                business.map((r) => [r.ref, r.action]),
                [
                    ["block-attack-class", "block"],
                    ["challenge-likely-attack", "managed_challenge"],
                ],
            );
            assert.ok(String(business[1].expression).startsWith(hostIn(["www.example.com"])));
            assert.deepEqual(
                scoreRules(zone("business"), { browser: [], api: ["api.example.com"] }).map((r) => r.action),
                ["block"],
            );
            assert.deepEqual(
                scoreRules(zone("enterprise"), hosts).map((r) => r.ref),
                ["block-attack-scores"],
            );
            const bm = scoreRules(zone("enterprise", { addOns: ["botManagement"] }), hosts);
            assert.match(String(bm[1].expression), /cf\.bot_management\.score lt 30/);
        });

        it("run the Free managed ruleset on Free and Cloudflare Managed plus OWASP above", () => {
            const free = rulesByPhase(zone("free"), { plan: "free", paranoiaLevel: 1, sensitivity: "low" }, hosts);
            assert.deepEqual(
                free.http_request_firewall_managed.map((r) => (r.actionParameters as { id: string }).id),
                [managedRulesetIds.freeManaged],
            );
            const pro = rulesByPhase(zone("pro"), { plan: "pro", paranoiaLevel: 1, sensitivity: "low" }, hosts);
            assert.equal(pro.http_request_firewall_managed.length, 2);
        });
    });

    describe("DDoS, certificates, records", () => {
        it("override HTTP DDoS sensitivity only when it differs from the default", () => {
            assert.deepEqual(ddosRules(zone("pro")), []);
            assert.deepEqual(ddosRules(zone("pro", { ddosSensitivity: "low" }))[0].actionParameters, {
                id: managedRulesetIds.httpDdos,
                overrides: { sensitivityLevel: "low" },
            });
        });

        it("order an advanced pack with the apex and one wildcard per parent of a deep host", () => {
            const hostsOf = ["api.example.com", "api.platform.example.com", "grafana.platform.example.com", "a.b.platform.example.com"];
            assert.deepEqual(certificatePackHosts(hostsOf, "example.com"), [
                "example.com",
                "*.b.platform.example.com",
                "*.platform.example.com",
            ]);
            assert.ok(certificateCovers("*.platform.example.com", "api.platform.example.com"));
            assert.equal(certificateCovers("*.platform.example.com", "a.b.platform.example.com"), false, "a wildcard covers one level");
        });

        it("accept ACM on any plan and a deeper host once it is declared", () => {
            const app = `  platform:apps:
    - { name: api, namespace: core, team: t, partOf: p, image: { repository: ghcr.io/acme/api, tag: "1.0.0" }, sbom: https://sbom.example.com/a.json, port: 8080,
        resources: { requests: { cpu: 100m, memory: 128Mi }, limits: { cpu: 500m, memory: 256Mi } }, ingress: { host: api.platform.example.com } }`;
            const one = { plan: "free", rateLimits: [{ ref: "api", description: "a", path: "/api/", requests: 10, period: 10 }] };
            assert.ok(
                problems(parse(one, app)).some((p) =>
                    p.includes("platform:apps[api].ingress.host: 'api.platform.example.com' is 2 levels below zone"),
                ),
            );
            assert.deepEqual(problems(parse({ ...one, addOns: ["advancedCertificateManager"] }, app)), []);
        });

        it("adopt an existing entrypoint ruleset with the import option, keeping its rules until the entry is removed", () => {
            const cf = zone("pro", { adoptRulesets: { http_request_firewall_custom: "a".repeat(32) } });
            assert.deepEqual(rulesetOptions(cf, "http_request_firewall_custom"), {
                deleteBeforeReplace: true,
                ignoreChanges: ["name", "rules", "description"],
                import: `zones/${cf.zoneId}/${"a".repeat(32)}`,
            });
            assert.deepEqual(rulesetOptions(cf, "http_ratelimit"), { deleteBeforeReplace: true, ignoreChanges: ["name"] });
            assert.deepEqual(problems(parse({ plan: "enterprise", adoptRulesets: { http_request_waf: "a".repeat(32) } })), [
                "stacks/Pulumi.fixture.yaml: platform:cloudflare.adoptRulesets.http_request_waf: unknown key",
            ]);
            assert.deepEqual(problems(parse({ plan: "enterprise", adoptRulesets: { ddos_l7: "b".repeat(32) } })), [
                "stacks/Pulumi.fixture.yaml: platform:cloudflare.adoptRulesets.ddos_l7: the stack deploys no ddos_l7 ruleset (no ddosSensitivity override): nothing would adopt it",
            ]);
        });

        it("write CAA as data, allowing the platform's issuers and reporting to the team", () => {
            assert.deepEqual(caaRecords(["letsencrypt.org", "letsencrypt.org"], "ops@example.com"), [
                { flags: 0, tag: "issue", value: "letsencrypt.org" },
                { flags: 0, tag: "iodef", value: "mailto:ops@example.com" },
            ]);
        });

        it("pick the record type from the address and name zone settings as the API does", () => {
            assert.equal(recordType("203.0.113.10"), "A");
            assert.equal(recordType("2001:db8::1"), "AAAA");
            assert.equal(recordType("abc123.elb.eu-west-1.amazonaws.com"), "CNAME");
            assert.equal(zoneSettings("high").security_level, "high");
        });

        it("admit the declared identities to the UIs and alert on the certificates the zone has", () => {
            assert.deepEqual(
                accessIncludes({
                    allowedEmails: ["a@example.com"],
                    allowedEmailDomains: ["example.org"],
                    groups: ["g"],
                    sessionDuration: "8h",
                }),
                [{ email: { email: "a@example.com" } }, { emailDomain: { domain: "example.org" } }, { group: { id: "g" } }],
            );
            assert.deepEqual(
                notificationAlerts({ advancedCertificates: false, originPullCertificate: false }).map((a) => a.alertType),
                ["dos_attack_l7", "universal_ssl_event_type"],
            );
            assert.equal(notificationAlerts({ advancedCertificates: true, originPullCertificate: true }).length, 4);
        });
    });
});
