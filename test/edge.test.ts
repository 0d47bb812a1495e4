import { strict as assert } from "assert";
import { levelsBelow, publicHosts } from "../components/config/hosts";
import { hostIn, managedRulesetIds, owaspAnomalyRuleId } from "../components/edge/rulesets";
import { certificateCovers } from "../components/edge/zone";
import { clientCaSecretName } from "../components/shared/origin-lock";
import { containsSecret, get, k8sObject, ofType } from "./harness/query";
import { mockCloudflareIpRanges, mockDnssecDs } from "../engine/synth/mocks";
import { ProgramRun, RegisteredResource, runStack, SecretValue, stackRun } from "../engine/synth/run-program";
import { listStacks, stackConfig } from "../engine/synth/stack-files";
import { toSynthResources } from "../engine/synth/write";

const rulesets = (run: ProgramRun) => ofType(run, "cloudflare:index/ruleset:Ruleset");
const phase = (run: ProgramRun, name: string) => rulesets(run).find((r) => r.inputs.phase === name);
const cloudflareResources = (run: ProgramRun) =>
    run.resources.filter((r) => r.type.startsWith("cloudflare:") || r.type === "pulumi:providers:cloudflare");
const release = (run: ProgramRun, name: string) => ofType(run, "kubernetes:helm.sh/v3:Release").find((r) => r.inputs.name === name)!;
const ingresses = (run: ProgramRun) => ofType(run, "kubernetes:networking.k8s.io/v1:Ingress");
const annotations = (r: RegisteredResource) => get(r, "metadata.annotations") as Record<string, string>;
type Rule = {
    ref: string;
    action: string;
    expression: string;
    actionParameters?: Record<string, unknown>;
    ratelimit?: Record<string, unknown>;
};
const rules = (r: RegisteredResource | undefined) => (r?.inputs.rules ?? []) as Rule[];
const cloudflareRanges = [...mockCloudflareIpRanges.ipv4Cidrs, ...mockCloudflareIpRanges.ipv6Cidrs];

/** Where a UI's Ingress lives in its chart's values, and the namespace it renders into. */
const uiIngress = (run: ProgramRun, host: string) =>
    host.startsWith("argocd.")
        ? { values: get(release(run, "argocd"), "values.server.ingress") as Record<string, unknown>, namespace: "argocd" }
        : {
              values: get(release(run, "kube-prometheus-stack"), "values.grafana.ingress") as Record<string, unknown>,
              namespace: "monitoring",
          };

