import { strict as assert } from "assert";
import { admitStack } from "../engine/admit";
import { duplicateScrapes, scrapeTargets, unreadMonitors } from "../engine/admit/scrapes";
import type { Json, Sourced } from "../engine/admit/types";
import { stackRun } from "../engine/synth/run-program";
import { listStacks, stackConfig } from "../engine/synth/stack-files";
import { toSynthResources } from "../engine/synth/write";
import type { SynthResource } from "../policy-pack/offline";

/** One scrape per pod, port and path: every ServiceMonitor and PodMonitor of every stack, resolved over the twin's pods. */

const obj = (o: Json): Sourced => ({ object: o as never, origin: { kind: "program", urn: "test" } });

describe("scrape targets", () => {
    for (const stack of listStacks()) {
        describe(`stack ${stack}`, () => {
            let resources: SynthResource[];
            before(async () => {
                resources = toSynthResources(await stackRun(stack));
            });

            it("scrapes no pod, port and path twice, and each app pod's metrics port exactly once", () => {
                const report = admitStack({ stack, resources, config: stackConfig(stack) });
                assert.deepEqual(report.scrapes.duplicates, []);
                const config = stackConfig(stack);
                for (const app of config.apps.filter((a) => a.metrics && config.namespaces[a.namespace]?.layer !== "amplifier")) {
                    const port = (app.metrics as { port: number }).port;
                    const hits = report.scrapes.targets.filter((t) => t.pod.startsWith(`${app.namespace}/${app.name}`) && t.port === port);
                    assert.ok(hits.length > 0, `${stack}: ${app.name}'s metrics port ${port} is not scraped`);
                }
            });

            it("would count a canary app's series three times if its monitor selected every Service of the app", () => {
                const canaries = stackConfig(stack).apps.filter((a) => a.canary && a.metrics);
                if (canaries.length === 0) return;
                const copy = structuredClone(resources);
                for (const r of copy.filter((x) => x.type === "kubernetes:monitoring.coreos.com/v1:ServiceMonitor")) {
                    const sel = ((r.inputs.spec as Json).selector as { matchLabels: Record<string, string> }).matchLabels;
                    delete sel["platform.io/metrics-service"];
                }
                const dups = admitStack({ stack, resources: copy, config: stackConfig(stack) }).scrapes.duplicates;
                for (const app of canaries) {
                    const d = dups.find((x) => x.pod.startsWith(`${app.namespace}/${app.name}`));
                    assert.ok(d, `${stack}: ${app.name} not reported`);
                    assert.equal(d.through.length, 3);
                }
            });
        });
    }

    it("resolves named target ports, namespace selectors and PodMonitor container ports", () => {
        const pod = {
            name: "web-0",
            namespace: "apps",
            labels: { app: "web" },
            ip: "10.0.0.1",
            ports: [{ name: "metrics", containerPort: 9090 }],
        };
        const service = obj({
            apiVersion: "v1",
            kind: "Service",
            metadata: { name: "web", namespace: "apps", labels: { app: "web" } },
            spec: { selector: { app: "web" }, ports: [{ name: "http-metrics", port: 80, targetPort: "metrics" }] },
        });
        const sm = (namespace: string, namespaceSelector?: Json) =>
            obj({
                apiVersion: "monitoring.coreos.com/v1",
                kind: "ServiceMonitor",
                metadata: { name: "web", namespace },
                spec: { selector: { matchLabels: { app: "web" } }, namespaceSelector, endpoints: [{ port: "http-metrics" }] },
            });
        const pm = obj({
            apiVersion: "monitoring.coreos.com/v1",
            kind: "PodMonitor",
            metadata: { name: "web", namespace: "monitoring" },
            spec: { selector: {}, namespaceSelector: { any: true }, podMetricsEndpoints: [{ port: "metrics" }] },
        });
        // Another namespace without a selector: nothing.
        assert.deepEqual(scrapeTargets([service, sm("monitoring")], [pod]), []);
        const one = scrapeTargets([service, sm("monitoring", { matchNames: ["apps"] })], [pod]);
        assert.deepEqual(
            one.map((t) => [t.pod, t.port, t.service]),
            [["apps/web-0", 9090, "web"]],
        );
        assert.deepEqual(duplicateScrapes(one), []);
        const both = scrapeTargets([service, sm("apps"), pm], [pod]);
        assert.deepEqual(duplicateScrapes(both)[0].through, ["apps/ServiceMonitor/web[0] via Service web", "monitoring/PodMonitor/web[0]"]);
    });
    it("reports monitors and rules no Prometheus reads: wrong label, other namespace without a namespace selector", () => {
        const prometheus = (spec: Json) =>
            obj({ apiVersion: "monitoring.coreos.com/v1", kind: "Prometheus", metadata: { name: "k", namespace: "monitoring" }, spec });
        const release = { matchLabels: { release: "kube-prometheus-stack" } };
        const labelled = { release: "kube-prometheus-stack" };
        const m = (kind: string, namespace: string, labels: Record<string, string>) =>
            obj({
                apiVersion: "monitoring.coreos.com/v1",
                kind,
                metadata: { name: `${kind.toLowerCase()}-${namespace}`, namespace, labels },
                spec: {},
            });
        const objects = [
            m("ServiceMonitor", "apps", labelled),
            m("PodMonitor", "apps", {}),
            m("PrometheusRule", "apps", labelled),
            m("PrometheusRule", "monitoring", { other: "x" }),
        ];
        const everywhere = prometheus({
            serviceMonitorSelector: release,
            serviceMonitorNamespaceSelector: {},
            podMonitorSelector: release,
            podMonitorNamespaceSelector: {},
            ruleSelector: release,
            ruleNamespaceSelector: {},
        });
        assert.deepEqual(unreadMonitors([everywhere, ...objects]), [
            "apps/PodMonitor/podmonitor-apps",
            "monitoring/PrometheusRule/prometheusrule-monitoring",
        ]);
        // No namespace selector: only the Prometheus's own namespace; no object selector: nothing.
        const ownNamespace = prometheus({ serviceMonitorSelector: release, ruleSelector: release });
        assert.deepEqual(unreadMonitors([ownNamespace, ...objects]), [
            "apps/ServiceMonitor/servicemonitor-apps",
            "apps/PodMonitor/podmonitor-apps",
            "apps/PrometheusRule/prometheusrule-apps",
            "monitoring/PrometheusRule/prometheusrule-monitoring",
        ]);
        // Without a Prometheus in view (charts not rendered) nothing is claimed.
        assert.deepEqual(unreadMonitors(objects), []);
    });
});
