import { goToJsPattern } from "./go-regexp";
import type { StructuralSchema } from "./schemas";

/**
 * A Kubernetes structural schema as a JSON schema (draft-07) that ajv validates with the API
 * server's semantics (apiextensions-apiserver, Kubernetes 1.3x):
 * - pruning: an object keeps only the fields its `properties` name (or any key when it has
 *   `additionalProperties`); everything else is dropped unless the node says
 *   `x-kubernetes-preserve-unknown-fields: true`. A field the server would prune is a defect
 *   here, so those objects get `additionalProperties: false`.
 * - `x-kubernetes-int-or-string`: an integer or a string;
 * - `x-kubernetes-embedded-resource`: `apiVersion`, `kind` and `metadata` are implied;
 * - `nullable`: null is a value; elsewhere a null is pruned (so also refused here);
 * - OpenAPI v3's boolean `exclusiveMinimum`/`exclusiveMaximum` become draft-07 numbers;
 * - value validations inside `allOf`/`anyOf`/`oneOf`/`not` do not prune (they only validate);
 * - a `pattern` is a Go (RE2) regular expression (go-regexp.ts): one JavaScript cannot compile is
 *   dropped and reported as not evaluated; formats other than the few checked here are not validated;
 * - `x-kubernetes-list-type: set` items are unique; `map` items are unique by their
 *   `x-kubernetes-list-map-keys` (the API server refuses duplicates of either);
 * - metadata is ObjectMeta: label keys and values, and the namespace, are checked as the API
 *   server checks them; a CRD may only narrow `metadata.name` (kept here).
 * `x-kubernetes-validations` (CEL) are left to the CEL pass (see cel.ts).
 */

// Label and annotation keys are qualified names (`[prefix/]name`), label values at most 63
// characters (apimachinery's validation.IsQualifiedName / IsValidLabelValue); a namespace is a DNS label.
const qualifiedName = "^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9]$";
const labelValue = { type: "string", maxLength: 63, pattern: "^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$" };

/** The object metadata the API server keeps (ObjectMeta, meta/v1): any other key is dropped. */
export const objectMeta: Record<string, unknown> = {
    type: "object",
    additionalProperties: false,
    properties: {
        name: { type: "string" },
        generateName: { type: "string" },
        namespace: { type: "string", maxLength: 63, pattern: "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$" },
        labels: { type: "object", propertyNames: { pattern: qualifiedName }, additionalProperties: labelValue },
        annotations: { type: "object", propertyNames: { pattern: qualifiedName }, additionalProperties: { type: "string" } },
        finalizers: { type: "array", items: { type: "string" } },
        ownerReferences: {
            type: "array",
            items: {
                type: "object",
                additionalProperties: false,
                required: ["apiVersion", "kind", "name", "uid"],
                properties: {
                    apiVersion: { type: "string" },
                    kind: { type: "string" },
                    name: { type: "string" },
                    uid: { type: "string" },
                    controller: { type: "boolean" },
                    blockOwnerDeletion: { type: "boolean" },
                },
            },
        },
        // Set by the server; harmless in a request.
        uid: { type: "string" },
        resourceVersion: { type: "string" },
        generation: { type: "integer" },
        creationTimestamp: { type: ["string", "null"] },
        deletionTimestamp: { type: "string" },
        deletionGracePeriodSeconds: { type: "integer" },
        selfLink: { type: "string" },
        managedFields: { type: "array" },
    },
};

/** ObjectMeta, with what a CRD may narrow (`metadata.name` and `generateName`) taken from its schema. */
function objectMetaFor(crdMetadata: unknown, skipped: string[]): Record<string, unknown> {
    const narrowed = isObject(crdMetadata) && isObject(crdMetadata.properties) ? crdMetadata.properties : {};
    const properties = { ...(objectMeta.properties as Record<string, unknown>) };
    for (const field of ["name", "generateName"])
        if (isObject(narrowed[field])) properties[field] = translate(narrowed[field] as StructuralSchema, false, skipped);
    return { ...objectMeta, properties };
}

/** The formats checked (cheap, and validated by the API server too); others are ignored. */
export const checkedFormats: Record<string, RegExp> = {
    "date-time": /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/,
    byte: /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/,
    uuid: /^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$/,
};

const copied = [
    "enum",
    "minLength",
    "maxLength",
    "minimum",
    "maximum",
    "minItems",
    "maxItems",
    "uniqueItems",
    "minProperties",
    "maxProperties",
    "multipleOf",
    "required",
] as const;

