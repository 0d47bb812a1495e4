/**
 * Offline policy gate: `npm run policy -- --stack <name> [--from <synth dir>]`.
 * Synthesises the stack under mocks (or reads an existing synth's resources.json), runs every
 * policy of policy-pack/ with the stack's policy config (policy-pack/config/<stack>.json), lists
 * each violation and exits non-zero when a mandatory one fails. Needs no cloud credentials, so a
 * pull request from a fork can run it.
 */
import * as fs from "fs";
import * as path from "path";
import { parseArgs } from "util";
import { formatViolation, SynthResource } from "../policy-pack/offline";
import { policies } from "../policy-pack/policies";
import { runGate } from "../test/harness/gate";
import { runStack, stackFileExists } from "../test/harness/run-program";
import { toSynthResources } from "../test/harness/synth";

async function main(): Promise<number> {
    const { values } = parseArgs({ options: { stack: { type: "string" }, from: { type: "string" } } });
    if (!values.stack) {
        process.stderr.write("usage: npm run policy -- --stack <name> [--from <synth dir>]\n");
        return 2;
    }
    let resources: SynthResource[];
    if (values.from) {
        resources = JSON.parse(fs.readFileSync(path.join(values.from, "resources.json"), "utf8")) as SynthResource[];
    } else {
        if (!stackFileExists(values.stack)) {
            process.stderr.write(`no stack file stacks/Pulumi.${values.stack}.yaml\n`);
            return 2;
        }
        const run = await runStack(values.stack);
        if (run.error) {
            process.stderr.write(`stack '${values.stack}' does not synthesise:\n${run.error.message}\n`);
            return 1;
        }
        resources = toSynthResources(run);
    }
    const violations = runGate(values.stack, resources);
    for (const v of violations) process.stdout.write(`${formatViolation(v)}\n`);
    const mandatory = violations.filter((v) => v.level === "mandatory");
    process.stdout.write(
        `policy gate for stack ${values.stack}: ${resources.length} resources, ${policies.length} policies, ` +
            `${mandatory.length} mandatory and ${violations.length - mandatory.length} advisory violation(s)\n`,
    );
    return mandatory.length > 0 ? 1 : 0;
}

main().then(
    (code) => process.exit(code),
    (err) => {
        process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
        process.exit(1);
    },
);
