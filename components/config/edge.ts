import { z } from "zod";
import type { Environment } from "./primitives";
import { hostname } from "./primitives";

/**
 * The Cloudflare edge of a stack. A stack without this section creates no Cloudflare resource
 * and needs no API token.
 */
export const cloudflarePlans = ["free", "pro", "business", "enterprise"] as const;
export type CloudflarePlan = (typeof cloudflarePlans)[number];

/**
 * What each plan's rate limiting rules can express, from Cloudflare's "availability by plan"
 * table: the longest counting period and mitigation timeout, how many rules a zone may have,
 * and whether a rule may match on the host (Free matches on the path only).
 */
export const rateLimitCapabilities: Readonly<
    Record<CloudflarePlan, { maxPeriod: number; maxTimeout: number; maxRules: number; hostField: boolean }>
> = {
    free: { maxPeriod: 10, maxTimeout: 10, maxRules: 1, hostField: false },
    pro: { maxPeriod: 60, maxTimeout: 3600, maxRules: 2, hostField: true },
    business: { maxPeriod: 600, maxTimeout: 86400, maxRules: 5, hostField: true },
    enterprise: { maxPeriod: 65535, maxTimeout: 86400, maxRules: 100, hostField: true },
};

/** The period and timeout values (seconds) Cloudflare accepts at all; plans cap them above. */
export const rateLimitPeriods = [
    10, 15, 20, 30, 40, 45, 60, 90, 120, 180, 240, 300, 480, 600, 900, 1200, 1800, 2400, 3600, 65535, 86400,
] as const;
const supportedPeriod = (p: number) => (rateLimitPeriods as readonly number[]).includes(p);

const ref = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, "must be a stable rule reference (lowercase letters, digits, '-', '_')");

export const rateLimitSchema = z.strictObject({
    /** Stable reference: keeps the rule's identity across updates, so previews settle. */
    ref,
    description: z.string().min(1),
    /** Host the rule applies to. @default every host of the zone */
    host: hostname.optional(),
    /** Path prefix counted (`/api/`, `/auth/login`). */
    path: z.string().regex(/^\/[A-Za-z0-9._~/-]*$/, "must be a path starting with '/'"),
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

const customRuleSchema = z.strictObject({
    ref,
    description: z.string().min(1),
    /** A Cloudflare rules-language expression. */
    expression: z.string().min(1),
    action: z.enum(["block", "managed_challenge", "js_challenge", "challenge", "log"]),
});

export const securityLevels = ["off", "essentially_off", "low", "medium", "high", "under_attack"] as const;

export const cloudflareSchema = z.strictObject({
    /** Zone ID (32 hex characters) from the Cloudflare dashboard. */
    zoneId: z.string().regex(/^[a-f0-9]{32}$/, "must be a Cloudflare zone ID (32 lowercase hex characters)"),
    /** The zone's apex, e.g. `example.com`; every host the edge serves must sit under it. */
    zoneName: hostname,
    /** The zone's plan: decides which WAF fields and rate limits exist. */
    plan: z.enum(cloudflarePlans),
    /** Zone security level. @default per-environment table */
    securityLevel: z.enum(securityLevels).optional(),
    waf: z
        .strictObject({
            /** OWASP Core Ruleset paranoia level (1 least, 4 most false positives). @default per-environment table */
            owaspParanoiaLevel: z.number().int().min(1, "must be 1 to 4").max(4, "must be 1 to 4").optional(),
            /** OWASP anomaly score threshold: low (60), medium (40) or high (25) sensitivity. @default per-environment table */
            owaspSensitivity: z.enum(["low", "medium", "high"]).optional(),
            /** Extra custom rules, after the platform's own. @default [] */
            customRules: z.array(customRuleSchema).default([]),
        })
        .prefault({}),
    /** Rate limiting rules. @default api 100/min, login 10/min, signup 5/hour per IP */
    rateLimits: z.array(rateLimitSchema).optional(),
    /** HTTP DDoS (L7) managed ruleset sensitivity. @default "default" (high) */
    ddosSensitivity: z.enum(["default", "medium", "low", "eoff"]).default("default"),
    /** Extra DNS records (MX, TXT, verification records ...). @default [] */
    records: z
        .array(
            z.strictObject({
                name: hostname,
                type: z.enum(["A", "AAAA", "CNAME", "TXT", "MX", "CAA"]),
                content: z.string().min(1),
                proxied: z.boolean().optional(),
                ttl: z.number().int().min(1).max(86400).optional(),
                priority: z.number().int().min(0).max(65535).optional(),
            }),
        )
        .default([]),
});

export type CloudflareConfig = z.infer<typeof cloudflareSchema>;
export type EdgeEnvironmentDefaults = Record<
    Environment,
    { securityLevel: (typeof securityLevels)[number]; owaspParanoiaLevel: number; owaspSensitivity: "low" | "medium" | "high" }
>;
