import { canaryReplicaSet, maxCanaryWeight, rolloutsController } from "./models/argo-rollouts";
import { certManagerInstallation, http01Solver, solverObjects } from "./models/cert-manager";
import { backupExec, cnpgInstallation, cnpgPods } from "./models/cloudnative-pg";
import { modelsReadAt } from "./models/index";
import { podCreator, podFromTemplate, podTemplateOf } from "./models/kubernetes";
import { prometheusPods, statefulSetController } from "./models/prometheus-operator";
import { strimziInstallation, strimziObjects } from "./models/strimzi";
import type { Json, KubeObject, Origin, RequestUser, Sourced } from "./types";
import { deployer, objectRef } from "./types";

/**
 * Every object the platform causes to exist that admission looks at: the program's and the
 * charts' own workloads, what their controllers create from them (ReplicaSets, Jobs, Pods), and
 * what operators create at run time (models), each with the identity that creates it and, for
 * pods, how many can exist at once at full scale (for quota).
 */

export interface Release {
    name: string;
    namespace: string;
    chart: string;
    version: string;
    values: Json;
}

export interface Candidate {
    object: KubeObject;
    origin: Origin;
    user: RequestUser;
    /** Pods: the most that exist at once at full scale (autoscaler maximum, rollout surge). */
    maxPods?: number;
    /** Pods: how many run once the stack is up and idle (the replica count it starts with). */
    pods?: number;
    /** The object whose controller creates this one: nothing is created from a refused object. */
    createdFrom?: KubeObject;
}

/** An operator action that needs `pods/exec` (or attach). */
export interface ExecAction {
    namespace: string;
    pod: string;
    subResource: "exec" | "attach";
    user: RequestUser;
    origin: Origin;
    what: string;
}

export interface Expansion {
    candidates: Candidate[];
    /** Objects operators create that matter for networking (generated NetworkPolicies, solver Services). */
    modelObjects: Sourced[];
    exec: ExecAction[];
    /** Models that were read for another chart version than the stack installs. */
    stale: string[];
}

const chartName = (chart: string) => chart.split("/").pop()!;

/** Scale limits from the program's autoscalers: workload ref -> max replicas. */
function autoscalerMaxima(objects: Sourced[]): Map<string, number> {
    const max = new Map<string, number>();
    for (const { object: o } of objects) {
        const spec = (o.spec ?? {}) as Json;
        const target = spec.scaleTargetRef as { kind?: string; name?: string } | undefined;
        if (!target) continue;
        const m = o.kind === "HorizontalPodAutoscaler" ? spec.maxReplicas : o.kind === "ScaledObject" ? spec.maxReplicaCount : undefined;
        if (m !== undefined) max.set(`${o.metadata.namespace}/${target.kind}/${target.name}`, Number(m));
    }
    return max;
}

function surge(maxSurge: unknown, replicas: number): number {
    if (maxSurge === undefined) return Math.ceil(replicas * 0.25);
    if (typeof maxSurge === "string" && maxSurge.endsWith("%")) return Math.ceil((replicas * Number(maxSurge.slice(0, -1))) / 100);
    return Number(maxSurge);
}

/** Pods one workload runs at most at once. */
function maxPodsOf(o: KubeObject, maxima: Map<string, number>): number {
    const spec = (o.spec ?? {}) as Json;
    const replicas = maxima.get(`${o.metadata.namespace}/${o.kind}/${o.metadata.name}`) ?? Number(spec.replicas ?? 1);
    switch (o.kind) {
        case "Deployment":
            return replicas + surge(((spec.strategy as Json | undefined)?.rollingUpdate as Json | undefined)?.maxSurge, replicas);
        case "Job":
            return Number(spec.parallelism ?? 1);
        case "CronJob":
            return (spec.concurrencyPolicy ?? "Allow") === "Forbid" ? 1 : 2;
        default:
            return replicas;
    }
}

