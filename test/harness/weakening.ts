import type { z } from "zod";
import { parseStackConfig, PlatformConfig } from "../../components/config";
import { strengthRegistry } from "../../components/config/strength";
import { admitStack } from "../../engine/admit";
import { formatReport } from "../../engine/admit/report";
import { runGate } from "../../engine/gate";
import { runStack } from "../../engine/synth/run-program";
import { cliConfigForStack } from "../../engine/synth/stack-files";
import { toSynthResources } from "../../engine/synth/write";

/**
 * Weakening edits of a stack file, drawn from the schema: every setting annotated with
 * `weakens(...)` (components/config/strength.ts) offers its weaker values for the value the
 * stack file has there. The edit space is what the schema says, not a hand list.
 */

export type Config = Record<string, unknown>;
export type Path = (string | number)[];

export interface Edit {
    path: Path;
    /** The weaker value (undefined removes the setting). */
    value: unknown;
}

type Def = {
    type: string;
    innerType?: z.ZodType;
    in?: z.ZodType;
    shape?: Record<string, z.ZodType>;
    element?: z.ZodType;
    valueType?: z.ZodType;
    options?: z.ZodType[];
};
const defOf = (s: z.ZodType) => s._zod.def as unknown as Def;

/** The schema and every wrapper it unwraps to (optional, default, prefault, pipe input). */
function layers(schema: z.ZodType): z.ZodType[] {
    const out = [schema];
    let s = schema;
    for (;;) {
        const d = defOf(s);
        const next = d.innerType ?? (d.type === "pipe" ? d.in : undefined);
        if (!next) return out;
        out.push(next);
        s = next;
    }
}

function walk(schema: z.ZodType, value: unknown, path: Path, parent: Config, root: Config, out: Edit[]): void {
    const all = layers(schema);
    for (const layer of all) {
        const meta = strengthRegistry.get(layer);
        if (meta) for (const v of meta.weaker({ current: value, parent, root })) out.push({ path, value: v });
    }
    const inner = all[all.length - 1];
    const d = defOf(inner);
    // Into sections the stack file has, or that exist by default (`components.kyverno`); an optional
    // section it leaves out (an app's `postgres`) is offered whole, not field by field.
    const byDefault = all.some((l) => ["default", "prefault"].includes(defOf(l).type));
    if (d.type === "object" && d.shape && ((value && typeof value === "object") || (value === undefined && byDefault))) {
        const obj = (value ?? {}) as Config;
        for (const [key, child] of Object.entries(d.shape)) walk(child, obj[key], [...path, key], obj, root, out);
    } else if (d.type === "array" && d.element && Array.isArray(value)) {
        value.forEach((v, i) => walk(d.element!, v, [...path, i], (v && typeof v === "object" ? v : {}) as Config, root, out));
    } else if (d.type === "record" && d.valueType && value && typeof value === "object") {
        for (const [k, v] of Object.entries(value as Config))
            walk(d.valueType, v, [...path, k], (v && typeof v === "object" ? v : {}) as Config, root, out);
    } else if (d.type === "union" && d.options) {
        const option = d.options.find((o) => o.safeParse(value).success);
        if (option) walk(option, value, path, parent, root, out);
    }
}

/** Every weakening edit the schema offers for `config` (the stack file's `platform:` keys, unprefixed). */
export function weakeningEdits(shape: Record<string, z.ZodType>, config: Config): Edit[] {
    const out: Edit[] = [];
    for (const [key, schema] of Object.entries(shape)) walk(schema, config[key], [key], config, config, out);
    return out;
}

/** `config` with one edit applied (a deep copy). */
export function applyEdit(config: Config, edit: Edit): Config {
    const copy = structuredClone(config);
    let node = copy as Record<string | number, unknown>;
    for (const part of edit.path.slice(0, -1)) {
        node[part] ??= typeof part === "number" ? [] : {};
        node = node[part] as Record<string | number, unknown>;
    }
    const last = edit.path[edit.path.length - 1];
    if (edit.value === undefined) {
        if (Array.isArray(node)) node.splice(last as number, 1);
        else delete node[last];
    } else node[last] = edit.value;
    return copy;
}

export const describeEdit = (e: Edit) => `${e.path.join(".")} -> ${e.value === undefined ? "(removed)" : JSON.stringify(e.value)}`;

/** Production's stack file as the CLI hands it over (`platform:` keys, values parsed). */
export function productionFile(): Config {
    const values = cliConfigForStack("production").values;
    return Object.fromEntries(
        Object.entries(values)
            .filter(([k]) => k.startsWith("platform:"))
            .map(([k, v]) => {
                try {
                    return [k.slice("platform:".length), JSON.parse(v)];
                } catch {
                    return [k.slice("platform:".length), v];
                }
            }),
    );
}

/** What refuses production's stack file once it says `config`: validation, a mandatory policy or the twin. */
export async function refusals(config: Config): Promise<string[]> {
    const original = productionFile();
    const removed = Object.keys(original).filter((k) => !(k in config));
    const run = await runStack("production", { overrides: config, remove: removed });
    if (run.error) return [`validation: ${run.error.message}`];
    const resources = toSynthResources(run);
    const gate = runGate("production", resources)
        .filter((v) => v.level === "mandatory")
        .map((v) => `${v.policy}: ${v.message}`);
    const twin = admitStack({ stack: "production", resources, config: validated(config) });
    return [
        ...gate,
        ...formatReport(twin)
            .slice(0, -1)
            .map((l) => `admission twin: ${l}`),
    ];
}

/** The validated config of an edited stack file (the twin holds the program to what it declares). */
function validated(config: Config): PlatformConfig {
    const values = Object.fromEntries(
        Object.entries(config).map(([k, v]) => [`platform:${k}`, typeof v === "string" ? v : JSON.stringify(v)]),
    );
    const result = parseStackConfig({
        values,
        secretKeys: cliConfigForStack("production").secretKeys,
        source: "stacks/Pulumi.production.yaml",
    });
    if (!result.ok) throw new Error(result.problems.join("\n"));
    return result.config;
}
