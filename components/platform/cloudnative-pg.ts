import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { Environment } from "../config/primitives";
import { PerEnvironment } from "../shared/environment";
import {
    ChartPin,
    ContainerResources,
    HelmValues,
    mergeValues,
    Monitoring,
    namespacedRelease,
    platformRelease,
    zoneSpread,
} from "../shared/helm";
import { managedBy } from "../shared/labels";

/** CloudNativePG operator 1.30.0. Its CRDs are templated, so Helm upgrades them with the chart. */
export const cloudnativePgChart: ChartPin = {
    chart: "cloudnative-pg",
    repo: "https://cloudnative-pg.github.io/charts",
    version: "0.29.0",
    releaseName: "cloudnative-pg",
    namespace: "cnpg-system",
    timeoutSeconds: 600,
};

/** Barman Cloud plugin v0.13.0 (backups to object storage); must share the operator's namespace. */
export const barmanCloudChart: ChartPin = {
    chart: "plugin-barman-cloud",
    repo: "https://cloudnative-pg.github.io/charts",
    version: "0.7.0",
    releaseName: "plugin-barman-cloud",
    namespace: "cnpg-system",
    timeoutSeconds: 600,
};

interface Sizing {
    replicas: number;
    resources: ContainerResources;
    zoneSpread: boolean;
}

export const cloudnativePgDefaults: PerEnvironment<Sizing> = {
    dev: {
        replicas: 1,
        resources: { requests: { cpu: "50m", memory: "128Mi" }, limits: { cpu: "500m", memory: "256Mi" } },
        zoneSpread: false,
    },
    staging: {
        replicas: 1,
        resources: { requests: { cpu: "100m", memory: "256Mi" }, limits: { cpu: "1", memory: "512Mi" } },
        zoneSpread: false,
    },
    production: {
        replicas: 2,
        resources: { requests: { cpu: "200m", memory: "512Mi" }, limits: { cpu: "2", memory: "1Gi" } },
        zoneSpread: true,
    },
};

export interface CloudNativePgArgs {
    environment: Environment;
    /** Operator replicas (leader-elected). @default cloudnativePgDefaults[environment].replicas */
    replicas?: number;
    /** Raw values for the operator chart, merged over the typed defaults. @default {} */
    values?: HelmValues;
    /** cert-manager, which the Barman Cloud plugin needs for its certificates. */
    certManager: pulumi.Resource;
    /** Prometheus CRDs; without them no PodMonitor or dashboard is created. @default undefined */
    monitoring?: Monitoring;
}

/** Operator chart values from the typed knobs. Exported for tests. */
export function cloudnativePgValues(args: Omit<CloudNativePgArgs, "certManager">): HelmValues {
    const d = cloudnativePgDefaults[args.environment];
    const typed: HelmValues = {
        replicaCount: args.replicas ?? d.replicas,
        resources: d.resources,
        config: {
            clusterWide: true,
            // Labels copied from a Cluster to everything the operator creates for it (pods, PVCs,
            // services), so Gatekeeper's required labels hold for operator-made objects too.
            data: { INHERITED_LABELS: "app.kubernetes.io/name, app.kubernetes.io/part-of, platform.io/team" },
        },
        monitoring: {
            podMonitorEnabled: args.monitoring !== undefined,
            podMonitorAdditionalLabels: args.monitoring?.selectorLabels ?? {},
            grafanaDashboard: { create: args.monitoring !== undefined },
        },
        topologySpreadConstraints: d.zoneSpread ? zoneSpread({ "app.kubernetes.io/name": "cloudnative-pg" }) : [],
    };
    return mergeValues(typed, args.values);
}

/**
 * The CloudNativePG operator and its Barman Cloud backup plugin. The operator installs in
 * parallel with everything else; the plugin waits for cert-manager, which issues its certificates.
 */
export class CloudNativePg extends pulumi.ComponentResource {
    readonly operator: k8s.helm.v3.Release;
    readonly barmanCloud: k8s.helm.v3.Release;
    readonly namespace: pulumi.Output<string>;
    /**
     * The operator's identity (the chart names its ServiceAccount after the release). It starts
     * every backup with an exec into the instance, so exec policies must let it through.
     */
    readonly operatorUser = `system:serviceaccount:${cloudnativePgChart.namespace}:${cloudnativePgChart.releaseName}`;
    /**
     * Images of the pods the operator runs in the data namespace: PostgreSQL, the bootstrap
     * controller (the operator's image) and the Barman Cloud sidecar, all published under
     * ghcr.io/cloudnative-pg (pkg/versions/versions.go at v1.30.0, the plugin chart's SIDECAR_IMAGE).
     */
    readonly workloadImages = ["ghcr.io/cloudnative-pg/"];
    /** Where the operator runs and how its pods are labelled (the chart's Deployment template). */
    readonly operatorPods = { namespace: cloudnativePgChart.namespace, podLabels: { "app.kubernetes.io/name": "cloudnative-pg" } };

    constructor(name: string, args: CloudNativePgArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:platform:CloudNativePg", name, {}, opts);
        const installed = namespacedRelease(
            name,
            {
                pin: cloudnativePgChart,
                values: cloudnativePgValues(args),
                environment: args.environment,
                critical: true, // owns the postgresql.cnpg.io CRDs: removing it deletes every database
                monitoring: args.monitoring,
            },
            this,
        );
        this.namespace = installed.namespace;
        this.operator = installed.release;
        // The chart has no PodDisruptionBudget: with standby replicas (leader election), keep one
        // running through node drains.
        if ((args.replicas ?? cloudnativePgDefaults[args.environment].replicas) > 1) {
            new k8s.policy.v1.PodDisruptionBudget(
                `${name}-operator-pdb`,
                {
                    metadata: { name: cloudnativePgChart.releaseName, namespace: this.namespace, labels: managedBy },
                    spec: {
                        minAvailable: 1,
                        selector: {
                            matchLabels: {
                                "app.kubernetes.io/name": "cloudnative-pg",
                                "app.kubernetes.io/instance": cloudnativePgChart.releaseName,
                            },
                        },
                    },
                },
                { parent: this },
            );
        }
        this.barmanCloud = platformRelease(
            `${name}-barman-cloud`,
            {
                pin: barmanCloudChart,
                values: {
                    resources: { requests: { cpu: "50m", memory: "64Mi" }, limits: { cpu: "500m", memory: "256Mi" } },
                },
                environment: args.environment,
                namespace: this.namespace,
                critical: true, // owns the ObjectStore CRD that every backup configuration lives in
                dependsOn: [args.certManager],
            },
            this,
        );
        this.registerOutputs({
            namespace: this.namespace,
            version: cloudnativePgChart.version,
            barmanCloudVersion: barmanCloudChart.version,
        });
    }
}