export function expand(objects: Sourced[], releases: Release[]): Expansion {
    const out: Expansion = { candidates: [], modelObjects: [], exec: [], stale: [] };
    const maxima = autoscalerMaxima(objects);
    const release = (chart: string) => releases.find((r) => chartName(r.chart) === chart);
    for (const [model, read] of Object.entries(modelsReadAt)) {
        const r = release(read.chart);
        if (r && !read.versions.includes(r.version)) {
            out.stale.push(
                `the ${model} model was read for ${read.chart} ${read.versions.join("/")}, the stack installs ${r.version}: re-read upstream and update ${read.file}`,
            );
        }
    }
    const rollouts = release("argo-rollouts");
    const workload = (object: KubeObject, origin: Origin, user: RequestUser) => expandWorkload(out, object, origin, user, maxima, rollouts);

    for (const s of objects) {
        if (s.object.kind === "Pod") out.candidates.push({ object: s.object, origin: s.origin, user: deployer, maxPods: 1 });
        else if (podTemplateOf(s.object)) workload(s.object, s.origin, deployer);
    }

    const cnpg = release("cloudnative-pg");
    const barman = release("plugin-barman-cloud");
    if (cnpg) {
        const install = cnpgInstallation(
            cnpg.namespace,
            cnpg.name,
            modelsReadAt.cnpg.appVersion?.[cnpg.version] ?? cnpg.version,
            barman ? (modelsReadAt.barman.appVersion?.[barman.version] ?? barman.version) : "",
        );
        const stores = new Map(
            objects
                .filter((s) => s.object.kind === "ObjectStore")
                .map((s) => [`${s.object.metadata.namespace}/${s.object.metadata.name}`, s.object]),
        );
        for (const { object: cluster } of objects.filter(
            (s) => s.object.kind === "Cluster" && s.object.apiVersion.startsWith("postgresql.cnpg.io/"),
        )) {
            const storesHere = new Map(
                [...stores].filter(([k]) => k.startsWith(`${cluster.metadata.namespace}/`)).map(([k, v]) => [k.split("/")[1], v]),
            );
            const origin: Origin = { kind: "model", model: "cloudnative-pg", of: objectRef(cluster) };
            for (const p of cnpgPods(cluster, storesHere, install))
                out.candidates.push({ object: p.pod, origin, user: install.operator, maxPods: 1 });
        }
        for (const { object: b } of objects.filter((s) => s.object.kind === "ScheduledBackup")) {
            const clusterName = String(((b.spec as Json).cluster as Json | undefined)?.name ?? "");
            const action = backupExec(b, clusterName);
            if (action) {
                out.exec.push({
                    namespace: action.namespace ?? "",
                    pod: action.pod,
                    subResource: "exec",
                    user: install.operator,
                    origin: { kind: "model", model: "cloudnative-pg", of: objectRef(b) },
                    what: `backup ${action.command.join(" ")}`,
                });
            }
        }
    }

    const strimzi = release("strimzi-kafka-operator");
    if (strimzi) {
        const install = strimziInstallation(strimzi.namespace, strimzi.version, strimzi.values);
        for (const { object: kafka } of objects.filter(
            (s) => s.object.kind === "Kafka" && s.object.apiVersion.startsWith("kafka.strimzi.io/"),
        )) {
            const pools = objects
                .map((s) => s.object)
                .filter(
                    (o) =>
                        o.kind === "KafkaNodePool" &&
                        o.metadata.namespace === kafka.metadata.namespace &&
                        o.metadata.labels?.["strimzi.io/cluster"] === kafka.metadata.name,
                );
            const origin: Origin = { kind: "model", model: "strimzi", of: objectRef(kafka) };
            const made = strimziObjects(kafka, pools, install);
            for (const pod of made.pods) out.candidates.push({ object: pod, origin, user: install.operator, maxPods: 1 });
            for (const d of made.deployments) workload(d, origin, install.operator);
            for (const np of made.networkPolicies) out.modelObjects.push({ object: np, origin });
        }
    }

    // Prometheus and Alertmanager resources (rendered by kube-prometheus-stack) become StatefulSet pods.
    for (const { object: r } of objects.filter(
        (s) => ["Prometheus", "Alertmanager"].includes(s.object.kind) && s.object.apiVersion.startsWith("monitoring.coreos.com/"),
    )) {
        const origin: Origin = { kind: "model", model: "prometheus-operator", of: objectRef(r) };
        for (const p of prometheusPods(r))
            out.candidates.push({ object: p.pod, origin, user: statefulSetController, maxPods: p.replicas, pods: p.replicas });
    }

    const certManager = release("cert-manager");
    if (certManager) {
        const install = certManagerInstallation(certManager.namespace, certManager.version, certManager.values);
        const issuers = new Map(objects.filter((s) => s.object.kind === "ClusterIssuer").map((s) => [s.object.metadata.name, s.object]));
        for (const { object: ing } of objects.filter((s) => s.object.kind === "Ingress")) {
            const issuer = issuers.get(ing.metadata.annotations?.["cert-manager.io/cluster-issuer"] ?? "");
            if (!issuer) continue;
            const hosts = (((ing.spec as Json).tls as { hosts?: string[] }[] | undefined) ?? []).flatMap((t) => t.hosts ?? []);
            for (const host of hosts) {
                const http01 = http01Solver(issuer, host);
                if (!http01) continue;
                const origin: Origin = { kind: "model", model: "cert-manager", of: objectRef(ing) };
                for (const o of solverObjects(ing, host, http01, install)) {
                    if (o.kind === "Pod") out.candidates.push({ object: o, origin, user: install.controller, maxPods: 1 });
                    else out.modelObjects.push({ object: o, origin });
                }
            }
        }
    }
    return out;
}

