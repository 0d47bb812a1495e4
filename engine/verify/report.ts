/** One row of the verify report. */
export interface CheckResult {
    /** What kind of check: release, pods, workload, certificate, postgres, backup, kafka, policy, host, ... */
    check: string;
    /** What it looked at: `namespace/name`, a namespace, a host. */
    target: string;
    status: "ok" | "fail";
    detail: string;
}

export interface VerifyReport {
    stack: string;
    context: string;
    server: string;
    ok: boolean;
    checks: CheckResult[];
}

export function summarise(report: VerifyReport): string {
    const failed = report.checks.filter((c) => c.status === "fail").length;
    return failed === 0
        ? `stack ${report.stack} on ${report.context}: all ${report.checks.length} checks passed`
        : `stack ${report.stack} on ${report.context}: ${failed} of ${report.checks.length} checks failed`;
}

/** A plain-text table (check, target, status, detail) and a closing summary line. */
export function formatTable(report: VerifyReport): string {
    const header: CheckResult = { check: "CHECK", target: "TARGET", status: "STATUS" as "ok", detail: "DETAIL" };
    const rows = [header, ...report.checks];
    const width = (key: "check" | "target" | "status") => Math.max(...rows.map((r) => r[key].length));
    const [c, t, s] = [width("check"), width("target"), width("status")];
    const lines = rows.map((r) => `${r.check.padEnd(c)}  ${r.target.padEnd(t)}  ${r.status.padEnd(s)}  ${r.detail}`.trimEnd());
    return `${lines.join("\n")}\n\n${summarise(report)}\n`;
}

export function formatJson(report: VerifyReport): string {
    return JSON.stringify(report, null, 2) + "\n";
}
