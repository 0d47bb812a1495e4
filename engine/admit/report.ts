import { describeEndpoint } from "./flows";
import type { AdmitReport } from "./index";
import { formatAmount } from "./quota";
import { formatRefusal } from "./types";

/** The twin's findings as lines a reviewer reads, then one summary line. */
export function formatReport(report: AdmitReport, options: { verbose?: boolean } = {}): string[] {
    const lines: string[] = [];
    for (const s of report.stale) lines.push(`stale model: ${s}`);
    for (const r of report.refusals) lines.push(`refused ${formatRefusal(r)}`);
    for (const r of report.exec.refusals) lines.push(`refused ${formatRefusal(r)}`);
    for (const q of report.quota.findings) {
        lines.push(
            `quota ${q.namespace}/ResourceQuota/${q.quota}: ${q.resource}: needs ${formatAmount(q.resource, q.needed)} at full scale, allows ${formatAmount(q.resource, q.hard)}`,
        );
    }
    for (const f of report.flows.filter((x) => !x.ok)) {
        const what = f.flow.kind === "required" ? "required flow blocked" : "forbidden flow open";
        lines.push(
            `${what}: ${describeEndpoint(f.flow.from)} -> ${describeEndpoint(f.flow.to)}:${f.flow.port}/${f.flow.protocol ?? "TCP"} (${f.flow.why}): ${f.detail}`,
        );
    }
    if (options.verbose) for (const r of report.audits) lines.push(`audit ${formatRefusal(r)}`);
    lines.push(summaryLine(report));
    return lines;
}

export function summaryLine(report: AdmitReport): string {
    const required = report.flows.filter((f) => f.flow.kind === "required");
    const forbidden = report.flows.filter((f) => f.flow.kind === "forbidden");
    const p = report.pods;
    return (
        `admission twin for stack ${report.stack}: ${p.total} pods evaluated (${p.fromProgram} program, ${p.fromCharts} rendered chart, ${p.fromModels} operator model), ` +
        `${report.refusals.length} refused, ${report.audits.length} audit finding(s); ` +
        `${report.exec.checked} operator exec action(s), ${report.exec.refusals.length} refused; ` +
        `quota: ${report.quota.findings.length} namespace limit(s) exceeded; ` +
        `flows: ${required.filter((f) => f.ok).length}/${required.length} required allowed, ${forbidden.filter((f) => f.ok).length}/${forbidden.length} forbidden denied` +
        (report.stale.length ? `; ${report.stale.length} stale model(s)` : "")
    );
}

/** Total requests of every pod the stack runs, at its normal scale (what a dev cluster must offer). */
export function capacityLines(report: AdmitReport): string[] {
    return report.quota.usage
        .sort((a, b) => a.namespace.localeCompare(b.namespace))
        .map(
            (u) =>
                `${u.namespace}: requests ${formatAmount("cpu", u.used["requests.cpu"])} CPU, ${formatAmount("memory", u.used["requests.memory"])}; limits ${formatAmount("cpu", u.used["limits.cpu"])} CPU, ${formatAmount("memory", u.used["limits.memory"])}; ${u.used.pods} pods`,
        );
}
