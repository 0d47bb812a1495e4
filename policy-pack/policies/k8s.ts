/**
 * Shared readers for Kubernetes objects as policies see them (plain inputs, no SDK classes):
 * which types carry pods, and every container of a pod, init and ephemeral included.
 */

export type Props = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const templateSpec = (p: Props) => p.spec?.template?.spec;

/** Pulumi type tokens of everything that runs pods, with where its pod spec lives. */
export const workloadTypes: Readonly<Record<string, (p: Props) => Props | undefined>> = {
    "kubernetes:apps/v1:Deployment": templateSpec,
    "kubernetes:apps/v1:StatefulSet": templateSpec,
    "kubernetes:apps/v1:DaemonSet": templateSpec,
    "kubernetes:apps/v1:ReplicaSet": templateSpec,
    "kubernetes:core/v1:ReplicationController": templateSpec,
    "kubernetes:batch/v1:Job": templateSpec,
    "kubernetes:batch/v1:CronJob": (p) => p.spec?.jobTemplate?.spec?.template?.spec,
    "kubernetes:core/v1:Pod": (p) => p.spec,
    "kubernetes:core/v1:PodTemplate": (p) => p.template?.spec,
    "kubernetes:argoproj.io/v1alpha1:Rollout": templateSpec,
};

/** Workloads that run until stopped (probes, PDBs and replicas apply to them). */
export const longRunningTypes = new Set([
    "kubernetes:apps/v1:Deployment",
    "kubernetes:apps/v1:StatefulSet",
    "kubernetes:apps/v1:DaemonSet",
    "kubernetes:argoproj.io/v1alpha1:Rollout",
]);

export function podSpecOf(type: string, props: Props): Props | undefined {
    return workloadTypes[type]?.(props);
}

/** Pod template labels (where the workload has a template). */
export function podLabelsOf(type: string, props: Props): Record<string, string> {
    if (type === "kubernetes:core/v1:Pod") return props.metadata?.labels ?? {};
    if (type === "kubernetes:batch/v1:CronJob") return props.spec?.jobTemplate?.spec?.template?.metadata?.labels ?? {};
    return props.spec?.template?.metadata?.labels ?? {};
}

export interface Container {
    kind: "container" | "initContainer" | "ephemeralContainer";
    spec: Props;
}

export function containersOf(podSpec: Props): Container[] {
    return [
        ...(podSpec.containers ?? []).map((spec: Props) => ({ kind: "container" as const, spec })),
        ...(podSpec.initContainers ?? []).map((spec: Props) => ({ kind: "initContainer" as const, spec })),
        ...(podSpec.ephemeralContainers ?? []).map((spec: Props) => ({ kind: "ephemeralContainer" as const, spec })),
    ];
}

/** Splits `registry/repo:tag@sha256:...` into its parts (the tag is after the last ':' of the last path segment). */
export function parseImage(image: string): { name: string; tag?: string; digest?: string } {
    const [withoutDigest, digest] = image.split("@", 2);
    const slash = withoutDigest.lastIndexOf("/");
    const colon = withoutDigest.lastIndexOf(":");
    if (colon > slash) return { name: withoutDigest.slice(0, colon), tag: withoutDigest.slice(colon + 1), digest };
    return { name: withoutDigest, digest };
}

export const describeContainer = (c: Container) => `${c.kind} '${c.spec.name ?? "?"}'`;

/** The namespace and name of a Kubernetes object, for messages. */
export function objectName(props: Props): string {
    const md = props.metadata ?? {};
    return md.namespace ? `${md.namespace}/${md.name}` : String(md.name);
}

export const isWorkload = (type: string) => type in workloadTypes;

/**
 * Objects a Helm release renders (the offline gate run with `npm run render` output): their URN's
 * type chain runs through the release. A live preview never sees them, a Release being one
 * opaque resource there; offline they are gated like the program's own objects, except by the
 * policies that state the app teams' contract (see `appWorkloadsOnly` in workloads.ts).
 */
export const renderedByRelease = (urn: string) => urn.includes("kubernetes:helm.sh/v3:Release$");

/** `namespace/name` -> reason: objects a policy exempts, each with the reason recorded in the stack's policy config. */
export const exemptSchema = { type: "object", additionalProperties: { type: "string", minLength: 10 }, default: {} } as const;
