import type * as pulumi from "@pulumi/pulumi";
import { managedBy } from "./labels";

/**
 * How an Ingress behind the CDN admits only the CDN: nginx verifies the client certificate the
 * CDN presents on every origin connection (Cloudflare Authenticated Origin Pulls) against a CA
 * kept in a Secret next to the Ingress. ingress-nginx 4.15.1 has no controller-wide switch for
 * this: client-certificate verification is per host, from the `auth-tls-*` annotations, and the
 * Secret must sit in the Ingress's own namespace (cross-namespace references are refused while
 * `allow-cross-namespace-resources` stays at its safe default, false).
 */
export interface ClientCertificateCheck {
    /** PEM of the CA whose client certificates nginx accepts (a public certificate). */
    caCertificate: pulumi.Input<string>;
    /** What must exist before an Ingress turns the check on: the CDN presenting its certificate, and the CA Secrets. */
    ready: pulumi.Resource[];
}

/** The Secret (key `ca.crt`) in each namespace with a verifying Ingress. */
export const clientCaSecretName = "cloudflare-origin-pull-ca";

/** The annotations that make nginx require and verify the CDN's client certificate for the Ingress's host. */
export function clientCertificateAnnotations(namespace: string): Record<string, string> {
    return {
        "nginx.ingress.kubernetes.io/auth-tls-secret": `${namespace}/${clientCaSecretName}`,
        "nginx.ingress.kubernetes.io/auth-tls-verify-client": "on",
        // The CDN's certificate is signed directly by the CA.
        "nginx.ingress.kubernetes.io/auth-tls-verify-depth": "1",
    };
}

/** The CA Secret as a plain manifest, for charts that ship it with their own Ingress (`extraObjects`). */
export function clientCaSecretManifest(namespace: string, caCertificate: pulumi.Input<string>) {
    return {
        apiVersion: "v1",
        kind: "Secret",
        type: "Opaque",
        metadata: { name: clientCaSecretName, namespace, labels: managedBy },
        stringData: { "ca.crt": caCertificate },
    };
}

/** A platform UI published through the ingress controller. */
export interface UiExposure {
    host: string;
    ingressClassName: string;
    clusterIssuer: string;
    /** Verify the CDN's client certificate (the stack is behind Cloudflare). @default undefined */
    clientCertificate?: ClientCertificateCheck;
}

/** The Ingress annotations and chart objects a UI needs for its client-certificate check (none without one). */
export function uiClientCertificate(ui: UiExposure | undefined, namespace: string) {
    const check = ui?.clientCertificate;
    return {
        annotations: check ? clientCertificateAnnotations(namespace) : {},
        objects: check ? [clientCaSecretManifest(namespace, check.caCertificate)] : [],
        ready: check?.ready ?? [],
    };
}
