import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { Monitoring } from "../shared/helm";
import { runbookUrl } from "../shared/runbooks";

/**
 * The platform's own alerts, one PrometheusRule in the monitoring namespace with a group per
 * upstream component the stack installs. Every series an expression reads is in the catalog of
 * the exporter that serves it (engine/alerts/series/), and the tests hold each stack to that.
 */

export type Severity = "critical" | "warning";

export interface AlertRule {
    alert: string;
    expr: string;
    for?: string;
    labels: { severity: Severity; team: string };
    annotations: { summary: string; description: string; runbook_url: string };
}

const rule = (alert: string, severity: Severity, expr: string, forDuration: string | undefined, summary: string, description: string) => ({
    alert,
    expr,
    ...(forDuration ? { for: forDuration } : {}),
    labels: { severity, team: "platform" },
    annotations: { summary, description, runbook_url: runbookUrl(alert) },
});

const day = 86400;

/** Which upstream components the stack runs: a group only for each one that is there. */
export interface AlertedComponents {
    certManager: boolean;
    argoRollouts: boolean;
    autoscaling: boolean;
    keda: boolean;
    postgres: boolean;
    postgresBackups: boolean;
    kafka: boolean;
}

/** The rule groups. Exported for tests and the README's table. */
export function platformAlertGroups(on: AlertedComponents): { name: string; rules: AlertRule[] }[] {
    const groups: { name: string; rules: AlertRule[] }[] = [];
    if (on.certManager)
        groups.push({
            name: "cert-manager",
            rules: [
                rule(
                    "CertificateExpiringSoon",
                    "warning",
                    `certmanager_certificate_expiration_timestamp_seconds - time() < ${14 * day}`,
                    "1h",
                    "Certificate {{ $labels.namespace }}/{{ $labels.name }} expires in less than 14 days",
                    "cert-manager renews 30 days before expiry by default: a certificate this close to expiry failed to renew.",
                ),
                rule(
                    "CertificateExpiryImminent",
                    "critical",
                    `certmanager_certificate_expiration_timestamp_seconds - time() < ${3 * day}`,
                    "10m",
                    "Certificate {{ $labels.namespace }}/{{ $labels.name }} expires in less than 3 days",
                    "Renewal has been failing for weeks; clients will refuse the certificate when it expires.",
                ),
                rule(
                    "CertificateNotReady",
                    "warning",
                    `max by (namespace, name) (certmanager_certificate_ready_status{condition="False"}) == 1`,
                    "30m",
                    "Certificate {{ $labels.namespace }}/{{ $labels.name }} is not Ready",
                    "The Certificate's Ready condition has been False for 30 minutes: issuance or renewal fails.",
                ),
            ],
        });
    if (on.argoRollouts)
        groups.push({
            name: "argo-rollouts",
            rules: [
                rule(
                    "RolloutDegraded",
                    "critical",
                    `max by (namespace, name) (rollout_info{phase="Degraded"}) == 1`,
                    "5m",
                    "Rollout {{ $labels.namespace }}/{{ $labels.name }} is Degraded",
                    "The canary was aborted (by a failed analysis or by hand) or the rollout cannot progress; the stable version serves.",
                ),
                rule(
                    "RolloutAborted",
                    "warning",
                    `sum by (namespace, name) (increase(rollout_events_total{reason="RolloutAborted"}[15m])) > 0`,
                    undefined,
                    "Rollout {{ $labels.namespace }}/{{ $labels.name }} aborted a canary",
                    "Argo Rollouts aborted an update in the last 15 minutes and scaled the canary down.",
                ),
                rule(
                    "AnalysisRunFailed",
                    "warning",
                    `max by (namespace, name, phase) (analysis_run_info{phase=~"Failed|Error"}) == 1`,
                    undefined,
                    "Analysis {{ $labels.namespace }}/{{ $labels.name }} ended {{ $labels.phase }}",
                    "A canary analysis failed its success condition (Failed) or could not measure (Error).",
                ),
            ],
        });
    if (on.autoscaling)
        groups.push({
            name: "autoscaling",
            rules: [
                rule(
                    "AutoscalerAtMaxReplicas",
                    "warning",
                    "kube_horizontalpodautoscaler_status_current_replicas >= on (namespace, horizontalpodautoscaler) " +
                        "kube_horizontalpodautoscaler_spec_max_replicas",
                    "15m",
                    "{{ $labels.namespace }}/{{ $labels.horizontalpodautoscaler }} has run at its maximum replicas for 15 minutes",
                    "The HPA (or the HPA KEDA made for a ScaledObject, keda-hpa-<name>) cannot add capacity: load is above what the maximum serves.",
                ),
            ],
        });
    if (on.keda)
        groups.push({
            name: "keda",
            rules: [
                rule(
                    "KedaScalerErrors",
                    "warning",
                    "sum by (namespace, scaledObject) (rate(keda_scaler_detail_errors_total[5m])) > 0",
                    "15m",
                    "KEDA cannot read the trigger of {{ $labels.namespace }}/{{ $labels.scaledObject }}",
                    "The scaler has failed for 15 minutes: the ScaledObject holds its replicas (or its fallback) instead of scaling.",
                ),
            ],
        });
    if (on.postgres)
        groups.push({
            name: "cloudnative-pg",
            rules: [
                rule(
                    "PostgresReplicationLagHigh",
                    "warning",
                    "max by (namespace, pod) (cnpg_pg_replication_lag) > 60",
                    "10m",
                    "Replica {{ $labels.namespace }}/{{ $labels.pod }} is {{ $value | humanizeDuration }} behind its primary",
                    "A failover now would lose the transactions the replica has not replayed.",
                ),
                ...(on.postgresBackups
                    ? [
                          rule(
                              "PostgresBackupTooOld",
                              "critical",
                              `time() - max by (namespace, pod) (barman_cloud_cloudnative_pg_io_last_available_backup_timestamp) > ${30 * 3600}`,
                              "30m",
                              "No base backup of {{ $labels.namespace }}/{{ $labels.pod }}'s cluster in 30 hours",
                              "Backups are nightly: the last one (or more) failed, and recovery would start from an older base backup.",
                          ),
                      ]
                    : []),
            ],
        });
    if (on.kafka)
        groups.push({
            name: "kafka",
            rules: [
                rule(
                    "KafkaUnderReplicatedPartitions",
                    "critical",
                    "sum by (namespace, strimzi_io_cluster) (kafka_server_replicamanager_underreplicatedpartitions) > 0",
                    "10m",
                    "Kafka {{ $labels.namespace }}/{{ $labels.strimzi_io_cluster }} has {{ $value }} under-replicated partitions",
                    "A broker is down or cannot keep up: one more failure loses acknowledged writes.",
                ),
                rule(
                    "KafkaOfflinePartitions",
                    "critical",
                    "sum by (namespace, strimzi_io_cluster) (kafka_controller_kafkacontroller_offlinepartitionscount) > 0",
                    "1m",
                    "Kafka {{ $labels.namespace }}/{{ $labels.strimzi_io_cluster }} has {{ $value }} partitions without a leader",
                    "Producers and consumers of those partitions fail until a replica becomes leader.",
                ),
                rule(
                    "KafkaConsumerLagHigh",
                    "warning",
                    "sum by (namespace, consumergroup, topic) (kafka_consumergroup_lag) > 10000",
                    "15m",
                    "Consumer group {{ $labels.consumergroup }} is {{ $value }} messages behind on {{ $labels.topic }}",
                    "The consumers do not keep up with the producers; the lag has stayed above 10000 messages for 15 minutes.",
                ),
            ],
        });
    return groups;
}

export interface PlatformAlertsArgs {
    monitoring: Monitoring;
    components: AlertedComponents;
}

/** The PrometheusRule (labelled for Prometheus's rule selector) with the platform's alerts. */
export class PlatformAlerts extends pulumi.ComponentResource {
    readonly alerts: string[];

    constructor(name: string, args: PlatformAlertsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:platform:PlatformAlerts", name, {}, opts);
        const groups = platformAlertGroups(args.components);
        new k8s.apiextensions.CustomResource(
            `${name}-rules`,
            {
                apiVersion: "monitoring.coreos.com/v1",
                kind: "PrometheusRule",
                metadata: { name: "platform-alerts", namespace: args.monitoring.namespace, labels: args.monitoring.selectorLabels },
                spec: { groups },
            },
            { parent: this, dependsOn: [args.monitoring.crds] },
        );
        this.alerts = groups.flatMap((g) => g.rules.map((r) => r.alert));
        this.registerOutputs({ alerts: this.alerts });
    }
}