/** A workload, the intermediate object its controller creates, and the pods; Rollouts through Argo Rollouts. */
function expandWorkload(
    out: Expansion,
    object: KubeObject,
    origin: Origin,
    user: RequestUser,
    maxima: Map<string, number>,
    rollouts: Release | undefined,
): void {
    out.candidates.push({ object, origin, user });
    const template = podTemplateOf(object)!;
    let from = object;
    const max = maxPodsOf(object, maxima);
    const spec = (object.spec ?? {}) as Json;
    const initial = object.kind === "Job" ? Number(spec.parallelism ?? 1) : Number(spec.replicas ?? 1);
    if (object.kind === "Rollout") {
        const controller = rolloutsController(rollouts?.namespace ?? "argo-rollouts", rollouts?.name ?? "argo-rollouts");
        const canary = canaryReplicaSet(object);
        out.candidates.push({
            object: canary,
            origin: { kind: "model", model: "argo-rollouts", of: objectRef(object) },
            user: controller,
            createdFrom: object,
        });
        out.candidates.push({
            object: podFromTemplate(template, object, "stable"),
            origin,
            user: podCreator.Rollout.pods,
            maxPods: max,
            pods: initial,
            createdFrom: object,
        });
        const canaryPods = Math.ceil((max * maxCanaryWeight(object)) / 100);
        if (canaryPods > 0) {
            out.candidates.push({
                object: podFromTemplate((canary.spec as Json).template as Json, canary, "pod"),
                origin: { kind: "model", model: "argo-rollouts", of: objectRef(object) },
                user: podCreator.Rollout.pods,
                maxPods: canaryPods,
                createdFrom: canary,
            });
        }
        return;
    }
    const creator = podCreator[object.kind];
    if (creator.intermediate) {
        const i = creator.intermediate;
        const intermediate: KubeObject = {
            apiVersion: i.apiVersion,
            kind: i.kind,
            metadata: {
                name: `${object.metadata.name}-1`,
                namespace: object.metadata.namespace,
                labels: (template.metadata as Json | undefined)?.labels as Record<string, string>,
            },
            spec:
                i.kind === "Job"
                    ? structuredClone(((object.spec as Json).jobTemplate as Json).spec)
                    : { replicas: 1, selector: (object.spec as Json).selector, template: structuredClone(template) },
        };
        if (i.kind === "Job")
            intermediate.metadata.labels =
                ((((object.spec as Json).jobTemplate as Json).metadata as Json | undefined)?.labels as Record<string, string>) ?? {};
        out.candidates.push({ object: intermediate, origin, user: i.by, createdFrom: object });
        from = intermediate;
    }
    out.candidates.push({
        object: podFromTemplate(template, object, "pod"),
        origin,
        user: creator.pods,
        maxPods: max,
        pods: initial,
        createdFrom: from,
    });
}
