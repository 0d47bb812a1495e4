"use strict";
/**
 * Runs the program the way the Pulumi CLI's nodejs runtime (@pulumi/pulumi/cmd/run) does, against
 * Pulumi's mocks instead of an engine. test/entry.test.ts starts it as the language host starts
 * the runtime: with Pulumi.yaml's `nodeargs`, in the program directory, the stack's config in
 * PULUMI_CONFIG, and, as `typescript: false` says, without ts-node. Plain JavaScript, and nothing
 * of this repository is loaded before the entry point: the entry point must make the program's
 * TypeScript loadable by itself. Prints the registrations, the stack's output names and whether a
 * stack-trace hook is installed, as JSON.
 *
 * usage: node [nodeargs] cli-entry.js <entry point> <project> <stack>
 */
const path = require("path");
// As cmd/run: stack traces through source-map-support, then the SDK, before the program loads.
require(require.resolve("source-map-support/register", { paths: [require.resolve("@pulumi/pulumi")] }));
const pulumi = require("@pulumi/pulumi");
const settings = require("@pulumi/pulumi/runtime/settings");

async function main([entryPoint, project, stack]) {
    // As run.js for a CommonJS package: the entry point, relative to the program directory, required.
    const programExport = require(path.join(process.cwd(), entryPoint));
    // The entry point has registered the TypeScript loader: the engine's mocks load now.
    const { platformMocks } = require("../../engine/synth/mocks.ts");
    await pulumi.runtime.setMocks(platformMocks(), project, stack, false);
    const registered = [];
    const monitor = pulumi.runtime.getMonitor();
    const register = monitor.registerResource.bind(monitor);
    monitor.registerResource = (req, callback) => {
        registered.push(`${req.getType()}::${req.getName()}`);
        return register(req, callback);
    };
    const outputs = await pulumi.runtime.runInPulumiStack(async () =>
        typeof programExport === "function" ? programExport() : programExport,
    );
    await settings.waitForRPCs();
    // Whether a stack-trace hook (cmd/run's source-map-support) is still mapping every stack the SDK records.
    const stackHook = typeof Error.prepareStackTrace === "function";
    return { registered, outputs: Object.keys(outputs ?? {}), stackHook };
}

main(process.argv.slice(2)).then(
    (result) => process.stdout.write(JSON.stringify(result)),
    (err) => {
        process.stderr.write(`${(err && err.stack) || err}\n`);
        process.exit(1);
    },
);
