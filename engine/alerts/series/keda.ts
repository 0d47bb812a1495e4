import { chartMonitorProblem, SeriesCatalog } from "./catalog";

/** KEDA operator metrics (chart keda 2.20.2), scraped through the chart's operator ServiceMonitor. */
export const kedaSeries: SeriesCatalog = {
    exporter: "keda",
    version: "2.20.2",
    source: "kedacore/keda v2.20.2: pkg/metricscollector/prommetrics.go (namespace keda_)",
    series: [
        "keda_build_info",
        "keda_scaler_metrics_value",
        "keda_scaler_metrics_latency_seconds",
        "keda_scaler_active",
        "keda_scaled_object_paused",
        "keda_scaler_detail_errors_total",
        "keda_scaled_object_errors_total",
        "keda_scaled_job_errors_total",
        "keda_trigger_registered_total",
        "keda_resource_registered_total",
        "keda_internal_scale_loop_latency_seconds",
    ],
    notScraped: (stack) => chartMonitorProblem(stack, "keda", "prometheus.operator.serviceMonitor.enabled"),
};
