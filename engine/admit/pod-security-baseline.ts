/**
 * The Baseline checks of Pod Security admission, written from kubernetes/pod-security-admission v0.35.0
 * (= kubernetes/kubernetes v1.35.0, `staging/src/k8s.io/pod-security-admission/policy/`):
 * check_windowsHostProcess.go, check_hostNamespaces.go, check_privileged.go, check_capabilities_baseline.go,
 * check_hostPathVolumes.go, check_hostPorts.go, check_appArmorProfile.go, check_seLinuxOptions.go,
 * check_procMount_baseline.go, check_seccompProfile_baseline.go, check_sysctls.go,
 * check_hostProbesAndhostLifecycle.go. Which version of each applies when lives in pod-security.ts.
 */
import {
    CheckOutcome,
    ContainerLike,
    HandlerLike,
    PodLike,
    allContainers,
    containerList,
    inUserNamespace,
    plural,
    quoted,
    sorted,
} from "./pod-security-spec";

/** `pod and containers "a", "b"`: who set a forbidden value, as upstream names them. */
function setters(pod: boolean, containers: string[], extra: string[] = []): string {
    const parts = [...(pod ? ["pod"] : []), ...(containers.length > 0 ? [containerList(containers)] : []), ...extra];
    return parts.join(" and ");
}

export function windowsHostProcess({ spec }: PodLike): CheckOutcome {
    const pod = spec.securityContext?.windowsOptions?.hostProcess === true;
    const bad = allContainers(spec).filter((c) => c.securityContext?.windowsOptions?.hostProcess === true);
    if (!pod && bad.length === 0) return undefined;
    const who = setters(
        pod,
        bad.map((c) => c.name),
    );
    return { reason: "hostProcess", detail: `${who} must not set securityContext.windowsOptions.hostProcess=true` };
}

export function hostNamespaces({ spec }: PodLike): CheckOutcome {
    const set = (["hostNetwork", "hostPID", "hostIPC"] as const).filter((field) => spec[field] === true);
    if (set.length === 0) return undefined;
    return { reason: "host namespaces", detail: set.map((field) => `${field}=true`).join(", ") };
}

export function privileged({ spec }: PodLike): CheckOutcome {
    const bad = allContainers(spec).filter((c) => c.securityContext?.privileged === true);
    if (bad.length === 0) return undefined;
    const names = bad.map((c) => c.name);
    return { reason: "privileged", detail: `${containerList(names)} must not set securityContext.privileged=true` };
}

/** The capabilities a container runtime grants by default; Baseline lets a container add only these. */
export const BASELINE_ALLOWED_CAPABILITIES: ReadonlySet<string> = new Set([
    "AUDIT_WRITE",
    "CHOWN",
    "DAC_OVERRIDE",
    "FOWNER",
    "FSETID",
    "KILL",
    "MKNOD",
    "NET_BIND_SERVICE",
    "SETFCAP",
    "SETGID",
    "SETPCAP",
    "SETUID",
    "SYS_CHROOT",
]);

export function capabilitiesBaseline({ spec }: PodLike): CheckOutcome {
    const names: string[] = [];
    const forbidden: string[] = [];
    for (const c of allContainers(spec)) {
        const extra = (c.securityContext?.capabilities?.add ?? []).filter((cap) => !BASELINE_ALLOWED_CAPABILITIES.has(cap));
        if (extra.length > 0) names.push(c.name);
        forbidden.push(...extra);
    }
    if (names.length === 0) return undefined;
    const detail = `${containerList(names)} must not include ${quoted(sorted(forbidden))} in securityContext.capabilities.add`;
    return { reason: "non-default capabilities", detail };
}

export function hostPathVolumes({ spec }: PodLike): CheckOutcome {
    const names = (spec.volumes ?? []).filter((v) => v.hostPath != null).map((v) => v.name);
    if (names.length === 0) return undefined;
    return { reason: "hostPath volumes", detail: `${plural(names.length, "volume", "volumes")} ${quoted(names)}` };
}

export function hostPorts({ spec }: PodLike): CheckOutcome {
    const names: string[] = [];
    const ports: string[] = [];
    for (const c of allContainers(spec)) {
        const used = (c.ports ?? []).map((p) => p.hostPort ?? 0).filter((port) => port !== 0);
        if (used.length > 0) names.push(c.name);
        ports.push(...used.map(String));
    }
    if (names.length === 0) return undefined;
    const unique = sorted(ports);
    const verb = plural(names.length, "uses", "use");
    const noun = plural(unique.length, "hostPort", "hostPorts");
    return { reason: "hostPort", detail: `${containerList(names)} ${verb} ${noun} ${unique.join(", ")}` };
}

const APPARMOR_ANNOTATION_PREFIX = "container.apparmor.security.beta.kubernetes.io/";
const ALLOWED_APPARMOR_TYPES = new Set(["RuntimeDefault", "Localhost"]);

