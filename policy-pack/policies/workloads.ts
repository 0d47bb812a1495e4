import type { ResourceValidation, ResourceValidationPolicy } from "@pulumi/policy";
import {
    containersOf,
    describeContainer,
    exemptSchema,
    longRunningTypes,
    objectName,
    parseImage,
    podLabelsOf,
    podSpecOf,
    Props,
    renderedByRelease,
} from "./k8s";

/**
 * Workload policies: every object that runs pods (Deployment, ReplicaSet, ReplicationController,
 * StatefulSet, DaemonSet, Job, CronJob, Rollout, Pod, PodTemplate), every container of it, init
 * and ephemeral included.
 */

type Report = (message: string) => void;

/** Runs `check` for each workload's pod spec; other resource types pass untouched. */
function forWorkload(check: (type: string, props: Props, pod: Props, report: Report) => void): ResourceValidation {
    return (args, reportViolation) => {
        const pod = podSpecOf(args.type, args.props);
        if (!pod) return;
        check(args.type, args.props, pod, (m) => reportViolation(`${objectName(args.props)}: ${m}`));
    };
}

/**
 * For the policies that state the app teams' contract (ownership labels, the app registries,
 * digests, probes): objects a platform Helm release renders belong to the release, whose
 * chart version pins their images (reviewed in the render diff on every bump) and whose
 * upstream defines their health checks; the platform namespaces they run in are outside the
 * admission policies that enforce this contract in the cluster.
 */
function appWorkloadsOnly(validate: ResourceValidation): ResourceValidation {
    return (args, reportViolation) => (renderedByRelease(args.urn) ? undefined : validate(args, reportViolation));
}

/** Like {@link forWorkload}, skipping workloads the stack's policy config exempts (`namespace/name`: reason). */
function forWorkloadUnlessExempt(check: (type: string, props: Props, pod: Props, report: Report) => void): ResourceValidation {
    return (args, reportViolation) => {
        const { exempt } = args.getConfig<{ exempt: Record<string, string> }>();
        if (objectName(args.props) in exempt) return;
        return forWorkload(check)(args, reportViolation);
    };
}

/**
 * Istio's gateway chart leaves `image: auto` in pods labelled for injection: istiod's injection
 * webhook replaces it with the proxy image (istio/istio 1.30, manifests/charts/gateway/templates/deployment.yaml).
 */
const injectedByIstio = (type: string, props: Props, c: { spec: Props }) =>
    c.spec.image === "auto" && podLabelsOf(type, props)["sidecar.istio.io/inject"] === "true";

export const noLatestTag: ResourceValidationPolicy = {
    name: "no-latest-or-missing-tag",
    description: "Images must be pinned to a version tag or digest, never `latest` or untagged (Istio's injected `image: auto` aside).",
    validateResource: forWorkload((type, props, pod, report) => {
        for (const c of containersOf(pod).filter((c) => !injectedByIstio(type, props, c))) {
            const image = parseImage(String(c.spec.image ?? ""));
            if (!image.tag && !image.digest) report(`${describeContainer(c)} image '${c.spec.image}' has no tag`);
            else if (image.tag === "latest" && !image.digest) report(`${describeContainer(c)} image '${c.spec.image}' uses 'latest'`);
        }
    }),
};

export const imagesPinnedByDigest: ResourceValidationPolicy = {
    name: "images-pinned-by-digest",
    description: "App images must be pinned by digest (enabled for production stacks); chart images are pinned by the chart version.",
    validateResource: appWorkloadsOnly(
        forWorkload((_t, _p, pod, report) => {
            for (const c of containersOf(pod)) {
                if (!parseImage(String(c.spec.image ?? "")).digest)
                    report(`${describeContainer(c)} image '${c.spec.image}' is not pinned by digest`);
            }
        }),
    ),
};

