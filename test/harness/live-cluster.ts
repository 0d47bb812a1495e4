import * as zlib from "zlib";
import type { Expectations } from "../../engine/verify";
import type { LiveObject } from "./fake-kube-api";

/**
 * Objects shaped as a real cluster returns them (field names and values as the API server,
 * Helm, cert-manager, CloudNativePG, Strimzi, Kyverno and Gatekeeper write them), for a cluster
 * running exactly what a stack expects. Tests break one thing at a time on top.
 */

const ts = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, "Z");

/** A Helm release revision as Helm's secret driver stores it: base64(gzip(JSON)), base64'd again by the API. */
export function helmReleaseSecret(
    name: string,
    namespace: string,
    chart: string,
    version: string,
    revision: number,
    status: string,
): LiveObject {
    const release = {
        name,
        namespace,
        version: revision,
        info: {
            first_deployed: "2026-01-05T10:00:00Z",
            last_deployed: "2026-01-05T10:00:00Z",
            deleted: "",
            description: "Upgrade complete",
            status,
        },
        chart: { metadata: { apiVersion: "v2", name: chart, version, appVersion: version.replace(/^v/, "") } },
        config: {},
        manifest: "---\n",
    };
    const helmEncoded = zlib.gzipSync(Buffer.from(JSON.stringify(release))).toString("base64");
    return {
        apiVersion: "v1",
        kind: "Secret",
        metadata: {
            name: `sh.helm.release.v1.${name}.v${revision}`,
            namespace,
            labels: { name, owner: "helm", status, version: String(revision) },
        },
        type: "helm.sh/release.v1",
        data: { release: Buffer.from(helmEncoded).toString("base64") },
    };
}

export function pod(namespace: string, name: string, state: "ready" | "crashloop" | "succeeded" = "ready"): LiveObject {
    const ready = state === "ready";
    const containerState =
        state === "crashloop"
            ? { waiting: { reason: "CrashLoopBackOff", message: "back-off 5m0s restarting failed container=app" } }
            : state === "succeeded"
              ? { terminated: { exitCode: 0, reason: "Completed", startedAt: "2026-01-05T03:00:00Z", finishedAt: "2026-01-05T03:01:00Z" } }
              : { running: { startedAt: "2026-01-05T10:00:00Z" } };
    return {
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name, namespace, labels: { app: name } },
        spec: { containers: [{ name: "app", image: "registry.k8s.io/pause:3.10" }] },
        status: {
            phase: state === "succeeded" ? "Succeeded" : "Running",
            conditions: [
                { type: "PodScheduled", status: "True", lastTransitionTime: "2026-01-05T10:00:00Z" },
                {
                    type: "Ready",
                    status: ready ? "True" : "False",
                    lastTransitionTime: "2026-01-05T10:00:00Z",
                    ...(ready ? {} : { reason: "ContainersNotReady" }),
                },
            ],
            containerStatuses: [
                {
                    name: "app",
                    ready,
                    restartCount: state === "crashloop" ? 7 : 0,
                    image: "registry.k8s.io/pause:3.10",
                    imageID: "",
                    started: ready,
                    state: containerState,
                },
            ],
        },
    };
}

const condition = (type: string, ok: boolean, reason = ok ? "Ready" : "NotReady", message = "") => ({
    type,
    status: ok ? "True" : "False",
    reason,
    message,
    lastTransitionTime: "2026-01-05T10:00:00Z",
});

export function certificate(namespace: string, name: string, ready = true): LiveObject {
    return {
        apiVersion: "cert-manager.io/v1",
        kind: "Certificate",
        metadata: { name, namespace },
        spec: {
            secretName: name,
            dnsNames: [`${name}.platform.example.com`],
            issuerRef: { kind: "ClusterIssuer", name: "letsencrypt-production" },
        },
        status: {
            conditions: [
                ready
                    ? condition("Ready", true, "Ready", "Certificate is up to date and has not expired")
                    : condition("Ready", false, "DoesNotExist", "Issuing certificate as Secret does not exist"),
            ],
            ...(ready ? { notAfter: "2026-04-05T10:00:00Z", renewalTime: "2026-03-06T10:00:00Z" } : {}),
        },
    };
}

export function pgCluster(namespace: string, name: string, instances: number, readyInstances = instances): LiveObject {
    return {
        apiVersion: "postgresql.cnpg.io/v1",
        kind: "Cluster",
        metadata: { name, namespace },
        spec: { instances, storage: { size: "20Gi" } },
        status: {
            instances,
            readyInstances,
            phase: readyInstances === instances ? "Cluster in healthy state" : "Waiting for the instances to become active",
            currentPrimary: `${name}-1`,
        },
    };
}

