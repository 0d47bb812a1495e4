import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { appSchema, AppConfig } from "./apps";
import { didYouMean, formatPath, issueMessages, listEntry, PathPart } from "./errors";
import { crossCheck, CrossCheckInput, OtherStackZone } from "./rules";
import { ParsedStackConfig, SecretKey, secretKeys, stackConfigShape } from "./schema";
import { stackSchemaLookup } from "./schema-paths";

/** The project namespace of every key this program reads. */
export const configNamespace = "platform";

/**
 * Config exactly as the Pulumi CLI hands it to the program: every key fully qualified
 * (`platform:apps`), every value a string (structured values JSON-encoded), plus the keys
 * that were `secure:` in the stack file.
 */
export interface RawStackConfig {
    values: Record<string, string>;
    secretKeys: readonly string[];
    /** The stack file, named in every message (e.g. `stacks/Pulumi.production.yaml`). */
    source: string;
    /** Cloudflare zones the project's other stack files declare: a zone has exactly one owner. @default [] */
    otherStackZones?: OtherStackZone[];
}

/** The validated config components receive: secrets arrive as secret Outputs, never strings. */
export type PlatformConfig = Omit<ParsedStackConfig, SecretKey> & {
    secrets: { [K in SecretKey]?: pulumi.Output<string> };
};

export class ConfigError extends Error {
    constructor(readonly problems: string[]) {
        super(
            `Invalid stack configuration (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n  - ${problems.join("\n  - ")}`,
        );
        this.name = "ConfigError";
    }
}

export type ParseResult = { ok: true; config: PlatformConfig } | { ok: false; problems: string[] };

/** Validates the raw config, reporting every problem at once. Never throws on bad input. */
export function parseStackConfig(raw: RawStackConfig): ParseResult {
    const problems: string[] = [];
    const input: Record<string, unknown> = {};
    const at = (path: readonly PropertyKey[], message: string) =>
        problems.push(`${raw.source}: ${configNamespace}:${formatPath(nameApps(path, input.apps))}: ${message}`);

    const known = Object.keys(stackConfigShape);
    for (const [fullKey, value] of Object.entries(raw.values)) {
        const [ns, key] = splitKey(fullKey);
        if (ns !== configNamespace) continue;
        if (!(key in stackConfigShape)) {
            const hint = didYouMean(key, known);
            at([key], hint ? `unknown key: did you mean '${configNamespace}:${hint}'?` : `unknown key (allowed: ${known.join(", ")})`);
            continue;
        }
        const isSecretKey = (secretKeys as readonly string[]).includes(key);
        if (isSecretKey && !raw.secretKeys.includes(fullKey)) {
            at([key], `is a secret: set it with 'pulumi config set --secret ${fullKey}', never in plain text`);
            continue;
        }
        input[key] = decode(key as keyof typeof stackConfigShape, value);
    }

    // Parse key by key (and app by app) so a problem in one never hides a problem in another.
    const parsed: Record<string, unknown> = {};
    const report = (prefix: PropertyKey[], issues: readonly z.core.$ZodIssue[]) => {
        for (const issue of issues) {
            for (const { path, message } of issueMessages({ ...issue, path: [...prefix, ...issue.path] }, stackSchemaLookup))
                at(path, message);
        }
    };
    const parsedApps: { index: number; app: AppConfig }[] = [];
    for (const [key, schema] of Object.entries(stackConfigShape) as [keyof typeof stackConfigShape, z.ZodType][]) {
        if (key === "apps" && Array.isArray(input.apps)) {
            input.apps.forEach((raw, index) => {
                const app = appSchema.safeParse(raw, { reportInput: true });
                if (app.success) parsedApps.push({ index, app: app.data });
                else report(["apps", index], app.error.issues);
            });
            parsed.apps = parsedApps.map((a) => a.app);
            continue;
        }
        const result = schema.safeParse(input[key], { reportInput: true });
        if (result.success) parsed[key] = result.data;
        else report([key], result.error.issues);
    }
    const appNames = Array.isArray(input.apps)
        ? input.apps.map((a) => (a && typeof a === "object" ? (a as { name?: unknown }).name : undefined))
        : [];
    crossCheck({ ...(parsed as Partial<CrossCheckInput>), apps: parsedApps, appNames, otherStackZones: raw.otherStackZones }, at);

    if (problems.length > 0) return { ok: false, problems: dedupe(problems) };
    return { ok: true, config: wrapSecrets(parsed as ParsedStackConfig) };
}

/** Like {@link parseStackConfig}, but throws a {@link ConfigError} listing every problem. */
export function loadStackConfig(raw: RawStackConfig): PlatformConfig {
    const result = parseStackConfig(raw);
    if (!result.ok) throw new ConfigError(result.problems);
    return result.config;
}

/**
 * Paths through `apps[<index>]` name the app: `apps[backend].replicas` when the entry's `name`, as
 * written, is a valid app name no other entry has; else its position, `apps[5]`. Done here, where
 * every message passes, so schema issues and cross-key rules alike name apps the same way.
 */
function nameApps(path: readonly PropertyKey[], apps: unknown): readonly PathPart[] {
    if (path[0] !== "apps" || typeof path[1] !== "number") return path;
    const names = Array.isArray(apps) ? apps.map((a) => (a && typeof a === "object" ? (a as { name?: unknown }).name : undefined)) : [];
    const name = names[path[1]];
    const unique = names.filter((n) => n === name).length === 1;
    const label = typeof name === "string" && unique && appSchema.shape.name.safeParse(name).success ? name : path[1];
    return ["apps", listEntry(label), ...path.slice(2)];
}

function splitKey(fullKey: string): [string, string] {
    const i = fullKey.indexOf(":");
    return i < 0 ? [configNamespace, fullKey] : [fullKey.slice(0, i), fullKey.slice(i + 1)];
}

/** Strings stay strings where the schema wants one; structured values arrive JSON-encoded. */
function decode(key: keyof typeof stackConfigShape, value: string): unknown {
    if (acceptsString(stackConfigShape[key])) return value;
    try {
        return JSON.parse(value);
    } catch {
        return value; // the schema reports the wrong type with the key's path
    }
}

function acceptsString(schema: z.ZodType): boolean {
    const def = schema._zod.def as { type: string; innerType?: z.ZodType };
    if (def.innerType) return acceptsString(def.innerType);
    return def.type === "string" || def.type === "enum";
}

function wrapSecrets(parsed: ParsedStackConfig): PlatformConfig {
    const secrets: PlatformConfig["secrets"] = {};
    const rest: Record<string, unknown> = { ...parsed };
    for (const key of secretKeys) {
        const value = parsed[key];
        delete rest[key];
        if (value !== undefined) secrets[key] = pulumi.secret(value);
    }
    return { ...(rest as Omit<ParsedStackConfig, SecretKey>), secrets };
}

function dedupe(items: string[]): string[] {
    return [...new Set(items)];
}
