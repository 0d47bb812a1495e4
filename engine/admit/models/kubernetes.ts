import type { AdmissionRequest, Json, KubeObject, RequestUser } from "../types";
import { controllerUser } from "../types";

/**
 * What Kubernetes' own controllers and admission plugins do to the objects the platform
 * creates, as of Kubernetes 1.35: which controller turns a workload into pods (and with whose
 * identity it asks), volume defaulting, and LimitRange defaulting and maxima.
 * Read from kubernetes/kubernetes v1.35: pkg/controller/{deployment,replicaset,statefulset,
 * daemon,job,cronjob,replication}, pkg/apis/core/v1/defaults.go (SetDefaults_Volume),
 * plugin/pkg/admission/limitranger/admission.go.
 */

/** Plural resource names of the kinds the twin admits (group/version/kind -> resource). */
const resources: Record<string, string> = {
    Pod: "pods",
    Deployment: "deployments",
    ReplicaSet: "replicasets",
    StatefulSet: "statefulsets",
    DaemonSet: "daemonsets",
    Job: "jobs",
    CronJob: "cronjobs",
    ReplicationController: "replicationcontrollers",
    Rollout: "rollouts",
    Service: "services",
    Ingress: "ingresses",
    NetworkPolicy: "networkpolicies",
};

export function groupVersion(apiVersion: string): { group: string; version: string } {
    const i = apiVersion.indexOf("/");
    return i < 0 ? { group: "", version: apiVersion } : { group: apiVersion.slice(0, i), version: apiVersion.slice(i + 1) };
}

/** A CREATE request for `object`, made by `user`. */
export function createRequest(object: KubeObject, user: RequestUser): AdmissionRequest {
    const gv = groupVersion(object.apiVersion);
    return {
        operation: "CREATE",
        kind: { ...gv, kind: object.kind },
        resource: { ...gv, resource: resources[object.kind] ?? `${object.kind.toLowerCase()}s` },
        namespace: object.metadata.namespace,
        name: object.metadata.name,
        object,
        userInfo: user,
    };
}

/** Kinds that carry a pod template, and where. */
export const podTemplatePath: Record<string, string[]> = {
    Deployment: ["spec", "template"],
    ReplicaSet: ["spec", "template"],
    ReplicationController: ["spec", "template"],
    StatefulSet: ["spec", "template"],
    DaemonSet: ["spec", "template"],
    Job: ["spec", "template"],
    CronJob: ["spec", "jobTemplate", "spec", "template"],
    Rollout: ["spec", "template"],
};

export function podTemplateOf(object: KubeObject): Json | undefined {
    const path = podTemplatePath[object.kind];
    if (!path) return undefined;
    let v: unknown = object;
    for (const k of path) v = v && typeof v === "object" ? (v as Json)[k] : undefined;
    return v && typeof v === "object" ? (v as Json) : undefined;
}

/**
 * The chain of objects a workload becomes, each created by the controller that owns the step:
 * Deployment -> ReplicaSet (deployment-controller) -> Pod (replicaset-controller); CronJob ->
 * Job (cronjob-controller) -> Pod (job-controller); StatefulSet, DaemonSet, ReplicationController
 * and Job create pods directly. Argo Rollouts creates the ReplicaSets of a Rollout itself.
 */
export const podCreator: Record<string, { intermediate?: { kind: string; apiVersion: string; by: RequestUser }; pods: RequestUser }> = {
    Deployment: {
        intermediate: { kind: "ReplicaSet", apiVersion: "apps/v1", by: controllerUser("deployment-controller") },
        pods: controllerUser("replicaset-controller"),
    },
    ReplicaSet: { pods: controllerUser("replicaset-controller") },
    ReplicationController: { pods: controllerUser("replication-controller") },
    StatefulSet: { pods: controllerUser("statefulset-controller") },
    DaemonSet: { pods: controllerUser("daemon-set-controller") },
    Job: { pods: controllerUser("job-controller") },
    CronJob: {
        intermediate: { kind: "Job", apiVersion: "batch/v1", by: controllerUser("cronjob-controller") },
        pods: controllerUser("job-controller"),
    },
    Rollout: { pods: controllerUser("replicaset-controller") },
};

