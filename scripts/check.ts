/**
 * Every offline check, for every stack, in one process: `npm run check -- --out <dir> [--stack <name>]... [--render] [--require-all] [--charts <dir>]`.
 * Synthesises each stack into `<dir>/<stack>`, optionally renders its charts there, runs the
 * policy gate and the admission twin over the program's (and the charts') objects, and prints
 * what each found and how long each stage took. Exits 1 when any stack fails a check.
 */
import { defineCommand, main } from "../engine/cli";
import { checkStack } from "../engine/check";
import { chartsDirFor } from "../engine/render/stack";
import { requireStackFile } from "../engine/synth/load";
import { listStacks } from "../engine/synth/stack-files";

export const command = defineCommand({
    name: "check",
    summary: "Synth, render, policy gate and admission twin for every stack (or the ones named), in one process.",
    options: {
        out: { type: "string", value: "dir", required: true, description: "folder to write <stack>/ synths (and renders) into" },
        stack: { type: "string", value: "name", multiple: true, description: "a stack to check (repeatable; default: every stack file)" },
        render: { type: "boolean", description: "render the charts and gate and admit their objects too" },
        "require-all": { type: "boolean", description: "with --render: fail when any release's chart cannot be had" },
        charts: {
            type: "string",
            value: "dir",
            description: "local Helm repository (default: $PLATFORM_CHARTS_DIR, else ../shared/charts)",
        },
    },
    details: ["exit codes: 0 every stack passes, 1 a check failed, 2 usage mistake"],
    async run(options) {
        const stacks = (options.stack as string[] | undefined) ?? listStacks();
        stacks.forEach(requireStackFile);
        const chartsDir = options.render ? chartsDirFor(options.charts) : undefined;
        let ok = true;
        for (const stack of stacks) {
            const result = await checkStack(stack, {
                out: options.out!,
                render: options.render === true,
                requireAll: options["require-all"] === true,
                chartsDir,
            });
            for (const line of result.lines) process.stdout.write(`${line}\n`);
            const t = result.ms;
            process.stdout.write(
                `stack ${stack}: ${result.ok ? "passed" : "FAILED"} (synth ${(t.synth / 1000).toFixed(1)} s, render ${(t.render / 1000).toFixed(1)} s, gate ${(t.gate / 1000).toFixed(1)} s, twin ${(t.admit / 1000).toFixed(1)} s)\n`,
            );
            ok &&= result.ok;
        }
        return ok ? 0 : 1;
    },
});

if (require.main === module) main(command);
