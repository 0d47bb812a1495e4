import type { Json, KubeObject, RequestUser } from "../types";
import { serviceAccountUser } from "../types";

/**
 * Argo Rollouts v1.8 (chart argo-rollouts 2.41.0): a canary Rollout's pods come from ReplicaSets
 * the rollouts controller creates from `spec.template`, labelled with `rollouts-pod-template-hash`
 * (rollout/replicaset.go, utils/replicaset). During a step the canary runs `setWeight`% of the
 * replicas beside the full stable set (maxUnavailable 0), so quota must hold both.
 */

export const rolloutsController = (namespace: string, releaseName: string): RequestUser => serviceAccountUser(namespace, releaseName);

/** The canary ReplicaSet the controller creates for a Rollout. */
export function canaryReplicaSet(rollout: KubeObject): KubeObject {
    const spec = rollout.spec as Json;
    const template = structuredClone((spec.template ?? {}) as Json);
    const meta = (template.metadata ??= {}) as Json;
    meta.labels = { ...((meta.labels as Record<string, string>) ?? {}), "rollouts-pod-template-hash": "canary" };
    return {
        apiVersion: "apps/v1",
        kind: "ReplicaSet",
        metadata: {
            name: `${rollout.metadata.name}-canary`,
            namespace: rollout.metadata.namespace,
            labels: meta.labels as Record<string, string>,
        },
        spec: { replicas: 1, selector: spec.selector, template },
    };
}

/** The largest share of pods a canary step runs, in percent. */
export function maxCanaryWeight(rollout: KubeObject): number {
    const steps = ((((rollout.spec as Json).strategy as Json | undefined)?.canary as Json | undefined)?.steps as Json[] | undefined) ?? [];
    return Math.max(0, ...steps.map((s) => Number(s.setWeight ?? 0)));
}