/** A pod built from a template the way its controller builds it: template metadata and spec, a generated name. */
export function podFromTemplate(template: Json, owner: KubeObject, suffix: string): KubeObject {
    const meta = (template.metadata ?? {}) as Json;
    return {
        apiVersion: "v1",
        kind: "Pod",
        metadata: {
            ...meta,
            name: `${owner.metadata.name}-${suffix}`,
            namespace: owner.metadata.namespace,
            labels: { ...((meta.labels as Record<string, string>) ?? {}) },
            annotations: { ...((meta.annotations as Record<string, string>) ?? {}) },
            ownerReferences: [{ apiVersion: owner.apiVersion, kind: owner.kind, name: owner.metadata.name, controller: true }],
        },
        spec: structuredClone(template.spec ?? {}),
    };
}

type Container = Json & { name: string; resources?: { requests?: Record<string, unknown>; limits?: Record<string, unknown> } };

function containersOf(spec: Json, kinds: ("containers" | "initContainers" | "ephemeralContainers")[]): Container[] {
    return kinds.flatMap((k) => (Array.isArray(spec[k]) ? (spec[k] as Container[]) : []));
}

/** API server defaulting of pod volumes: a volume with no source is an emptyDir. */
export function defaultVolumes(pod: KubeObject): void {
    const spec = pod.spec as Json;
    for (const v of (spec.volumes as Json[] | undefined) ?? []) {
        const sources = Object.keys(v).filter((k) => k !== "name" && v[k] !== null && v[k] !== undefined);
        if (sources.length === 0) v.emptyDir = {};
    }
}

export interface LimitRangeItem {
    type: string;
    default?: Record<string, string>;
    defaultRequest?: Record<string, string>;
    max?: Record<string, string>;
    min?: Record<string, string>;
}

/**
 * LimitRanger's mutation: containers and init containers without a limit get the namespace's
 * `default`, without a request its `defaultRequest` (or their limit when they have one).
 */
export function applyLimitRangeDefaults(pod: KubeObject, items: LimitRangeItem[]): void {
    const spec = pod.spec as Json;
    for (const item of items.filter((i) => i.type === "Container")) {
        for (const c of containersOf(spec, ["containers", "initContainers"])) {
            const resources = (c.resources ??= {});
            const limits = (resources.limits ??= {});
            const requests = (resources.requests ??= {});
            for (const [name, value] of Object.entries(item.default ?? {})) if (limits[name] === undefined) limits[name] = value;
            for (const name of new Set([...Object.keys(item.defaultRequest ?? {}), ...Object.keys(limits)])) {
                if (requests[name] !== undefined) continue;
                const fromLimit = limits[name];
                const value = item.defaultRequest?.[name] ?? fromLimit;
                if (value !== undefined) requests[name] = value;
            }
        }
    }
}

/** LimitRanger's validation: a container above the namespace's `max` (or below its `min`) is refused. */
export function limitRangeViolations(pod: KubeObject, items: LimitRangeItem[]): string[] {
    const out: string[] = [];
    const spec = pod.spec as Json;
    for (const item of items.filter((i) => i.type === "Container")) {
        for (const c of containersOf(spec, ["containers", "initContainers"])) {
            for (const [name, max] of Object.entries(item.max ?? {})) {
                const limit = c.resources?.limits?.[name];
                if (limit !== undefined && quantity(String(limit)) > quantity(max)) {
                    out.push(`maximum ${name} usage per Container is ${max}, but limit is ${String(limit)} (container "${c.name}")`);
                }
            }
            for (const [name, min] of Object.entries(item.min ?? {})) {
                const request = c.resources?.requests?.[name];
                if (request !== undefined && quantity(String(request)) < quantity(min)) {
                    out.push(`minimum ${name} usage per Container is ${min}, but request is ${String(request)} (container "${c.name}")`);
                }
            }
        }
    }
    return out;
}

/** A Kubernetes quantity (CPU cores or bytes) as a number. */
export function quantity(q: string | number): number {
    if (typeof q === "number") return q;
    const m = /^([0-9.]+)(m|k|Ki|Mi|Gi|Ti|Pi|M|G|T|P|E|Ei)?$/.exec(q.trim());
    if (!m) throw new Error(`not a quantity: ${q}`);
    const unit: Record<string, number> = {
        m: 1e-3,
        k: 1e3,
        M: 1e6,
        G: 1e9,
        T: 1e12,
        P: 1e15,
        E: 1e18,
        Ki: 2 ** 10,
        Mi: 2 ** 20,
        Gi: 2 ** 30,
        Ti: 2 ** 40,
        Pi: 2 ** 50,
        Ei: 2 ** 60,
    };
    return Number(m[1]) * (m[2] ? unit[m[2]] : 1);
}
