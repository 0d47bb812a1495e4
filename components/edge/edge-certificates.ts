import * as cloudflare from "@pulumi/cloudflare";
import * as pulumi from "@pulumi/pulumi";
import type { CloudflareConfig } from "../config/edge";
import { certificatePackHosts, deepHosts } from "./zone";

export interface EdgeCertificatesArgs {
    zoneId: string;
    zoneName: string;
    /** Every proxied host of the zone. */
    hosts: string[];
    /** How deeper hosts are covered; config validation guarantees it is set (ACM declared) when there are any. */
    settings?: NonNullable<CloudflareConfig["edgeCertificates"]>;
    provider: cloudflare.Provider;
}

/**
 * Edge certificates for proxied hosts Universal SSL cannot cover (more than one label below the
 * apex): an Advanced Certificate Manager pack with the apex and one wildcard per parent, or Total
 * TLS (a certificate per proxied host). Hosts one level down need nothing: Universal SSL covers
 * the apex and `*.<zone>`. Both orders validate by TXT, which Cloudflare answers itself for a
 * zone on a full setup (and which wildcards require).
 */
export class EdgeCertificates extends pulumi.ComponentResource {
    /** Resources a deep host's DNS record waits for (so HTTPS works the moment it resolves). */
    readonly ready: pulumi.Resource[] = [];
    /** What covers each host: `universal`, a pack's host pattern, or `totalTls`. */
    readonly coverage: Record<string, string>;

    constructor(name: string, args: EdgeCertificatesArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:edge:EdgeCertificates", name, {}, opts);
        const deep = deepHosts(args.hosts, args.zoneName);
        const mode = args.settings?.mode ?? "certificatePack";
        const ca = args.settings?.certificateAuthority ?? "lets_encrypt";
        const child = { parent: this, provider: args.provider };
        if (deep.length > 0 && mode === "certificatePack") {
            const hosts = certificatePackHosts(args.hosts, args.zoneName);
            this.ready.push(
                new cloudflare.CertificatePack(
                    `${name}-pack`,
                    {
                        zoneId: args.zoneId,
                        type: "advanced",
                        hosts,
                        certificateAuthority: ca,
                        validationMethod: "txt",
                        validityDays: 90, // the one validity every offered CA issues (Let's Encrypt issues only 90)
                        cloudflareBranding: false,
                    },
                    child,
                ),
            );
        } else if (deep.length > 0) {
            this.ready.push(
                new cloudflare.TotalTls(`${name}-total-tls`, { zoneId: args.zoneId, enabled: true, certificateAuthority: ca }, child),
            );
        }
        this.coverage = Object.fromEntries(
            args.hosts.map((h) => [
                h,
                !deep.includes(h) ? "universal" : mode === "totalTls" ? "totalTls" : `*.${h.split(".").slice(1).join(".")}`,
            ]),
        );
        this.registerOutputs({ coverage: this.coverage });
    }
}
