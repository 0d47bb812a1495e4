import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { Environment } from "../config/primitives";
import { PerEnvironment } from "../shared/environment";
import {
    ChartPin,
    ContainerResources,
    HelmValues,
    hookJobResources,
    mergeValues,
    Monitoring,
    platformRelease,
    releaseNamespace,
    zoneSpread,
} from "../shared/helm";
import { managedBy } from "../shared/labels";

/**
 * ingress-nginx. The project was retired upstream in March 2026 (best-effort fixes only): this
 * component is the one place that knows it, behind the small {@link IngressController} surface
 * the rest of the platform uses, so a successor controller can replace it.
 */
export const ingressNginxChart: ChartPin = {
    chart: "ingress-nginx",
    repo: "https://kubernetes.github.io/ingress-nginx",
    version: "4.15.1",
    releaseName: "ingress-nginx",
    namespace: "ingress-nginx",
    timeoutSeconds: 600,
};

/** What the platform needs from any ingress controller. */
export interface IngressController {
    className: string;
    namespace: string;
    /** Mesh identity of the controller's pods, which apps' AuthorizationPolicies admit. */
    principal: string;
    /** The release; its admission webhook must serve before Ingress objects are applied. */
    release: pulumi.Resource;
    /** External address of the controller's LoadBalancer Service (IP or host name). */
    loadBalancerAddress: pulumi.Output<string>;
}

/** Response headers every response through the controller carries. */
export const securityHeaders: Record<string, string> = {
    "X-Frame-Options": "SAMEORIGIN",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
    "Content-Security-Policy": "default-src 'self'; frame-ancestors 'self'; object-src 'none'",
};

export const ingressNginxDefaults: PerEnvironment<{ replicas: number; resources: ContainerResources; zoneSpread: boolean }> = {
    dev: {
        replicas: 1,
        resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "500m", memory: "256Mi" } },
        zoneSpread: false,
    },
    staging: {
        replicas: 2,
        resources: { requests: { cpu: "200m", memory: "256Mi" }, limits: { cpu: "1", memory: "512Mi" } },
        zoneSpread: false,
    },
    production: {
        replicas: 3,
        resources: { requests: { cpu: "500m", memory: "512Mi" }, limits: { cpu: "2", memory: "1Gi" } },
        zoneSpread: true,
    },
};

export interface IngressNginxArgs {
    environment: Environment;
    /** @default ingressNginxDefaults[environment].replicas */
    replicas?: number;
    /** @default "LoadBalancer" */
    serviceType?: "LoadBalancer" | "NodePort";
    /**
     * The origin lock behind Cloudflare: its published edge ranges (from the provider's
     * `getIpRanges` data source, never a copied list that goes stale) are the only sources the
     * load balancer admits and the only proxies trusted for the client IP (`CF-Connecting-IP`).
     * @default undefined (no CDN in front: any source, no forwarded headers trusted)
     */
    cloudflare?: { ranges: pulumi.Input<string[]> };
    /** Join the mesh with a sidecar (outbound only), so nginx reaches STRICT-mTLS apps. @default false */
    meshSidecar?: boolean;
    monitoring?: Monitoring;
    /** Raw chart values, merged over the typed defaults. @default {} */
    values?: HelmValues;
}

/** Chart values from the typed knobs. Exported for tests. */
export function ingressNginxValues(args: IngressNginxArgs): HelmValues {
    const d = ingressNginxDefaults[args.environment];
    const replicas = args.replicas ?? d.replicas;
    const config: Record<string, pulumi.Input<string>> = {
        "add-headers": `${ingressNginxChart.namespace}/security-headers`,
        hsts: "true",
        "hsts-max-age": "31536000",
        "hsts-include-subdomains": "true",
        "server-tokens": "false",
        "ssl-protocols": "TLSv1.2 TLSv1.3",
    };
    const ranges = args.cloudflare?.ranges;
    if (ranges) {
        config["use-forwarded-headers"] = "true";
        config["forwarded-for-header"] = "CF-Connecting-IP";
        config["proxy-real-ip-cidr"] = pulumi.output(ranges).apply((r) => r.join(","));
    }
    const typed: HelmValues = {
        controller: {
            replicaCount: replicas,
            minAvailable: 1,
            resources: d.resources,
            ingressClass: "nginx",
            ingressClassResource: { name: "nginx", default: true },
            allowSnippetAnnotations: false,
            config,
            // `Local` keeps the client (Cloudflare) address visible, which the source ranges need.
            service: {
                type: args.serviceType ?? "LoadBalancer",
                externalTrafficPolicy: "Local",
                ...(ranges ? { loadBalancerSourceRanges: ranges } : {}),
            },
            metrics: {
                enabled: args.monitoring !== undefined,
                serviceMonitor: { enabled: args.monitoring !== undefined, additionalLabels: args.monitoring?.selectorLabels ?? {} },
            },
            topologySpreadConstraints: d.zoneSpread
                ? zoneSpread({ "app.kubernetes.io/name": "ingress-nginx", "app.kubernetes.io/component": "controller" })
                : [],
            // The hook Jobs that create and patch the admission webhook's certificate.
            admissionWebhooks: { createSecretJob: { resources: hookJobResources }, patchWebhookJob: { resources: hookJobResources } },
            // A sidecar for outbound mTLS only: inbound traffic from the load balancer reaches nginx directly.
            ...(args.meshSidecar
                ? {
                      podLabels: { "sidecar.istio.io/inject": "true" },
                      podAnnotations: { "traffic.sidecar.istio.io/includeInboundPorts": "" },
                  }
                : {}),
        },
    };
    return mergeValues(typed, args.values);
}

/** The ingress controller and the LoadBalancer address the edge points DNS at. */
export class IngressNginx extends pulumi.ComponentResource implements IngressController {
    readonly className = "nginx";
    readonly namespace = ingressNginxChart.namespace;
    /** The chart's ServiceAccount is named after the release. */
    readonly principal = `cluster.local/ns/${ingressNginxChart.namespace}/sa/${ingressNginxChart.releaseName}`;
    readonly release: k8s.helm.v3.Release;
    readonly loadBalancerAddress: pulumi.Output<string>;

    constructor(name: string, args: IngressNginxArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:platform:IngressNginx", name, {}, opts);
        const ns = releaseNamespace(`${name}-namespace`, { namespace: ingressNginxChart.namespace, environment: args.environment }, this);
        const headers = new k8s.core.v1.ConfigMap(
            `${name}-security-headers`,
            { metadata: { name: "security-headers", namespace: ns.metadata.name, labels: managedBy }, data: securityHeaders },
            { parent: this },
        );
        this.release = platformRelease(
            `${name}-release`,
            {
                pin: ingressNginxChart,
                values: ingressNginxValues(args),
                environment: args.environment,
                namespace: ns.metadata.name,
                critical: false,
                dependsOn: [headers, ...(args.monitoring ? [args.monitoring.crds] : [])],
            },
            this,
        );
        // The chart names the controller Service `<release>-controller`; read it once the release is up.
        const service = k8s.core.v1.Service.get(
            `${name}-controller-service`,
            pulumi.interpolate`${this.release.status.namespace}/${this.release.status.name}-controller`,
            {
                parent: this,
                dependsOn: [this.release],
            },
        );
        this.loadBalancerAddress = service.status.apply((s) => {
            const ingress = s?.loadBalancer?.ingress?.[0];
            return ingress?.ip ?? ingress?.hostname ?? "";
        });
        this.registerOutputs({ loadBalancerAddress: this.loadBalancerAddress, version: ingressNginxChart.version });
    }
}
