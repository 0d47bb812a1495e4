export { checkDrift, driftWrites, formatDrift } from "./check";
export type { DriftProblem, DriftWrite } from "./check";
export type { DriftGraph } from "./graph";
export { writersMarkdown } from "./readme";
export { unmodelledMutators, writers } from "./writers";
export type { Writer, WriterKind, WriterTarget, WrittenField } from "./writers";
