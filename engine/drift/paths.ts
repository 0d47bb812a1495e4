/**
 * Field paths in the form Pulumi's `ignoreChanges` takes them: `spec.replicas`,
 * `metadata.labels["pod-security.kubernetes.io/enforce"]`, `spec.template.spec.containers[0].image`,
 * with `[*]` for every element of a list.
 */
export type Segment = string | number | "*";

const identifier = /^[A-Za-z_$][A-Za-z0-9_$-]*$/;

export function parsePath(path: string): Segment[] {
    const out: Segment[] = [];
    let i = 0;
    while (i < path.length) {
        if (path[i] === ".") {
            i++;
            continue;
        }
        if (path[i] === "[") {
            const end = path.indexOf("]", path[i + 1] === '"' ? path.indexOf('"', i + 2) : i);
            if (end < 0) throw new Error(`unterminated '[' in field path '${path}'`);
            const inner = path.slice(i + 1, end);
            if (inner === "*") out.push("*");
            else if (/^\d+$/.test(inner)) out.push(Number(inner));
            else if (/^".*"$/.test(inner)) out.push(JSON.parse(inner) as string);
            else throw new Error(`'[${inner}]' in field path '${path}' is neither an index, '*' nor a quoted key`);
            i = end + 1;
            continue;
        }
        let j = i;
        while (j < path.length && path[j] !== "." && path[j] !== "[") j++;
        out.push(path.slice(i, j));
        i = j;
    }
    return out;
}

export function formatPath(segments: Segment[]): string {
    return segments
        .map((s, i) =>
            s === "*" ? "[*]" : typeof s === "number" ? `[${s}]` : identifier.test(s) ? (i === 0 ? s : `.${s}`) : `[${JSON.stringify(s)}]`,
        )
        .join("");
}

/** Whether `prefix` covers `path`: equal, or a parent of it (`*` and indexes match each other). */
export function covers(prefix: Segment[], path: Segment[]): boolean {
    if (prefix.length > path.length) return false;
    return prefix.every((s, i) => s === path[i] || s === "*" || path[i] === "*");
}

/** The values the inputs hold at a path, one per concrete match (`*` expanded over lists). */
export function valuesAt(value: unknown, path: Segment[], seen: Segment[] = []): { path: Segment[]; value: unknown }[] {
    if (value === undefined || value === null) return [];
    if (path.length === 0) return [{ path: seen, value }];
    const [head, ...rest] = path;
    if (head === "*") {
        if (!Array.isArray(value)) return [];
        return value.flatMap((v, i) => valuesAt(v, rest, [...seen, i]));
    }
    if (typeof value !== "object") return [];
    const next = (value as Record<string | number, unknown>)[head];
    return valuesAt(next, rest, [...seen, head]);
}
