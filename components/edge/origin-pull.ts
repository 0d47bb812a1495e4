import * as cloudflare from "@pulumi/cloudflare";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as tls from "@pulumi/tls";
import type { Environment } from "../config/primitives";
import { statefulProtection } from "../shared/environment";
import { managedBy } from "../shared/labels";
import { ClientCertificateCheck, clientCaSecretName } from "../shared/origin-lock";

export interface OriginPullArgs {
    environment: Environment;
    zoneId: string;
    zoneName: string;
    /** Namespaces whose Ingresses verify the CDN (apps' namespaces); UIs' charts ship their own Secret. */
    ingressNamespaces: { name: string; resource: k8s.core.v1.Namespace }[];
    cloudflareProvider: cloudflare.Provider;
}

const hours = { day: 24, year: 365 * 24 };

/**
 * Zone-level Authenticated Origin Pulls with the zone's own certificate: Cloudflare presents a
 * client certificate issued by a CA only this stack holds, and nginx accepts no connection
 * without it. Cloudflare's shared origin-pull certificate is deliberately not used: any
 * Cloudflare customer's zone presents it, so it would let anyone route through their own zone
 * to this origin, past this zone's WAF and Access.
 *
 * Ordering: the certificate is uploaded before zone-level pulls are switched on, and Ingresses
 * turn verification on only after both (`check.ready`), so no request is refused while the
 * switch-over runs. A renewed client certificate is uploaded before the old one is deleted (the
 * default create-before-delete), so Cloudflare never connects without one.
 */
export class OriginPull extends pulumi.ComponentResource {
    /** What Ingresses need to verify the CDN: the CA (public) and what must exist first. */
    readonly check: ClientCertificateCheck;
    /** The same for UIs whose charts create the CA Secret themselves. */
    readonly uiCheck: ClientCertificateCheck;

    constructor(name: string, args: OriginPullArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:edge:OriginPull", name, {}, opts);
        // Rotating the CA means re-issuing the client certificate and every CA Secret at once: keep it in production.
        const keep = { parent: this, protect: statefulProtection[args.environment].protect };
        const caKey = new tls.PrivateKey(`${name}-ca-key`, { algorithm: "RSA", rsaBits: 4096 }, keep);
        const caCert = new tls.SelfSignedCert(
            `${name}-ca-cert`,
            {
                privateKeyPem: caKey.privateKeyPem,
                isCaCertificate: true,
                validityPeriodHours: 10 * hours.year,
                earlyRenewalHours: hours.year,
                allowedUses: ["cert_signing", "crl_signing"],
                subject: { commonName: `${args.zoneName} origin-pull CA`, organization: "Platform" },
            },
            keep,
        );
        const clientKey = new tls.PrivateKey(`${name}-client-key`, { algorithm: "RSA", rsaBits: 2048 }, { parent: this });
        const csr = new tls.CertRequest(
            `${name}-client-csr`,
            { privateKeyPem: clientKey.privateKeyPem, subject: { commonName: args.zoneName, organization: "Platform" } },
            { parent: this },
        );
        // A leaf (CA:FALSE), as Cloudflare requires; renewed on the first update within 90 days of expiry.
        const clientCert = new tls.LocallySignedCert(
            `${name}-client-cert`,
            {
                certRequestPem: csr.certRequestPem,
                caPrivateKeyPem: caKey.privateKeyPem,
                caCertPem: caCert.certPem,
                isCaCertificate: false,
                validityPeriodHours: 2 * hours.year,
                earlyRenewalHours: 90 * hours.day,
                allowedUses: ["digital_signature", "key_encipherment", "client_auth"],
            },
            { parent: this },
        );
        const cf = { parent: this, provider: args.cloudflareProvider };
        const certificate = new cloudflare.AuthenticatedOriginPullsCertificate(
            `${name}-certificate`,
            { zoneId: args.zoneId, certificate: clientCert.certPem, privateKey: pulumi.secret(clientKey.privateKeyPem) },
            cf,
        );
        const settings = new cloudflare.AuthenticatedOriginPullsSettings(
            `${name}-settings`,
            { zoneId: args.zoneId, enabled: true },
            { ...cf, dependsOn: [certificate] },
        );
        const secrets = args.ingressNamespaces.map(
            (ns) =>
                new k8s.core.v1.Secret(
                    `${name}-ca-${ns.name}`,
                    {
                        metadata: { name: clientCaSecretName, namespace: ns.resource.metadata.name, labels: managedBy },
                        type: "Opaque",
                        stringData: { "ca.crt": caCert.certPem },
                    },
                    { parent: this },
                ),
        );
        this.check = { caCertificate: caCert.certPem, ready: [settings, ...secrets] };
        this.uiCheck = { caCertificate: caCert.certPem, ready: [settings] };
        this.registerOutputs({ caCertificate: caCert.certPem });
    }
}
