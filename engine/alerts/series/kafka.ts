import type { Json, KubeObject } from "../../admit/types";
import { jmxSeriesNames } from "../../../components/workloads/kafka-observability";
import { podMonitorProblem, SeriesCatalog, StackObjects } from "./catalog";

const kafkas = (stack: StackObjects) => stack.objects.filter((o) => o.kind === "Kafka" && o.apiVersion.startsWith("kafka.strimzi.io/"));

function metricsConfigMap(stack: StackObjects, kafka: KubeObject): { data: string } | string {
    const ref = ((((kafka.spec as Json).kafka as Json).metricsConfig as Json | undefined)?.valueFrom as Json | undefined)
        ?.configMapKeyRef as { name: string; key: string } | undefined;
    if (!ref) return `Kafka ${kafka.metadata.name} has no metricsConfig`;
    const cm = stack.objects.find(
        (o) => o.kind === "ConfigMap" && o.metadata.name === ref.name && o.metadata.namespace === kafka.metadata.namespace,
    );
    const data = ((cm?.data ?? {}) as Record<string, string>)[ref.key];
    return data ? { data } : `Kafka ${kafka.metadata.name}: no ConfigMap ${ref.name} with key ${ref.key}`;
}

/**
 * Our own JMX exporter rules, read back from the rules ConfigMap each Kafka's `metricsConfig`
 * names in the stack (components/workloads/kafka-observability.ts): the catalog is whatever the
 * deployed rules produce, so renaming a rule breaks every alert that reads the old name.
 */
export function kafkaJmxSeries(stack: StackObjects): SeriesCatalog {
    const series = new Set<string>();
    const problems: string[] = [];
    for (const k of kafkas(stack)) {
        const cm = metricsConfigMap(stack, k);
        if (typeof cm === "string") problems.push(cm);
        else for (const s of jmxSeriesNames(cm.data)) series.add(s);
        const scrape = podMonitorProblem(
            stack,
            k.metadata.namespace ?? "",
            { "strimzi.io/cluster": k.metadata.name, "strimzi.io/name": `${k.metadata.name}-kafka` },
            "tcp-prometheus",
        );
        if (scrape) problems.push(scrape);
    }
    return {
        exporter: "kafka (our JMX exporter rules)",
        version: "Strimzi 1.2.0, Kafka 4.3.1",
        source: "the JMX exporter ConfigMap each Kafka's spec.kafka.metricsConfig names (components/workloads/kafka-observability.ts)",
        series: [...series].sort(),
        notScraped: () => (kafkas(stack).length === 0 ? "no Kafka cluster" : problems[0]),
    };
}

/** Strimzi's Kafka Exporter (kafka_exporter 1.9.0 in Strimzi 1.2.0), one Deployment per Kafka with `spec.kafkaExporter`. */
export const kafkaExporterSeries: SeriesCatalog = {
    exporter: "kafka-exporter",
    version: "1.9.0 (Strimzi 1.2.0)",
    source: "danielqsj/kafka_exporter v1.9.0: kafka_exporter.go (namespace kafka_)",
    series: [
        "kafka_brokers",
        "kafka_topic_partitions",
        "kafka_topic_partition_current_offset",
        "kafka_topic_partition_oldest_offset",
        "kafka_topic_partition_in_sync_replica",
        "kafka_topic_partition_leader",
        "kafka_topic_partition_leader_is_preferred",
        "kafka_topic_partition_replicas",
        "kafka_topic_partition_under_replicated_partition",
        "kafka_consumergroup_current_offset",
        "kafka_consumergroup_current_offset_sum",
        "kafka_consumergroup_lag",
        "kafka_consumergroup_lag_sum",
        "kafka_consumergroup_members",
    ],
    notScraped: (stack) => {
        const withExporter = kafkas(stack).filter((k) => (k.spec as Json).kafkaExporter);
        if (withExporter.length === 0) return "no Kafka runs the Kafka Exporter";
        for (const k of withExporter) {
            const p = podMonitorProblem(
                stack,
                k.metadata.namespace ?? "",
                { "strimzi.io/cluster": k.metadata.name, "strimzi.io/name": `${k.metadata.name}-kafka-exporter` },
                "tcp-prometheus",
            );
            if (p) return p;
        }
        return undefined;
    },
};
