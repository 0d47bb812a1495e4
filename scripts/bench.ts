/**
 * `npm run bench`: how fast the offline loop is, each figure against the floor the Pulumi SDK sets.
 * - Whole process: `npm run synth -- --stack production` as npm starts it, against a bare-SDK
 *   process registering the same number of resources (engine/bench/bare.ts, started the same way).
 * - In process: the program's evaluation under mocks per committed stack, and for production plus
 *   50/200/500 synthetic apps, each against the bare program of the same size.
 * - The other offline stages per stack: the policy gate and the admission twin over its synth,
 *   and the render of production (every Helm release templated, parsed and written).
 * Every row says how many timed runs its figure is the median of.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { CommandError, defineCommand, main, scriptCommand, UsageError } from "../engine/cli";
import { bareProgram } from "../engine/bench/bare";
import { interleavedProcessMs, median, processMs, timeRuns } from "../engine/bench/measure";
import { committedApps, syntheticApps } from "../engine/bench/synthetic";
import { admitStack } from "../engine/admit";
import { runGate } from "../engine/gate";
import { findHelm } from "../engine/render/helm";
import { releasesOf } from "../engine/render/releases";
import { renderReleases, StackRender } from "../engine/render/render";
import { chartsDirFor } from "../engine/render/stack";
import { writeRendered } from "../engine/render/write";
import type { SynthResource } from "../policy-pack/offline";
import { ProgramRun, runProgram, runStack } from "../engine/synth/run-program";
import { listStacks, stackConfig } from "../engine/synth/stack-files";
import { toSynthResources } from "../engine/synth/write";

const out = (line = "") => process.stdout.write(`${line}\n`);
const ms = (n: number) => n.toFixed(0);
const load = () => os.loadavg()[0].toFixed(2);

/** A positive whole number from a flag, or a usage error naming the flag. */
function positiveInt(flag: string, text: string): number {
    const n = Number(text);
    if (!/^[0-9]+$/.test(text.trim()) || !Number.isInteger(n) || n < 1)
        throw new UsageError(`--${flag} '${text}' is not a positive whole number`);
    return n;
}

/**
 * The key figure: `npm run synth` of production as a process, against a bare-SDK process of its
 * size started the same way (same Node, loader and caches). One untimed run of each first: the
 * caches are warm, as for any command after the first.
 */
function wholeProcess(runs: number): void {
    const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "bench-synth-"));
    try {
        const synth = { label: "npm run synth", ...scriptCommand("synth", ["--stack", "production", "--out", scratch]) };
        processMs(synth);
        const resources = (JSON.parse(fs.readFileSync(path.join(scratch, "resources.json"), "utf8")) as unknown[]).length;
        const loader = synth.args.slice(0, synth.args.indexOf("scripts/synth.ts"));
        const bare = {
            label: "bare SDK process",
            file: synth.file,
            args: [...loader, "engine/bench/bare.ts", String(resources)],
            cwd: synth.cwd,
        };
        processMs(bare);
        const [synthRuns, bareRuns] = interleavedProcessMs(runs, [synth, bare]);
        // Each synth run is compared with the bare run right after it, under the same load.
        const ratio = median(synthRuns.map((s, i) => s / bareRuns[i]));
        out(`Whole process, spawn to exit (median of ${runs}, taking turns, after one untimed run of each):`);
        out(`  npm run synth -- --stack production (${resources} resources, its files written) ${ms(median(synthRuns)).padStart(6)} ms`);
        out(`  bare SDK process, ${resources} resources under the same mocks               ${ms(median(bareRuns)).padStart(6)} ms`);
        out(`  synth / bare (median of the ${runs} run-by-run ratios)                       ${ratio.toFixed(2).padStart(6)}`);
        out();
    } finally {
        fs.rmSync(scratch, { recursive: true, force: true });
    }
}

async function checkedRun(label: string, run: () => Promise<ProgramRun>): Promise<ProgramRun> {
    const result = await run();
    if (result.error) throw new CommandError(`${label} does not evaluate: ${result.error.message}`);
    return result;
}

/** One in-process row: the program (warm-up then `runs` timed runs) against the bare program of its size. */
async function evaluationRow(label: string, runs: number, warmUp: boolean, run: () => Promise<ProgramRun>): Promise<ProgramRun> {
    const first = warmUp ? await checkedRun(label, run) : undefined;
    let last: ProgramRun | undefined;
    const programMs = median(await timeRuns(runs, async () => (last = await checkedRun(label, run))));
    const result = (first ?? last)!;
    const count = result.resources.length;
    const bareMs = median(await timeRuns(runs, () => runProgram("bench", bareProgram(count))));
    const perResource = (n: number) => (n / count).toFixed(3);
    out(
        [
            label.padEnd(22),
            String(count).padStart(9),
            ms(programMs).padStart(11),
            perResource(programMs).padStart(12),
            ms(bareMs).padStart(9),
            perResource(bareMs).padStart(12),
            (programMs / bareMs).toFixed(2).padStart(7),
            `  ${warmUp ? `median of ${runs} after a warm-up` : `${runs} run${runs > 1 ? "s" : ""}, no warm-up`}`,
        ].join(" "),
    );
    return result;
}

