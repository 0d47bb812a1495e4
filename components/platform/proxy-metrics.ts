import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { Monitoring } from "../shared/helm";
import { inNamespace, tcp } from "../shared/network";

/**
 * Envoy's own statistics from every Istio proxy (sidecars and the ingress gateway), read from
 * Istio 1.30.3 (manifests/charts/istio-control/istio-discovery/files/injection-template.yaml and
 * manifests/charts/gateway/templates/deployment.yaml; docs: "Prometheus" integration, option
 * "customized scraping configurations").
 *
 * Why port 15090 (`http-envoy-prom`, `/stats/prometheus`) and not the merged port 15020: with
 * metrics merging (on by default) 15020 serves Envoy's series *and* the app's own, which the
 * app's ServiceMonitor already scrapes, so every app series would be stored twice. 15090 is
 * Envoy only. It is outside the mTLS capture (the injector excludes 15090, 15021 and the status
 * port from inbound redirection: `-d 15090,15021,15020`), so Prometheus, which has no sidecar,
 * reaches it in plain HTTP under STRICT PeerAuthentication; NetworkPolicy still applies, hence
 * {@link proxyScrapePolicy}.
 */

/** Envoy's Prometheus endpoint on every injected proxy. */
export const envoyStatsPort = { name: "http-envoy-prom", port: 15090, path: "/stats/prometheus" } as const;

/** Every pod the injector mutated: it adds `service.istio.io/canonical-name` to sidecar and gateway pods alike. */
const injectedPods = { matchExpressions: [{ key: "service.istio.io/canonical-name", operator: "Exists" }] };

/**
 * The PodMonitor: every pod the injector mutated (it adds `service.istio.io/canonical-name` to
 * sidecar and gateway pods alike) in the namespaces given, on the Envoy stats port only. Exported for tests.
 */
export function proxyPodMonitorSpec(namespaces: string[]): Record<string, unknown> {
    return {
        selector: injectedPods,
        namespaceSelector: { matchNames: [...namespaces].sort() },
        jobLabel: "service.istio.io/canonical-name",
        podMetricsEndpoints: [{ port: envoyStatsPort.name, path: envoyStatsPort.path, interval: "30s" }],
    };
}

/** Ingress to the proxies' stats port from the monitoring namespace, for a default-deny namespace. Exported for tests. */
export function proxyScrapePolicy(monitoringNamespace: string): k8s.types.input.networking.v1.NetworkPolicySpec {
    return {
        podSelector: injectedPods,
        policyTypes: ["Ingress"],
        ingress: [
            {
                from: [inNamespace(monitoringNamespace)],
                ports: [tcp(envoyStatsPort.port)],
            },
        ],
    };
}

export interface ProxyMetricsArgs {
    /** Istio's root namespace, where the PodMonitor lives. */
    rootNamespace: string;
    /** Namespaces whose pods carry sidecars (or the gateway), and that Prometheus may scrape. */
    namespaces: string[];
    monitoring: Monitoring;
    /** The istiod release: injected pods exist only after it. */
    istiod: pulumi.Resource;
}

/** Prometheus scrapes every Istio proxy's Envoy statistics once. */
export class ProxyMetrics extends pulumi.ComponentResource {
    constructor(name: string, args: ProxyMetricsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:platform:ProxyMetrics", name, {}, opts);
        new k8s.apiextensions.CustomResource(
            `${name}-pod-monitor`,
            {
                apiVersion: "monitoring.coreos.com/v1",
                kind: "PodMonitor",
                metadata: { name: "envoy-stats", namespace: args.rootNamespace, labels: args.monitoring.selectorLabels },
                spec: proxyPodMonitorSpec(args.namespaces),
            },
            { parent: this, dependsOn: [args.monitoring.crds, args.istiod] },
        );
        this.registerOutputs({ namespaces: args.namespaces });
    }
}
