import { isDeepStrictEqual } from "util";
import type { SynthResource } from "../../policy-pack/offline";
import type { DriftGraph } from "./graph";
import { covers, formatPath, parsePath, Segment, valuesAt } from "./paths";
import { unmodelledMutators, Writer, writers as knownWriters } from "./writers";

/**
 * The drift contract's check over a stack's synth graph:
 * - a field a writer writes that the program also sets (with another value, or one the writer
 *   computes) must be in that resource's `ignoreChanges`;
 * - every `ignoreChanges` entry must be explained by a writer of that resource's field;
 * - no mutator the contract has no model of may be in the graph.
 */

export interface DriftProblem {
    urn: string;
    /** `overlap`, `unjustified-ignore` or `unmodelled-mutator`. */
    rule: "overlap" | "unjustified-ignore" | "unmodelled-mutator";
    message: string;
}

/** One written field of one resource, with the writer. */
export interface DriftWrite {
    urn: string;
    writer: Writer;
    path: Segment[];
    value?: string;
}

/** Every field every writer writes into the program's resources in this graph. */
export function driftWrites(graph: DriftGraph, writers: readonly Writer[] = knownWriters): DriftWrite[] {
    return writers.flatMap((writer) =>
        writer
            .targets(graph)
            .flatMap((t) => t.fields.map((f) => ({ urn: t.resource.urn, writer, path: parsePath(f.path), value: f.value }))),
    );
}

const nameOf = (r: SynthResource) => `${r.type.split(":")[2] ?? r.type} ${r.name}`;

export function checkDrift(graph: DriftGraph, writers: readonly Writer[] = knownWriters): DriftProblem[] {
    const problems: DriftProblem[] = [];
    const byUrn = new Map(graph.resources.map((r) => [r.urn, r]));
    const writes = driftWrites(graph, writers);

    for (const w of writes) {
        const r = byUrn.get(w.urn)!;
        const ignored = r.ignoreChanges.map(parsePath);
        for (const managed of valuesAt(r.inputs, w.path)) {
            if (w.value !== undefined && isDeepStrictEqual(managed.value, w.value)) continue;
            if (ignored.some((ig) => covers(ig, managed.path))) continue;
            const shown =
                w.value !== undefined ? ` (it writes ${JSON.stringify(w.value)}, the program ${JSON.stringify(managed.value)})` : "";
            problems.push({
                urn: r.urn,
                rule: "overlap",
                message:
                    `${nameOf(r)}: the program sets ${formatPath(managed.path)}, which ${w.writer.who} [${w.writer.id}] writes${shown}: ` +
                    `stop setting it, list it in ignoreChanges, or configure the writer off`,
            });
        }
    }

    for (const r of graph.resources) {
        const own = writes.filter((w) => w.urn === r.urn);
        for (const entry of r.ignoreChanges) {
            const ig = parsePath(entry);
            if (!own.some((w) => covers(ig, w.path) || covers(w.path, ig))) {
                problems.push({
                    urn: r.urn,
                    rule: "unjustified-ignore",
                    message: `${nameOf(r)}: ignoreChanges '${entry}' names no writer: add the writer to engine/drift/writers.ts, or stop ignoring the field`,
                });
            }
        }
        const mutator = unmodelledMutators.find((m) => m.type.test(r.type));
        if (mutator) {
            problems.push({
                urn: r.urn,
                rule: "unmodelled-mutator",
                message: `${nameOf(r)}: ${mutator.why} the drift contract has no model of: add what it writes to engine/drift/writers.ts`,
            });
        }
    }
    return problems;
}

/** The drift check's lines for a stack, as `npm run check` prints them. */
export function formatDrift(stack: string, problems: DriftProblem[]): string[] {
    return [...problems.map((p) => `[drift] ${p.message}`), `drift contract for stack ${stack}: ${problems.length} problem(s)`];
}
