import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import type { Environment, LogLevel } from "../config/primitives";
import { PerEnvironment, statefulProtection } from "../shared/environment";
import { ChartPin, ContainerResources, HelmValues, hookJobResources, mergeValues, Monitoring, platformRelease } from "../shared/helm";
import { managedBy } from "../shared/labels";
import { UiExposure, uiClientCertificate } from "../shared/origin-lock";
import { alertmanagerConfigLabels } from "./alert-routing";

/** kube-prometheus-stack: Prometheus Operator and its CRDs, Prometheus, Alertmanager, Grafana. */
export const kubePrometheusStackChart: ChartPin = {
    chart: "kube-prometheus-stack",
    repo: "https://prometheus-community.github.io/helm-charts",
    version: "88.5.3",
    releaseName: "kube-prometheus-stack",
    namespace: "monitoring",
    timeoutSeconds: 900,
};

/** Prometheus selects ServiceMonitors, PodMonitors and rules carrying this label (the chart's default). */
export const prometheusSelector = { release: kubePrometheusStackChart.releaseName };

interface Sizing {
    prometheusReplicas: number;
    retention: string;
    storageSize: string;
    prometheus: ContainerResources;
    alertmanagerReplicas: number;
    /** kube-state-metrics keeps every object's metrics in memory: it grows with the cluster. */
    kubeStateMetrics: ContainerResources;
    /** Spread Prometheus and Alertmanager replicas over zones (hard anti-affinity). */
    zoneAntiAffinity: boolean;
}

export const kubePrometheusStackDefaults: PerEnvironment<Sizing> = {
    dev: {
        prometheusReplicas: 1,
        retention: "2d",
        storageSize: "10Gi",
        prometheus: { requests: { cpu: "200m", memory: "1Gi" }, limits: { cpu: "1", memory: "2Gi" } },
        alertmanagerReplicas: 1,
        kubeStateMetrics: { requests: { cpu: "50m", memory: "64Mi" }, limits: { cpu: "200m", memory: "256Mi" } },
        zoneAntiAffinity: false,
    },
    staging: {
        prometheusReplicas: 1,
        retention: "7d",
        storageSize: "50Gi",
        prometheus: { requests: { cpu: "500m", memory: "2Gi" }, limits: { cpu: "2", memory: "4Gi" } },
        alertmanagerReplicas: 2,
        kubeStateMetrics: { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "500m", memory: "512Mi" } },
        zoneAntiAffinity: false,
    },
    production: {
        prometheusReplicas: 2,
        retention: "15d",
        storageSize: "200Gi",
        prometheus: { requests: { cpu: "1", memory: "8Gi" }, limits: { cpu: "4", memory: "16Gi" } },
        alertmanagerReplicas: 3,
        kubeStateMetrics: { requests: { cpu: "100m", memory: "256Mi" }, limits: { cpu: "1", memory: "1Gi" } },
        zoneAntiAffinity: true,
    },
};

export interface KubePrometheusStackArgs {
    environment: Environment;
    logLevel: LogLevel;
    /** The monitoring layer's namespace (created by Namespaces, with its Pod Security exception). */
    namespace: pulumi.Input<string>;
    namespaceName: string;
    /** @default kubePrometheusStackDefaults[environment].prometheusReplicas */
    replicas?: number;
    /** @default kubePrometheusStackDefaults[environment].retention */
    retention?: string;
    /** @default kubePrometheusStackDefaults[environment].storageSize */
    storageSize?: string;
    /** Publish Grafana through the ingress controller at `host`. @default undefined (not exposed) */
    grafana?: UiExposure;
    /** Raw chart values, merged over the typed defaults. @default {} */
    values?: HelmValues;
}

