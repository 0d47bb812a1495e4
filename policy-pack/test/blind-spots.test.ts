import { strict as assert } from "assert";
import * as cloudflare from "../policies/cloudflare";
import * as data from "../policies/data";
import * as helm from "../policies/helm";
import * as namespaces from "../policies/namespaces";
import * as secrets from "../policies/secrets";
import * as w from "../policies/workloads";
import { check, goodDeployment, resource } from "./helpers";

/**
 * What the policies claim to see, they see: every workload kind, every Helm source, secrets by
 * content, effects rather than presence. Each case must be flagged; its fixed twin must pass.
 */

const good = goodDeployment();
const template = (good.spec as { template: Record<string, unknown> }).template;
const podSpec = template.spec as Record<string, unknown>;

/** The same pod, as every kind of workload the policies claim to read. */
const kinds: Record<string, (spec: Record<string, unknown>) => Record<string, unknown>> = {
    "kubernetes:core/v1:Pod": (spec) => ({ metadata: { name: "api", namespace: "core", labels: template.metadata }, spec }),
    "kubernetes:core/v1:PodTemplate": (spec) => ({ metadata: { name: "api", namespace: "core" }, template: { ...template, spec } }),
    "kubernetes:apps/v1:Deployment": (spec) => ({ ...good, spec: { ...(good.spec as object), template: { ...template, spec } } }),
    "kubernetes:apps/v1:ReplicaSet": (spec) => ({ ...good, spec: { template: { ...template, spec } } }),
    "kubernetes:core/v1:ReplicationController": (spec) => ({ ...good, spec: { template: { ...template, spec } } }),
    "kubernetes:apps/v1:StatefulSet": (spec) => ({ ...good, spec: { template: { ...template, spec } } }),
    "kubernetes:apps/v1:DaemonSet": (spec) => ({ ...good, spec: { template: { ...template, spec } } }),
    "kubernetes:batch/v1:Job": (spec) => ({ ...good, spec: { template: { ...template, spec } } }),
    "kubernetes:batch/v1:CronJob": (spec) => ({ ...good, spec: { jobTemplate: { spec: { template: { ...template, spec } } } } }),
    "kubernetes:argoproj.io/v1alpha1:Rollout": (spec) => ({ ...good, spec: { template: { ...template, spec } } }),
};

const container = (podSpec.containers as Record<string, unknown>[])[0];
const withContainer = (c: Record<string, unknown>) => ({ ...podSpec, containers: [{ ...container, ...c }] });

/** For each security policy: a pod spec that breaks it. */
const breaking: [string, typeof w.noPrivilegedOrHostAccess, Record<string, unknown>][] = [
    [
        "privileged",
        w.noPrivilegedOrHostAccess,
        withContainer({ securityContext: { ...(container.securityContext as object), privileged: true } }),
    ],
    ["host network", w.noPrivilegedOrHostAccess, { ...podSpec, hostNetwork: true }],
    [
        "capability added back",
        w.dropAllCapabilities,
        withContainer({
            securityContext: { ...(container.securityContext as object), capabilities: { drop: ["ALL"], add: ["SYS_ADMIN"] } },
        }),
    ],
    [
        "seccomp Unconfined",
        w.noUnconfinedProfiles,
        { ...podSpec, securityContext: { ...(podSpec.securityContext as object), seccompProfile: { type: "Unconfined" } } },
    ],
    ["no memory limit", w.resourceLimits, withContainer({ resources: { limits: { cpu: "1" } } })],
    ["runs as root", w.runAsNonRoot, { ...withContainer({ securityContext: { ...(container.securityContext as object), runAsUser: 0 } }) }],
    [
        "writable root",
        w.readOnlyRootFilesystem,
        withContainer({ securityContext: { ...(container.securityContext as object), readOnlyRootFilesystem: false } }),
    ],
    ["latest", w.noLatestTag, withContainer({ image: "ghcr.io/acme/api:latest" })],
    [
        "secret literal by content",
        secrets.noPlaintextSecrets,
        withContainer({ env: [{ name: "UPSTREAM", value: "postgresql://admin:S3cret!@db:5432/app" }] }),
    ],
];

describe("policy pack: every workload kind it claims", () => {
    for (const [type, build] of Object.entries(kinds)) {
        describe(type.split(":").pop()!, () => {
            for (const [what, policy, spec] of breaking) {
                it(`${policy.name}: flags ${what}, passes the hardened pod`, () => {
                    assert.equal(check(policy, [resource(type, build(spec))]).length > 0, true, "flagged");
                    assert.deepEqual(
                        check(policy, [resource(type, build(podSpec))]).map((v) => v.message),
                        [],
                        "passes",
                    );
                });
            }
        });
    }
});

