import type { Json, KubeObject, RequestUser } from "../types";
import { controllerUser } from "../types";

/**
 * What the Prometheus Operator v0.93 (kube-prometheus-stack 88.5.3) runs for its Prometheus and
 * Alertmanager resources: a StatefulSet whose pods hold the server (the resource's `resources`,
 * `securityContext`, `replicas`) and a config reloader (no resources: the chart passes
 * `--config-reloader-cpu-request=0` and friends, so the namespace's LimitRange fills them in).
 * Read from prometheus-operator v0.93.1: pkg/prometheus/statefulset.go, pkg/alertmanager/
 * statefulset.go (labels `app.kubernetes.io/name`, `app.kubernetes.io/instance`, `prometheus`/`alertmanager`).
 */

/** The StatefulSet controller creates the pods; the operator creates the StatefulSet. */
export const statefulSetController: RequestUser = controllerUser("statefulset-controller");

export function prometheusPods(resource: KubeObject): { pod: KubeObject; replicas: number }[] {
    const spec = (resource.spec ?? {}) as Json;
    const kind = resource.kind === "Alertmanager" ? "alertmanager" : "prometheus";
    const name = resource.metadata.name;
    const image = String(spec.image ?? `${kind}`);
    const pod: KubeObject = {
        apiVersion: "v1",
        kind: "Pod",
        metadata: {
            name: `${kind}-${name}-0`,
            namespace: resource.metadata.namespace,
            labels: {
                "app.kubernetes.io/name": kind,
                "app.kubernetes.io/instance": name,
                "app.kubernetes.io/managed-by": "prometheus-operator",
                [kind]: name,
                ...(((spec.podMetadata as Json | undefined)?.labels as Record<string, string>) ?? {}),
            },
        },
        spec: {
            ...(spec.securityContext ? { securityContext: spec.securityContext } : {}),
            containers: [
                {
                    name: kind,
                    image,
                    ports: [{ name: "http-web", containerPort: kind === "prometheus" ? 9090 : 9093, protocol: "TCP" }],
                    ...(spec.resources ? { resources: structuredClone(spec.resources) } : {}),
                    securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } },
                },
                {
                    name: "config-reloader",
                    image: "quay.io/prometheus-operator/prometheus-config-reloader",
                    securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } },
                },
            ],
        },
    };
    return [{ pod, replicas: Number(spec.replicas ?? 1) }];
}
