import type { ProgramRun, RegisteredResource } from "../../engine/synth/run-program";
import { SecretValue } from "../../engine/synth/run-program";
import { get, ofType } from "./query";

/**
 * What Secrets and ConfigMaps a run makes exist, by `namespace/name`, with their keys: the ones
 * Pulumi creates (keys read through the secret wrapper, values never) and the ones External
 * Secrets will write (an ExternalSecret's target name and `data[].secretKey`s).
 */
export function keyedObjects(run: ProgramRun): { secrets: Map<string, Set<string>>; configMaps: Map<string, Set<string>> } {
    const open = (v: unknown) => (v instanceof SecretValue ? v.value : v) as Record<string, unknown> | undefined;
    const keysOf = (...maps: unknown[]) => new Set(maps.flatMap((m) => Object.keys(open(m) ?? {})));
    const at = (r: RegisteredResource, name: unknown) => `${String(get(r, "metadata.namespace"))}/${String(name)}`;
    const secrets = new Map<string, Set<string>>();
    for (const s of ofType(run, "kubernetes:core/v1:Secret"))
        secrets.set(at(s, get(s, "metadata.name")), keysOf(s.inputs.data, s.inputs.stringData));
    for (const es of ofType(run, "kubernetes:external-secrets.io/v1:ExternalSecret")) {
        const name = get(es, "spec.target.name") ?? get(es, "metadata.name");
        const data = (get(es, "spec.data") as { secretKey: string }[] | undefined) ?? [];
        secrets.set(at(es, name), new Set(data.map((d) => d.secretKey)));
    }
    const configMaps = new Map<string, Set<string>>();
    for (const c of ofType(run, "kubernetes:core/v1:ConfigMap")) configMaps.set(at(c, get(c, "metadata.name")), keysOf(c.inputs.data));
    return { secrets, configMaps };
}

type KeyRef = { name?: string; key?: string; optional?: boolean };

/** Every pod template of the run's workloads, with the namespace it runs in. */
export function podTemplates(run: ProgramRun): { owner: string; namespace: string; spec: Record<string, any> }[] {
    const paths: Record<string, string> = {
        "kubernetes:apps/v1:Deployment": "spec.template.spec",
        "kubernetes:argoproj.io/v1alpha1:Rollout": "spec.template.spec",
        "kubernetes:batch/v1:CronJob": "spec.jobTemplate.spec.template.spec",
    };
    return run.resources
        .filter((r) => r.type in paths)
        .map((r) => ({
            owner: `${r.type.split(":").pop()} ${String(get(r, "metadata.namespace"))}/${String(get(r, "metadata.name"))}`,
            namespace: String(get(r, "metadata.namespace")),
            spec: get(r, paths[r.type]) as Record<string, any>,
        }));
}

/**
 * References a pod (or an operator's custom resource) makes to a Secret or ConfigMap key that no
 * object of the run provides in that namespace: each one a pod that would never start.
 */
export function danglingReferences(run: ProgramRun): string[] {
    const { secrets, configMaps } = keyedObjects(run);
    const problems: string[] = [];
    const check = (where: string, kind: "Secret" | "ConfigMap", namespace: string, ref: KeyRef | undefined) => {
        if (!ref || ref.optional) return;
        const keys = (kind === "Secret" ? secrets : configMaps).get(`${namespace}/${ref.name}`);
        if (!keys) problems.push(`${where}: no ${kind} ${namespace}/${ref.name}`);
        else if (ref.key !== undefined && !keys.has(ref.key))
            problems.push(`${where}: ${kind} ${namespace}/${ref.name} has no key '${ref.key}'`);
    };
    for (const pod of podTemplates(run)) {
        for (const c of [...(pod.spec.containers ?? []), ...(pod.spec.initContainers ?? [])]) {
            for (const e of c.env ?? []) {
                const where = `${pod.owner} container ${c.name} env ${e.name}`;
                check(where, "Secret", pod.namespace, e.valueFrom?.secretKeyRef);
                check(where, "ConfigMap", pod.namespace, e.valueFrom?.configMapKeyRef);
            }
            for (const from of c.envFrom ?? []) {
                check(`${pod.owner} container ${c.name} envFrom`, "Secret", pod.namespace, from.secretRef);
                check(`${pod.owner} container ${c.name} envFrom`, "ConfigMap", pod.namespace, from.configMapRef);
            }
        }
        for (const v of pod.spec.volumes ?? []) {
            const where = `${pod.owner} volume ${v.name}`;
            if (v.configMap)
                for (const item of v.configMap.items ?? [{}]) check(where, "ConfigMap", pod.namespace, { ...v.configMap, ...item });
            if (v.secret) {
                for (const item of v.secret.items ?? [{}])
                    check(where, "Secret", pod.namespace, { name: v.secret.secretName, optional: v.secret.optional, ...item });
            }
        }
    }
    for (const user of ofType(run, "kubernetes:kafka.strimzi.io/v1:KafkaUser")) {
        const ref = get(user, "spec.authentication.password.valueFrom.secretKeyRef") as KeyRef | undefined;
        check(`KafkaUser ${String(get(user, "metadata.name"))}`, "Secret", String(get(user, "metadata.namespace")), ref);
    }
    for (const cluster of ofType(run, "kubernetes:postgresql.cnpg.io/v1:Cluster")) {
        const name = get(cluster, "spec.bootstrap.initdb.secret.name") as string | undefined;
        if (name) check(`Cluster ${String(get(cluster, "metadata.name"))}`, "Secret", String(get(cluster, "metadata.namespace")), { name });
    }
    return problems;
}
