import { SeriesCatalog } from "./catalog";

/**
 * What the platform asks of every app with `metrics` (components/workloads/observability.ts):
 * the usual HTTP server series, scraped through the app's own ServiceMonitor.
 */
export const appSeries: SeriesCatalog = {
    exporter: "apps (HTTP server convention)",
    version: "the platform's app contract",
    source: "components/workloads/observability.ts (Prometheus client libraries' HTTP server metrics)",
    series: [
        "http_requests_total",
        "http_request_duration_seconds_bucket",
        "http_request_duration_seconds_sum",
        "http_request_duration_seconds_count",
    ],
    notScraped: (stack) =>
        stack.objects.some((o) => o.kind === "ServiceMonitor" && o.metadata.labels?.["platform.io/team"] !== undefined)
            ? undefined
            : "no app ServiceMonitor",
};
