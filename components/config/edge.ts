import { z } from "zod";
import type { Environment } from "./primitives";
import { duration, hostname } from "./primitives";
import { lowerNumbers, weakens } from "./strength";

/**
 * The Cloudflare edge of a stack. A stack without this section creates no Cloudflare resource
 * and needs no API token. Each stack manages its own zone (one owner per zone: see the README's
 * zone layout), with the plan and add-ons that zone really has.
 */
export const cloudflarePlans = ["free", "pro", "business", "enterprise"] as const;
export type CloudflarePlan = (typeof cloudflarePlans)[number];

const planRank: Record<CloudflarePlan, number> = { free: 0, pro: 1, business: 2, enterprise: 3 };
export const planAtLeast = (plan: CloudflarePlan, min: CloudflarePlan) => planRank[plan] >= planRank[min];

/**
 * Paid add-ons a zone may have, which unlock features the plan alone does not: Advanced
 * Certificate Manager (edge certificates for hosts deeper than one level, on any plan) and Bot
 * Management (the `cf.bot_management.*` fields, Enterprise only).
 */
export const cloudflareAddOns = ["advancedCertificateManager", "botManagement"] as const;
export type CloudflareAddOn = (typeof cloudflareAddOns)[number];

/**
 * What each plan's rate limiting rules can express, from Cloudflare's "availability by plan"
 * table: the longest counting period and mitigation timeout, how many rules a zone may have,
 * and which fields a rule may use (Free matches on the path only; the method and a separate
 * counting expression need Business).
 */
export const rateLimitCapabilities: Readonly<
    Record<CloudflarePlan, { maxPeriod: number; maxTimeout: number; maxRules: number; hostField: boolean; methodField: boolean; countingExpression: boolean }>
> = {
    free: { maxPeriod: 10, maxTimeout: 10, maxRules: 1, hostField: false, methodField: false, countingExpression: false },
    pro: { maxPeriod: 60, maxTimeout: 3600, maxRules: 2, hostField: true, methodField: false, countingExpression: false },
    business: { maxPeriod: 600, maxTimeout: 86400, maxRules: 5, hostField: true, methodField: true, countingExpression: true },
    enterprise: { maxPeriod: 65535, maxTimeout: 86400, maxRules: 100, hostField: true, methodField: true, countingExpression: true },
}; // prettier-ignore

/** The period and timeout values (seconds) Cloudflare accepts at all; plans cap them above. */
export const rateLimitPeriods = [
    10, 15, 20, 30, 40, 45, 60, 90, 120, 180, 240, 300, 480, 600, 900, 1200, 1800, 2400, 3600, 65535, 86400,
] as const;
const supportedPeriod = (p: number) => (rateLimitPeriods as readonly number[]).includes(p);

const ref = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, "must be a stable rule reference (lowercase letters, digits, '-', '_')");
const httpPath = z.string().regex(/^\/[A-Za-z0-9._~/-]*$/, "must be a path starting with '/'");
const hexId = z.string().regex(/^[a-f0-9]{32}$/, "must be a Cloudflare ID (32 lowercase hex characters)");

export const httpMethods = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] as const;

export const rateLimitSchema = z.strictObject({
    /** Stable reference: keeps the rule's identity across updates, so previews settle. */
    ref,
    description: z.string().min(1),
    /** Host the rule applies to; required wherever the plan can match on it and the zone serves several hosts. */
    host: hostname.optional(),
    /** Path prefix counted (`/api/`, `/auth/login`). */
    path: httpPath,
    /** Only requests with these methods match (Business and above). @default every method */
    methods: z.array(z.enum(httpMethods)).min(1).optional(),
    /** Count only responses with these status codes, e.g. failed logins (Business and above). @default every response */
    countStatuses: z.array(z.number().int().min(100).max(599)).min(1).optional(),
    /** Requests allowed per client IP per period. */
    requests: z.number().int("must be a whole number").min(1, "must be at least 1"),
    /** Counting period in seconds (one of Cloudflare's supported values; longer periods need higher plans). */
    period: z
        .number()
        .int()
        .refine(supportedPeriod, `must be one of ${rateLimitPeriods.join(", ")} seconds`),
    /** How long a client stays blocked, in seconds (a supported period value). @default the period */
    mitigationTimeout: z
        .number()
        .int()
        .refine(supportedPeriod, `must be one of ${rateLimitPeriods.join(", ")} seconds`)
        .optional(),
});
export type RateLimitRule = z.infer<typeof rateLimitSchema>;

