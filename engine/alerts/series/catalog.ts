import type { Release } from "../../admit/pods";
import { LabelSelector, matchesSelector } from "../../admit/selectors";
import type { Json, KubeObject } from "../../admit/types";
import { valueAt } from "../../json";

/**
 * What one exporter exposes at the version the platform pins (read from its source, named in
 * each catalog file), and whether a stack actually scrapes it: an alert on a series nobody
 * scrapes never fires.
 */
export interface SeriesCatalog {
    exporter: string;
    /** The pinned version the series were read at, and where. */
    version: string;
    source: string;
    series: string[];
    /** Why the stack does not scrape this exporter, or undefined when it does. */
    notScraped(stack: StackObjects): string | undefined;
}

/** A stack's Helm releases and its Kubernetes objects (program and operator models). */
export interface StackObjects {
    releases: Release[];
    objects: KubeObject[];
}

/** Problem when the release of `chart` is absent or the values path that turns its own monitor on is not `true`. */
export function chartMonitorProblem(stack: StackObjects, chart: string, path: string, defaultOn = false): string | undefined {
    const release = stack.releases.find((r) => r.chart.split("/").pop() === chart);
    if (!release) return `no ${chart} release`;
    const v = valueAt(release.values, path);
    return v === true || (v === undefined && defaultOn) ? undefined : `${chart} release: values ${path} is not true`;
}

/**
 * Problem when no PodMonitor in `namespace` selects pods labelled `labels` on container port `port`
 * (each of `labelSets`, e.g. every Kafka cluster's brokers).
 */
export function podMonitorProblem(
    stack: StackObjects,
    namespace: string,
    labels: Record<string, string>,
    port: string,
): string | undefined {
    const ok = stack.objects.some(
        (o) =>
            o.kind === "PodMonitor" &&
            (((o.spec as Json).namespaceSelector as Json | undefined)?.any === true ||
                (((o.spec as Json).namespaceSelector as Json | undefined)?.matchNames as string[] | undefined)?.includes(namespace) ||
                (!(o.spec as Json).namespaceSelector && o.metadata.namespace === namespace)) &&
            matchesSelector((o.spec as Json).selector as LabelSelector, labels) &&
            (((o.spec as Json).podMetricsEndpoints as Json[] | undefined) ?? []).some((e) => e.port === port),
    );
    return ok ? undefined : `no PodMonitor selects ${namespace} pods ${JSON.stringify(labels)} on port ${port}`;
}