function allowedAppArmorAnnotation(value: string): boolean {
    return value === "" || value === "runtime/default" || value.startsWith("localhost/");
}

export function appArmorProfile({ metadata, spec }: PodLike): CheckOutcome {
    const badValues: string[] = [];
    const podType = spec.securityContext?.appArmorProfile?.type;
    const podBad = spec.securityContext?.appArmorProfile != null && !ALLOWED_APPARMOR_TYPES.has(podType ?? "");
    if (podBad) badValues.push(podType ?? "");
    const bad = allContainers(spec).filter((c) => {
        const profile = c.securityContext?.appArmorProfile;
        return profile != null && !ALLOWED_APPARMOR_TYPES.has(profile.type ?? "");
    });
    for (const c of bad) badValues.push(c.securityContext?.appArmorProfile?.type ?? "");
    const annotations = Object.entries(metadata?.annotations ?? {})
        .filter(([key, value]) => key.startsWith(APPARMOR_ANNOTATION_PREFIX) && !allowedAppArmorAnnotation(value))
        .map(([key, value]) => `${key}=${JSON.stringify(value)}`)
        .sort();
    if (!podBad && bad.length === 0 && annotations.length === 0) return undefined;
    const values = [...sorted(badValues), ...annotations];
    const extra = annotations.length > 0 ? [plural(annotations.length, "annotation", "annotations")] : [];
    const who = setters(
        podBad,
        bad.map((c) => c.name),
        extra,
    );
    return {
        reason: plural(values.length, "forbidden AppArmor profile", "forbidden AppArmor profiles"),
        detail: `${who} must not set AppArmor profile type to ${quoted(values)}`,
    };
}

/** SELinux types Baseline allows, by the version that allowed them ("" = unset). */
export const SELINUX_TYPES_V1_0: ReadonlySet<string> = new Set(["", "container_t", "container_init_t", "container_kvm_t"]);
export const SELINUX_TYPES_V1_31: ReadonlySet<string> = new Set([...SELINUX_TYPES_V1_0, "container_engine_t"]);

export function seLinuxOptions(allowedTypes: ReadonlySet<string>) {
    return ({ spec }: PodLike): CheckOutcome => {
        const badTypes: string[] = [];
        let userSet = false;
        let roleSet = false;
        const valid = (opts: { type?: string; user?: string; role?: string } | undefined): boolean => {
            if (opts == null) return true;
            const typeOk = allowedTypes.has(opts.type ?? "");
            if (!typeOk) badTypes.push(opts.type ?? "");
            userSet ||= (opts.user ?? "") !== "";
            roleSet ||= (opts.role ?? "") !== "";
            return typeOk && (opts.user ?? "") === "" && (opts.role ?? "") === "";
        };
        const podBad = !valid(spec.securityContext?.seLinuxOptions);
        const bad = allContainers(spec).filter((c) => !valid(c.securityContext?.seLinuxOptions));
        if (!podBad && bad.length === 0) return undefined;
        const types = sorted(badTypes);
        const problems = [
            ...(types.length > 0 ? [`${plural(types.length, "type", "types")} ${quoted(types)}`] : []),
            ...(userSet ? ["user may not be set"] : []),
            ...(roleSet ? ["role may not be set"] : []),
        ];
        const who = setters(
            podBad,
            bad.map((c) => c.name),
        );
        return {
            reason: "seLinuxOptions",
            detail: `${who} set forbidden securityContext.seLinuxOptions: ${problems.join("; ")}`,
        };
    };
}

/** Any procMount but "Default" unmasks /proc (check_procMount_baseline.go, procMount_1_0). */
export function procMountDefaultOnly({ spec }: PodLike): CheckOutcome {
    const bad = allContainers(spec).filter((c) => {
        const mount = c.securityContext?.procMount;
        return mount != null && mount !== "Default";
    });
    if (bad.length === 0) return undefined;
    const types = sorted(bad.map((c) => c.securityContext?.procMount ?? ""));
    return {
        reason: "procMount",
        detail: `${containerList(bad.map((c) => c.name))} must not set securityContext.procMount to ${quoted(types)}`,
    };
}

/** From v1.35 Baseline lets pods in a user namespace unmask /proc. */
export function procMountBaselineV1_35(pod: PodLike): CheckOutcome {
    return inUserNamespace(pod.spec) ? undefined : procMountDefaultOnly(pod);
}

const SECCOMP_POD_ANNOTATION = "seccomp.security.alpha.kubernetes.io/pod";
const SECCOMP_CONTAINER_ANNOTATION_PREFIX = "container.seccomp.security.alpha.kubernetes.io/";

export function validSeccompType(type: string | undefined): boolean {
    return type === "RuntimeDefault" || type === "Localhost";
}

