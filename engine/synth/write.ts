import * as fs from "fs";
import * as path from "path";
import { dump } from "js-yaml";
import type { SynthResource } from "../../policy-pack/offline";
import type { ProgramRun, RegisteredResource } from "./run-program";

/** Plain JSON with every secret replaced by "[secret]" (SecretValue.toJSON). */
function redact<T>(value: T): T {
    return JSON.parse(JSON.stringify(value)) as T;
}

export function toSynthResources(run: ProgramRun): SynthResource[] {
    return run.resources.map((r) =>
        redact({
            urn: r.urn,
            type: r.type,
            name: r.name,
            parent: r.parent,
            dependsOn: r.dependsOn,
            protect: r.protect,
            retainOnDelete: r.retainOnDelete,
            ignoreChanges: r.ignoreChanges,
            custom: r.custom,
            provider: r.provider,
            aliases: r.aliases,
            inputs: r.inputs,
        }),
    );
}

/** Kubernetes objects the program creates directly (not providers, not Helm releases). */
export function isKubernetesObject(r: Pick<RegisteredResource, "type" | "inputs"> & { custom?: boolean }): boolean {
    return (
        r.custom === true &&
        r.type.startsWith("kubernetes:") &&
        !r.type.startsWith("kubernetes:helm.sh/") &&
        typeof r.inputs.kind === "string"
    );
}

function manifestPath(obj: Record<string, unknown>): string {
    const md = (obj.metadata ?? {}) as { name?: string; namespace?: string };
    const scope = md.namespace ?? "_cluster";
    return path.join(scope, `${String(obj.kind)}-${md.name ?? "unnamed"}.yaml`);
}

/** What a synth writes into its folder; removed before every synth, so a failed one leaves none of it. */
export const synthOutputs = ["resources.json", "outputs.json", "manifests"] as const;

export function removeSynth(outDir: string): void {
    for (const entry of synthOutputs) fs.rmSync(path.join(outDir, entry), { recursive: true, force: true });
}

/**
 * How a manifest is printed: keys in the program's order, no line folding, no anchors for repeated
 * values, double quotes where quotes are needed. js-yaml also quotes strings that YAML 1.1 reads
 * as booleans (`"yes"`, `"on"`), as kubectl's parser does, and prints several times faster.
 */
const manifestStyle = { lineWidth: -1, noRefs: true, quotingType: '"' } as const;

/** Writes `resources.json`, `outputs.json` and `manifests/` for a successful run. */
export function writeSynth(run: ProgramRun, outDir: string): { resources: number; manifests: number } {
    const resources = toSynthResources(run);
    const manifestsDir = path.join(outDir, "manifests");
    removeSynth(outDir);
    fs.mkdirSync(outDir, { recursive: true });
    // Composed in memory (objects of one kind and name in one namespace share a file), then each
    // folder made and each file written once.
    const files = new Map<string, string>();
    const objects = resources.filter(isKubernetesObject);
    for (const r of objects) {
        const file = path.join(manifestsDir, manifestPath(r.inputs));
        const doc = dump(r.inputs, manifestStyle);
        const before = files.get(file);
        files.set(file, before === undefined ? doc : `${before}---\n${doc}`);
    }
    for (const dir of new Set([...files.keys()].map((file) => path.dirname(file)))) fs.mkdirSync(dir, { recursive: true });
    for (const [file, text] of files) fs.writeFileSync(file, text);
    fs.writeFileSync(path.join(outDir, "outputs.json"), JSON.stringify(redact(run.outputs), null, 2) + "\n");
    // resources.json last: its presence means the synth completed.
    fs.writeFileSync(path.join(outDir, "resources.json"), JSON.stringify(resources, null, 2) + "\n");
    return { resources: resources.length, manifests: objects.length };
}
