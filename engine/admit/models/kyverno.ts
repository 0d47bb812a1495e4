import type { AdmissionRequest, Json } from "../types";
import { isNonEmptySelector, LabelSelector } from "../selectors";

/**
 * How Kyverno 1.19 (chart 3.9.0) decides which requests its ValidatingPolicies see, and how it
 * extends pod policies to pod controllers (autogen). Read from kyverno/kyverno v1.19.0:
 * pkg/cel/autogen/{support,data,replacement}.go, pkg/cel/policies/vpol/autogen/autogen.go,
 * pkg/cel/policies/vpol/compiler/policy.go, pkg/cel/compiler/images.go, and the chart's
 * values.yaml/templates/config (resourceFilters, webhooks.namespaceSelector, excludeGroups).
 */

/** Namespaces the chart's default resourceFilters and webhook namespaceSelector exclude. */
export const kyvernoSkippedNamespaces = ["kube-system", "kube-public", "kube-node-lease", "kyverno"];

/** Requests Kyverno allows without evaluating any policy (default resourceFilters and excludeGroups). */
export function kyvernoSkips(request: AdmissionRequest): boolean {
    if (request.userInfo.groups.includes("system:nodes")) return true;
    if (request.namespace && kyvernoSkippedNamespaces.includes(request.namespace)) return true;
    // [ReplicaSet,*,*]: autogen's ReplicaSet variant never fires at admission.
    return ["ReplicaSet", "Event", "Node"].includes(request.kind.kind);
}

/** The pod controllers autogen covers, by config key (pkg/cel/autogen/data.go ConfigsMap). */
const autogenTargets: Record<string, { group: string; version: string; resource: string; replacement: "defaults" | "cronjobs" }> = {
    deployments: { group: "apps", version: "v1", resource: "deployments", replacement: "defaults" },
    replicasets: { group: "apps", version: "v1", resource: "replicasets", replacement: "defaults" },
    statefulsets: { group: "apps", version: "v1", resource: "statefulsets", replacement: "defaults" },
    daemonsets: { group: "apps", version: "v1", resource: "daemonsets", replacement: "defaults" },
    jobs: { group: "batch", version: "v1", resource: "jobs", replacement: "defaults" },
    cronjobs: { group: "batch", version: "v1", resource: "cronjobs", replacement: "cronjobs" },
};

const replacements = {
    defaults: [
        ["spec", "spec.template.spec"],
        ["metadata", "spec.template.metadata"],
    ],
    cronjobs: [
        ["spec", "spec.jobTemplate.spec.template.spec"],
        ["metadata", "spec.jobTemplate.spec.template.metadata"],
    ],
} as const;

interface MatchConstraints {
    resourceRules?: {
        apiGroups?: string[];
        apiVersions?: string[];
        operations?: string[];
        resources?: string[];
        resourceNames?: string[];
    }[];
    excludeResourceRules?: unknown[];
    namespaceSelector?: LabelSelector;
    objectSelector?: LabelSelector;
}

/** Autogen runs only for exactly one `""/v1/pods` rule with no object selector, exclusions or names. */
export function canAutogen(match: MatchConstraints | undefined): boolean {
    if (!match) return false;
    if (isNonEmptySelector(match.objectSelector)) return false;
    if ((match.excludeResourceRules ?? []).length > 0) return false;
    const rules = match.resourceRules ?? [];
    if (rules.length !== 1) return false;
    const r = rules[0];
    return (
        (r.resourceNames ?? []).length === 0 &&
        JSON.stringify(r.apiGroups) === '[""]' &&
        JSON.stringify(r.apiVersions) === '["v1"]' &&
        JSON.stringify(r.resources) === '["pods"]'
    );
}

/** The text replacement autogen applies to the whole spec (`object.spec` -> `object.spec.template.spec`, ...). */
function rewrite(text: string, kind: "defaults" | "cronjobs"): string {
    let out = text;
    for (const [from, to] of replacements[kind]) {
        for (const root of ["object", "oldObject"]) {
            // `.metadata.namespace` stays: a pod's namespace is its controller's.
            const pattern = new RegExp(`${root}\\.${from}(?!\\.namespace(?![A-Za-z0-9_]))`, "g");
            out = out.replace(pattern, `${root}.${to}`);
        }
    }
    return out;
}

/**
 * The controller variants Kyverno generates for a pod policy: same name and actions, match
 * constraints for the controller kinds (namespaceSelector kept, objectSelector dropped), and
 * every expression rewritten to the pod template's path.
 */
