import { strict as assert } from "assert";
import { parseStackConfig } from "../components/config";
import { defaultRateLimits } from "../components/config/edge";
import { recordType, zoneSettings } from "../components/edge/cloudflare-edge";
import { managedRulesetIds, owaspAnomalyRuleId, rulesByPhase, scoreRules } from "../components/edge/rulesets";
import { get, ofType } from "./harness/query";
import { ProgramRun, runStack, SecretValue, stackRun } from "../engine/synth/run-program";
import { cliConfigFromYaml, listStacks, stackConfig } from "../engine/synth/stack-files";
import { toSynthResources } from "../engine/synth/write";

const rulesets = (run: ProgramRun) => ofType(run, "cloudflare:index/ruleset:Ruleset");
const cloudflareResources = (run: ProgramRun) =>
    run.resources.filter((r) => r.type.startsWith("cloudflare:") || r.type === "pulumi:providers:cloudflare");

describe("Cloudflare edge", () => {
    it("creates nothing and needs no token in dev", async () => {
        const run = await stackRun("dev");
        assert.equal(stackConfig("dev").cloudflare, undefined);
        assert.deepEqual(
            cloudflareResources(run).map((r) => r.urn),
            [],
        );
        assert.equal(run.outputs.edgeCachePurge, undefined);
    });

    for (const stack of listStacks().filter((s) => stackConfig(s).cloudflare)) {
        describe(`stack ${stack}`, () => {
            const config = stackConfig(stack);
            const cf = config.cloudflare!;

            it("goes through one explicit provider whose token is a Pulumi secret", async () => {
                const run = await stackRun(stack);
                const providers = ofType(run, "pulumi:providers:cloudflare");
                assert.equal(providers.length, 1);
                assert.ok(providers[0].inputs.apiToken instanceof SecretValue);
                for (const r of cloudflareResources(run).filter((r) => r.custom && r.type !== "pulumi:providers:cloudflare"))
                    assert.equal(r.provider, providers[0].urn, r.urn);
                const synth = toSynthResources(run).find((r) => r.type === "pulumi:providers:cloudflare")!;
                assert.equal(synth.inputs.apiToken, "[secret]");
            });

            it("sets strict SSL, TLS 1.2+, HTTPS only, HSTS, HTTP/3 and the security level, with API (snake_case) names", async () => {
                const run = await stackRun(stack);
                const settings = Object.fromEntries(
                    ofType(run, "cloudflare:index/zoneSetting:ZoneSetting").map((s) => [s.inputs.settingId, s.inputs.value]),
                );
                assert.equal(settings.ssl, "strict");
                assert.equal(settings.min_tls_version, "1.2");
                assert.equal(settings.always_use_https, "on");
                assert.equal(settings.http3, "on");
                assert.equal(
                    settings.security_level,
                    cf.securityLevel ?? { dev: "medium", staging: "medium", production: "high" }[config.environment],
                );
                assert.deepEqual(
                    (settings.security_header as { strict_transport_security: { enabled: boolean; max_age: number } })
                        .strict_transport_security.enabled,
                    true,
                );
                for (const key of Object.keys(settings)) assert.match(key, /^[a-z0-9_]+$/, "settingId is snake_case");
            });

            it("points a proxied record at the ingress address for every public host, once the address is known", async () => {
                const run = await stackRun(stack);
                const records = ofType(run, "cloudflare:index/dnsRecord:DnsRecord").filter((r) => r.inputs.proxied === true);
                const expectedHosts = [
                    ...config.apps.flatMap((a) => (a.ingress ? [a.ingress.host] : [])),
                    ...(config.components.argocd.expose ? [`argocd.${config.domain}`] : []),
                    ...(config.components.kubePrometheusStack.grafana.expose ? [`grafana.${config.domain}`] : []),
                ];
                assert.deepEqual(records.map((r) => r.inputs.name).sort(), expectedHosts.sort());
                for (const r of records) {
                    assert.equal(r.inputs.content, "203.0.113.10");
                    assert.equal(r.inputs.type, "A");
                    assert.equal(r.inputs.ttl, 1);
                    assert.ok(String(r.inputs.name).endsWith(`.${cf.zoneName}`), "FQDN names");
                    assert.ok(
                        r.dependsOn.some((u) => u.endsWith("IngressNginx$kubernetes:core/v1:Service::ingress-nginx-controller-service")),
                        "waits for the address",
                    );
                }
            });

            it("deploys exactly one ruleset per phase, each rule with a stable ref", async () => {
                const run = await stackRun(stack);
                const phases = rulesets(run).map((r) => r.inputs.phase);
                assert.deepEqual([...phases].sort(), [
                    "ddos_l7",
                    "http_ratelimit",
                    "http_request_firewall_custom",
                    "http_request_firewall_managed",
                ]);
                for (const r of rulesets(run)) {
                    assert.equal(r.inputs.kind, "zone");
                    assert.equal(r.deleteBeforeReplace, true, "a replacement must free the zone's single entrypoint first");
                    assert.equal(r.inputs.zoneId, cf.zoneId);
                    const refs = (r.inputs.rules as { ref?: string }[]).map((rule) => rule.ref);
                    assert.ok(
                        refs.every((ref) => typeof ref === "string" && ref.length > 0),
                        "every rule has a ref",
                    );
                    assert.equal(new Set(refs).size, refs.length, "refs are unique");
                }
            });

            it("runs the managed rulesets with the OWASP paranoia level and threshold of the environment", async () => {
                const run = await stackRun(stack);
                const managed = rulesets(run).find((r) => r.inputs.phase === "http_request_firewall_managed")!;
                const rules = managed.inputs.rules as {
                    actionParameters: {
                        id: string;
                        overrides?: { categories: { category: string }[]; rules: { id: string; scoreThreshold: number }[] };
                    };
                }[];
                assert.deepEqual(
                    rules.map((r) => r.actionParameters.id),
                    [managedRulesetIds.cloudflareManaged, managedRulesetIds.owaspCore],
                );
                const owasp = rules[1].actionParameters.overrides!;
                const level = cf.waf.owaspParanoiaLevel ?? { dev: 1, staging: 1, production: 2 }[config.environment];
                assert.deepEqual(
                    owasp.categories.map((c) => c.category),
                    [2, 3, 4].filter((l) => l > level).map((l) => `paranoia-level-${l}`),
                );
                const sensitivity = cf.waf.owaspSensitivity ?? { dev: "low", staging: "medium", production: "high" }[config.environment];
                assert.deepEqual(owasp.rules, [
                    { id: owaspAnomalyRuleId, scoreThreshold: { low: 60, medium: 40, high: 25 }[sensitivity as "low"], action: "block" },
                ]);
            });

            it("blocks traversal, XSS and SQL injection, never on the retired threat score", async () => {
                const run = await stackRun(stack);
                const custom = rulesets(run).find((r) => r.inputs.phase === "http_request_firewall_custom")!;
                const rules = custom.inputs.rules as { ref: string; expression: string }[];
                for (const ref of ["block-path-traversal", "block-xss-patterns", "block-sqli-patterns"])
                    assert.ok(
                        rules.some((r) => r.ref === ref),
                        ref,
                    );
                assert.equal(
                    rules.some((r) => r.expression.includes("cf.threat_score")),
                    false,
                );
            });

            it("rate limits per client IP with the configured periods", async () => {
                const run = await stackRun(stack);
                const limits = rulesets(run).find((r) => r.inputs.phase === "http_ratelimit")!;
                const rules = limits.inputs.rules as {
                    ref: string;
                    ratelimit: { characteristics: string[]; period: number; requestsPerPeriod: number };
                }[];
                const expected = cf.rateLimits ?? defaultRateLimits;
                assert.deepEqual(
                    rules.map((r) => [r.ref, r.ratelimit.requestsPerPeriod, r.ratelimit.period]),
                    expected.map((r) => [`ratelimit-${r.ref}`, r.requests, r.period]),
                );
                for (const r of rules) assert.deepEqual(r.ratelimit.characteristics, ["cf.colo.id", "ip.src"]);
            });

            it("sets the HTTP DDoS sensitivity and exposes what the cache purge needs", async () => {
                const run = await stackRun(stack);
                const ddos = rulesets(run).find((r) => r.inputs.phase === "ddos_l7")!;
                assert.deepEqual(get(ddos, "rules") && (ddos.inputs.rules as { actionParameters: unknown }[])[0].actionParameters, {
                    id: managedRulesetIds.httpDdos,
                    overrides: { sensitivityLevel: cf.ddosSensitivity },
                });
                const purge = run.outputs.edgeCachePurge as { zoneId: string; hosts: string[] };
                assert.equal(purge.zoneId, cf.zoneId);
                assert.ok(purge.hosts.length > 0);
            });
        });
    }

    describe("plans", () => {
        const base = (cloudflare: Record<string, unknown>) =>
            parseStackConfig({
                ...cliConfigFromYaml(`config:
  platform:environment: staging
  platform:cluster: { context: c }
  platform:domain: platform.example.com
  platform:namespaces: { core: { layer: core }, monitoring: { layer: monitoring } }
  platform:guardrails: { policyMode: Enforce, excludedNamespaces: [kube-system], allowedRegistries: [ghcr.io/acme/], acme: { email: a@example.com } }
  platform:cloudflare: ${JSON.stringify({ zoneId: "0123456789abcdef0123456789abcdef", zoneName: "example.com", ...cloudflare })}
`),
                source: "stacks/Pulumi.fixture.yaml",
            });
        const problems = (r: ReturnType<typeof base>) => (r.ok ? [] : r.problems);

        it("refuse the default signup limit (5 per hour) below Enterprise, with a message naming the key", () => {
            assert.ok(base({ plan: "enterprise" }).ok);
            const business = problems(base({ plan: "business" }));
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
            const free = problems(
                base({
                    plan: "free",
                    rateLimits: [
                        { ref: "api", description: "a", path: "/api/", requests: 10, period: 60 },
                        { ref: "b", description: "b", path: "/b", requests: 1, period: 10 },
                    ],
                }),
            );
            assert.ok(
                free.some((p) => p.includes("platform:cloudflare.rateLimits: 2 rules, but the free plan allows 1 per zone")),
                free.join("\n"),
            );
            assert.ok(
                free.some((p) => p.includes("platform:cloudflare.rateLimits[0].period: 10 per 60s needs a plan with 60s periods")),
                free.join("\n"),
            );
            const odd = problems(
                base({ plan: "enterprise", rateLimits: [{ ref: "api", description: "a", path: "/api/", requests: 10, period: 50 }] }),
            );
            assert.ok(
                odd.some((p) => p.includes("platform:cloudflare.rateLimits[0].period: must be one of 10, 15, 20,")),
                odd.join("\n"),
            );
            const hosted = problems(
                base({
                    plan: "free",
                    rateLimits: [{ ref: "api", description: "a", host: "api.example.com", path: "/api/", requests: 10, period: 10 }],
                }),
            );
            assert.ok(
                hosted.some((p) =>
                    p.includes("platform:cloudflare.rateLimits[0].host: the free plan's rate limiting rules match on the path only"),
                ),
                hosted.join("\n"),
            );
            const longBlock = problems(
                base({
                    plan: "pro",
                    rateLimits: [{ ref: "api", description: "a", path: "/api/", requests: 10, period: 60, mitigationTimeout: 86400 }],
                }),
            );
            assert.ok(
                longBlock.some((p) =>
                    p.includes(
                        "platform:cloudflare.rateLimits[0].mitigationTimeout: a 86400s mitigation timeout exceeds the pro plan's 3600s",
                    ),
                ),
                longBlock.join("\n"),
            );
        });

        it("accept an explicit approximation the plan can express", () => {
            assert.ok(base({ plan: "pro", rateLimits: [{ ref: "api", description: "a", path: "/api/", requests: 100, period: 60 }] }).ok);
        });

        it("choose score rules by plan", () => {
            assert.deepEqual(scoreRules("free"), []);
            assert.match(String(scoreRules("business")[0].expression), /cf\.waf\.score\.class/);
            assert.match(String(scoreRules("enterprise")[1].expression), /cf\.bot_management\.score lt 30/);
            const free = rulesByPhase(
                { ...stackConfig("production").cloudflare!, plan: "free" },
                { plan: "free", paranoiaLevel: 1, sensitivity: "low" },
            );
            assert.deepEqual(
                free.http_request_firewall_managed.map((r) => (r.actionParameters as { id: string }).id),
                [managedRulesetIds.freeManaged],
            );
        });
    });

    it("picks the record type from the address", () => {
        assert.equal(recordType("203.0.113.10"), "A");
        assert.equal(recordType("2001:db8::1"), "AAAA");
        assert.equal(recordType("abc123.elb.eu-west-1.amazonaws.com"), "CNAME");
        assert.equal(zoneSettings("high").security_level, "high");
    });

    it("uses a CNAME when the load balancer reports a host name", async () => {
        const run = await runStack("production", { loadBalancer: { hostname: "lb-1234.elb.eu-west-1.amazonaws.com" } });
        const record = ofType(run, "cloudflare:index/dnsRecord:DnsRecord").find((r) => r.inputs.name === "api.platform.example.com")!;
        assert.equal(record.inputs.type, "CNAME");
        assert.equal(record.inputs.content, "lb-1234.elb.eu-west-1.amazonaws.com");
    });
});
