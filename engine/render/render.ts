import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { consultsApiVersions, lookupChart } from "./charts";
import { defaultCacheDir, exec, findHelm, Helm } from "./helm";
import {
    clusterScopedCustomKinds,
    crdApiVersions,
    dumpObject,
    hookOf,
    KubeObject,
    leadingComment,
    ManifestDoc,
    objectFileName,
    parseManifests,
    redactSecret,
    withNamespace,
} from "./objects";
import type { ReleaseSpec } from "./releases";

/**
 * Renders a stack's Helm releases the way `helm install` would for its cluster: each chart at its
 * pinned version with exactly the program's values, the release name and namespace, CRDs unless
 * the release skips them, the stack's Kubernetes version, and as API versions every CRD version
 * the stack's releases install (found by a first pass; charts that gate ServiceMonitors or
 * PodMonitors on `.Capabilities.APIVersions.Has` then render them in the second).
 */
export interface RenderOptions {
    stack: string;
    /** `major.minor` for `--kube-version` (the stack's `platform:cluster.kubernetesVersion`). */
    kubeVersion: string;
    /** Local Helm repository folder tried first. */
    chartsDir?: string;
    /** Cache for the extracted Helm and pulled charts. @default node_modules/.cache/platform-render */
    cacheDir?: string;
    /** Releases templated at once. @default 2 */
    concurrency?: number;
    /** The Helm to use. @default {@link findHelm} */
    helm?: Helm;
}

/** One object a release renders, with the file it is written to (relative to `rendered/<release>/`). */
export interface RenderedManifest {
    file: string;
    /** The object with its effective namespace (the release's, when the chart names none) and Secrets redacted. */
    object: KubeObject;
    /** The file's text: the document as Helm printed it (a Secret re-printed with its values redacted). */
    text: string;
    /** The object's `helm.sh/hook` annotation when it is a hook (tests are never rendered). */
    hook?: string;
}

export interface ReleaseRender {
    spec: ReleaseSpec;
    /** `rendered`, or `not rendered: <reason>` when the chart cannot be had. */
    status: string;
    objects: RenderedManifest[];
    /** What Helm printed on stderr for a successful render (deprecations and the like). */
    warnings: string[];
}

export interface StackRender {
    stack: string;
    helm: { version: string; source: string };
    kubeVersion: string;
    apiVersions: string[];
    releases: ReleaseRender[];
}

/** `helm template` refused one or more releases; the message names the stack and each release. */
export class ReleaseTemplateError extends Error {
    constructor(readonly failures: { release: string; message: string }[]) {
        super(failures.map((f) => f.message).join("\n"));
        this.name = "ReleaseTemplateError";
    }
}

/** Maps `items` through `fn` with at most `limit` calls in flight; results in input order. */
export async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
    const results: R[] = new Array(items.length);
    let next = 0;
    const worker = async () => {
        while (next < items.length) {
            const i = next++;
            results[i] = await fn(items[i], i);
        }
    };
    await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
    return results;
}

type TemplateResult = { stdout: string; crds: KubeObject[]; warnings: string[] } | { error: string };

/** One `helm template` of a release; values go in as a file, exactly as the program passes them. */
async function template(
    helm: Helm,
    spec: ReleaseSpec,
    archive: string,
    kubeVersion: string,
    apiVersions: string[],
): Promise<TemplateResult> {
    const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "platform-render-"));
    try {
        const valuesFile = path.join(scratch, "values.json");
        fs.writeFileSync(valuesFile, JSON.stringify(spec.values));
        const args = ["template", spec.name, archive, "--namespace", spec.namespace, "--values", valuesFile, "--kube-version", kubeVersion];
        if (!spec.skipCrds) args.push("--include-crds");
        for (const api of apiVersions) args.push("--api-versions", api);
        const result = await exec(helm.binary, args, { env: helm.env, timeoutMs: 300_000 });
        const stderr = result.stderr.split("\n").filter((l) => l.trim() !== "");
        if (result.code !== 0) return { error: stderr.map((l) => l.replace(/^Error: /, "")).join("\n") || `helm exited ${result.code}` };
        const crds = parseManifests(result.stdout, { onlyCrds: true }).map((d) => d.object);
        return { stdout: result.stdout, crds, warnings: stderr };
    } finally {
        fs.rmSync(scratch, { recursive: true, force: true });
    }
}

