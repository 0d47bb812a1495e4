import * as fs from "fs";
import * as path from "path";
import { CommandError, UsageError } from "../cli";
import { requireStackFile, stackResources } from "../synth/load";
import { repoRoot, stackConfig, YamlFileError } from "../synth/stack-files";
import { releasesOf } from "./releases";
import { renderReleases, RenderOptions, StackRender } from "./render";

/** The offline chart mirror next to the repository (`../shared/charts`), when it exists. */
export const siblingChartsDir = path.resolve(repoRoot, "..", "shared", "charts");

/**
 * The local chart repository to try first: `--charts`, else `$PLATFORM_CHARTS_DIR`, else
 * `../shared/charts` when it exists; undefined means every chart is pulled from its repository.
 */
export function chartsDirFor(option: string | undefined, env: NodeJS.ProcessEnv = process.env): string | undefined {
    const given = option ?? env.PLATFORM_CHARTS_DIR;
    if (given !== undefined) {
        const dir = path.resolve(given);
        if (!fs.existsSync(dir)) throw new UsageError(`${option ? "--charts" : "PLATFORM_CHARTS_DIR"} ${given}: no such folder`);
        return dir;
    }
    return fs.existsSync(siblingChartsDir) ? siblingChartsDir : undefined;
}

/** The stack's `platform:cluster.kubernetesVersion` (validated with the rest of its config). */
export function stackKubernetesVersion(stack: string): string {
    try {
        return stackConfig(stack).cluster.kubernetesVersion;
    } catch (err) {
        if (err instanceof YamlFileError) throw new CommandError(err.message);
        throw new CommandError(`stack '${stack}' has invalid config:\n${(err as Error).message}`);
    }
}

/** `--require-all`: refuses a render in which any release's chart could not be had, naming each. */
export function requireAllRendered(render: StackRender): void {
    const missing = render.releases.filter((r) => r.status !== "rendered");
    if (missing.length === 0) return;
    throw new CommandError(
        `stack ${render.stack}: ${missing.length} release(s) not rendered and --require-all is set:\n` +
            missing.map((r) => `  ${r.spec.name}: ${r.status}`).join("\n"),
    );
}

/** Renders every Helm release of a stack: its synth from `from` (or synthesised now), its config's Kubernetes version. */
export async function renderStack(
    stack: string,
    options: { from?: string } & Omit<RenderOptions, "stack" | "kubeVersion"> = {},
): Promise<StackRender> {
    requireStackFile(stack);
    const resources = await stackResources(stack, options.from);
    return renderReleases(releasesOf(resources), { ...options, stack, kubeVersion: stackKubernetesVersion(stack) });
}
