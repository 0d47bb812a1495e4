/**
 * Offline synth: `npm run synth -- --stack <name> --out <dir>`.
 * Runs the program for stacks/Pulumi.<name>.yaml under Pulumi's mocks and writes the stack's
 * desired state (resources.json, outputs.json, manifests/) with every secret as "[secret]".
 * Exits non-zero, printing the problems to stderr and writing no resources.json, when the
 * config is invalid.
 */
import * as fs from "fs";
import * as path from "path";
import { parseArgs } from "util";
import { runStack, stackFileExists } from "../test/harness/run-program";
import { listStacks } from "../test/harness/stack-files";
import { writeSynth } from "../test/harness/synth";

async function main(): Promise<number> {
    const { values } = parseArgs({ options: { stack: { type: "string" }, out: { type: "string" } } });
    if (!values.stack || !values.out) {
        process.stderr.write("usage: npm run synth -- --stack <name> --out <dir>\n");
        return 2;
    }
    if (!stackFileExists(values.stack)) {
        process.stderr.write(`no stack file stacks/Pulumi.${values.stack}.yaml (stacks: ${listStacks().join(", ")})\n`);
        return 2;
    }
    const outDir = path.resolve(values.out);
    fs.mkdirSync(outDir, { recursive: true });
    fs.rmSync(path.join(outDir, "resources.json"), { force: true });

    const run = await runStack(values.stack);
    if (run.error) {
        process.stderr.write(`synth of stack '${values.stack}' failed:\n${run.error.message}\n`);
        return 1;
    }
    const written = writeSynth(run, outDir);
    process.stdout.write(`stack ${values.stack}: ${written.resources} resources, ${written.manifests} manifests -> ${outDir}\n`);
    return 0;
}

main().then(
    (code) => process.exit(code),
    (err) => {
        process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
        process.exit(1);
    },
);
