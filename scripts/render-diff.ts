/**
 * Render diff for a pull request: `npm run render-diff -- --stack <name> --base <render dir> --head <render dir> --out <comment.md> [--full <diff file>]`.
 * Compares two renders of one stack (`npm run render` at the base and the head of the change)
 * and writes one markdown comment: a hidden `<!-- render-diff:<stack> -->` marker, the summary
 * (per release objects added, removed and changed, chart bumps), then per release a compact
 * diff of each changed object, bounded in size. `--full` writes every object's unified diff.
 */
import * as fs from "fs";
import * as path from "path";
import { defineCommand, main } from "../engine/cli";
import { renderDiffComment } from "../engine/render/comment";
import { diffRenders, fullPatch } from "../engine/render/diff";

export const command = defineCommand({
    name: "render-diff",
    summary: "Writes the pull-request comment for what a change does to a stack's rendered releases.",
    options: {
        stack: { type: "string", value: "name", required: true, description: "stack both renders are of" },
        base: { type: "string", value: "dir", required: true, description: "render of the base (npm run render --out)" },
        head: { type: "string", value: "dir", required: true, description: "render of the head" },
        out: { type: "string", value: "file", required: true, description: "markdown comment to write" },
        full: { type: "string", value: "file", description: "also write the full unified diff of every object here" },
    },
    details: ["exit codes: 0 written (changes or not), 1 unreadable render, 2 usage mistake (missing render, renders of another stack)"],
    async run({ stack, base, head, out, full }) {
        const diff = diffRenders(stack!, base!, head!);
        const comment = renderDiffComment(diff, { fullDiff: full ? path.basename(full) : undefined });
        fs.mkdirSync(path.dirname(path.resolve(out!)), { recursive: true });
        fs.writeFileSync(out!, comment);
        if (full) {
            fs.mkdirSync(path.dirname(path.resolve(full)), { recursive: true });
            fs.writeFileSync(full, fullPatch(diff));
        }
        const changed = diff.releases.filter((r) => r.changes.length > 0 || r.bumped || r.note).length;
        process.stdout.write(`stack ${stack}: ${changed} of ${diff.releases.length} releases change -> ${out}${full ? `, ${full}` : ""}\n`);
        return 0;
    },
});

if (require.main === module) main(command);