const releaseLabel = (stack: string, spec: ReleaseSpec) =>
    `stack ${stack}, release ${spec.name} (${spec.chart.name} ${spec.chart.version}, namespace ${spec.namespace})`;

/** Every served `group/version[/Kind]` of the CRDs among the objects, sorted. */
function apiVersionsOf(outputs: TemplateResult[]): string[] {
    const all = outputs.flatMap((o) => ("crds" in o ? o.crds.flatMap(crdApiVersions) : []));
    return [...new Set(all)].sort();
}

/** Per-release objects as written: namespace filled in, Secrets redacted, file names unique and sorted. */
function manifests(docs: ManifestDoc[], namespace: string, clusterKinds: Set<string>): RenderedManifest[] {
    const seen = new Map<string, number>();
    const out = docs.map((doc) => {
        const redactedObject = redactSecret(doc.object);
        const text = redactedObject === doc.object ? doc.text : dumpObject(redactedObject, leadingComment(doc.text));
        const object = withNamespace(redactedObject, namespace, clusterKinds);
        let file = objectFileName(object);
        const n = (seen.get(file) ?? 0) + 1;
        seen.set(file, n);
        if (n > 1) file = file.replace(/\.yaml$/, `-${n}.yaml`);
        const hook = hookOf(object);
        return { file, object, text, ...(hook ? { hook } : {}) };
    });
    return out.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
}

/** Renders every release; throws {@link ReleaseTemplateError} when Helm refuses any of them. */
export async function renderReleases(specs: ReleaseSpec[], options: RenderOptions): Promise<StackRender> {
    const cacheDir = options.cacheDir ?? defaultCacheDir;
    const limit = options.concurrency ?? 2;
    const helm = options.helm ?? (await findHelm(cacheDir));
    const lookups = await mapLimit(specs, limit, (spec) => lookupChart(helm, spec.chart, options.chartsDir, cacheDir));
    const archives = lookups.map((l) => ("archive" in l ? l.archive : undefined));
    const consulting = archives.map((a) => a !== undefined && consultsApiVersions(a));
    // Pass 1 renders every release and finds the CRDs they install; later passes re-render the
    // charts that read `.Capabilities.APIVersions`, with those CRDs' versions, until the set stops
    // growing (a CRD that is itself gated on capabilities needs a third pass).
    let apiVersions: string[] = [];
    let outputs: (TemplateResult | undefined)[] = specs.map(() => undefined);
    const renderPass = async (only: boolean[]) => {
        const results = await mapLimit(specs, limit, async (spec, i) =>
            archives[i] && only[i] ? template(helm, spec, archives[i]!, options.kubeVersion, apiVersions) : outputs[i],
        );
        outputs = results;
    };
    await renderPass(archives.map((a) => a !== undefined));
    for (let pass = 2; pass <= 4; pass++) {
        const found = apiVersionsOf(outputs.filter((o): o is TemplateResult => o !== undefined));
        if (found.join("\n") === apiVersions.join("\n")) break;
        apiVersions = found;
        await renderPass(consulting);
    }
    const failures = specs.flatMap((spec, i) => {
        const o = outputs[i];
        return o && "error" in o
            ? [{ release: spec.name, message: `${releaseLabel(options.stack, spec)}: helm template failed:\n${o.error}` }]
            : [];
    });
    if (failures.length > 0) throw new ReleaseTemplateError(failures);
    const crds = outputs.flatMap((o) => (o && "crds" in o ? o.crds : []));
    const clusterKinds = clusterScopedCustomKinds(crds);
    const releases = specs.map((spec, i): ReleaseRender => {
        const lookup = lookups[i];
        const o = outputs[i];
        if ("missing" in lookup || !o || !("stdout" in o)) {
            return { spec, status: `not rendered: ${"missing" in lookup ? lookup.missing : "no output"}`, objects: [], warnings: [] };
        }
        return {
            spec,
            status: "rendered",
            objects: manifests(parseManifests(o.stdout), spec.namespace, clusterKinds),
            warnings: o.warnings,
        };
    });
    return {
        stack: options.stack,
        helm: { version: helm.version, source: helm.source },
        kubeVersion: options.kubeVersion,
        apiVersions,
        releases,
    };
}
