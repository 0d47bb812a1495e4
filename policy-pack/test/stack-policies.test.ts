import { strict as assert } from "assert";
import * as availability from "../policies/availability";
import * as cloudflare from "../policies/cloudflare";
import * as data from "../policies/data";
import * as helm from "../policies/helm";
import * as namespaces from "../policies/namespaces";
import * as secrets from "../policies/secrets";
import { check, goodDeployment, resource } from "./helpers";

const msgs = (vs: { message: string }[]) => vs.map((v) => v.message);
const replicated = (replicas: number, opts = {}) => resource("kubernetes:apps/v1:Deployment", goodDeployment({ spec: { replicas } }), opts);
const pdb = resource("kubernetes:policy/v1:PodDisruptionBudget", {
    metadata: { name: "api", namespace: "core" },
    spec: { selector: { matchLabels: { "app.kubernetes.io/name": "api" } }, maxUnavailable: 1 },
});
const hpa = (min: number) =>
    resource("kubernetes:autoscaling/v2:HorizontalPodAutoscaler", {
        metadata: { name: "api", namespace: "core" },
        spec: { scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "api" }, minReplicas: min, maxReplicas: 10 },
    });

describe("policy pack: availability", () => {
    it("requires a PDB for replicated workloads, counting the autoscaler's minimum", () => {
        assert.deepEqual(msgs(check(availability.pdbForReplicatedWorkloads, [replicated(3)])), [
            "core/api runs 3 replicas without a PodDisruptionBudget",
        ]);
        assert.equal(check(availability.pdbForReplicatedWorkloads, [replicated(3), pdb]).length, 0);
        assert.equal(check(availability.pdbForReplicatedWorkloads, [replicated(1)]).length, 0);
        assert.equal(check(availability.pdbForReplicatedWorkloads, [replicated(1), hpa(2)]).length, 1);
    });

    it("refuses a disruption budget that leaves no pod evictable at the minimum scale, program's or rendered", () => {
        const budget = (spec: Record<string, unknown>, urn?: string) =>
            resource(
                "kubernetes:policy/v1:PodDisruptionBudget",
                {
                    metadata: { name: "api", namespace: "core" },
                    spec: { selector: { matchLabels: { "app.kubernetes.io/name": "api" } }, ...spec },
                },
                urn ? { urn } : {},
            );
        // The dev defect: one minimum replica under minAvailable 1.
        assert.deepEqual(msgs(check(availability.pdbsLeavePodsEvictable, [replicated(3), hpa(1), budget({ minAvailable: 1 })])), [
            "core/api (minAvailable 1) leaves no pod evictable at the minimum of 1 replica(s) of core/api: it blocks every node drain",
        ]);
        // A chart's budget (rendered objects carry the release in their URN) is held to the same rule.
        const rendered =
            "urn:pulumi:dev::platform::platform:platform:Gatekeeper$kubernetes:helm.sh/v3:Release$kubernetes:policy/v1:PodDisruptionBudget::api";
        assert.equal(check(availability.pdbsLeavePodsEvictable, [replicated(2), budget({ minAvailable: "100%" }, rendered)]).length, 1);
        assert.equal(check(availability.pdbsLeavePodsEvictable, [replicated(2), budget({ maxUnavailable: 0 })]).length, 1);
        // Must pass: a pod left over at minimum scale, or a budget over pods the stack does not define (an operator's).
        assert.equal(check(availability.pdbsLeavePodsEvictable, [replicated(1), budget({ maxUnavailable: 1 })]).length, 0);
        assert.equal(check(availability.pdbsLeavePodsEvictable, [replicated(3), hpa(2), budget({ minAvailable: 1 })]).length, 0);
        assert.equal(check(availability.pdbsLeavePodsEvictable, [replicated(4), budget({ minAvailable: "50%" })]).length, 0);
        assert.equal(check(availability.pdbsLeavePodsEvictable, [budget({ minAvailable: 1 })]).length, 0);
        assert.equal(availability.evictablePods({ minAvailable: "50%" }, 3), 1, "percentages round up, as the disruption controller does");
    });

    it("enforces the stack's minimum replicas, with reasoned exemptions", () => {
        const config = { "minimum-replicas": { minReplicas: 2 } };
        assert.equal(check(availability.minimumReplicas, [replicated(1)], config).length, 1);
        assert.equal(
            check(availability.minimumReplicas, [replicated(1)], {
                "minimum-replicas": { minReplicas: 2, exempt: { "core/api": "single-writer by design" } },
            }).length,
            0,
        );
        assert.equal(check(availability.minimumReplicas, [replicated(1), hpa(3)], config).length, 0);
    });

    it("refuses a workload that pins replicas its autoscaler owns", () => {
        assert.match(msgs(check(availability.autoscaledWorkloadsLeaveReplicas, [replicated(3), hpa(2)]))[0], /pins spec.replicas/);
        assert.equal(
            check(availability.autoscaledWorkloadsLeaveReplicas, [replicated(3, { ignoreChanges: ["spec.replicas"] }), hpa(2)]).length,
            0,
        );
        assert.match(msgs(check(availability.autoscaledWorkloadsLeaveReplicas, [hpa(2)]))[0], /does not define/);
    });
});

