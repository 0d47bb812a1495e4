import * as cloudflare from "@pulumi/cloudflare";
import * as pulumi from "@pulumi/pulumi";
import type { CloudflareConfig } from "../config/edge";
import { extraRecordKey } from "../config/edge";
import type { PublicHost } from "../config/hosts";
import type { Environment } from "../config/primitives";
import { PerEnvironment } from "../shared/environment";
import { UiAccess } from "./access";
import { botSettings } from "./bots";
import { EdgeCertificates } from "./edge-certificates";
import { EdgeNotifications } from "./notifications";
import { Phase, rulesByPhase, WafSettings } from "./rulesets";
import { caaRecords, deepHosts, recordType, zoneSettings } from "./zone";

export { recordType, zoneSettings };

/**
 * Per-environment edge posture, where the stack does not set it. (Cloudflare now acts only on the
 * `under_attack` and `off` security levels; the others are kept as the declared posture.)
 */
export const edgeDefaults: PerEnvironment<{
    securityLevel: string;
    owaspParanoiaLevel: number;
    owaspSensitivity: WafSettings["sensitivity"];
}> = {
    dev: { securityLevel: "medium", owaspParanoiaLevel: 1, owaspSensitivity: "low" },
    staging: { securityLevel: "medium", owaspParanoiaLevel: 1, owaspSensitivity: "medium" },
    production: { securityLevel: "high", owaspParanoiaLevel: 2, owaspSensitivity: "high" },
};

/**
 * Resource options of an entrypoint ruleset. Only one may exist per zone and phase, so a
 * replacement deletes the old one first; the name is immutable at Cloudflare, so it is never a
 * reason to replace one (a window without rules). A ruleset listed in
 * `platform:cloudflare.adoptRulesets` is imported with the `import` option, under this component
 * and its provider like any other, ignoring its rules until the entry is removed. Exported for tests.
 */
export function rulesetOptions(cf: CloudflareConfig, phase: Phase): pulumi.CustomResourceOptions {
    const id = cf.adoptRulesets[phase];
    return {
        deleteBeforeReplace: true,
        ignoreChanges: ["name", ...(id ? ["rules", "description"] : [])],
        ...(id ? { import: `zones/${cf.zoneId}/${id}` } : {}),
    };
}

export interface CloudflareEdgeArgs {
    environment: Environment;
    config: CloudflareConfig;
    /** The stack's one Cloudflare provider (the default provider is disabled). */
    provider: cloudflare.Provider;
    /** Public hosts served through the ingress controller (apps and platform UIs). */
    hosts: Pick<PublicHost, "host" | "kind">[];
    /** The ingress controller's load balancer address (IP or host name). */
    ingressAddress: pulumi.Output<string>;
    /** CAs the platform's own certificate issuers use: the only ones the CAA records allow besides Cloudflare's. */
    caaIssuers: string[];
    /** The team's address, for CAA violation reports. */
    contactEmail: string;
    /** What the host records wait for: the origin lock, so the origin verifies Cloudflare before traffic arrives. @default [] */
    originReady?: pulumi.Resource[];
    /** The zone presents an uploaded origin-pull certificate (its expiry is notified). @default false */
    originPullCertificate?: boolean;
}

/**
 * The platform's Cloudflare edge for the one zone this stack owns: zone security settings, edge
 * certificates for every proxied host, proxied DNS for every public host pointing at the ingress
 * load balancer, CAA and DNSSEC, the WAF (managed and custom rules with API-safe skips), rate
 * limits, an HTTP DDoS override when one is asked for, bot protection, Access in front of the
 * platform UIs and the team's notifications.
 */
export class CloudflareEdge extends pulumi.ComponentResource {
    readonly zoneId: string;
    readonly hosts: string[];
    /** The DS record to publish at the registrar (when DNSSEC is on). */
    readonly dnssecDs?: pulumi.Output<string>;
    /** What covers each host's edge certificate. */
    readonly certificateCoverage: Record<string, string>;

