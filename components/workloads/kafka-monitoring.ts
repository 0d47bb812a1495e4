import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { Monitoring } from "../shared/helm";
import {
    jmxConfigKey,
    jmxExporterConfig,
    kafkaDashboardJson,
    kafkaMetricsNetworkPolicies,
    kafkaPodMonitorSpec,
} from "./kafka-observability";

export interface KafkaMonitoringArgs {
    /** The Kafka cluster's name (`<app>-kafka`). */
    cluster: string;
    namespace: pulumi.Input<string>;
    namespaceName: string;
    labels: Record<string, string>;
    monitoring: Monitoring;
}

/**
 * A Kafka cluster's observability objects: the JMX exporter rules its Kafka resource names in
 * `metricsConfig`, the PodMonitor over its nodes and Kafka Exporter, the NetworkPolicies that
 * open exactly the metrics port to Prometheus (and the replication port to the exporter), and
 * its Grafana dashboard (a ConfigMap the kube-prometheus-stack sidecar loads).
 */
export class KafkaMonitoring extends pulumi.ComponentResource {
    /** Name of the JMX exporter ConfigMap. */
    readonly jmxConfigMap: string;
    readonly configMap: k8s.core.v1.ConfigMap;

    constructor(name: string, args: KafkaMonitoringArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:workloads:KafkaMonitoring", name, {}, opts);
        const child = { parent: this };
        this.jmxConfigMap = `${args.cluster}-jmx-metrics`;
        this.configMap = new k8s.core.v1.ConfigMap(
            `${name}-jmx-rules`,
            {
                metadata: { name: this.jmxConfigMap, namespace: args.namespace, labels: args.labels },
                data: { [jmxConfigKey]: jmxExporterConfig() },
            },
            child,
        );
        new k8s.apiextensions.CustomResource(
            `${name}-pod-monitor`,
            {
                apiVersion: "monitoring.coreos.com/v1",
                kind: "PodMonitor",
                metadata: { name: args.cluster, namespace: args.namespace, labels: { ...args.labels, ...args.monitoring.selectorLabels } },
                spec: kafkaPodMonitorSpec(args.cluster),
            },
            { parent: this, dependsOn: [args.monitoring.crds] },
        );
        for (const [policy, spec] of Object.entries(kafkaMetricsNetworkPolicies(args.cluster, args.monitoring.namespace))) {
            new k8s.networking.v1.NetworkPolicy(
                `${name}-${policy}-policy`,
                { metadata: { name: `${args.cluster}-${policy}`, namespace: args.namespace, labels: args.labels }, spec },
                child,
            );
        }
        new k8s.core.v1.ConfigMap(
            `${name}-dashboard`,
            {
                metadata: {
                    name: `${args.cluster}-dashboard`,
                    namespace: args.namespace,
                    labels: { ...args.labels, grafana_dashboard: "1" },
                    annotations: { grafana_folder: "Kafka" },
                },
                data: { [`${args.cluster}.json`]: kafkaDashboardJson(args.cluster, args.namespaceName) },
            },
            child,
        );
        this.registerOutputs({ jmxConfigMap: this.jmxConfigMap });
    }
}
