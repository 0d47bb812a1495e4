/**
 * Offline synth: `npm run synth -- --stack <name> --out <dir>`.
 * Runs the program for stacks/Pulumi.<name>.yaml under Pulumi's mocks and writes the stack's
 * desired state (resources.json, outputs.json, manifests/) with every secret as "[secret]".
 * On invalid config it exits 1, prints every problem, and leaves none of its output behind.
 */
import * as path from "path";
import { defineCommand, main } from "../engine/cli";
import { synthesize } from "../engine/synth/load";
import { removeSynth, writeSynth } from "../engine/synth/write";

export const command = defineCommand({
    name: "synth",
    summary: "Writes a stack's desired state offline (resources.json, outputs.json, manifests/), secrets as [secret].",
    options: {
        stack: { type: "string", value: "name", required: true, description: "stack to synthesise (stacks/Pulumi.<name>.yaml)" },
        out: { type: "string", value: "dir", required: true, description: "folder to write into" },
    },
    details: ["exit codes: 0 written, 1 invalid config (nothing written), 2 usage mistake"],
    async run({ stack, out }) {
        const outDir = path.resolve(out!);
        removeSynth(outDir);
        const run = await synthesize(stack!);
        const written = writeSynth(run, outDir);
        process.stdout.write(`stack ${stack}: ${written.resources} resources, ${written.manifests} manifests -> ${outDir}\n`);
        return 0;
    },
});

if (require.main === module) main(command);