/** API 100/min, login 10/min, signup 5/hour, all per client IP: the defaults when a stack sets none. */
export const defaultRateLimits: RateLimitRule[] = [
    { ref: "api", description: "API: 100 requests per minute per IP", path: "/api/", requests: 100, period: 60 },
    { ref: "login", description: "Login: 10 requests per minute per IP", path: "/api/auth/login", requests: 10, period: 60 },
    { ref: "signup", description: "Signup: 5 requests per hour per IP", path: "/api/auth/signup", requests: 5, period: 3600 },
];

export const challengeActions = ["managed_challenge", "js_challenge", "challenge"] as const;

const customRuleSchema = z.strictObject({
    ref,
    description: z.string().min(1),
    /** A Cloudflare rules-language expression. */
    expression: z.string().min(1),
    action: z.enum(["block", ...challengeActions, "log"]),
    /** Hosts the rule applies to (ANDed with the expression); challenges need browser hosts here. @default every host */
    hosts: z.array(hostname).min(1).optional(),
});
export type CustomRule = z.infer<typeof customRuleSchema>;

export const securityLevels = ["off", "essentially_off", "low", "medium", "high", "under_attack"] as const;

/** One extra DNS record. CAA records take `data` (as the v5 provider does); every other type takes `content`. */
const recordSchema = z.strictObject({
    /** Distinguishes records of the same type and name (two TXT records on the apex). @default "<type>-<name>" */
    ref: ref.optional(),
    name: hostname,
    type: z.enum(["A", "AAAA", "CNAME", "TXT", "MX", "CAA"]),
    content: z.string().min(1).optional(),
    data: z
        .strictObject({
            flags: z.number().int().min(0).max(255).default(0),
            tag: z.enum(["issue", "issuewild", "iodef"]),
            value: z.string().min(1),
        })
        .optional(),
    /** Only A, AAAA and CNAME records can be proxied. @default false */
    proxied: z.boolean().optional(),
    /** Seconds; proxied records are always automatic. @default 3600 */
    ttl: z.number().int().min(60).max(86400).optional(),
    /** MX preference (required for MX, refused for other types). */
    priority: z.number().int().min(0).max(65535).optional(),
});
export type ExtraRecord = z.infer<typeof recordSchema>;

/** The Pulumi resource name suffix of an extra record: unique per stack, or the engine refuses the URN. */
export function extraRecordKey(r: Pick<ExtraRecord, "ref" | "type" | "name">): string {
    return r.ref ?? `${r.type.toLowerCase()}-${r.name}`;
}

