import { strict as assert } from "assert";
import { componentsSchema } from "../components/config/platform";
import { baselinePolicies } from "../components/guardrails/network-baseline";
import { namedLoadBalancers } from "../components/platform/install";
import { gateConfig } from "../engine/gate";
import { pulumiTypeOf, renderedAsSynthResources } from "../engine/render/read";
import { evaluatePolicies } from "../policy-pack/offline";
import { noUnnamedPublicLoadBalancer } from "../policy-pack/policies/exposure";
import { admitStack, AdmitReport } from "../engine/admit";
import { capacityLines, formatReport } from "../engine/admit/report";
import type { Json } from "../engine/admit/types";
import { stackRun } from "../engine/synth/run-program";
import { listStacks, stackConfig } from "../engine/synth/stack-files";
import { toSynthResources } from "../engine/synth/write";
import { renderReleases } from "../engine/render/render";
import { releasesOf } from "../engine/render/releases";
import { chartsDirFor } from "../engine/render/stack";
import type { SynthResource } from "../policy-pack/offline";
import { resource } from "../policy-pack/test/helpers";

/**
 * The admission and network twin over every stack, and the defects it was built to find: each
 * reintroduced into the stack's own graph must be caught, naming the pod, exec or flow.
 */

async function synth(stack: string): Promise<SynthResource[]> {
    return toSynthResources(await stackRun(stack));
}

function twin(stack: string, resources: SynthResource[], signatures?: (image: string) => boolean): AdmitReport {
    return admitStack({ stack, resources, config: stackConfig(stack), signatures });
}

/** A deep copy of the graph with one resource's inputs changed. */
function withInputs(resources: SynthResource[], name: string, change: (inputs: Json) => void): SynthResource[] {
    const copy = structuredClone(resources);
    const r = copy.find((x) => x.name === name);
    if (!r) throw new Error(`no resource named ${name}`);
    change(r.inputs);
    return copy;
}

/** A deep copy of the graph plus extra Kubernetes objects, as the program would have registered them. */
function withObjects(resources: SynthResource[], ...objects: Json[]): SynthResource[] {
    return [
        ...structuredClone(resources),
        ...objects.map((o, i) =>
            resource(pulumiTypeOf(o), o, {
                urn: `urn:pulumi:test::platform::kubernetes:test::extra-${i}`,
                name: `extra-${i}`,
                custom: true,
            }),
        ),
    ];
}

const lines = (report: AdmitReport) => formatReport(report).slice(0, -1);

