import { strict as assert } from "assert";
import type { AppConfig } from "../components/config";
import { resolvePeers } from "../components/workloads/apps";
import { kafkaAcls } from "../components/workloads/kafka";
import { canarySteps } from "../components/workloads/specs";
import { objectStoreConfiguration, toCnpgSchedule, workloadIdentity } from "../components/workloads/postgres";
import { evictablePods } from "../policy-pack/policies/availability";
import { containsSecret, get, ofType } from "./harness/query";
import { ProgramRun, RegisteredResource, runStack, SecretValue, stackRun } from "../engine/synth/run-program";
import { listStacks, stackConfig } from "../engine/synth/stack-files";

/** The app's object of a kind, found by name and namespace. */
function obj(run: ProgramRun, type: string, name: string, namespace: string): RegisteredResource {
    const found = ofType(run, type).filter((r) => get(r, "metadata.name") === name && get(r, "metadata.namespace") === namespace);
    if (found.length !== 1) throw new Error(`${run.stack}: expected one ${type} ${namespace}/${name}, found ${found.length}`);
    return found[0];
}
const maybe = (run: ProgramRun, type: string, name: string, namespace: string) =>
    ofType(run, type).find((r) => get(r, "metadata.name") === name && get(r, "metadata.namespace") === namespace);
const workloadOf = (run: ProgramRun, app: AppConfig) =>
    obj(run, app.canary ? "kubernetes:argoproj.io/v1alpha1:Rollout" : "kubernetes:apps/v1:Deployment", app.name, app.namespace);
const podSpecOf = (w: RegisteredResource) => get(w, "spec.template.spec") as Record<string, any>;

