import * as path from "path";
import type { SynthResource } from "../policy-pack/offline";
import { formatViolation } from "../policy-pack/offline";
import { admitStack, AdmitReport, ChartObject } from "./admit";
import { formatReport } from "./admit/report";
import { CommandError } from "./cli";
import { checkCustomResources, formatCrdCheck } from "./crds";
import { checkDrift, formatDrift } from "./drift";
import { runGate } from "./gate";
import { RenderedObject, renderedAsSynthResources } from "./render/read";
import { releasesOf } from "./render/releases";
import { ReleaseTemplateError, renderReleases, StackRender } from "./render/render";
import { requireAllRendered } from "./render/stack";
import { removeRendered, writeRendered } from "./render/write";
import { synthesize } from "./synth/load";
import { stackConfig } from "./synth/stack-files";
import { removeSynth, toSynthResources, writeSynth } from "./synth/write";

const since = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e6;

/**
 * Every offline check of a stack in one pass, and of every stack in one process (one start-up):
 * synth (written to `<out>/<stack>`), render (optional; with it, the custom resources against the rendered CRDs), the policy gate over the program's and
 * the charts' objects, the admission twin over both, and the drift contract over the program's. Each stage is the same module the
 * per-stage commands use.
 */

export interface CheckOptions {
    out: string;
    /** Render the charts (and gate and admit their objects). */
    render: boolean;
    requireAll: boolean;
    chartsDir?: string;
}

export interface StackCheck {
    stack: string;
    ok: boolean;
    lines: string[];
    ms: { synth: number; render: number; gate: number; admit: number };
}

/**
 * With rendered chart objects, every custom resource against the CRD version that serves it (the
 * CRDs are the charts'); the charts' own custom resources too, since their specs come from the
 * program's values (kube-prometheus-stack's prometheusSpec becomes the Prometheus object as written).
 */
export function checkCrds(stack: string, resources: SynthResource[], rendered: RenderedObject[]): { lines: string[]; ok: boolean } {
    const crds = checkCustomResources([...resources, ...renderedAsSynthResources(rendered, stack)], rendered);
    return { lines: formatCrdCheck(stack, crds), ok: crds.problems.length === 0 };
}

/**
 * Mandatory gate violations and the twin's verdict over a stack's resources; with rendered chart
 * objects, also those objects and the CRD schema check.
 */
export function gateAndAdmit(
    stack: string,
    resources: SynthResource[],
    rendered: RenderedObject[] | undefined,
): { lines: string[]; ok: boolean; admit: AdmitReport; ms: { gate: number; admit: number } } {
    const lines: string[] = [];
    // Timed with the gate: both judge the objects as written.
    let t = process.hrtime.bigint();
    const crds = rendered ? checkCrds(stack, resources, rendered) : { lines: [], ok: true };
    lines.push(...crds.lines);
    const violations = runGate(stack, [...resources, ...(rendered ? renderedAsSynthResources(rendered, stack) : [])]);
    const gateMs = since(t);
    for (const v of violations) lines.push(formatViolation(v));
    const mandatory = violations.filter((v) => v.level === "mandatory").length;
    lines.push(`policy gate for stack ${stack}: ${mandatory} mandatory and ${violations.length - mandatory} advisory violation(s)`);
    t = process.hrtime.bigint();
    const chartObjects: ChartObject[] | undefined = rendered?.map((o) => ({ release: o.release, object: o.object }));
    const admit = admitStack({ stack, resources, config: stackConfig(stack), rendered: chartObjects });
    lines.push(...formatReport(admit));
    return { lines, ok: crds.ok && mandatory === 0 && admit.ok, admit, ms: { gate: gateMs, admit: since(t) } };
}

export async function checkStack(stack: string, options: CheckOptions): Promise<StackCheck> {
    const ms = { synth: 0, render: 0, gate: 0, admit: 0 };
    const outDir = path.resolve(options.out, stack);
    let t = process.hrtime.bigint();
    removeSynth(outDir);
    const run = await synthesize(stack);
    writeSynth(run, outDir);
    const resources = toSynthResources(run);
    ms.synth = since(t);

    let rendered: RenderedObject[] | undefined;
    const lines: string[] = [`stack ${stack}: ${resources.length} resources -> ${outDir}`];
    if (options.render) {
        t = process.hrtime.bigint();
        removeRendered(outDir);
        let render: StackRender;
        try {
            render = await renderReleases(releasesOf(resources), {
                stack,
                kubeVersion: stackConfig(stack).cluster.kubernetesVersion,
                chartsDir: options.chartsDir,
            });
        } catch (err) {
            if (err instanceof ReleaseTemplateError) throw new CommandError(err.message);
            throw err;
        }
        writeRendered(render, outDir);
        if (options.requireAll) requireAllRendered(render);
        for (const r of render.releases.filter((x) => x.status !== "rendered"))
            lines.push(`[note] release ${r.spec.name} is not rendered: ${r.status}`);
        rendered = render.releases.flatMap((r) =>
            r.objects.map((o) => ({
                release: r.spec.name,
                chart: r.spec.chart.name,
                version: r.spec.chart.version,
                object: o.object,
                releaseUrn: r.spec.urn,
            })),
        );
        lines.push(`stack ${stack}: ${rendered.length} chart objects rendered`);
        ms.render = since(t);
    }
    const result = gateAndAdmit(stack, resources, rendered);
    ms.gate = result.ms.gate;
    ms.admit = result.ms.admit;
    lines.push(...result.lines);
    // The drift contract: what the nightly `preview --refresh --expect-no-changes` would flag by design.
    const drift = checkDrift({ resources, config: stackConfig(stack) });
    lines.push(...formatDrift(stack, drift));
    return { stack, ok: result.ok && drift.length === 0, lines, ms };
}
