import { spawnSync } from "child_process";

/** Timing helpers of `npm run bench`: in-process medians and whole processes timed from spawn to exit. */

export function median(samples: number[]): number {
    const sorted = [...samples].sort((a, b) => a - b);
    return sorted[Math.floor(sorted.length / 2)];
}

const since = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e6;

/** Milliseconds of each of `times` sequential calls. */
export async function timeRuns(times: number, fn: () => unknown): Promise<number[]> {
    const samples: number[] = [];
    for (let i = 0; i < times; i++) {
        const start = process.hrtime.bigint();
        await fn();
        samples.push(since(start));
    }
    return samples;
}

export interface ProcessCommand {
    label: string;
    file: string;
    args: string[];
    cwd: string;
}

/** Wall-clock milliseconds from spawning a process to its exit; a failing process fails the bench. */
export function processMs(command: ProcessCommand): number {
    const start = process.hrtime.bigint();
    const result = spawnSync(command.file, command.args, { cwd: command.cwd, encoding: "utf8", stdio: ["ignore", "ignore", "pipe"] });
    const ms = since(start);
    if (result.status !== 0) throw new Error(`${command.label} exited ${result.status}: ${result.stderr.trim()}`);
    return ms;
}

/**
 * Runs each command `times` times, taking turns (a, b, a, b, ...) so that a change in the
 * machine's load falls on every command alike. Returns the samples per command.
 */
export function interleavedProcessMs(times: number, commands: ProcessCommand[]): number[][] {
    const samples = commands.map(() => [] as number[]);
    for (let i = 0; i < times; i++) commands.forEach((command, c) => samples[c].push(processMs(command)));
    return samples;
}
