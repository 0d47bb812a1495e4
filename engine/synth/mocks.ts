import * as pulumi from "@pulumi/pulumi";

/**
 * Provider behaviour under mocks: what a resource "returns" once created. Only outputs the
 * program reads are faked; everything else echoes the inputs, as a real create would.
 */
export interface MockOptions {
    /** What the ingress controller's LoadBalancer Service reports. @default { ip: "203.0.113.10" } */
    loadBalancer?: { ip?: string; hostname?: string };
}

const fakePem = (kind: string) => `-----BEGIN ${kind}-----\nMOCK\n-----END ${kind}-----\n`;

/**
 * What Cloudflare's `getIpRanges` data source returns under mocks: documentation ranges
 * (RFC 5737, RFC 3849), deliberately not Cloudflare's real list, so tests show the program
 * uses whatever the data source says rather than a list it carries.
 */
export const mockCloudflareIpRanges = {
    etag: "mock-etag",
    ipv4Cidrs: ["198.51.100.0/24", "203.0.113.128/25"],
    ipv6Cidrs: ["2001:db8:cf::/48"],
    jdcloudCidrs: [],
};

/** The DS record `ZoneDnssec` reports under mocks (a documentation value). */
export const mockDnssecDs = "example.com. 3600 IN DS 2371 13 2 00000000000000000000000000000000000000000000000000000000000000AA";

export function platformMocks(options: MockOptions = {}): pulumi.runtime.Mocks {
    const loadBalancer = options.loadBalancer ?? { ip: "203.0.113.10" };
    return {
        newResource(args: pulumi.runtime.MockResourceArgs): { id: string; state: Record<string, unknown> } {
            const state: Record<string, unknown> = { ...args.inputs };
            switch (args.type) {
                case "kubernetes:core/v1:Service":
                    // Reads of the Service a Helm release created (the ingress controller's).
                    state.status = { loadBalancer: { ingress: [loadBalancer] } };
                    break;
                case "kubernetes:helm.sh/v3:Release":
                    state.status = {
                        name: args.inputs.name,
                        namespace: args.inputs.namespace,
                        chart: args.inputs.chart,
                        version: args.inputs.version,
                        status: "deployed",
                        revision: 1,
                    };
                    break;
                case "random:index/randomPassword:RandomPassword":
                    state.result = `mock-password-${args.name}`;
                    break;
                case "tls:index/privateKey:PrivateKey":
                    state.privateKeyPem = fakePem("PRIVATE KEY");
                    state.privateKeyPemPkcs8 = fakePem("PRIVATE KEY");
                    state.privateKeyOpenssh = fakePem("OPENSSH PRIVATE KEY");
                    state.publicKeyPem = fakePem("PUBLIC KEY");
                    break;
                case "tls:index/selfSignedCert:SelfSignedCert":
                case "tls:index/locallySignedCert:LocallySignedCert":
                    state.certPem = fakePem("CERTIFICATE");
                    state.validityStartTime = "2026-01-01T00:00:00Z";
                    break;
                case "tls:index/certRequest:CertRequest":
                    state.certRequestPem = fakePem("CERTIFICATE REQUEST");
                    break;
                case "cloudflare:index/zoneDnssec:ZoneDnssec":
                    state.ds = mockDnssecDs;
                    break;
            }
            return { id: args.id || `${args.name}-id`, state };
        },
        call(args: pulumi.runtime.MockCallArgs): Record<string, unknown> {
            if (args.token === "cloudflare:index/getIpRanges:getIpRanges") return { ...args.inputs, ...mockCloudflareIpRanges };
            return args.inputs;
        },
    };
}