/** Chart values from the typed knobs. Exported for tests. */
export function kubePrometheusStackValues(args: Omit<KubePrometheusStackArgs, "namespace"> & { adminSecret: string }): HelmValues {
    const d = kubePrometheusStackDefaults[args.environment];
    const replicas = args.replicas ?? d.prometheusReplicas;
    const antiAffinity = d.zoneAntiAffinity ? { podAntiAffinity: "hard", podAntiAffinityTopologyKey: "topology.kubernetes.io/zone" } : {};
    const typed: HelmValues = {
        crds: { enabled: true },
        prometheusOperator: {
            logLevel: args.logLevel,
            resources: { requests: { cpu: "100m", memory: "256Mi" }, limits: { cpu: "500m", memory: "512Mi" } },
            // One setting for both hook Jobs (create and patch the admission webhook's certificate).
            admissionWebhooks: { patch: { resources: hookJobResources } },
        },
        "kube-state-metrics": { resources: d.kubeStateMetrics },
        // Host network, PID namespace and root filesystem are what a node exporter reads; the
        // container itself keeps no capability and cannot escalate.
        "prometheus-node-exporter": {
            resources: { requests: { cpu: "50m", memory: "64Mi" }, limits: { cpu: "250m", memory: "128Mi" } },
            containerSecurityContext: { readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } },
        },
        prometheus: {
            podDisruptionBudget: { enabled: replicas > 1, minAvailable: 1 },
            prometheusSpec: {
                replicas,
                retention: args.retention ?? d.retention,
                resources: d.prometheus,
                // Keep the release-label selector: only objects labelled `release: kube-prometheus-stack`
                // are picked up, and every component here labels its monitors that way.
                serviceMonitorSelectorNilUsesHelmValues: true,
                podMonitorSelectorNilUsesHelmValues: true,
                ruleSelectorNilUsesHelmValues: true,
                storageSpec: {
                    volumeClaimTemplate: {
                        spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: args.storageSize ?? d.storageSize } } },
                    },
                },
                ...antiAffinity,
            },
        },
        alertmanager: {
            podDisruptionBudget: { enabled: d.alertmanagerReplicas > 1, minAvailable: 1 },
            alertmanagerSpec: {
                // The stack's routes (platform/alert-routing.ts): only our AlertmanagerConfig, and
                // without the operator's namespace matcher on it (it lives in Alertmanager's own
                // namespace), which would keep every app's alert out; any elsewhere keep theirs.
                alertmanagerConfigSelector: { matchLabels: alertmanagerConfigLabels },
                alertmanagerConfigMatcherStrategy: { type: "OnNamespaceExceptForAlertmanagerNamespace" },
                replicas: d.alertmanagerReplicas,
                resources: { requests: { cpu: "50m", memory: "128Mi" }, limits: { cpu: "500m", memory: "256Mi" } },
                ...antiAffinity,
            },
        },
        grafana: {
            // One replica: without an external database each replica keeps its own SQLite, and
            // sessions and UI edits would split between them. Dashboards come from ConfigMaps anyway.
            replicas: 1,
            admin: { existingSecret: args.adminSecret, userKey: "admin-user", passwordKey: "admin-password" },
            resources: { requests: { cpu: "100m", memory: "256Mi" }, limits: { cpu: "500m", memory: "512Mi" } },
            "grafana.ini": { log: { level: args.logLevel === "warn" ? "warning" : args.logLevel } },
            // Apps ship dashboards as ConfigMaps labelled grafana_dashboard=1 in their own namespaces.
            sidecar: {
                resources: { requests: { cpu: "20m", memory: "64Mi" }, limits: { cpu: "200m", memory: "128Mi" } },
                dashboards: {
                    enabled: true,
                    label: "grafana_dashboard",
                    labelValue: "1",
                    searchNamespace: "ALL",
                    folderAnnotation: "grafana_folder",
                    provider: { foldersFromFilesStructure: true },
                },
            },
            ...(args.grafana
                ? {
                      ingress: {
                          enabled: true,
                          ingressClassName: args.grafana.ingressClassName,
                          annotations: {
                              "cert-manager.io/cluster-issuer": args.grafana.clusterIssuer,
                              ...uiClientCertificate(args.grafana, args.namespaceName).annotations,
                          },
                          hosts: [args.grafana.host],
                          tls: [{ secretName: "grafana-tls", hosts: [args.grafana.host] }],
                      },
                  }
                : {}),
        },
        // The CA Secret Grafana's client-certificate check names, shipped with its Ingress.
        ...(args.grafana?.clientCertificate ? { extraManifests: uiClientCertificate(args.grafana, args.namespaceName).objects } : {}),
    };
    return mergeValues(typed, args.values);
}

/**
 * The monitoring stack. Its release installs the Prometheus Operator CRDs, so every release
 * and app that creates ServiceMonitors or PrometheusRules depends on it (`monitoring.crds`).
 * Grafana's admin password is generated and kept as a Pulumi secret.
 */
export class KubePrometheusStack extends pulumi.ComponentResource {
    readonly release: k8s.helm.v3.Release;
    readonly monitoring: Monitoring;
    readonly grafanaUrl?: string;

    constructor(name: string, args: KubePrometheusStackArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:platform:KubePrometheusStack", name, {}, opts);
        const keep = statefulProtection[args.environment];
        const password = new random.RandomPassword(`${name}-grafana-password`, { length: 32, special: false }, { parent: this });
        const adminSecret = new k8s.core.v1.Secret(
            `${name}-grafana-admin`,
            {
                metadata: { name: "grafana-admin", namespace: args.namespace, labels: managedBy },
                type: "Opaque",
                stringData: { "admin-user": "admin", "admin-password": password.result },
            },
            { parent: this, retainOnDelete: keep.retainOnDelete },
        );
        this.release = platformRelease(
            `${name}-release`,
            {
                pin: kubePrometheusStackChart,
                values: kubePrometheusStackValues({ ...args, adminSecret: "grafana-admin" }),
                environment: args.environment,
                namespace: args.namespace,
                critical: true, // owns the monitoring.coreos.com CRDs and Prometheus' volumes
                dependsOn: [adminSecret, ...uiClientCertificate(args.grafana, args.namespaceName).ready],
            },
            this,
        );
        this.monitoring = { crds: this.release, selectorLabels: prometheusSelector, namespace: args.namespaceName };
        this.grafanaUrl = args.grafana ? `https://${args.grafana.host}` : undefined;
        this.registerOutputs({ version: kubePrometheusStackChart.version, grafanaUrl: this.grafanaUrl });
    }
}
