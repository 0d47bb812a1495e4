import type { NetPod } from "./network-policy";
import { LabelSelector, matchesSelector } from "./selectors";
import type { Json, KubeObject, Sourced } from "./types";

/**
 * What Prometheus scrapes, as the Prometheus Operator (v0.93, kube-prometheus-stack 88.5.3)
 * turns ServiceMonitors and PodMonitors into targets: a ServiceMonitor selects Services (its
 * `selector` over Service labels, in the namespaces of `namespaceSelector`, its own namespace
 * when absent), and each endpoint's `port` names a Service port whose endpoints are the pods
 * the Service selects, at the port's `targetPort`; a PodMonitor selects pods and names a
 * container port. Read from prometheus-operator v0.93.1: pkg/prometheus/promcfg.go
 * (generateServiceMonitorConfig, generatePodMonitorConfig: the keep relabelings on
 * `__meta_kubernetes_endpoint_port_name` / `__meta_kubernetes_pod_container_port_name`).
 *
 * The same pod, port and path scraped through two monitors, or through two Services of one
 * monitor, stores every series twice: dashboards and `sum()` alerts count double.
 */

export interface ScrapeTarget {
    /** `namespace/Kind/name` of the monitor, and its endpoint index. */
    monitor: string;
    endpoint: number;
    /** The Service the target was found through (ServiceMonitors only). */
    service?: string;
    pod: string;
    port: number;
    path: string;
}

export interface DuplicateScrape {
    pod: string;
    port: number;
    path: string;
    /** Each way the target is scraped: `monitor[endpoint] via service`. */
    through: string[];
}

interface NamespaceSelector {
    any?: boolean;
    matchNames?: string[];
}

const ref = (o: KubeObject) => `${o.metadata.namespace}/${o.kind}/${o.metadata.name}`;

function inNamespaces(monitor: KubeObject, namespace: string): boolean {
    const sel = ((monitor.spec as Json).namespaceSelector ?? {}) as NamespaceSelector;
    if (sel.any) return true;
    if (sel.matchNames?.length) return sel.matchNames.includes(namespace);
    return namespace === monitor.metadata.namespace;
}

type ContainerPort = NonNullable<NetPod["ports"]>[number];

/** A Service's `targetPort` (number or container port name) resolved on one pod. */
function resolveTargetPort(pod: NetPod, servicePort: Json): number | undefined {
    const target = servicePort.targetPort ?? servicePort.port;
    if (typeof target === "number") return target;
    if (/^\d+$/.test(String(target))) return Number(target);
    return (pod.ports ?? []).find((p: ContainerPort) => p.name === target)?.containerPort;
}

function serviceMonitorTargets(monitor: KubeObject, services: KubeObject[], pods: NetPod[]): ScrapeTarget[] {
    const spec = monitor.spec as Json;
    const selected = services.filter(
        (s) =>
            inNamespaces(monitor, s.metadata.namespace ?? "") && matchesSelector((spec.selector ?? {}) as LabelSelector, s.metadata.labels),
    );
    const targets: ScrapeTarget[] = [];
    ((spec.endpoints as Json[] | undefined) ?? []).forEach((ep, endpoint) => {
        for (const service of selected) {
            const sspec = (service.spec ?? {}) as Json;
            const selector = sspec.selector as Record<string, string> | undefined;
            if (!selector || Object.keys(selector).length === 0) continue;
            const ports = ((sspec.ports as Json[] | undefined) ?? []).filter((p) =>
                ep.port !== undefined ? p.name === ep.port : String(p.targetPort) === String(ep.targetPort),
            );
            for (const pod of pods.filter(
                (p) => p.namespace === service.metadata.namespace && matchesSelector({ matchLabels: selector }, p.labels),
            )) {
                for (const sp of ports) {
                    const port = resolveTargetPort(pod, sp);
                    if (port !== undefined)
                        targets.push({
                            monitor: ref(monitor),
                            endpoint,
                            service: service.metadata.name,
                            pod: `${pod.namespace}/${pod.name}`,
                            port,
                            path: String(ep.path ?? "/metrics"),
                        });
                }
            }
        }
    });
    return targets;
}

function podMonitorTargets(monitor: KubeObject, pods: NetPod[]): ScrapeTarget[] {
    const spec = monitor.spec as Json;
    const selected = pods.filter(
        (p) => inNamespaces(monitor, p.namespace) && matchesSelector((spec.selector ?? {}) as LabelSelector, p.labels),
    );
    const targets: ScrapeTarget[] = [];
    ((spec.podMetricsEndpoints as Json[] | undefined) ?? []).forEach((ep, endpoint) => {
        for (const pod of selected) {
            const ports = (pod.ports ?? []).filter((p: ContainerPort) =>
                ep.port !== undefined ? p.name === ep.port : p.containerPort === Number(ep.portNumber ?? ep.targetPort),
            );
            for (const p of ports)
                targets.push({
                    monitor: ref(monitor),
                    endpoint,
                    pod: `${pod.namespace}/${pod.name}`,
                    port: p.containerPort,
                    path: String(ep.path ?? "/metrics"),
                });
        }
    });
    return targets;
}

