/** The value at a dotted path (`spec.template.spec`) of a JSON value, or undefined where the path leaves it. */
export function valueAt(value: unknown, path: string): unknown {
    return path.split(".").reduce<unknown>((v, k) => (v && typeof v === "object" ? (v as Record<string, unknown>)[k] : undefined), value);
}
