import { chartMonitorProblem, SeriesCatalog } from "./catalog";

/**
 * kube-state-metrics v2.20.0 (the kube-prometheus-stack 88.5.3 subchart 8.4.0), scraped through
 * the subchart's ServiceMonitor (`kubeStateMetrics.enabled`, on by default). Only the families
 * the platform's rules read. HPAs KEDA creates for ScaledObjects (`keda-hpa-<name>`) are HPAs too.
 */
export const kubeStateMetricsSeries: SeriesCatalog = {
    exporter: "kube-state-metrics",
    version: "v2.20.0",
    source: "kubernetes/kube-state-metrics v2.20.0: docs/metrics/workload/horizontalpodautoscaler-metrics.md, docs/metrics/workload/pod-metrics.md",
    series: [
        "kube_horizontalpodautoscaler_spec_max_replicas",
        "kube_horizontalpodautoscaler_spec_min_replicas",
        "kube_horizontalpodautoscaler_status_current_replicas",
        "kube_horizontalpodautoscaler_status_desired_replicas",
        "kube_horizontalpodautoscaler_status_condition",
        "kube_pod_container_status_restarts_total",
        "kube_pod_status_phase",
    ],
    notScraped: (stack) => chartMonitorProblem(stack, "kube-prometheus-stack", "kubeStateMetrics.enabled", true),
};
