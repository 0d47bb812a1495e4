import * as fs from "fs";
import * as path from "path";
import type { SynthResource } from "../../policy-pack/offline";
import { CommandError, UsageError } from "../cli";
import { runStack, stackFileExists } from "./run-program";
import { listStacks, YamlFileError } from "./stack-files";
import { toSynthResources } from "./write";

/** The stack a synth's resources belong to, read from their URNs (`urn:pulumi:<stack>::...`). */
export function stackOfResources(resources: SynthResource[]): string | undefined {
    return resources[0]?.urn.split(":")[2];
}

/** Refuses a stack name with no stack file, listing the ones there are. */
export function requireStackFile(stack: string): void {
    if (!stackFileExists(stack)) {
        throw new UsageError(`no stack file stacks/Pulumi.${stack}.yaml (stacks: ${listStacks().join(", ")})`);
    }
}

/**
 * Reads an earlier synth's `resources.json` from `dir`; refuses a missing folder, an unfinished
 * synth and a synth of another stack (gating production with staging's graph proves nothing).
 */
export function readSynth(dir: string, stack: string): SynthResource[] {
    const file = path.join(dir, "resources.json");
    if (!fs.existsSync(dir)) throw new UsageError(`--from ${dir}: no such folder (run: npm run synth -- --stack ${stack} --out ${dir})`);
    if (!fs.existsSync(file)) throw new UsageError(`--from ${dir}: no resources.json there (an unfinished or failed synth?)`);
    let resources: SynthResource[];
    try {
        resources = JSON.parse(fs.readFileSync(file, "utf8")) as SynthResource[];
    } catch (err) {
        throw new CommandError(`${file}: not valid JSON: ${(err as Error).message}`);
    }
    const of = stackOfResources(resources);
    if (of !== undefined && of !== stack) throw new UsageError(`--from ${dir} is a synth of stack '${of}', not '${stack}'`);
    return resources;
}

/** Runs the program for a stack under mocks; invalid config and YAML errors become a one-message failure. */
export async function synthesize(stack: string) {
    requireStackFile(stack);
    let run;
    try {
        run = await runStack(stack);
    } catch (err) {
        if (err instanceof YamlFileError) throw new CommandError(err.message);
        throw err;
    }
    if (run.error) throw new CommandError(`stack '${stack}' does not synthesise:\n${run.error.message}`);
    return run;
}

/** A stack's resources: from `--from <dir>` when given, else synthesised now. */
export async function stackResources(stack: string, from?: string): Promise<SynthResource[]> {
    if (from) return readSynth(from, stack);
    return toSynthResources(await synthesize(stack));
}