describe("policy pack: effects, not presence", () => {
    const ns = resource("kubernetes:core/v1:Namespace", { metadata: { name: "core", labels: { "platform.io/layer": "core" } } });

    it("a LoadBalancer or NodePort Service in an app namespace; ClusterIP passes", () => {
        const svc = (type: string) =>
            resource("kubernetes:core/v1:Service", { metadata: { name: "api", namespace: "core" }, spec: { type } });
        assert.equal(check(namespaces.noExternalServices, [ns, svc("LoadBalancer")]).length, 1);
        assert.equal(check(namespaces.noExternalServices, [ns, svc("NodePort")]).length, 1);
        assert.equal(check(namespaces.noExternalServices, [ns, svc("ClusterIP")]).length, 0);
    });

    it("a suspended scheduled backup is no backup", () => {
        const cluster = resource("kubernetes:postgresql.cnpg.io/v1:Cluster", {
            metadata: { name: "db", namespace: "data" },
            spec: { plugins: [{ name: "barman-cloud.cloudnative-pg.io", isWALArchiver: true, parameters: { barmanObjectName: "s" } }] },
        });
        const store = resource("kubernetes:barmancloud.cnpg.io/v1:ObjectStore", {
            metadata: { name: "s", namespace: "data" },
            spec: { retentionPolicy: "30d" },
        });
        const backup = (suspend: boolean) =>
            resource("kubernetes:postgresql.cnpg.io/v1:ScheduledBackup", {
                metadata: { name: "b", namespace: "data" },
                spec: { cluster: { name: "db" }, suspend },
            });
        assert.deepEqual(
            check(data.databaseBackups, [cluster, store, backup(true)]).map((v) => v.message),
            ["Cluster data/db's scheduled backups are all suspended"],
        );
        assert.deepEqual(check(data.databaseBackups, [cluster, store, backup(false)]), []);
    });

    it("a Kafka topic with one replica or one in-sync replica", () => {
        const topic = (replicas: number, isr: number) =>
            resource("kubernetes:kafka.strimzi.io/v1:KafkaTopic", {
                metadata: { name: "t", namespace: "data" },
                spec: { replicas, config: { "min.insync.replicas": isr } },
            });
        const config = { "kafka-durability": { minReplicationFactor: 3, minInSyncReplicas: 2 } };
        assert.equal(check(data.kafkaDurability, [topic(1, 1)], config).length, 2);
        assert.equal(check(data.kafkaDurability, [topic(3, 2)], config).length, 0);
    });

    it("Helm: a local chart path, a v4 Chart from an unknown repository, host access in values", () => {
        const config = { "helm-allowed-repositories": { repositories: ["https://charts.example.com"] } };
        const release = (props: Record<string, unknown>, type = "kubernetes:helm.sh/v3:Release") =>
            resource(type, { name: "x", namespace: "x", version: "1.0.0", atomic: true, ...props });
        assert.match(check(helm.allowedRepositories, [release({ chart: "./charts/x" })], config)[0].message, /local path or archive/);
        assert.match(
            check(
                helm.allowedRepositories,
                [release({ chart: "x", repositoryOpts: { repo: "https://evil.example.com" } }, "kubernetes:helm.sh/v4:Chart")],
                config,
            )[0].message,
            /not an allowed repository/,
        );
        assert.deepEqual(
            check(
                helm.allowedRepositories,
                [release({ chart: "x", repositoryOpts: { repo: "https://charts.example.com" } }, "kubernetes:helm.sh/v4:Chart")],
                config,
            ),
            [],
        );
        assert.match(
            check(helm.valuesNoHostAccess, [release({ chart: "x", values: { controller: { hostNetwork: true } } })])[0].message,
            /values set controller\.hostNetwork/,
        );
        assert.deepEqual(check(helm.valuesNoHostAccess, [release({ chart: "x", values: { controller: { hostNetwork: false } } })]), []);
    });

    it("WAF and rate limits that never act: log-only, constant false, managed rulesets overridden off", () => {
        const zoneId = "0123456789abcdef0123456789abcdef";
        const ruleset = (phase: string, rules: Record<string, unknown>[]) =>
            resource("cloudflare:index/ruleset:Ruleset", { zoneId, phase, rules }, { name: phase });
        const managed = (overrides?: object, expression = "true") =>
            ruleset("http_request_firewall_managed", [
                {
                    action: "execute",
                    expression,
                    actionParameters: { id: "efb7b8c949ac4650a09736fc376e9aee", ...(overrides ? { overrides } : {}) },
                },
                { action: "execute", expression: "true", actionParameters: { id: "4814384a9e5d4991b9815dcfc25d2f1f" } },
            ]);
        const custom = ruleset("http_request_firewall_custom", [
            { ref: "c", action: "block", expression: 'http.request.uri.path contains "../"' },
        ]);
        const limits = (action: string, expression: string) => ruleset("http_ratelimit", [{ ref: "r", action, expression }]);
        const ok = [managed(), custom, limits("block", 'starts_with(http.request.uri.path, "/api/")')];
        assert.deepEqual(check(cloudflare.zoneWafAndRateLimits, ok), []);
        assert.equal(check(cloudflare.zoneWafAndRateLimits, [managed({ action: "log" }), custom, limits("block", "true")]).length, 1);
        assert.equal(check(cloudflare.zoneWafAndRateLimits, [managed(undefined, "false"), custom, limits("block", "true")]).length, 1);
        assert.equal(check(cloudflare.zoneWafAndRateLimits, [managed(), custom, limits("log", "true")]).length, 2);
        assert.equal(check(cloudflare.zoneWafAndRateLimits, [managed(), custom, limits("block", "false")]).length, 2);
    });

    it("HTTPS redirect switched off on an Ingress or a zone", () => {
        const ingress = (v: string) =>
            resource("kubernetes:networking.k8s.io/v1:Ingress", {
                metadata: { name: "api", namespace: "core", annotations: { "nginx.ingress.kubernetes.io/force-ssl-redirect": v } },
            });
        const setting = (value: string) =>
            resource("cloudflare:index/zoneSetting:ZoneSetting", { zoneId: "z", settingId: "always_use_https", value });
        assert.equal(check(cloudflare.ingressHttpsOnly, [ingress("false"), setting("off")]).length, 2);
        assert.equal(check(cloudflare.ingressHttpsOnly, [ingress("true"), setting("on")]).length, 0);
    });
});
