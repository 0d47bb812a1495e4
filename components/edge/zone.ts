import { levelsBelow } from "../config/hosts";

/**
 * Pure helpers for the zone's settings, records and certificates. Exported for tests.
 */

/**
 * Zone settings, as the API names them (snake_case ids and value keys: camelCase ones are
 * never equal to what Cloudflare returns, so previews would never settle).
 */
export function zoneSettings(securityLevel: string): Record<string, unknown> {
    return {
        ssl: "strict",
        min_tls_version: "1.2",
        tls_1_3: "on",
        always_use_https: "on",
        automatic_https_rewrites: "on",
        http3: "on",
        security_level: securityLevel,
        security_header: {
            strict_transport_security: { enabled: true, max_age: 31536000, include_subdomains: true, preload: true, nosniff: true },
        },
    };
}

/** DNS record type for an address: A for IPv4, AAAA for IPv6, CNAME for a host name. */
export function recordType(address: string): "A" | "AAAA" | "CNAME" {
    if (/^\d{1,3}(\.\d{1,3}){3}$/.test(address)) return "A";
    if (address.includes(":")) return "AAAA";
    return "CNAME";
}

/** Hosts Universal SSL cannot cover: more than one label below the zone apex. */
export function deepHosts(hosts: string[], zone: string): string[] {
    return hosts.filter((h) => levelsBelow(h, zone) > 1);
}

/**
 * The hosts of an advanced certificate pack covering `hosts`: the zone apex (Cloudflare requires
 * it) and one wildcard per parent of a deep host (`*.platform.example.com` covers
 * `api.platform.example.com`). Wildcards, not names, so a new app needs no new order.
 */
export function certificatePackHosts(hosts: string[], zone: string): string[] {
    const wildcards = new Set(deepHosts(hosts, zone).map((h) => `*.${h.split(".").slice(1).join(".")}`));
    return [zone, ...[...wildcards].sort()];
}

/** Whether an edge certificate host (`*.example.com` or a name) covers `host`. */
export function certificateCovers(pattern: string, host: string): boolean {
    if (!pattern.startsWith("*.")) return pattern === host;
    const parent = pattern.slice(2);
    return host.endsWith(`.${parent}`) && levelsBelow(host, parent) === 1;
}

/** A CAA record's data as the v5 provider takes it (`data`, never `content`). */
export interface CaaData {
    flags: number;
    tag: "issue" | "issuewild" | "iodef";
    value: string;
}

/**
 * CAA records at the apex (CAs climb to it) allowing exactly the CAs the platform's own issuers
 * use, and reporting refused requests to the team. Cloudflare adds, unlisted, the records its
 * own edge certificate CAs need as soon as a zone has any CAA record.
 */
export function caaRecords(issuers: string[], contactEmail: string): CaaData[] {
    return [
        ...[...new Set(issuers)].sort().map((value) => ({ flags: 0, tag: "issue" as const, value })),
        { flags: 0, tag: "iodef" as const, value: `mailto:${contactEmail}` },
    ];
}
