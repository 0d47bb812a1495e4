import type { AppConfig } from "../config/apps";
import { runbookUrl } from "../shared/runbooks";
import { selectorLabels } from "./pod";

/**
 * An app's monitoring, as pure builders: what Prometheus scrapes, which alerts fire, and the
 * Grafana dashboard. Apps are expected to expose the usual HTTP server metrics
 * (`http_requests_total{code}` and `http_request_duration_seconds` histograms).
 */

/**
 * The label of the one Service per app that Prometheus scrapes through. A canary app has three
 * Services over the same pods (main, stable, canary): selecting by app labels alone scrapes each
 * pod three times.
 */
export const metricsServiceLabel = { "platform.io/metrics-service": "true" };

export function serviceMonitorSpec(
    app: AppConfig & { metrics: { port: number; path: string } },
    namespace: string,
): Record<string, unknown> {
    return {
        selector: { matchLabels: { ...selectorLabels(app.name), ...metricsServiceLabel } },
        namespaceSelector: { matchNames: [namespace] },
        endpoints: [{ port: "http-metrics", path: app.metrics.path, interval: "30s", scrapeTimeout: "10s" }],
    };
}

/**
 * The app's alerts with its thresholds: error ratio and p95 latency for HTTP apps that expose
 * metrics, restarts (from kube-state-metrics) for every app.
 */
export function prometheusRuleSpec(app: AppConfig, namespace: string): Record<string, unknown> {
    const sel = `namespace="${namespace}", service="${app.name}"`;
    // The same severities as the platform's alerts (critical pages, warning does not): Alertmanager routes by them.
    const labels = { severity: "critical", team: app.team, app: app.name };
    const requestAlerts = app.protocol === "http" && app.metrics !== false;
    return {
        groups: [
            {
                name: `${app.name}.rules`,
                rules: [
                    ...(requestAlerts ? httpAlerts(app, sel, labels) : []),
                    {
                        alert: "FrequentRestarts",
                        expr:
                            `sum by (pod) (increase(kube_pod_container_status_restarts_total{namespace="${namespace}", ` +
                            `container="${app.name}"}[15m])) > ${app.alerts.restarts}`,
                        labels: { ...labels, severity: "warning" },
                        annotations: {
                            summary: `${app.name}: a pod restarted more than ${app.alerts.restarts} times in 15 minutes`,
                            description: "Pod {{ $labels.pod }} keeps crashing or failing its liveness probe.",
                            runbook_url: runbookUrl("FrequentRestarts"),
                        },
                    },
                ],
            },
        ],
    };
}

function httpAlerts(app: AppConfig, sel: string, labels: Record<string, string>): Record<string, unknown>[] {
    return [
        {
            alert: "HighErrorRate",
            expr:
                `sum(rate(http_requests_total{${sel}, code=~"5.."}[5m])) / ` +
                `sum(rate(http_requests_total{${sel}}[5m])) * 100 > ${app.alerts.errorRatePercent}`,
            for: "5m",
            labels,
            annotations: {
                summary: `${app.name}: more than ${app.alerts.errorRatePercent}% of requests fail`,
                description: "5xx ratio over 5 minutes is {{ $value | humanize }}%.",
                runbook_url: runbookUrl("HighErrorRate"),
            },
        },
        {
            alert: "HighLatencyP95",
            expr:
                `histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket{${sel}}[5m]))) * 1000 ` +
                `> ${app.alerts.p95LatencyMs}`,
            for: "10m",
            labels: { ...labels, severity: "warning" },
            annotations: {
                summary: `${app.name}: p95 latency above ${app.alerts.p95LatencyMs} ms`,
                description: "p95 latency over 5 minutes is {{ $value | humanize }} ms.",
                runbook_url: runbookUrl("HighLatencyP95"),
            },
        },
    ];
}

/** A Grafana dashboard (JSON model): request rate, errors and latency for HTTP apps with metrics; restarts, CPU and memory for all. */
export function dashboardJson(app: AppConfig, namespace: string): string {
    const sel = `namespace="${namespace}", service="${app.name}"`;
    const pods = `namespace="${namespace}", container="${app.name}"`;
    const queries: DashboardPanel[] = [
        ...(app.protocol === "http" && app.metrics !== false
            ? ([
                  ["Requests per second", `sum(rate(http_requests_total{${sel}}[5m]))`, "reqps"],
                  [
                      "Error ratio (5xx)",
                      `sum(rate(http_requests_total{${sel}, code=~"5.."}[5m])) / sum(rate(http_requests_total{${sel}}[5m]))`,
                      "percentunit",
                  ],
                  ["p95 latency", `histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket{${sel}}[5m])))`, "s"],
              ] as [string, string, string][])
            : []),
        ["Container restarts", `sum(increase(kube_pod_container_status_restarts_total{${pods}}[15m]))`, "short"],
        ["CPU (cores)", `sum(rate(container_cpu_usage_seconds_total{${pods}}[5m]))`, "short"],
        ["Memory (working set)", `sum(container_memory_working_set_bytes{${pods}})`, "bytes"],
    ];
    return timeseriesDashboard(`app-${namespace}-${app.name}`, `${app.partOf} / ${app.name}`, ["platform", app.team, app.partOf], queries);
}

/** One Grafana panel: title, PromQL expression, unit. */
export type DashboardPanel = [title: string, expr: string, unit: string];

/**
 * A Grafana dashboard JSON model of time-series panels, two per row, on the Prometheus datasource
 * (for the kube-prometheus-stack Grafana sidecar). The uid is cut to Grafana's 40 characters.
 */
export function timeseriesDashboard(uid: string, title: string, tags: string[], panels: DashboardPanel[]): string {
    return JSON.stringify({
        uid: uid.slice(0, 40),
        title,
        tags,
        timezone: "utc",
        schemaVersion: 39,
        time: { from: "now-6h", to: "now" },
        panels: panels.map(([panelTitle, expr, unit], i) => ({
            id: i + 1,
            title: panelTitle,
            type: "timeseries",
            gridPos: { h: 8, w: 12, x: (i % 2) * 12, y: Math.floor(i / 2) * 8 },
            datasource: { type: "prometheus", uid: "prometheus" },
            fieldConfig: { defaults: { unit }, overrides: [] },
            targets: [{ refId: "A", expr }],
        })),
    });
}
