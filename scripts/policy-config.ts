/**
 * Writes the `--policy-pack-config` file for a real preview or update:
 * `npm run policy-config -- --stack <name> --state <pulumi stack export file> --out <file>`.
 * It is the stack's committed policy config plus the chart version every Helm release has in
 * the stack's current state, which the `helm-no-downgrade` policy compares against.
 */
import * as fs from "fs";
import { CommandError, defineCommand, main, UsageError } from "../engine/cli";
import { resolvePolicyConfig } from "../engine/policy-config";

interface StateResource {
    type: string;
    inputs?: { name?: string; namespace?: string; version?: string };
    outputs?: { name?: string; namespace?: string; version?: string };
}

/** `namespace/name` -> chart version of every Helm release in a `pulumi stack export` document. */
export function deployedChartVersions(state: { deployment?: { resources?: StateResource[] } }): Record<string, string> {
    const versions: Record<string, string> = {};
    for (const r of state.deployment?.resources ?? []) {
        if (r.type !== "kubernetes:helm.sh/v3:Release") continue;
        const props = { ...r.inputs, ...r.outputs };
        if (props.name && props.namespace && props.version) versions[`${props.namespace}/${props.name}`] = props.version;
    }
    return versions;
}

function readState(file: string): { deployment?: { resources?: StateResource[] } } {
    if (!fs.existsSync(file))
        throw new UsageError(`--state ${file}: no such file (write it with: pulumi stack export --stack <stack> > ${file})`);
    try {
        return JSON.parse(fs.readFileSync(file, "utf8"));
    } catch (err) {
        throw new CommandError(`${file}: not a 'pulumi stack export' document: ${(err as Error).message}`);
    }
}

export const command = defineCommand({
    name: "policy-config",
    summary: "Writes a stack's policy pack config for a real preview or update, with the chart versions deployed now.",
    options: {
        stack: { type: "string", value: "name", required: true, description: "stack whose policy-pack/config/<name>.json to start from" },
        state: { type: "string", value: "export.json", description: "`pulumi stack export` of the stack (default: nothing deployed yet)" },
        out: { type: "string", value: "file", required: true, description: "file to write" },
    },
    details: ["exit codes: 0 written, 1 unreadable state, 2 usage mistake"],
    run({ stack, state, out }) {
        const resolved = resolvePolicyConfig(stack!);
        if (resolved.problems.length > 0) {
            throw new CommandError(resolved.problems.map((p) => `[mandatory] ${p.policy}: ${p.message}`).join("\n"));
        }
        const config = resolved.config;
        const deployed = deployedChartVersions(state ? readState(state) : {});
        const own = config["helm-no-downgrade"];
        config["helm-no-downgrade"] = {
            ...(typeof own === "object" ? own : own ? { enforcementLevel: own } : {}),
            deployedChartVersions: deployed,
        };
        fs.writeFileSync(out!, JSON.stringify(config, null, 2) + "\n");
        process.stdout.write(`${out}: ${Object.keys(deployed).length} deployed release version(s)\n`);
        return 0;
    },
});

if (require.main === module) main(command);