/** The keyword (registered with ajv in validate.ts) for `x-kubernetes-list-type: map`: items unique by these keys. */
export const listMapKeys = "k8sListMapKeys";

/** Whether no two items of a list-map share their key fields' values. */
export function uniqueByKeys(keys: string[], items: unknown[]): boolean {
    const seen = new Set<string>();
    for (const item of items) {
        if (!isObject(item)) continue;
        const key = JSON.stringify(keys.map((k) => item[k] ?? null));
        if (seen.has(key)) return false;
        seen.add(key);
    }
    return true;
}

export interface Translation {
    schema: Record<string, unknown>;
    /** Patterns JavaScript cannot compile (RE2 syntax), not evaluated. */
    skippedPatterns: string[];
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

/** The whole object of a custom kind: `apiVersion`/`kind` as strings, `metadata` as ObjectMeta. */
export function translateRoot(root: StructuralSchema): Translation {
    const skippedPatterns: string[] = [];
    const schema = translate(root, false, skippedPatterns);
    const properties = { ...((schema.properties as Record<string, unknown>) ?? {}) };
    properties.apiVersion = { type: "string" };
    properties.kind = { type: "string" };
    properties.metadata = objectMetaFor((root.properties as Record<string, unknown> | undefined)?.metadata, skippedPatterns);
    return { schema: { ...schema, type: "object", properties }, skippedPatterns };
}

function translate(node: StructuralSchema, inJunctor: boolean, skipped: string[]): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    const nullable = node.nullable === true;
    const withNull = (t: string | string[]) => (nullable ? [...[t].flat(), "null"] : t);
    if (node["x-kubernetes-int-or-string"] === true) out.type = withNull(["integer", "string"]);
    else if (typeof node.type === "string") out.type = withNull(node.type);
    for (const key of copied) if (node[key] !== undefined) out[key] = node[key];
    if (nullable && Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
    exclusiveBound(node, out, "Minimum");
    exclusiveBound(node, out, "Maximum");
    if (typeof node.pattern === "string") {
        try {
            const pattern = goToJsPattern(node.pattern);
            new RegExp(pattern);
            out.pattern = pattern;
        } catch {
            skipped.push(node.pattern);
        }
    }
    if (typeof node.format === "string" && node.format in checkedFormats) out.format = node.format;

    const properties: Record<string, unknown> = {};
    if (isObject(node.properties))
        for (const [key, child] of Object.entries(node.properties))
            properties[key] = translate(child as StructuralSchema, inJunctor, skipped);
    if (node["x-kubernetes-embedded-resource"] === true) {
        properties.apiVersion ??= { type: "string" };
        properties.kind ??= { type: "string" };
        properties.metadata = objectMeta;
    }
    if (Object.keys(properties).length > 0) out.properties = properties;
    if (isObject(node.additionalProperties)) out.additionalProperties = translate(node.additionalProperties, inJunctor, skipped);
    else if (typeof node.additionalProperties === "boolean") out.additionalProperties = node.additionalProperties;
    const isObjectNode = node.type === "object" || out.properties !== undefined;
    const preserves = node["x-kubernetes-preserve-unknown-fields"] === true;
    if (isObjectNode && !inJunctor && !preserves && out.additionalProperties === undefined) out.additionalProperties = false;
    if (isObject(node.items)) out.items = translate(node.items, inJunctor, skipped);
    if (node["x-kubernetes-list-type"] === "set") out.uniqueItems = true;
    if (node["x-kubernetes-list-type"] === "map" && Array.isArray(node["x-kubernetes-list-map-keys"]))
        out[listMapKeys] = node["x-kubernetes-list-map-keys"];
    for (const junctor of ["allOf", "anyOf", "oneOf"] as const) {
        const branches = node[junctor];
        if (Array.isArray(branches)) out[junctor] = branches.map((b) => translate(b as StructuralSchema, true, skipped));
    }
    if (isObject(node.not)) out.not = translate(node.not, true, skipped);
    return out;
}

/** OpenAPI v3.0 `exclusiveMinimum: true` next to `minimum` is draft-07's `exclusiveMinimum: <number>`. */
function exclusiveBound(node: StructuralSchema, out: Record<string, unknown>, which: "Minimum" | "Maximum") {
    const bound = which === "Minimum" ? "minimum" : "maximum";
    if (node[`exclusive${which}`] === true && typeof node[bound] === "number") {
        out[`exclusive${which}`] = node[bound];
        delete out[bound];
    }
}
