/**
 * The part of a Pod (or pod template) that Pod Security admission reads, typed as plain JSON, and the
 * helpers every check shares. Read from kubernetes/pod-security-admission at v0.35.0 (the staging copy of
 * kubernetes/kubernetes v1.35.0, `staging/src/k8s.io/pod-security-admission/`): `policy/visitor.go`,
 * `policy/helpers.go`, `policy/check.go` (CheckResult). Fields are optional because a template in the
 * program may leave anything out; `null` in the JSON is treated like a missing field, as Go's nil pointers are.
 */

export interface SeccompProfileLike {
    type?: string;
    localhostProfile?: string;
}

export interface SELinuxOptionsLike {
    user?: string;
    role?: string;
    type?: string;
    level?: string;
}

/** Fields shared by the pod-level and container-level securityContext. */
interface CommonSecurityContext {
    runAsUser?: number;
    runAsGroup?: number;
    runAsNonRoot?: boolean;
    seccompProfile?: SeccompProfileLike;
    appArmorProfile?: { type?: string; localhostProfile?: string };
    seLinuxOptions?: SELinuxOptionsLike;
    windowsOptions?: { hostProcess?: boolean; runAsUserName?: string };
}

export interface ContainerSecurityContextLike extends CommonSecurityContext {
    privileged?: boolean;
    allowPrivilegeEscalation?: boolean;
    readOnlyRootFilesystem?: boolean;
    procMount?: string;
    capabilities?: { add?: string[]; drop?: string[] };
}

export interface PodSecurityContextLike extends CommonSecurityContext {
    fsGroup?: number;
    supplementalGroups?: number[];
    sysctls?: { name: string; value?: string }[];
}

/** httpGet / tcpSocket handlers of probes and lifecycle hooks: only `host` matters here. */
export interface HandlerLike {
    httpGet?: { host?: string; port?: number | string; path?: string };
    tcpSocket?: { host?: string; port?: number | string };
    exec?: { command?: string[] };
}

export interface ContainerLike {
    name: string;
    image?: string;
    ports?: { name?: string; containerPort?: number; hostPort?: number; protocol?: string }[];
    securityContext?: ContainerSecurityContextLike;
    livenessProbe?: HandlerLike;
    readinessProbe?: HandlerLike;
    startupProbe?: HandlerLike;
    lifecycle?: { postStart?: HandlerLike; preStop?: HandlerLike };
}

/** A volume: its name plus exactly one source key (`configMap`, `hostPath`, …) holding that source's JSON. */
export interface VolumeLike {
    name: string;
    [source: string]: unknown;
}

export interface PodSpecLike {
    os?: { name?: string };
    hostNetwork?: boolean;
    hostPID?: boolean;
    hostIPC?: boolean;
    hostUsers?: boolean;
    securityContext?: PodSecurityContextLike;
    volumes?: VolumeLike[];
    initContainers?: ContainerLike[];
    containers?: ContainerLike[];
    ephemeralContainers?: ContainerLike[];
}

/** A pod (or pod template) as JSON: `{ metadata?: { annotations?, labels? }, spec: PodSpec }`. */
export interface PodLike {
    metadata?: { name?: string; annotations?: Record<string, string>; labels?: Record<string, string> };
    spec: PodSpecLike;
}

/** What one check concludes: nothing, or upstream's short reason and the detail naming the culprits. */
export type CheckOutcome = undefined | { reason: string; detail: string };

export type PodCheck = (pod: PodLike) => CheckOutcome;

/** Init containers, then containers, then ephemeral containers: the order upstream visits them in. */
export function allContainers(spec: PodSpecLike): ContainerLike[] {
    return [...(spec.initContainers ?? []), ...(spec.containers ?? []), ...(spec.ephemeralContainers ?? [])];
}

export function plural(count: number, singular: string, pluralForm: string): string {
    return count === 1 ? singular : pluralForm;
}

/** `"a", "b"` */
export function quoted(items: Iterable<string>): string {
    return [...items].map((item) => `"${item}"`).join(", ");
}

/** `container "a"` / `containers "a", "b"` */
export function containerList(names: string[]): string {
    return `${plural(names.length, "container", "containers")} ${quoted(names)}`;
}

export function sorted(values: Iterable<string>): string[] {
    return [...new Set(values)].sort();
}

/** Pods in a user namespace (`hostUsers: false`) get some restrictions relaxed from v1.35 (helpers.go). */
export function inUserNamespace(spec: PodSpecLike): boolean {
    return spec.hostUsers === false;
}

export function isWindows(spec: PodSpecLike): boolean {
    return spec.os?.name === "windows";
}
