/**
 * Pod Security Standards as the API server's PodSecurity admission evaluates them, versioned.
 *
 * Written (not copied) from kubernetes/kubernetes v1.35.0, `staging/src/k8s.io/pod-security-admission/`,
 * read at its published mirror kubernetes/pod-security-admission tag v0.35.0:
 * - `policy/check_*.go`: the checks, their levels, their versions and which Baseline checks a Restricted
 *   one replaces (OverrideCheckIDs); see pod-security-baseline.ts and pod-security-restricted.ts;
 * - `policy/registry.go`: how a level and version pick checks (each check's newest entry not newer than the
 *   asked version; a version newer than the newest known is evaluated as the newest; Restricted runs its own
 *   checks plus every Baseline check not overridden; Baseline checks first, each group in ID order);
 * - `api/helpers.go` and `api/constants.go`: the namespace labels, ParseLevel (an invalid level fails closed as
 *   restricted), ParseVersion ("latest" or "v1.N"; an invalid version is latest).
 * Re-read those files when the cluster version moves past v1.35 and extend VERSIONED_CHECKS.
 */
import * as baseline from "./pod-security-baseline";
import * as restricted from "./pod-security-restricted";
import { PodCheck, PodLike } from "./pod-security-spec";

export type { PodLike, PodSpecLike, ContainerLike, VolumeLike } from "./pod-security-spec";

export type PodSecurityLevel = "privileged" | "baseline" | "restricted";

export interface PodSecurityFinding {
    /** Upstream's check ID, e.g. `allowPrivilegeEscalation`, `capabilities_restricted`. */
    check: string;
    /** The level the check belongs to (a Baseline check also runs under Restricted). */
    level: "baseline" | "restricted";
    /** `<reason> (<detail>)`, as upstream words a violation. */
    message: string;
}

/** The newest Kubernetes minor whose Pod Security rules this file models; "latest" means this. */
export const LATEST_MINOR = 35;

interface VersionedCheck {
    /** First v1.<minor> this implementation applies to. */
    since: number;
    run: PodCheck;
    /** Baseline check IDs this Restricted entry replaces at the versions it applies to. */
    overrides?: string[];
}

interface CheckDefinition {
    id: string;
    level: "baseline" | "restricted";
    /** In increasing `since` order. */
    versions: VersionedCheck[];
}

const { skipWindows, skipUserNamespace } = restricted;

/** Every check at v1.35, with the version table upstream registers for it. */
export const VERSIONED_CHECKS: readonly CheckDefinition[] = [
    { id: "appArmorProfile", level: "baseline", versions: [{ since: 0, run: baseline.appArmorProfile }] },
    { id: "capabilities_baseline", level: "baseline", versions: [{ since: 0, run: baseline.capabilitiesBaseline }] },
    { id: "hostNamespaces", level: "baseline", versions: [{ since: 0, run: baseline.hostNamespaces }] },
    { id: "hostPathVolumes", level: "baseline", versions: [{ since: 0, run: baseline.hostPathVolumes }] },
    { id: "hostPorts", level: "baseline", versions: [{ since: 0, run: baseline.hostPorts }] },
    {
        id: "hostProbesAndHostLifecycle",
        level: "baseline",
        versions: [{ since: 34, run: baseline.hostProbesAndHostLifecycle }],
    },
    { id: "privileged", level: "baseline", versions: [{ since: 0, run: baseline.privileged }] },
    {
        id: "procMount",
        level: "baseline",
        versions: [
            { since: 0, run: baseline.procMountDefaultOnly },
            { since: 35, run: baseline.procMountBaselineV1_35 },
        ],
    },
    {
        id: "seLinuxOptions",
        level: "baseline",
        versions: [
            { since: 0, run: baseline.seLinuxOptions(baseline.SELINUX_TYPES_V1_0) },
            { since: 31, run: baseline.seLinuxOptions(baseline.SELINUX_TYPES_V1_31) },
        ],
    },
    {
        id: "seccompProfile_baseline",
        level: "baseline",
        versions: [
            { since: 0, run: baseline.seccompAnnotations },
            { since: 19, run: baseline.explicitlyBadSeccomp },
        ],
    },
    {
        id: "sysctls",
        level: "baseline",
        versions: [
            { since: 0, run: baseline.sysctls(baseline.SAFE_SYSCTLS_V1_0) },
            { since: 27, run: baseline.sysctls(baseline.SAFE_SYSCTLS_V1_27) },
            { since: 29, run: baseline.sysctls(baseline.SAFE_SYSCTLS_V1_29) },
            { since: 32, run: baseline.sysctls(baseline.SAFE_SYSCTLS_V1_32) },
        ],
    },
    { id: "windowsHostProcess", level: "baseline", versions: [{ since: 0, run: baseline.windowsHostProcess }] },
    {
        id: "allowPrivilegeEscalation",
        level: "restricted",
        versions: [
            { since: 8, run: restricted.allowPrivilegeEscalation },
            { since: 25, run: skipWindows(restricted.allowPrivilegeEscalation) },
        ],
    },
    {
        id: "capabilities_restricted",
        level: "restricted",
        versions: [
            { since: 22, run: restricted.capabilitiesRestricted, overrides: ["capabilities_baseline"] },
            { since: 25, run: skipWindows(restricted.capabilitiesRestricted), overrides: ["capabilities_baseline"] },
        ],
    },
    {
        id: "procMount_restricted",
        level: "restricted",
        versions: [{ since: 35, run: baseline.procMountDefaultOnly, overrides: ["procMount"] }],
    },
    {
        id: "restrictedVolumes",
        level: "restricted",
        versions: [{ since: 0, run: restricted.restrictedVolumes, overrides: ["hostPathVolumes"] }],
    },
    {
        id: "runAsNonRoot",
        level: "restricted",
        versions: [
            { since: 0, run: restricted.runAsNonRoot },
            { since: 35, run: skipUserNamespace(restricted.runAsNonRoot) },
        ],
    },
    {
        id: "runAsUser",
        level: "restricted",
        versions: [
            { since: 23, run: restricted.runAsUser },
            { since: 35, run: skipUserNamespace(restricted.runAsUser) },
        ],
    },
    {
        id: "seccompProfile_restricted",
        level: "restricted",
        versions: [
            { since: 19, run: restricted.seccompProfileRestricted, overrides: ["seccompProfile_baseline"] },
            { since: 25, run: skipWindows(restricted.seccompProfileRestricted), overrides: ["seccompProfile_baseline"] },
        ],
    },
];

