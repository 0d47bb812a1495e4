import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { Environment, LogLevel } from "../config/primitives";
import { PerEnvironment } from "../shared/environment";
import { ChartPin, ContainerResources, HelmValues, hookJobResources, mergeValues, Monitoring, namespacedRelease } from "../shared/helm";

/** OPA Gatekeeper. */
export const gatekeeperChart: ChartPin = {
    chart: "gatekeeper",
    repo: "https://open-policy-agent.github.io/gatekeeper/charts",
    version: "3.23.0",
    releaseName: "gatekeeper",
    namespace: "gatekeeper-system",
    timeoutSeconds: 600,
};

export const gatekeeperDefaults: PerEnvironment<{ replicas: number; controller: ContainerResources; audit: ContainerResources }> = {
    dev: {
        replicas: 1,
        controller: { requests: { cpu: "100m", memory: "256Mi" }, limits: { cpu: "1", memory: "512Mi" } },
        audit: { requests: { cpu: "100m", memory: "256Mi" }, limits: { cpu: "1", memory: "512Mi" } },
    },
    staging: {
        replicas: 3,
        controller: { requests: { cpu: "100m", memory: "512Mi" }, limits: { cpu: "1", memory: "1Gi" } },
        audit: { requests: { cpu: "100m", memory: "512Mi" }, limits: { cpu: "1", memory: "1Gi" } },
    },
    production: {
        replicas: 3,
        controller: { requests: { cpu: "250m", memory: "512Mi" }, limits: { cpu: "2", memory: "1Gi" } },
        audit: { requests: { cpu: "250m", memory: "1Gi" }, limits: { cpu: "2", memory: "2Gi" } },
    },
};

const gatekeeperLogLevel: Record<LogLevel, string> = { debug: "DEBUG", info: "INFO", warn: "WARNING", error: "ERROR" };

export interface GatekeeperArgs {
    environment: Environment;
    logLevel: LogLevel;
    /** Webhook (controller-manager) replicas. @default gatekeeperDefaults[environment].replicas */
    replicas?: number;
    /** Namespaces Gatekeeper's webhook never evaluates (the same list the Kyverno policies exclude). */
    exemptNamespaces: string[];
    monitoring?: Monitoring;
    /** Raw chart values, merged over the typed defaults. @default {} */
    values?: HelmValues;
}

/** Chart values from the typed knobs. Exported for tests. */
export function gatekeeperValues(args: GatekeeperArgs): HelmValues {
    const d = gatekeeperDefaults[args.environment];
    const replicas = args.replicas ?? d.replicas;
    const typed: HelmValues = {
        replicas,
        logLevel: gatekeeperLogLevel[args.logLevel],
        auditInterval: 60,
        emitAdmissionEvents: true,
        emitAuditEvents: true,
        // The chart always renders this budget; at one replica `minAvailable: 1` would leave no
        // pod evictable and block every node drain, so it asks for none there.
        pdb: { controllerManager: { minAvailable: Math.min(1, replicas - 1) } },
        controllerManager: { resources: d.controller, exemptNamespaces: args.exemptNamespaces },
        audit: { resources: d.audit },
        // Hook Jobs: the CRD upgrade before install/upgrade, the webhook probe after install.
        crds: { resources: hookJobResources },
        // The post-install hook would `kubectl label --overwrite` the namespace the program owns
        // (Pod Security labels at other values, e.g. enforce-version=v1.24): drift the nightly
        // refresh reports forever. The program writes the labels the hook exists for itself (the
        // namespace's `admission.gatekeeper.sh/ignore` and Pod Security labels, below); the
        // post-upgrade variant (off by default) stays off. engine/drift/writers.ts checks both.
        postInstall: { labelNamespace: { enabled: false }, resources: hookJobResources },
        postUpgrade: { labelNamespace: { enabled: false } },
    };
    return mergeValues(typed, args.values);
}

/**
 * OPA Gatekeeper. Like Kyverno, it installs in parallel with the other releases; its
 * ConstraintTemplates and constraints come later, with the guardrails.
 */
export class Gatekeeper extends pulumi.ComponentResource {
    readonly release: k8s.helm.v3.Release;

    constructor(name: string, args: GatekeeperArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:platform:Gatekeeper", name, {}, opts);
        // The namespace carries the label Gatekeeper's own webhook uses to skip it.
        this.release = namespacedRelease(
            name,
            {
                pin: gatekeeperChart,
                values: gatekeeperValues(args),
                environment: args.environment,
                critical: true, // owns the templates.gatekeeper.sh CRDs: removing it drops every constraint
                monitoring: args.monitoring,
                namespaceLabels: { "admission.gatekeeper.sh/ignore": "no-self-managing" },
            },
            this,
        ).release;
        // The chart exposes Prometheus metrics (port `metrics`) but ships no monitor for them.
        if (args.monitoring) {
            new k8s.apiextensions.CustomResource(
                `${name}-pod-monitor`,
                {
                    apiVersion: "monitoring.coreos.com/v1",
                    kind: "PodMonitor",
                    metadata: { name: "gatekeeper", namespace: gatekeeperChart.namespace, labels: args.monitoring.selectorLabels },
                    spec: {
                        selector: { matchLabels: { "gatekeeper.sh/system": "yes" } },
                        namespaceSelector: { matchNames: [gatekeeperChart.namespace] },
                        podMetricsEndpoints: [{ port: "metrics", interval: "30s" }],
                    },
                },
                { parent: this, dependsOn: [args.monitoring.crds, this.release] },
            );
        }
        this.registerOutputs({ version: gatekeeperChart.version });
    }
}
