import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { Environment, LogLevel } from "../config/primitives";
import { PerEnvironment } from "../shared/environment";
import {
    ChartPin,
    ContainerResources,
    HelmValues,
    mergeValues,
    Monitoring,
    namespacedRelease,
    restrictedContainer,
    zoneSpread,
} from "../shared/helm";

/** External Secrets Operator: syncs app secrets from the stack's secret stores into Kubernetes Secrets. */
export const externalSecretsChart: ChartPin = {
    chart: "external-secrets",
    repo: "https://charts.external-secrets.io",
    version: "2.9.0",
    releaseName: "external-secrets",
    namespace: "external-secrets",
    timeoutSeconds: 600,
};

export const externalSecretsDefaults: PerEnvironment<{ replicas: number; resources: ContainerResources; zoneSpread: boolean }> = {
    dev: {
        replicas: 1,
        resources: { requests: { cpu: "20m", memory: "64Mi" }, limits: { cpu: "200m", memory: "256Mi" } },
        zoneSpread: false,
    },
    staging: {
        replicas: 2,
        resources: { requests: { cpu: "50m", memory: "128Mi" }, limits: { cpu: "500m", memory: "512Mi" } },
        zoneSpread: false,
    },
    production: {
        replicas: 2,
        resources: { requests: { cpu: "100m", memory: "256Mi" }, limits: { cpu: "1", memory: "1Gi" } },
        zoneSpread: true,
    },
};

export interface ExternalSecretsArgs {
    environment: Environment;
    logLevel: LogLevel;
    /** Replicas of the controller, webhook and cert controller. @default externalSecretsDefaults[environment].replicas */
    replicas?: number;
    monitoring?: Monitoring;
    /** Raw chart values, merged over the typed defaults. @default {} */
    values?: HelmValues;
}

/** Chart values from the typed knobs. Exported for tests. */
export function externalSecretsValues(args: ExternalSecretsArgs): HelmValues {
    const d = externalSecretsDefaults[args.environment];
    const replicas = args.replicas ?? d.replicas;
    const monitored = args.monitoring !== undefined;
    const component = (suffix: string) => {
        const name = `${externalSecretsChart.chart}${suffix}`;
        return {
            replicaCount: replicas,
            resources: d.resources,
            podDisruptionBudget: { enabled: replicas > 1, minAvailable: 1 },
            // The chart's defaults are restricted already; written out so a chart bump cannot loosen them.
            podSecurityContext: { enabled: true, runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } },
            securityContext: { enabled: true, ...restrictedContainer },
            topologySpreadConstraints: d.zoneSpread
                ? zoneSpread({ "app.kubernetes.io/name": name, "app.kubernetes.io/instance": externalSecretsChart.releaseName })
                : [],
            log: { level: args.logLevel },
        };
    };
    const typed: HelmValues = {
        installCRDs: true,
        // The chart templates its CRDs (no crds/ folder), so an uninstall would delete every
        // ExternalSecret and store, and the Secrets ESO owns with them: Helm keeps what is annotated `keep`.
        crds: { annotations: { "helm.sh/resource-policy": "keep" } },
        // Controller and cert controller run one active replica at a time.
        leaderElect: true,
        ...component(""),
        livenessProbe: { enabled: true },
        readinessProbe: { enabled: true },
        serviceMonitor: {
            enabled: monitored,
            // The Prometheus CRDs are a declared dependency; do not let a capability check drop the monitors.
            renderMode: "alwaysRender",
            additionalLabels: args.monitoring?.selectorLabels ?? {},
        },
        webhook: { ...component("-webhook"), livenessProbe: { enabled: true } },
        certController: { ...component("-cert-controller"), livenessProbe: { enabled: true } },
    };
    return mergeValues(typed, args.values);
}

/**
 * External Secrets Operator: owns the external-secrets.io CRDs (ExternalSecret,
 * ClusterSecretStore) the apps' secrets and the stack's stores are written in.
 */
export class ExternalSecrets extends pulumi.ComponentResource {
    readonly release: k8s.helm.v3.Release;
    readonly namespace: pulumi.Output<string>;

    constructor(name: string, args: ExternalSecretsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:platform:ExternalSecrets", name, {}, opts);
        const installed = namespacedRelease(
            name,
            {
                pin: externalSecretsChart,
                values: externalSecretsValues(args),
                environment: args.environment,
                critical: true, // owns the external-secrets.io CRDs: every ExternalSecret, store and synced Secret
                monitoring: args.monitoring,
            },
            this,
        );
        this.release = installed.release;
        this.namespace = installed.namespace;
        this.registerOutputs({ namespace: this.namespace, version: externalSecretsChart.version });
    }
}
