import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { argoRolloutsChart } from "../components/platform/argo-rollouts";
import { argocdChart } from "../components/platform/argocd";
import { certManagerChart } from "../components/platform/cert-manager";
import { externalSecretsChart } from "../components/platform/external-secrets";
import { barmanCloudChart, cloudnativePgChart } from "../components/platform/cloudnative-pg";
import { gatekeeperChart } from "../components/platform/gatekeeper";
import { ingressNginxChart } from "../components/platform/ingress-nginx";
import { componentsSchema } from "../components/config/platform";
import { namedLoadBalancers } from "../components/platform/install";
import { istioCharts, istioVersion } from "../components/platform/istio";
import { kedaChart } from "../components/platform/keda";
import { kubePrometheusStackChart } from "../components/platform/kube-prometheus-stack";
import { kyvernoChart } from "../components/platform/kyverno";
import { strimziChart } from "../components/platform/strimzi";
import { ChartPin, mergeValues } from "../components/shared/helm";
import { get, k8sObject, ofType } from "./harness/query";
import { ProgramRun, RegisteredResource, runStack, stackRun } from "../engine/synth/run-program";
import { listStacks, repoRoot, stackConfig } from "../engine/synth/stack-files";

const pins: ChartPin[] = [
    kubePrometheusStackChart,
    certManagerChart,
    ingressNginxChart,
    istioCharts.base,
    istioCharts.istiod,
    istioCharts.cni,
    istioCharts.gateway,
    kyvernoChart,
    gatekeeperChart,
    argocdChart,
    argoRolloutsChart,
    kedaChart,
    cloudnativePgChart,
    barmanCloudChart,
    strimziChart,
    externalSecretsChart,
];

const releases = (run: ProgramRun) => ofType(run, "kubernetes:helm.sh/v3:Release");
const release = (run: ProgramRun, releaseName: string): RegisteredResource => {
    const found = releases(run).find((r) => r.inputs.name === releaseName);
    if (!found) throw new Error(`${run.stack}: no release '${releaseName}'`);
    return found;
};
const values = (r: RegisteredResource, p: string) => get(r, `values.${p}`);

/** Release -> releases it depends on, by release name, from the registered dependencies. */
function releaseGraph(run: ProgramRun): Map<string, string[]> {
    const byUrn = new Map(releases(run).map((r) => [r.urn, String(r.inputs.name)]));
    return new Map(
        releases(run).map((r) => [
            String(r.inputs.name),
            r.dependsOn
                .filter((u) => byUrn.has(u))
                .map((u) => byUrn.get(u)!)
                .sort(),
        ]),
    );
}

function longestChain(graph: Map<string, string[]>): number {
    const depth = (n: string, seen: Set<string>): number => {
        if (seen.has(n)) throw new Error(`dependency cycle through ${n}`);
        const deps = graph.get(n) ?? [];
        return 1 + Math.max(0, ...deps.map((d) => depth(d, new Set([...seen, n]))));
    };
    return Math.max(...[...graph.keys()].map((n) => depth(n, new Set())));
}

/** The real dependencies between releases, and nothing else. */
const expectedGraph: Record<string, string[]> = {
    "kube-prometheus-stack": [],
    "cert-manager": ["kube-prometheus-stack"],
    "ingress-nginx": ["kube-prometheus-stack"],
    "istio-base": [],
    "istio-cni": ["istio-base"],
    istiod: ["istio-base"],
    "istio-ingressgateway": ["istiod"],
    kyverno: ["kube-prometheus-stack"],
    gatekeeper: ["kube-prometheus-stack"],
    argocd: ["kube-prometheus-stack"],
    "argo-rollouts": ["kube-prometheus-stack"],
    keda: ["kube-prometheus-stack"],
    "cloudnative-pg": ["kube-prometheus-stack"],
    "plugin-barman-cloud": ["cert-manager"],
    strimzi: [],
    "external-secrets": ["kube-prometheus-stack"],
};

