import { strict as assert } from "assert";
import * as cloudflare from "../policies/cloudflare";
import { check, resource } from "./helpers";

const msgs = (vs: { message: string }[]) => vs.map((v) => v.message);
const zoneId = "0123456789abcdef0123456789abcdef";
const ranges = ["198.51.100.0/24", "2001:db8:cf::/48"];

const record = (name: string, proxied = true) =>
    resource("cloudflare:index/dnsRecord:DnsRecord", { zoneId, name, type: "A", content: "203.0.113.10", proxied, ttl: 1 });
const nginx = (service: Record<string, unknown>, trusted = ranges.join(",")) =>
    resource("kubernetes:helm.sh/v3:Release", {
        name: "ingress-nginx",
        chart: "ingress-nginx",
        values: { controller: { service: { type: "LoadBalancer", ...service }, config: { "proxy-real-ip-cidr": trusted } } },
    });
const aop = [
    resource("cloudflare:index/authenticatedOriginPullsCertificate:AuthenticatedOriginPullsCertificate", {
        zoneId,
        certificate: "pem",
        privateKey: "[secret]",
    }),
    resource("cloudflare:index/authenticatedOriginPullsSettings:AuthenticatedOriginPullsSettings", { zoneId, enabled: true }),
];
const verify = (namespace: string) => ({
    "nginx.ingress.kubernetes.io/auth-tls-secret": `${namespace}/cloudflare-origin-pull-ca`,
    "nginx.ingress.kubernetes.io/auth-tls-verify-client": "on",
});
const ingress = (host: string, annotations: Record<string, string>) =>
    resource("kubernetes:networking.k8s.io/v1:Ingress", {
        metadata: { name: "api", namespace: "core", annotations },
        spec: { rules: [{ host }] },
    });
const argocd = (annotations: Record<string, string>) =>
    resource("kubernetes:helm.sh/v3:Release", {
        name: "argocd",
        chart: "argo-cd",
        values: { server: { ingress: { enabled: true, annotations } } },
    });
const locked = [record("api.example.com"), nginx({ loadBalancerSourceRanges: ranges }), ...aop, ingress("api.example.com", verify("core"))];

describe("policy pack: Cloudflare edge", () => {
    it("refuses a zone another stack manages, and passes one nobody else claims", () => {
        const config = (zones: Record<string, string[]>) => ({ "cloudflare-zone-single-owner": { zonesOfOtherStacks: zones } });
        assert.deepEqual(msgs(check(cloudflare.zoneSingleOwner, [record("api.example.com")], config({ production: [zoneId] }))), [
            `zone ${zoneId} is also managed by stack 'production': each zone has exactly one owning stack`,
        ]);
        assert.equal(check(cloudflare.zoneSingleOwner, [record("api.example.com")], config({ production: ["f".repeat(32)] })).length, 0);
        assert.equal(check(cloudflare.zoneSingleOwner, [record("api.example.com")]).length, 0, "no other stack declared");
    });

    it("passes a locked origin and ignores a stack without proxied hosts", () => {
        assert.deepEqual(msgs(check(cloudflare.originLockedToCloudflare, locked)), []);
        assert.deepEqual(msgs(check(cloudflare.originLockedToCloudflare, [nginx({}), ingress("api.example.com", {})])), []);
    });

    it("refuses a load balancer open to anyone, a NodePort, or trusted proxies other than the admitted ranges", () => {
        const without = (r: unknown) => locked.filter((x) => x !== locked[1]).concat(r as never);
        assert.match(msgs(check(cloudflare.originLockedToCloudflare, without(nginx({}))))[0], /admits any source/);
        assert.match(
            msgs(check(cloudflare.originLockedToCloudflare, without(nginx({ loadBalancerSourceRanges: ["0.0.0.0/0"] }))))[0],
            /admits any source/,
        );
        assert.match(msgs(check(cloudflare.originLockedToCloudflare, without(nginx({ type: "NodePort" }))))[0], /NodePort/);
        assert.match(
            msgs(check(cloudflare.originLockedToCloudflare, without(nginx({ loadBalancerSourceRanges: ranges }, "0.0.0.0/0"))))[0],
            /trusts other proxies/,
        );
    });

    it("refuses a zone without Authenticated Origin Pulls (with its own certificate) and an Ingress that does not verify it", () => {
        assert.deepEqual(
            msgs(
                check(
                    cloudflare.originLockedToCloudflare,
                    locked.filter((r) => r !== aop[0]),
                ),
            ),
            [`zone ${zoneId} does not enable Authenticated Origin Pulls with its own certificate`],
        );
        const unverified = [...locked.slice(0, 4), ingress("api.example.com", {})];
        assert.deepEqual(msgs(check(cloudflare.originLockedToCloudflare, unverified)), [
            "Ingress core/api does not verify Cloudflare's client certificate (auth-tls-* annotations)",
        ]);
        const otherNamespace = [...locked.slice(0, 4), ingress("api.example.com", verify("argocd"))];
        assert.equal(check(cloudflare.originLockedToCloudflare, otherNamespace).length, 1, "the CA Secret must be the Ingress's own");
        assert.deepEqual(msgs(check(cloudflare.originLockedToCloudflare, [...locked, argocd({})])), [
            "release 'argocd': server.ingress does not verify Cloudflare's client certificate",
        ]);
        assert.equal(check(cloudflare.originLockedToCloudflare, [...locked, argocd(verify("argocd"))]).length, 0);
    });

    it("refuses an Ingress host without a proxied record in a stack behind Cloudflare", () => {
        const hosts = [record("api.example.com"), ingress("api.example.com", {}), ingress("admin.example.com", {})];
        assert.deepEqual(msgs(check(cloudflare.ingressHostsProxied, hosts)), ["host admin.example.com has no proxied DNS record"]);
        assert.equal(check(cloudflare.ingressHostsProxied, hosts.slice(0, 2)).length, 0);
        assert.equal(check(cloudflare.ingressHostsProxied, [ingress("dev.example.com", {})]).length, 0, "no CDN, nothing to require");
    });
});