describe("policy pack: namespaces", () => {
    const ns = (labels: Record<string, string>, annotations: Record<string, string> = {}) =>
        resource("kubernetes:core/v1:Namespace", {
            metadata: { name: "core", labels: { "platform.io/layer": "core", ...labels }, annotations },
        });
    const denyAll = resource("kubernetes:networking.k8s.io/v1:NetworkPolicy", {
        metadata: { name: "default-deny", namespace: "core" },
        spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] },
    });

    it("requires a default-deny policy in every app namespace", () => {
        assert.equal(check(namespaces.defaultDenyNetworkPolicy, [ns({})]).length, 1);
        assert.equal(check(namespaces.defaultDenyNetworkPolicy, [ns({}), denyAll]).length, 0);
        const allowsAll = resource("kubernetes:networking.k8s.io/v1:NetworkPolicy", {
            metadata: { name: "open", namespace: "core" },
            spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"], ingress: [{}] },
        });
        // Alone it is no default deny; beside one it undoes it.
        assert.equal(check(namespaces.defaultDenyNetworkPolicy, [ns({}), allowsAll]).length, 2);
        assert.deepEqual(
            check(namespaces.defaultDenyNetworkPolicy, [ns({}), denyAll, allowsAll]).map((v) => v.message),
            ["NetworkPolicy core/open allows all ingress on every port: it undoes the namespace's default deny"],
        );
        const monitoring = resource("kubernetes:core/v1:Namespace", {
            metadata: { name: "monitoring", labels: { "platform.io/layer": "monitoring" } },
        });
        assert.equal(check(namespaces.defaultDenyNetworkPolicy, [monitoring]).length, 0);
    });

    it("requires Pod Security labels, and a reason for any exception", () => {
        assert.equal(check(namespaces.podSecurityLabels, [ns({})]).length, 1);
        assert.equal(check(namespaces.podSecurityLabels, [ns({ "pod-security.kubernetes.io/enforce": "restricted" })]).length, 0);
        assert.equal(check(namespaces.podSecurityLabels, [ns({ "pod-security.kubernetes.io/enforce": "privileged" })]).length, 1);
        assert.equal(
            check(namespaces.podSecurityLabels, [
                ns({ "pod-security.kubernetes.io/enforce": "privileged" }, { "platform.io/pod-security-exception": "node agent" }),
            ]).length,
            0,
        );
    });
});

describe("policy pack: Helm releases", () => {
    const release = (props: Record<string, unknown>) =>
        resource("kubernetes:helm.sh/v3:Release", {
            name: "cert-manager",
            namespace: "cert-manager",
            chart: "cert-manager",
            version: "v1.21.1",
            atomic: true,
            repositoryOpts: { repo: "https://charts.jetstack.io" },
            ...props,
        });

    it("requires an exact chart version", () => {
        for (const version of ["^1.2.0", "~1.2", "1.x", "", "latest", ">=1.0.0"])
            assert.equal(check(helm.exactChartVersion, [release({ version })]).length, 1, version);
        for (const version of ["v1.21.1", "4.15.1", "1.2.0-rc.1"])
            assert.equal(check(helm.exactChartVersion, [release({ version })]).length, 0, version);
    });

    it("allows only listed repositories, OCI included", () => {
        const config = { "helm-allowed-repositories": { repositories: ["https://charts.jetstack.io", "oci://quay.io/strimzi-helm"] } };
        assert.equal(check(helm.allowedRepositories, [release({})], config).length, 0);
        assert.equal(
            check(
                helm.allowedRepositories,
                [release({ chart: "oci://quay.io/strimzi-helm/strimzi-kafka-operator", repositoryOpts: undefined })],
                config,
            ).length,
            0,
        );
        assert.equal(
            check(helm.allowedRepositories, [release({ repositoryOpts: { repo: "https://charts.jetstack.io.evil.com" } })], config).length,
            1,
        );
    });

    it("requires explicit names and namespaces, and atomic upgrades", () => {
        assert.equal(check(helm.explicitNameAndNamespace, [release({ name: undefined, namespace: "default" })]).length, 2);
        assert.equal(check(helm.explicitNameAndNamespace, [release({})]).length, 0);
        assert.equal(check(helm.atomicReleases, [release({ atomic: false })]).length, 1);
        assert.equal(check(helm.atomicReleases, [release({})]).length, 0);
    });

    it("refuses a chart downgrade against the deployed version", () => {
        const config = { "helm-no-downgrade": { deployedChartVersions: { "cert-manager/cert-manager": "v1.21.1" } } };
        assert.equal(check(helm.noChartDowngrade, [release({ version: "v1.20.9" })], config).length, 1);
        assert.equal(check(helm.noChartDowngrade, [release({ version: "v1.21.1" })], config).length, 0);
        assert.equal(check(helm.noChartDowngrade, [release({ version: "v1.22.0" })], config).length, 0);
        assert.equal(helm.compareVersions("1.10.0", "1.9.9"), 1);
        assert.equal(helm.compareVersions("1.2.0-rc.1", "1.2.0"), -1);
    });
});

