import type * as k8s from "@pulumi/kubernetes";
import type { Environment } from "../config/primitives";
import type { PerEnvironment } from "../shared/environment";
import { inNamespace, podsWith, tcp } from "../shared/network";
import { DashboardPanel, timeseriesDashboard } from "./observability";

/**
 * What Prometheus sees of a Strimzi Kafka cluster, as pure builders: our own JMX exporter rules
 * (only the broker series the alerts and dashboard use, so every series costs something on
 * purpose), the Kafka Exporter (consumer lag), the PodMonitor over both, the NetworkPolicies
 * that let Prometheus reach exactly their metrics port, and a Grafana dashboard.
 *
 * Strimzi 1.2.0 (cluster-operator/.../model/{metrics/MetricsModel,KafkaExporter}.java): with
 * `metricsConfig` every Kafka node serves the JMX exporter on container port `tcp-prometheus`
 * (9404); the Kafka Exporter Deployment `<cluster>-kafka-exporter` serves on the same port name
 * and reads the brokers on the replication port 9091 with its own cluster-CA certificate.
 */

/** Port (name and number) of every Strimzi metrics endpoint: the JMX exporter and the Kafka Exporter. */
export const strimziMetricsPort = { name: "tcp-prometheus", port: 9404 } as const;
/** Kafka's replication listener: the Kafka Exporter reads topic and group offsets through it. */
export const kafkaReplicationPort = 9091;

export interface JmxRule {
    pattern: string;
    name: string;
    type: "GAUGE" | "COUNTER";
    help: string;
}

/**
 * Broker and controller MBeans we turn into series. Each name is literal (no capture groups),
 * so the series catalog of the alert tests is exactly this list: renaming a rule breaks them.
 * Counters end in `_total` already (the JMX exporter 1.x appends it otherwise).
 */
export const kafkaJmxRules: JmxRule[] = [
    {
        pattern: "kafka.server<type=ReplicaManager, name=UnderReplicatedPartitions><>Value",
        name: "kafka_server_replicamanager_underreplicatedpartitions",
        type: "GAUGE",
        help: "Partitions led by this broker with fewer in-sync replicas than replicas.",
    },
    {
        pattern: "kafka.server<type=ReplicaManager, name=UnderMinIsrPartitionCount><>Value",
        name: "kafka_server_replicamanager_underminisrpartitioncount",
        type: "GAUGE",
        help: "Partitions led by this broker below min.insync.replicas (producers with acks=all fail).",
    },
    {
        pattern: "kafka.controller<type=KafkaController, name=OfflinePartitionsCount><>Value",
        name: "kafka_controller_kafkacontroller_offlinepartitionscount",
        type: "GAUGE",
        help: "Partitions without an active leader (reported by the active controller).",
    },
    {
        pattern: "kafka.controller<type=KafkaController, name=ActiveControllerCount><>Value",
        name: "kafka_controller_kafkacontroller_activecontrollercount",
        type: "GAUGE",
        help: "1 on the active controller, 0 elsewhere.",
    },
    {
        pattern: "kafka.server<type=BrokerTopicMetrics, name=BytesInPerSec><>Count",
        name: "kafka_server_brokertopicmetrics_bytesin_total",
        type: "COUNTER",
        help: "Bytes written to this broker by clients.",
    },
    {
        pattern: "kafka.server<type=BrokerTopicMetrics, name=BytesOutPerSec><>Count",
        name: "kafka_server_brokertopicmetrics_bytesout_total",
        type: "COUNTER",
        help: "Bytes read from this broker by clients.",
    },
    {
        pattern: "kafka.server<type=BrokerTopicMetrics, name=MessagesInPerSec><>Count",
        name: "kafka_server_brokertopicmetrics_messagesin_total",
        type: "COUNTER",
        help: "Messages written to this broker.",
    },
];

/** The ConfigMap key Strimzi's `metricsConfig.valueFrom` names. */
export const jmxConfigKey = "metrics-config.yml";

/** The JMX exporter configuration (JSON is YAML): only our rules, nothing else exported. */
export function jmxExporterConfig(rules: JmxRule[] = kafkaJmxRules): string {
    return JSON.stringify({ lowercaseOutputName: true, rules }, null, 2);
}

/** Series names a JMX exporter configuration produces, read back from the ConfigMap's text. */
export function jmxSeriesNames(config: string): string[] {
    const parsed = JSON.parse(config) as { lowercaseOutputName?: boolean; rules: { name: string }[] };
    return parsed.rules.map((r) => (parsed.lowercaseOutputName ? r.name.toLowerCase() : r.name));
}

type Resources = { requests: { cpu: string; memory: string }; limits: { cpu: string; memory: string } };