describe("app workloads", () => {
    for (const stack of listStacks()) {
        describe(`stack ${stack}`, () => {
            const config = stackConfig(stack);
            const dataNs = Object.entries(config.namespaces).find(([, ns]) => ns.layer === "data")![0];

            for (const app of config.apps) {
                describe(`app ${app.name}`, () => {
                    it(`runs as a ${app.canary ? "canary Rollout" : "Deployment"} with the stack file's image, resources and labels`, async () => {
                        const run = await stackRun(stack);
                        const w = workloadOf(run, app);
                        const pod = podSpecOf(w);
                        const c = pod.containers[0];
                        const image = `${app.image.repository}:${app.image.tag}${app.image.digest ? `@${app.image.digest}` : ""}`;
                        assert.equal(c.image, image);
                        if (config.environment === "production") assert.match(c.image, /@sha256:[0-9a-f]{64}$/);
                        assert.deepEqual(c.resources, app.resources);
                        const labels = get(w, "spec.template.metadata.labels") as Record<string, string>;
                        for (const l of config.guardrails.requiredLabels) assert.ok(labels[l], `pod label ${l}`);
                        assert.equal(labels["platform.io/team"], app.team);
                        assert.equal(
                            (get(w, "spec.template.metadata.annotations") as Record<string, string>)["platform.io/sbom"],
                            app.sbom,
                        );
                        assert.equal(pod.serviceAccountName, app.name);
                        assert.equal(pod.automountServiceAccountToken, false);
                    });

                    it("runs restricted: non-root, read-only root, no capabilities, RuntimeDefault seccomp, with probes", async () => {
                        const run = await stackRun(stack);
                        const pod = podSpecOf(workloadOf(run, app));
                        const c = pod.containers[0];
                        assert.equal(pod.securityContext.runAsNonRoot, true);
                        assert.deepEqual(pod.securityContext.seccompProfile, { type: "RuntimeDefault" });
                        assert.equal(c.securityContext.readOnlyRootFilesystem, true);
                        assert.equal(c.securityContext.allowPrivilegeEscalation, false);
                        assert.deepEqual(c.securityContext.capabilities, { drop: ["ALL"] });
                        for (const probe of ["livenessProbe", "readinessProbe", "startupProbe"]) assert.ok(c[probe], probe);
                        assert.deepEqual(
                            c.volumeMounts
                                .filter((m: { readOnly?: boolean }) => !m.readOnly)
                                .map((m: { mountPath: string }) => m.mountPath),
                            app.writablePaths,
                            "only the declared paths are writable",
                        );
                        const spread = (pod.topologySpreadConstraints ?? []).map((t: { topologyKey: string }) => t.topologyKey);
                        assert.deepEqual(
                            spread,
                            config.environment === "production" ? ["topology.kubernetes.io/zone", "kubernetes.io/hostname"] : [],
                        );
                    });

                    it("leaves replicas to the autoscaler when autoscaled, and pins them otherwise", async () => {
                        const run = await stackRun(stack);
                        const w = workloadOf(run, app);
                        const hpa = maybe(run, "kubernetes:autoscaling/v2:HorizontalPodAutoscaler", app.name, app.namespace);
                        const scaled = maybe(run, "kubernetes:keda.sh/v1alpha1:ScaledObject", app.name, app.namespace);
                        if (!app.autoscaling) {
                            assert.equal(hpa ?? scaled, undefined);
                            assert.deepEqual(w.ignoreChanges, []);
                            assert.equal(get(w, "spec.replicas"), app.replicas ?? 1);
                            return;
                        }
                        assert.deepEqual(w.ignoreChanges, ["spec.replicas"], "pulumi up must not reset what the autoscaler set");
                        const kind = app.canary ? "Rollout" : "Deployment";
                        if (app.autoscaling.kind === "hpa") {
                            assert.equal(scaled, undefined, "one autoscaler only");
                            assert.deepEqual(get(hpa!, "spec.scaleTargetRef"), {
                                apiVersion: app.canary ? "argoproj.io/v1alpha1" : "apps/v1",
                                kind,
                                name: app.name,
                            });
                            assert.equal(get(hpa!, "spec.minReplicas"), app.autoscaling.minReplicas);
                            assert.equal(get(hpa!, "spec.maxReplicas"), app.autoscaling.maxReplicas);
                            assert.equal(
                                (get(hpa!, "spec.metrics") as { resource: { target: { averageUtilization: number } } }[])[0].resource.target
                                    .averageUtilization,
                                app.autoscaling.cpuUtilization,
                            );
                        } else {
                            assert.equal(hpa, undefined, "KEDA creates the HPA itself");
                            assert.equal(get(scaled!, "spec.minReplicaCount"), app.autoscaling.minReplicas);
                            assert.deepEqual(get(scaled!, "spec.triggers"), app.autoscaling.triggers);
                        }
                    });

                    it("admits only its declared callers (and the ingress controller if exposed) on its port", async () => {
                        const run = await stackRun(stack);
                        const np = obj(run, "kubernetes:networking.k8s.io/v1:NetworkPolicy", app.name, app.namespace);
                        const rules =
                            (get(np, "spec.ingress") as {
                                from: {
                                    podSelector?: { matchLabels: Record<string, string> };
                                    namespaceSelector: { matchLabels: Record<string, string> };
                                }[];
                                ports: { port: number }[];
                            }[]) ?? [];
                        const onAppPort = rules.filter((r) => r.ports.some((p) => p.port === app.port));
                        const callerNames = onAppPort.flatMap((r) =>
                            r.from.map(
                                (f) =>
                                    f.podSelector?.matchLabels["app.kubernetes.io/name"] ??
                                    `ns:${f.namespaceSelector.matchLabels["kubernetes.io/metadata.name"]}`,
                            ),
                        );
                        const expected = [...app.callers, ...(app.ingress ? ["ns:ingress-nginx"] : [])];
                        assert.deepEqual(callerNames.sort(), expected.sort());
                        if (expected.length === 0) assert.equal(onAppPort.length, 0, "an app without callers gets no ingress");
                        const mesh = maybe(run, "kubernetes:security.istio.io/v1:AuthorizationPolicy", app.name, app.namespace);
                        const meshed = ["core", "security"].includes(config.namespaces[app.namespace].layer);
                        assert.equal(mesh !== undefined, meshed, "mesh policy exactly in meshed namespaces");
                        if (mesh) {
                            const principals = (get(mesh, "spec.rules") as { from?: { source: { principals: string[] } }[] }[]).flatMap(
                                (r) => r.from?.flatMap((f) => f.source.principals) ?? [],
                            );
                            const expectedPrincipals = [
                                ...app.callers.map((c) => `cluster.local/ns/${config.apps.find((a) => a.name === c)!.namespace}/sa/${c}`),
                                ...(app.ingress ? ["cluster.local/ns/ingress-nginx/sa/ingress-nginx"] : []),
                            ];
                            assert.deepEqual(principals.sort(), expectedPrincipals.sort());
                        }
                    });

                    it("has a disruption budget when replicated, monitoring, alerts and a dashboard", async () => {
                        const run = await stackRun(stack);
                        const pdb = maybe(run, "kubernetes:policy/v1:PodDisruptionBudget", app.name, app.namespace);
                        const min = app.autoscaling ? app.autoscaling.minReplicas : (app.replicas ?? 1);
                        assert.equal(pdb !== undefined, min > 1 || app.pdb !== undefined);
                        if (app.pdb && pdb)
                            assert.equal(get(pdb, "spec.minAvailable") ?? get(pdb, "spec.maxUnavailable"), Object.values(app.pdb)[0]);
                        if (pdb) {
                            // At the app's minimum scale the budget still lets a drain evict a pod.
                            const evictable = evictablePods(get(pdb, "spec") as Record<string, unknown>, Math.max(1, min));
                            assert.ok(
                                evictable !== undefined && evictable >= 1,
                                `${app.name}'s budget leaves ${evictable} pod(s) evictable`,
                            );
                        }
                        const isolated = config.namespaces[app.namespace].layer === "amplifier";
                        const sm = maybe(run, "kubernetes:monitoring.coreos.com/v1:ServiceMonitor", app.name, app.namespace);
                        assert.equal(sm !== undefined, app.metrics !== false && !isolated);
                        if (sm) assert.equal((get(sm, "metadata.labels") as Record<string, string>).release, "kube-prometheus-stack");
                        const rule = obj(run, "kubernetes:monitoring.coreos.com/v1:PrometheusRule", app.name, app.namespace);
                        const alerts = (get(rule, "spec.groups") as { rules: { alert: string; expr: string }[] }[])[0].rules;
                        const http = app.protocol === "http" && app.metrics !== false;
                        assert.deepEqual(
                            alerts.map((a) => a.alert),
                            [...(http ? ["HighErrorRate", "HighLatencyP95"] : []), "FrequentRestarts"],
                        );
                        if (http) assert.match(alerts[0].expr, new RegExp(`> ${app.alerts.errorRatePercent}$`));
                        const dashboard = obj(run, "kubernetes:core/v1:ConfigMap", `${app.name}-dashboard`, app.namespace);
                        assert.equal((get(dashboard, "metadata.labels") as Record<string, string>).grafana_dashboard, "1");
                        JSON.parse(String(Object.values(get(dashboard, "data") as Record<string, string>)[0]));
                    });

                    if (app.ingress) {
                        it("is published over TLS from cert-manager, rate limited by ingress-nginx", async () => {
                            const run = await stackRun(stack);
                            const ing = obj(run, "kubernetes:networking.k8s.io/v1:Ingress", app.name, app.namespace);
                            const a = get(ing, "metadata.annotations") as Record<string, string>;
                            assert.equal(
                                a["cert-manager.io/cluster-issuer"],
                                config.environment === "dev" ? "platform-internal-ca" : "letsencrypt-production",
                            );
                            assert.equal(a["nginx.ingress.kubernetes.io/limit-rps"], String(app.ingress!.rateLimitRps));
                            assert.equal(a["nginx.ingress.kubernetes.io/force-ssl-redirect"], "true");
                            assert.deepEqual(get(ing, "spec.tls"), [{ hosts: [app.ingress!.host], secretName: `${app.name}-tls` }]);
                            assert.equal(get(ing, "spec.ingressClassName"), "nginx");
                        });
                    }

                    if (app.postgres) {
                        it("gets its own CloudNativePG cluster with generated, secret credentials and nightly backups", async () => {
                            const run = await stackRun(stack);
                            const cluster = obj(run, "kubernetes:postgresql.cnpg.io/v1:Cluster", `${app.name}-db`, dataNs);
                            assert.equal(get(cluster, "spec.instances"), { dev: 1, staging: 2, production: 3 }[config.environment]);
                            assert.equal(get(cluster, "spec.storage.size"), app.postgres!.storage);
                            const secretName = get(cluster, "spec.bootstrap.initdb.secret.name");
                            const secret = obj(run, "kubernetes:core/v1:Secret", String(secretName), dataNs);
                            assert.equal(get(secret, "type"), "kubernetes.io/basic-auth");
                            assert.ok(containsSecret(secret.inputs.stringData), "credentials are Pulumi secrets");
                            const instances = get(cluster, "spec.instances") as number;
                            assert.equal(get(cluster, "spec.enablePDB"), instances > 1, "no primary budget over a lone instance");
                            const identity = config.backup?.credentials === "iam" ? config.backup.identity : undefined;
                            assert.deepEqual(
                                get(cluster, "spec.serviceAccountTemplate.metadata.annotations"),
                                identity ? workloadIdentity(identity).serviceAccountAnnotations : undefined,
                            );
                            if (identity?.provider === "aws")
                                assert.match(
                                    String(
                                        get(cluster, "spec.serviceAccountTemplate.metadata.annotations")![
                                            "eks.amazonaws.com/role-arn" as never
                                        ],
                                    ),
                                    /^arn:aws:iam::\d{12}:role\//,
                                );
                            const backups = maybe(
                                run,
                                "kubernetes:postgresql.cnpg.io/v1:ScheduledBackup",
                                `${app.name}-db-nightly`,
                                dataNs,
                            );
                            const store = maybe(run, "kubernetes:barmancloud.cnpg.io/v1:ObjectStore", `${app.name}-db-backups`, dataNs);
                            if (!config.backup) {
                                assert.equal(backups ?? store, undefined, "dev databases are disposable");
                                return;
                            }
                            if (config.backup.credentials === "iam")
                                assert.deepEqual(get(store!, "spec.configuration.s3Credentials"), { inheritFromIAMRole: true });
                            assert.equal(get(backups!, "spec.schedule"), "0 0 2 * * *");
                            assert.equal(get(backups!, "spec.method"), "plugin");
                            assert.deepEqual(get(cluster, "spec.plugins"), [
                                {
                                    name: "barman-cloud.cloudnative-pg.io",
                                    isWALArchiver: true,
                                    parameters: { barmanObjectName: `${app.name}-db-backups` },
                                },
                            ]);
                            const floor = config.compliance.profiles.includes("SOX")
                                ? 2555
                                : config.compliance.profiles.includes("GDPR")
                                  ? 30
                                  : 0;
                            assert.equal(
                                get(store!, "spec.retentionPolicy"),
                                `${Math.max(floor, { dev: 7, staging: 14, production: 35 }[config.environment])}d`,
                            );
                            const keep = config.environment === "production";
                            for (const r of [cluster, store!, secret])
                                assert.equal(r.protect, keep, `${r.name} protected in production only`);
                        });
                    }

                    if (app.jobs.length > 0) {
                        it("runs its jobs with the same security defaults and no sidecar", async () => {
                            const run = await stackRun(stack);
                            for (const job of app.jobs) {
                                const cron = obj(run, "kubernetes:batch/v1:CronJob", `${app.name}-${job.name}`, app.namespace);
                                assert.equal(get(cron, "spec.schedule"), job.schedule);
                                assert.equal(get(cron, "spec.concurrencyPolicy"), "Forbid");
                                const template = get(cron, "spec.jobTemplate.spec.template") as {
                                    metadata: { annotations: Record<string, string> };
                                    spec: Record<string, any>;
                                };
                                assert.equal(template.metadata.annotations["sidecar.istio.io/inject"], "false");
                                const c = template.spec.containers[0];
                                assert.deepEqual(c.command, job.command);
                                assert.deepEqual(c.resources, job.resources);
                                assert.equal(c.securityContext.readOnlyRootFilesystem, true);
                                assert.equal(c.livenessProbe, undefined, "jobs have no probes");
                            }
                        });
                    }
                });
            }

            it("runs the Kafka pipeline on a KRaft cluster with topics and per-app users", async () => {
                const run = await stackRun(stack);
                const owner = config.apps.find((a) => a.kafka?.cluster)!;
                const kafka = obj(run, "kubernetes:kafka.strimzi.io/v1:Kafka", `${owner.name}-kafka`, dataNs);
                assert.equal(get(kafka, "metadata.annotations"), undefined, "no KRaft/node-pool annotations: ignored since Strimzi 0.48");
                const pools = ofType(run, "kubernetes:kafka.strimzi.io/v1:KafkaNodePool");
                assert.deepEqual(pools.map((p) => get(p, "spec.roles")).sort(), [["broker"], ["controller"]]);
                for (const p of pools) {
                    assert.equal((get(p, "spec.storage.volumes") as { deleteClaim: boolean }[])[0].deleteClaim, false);
                    const security = get(p, "spec.template.kafkaContainer.securityContext") as Record<string, unknown>;
                    assert.equal(security.readOnlyRootFilesystem, true, "restricted and read-only, like every platform pod");
                    assert.deepEqual(security.capabilities, { drop: ["ALL"] });
                }
                const topics = ofType(run, "kubernetes:kafka.strimzi.io/v1:KafkaTopic").map((t) => get(t, "spec.topicName"));
                assert.deepEqual(topics.sort(), owner.kafka!.topics.map((t) => t.name).sort());
                const users = ofType(run, "kubernetes:kafka.strimzi.io/v1:KafkaUser").map((u) => get(u, "metadata.name"));
                assert.deepEqual(
                    users.sort(),
                    config.apps
                        .filter((a) => a.kafka)
                        .map((a) => a.name)
                        .sort(),
                );
                for (const r of [kafka, ...pools]) assert.equal(r.protect, config.environment === "production");
            });
        });
    }

    it("hands an app's workload to Argo CD while its security, monitoring and data stay in Pulumi", async () => {
        const config = stackConfig("staging");
        const gitops = { repoURL: "https://github.com/acme/executor-deploy.git", path: "overlays/staging", targetRevision: "main" };
        const apps = config.apps.map((a) => (a.name === "executor" ? { ...a, gitops } : a));
        const run = await runStack("staging", { overrides: { apps } });
        assert.equal(run.error, undefined);
        const application = obj(run, "kubernetes:argoproj.io/v1alpha1:Application", "executor", "argocd");
        assert.deepEqual(get(application, "spec.source"), gitops);
        assert.deepEqual(get(application, "spec.destination"), { server: "https://kubernetes.default.svc", namespace: "core" });
        assert.deepEqual(get(application, "spec.syncPolicy.automated"), { prune: true, selfHeal: true });
        assert.equal(get(application, "spec.project"), "platform-apps");
        const argocd = ofType(run, "kubernetes:helm.sh/v3:Release").find((r) => r.inputs.name === "argocd")!;
        assert.ok(application.dependsOn.includes(argocd.urn));
        assert.equal(maybe(run, "kubernetes:apps/v1:Deployment", "executor", "core"), undefined, "Argo CD owns the workload");
        assert.equal(maybe(run, "kubernetes:core/v1:Service", "executor", "core"), undefined);
        for (const [type, name, ns] of [
            ["kubernetes:networking.k8s.io/v1:NetworkPolicy", "executor", "core"],
            ["kubernetes:security.istio.io/v1:AuthorizationPolicy", "executor", "core"],
            ["kubernetes:monitoring.coreos.com/v1:PrometheusRule", "executor", "core"],
            ["kubernetes:postgresql.cnpg.io/v1:Cluster", "executor-db", "memory"],
        ]) {
            assert.ok(maybe(run, type, name, ns), `${type} ${name} stays in Pulumi`);
        }
    });

    describe("builders", () => {
        it("turns canary steps into Argo Rollouts steps with timed pauses", () => {
            assert.deepEqual(canarySteps([{ setWeight: 20, pause: "60s" }, { setWeight: 50 }]), [
                { setWeight: 20 },
                { pause: { duration: "60s" } },
                { setWeight: 50 },
                { pause: {} },
            ]);
        });

        it("converts five-field cron to CloudNativePG's six fields", () => {
            assert.equal(toCnpgSchedule("0 2 * * *"), "0 0 2 * * *");
        });

        it("grants each Kafka user its declared topic operations and its own consumer groups", () => {
            assert.deepEqual(kafkaAcls({ app: "proc", access: [{ topic: "in", operations: ["Read"] }] }), [
                { resource: { type: "topic", name: "in", patternType: "literal" }, operations: ["Read"] },
                { resource: { type: "group", name: "proc", patternType: "prefix" }, operations: ["Read", "Describe"] },
            ]);
            assert.equal(
                kafkaAcls({ app: "prod", access: [{ topic: "out", operations: ["Write"] }] }).length,
                1,
                "no group ACL for producers",
            );
        });

        it("resolves callers into callees", () => {
            const app = (name: string, callers: string[]) => ({ name, namespace: "core", port: 8080, callers }) as unknown as AppConfig;
            const peers = resolvePeers([app("a", []), app("b", ["a"])]);
            assert.deepEqual(peers.get("a")!.callees, [{ name: "b", namespace: "core", port: 8080 }]);
            assert.deepEqual(peers.get("b")!.callers, [{ name: "a", namespace: "core", port: 8080 }]);
        });
    });

    it("keeps the seed system's shape per environment", async () => {
        const replicas = (stack: string, name: string) => stackConfig(stack).apps.find((a) => a.name === name)!.replicas;
        assert.deepEqual(
            ["backend", "ai-engine", "executor"].map((n) => replicas("staging", n)),
            [2, 1, 1],
        );
        assert.deepEqual(
            ["backend", "ai-engine", "executor"].map((n) => replicas("production", n)),
            [5, 3, 3],
        );
        const prod = stackConfig("production");
        const scaling = (n: string) => prod.apps.find((a) => a.name === n)!.autoscaling;
        assert.deepEqual(scaling("backend"), { kind: "hpa", minReplicas: 3, maxReplicas: 10, cpuUtilization: 70 });
        assert.deepEqual(scaling("ai-engine"), { kind: "hpa", minReplicas: 2, maxReplicas: 6, cpuUtilization: 70 });
        const verifier = prod.apps.find((a) => a.name === "truth-verifier")!;
        assert.deepEqual(verifier.autoscaling, { kind: "hpa", minReplicas: 3, maxReplicas: 15, cpuUtilization: 65 });
        assert.deepEqual(verifier.pdb, { minAvailable: 2 });
        assert.deepEqual(verifier.callers, ["mcp-orchestrator-api"]);
        assert.deepEqual(
            prod.apps.filter((a) => a.partOf === "a1-orchestrator").map((a) => a.autoscaling?.kind),
            ["keda", "keda", "keda", "keda", "keda"],
        );
        assert.ok(
            prod.apps.find((a) => a.name === "ai-engine")!.jobs.some((j) => j.schedule === "0 4 * * 0"),
            "weekly retraining",
        );
        const secret = new SecretValue("x");
        assert.equal(JSON.stringify({ secret }), '{"secret":"[secret]"}');
    });
});

