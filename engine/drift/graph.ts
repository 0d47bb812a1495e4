import type { PlatformConfig } from "../../components/config";
import type { SynthResource } from "../../policy-pack/offline";

/**
 * The synth graph as the drift contract reads it: the program's resources with their inputs and
 * ignoreChanges, looked up by Kubernetes kind and name, plus the stack's validated config (for
 * the writers the config decides, such as adopted Cloudflare rulesets).
 */
export interface DriftGraph {
    resources: SynthResource[];
    config?: PlatformConfig;
}

type Json = Record<string, unknown>;

/** The Kubernetes kind of a resource (`kubernetes:apps/v1:Deployment` -> `Deployment`), or undefined. */
export function kindOf(r: SynthResource): string | undefined {
    if (!r.type.startsWith("kubernetes:") || r.type.startsWith("pulumi:")) return undefined;
    return r.type.split(":")[2];
}

/** The Kubernetes API group of a resource (`""` for the core group). */
export function groupOf(r: SynthResource): string {
    const gv = r.type.split(":")[1] ?? "";
    return gv.includes("/") ? gv.split("/")[0].replace(/^core$/, "") : "";
}

export function metadataOf(r: SynthResource): {
    name?: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
} {
    return (r.inputs.metadata ?? {}) as ReturnType<typeof metadataOf>;
}

export function specOf(r: SynthResource): Json {
    return (r.inputs.spec ?? {}) as Json;
}

export function ofKind(graph: DriftGraph, kind: string): SynthResource[] {
    return graph.resources.filter((r) => kindOf(r) === kind);
}

/** The resource of `kind` named `name` (in `namespace`, when given), if the program manages it. */
export function find(graph: DriftGraph, kind: string, name: string, namespace?: string): SynthResource | undefined {
    return ofKind(graph, kind).find((r) => {
        const md = metadataOf(r);
        return md.name === name && (namespace === undefined || md.namespace === namespace);
    });
}

/** Helm releases of a chart (the program's `kubernetes:helm.sh/v3:Release` resources). */
export function releasesOfChart(graph: DriftGraph, chart: string): { resource: SynthResource; namespace: string; values: Json }[] {
    return graph.resources
        .filter((r) => r.type === "kubernetes:helm.sh/v3:Release" && r.inputs.chart === chart)
        .map((r) => ({ resource: r, namespace: String(r.inputs.namespace ?? ""), values: (r.inputs.values ?? {}) as Json }));
}
