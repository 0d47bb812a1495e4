import * as fs from "fs";
import * as path from "path";
import type * as Yaml from "yaml";
import { parseStackConfig, type PlatformConfig } from "../../components/config";
import { filesUnder, onDisk } from "./disk-cache";

/** The strict YAML parser, loaded on first use: a synth whose files are all cached never needs it. */
const yaml = () => require("yaml") as typeof Yaml;

/** Repository root (where Pulumi.yaml lives). */
export const repoRoot = path.resolve(__dirname, "..", "..");
/** Where stack files are read from; `PLATFORM_STACKS_DIR` points tests and tools elsewhere (read on every call). */
export function stacksDir(): string {
    return process.env.PLATFORM_STACKS_DIR ? path.resolve(process.env.PLATFORM_STACKS_DIR) : path.join(repoRoot, "stacks");
}

/** Marks a value that was `secure:` in a stack file and could not be decrypted offline. */
export const securePlaceholder = (key: string) => `[secure placeholder for ${key}]`;

/** Config as the CLI would hand it to the program: qualified keys, string values, secret keys. */
export interface CliConfig {
    values: Record<string, string>;
    secretKeys: string[];
}

/** Stack names for which a `stacks/Pulumi.<stack>.yaml` exists. */
export function listStacks(): string[] {
    return fs
        .readdirSync(stacksDir())
        .map((f) => /^Pulumi\.([A-Za-z0-9_.-]+)\.yaml$/.exec(f)?.[1])
        .filter((s): s is string => s !== undefined)
        .sort();
}

export function stackFilePath(stack: string): string {
    return path.join(stacksDir(), `Pulumi.${stack}.yaml`);
}

interface ProjectFile {
    name: string;
    config?: Record<string, unknown>;
}

let project: { text: string; parsed: ProjectFile } | undefined;

/** Pulumi.yaml, parsed again only when its text changed (every run of the program reads it). */
export function readProject(): ProjectFile {
    const text = fs.readFileSync(path.join(repoRoot, "Pulumi.yaml"), "utf8");
    if (project?.text !== text) {
        const parsed = onDisk("platform-config", [readerIdentity(), "Pulumi.yaml", text], () => parseYamlFile(text, "Pulumi.yaml"));
        project = { text, parsed: parsed as ProjectFile };
    }
    return project.parsed;
}

/** A YAML file that does not parse: the message names the file, line and column. */
export class YamlFileError extends Error {
    constructor(
        readonly file: string,
        readonly line: number,
        readonly column: number,
        problem: string,
    ) {
        super(`${file}:${line}:${column}: ${problem}`);
        this.name = "YamlFileError";
    }
}

/** Parses YAML text read from `file`, turning syntax errors into a {@link YamlFileError}. */
export function parseYamlFile(text: string, file: string): unknown {
    try {
        return yaml().parse(text);
    } catch (err) {
        if (err instanceof yaml().YAMLParseError) {
            const [line, column] = err.linePos ? [err.linePos[0].line, err.linePos[0].col] : [0, 0];
            // The library's message repeats the position and quotes the source; keep the first line's reason.
            const problem = err.message.split("\n")[0].replace(/ at line \d+, column \d+:?$/, "");
            throw new YamlFileError(file, line, column, problem);
        }
        throw err;
    }
}

/** Committed Pulumi ESC environment definitions: environment `<project>/<env>` is `esc/<project>/<env>.yaml`. */
export const escDir = path.join(repoRoot, "esc");

/** Where a YAML node sits in `text` (1-based line and column), for messages that point at it. */
function positionOf(text: string, at: (string | number)[]): [number, number] {
    const lineCounter = new (yaml().LineCounter)();
    const node = yaml().parseDocument(text, { lineCounter }).getIn(at, true) as { range?: [number, number, number] } | undefined;
    const pos = node?.range ? lineCounter.linePos(node.range[0]) : { line: 0, col: 0 };
    return [pos.line, pos.col];
}

/** A place in a YAML file that a message may name. */
export interface YamlPlace {
    file: string;
    line: number;
    column: number;
}

/**
 * The place of the node at `at` in `text`, found only when a message reads it: finding it parses
 * the whole file again, which every run would otherwise pay for the errors it almost never has.
 */
function placeOf(file: string, text: string, at: (string | number)[]): YamlPlace {
    let pos: [number, number] | undefined;
    const find = () => (pos ??= positionOf(text, at));
    return {
        file,
        get line() {
            return find()[0];
        },
        get column() {
            return find()[1];
        },
    };
}

/** The ESC environments a stack file imports: `environment: [a, b]` (or the `imports:` form). */
function importedEnvironments(stack: { environment?: unknown }): string[] {
    const env = stack.environment;
    const list = Array.isArray(env) ? env : isRecord(env) && Array.isArray(env.imports) ? env.imports : [];
    return list.filter((e): e is string => typeof e === "string");
}

/**
 * The config keys ESC environment `name` (and the environments it imports) hands the stack:
 * the keys of `values.pulumiConfig` in its committed definition. Their values are ESC
 * interpolations and provider calls (`fn::open::aws-secrets`) that only Pulumi Cloud can
 * evaluate, so offline each key becomes a placeholder marked secret, like a `secure:` value.
 */
