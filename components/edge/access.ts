import * as cloudflare from "@pulumi/cloudflare";
import * as pulumi from "@pulumi/pulumi";
import type { CloudflareConfig } from "../config/edge";

export interface UiAccessArgs {
    accountId: string;
    /** The platform UIs' hosts (Argo CD, Grafana). */
    hosts: string[];
    access: NonNullable<CloudflareConfig["access"]>;
    provider: cloudflare.Provider;
}

/** Who may pass: the stack's allowed e-mail addresses, e-mail domains and Access groups. Exported for tests. */
export function accessIncludes(access: UiAccessArgs["access"]): cloudflare.types.input.ZeroTrustAccessPolicyInclude[] {
    return [
        ...access.allowedEmails.map((email) => ({ email: { email } })),
        ...access.allowedEmailDomains.map((domain) => ({ emailDomain: { domain } })),
        ...access.groups.map((id) => ({ group: { id } })),
    ];
}

/**
 * Cloudflare Access in front of each platform UI: a self-hosted application per host and its
 * own allow policy, so nobody reaches an admin UI without signing in at the edge (the origin
 * lock makes the edge the only way in).
 */
export class UiAccess extends pulumi.ComponentResource {
    readonly applications: Record<string, pulumi.Output<string>> = {};

    constructor(name: string, args: UiAccessArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:edge:UiAccess", name, {}, opts);
        const child = { parent: this, provider: args.provider };
        for (const host of args.hosts) {
            const policy = new cloudflare.ZeroTrustAccessPolicy(
                `${name}-${host}-policy`,
                {
                    accountId: args.accountId,
                    name: `${host}: platform team`,
                    decision: "allow",
                    includes: accessIncludes(args.access),
                    sessionDuration: args.access.sessionDuration,
                },
                child,
            );
            const app = new cloudflare.ZeroTrustAccessApplication(
                `${name}-${host}-app`,
                {
                    accountId: args.accountId,
                    name: host,
                    type: "self_hosted",
                    domain: host,
                    destinations: [{ type: "public", uri: host }],
                    sessionDuration: args.access.sessionDuration,
                    appLauncherVisible: true,
                    httpOnlyCookieAttribute: true,
                    sameSiteCookieAttribute: "lax",
                    policies: [{ id: policy.id, precedence: 1 }],
                },
                child,
            );
            this.applications[host] = app.id;
        }
        this.registerOutputs({ applications: this.applications });
    }
}
