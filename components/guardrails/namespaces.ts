import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { Layer, NamespaceConfig } from "../config/namespaces";
import type { Environment } from "../config/primitives";
import { PerEnvironment, statefulProtection } from "../shared/environment";
import { managedBy, podSecurityLabels } from "../shared/labels";

export interface Quota {
    requestsCpu: string;
    requestsMemory: string;
    limitsCpu: string;
    limitsMemory: string;
    pods: number;
}

interface ContainerDefaults {
    defaultRequest: { cpu: string; memory: string };
    default: { cpu: string; memory: string };
    max: { cpu: string; memory: string };
}

/** Quota size classes per environment. Layers pick a class below. */
export const quotaDefaults: Record<"standard" | "small", PerEnvironment<Quota>> = {
    standard: {
        dev: { requestsCpu: "4", requestsMemory: "8Gi", limitsCpu: "8", limitsMemory: "16Gi", pods: 50 },
        staging: { requestsCpu: "8", requestsMemory: "16Gi", limitsCpu: "16", limitsMemory: "32Gi", pods: 100 },
        production: { requestsCpu: "32", requestsMemory: "64Gi", limitsCpu: "64", limitsMemory: "128Gi", pods: 300 },
    },
    small: {
        dev: { requestsCpu: "1", requestsMemory: "2Gi", limitsCpu: "2", limitsMemory: "4Gi", pods: 20 },
        staging: { requestsCpu: "2", requestsMemory: "4Gi", limitsCpu: "4", limitsMemory: "8Gi", pods: 30 },
        production: { requestsCpu: "8", requestsMemory: "16Gi", limitsCpu: "16", limitsMemory: "32Gi", pods: 60 },
    },
};

/**
 * Per-layer posture: quota class, how isolated the layer is by design, and whether its pods
 * join the mesh by default. Data (CloudNativePG, Kafka), monitoring (node-exporter runs on the
 * host network), system and the amplifier stay out of the mesh unless a stack says otherwise.
 */
export const layerDefaults: Readonly<
    Record<Layer, { quota: keyof typeof quotaDefaults; isolation: "standard" | "high" | "maximum"; meshed: boolean }>
> = {
    core: { quota: "standard", isolation: "standard", meshed: true },
    security: { quota: "small", isolation: "high", meshed: true },
    data: { quota: "standard", isolation: "standard", meshed: false },
    monitoring: { quota: "standard", isolation: "standard", meshed: false },
    system: { quota: "small", isolation: "high", meshed: false },
    amplifier: { quota: "small", isolation: "maximum", meshed: false },
};

/** LimitRange defaults applied to containers that declare no resources of their own. */
export const containerDefaults: PerEnvironment<ContainerDefaults> = {
    dev: { defaultRequest: { cpu: "50m", memory: "64Mi" }, default: { cpu: "250m", memory: "256Mi" }, max: { cpu: "2", memory: "4Gi" } },
    staging: {
        defaultRequest: { cpu: "100m", memory: "128Mi" },
        default: { cpu: "500m", memory: "512Mi" },
        max: { cpu: "4", memory: "8Gi" },
    },
    production: {
        defaultRequest: { cpu: "100m", memory: "128Mi" },
        default: { cpu: "500m", memory: "512Mi" },
        max: { cpu: "8", memory: "16Gi" },
    },
};

/** Label values that enrol a namespace's pods in the mesh. */
export const meshLabels: Readonly<Record<"sidecar" | "ambient" | "none", Record<string, string>>> = {
    sidecar: { "istio-injection": "enabled" },
    ambient: { "istio.io/dataplane-mode": "ambient" },
    none: { "istio-injection": "disabled" },
};

export interface NamespacesArgs {
    environment: Environment;
    /** The platform's namespaces from stack config. */
    namespaces: Record<string, NamespaceConfig>;
    /** Whether the mesh is installed; without it no enrolment label is written. @default true */
    meshEnabled?: boolean;
    /** The mesh dataplane used where a namespace does not choose one. @default "sidecar" */
    defaultDataplane?: "sidecar" | "ambient";
}

