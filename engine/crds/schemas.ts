import { constraintSchema, constraintGroup, constraintVersions } from "./gatekeeper-constraint";
import { withRecursiveFields } from "./schemaless-fields";

/**
 * Which schema serves each custom kind of a stack: every served version of every
 * CustomResourceDefinition the stack's charts install (the rendered release objects), plus the
 * constraint kinds Gatekeeper generates from the program's ConstraintTemplates.
 */

/** A Kubernetes structural schema (`openAPIV3Schema` and its nodes), as a CRD writes it. */
export type StructuralSchema = Record<string, unknown>;

export interface ServedSchema {
    group: string;
    version: string;
    kind: string;
    schema: StructuralSchema;
    /** Where the schema comes from, for messages: `CRD <name> (release <r>)` or `ConstraintTemplate <name>`. */
    source: string;
}

/** `group/version/Kind`. */
export type Gvk = string;

export const gvkOf = (apiVersion: string, kind: string): Gvk => `${apiVersion.includes("/") ? apiVersion : `/${apiVersion}`}/${kind}`;

interface CrdSpec {
    group?: string;
    names?: { kind?: string };
    versions?: { name?: string; served?: boolean; schema?: { openAPIV3Schema?: StructuralSchema } }[];
}

/** An object with the release that installs it (a rendered chart object, or the program's own). */
export interface SourcedObject {
    object: Record<string, unknown>;
    /** The Helm release that renders it; absent for the program's own objects. */
    release?: string;
}

/** Served versions of the CRDs among `objects`; a version that is not served serves nothing. */
export function crdSchemas(objects: SourcedObject[]): Map<Gvk, ServedSchema> {
    const served = new Map<Gvk, ServedSchema>();
    for (const { object, release } of objects) {
        if (object.kind !== "CustomResourceDefinition") continue;
        const spec = (object.spec ?? {}) as CrdSpec;
        const name = String((object.metadata as { name?: string } | undefined)?.name ?? "unnamed");
        if (!spec.group || !spec.names?.kind) continue;
        for (const v of spec.versions ?? []) {
            if (!v.name || v.served === false) continue;
            served.set(gvkOf(`${spec.group}/${v.name}`, spec.names.kind), {
                group: spec.group,
                version: v.name,
                kind: spec.names.kind,
                // A version without a schema is not structural: the API server refuses such a CRD
                // (apiextensions.k8s.io/v1), so an empty schema here only means "nothing is known".
                schema: v.schema?.openAPIV3Schema
                    ? withRecursiveFields(spec.group, spec.names.kind, v.schema.openAPIV3Schema)
                    : { type: "object", "x-kubernetes-preserve-unknown-fields": true },
                source: `CRD ${name}${release ? ` (release ${release})` : ""}`,
            });
        }
    }
    return served;
}

interface TemplateSpec {
    crd?: { spec?: { names?: { kind?: string }; validation?: { openAPIV3Schema?: StructuralSchema } } };
}

/** The constraint kinds the ConstraintTemplates among `objects` make Gatekeeper serve. */
export function constraintSchemas(objects: SourcedObject[]): Map<Gvk, ServedSchema> {
    const served = new Map<Gvk, ServedSchema>();
    for (const { object } of objects) {
        if (object.kind !== "ConstraintTemplate" || !String(object.apiVersion ?? "").startsWith("templates.gatekeeper.sh/")) continue;
        const spec = (object.spec ?? {}) as TemplateSpec;
        const kind = spec.crd?.spec?.names?.kind;
        if (!kind) continue;
        const name = String((object.metadata as { name?: string } | undefined)?.name ?? "unnamed");
        const schema = constraintSchema(spec.crd?.spec?.validation?.openAPIV3Schema);
        for (const version of constraintVersions)
            served.set(gvkOf(`${constraintGroup}/${version}`, kind), {
                group: constraintGroup,
                version,
                kind,
                schema,
                source: `ConstraintTemplate ${name}`,
            });
    }
    return served;
}