describe("policy pack: data safety", () => {
    const cluster = (plugins: unknown[]) =>
        resource(
            "kubernetes:postgresql.cnpg.io/v1:Cluster",
            { metadata: { name: "api-db", namespace: "memory" }, spec: { instances: 3, plugins } },
            { protect: true },
        );
    const archiver = [{ name: "barman-cloud.cloudnative-pg.io", isWALArchiver: true, parameters: { barmanObjectName: "api-db-backups" } }];
    const store = (retentionPolicy: string) =>
        resource(
            "kubernetes:barmancloud.cnpg.io/v1:ObjectStore",
            { metadata: { name: "api-db-backups", namespace: "memory" }, spec: { retentionPolicy } },
            { protect: true },
        );
    const schedule = resource("kubernetes:postgresql.cnpg.io/v1:ScheduledBackup", {
        metadata: { name: "nightly", namespace: "memory" },
        spec: { cluster: { name: "api-db" } },
    });

    it("requires protection on databases, stores and Kafka", () => {
        assert.equal(check(data.protectStatefulData, [cluster(archiver)]).length, 0);
        assert.equal(
            check(data.protectStatefulData, [
                resource("kubernetes:kafka.strimzi.io/v1:Kafka", { metadata: { name: "k", namespace: "memory" } }),
            ]).length,
            1,
        );
    });

    it("requires WAL archiving, a schedule and retention meeting the compliance floor", () => {
        const sox = { "database-backups-meet-retention": { complianceProfiles: ["SOX"] } };
        assert.equal(check(data.databaseBackups, [cluster(archiver), store("2555d"), schedule], sox).length, 0);
        assert.match(
            msgs(check(data.databaseBackups, [cluster(archiver), store("35d"), schedule], sox))[0],
            /less than the 2555 days required by SOX/,
        );
        assert.match(msgs(check(data.databaseBackups, [cluster([]), store("35d"), schedule]))[0], /no Barman Cloud WAL archiver/);
        assert.match(msgs(check(data.databaseBackups, [cluster(archiver), store("35d")]))[0], /no ScheduledBackup/);
        assert.match(msgs(check(data.databaseBackups, [cluster(archiver), schedule]))[0], /does not define/);
    });

    it("requires retained Kafka volumes and enough replication", () => {
        const pool = resource("kubernetes:kafka.strimzi.io/v1:KafkaNodePool", {
            metadata: { name: "brokers", namespace: "memory" },
            spec: { storage: { volumes: [{ id: 0, deleteClaim: true }] } },
        });
        assert.equal(check(data.kafkaDurability, [pool]).length, 1);
        const kafka = resource("kubernetes:kafka.strimzi.io/v1:Kafka", {
            metadata: { name: "k", namespace: "memory" },
            spec: { kafka: { config: { "default.replication.factor": 1 } } },
        });
        assert.equal(check(data.kafkaDurability, [kafka], { "kafka-durability": { minReplicationFactor: 3 } }).length, 1);
        assert.equal(check(data.kafkaDurability, [kafka]).length, 0);
    });
});