export function escConfigKeys(name: string, importedBy: YamlPlace, seen: string[] = []): string[] {
    const file = path.join(escDir, `${name}.yaml`);
    const rel = path.relative(repoRoot, file);
    if (seen.includes(name))
        throw new YamlFileError(importedBy.file, importedBy.line, importedBy.column, `ESC import cycle through '${name}'`);
    if (!fs.existsSync(file)) {
        throw new YamlFileError(
            importedBy.file,
            importedBy.line,
            importedBy.column,
            `imports ESC environment '${name}', but ${rel} does not exist: commit its definition so offline runs know which keys it provides`,
        );
    }
    const text = fs.readFileSync(file, "utf8");
    const doc = (parseYamlFile(text, rel) ?? {}) as { imports?: unknown; values?: { pulumiConfig?: unknown } };
    const imports = Array.isArray(doc.imports) ? doc.imports.filter((i): i is string => typeof i === "string") : [];
    const inherited = imports.flatMap((imported, i) => escConfigKeys(imported, placeOf(rel, text, ["imports", i]), [...seen, name]));
    const own = isRecord(doc.values?.pulumiConfig) ? Object.keys(doc.values.pulumiConfig) : [];
    return [...new Set([...inherited, ...own])];
}

/**
 * Reads Pulumi.yaml defaults and a stack file's `config:` the way the CLI does: bare keys belong
 * to the project namespace, project `default:`s apply unless the stack sets the key, structured
 * values are passed JSON-encoded, and `secure:` values (which only the CLI can decrypt) become
 * placeholders marked secret, so offline runs never fail on them and never see plaintext. Keys an
 * imported ESC environment provides become such placeholders too; a key set both there and in
 * the stack file is refused (keep one source for each secret).
 */
export function cliConfigFromYaml(stackYaml: string, project: ProjectFile = readProject(), file = "stack file"): CliConfig {
    // The strict YAML parser costs a starting process a tenth of a second or more: the result is
    // kept on disk, keyed by all it depends on (this file's code, the parser, Pulumi.yaml, the
    // stack file and every ESC definition). The file name only ever appears in errors, never cached.
    return onDisk("platform-config", [readerIdentity(), JSON.stringify(project), stackYaml, ...filesUnder(escDir)], () =>
        readCliConfig(stackYaml, project, file),
    );
}

let reader: string | undefined;
/** This module's own source and the YAML parser's version: a change to either changes every result. */
function readerIdentity(): string {
    return (reader ??= `${fs.readFileSync(__filename, "utf8")}\nyaml ${(require("yaml/package.json") as { version: string }).version}`);
}

function readCliConfig(stackYaml: string, project: ProjectFile, file: string): CliConfig {
    const qualify = (key: string) => (key.includes(":") ? key : `${project.name}:${key}`);
    const values: Record<string, string> = {};
    const secretKeys: string[] = [];
    const set = (key: string, value: unknown) => {
        const { plain, secret } = stripSecure(key, value);
        values[key] = typeof plain === "string" ? plain : JSON.stringify(plain);
        if (secret && !secretKeys.includes(key)) secretKeys.push(key);
    };
    for (const [key, decl] of Object.entries(project.config ?? {})) {
        if (isRecord(decl) && ("default" in decl || "value" in decl)) {
            set(qualify(key), "value" in decl ? decl.value : decl.default);
        } else {
            set(qualify(key), decl);
        }
    }
    const stack = (parseYamlFile(stackYaml, file) ?? {}) as { config?: Record<string, unknown>; environment?: unknown };
    const fromEsc = new Map<string, string>();
    importedEnvironments(stack).forEach((name, i) => {
        const at = Array.isArray(stack.environment) ? ["environment", i] : ["environment", "imports", i];
        for (const key of escConfigKeys(name, placeOf(file, stackYaml, at))) {
            const qualified = qualify(key);
            fromEsc.set(qualified, name);
            set(qualified, { secure: "esc" });
        }
    });
    for (const [key, value] of Object.entries(stack.config ?? {})) {
        const env = fromEsc.get(qualify(key));
        if (env !== undefined) {
            const [line, column] = positionOf(stackYaml, ["config", key]);
            throw new YamlFileError(
                file,
                line,
                column,
                `${qualify(key)} is also provided by ESC environment '${env}': set it in one place`,
            );
        }
        set(qualify(key), value);
    }
    return { values, secretKeys };
}

export function cliConfigForStack(stack: string): CliConfig {
    return cliConfigFromYaml(fs.readFileSync(stackFilePath(stack), "utf8"), readProject(), path.relative(repoRoot, stackFilePath(stack)));
}

function stripSecure(key: string, value: unknown): { plain: unknown; secret: boolean } {
    if (isRecord(value) && Object.keys(value).length === 1 && typeof value.secure === "string") {
        return { plain: securePlaceholder(key), secret: true };
    }
    if (Array.isArray(value)) {
        const parts = value.map((v, i) => stripSecure(`${key}[${i}]`, v));
        return { plain: parts.map((p) => p.plain), secret: parts.some((p) => p.secret) };
    }
    if (isRecord(value)) {
        const entries = Object.entries(value).map(([k, v]) => [k, stripSecure(`${key}.${k}`, v)] as const);
        return {
            plain: Object.fromEntries(entries.map(([k, p]) => [k, p.plain])),
            secret: entries.some(([, p]) => p.secret),
        };
    }
    return { plain: value, secret: false };
}

function isRecord(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A committed stack file's validated config (tests assert against what the stack file says). */
export function stackConfig(stack: string): PlatformConfig {
    const result = parseStackConfig({ ...cliConfigForStack(stack), source: `stacks/Pulumi.${stack}.yaml` });
    if (!result.ok) throw new Error(result.problems.join("\n"));
    return result.config;
}