export const allowedRegistries: ResourceValidationPolicy = {
    name: "allowed-image-registries",
    description: "App images must come from the allowed registries (a chart's images come from its release's upstream).",
    configSchema: { properties: { registries: { type: "array", items: { type: "string" }, default: [] } } },
    validateResource: appWorkloadsOnly((args, reportViolation) => {
        const { registries } = args.getConfig<{ registries: string[] }>();
        forWorkload((_t, _p, pod, report) => {
            for (const c of containersOf(pod)) {
                const image = String(c.spec.image ?? "");
                if (!registries.some((r) => image.startsWith(r)))
                    report(`${describeContainer(c)} image '${image}' is not from ${registries.join(", ") || "an allowed registry"}`);
            }
        })(args, reportViolation) as void;
    }),
};

export const resourceLimits: ResourceValidationPolicy = {
    name: "cpu-and-memory-limits",
    description: "Every container sets CPU and memory limits.",
    validateResource: forWorkload((_t, _p, pod, report) => {
        for (const c of containersOf(pod).filter((c) => c.kind !== "ephemeralContainer")) {
            const limits = c.spec.resources?.limits ?? {};
            for (const r of ["cpu", "memory"]) if (limits[r] === undefined) report(`${describeContainer(c)} has no ${r} limit`);
        }
    }),
};

const effective = (pod: Props, c: Props, key: string) => c.securityContext?.[key] ?? pod.securityContext?.[key];

export const runAsNonRoot: ResourceValidationPolicy = {
    name: "run-as-non-root",
    description: "Containers run as a non-root user (unless exempted with a reason).",
    configSchema: { properties: { exempt: exemptSchema } },
    validateResource: forWorkloadUnlessExempt((_t, _p, pod, report) => {
        for (const c of containersOf(pod)) {
            if (effective(pod, c.spec, "runAsNonRoot") !== true) report(`${describeContainer(c)} does not set runAsNonRoot: true`);
            if (effective(pod, c.spec, "runAsUser") === 0) report(`${describeContainer(c)} runs as UID 0`);
        }
    }),
};

export const readOnlyRootFilesystem: ResourceValidationPolicy = {
    name: "read-only-root-filesystem",
    description: "Containers mount their root filesystem read-only (unless exempted with a reason).",
    configSchema: { properties: { exempt: exemptSchema } },
    validateResource: forWorkloadUnlessExempt((_t, _p, pod, report) => {
        for (const c of containersOf(pod)) {
            if (c.spec.securityContext?.readOnlyRootFilesystem !== true)
                report(`${describeContainer(c)} does not set readOnlyRootFilesystem: true`);
        }
    }),
};

export const dropAllCapabilities: ResourceValidationPolicy = {
    name: "drop-all-capabilities",
    description: "Containers drop all Linux capabilities and cannot escalate privileges (unless exempted with a reason).",
    configSchema: { properties: { exempt: exemptSchema } },
    validateResource: forWorkloadUnlessExempt((_t, _p, pod, report) => {
        for (const c of containersOf(pod)) {
            const drop: string[] = c.spec.securityContext?.capabilities?.drop ?? [];
            const add: string[] = c.spec.securityContext?.capabilities?.add ?? [];
            if (!drop.includes("ALL")) report(`${describeContainer(c)} does not drop ALL capabilities`);
            // Dropping ALL means nothing if they are added back (NET_BIND_SERVICE alone is harmless).
            for (const cap of add.filter((x) => x !== "NET_BIND_SERVICE")) report(`${describeContainer(c)} adds capability ${cap}`);
            if (c.spec.securityContext?.allowPrivilegeEscalation !== false)
                report(`${describeContainer(c)} does not set allowPrivilegeEscalation: false`);
        }
    }),
};

export const noPrivilegedOrHostAccess: ResourceValidationPolicy = {
    name: "no-privileged-or-host-access",
    description: "No privileged containers, host namespaces or hostPath volumes (unless exempted with a reason).",
    configSchema: { properties: { exempt: exemptSchema } },
    validateResource: forWorkloadUnlessExempt((_t, _p, pod, report) => {
        for (const key of ["hostNetwork", "hostPID", "hostIPC"]) if (pod[key] === true) report(`pod uses ${key}`);
        for (const v of pod.volumes ?? []) if (v.hostPath) report(`volume '${v.name}' is a hostPath`);
        for (const c of containersOf(pod)) {
            if (c.spec.securityContext?.privileged === true) report(`${describeContainer(c)} is privileged`);
            for (const p of c.spec.ports ?? []) if (p.hostPort) report(`${describeContainer(c)} binds hostPort ${p.hostPort}`);
        }
    }),
};

