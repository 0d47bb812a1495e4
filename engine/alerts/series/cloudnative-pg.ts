import type { Json } from "../../admit/types";
import { podMonitorProblem, SeriesCatalog, StackObjects } from "./catalog";

const clusters = (stack: StackObjects) =>
    stack.objects.filter((o) => o.kind === "Cluster" && o.apiVersion.startsWith("postgresql.cnpg.io/"));

/** Every CNPG Cluster's instances scraped on their `metrics` port (9187). */
function instancesNotScraped(stack: StackObjects, onlyWithPlugin: boolean): string | undefined {
    const selected = clusters(stack).filter(
        (c) => !onlyWithPlugin || (((c.spec as Json).plugins as unknown[] | undefined) ?? []).length > 0,
    );
    if (selected.length === 0)
        return onlyWithPlugin ? "no CloudNativePG cluster backs up through the Barman Cloud plugin" : "no CloudNativePG cluster";
    for (const c of selected) {
        const problem = podMonitorProblem(
            stack,
            c.metadata.namespace ?? "",
            { "cnpg.io/cluster": c.metadata.name, "cnpg.io/podRole": "instance" },
            "metrics",
        );
        if (problem) return problem;
    }
    return undefined;
}

/**
 * The instance manager's exporter (port 9187): its own collector series and the default
 * monitoring queries the operator chart installs (`cnpg_<query>_<column>`).
 */
export const cloudnativePgSeries: SeriesCatalog = {
    exporter: "cloudnative-pg",
    version: "1.30.0 (chart 0.29.0)",
    source: "cloudnative-pg chart 0.29.0 values.yaml monitoringQueriesConfigMap.queries (pg_replication, backends, pg_postmaster); cloudnative-pg v1.30.0 pkg/management/postgres/webserver/metricserver/pg_collector.go",
    series: [
        "cnpg_collector_up",
        "cnpg_collector_postgres_version",
        "cnpg_collector_pg_wal",
        "cnpg_collector_fencing_on",
        "cnpg_pg_replication_lag",
        "cnpg_pg_replication_in_recovery",
        "cnpg_pg_replication_is_wal_receiver_up",
        "cnpg_pg_replication_streaming_replicas",
        "cnpg_backends_total",
        "cnpg_pg_postmaster_start_time",
    ],
    notScraped: (stack) => instancesNotScraped(stack, false),
};

/** The Barman Cloud plugin's backup series, served through the instance manager's exporter. */
export const barmanCloudSeries: SeriesCatalog = {
    exporter: "plugin-barman-cloud",
    version: "v0.13.0 (chart 0.7.0)",
    source: "cloudnative-pg/plugin-barman-cloud v0.13.0: web/docs/observability.md",
    series: [
        "barman_cloud_cloudnative_pg_io_last_available_backup_timestamp",
        "barman_cloud_cloudnative_pg_io_last_failed_backup_timestamp",
        "barman_cloud_cloudnative_pg_io_first_recoverability_point",
    ],
    notScraped: (stack) => instancesNotScraped(stack, true),
};