describe("platform releases", () => {
    it("pin every chart to an exact version, one Istio version for all Istio charts", () => {
        for (const pin of pins) assert.match(pin.version, /^v?\d+\.\d+\.\d+$/, pin.releaseName);
        for (const pin of Object.values(istioCharts)) assert.equal(pin.version, istioVersion);
        assert.deepEqual(Object.fromEntries(pins.map((p) => [p.releaseName, p.version])), {
            "kube-prometheus-stack": "88.5.3",
            "cert-manager": "v1.21.1",
            "ingress-nginx": "4.15.1",
            "istio-base": "1.30.3",
            istiod: "1.30.3",
            "istio-cni": "1.30.3",
            "istio-ingressgateway": "1.30.3",
            kyverno: "3.9.0",
            gatekeeper: "3.23.0",
            argocd: "10.1.1",
            "argo-rollouts": "2.41.0",
            keda: "2.20.2",
            "cloudnative-pg": "0.29.0",
            "plugin-barman-cloud": "0.7.0",
            strimzi: "1.2.0",
            "external-secrets": "2.9.0",
        });
    });

    it("merges raw values over typed defaults, the user winning and lists replaced", () => {
        const merged = mergeValues({ a: { b: 1, c: [1, 2] }, d: 1 }, { a: { c: [3], e: 2 } });
        assert.deepEqual(merged, { a: { b: 1, c: [3], e: 2 }, d: 1 });
    });

    for (const stack of listStacks()) {
        describe(`stack ${stack}`, () => {
            // The Istio gateway only where the stack routes through it (no stack does today).
            const gateway = stackConfig(stack).components.istio.ingressGateway.enabled;
            const stackPins = pins.filter((p) => gateway || p !== istioCharts.gateway);
            it("installs every release from its pinned chart, repository and namespace", async () => {
                const run = await stackRun(stack);
                assert.deepEqual(
                    releases(run)
                        .map((r) => r.inputs.name)
                        .sort(),
                    stackPins.map((p) => p.releaseName).sort(),
                );
                for (const pin of stackPins) {
                    const r = release(run, pin.releaseName);
                    assert.equal(r.inputs.chart, pin.chart, pin.releaseName);
                    assert.equal(r.inputs.version, pin.version, pin.releaseName);
                    assert.equal(r.inputs.namespace, pin.namespace, pin.releaseName);
                    assert.equal(get(r, "repositoryOpts.repo"), pin.repo, pin.releaseName);
                }
            });

            it("sets the shared release options deliberately", async () => {
                const run = await stackRun(stack);
                for (const pin of stackPins) {
                    const r = release(run, pin.releaseName);
                    assert.equal(r.inputs.atomic, true, pin.releaseName);
                    assert.equal(r.inputs.cleanupOnFail, true, pin.releaseName);
                    assert.equal(r.inputs.maxHistory, 10, pin.releaseName);
                    assert.equal(r.inputs.timeout, pin.timeoutSeconds, pin.releaseName);
                    assert.equal(r.inputs.createNamespace, false, pin.releaseName);
                }
            });

            it("has exactly the release dependencies the components need, at most three deep", async () => {
                const run = await stackRun(stack);
                const graph = releaseGraph(run);
                const expected = Object.fromEntries(Object.entries(expectedGraph).filter(([r]) => gateway || r !== "istio-ingressgateway"));
                assert.deepEqual(Object.fromEntries(graph), expected);
                assert.equal(longestChain(graph), 3);
            });

            it("exports the ingress load balancer address read from the controller Service", async () => {
                const run = await stackRun(stack);
                assert.equal(run.outputs.ingressLoadBalancerAddress, "203.0.113.10");
                const svc = run.resources.find((r) => r.type === "kubernetes:core/v1:Service" && r.name.endsWith("controller-service"));
                assert.equal(svc, undefined, "the Service is read (Service.get), not created");
                assert.equal((run.outputs.installedVersions as Record<string, string>)["cert-manager"], "v1.21.1");
            });
        });
    }

    describe("per-environment settings", () => {
        it("protects CRD-owning releases in production and keeps them in the cluster if dropped from state", async () => {
            const [prod, dev] = [await stackRun("production"), await stackRun("dev")];
            const crdOwners = [
                "kube-prometheus-stack",
                "cert-manager",
                "istio-base",
                "kyverno",
                "gatekeeper",
                "argocd",
                "argo-rollouts",
                "keda",
                "cloudnative-pg",
                "plugin-barman-cloud",
                "strimzi",
                "external-secrets",
            ];
            for (const name of crdOwners) {
                assert.equal(release(prod, name).protect, true, `production ${name}`);
                assert.equal(release(prod, name).retainOnDelete, true, `production ${name}`);
                assert.equal(release(dev, name).protect, false, `dev ${name}`);
            }
            for (const name of ["ingress-nginx", "istiod", "istio-cni"]) assert.equal(release(prod, name).protect, false, name);
        });

        it("runs production highly available with disruption budgets and zone spread", async () => {
            const run = await stackRun("production");
            const ingress = release(run, "ingress-nginx");
            assert.equal(values(ingress, "controller.replicaCount"), 3);
            assert.equal(values(ingress, "controller.minAvailable"), 1);
            assert.equal(
                (values(ingress, "controller.topologySpreadConstraints") as { topologyKey: string }[])[0].topologyKey,
                "topology.kubernetes.io/zone",
            );
            const certManager = release(run, "cert-manager");
            assert.equal(values(certManager, "replicaCount"), 3);
            assert.deepEqual(values(certManager, "podDisruptionBudget"), { enabled: true, minAvailable: 1 });
            assert.deepEqual(values(certManager, "crds"), { enabled: true, keep: true });
            assert.equal(values(release(run, "kyverno"), "admissionController.replicas"), 3);
            assert.equal(values(release(run, "kube-prometheus-stack"), "prometheus.prometheusSpec.replicas"), 2);
            assert.equal(values(release(run, "kube-prometheus-stack"), "prometheus.prometheusSpec.retention"), "30d", "stack file knob");
            assert.equal(values(release(run, "istiod"), "autoscaleMin"), 3);
            assert.deepEqual(
                values(release(run, "istiod"), "global.proxy.seccompProfile"),
                { type: "RuntimeDefault" },
                "sidecars pass restricted",
            );
            assert.equal(values(release(run, "istiod"), "cni.enabled"), true);
            assert.equal(values(release(run, "argocd"), "redis-ha.enabled"), true);
            assert.deepEqual(values(release(run, "keda"), "crds"), {
                install: true,
                additionalAnnotations: { "helm.sh/resource-policy": "keep" },
            });
            assert.deepEqual(values(release(run, "strimzi"), "extraEnvs"), [
                { name: "STRIMZI_POD_SECURITY_PROVIDER_CLASS", value: "restricted" },
            ]);
            const eso = release(run, "external-secrets");
            for (const component of ["", "webhook.", "certController."]) {
                assert.equal(values(eso, `${component}replicaCount`), 2, `${component}replicas`);
                assert.deepEqual(values(eso, `${component}podDisruptionBudget`), { enabled: true, minAvailable: 1 });
                assert.ok((values(eso, `${component}resources.limits.memory`) as string).length > 0, `${component}memory limit`);
                assert.equal(values(eso, `${component}securityContext.readOnlyRootFilesystem`), true);
                assert.equal(
                    (values(eso, `${component}topologySpreadConstraints`) as { topologyKey: string }[])[0].topologyKey,
                    "topology.kubernetes.io/zone",
                );
            }
            assert.equal(values(eso, "leaderElect"), true, "two controller replicas need leader election");
            assert.deepEqual(values(eso, "crds.annotations"), { "helm.sh/resource-policy": "keep" }, "templated CRDs survive an uninstall");
            assert.deepEqual(values(eso, "serviceMonitor.additionalLabels"), { release: "kube-prometheus-stack" });
            // Charts without a disruption budget of their own: the values turn one on, or the component adds it.
            assert.deepEqual(values(release(run, "argocd"), "redis-ha.podDisruptionBudget"), { maxUnavailable: 1 });
            assert.deepEqual(values(release(run, "argocd"), "redis-ha.haproxy.podDisruptionBudget"), { maxUnavailable: 1 });
            const operatorPdb = k8sObject(run, "kubernetes:policy/v1:PodDisruptionBudget", "cloudnative-pg", "cnpg-system");
            assert.deepEqual(get(operatorPdb, "spec"), {
                minAvailable: 1,
                selector: { matchLabels: { "app.kubernetes.io/name": "cloudnative-pg", "app.kubernetes.io/instance": "cloudnative-pg" } },
            });
        });

        it("runs dev small: one replica, no disruption budgets", async () => {
            const run = await stackRun("dev");
            assert.equal(values(release(run, "ingress-nginx"), "controller.replicaCount"), 1);
            assert.deepEqual(values(release(run, "cert-manager"), "podDisruptionBudget"), { enabled: false, minAvailable: 1 });
            assert.equal(values(release(run, "kube-prometheus-stack"), "prometheus.prometheusSpec.replicas"), 1);
            assert.equal(values(release(run, "argocd"), "redis-ha.enabled"), false);
            assert.equal(values(release(run, "external-secrets"), "replicaCount"), 1);
            assert.deepEqual(values(release(run, "external-secrets"), "podDisruptionBudget"), { enabled: false, minAvailable: 1 });
            assert.equal(
                ofType(run, "kubernetes:policy/v1:PodDisruptionBudget").filter((p) => get(p, "metadata.namespace") === "cnpg-system")
                    .length,
                0,
            );
        });

        it("labels every chart's ServiceMonitors for kube-prometheus-stack's release selector", async () => {
            const run = await stackRun("production");
            const selector = { release: "kube-prometheus-stack" };
            assert.deepEqual(values(release(run, "ingress-nginx"), "controller.metrics.serviceMonitor.additionalLabels"), selector);
            assert.deepEqual(values(release(run, "cert-manager"), "prometheus.servicemonitor.labels"), selector);
            assert.deepEqual(values(release(run, "kyverno"), "admissionController.serviceMonitor.additionalLabels"), selector);
            assert.deepEqual(values(release(run, "cloudnative-pg"), "monitoring.podMonitorAdditionalLabels"), selector);
            assert.equal(
                values(release(run, "kube-prometheus-stack"), "prometheus.prometheusSpec.serviceMonitorSelectorNilUsesHelmValues"),
                true,
            );
        });
    });

    describe("stack overrides", () => {
        it("deep-merge raw values and typed knobs over the defaults", async () => {
            const run = await runStack("production", {
                overrides: {
                    components: {
                        certManager: {
                            replicas: 5,
                            values: { webhook: { timeoutSeconds: 15 }, global: { priorityClassName: "platform-critical" } },
                        },
                    },
                },
            });
            assert.equal(run.error, undefined);
            const r = release(run, "cert-manager");
            assert.equal(values(r, "replicaCount"), 5, "typed knob");
            assert.equal(values(r, "webhook.timeoutSeconds"), 15, "raw value added");
            assert.equal(values(r, "webhook.replicaCount"), 5, "default kept beside it");
            assert.equal(values(r, "global.priorityClassName"), "platform-critical");
            assert.equal(values(r, "global.leaderElection.namespace"), "cert-manager", "sibling default kept");
        });

        it("disable a component entirely, and refuse to disable one another needs", async () => {
            const run = await runStack("dev", {
                overrides: { components: { keda: { enabled: false }, strimzi: { enabled: false } } },
                remove: [],
            });
            assert.ok(run.error, "apps still use KEDA and Kafka");
            assert.match(run.error!.message, /platform:apps\[mcp-gateway\]\.autoscaling: needs platform component 'keda'/);
            assert.match(run.error!.message, /platform:apps\[event-ingest\]\.kafka: needs platform component 'strimzi'/);
            const without = await runStack("dev", { overrides: { components: { gatekeeper: { enabled: false } } } });
            assert.equal(without.error, undefined);
            assert.equal(
                releases(without).some((r) => r.inputs.name === "gatekeeper"),
                false,
            );
            assert.equal(
                without.resources.some((r) => r.type.startsWith("kubernetes:templates.gatekeeper.sh")),
                false,
                "no constraints without Gatekeeper",
            );
        });

        it("refuse a CloudNativePG without cert-manager at config time", async () => {
            const run = await runStack("dev", { overrides: { components: { certManager: { enabled: false } } } });
            assert.match(run.error!.message, /platform:components\.cloudnativePg: needs certManager/);
            assert.deepEqual(run.resources, []);
        });
    });

    describe("the Istio ingress gateway, only where a stack routes through it", () => {
        const withGateway = (gateway: Record<string, unknown>) => {
            const prod = stackConfig("production");
            return runStack("production", {
                overrides: { components: { ...prod.components, istio: { ...prod.components.istio, ingressGateway: gateway } } },
            });
        };
        const gatewayNamespace = (run: ProgramRun) =>
            ofType(run, "kubernetes:core/v1:Namespace").find((n) => get(n, "metadata.name") === "istio-ingress");

        for (const stack of listStacks()) {
            it(`${stack}: no gateway, no istio-ingress namespace unless the stack enables one`, async () => {
                const run = await stackRun(stack);
                const enabled = stackConfig(stack).components.istio.ingressGateway.enabled;
                assert.equal(
                    releases(run).some((r) => r.inputs.name === "istio-ingressgateway"),
                    enabled,
                );
                assert.equal(gatewayNamespace(run) !== undefined, enabled);
            });
        }

        it("deploys it after istiod with the Service type and source ranges the stack chooses", async () => {
            const run = await withGateway({
                enabled: true,
                serviceType: "LoadBalancer",
                loadBalancerSourceRanges: ["203.0.113.0/24"],
                replicas: 4,
            });
            assert.equal(run.error, undefined);
            const gw = release(run, "istio-ingressgateway");
            assert.deepEqual(values(gw, "service"), { type: "LoadBalancer", loadBalancerSourceRanges: ["203.0.113.0/24"] });
            assert.equal(values(gw, "autoscaling.minReplicas"), 4);
            assert.deepEqual(releaseGraph(run).get("istio-ingressgateway"), ["istiod"]);
            assert.equal(get(gatewayNamespace(run)!, "metadata.labels")!["istio-injection" as never], "enabled");
            const internal = release(await withGateway({ enabled: true }), "istio-ingressgateway");
            assert.deepEqual(values(internal, "service"), { type: "ClusterIP" }, "ClusterIP unless the stack says otherwise");
        });

        it("names the public load balancers the stack asks for, the gate's allowed set", () => {
            const named = (c: unknown) => Object.keys(namedLoadBalancers(componentsSchema.parse(c)));
            assert.deepEqual(named({}), ["ingress-nginx/ingress-nginx-controller"]);
            assert.deepEqual(
                named({
                    ingressNginx: { serviceType: "NodePort" },
                    istio: { ingressGateway: { enabled: true, serviceType: "LoadBalancer" } },
                }),
                ["istio-ingress/istio-ingressgateway"],
            );
            assert.deepEqual(
                named({ ingressNginx: { enabled: false }, istio: { ingressGateway: { enabled: true, serviceType: "NodePort" } } }),
                [],
            );
            assert.deepEqual(named({ istio: { enabled: false, ingressGateway: { enabled: true, serviceType: "LoadBalancer" } } }), [
                "ingress-nginx/ingress-nginx-controller",
            ]);
        });

        it("refuses gateway settings without a gateway, and source ranges without a LoadBalancer, at config time", async () => {
            const off = await withGateway({ serviceType: "LoadBalancer" });
            assert.match(
                off.error!.message,
                /platform:components\.istio\.ingressGateway\.serviceType: has no effect: ingressGateway\.enabled is false/,
            );
            const ranges = await withGateway({ enabled: true, serviceType: "NodePort", loadBalancerSourceRanges: ["203.0.113.0/24"] });
            assert.match(
                ranges.error!.message,
                /ingressGateway\.loadBalancerSourceRanges: only applies to serviceType 'LoadBalancer' \(serviceType is 'NodePort'\)/,
            );
        });
    });

    it("documents the same release graph in the README", () => {
        const readme = fs.readFileSync(path.join(repoRoot, "README.md"), "utf8");
        const block = /```mermaid\n(graph[^`]*)```/.exec(readme)?.[1] ?? "";
        const edges = [...block.matchAll(/^\s*(\S+) --> (\S+)\s*$/gm)].map((m) => `${m[1]} --> ${m[2]}`).sort();
        const expected = Object.entries(expectedGraph)
            .flatMap(([r, deps]) => deps.map((d) => `${d} --> ${r}`))
            .sort();
        assert.deepEqual(edges, expected);
    });
});
