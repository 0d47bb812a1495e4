import * as cloudflare from "@pulumi/cloudflare";
import * as pulumi from "@pulumi/pulumi";

export interface EdgeNotificationsArgs {
    accountId: string;
    zoneName: string;
    /** The team's address. */
    email: string;
    /** The zone has advanced (ACM) certificates, whose validation and renewal can fail. */
    advancedCertificates: boolean;
    /** The zone presents an uploaded Authenticated Origin Pulls certificate, which expires. */
    originPullCertificate: boolean;
    provider: cloudflare.Provider;
}

/**
 * Notification policies to the team: HTTP DDoS attacks and the certificate events that take a
 * site down when nobody acts (Universal and advanced edge certificates, the origin-pull client
 * certificate's expiry). These alert types are account-wide (they take no zone filter), so one
 * stack per account owns them: the README's zone layout says which. Exported for tests.
 */
export function notificationAlerts(args: Pick<EdgeNotificationsArgs, "advancedCertificates" | "originPullCertificate">) {
    return [
        { key: "http-ddos", alertType: "dos_attack_l7", what: "HTTP DDoS attack mitigated" },
        { key: "universal-ssl", alertType: "universal_ssl_event_type", what: "Universal SSL certificate event" },
        ...(args.advancedCertificates
            ? [{ key: "advanced-certificates", alertType: "dedicated_ssl_certificate_event_type", what: "advanced certificate event" }]
            : []),
        ...(args.originPullCertificate
            ? [
                  {
                      key: "origin-pull-expiry",
                      alertType: "zone_aop_custom_certificate_expiration_type",
                      what: "origin-pull certificate expiring",
                  },
              ]
            : []),
    ];
}

export class EdgeNotifications extends pulumi.ComponentResource {
    constructor(name: string, args: EdgeNotificationsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:edge:EdgeNotifications", name, {}, opts);
        for (const alert of notificationAlerts(args)) {
            new cloudflare.NotificationPolicy(
                `${name}-${alert.key}`,
                {
                    accountId: args.accountId,
                    name: `${args.zoneName}: ${alert.what}`,
                    description: `Platform edge (zone ${args.zoneName}): ${alert.what}`,
                    alertType: alert.alertType,
                    enabled: true,
                    mechanisms: { emails: [{ id: args.email }] },
                },
                { parent: this, provider: args.provider },
            );
        }
        this.registerOutputs({});
    }
}