async function evaluation(runs: number, sizes: number[]): Promise<Map<string, SynthResource[]>> {
    out("Program evaluation in process, under mocks (bare: the bare program of the same size, as many runs):");
    out(
        `${"stack".padEnd(22)} ${"resources".padStart(9)} ${"program ms".padStart(11)} ${"ms/resource".padStart(12)} ${"bare ms".padStart(9)} ${"ms/resource".padStart(12)} ${"ratio".padStart(7)}`,
    );
    const synths = new Map<string, SynthResource[]>();
    for (const stack of listStacks()) {
        synths.set(stack, toSynthResources(await evaluationRow(stack, runs, true, () => runStack(stack))));
    }
    const ownApps = committedApps("production");
    for (const size of sizes) {
        const apps = [...ownApps, ...syntheticApps(size)];
        // The big ones run once each: the process is warm by now, and one run of 500 apps takes long.
        const big = size >= 200;
        await evaluationRow(`production + ${size} apps`, big ? 1 : runs, !big, () => runStack("production", { overrides: { apps } }));
    }
    out();
    return synths;
}

/** The policy gate and the admission twin over each stack's synth, as `npm run policy` runs them. */
async function offlineChecks(runs: number, synths: Map<string, SynthResource[]>): Promise<void> {
    out(`Offline checks over each stack's synth, in process (median of ${runs} after a warm-up):`);
    out(`${"stack".padEnd(22)} ${"resources".padStart(9)} ${"gate ms".padStart(9)} ${"twin ms".padStart(9)}`);
    for (const [stack, resources] of synths) {
        const config = stackConfig(stack);
        runGate(stack, resources);
        admitStack({ stack, resources, config });
        const gateMs = median(await timeRuns(runs, () => runGate(stack, resources)));
        const twinMs = median(await timeRuns(runs, () => admitStack({ stack, resources, config })));
        out(`${stack.padEnd(22)} ${String(resources.length).padStart(9)} ${ms(gateMs).padStart(9)} ${ms(twinMs).padStart(9)}`);
    }
    out();
}

/** `npm run render` of production without the synth: chart lookup, both Helm passes, parsing and writing every file. */
async function render(resources: SynthResource[]): Promise<void> {
    const stack = "production";
    const helm = await findHelm(); // extracts the packaged Helm on first use: not timed
    const options = { stack, kubeVersion: stackConfig(stack).cluster.kubernetesVersion, chartsDir: chartsDirFor(undefined), helm };
    const specs = releasesOf(resources);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-render-"));
    try {
        let result: StackRender | undefined;
        const [renderMs] = await timeRuns(1, async () => writeRendered((result = await renderReleases(specs, options)), dir));
        const rendered = result!.releases.filter((r) => r.status === "rendered");
        const objects = rendered.reduce((n, r) => n + r.objects.length, 0);
        const chartObjects = rendered.flatMap((r) => r.objects.map((o) => ({ release: r.spec.name, object: o.object })));
        const [twinMs] = await timeRuns(1, () => admitStack({ stack, resources, config: stackConfig(stack), rendered: chartObjects }));
        out(
            `Render of ${stack} (1 run): ${rendered.length}/${specs.length} releases, ${objects} objects in ${(renderMs / 1000).toFixed(1)} s ` +
                `(helm ${helm.version}, 2 at a time, charts from ${options.chartsDir ?? "their repositories"}); ` +
                `the twin over the program's and the charts' objects: ${ms(twinMs)} ms`,
        );
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

export const command = defineCommand({
    name: "bench",
    summary: "How fast the offline loop is: synth as a process, program evaluation, gate, twin and render, against the bare SDK.",
    options: {
        runs: { type: "string", value: "n", description: "timed runs per in-process figure, after one warm-up (default 3)" },
        "process-runs": { type: "string", value: "n", description: "timed runs of each whole process (default 7)" },
        sizes: { type: "string", value: "n,n,...", description: "synthetic app counts added to production (default 50,200,500)" },
    },
    details: ["exit codes: 0 measured, 1 a stack failed to evaluate, 2 usage mistake"],
    async run(options) {
        const runs = positiveInt("runs", options.runs ?? "3");
        const processRuns = positiveInt("process-runs", options["process-runs"] ?? "7");
        const sizes = (options.sizes ?? "50,200,500").split(",").map((s) => positiveInt("sizes", s));
        const start = process.hrtime.bigint();
        out(`node ${process.version}, ${os.cpus().length} CPUs, load average ${load()} at the start`);
        out();
        wholeProcess(processRuns);
        const synths = await evaluation(runs, sizes);
        await offlineChecks(runs, synths);
        await render(synths.get("production")!);
        const seconds = Number(process.hrtime.bigint() - start) / 1e9;
        out(`bench took ${seconds.toFixed(0)} s; load average ${load()} at the end`);
        return 0;
    },
});

if (require.main === module) main(command);