export function pgBackup(namespace: string, cluster: string, stoppedAt: Date, phase = "completed"): LiveObject {
    const started = new Date(stoppedAt.getTime() - 10 * 60_000);
    return {
        apiVersion: "postgresql.cnpg.io/v1",
        kind: "Backup",
        metadata: { name: `${cluster}-${stoppedAt.getTime()}`, namespace, labels: { "cnpg.io/cluster": cluster } },
        spec: { cluster: { name: cluster }, method: "plugin", pluginConfiguration: { name: "barman-cloud.cloudnative-pg.io" } },
        status: { phase, method: "plugin", startedAt: ts(started), stoppedAt: ts(stoppedAt) },
    };
}

export function strimzi(kind: string, namespace: string, name: string, ready = true): LiveObject {
    return {
        apiVersion: "kafka.strimzi.io/v1",
        kind,
        metadata: { name, namespace },
        spec: {},
        status: {
            observedGeneration: 1,
            conditions: [
                ready
                    ? condition("Ready", true, "", "")
                    : condition("Ready", false, "InvalidResource", "Number of partitions cannot be decreased"),
            ],
        },
    };
}

export function kyvernoPolicy(kind: string, name: string, validationActions: string[], ready = true): LiveObject {
    return {
        apiVersion: "policies.kyverno.io/v1",
        kind,
        metadata: { name },
        spec: { validationActions },
        status: {
            conditionStatus: { ready, conditions: [condition("WebhookConfigured", ready, ready ? "Succeeded" : "Failed")] },
            generated: false,
        },
    };
}

export function constraint(kind: string, name: string, enforcementAction: string): LiveObject {
    return {
        apiVersion: "constraints.gatekeeper.sh/v1beta1",
        kind,
        metadata: { name },
        spec: { enforcementAction },
        status: {
            auditTimestamp: "2026-01-05T10:00:00Z",
            totalViolations: 0,
            byPod: [
                { id: "gatekeeper-audit-6f8d9c7b5-abcde", enforced: true, observedGeneration: 1, operations: ["audit", "status"] },
                { id: "gatekeeper-controller-manager-7d9f8b6c4-fghij", enforced: true, observedGeneration: 1, operations: ["webhook"] },
            ],
        },
    };
}

/** Everything the stack expects, running and healthy at `now` (backups finished an hour ago). */
export function healthyCluster(exp: Expectations, now: Date): LiveObject[] {
    return [
        ...exp.namespaces.map((name) => ({ apiVersion: "v1", kind: "Namespace", metadata: { name }, status: { phase: "Active" } })),
        ...exp.releases.flatMap((r) => [
            helmReleaseSecret(r.name, r.namespace, r.chart, "0.0.1", 1, "superseded"),
            helmReleaseSecret(r.name, r.namespace, r.chart, r.version, 2, "deployed"),
        ]),
        ...exp.namespaces.flatMap((ns) => [pod(ns, `${ns}-worker-7c9d8`), pod(ns, `${ns}-job-29140-x2k4p`, "succeeded")]),
        ...exp.workloads.map((w) =>
            w.kind === "Deployment"
                ? {
                      apiVersion: "apps/v1",
                      kind: "Deployment",
                      metadata: { name: w.name, namespace: w.namespace, generation: 3 },
                      spec: {
                          replicas: 2,
                          selector: { matchLabels: { app: w.name } },
                          template: { metadata: {}, spec: { containers: [] } },
                      },
                      status: { observedGeneration: 3, replicas: 2, readyReplicas: 2, availableReplicas: 2, updatedReplicas: 2 },
                  }
                : {
                      apiVersion: "argoproj.io/v1alpha1",
                      kind: "Rollout",
                      metadata: { name: w.name, namespace: w.namespace },
                      spec: { replicas: 3 },
                      status: { phase: "Healthy", availableReplicas: 3, readyReplicas: 3, stableRS: "6b7f9d" },
                  },
        ),
        ...exp.certificates.map((c) => certificate(c.namespace, c.name)),
        certificate("monitoring", "grafana-tls"),
        ...exp.postgres.map((p) => pgCluster(p.namespace, p.name, p.instances)),
        ...exp.backups.flatMap((b) => [
            pgBackup(b.namespace, b.cluster, new Date(now.getTime() - 25 * 36e5)),
            pgBackup(b.namespace, b.cluster, new Date(now.getTime() - 36e5)),
        ]),
        ...exp.kafka.map((k) => strimzi(k.kind, k.namespace, k.name)),
        ...exp.kyvernoPolicies.map((p) => kyvernoPolicy(p.kind, p.name, p.validationActions)),
        ...exp.gatekeeperConstraints.map((c) => constraint(c.kind, c.name, c.enforcementAction)),
    ];
}
