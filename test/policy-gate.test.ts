import { strict as assert } from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { argoRolloutsChart } from "../components/platform/argo-rollouts";
import { certManagerChart } from "../components/platform/cert-manager";
import { cloudnativePgChart } from "../components/platform/cloudnative-pg";
import { namedLoadBalancers } from "../components/platform/install";
import { istioCharts } from "../components/platform/istio";
import { strimziChart } from "../components/platform/strimzi";
import type { SynthResource } from "../policy-pack/offline";
import { scriptCommand } from "../engine/cli";
import { gateConfig, runGate } from "../engine/gate";
import { runStack, stackRun } from "../engine/synth/run-program";
import { listStacks, repoRoot, stackConfig } from "../engine/synth/stack-files";
import { toSynthResources } from "../engine/synth/write";

const mandatory = (stack: string, resources: SynthResource[]) => runGate(stack, resources).filter((v) => v.level === "mandatory");

describe("policy gate", () => {
    for (const stack of listStacks()) {
        it(`passes every mandatory policy for stack ${stack}`, async () => {
            const violations = mandatory(stack, toSynthResources(await stackRun(stack)));
            assert.deepEqual(
                violations.map((v) => `${v.policy}: ${v.message}`),
                [],
            );
        });

        it(`has a policy config for stack ${stack} that agrees with its stack file`, () => {
            const config = stackConfig(stack);
            const policy = gateConfig(stack) as Record<string, any>;
            assert.deepEqual(policy["allowed-image-registries"].registries, config.guardrails.allowedRegistries, "registries");
            const retention = policy["database-backups-meet-retention"];
            if (typeof retention === "object") {
                for (const p of config.compliance.profiles) assert.ok(retention.complianceProfiles.includes(p), `compliance ${p}`);
            }
            const repos: string[] = policy["helm-allowed-repositories"].repositories;
            for (const pin of [certManagerChart, istioCharts.base, argoRolloutsChart, cloudnativePgChart])
                assert.ok(repos.includes(pin.repo!), pin.repo);
            assert.ok(
                repos.some((r) => strimziChart.chart.startsWith(r)),
                "OCI registry of Strimzi",
            );
            // Public load balancers: what the stack file names, nothing else (ingress-nginx's controller; no gateway).
            assert.deepEqual(policy["no-unnamed-public-load-balancer"].allowed, namedLoadBalancers(config.components));
            assert.deepEqual(Object.keys(policy["no-unnamed-public-load-balancer"].allowed), ["ingress-nginx/ingress-nginx-controller"]);
            assert.deepEqual(policy["no-unnamed-public-load-balancer"].releases, ["ingress-nginx"]);
        });
    }

    describe("production refuses", () => {
        it("a container without a memory limit, naming the resource", async () => {
            const config = stackConfig("production");
            const apps = config.apps.map((a) =>
                a.name === "executor" ? { ...a, resources: { ...a.resources, limits: { cpu: "1" } } } : a,
            );
            const run = await runStack("production", { overrides: { apps } });
            assert.equal(run.error, undefined);
            const violations = mandatory("production", toSynthResources(run));
            assert.deepEqual(
                violations.map((v) => [v.policy, v.urn, v.message]),
                [
                    [
                        "cpu-and-memory-limits",
                        "urn:pulumi:production::platform::platform:workloads:Apps$platform:workloads:Microservice$kubernetes:apps/v1:Deployment::apps-executor-deployment",
                        "core/executor: container 'executor' has no memory limit",
                    ],
                ],
            );
        });

        it("a database without its scheduled backup, naming the cluster", async () => {
            const resources = toSynthResources(await stackRun("production")).filter(
                (r) => !(r.type.endsWith(":ScheduledBackup") && r.name.includes("backend")),
            );
            const violations = mandatory("production", resources);
            assert.deepEqual(
                violations.map((v) => [v.policy, v.message]),
                [
                    ["database-backups-meet-retention", "Cluster memory/backend-db has no ScheduledBackup"],
                    [
                        "platform-floor",
                        "production floor: database backend-db has no active scheduled backup (stack file: platform:backup)",
                    ],
                ],
            );
            for (const v of violations)
                assert.match(v.urn!, /Postgres\$kubernetes:postgresql\.cnpg\.io\/v1:Cluster::apps-backend-postgres-cluster$/);
        });

        it("backups kept for less than SOX requires", async () => {
            const config = stackConfig("production");
            const apps = config.apps.map((a) => (a.name === "ai-engine" ? { ...a, postgres: { ...a.postgres, retentionDays: 400 } } : a));
            const run = await runStack("production", { overrides: { apps, compliance: { profiles: ["GDPR"] } } });
            assert.equal(run.error, undefined, "the stack file alone no longer asks for SOX");
            // The policy config still says SOX: every database falls short, the explicit 400 days included.
            const violations = mandatory("production", toSynthResources(run));
            assert.deepEqual(violations.map((v) => v.message).sort(), [
                "ObjectStore memory/ai-engine-db-backups keeps backups 400d, less than the 2555 days required by GDPR, SOX",
                "ObjectStore memory/backend-db-backups keeps backups 35d, less than the 2555 days required by GDPR, SOX",
                "ObjectStore memory/executor-db-backups keeps backups 35d, less than the 2555 days required by GDPR, SOX",
                // The floor says production data is under SOX whatever the stack file declares.
                "production floor: database ai-engine-db keeps backups 400d, less than the floor's 2555 days (GDPR, SOX) (stack file: platform:apps[ai-engine].postgres.retentionDays)",
                "production floor: database backend-db keeps backups 35d, less than the floor's 2555 days (GDPR, SOX) (stack file: platform:apps[backend].postgres.retentionDays)",
                "production floor: database executor-db keeps backups 35d, less than the floor's 2555 days (GDPR, SOX) (stack file: platform:apps[executor].postgres.retentionDays)",
            ]);
        });

        it("an unprotected database and an unproxied app record", async () => {
            const resources = toSynthResources(await stackRun("production")).map((r) =>
                r.type.endsWith(":Cluster") && r.name.includes("executor")
                    ? { ...r, protect: false }
                    : r.type === "cloudflare:index/dnsRecord:DnsRecord" && r.inputs.name === "api.platform.example.com"
                      ? { ...r, inputs: { ...r.inputs, proxied: false } }
                      : r,
            );
            const violations = mandatory("production", resources).map((v) => `${v.policy}: ${v.message}`);
            assert.deepEqual(violations.sort(), [
                "dns-records-proxied: DNS record api.platform.example.com (A) is not proxied",
                "protect-stateful-data: Cluster memory/executor-db is not protected: a destroy or a rename would delete its data",
            ]);
        });

        it("a stack file without backups, before anything is synthesised", async () => {
            const run = await runStack("production", { remove: ["backup"] });
            assert.match(run.error!.message, /platform:apps\[backend\]\.postgres: needs platform:backup in production/);
        });
    });

    describe("npm run policy", () => {
        const gate = (...args: string[]) => {
            const command = scriptCommand("policy", args);
            try {
                return {
                    code: 0,
                    out: execFileSync(command.file, command.args, { cwd: repoRoot, encoding: "utf8" }),
                };
            } catch (err) {
                const e = err as { status: number; stdout: string };
                return { code: e.status, out: e.stdout };
            }
        };

        it("passes production's synth output and fails, listing policy, resource and message, when it breaks", async () => {
            const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gate-"));
            const resources = toSynthResources(await stackRun("production"));
            fs.writeFileSync(path.join(dir, "resources.json"), JSON.stringify(resources));
            const ok = gate("--stack", "production", "--from", dir);
            assert.equal(ok.code, 0, ok.out);
            assert.match(ok.out, /0 mandatory and 0 advisory violation\(s\)/);
            const broken = resources.map((r) =>
                r.type === "kubernetes:helm.sh/v3:Release" && r.inputs.name === "cert-manager"
                    ? { ...r, inputs: { ...r.inputs, version: "^1.21.0" } }
                    : r,
            );
            fs.writeFileSync(path.join(dir, "resources.json"), JSON.stringify(broken));
            const failed = gate("--stack", "production", "--from", dir);
            assert.equal(failed.code, 1);
            assert.match(
                failed.out,
                /\[mandatory\] helm-exact-chart-version: urn:pulumi:production::platform::platform:platform:CertManager\$kubernetes:helm.sh\/v3:Release::cert-manager-release: release 'cert-manager\/cert-manager': chart version '\^1.21.0' is not an exact version/,
            );
        });
    });
});
