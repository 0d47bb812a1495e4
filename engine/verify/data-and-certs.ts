import { CronExpressionParser } from "cron-parser";
import type { Cluster, CustomKind, KubeObject } from "./cluster";
import type { Expectations } from "./expectations";
import type { CheckResult } from "./report";

const CERTIFICATES: CustomKind = { group: "cert-manager.io", version: "v1", plural: "certificates" };
const PG_CLUSTERS: CustomKind = { group: "postgresql.cnpg.io", version: "v1", plural: "clusters" };
const PG_BACKUPS: CustomKind = { group: "postgresql.cnpg.io", version: "v1", plural: "backups" };
const STRIMZI = (plural: string): CustomKind => ({ group: "kafka.strimzi.io", version: "v1", plural });

interface Condition {
    type?: string;
    status?: string;
    reason?: string;
    message?: string;
}

/** The `Ready` condition of an object that reports conditions (cert-manager, Strimzi). */
function readiness(obj: KubeObject): { ready: boolean; detail: string } {
    const conditions = (obj.status?.conditions ?? []) as Condition[];
    const ready = conditions.find((c) => c.type === "Ready");
    if (!ready) return { ready: false, detail: "no Ready condition yet" };
    const why = [ready.reason, ready.message].filter(Boolean).join(": ");
    return { ready: ready.status === "True", detail: `Ready=${ready.status}${why ? ` (${why})` : ""}` };
}

const key = (o: { namespace?: string; name: string }) => `${o.namespace}/${o.name}`;
const objKey = (o: KubeObject) => key({ namespace: o.metadata.namespace, name: o.metadata.name });

/** One list of a kind across namespaces, by `namespace/name`. */
async function byKey(cluster: Cluster, kind: CustomKind): Promise<Map<string, KubeObject>> {
    return new Map((await cluster.list(kind)).map((o) => [objKey(o), o]));
}

/**
 * The Certificates the stack's Ingresses imply are there and Ready, and so is every other
 * Certificate in the stack's namespaces (the charts' own, the backup plugin's).
 */
export async function checkCertificates(cluster: Cluster, exp: Pick<Expectations, "certificates" | "namespaces">): Promise<CheckResult[]> {
    const live = (await cluster.list(CERTIFICATES)).filter((c) => exp.namespaces.includes(c.metadata.namespace ?? ""));
    const liveByKey = new Map(live.map((c) => [objKey(c), c]));
    const rows: CheckResult[] = exp.certificates.map((expected) => {
        const cert = liveByKey.get(key(expected));
        const target = key(expected);
        if (!cert) return { check: "certificate", target, status: "fail", detail: `missing (for ${expected.hosts.join(", ")})` };
        return certificateRow(cert);
    });
    const expectedKeys = new Set(exp.certificates.map(key));
    return [...rows, ...live.filter((c) => !expectedKeys.has(objKey(c))).map(certificateRow)];
}

function certificateRow(cert: KubeObject): CheckResult {
    const { ready, detail } = readiness(cert);
    const notAfter = cert.status?.notAfter ? `, valid until ${String(cert.status.notAfter)}` : "";
    return { check: "certificate", target: objKey(cert), status: ready ? "ok" : "fail", detail: `${detail}${notAfter}` };
}

/** Each CloudNativePG cluster is healthy with every declared instance ready. */
export async function checkPostgres(cluster: Cluster, clusters: Expectations["postgres"]): Promise<CheckResult[]> {
    if (clusters.length === 0) return [];
    const live = await byKey(cluster, PG_CLUSTERS);
    return clusters.map((expected): CheckResult => {
        const target = key(expected);
        const pg = live.get(target);
        if (!pg) return { check: "postgres", target, status: "fail", detail: "missing" };
        const phase = String(pg.status?.phase ?? "no status yet");
        const instances = Number(pg.spec?.instances ?? pg.status?.instances ?? 0);
        const readyInstances = Number(pg.status?.readyInstances ?? 0);
        const healthy = phase === "Cluster in healthy state" && readyInstances === instances && instances === expected.instances;
        const declared = instances === expected.instances ? "" : ` (the stack declares ${expected.instances})`;
        return {
            check: "postgres",
            target,
            status: healthy ? "ok" : "fail",
            detail: `${phase}, ${readyInstances}/${instances} instances ready${declared}`,
        };
    });
}

/**
 * The earliest finish time a cluster's newest completed backup may have: the schedule's run
 * before the latest one (the latest may still be running). Schedules are CloudNativePG's
 * six-field cron (seconds first), evaluated in UTC as the operator does.
 */
export function backupDeadline(schedule: string, now: Date): Date {
    const runs = CronExpressionParser.parse(schedule, { currentDate: now, tz: "UTC" });
    runs.prev();
    return runs.prev().toDate();
}

/** Each scheduled backup has a completed Backup newer than its schedule allows. */
export async function checkBackups(cluster: Cluster, backups: Expectations["backups"], now: Date): Promise<CheckResult[]> {
    if (backups.length === 0) return [];
    const live = await cluster.list(PG_BACKUPS);
    return backups.map((expected): CheckResult => {
        const target = `${expected.namespace}/${expected.cluster}`;
        let deadline: Date;
        try {
            deadline = backupDeadline(expected.schedule, now);
        } catch (err) {
            return {
                check: "backup",
                target,
                status: "fail",
                detail: `schedule '${expected.schedule}' does not parse: ${(err as Error).message}`,
            };
        }
        const ofCluster = live.filter(
            (b) =>
                b.metadata.namespace === expected.namespace &&
                (b.spec?.cluster as { name?: string } | undefined)?.name === expected.cluster,
        );
        const completed = ofCluster
            .filter((b) => b.status?.phase === "completed" && b.status.stoppedAt)
            .map((b) => new Date(String(b.status!.stoppedAt)))
            .sort((a, b) => b.getTime() - a.getTime());
        const newest = completed[0];
        const wants = `schedule '${expected.schedule}' wants one finished after ${deadline.toISOString()}`;
        if (!newest) {
            const phases = ofCluster.map((b) => String(b.status?.phase ?? "pending"));
            return {
                check: "backup",
                target,
                status: "fail",
                detail: `no completed backup (${phases.length ? phases.join(", ") : "none at all"}); ${wants}`,
            };
        }
        const age = `last completed ${newest.toISOString()} (${hoursBetween(newest, now)}h ago)`;
        return newest >= deadline
            ? { check: "backup", target, status: "ok", detail: age }
            : { check: "backup", target, status: "fail", detail: `stale: ${age}; ${wants}` };
    });
}

const hoursBetween = (a: Date, b: Date) => Math.round((b.getTime() - a.getTime()) / 36e5);

/** Each Kafka cluster, topic and user the stack declares reports Ready. */
export async function checkKafka(cluster: Cluster, objects: Expectations["kafka"]): Promise<CheckResult[]> {
    const kinds = [...new Set(objects.map((o) => o.kind))];
    const live = new Map(
        await Promise.all(kinds.map(async (kind) => [kind, await byKey(cluster, STRIMZI(`${kind.toLowerCase()}s`))] as const)),
    );
    return objects.map((expected): CheckResult => {
        const check = expected.kind === "Kafka" ? "kafka" : expected.kind === "KafkaTopic" ? "kafka-topic" : "kafka-user";
        const target = key(expected);
        const obj = live.get(expected.kind)?.get(target);
        if (!obj) return { check, target, status: "fail", detail: "missing" };
        const { ready, detail } = readiness(obj);
        return { check, target, status: ready ? "ok" : "fail", detail };
    });
}