describe("admission and network twin", () => {
    for (const stack of listStacks()) {
        it(`admits everything stack ${stack} causes to run, and every required flow is open and every forbidden one closed`, async () => {
            const report = twin(stack, await synth(stack));
            assert.deepEqual(lines(report), []);
            assert.ok(report.pods.fromProgram > 0 && report.pods.fromModels > 0, "pods from the program and from operator models");
            assert.ok(report.flows.some((f) => f.flow.kind === "required") && report.flows.some((f) => f.flow.kind === "forbidden"));
        });
    }

    describe("catches the defects it was built to find", () => {
        it("Strimzi's entity operator without resources: refused at its Deployment by Kyverno's autogen rule", async () => {
            const resources = withInputs(await synth("production"), "apps-event-ingest-kafka-cluster", (k) => {
                const eo = (k.spec as Json).entityOperator as Json;
                eo.topicOperator = {};
                eo.userOperator = {};
            });
            const found = twin("production", resources).refusals.filter((r) => r.rule === "Kyverno require-resource-limits");
            // The Deployment itself is refused (its pods would have got the namespace's LimitRange
            // defaults, but a refused Deployment has no pods): no topic or user operator.
            assert.deepEqual(
                found.map((r) => r.ref),
                ["memory/Deployment/event-ingest-kafka-entity-operator"],
            );
            assert.match(found[0].reason, /Policy require-resource-limits failed: every container must set CPU and memory limits/);
        });

        it("CloudNativePG's backups: the operator's exec refused by deny-exec without its exemption", async () => {
            const resources = withInputs(await synth("production"), "kyverno-policies-deny-exec-and-debug", (p) => {
                delete (p.spec as Json).matchConditions;
            });
            const refused = twin("production", resources).exec.refusals.map((r) => r.ref);
            assert.deepEqual(refused, [
                "memory/pods/exec/backend-db-1",
                "memory/pods/exec/ai-engine-db-1",
                "memory/pods/exec/executor-db-1",
            ]);
        });

        it("ACME HTTP-01 solver (a stack without Cloudflare): admitted and reachable; refused without its image allowed, unreachable without its policy", async () => {
            // Staging without its edge: its public hosts then get certificates through HTTP-01.
            const { runStack } = await import("../engine/synth/run-program");
            const run = await runStack("staging", { remove: ["cloudflare", "cloudflareApiToken", "cloudflareDnsApiToken"] });
            if (run.error) throw run.error;
            const config = stackConfig("staging");
            const noEdge = { ...config, cloudflare: undefined };
            const base = toSynthResources(run);
            const ok = admitStack({ stack: "staging", resources: base, config: noEdge });
            assert.deepEqual(lines(ok), []);
            assert.ok(ok.flows.some((f) => f.flow.why === "ingress controller to the ACME HTTP-01 solver" && f.ok));
            const noRegistry = withInputs(base, "gatekeeper-constraints-images-from-allowed-registries", (c) => {
                const params = (c.spec as Json).parameters as { repos: string[] };
                params.repos = params.repos.filter((r) => !r.includes("acmesolver"));
            });
            const refused = admitStack({ stack: "staging", resources: noRegistry, config: noEdge }).refusals;
            assert.ok(refused.length > 0);
            for (const r of refused) {
                assert.match(r.ref, /^core\/Pod\/cm-acme-http-solver-/);
                assert.equal(r.rule, "Gatekeeper K8sAllowedRepos/images-from-allowed-registries");
            }
            const noPolicy = base.filter((r) => !r.name.endsWith("allow-acme-http01-solver"));
            const blocked = admitStack({ stack: "staging", resources: noPolicy, config: noEdge }).flows.filter((f) => !f.ok);
            assert.ok(blocked.length > 0);
            for (const f of blocked) assert.equal(f.flow.why, "ingress controller to the ACME HTTP-01 solver");
        });

        it("Strimzi's generated NetworkPolicy opened the Kafka listener to every pod (Prometheus among them)", async () => {
            const strimzi = (await synth("production")).find(
                (r) => r.type === "kubernetes:helm.sh/v3:Release" && String(r.inputs.chart).includes("strimzi"),
            )!;
            const resources = withInputs(await synth("production"), strimzi.name, (r) => {
                (r.values as Json).generateNetworkPolicy = true;
            });
            const open = twin("production", resources).flows.filter((f) => !f.ok);
            assert.deepEqual(
                open.map((f) => f.flow.why),
                ["Prometheus must not reach Kafka's client port"],
            );
        });

        it("a namespace-wide scrape rule opened every port of the data layer to monitoring", async () => {
            const resources = withObjects(await synth("production"), {
                apiVersion: "networking.k8s.io/v1",
                kind: "NetworkPolicy",
                metadata: { name: "allow-monitoring-scrape", namespace: "memory" },
                spec: {
                    podSelector: {},
                    policyTypes: ["Ingress"],
                    ingress: [{ from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } } }] }],
                },
            });
            const open = twin("production", resources)
                .flows.filter((f) => !f.ok)
                .map((f) => f.flow.why);
            assert.ok(open.includes("Prometheus must not reach a database's SQL port"), open.join("; "));
            assert.ok(open.includes("Prometheus must not reach Kafka's client port"), open.join("; "));
        });

        it("the data layer reaching the whole internet on 443 and 6443", async () => {
            const resources = withObjects(await synth("production"), {
                apiVersion: "networking.k8s.io/v1",
                kind: "NetworkPolicy",
                metadata: { name: "allow-api-and-object-storage", namespace: "memory" },
                spec: {
                    podSelector: {},
                    policyTypes: ["Egress"],
                    egress: [
                        {
                            ports: [
                                { port: 443, protocol: "TCP" },
                                { port: 6443, protocol: "TCP" },
                            ],
                        },
                    ],
                },
            });
            const open = twin("production", resources).flows.filter((f) => !f.ok);
            assert.ok(open.length > 0);
            for (const f of open) assert.equal(f.flow.why, "the data layer must not reach arbitrary internet hosts");
        });

        it("an app that calls the Kubernetes API reaches it; without its egress rule it cannot", async () => {
            const apps = stackConfig("staging").apps.map((a) => (a.name === "backend" ? { ...a, automountServiceAccountToken: true } : a));
            const { runStack } = await import("../engine/synth/run-program");
            const run = await runStack("staging", { overrides: { apps } });
            const config = { ...stackConfig("staging"), apps };
            const ok = admitStack({ stack: "staging", resources: toSynthResources(run), config });
            assert.ok(ok.flows.some((f) => f.flow.why === "backend calls the Kubernetes API" && f.ok));
            const stripped = withInputs(toSynthResources(run), "apps-backend-network-policy", (p) => {
                const spec = p.spec as { egress: { to?: { ipBlock?: unknown }[] }[] };
                spec.egress = spec.egress.filter((rule) => !rule.to?.some((t) => t.ipBlock && JSON.stringify(t).includes("10.40.0.0/20")));
            });
            const blocked = admitStack({ stack: "staging", resources: stripped, config }).flows.filter((f) => !f.ok);
            assert.deepEqual([...new Set(blocked.map((f) => f.flow.why))], ["backend calls the Kubernetes API"]);
        });

        it("a cluster with a node-local DNS cache: every workload pod resolves through it, and a baseline without it blocks them", async () => {
            const cluster = { ...stackConfig("staging").cluster, nodeLocalDns: { address: "169.254.20.10" } };
            const { runStack } = await import("../engine/synth/run-program");
            const run = await runStack("staging", { overrides: { cluster } });
            const config = { ...stackConfig("staging"), cluster };
            const ok = admitStack({ stack: "staging", resources: toSynthResources(run), config });
            const cacheFlows = ok.flows.filter((f) => f.flow.why === "DNS through the node-local cache");
            assert.ok(cacheFlows.length > 0, "the twin requires DNS to the cache");
            assert.deepEqual(
                ok.flows.filter((f) => !f.ok).map((f) => f.flow.why),
                [],
            );
            // The same stack as if the baseline still admitted kube-dns only: the cache is unreachable.
            const kubeDnsOnly = toSynthResources(run).map((r) =>
                r.type === "kubernetes:networking.k8s.io/v1:NetworkPolicy" && (r.inputs.metadata as Json).name === "allow-dns"
                    ? { ...r, inputs: { ...r.inputs, spec: baselinePolicies({ layer: "core", mesh: "none" }, {})["allow-dns"] } }
                    : r,
            );
            const blocked = admitStack({ stack: "staging", resources: kubeDnsOnly, config }).flows.filter((f) => !f.ok);
            assert.ok(blocked.length > 0);
            assert.deepEqual([...new Set(blocked.map((f) => f.flow.why))], ["DNS through the node-local cache"]);
        });
    });
});

