import { strict as assert } from "assert";
import * as fs from "fs";
import type { AddressInfo } from "net";
import * as os from "os";
import * as path from "path";
import * as tls from "tls";
import { run } from "../engine/cli";
import { stackRun } from "../engine/synth/run-program";
import { repoRoot } from "../engine/synth/stack-files";
import { toSynthResources, writeSynth } from "../engine/synth/write";
import {
    Expectations,
    expectationsFromSynth,
    kubeCluster,
    loadKubeConfig,
    Resolver,
    tlsConnector,
    verifyCluster,
    VerifyReport,
} from "../engine/verify";
import { verifyCommand } from "../scripts/verify";
import { FakeKubeApi, LiveObject, testCert, testKey } from "./harness/fake-kube-api";
import {
    certificate,
    constraint,
    healthyCluster,
    helmReleaseSecret,
    kyvernoPolicy,
    pgBackup,
    pgCluster,
    pod,
    strimzi,
} from "./harness/live-cluster";

const now = new Date("2026-01-06T12:00:00Z");
const otherCert = fs.readFileSync(path.join(repoRoot, "test", "fixtures", "tls", "other-example.crt"));
const otherKey = fs.readFileSync(path.join(repoRoot, "test", "fixtures", "tls", "other-example.key"));

/** Every public host resolves to the local TLS server; `gone.` hosts do not resolve. */
const resolve: Resolver = async (host) => {
    if (host.startsWith("gone.")) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: "ENOTFOUND" });
    return ["127.0.0.1"];
};

const failing = (report: VerifyReport) => report.checks.filter((c) => c.status === "fail");

