import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import deepmerge from "deepmerge";
import type { Environment } from "../config/primitives";
import { statefulProtection } from "./environment";
import { platformLabels, podSecurityLabels } from "./labels";

/** A pinned chart: the one place a component names its chart, repository and exact version. */
export interface ChartPin {
    /** Chart name in `repo`, or a full `oci://` reference. */
    chart: string;
    /** Helm repository URL; omitted for OCI charts. */
    repo?: string;
    /** Exact chart version: never a range. */
    version: string;
    /** Helm release name. */
    releaseName: string;
    /** Namespace the release installs into. */
    namespace: string;
    /** How long Helm may take for an install or upgrade (including hooks), in seconds. */
    timeoutSeconds: number;
}

/**
 * Short-lived hook Jobs (webhook certificate generation, CRD upgrades, start-up API checks):
 * small and bounded, the same in every environment.
 */
export const hookJobResources: ContainerResources = { requests: { cpu: "10m", memory: "64Mi" }, limits: { cpu: "500m", memory: "256Mi" } };

/** Raw Helm values, as a stack passes them. */
export type HelmValues = Record<string, unknown>;

/** Container requests and limits, as the per-environment tables write them. */
export type ContainerResources = { requests: { cpu: string; memory: string }; limits: { cpu: string; memory: string } };

/**
 * Deep-merges the user's raw values over a component's typed defaults. The user wins; lists
 * replace lists (merging tolerations or args element by element would surprise everyone).
 */
export function mergeValues(defaults: HelmValues, overrides: HelmValues | undefined): HelmValues {
    return deepmerge(defaults, overrides ?? {}, { arrayMerge: (_target, source) => source });
}

/** Settings every platform release shares, written once. */
export const releaseDefaults = {
    /** Roll back a failed install or upgrade instead of leaving a half-applied release. */
    atomic: true,
    /** Delete resources a failed upgrade created. */
    cleanupOnFail: true,
    /** Pulumi's default keeps unlimited release history secrets; ten is plenty to roll back. */
    maxHistory: 10,
    /** The platform creates namespaces itself, with Pod Security labels. */
    createNamespace: false,
    /** CRDs are installed by the chart that owns them; never skipped silently. */
    skipCrds: false,
    /** Hooks and jobs (CRD upgrades, cert generation) must finish before dependents start. */
    waitForJobs: true,
} as const;

export interface PlatformReleaseArgs {
    pin: ChartPin;
    values: HelmValues;
    environment: Environment;
    /** Namespace the release installs into (an Output of its Namespace, so it is created first). */
    namespace: pulumi.Input<string>;
    /**
     * Whether removing the release would delete CRDs (and with them every custom resource of
     * those kinds) or stateful data: such releases are protected and retained in production.
     */
    critical: boolean;
    dependsOn?: pulumi.Input<pulumi.Resource>[];
}

/** Creates a Helm release with the shared settings and the protection its role needs. */
export function platformRelease(name: string, args: PlatformReleaseArgs, parent: pulumi.Resource): k8s.helm.v3.Release {
    const protection = args.critical ? statefulProtection[args.environment] : { protect: false, retainOnDelete: false };
    return new k8s.helm.v3.Release(
        name,
        {
            name: args.pin.releaseName,
            namespace: args.namespace,
            chart: args.pin.chart,
            version: args.pin.version,
            repositoryOpts: args.pin.repo ? { repo: args.pin.repo } : undefined,
            values: args.values,
            timeout: args.pin.timeoutSeconds,
            ...releaseDefaults,
        },
        { parent, dependsOn: args.dependsOn, protect: protection.protect, retainOnDelete: protection.retainOnDelete },
    );
}

/**
 * The namespace a platform release installs into, with Pod Security labels. `level` is
 * `restricted` unless the chart's pods genuinely need more (say so at the call site).
 */
export function releaseNamespace(
    name: string,
    args: {
        namespace: string;
        environment: Environment;
        level?: "restricted" | "baseline" | "privileged";
        labels?: Record<string, string>;
    },
    parent: pulumi.Resource,
): k8s.core.v1.Namespace {
    const protection = statefulProtection[args.environment];
    return new k8s.core.v1.Namespace(
        name,
        {
            metadata: {
                name: args.namespace,
                labels: { ...platformLabels(args.namespace), ...podSecurityLabels(args.level ?? "restricted"), ...args.labels },
            },
        },
        { parent, protect: protection.protect, retainOnDelete: protection.retainOnDelete },
    );
}

export interface NamespacedReleaseArgs extends Omit<PlatformReleaseArgs, "namespace"> {
    /** The monitoring stack, when the chart creates ServiceMonitors (their CRD must exist first). */
    monitoring?: Monitoring;
    /** Extra labels for the release's namespace. */
    namespaceLabels?: Record<string, string>;
}

/**
 * The common shape of a platform component: its own namespace (`<name>-namespace`) and its
 * release (`<name>-release`), which waits for the Prometheus CRDs when it ships monitors.
 */
export function namespacedRelease(
    name: string,
    args: NamespacedReleaseArgs,
    parent: pulumi.Resource,
): { namespace: pulumi.Output<string>; release: k8s.helm.v3.Release } {
    const ns = releaseNamespace(
        `${name}-namespace`,
        { namespace: args.pin.namespace, environment: args.environment, labels: args.namespaceLabels },
        parent,
    );
    const release = platformRelease(
        `${name}-release`,
        {
            pin: args.pin,
            values: args.values,
            environment: args.environment,
            critical: args.critical,
            namespace: ns.metadata.name,
            dependsOn: [...(args.monitoring ? [args.monitoring.crds] : []), ...(args.dependsOn ?? [])],
        },
        parent,
    );
    return { namespace: ns.metadata.name, release };
}

/** Topology spread across zones for pods matching `matchLabels` (used in production). */
export function zoneSpread(matchLabels: Record<string, string>): k8s.types.input.core.v1.TopologySpreadConstraint[] {
    return [
        {
            maxSkew: 1,
            topologyKey: "topology.kubernetes.io/zone",
            whenUnsatisfiable: "ScheduleAnyway",
            labelSelector: { matchLabels },
        },
    ];
}

/** The restricted container security context every platform container should run with. */
export const restrictedContainer = {
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    runAsNonRoot: true,
    capabilities: { drop: ["ALL"] },
    seccompProfile: { type: "RuntimeDefault" },
};

/** What a component needs from the monitoring stack to create ServiceMonitors. */
export interface Monitoring {
    /** The release that installs the Prometheus Operator CRDs (ServiceMonitor, PrometheusRule). */
    crds: pulumi.Resource;
    /** Labels Prometheus selects ServiceMonitors and rules by (`release: <name>`). */
    selectorLabels: Record<string, string>;
    /** Namespace of the monitoring stack (scrape traffic comes from here). */
    namespace: string;
}
