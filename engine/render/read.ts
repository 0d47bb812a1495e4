import * as fs from "fs";
import * as path from "path";
import * as yaml from "js-yaml";
import type { SynthResource } from "../../policy-pack/offline";
import { CommandError, UsageError } from "../cli";
import { readProject } from "../synth/stack-files";
import { helmReleaseType } from "./releases";

/**
 * Reading a render's output (`<out>/rendered/`): the index and every object, tagged with its
 * release, and those objects as synth resources so the policy gate (and the admission twin)
 * treat them like the program's own Kubernetes objects.
 */

/** One entry of a release's object list in `rendered/index.json`. */
export interface IndexedObject {
    kind: string;
    apiVersion: string;
    /** Absent for cluster-scoped objects. */
    namespace?: string;
    name: string;
    /** Relative to `rendered/`: `<release>/<Kind>-<namespace or _cluster>-<name>.yaml`. */
    file: string;
    /** The `helm.sh/hook` annotation of a hook. */
    hook?: string;
}

export interface IndexedRelease {
    /** URN of the program's Helm Release resource. */
    urn: string;
    chart: string;
    version: string;
    /** HTTP repository URL or the `oci://` reference. */
    repo: string;
    namespace: string;
    /** `rendered` or `not rendered: <reason>`. */
    status: string;
    objects: IndexedObject[];
    /** Helm's stderr on a successful render, when it said anything. */
    warnings?: string[];
}

/** `rendered/index.json`. */
export interface RenderIndex {
    stack: string;
    /** The Helm that rendered: `helm version --short` and where it came from. */
    helm: { version: string; source: string };
    kubeVersion: string;
    /** The `--api-versions` passed: every served version of the CRDs the stack's releases install. */
    apiVersions: string[];
    /** By Helm release name. */
    releases: Record<string, IndexedRelease>;
}

/** A chart object and the release that renders it. */
export interface RenderedObject {
    release: string;
    chart: string;
    version: string;
    object: Record<string, unknown>;
    /** URN of the release's Pulumi resource, when read from a render (the parent of the object's resource). */
    releaseUrn?: string;
}

export const renderedFolder = "rendered";

/** Reads `<dir>/rendered/index.json`; refuses a folder without a finished render. */
export function readRenderIndex(dir: string): RenderIndex {
    const file = path.join(dir, renderedFolder, "index.json");
    if (!fs.existsSync(dir)) throw new UsageError(`${dir}: no such folder (run: npm run render -- --stack <name> --out ${dir})`);
    if (!fs.existsSync(file)) throw new UsageError(`${dir}: no ${renderedFolder}/index.json there (an unfinished or failed render?)`);
    try {
        return JSON.parse(fs.readFileSync(file, "utf8")) as RenderIndex;
    } catch (err) {
        throw new CommandError(`${file}: not valid JSON: ${(err as Error).message}`);
    }
}

/** Files hold what Helm printed; the namespace Helm installs an object into (the release's, when it names none) is in the index. */
function withIndexedNamespace(object: Record<string, unknown>, entry: IndexedObject): Record<string, unknown> {
    const md = (object.metadata ?? {}) as Record<string, unknown>;
    return entry.namespace && !md.namespace ? { ...object, metadata: { ...md, namespace: entry.namespace } } : object;
}

/** Every object of every rendered release under `dir` (the render's `--out`), in index order. */
export function readRendered(dir: string): RenderedObject[] {
    const index = readRenderIndex(dir);
    return Object.entries(index.releases).flatMap(([release, r]) =>
        r.objects.map((o) => ({
            release,
            chart: r.chart,
            version: r.version,
            object: withIndexedNamespace(
                yaml.load(fs.readFileSync(path.join(dir, renderedFolder, o.file), "utf8")) as Record<string, unknown>,
                o,
            ),
            releaseUrn: r.urn,
        })),
    );
}

/** Pulumi's type token for a Kubernetes object: `kubernetes:<group or core>/<version>:<Kind>`. */
export function pulumiTypeOf(object: Record<string, unknown>): string {
    const apiVersion = String(object.apiVersion ?? "");
    const groupVersion = apiVersion.includes("/") ? apiVersion : `core/${apiVersion}`;
    return `kubernetes:${groupVersion}:${String(object.kind)}`;
}

/**
 * Rendered objects as synth resources: typed as Pulumi types them, named
 * `<release>/<namespace>/<name>` (`<release>/<name>` when cluster-scoped), children of their
 * release's resource, so every violation on one names the release.
 */
export function renderedAsSynthResources(objects: RenderedObject[], stack: string): SynthResource[] {
    let project: string | undefined;
    return objects.map((o) => {
        const md = (o.object.metadata ?? {}) as { name?: string; namespace?: string };
        const type = pulumiTypeOf(o.object);
        const name = [o.release, md.namespace, md.name ?? "unnamed"].filter((s) => s !== undefined).join("/");
        project ??= readProject().name;
        const parent = o.releaseUrn ?? `urn:pulumi:${stack}::${project}::${helmReleaseType}::${o.release}`;
        const [prefix, proj, parentType] = parent.split("::");
        return {
            urn: `${prefix}::${proj}::${parentType}$${type}::${name}`,
            type,
            name,
            parent,
            dependsOn: [],
            protect: false,
            retainOnDelete: false,
            ignoreChanges: [],
            custom: true,
            provider: null,
            inputs: o.object,
        };
    });
}