describe("verify (live checks against a fake API server)", () => {
    const api = new FakeKubeApi();
    let exp: Expectations;
    let healthy: LiveObject[];
    let hostServer: tls.Server;
    let serveWrongCert = false;
    let savedKubeconfig: string | undefined;

    const connect = () => tlsConnector({ port: (hostServer.address() as AddressInfo).port, ca: testCert });
    const verify = (objects: LiveObject[], e: Expectations = exp) => {
        api.setObjects(objects);
        return verifyCluster(e, kubeCluster(loadKubeConfig()), { now, resolve, connect: connect() });
    };
    /** The healthy cluster with the objects `pick` selects replaced by `by`. */
    const breaking = (pick: (o: LiveObject) => boolean, ...by: LiveObject[]) => [...healthy.filter((o) => !pick(o)), ...by];

    before(async () => {
        exp = expectationsFromSynth("production", toSynthResources(await stackRun("production")));
        healthy = healthyCluster(exp, now);
        await api.start();
        savedKubeconfig = process.env.KUBECONFIG;
        process.env.KUBECONFIG = api.writeKubeconfig();
        const platform = tls.createSecureContext({ cert: testCert, key: testKey });
        const other = tls.createSecureContext({ cert: otherCert, key: otherKey });
        hostServer = tls.createServer({ SNICallback: (_name, cb) => cb(null, serveWrongCert ? other : platform) }, (s) => s.end());
        await new Promise<void>((r) => hostServer.listen(0, "127.0.0.1", r));
    });

    after(async () => {
        if (savedKubeconfig === undefined) delete process.env.KUBECONFIG;
        else process.env.KUBECONFIG = savedKubeconfig;
        await api.stop();
        await new Promise<void>((r) => hostServer.close(() => r()));
    });

    afterEach(() => (serveWrongCert = false));

    it("derives what to check from the stack's synth", () => {
        assert.equal(exp.releases.length, 15, "every release but the Istio gateway, which no stack enables");
        assert.deepEqual(
            exp.releases.find((r) => r.name === "strimzi"),
            { name: "strimzi", namespace: "strimzi-system", chart: "strimzi-kafka-operator", version: "1.2.0" },
        );
        assert.deepEqual(exp.publicHosts, [
            "api.platform.example.com",
            "argocd.platform.example.com",
            "grafana.platform.example.com",
            "orchestrator.platform.example.com",
        ]);
        assert.deepEqual(
            exp.certificates.map((c) => `${c.namespace}/${c.name}`),
            ["core/backend-tls", "core/mcp-gateway-tls"],
        );
        assert.deepEqual(
            exp.backups.map((b) => [b.cluster, b.schedule]),
            [
                ["backend-db", "0 0 2 * * *"],
                ["ai-engine-db", "0 0 2 * * *"],
                ["executor-db", "0 0 2 * * *"],
            ],
        );
        assert.ok(
            exp.kyvernoPolicies.length >= 9 && exp.kyvernoPolicies.every((p) => p.validationActions.includes("Deny")),
            "production enforces",
        );
        assert.deepEqual(
            exp.gatekeeperConstraints.map((c) => [c.plural, c.enforcementAction]),
            [
                ["k8sallowedrepos", "deny"],
                ["k8srequiredlabels", "deny"],
            ],
        );
        assert.ok(exp.workloads.some((w) => w.kind === "Rollout" && w.name === "truth-verifier"));
        assert.ok(exp.kafka.some((k) => k.kind === "KafkaTopic" && k.name === "events-raw"));
    });

    it("passes every check on a cluster running what the stack says, in one read per kind", async () => {
        const before = api.requests.length;
        const report = await verify(healthy);
        assert.deepEqual(failing(report), []);
        assert.equal(report.ok, true);
        const kinds = new Set(report.checks.map((c) => c.check));
        for (const kind of [
            "cluster",
            "namespaces",
            "release",
            "pods",
            "deployment",
            "rollout",
            "certificate",
            "postgres",
            "backup",
            "kafka",
            "kafka-topic",
            "kafka-user",
            "policy",
            "constraint",
            "host",
        ]) {
            assert.ok(kinds.has(kind), `no ${kind} check`);
        }
        assert.equal(report.checks.filter((c) => c.check === "release").length, 15);
        assert.match(
            report.checks.find((c) => c.target === "cert-manager/cert-manager")!.detail,
            /^cert-manager v1\.21\.1, revision 2, deployed$/,
        );
        const requests = api.requests.slice(before);
        assert.ok(requests.includes("/api/v1/secrets?labelSelector=owner%3Dhelm"), requests.join("\n"));
        assert.ok(requests.length <= 16, `${requests.length} requests:\n${requests.join("\n")}`);
    });

    const failures: [string, () => LiveObject[], string, string, RegExp][] = [
        [
            "a release at another chart version",
            () =>
                breaking(
                    (o) => o.metadata.name === "sh.helm.release.v1.kyverno.v2",
                    helmReleaseSecret("kyverno", "kyverno", "kyverno", "3.8.1", 2, "deployed"),
                ),
            "release",
            "kyverno/kyverno",
            /kyverno 3\.8\.1, revision 2, deployed: the stack pins kyverno 3\.9\.0/,
        ],
        [
            "a release whose last upgrade failed",
            () => [...healthy, helmReleaseSecret("argocd", "argocd", "argo-cd", "10.1.1", 3, "failed")],
            "release",
            "argocd/argocd",
            /revision 3, failed: status is 'failed', not 'deployed'/,
        ],
        [
            "a release that is not installed",
            () => breaking((o) => o.metadata.labels?.owner === "helm" && o.metadata.labels?.name === "keda"),
            "release",
            "keda/keda",
            /not installed: no Helm release secret \(stack pins keda 2\.20\.2\)/,
        ],
        [
            "a pod that is not ready",
            () => [...healthy, pod("core", "backend-5d8f7c9b4-q2x7z", "crashloop")],
            "pods",
            "core",
            /1 of 3 not ready: backend-5d8f7c9b4-q2x7z \(CrashLoopBackOff\)/,
        ],
        [
            "a certificate that is not ready",
            () => breaking((o) => o.kind === "Certificate" && o.metadata.name === "backend-tls", certificate("core", "backend-tls", false)),
            "certificate",
            "core/backend-tls",
            /Ready=False \(DoesNotExist: Issuing certificate as Secret does not exist\)/,
        ],
        [
            "an unhealthy database cluster",
            () => breaking((o) => o.kind === "Cluster" && o.metadata.name === "executor-db", pgCluster("memory", "executor-db", 3, 2)),
            "postgres",
            "memory/executor-db",
            /Waiting for the instances to become active, 2\/3 instances ready/,
        ],
        [
            "a backup older than the schedule allows",
            () =>
                breaking(
                    (o) =>
                        o.kind === "Backup" &&
                        o.metadata.namespace === "memory" &&
                        (o.spec as { cluster: { name: string } }).cluster.name === "backend-db",
                    pgBackup("memory", "backend-db", new Date("2026-01-03T02:10:00Z")),
                    pgBackup("memory", "backend-db", new Date("2026-01-06T02:10:00Z"), "failed"),
                ),
            "backup",
            "memory/backend-db",
            /stale: last completed 2026-01-03T02:10:00\.000Z \(82h ago\); schedule '0 0 2 \* \* \*' wants one finished after 2026-01-05T02:00:00\.000Z/,
        ],
        [
            "a Kafka topic that is not ready",
            () =>
                breaking(
                    (o) => o.kind === "KafkaTopic" && o.metadata.name === "events-raw",
                    strimzi("KafkaTopic", "memory", "events-raw", false),
                ),
            "kafka-topic",
            "memory/events-raw",
            /Ready=False \(InvalidResource: Number of partitions cannot be decreased\)/,
        ],
        [
            "a Kyverno policy auditing where the stack enforces",
            () =>
                breaking(
                    (o) => o.metadata.name === "disallow-latest-tag",
                    kyvernoPolicy("ValidatingPolicy", "disallow-latest-tag", ["Audit"]),
                ),
            "policy",
            "ValidatingPolicy/disallow-latest-tag",
            /validationActions \[Audit\]: does not enforce: the stack wants \[Deny\]/,
        ],
        [
            "a Gatekeeper constraint in dry run where the stack denies",
            () =>
                breaking(
                    (o) => o.metadata.name === "images-from-allowed-registries",
                    constraint("K8sAllowedRepos", "images-from-allowed-registries", "dryrun"),
                ),
            "constraint",
            "K8sAllowedRepos/images-from-allowed-registries",
            /enforcementAction dryrun: the stack wants deny/,
        ],
    ];

    for (const [what, objects, check, target, detail] of failures) {
        it(`fails on ${what}, and only there`, async () => {
            const report = await verify(objects());
            assert.equal(report.ok, false);
            assert.deepEqual(
                failing(report).map((c) => [c.check, c.target]),
                [[check, target]],
            );
            assert.match(failing(report)[0].detail, detail);
        });
    }

    it("fails on a public host serving a certificate for another name", async () => {
        serveWrongCert = true;
        const report = await verify(healthy);
        assert.deepEqual(new Set(failing(report).map((c) => c.check)), new Set(["host"]));
        assert.equal(failing(report).length, 4);
        assert.match(failing(report)[0].detail, /^127\.0\.0\.1: wrong certificate: Hostname\/IP does not match certificate's altnames/);
    });

    it("fails on a public host whose certificate is not trusted, or that does not resolve", async () => {
        api.setObjects(healthy);
        const untrusted = tlsConnector({ port: (hostServer.address() as AddressInfo).port }); // system roots only
        const e = { ...exp, publicHosts: ["api.platform.example.com", "gone.platform.example.com"] };
        const report = await verifyCluster(e, kubeCluster(loadKubeConfig()), { now, resolve, connect: untrusted });
        const rows = failing(report);
        assert.deepEqual(
            rows.map((c) => c.target),
            ["api.platform.example.com", "gone.platform.example.com"],
        );
        assert.match(rows[0].detail, /untrusted certificate CN=\*\.platform\.example\.com .*SELF_SIGNED/);
        assert.match(rows[1].detail, /does not resolve \(ENOTFOUND\)/);
    });

    it("names a kind the cluster does not serve (an operator not installed) in one row", async () => {
        api.setObjects(healthy);
        api.unserved.add("postgresql.cnpg.io/v1/clusters");
        const report = await verifyCluster(exp, kubeCluster(loadKubeConfig()), { now, resolve, connect: connect() });
        assert.deepEqual(
            failing(report).map((c) => [c.check, c.target]),
            [["postgres", "*"]],
        );
        assert.match(failing(report)[0].detail, /clusters\.postgresql\.cnpg\.io\/v1: not found/);
    });

    it("reports an unreachable cluster as one failed row", async () => {
        const closed = new FakeKubeApi();
        await closed.start();
        const url = closed.url;
        await closed.stop();
        process.env.KUBECONFIG = closed.writeKubeconfig("gone", url);
        try {
            const report = await verifyCluster(exp, kubeCluster(loadKubeConfig()), { now, resolve, connect: connect() });
            assert.equal(report.checks.length, 1);
            assert.deepEqual([report.checks[0].check, report.checks[0].status], ["cluster", "fail"]);
            assert.match(report.checks[0].detail, /version: cannot reach https:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\)/);
        } finally {
            process.env.KUBECONFIG = api.writeKubeconfig();
        }
    });

    describe("npm run verify", () => {
        const out = fs.mkdtempSync(path.join(os.tmpdir(), "verify-"));
        before(async () => writeSynth(await stackRun("production"), out));

        const verifyCli = async (argv: string[], objects: LiveObject[]) => {
            api.setObjects(objects);
            let printed = "";
            let err = "";
            const command = verifyCommand({ now, resolve, connect: connect(), write: (s) => (printed += s) });
            const code = await run(command, argv, { out: (s) => (printed += s), err: (s) => (err += s), env: {} });
            return { code, printed, err };
        };

        it("--json prints the report and exits 0 on a healthy cluster", async () => {
            const r = await verifyCli(["--stack", "production", "--from", out, "--json"], healthy);
            assert.equal(r.code, 0, r.err);
            const report = JSON.parse(r.printed) as VerifyReport;
            assert.equal(report.ok, true);
            assert.equal(report.context, "fake");
            assert.ok(report.checks.length > 60);
        });

        it("prints a table and exits 1 when a check fails", async () => {
            const r = await verifyCli(["--stack", "production", "--from", out], [...healthy, pod("core", "web-1", "crashloop")]);
            assert.equal(r.code, 1);
            assert.match(r.printed, /^CHECK +TARGET +STATUS +DETAIL$/m);
            assert.match(r.printed, /^pods +core +fail +1 of 3 not ready: web-1 \(CrashLoopBackOff\)$/m);
            assert.match(r.printed, /stack production on fake: 1 of \d+ checks failed\n$/);
        });

        it("refuses a kube context the kubeconfig does not have, exit 2", async () => {
            const r = await verifyCli(["--stack", "production", "--from", out, "--context", "kind-platform-dev"], healthy);
            assert.equal(r.code, 2);
            assert.match(r.err, /^verify: no kube context 'kind-platform-dev' in your kubeconfig \(contexts: fake\)/);
        });
    });
});
