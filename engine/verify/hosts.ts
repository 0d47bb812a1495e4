import * as dns from "dns";
import * as tls from "tls";
import type { CheckResult } from "./report";

/** Resolves a host name to addresses (the system resolver by default; tests inject their own). */
export type Resolver = (host: string) => Promise<string[]>;

/** What a TLS handshake with `host` (as SNI) at `address` showed. */
export interface TlsPeer {
    /** The chain verifies against the trusted roots and is within its validity dates. */
    authorized: boolean;
    authorizationError?: string;
    /** Set when the certificate does not name the host. */
    identityError?: string;
    subject: string;
    issuer: string;
    validTo: Date;
}

export type TlsConnector = (host: string, address: string) => Promise<TlsPeer>;

export const systemResolver: Resolver = async (host) => (await dns.promises.lookup(host, { all: true })).map((a) => a.address);

/**
 * Opens a TLS connection to `address` with `host` as SNI and reports the certificate it got.
 * `ca` replaces the system's trusted roots (tests trust their own throwaway certificate).
 */
export function tlsConnector(options: { port?: number; ca?: string | Buffer; timeoutMs?: number } = {}): TlsConnector {
    const { port = 443, ca, timeoutMs = 10_000 } = options;
    return (host, address) =>
        new Promise<TlsPeer>((resolve, reject) => {
            const socket = tls.connect({ host: address, port, servername: host, ca, rejectUnauthorized: false });
            socket.setTimeout(timeoutMs, () => socket.destroy(new Error(`no TLS handshake within ${timeoutMs / 1000}s`)));
            socket.once("error", reject);
            socket.once("secureConnect", () => {
                const cert = socket.getPeerCertificate();
                const identity = tls.checkServerIdentity(host, cert);
                resolve({
                    authorized: socket.authorized,
                    authorizationError: socket.authorizationError ? String(socket.authorizationError) : undefined,
                    identityError: identity?.message,
                    subject: first(cert.subject?.CN),
                    issuer: first(cert.issuer?.CN ?? cert.issuer?.O),
                    validTo: new Date(cert.valid_to),
                });
                socket.end();
            });
        });
}

const first = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value) ?? "";

/** Fewer days than this left on a certificate means its renewal is stuck (cert-manager renews at 2/3 of its life). */
const MIN_DAYS_LEFT = 7;

/** Each public host resolves and serves, for its own name, a certificate that is trusted and not about to expire. */
export async function checkHosts(hosts: string[], resolve: Resolver, connect: TlsConnector, now: Date): Promise<CheckResult[]> {
    return Promise.all(
        hosts.map(async (host): Promise<CheckResult> => {
            const fail = (detail: string): CheckResult => ({ check: "host", target: host, status: "fail", detail });
            let addresses: string[];
            try {
                addresses = await resolve(host);
            } catch (err) {
                return fail(`does not resolve (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
            }
            if (addresses.length === 0) return fail("does not resolve (no address)");
            let peer: TlsPeer;
            try {
                peer = await connect(host, addresses[0]);
            } catch (err) {
                return fail(`${addresses[0]}: TLS handshake failed (${(err as Error).message})`);
            }
            const daysLeft = Math.floor((peer.validTo.getTime() - now.getTime()) / 864e5);
            const cert = `certificate CN=${peer.subject} from ${peer.issuer}, ${daysLeft} days left`;
            if (peer.identityError) return fail(`${addresses[0]}: wrong certificate: ${peer.identityError}`);
            if (!peer.authorized) return fail(`${addresses[0]}: untrusted ${cert} (${peer.authorizationError ?? "not authorised"})`);
            if (daysLeft < MIN_DAYS_LEFT) return fail(`${addresses[0]}: ${cert}: expires within ${MIN_DAYS_LEFT} days, renewal stuck?`);
            return { check: "host", target: host, status: "ok", detail: `${addresses[0]}: ${cert}` };
        }),
    );
}