const unconfined = (profile: Props | undefined) => profile?.type === "Unconfined";

export const noUnconfinedProfiles: ResourceValidationPolicy = {
    name: "no-unconfined-profiles",
    description:
        "No pod or container runs with seccomp or AppArmor `Unconfined` (profile fields or annotations; unless exempted with a reason).",
    configSchema: { properties: { exempt: exemptSchema } },
    validateResource: forWorkloadUnlessExempt((type, props, pod, report) => {
        if (unconfined(pod.securityContext?.seccompProfile)) report("pod runs seccomp Unconfined");
        if (unconfined(pod.securityContext?.appArmorProfile)) report("pod runs AppArmor Unconfined");
        for (const c of containersOf(pod)) {
            if (unconfined(c.spec.securityContext?.seccompProfile)) report(`${describeContainer(c)} runs seccomp Unconfined`);
            if (unconfined(c.spec.securityContext?.appArmorProfile)) report(`${describeContainer(c)} runs AppArmor Unconfined`);
        }
        const meta =
            type === "kubernetes:core/v1:Pod"
                ? props.metadata
                : type === "kubernetes:batch/v1:CronJob"
                  ? props.spec?.jobTemplate?.spec?.template?.metadata
                  : props.spec?.template?.metadata;
        for (const [key, value] of Object.entries((meta?.annotations ?? {}) as Record<string, string>)) {
            if (
                (key.startsWith("container.apparmor.security.beta.kubernetes.io/") && value === "unconfined") ||
                (key.startsWith("seccomp.security.alpha.kubernetes.io/") && value === "unconfined")
            )
                report(`annotation ${key} is unconfined`);
        }
    }),
};

export const probesOnLongRunning: ResourceValidationPolicy = {
    name: "probes-on-long-running-containers",
    description: "Long-running app containers have liveness and readiness probes (a chart's upstream defines its own health checks).",
    validateResource: appWorkloadsOnly(
        forWorkload((type, _p, pod, report) => {
            if (!longRunningTypes.has(type)) return;
            for (const c of containersOf(pod).filter((c) => c.kind === "container")) {
                for (const probe of ["livenessProbe", "readinessProbe"])
                    if (!c.spec[probe]) report(`${describeContainer(c)} has no ${probe}`);
            }
        }),
    ),
};

export const requiredLabels: ResourceValidationPolicy = {
    name: "required-labels",
    description: "App workloads and their pods carry the required (ownership) labels; a chart's objects belong to their release.",
    configSchema: {
        properties: {
            labels: {
                type: "array",
                items: { type: "string" },
                default: ["app.kubernetes.io/name", "app.kubernetes.io/part-of", "platform.io/team"],
            },
        },
    },
    validateResource: appWorkloadsOnly((args, reportViolation) => {
        const { labels } = args.getConfig<{ labels: string[] }>();
        forWorkload((type, props, _pod, report) => {
            const own = props.metadata?.labels ?? {};
            const pod = podLabelsOf(type, props);
            for (const l of labels) {
                if (!own[l]) report(`is missing label '${l}'`);
                if (!pod[l]) report(`pod template is missing label '${l}'`);
            }
        })(args, reportViolation) as void;
    }),
};

export const workloadPolicies = [
    noLatestTag,
    imagesPinnedByDigest,
    allowedRegistries,
    resourceLimits,
    runAsNonRoot,
    readOnlyRootFilesystem,
    dropAllCapabilities,
    noPrivilegedOrHostAccess,
    noUnconfinedProfiles,
    probesOnLongRunning,
    requiredLabels,
];
