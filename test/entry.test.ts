import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { stackRun } from "../engine/synth/run-program";
import { cliConfigForStack, repoRoot } from "../engine/synth/stack-files";

interface ProjectFile {
    name: string;
    runtime: string | { name: string; options?: { typescript?: boolean; nodeargs?: string } };
    main?: string;
}

/**
 * Where the Pulumi CLI runs the program from, after Pulumi.yaml's `main`: the program directory
 * (the runtime's working directory) and the entry point in it, `.` meaning package.json's `main`.
 */
function programLocation(project: ProjectFile): { directory: string; entryPoint: string } {
    const main = project.main ? path.resolve(repoRoot, project.main) : repoRoot;
    if (fs.statSync(main).isDirectory()) {
        const pkg = JSON.parse(fs.readFileSync(path.join(main, "package.json"), "utf8")) as { main?: string };
        return { directory: main, entryPoint: pkg.main ?? "index.js" };
    }
    return { directory: path.dirname(main), entryPoint: path.basename(main) };
}

/** The stack's config as the language host hands it over: `<namespace>:config:<name>` keys in PULUMI_CONFIG. */
function configEnvironment(stack: string): NodeJS.ProcessEnv {
    const { values, secretKeys } = cliConfigForStack(stack);
    const config = Object.fromEntries(Object.entries(values).map(([key, value]) => [key.replace(":", ":config:"), value]));
    return { PULUMI_CONFIG: JSON.stringify(config), PULUMI_CONFIG_SECRET_KEYS: JSON.stringify(secretKeys) };
}

describe("the program as the Pulumi CLI runs it", () => {
    it("Pulumi.yaml's entry point, run by the nodejs runtime without ts-node, registers what the synth does", async () => {
        const project = parse(fs.readFileSync(path.join(repoRoot, "Pulumi.yaml"), "utf8")) as ProjectFile;
        const runtime = typeof project.runtime === "string" ? { name: project.runtime } : project.runtime;
        assert.equal(runtime.name, "nodejs");
        const options = "options" in runtime ? (runtime.options ?? {}) : {};
        // The runtime would register ts-node unless told not to (its default is true); the runner models it off.
        assert.equal(options.typescript, false, "Pulumi.yaml: runtime.options.typescript");
        const { directory, entryPoint } = programLocation(project);
        const nodeargs = (options.nodeargs ?? "").split(/\s+/).filter((a) => a !== "");
        const result = spawnSync(
            process.execPath,
            [...nodeargs, path.join(repoRoot, "test", "harness", "cli-entry.js"), entryPoint, project.name, "production"],
            { cwd: directory, encoding: "utf8", env: { ...process.env, ...configEnvironment("production") } },
        );
        assert.equal(result.status, 0, result.stderr);
        const ran = JSON.parse(result.stdout) as { registered: string[]; outputs: string[]; stackHook: boolean };

        const synth = await stackRun("production");
        const registered = ran.registered.filter((r) => !r.startsWith("pulumi:pulumi:Stack::"));
        assert.deepEqual(registered.sort(), synth.resources.map((r) => `${r.type}::${r.name}`).sort());
        assert.deepEqual(ran.outputs.sort(), Object.keys(synth.outputs).sort());
        // The runtime's source-map-support, left in place, maps every stack the SDK records (per
        // resource and per output) through the SDK's own source maps: the start-up it costs is the program's again.
        assert.equal(ran.stackHook, false, "entry.js leaves cmd/run's stack-trace hook installed");
    });
});
