import type { ReleaseDiff, StackDiff } from "./diff";

/**
 * The pull-request comment for one stack's render diff: a hidden marker a sticky-comment action
 * finds it by, the summary first (per release: objects added, removed, changed, chart bumps),
 * then per release a compact diff of each changed object, the whole bounded in size. A release
 * whose diff does not fit is cut with a note pointing to the full diff artifact.
 */

export interface CommentOptions {
    /** Upper bound of the comment in bytes (GitHub refuses comments over 65,536 characters). @default 60_000 */
    maxBytes?: number;
    /** Name of the full diff artifact the comment points to when it cuts a diff. */
    fullDiff?: string;
}

export const marker = (stack: string) => `<!-- render-diff:${stack} -->`;

const bytes = (s: string) => Buffer.byteLength(s, "utf8");

const count = (r: ReleaseDiff, change: string) => r.changes.filter((c) => c.change === change).length;

/** A code fence longer than any backtick run in the text, so a diff can never close it early. */
function fenceFor(text: string): string {
    const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((m) => m.length));
    return "`".repeat(Math.max(3, longest + 1));
}

function summary(diff: StackDiff): string[] {
    const changed = diff.releases.filter((r) => r.changes.length > 0 || r.bumped || r.note);
    const total = (change: string) => diff.releases.reduce((n, r) => n + count(r, change), 0);
    const lines = [marker(diff.stack), `### Rendered releases: \`${diff.stack}\``, ""];
    if (changed.length === 0) {
        lines.push(`No rendered object changes in ${diff.releases.length} releases.`);
        return lines;
    }
    const bumps = diff.releases.filter((r) => r.bumped).map((r) => `${r.release} ${r.version}`);
    lines.push(
        `${changed.length} of ${diff.releases.length} releases change: ${total("added")} object${total("added") === 1 ? "" : "s"} added, ${total("removed")} removed, ${total("changed")} changed.` +
            (bumps.length > 0 ? ` Chart bumps: ${bumps.join(", ")}.` : ""),
        "",
        "| release | chart | version | added | removed | changed | note |",
        "|---|---|---|---:|---:|---:|---|",
        ...changed.map(
            (r) =>
                `| ${r.release} | ${r.chart} | ${r.version} | ${count(r, "added")} | ${count(r, "removed")} | ${count(r, "changed")} | ${(r.note ?? "").replace(/\|/g, "\\|")} |`,
        ),
    );
    return lines;
}

/** One release's section: the list of changed objects, then each changed object's diff. */
function section(r: ReleaseDiff): { head: string; body: string[]; tail: string } {
    const counts = ["added", "removed", "changed"].map((c) => `${count(r, c)} ${c}`).join(", ");
    const head = `<details><summary><b>${r.release}</b> (${r.chart} ${r.version}): ${counts}</summary>\n\n`;
    const list = r.changes.map((c) => `- ${c.change}: \`${c.label}\`\n`);
    const patches = r.changes
        .filter((c) => c.change === "changed")
        .map((c) => {
            const fence = fenceFor(c.patch);
            return `\n${fence}diff\n${c.patch}${fence}\n`;
        });
    return { head, body: [...list, ...patches], tail: "\n</details>\n" };
}

/** The section cut to `budget` bytes at a line, fences closed, with a note pointing to the full diff. */
function cut(s: ReturnType<typeof section>, budget: number, note: string): string {
    let out = s.head;
    const room = budget - bytes(s.head) - bytes(s.tail) - bytes(note) - 16;
    for (const block of s.body) {
        if (bytes(out) - bytes(s.head) + bytes(block) <= room) {
            out += block;
            continue;
        }
        const fence = /^\n(`{3,})diff\n/.exec(block)?.[1];
        for (const line of block.split(/(?<=\n)/)) {
            if (bytes(out) - bytes(s.head) + bytes(line) + (fence ? fence.length + 1 : 0) > room) break;
            out += line;
        }
        if (fence && !out.endsWith(`${fence}\n`) && out.includes(`${fence}diff\n`)) out += `${out.endsWith("\n") ? "" : "\n"}${fence}\n`;
        break;
    }
    return `${out}\n${note}\n${s.tail}`;
}

/** The markdown comment for a stack's render diff, at most `maxBytes`. */
export function renderDiffComment(diff: StackDiff, options: CommentOptions = {}): string {
    const maxBytes = options.maxBytes ?? 60_000;
    const head = `${summary(diff).join("\n")}\n\n`;
    const pointer = options.fullDiff
        ? `the full diff is in \`${options.fullDiff}\``
        : "run `npm run render-diff` with `--full` for the full diff";
    const footer = options.fullDiff ? `\nFull diff of every object: \`${options.fullDiff}\`.\n` : "";
    const withChanges = diff.releases.filter((r) => r.changes.length > 0);
    const sections = new Map(withChanges.map((r) => [r.release, section(r)]));
    const full = (r: string) => {
        const s = sections.get(r)!;
        return s.head + s.body.join("") + s.tail;
    };
    // Smallest sections first, each taking at most an even share of what is left, so one huge
    // chart bump cannot crowd every other release out of the comment.
    let left = maxBytes - bytes(head) - bytes(footer);
    const text = new Map<string, string>();
    const bySize = [...sections.keys()].sort((a, b) => bytes(full(a)) - bytes(full(b)));
    bySize.forEach((r, i) => {
        const share = Math.floor(left / (bySize.length - i));
        const whole = full(r);
        const s = sections.get(r)!;
        const chosen = bytes(whole) <= share ? whole : cut(s, share, `_… diff cut to fit the comment: ${pointer}._`);
        text.set(r, bytes(chosen) <= share ? chosen : "");
        left -= bytes(text.get(r)!);
    });
    return head + withChanges.map((r) => text.get(r.release)).join("") + footer;
}
