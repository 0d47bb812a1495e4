import { strict as assert } from "assert";
import { secretLiteralKind } from "../policies/secret-literals";
import * as secrets from "../policies/secrets";
import { check, goodDeployment, resource } from "./helpers";

const msgs = (vs: { message: string }[]) => vs.map((v) => v.message);
const withEnv = (env: Record<string, unknown>[]) => resource("kubernetes:apps/v1:Deployment", goodDeployment({ container: { env } }));

describe("policy pack: secret literals judged by content", () => {
    const leaks: [string, string, string][] = [
        ["DATABASE_URL", "postgresql://app:Sup3rS3cret@db.memory.svc:5432/app", "a connection string with a password"],
        ["REDIS_URL", "redis://:Sup3rS3cret@redis-cache.memory.svc:6379", "a connection string with a password"],
        ["AWS_ID", "AKIAIOSFODNN7EXAMPLE", "an AWS access key ID"],
        ["TLS", "-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY-----", "a private key"],
        ["GH", "ghp_" + "aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3zA5", "a GitHub token"],
        ["UPSTREAM", "Zx8Qm2Lp9Vr4Tn7Ks1Wd6Yh3Bc5Fg0Je", "a high-entropy token"],
    ];
    for (const [name, value, kind] of leaks) {
        it(`refuses ${name} set to ${kind}, without echoing the value`, () => {
            const messages = msgs(check(secrets.noPlaintextSecrets, [withEnv([{ name, value }])]));
            assert.deepEqual(messages, [`core/api: container 'api' sets ${name} to what looks like ${kind}; use valueFrom.secretKeyRef`]);
            assert.ok(!messages[0].includes(value));
        });
    }

    it("passes the plain settings apps and the platform really set", () => {
        const plain = [
            "redis://redis-cache.memory.svc:6379",
            "https://user@git.example.com/acme/repo.git",
            "event-ingest-kafka-kafka-bootstrap.memory.svc.cluster.local:9093",
            "backend-db-rw.memory.svc.cluster.local",
            "/etc/platform/kafka/ca.crt",
            "SCRAM-SHA-512",
            'sum(rate(http_requests_total{namespace="core",service="mcp-gateway"}[2m]))',
            "123e4567-e89b-12d3-a456-426614174000",
            "2.14.0",
            "debug",
            "ghcr.io/acme-platform/aegis-backend",
        ];
        for (const value of plain) assert.equal(secretLiteralKind(value), undefined, value);
        const env = [
            ...plain.map((value, i) => ({ name: `SETTING_${i}`, value })),
            { name: "PGPASSWORD", valueFrom: { secretKeyRef: { name: "api-postgres", key: "password" } } },
        ];
        assert.deepEqual(msgs(check(secrets.noPlaintextSecrets, [withEnv(env)])), []);
    });
});

describe("policy pack: ExternalSecrets read this environment's store", () => {
    const config = { "external-secrets-use-environment-store": { environment: "production" } };
    const externalSecret = (secretStoreRef: Record<string, string>, data: Record<string, unknown>[] = []) =>
        resource("kubernetes:external-secrets.io/v1:ExternalSecret", {
            metadata: { name: "api-payment", namespace: "core" },
            spec: { secretStoreRef, target: { name: "api-payment" }, data },
        });
    const policy = secrets.externalSecretsUseEnvironmentStore;

    it("passes the environment's own ClusterSecretStore", () => {
        assert.deepEqual(msgs(check(policy, [externalSecret({ kind: "ClusterSecretStore", name: "platform-production" })], config)), []);
        const store = resource("kubernetes:external-secrets.io/v1:ClusterSecretStore", { metadata: { name: "platform-production" } });
        assert.deepEqual(msgs(check(policy, [store], config)), []);
    });

    it("refuses another environment's store, a namespaced store, and an entry that reads elsewhere", () => {
        assert.deepEqual(msgs(check(policy, [externalSecret({ kind: "ClusterSecretStore", name: "platform-staging" })], config)), [
            "ExternalSecret core/api-payment reads from the staging environment's store 'platform-staging' in production",
        ]);
        assert.deepEqual(msgs(check(policy, [externalSecret({ kind: "SecretStore", name: "team-vault" })], config)), [
            "ExternalSecret core/api-payment reads from the SecretStore 'team-vault'; use the platform's ClusterSecretStore",
        ]);
        const mixed = externalSecret({ kind: "ClusterSecretStore", name: "platform-production" }, [
            { secretKey: "K", remoteRef: { key: "k" }, sourceRef: { storeRef: { kind: "ClusterSecretStore", name: "platform-dev" } } },
        ]);
        assert.deepEqual(msgs(check(policy, [mixed], config)), [
            "ExternalSecret core/api-payment entry 0 reads from the dev environment's store 'platform-dev' in production",
        ]);
        const stray = resource("kubernetes:external-secrets.io/v1:ClusterSecretStore", { metadata: { name: "vault-shared" } });
        assert.equal(check(policy, [stray], config).length, 1);
    });

    it("cannot judge without the stack's environment, and says so", () => {
        assert.deepEqual(msgs(check(policy, [externalSecret({ kind: "ClusterSecretStore", name: "platform-production" })])), [
            "ExternalSecret core/api-payment: cannot check its store: set 'environment' in this policy's config",
        ]);
    });
});
