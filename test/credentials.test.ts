import { strict as assert } from "assert";
import { receiverSecrets } from "../components/config/alerting";
import type { AppConfig } from "../components/config";
import { platformEnv } from "../components/config/secrets";
import { caGeneration } from "../components/workloads/kafka-ca";
import { externalSecretSpec, postgresUrl } from "../components/workloads/connections";
import { containsSecret, dependsOn, get, ofType } from "./harness/query";
import { danglingReferences, podTemplates } from "./harness/references";
import { ProgramRun, RegisteredResource, stackRun } from "../engine/synth/run-program";
import { listStacks, stackConfig } from "../engine/synth/stack-files";

type Env = { name: string; value?: string; valueFrom?: Record<string, { name: string; key: string }> };

const inNs = (run: ProgramRun, type: string, name: string, namespace: string): RegisteredResource => {
    const found = ofType(run, type).filter((r) => get(r, "metadata.name") === name && get(r, "metadata.namespace") === namespace);
    if (found.length !== 1) throw new Error(`${run.stack}: expected one ${type} ${namespace}/${name}, found ${found.length}`);
    return found[0];
};
const serverEnv = (run: ProgramRun, app: AppConfig): Env[] => {
    const kind = app.canary ? "Rollout" : "Deployment";
    const pod = podTemplates(run).find((p) => p.owner === `${kind} ${app.namespace}/${app.name}`)!;
    return pod.spec.containers[0].env as Env[];
};
/** Egress ports the app's NetworkPolicy opens towards pods with `label` in the data namespace. */
const egressPorts = (run: ProgramRun, app: AppConfig, label: string): number[] => {
    const np = inNs(run, "kubernetes:networking.k8s.io/v1:NetworkPolicy", app.name, app.namespace);
    const rules = get(np, "spec.egress") as {
        to: { podSelector?: { matchLabels: Record<string, string> } }[];
        ports: { port: number }[];
    }[];
    return rules
        .filter((r) => r.to.some((t) => t.podSelector && label in t.podSelector.matchLabels))
        .flatMap((r) => r.ports.map((p) => p.port));
};

