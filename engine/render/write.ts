import * as fs from "fs";
import * as path from "path";
import { IndexedRelease, RenderIndex, renderedFolder } from "./read";
import type { StackRender } from "./render";

/** The render's index: per release its chart, status and objects (no machine-specific paths, so renders diff cleanly). */
export function renderIndex(render: StackRender): RenderIndex {
    const releases: Record<string, IndexedRelease> = {};
    for (const r of render.releases) {
        releases[r.spec.name] = {
            urn: r.spec.urn,
            chart: r.spec.chart.name,
            version: r.spec.chart.version,
            repo: r.spec.chart.repo,
            namespace: r.spec.namespace,
            status: r.status,
            objects: r.objects.map((m) => {
                const md = (m.object.metadata ?? {}) as { name?: string; namespace?: string };
                return {
                    kind: String(m.object.kind),
                    apiVersion: String(m.object.apiVersion),
                    ...(md.namespace ? { namespace: md.namespace } : {}),
                    name: String(md.name),
                    file: `${r.spec.name}/${m.file}`,
                    ...(m.hook ? { hook: m.hook } : {}),
                };
            }),
            ...(r.warnings.length > 0 ? { warnings: r.warnings } : {}),
        };
    }
    return { stack: render.stack, helm: render.helm, kubeVersion: render.kubeVersion, apiVersions: render.apiVersions, releases };
}

/** Removes `<out>/rendered`, so a failed render leaves none of its output behind. */
export function removeRendered(outDir: string): void {
    fs.rmSync(path.join(outDir, renderedFolder), { recursive: true, force: true });
}

/** Writes `<out>/rendered/<release>/<file>` for every object, then `index.json` (its presence means the render finished). */
export function writeRendered(render: StackRender, outDir: string): { objects: number } {
    const root = path.join(outDir, renderedFolder);
    removeRendered(outDir);
    let objects = 0;
    for (const r of render.releases) {
        for (const m of r.objects) {
            const file = path.join(root, r.spec.name, m.file);
            fs.mkdirSync(path.dirname(file), { recursive: true });
            fs.writeFileSync(file, `${m.text}\n`);
            objects++;
        }
    }
    fs.mkdirSync(root, { recursive: true });
    fs.writeFileSync(path.join(root, "index.json"), JSON.stringify(renderIndex(render), null, 2) + "\n");
    return { objects };
}
