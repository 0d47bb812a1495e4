import type { V1Pod } from "@kubernetes/client-node";
import type { Cluster, CustomKind } from "./cluster";
import type { Expectations } from "./expectations";
import type { CheckResult } from "./report";

const ROLLOUTS: CustomKind = { group: "argoproj.io", version: "v1alpha1", plural: "rollouts" };

/** Every namespace the stack creates exists and is Active. */
export async function checkNamespaces(cluster: Cluster, expected: string[]): Promise<CheckResult[]> {
    const live = new Map((await cluster.namespaces()).map((ns) => [ns.metadata?.name ?? "", ns.status?.phase ?? "Unknown"]));
    const missing = expected.filter((ns) => !live.has(ns));
    const inactive = expected.filter((ns) => live.has(ns) && live.get(ns) !== "Active").map((ns) => `${ns} (${live.get(ns)})`);
    const problems = [...missing.map((ns) => `${ns} (missing)`), ...inactive];
    return [
        problems.length === 0
            ? { check: "namespaces", target: `${expected.length} namespaces`, status: "ok", detail: "all present and Active" }
            : { check: "namespaces", target: `${expected.length} namespaces`, status: "fail", detail: problems.join(", ") },
    ];
}

/** Every pod in every namespace of the stack is Ready (or a finished job's); failing ones by name and reason. */
export async function checkPods(cluster: Cluster, namespaces: string[]): Promise<CheckResult[]> {
    const all = await cluster.pods();
    return namespaces.map((namespace): CheckResult => {
        const pods = all.filter((p) => p.metadata?.namespace === namespace);
        const failing = pods.flatMap((pod) => {
            const problem = podProblem(pod);
            return problem ? [`${pod.metadata?.name} (${problem})`] : [];
        });
        if (failing.length === 0) return { check: "pods", target: namespace, status: "ok", detail: `${pods.length} pod(s) ready` };
        return {
            check: "pods",
            target: namespace,
            status: "fail",
            detail: `${failing.length} of ${pods.length} not ready: ${failing.join(", ")}`,
        };
    });
}

/** Why a pod is not serving, or undefined when it is Ready (or a job's pod that finished). */
export function podProblem(pod: V1Pod): string | undefined {
    const status = pod.status ?? {};
    if (status.phase === "Succeeded") return undefined;
    const ready = status.conditions?.find((c) => c.type === "Ready")?.status === "True";
    if (status.phase === "Running" && ready) return undefined;
    const containers = [...(status.initContainerStatuses ?? []), ...(status.containerStatuses ?? [])];
    const waiting = containers.find((c) => c.state?.waiting?.reason && c.state.waiting.reason !== "PodInitializing")?.state?.waiting
        ?.reason;
    if (waiting) return waiting;
    const crashed = containers.find((c) => c.state?.terminated && c.state.terminated.exitCode !== 0)?.state?.terminated;
    if (crashed) return `${crashed.reason ?? "Error"}, exit ${crashed.exitCode}`;
    const unscheduled = status.conditions?.find((c) => c.type === "PodScheduled" && c.status === "False");
    if (unscheduled) return unscheduled.reason ?? "Unschedulable";
    if (status.reason) return status.reason;
    if (status.phase && status.phase !== "Running") return status.phase;
    const notReady = containers.find((c) => !c.ready);
    return notReady ? `container ${notReady.name} not ready` : "not Ready";
}

/** Every app Deployment has its replicas available; every Rollout is Healthy. */
export async function checkWorkloads(cluster: Cluster, workloads: Expectations["workloads"]): Promise<CheckResult[]> {
    const wants = (kind: string) => workloads.some((w) => w.kind === kind);
    const [deployments, rollouts] = await Promise.all([
        wants("Deployment") ? cluster.deployments() : [],
        wants("Rollout") ? cluster.list(ROLLOUTS) : [],
    ]);
    const key = (namespace?: string, name?: string) => `${namespace}/${name}`;
    const deploymentByKey = new Map(deployments.map((d) => [key(d.metadata?.namespace, d.metadata?.name), d]));
    const rolloutByKey = new Map(rollouts.map((r) => [key(r.metadata.namespace, r.metadata.name), r.status ?? {}]));
    return workloads.map((w): CheckResult => {
        const target = key(w.namespace, w.name);
        const check = w.kind === "Deployment" ? "deployment" : "rollout";
        const result = (ok: boolean, detail: string): CheckResult => ({ check, target, status: ok ? "ok" : "fail", detail });
        if (w.kind === "Rollout") {
            const status = rolloutByKey.get(target);
            if (!status) return result(false, "missing");
            const phase = String(status.phase ?? "Unknown");
            const message = status.message ? `: ${String(status.message)}` : "";
            return result(phase === "Healthy", `${phase}, ${Number(status.availableReplicas ?? 0)} available${message}`);
        }
        const d = deploymentByKey.get(target);
        if (!d) return result(false, "missing");
        const wanted = d.spec?.replicas ?? 1;
        const available = d.status?.availableReplicas ?? 0;
        const updated = d.status?.updatedReplicas ?? 0;
        const current = (d.status?.observedGeneration ?? 0) >= (d.metadata?.generation ?? 0);
        const rolling = current ? "" : ", rollout not yet observed";
        return result(
            available >= wanted && updated >= wanted && current,
            `${available}/${wanted} available, ${updated} updated${rolling}`,
        );
    });
}
