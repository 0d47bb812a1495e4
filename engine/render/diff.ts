import { createTwoFilesPatch, FILE_HEADERS_ONLY } from "diff";
import * as fs from "fs";
import * as path from "path";
import { UsageError } from "../cli";
import { IndexedObject, IndexedRelease, readRenderIndex, renderedFolder } from "./read";

/**
 * What a change does to the cluster, release by release: the objects two renders of one stack
 * (base and head of a pull request) add, remove and change, with a unified diff per object.
 */

export interface ObjectChange {
    change: "added" | "removed" | "changed";
    /** `<release>/<Kind>-<namespace>-<name>.yaml`, the path under `rendered/`. */
    file: string;
    /** `Kind namespace/name` (or `Kind name` when cluster-scoped). */
    label: string;
    /** Unified diff (`--- a/<file>`, `+++ b/<file>`); `/dev/null` on the missing side of an added or removed object. */
    patch: string;
}

export interface ReleaseDiff {
    release: string;
    chart: string;
    /** `1.2.0`, or `1.2.0 → 1.3.0` on a chart bump (`—` on the side where the release does not exist). */
    version: string;
    bumped: boolean;
    /** Why objects could not be compared (a side not rendered), or that the release is new or gone. */
    note?: string;
    changes: ObjectChange[];
}

export interface StackDiff {
    stack: string;
    releases: ReleaseDiff[];
}

const labelOf = (o: IndexedObject) => `${o.kind} ${o.namespace ? `${o.namespace}/` : ""}${o.name}`;

function readObject(dir: string, file: string): string {
    return fs.readFileSync(path.join(dir, renderedFolder, file), "utf8");
}

function patchOf(file: string, before: string | undefined, after: string | undefined): string {
    return createTwoFilesPatch(
        before === undefined ? "/dev/null" : `a/${file}`,
        after === undefined ? "/dev/null" : `b/${file}`,
        before ?? "",
        after ?? "",
        undefined,
        undefined,
        {
            context: 3,
            headerOptions: FILE_HEADERS_ONLY,
        },
    );
}

const isRendered = (r?: IndexedRelease) => r?.status === "rendered";

/** Added, removed and changed objects of one release; nothing when a side that exists was not rendered (unknown is not empty). */
function objectChanges(baseDir: string, headDir: string, base?: IndexedRelease, head?: IndexedRelease): ObjectChange[] {
    if ((base && !isRendered(base)) || (head && !isRendered(head))) return [];
    const before = new Map((base?.objects ?? []).map((o) => [o.file, o]));
    const after = new Map((head?.objects ?? []).map((o) => [o.file, o]));
    const files = [...new Set([...before.keys(), ...after.keys()])].sort();
    const changes: ObjectChange[] = [];
    for (const file of files) {
        const b = before.get(file);
        const a = after.get(file);
        const oldText = b ? readObject(baseDir, file) : undefined;
        const newText = a ? readObject(headDir, file) : undefined;
        if (oldText === newText) continue;
        const change = !b ? "added" : !a ? "removed" : "changed";
        changes.push({ change, file, label: labelOf((a ?? b)!), patch: patchOf(file, oldText, newText) });
    }
    return changes;
}

function noteOf(base?: IndexedRelease, head?: IndexedRelease): string | undefined {
    if (!base) return "new release";
    if (!head) return "release removed";
    if (!isRendered(head)) return `head ${head.status}`;
    if (!isRendered(base)) return `base ${base.status}`;
    return undefined;
}

/** Compares two renders (`--out` folders of `npm run render`) of the same stack. */
export function diffRenders(stack: string, baseDir: string, headDir: string): StackDiff {
    const base = readRenderIndex(baseDir);
    const head = readRenderIndex(headDir);
    for (const [flag, index, dir] of [
        ["--base", base, baseDir],
        ["--head", head, headDir],
    ] as const) {
        if (index.stack !== stack) throw new UsageError(`${flag} ${dir} is a render of stack '${index.stack}', not '${stack}'`);
    }
    const names = [...new Set([...Object.keys(base.releases), ...Object.keys(head.releases)])].sort();
    const releases = names.map((release): ReleaseDiff => {
        const b = base.releases[release];
        const h = head.releases[release];
        const bumped = b !== undefined && h !== undefined && (b.version !== h.version || b.chart !== h.chart);
        const version = bumped || !b || !h ? `${b?.version ?? "—"} → ${h?.version ?? "—"}` : h.version;
        const note = noteOf(b, h);
        return {
            release,
            chart: (h ?? b)!.chart,
            version,
            bumped,
            ...(note ? { note } : {}),
            changes: objectChanges(baseDir, headDir, b, h),
        };
    });
    return { stack, releases };
}

/** Every object's unified diff, release by release: the artifact the comment points to. */
export function fullPatch(diff: StackDiff): string {
    return diff.releases
        .flatMap((r) => r.changes.map((c) => c.patch))
        .join("")
        .replace(/^$/, `# stack ${diff.stack}: no rendered object changes\n`);
}
