/**
 * `npm run bench`: how long the program takes to evaluate under Pulumi's mocks, per committed
 * stack and for synthetic stacks of 50, 200 and 500 microservices, each compared in the same run
 * with a bare program registering the same number of plain resources (ConfigMaps through the
 * same SDK, provider and mocks). Prints ms per resource and the ratio to the bare program.
 * Then the render of production: every Helm release templated (two at a time), parsed and
 * written, from an earlier synth (not timed). Each figure is the median of several runs after a warm-up.
 */
import * as k8s from "@pulumi/kubernetes";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { AppConfig } from "../components/config";
import { CommandError, defineCommand, main, UsageError } from "../engine/cli";
import { findHelm } from "../engine/render/helm";
import { releasesOf } from "../engine/render/releases";
import { renderReleases, StackRender } from "../engine/render/render";
import { chartsDirFor, stackKubernetesVersion } from "../engine/render/stack";
import { writeRendered } from "../engine/render/write";
import { ProgramRun, runProgram, runStack } from "../engine/synth/run-program";
import { listStacks } from "../engine/synth/stack-files";
import { toSynthResources } from "../engine/synth/write";

interface Measurement {
    label: string;
    resources: number;
    platformMs: number;
    bareMs: number;
}

async function median(times: number, fn: () => Promise<unknown>): Promise<number> {
    const samples: number[] = [];
    for (let i = 0; i < times; i++) {
        const start = process.hrtime.bigint();
        await fn();
        samples.push(Number(process.hrtime.bigint() - start) / 1e6);
    }
    samples.sort((a, b) => a - b);
    return samples[Math.floor(samples.length / 2)];
}

/** A bare program with `count` plain resources (one provider plus ConfigMaps), as flat as it gets. */
function bareProgram(count: number) {
    return () => {
        const provider = new k8s.Provider("cluster", { context: "bench" });
        for (let i = 0; i < count - 1; i++) {
            new k8s.core.v1.ConfigMap(
                `plain-${i}`,
                { metadata: { name: `plain-${i}`, namespace: "bench" }, data: { index: String(i) } },
                { provider },
            );
        }
        return {};
    };
}

/** N microservices shaped like the seed apps: HPA, PDB, ingress on every fifth, callers chained. */
export function syntheticApps(count: number): AppConfig[] {
    return Array.from({ length: count }, (_, i) => {
        const name = `svc-${String(i).padStart(3, "0")}`;
        const digest = `sha256:${(i + 1).toString(16).padStart(64, "0")}`;
        return {
            name,
            namespace: "core",
            team: `team-${i % 7}`,
            partOf: `system-${i % 11}`,
            image: { repository: `ghcr.io/acme-platform/${name}`, tag: "1.0.0", digest },
            sbom: `https://sbom.acme.example/${name}/1.0.0.spdx.json`,
            port: 8080,
            replicas: 3,
            resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "500m", memory: "256Mi" } },
            autoscaling: { kind: "hpa", minReplicas: 2, maxReplicas: 6, cpuUtilization: 70 },
            callers: i > 0 ? [`svc-${String(i - 1).padStart(3, "0")}`] : [],
            ...(i % 5 === 0 ? { ingress: { host: `${name}.platform.example.com` } } : {}),
        } as unknown as AppConfig;
    });
}

async function measure(label: string, times: number, run: () => Promise<ProgramRun>): Promise<Measurement> {
    const first = await run(); // warm-up, and the resource count
    if (first.error) throw new CommandError(`${label} does not evaluate: ${first.error.message}`);
    const resources = first.resources.length;
    const platformMs = await median(times, run);
    const bareMs = await median(times, () => runProgram("bench", bareProgram(resources)));
    return { label, resources, platformMs, bareMs };
}

function report(m: Measurement): string {
    const perResource = (ms: number) => (ms / m.resources).toFixed(3);
    return [
        m.label.padEnd(22),
        String(m.resources).padStart(9),
        m.platformMs.toFixed(0).padStart(11),
        perResource(m.platformMs).padStart(12),
        m.bareMs.toFixed(0).padStart(9),
        perResource(m.bareMs).padStart(12),
        (m.platformMs / m.bareMs).toFixed(2).padStart(7),
    ].join(" ");
}

/** A positive whole number from a flag, or a usage error naming the flag. */
function positiveInt(flag: string, text: string): number {
    const n = Number(text);
    if (!/^[0-9]+$/.test(text.trim()) || !Number.isInteger(n) || n < 1)
        throw new UsageError(`--${flag} '${text}' is not a positive whole number`);
    return n;
}

/** `npm run render` for production without the synth: chart lookup, both Helm passes, parsing and writing every file. */
async function measureRender(times: number): Promise<string> {
    const stack = "production";
    const run = await runStack(stack);
    if (run.error) throw run.error;
    const specs = releasesOf(toSynthResources(run));
    const options = { stack, kubeVersion: stackKubernetesVersion(stack), chartsDir: chartsDirFor(undefined), helm: await findHelm() };
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "bench-render-"));
    let last: StackRender | undefined;
    const renderOnce = async () => {
        last = await renderReleases(specs, options);
        writeRendered(last, out);
    };
    try {
        await renderOnce(); // warm-up (extracts Helm on first use)
        const ms = await median(times, renderOnce);
        const rendered = last!.releases.filter((r) => r.status === "rendered");
        const objects = rendered.reduce((n, r) => n + r.objects.length, 0);
        return (
            `render ${stack}: ${rendered.length}/${specs.length} releases, ${objects} objects in ${(ms / 1000).toFixed(1)} s ` +
            `(helm ${last!.helm.version}, 2 at a time, ${os.cpus().length} CPUs, charts from ${options.chartsDir ?? "their repositories"})\n`
        );
    } finally {
        fs.rmSync(out, { recursive: true, force: true });
    }
}

export const command = defineCommand({
    name: "bench",
    summary: "Evaluation time per committed stack and for synthetic stacks of many apps, against a bare program of the same size.",
    options: {
        runs: { type: "string", value: "n", description: "timed runs per figure, after one warm-up (default 3)" },
        sizes: { type: "string", value: "n,n,...", description: "synthetic app counts (default 50,200,500)" },
    },
    details: ["exit codes: 0 measured, 1 a stack failed to evaluate, 2 usage mistake"],
    async run({ runs, sizes }) {
        const times = positiveInt("runs", runs ?? "3");
        const counts = (sizes ?? "50,200,500").split(",").map((s) => positiveInt("sizes", s));
        process.stdout.write(`node ${process.version}, median of ${times} runs after a warm-up\n`);
        process.stdout.write(
            `${"stack".padEnd(22)} ${"resources".padStart(9)} ${"program ms".padStart(11)} ${"ms/resource".padStart(12)} ${"bare ms".padStart(9)} ${"ms/resource".padStart(12)} ${"ratio".padStart(7)}\n`,
        );
        for (const stack of listStacks()) {
            process.stdout.write(`${report(await measure(stack, times, () => runStack(stack)))}\n`);
        }
        for (const size of counts) {
            const apps = syntheticApps(size);
            const m = await measure(`production + ${size} apps`, times, () => runStack("production", { overrides: { apps } }));
            process.stdout.write(`${report(m)}\n`);
        }
        process.stdout.write(await measureRender(times));
        return 0;
    },
});

if (require.main === module) main(command);