describe("app credentials: databases, Kafka and secrets where the app runs", () => {
    for (const stack of listStacks()) {
        describe(`stack ${stack}`, () => {
            const config = stackConfig(stack);
            const dataNs = Object.entries(config.namespaces).find(([, ns]) => ns.layer === "data")![0];

            it("references only Secret and ConfigMap keys that exist in the pod's namespace", async () => {
                const run = await stackRun(stack);
                assert.deepEqual(danglingReferences(run), []);
                const refs = podTemplates(run).flatMap((p) =>
                    (p.spec.containers as { env?: Env[] }[]).flatMap((c) => (c.env ?? []).filter((e) => e.valueFrom)),
                );
                assert.ok(refs.length >= 20, `only ${refs.length} references: the check has little to check`);
            });

            for (const app of config.apps.filter((a) => a.postgres)) {
                it(`gives ${app.name} its database: libpq variables, password and URLs from a Secret in ${app.namespace}`, async () => {
                    const run = await stackRun(stack);
                    const env = serverEnv(run, app);
                    const names = env.map((e) => e.name).filter((n) => (platformEnv.postgres as readonly string[]).includes(n));
                    const expected = platformEnv.postgres.filter((n) => n !== "DATABASE_READONLY_URL" || app.postgres!.readReplicas);
                    assert.deepEqual(names, expected);
                    const value = (n: string) => env.find((e) => e.name === n)!;
                    assert.equal(value("PGHOST").value, `${app.name}-db-rw.${dataNs}.svc.cluster.local`);
                    assert.equal(value("PGUSER").value, app.postgres!.database ?? app.name.replace(/-/g, "_"));
                    assert.deepEqual(
                        egressPorts(run, app, "cnpg.io/cluster"),
                        [Number(value("PGPORT").value)],
                        "the port its NetworkPolicy opens",
                    );
                    for (const n of ["PGPASSWORD", "DATABASE_URL"])
                        assert.equal(value(n).valueFrom!.secretKeyRef.name, `${app.name}-postgres`);
                    const secret = inNs(run, "kubernetes:core/v1:Secret", `${app.name}-postgres`, app.namespace);
                    assert.ok(containsSecret(secret.inputs.stringData), "the password and URLs stay Pulumi secrets");
                    const workload = app.canary ? "kubernetes:argoproj.io/v1alpha1:Rollout" : "kubernetes:apps/v1:Deployment";
                    assert.ok(dependsOn(run, inNs(run, workload, app.name, app.namespace), secret), "pods start after their Secret exists");
                    if (app.postgres!.readReplicas) {
                        const cluster = inNs(run, "kubernetes:postgresql.cnpg.io/v1:Cluster", `${app.name}-db`, dataNs);
                        assert.ok(Number(get(cluster, "spec.instances")) >= 2, "a replica behind the -ro service");
                        assert.equal(value("DATABASE_READONLY_URL").valueFrom!.secretKeyRef.key, "readonly-uri");
                    }
                });
            }

            for (const app of config.apps.filter((a) => a.kafka)) {
                it(`gives ${app.name} its Kafka: SCRAM credentials from a Secret, the cluster CA from a ConfigMap`, async () => {
                    const run = await stackRun(stack);
                    const env = serverEnv(run, app);
                    assert.deepEqual(
                        env.map((e) => e.name).filter((n) => (platformEnv.kafka as readonly string[]).includes(n)),
                        [...platformEnv.kafka],
                    );
                    const owner = app.kafka!.cluster ? app.name : app.kafka!.uses!;
                    const bootstrap = env.find((e) => e.name === "KAFKA_BOOTSTRAP_SERVERS")!.value!;
                    assert.equal(bootstrap.split(":")[0], `${owner}-kafka-kafka-bootstrap.${dataNs}.svc.cluster.local`);
                    assert.deepEqual(
                        egressPorts(run, app, "strimzi.io/cluster"),
                        [Number(bootstrap.split(":")[1])],
                        "the port its NetworkPolicy opens",
                    );
                    const user = inNs(run, "kubernetes:kafka.strimzi.io/v1:KafkaUser", app.name, dataNs);
                    assert.equal(get(user, "spec.authentication.type"), "scram-sha-512");
                    assert.equal(env.find((e) => e.name === "KAFKA_SASL_USERNAME")!.value, get(user, "metadata.name"));
                    const kafka = inNs(run, "kubernetes:kafka.strimzi.io/v1:Kafka", `${owner}-kafka`, dataNs);
                    const listeners = get(kafka, "spec.kafka.listeners") as {
                        port: number;
                        tls: boolean;
                        authentication: { type: string };
                    }[];
                    assert.deepEqual(
                        listeners.map((l) => [l.port, l.tls, l.authentication.type]),
                        [[Number(bootstrap.split(":")[1]), true, "scram-sha-512"]],
                    );
                    const ca = inNs(run, "kubernetes:core/v1:ConfigMap", `${app.name}-kafka-ca`, app.namespace);
                    assert.match((get(ca, "data") as Record<string, string>)["ca.crt"], /BEGIN CERTIFICATE/);
                    assert.ok(containsSecret(inNs(run, "kubernetes:core/v1:Secret", `${app.name}-kafka`, app.namespace).inputs.stringData));
                });
            }

            it("supplies each Kafka cluster's CA to Strimzi as its documented Secrets, the key a Pulumi secret", async () => {
                const run = await stackRun(stack);
                for (const kafka of ofType(run, "kubernetes:kafka.strimzi.io/v1:Kafka")) {
                    const name = String(get(kafka, "metadata.name"));
                    assert.deepEqual(get(kafka, "spec.clusterCa"), { generateCertificateAuthority: false });
                    const cert = inNs(run, "kubernetes:core/v1:Secret", `${name}-cluster-ca-cert`, dataNs);
                    const key = inNs(run, "kubernetes:core/v1:Secret", `${name}-cluster-ca`, dataNs);
                    for (const [s, annotation] of [
                        [cert, "strimzi.io/ca-cert-generation"],
                        [key, "strimzi.io/ca-key-generation"],
                    ] as const) {
                        const labels = get(s, "metadata.labels") as Record<string, string>;
                        assert.equal(labels["strimzi.io/kind"], "Kafka");
                        assert.equal(labels["strimzi.io/cluster"], name);
                        assert.match((get(s, "metadata.annotations") as Record<string, string>)[annotation], /^[0-9]+$/);
                        assert.ok(dependsOn(run, kafka, s), `${name} waits for its CA`);
                        assert.equal(s.protect, config.environment === "production");
                    }
                    assert.ok(containsSecret(key.inputs.stringData));
                }
            });

            it(`runs External Secrets with the ClusterSecretStore platform-${config.environment}, served only to the apps (and alert receivers) that read it`, async () => {
                const run = await stackRun(stack);
                const release = ofType(run, "kubernetes:helm.sh/v3:Release").find((r) => r.inputs.name === "external-secrets")!;
                const stores = ofType(run, "kubernetes:external-secrets.io/v1:ClusterSecretStore");
                assert.deepEqual(
                    stores.map((s) => get(s, "metadata.name")),
                    Object.keys(config.secretStores).map((s) => `${s}-${config.environment}`),
                );
                const store = stores[0];
                const provider = { dev: "kubernetes", staging: "vault", production: "aws" }[config.environment];
                assert.deepEqual(Object.keys(get(store, "spec.provider") as object), [provider]);
                assert.ok(dependsOn(run, store, release));
                // ...and the monitoring namespace when an alert receiver's credential is in the store.
                const alertReaders = config.alerting ? receiverSecrets(config.alerting).map(() => "monitoring") : [];
                const readers = [
                    ...new Set([...config.apps.filter((a) => a.secrets.length > 0).map((a) => a.namespace), ...alertReaders]),
                ].sort();
                assert.deepEqual(get(store, "spec.conditions"), [{ namespaces: readers }]);
            });

            it("turns every app secret into an ExternalSecret in the app's namespace and env vars from it", async () => {
                const run = await stackRun(stack);
                const apps = config.apps.filter((a) => a.secrets.length > 0);
                assert.ok(apps.length >= 2, "the seed apps exercise the flow");
                const store = ofType(run, "kubernetes:external-secrets.io/v1:ClusterSecretStore")[0];
                for (const app of apps) {
                    for (const secret of app.secrets) {
                        const es = inNs(
                            run,
                            "kubernetes:external-secrets.io/v1:ExternalSecret",
                            `${app.name}-${secret.name}`,
                            app.namespace,
                        );
                        assert.deepEqual(get(es, "spec"), externalSecretSpec(app.name, secret, `platform-${config.environment}`));
                        assert.equal(get(es, "spec.target.creationPolicy"), "Owner");
                        assert.ok(dependsOn(run, es, store), "waits for its store");
                        for (const d of secret.data) {
                            assert.deepEqual(serverEnv(run, app).find((e) => e.name === d.env)?.valueFrom, {
                                secretKeyRef: { name: `${app.name}-${secret.name}`, key: d.env },
                            });
                        }
                    }
                }
            });
        });
    }

    it("seeds a laptop cluster's local store with a random value for every key the apps read", async () => {
        const run = await stackRun("dev");
        const config = stackConfig("dev");
        for (const d of config.apps.flatMap((a) => a.secrets).flatMap((s) => s.data)) {
            const seed = inNs(run, "kubernetes:core/v1:Secret", d.key, "local-secrets");
            assert.ok(containsSecret(seed.inputs.stringData));
            assert.deepEqual(seed.ignoreChanges.sort(), ["data", "stringData"], "values set with kubectl are kept");
        }
        const binding = ofType(run, "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding").find(
            (r) => get(r, "metadata.namespace") === "local-secrets",
        )!;
        assert.deepEqual(get(binding, "subjects"), [
            { kind: "ServiceAccount", name: "external-secrets-reader", namespace: "local-secrets" },
        ]);
    });

    it("reports a reference to a missing Secret, a missing key and a missing ConfigMap", () => {
        const resource = (type: string, inputs: Record<string, unknown>) => ({ type, inputs }) as unknown as RegisteredResource;
        const run = {
            stack: "fixture",
            outputs: {},
            resources: [
                resource("kubernetes:core/v1:Secret", { metadata: { name: "db", namespace: "core" }, stringData: { password: "x" } }),
                resource("kubernetes:apps/v1:Deployment", {
                    metadata: { name: "api", namespace: "core" },
                    spec: {
                        template: {
                            spec: {
                                containers: [
                                    {
                                        name: "api",
                                        env: [
                                            { name: "A", valueFrom: { secretKeyRef: { name: "db", key: "password" } } },
                                            { name: "B", valueFrom: { secretKeyRef: { name: "db", key: "uri" } } },
                                            { name: "C", valueFrom: { secretKeyRef: { name: "other", key: "k" } } },
                                            { name: "D", valueFrom: { configMapKeyRef: { name: "ca", key: "ca.crt" } } },
                                        ],
                                    },
                                ],
                            },
                        },
                    },
                }),
            ],
        } as ProgramRun;
        assert.deepEqual(danglingReferences(run), [
            "Deployment core/api container api env B: Secret core/db has no key 'uri'",
            "Deployment core/api container api env C: no Secret core/other",
            "Deployment core/api container api env D: no ConfigMap core/ca",
        ]);
    });

    describe("builders", () => {
        it("writes postgresql:// URLs with TLS required and the password encoded", () => {
            const endpoint = { host: "h", port: 5432, database: "db", user: "u" };
            assert.equal(postgresUrl(endpoint, "h", "p@ss/word"), "postgresql://u:p%40ss%2Fword@h:5432/db?sslmode=require");
        });

        it("derives the CA generation from the certificate's start, so a renewal counts higher", () => {
            assert.equal(caGeneration("1970-01-02T00:00:00Z"), "1");
            assert.ok(Number(caGeneration("2036-01-01T00:00:00Z")) > Number(caGeneration("2026-01-01T00:00:00Z")));
            assert.throws(() => caGeneration("soon"), /not an RFC 3339 time/);
        });
    });
});
