import type { ResourceValidation, ResourceValidationPolicy } from "@pulumi/policy";
import type { Props } from "./k8s";

/**
 * Helm releases: pinned, from known repositories, explicit, atomic, never silently downgraded.
 * Every way a program can install a chart counts: a v3 Release (from a repository, an OCI
 * registry or a local path) and the v3 and v4 Chart resources.
 */
const releaseType = "kubernetes:helm.sh/v3:Release";
const chartTypes = ["kubernetes:helm.sh/v3:Chart", "kubernetes:helm.sh/v4:Chart"];
const exactVersion = /^v?\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/;

function forRelease<C extends object = object>(check: (props: Props, report: (m: string) => void, config: C) => void): ResourceValidation {
    return (args, reportViolation) => {
        if (args.type !== releaseType && !chartTypes.includes(args.type)) return;
        const label = `release '${args.props.namespace ?? "?"}/${args.props.name ?? args.name}'`;
        check(args.props, (m) => reportViolation(`${label}: ${m}`), args.getConfig<C>());
    };
}

/** Compares dotted versions numerically (`v1.21.1` vs `1.9.0`); pre-release tags sort before the release. */
export function compareVersions(a: string, b: string): number {
    const parse = (v: string) => {
        const [core, pre] = v.replace(/^v/, "").split("-", 2);
        return { nums: core.split(".").map(Number), pre };
    };
    const x = parse(a);
    const y = parse(b);
    for (let i = 0; i < Math.max(x.nums.length, y.nums.length); i++) {
        const d = (x.nums[i] ?? 0) - (y.nums[i] ?? 0);
        if (d !== 0) return Math.sign(d);
    }
    if (x.pre === y.pre) return 0;
    if (x.pre === undefined) return 1;
    if (y.pre === undefined) return -1;
    return x.pre < y.pre ? -1 : 1;
}

export const exactChartVersion: ResourceValidationPolicy = {
    name: "helm-exact-chart-version",
    description: "Helm releases pin an exact chart version, never a range or `latest`.",
    validateResource: forRelease((props, report) => {
        if (!exactVersion.test(String(props.version ?? ""))) report(`chart version '${props.version ?? ""}' is not an exact version`);
    }),
};

export const allowedRepositories: ResourceValidationPolicy = {
    name: "helm-allowed-repositories",
    description: "Helm charts come only from the allowed repositories (HTTPS repos or OCI registries).",
    configSchema: { properties: { repositories: { type: "array", items: { type: "string" }, default: [] } } },
    validateResource: forRelease((props, report, config: { repositories: string[] }) => {
        const chart = String(props.chart ?? "");
        const repo = String(props.repositoryOpts?.repo ?? props.repo ?? "");
        // A chart from a path (or a `file://` repository) is whatever sits in the working copy: nothing pins it.
        if (
            !chart.startsWith("oci://") &&
            !repo &&
            (chart.startsWith(".") || chart.startsWith("/") || chart.includes("/") || chart.endsWith(".tgz"))
        )
            return report(`chart '${chart}' is a local path or archive, not a pinned chart from an allowed repository`);
        const source = chart.startsWith("oci://") ? chart : repo;
        if (!config.repositories.some((r) => source === r || source.startsWith(r.endsWith("/") ? r : `${r}/`))) {
            report(`chart source '${source || "(none)"}' is not an allowed repository`);
        }
    }),
};

export const explicitNameAndNamespace: ResourceValidationPolicy = {
    name: "helm-explicit-name-and-namespace",
    description: "Helm releases set their release name and namespace explicitly (no generated names, no 'default').",
    validateResource: forRelease((props, report) => {
        if (!props.name) report("has no explicit release name (Pulumi would generate one)");
        if (!props.namespace || props.namespace === "default") report("has no explicit namespace");
    }),
};

export const atomicReleases: ResourceValidationPolicy = {
    name: "helm-atomic",
    description: "Helm releases are atomic, so a failed upgrade rolls back (mandatory for production stacks).",
    validateResource: forRelease((props, report) => {
        if (props.atomic !== true) report("is not atomic");
    }),
};

export const noChartDowngrade: ResourceValidationPolicy = {
    name: "helm-no-downgrade",
    description:
        "A release's chart version never goes below the version deployed (from `deployedChartVersions`, written by CI from the stack's state).",
    configSchema: { properties: { deployedChartVersions: { type: "object", additionalProperties: { type: "string" }, default: {} } } },
    validateResource: forRelease((props, report, config: { deployedChartVersions: Record<string, string> }) => {
        const deployed = config.deployedChartVersions[`${props.namespace}/${props.name}`];
        if (deployed && props.version && compareVersions(String(props.version), deployed) < 0) {
            report(`chart version ${props.version} would downgrade the deployed ${deployed}`);
        }
    }),
};

/** Keys under which a chart's values would put its pods on the host or make them privileged. */
const hostAccessKeys: Record<string, (v: unknown) => boolean> = {
    hostNetwork: (v) => v === true,
    hostPID: (v) => v === true,
    hostIPC: (v) => v === true,
    privileged: (v) => v === true,
    allowPrivilegeEscalation: (v) => v === true,
    hostPath: (v) => v !== null && typeof v === "object",
};

/**
 * Dotted paths, at any depth of a release's values (lists included), whose key and value match;
 * `parent` is the map holding them (for a sibling such as `annotations`).
 */
export function valuePathsWhere(
    values: unknown,
    matches: (key: string, value: unknown, parent: Record<string, unknown>) => boolean,
    path: string[] = [],
): string[] {
    if (!values || typeof values !== "object") return [];
    if (Array.isArray(values)) return values.flatMap((v, i) => valuePathsWhere(v, matches, [...path, String(i)]));
    const map = values as Record<string, unknown>;
    return Object.entries(map).flatMap(([k, v]) => [
        ...(matches(k, v, map) ? [[...path, k].join(".")] : []),
        ...valuePathsWhere(v, matches, [...path, k]),
    ]);
}

const hostAccessIn = (values: unknown) => valuePathsWhere(values, (k, v) => Boolean(hostAccessKeys[k]?.(v)));

/** The stack-file key of a platform release's raw values (`ingress-nginx` -> components.ingressNginx.values). */
export const valuesKey = (release: string) =>
    `platform:components.${release.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase())}.values`;

export const valuesNoHostAccess: ResourceValidationPolicy = {
    name: "helm-values-no-host-access",
    description:
        "A release's values never ask for host networking, host PID/IPC, hostPath volumes, privileged containers or privilege escalation (judged by content, at any depth: a raw values override is where such a change hides). Exempt releases by name with a reason.",
    configSchema: { properties: { exempt: { type: "object", additionalProperties: { type: "string" }, default: {} } } },
    validateResource: forRelease((props, report, config: { exempt: Record<string, string> }) => {
        if (String(props.name) in config.exempt) return;
        for (const path of hostAccessIn(props.values)) report(`values set ${path} (stack file: ${valuesKey(String(props.name))})`);
    }),
};

export const helmPolicies = [
    exactChartVersion,
    allowedRepositories,
    explicitNameAndNamespace,
    atomicReleases,
    noChartDowngrade,
    valuesNoHostAccess,
];
