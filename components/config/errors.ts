import { closest, distance } from "fastest-levenshtein";
import type { z } from "zod";

/**
 * Turns schema issues into messages a person editing a stack file can act on:
 * `<stack file>: platform:<full.key[path]>: <what is wrong>`.
 */

/** Suggests the nearest candidate when it is close enough to be a typo. */
export function didYouMean(word: string, candidates: readonly string[]): string | undefined {
    if (candidates.length === 0) return undefined;
    const lower = word.toLowerCase();
    const prefixed = candidates.filter((c) => lower.length >= 3 && c.toLowerCase().startsWith(lower));
    if (prefixed.length === 1) return prefixed[0];
    const best = closest(word, candidates as string[]);
    const tolerance = Math.max(2, Math.floor(best.length / 3));
    return distance(word.toLowerCase(), best.toLowerCase()) <= tolerance ? best : undefined;
}

/** An entry of a list named in a path by a label rather than its position: `apps[backend]`. */
export class ListEntry {
    constructor(readonly label: string | number) {}
}

export const listEntry = (label: string | number) => new ListEntry(label);

export type PathPart = PropertyKey | ListEntry;

/** `apps[2].image.tag` (or `apps[backend].image.tag`) from a path of keys, indices and list entries. */
export function formatPath(path: readonly PathPart[]): string {
    let out = "";
    for (const part of path) {
        if (part instanceof ListEntry) out += `[${part.label}]`;
        else if (typeof part === "number") out += `[${part}]`;
        else if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(String(part))) out += out === "" ? String(part) : `.${String(part)}`;
        else out += `[${JSON.stringify(String(part))}]`;
    }
    return out;
}

/** A short, safe rendering of an offending value. */
export function describeValue(value: unknown): string {
    if (value === undefined) return "nothing";
    if (value === null) return "null";
    if (Array.isArray(value)) return "a list";
    if (typeof value === "object") return "a map";
    const text = typeof value === "string" ? `'${value}'` : String(value);
    return `${typeof value} ${text.length > 40 ? text.slice(0, 37) + "..." : text}`;
}

type Issue = z.core.$ZodIssue & { input?: unknown };

/** What the schema allows at a path: keys of a map (for "did you mean"), shapes of a union. */
export interface SchemaLookup {
    knownKeysAt(path: readonly PropertyKey[]): string[];
    acceptedShapesAt(path: readonly PropertyKey[]): string[];
}

export function issueMessages(issue: Issue, schema: SchemaLookup): { path: PropertyKey[]; message: string }[] {
    const path = [...issue.path];
    switch (issue.code) {
        case "unrecognized_keys": {
            const known = schema.knownKeysAt(path);
            return issue.keys.map((key) => {
                const hint = didYouMean(key, known);
                const expected = known.length > 0 ? ` (allowed: ${known.join(", ")})` : "";
                return {
                    path: [...path, key],
                    message: hint ? `unknown key: did you mean '${hint}'?` : `unknown key${expected}`,
                };
            });
        }
        case "invalid_type":
            return [
                {
                    path,
                    message:
                        issue.input === undefined
                            ? `is required (expected ${issue.expected})`
                            : `expected ${issue.expected}, got ${describeValue(issue.input)}`,
                },
            ];
        case "invalid_value": {
            const allowed = issue.values.map(String);
            const got = issue.input;
            const hint = typeof got === "string" ? didYouMean(got, allowed) : undefined;
            return [
                {
                    path,
                    message: `must be one of ${allowed.join(", ")} (got ${describeValue(got)})` + (hint ? `: did you mean '${hint}'?` : ""),
                },
            ];
        }
        case "invalid_union": {
            if (issue.discriminator !== undefined) {
                const options = "options" in issue && issue.options ? issue.options.map(String).join(", ") : "";
                const at = path[path.length - 1] === issue.discriminator ? path : [...path, issue.discriminator];
                return [{ path: at, message: `must be one of ${options}` }];
            }
            return unionMessages(issue, path, schema);
        }
        case "invalid_key":
            return issue.issues.map((inner) => ({
                path,
                message: `is not a valid name: ${inner.message}`,
            }));
        default:
            return [{ path, message: issue.message }];
    }
}

/**
 * A value that matches no alternative of a union. When it has none of the accepted shapes (a
 * string where a map or `false` goes), say which shapes are accepted; when it has one of them,
 * report that alternative's own problems at their full path.
 */
function unionMessages(issue: Extract<Issue, { code: "invalid_union" }>, path: PropertyKey[], schema: SchemaLookup) {
    const failsAtRoot = (issues: readonly z.core.$ZodIssue[]) =>
        issues.some((i) => i.path.length === 0 && (i.code === "invalid_type" || i.code === "invalid_value"));
    const sameShape = issue.errors.filter((alternative) => alternative.length > 0 && !failsAtRoot(alternative));
    if (sameShape.length === 0) {
        const shapes = schema.acceptedShapesAt(path);
        const expected = shapes.length > 0 ? shapes.join(" or ") : "another shape";
        return [{ path, message: `expected ${expected}, got ${describeValue((issue as Issue).input)}` }];
    }
    const closest = sameShape.slice().sort((a, b) => a.length - b.length)[0];
    return closest.flatMap((i) => issueMessages({ ...(i as Issue), path: [...path, ...i.path] }, schema));
}
