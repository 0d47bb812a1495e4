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
    platformRelease,
    releaseNamespace,
    zoneSpread,
} from "../shared/helm";

/** One Istio version for every Istio chart: base, istiod, cni and gateway must never drift apart. */
export const istioVersion = "1.30.3";
const istioRepo = "https://istio-release.storage.googleapis.com/charts";
const pin = (chart: string, releaseName: string, namespace: string, timeoutSeconds: number): ChartPin => ({
    chart,
    repo: istioRepo,
    version: istioVersion,
    releaseName,
    namespace,
    timeoutSeconds,
});

export const istioCharts = {
    base: pin("base", "istio-base", "istio-system", 300),
    istiod: pin("istiod", "istiod", "istio-system", 600),
    cni: pin("cni", "istio-cni", "istio-system", 600),
    gateway: pin("gateway", "istio-ingressgateway", "istio-ingress", 600),
    /** Ambient dataplane only: the per-node L4 proxy. */
    ztunnel: pin("ztunnel", "ztunnel", "istio-system", 600),
} as const;

/** The gateway's Service (`namespace/name`): the chart names it after the release. */
export const istioGatewayService = `${istioCharts.gateway.namespace}/${istioCharts.gateway.releaseName}`;

interface Sizing {
    istiodReplicas: { min: number; max: number };
    istiod: ContainerResources;
    gatewayReplicas: { min: number; max: number };
    proxy: ContainerResources;
    zoneSpread: boolean;
}

export const istioDefaults: PerEnvironment<Sizing> = {
    dev: {
        istiodReplicas: { min: 1, max: 1 },
        istiod: { requests: { cpu: "100m", memory: "256Mi" }, limits: { cpu: "1", memory: "1Gi" } },
        gatewayReplicas: { min: 1, max: 2 },
        proxy: { requests: { cpu: "10m", memory: "64Mi" }, limits: { cpu: "200m", memory: "128Mi" } },
        zoneSpread: false,
    },
    staging: {
        istiodReplicas: { min: 2, max: 3 },
        istiod: { requests: { cpu: "250m", memory: "512Mi" }, limits: { cpu: "1", memory: "2Gi" } },
        gatewayReplicas: { min: 2, max: 4 },
        proxy: { requests: { cpu: "50m", memory: "128Mi" }, limits: { cpu: "500m", memory: "256Mi" } },
        zoneSpread: false,
    },
    production: {
        istiodReplicas: { min: 3, max: 5 },
        istiod: { requests: { cpu: "500m", memory: "2Gi" }, limits: { cpu: "2", memory: "4Gi" } },
        gatewayReplicas: { min: 3, max: 10 },
        proxy: { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "1", memory: "512Mi" } },
        zoneSpread: true,
    },
};

export interface IstioArgs {
    environment: Environment;
    logLevel: LogLevel;
    /** @default "sidecar" */
    dataplane?: "sidecar" | "ambient";
    /** Kubernetes distribution; k3s keeps CNI binaries elsewhere. @default "generic" */
    distribution?: "generic" | "k3s" | "kind";
    /** Minimum istiod replicas. @default istioDefaults[environment].istiodReplicas.min */
    replicas?: number;
    /**
     * The ingress gateway, only for a stack that routes traffic through it: without it no
     * gateway, no istio-ingress namespace, no second entry point beside ingress-nginx.
     * @default undefined (no gateway)
     */
    ingressGateway?: IngressGatewayArgs;
    /** Prometheus CRDs; scrapes istiod when set. @default undefined */
    monitoring?: Monitoring;
    /** Raw values for istiod, merged over the typed defaults. @default {} */
    values?: HelmValues;
}

export interface IngressGatewayArgs {
    /** Kubernetes Service type of the gateway (chart value `service.type`). @default "ClusterIP" */
    serviceType?: "ClusterIP" | "NodePort" | "LoadBalancer";
    /** Client ranges a LoadBalancer admits (`service.loadBalancerSourceRanges`). @default [] (any) */
    loadBalancerSourceRanges?: string[];
    /** Minimum gateway replicas. @default istioDefaults[environment].gatewayReplicas.min */
    replicas?: number;
}

/** The gateway's Service as the chart names it (the release name), for the gate's allowed load balancers. */

