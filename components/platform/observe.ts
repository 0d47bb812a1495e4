import * as pulumi from "@pulumi/pulumi";
import type { PlatformConfig } from "../config";
import { receiverSecrets } from "../config/alerting";
import type { Namespaces } from "../guardrails/namespaces";
import type { SecretStoreServices } from "../workloads/app-credentials";
import { AlertRouting } from "./alert-routing";
import type { InstalledPlatform } from "./install";
import { istioCharts } from "./istio";
import { PlatformAlerts } from "./platform-alerts";
import { ProxyMetrics } from "./proxy-metrics";
import type { SecretStores } from "./secret-stores";

/**
 * What the platform watches beyond each release's own monitor: every Istio proxy's Envoy
 * statistics, the platform's alerts, and where alerts go (the stack's Alertmanager routes).
 */
export function observePlatform(
    config: PlatformConfig,
    namespaces: Namespaces,
    platform: InstalledPlatform,
    stores: SecretStores | undefined,
    opts: pulumi.ComponentResourceOptions,
): void {
    if (platform.istio && platform.prometheus) {
        // Sidecar namespaces (never the amplifier's: nothing may reach it) and the ingress gateway's.
        const sidecars = Object.values(namespaces.all).filter((ns) => ns.mesh === "sidecar" && ns.layer !== "amplifier");
        new ProxyMetrics(
            "proxy-metrics",
            {
                rootNamespace: platform.istio.rootNamespace,
                namespaces: [...sidecars.map((ns) => ns.name), ...(platform.istio.gateway ? [istioCharts.gateway.namespace] : [])],
                monitoring: platform.prometheus.monitoring,
                istiod: platform.istio.istiod,
            },
            opts,
        );
    }
    if (platform.prometheus) {
        const postgres = platform.cloudnativePg !== undefined && config.apps.some((a) => a.postgres);
        new PlatformAlerts(
            "platform-alerts",
            {
                monitoring: platform.prometheus.monitoring,
                components: {
                    certManager: platform.certManager !== undefined,
                    argoRollouts: platform.argoRollouts !== undefined,
                    // kube-state-metrics sees every HPA: the apps', KEDA's and istiod's.
                    autoscaling: true,
                    keda: platform.keda !== undefined,
                    postgres,
                    postgresBackups: postgres && config.backup !== undefined,
                    kafka: platform.strimzi !== undefined && config.apps.some((a) => a.kafka?.cluster),
                },
            },
            opts,
        );
    }
    if (config.alerting && platform.prometheus) {
        new AlertRouting(
            "alert-routing",
            {
                alerting: config.alerting,
                monitoring: platform.prometheus.monitoring,
                secretStores: storeServices(platform, stores),
            },
            opts,
        );
    }
}

function storeServices(platform: InstalledPlatform, stores: SecretStores | undefined): SecretStoreServices | undefined {
    if (!platform.externalSecrets || !stores) return undefined;
    return {
        operator: platform.externalSecrets.release,
        stores: Object.fromEntries(
            Object.entries(stores.names).map(([store, name]) => [store, { name, resource: stores.resources[store] }]),
        ),
    };
}

/** The monitoring namespace reads the stores its alert receivers' credentials are in. */
export function alertReceiverReaders(config: PlatformConfig, platform: InstalledPlatform): Record<string, string[]> {
    const monitoring = platform.prometheus?.monitoring.namespace;
    if (!config.alerting || !monitoring) return {};
    return Object.fromEntries(receiverSecrets(config.alerting).map((s) => [s.secret.store, [monitoring]]));
}
