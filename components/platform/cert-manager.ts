import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { Environment, LogLevel } from "../config/primitives";
import { PerEnvironment } from "../shared/environment";
import {
    ChartPin,
    ContainerResources,
    HelmValues,
    hookJobResources,
    mergeValues,
    Monitoring,
    namespacedRelease,
    zoneSpread,
} from "../shared/helm";

/** cert-manager; CRDs through `crds.enabled` and kept on uninstall through `crds.keep`. */
export const certManagerChart: ChartPin = {
    chart: "cert-manager",
    repo: "https://charts.jetstack.io",
    version: "v1.21.1",
    releaseName: "cert-manager",
    namespace: "cert-manager",
    timeoutSeconds: 600,
};

export const certManagerDefaults: PerEnvironment<{ replicas: number; resources: ContainerResources; zoneSpread: boolean }> = {
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
        replicas: 3,
        resources: { requests: { cpu: "100m", memory: "256Mi" }, limits: { cpu: "1", memory: "1Gi" } },
        zoneSpread: true,
    },
};

/** cert-manager's `--v` verbosity per platform log level. */
const verbosity: Record<LogLevel, number> = { debug: 4, info: 2, warn: 1, error: 0 };

export interface CertManagerArgs {
    environment: Environment;
    logLevel: LogLevel;
    /** Replicas of the controller, webhook and cainjector. @default certManagerDefaults[environment].replicas */
    replicas?: number;
    monitoring?: Monitoring;
    /** Raw chart values, merged over the typed defaults. @default {} */
    values?: HelmValues;
}

/** Chart values from the typed knobs. Exported for tests. */
export function certManagerValues(args: CertManagerArgs): HelmValues {
    const d = certManagerDefaults[args.environment];
    const replicas = args.replicas ?? d.replicas;
    const pdb = { enabled: replicas > 1, minAvailable: 1 };
    const spread = (component: string) =>
        d.zoneSpread
            ? zoneSpread({ "app.kubernetes.io/instance": certManagerChart.releaseName, "app.kubernetes.io/component": component })
            : [];
    const typed: HelmValues = {
        crds: { enabled: true, keep: true },
        global: { logLevel: verbosity[args.logLevel], leaderElection: { namespace: certManagerChart.namespace } },
        replicaCount: replicas,
        podDisruptionBudget: pdb,
        resources: d.resources,
        topologySpreadConstraints: spread("controller"),
        webhook: { replicaCount: replicas, podDisruptionBudget: pdb, resources: d.resources, topologySpreadConstraints: spread("webhook") },
        cainjector: {
            replicaCount: replicas,
            podDisruptionBudget: pdb,
            resources: d.resources,
            topologySpreadConstraints: spread("cainjector"),
        },
        startupapicheck: { resources: hookJobResources },
        prometheus: {
            enabled: args.monitoring !== undefined,
            servicemonitor: { enabled: args.monitoring !== undefined, labels: args.monitoring?.selectorLabels ?? {} },
        },
    };
    return mergeValues(typed, args.values);
}

/** cert-manager: owns the Certificate and Issuer CRDs that issuers and ingress TLS rely on. */
export class CertManager extends pulumi.ComponentResource {
    readonly release: k8s.helm.v3.Release;
    readonly namespace: pulumi.Output<string>;
    /**
     * The ACME HTTP-01 solver image (the chart's `--acme-http01-solver-image`: imageRegistry,
     * imageNamespace and acmesolver.image.name at the chart's appVersion), whose pods run beside
     * the Ingresses they answer for.
     */
    readonly solverImages = [`quay.io/jetstack/cert-manager-acmesolver:${certManagerChart.version}`];

    constructor(name: string, args: CertManagerArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:platform:CertManager", name, {}, opts);
        const installed = namespacedRelease(
            name,
            {
                pin: certManagerChart,
                values: certManagerValues(args),
                environment: args.environment,
                critical: true, // owns the cert-manager.io CRDs: every Certificate and Issuer
                monitoring: args.monitoring,
            },
            this,
        );
        this.namespace = installed.namespace;
        this.release = installed.release;
        this.registerOutputs({ namespace: this.namespace, version: certManagerChart.version });
    }
}
