import { createHash } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { gunzipSync } from "zlib";
import { parse } from "yaml";
import { exec, Helm } from "./helm";

/**
 * Where a release's chart archive comes from: a local Helm repository folder (`index.yaml` plus
 * `<name>-<version>.tgz`), else the cache of charts pulled earlier, else the release's own
 * repository (HTTP repo or OCI registry), pulled into the cache. Only the exact pinned version
 * is ever used: a version nobody has is reported, never replaced by another.
 */
export interface ChartSource {
    /** Chart name: the chart of an HTTP repository, or the last path segment of an `oci://` reference. */
    name: string;
    /** Exact pinned version. */
    version: string;
    /** The HTTP repository URL or the full `oci://` reference the release names. */
    repo: string;
}

export type ChartLookup = { archive: string; from: string } | { missing: string };

interface RepoIndex {
    entries?: Record<string, { version?: string; urls?: string[]; digest?: string }[]>;
}

/** The chart a Helm release input names (`chart` plus `repositoryOpts.repo`, or an `oci://` chart). */
export function chartSourceOf(inputs: { chart?: unknown; version?: unknown; repositoryOpts?: { repo?: unknown } }): ChartSource {
    const chart = String(inputs.chart ?? "");
    const version = String(inputs.version ?? "");
    if (chart.startsWith("oci://")) return { name: chart.replace(/\/+$/, "").split("/").pop()!, version, repo: chart };
    return { name: chart, version, repo: String(inputs.repositoryOpts?.repo ?? "") };
}

const sha256 = (file: string) => createHash("sha256").update(fs.readFileSync(file)).digest("hex");

/**
 * The archive for exactly `name@version` in a local repository folder: the `index.yaml` entry when
 * there is one (its digest checked), else `<name>-<version>.tgz` when the folder has no index.
 */
export function findInLocalRepository(dir: string, chart: Pick<ChartSource, "name" | "version">): string | undefined {
    const indexFile = path.join(dir, "index.yaml");
    if (!fs.existsSync(indexFile)) {
        const archive = path.join(dir, `${chart.name}-${chart.version}.tgz`);
        return fs.existsSync(archive) ? archive : undefined;
    }
    const index = parse(fs.readFileSync(indexFile, "utf8")) as RepoIndex;
    const entry = index.entries?.[chart.name]?.find((e) => String(e.version) === chart.version);
    const url = entry?.urls?.find((u) => !/^[a-z]+:\/\//i.test(u));
    if (!entry || !url) return undefined;
    const archive = path.resolve(dir, url);
    if (!fs.existsSync(archive)) return undefined;
    if (entry.digest && sha256(archive) !== entry.digest) {
        throw new Error(`${archive} does not match the digest ${entry.digest} in ${indexFile}`);
    }
    return archive;
}

/** Pulls exactly `name@version` from its repository into `cacheDir`; the reason on failure. */
async function pull(helm: Helm, chart: ChartSource, target: string): Promise<string | undefined> {
    const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "platform-render-pull-"));
    try {
        const ref = chart.repo.startsWith("oci://") ? [chart.repo] : [chart.name, "--repo", chart.repo];
        const result = await exec(helm.binary, ["pull", ...ref, "--version", chart.version, "--destination", scratch], {
            env: helm.env,
            timeoutMs: 120_000,
        });
        const pulled = fs.readdirSync(scratch).filter((f) => f.endsWith(".tgz"));
        if (result.code !== 0 || pulled.length !== 1) {
            return (result.stderr.trim().split("\n").pop() ?? "").replace(/^Error: /, "") || `helm pull exited ${result.code}`;
        }
        fs.mkdirSync(path.dirname(target), { recursive: true });
        fs.copyFileSync(path.join(scratch, pulled[0]), `${target}.partial`);
        fs.renameSync(`${target}.partial`, target);
        return undefined;
    } finally {
        fs.rmSync(scratch, { recursive: true, force: true });
    }
}

/**
 * Finds or fetches a release's chart. `chartsDir` is the local repository (may be undefined when
 * there is none); pulled charts are kept under `<cacheDir>/charts/<repo host and path>/`.
 */
export async function lookupChart(helm: Helm, chart: ChartSource, chartsDir: string | undefined, cacheDir: string): Promise<ChartLookup> {
    if (chartsDir && fs.existsSync(chartsDir)) {
        const local = findInLocalRepository(chartsDir, chart);
        if (local) return { archive: local, from: chartsDir };
    }
    const cached = path.join(
        cacheDir,
        "charts",
        chart.repo.replace(/^[a-z]+:\/\//i, "").replace(/[^A-Za-z0-9._-]+/g, "_"),
        `${chart.name}-${chart.version}.tgz`,
    );
    if (fs.existsSync(cached)) return { archive: cached, from: chart.repo };
    const where = chartsDir ?? "no local chart folder";
    if (!chart.repo) return { missing: `${chart.name}@${chart.version} not in ${where} and the release names no repository` };
    const reason = await pull(helm, chart, cached);
    if (reason === undefined) return { archive: cached, from: chart.repo };
    return { missing: `${chart.name}@${chart.version} not in ${where} and ${chart.repo} unreachable (${reason})` };
}

/**
 * Whether a chart's output can depend on `--api-versions`: its archive mentions `APIVersions`
 * (templates read `.Capabilities.APIVersions`) or nests other archives (which a plain search
 * cannot see into). Errs towards yes: a yes only costs a second `helm template`.
 */
export function consultsApiVersions(archive: string): boolean {
    const tar = gunzipSync(fs.readFileSync(archive));
    return tar.includes("APIVersions") || tar.includes(".tgz\0");
}