export function autogenVariants(spec: Json): Json[] {
    const match = spec.matchConstraints as MatchConstraints | undefined;
    if (!canAutogen(match)) return [];
    const configured = (spec.autogen as { podControllers?: { controllers?: string[] } } | undefined)?.podControllers?.controllers;
    const keys = configured !== undefined ? configured.filter((k) => k in autogenTargets) : Object.keys(autogenTargets);
    const operations = match!.resourceRules![0].operations ?? ["*"];
    const variants: Json[] = [];
    for (const replacement of ["defaults", "cronjobs"] as const) {
        const targets = keys.map((k) => autogenTargets[k]).filter((t) => t.replacement === replacement);
        if (targets.length === 0) continue;
        const byGroup = new Map<string, string[]>();
        for (const t of targets) byGroup.set(`${t.group}/${t.version}`, [...(byGroup.get(`${t.group}/${t.version}`) ?? []), t.resource]);
        const rest = { ...spec };
        delete rest.matchConstraints;
        const rewritten = JSON.parse(rewrite(JSON.stringify(rest), replacement)) as Json;
        variants.push({
            ...rewritten,
            matchConstraints: {
                resourceRules: [...byGroup].map(([gv, res]) => {
                    const [group, version] = gv.split("/");
                    return { apiGroups: [group], apiVersions: [version], operations, resources: res.sort() };
                }),
                ...(match!.namespaceSelector ? { namespaceSelector: match!.namespaceSelector } : {}),
            },
        });
    }
    return variants;
}

/** Image categories an ImageValidatingPolicy sees, by the request's resource. */
export function imagesByCategory(request: AdmissionRequest): Record<string, string[]> {
    const o = (request.object ?? request.oldObject) as Json;
    const specAt: Record<string, string[]> = {
        pods: ["spec"],
        deployments: ["spec", "template", "spec"],
        statefulsets: ["spec", "template", "spec"],
        daemonsets: ["spec", "template", "spec"],
        replicasets: ["spec", "template", "spec"],
        jobs: ["spec", "template", "spec"],
        cronjobs: ["spec", "jobTemplate", "spec", "template", "spec"],
    };
    const path = specAt[request.resource.resource];
    if (!path) return {};
    let spec: unknown = o;
    for (const k of path) spec = spec && typeof spec === "object" ? (spec as Json)[k] : undefined;
    const s = (spec ?? {}) as Json;
    const images = (k: string) => (Array.isArray(s[k]) ? (s[k] as { image?: string }[]).map((c) => String(c.image ?? "")) : []);
    return {
        containers: images("containers"),
        initContainers: images("initContainers"),
        ephemeralContainers: images("ephemeralContainers"),
    };
}

/** gobwas/glob without separators, as matchImageReferences compiles it: `*` matches anything, `/` and `:` included. */
export function imageGlob(pattern: string): RegExp {
    let re = "";
    for (const ch of pattern) {
        if (ch === "*") re += ".*";
        else if (ch === "?") re += ".";
        else re += ch.replace(/[.+^${}()|[\]\\]/g, "\\$&");
    }
    return new RegExp(`^${re}$`);
}

/**
 * An ImageValidatingPolicy's `validationConfigurations` with the CRD's defaults (kyverno/kyverno
 * v1.19.0 api/policies.kyverno.io/v1/image_validating_policy.go ValidationConfiguration: every
 * field `+kubebuilder:default=true`). `mutateDigest` rewrites a matched image's tag to the digest
 * it verified, in the admitted object: at the pod controllers autogen covers, that is the pod
 * template the program manages. `verifyDigest` refuses a matched image without a digest after
 * that mutation, so `mutateDigest: false` with `verifyDigest: true` refuses tag-only images.
 * `required` refuses a matched image no policy verified.
 */
export function imageValidationConfig(spec: Json): { mutateDigest: boolean; verifyDigest: boolean; required: boolean } {
    const c = (spec.validationConfigurations ?? {}) as { mutateDigest?: boolean; verifyDigest?: boolean; required?: boolean };
    return { mutateDigest: c.mutateDigest ?? true, verifyDigest: c.verifyDigest ?? true, required: c.required ?? true };
}

/** Whether an image reference carries a digest (`name@sha256:...`). */
export const hasDigest = (image: string) => image.includes("@");

/** The pod-template paths autogen covers, by Kubernetes kind (where `mutateDigest` writes images). */
export const podTemplateSpecPath: Readonly<Record<string, string>> = {
    Deployment: "spec.template.spec",
    StatefulSet: "spec.template.spec",
    DaemonSet: "spec.template.spec",
    ReplicaSet: "spec.template.spec",
    Job: "spec.template.spec",
    CronJob: "spec.jobTemplate.spec.template.spec",
};
