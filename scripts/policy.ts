/**
 * Offline policy gate: `npm run policy -- --stack <name> [--from <synth dir>] [--rendered <render dir>]`.
 * Synthesises the stack under mocks (or reads an earlier synth of the same stack), adds the
 * objects its Helm releases render (from `npm run render`, when given), runs every policy of
 * policy-pack/ with the stack's policy config (policy-pack/config/<stack>.json) and then the
 * admission twin over the same objects, lists each violation and finding, and exits non-zero when
 * a mandatory policy fails or the twin finds anything. Needs no cloud credentials, so a pull
 * request from a fork can run it.
 */
import { defineCommand, main, UsageError } from "../engine/cli";
import { gateAndAdmit } from "../engine/check";
import { readRendered, readRenderIndex, RenderedObject } from "../engine/render/read";
import { stackResources } from "../engine/synth/load";

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
    details: [
        "exit codes: 0 no mandatory violation and nothing the twin refuses, 1 a mandatory violation, a twin finding, a custom resource its CRD refuses (with --rendered) or invalid config, 2 usage mistake",
    ],
    async run({ stack, from, rendered }) {
        const resources = await stackResources(stack!, from);
        let renderedObjects: RenderedObject[] | undefined;
        if (rendered) {
            const index = readRenderIndex(rendered);
            if (index.stack !== stack) throw new UsageError(`--rendered ${rendered} is a render of stack '${index.stack}', not '${stack}'`);
            for (const [release, r] of Object.entries(index.releases)) {
                if (r.status !== "rendered") process.stdout.write(`[note] release ${release} is not gated: ${r.status}\n`);
            }
            renderedObjects = readRendered(rendered);
        }
        const result = gateAndAdmit(stack!, resources, renderedObjects);
        for (const line of result.lines) process.stdout.write(`${line}\n`);
        return result.ok ? 0 : 1;
    },
});

if (require.main === module) main(command);