    constructor(name: string, args: CloudflareEdgeArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:edge:CloudflareEdge", name, {}, opts);
        const cf = args.config;
        const d = edgeDefaults[args.environment];
        const child = { parent: this, provider: args.provider };
        this.zoneId = cf.zoneId;
        this.hosts = args.hosts.map((h) => h.host);

        for (const [settingId, value] of Object.entries(zoneSettings(cf.securityLevel ?? d.securityLevel))) {
            new cloudflare.ZoneSetting(`${name}-setting-${settingId.replace(/_/g, "-")}`, { zoneId: cf.zoneId, settingId, value }, child);
        }
        const certificates = new EdgeCertificates(
            `${name}-certificates`,
            { zoneId: cf.zoneId, zoneName: cf.zoneName, hosts: this.hosts, settings: cf.edgeCertificates, provider: args.provider },
            { parent: this },
        );
        this.certificateCoverage = certificates.coverage;
        this.records(name, args, child, deepHosts(this.hosts, cf.zoneName), certificates.ready);

        const waf: WafSettings = {
            plan: cf.plan,
            paranoiaLevel: cf.waf.owaspParanoiaLevel ?? d.owaspParanoiaLevel,
            sensitivity: cf.waf.owaspSensitivity ?? d.owaspSensitivity,
        };
        const browser = this.hosts.filter((h) => !cf.apiHosts.includes(h));
        for (const [phase, rules] of Object.entries(rulesByPhase(cf, waf, { browser, api: cf.apiHosts })) as [
            Phase,
            cloudflare.types.input.RulesetRule[],
        ][]) {
            if (rules.length === 0) continue;
            new cloudflare.Ruleset(
                `${name}-${phase.replace(/_/g, "-")}`,
                {
                    zoneId: cf.zoneId,
                    kind: "zone",
                    phase,
                    name: `platform ${phase}`,
                    description: `Platform ${phase} entrypoint (one per zone and phase)`,
                    rules,
                },
                { ...child, ...rulesetOptions(cf, phase) },
            );
        }
        new cloudflare.BotManagement(`${name}-bots`, botSettings(cf), child);

        if (cf.dnssec) this.dnssecDs = new cloudflare.ZoneDnssec(`${name}-dnssec`, { zoneId: cf.zoneId, status: "active" }, child).ds;
        const uiHosts = args.hosts.filter((h) => h.kind === "ui").map((h) => h.host);
        if (cf.access && cf.accountId && uiHosts.length > 0) {
            new UiAccess(
                `${name}-access`,
                { accountId: cf.accountId, hosts: uiHosts, access: cf.access, provider: args.provider },
                { parent: this },
            );
        }
        if (cf.notifications && cf.accountId) {
            new EdgeNotifications(
                `${name}-notifications`,
                {
                    accountId: cf.accountId,
                    zoneName: cf.zoneName,
                    email: cf.notifications.email,
                    advancedCertificates: certificates.ready.length > 0,
                    originPullCertificate: args.originPullCertificate ?? false,
                    provider: args.provider,
                },
                { parent: this },
            );
        }
        this.registerOutputs({
            zoneId: this.zoneId,
            hosts: this.hosts,
            dnssecDs: this.dnssecDs,
            certificateCoverage: this.certificateCoverage,
        });
    }

    /** Proxied records for the public hosts, the stack's extra records and the platform's CAA records. */
    private records(
        name: string,
        args: CloudflareEdgeArgs,
        child: pulumi.CustomResourceOptions,
        deep: string[],
        certificatesReady: pulumi.Resource[],
    ): void {
        const cf = args.config;
        // Records wait for the address: Pulumi creates them once the load balancer reports it.
        const address = args.ingressAddress.apply((a) => {
            if (!a) throw new Error("the ingress load balancer has no address yet; DNS cannot point at it");
            return a;
        });
        for (const host of this.hosts) {
            new cloudflare.DnsRecord(
                `${name}-record-${host}`,
                {
                    zoneId: cf.zoneId,
                    name: host,
                    type: address.apply(recordType),
                    content: address,
                    proxied: true,
                    ttl: 1, // "automatic": required for proxied records
                    comment: "Ingress host, managed by the platform program",
                },
                // Traffic arrives only once the origin verifies Cloudflare and the edge certificate is ordered.
                { ...child, dependsOn: [...(args.originReady ?? []), ...(deep.includes(host) ? certificatesReady : [])] },
            );
        }
        for (const record of cf.records) {
            new cloudflare.DnsRecord(
                `${name}-extra-${extraRecordKey(record)}`,
                {
                    zoneId: cf.zoneId,
                    name: record.name,
                    type: record.type,
                    ...(record.data ? { data: record.data } : { content: record.content }),
                    proxied: record.proxied ?? false,
                    ttl: record.proxied ? 1 : (record.ttl ?? 3600),
                    priority: record.priority,
                },
                child,
            );
        }
        for (const data of caaRecords(args.caaIssuers, args.contactEmail)) {
            new cloudflare.DnsRecord(
                `${name}-caa-${data.tag}${data.tag === "iodef" ? "" : `-${data.value}`}`,
                {
                    zoneId: cf.zoneId,
                    name: cf.zoneName,
                    type: "CAA",
                    data,
                    ttl: 3600,
                    comment: "CAs the platform uses, managed by the platform program",
                },
                child,
            );
        }
    }
}
