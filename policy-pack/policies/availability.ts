import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { longRunningTypes, objectName, podLabelsOf, Props } from "./k8s";

/**
 * Availability: replicated workloads survive voluntary disruptions, meet the stack's minimum
 * replica count, and leave their replica count to the autoscaler that owns it.
 */

const autoscalerTypes = ["kubernetes:autoscaling/v2:HorizontalPodAutoscaler", "kubernetes:keda.sh/v1alpha1:ScaledObject"];

interface Autoscaler {
    resource: PolicyResource;
    namespace: string;
    target: { kind: string; name: string };
    minReplicas: number;
}

function autoscalers(resources: PolicyResource[]): Autoscaler[] {
    return resources
        .filter((r) => autoscalerTypes.includes(r.type))
        .map((r) => ({
            resource: r,
            namespace: r.props.metadata?.namespace,
            target: { kind: r.props.spec?.scaleTargetRef?.kind ?? "Deployment", name: r.props.spec?.scaleTargetRef?.name },
            minReplicas: r.props.spec?.minReplicas ?? r.props.spec?.minReplicaCount ?? 1,
        }));
}

const kindOf = (type: string) => type.split(":").pop()!;

function scalerFor(workload: PolicyResource, scalers: Autoscaler[]): Autoscaler | undefined {
    const md = workload.props.metadata ?? {};
    return scalers.find((s) => s.namespace === md.namespace && s.target.name === md.name && s.target.kind === kindOf(workload.type));
}

function matches(selector: Props | undefined, labels: Record<string, string>): boolean {
    const want: Record<string, string> = selector?.matchLabels ?? {};
    return Object.keys(want).length > 0 && Object.entries(want).every(([k, v]) => labels[k] === v);
}

export const pdbForReplicatedWorkloads: StackValidationPolicy = {
    name: "pdb-for-replicated-workloads",
    description: "Workloads running more than one replica have a PodDisruptionBudget (enabled for production stacks).",
    validateStack: (args, reportViolation) => {
        const scalers = autoscalers(args.resources);
        const pdbs = args.resources.filter((r) => r.type === "kubernetes:policy/v1:PodDisruptionBudget");
        for (const w of args.resources.filter((r) => longRunningTypes.has(r.type) && r.type !== "kubernetes:apps/v1:DaemonSet")) {
            const replicas = scalerFor(w, scalers)?.minReplicas ?? w.props.spec?.replicas ?? 1;
            if (replicas <= 1) continue;
            const labels = podLabelsOf(w.type, w.props);
            const covered = pdbs.some(
                (p) => p.props.metadata?.namespace === w.props.metadata?.namespace && matches(p.props.spec?.selector, labels),
            );
            if (!covered) reportViolation(`${objectName(w.props)} runs ${replicas} replicas without a PodDisruptionBudget`, w.urn);
        }
    },
};

/**
 * Pods a budget lets the eviction API take when `pods` are running, as the disruption
 * controller computes it (kubernetes pkg/controller/disruption: percentages round up, for
 * minAvailable and maxUnavailable alike). Undefined for a budget that sets neither.
 */
export function evictablePods(spec: Props | undefined, pods: number): number | undefined {
    const scaled = (v: number | string) =>
        typeof v === "string" && v.endsWith("%") ? Math.ceil((pods * Number(v.slice(0, -1))) / 100) : Number(v);
    if (spec?.minAvailable !== undefined) return Math.max(0, pods - scaled(spec.minAvailable));
    if (spec?.maxUnavailable !== undefined) return Math.min(pods, scaled(spec.maxUnavailable));
    return undefined;
}