describe("backups through a workload identity", () => {
    const base = { endpointPort: 443, credentials: "iam" as const };
    const cases = [
        {
            backup: {
                ...base,
                destinationPath: "s3://acme-backups/prod",
                identity: { provider: "aws" as const, roleArn: "arn:aws:iam::123456789012:role/backups" },
            },
            credentials: { s3Credentials: { inheritFromIAMRole: true } },
            annotations: { "eks.amazonaws.com/role-arn": "arn:aws:iam::123456789012:role/backups" },
            labels: {},
        },
        {
            backup: {
                ...base,
                destinationPath: "gs://acme-backups/prod",
                identity: { provider: "gcp" as const, serviceAccount: "cnpg-backups@acme-prod.iam.gserviceaccount.com" },
            },
            credentials: { googleCredentials: { gkeEnvironment: true } },
            annotations: { "iam.gke.io/gcp-service-account": "cnpg-backups@acme-prod.iam.gserviceaccount.com" },
            labels: {},
        },
        {
            backup: {
                ...base,
                destinationPath: "https://acmebackups.blob.core.windows.net/prod",
                identity: { provider: "azure" as const, clientId: "8f4e2b1a-3c5d-4e6f-9a0b-1c2d3e4f5a6b" },
            },
            credentials: { azureCredentials: { useDefaultAzureCredentials: true } },
            annotations: { "azure.workload.identity/client-id": "8f4e2b1a-3c5d-4e6f-9a0b-1c2d3e4f5a6b" },
            labels: { "azure.workload.identity/use": "true" },
        },
    ];
    for (const c of cases) {
        it(`${c.backup.identity.provider}: the ObjectStore inherits the identity the ServiceAccount is annotated with`, () => {
            const store = objectStoreConfiguration(c.backup, undefined, "api-db");
            assert.equal(store.destinationPath, `${c.backup.destinationPath}/api-db`);
            const { wal, data, destinationPath, ...credentials } = store;
            assert.ok(wal && data && destinationPath);
            assert.deepEqual(credentials, c.credentials);
            assert.deepEqual(workloadIdentity(c.backup.identity), { serviceAccountAnnotations: c.annotations, podLabels: c.labels });
        });
    }

    it("renders the identity on the Cluster of a stack that uses it (Azure: annotation and pod label)", async () => {
        const staging = stackConfig("staging");
        const backup = { ...cases[2].backup, endpointCidrs: ["10.40.64.0/24"] };
        const run = await runStack("staging", { overrides: { backup } });
        const cluster = ofType(run, "kubernetes:postgresql.cnpg.io/v1:Cluster").find((r) => get(r, "metadata.name") === "backend-db")!;
        assert.deepEqual(get(cluster, "spec.serviceAccountTemplate.metadata.annotations"), cases[2].annotations);
        assert.equal((get(cluster, "spec.inheritedMetadata.labels") as Record<string, string>)["azure.workload.identity/use"], "true");
        const store = ofType(run, "kubernetes:barmancloud.cnpg.io/v1:ObjectStore").find(
            (r) => get(r, "metadata.name") === "backend-db-backups",
        )!;
        assert.deepEqual(get(store, "spec.configuration.azureCredentials"), { useDefaultAzureCredentials: true });
        assert.equal(get(store, "spec.configuration.s3Credentials"), undefined);
        assert.ok(staging.backup, "staging backs up");
    });
});
