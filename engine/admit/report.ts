import { describeEndpoint } from "./flows";
import type { AdmitReport } from "./index";
import { formatAmount, QuotaUsage } from "./quota";
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
    for (const d of report.scrapes.duplicates) {
        lines.push(`scraped ${d.through.length} times: ${d.pod}:${d.port}${d.path} through ${d.through.join(", ")}`);
    }
    for (const m of report.scrapes.unread) {
        lines.push(`read by no Prometheus: ${m} (its labels or namespace match no Prometheus's selectors)`);
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
        `flows: ${required.filter((f) => f.ok).length}/${required.length} required allowed, ${forbidden.filter((f) => f.ok).length}/${forbidden.length} forbidden denied; ` +
        `scrapes: ${report.scrapes.targets.length} target(s), ${report.scrapes.duplicates.length} scraped more than once, ${report.scrapes.unread.length} monitor(s) or rule(s) read by no Prometheus` +
        (report.stale.length ? `; ${report.stale.length} stale model(s)` : "")
    );
}

/**
 * What a cluster must offer the stack: requests and limits of every pod per namespace, as the
 * stack starts and at full scale (autoscaler maxima, rollout surge), with totals.
 */
export function capacityLines(report: AdmitReport): string[] {
    const row = (label: string, u: QuotaUsage["used"]) =>
        `${label.padEnd(22)} ${formatAmount("cpu", u["requests.cpu"]).padStart(7)} ${formatAmount("memory", u["requests.memory"]).padStart(9)} ` +
        `${formatAmount("cpu", u["limits.cpu"]).padStart(7)} ${formatAmount("memory", u["limits.memory"]).padStart(9)} ${String(u.pods).padStart(5)}`;
    const total = (usage: QuotaUsage[]) =>
        usage.reduce(
            (t, u) => {
                for (const k of Object.keys(t) as (keyof typeof t)[]) t[k] += u.used[k];
                return t;
            },
            { "requests.cpu": 0, "requests.memory": 0, "limits.cpu": 0, "limits.memory": 0, pods: 0 },
        );
    const sorted = [...report.initialUsage].sort((a, b) => a.namespace.localeCompare(b.namespace));
    return [
        `capacity of stack ${report.stack} (${report.pods.fromCharts > 0 ? "program, charts and operators" : "program and operators only: add --rendered for the charts' pods"}):`,
        `${"namespace".padEnd(22)} ${"req CPU".padStart(7)} ${"req mem".padStart(9)} ${"lim CPU".padStart(7)} ${"lim mem".padStart(9)} ${"pods".padStart(5)}`,
        ...sorted.map((u) => row(u.namespace, u.used)),
        row("total as it starts", total(report.initialUsage)),
        row("total at full scale", total(report.quota.usage)),
    ];
}
