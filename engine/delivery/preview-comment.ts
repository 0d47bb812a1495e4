/**
 * The pull-request comment for a `pulumi preview` of one stack. CI writes it to a file and a
 * separate, trusted workflow posts it (so no job that runs pull-request code can write to the
 * pull request). Unlike pulumi/actions' own comment, it is written when the preview fails too
 * (a mandatory policy violation makes `pulumi preview` exit non-zero, and the action throws
 * before commenting), and it is trimmed from the front, so the end of the output, where the
 * policy violations and the resource summary are, always survives.
 */

/** GitHub refuses comment bodies over 65,536 characters; leave room for the frame. */
export const MAX_COMMENT_CHARS = 60_000;

export const previewMarker = (stack: string) => `<!-- pulumi-preview:${stack} -->`;

export interface PreviewCommentInput {
    stack: string;
    /** Everything `pulumi preview` printed (stdout and stderr). */
    output: string;
    exitCode: number;
    /** Link to the CI run, for the full log. */
    runUrl?: string;
}

export function previewComment(input: PreviewCommentInput): string {
    const clean = stripAnsi(input.output).replace(/```/g, "`\u200b``").trimEnd();
    const head = [
        previewMarker(input.stack),
        input.exitCode === 0
            ? `### \`pulumi preview\` of ${input.stack}: passed, no mandatory policy violation`
            : `### \`pulumi preview\` of ${input.stack}: **failed** (exit ${input.exitCode}): mandatory policy violations or errors below`,
        input.runUrl ? `\n[Full log](${input.runUrl})` : "",
    ].join("\n");
    const budget = MAX_COMMENT_CHARS - head.length - 200;
    const trimmed = clean.length > budget;
    const body = trimmed ? clean.slice(clean.length - budget).replace(/^[^\n]*\n/, "") : clean;
    const note = trimmed
        ? `\n\n_The beginning of the output is cut (${clean.length - body.length} characters): the summary and the policy results are at the end._`
        : "";
    return `${head}${note}\n\n\`\`\`text\n${body}\n\`\`\`\n`;
}

/** Removes terminal colour codes (the CLI runs with --color never, but a user's capture may not). */
function stripAnsi(text: string): string {
    const escape = String.fromCharCode(27);
    return text
        .split(escape)
        .map((part, i) => (i === 0 ? part : part.replace(/^\[[0-9;]*m/, "")))
        .join("");
}
