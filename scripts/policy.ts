/**
 * Offline policy gate: `npm run policy -- --stack <name> [--from <synth dir>]`.
 * Synthesises the stack under mocks (or reads an earlier synth of the same stack), runs every
 * policy of policy-pack/ with the stack's policy config (policy-pack/config/<stack>.json), lists
 * each violation and exits non-zero when a mandatory one fails. Needs no cloud credentials, so a
 * pull request from a fork can run it.
 */
import { defineCommand, main } from "../engine/cli";
import { runGate } from "../engine/gate";
import { stackResources } from "../engine/synth/load";
import { formatViolation } from "../policy-pack/offline";
import { policies } from "../policy-pack/policies";

export const command = defineCommand({
    name: "policy",
    summary: "The offline policy gate: every CrossGuard policy over a stack's synthesised resources.",
    options: {
        stack: { type: "string", value: "name", required: true, description: "stack to gate" },
        from: { type: "string", value: "dir", description: "an earlier synth of the same stack (default: synthesise now)" },
    },
    details: ["exit codes: 0 no mandatory violation, 1 mandatory violation or invalid config, 2 usage mistake"],
    async run({ stack, from }) {
        const resources = await stackResources(stack!, from);
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
