import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { Environment, LogLevel } from "../config/primitives";
import { PerEnvironment } from "../shared/environment";
import { ChartPin, ContainerResources, HelmValues, mergeValues, Monitoring, namespacedRelease } from "../shared/helm";

/** Argo Rollouts: canary delivery for apps that ask for it. */
export const argoRolloutsChart: ChartPin = {
    chart: "argo-rollouts",
    repo: "https://argoproj.github.io/argo-helm",
    version: "2.41.0",
    releaseName: "argo-rollouts",
    namespace: "argo-rollouts",
    timeoutSeconds: 600,
};

export const argoRolloutsDefaults: PerEnvironment<{ replicas: number; resources: ContainerResources }> = {
    dev: { replicas: 1, resources: { requests: { cpu: "50m", memory: "128Mi" }, limits: { cpu: "500m", memory: "256Mi" } } },
    staging: { replicas: 2, resources: { requests: { cpu: "100m", memory: "256Mi" }, limits: { cpu: "1", memory: "512Mi" } } },
    production: { replicas: 2, resources: { requests: { cpu: "200m", memory: "512Mi" }, limits: { cpu: "2", memory: "1Gi" } } },
};

export interface ArgoRolloutsArgs {
    environment: Environment;
    logLevel: LogLevel;
    /** Controller replicas (leader-elected). @default argoRolloutsDefaults[environment].replicas */
    replicas?: number;
    monitoring?: Monitoring;
    /** Raw chart values, merged over the typed defaults. @default {} */
    values?: HelmValues;
}

/** Chart values from the typed knobs. Exported for tests. */
export function argoRolloutsValues(args: ArgoRolloutsArgs): HelmValues {
    const d = argoRolloutsDefaults[args.environment];
    const replicas = args.replicas ?? d.replicas;
    const typed: HelmValues = {
        installCRDs: true,
        keepCRDs: true,
        controller: {
            replicas,
            pdb: { enabled: replicas > 1, minAvailable: 1 },
            resources: d.resources,
            logging: { level: args.logLevel },
            metrics: {
                enabled: args.monitoring !== undefined,
                serviceMonitor: { enabled: args.monitoring !== undefined, additionalLabels: args.monitoring?.selectorLabels ?? {} },
            },
        },
        dashboard: { enabled: false },
    };
    return mergeValues(typed, args.values);
}

export class ArgoRollouts extends pulumi.ComponentResource {
    readonly release: k8s.helm.v3.Release;

    constructor(name: string, args: ArgoRolloutsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:platform:ArgoRollouts", name, {}, opts);
        this.release = namespacedRelease(
            name,
            {
                pin: argoRolloutsChart,
                values: argoRolloutsValues(args),
                environment: args.environment,
                critical: true, // owns the Rollout CRD: removing it deletes every canary app's pods
                monitoring: args.monitoring,
            },
            this,
        ).release;
        this.registerOutputs({ version: argoRolloutsChart.version });
    }
}
