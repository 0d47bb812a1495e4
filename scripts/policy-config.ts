/**
 * Writes the `--policy-pack-config` file for a real preview or update:
 * `npm run policy-config -- --stack <name> --state <pulumi stack export file> --out <file>`.
 * It is the stack's committed policy config plus the chart version every Helm release has in
 * the stack's current state, which the `helm-no-downgrade` policy compares against.
 */
import * as fs from "fs";
import { parseArgs } from "util";
import { committedPolicyConfig, withCrossStackFacts } from "../engine/gate";

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

function main(): number {
    const { values } = parseArgs({ options: { stack: { type: "string" }, state: { type: "string" }, out: { type: "string" } } });
    if (!values.stack || !values.out) {
        process.stderr.write("usage: npm run policy-config -- --stack <name> [--state <export.json>] --out <file>\n");
        return 2;
    }
    const committed = committedPolicyConfig(values.stack);
    if (!committed) {
        process.stderr.write(`no policy config policy-pack/config/${values.stack}.json\n`);
        return 2;
    }
    const config = withCrossStackFacts(values.stack, committed);
    const state = values.state && fs.existsSync(values.state) ? JSON.parse(fs.readFileSync(values.state, "utf8")) : {};
    const deployed = deployedChartVersions(state);
    const own = config["helm-no-downgrade"];
    config["helm-no-downgrade"] = {
        ...(typeof own === "object" ? own : own ? { enforcementLevel: own } : {}),
        deployedChartVersions: deployed,
    };
    fs.writeFileSync(values.out, JSON.stringify(config, null, 2) + "\n");
    process.stdout.write(`${values.out}: ${Object.keys(deployed).length} deployed release version(s)\n`);
    return 0;
}

if (require.main === module) process.exit(main());