describe("admission twin over rendered charts", () => {
    const charts = chartsDirFor(undefined);

    /**
     * Production as if it routed through the Istio gateway (no stack does today): renders the
     * gateway release (values changed by `change`) and runs the twin with its objects.
     */
    async function withGateway(change?: (values: Json) => void): Promise<AdmitReport> {
        const prod = stackConfig("production");
        const components = {
            ...prod.components,
            istio: { ...prod.components.istio, ingressGateway: { enabled: true, serviceType: "ClusterIP" } },
        };
        const { runStack } = await import("../engine/synth/run-program");
        const run = await runStack("production", { overrides: { components } });
        assert.equal(run.error, undefined);
        const resources = toSynthResources(run);
        const config = {
            ...prod,
            components: { ...prod.components, istio: { ...prod.components.istio, ingressGateway: { enabled: true } } },
        };
        const spec = releasesOf(resources).find((r) => r.name === "istio-ingressgateway")!;
        const values = structuredClone(spec.values);
        change?.(values);
        const render = await renderReleases([{ ...spec, values }], { stack: "production", kubeVersion: "1.34", chartsDir: charts });
        const rendered = render.releases.flatMap((r) => r.objects.map((o) => ({ release: r.spec.name, object: o.object })));
        assert.ok(rendered.length > 0, "the gateway chart rendered");
        return admitStack({ stack: "production", resources, config, rendered });
    }

    it("admits the Istio ingress gateway's injected pod under Pod Security restricted, and refuses it without a seccomp profile", async function () {
        if (!charts) this.skip(); // needs the pinned charts (../shared/charts) to render
        const ok = await withGateway();
        assert.deepEqual(
            ok.refusals.filter((r) => r.origin.kind === "rendered chart"),
            [],
        );
        assert.ok(ok.pods.fromCharts > 0);
        const broken = await withGateway((v) => delete v.securityContext);
        const refused = broken.refusals.map(
            (r) => `${r.ref} [${r.origin.kind === "rendered chart" ? r.origin.release : ""}]: ${r.rule}: ${r.reason.split(":")[0]}`,
        );
        assert.deepEqual(refused, [
            "istio-ingress/Pod/istio-ingressgateway-pod [istio-ingressgateway]: PodSecurity restricted:latest: seccompProfile_restricted",
        ]);
    });
});

