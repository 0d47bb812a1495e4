/**
 * The Restricted checks of Pod Security admission, written from kubernetes/pod-security-admission v0.35.0
 * (= kubernetes/kubernetes v1.35.0, `staging/src/k8s.io/pod-security-admission/policy/`):
 * check_restrictedVolumes.go, check_allowPrivilegeEscalation.go, check_runAsNonRoot.go, check_runAsUser.go,
 * check_seccompProfile_restricted.go, check_capabilities_restricted.go, check_procMount_restricted.go.
 * Which version of each applies when (and which Baseline check each replaces) lives in pod-security.ts.
 */
import { explicitlyBadSeccomp, validSeccompType } from "./pod-security-baseline";
import {
    CheckOutcome,
    PodCheck,
    PodLike,
    allContainers,
    containerList,
    inUserNamespace,
    isWindows,
    plural,
    quoted,
    sorted,
} from "./pod-security-spec";

/** Inline volume sources Restricted allows (image volumes since the ImageVolume relaxation, unversioned upstream). */
export const RESTRICTED_VOLUME_SOURCES: ReadonlySet<string> = new Set([
    "configMap",
    "csi",
    "downwardAPI",
    "emptyDir",
    "ephemeral",
    "image",
    "persistentVolumeClaim",
    "projected",
    "secret",
]);

/** Every other inline source the core/v1 Volume has; upstream names these in its message. */
const FORBIDDEN_VOLUME_SOURCES = [
    "hostPath",
    "gcePersistentDisk",
    "awsElasticBlockStore",
    "gitRepo",
    "nfs",
    "iscsi",
    "glusterfs",
    "rbd",
    "flexVolume",
    "cinder",
    "cephfs",
    "flocker",
    "fc",
    "azureFile",
    "vsphereVolume",
    "quobyte",
    "azureDisk",
    "photonPersistentDisk",
    "portworxVolume",
    "scaleIO",
    "storageos",
];

/**
 * The source a volume uses. A volume with no source at all is defaulted to `emptyDir` by the API server
 * before admission sees it (core/v1 SetDefaults_Volume); a source key this list does not know is "unknown".
 */
function volumeSource(volume: Record<string, unknown>): string {
    const keys = Object.keys(volume).filter((key) => key !== "name" && volume[key] != null);
    const known = keys.find((key) => RESTRICTED_VOLUME_SOURCES.has(key) || FORBIDDEN_VOLUME_SOURCES.includes(key));
    if (known) return known;
    return keys.length === 0 ? "emptyDir" : "unknown";
}

export function restrictedVolumes({ spec }: PodLike): CheckOutcome {
    const bad = (spec.volumes ?? [])
        .map((volume) => ({ name: volume.name, source: volumeSource(volume) }))
        .filter(({ source }) => !RESTRICTED_VOLUME_SOURCES.has(source));
    if (bad.length === 0) return undefined;
    const types = sorted(bad.map((v) => v.source));
    const names = bad.map((v) => v.name);
    return {
        reason: "restricted volume types",
        detail:
            `${plural(names.length, "volume", "volumes")} ${quoted(names)} ${plural(names.length, "uses", "use")} ` +
            `${plural(types.length, "restricted volume type", "restricted volume types")} ${quoted(types)}`,
    };
}

/** Windows pods are exempt from some Linux-only checks from v1.25. */
export function skipWindows(check: PodCheck): PodCheck {
    return (pod) => (isWindows(pod.spec) ? undefined : check(pod));
}

/** Pods in a user namespace (`hostUsers: false`) are exempt from some checks from v1.35. */
export function skipUserNamespace(check: PodCheck): PodCheck {
    return (pod) => (inUserNamespace(pod.spec) ? undefined : check(pod));
}

export function allowPrivilegeEscalation({ spec }: PodLike): CheckOutcome {
    const bad = allContainers(spec).filter((c) => c.securityContext?.allowPrivilegeEscalation !== false);
    if (bad.length === 0) return undefined;
    return {
        reason: "allowPrivilegeEscalation != false",
        detail: `${containerList(bad.map((c) => c.name))} must set securityContext.allowPrivilegeEscalation=false`,
    };
}

export function runAsNonRoot({ spec }: PodLike): CheckOutcome {
    const podValue = spec.securityContext?.runAsNonRoot;
    const explicit: string[] = [];
    const implicit: string[] = [];
    for (const c of allContainers(spec)) {
        const value = c.securityContext?.runAsNonRoot;
        if (value != null) {
            if (value !== true) explicit.push(c.name);
        } else if (podValue !== true) {
            implicit.push(c.name);
        }
    }
    const podFalse = podValue != null && podValue !== true;
    if (podFalse || explicit.length > 0) {
        const who = [...(podFalse ? ["pod"] : []), ...(explicit.length > 0 ? [containerList(explicit)] : [])];
        return { reason: "runAsNonRoot != true", detail: `${who.join(" and ")} must not set securityContext.runAsNonRoot=false` };
    }
    if (implicit.length === 0) return undefined;
    return {
        reason: "runAsNonRoot != true",
        detail: `pod or ${containerList(implicit)} must set securityContext.runAsNonRoot=true`,
    };
}

export function runAsUser({ spec }: PodLike): CheckOutcome {
    const podRoot = spec.securityContext?.runAsUser === 0;
    const bad = allContainers(spec).filter((c) => c.securityContext?.runAsUser === 0);
    if (!podRoot && bad.length === 0) return undefined;
    const who = [...(podRoot ? ["pod"] : []), ...(bad.length > 0 ? [containerList(bad.map((c) => c.name))] : [])];
    return { reason: "runAsUser=0", detail: `${who.join(" and ")} must not set runAsUser=0` };
}

/** Restricted: no Unconfined anywhere, and every container gets RuntimeDefault/Localhost from itself or the pod. */
export function seccompProfileRestricted(pod: PodLike): CheckOutcome {
    const explicit = explicitlyBadSeccomp(pod);
    if (explicit) return explicit;
    const podSet = validSeccompType(pod.spec.securityContext?.seccompProfile?.type);
    const unset = allContainers(pod.spec).filter((c) => c.securityContext?.seccompProfile == null && !podSet);
    if (unset.length === 0) return undefined;
    return {
        reason: "seccompProfile",
        detail: `pod or ${containerList(unset.map((c) => c.name))} must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost"`,
    };
}

export function capabilitiesRestricted({ spec }: PodLike): CheckOutcome {
    const missingDropAll: string[] = [];
    const adding: string[] = [];
    const forbidden: string[] = [];
    for (const c of allContainers(spec)) {
        const caps = c.securityContext?.capabilities;
        if (!(caps?.drop ?? []).includes("ALL")) missingDropAll.push(c.name);
        const extra = (caps?.add ?? []).filter((cap) => cap !== "NET_BIND_SERVICE");
        if (extra.length > 0) adding.push(c.name);
        forbidden.push(...extra);
    }
    const details = [
        ...(missingDropAll.length > 0 ? [`${containerList(missingDropAll)} must set securityContext.capabilities.drop=["ALL"]`] : []),
        ...(adding.length > 0
            ? [`${containerList(adding)} must not include ${quoted(sorted(forbidden))} in securityContext.capabilities.add`]
            : []),
    ];
    if (details.length === 0) return undefined;
    return { reason: "unrestricted capabilities", detail: details.join("; ") };
}