/**
 * Chart profiles: `ambient` for the ambient dataplane, and the `k3s` platform profile (k3s keeps
 * CNI binaries and config elsewhere). kind has no platform profile: the defaults fit it.
 */
function profiles(args: IstioArgs): HelmValues {
    return {
        ...(args.dataplane === "ambient" ? { profile: "ambient" } : {}),
        ...(args.distribution === "k3s" ? { global: { platform: "k3s" } } : {}),
    };
}

const runtimeDefault = { type: "RuntimeDefault" };

/** istiod values (the chart's un-prefixed keys; `pilot.*` is only a legacy alias). Exported for tests. */
export function istiodValues(args: IstioArgs): HelmValues {
    const d = istioDefaults[args.environment];
    const min = args.replicas ?? d.istiodReplicas.min;
    const typed: HelmValues = {
        // The replica count only applies with autoscaling off; the HPA's minimum is the floor here.
        autoscaleEnabled: true,
        autoscaleMin: min,
        autoscaleMax: Math.max(min, d.istiodReplicas.max),
        resources: d.istiod,
        seccompProfile: runtimeDefault,
        // Rendered only with more than one replica (autoscaleMin > 1).
        pdb: { minAvailable: 1 },
        // Istio CNI redirects traffic, so injected pods get the unprivileged istio-validation init
        // container instead of istio-init (NET_ADMIN, root): app namespaces stay `restricted`.
        cni: { enabled: true },
        topologySpreadConstraints: d.zoneSpread ? zoneSpread({ app: "istiod" }) : [],
        meshConfig: { accessLogFile: "/dev/stdout", enablePrometheusMerge: true },
        global: {
            defaultPodDisruptionBudget: { enabled: true },
            logging: { level: `default:${args.logLevel}` },
            // Sidecars need an explicit seccomp profile to pass Pod Security `restricted`.
            proxy: { resources: d.proxy, seccompProfile: runtimeDefault },
        },
    };
    return mergeValues(mergeValues(typed, profiles(args)), args.values);
}

/** The CNI node agent's install-cni container: the chart's requests, with limits (it idles after wiring a node). */
export const istioCniResources: ContainerResources = {
    requests: { cpu: "100m", memory: "100Mi" },
    limits: { cpu: "500m", memory: "256Mi" },
};

/** Istio CNI node agent values. Exported for tests. */
export function istioCniValues(args: IstioArgs): HelmValues {
    // system-node-critical pods are admitted outside kube-system only under a quota scoped to
    // that priority class, which the chart creates when asked.
    return mergeValues({ resourceQuotas: { enabled: true }, resources: istioCniResources }, profiles(args));
}

/** Ingress gateway values. Exported for tests. */
export function gatewayValues(args: IstioArgs & { ingressGateway: IngressGatewayArgs }): HelmValues {
    const d = istioDefaults[args.environment];
    const gw = args.ingressGateway;
    const min = gw.replicas ?? d.gatewayReplicas.min;
    const serviceType = gw.serviceType ?? "ClusterIP";
    return {
        // The chart's default is a public LoadBalancer: the stack chooses instead.
        service: {
            type: serviceType,
            ...(serviceType === "LoadBalancer" && gw.loadBalancerSourceRanges
                ? { loadBalancerSourceRanges: gw.loadBalancerSourceRanges }
                : {}),
        },
        autoscaling: {
            enabled: true,
            minReplicas: min,
            maxReplicas: Math.max(min, d.gatewayReplicas.max),
            targetCPUUtilizationPercentage: 70,
        },
        resources: d.proxy,
        // The gateway injection template sets no seccomp profile (global.proxy.seccompProfile only
        // reaches ordinary sidecars), and istio-ingress enforces Pod Security `restricted`: set it at
        // pod level. A non-empty securityContext replaces the chart's default one, so the
        // unprivileged-port sysctl that lets Envoy bind 80/443 as UID 1337 is restated.
        securityContext: {
            seccompProfile: runtimeDefault,
            sysctls: [{ name: "net.ipv4.ip_unprivileged_port_start", value: "0" }],
        },
        // Rendered only with more than one minimum replica (chart templates/poddisruptionbudget.yaml).
        podDisruptionBudget: { minAvailable: 1 },
        ...(d.zoneSpread ? { topologySpreadConstraints: zoneSpread({ istio: "ingressgateway" }) } : {}),
    };
}

