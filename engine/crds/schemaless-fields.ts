import type { StructuralSchema } from "./schemas";

/**
 * Fields a CRD leaves schemaless (`x-kubernetes-preserve-unknown-fields`) only because the type is
 * recursive, which CRD schemas cannot express, and which the operator decodes strictly into the
 * same type at reconcile time: a field the API server keeps is refused by the operator instead.
 * Their items get the enclosing node's own schema here, a few levels deep.
 *
 * - prometheus-operator 0.93.1 (kube-prometheus-stack 88.5.3; the CRDs' operator.prometheus.io/version),
 *   pkg/apis/monitoring/v1alpha1/alertmanager_config_types.go and the v1beta1 twin: `Route.Routes`
 *   is `[]apiextensionsv1.JSON`, decoded by `Route.ChildRoutes()` with `DisallowUnknownFields`.
 */
export const recursiveFields: { group: string; kind: string; node: string[]; field: string }[] = [
    { group: "monitoring.coreos.com", kind: "AlertmanagerConfig", node: ["spec", "route"], field: "routes" },
];

/** How deep child routes get the route's schema (the program nests one level). */
const depth = 4;

const propertiesOf = (node: StructuralSchema) => (node.properties ?? {}) as Record<string, StructuralSchema>;

function recursive(node: StructuralSchema, field: string, levels: number): StructuralSchema {
    if (levels === 0 || !propertiesOf(node)[field]) return node;
    return {
        ...node,
        properties: { ...propertiesOf(node), [field]: { type: "array", items: recursive(node, field, levels - 1) } },
    };
}

/** `schema` with the recursive fields of `group`/`kind` typed (a copy; the CRD's own is left as is). */
export function withRecursiveFields(group: string, kind: string, schema: StructuralSchema): StructuralSchema {
    let out = schema;
    for (const r of recursiveFields.filter((x) => x.group === group && x.kind === kind)) {
        const replace = (node: StructuralSchema, path: string[]): StructuralSchema => {
            if (path.length === 0) return recursive(node, r.field, depth);
            const child = propertiesOf(node)[path[0]];
            return child ? { ...node, properties: { ...propertiesOf(node), [path[0]]: replace(child, path.slice(1)) } } : node;
        };
        out = replace(out, r.node);
    }
    return out;
}
