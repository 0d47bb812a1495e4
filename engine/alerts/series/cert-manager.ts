import { chartMonitorProblem, SeriesCatalog } from "./catalog";

/** cert-manager's controller metrics (port 9402), scraped through the chart's own ServiceMonitor. */
export const certManagerSeries: SeriesCatalog = {
    exporter: "cert-manager",
    version: "v1.21.1",
    source: "cert-manager/cert-manager v1.21.1: pkg/metrics/metrics.go (namespace certmanager_)",
    series: [
        "certmanager_certificate_expiration_timestamp_seconds",
        "certmanager_certificate_renewal_timestamp_seconds",
        "certmanager_certificate_ready_status",
        "certmanager_controller_sync_call_count",
        "certmanager_controller_sync_error_count",
        "certmanager_http_acme_client_request_count",
    ],
    notScraped: (stack) => chartMonitorProblem(stack, "cert-manager", "prometheus.servicemonitor.enabled"),
};