/**
 * Istio: base (CRDs) -> istiod, and -> ingress gateway when the stack routes through one.
 * The CNI node agent (and ztunnel, for ambient) need only the base chart and install beside istiod.
 * Istio 1.30 supports Kubernetes 1.32 and newer.
 */
export class Istio extends pulumi.ComponentResource {
    readonly base: k8s.helm.v3.Release;
    readonly istiod: k8s.helm.v3.Release;
    readonly cni: k8s.helm.v3.Release;
    /** The ingress gateway release, when the stack asks for one. */
    readonly gateway?: k8s.helm.v3.Release;
    readonly ztunnel?: k8s.helm.v3.Release;
    /** The proxy image injection adds to every meshed pod (the istiod chart's hub and tag: proxyv2). */
    readonly workloadImages = [`docker.io/istio/proxyv2:${istioVersion}`];
    /** Namespace of the control plane (root namespace for mesh-wide policy). */
    readonly rootNamespace = istioCharts.istiod.namespace;
    /** What must run before meshed pods start: istiod injects sidecars, the CNI agent wires their traffic. */
    readonly readyForWorkloads: pulumi.Resource[];

    constructor(name: string, args: IstioArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:platform:Istio", name, {}, opts);
        const env = args.environment;
        // The CNI node agent is privileged (it edits the node's CNI configuration), so the control
        // plane namespace that hosts it needs the `privileged` Pod Security level.
        const system = releaseNamespace(
            `${name}-system-namespace`,
            { namespace: istioCharts.istiod.namespace, environment: env, level: "privileged" },
            this,
        );
        const release = (
            role: keyof typeof istioCharts,
            values: HelmValues,
            namespace: pulumi.Input<string>,
            critical: boolean,
            dependsOn: pulumi.Resource[],
        ) => platformRelease(`${name}-${role}`, { pin: istioCharts[role], values, environment: env, namespace, critical, dependsOn }, this);

        this.base = release("base", { defaultRevision: "default" }, system.metadata.name, true, []); // owns the Istio CRDs
        this.cni = release("cni", istioCniValues(args), system.metadata.name, false, [this.base]);
        this.istiod = release("istiod", istiodValues(args), system.metadata.name, false, [this.base]);
        if (args.ingressGateway) {
            // Gateways are injected like any workload: their namespace must allow injection.
            const ingress = releaseNamespace(
                `${name}-ingress-namespace`,
                { namespace: istioCharts.gateway.namespace, environment: env, labels: { "istio-injection": "enabled" } },
                this,
            );
            const values = gatewayValues({ ...args, ingressGateway: args.ingressGateway });
            this.gateway = release("gateway", values, ingress.metadata.name, false, [this.istiod]);
        }
        if (args.dataplane === "ambient") this.ztunnel = release("ztunnel", profiles(args), system.metadata.name, false, [this.base]);
        this.readyForWorkloads = [this.istiod, this.cni, ...(this.ztunnel ? [this.ztunnel] : [])];
        if (args.monitoring) this.scrapeControlPlane(name, args.monitoring);
        this.registerOutputs({ version: istioVersion, ingressGateway: args.ingressGateway !== undefined });
    }

    /** No Istio chart ships a ServiceMonitor: scrape istiod's `http-monitoring` port (15014) ourselves. */
    private scrapeControlPlane(name: string, monitoring: Monitoring): void {
        new k8s.apiextensions.CustomResource(
            `${name}-istiod-monitor`,
            {
                apiVersion: "monitoring.coreos.com/v1",
                kind: "ServiceMonitor",
                metadata: { name: "istiod", namespace: this.rootNamespace, labels: monitoring.selectorLabels },
                spec: {
                    selector: { matchLabels: { istio: "pilot" } },
                    namespaceSelector: { matchNames: [this.rootNamespace] },
                    endpoints: [{ port: "http-monitoring", interval: "30s" }],
                },
            },
            { parent: this, dependsOn: [monitoring.crds, this.istiod] },
        );
    }
}
