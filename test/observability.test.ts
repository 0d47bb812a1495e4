import { strict as assert } from "assert";
import { readFileSync } from "fs";
import { admitStack, programObjects, releasesOf } from "../engine/admit";
import { alertRules, checkAlerts, metricNames, seriesCatalogs } from "../engine/alerts";
import type { Json } from "../engine/admit/types";
import { stackRun } from "../engine/synth/run-program";
import { listStacks, stackConfig } from "../engine/synth/stack-files";
import { toSynthResources } from "../engine/synth/write";
import type { SynthResource } from "../policy-pack/offline";
import { platformAlertGroups } from "../components/platform/platform-alerts";
import { jmxExporterConfig, jmxSeriesNames, kafkaJmxRules } from "../components/workloads/kafka-observability";

/**
 * Observability that counts once and covers everything: alerts read only series an exporter
 * serves and the stack scrapes, Kafka and the proxies are scraped through exactly the ports
 * their policies open.
 */

const stackObjects = (resources: SynthResource[]) => ({
    releases: releasesOf(resources),
    objects: programObjects(resources).map((s) => s.object),
});
const ofKind = (resources: SynthResource[], kind: string) => resources.filter((r) => r.type.endsWith(`:${kind}`));
const meta = (r: SynthResource) => r.inputs.metadata as { name: string; namespace: string };
const runbooks = readFileSync(`${__dirname}/../docs/runbooks.md`, "utf8");
const runbookAnchors = new Set([...runbooks.matchAll(/^## (\S+)$/gm)].map((m) => m[1].toLowerCase()));

describe("observability", () => {
    for (const stack of listStacks()) {
        describe(`stack ${stack}`, () => {
            const config = stackConfig(stack);
            let resources: SynthResource[];
            before(async () => {
                resources = toSynthResources(await stackRun(stack));
            });

            it("has alerts whose every series is in a scraped exporter's catalog, with summary, description, runbook and severity", () => {
                const objects = stackObjects(resources);
                assert.ok(alertRules(objects.objects).length > 0);
                assert.deepEqual(checkAlerts(objects), []);
            });

            it("links every alert to a section of docs/runbooks.md", () => {
                for (const { where, rule } of alertRules(stackObjects(resources).objects)) {
                    const anchor = String(rule.annotations?.runbook_url).split("#")[1];
                    assert.ok(runbookAnchors.has(anchor), `${stack}: ${where}: no '## ${rule.alert}' in docs/runbooks.md`);
                }
            });

            it("alerts on what the stack runs: certificates, canaries, autoscalers, databases and their backups, Kafka", () => {
                const alerts = new Set(alertRules(stackObjects(resources).objects).map((r) => r.rule.alert));
                const expect = (name: string, when: boolean) => assert.equal(alerts.has(name), when, `${stack}: ${name}`);
                expect("CertificateExpiringSoon", config.components.certManager?.enabled !== false);
                expect("AutoscalerAtMaxReplicas", true);
                expect("RolloutDegraded", config.components.argoRollouts?.enabled !== false);
                expect("AnalysisRunFailed", config.components.argoRollouts?.enabled !== false);
                expect(
                    "PostgresReplicationLagHigh",
                    config.apps.some((a) => a.postgres),
                );
                expect("PostgresBackupTooOld", config.apps.some((a) => a.postgres) && config.backup !== undefined);
                expect(
                    "KafkaUnderReplicatedPartitions",
                    config.apps.some((a) => a.kafka?.cluster),
                );
                expect(
                    "KafkaConsumerLagHigh",
                    config.apps.some((a) => a.kafka?.cluster),
                );
            });

            it("fails an alert when our JMX rule it reads is renamed, or its exporter is not scraped", () => {
                const copy = structuredClone(resources);
                const kafkaCms = ofKind(copy, "ConfigMap").filter((r) => meta(r).name.endsWith("-jmx-metrics"));
                for (const cm of kafkaCms) {
                    const data = cm.inputs.data as Record<string, string>;
                    for (const k of Object.keys(data)) data[k] = data[k].replace("underreplicatedpartitions", "urp");
                }
                const certManager = copy.find(
                    (r) => r.type === "kubernetes:helm.sh/v3:Release" && String(r.inputs.chart).endsWith("cert-manager"),
                );
                if (certManager) ((certManager.inputs.values as Json).prometheus as Json).servicemonitor = { enabled: false };
                const findings = checkAlerts(stackObjects(copy));
                if (kafkaCms.length)
                    assert.ok(
                        findings.some(
                            (f) => f.alert.endsWith("KafkaUnderReplicatedPartitions") && /no exporter's series catalog/.test(f.problem),
                        ),
                        JSON.stringify(findings),
                    );
                if (certManager)
                    assert.ok(
                        findings.some(
                            (f) => f.alert.endsWith("CertificateExpiringSoon") && /not scraped: cert-manager release/.test(f.problem),
                        ),
                        JSON.stringify(findings),
                    );
            });

            it("runs Kafka with our JMX rules and a Kafka Exporter with limits, scraped once through the metrics port only", function () {
                const kafkas = ofKind(resources, "Kafka");
                if (kafkas.length === 0) this.skip();
                const report = admitStack({ stack, resources, config });
                for (const k of kafkas) {
                    const spec = k.inputs.spec as Json;
                    const ref = (((spec.kafka as Json).metricsConfig as Json).valueFrom as Json).configMapKeyRef as {
                        name: string;
                        key: string;
                    };
                    const cm = ofKind(resources, "ConfigMap").find(
                        (r) => meta(r).name === ref.name && meta(r).namespace === meta(k).namespace,
                    );
                    assert.ok(cm, `${stack}: ${ref.name}`);
                    assert.deepEqual(
                        jmxSeriesNames((cm.inputs.data as Record<string, string>)[ref.key]),
                        kafkaJmxRules.map((r) => r.name),
                    );
                    const exporter = spec.kafkaExporter as { resources: { limits: Json }; topicRegex: string; groupRegex: string };
                    assert.ok(exporter.resources.limits.cpu && exporter.resources.limits.memory);
                    assert.match(exporter.topicRegex, /^\^\(.+\)\$$/);
                    const cluster = meta(k).name;
                    for (const role of [`${cluster}-kafka-exporter`, `${cluster}-brokers`, `${cluster}-controllers`]) {
                        const targets = report.scrapes.targets.filter((t) => t.pod.includes(role) && t.port === 9404);
                        assert.ok(targets.length > 0, `${stack}: ${role} not scraped`);
                    }
                    const flows = report.flows.filter(
                        (f) => f.flow.why.includes(cluster) && /Prometheus scrapes|Kafka Exporter to brokers/.test(f.flow.why),
                    );
                    assert.ok(flows.length >= 4 && flows.every((f) => f.ok), JSON.stringify(flows.map((f) => f.flow.why)));
                    assert.ok(report.flows.some((f) => f.flow.why === `Prometheus must not reach ${cluster}'s replication port` && f.ok));
                }
                // Its dashboard (for the Grafana sidecar) reads only series the Kafka catalogs list.
                const catalogs = seriesCatalogs(stackObjects(resources)).filter((c) => c.exporter.startsWith("kafka"));
                for (const k of kafkas) {
                    const dashboard = ofKind(resources, "ConfigMap").find((r) => meta(r).name === `${meta(k).name}-dashboard`);
                    assert.equal((dashboard?.inputs.metadata as { labels: Record<string, string> }).labels.grafana_dashboard, "1");
                    const panels = (
                        JSON.parse(Object.values(dashboard!.inputs.data as Record<string, string>)[0]) as {
                            panels: { targets: { expr: string }[] }[];
                        }
                    ).panels;
                    for (const expr of panels.flatMap((p) => p.targets.map((t) => t.expr)))
                        for (const m of metricNames(expr).metrics)
                            assert.ok(
                                catalogs.some((c) => c.series.includes(m)),
                                `${stack}: dashboard reads ${m}`,
                            );
                }
                // Without the scrape policy, Prometheus cannot reach the brokers' metrics port.
                const noScrape = resources.filter((r) => !(r.type.endsWith(":NetworkPolicy") && meta(r).name.endsWith("-metrics-scrape")));
                const blocked = admitStack({ stack, resources: noScrape, config }).flows.filter((f) => !f.ok);
                assert.ok(blocked.some((f) => /Prometheus scrapes .*'s brokers/.test(f.flow.why)));
            });

            it("scrapes every sidecar's Envoy stats port (15090) once, outside the amplifier, through the baseline's scrape policy", function () {
                const monitor = ofKind(resources, "PodMonitor").find((r) => meta(r).name === "envoy-stats");
                if (config.components.istio.enabled === false || config.components.kubePrometheusStack?.enabled === false) {
                    assert.equal(monitor, undefined);
                    this.skip();
                }
                assert.ok(monitor);
                const spec = monitor.inputs.spec as Json;
                assert.deepEqual(spec.podMetricsEndpoints, [{ port: "http-envoy-prom", path: "/stats/prometheus", interval: "30s" }]);
                const names = (spec.namespaceSelector as { matchNames: string[] }).matchNames;
                for (const [ns, def] of Object.entries(config.namespaces))
                    if (def.layer === "amplifier") assert.ok(!names.includes(ns), `${stack}: amplifier ${ns} scraped`);
                const report = admitStack({ stack, resources, config });
                const proxyFlows = report.flows.filter((f) => f.flow.why === "Prometheus scrapes the proxy's Envoy statistics");
                assert.ok(proxyFlows.length > 0 && proxyFlows.every((f) => f.ok));
                assert.ok(report.scrapes.targets.some((t) => t.port === 15090));
                const noPolicy = resources.filter(
                    (r) => !(r.type.endsWith(":NetworkPolicy") && meta(r).name === "allow-monitoring-scrape"),
                );
                const blocked = admitStack({ stack, resources: noPolicy, config }).flows.filter(
                    (f) => !f.ok && f.flow.why === "Prometheus scrapes the proxy's Envoy statistics",
                );
                assert.ok(blocked.length > 0);
            });
        });
    }

    describe("builders", () => {
        it("reads metric names from PromQL with Prometheus's grammar, and reports what it cannot check", () => {
            assert.deepEqual(metricNames(`sum(rate(a_total{x="1"}[5m])) / on() {__name__="b_seconds"} > 3`).metrics, [
                "a_total",
                "b_seconds",
            ]);
            assert.deepEqual(metricNames("time() - c_timestamp_seconds < 86400").metrics, ["c_timestamp_seconds"]);
            assert.equal(metricNames("sum(rate(a_total[5m])").errors.length > 0, true);
            assert.equal(metricNames(`{__name__=~"kafka_.*"}`).errors.length, 1);
        });

        it("derives the Kafka series catalog from the JMX rules ConfigMap's text", () => {
            const renamed = kafkaJmxRules.map((r) => ({ ...r, name: r.name.replace("kafka_", "broker_") }));
            assert.ok(jmxSeriesNames(jmxExporterConfig(renamed)).every((n) => n.startsWith("broker_")));
        });

        it("lists where each catalog's series were read, with the pinned version", () => {
            for (const c of seriesCatalogs({ releases: [], objects: [] })) {
                assert.ok(c.version && c.source, c.exporter);
                assert.equal(new Set(c.series).size, c.series.length, `${c.exporter}: duplicate series`);
            }
        });

        it("gives every platform alert a severity, a runbook section and its own name", () => {
            const all = platformAlertGroups({
                certManager: true,
                argoRollouts: true,
                autoscaling: true,
                keda: true,
                postgres: true,
                postgresBackups: true,
                kafka: true,
            }).flatMap((g) => g.rules);
            assert.equal(new Set(all.map((r) => r.alert)).size, all.length);
            for (const r of all) assert.ok(runbookAnchors.has(r.alert.toLowerCase()), r.alert);
        });
    });
});
