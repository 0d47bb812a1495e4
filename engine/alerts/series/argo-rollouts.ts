import { chartMonitorProblem, SeriesCatalog } from "./catalog";

/** Argo Rollouts controller metrics (chart argo-rollouts 2.41.0, app v1.9.0), scraped through the chart's ServiceMonitor. */
export const argoRolloutsSeries: SeriesCatalog = {
    exporter: "argo-rollouts",
    version: "v1.9.0",
    source: "argoproj/argo-rollouts v1.9.0: controller/metrics/prommetrics.go",
    series: [
        "rollout_info",
        "rollout_info_replicas_available",
        "rollout_info_replicas_unavailable",
        "rollout_info_replicas_desired",
        "rollout_info_replicas_updated",
        "rollout_events_total",
        "rollout_reconcile_error",
        "analysis_run_info",
        "analysis_run_metric_phase",
        "analysis_run_metric_type",
        "analysis_run_reconcile_error",
        "argo_rollouts_controller_info",
    ],
    notScraped: (stack) => chartMonitorProblem(stack, "argo-rollouts", "controller.metrics.serviceMonitor.enabled"),
};
