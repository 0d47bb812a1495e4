/**
 * Rendered releases: `npm run render -- --stack <name> --out <dir> [--charts <dir>] [--from <synth dir>] [--require-all]`.
 * Templates every Helm release of the stack with `helm template` at its pinned chart and version,
 * with exactly the program's values, and writes `<dir>/rendered/<release>/<Kind>-<namespace>-<name>.yaml`
 * plus `<dir>/rendered/index.json`. Secrets in the output read "[secret]", as in synth.
 */
import * as path from "path";
import { CommandError, defineCommand, main } from "../engine/cli";
import { ReleaseTemplateError } from "../engine/render/render";
import { chartsDirFor, renderStack, requireAllRendered } from "../engine/render/stack";
import { removeRendered, writeRendered } from "../engine/render/write";

export const command = defineCommand({
    name: "render",
    summary:
        "Renders every Helm release of a stack (helm template at the pinned chart, with the program's values) into files and an index.",
    options: {
        stack: { type: "string", value: "name", required: true, description: "stack to render (stacks/Pulumi.<name>.yaml)" },
        out: { type: "string", value: "dir", required: true, description: "folder to write rendered/ into" },
        charts: {
            type: "string",
            value: "dir",
            description: "local Helm repository (index.yaml + <name>-<version>.tgz) (default: $PLATFORM_CHARTS_DIR, else ../shared/charts)",
        },
        from: { type: "string", value: "dir", description: "an earlier synth of the same stack (default: synthesise now)" },
        "require-all": { type: "boolean", description: "fail when any release's chart cannot be had" },
    },
    details: [
        "A chart that is neither in the local repository nor in the cache is pulled from the release's repository;",
        "when that fails too the release is reported 'not rendered' (exit 0 unless --require-all). No other version is ever used.",
        "exit codes: 0 rendered, 1 Helm refused a release (values schema, template error) or a chart is missing with --require-all, 2 usage mistake",
    ],
    async run(options) {
        const stack = options.stack!;
        const outDir = path.resolve(options.out!);
        const chartsDir = chartsDirFor(options.charts);
        removeRendered(outDir);
        let render;
        try {
            render = await renderStack(stack, { from: options.from, chartsDir });
        } catch (err) {
            if (err instanceof ReleaseTemplateError) throw new CommandError(err.message);
            throw err;
        }
        const written = writeRendered(render, outDir);
        const missing = render.releases.filter((r) => r.status !== "rendered");
        for (const r of render.releases) {
            const counted = r.status === "rendered" ? `${r.objects.length} objects` : r.status;
            process.stdout.write(`  ${r.spec.name} (${r.spec.chart.name} ${r.spec.chart.version}): ${counted}\n`);
            for (const w of r.warnings) process.stderr.write(`  ${r.spec.name}: helm: ${w}\n`);
        }
        process.stdout.write(
            `stack ${stack}: ${render.releases.length - missing.length}/${render.releases.length} releases, ${written.objects} objects ` +
                `(helm ${render.helm.version}, Kubernetes ${render.kubeVersion}, charts from ${chartsDir ?? "their repositories"}) -> ${path.join(outDir, "rendered")}\n`,
        );
        if (options["require-all"]) requireAllRendered(render);
        return 0;
    },
});

if (require.main === module) main(command);
