import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { Environment } from "../config/primitives";
import { PerEnvironment } from "../shared/environment";
import { ChartPin, ContainerResources, HelmValues, mergeValues, Monitoring, namespacedRelease, zoneSpread } from "../shared/helm";

/** Kyverno 1.19: serves the `policies.kyverno.io/v1` ValidatingPolicy and ImageValidatingPolicy kinds. */
export const kyvernoChart: ChartPin = {
    chart: "kyverno",
    repo: "https://kyverno.github.io/kyverno",
    version: "3.9.0",
    releaseName: "kyverno",
    namespace: "kyverno",
    timeoutSeconds: 600,
};

interface Sizing {
    /** Admission controller replicas: 3 is Kyverno's HA recommendation (it must answer every admission). */
    admissionReplicas: number;
    /** Background, cleanup and reports controllers (leader-elected). */
    controllerReplicas: number;
    admission: ContainerResources;
    zoneSpread: boolean;
}

export const kyvernoDefaults: PerEnvironment<Sizing> = {
    dev: {
        admissionReplicas: 1,
        controllerReplicas: 1,
        admission: { requests: { cpu: "100m", memory: "256Mi" }, limits: { cpu: "500m", memory: "512Mi" } },
        zoneSpread: false,
    },
    staging: {
        admissionReplicas: 3,
        controllerReplicas: 2,
        admission: { requests: { cpu: "200m", memory: "384Mi" }, limits: { cpu: "1", memory: "768Mi" } },
        zoneSpread: false,
    },
    production: {
        admissionReplicas: 3,
        controllerReplicas: 2,
        admission: { requests: { cpu: "500m", memory: "512Mi" }, limits: { cpu: "2", memory: "1Gi" } },
        zoneSpread: true,
    },
};

const controllerResources: ContainerResources = { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "500m", memory: "512Mi" } };

export interface KyvernoArgs {
    environment: Environment;
    /** Admission controller replicas. @default kyvernoDefaults[environment].admissionReplicas */
    replicas?: number;
    monitoring?: Monitoring;
    /** Raw chart values, merged over the typed defaults. @default {} */
    values?: HelmValues;
}

/** Chart values from the typed knobs. Exported for tests. */
export function kyvernoValues(args: KyvernoArgs): HelmValues {
    const d = kyvernoDefaults[args.environment];
    const admissionReplicas = args.replicas ?? d.admissionReplicas;
    const serviceMonitor = { enabled: args.monitoring !== undefined, additionalLabels: args.monitoring?.selectorLabels ?? {} };
    const controller = (component: string, replicas: number, resources: ContainerResources) => ({
        replicas,
        podDisruptionBudget: { enabled: replicas > 1, minAvailable: 1 },
        resources,
        serviceMonitor,
        topologySpreadConstraints: d.zoneSpread
            ? zoneSpread({ "app.kubernetes.io/instance": kyvernoChart.releaseName, "app.kubernetes.io/component": component })
            : [],
    });
    const { resources: admissionResources, ...admission } = controller("admission-controller", admissionReplicas, d.admission);
    const typed: HelmValues = {
        crds: { install: true },
        admissionController: { ...admission, container: { resources: admissionResources } },
        backgroundController: controller("background-controller", d.controllerReplicas, controllerResources),
        cleanupController: controller("cleanup-controller", d.controllerReplicas, controllerResources),
        reportsController: controller("reports-controller", d.controllerReplicas, controllerResources),
    };
    return mergeValues(typed, args.values);
}

/**
 * Kyverno. Installs in parallel with every other release: its webhooks only act on policies,
 * and the platform's policies are created after the releases they could otherwise block.
 */
export class Kyverno extends pulumi.ComponentResource {
    readonly release: k8s.helm.v3.Release;

    constructor(name: string, args: KyvernoArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:platform:Kyverno", name, {}, opts);
        this.release = namespacedRelease(
            name,
            {
                pin: kyvernoChart,
                values: kyvernoValues(args),
                environment: args.environment,
                critical: true, // owns the kyverno.io and policies.kyverno.io CRDs
                monitoring: args.monitoring,
            },
            this,
        ).release;
        this.registerOutputs({ version: kyvernoChart.version });
    }
}
