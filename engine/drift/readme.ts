import { writers as knownWriters, Writer } from "./writers";

/** The README's table of writers ("When the drift job fires"), generated from the contract; a test keeps them equal. */
export function writersMarkdown(writers: readonly Writer[] = knownWriters): string {
    const cell = (s: string) => s.replace(/\|/g, "\\|");
    return [
        "| writer | kind | writes | into | how the program stays out of its way |",
        "|---|---|---|---|---|",
        ...writers.map((w) => `| ${cell(w.who)} | ${w.kind} | ${cell(w.fields)} | ${cell(w.objects)} | ${cell(w.handling)} |`),
    ].join("\n");
}