export const pdbsLeavePodsEvictable: StackValidationPolicy = {
    name: "pdbs-leave-pods-evictable",
    description:
        "Every PodDisruptionBudget leaves at least one pod evictable at the minimum scale of the workloads it selects: a budget that allows no eviction blocks every node drain.",
    validateStack: (args, reportViolation) => {
        const scalers = autoscalers(args.resources);
        // DaemonSet pods are not evicted by a drain; budgets over them are not this policy's concern.
        const workloads = args.resources.filter((r) => longRunningTypes.has(r.type) && r.type !== "kubernetes:apps/v1:DaemonSet");
        for (const pdb of args.resources.filter((r) => r.type === "kubernetes:policy/v1:PodDisruptionBudget")) {
            const ns = pdb.props.metadata?.namespace;
            const selected = workloads.filter(
                (w) => w.props.metadata?.namespace === ns && matches(pdb.props.spec?.selector, podLabelsOf(w.type, w.props)),
            );
            // Budgets over an operator's pods (CloudNativePG, Strimzi) select nothing the stack defines.
            if (selected.length === 0) continue;
            // A KEDA ScaledObject at zero runs no pod to disrupt: count at least one.
            const minimum = selected.reduce(
                (n, w) => n + Math.max(1, scalerFor(w, scalers)?.minReplicas ?? w.props.spec?.replicas ?? 1),
                0,
            );
            const evictable = evictablePods(pdb.props.spec, minimum);
            if (evictable !== undefined && evictable < 1) {
                const budget =
                    pdb.props.spec?.minAvailable !== undefined
                        ? `minAvailable ${pdb.props.spec.minAvailable}`
                        : `maxUnavailable ${pdb.props.spec?.maxUnavailable}`;
                reportViolation(
                    `${objectName(pdb.props)} (${budget}) leaves no pod evictable at the minimum of ${minimum} replica(s) of ${selected.map((w) => objectName(w.props)).join(", ")}: it blocks every node drain`,
                    pdb.urn,
                );
            }
        }
    },
};

export const minimumReplicas: StackValidationPolicy = {
    name: "minimum-replicas",
    description: "Long-running workloads run at least the stack's minimum replicas, unless exempted with a reason.",
    configSchema: {
        properties: {
            minReplicas: { type: "integer", minimum: 1, default: 1 },
            exempt: { type: "object", additionalProperties: { type: "string", minLength: 10 }, default: {} },
        },
    },
    validateStack: (args, reportViolation) => {
        const { minReplicas, exempt } = args.getConfig<{ minReplicas: number; exempt: Record<string, string> }>();
        const scalers = autoscalers(args.resources);
        for (const w of args.resources.filter((r) => longRunningTypes.has(r.type) && r.type !== "kubernetes:apps/v1:DaemonSet")) {
            const replicas = scalerFor(w, scalers)?.minReplicas ?? w.props.spec?.replicas ?? 1;
            if (replicas < minReplicas && !(objectName(w.props) in exempt)) {
                reportViolation(`${objectName(w.props)} runs ${replicas} replica(s); this stack requires at least ${minReplicas}`, w.urn);
            }
        }
    },
};

export const autoscaledWorkloadsLeaveReplicas: StackValidationPolicy = {
    name: "autoscaled-workloads-leave-replicas",
    description: "A workload scaled by an HPA or KEDA does not also pin replicas (or ignores changes to them).",
    validateStack: (args, reportViolation) => {
        for (const s of autoscalers(args.resources)) {
            const target = args.resources.find(
                (r) =>
                    longRunningTypes.has(r.type) &&
                    kindOf(r.type) === s.target.kind &&
                    r.props.metadata?.name === s.target.name &&
                    r.props.metadata?.namespace === s.namespace,
            );
            if (!target) {
                reportViolation(
                    `${objectName(s.resource.props)} scales ${s.target.kind} '${s.target.name}', which this stack does not define`,
                    s.resource.urn,
                );
                continue;
            }
            if (target.props.spec?.replicas !== undefined && !target.opts.ignoreChanges.includes("spec.replicas")) {
                reportViolation(
                    `${objectName(target.props)} pins spec.replicas while ${objectName(s.resource.props)} scales it: drop replicas or ignore changes to spec.replicas`,
                    target.urn,
                );
            }
        }
    },
};

export const availabilityPolicies = [pdbForReplicatedWorkloads, pdbsLeavePodsEvictable, minimumReplicas, autoscaledWorkloadsLeaveReplicas];
