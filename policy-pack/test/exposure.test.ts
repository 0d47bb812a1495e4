import { strict as assert } from "assert";
import { noUnnamedPublicLoadBalancer } from "../policies/exposure";
import { check, resource } from "./helpers";

const service = (namespace: string, name: string, type: string, annotations?: Record<string, string>, urn?: string) =>
    resource(
        "kubernetes:core/v1:Service",
        { metadata: { name, namespace, ...(annotations ? { annotations } : {}) }, spec: { type, ports: [{ port: 443 }] } },
        urn ? { urn } : {},
    );
const allowed = {
    "no-unnamed-public-load-balancer": { allowed: { "ingress-nginx/ingress-nginx-controller": "the platform's entry point" } },
};
const renderedBy = (release: string, name: string) =>
    `urn:pulumi:production::platform::platform:platform:Istio$kubernetes:helm.sh/v3:Release$kubernetes:core/v1:Service::${release}/${name}`;

describe("policy pack: exposure", () => {
    it("refuses a public LoadBalancer no config names, rendered by a chart or not", () => {
        // The defect: the Istio gateway chart's default Service, rendered although nothing routes through it.
        const gateway = service(
            "istio-ingress",
            "istio-ingressgateway",
            "LoadBalancer",
            undefined,
            renderedBy("istio-ingressgateway", "x"),
        );
        assert.deepEqual(
            check(noUnnamedPublicLoadBalancer, [gateway], allowed).map((v) => v.message),
            [
                "istio-ingress/istio-ingressgateway is a public LoadBalancer that no host or stack config names (named: ingress-nginx/ingress-nginx-controller): an entry point nobody asked for; make it ClusterIP, or name it in the stack file",
            ],
        );
        // A chart's values asking for one (argocd server `service.type: LoadBalancer`).
        assert.equal(check(noUnnamedPublicLoadBalancer, [service("argocd", "argocd-server", "LoadBalancer")], allowed).length, 1);
        // Without any allowed set, even the ingress controller is refused.
        assert.equal(check(noUnnamedPublicLoadBalancer, [service("ingress-nginx", "ingress-nginx-controller", "LoadBalancer")]).length, 1);
    });

    it("passes the named load balancer, internal load balancers and every other Service type", () => {
        assert.equal(
            check(noUnnamedPublicLoadBalancer, [service("ingress-nginx", "ingress-nginx-controller", "LoadBalancer")], allowed).length,
            0,
        );
        const internal: Record<string, string>[] = [
            { "service.beta.kubernetes.io/aws-load-balancer-scheme": "internal" },
            { "networking.gke.io/load-balancer-type": "Internal" },
            { "service.beta.kubernetes.io/azure-load-balancer-internal": "true" },
        ];
        for (const annotations of internal)
            assert.equal(
                check(noUnnamedPublicLoadBalancer, [service("monitoring", "grafana", "LoadBalancer", annotations)], allowed).length,
                0,
            );
        for (const type of ["ClusterIP", "NodePort"])
            assert.equal(check(noUnnamedPublicLoadBalancer, [service("istio-ingress", "istio-ingressgateway", type)], allowed).length, 0);
        // An internal-looking annotation with another value does not hide a public one.
        assert.equal(
            check(
                noUnnamedPublicLoadBalancer,
                [service("x", "y", "LoadBalancer", { "service.beta.kubernetes.io/aws-load-balancer-scheme": "internet-facing" })],
                allowed,
            ).length,
            1,
        );
    });

    it("refuses a release whose values ask for a LoadBalancer, unless it creates a named one", () => {
        const release = (name: string, values: Record<string, unknown>) =>
            resource("kubernetes:helm.sh/v3:Release", { name, namespace: name, chart: name, version: "1.0.0", values });
        const named = { "no-unnamed-public-load-balancer": { ...allowed["no-unnamed-public-load-balancer"], releases: ["ingress-nginx"] } };
        assert.deepEqual(
            check(noUnnamedPublicLoadBalancer, [release("argocd", { server: { service: { type: "LoadBalancer" } } })], named).map(
                (v) => v.message,
            ),
            [
                "release argocd: values set server.service.type: a public LoadBalancer that no host or stack config names (named: ingress-nginx/ingress-nginx-controller) (stack file: platform:components.argocd.values)",
            ],
        );
        assert.equal(
            check(
                noUnnamedPublicLoadBalancer,
                [release("kube-prometheus-stack", { grafana: { service: { type: "LoadBalancer" } } })],
                named,
            ).length,
            1,
        );
        assert.equal(
            check(noUnnamedPublicLoadBalancer, [release("ingress-nginx", { controller: { service: { type: "LoadBalancer" } } })], named)
                .length,
            0,
        );
        assert.equal(
            check(noUnnamedPublicLoadBalancer, [release("argocd", { server: { service: { type: "ClusterIP" } } })], named).length,
            0,
        );
        const internal = { type: "LoadBalancer", annotations: { "service.beta.kubernetes.io/aws-load-balancer-scheme": "internal" } };
        assert.equal(check(noUnnamedPublicLoadBalancer, [release("argocd", { server: { service: internal } })], named).length, 0);
    });
});
