import type { Json, KubeObject } from "../admit/types";
import { metricNames } from "./promql";
import { argoRolloutsSeries } from "./series/argo-rollouts";
import { appSeries } from "./series/apps";
import type { SeriesCatalog, StackObjects } from "./series/catalog";
import { certManagerSeries } from "./series/cert-manager";
import { barmanCloudSeries, cloudnativePgSeries } from "./series/cloudnative-pg";
import { kafkaExporterSeries, kafkaJmxSeries } from "./series/kafka";
import { kedaSeries } from "./series/keda";
import { kubeStateMetricsSeries } from "./series/kube-state-metrics";

export type { SeriesCatalog, StackObjects } from "./series/catalog";
export { metricNames } from "./promql";

/**
 * Every alert of a stack held to what Prometheus will really have: each expression parses, every
 * series it reads is in the catalog of an exporter (at the version the platform pins), that
 * exporter is scraped in this stack, and the alert says what it means and where its runbook is.
 */

export interface AlertFinding {
    /** `namespace/PrometheusRule/name: Alert`. */
    alert: string;
    problem: string;
}

/** The series catalogs a stack's alerts may read (the Kafka JMX one derived from the stack's own rules ConfigMap). */
export function seriesCatalogs(stack: StackObjects): SeriesCatalog[] {
    return [
        certManagerSeries,
        argoRolloutsSeries,
        kubeStateMetricsSeries,
        kedaSeries,
        cloudnativePgSeries,
        barmanCloudSeries,
        kafkaJmxSeries(stack),
        kafkaExporterSeries,
        appSeries,
    ];
}

export interface AlertRuleObject {
    alert: string;
    expr: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
}

/** Every alerting rule of every PrometheusRule in the stack, with where it comes from. */
export function alertRules(objects: KubeObject[]): { where: string; rule: AlertRuleObject }[] {
    return objects
        .filter((o) => o.kind === "PrometheusRule" && o.apiVersion.startsWith("monitoring.coreos.com/"))
        .flatMap((o) =>
            (((o.spec as Json).groups as { rules?: AlertRuleObject[] }[] | undefined) ?? []).flatMap((g) =>
                (g.rules ?? [])
                    .filter((r) => r.alert !== undefined)
                    .map((rule) => ({ where: `${o.metadata.namespace}/PrometheusRule/${o.metadata.name}: ${rule.alert}`, rule })),
            ),
        );
}

export const severities = ["critical", "warning"];

export function checkAlerts(stack: StackObjects): AlertFinding[] {
    const catalogs = seriesCatalogs(stack);
    const findings: AlertFinding[] = [];
    for (const { where, rule } of alertRules(stack.objects)) {
        const add = (problem: string) => findings.push({ alert: where, problem });
        for (const key of ["summary", "description", "runbook_url"]) if (!rule.annotations?.[key]) add(`no ${key} annotation`);
        if (!severities.includes(rule.labels?.severity ?? ""))
            add(`severity '${rule.labels?.severity}' is not one of ${severities.join(", ")}`);
        const parsed = metricNames(String(rule.expr));
        for (const e of parsed.errors) add(`expr: ${e}`);
        for (const metric of parsed.metrics) {
            const serving = catalogs.filter((c) => c.series.includes(metric));
            if (serving.length === 0) {
                add(`reads '${metric}', which no exporter's series catalog lists`);
                continue;
            }
            const reasons = serving.map((c) => [c, c.notScraped(stack)] as const);
            if (reasons.every(([, r]) => r !== undefined))
                add(`reads '${metric}' from ${reasons.map(([c, r]) => `${c.exporter} (not scraped: ${r})`).join(", ")}`);
        }
    }
    return findings;
}