/** Up to v1.18 seccomp was set by annotations (check_seccompProfile_baseline.go, seccompProfileBaseline_1_0). */
export function seccompAnnotations({ metadata, spec }: PodLike): CheckOutcome {
    const annotations = metadata?.annotations ?? {};
    const keys = [SECCOMP_POD_ANNOTATION, ...allContainers(spec).map((c) => SECCOMP_CONTAINER_ANNOTATION_PREFIX + c.name)];
    const valid = (v: string) => v === "runtime/default" || v === "docker/default" || v.startsWith("localhost/");
    const forbidden = sorted(
        keys.filter((key) => key in annotations && !valid(annotations[key])).map((key) => `${key}=${JSON.stringify(annotations[key])}`),
    );
    if (forbidden.length === 0) return undefined;
    const noun = plural(forbidden.length, "annotation", "annotations");
    return { reason: "seccompProfile", detail: `forbidden ${noun} ${forbidden.join(", ")}` };
}

/**
 * Explicitly set seccomp types other than RuntimeDefault/Localhost (Unconfined), at pod or container level.
 * Shared by Baseline (from v1.19) and the first half of Restricted's seccomp check.
 */
export function explicitlyBadSeccomp({ spec }: PodLike): CheckOutcome {
    const podProfile = spec.securityContext?.seccompProfile;
    const podBad = podProfile != null && !validSeccompType(podProfile.type);
    const bad = allContainers(spec).filter((c) => {
        const profile = c.securityContext?.seccompProfile;
        return profile != null && !validSeccompType(profile.type);
    });
    if (!podBad && bad.length === 0) return undefined;
    const values = sorted([...(podBad ? [podProfile?.type ?? ""] : []), ...bad.map((c) => c.securityContext?.seccompProfile?.type ?? "")]);
    const who = setters(
        podBad,
        bad.map((c) => c.name),
    );
    return { reason: "seccompProfile", detail: `${who} must not set securityContext.seccompProfile.type to ${quoted(values)}` };
}

/** The "safe" sysctls: namespaced per pod and isolated from other pods on the node, by version added. */
export const SAFE_SYSCTLS_V1_0: ReadonlySet<string> = new Set([
    "kernel.shm_rmid_forced",
    "net.ipv4.ip_local_port_range",
    "net.ipv4.tcp_syncookies",
    "net.ipv4.ping_group_range",
    "net.ipv4.ip_unprivileged_port_start",
]);
export const SAFE_SYSCTLS_V1_27: ReadonlySet<string> = new Set([...SAFE_SYSCTLS_V1_0, "net.ipv4.ip_local_reserved_ports"]);
export const SAFE_SYSCTLS_V1_29: ReadonlySet<string> = new Set([
    ...SAFE_SYSCTLS_V1_27,
    "net.ipv4.tcp_keepalive_time",
    "net.ipv4.tcp_fin_timeout",
    "net.ipv4.tcp_keepalive_intvl",
    "net.ipv4.tcp_keepalive_probes",
]);
export const SAFE_SYSCTLS_V1_32: ReadonlySet<string> = new Set([...SAFE_SYSCTLS_V1_29, "net.ipv4.tcp_rmem", "net.ipv4.tcp_wmem"]);

export function sysctls(allowed: ReadonlySet<string>) {
    return ({ spec }: PodLike): CheckOutcome => {
        const forbidden = (spec.securityContext?.sysctls ?? []).map((s) => s.name).filter((name) => !allowed.has(name));
        if (forbidden.length === 0) return undefined;
        return { reason: "forbidden sysctls", detail: forbidden.join(", ") };
    };
}

function handlerHosts(handler: HandlerLike | undefined): string[] {
    return [handler?.httpGet?.host, handler?.tcpSocket?.host].filter((host): host is string => !!host);
}

function containerHosts(c: ContainerLike): string[] {
    const handlers = [c.livenessProbe, c.readinessProbe, c.startupProbe, c.lifecycle?.postStart, c.lifecycle?.preStop];
    return handlers.flatMap(handlerHosts);
}

/** Probes and lifecycle hooks must not aim at another host (from v1.34). */
export function hostProbesAndHostLifecycle({ spec }: PodLike): CheckOutcome {
    const names: string[] = [];
    const hosts: string[] = [];
    for (const c of allContainers(spec)) {
        const found = containerHosts(c);
        if (found.length > 0 && !names.includes(c.name)) names.push(c.name);
        hosts.push(...found);
    }
    if (names.length === 0) return undefined;
    const unique = sorted(hosts);
    const containers = sorted(names);
    const verb = plural(containers.length, "uses", "use");
    const noun = plural(unique.length, "probe or lifecycle host", "probe or lifecycle hosts");
    return { reason: "probe or lifecycle host", detail: `${containerList(containers)} ${verb} ${noun} ${quoted(unique)}` };
}
