import type { Cluster } from "./cluster";
import { checkBackups, checkCertificates, checkKafka, checkPostgres } from "./data-and-certs";
import type { Expectations } from "./expectations";
import { checkReleases } from "./helm";
import { checkHosts, Resolver, systemResolver, tlsConnector, TlsConnector } from "./hosts";
import { checkPolicies } from "./policies";
import type { CheckResult, VerifyReport } from "./report";
import { checkNamespaces, checkPods, checkWorkloads } from "./workloads";

export { ClusterError, kubeCluster, loadKubeConfig } from "./cluster";
export type { Cluster } from "./cluster";
export { expectationsFromSynth } from "./expectations";
export type { Expectations } from "./expectations";
export { decodeHelmRelease } from "./helm";
export { systemResolver, tlsConnector } from "./hosts";
export type { Resolver, TlsConnector } from "./hosts";
export { formatJson, formatTable, summarise } from "./report";
export type { CheckResult, VerifyReport } from "./report";

export interface VerifyOptions {
    /** The time backups and certificates are judged at. @default now */
    now?: Date;
    /** @default the system resolver */
    resolve?: Resolver;
    /** @default TLS on port 443, trusting the system's roots */
    connect?: TlsConnector;
}

/**
 * Checks a live cluster against what the stack's synth says it should run. Never throws: a
 * check that cannot read what it needs is a failed row saying why.
 */
export async function verifyCluster(exp: Expectations, cluster: Cluster, options: VerifyOptions = {}): Promise<VerifyReport> {
    const now = options.now ?? new Date();
    const report = (checks: CheckResult[]): VerifyReport => ({
        stack: exp.stack,
        context: cluster.context,
        server: cluster.server,
        ok: checks.every((c) => c.status === "ok"),
        checks,
    });
    let version: string;
    try {
        version = await cluster.serverVersion();
    } catch (err) {
        return report([{ check: "cluster", target: cluster.context, status: "fail", detail: (err as Error).message }]);
    }
    const declared = exp.context && exp.context !== cluster.context ? ` (the stack deploys to '${exp.context}')` : "";
    const first: CheckResult = {
        check: "cluster",
        target: cluster.context,
        status: "ok",
        detail: `Kubernetes ${version} at ${cluster.server}${declared}`,
    };
    const groups: [string, () => Promise<CheckResult[]>][] = [
        ["namespaces", () => checkNamespaces(cluster, exp.namespaces)],
        ["release", () => checkReleases(cluster, exp.releases)],
        ["pods", () => checkPods(cluster, exp.namespaces)],
        ["workload", () => checkWorkloads(cluster, exp.workloads)],
        ["certificate", () => checkCertificates(cluster, exp)],
        ["postgres", () => checkPostgres(cluster, exp.postgres)],
        ["backup", () => checkBackups(cluster, exp.backups, now)],
        ["kafka", () => checkKafka(cluster, exp.kafka)],
        ["policy", () => checkPolicies(cluster, exp)],
        ["host", () => checkHosts(exp.publicHosts, options.resolve ?? systemResolver, options.connect ?? tlsConnector(), now)],
    ];
    const results = await Promise.all(
        groups.map(([check, run]) =>
            run().catch((err): CheckResult[] => [{ check, target: "*", status: "fail", detail: (err as Error).message }]),
        ),
    );
    return report([first, ...results.flat()]);
}
