import { quantity } from "./models/kubernetes";
import type { Admitted } from "./admission";
import type { Json, KubeObject } from "./types";

/**
 * ResourceQuota fit at full scale: every admitted pod, mutated (LimitRange defaults, injected
 * sidecars), times the most that exist at once (autoscaler maximum plus rollout surge), summed
 * per namespace against each quota's hard limits. A namespace that does not fit deploys, then
 * refuses pods exactly when load arrives.
 */

type Amounts = { "requests.cpu": number; "requests.memory": number; "limits.cpu": number; "limits.memory": number; pods: number };
const zero = (): Amounts => ({ "requests.cpu": 0, "requests.memory": 0, "limits.cpu": 0, "limits.memory": 0, pods: 0 });

function amount(c: Json, kind: "requests" | "limits", resource: "cpu" | "memory"): number {
    const v = ((c.resources as Json | undefined)?.[kind] as Record<string, unknown> | undefined)?.[resource];
    return v === undefined ? 0 : quantity(String(v));
}

/**
 * A pod's effective request or limit, as the scheduler and quota count it: the larger of the
 * regular containers plus every native sidecar, and each ordinary init container plus the
 * sidecars started before it.
 */
export function podAmount(pod: KubeObject, kind: "requests" | "limits", resource: "cpu" | "memory"): number {
    const spec = pod.spec as Json;
    const inits = (spec.initContainers as Json[] | undefined) ?? [];
    const containers = (spec.containers as Json[] | undefined) ?? [];
    let sidecars = 0;
    let initPeak = 0;
    for (const c of inits) {
        if (c.restartPolicy === "Always") sidecars += amount(c, kind, resource);
        else initPeak = Math.max(initPeak, sidecars + amount(c, kind, resource));
    }
    const running = containers.reduce((s, c) => s + amount(c, kind, resource), 0) + sidecars;
    return Math.max(running, initPeak);
}

export interface QuotaFinding {
    namespace: string;
    quota: string;
    resource: string;
    needed: number;
    hard: number;
}

export interface QuotaUsage {
    namespace: string;
    used: Amounts;
}

/** Requests and limits per namespace of every admitted pod, counted at full scale or as the stack starts. */
export function podUsage(admitted: Admitted[], scale: "full" | "initial"): Map<string, Amounts> {
    const usage = new Map<string, Amounts>();
    for (const a of admitted) {
        if (a.object.kind !== "Pod" || !a.object.metadata.namespace) continue;
        const n = scale === "full" ? (a.candidate.maxPods ?? 1) : (a.candidate.pods ?? 1);
        const u = usage.get(a.object.metadata.namespace) ?? zero();
        for (const kind of ["requests", "limits"] as const) {
            for (const r of ["cpu", "memory"] as const) u[`${kind}.${r}`] += n * podAmount(a.object, kind, r);
        }
        u.pods += n;
        usage.set(a.object.metadata.namespace, u);
    }
    return usage;
}

export function quotaFit(admitted: Admitted[], quotas: KubeObject[]): { findings: QuotaFinding[]; usage: QuotaUsage[] } {
    const usage = podUsage(admitted, "full");
    const findings: QuotaFinding[] = [];
    for (const q of quotas) {
        const ns = q.metadata.namespace!;
        const used = usage.get(ns) ?? zero();
        const hard = (((q.spec as Json | undefined)?.hard as Record<string, string> | undefined) ?? {}) as Record<string, string>;
        for (const [resource, limit] of Object.entries(hard)) {
            if (!(resource in used)) continue;
            const needed = used[resource as keyof Amounts];
            if (needed > quantity(limit) + 1e-9)
                findings.push({ namespace: ns, quota: q.metadata.name, resource, needed, hard: quantity(limit) });
        }
    }
    return { findings, usage: [...usage].map(([namespace, used]) => ({ namespace, used })) };
}

/** `3.5` cores, `12.0Gi`, `40` pods. */
export function formatAmount(resource: string, value: number): string {
    if (resource.endsWith("memory")) return `${(value / 2 ** 30).toFixed(1)}Gi`;
    if (resource.endsWith("cpu")) return `${Number(value.toFixed(2))}`;
    return String(value);
}