describe("Cloudflare edge", () => {
    it("creates nothing and needs no token in dev, whose ingress has no CDN in front", async () => {
        const run = await stackRun("dev");
        assert.equal(stackConfig("dev").cloudflare, undefined);
        assert.deepEqual(
            cloudflareResources(run).map((r) => r.urn),
            [],
        );
        assert.equal(run.outputs.edgeCachePurge, undefined);
        const service = get(release(run, "ingress-nginx"), "values.controller.service") as Record<string, unknown>;
        assert.equal(service.loadBalancerSourceRanges, undefined);
        assert.equal(
            (get(release(run, "ingress-nginx"), "values.controller.config") as Record<string, string>)["use-forwarded-headers"],
            undefined,
        );
        for (const i of ingresses(run)) assert.equal(annotations(i)["nginx.ingress.kubernetes.io/auth-tls-secret"], undefined);
    });

    for (const stack of listStacks().filter((s) => stackConfig(s).cloudflare)) {
        describe(`stack ${stack}`, () => {
            const config = stackConfig(stack);
            const cf = config.cloudflare!;
            const hosts = publicHosts({ ...config, apps: config.apps.map((app, index) => ({ index, app })) });
            const uiHosts = hosts.filter((h) => h.kind === "ui").map((h) => h.host);
            const browserHosts = hosts.map((h) => h.host).filter((h) => !cf.apiHosts.includes(h));

            it("goes through one explicit provider whose token is a Pulumi secret, aliased to its former place", async () => {
                const run = await stackRun(stack);
                const providers = ofType(run, "pulumi:providers:cloudflare");
                assert.equal(providers.length, 1);
                assert.ok(providers[0].inputs.apiToken instanceof SecretValue);
                // The provider used to be the edge component's child: adopted under its old URN, not replaced.
                assert.deepEqual(
                    (providers[0].aliases as { name: string; parenturn: string }[]).map((a) => [a.name, a.parenturn]),
                    [["edge-provider", `urn:pulumi:${stack}::platform::platform:edge:CloudflareEdge::edge`]],
                );
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
                assert.equal(
                    (settings.security_header as { strict_transport_security: { enabled: boolean } }).strict_transport_security.enabled,
                    true,
                );
                for (const key of Object.keys(settings)) assert.match(key, /^[a-z0-9_]+$/, "settingId is snake_case");
            });

            it("points a proxied record at the ingress for every public host, once the origin is locked and its certificate ordered", async () => {
                const run = await stackRun(stack);
                const records = ofType(run, "cloudflare:index/dnsRecord:DnsRecord").filter((r) => r.inputs.proxied === true);
                assert.deepEqual(records.map((r) => r.inputs.name).sort(), hosts.map((h) => h.host).sort());
                const [settings] = ofType(run, "cloudflare:index/authenticatedOriginPullsSettings:AuthenticatedOriginPullsSettings");
                for (const r of records) {
                    assert.equal(r.inputs.content, "203.0.113.10");
                    assert.equal(r.inputs.type, "A");
                    assert.equal(r.inputs.ttl, 1);
                    assert.ok(
                        r.dependsOn.some((u) => u.endsWith("::ingress-nginx-controller-service")),
                        "waits for the address",
                    );
                    assert.ok(r.dependsOn.includes(settings.urn), "waits for Authenticated Origin Pulls");
                }
            });

            it("covers every proxied host with an edge certificate: Universal SSL one level down, the stack's ACM order deeper", async () => {
                const run = await stackRun(stack);
                const [pack] = ofType(run, "cloudflare:index/certificatePack:CertificatePack");
                const totalTls = ofType(run, "cloudflare:index/totalTls:TotalTls").some((t) => t.inputs.enabled === true);
                for (const { host } of hosts) {
                    const covered =
                        levelsBelow(host, cf.zoneName) <= 1 ||
                        totalTls ||
                        (pack !== undefined && (pack.inputs.hosts as string[]).some((p) => certificateCovers(p, host)));
                    assert.ok(covered, `${host} has no edge certificate`);
                }
                if (pack) {
                    assert.ok((pack.inputs.hosts as string[]).includes(cf.zoneName), "a pack contains the apex");
                    assert.equal(pack.inputs.validationMethod, "txt", "wildcards validate by TXT only");
                    const deep = ofType(run, "cloudflare:index/dnsRecord:DnsRecord").filter(
                        (r) => levelsBelow(String(r.inputs.name), cf.zoneName) > 1,
                    );
                    for (const r of deep) assert.ok(r.dependsOn.includes(pack.urn), `${r.inputs.name} waits for its certificate`);
                }
            });

            it("issues every host's origin certificate by DNS-01 in this zone (no HTTP-01 through the proxy)", async () => {
                const run = await stackRun(stack);
                const issuer = ofType(run, "kubernetes:cert-manager.io/v1:ClusterIssuer").find(
                    (i) => get(i, "metadata.name") === "letsencrypt-production",
                )!;
                const solvers = get(issuer, "spec.acme.solvers") as {
                    selector: { dnsZones: string[] };
                    dns01?: unknown;
                    http01?: unknown;
                }[];
                assert.ok(solvers.every((s) => s.dns01 && !s.http01 && s.selector.dnsZones.includes(cf.zoneName)));
                for (const { host, kind } of hosts) {
                    if (kind === "app") {
                        const ingress = ingresses(run).find((i) => (get(i, "spec.rules") as { host: string }[])[0].host === host)!;
                        assert.equal(annotations(ingress)["cert-manager.io/cluster-issuer"], "letsencrypt-production");
                        assert.deepEqual((get(ingress, "spec.tls") as { hosts: string[] }[])[0].hosts, [host]);
                    } else {
                        const ui = uiIngress(run, host).values;
                        assert.equal(
                            (ui.annotations as Record<string, string>)["cert-manager.io/cluster-issuer"],
                            "letsencrypt-production",
                            host,
                        );
                    }
                }
            });

            it("locks the origin: the load balancer admits and nginx trusts only the ranges getIpRanges returns", async () => {
                const run = await stackRun(stack);
                const nginx = release(run, "ingress-nginx");
                assert.deepEqual(get(nginx, "values.controller.service.loadBalancerSourceRanges"), cloudflareRanges);
                const nginxConfig = get(nginx, "values.controller.config") as Record<string, string>;
                assert.equal(nginxConfig["proxy-real-ip-cidr"], cloudflareRanges.join(","));
                assert.equal(nginxConfig["forwarded-for-header"], "CF-Connecting-IP");
                assert.equal(
                    get(nginx, "values.controller.service.externalTrafficPolicy"),
                    "Local",
                    "the source address survives to the ranges check",
                );
            });

            it("locks the origin: zone-level Authenticated Origin Pulls with the zone's own certificate, verified on every Ingress", async () => {
                const run = await stackRun(stack);
                const [certificate] = ofType(
                    run,
                    "cloudflare:index/authenticatedOriginPullsCertificate:AuthenticatedOriginPullsCertificate",
                );
                const [settings] = ofType(run, "cloudflare:index/authenticatedOriginPullsSettings:AuthenticatedOriginPullsSettings");
                assert.equal(certificate.inputs.zoneId, cf.zoneId);
                assert.ok(certificate.inputs.privateKey instanceof SecretValue, "the client key stays a secret");
                assert.deepEqual([settings.inputs.zoneId, settings.inputs.enabled], [cf.zoneId, true]);
                assert.ok(settings.dependsOn.includes(certificate.urn), "switched on only once Cloudflare has the certificate");
                for (const ingress of ingresses(run)) {
                    const ns = get(ingress, "metadata.namespace") as string;
                    assert.equal(annotations(ingress)["nginx.ingress.kubernetes.io/auth-tls-secret"], `${ns}/${clientCaSecretName}`);
                    assert.equal(annotations(ingress)["nginx.ingress.kubernetes.io/auth-tls-verify-client"], "on");
                    const secret = k8sObject(run, "kubernetes:core/v1:Secret", clientCaSecretName, ns);
                    assert.ok(
                        ingress.dependsOn.includes(secret.urn) && ingress.dependsOn.includes(settings.urn),
                        `${ingress.name} turns the check on last`,
                    );
                }
                for (const host of uiHosts) {
                    const { values, namespace } = uiIngress(run, host);
                    assert.equal(
                        (values.annotations as Record<string, string>)["nginx.ingress.kubernetes.io/auth-tls-secret"],
                        `${namespace}/${clientCaSecretName}`,
                    );
                }
            });

            it("deploys one ruleset per phase that has rules (a DDoS override only when the stack asks for one)", async () => {
                const run = await stackRun(stack);
                const expected = [
                    "http_ratelimit",
                    "http_request_firewall_custom",
                    "http_request_firewall_managed",
                    ...(cf.ddosSensitivity ? ["ddos_l7"] : []),
                ];
                assert.deepEqual(
                    rulesets(run)
                        .map((r) => r.inputs.phase)
                        .sort(),
                    expected.sort(),
                );
                for (const r of rulesets(run)) {
                    assert.equal(r.inputs.kind, "zone");
                    assert.equal(r.deleteBeforeReplace, true, "a replacement must free the zone's single entrypoint first");
                    assert.deepEqual(r.ignoreChanges, ["name"], "the name is immutable at Cloudflare: never a reason to replace");
                    assert.equal(r.inputs.zoneId, cf.zoneId);
                    const refs = rules(r).map((rule) => rule.ref);
                    assert.ok(
                        refs.every((ref) => typeof ref === "string" && ref.length > 0),
                        "every rule has a ref",
                    );
                    assert.equal(new Set(refs).size, refs.length, "refs are unique");
                }
            });

            it("runs the managed rulesets with the OWASP paranoia level and threshold of the environment", async () => {
                const run = await stackRun(stack);
                const managed = rules(phase(run, "http_request_firewall_managed")) as unknown as {
                    actionParameters: { id: string; overrides?: { categories: { category: string }[]; rules: unknown[] } };
                }[];
                assert.deepEqual(
                    managed.map((r) => r.actionParameters.id),
                    [managedRulesetIds.cloudflareManaged, managedRulesetIds.owaspCore],
                );
                const owasp = managed[1].actionParameters.overrides!;
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

            it("lets API clients and uptime checks through the bot and browser checks, and challenges browser hosts only", async () => {
                const run = await stackRun(stack);
                const custom = rules(phase(run, "http_request_firewall_custom"));
                const skipApi = custom.find((r) => r.ref === "skip-api-clients")!;
                assert.equal(custom.indexOf(skipApi), 0, "skips come before anything that could stop the request");
                assert.equal(skipApi.action, "skip");
                assert.equal(skipApi.expression, hostIn(cf.apiHosts));
                assert.deepEqual(skipApi.actionParameters, { phases: ["http_request_sbfm"], products: ["bic", "securityLevel"] });
                const uptime = custom.find((r) => r.ref === "skip-uptime-checks")!;
                assert.deepEqual(uptime.actionParameters!.phases, ["http_ratelimit", "http_request_sbfm"]);
                for (const check of cf.uptimeChecks) assert.ok(uptime.expression.includes(`http.request.uri.path eq "${check.path}"`));
                for (const ref of ["block-path-traversal", "block-xss-patterns", "block-sqli-patterns"])
                    assert.ok(
                        custom.some((r) => r.ref === ref),
                        ref,
                    );
                assert.equal(
                    custom.some((r) => r.expression.includes("cf.threat_score")),
                    false,
                );
                for (const r of custom.filter((r) => r.action.endsWith("challenge"))) {
                    assert.ok(r.expression.startsWith(hostIn(browserHosts)), `${r.ref} is scoped to the browser hosts`);
                    for (const api of cf.apiHosts) assert.equal(r.expression.includes(`"${api}"`), false, `${r.ref} spares ${api}`);
                }
            });

            it("rate limits per client IP on the host and path each rule is for, by method and outcome where the plan can", async () => {
                const run = await stackRun(stack);
                const limits = rules(phase(run, "http_ratelimit"));
                assert.deepEqual(
                    limits.map((r) => [
                        r.ref,
                        (r.ratelimit as { requestsPerPeriod: number }).requestsPerPeriod,
                        (r.ratelimit as { period: number }).period,
                    ]),
                    cf.rateLimits!.map((r) => [`ratelimit-${r.ref}`, r.requests, r.period]),
                );
                cf.rateLimits!.forEach((declared, i) => {
                    const rule = limits[i];
                    assert.deepEqual((rule.ratelimit as { characteristics: string[] }).characteristics, ["cf.colo.id", "ip.src"]);
                    assert.ok(rule.expression.startsWith(`(http.host eq "${declared.host}")`), `${rule.ref} counts its host only`);
                    assert.equal(rule.expression.includes("http.request.method in {"), declared.methods !== undefined);
                    assert.equal(
                        (rule.ratelimit as { countingExpression?: string }).countingExpression !== undefined,
                        declared.countStatuses !== undefined,
                    );
                });
            });

            it("signs the zone and allows only the platform's CA in CAA, reporting to the team", async () => {
                const run = await stackRun(stack);
                const [dnssec] = ofType(run, "cloudflare:index/zoneDnssec:ZoneDnssec");
                assert.deepEqual([dnssec.inputs.zoneId, dnssec.inputs.status], [cf.zoneId, "active"]);
                assert.equal(run.outputs.dnssecDs, mockDnssecDs, "the DS record to publish at the registrar");
                const caa = ofType(run, "cloudflare:index/dnsRecord:DnsRecord").filter((r) => r.inputs.type === "CAA");
                assert.deepEqual(
                    caa.map((r) => [r.inputs.name, r.inputs.content, r.inputs.data]),
                    [
                        [cf.zoneName, undefined, { flags: 0, tag: "issue", value: "letsencrypt.org" }],
                        [cf.zoneName, undefined, { flags: 0, tag: "iodef", value: `mailto:${config.guardrails.acme.email}` }],
                    ],
                );
            });

            it("puts each exposed platform UI behind its own Access application and policy", async () => {
                const run = await stackRun(stack);
                const apps = ofType(run, "cloudflare:index/zeroTrustAccessApplication:ZeroTrustAccessApplication");
                const policies = ofType(run, "cloudflare:index/zeroTrustAccessPolicy:ZeroTrustAccessPolicy");
                assert.deepEqual(apps.map((a) => a.inputs.domain).sort(), [...uiHosts].sort());
                assert.equal(policies.length, uiHosts.length);
                for (const app of apps) {
                    assert.equal(app.inputs.type, "self_hosted");
                    const [{ id }] = app.inputs.policies as { id: string }[];
                    const policy = policies.find((p) => id === `${p.name}-id`)!;
                    assert.equal(policy.inputs.decision, "allow");
                    assert.deepEqual(
                        policy.inputs.includes,
                        (cf.access?.groups ?? []).map((g) => ({ group: { id: g } })),
                    );
                }
            });

            it("notifies the team of DDoS attacks and certificate events where the stack owns them", async () => {
                const run = await stackRun(stack);
                const alerts = ofType(run, "cloudflare:index/notificationPolicy:NotificationPolicy");
                if (!cf.notifications) return assert.equal(alerts.length, 0);
                assert.ok(alerts.some((a) => a.inputs.alertType === "dos_attack_l7"));
                assert.ok(alerts.some((a) => a.inputs.alertType === "zone_aop_custom_certificate_expiration_type"));
                for (const a of alerts) assert.deepEqual(a.inputs.mechanisms, { emails: [{ id: cf.notifications.email }] });
            });

            it("keeps the edge's keys secret in every input and in the synth", async () => {
                const run = await stackRun(stack);
                const keys = ofType(run, "kubernetes:core/v1:Secret").filter(
                    (s) => get(s, "metadata.name") === "cloudflare-dns01-api-token",
                );
                assert.ok(keys.every((k) => containsSecret(k.inputs.stringData)));
                assert.equal(JSON.stringify(toSynthResources(run)).includes("PRIVATE KEY"), false);
                assert.equal(JSON.stringify(toSynthResources(run)).includes("secure placeholder"), false);
            });
        });
    }

    it("uses a CNAME when the load balancer reports a host name", async () => {
        const run = await runStack("production", { loadBalancer: { hostname: "lb-1234.elb.eu-west-1.amazonaws.com" } });
        const record = ofType(run, "cloudflare:index/dnsRecord:DnsRecord").find((r) => r.inputs.name === "api.platform.example.com")!;
        assert.equal(record.inputs.type, "CNAME");
        assert.equal(record.inputs.content, "lb-1234.elb.eu-west-1.amazonaws.com");
    });
});
