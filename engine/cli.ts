import * as fs from "fs";
import * as path from "path";
import { parseArgs } from "util";

/**
 * CLI manners shared by every command in `scripts/` (synth, policy, admit, render, verify,
 * bench): `--help`, usage mistakes as one line and exit 2 (never a stack trace), expected
 * failures as their message and exit 1. A command's module only declares its options and
 * runs; it never parses argv or prints errors itself.
 */

/** A mistake in how the command was called: printed as one line, exit code 2. */
export class UsageError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "UsageError";
    }
}

/** An expected failure with a complete message (invalid config, unreadable input): exit code 1, no stack trace. */
export class CommandError extends Error {
    constructor(
        message: string,
        readonly exitCode = 1,
    ) {
        super(message);
        this.name = "CommandError";
    }
}

export interface OptionSpec {
    type: "string" | "boolean";
    description: string;
    /** Placeholder shown in help (`<name>`). */
    value?: string;
    multiple?: boolean;
    required?: boolean;
}

export interface CommandSpec<O extends Record<string, OptionSpec>> {
    /** npm script name, e.g. `synth`. */
    name: string;
    summary: string;
    options: O;
    /** Extra lines for `--help` (examples, exit codes). */
    details?: string[];
    run(values: OptionValues<O>): Promise<number> | number;
}

export type OptionValues<O extends Record<string, OptionSpec>> = {
    [K in keyof O]: O[K]["type"] extends "boolean"
        ? boolean | undefined
        : O[K]["multiple"] extends true
          ? string[] | undefined
          : string | undefined;
};

/**
 * Declares a command with its option types inferred. A script exports the result and runs it
 * only as a process (`if (require.main === module) main(command)`), so tests call {@link run} on it.
 */
export function defineCommand<O extends Record<string, OptionSpec>>(spec: CommandSpec<O>): CommandSpec<O> {
    return spec;
}

/** `npm run <name> -- --a <a> [--b <b>]`, from the options. */
export function usageLine<O extends Record<string, OptionSpec>>(spec: CommandSpec<O>): string {
    const parts = Object.entries(spec.options).map(([name, o]) => {
        const flag = o.type === "boolean" ? `--${name}` : `--${name} <${o.value ?? name}>`;
        return o.required ? flag : `[${flag}]`;
    });
    return `npm run ${spec.name} -- ${parts.join(" ")}`.trimEnd();
}

export function helpText<O extends Record<string, OptionSpec>>(spec: CommandSpec<O>): string {
    const rows = Object.entries(spec.options).map(([name, o]) => {
        const flag = o.type === "boolean" ? `--${name}` : `--${name} <${o.value ?? name}>`;
        return `  ${flag.padEnd(26)} ${o.description}${o.required ? " (required)" : ""}`;
    });
    return [
        `${spec.summary}`,
        "",
        `usage: ${usageLine(spec)}`,
        "",
        "options:",
        ...rows,
        `  ${"--help".padEnd(26)} this help`,
        ...(spec.details ? ["", ...spec.details] : []),
        "",
    ].join("\n");
}

/**
 * Parses argv for a command. Throws {@link UsageError} for unknown flags, missing values,
 * stray positionals, missing required options, and the classic forgotten `--` (npm then keeps
 * the flags for itself: they show up as `npm_config_<flag>` and the values as positionals).
 */
export function parseCommandLine<O extends Record<string, OptionSpec>>(
    spec: CommandSpec<O>,
    argv: string[],
    env: NodeJS.ProcessEnv = process.env,
): { help: true } | { help: false; values: OptionValues<O> } {
    const options = Object.fromEntries(
        Object.entries(spec.options).map(([name, o]) => [name, { type: o.type, multiple: o.multiple ?? false }]),
    );
    let parsed: { values: Record<string, unknown>; positionals: string[] };
    try {
        parsed = parseArgs({
            args: argv,
            options: { ...options, help: { type: "boolean", short: "h" } },
            allowPositionals: true,
            strict: true,
        });
    } catch (err) {
        throw new UsageError(describeParseError(err as Error));
    }
    if (parsed.values.help) return { help: true };
    const swallowed = Object.keys(spec.options).filter((name) => env[`npm_config_${name.replace(/-/g, "_")}`] !== undefined);
    if (swallowed.length > 0 && (parsed.positionals.length > 0 || Object.keys(parsed.values).length === 0)) {
        throw new UsageError(`npm kept --${swallowed.join(", --")} for itself: put '--' before the command's options: ${usageLine(spec)}`);
    }
    if (parsed.positionals.length > 0) {
        throw new UsageError(`unexpected argument '${parsed.positionals[0]}'`);
    }
    const missing = Object.entries(spec.options)
        .filter(([name, o]) => o.required && parsed.values[name] === undefined)
        .map(([name]) => `--${name}`);
    if (missing.length > 0) throw new UsageError(`missing ${missing.join(" and ")}`);
    return { help: false, values: parsed.values as OptionValues<O> };
}

function describeParseError(err: Error): string {
    const code = (err as { code?: string }).code;
    const flag = /'(-{1,2}[^' ]+)/.exec(err.message)?.[1];
    if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") return `unknown option ${flag ?? ""}`.trim();
    if (code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE") return flag ? `option ${flag} needs a value` : err.message.split("\n")[0];
    return err.message.split("\n")[0];
}

/**
 * Runs a command as a process: parses argv, prints help or one-line errors, and exits with the
 * command's code. Unexpected errors print their message only (set PLATFORM_DEBUG=1 for the stack).
 */
export function main<O extends Record<string, OptionSpec>>(spec: CommandSpec<O>): void {
    run(spec, process.argv.slice(2)).then(
        (code) => process.exit(code),
        () => process.exit(1),
    );
}

/** The testable core of {@link main}: never throws, returns the exit code. */
export async function run<O extends Record<string, OptionSpec>>(
    spec: CommandSpec<O>,
    argv: string[],
    io: { out: (s: string) => void; err: (s: string) => void; env?: NodeJS.ProcessEnv } = {
        out: (s) => process.stdout.write(s),
        err: (s) => process.stderr.write(s),
    },
): Promise<number> {
    try {
        const parsed = parseCommandLine(spec, argv, io.env ?? process.env);
        if (parsed.help) {
            io.out(helpText(spec));
            return 0;
        }
        return await spec.run(parsed.values);
    } catch (err) {
        if (err instanceof UsageError) {
            io.err(`${spec.name}: ${err.message} (see: npm run ${spec.name} -- --help)\n`);
            return 2;
        }
        if (err instanceof CommandError) {
            io.err(`${err.message}\n`);
            return err.exitCode;
        }
        const e = err as Error;
        io.err(`${spec.name} failed: ${e?.message ?? String(err)}\n`);
        if (process.env.PLATFORM_DEBUG) io.err(`${e?.stack ?? ""}\n`);
        return 1;
    }
}

/**
 * The process `npm run <name> -- <args>` starts, without npm's own start-up: the script's command
 * line from package.json (`node -r ./ts-require.js scripts/<name>.ts`) on this Node, to run from
 * the repository root as npm does. Tests and the bench spawn commands through this, as a user runs them.
 */
export function scriptCommand(name: string, args: string[] = []): { file: string; args: string[]; cwd: string } {
    const root = path.resolve(__dirname, "..");
    const scripts = (JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts;
    const line = scripts[name];
    if (!line) throw new Error(`package.json has no script '${name}'`);
    const [program, ...rest] = line.split(" ");
    if (program !== "node") throw new Error(`npm script '${name}' does not start node: ${line}`);
    return { file: process.execPath, args: [...rest, ...args], cwd: root };
}
