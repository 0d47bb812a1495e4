import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { Environment, LogLevel } from "../config/primitives";
import { PerEnvironment } from "../shared/environment";
import { ChartPin, ContainerResources, HelmValues, mergeValues, Monitoring, namespacedRelease, zoneSpread } from "../shared/helm";

/**
 * Strimzi 1.2.0 serves only `kafka.strimzi.io/v1` (v1beta2 was removed in 1.0). Its CRDs live
 * in the chart's `crds/` directory, which Helm installs once and never upgrades: apply the new
 * CRDs from the release before bumping this pin (see the README's upgrade notes).
 */
export const strimziChart: ChartPin = {
    chart: "oci://quay.io/strimzi-helm/strimzi-kafka-operator",
    version: "1.2.0",
    releaseName: "strimzi",
    namespace: "strimzi-system",
    timeoutSeconds: 600,
};

interface Sizing {
    replicas: number;
    resources: ContainerResources;
    zoneSpread: boolean;
}

export const strimziDefaults: PerEnvironment<Sizing> = {
    dev: {
        replicas: 1,
        resources: { requests: { cpu: "100m", memory: "384Mi" }, limits: { cpu: "500m", memory: "384Mi" } },
        zoneSpread: false,
    },
    staging: {
        replicas: 1,
        resources: { requests: { cpu: "200m", memory: "512Mi" }, limits: { cpu: "1", memory: "512Mi" } },
        zoneSpread: false,
    },
    production: {
        replicas: 2,
        resources: { requests: { cpu: "500m", memory: "768Mi" }, limits: { cpu: "2", memory: "768Mi" } },
        zoneSpread: true,
    },
};

const strimziLogLevel: Record<LogLevel, string> = { debug: "DEBUG", info: "INFO", warn: "WARN", error: "ERROR" };

export interface StrimziArgs {
    environment: Environment;
    logLevel: LogLevel;
    /** Operator replicas (leader-elected). @default strimziDefaults[environment].replicas */
    replicas?: number;
    /** Raw chart values, merged over the typed defaults. @default {} */
    values?: HelmValues;
    /** Prometheus CRDs; enables the operator's Grafana dashboards. @default undefined */
    monitoring?: Monitoring;
}

/** Chart values from the typed knobs. Exported for tests. */
export function strimziValues(args: StrimziArgs): HelmValues {
    const d = strimziDefaults[args.environment];
    const replicas = args.replicas ?? d.replicas;
    const typed: HelmValues = {
        replicas,
        // Kafka clusters live in the apps' data namespaces, so the operator watches all of them.
        watchAnyNamespace: true,
        leaderElection: { enable: true },
        resources: d.resources,
        logLevel: strimziLogLevel[args.logLevel],
        podDisruptionBudget: { enabled: replicas > 1, minAvailable: 1 },
        // Kafka pods get restricted security contexts (no escalation, all capabilities dropped,
        // RuntimeDefault seccomp): the data namespaces enforce Pod Security `restricted`.
        extraEnvs: [{ name: "STRIMZI_POD_SECURITY_PROVIDER_CLASS", value: "restricted" }],
        // PDBs for the Kafka clusters themselves. NetworkPolicies are the platform's own (KafkaCluster):
        // the generated ones open every listener to every pod in the cluster unless each listener
        // lists its peers, and they never restrict egress.
        generatePodDisruptionBudget: true,
        generateNetworkPolicy: false,
        dashboards: { enabled: args.monitoring !== undefined },
        topologySpreadConstraints: d.zoneSpread ? zoneSpread({ name: "strimzi-cluster-operator" }) : [],
    };
    return mergeValues(typed, args.values);
}

/** The Strimzi Kafka operator, watching every namespace for the apps' Kafka clusters. */
export class Strimzi extends pulumi.ComponentResource {
    readonly release: k8s.helm.v3.Release;
    readonly namespace: pulumi.Output<string>;
    /** Images of the Kafka and entity operator pods (the chart's image map: quay.io/strimzi/kafka, quay.io/strimzi/operator). */
    readonly workloadImages = ["quay.io/strimzi/"];
    /** Where the cluster operator runs and how its pods are labelled (the chart's Deployment template). */
    readonly operatorPods = { namespace: strimziChart.namespace, podLabels: { "strimzi.io/kind": "cluster-operator" } };

    constructor(name: string, args: StrimziArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:platform:Strimzi", name, {}, opts);
        const installed = namespacedRelease(
            name,
            {
                pin: strimziChart,
                values: strimziValues(args),
                environment: args.environment,
                critical: true, // owns the kafka.strimzi.io CRDs: removing it deletes every Kafka cluster
            },
            this,
        );
        this.namespace = installed.namespace;
        this.release = installed.release;
        this.registerOutputs({ namespace: this.namespace, version: strimziChart.version });
    }
}
