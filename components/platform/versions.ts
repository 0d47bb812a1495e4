import { argoRolloutsChart } from "./argo-rollouts";
import { argocdChart } from "./argocd";
import { certManagerChart } from "./cert-manager";
import { barmanCloudChart, cloudnativePgChart } from "./cloudnative-pg";
import { externalSecretsChart } from "./external-secrets";
import { gatekeeperChart } from "./gatekeeper";
import { ingressNginxChart } from "./ingress-nginx";
import type { InstalledPlatform } from "./install";
import type { ChartPin } from "../shared/helm";
import { istioCharts, istioVersion } from "./istio";
import { kedaChart } from "./keda";
import { kubePrometheusStackChart } from "./kube-prometheus-stack";
import { kyvernoChart } from "./kyverno";
import { strimziChart } from "./strimzi";

/** Every chart the platform can install: the one list of where its charts come from. */
export const allChartPins: ChartPin[] = [
    ingressNginxChart,
    certManagerChart,
    kyvernoChart,
    gatekeeperChart,
    ...Object.values(istioCharts),
    argocdChart,
    argoRolloutsChart,
    kedaChart,
    kubePrometheusStackChart,
    cloudnativePgChart,
    barmanCloudChart,
    strimziChart,
    externalSecretsChart,
];

/** Where charts may come from: each pin's repository, or its OCI registry path (the reference without the chart name). */
export function chartSources(pins: ChartPin[] = allChartPins): string[] {
    return [...new Set(pins.map((p) => (p.chart.startsWith("oci://") ? p.chart.slice(0, p.chart.lastIndexOf("/")) : p.repo!)))].sort();
}

/** Chart versions of the releases a stack installs, for the `installedVersions` output. */
export function releaseVersions(p: InstalledPlatform): Record<string, string> {
    const entries: [unknown, string, string][] = [
        [p.prometheus, "kube-prometheus-stack", kubePrometheusStackChart.version],
        [p.certManager, "cert-manager", certManagerChart.version],
        [p.ingress, "ingress-nginx", ingressNginxChart.version],
        [p.istio, "istio", istioVersion],
        [p.kyverno, "kyverno", kyvernoChart.version],
        [p.gatekeeper, "gatekeeper", gatekeeperChart.version],
        [p.argocd, "argo-cd", argocdChart.version],
        [p.argoRollouts, "argo-rollouts", argoRolloutsChart.version],
        [p.keda, "keda", kedaChart.version],
        [p.cloudnativePg, "cloudnative-pg", cloudnativePgChart.version],
        [p.cloudnativePg, "plugin-barman-cloud", barmanCloudChart.version],
        [p.strimzi, "strimzi-kafka-operator", strimziChart.version],
        [p.externalSecrets, "external-secrets", externalSecretsChart.version],
    ];
    return Object.fromEntries(entries.filter(([installed]) => installed !== undefined).map(([, name, version]) => [name, version]));
}
