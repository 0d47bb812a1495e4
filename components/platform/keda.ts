import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { Environment, LogLevel } from "../config/primitives";
import { PerEnvironment } from "../shared/environment";
import { ChartPin, ContainerResources, HelmValues, mergeValues, Monitoring, namespacedRelease } from "../shared/helm";

/** KEDA: event-driven autoscaling (ScaledObjects) for apps that scale on queues or metrics. */
export const kedaChart: ChartPin = {
    chart: "keda",
    repo: "https://kedacore.github.io/charts",
    version: "2.20.2",
    releaseName: "keda",
    namespace: "keda",
    timeoutSeconds: 600,
};

export const kedaDefaults: PerEnvironment<{ replicas: number; resources: ContainerResources }> = {
    dev: { replicas: 1, resources: { requests: { cpu: "50m", memory: "128Mi" }, limits: { cpu: "500m", memory: "512Mi" } } },
    staging: { replicas: 2, resources: { requests: { cpu: "100m", memory: "256Mi" }, limits: { cpu: "1", memory: "1Gi" } } },
    production: { replicas: 2, resources: { requests: { cpu: "200m", memory: "512Mi" }, limits: { cpu: "1", memory: "1Gi" } } },
};

const kedaLogLevel: Record<LogLevel, string> = { debug: "debug", info: "info", warn: "error", error: "error" };

export interface KedaArgs {
    environment: Environment;
    logLevel: LogLevel;
    /** Replicas of the operator, metrics server and webhooks. @default kedaDefaults[environment].replicas */
    replicas?: number;
    monitoring?: Monitoring;
    /** Raw chart values, merged over the typed defaults. @default {} */
    values?: HelmValues;
}

/** Chart values from the typed knobs. Exported for tests. */
export function kedaValues(args: KedaArgs): HelmValues {
    const d = kedaDefaults[args.environment];
    const replicas = args.replicas ?? d.replicas;
    const serviceMonitor = { enabled: args.monitoring !== undefined, additionalLabels: args.monitoring?.selectorLabels ?? {} };
    const pdb = replicas > 1 ? { minAvailable: 1 } : {};
    const typed: HelmValues = {
        // The chart has no keep switch and templates its CRDs, so an uninstall would delete every
        // ScaledObject (and the HPAs KEDA made from them); Helm leaves resources annotated `keep`.
        crds: { install: true, additionalAnnotations: { "helm.sh/resource-policy": "keep" } },
        operator: { replicaCount: replicas },
        metricsServer: { replicaCount: replicas },
        webhooks: { replicaCount: replicas },
        podDisruptionBudget: { operator: pdb, metricServer: pdb, webhooks: pdb },
        resources: { operator: d.resources, metricServer: d.resources, webhooks: d.resources },
        logging: { operator: { level: kedaLogLevel[args.logLevel] } },
        prometheus: {
            operator: { enabled: args.monitoring !== undefined, serviceMonitor },
            metricServer: { enabled: args.monitoring !== undefined, serviceMonitor },
            webhooks: { enabled: args.monitoring !== undefined, serviceMonitor },
        },
    };
    return mergeValues(typed, args.values);
}

export class Keda extends pulumi.ComponentResource {
    readonly release: k8s.helm.v3.Release;

    constructor(name: string, args: KedaArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:platform:Keda", name, {}, opts);
        this.release = namespacedRelease(
            name,
            {
                pin: kedaChart,
                values: kedaValues(args),
                environment: args.environment,
                critical: true, // owns the keda.sh CRDs: removing it deletes every ScaledObject (and its HPA)
                monitoring: args.monitoring,
            },
            this,
        ).release;
        this.registerOutputs({ version: kedaChart.version });
    }
}
