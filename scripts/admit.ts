/**
 * The admission and network twin: `npm run admit -- --stack <name> [--from <synth dir>] [--rendered <render dir>]`.
 * Admits every pod the stack causes to exist (the program's, its charts' when rendered, and what
 * its operators create) as the cluster would, checks operator exec actions and quotas, and judges
 * every required and forbidden network flow. Exits 1 on any refusal or flow failure.
 */
import { defineCommand, main } from "../engine/cli";
import { admitStack } from "../engine/admit";
import { capacityLines, formatReport } from "../engine/admit/report";
import { readRenderedFor } from "../engine/admit/rendered";
import { stackConfig } from "../engine/synth/stack-files";
import { stackResources } from "../engine/synth/load";

export const command = defineCommand({
    name: "admit",
    summary: "The admission and network twin: what the cluster would refuse, and which flows are wrong.",
    options: {
        stack: { type: "string", value: "name", required: true, description: "stack to check" },
        from: { type: "string", value: "dir", description: "an earlier synth of the same stack (default: synthesise now)" },
        rendered: { type: "string", value: "dir", description: "rendered charts (npm run render --out <dir>): chart pods join the twin" },
        verbose: { type: "boolean", description: "also list what Audit-mode policies report" },
        capacity: {
            type: "boolean",
            description: "print the CPU and memory the stack's pods request and limit, per namespace and in total",
        },
    },
    details: ["exit codes: 0 everything admitted and every flow right, 1 a refusal or flow failure, 2 usage mistake"],
    async run({ stack, from, rendered, verbose, capacity }) {
        const resources = await stackResources(stack!, from);
        const report = admitStack({
            stack: stack!,
            resources,
            config: stackConfig(stack!),
            rendered: rendered ? readRenderedFor(rendered) : undefined,
        });
        for (const line of formatReport(report, { verbose })) process.stdout.write(`${line}\n`);
        if (capacity) for (const line of capacityLines(report)) process.stdout.write(`${line}\n`);
        return report.ok ? 0 : 1;
    },
});

if (require.main === module) main(command);