/** "latest" or "v1.N" to a minor version; one newer than v1.35 picks v1.35's checks, as each check's newest entry. */
export function policyMinor(version: string): number {
    if (version === "latest") return LATEST_MINOR;
    const match = /^v1\.(0|[1-9][0-9]*)$/.exec(version);
    if (!match) throw new RangeError(`Pod Security version ${JSON.stringify(version)}: must be "latest" or "v1.x"`);
    return Number(match[1]);
}

function entryAt(check: CheckDefinition, minor: number): VersionedCheck | undefined {
    return [...check.versions].reverse().find((entry) => entry.since <= minor);
}

/** The checks a level runs at a version, in upstream's order, each with the implementation for that version. */
export function checksFor(level: PodSecurityLevel, version = "latest"): { id: string; level: CheckDefinition["level"]; run: PodCheck }[] {
    if (level === "privileged") return [];
    const minor = policyMinor(version);
    const active = VERSIONED_CHECKS.flatMap((check) => {
        const entry = entryAt(check, minor);
        const applies = entry && (check.level === "baseline" || level === "restricted");
        return applies ? [{ check, entry }] : [];
    });
    const overridden = new Set(active.flatMap(({ entry }) => entry.overrides ?? []));
    const byLevelThenId = (a: CheckDefinition, b: CheckDefinition) =>
        a.level === b.level ? (a.id < b.id ? -1 : 1) : a.level === "baseline" ? -1 : 1;
    return active
        .filter(({ check }) => !overridden.has(check.id))
        .sort((a, b) => byLevelThenId(a.check, b.check))
        .map(({ check, entry }) => ({ id: check.id, level: check.level, run: entry.run }));
}

/** Every violation of `level` at `version` ("latest" or "v1.NN") by a pod or pod template; empty = admitted. */
export function checkPodSecurity(pod: PodLike, level: PodSecurityLevel, version = "latest"): PodSecurityFinding[] {
    return checksFor(level, version).flatMap((check) => {
        const outcome = check.run(pod);
        return outcome ? [{ check: check.id, level: check.level, message: `${outcome.reason} (${outcome.detail})` }] : [];
    });
}

export const ENFORCE_LEVEL_LABEL = "pod-security.kubernetes.io/enforce";
export const ENFORCE_VERSION_LABEL = "pod-security.kubernetes.io/enforce-version";

export interface EnforcedPolicy {
    level: PodSecurityLevel;
    /** "latest" or "v1.N". */
    version: string;
    /** Label values the API server would refuse on the namespace, each with what it falls back to. */
    problems: string[];
}

/**
 * The `enforce` level and version a namespace's labels ask for. Unlabelled, the API server uses its
 * AdmissionConfiguration defaults, which are privileged/latest unless the cluster sets others (`defaults`).
 * Like upstream's PolicyToEvaluate, an invalid level fails closed as restricted and an invalid version is latest.
 */
export function enforcedLevel(
    namespaceLabels: Record<string, string>,
    defaults: { level: PodSecurityLevel; version: string } = { level: "privileged", version: "latest" },
): EnforcedPolicy {
    const problems: string[] = [];
    let level = defaults.level;
    let version = defaults.version;
    const asked = namespaceLabels[ENFORCE_LEVEL_LABEL];
    if (asked !== undefined) {
        const valid = asked === "privileged" || asked === "baseline" || asked === "restricted";
        level = valid ? asked : "restricted";
        if (!valid)
            problems.push(
                `${ENFORCE_LEVEL_LABEL}=${JSON.stringify(asked)}: must be one of privileged, baseline, restricted (evaluated as restricted)`,
            );
    }
    const askedVersion = namespaceLabels[ENFORCE_VERSION_LABEL];
    if (askedVersion !== undefined) {
        const valid = askedVersion === "latest" || /^v1\.(0|[1-9][0-9]*)$/.test(askedVersion);
        version = valid ? askedVersion : "latest";
        if (!valid)
            problems.push(`${ENFORCE_VERSION_LABEL}=${JSON.stringify(askedVersion)}: must be "latest" or "v1.x" (evaluated as latest)`);
    }
    return { level, version, problems };
}
