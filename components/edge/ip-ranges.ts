import * as cloudflare from "@pulumi/cloudflare";
import type * as pulumi from "@pulumi/pulumi";

/**
 * Cloudflare's published edge ranges (IPv4 and IPv6), read through the provider's `getIpRanges`
 * data source on every preview and update: the origin lock follows Cloudflare's list instead of
 * a copy that goes stale.
 */
export function cloudflareIpRanges(provider: cloudflare.Provider): pulumi.Output<string[]> {
    return cloudflare.getIpRangesOutput({}, { provider }).apply((r) => [...r.ipv4Cidrs, ...r.ipv6Cidrs]);
}