export interface PlatformNamespace {
    name: string;
    layer: Layer;
    isolation: "standard" | "high" | "maximum";
    mesh: "sidecar" | "ambient" | "none";
    podSecurity: string;
    resource: k8s.core.v1.Namespace;
}

/**
 * The platform's namespaces segmented by layer, each with Pod Security admission labels
 * (restricted unless the stack declares an exception with a reason), a ResourceQuota and a
 * LimitRange sized for the environment.
 */
export class Namespaces extends pulumi.ComponentResource {
    readonly all: Readonly<Record<string, PlatformNamespace>>;

    constructor(name: string, args: NamespacesArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:guardrails:Namespaces", name, {}, opts);
        const protection = statefulProtection[args.environment];
        const all: Record<string, PlatformNamespace> = {};
        for (const [nsName, cfg] of Object.entries(args.namespaces)) {
            const ns = resolveNamespace(nsName, cfg, args);
            const resource = new k8s.core.v1.Namespace(
                `${name}-${nsName}`,
                {
                    metadata: {
                        name: nsName,
                        labels: {
                            ...managedBy,
                            "platform.io/layer": ns.layer,
                            "platform.io/isolation": ns.isolation,
                            ...podSecurityLabels(ns.podSecurity),
                            ...(args.meshEnabled === false ? {} : meshLabels[ns.mesh]),
                        },
                        annotations: cfg.podSecurity ? { "platform.io/pod-security-exception": cfg.podSecurity.reason } : {},
                    },
                },
                // Deleting a namespace deletes everything in it, volumes included.
                { parent: this, protect: protection.protect, retainOnDelete: protection.retainOnDelete },
            );
            const quota = { ...quotaDefaults[layerDefaults[ns.layer].quota][args.environment], ...cfg.quota };
            new k8s.core.v1.ResourceQuota(
                `${name}-${nsName}-quota`,
                {
                    metadata: { name: "platform-quota", namespace: resource.metadata.name, labels: managedBy },
                    spec: {
                        hard: {
                            "requests.cpu": quota.requestsCpu,
                            "requests.memory": quota.requestsMemory,
                            "limits.cpu": quota.limitsCpu,
                            "limits.memory": quota.limitsMemory,
                            pods: String(quota.pods),
                        },
                    },
                },
                { parent: this },
            );
            const limits = containerDefaults[args.environment];
            new k8s.core.v1.LimitRange(
                `${name}-${nsName}-limits`,
                {
                    metadata: { name: "platform-limits", namespace: resource.metadata.name, labels: managedBy },
                    spec: { limits: [{ type: "Container", ...limits }] },
                },
                { parent: this },
            );
            all[nsName] = { ...ns, resource };
        }
        this.all = all;
        this.registerOutputs({ names: Object.keys(all) });
    }

    /** The namespace of a layer that has exactly one (monitoring), or an error naming the layer. */
    ofLayer(layer: Layer): PlatformNamespace {
        const found = Object.values(this.all).filter((ns) => ns.layer === layer);
        if (found.length !== 1) throw new Error(`expected exactly one '${layer}' namespace, found ${found.length}`);
        return found[0];
    }

    get(name: string): PlatformNamespace {
        const ns = this.all[name];
        if (!ns) throw new Error(`namespace '${name}' is not one of platform:namespaces`);
        return ns;
    }
}

/** Fills a namespace's unset settings from the layer table. Exported for tests. */
export function resolveNamespace(name: string, cfg: NamespaceConfig, args: NamespacesArgs): Omit<PlatformNamespace, "resource"> {
    const layer = layerDefaults[cfg.layer];
    const mesh = cfg.mesh ?? (layer.meshed ? (args.defaultDataplane ?? "sidecar") : "none");
    return { name, layer: cfg.layer, isolation: layer.isolation, mesh, podSecurity: cfg.podSecurity?.level ?? "restricted" };
}
