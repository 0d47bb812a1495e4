import type { PolicyResource, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";

/**
 * The Cloudflare edge: records proxied, every zone guarded by WAF, rate limits and strict TLS,
 * one stack per zone, and an origin only Cloudflare can reach.
 */

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

interface RuleProps {
    ref?: string;
    description?: string;
    action?: string;
    enabled?: boolean;
    expression?: string;
    actionParameters?: { id?: string; overrides?: { enabled?: boolean; action?: string } };
}

/** A rule that can do something: not log-only, and an expression that is not constantly false. */
const acts = (rule: RuleProps) =>
    rule.enabled !== false && rule.action !== "log" && !/^\s*(false|not\s+true|\(\s*false\s*\))\s*$/.test(String(rule.expression ?? ""));

const rulesetsOf = (resources: PolicyResource[], zone: string, phase: string) =>
    resources.filter((r) => r.type === rulesetType && r.props.zoneId === zone && r.props.phase === phase);

export const zoneWafAndRateLimits: StackValidationPolicy = {
    name: "zone-waf-and-rate-limits",
    description:
        "Every zone deploys the Cloudflare Managed and OWASP rulesets, custom WAF rules and rate limits (mandatory for production stacks).",
    validateStack: (args, reportViolation) => {
        for (const zone of zonesOf(args.resources)) {
            // Effects, not presence: a rule that is disabled, log-only, overridden off or never matches does not protect.
            const managed = rulesetsOf(args.resources, zone, "http_request_firewall_managed").flatMap((r) => r.props.rules ?? []);
            for (const [label, id] of Object.entries(managedRulesets)) {
                const rule = managed.find(
                    (r: RuleProps) => r.action === "execute" && r.enabled !== false && r.actionParameters?.id === id,
                ) as RuleProps | undefined;
                const overrides = rule?.actionParameters?.overrides;
                if (!rule) reportViolation(`zone ${zone} does not execute the ${label} ruleset (${id})`);
                else if (String(rule.expression).trim() !== "true")
                    reportViolation(`zone ${zone} runs the ${label} ruleset only where '${rule.expression}' matches, not on every request`);
                else if (overrides?.enabled === false || overrides?.action === "log")
                    reportViolation(
                        `zone ${zone} overrides the ${label} ruleset to ${overrides.enabled === false ? "disabled" : "log only"}`,
                    );
            }
            for (const [phase, what] of [
                ["http_request_firewall_custom", "custom WAF rules"],
                ["http_ratelimit", "rate limiting rules"],
            ]) {
                const rules = rulesetsOf(args.resources, zone, phase).flatMap((r) => r.props.rules ?? []);
                if (!rules.some((rule: RuleProps) => acts(rule))) reportViolation(`zone ${zone} has no ${what} that act (${phase})`);
                for (const rule of rules.filter((r: RuleProps) => r.enabled !== false && !acts(r)))
                    reportViolation(
                        `zone ${zone} ${phase} rule '${rule.ref ?? rule.description}' never acts (${rule.action === "log" ? "log only" : `expression '${rule.expression}'`})`,
                    );
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

const dnsRecordType = "cloudflare:index/dnsRecord:DnsRecord";
const ingressType = "kubernetes:networking.k8s.io/v1:Ingress";
const releaseType = "kubernetes:helm.sh/v3:Release";
const aopSettingsType = "cloudflare:index/authenticatedOriginPullsSettings:AuthenticatedOriginPullsSettings";
const aopCertificateType = "cloudflare:index/authenticatedOriginPullsCertificate:AuthenticatedOriginPullsCertificate";

/** A stack that proxies any host through Cloudflare. */
const proxiedRecordsOf = (resources: PolicyResource[]) => resources.filter((r) => r.type === dnsRecordType && r.props.proxied === true);

export const zoneSingleOwner: StackValidationPolicy = {
    name: "cloudflare-zone-single-owner",
    description:
        "A Cloudflare zone is managed by one stack: it has one entrypoint ruleset per phase and one plan, so a second stack would overwrite (or, destroyed, delete) the first one's edge.",
    configSchema: {
        properties: {
            zonesOfOtherStacks: {
                type: "object",
                description: "Zone IDs the project's other stacks manage, by stack (the gate reads them from the committed stack files)",
                additionalProperties: { type: "array", items: { type: "string" } },
                default: {},
            },
        },
    },
    validateStack: (args, reportViolation) => {
        const { zonesOfOtherStacks } = args.getConfig<{ zonesOfOtherStacks: Record<string, string[]> }>();
        for (const zone of zonesOf(args.resources)) {
            for (const [stack, zones] of Object.entries(zonesOfOtherStacks)) {
                if (zones.includes(zone))
                    reportViolation(`zone ${zone} is also managed by stack '${stack}': each zone has exactly one owning stack`);
            }
        }
    },
};

/** Every `ingress` block a chart's values enable (Argo CD's `server.ingress`, Grafana's `grafana.ingress`, ...). */
function enabledChartIngresses(values: unknown, path = ""): { path: string; annotations: Record<string, string> }[] {
    if (!values || typeof values !== "object" || Array.isArray(values)) return [];
    return Object.entries(values as Record<string, unknown>).flatMap(([key, value]) => {
        const here = path ? `${path}.${key}` : key;
        const v = value as { enabled?: unknown; annotations?: Record<string, string> } | undefined;
        if (key === "ingress" && v && typeof v === "object" && v.enabled === true)
            return [{ path: here, annotations: v.annotations ?? {} }];
        return enabledChartIngresses(value, here);
    });
}

const verifiesClient = (annotations: Record<string, string> | undefined, namespace?: string) =>
    annotations?.["nginx.ingress.kubernetes.io/auth-tls-verify-client"] === "on" &&
    typeof annotations["nginx.ingress.kubernetes.io/auth-tls-secret"] === "string" &&
    (namespace === undefined || annotations["nginx.ingress.kubernetes.io/auth-tls-secret"].startsWith(`${namespace}/`));

const openRanges = ["0.0.0.0/0", "::/0"];

export const originLockedToCloudflare: StackValidationPolicy = {
    name: "origin-locked-to-cloudflare",
    description:
        "A stack that proxies hosts through Cloudflare locks its origin: the ingress load balancer admits only Cloudflare's ranges (the same ranges nginx trusts for the client IP), every zone has Authenticated Origin Pulls with its own certificate, and every Ingress verifies that certificate.",
    validateStack: (args, reportViolation) => {
        if (proxiedRecordsOf(args.resources).length === 0) return;
        const nginx = args.resources.find((r) => r.type === releaseType && r.props.chart === "ingress-nginx");
        const controller = (nginx?.props.values as { controller?: { service?: Record<string, unknown>; config?: Record<string, string> } })
            ?.controller;
        const ranges = controller?.service?.loadBalancerSourceRanges as string[] | undefined;
        if (!nginx) reportViolation("proxied hosts, but no ingress-nginx release to lock");
        else if (controller?.service?.type === "NodePort")
            reportViolation("the ingress controller is a NodePort Service: no source range restricts it");
        else if (!Array.isArray(ranges) || ranges.length === 0 || ranges.some((r) => openRanges.includes(r)))
            reportViolation(
                "the ingress load balancer admits any source: set controller.service.loadBalancerSourceRanges to Cloudflare's ranges",
            );
        else {
            const trusted = String(controller?.config?.["proxy-real-ip-cidr"] ?? "")
                .split(",")
                .filter(Boolean);
            if ([...trusted].sort().join(",") !== [...ranges].sort().join(","))
                reportViolation(
                    "nginx trusts other proxies for the client IP than the load balancer admits: proxy-real-ip-cidr must be Cloudflare's ranges",
                );
        }
        for (const zone of zonesOf(args.resources)) {
            const on = args.resources.some((r) => r.type === aopSettingsType && r.props.zoneId === zone && r.props.enabled === true);
            const own = args.resources.some((r) => r.type === aopCertificateType && r.props.zoneId === zone);
            if (!on || !own) reportViolation(`zone ${zone} does not enable Authenticated Origin Pulls with its own certificate`);
        }
        for (const ingress of args.resources.filter((r) => r.type === ingressType)) {
            const md = ingress.props.metadata as { name?: string; namespace?: string; annotations?: Record<string, string> };
            if (!verifiesClient(md.annotations, md.namespace))
                reportViolation(
                    `Ingress ${md.namespace}/${md.name} does not verify Cloudflare's client certificate (auth-tls-* annotations)`,
                    ingress.urn,
                );
        }
        for (const release of args.resources.filter((r) => r.type === releaseType)) {
            for (const ui of enabledChartIngresses(release.props.values)) {
                if (!verifiesClient(ui.annotations))
                    reportViolation(
                        `release '${release.props.name}': ${ui.path} does not verify Cloudflare's client certificate`,
                        release.urn,
                    );
            }
        }
    },
};

export const ingressHostsProxied: StackValidationPolicy = {
    name: "ingress-hosts-proxied",
    description:
        "In a stack behind Cloudflare, every host an Ingress serves has a DNS record at the edge (dns-records-proxied requires it proxied): the origin admits nothing else.",
    validateStack: (args, reportViolation) => {
        if (proxiedRecordsOf(args.resources).length === 0) return;
        const recorded = new Set(args.resources.filter((r) => r.type === dnsRecordType).map((r) => r.props.name as string));
        for (const ingress of args.resources.filter((r) => r.type === ingressType)) {
            for (const rule of (ingress.props.spec as { rules?: { host?: string }[] } | undefined)?.rules ?? []) {
                if (rule.host && !recorded.has(rule.host)) reportViolation(`host ${rule.host} has no proxied DNS record`, ingress.urn);
            }
        }
    },
};

export const edgePolicies = [zoneSingleOwner, originLockedToCloudflare, ingressHostsProxied];

const redirectOff = (v: string | undefined) => v !== undefined && v.trim().toLowerCase() === "false";

export const ingressHttpsOnly: StackValidationPolicy = {
    name: "ingress-https-only",
    description: "Plain HTTP is redirected to HTTPS: no Ingress turns nginx's redirect off, and no zone turns Always Use HTTPS off.",
    validateStack: (args, reportViolation) => {
        for (const ingress of args.resources.filter((r) => r.type === ingressType)) {
            const md = ingress.props.metadata as { name?: string; namespace?: string; annotations?: Record<string, string> };
            for (const key of ["nginx.ingress.kubernetes.io/ssl-redirect", "nginx.ingress.kubernetes.io/force-ssl-redirect"]) {
                if (redirectOff(md.annotations?.[key]))
                    reportViolation(`Ingress ${md.namespace}/${md.name} sets ${key}: "false"`, ingress.urn);
            }
        }
        for (const s of args.resources.filter((r) => r.type === zoneSettingType && r.props.settingId === "always_use_https")) {
            if (s.props.value === "off") reportViolation(`zone ${s.props.zoneId} turns Always Use HTTPS off`, s.urn);
        }
    },
};

export const cloudflarePolicies = [proxiedRecords, zoneWafAndRateLimits, zoneTls, ingressHttpsOnly, ...edgePolicies];