export const cloudflareSchema = z.strictObject({
    /** Account ID: Access applications and policies, and notification policies, live in the account. */
    accountId: hexId.optional(),
    /** Zone ID (32 hex characters) from the Cloudflare dashboard. No other stack may manage this zone. */
    zoneId: z.string().regex(/^[a-f0-9]{32}$/, "must be a Cloudflare zone ID (32 lowercase hex characters)"),
    /** The zone's apex, e.g. `example.com`; every host the edge serves must sit under it. */
    zoneName: hostname,
    /** The zone's plan: decides which WAF fields, actions and rate limits exist. */
    plan: z.enum(cloudflarePlans),
    /** Paid add-ons the zone has. @default [] */
    addOns: z.array(z.enum(cloudflareAddOns)).default([]),
    /** Edge certificates for hosts deeper than one level below the zone (needs advancedCertificateManager). */
    edgeCertificates: z
        .strictObject({
            /** An explicit certificate pack (apex + wildcards), or Total TLS (one certificate per proxied host). @default "certificatePack" */
            mode: z.enum(["certificatePack", "totalTls"]).default("certificatePack"),
            /** @default "lets_encrypt" */
            certificateAuthority: z.enum(["lets_encrypt", "google", "ssl_com"]).default("lets_encrypt"),
        })
        .optional(),
    /** Sign the zone (publish the DS record the `dnssecDs` output shows at the registrar). @default true */
    dnssec: z.boolean().default(true),
    /** Zone security level. @default per-environment table */
    securityLevel: weakens(z.enum(securityLevels).optional(), ({ current }) => ["off", "essentially_off"].filter((l) => l !== current)),
    /** Hosts API and mobile clients call: never challenged, exempt from bot fight modes and the browser checks. @default [] */
    apiHosts: z.array(hostname).default([]),
    /** Uptime monitors' requests (GET/HEAD on a host and exact path), exempt from rate limits and bot checks. @default [] */
    uptimeChecks: z.array(z.strictObject({ host: hostname, path: httpPath })).default([]),
    /** Cloudflare Access in front of the platform UIs (Argo CD, Grafana): who may sign in. */
    access: z
        .strictObject({
            allowedEmails: z.array(z.email("must be an e-mail address")).default([]),
            allowedEmailDomains: z.array(hostname).default([]),
            /** Access group IDs (UUIDs). */
            groups: z.array(z.uuid("must be an Access group ID (a UUID)")).default([]),
            /** @default "8h" */
            sessionDuration: duration.default("8h"),
        })
        .optional(),
    /** Account notification policies (HTTP DDoS attacks, certificate events) to the team's address. */
    notifications: z.strictObject({ email: z.email("must be an e-mail address") }).optional(),
    waf: z
        .strictObject({
            /** OWASP Core Ruleset paranoia level (1 least, 4 most false positives). @default per-environment table */
            owaspParanoiaLevel: weakens(z.number().int().min(1, "must be 1 to 4").max(4, "must be 1 to 4").optional(), lowerNumbers(1, 1)),
            /** OWASP anomaly score threshold: low (60), medium (40) or high (25) sensitivity. @default per-environment table */
            owaspSensitivity: z.enum(["low", "medium", "high"]).optional(),
            /** Extra custom rules, after the platform's own. @default [] */
            customRules: z.array(customRuleSchema).default([]),
        })
        .prefault({}),
    /** Rate limiting rules. @default api 100/min, login 10/min, signup 5/hour per IP */
    rateLimits: weakens(z.array(rateLimitSchema).optional(), ({ current }) =>
        ((current as unknown[] | undefined) ?? []).map((_, i) => (current as unknown[]).filter((__, j) => j !== i)),
    ),
    /** HTTP DDoS (L7) sensitivity override; omit it to keep Cloudflare's default (high), which needs no ruleset. */
    ddosSensitivity: weakens(z.enum(["medium", "low", "eoff"]).optional(), ({ current }) => ["low", "eoff"].filter((l) => l !== current)),
    /**
     * Existing entrypoint rulesets to adopt, by phase (Cloudflare allows one per zone and phase):
     * the next update imports each under the edge component, through the stack's provider, keeping
     * its rules; remove the entry afterwards and the following update applies the platform's rules.
     * @default {}
     */
    adoptRulesets: z
        .partialRecord(
            z.enum(["http_request_firewall_managed", "http_request_firewall_custom", "http_ratelimit", "ddos_l7"]),
            z.string().regex(/^[a-f0-9]{32}$/, "must be a ruleset ID (32 lowercase hex characters)"),
        )
        .default({}),
    /** Extra DNS records (MX, TXT, CAA, verification records ...). @default [] */
    records: z.array(recordSchema).default([]),
});

export type CloudflareConfig = z.infer<typeof cloudflareSchema>;
export type EdgeEnvironmentDefaults = Record<
    Environment,
    { securityLevel: (typeof securityLevels)[number]; owaspParanoiaLevel: number; owaspSensitivity: "low" | "medium" | "high" }
>;
