/**
 * Offline policy gate: `npm run policy -- --stack <name> [--from <synth dir>] [--rendered <render dir>]`.
 * Synthesises the stack under mocks (or reads an earlier synth of the same stack), adds the
 * objects its Helm releases render (from `npm run render`, when given), runs every policy of
 * policy-pack/ with the stack's policy config (policy-pack/config/<stack>.json), lists each
 * violation and exits non-zero when a mandatory one fails. Needs no cloud credentials, so a pull
 * request from a fork can run it.
 */
import { defineCommand, main, UsageError } from "../engine/cli";
import { runGate } from "../engine/gate";
import { readRendered, readRenderIndex, renderedAsSynthResources } from "../engine/render/read";
import { stackResources } from "../engine/synth/load";
import { formatViolation } from "../policy-pack/offline";
import { policies } from "../policy-pack/policies";

export const command = defineCommand({
    name: "policy",
    summary: "The offline policy gate: every CrossGuard policy over a stack's synthesised resources.",
    options: {
        stack: { type: "string", value: "name", required: true, description: "stack to gate" },
        from: { type: "string", value: "dir", description: "an earlier synth of the same stack (default: synthesise now)" },
        rendered: {
            type: "string",
            value: "dir",
            description: "a render of the same stack (npm run render --out): gate the charts' objects too",
        },
    },
    details: ["exit codes: 0 no mandatory violation, 1 mandatory violation or invalid config, 2 usage mistake"],
    async run({ stack, from, rendered }) {
        const resources = await stackResources(stack!, from);
        if (rendered) {
            const index = readRenderIndex(rendered);
            if (index.stack !== stack) throw new UsageError(`--rendered ${rendered} is a render of stack '${index.stack}', not '${stack}'`);
            for (const [release, r] of Object.entries(index.releases)) {
                if (r.status !== "rendered") process.stdout.write(`[note] release ${release} is not gated: ${r.status}\n`);
            }
            resources.push(...renderedAsSynthResources(readRendered(rendered), stack!));
        }
        const violations = runGate(stack!, resources);
        for (const v of violations) process.stdout.write(`${formatViolation(v)}\n`);
        const mandatory = violations.filter((v) => v.level === "mandatory");
        process.stdout.write(
            `policy gate for stack ${stack}: ${resources.length} resources, ${policies.length} policies, ` +
                `${mandatory.length} mandatory and ${violations.length - mandatory.length} advisory violation(s)\n`,
        );
        return mandatory.length > 0 ? 1 : 0;
    },
});

if (require.main === module) main(command);