describe("policy gate over the rendered Istio gateway: no public load balancer nobody names", () => {
    const charts = chartsDirFor(undefined);

    /** The production gate over the gateway release rendered with `ingressGateway`, allowing what `named` names. */
    async function gateOverGateway(ingressGateway: Record<string, unknown>, change?: (values: Json) => void) {
        const prod = stackConfig("production");
        const components = { ...prod.components, istio: { ...prod.components.istio, ingressGateway } };
        const { runStack } = await import("../engine/synth/run-program");
        const run = await runStack("production", { overrides: { components } });
        assert.equal(run.error, undefined);
        const spec = releasesOf(toSynthResources(run)).find((r) => r.name === "istio-ingressgateway")!;
        const values = structuredClone(spec.values);
        change?.(values);
        const render = await renderReleases([{ ...spec, values }], { stack: "production", kubeVersion: "1.34", chartsDir: charts });
        const objects = render.releases.flatMap((r) =>
            r.objects.map((o) => ({ release: r.spec.name, chart: "gateway", version: "1.30.3", object: o.object, releaseUrn: r.spec.urn })),
        );
        const config = {
            ...gateConfig("production"),
            "no-unnamed-public-load-balancer": { allowed: namedLoadBalancers(parsedComponents(components)) },
        };
        return evaluatePolicies([noUnnamedPublicLoadBalancer], renderedAsSynthResources(objects, "production"), config).map(
            (v) => v.message,
        );
    }
    const parsedComponents = (c: unknown) => componentsSchema.parse(JSON.parse(JSON.stringify(c)));

    it("refuses the chart's default Service (a public LoadBalancer) and passes the type the stack names", async function () {
        if (!charts) this.skip(); // needs the pinned charts (../shared/charts) to render
        const chartDefault = await gateOverGateway({ enabled: true }, (v) => delete v.service);
        assert.equal(chartDefault.length, 1);
        assert.match(chartDefault[0], /^istio-ingress\/istio-ingressgateway is a public LoadBalancer that no host or stack config names/);
        assert.deepEqual(await gateOverGateway({ enabled: true }), [], "ClusterIP by default");
        assert.deepEqual(await gateOverGateway({ enabled: true, serviceType: "LoadBalancer" }), [], "named by the stack");
    });
});

describe("admission twin: what a cluster must offer the stack", () => {
    it("sums every pod's requests per namespace as the stack starts and at full scale", async () => {
        const report = twin("dev", await synth("dev"));
        const lines = capacityLines(report);
        const rows = report.initialUsage.map((u) => u.namespace);
        for (const ns of rows)
            assert.ok(
                lines.some((l) => l.startsWith(ns)),
                ns,
            );
        const sum = (key: "requests.cpu" | "requests.memory" | "pods", usage = report.initialUsage) =>
            usage.reduce((t, u) => t + u.used[key], 0);
        // The dev app namespace runs exactly its declared replicas (and one run of each job) as it starts.
        const core = report.initialUsage.find((u) => u.namespace === "core")!;
        const coreApps = stackConfig("dev").apps.filter((a) => a.namespace === "core");
        assert.equal(
            core.used.pods,
            coreApps.reduce((n, a) => n + (a.replicas ?? (a.autoscaling ? Math.max(1, a.autoscaling.minReplicas) : 1)) + a.jobs.length, 0),
        );
        assert.ok(sum("requests.cpu") > 0 && sum("requests.cpu") <= sum("requests.cpu", report.quota.usage));
        assert.ok(sum("pods") < sum("pods", report.quota.usage), "full scale runs more pods than the start");
    });
});

describe("admission twin: the flow tables", () => {
    it("requires exactly the declared calls and forbids every other app-to-app call, each judged by the evaluator", async () => {
        const report = twin("production", await synth("production"));
        const apps = stackConfig("production").apps;
        const declared = apps.reduce((n, a) => n + a.callers.length, 0);
        const calls = report.flows.filter((f) => f.flow.kind === "required" && / calls /.test(f.flow.why));
        const notCallers = report.flows.filter((f) => f.flow.kind === "forbidden" && /is not a declared caller of/.test(f.flow.why));
        assert.equal(calls.length, declared);
        assert.equal(notCallers.length, apps.length * (apps.length - 1) - declared);
        for (const f of [...calls, ...notCallers]) assert.equal(f.ok, true, `${f.flow.why}: ${f.detail}`);
        // Every app and data pod resolves DNS, over UDP and TCP.
        const dns = report.flows.filter((f) => f.flow.why === "DNS");
        assert.ok(dns.length >= 2 * apps.length);
        // Each database is reachable from its app and from no other app.
        for (const app of apps.filter((a) => a.postgres)) {
            assert.ok(report.flows.some((f) => f.flow.why === `${app.name} to its database` && f.allowed));
            const others = report.flows.filter((f) => f.flow.why.endsWith(`a client of ${app.name}'s database`));
            assert.equal(others.length, apps.length - 1);
            for (const f of others) assert.equal(f.allowed, false, f.flow.why);
        }
    });
});