describe("policy pack: secrets", () => {
    it("flags secret-looking literals in env values and ConfigMaps", () => {
        const d = resource(
            "kubernetes:apps/v1:Deployment",
            goodDeployment({
                container: {
                    env: [
                        { name: "DB_PASSWORD", value: "hunter2" },
                        { name: "LOG_LEVEL", value: "info" },
                    ],
                },
            }),
        );
        assert.deepEqual(msgs(check(secrets.noPlaintextSecrets, [d])), [
            "core/api: container 'api' sets DB_PASSWORD as a literal; use valueFrom.secretKeyRef",
        ]);
        const cm = resource("kubernetes:core/v1:ConfigMap", {
            metadata: { name: "cfg", namespace: "core" },
            data: { api_token: "x", mode: "fast" },
        });
        assert.equal(check(secrets.noPlaintextSecrets, [cm]).length, 1);
        const nginx = resource("kubernetes:core/v1:ConfigMap", {
            metadata: { name: "nginx", namespace: "ingress" },
            data: { "server-tokens": "false" },
        });
        assert.equal(check(secrets.noPlaintextSecrets, [nginx]).length, 0, "a true/false switch is a setting, not a secret");
    });

    it("tolerates a Secret whose data is null (an empty `data:` in a chart)", () => {
        const config = { "secrets-from-pulumi-secrets": { inputsRedacted: true } };
        const empty = resource("kubernetes:core/v1:Secret", { metadata: { name: "s", namespace: "core" }, data: null });
        assert.deepEqual(check(secrets.secretsFromPulumiSecrets, [empty], config), []);
    });

    it("on redacted synth output, requires Secret data and the Cloudflare token to be Pulumi secrets", () => {
        const config = { "secrets-from-pulumi-secrets": { inputsRedacted: true } };
        const plain = resource("kubernetes:core/v1:Secret", {
            metadata: { name: "s", namespace: "core" },
            stringData: { password: "hunter2" },
        });
        const sealed = resource("kubernetes:core/v1:Secret", { metadata: { name: "s", namespace: "core" }, stringData: "[secret]" });
        assert.equal(check(secrets.secretsFromPulumiSecrets, [plain], config).length, 1);
        assert.equal(check(secrets.secretsFromPulumiSecrets, [sealed], config).length, 0);
        assert.equal(check(secrets.secretsFromPulumiSecrets, [plain]).length, 0, "live previews see decrypted values: not checked there");
        const provider = resource("pulumi:providers:cloudflare", { apiToken: "cf-123" });
        assert.equal(check(secrets.secretsFromPulumiSecrets, [provider], config).length, 1);
    });
});

describe("policy pack: Cloudflare", () => {
    const zoneId = "0123456789abcdef0123456789abcdef";
    const record = (proxied: boolean) =>
        resource("cloudflare:index/dnsRecord:DnsRecord", {
            zoneId,
            name: "api.example.com",
            type: "A",
            content: "203.0.113.10",
            proxied,
            ttl: 1,
        });
    const ruleset = (phase: string, rules: unknown[]) =>
        resource("cloudflare:index/ruleset:Ruleset", { zoneId, kind: "zone", phase, name: phase, rules });
    const setting = (settingId: string, value: unknown) =>
        resource("cloudflare:index/zoneSetting:ZoneSetting", { zoneId, settingId, value });
    const protectedZone = [
        ruleset("http_request_firewall_managed", [
            { action: "execute", actionParameters: { id: cloudflare.managedRulesets.cloudflareManaged }, expression: "true" },
            { action: "execute", actionParameters: { id: cloudflare.managedRulesets.owaspCore }, expression: "true" },
        ]),
        ruleset("http_request_firewall_custom", [{ action: "block", expression: "true" }]),
        ruleset("http_ratelimit", [{ action: "block", expression: "true" }]),
        setting("min_tls_version", "1.2"),
        setting("ssl", "strict"),
    ];

    it("requires proxied address records", () => {
        assert.equal(check(cloudflare.proxiedRecords, [record(false)]).length, 1);
        assert.equal(check(cloudflare.proxiedRecords, [record(true)]).length, 0);
    });

    it("requires managed rulesets, custom rules and rate limits on every zone", () => {
        assert.equal(check(cloudflare.zoneWafAndRateLimits, [record(true), ...protectedZone]).length, 0);
        const missing = check(cloudflare.zoneWafAndRateLimits, [record(true), protectedZone[1]]);
        assert.deepEqual(msgs(missing), [
            `zone ${zoneId} does not execute the cloudflareManaged ruleset (efb7b8c949ac4650a09736fc376e9aee)`,
            `zone ${zoneId} does not execute the owaspCore ruleset (4814384a9e5d4991b9815dcfc25d2f1f)`,
            `zone ${zoneId} has no rate limiting rules that act (http_ratelimit)`,
        ]);
    });

    it("requires TLS 1.2+ and strict SSL", () => {
        assert.equal(check(cloudflare.zoneTls, [record(true), ...protectedZone]).length, 0);
        assert.equal(check(cloudflare.zoneTls, [record(true), setting("min_tls_version", "1.0"), setting("ssl", "flexible")]).length, 2);
    });
});