/** Every target the stack's ServiceMonitors and PodMonitors give Prometheus, over the twin's pods. */
export function scrapeTargets(objects: Sourced[], pods: NetPod[]): ScrapeTarget[] {
    const monitoring = (o: KubeObject) => o.apiVersion.startsWith("monitoring.coreos.com/");
    const services = objects.map((s) => s.object).filter((o) => o.kind === "Service" && o.apiVersion === "v1");
    return objects
        .map((s) => s.object)
        .filter(monitoring)
        .flatMap((m) =>
            m.kind === "ServiceMonitor"
                ? serviceMonitorTargets(m, services, pods)
                : m.kind === "PodMonitor"
                  ? podMonitorTargets(m, pods)
                  : [],
        );
}

/** Targets (pod, port, path) that Prometheus would scrape more than once. */
export function duplicateScrapes(targets: ScrapeTarget[]): DuplicateScrape[] {
    const by = new Map<string, ScrapeTarget[]>();
    for (const t of targets) {
        const key = `${t.pod}:${t.port}${t.path}`;
        by.set(key, [...(by.get(key) ?? []), t]);
    }
    return [...by.values()]
        .filter((ts) => ts.length > 1)
        .map((ts) => ({
            pod: ts[0].pod,
            port: ts[0].port,
            path: ts[0].path,
            through: ts.map((t) => `${t.monitor}[${t.endpoint}]${t.service ? ` via Service ${t.service}` : ""}`),
        }));
}

/**
 * Which Prometheus reads which monitor or rule: a `Prometheus` resource picks ServiceMonitors,
 * PodMonitors and PrometheusRules by its `serviceMonitorSelector` / `podMonitorSelector` /
 * `ruleSelector` over their labels, in the namespaces of the matching `*NamespaceSelector`
 * (`{}` is every namespace; absent is the Prometheus's own; otherwise a selector over namespace
 * labels). A nil object selector selects nothing (prometheus-operator v0.93.1, Documentation/api
 * PrometheusSpec; kube-prometheus-stack 88.5.3 renders `release: kube-prometheus-stack` there
 * while `*SelectorNilUsesHelmValues` is on). A monitor or rule no Prometheus reads is not
 * observed at all, however well it is written.
 */
const readers: Record<string, [selector: string, namespaceSelector: string]> = {
    ServiceMonitor: ["serviceMonitorSelector", "serviceMonitorNamespaceSelector"],
    PodMonitor: ["podMonitorSelector", "podMonitorNamespaceSelector"],
    PrometheusRule: ["ruleSelector", "ruleNamespaceSelector"],
};

function reads(prometheus: KubeObject, o: KubeObject, namespaceLabels: (ns: string) => Record<string, string>): boolean {
    const [sel, nsSel] = readers[o.kind];
    const spec = (prometheus.spec ?? {}) as Json;
    const selector = spec[sel] as LabelSelector | undefined;
    if (!selector || !matchesSelector(selector, o.metadata.labels)) return false;
    const ns = o.metadata.namespace ?? "";
    const namespaces = spec[nsSel] as LabelSelector | undefined;
    if (namespaces === undefined || namespaces === null) return ns === prometheus.metadata.namespace;
    return matchesSelector(namespaces, namespaceLabels(ns));
}

/**
 * ServiceMonitors, PodMonitors and PrometheusRules that no `Prometheus` of the stack reads, as
 * `namespace/Kind/name`. Empty when the stack has no Prometheus resource in view (the chart not
 * rendered): then nothing can be said.
 */
export function unreadMonitors(objects: Sourced[]): string[] {
    const all = objects.map((s) => s.object);
    const prometheuses = all.filter((o) => o.kind === "Prometheus" && o.apiVersion.startsWith("monitoring.coreos.com/"));
    if (prometheuses.length === 0) return [];
    const namespaces = new Map(all.filter((o) => o.kind === "Namespace").map((o) => [o.metadata.name, o.metadata.labels ?? {}]));
    const namespaceLabels = (ns: string) => ({ "kubernetes.io/metadata.name": ns, ...(namespaces.get(ns) ?? {}) });
    return all
        .filter((o) => o.apiVersion.startsWith("monitoring.coreos.com/") && o.kind in readers)
        .filter((o) => !prometheuses.some((p) => reads(p, o, namespaceLabels)))
        .map(ref);
}
