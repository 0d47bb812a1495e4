import { z } from "zod";
import type { SchemaLookup } from "./errors";
import { stackConfigSchema } from "./schema";

/**
 * The schema's answers at a config path, asked while turning issues into messages: which keys a
 * map there may have (for "did you mean"), and which shapes a value there may take (for a union
 * such as `metrics`: a map or `false`).
 */
export const stackSchemaLookup: SchemaLookup = {
    knownKeysAt: (path) => [...new Set(schemasAt(path).flatMap(objectKeys))],
    acceptedShapesAt: (path) => [...new Set(schemasAt(path).flatMap(unwrap).map(describeShape))],
};

function schemasAt(path: readonly PropertyKey[]): z.ZodType[] {
    let schemas: z.ZodType[] = [stackConfigSchema];
    for (const part of path) schemas = schemas.flatMap((s) => childSchemas(s, part));
    return schemas;
}

interface Def {
    type: string;
    innerType?: z.ZodType;
    in?: z.ZodType;
    options?: z.ZodType[];
    shape?: Record<string, z.ZodType>;
    element?: z.ZodType;
    valueType?: z.ZodType;
    values?: unknown[];
    entries?: Record<string, unknown>;
}

const defOf = (schema: z.ZodType) => schema._zod.def as unknown as Def;

/** The concrete alternatives of a schema: through optional/default wrappers, pipes and unions. */
function unwrap(schema: z.ZodType): z.ZodType[] {
    const def = defOf(schema);
    if (def.innerType) return unwrap(def.innerType);
    if (def.type === "pipe" && def.in) return unwrap(def.in);
    if (def.type === "union" && def.options) return def.options.flatMap(unwrap);
    return [schema];
}

function childSchemas(schema: z.ZodType, part: PropertyKey): z.ZodType[] {
    return unwrap(schema).flatMap((s) => {
        const def = defOf(s);
        if (def.type === "object" && def.shape && typeof part === "string" && part in def.shape) return [def.shape[part]];
        if (def.type === "array" && def.element && typeof part === "number") return [def.element];
        if (def.type === "record" && def.valueType) return [def.valueType];
        return [];
    });
}

function objectKeys(schema: z.ZodType): string[] {
    return unwrap(schema).flatMap((s) => {
        const def = defOf(s);
        return def.type === "object" && def.shape ? Object.keys(def.shape) : [];
    });
}

/** How a person would name one accepted shape: `a map {port, path}`, `false`, `a list`. */
function describeShape(schema: z.ZodType): string {
    const def = defOf(schema);
    switch (def.type) {
        case "object":
            return `a map {${Object.keys(def.shape ?? {}).join(", ")}}`;
        case "record":
            return "a map";
        case "array":
            return "a list";
        case "literal":
            return (def.values ?? []).map((v) => (typeof v === "string" ? `'${v}'` : String(v))).join(" or ");
        case "enum":
            return `one of ${Object.values(def.entries ?? {}).join(", ")}`;
        case "boolean":
            return "true or false";
        default:
            return `a ${def.type}`;
    }
}