/** The Kafka Exporter's container: Strimzi sets no resources, and the platform requires limits. */
export const kafkaExporterResources: PerEnvironment<Resources> = {
    dev: { requests: { cpu: "20m", memory: "64Mi" }, limits: { cpu: "200m", memory: "128Mi" } },
    staging: { requests: { cpu: "50m", memory: "64Mi" }, limits: { cpu: "250m", memory: "128Mi" } },
    production: { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "500m", memory: "256Mi" } },
};

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * `spec.kafkaExporter`: only the cluster's declared topics and its users' consumer groups (each
 * app's groups are prefixed with its name, see kafkaAcls), so the lag series stay bounded.
 */
export function kafkaExporterSpec(
    environment: Environment,
    topics: string[],
    apps: string[],
    containerSecurity: Record<string, unknown>,
): Record<string, unknown> {
    return {
        topicRegex: topics.length ? `^(${topics.map(escapeRegex).join("|")})$` : "^$",
        groupRegex: apps.length ? `^(${apps.map(escapeRegex).join("|")}).*` : "^$",
        resources: kafkaExporterResources[environment],
        template: { container: containerSecurity },
    };
}

/** One PodMonitor over the cluster's Kafka nodes and its Kafka Exporter (both serve `tcp-prometheus`). */
export function kafkaPodMonitorSpec(cluster: string): Record<string, unknown> {
    return {
        selector: {
            matchLabels: { "strimzi.io/cluster": cluster },
            matchExpressions: [{ key: "strimzi.io/name", operator: "In", values: [`${cluster}-kafka`, `${cluster}-kafka-exporter`] }],
        },
        // The cluster's name on every series, for the dashboard and the alerts' descriptions.
        podTargetLabels: ["strimzi.io/cluster"],
        podMetricsEndpoints: [{ port: strimziMetricsPort.name, path: "/metrics", interval: "30s" }],
    };
}

/**
 * Prometheus (from the monitoring namespace) to the metrics port of the nodes and the exporter;
 * the exporter to the brokers' replication port (its own egress, and the brokers' ingress). With
 * Strimzi's generated policies off, these replace its "everyone can read metrics" rule.
 */
export function kafkaMetricsNetworkPolicies(
    cluster: string,
    monitoringNamespace: string | undefined,
): Record<string, k8s.types.input.networking.v1.NetworkPolicySpec> {
    const nodes = { "strimzi.io/cluster": cluster, "strimzi.io/name": `${cluster}-kafka` };
    const exporter = { "strimzi.io/cluster": cluster, "strimzi.io/name": `${cluster}-kafka-exporter` };
    const prometheus = monitoringNamespace ? [{ from: [inNamespace(monitoringNamespace)], ports: [tcp(9404)] }] : [];
    return {
        "metrics-scrape": { podSelector: { matchLabels: nodes }, policyTypes: ["Ingress"], ingress: prometheus },
        "exporter-to-brokers": {
            podSelector: { matchLabels: nodes },
            policyTypes: ["Ingress"],
            ingress: [{ from: [podsWith(exporter)], ports: [tcp(kafkaReplicationPort)] }],
        },
        "kafka-exporter": {
            podSelector: { matchLabels: exporter },
            policyTypes: ["Ingress", "Egress"],
            ingress: prometheus,
            // Bootstrap, then each broker the metadata names, all on the replication port; its certificates
            // are mounted Secrets, so it never calls the API server.
            egress: [{ to: [podsWith(nodes)], ports: [tcp(kafkaReplicationPort)] }],
        },
    };
}

/** A small dashboard of our own: throughput per broker, partition health, consumer lag per group. */
export function kafkaDashboardJson(cluster: string, namespace: string): string {
    const sel = `namespace="${namespace}", strimzi_io_cluster="${cluster}"`;
    const panels: DashboardPanel[] = [
        ["Bytes in per broker", `sum by (pod) (rate(kafka_server_brokertopicmetrics_bytesin_total{${sel}}[5m]))`, "Bps"],
        ["Bytes out per broker", `sum by (pod) (rate(kafka_server_brokertopicmetrics_bytesout_total{${sel}}[5m]))`, "Bps"],
        ["Messages in per broker", `sum by (pod) (rate(kafka_server_brokertopicmetrics_messagesin_total{${sel}}[5m]))`, "short"],
        ["Under-replicated partitions", `sum(kafka_server_replicamanager_underreplicatedpartitions{${sel}})`, "short"],
        ["Offline partitions", `sum(kafka_controller_kafkacontroller_offlinepartitionscount{${sel}})`, "short"],
        ["Consumer lag by group", `sum by (consumergroup, topic) (kafka_consumergroup_lag{${sel}})`, "short"],
    ];
    return timeseriesDashboard(`kafka-${namespace}-${cluster}`, `Kafka / ${cluster}`, ["platform", "kafka"], panels);
}
