import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { appImageDigestRequired } from "../components/shared/environment";
import { admitStack } from "../engine/admit";
import { formatReport } from "../engine/admit/report";
import type { Json } from "../engine/admit/types";
import { checkDrift, driftWrites, DriftProblem, writers, writersMarkdown } from "../engine/drift";
import { formatPath, parsePath } from "../engine/drift/paths";
import { stackRun } from "../engine/synth/run-program";
import { listStacks, stackConfig } from "../engine/synth/stack-files";
import { toSynthResources } from "../engine/synth/write";
import type { SynthResource } from "../policy-pack/offline";

/**
 * The drift contract over every stack: nothing the nightly `preview --refresh --expect-no-changes`
 * would flag by design, every ignored field named by its writer; and each drift the issue found,
 * reintroduced into a stack's own graph, caught with the writer named.
 */

async function graphOf(stack: string) {
    return { resources: toSynthResources(await stackRun(stack)), config: stackConfig(stack) };
}

const kindOf = (r: SynthResource) => r.type.split(":")[2];
const metaName = (r: SynthResource) => (r.inputs.metadata as { name?: string } | undefined)?.name;

/** A deep copy of the resources with the first one matching `pick` changed. */
function changed(resources: SynthResource[], pick: (r: SynthResource) => boolean, change: (r: SynthResource) => void): SynthResource[] {
    const copy = structuredClone(resources);
    const r = copy.find(pick);
    if (!r) throw new Error("no resource matches");
    change(r);
    return copy;
}

const gatekeeperRelease = (r: SynthResource) => r.type === "kubernetes:helm.sh/v3:Release" && r.inputs.chart === "gatekeeper";
const ivp = (r: SynthResource) => kindOf(r) === "ImageValidatingPolicy";
const messages = (problems: DriftProblem[]) => problems.map((p) => p.message);

describe("drift contract", () => {
    describe("field paths", () => {
        it("reads and writes Pulumi's ignoreChanges form", () => {
            for (const p of [
                "spec.replicas",
                'metadata.labels["pod-security.kubernetes.io/enforce"]',
                "spec.template.spec.containers[0].image",
                "webhooks[*].clientConfig.caBundle",
            ])
                assert.equal(formatPath(parsePath(p)), p);
            assert.deepEqual(parsePath('metadata.labels["a.b/c"]'), ["metadata", "labels", "a.b/c"]);
        });
    });

    it("names each writer once, with its upstream source and version", () => {
        assert.equal(new Set(writers.map((w) => w.id)).size, writers.length);
        for (const w of writers) assert.match(w.upstream, /\d+\.\d+|components\/|API/, `${w.id}: upstream names no version or source`);
    });

    it("is the README's table under 'When the drift job fires'", () => {
        const readme = fs.readFileSync(path.join(__dirname, "..", "README.md"), "utf8");
        const section = readme.split("### When the drift job fires")[1]?.split(/\n## |\n### /)[0] ?? "";
        assert.ok(
            section.includes(writersMarkdown()),
            "README's writer table differs from engine/drift/writers.ts: paste writersMarkdown()",
        );
    });

    for (const stack of listStacks()) {
        describe(`stack ${stack}`, () => {
            it("has no field both the program and another writer set, and no ignoreChanges without a writer", async () => {
                assert.deepEqual(messages(checkDrift(await graphOf(stack))), []);
            });

            it("names the writer of every ignored field", async () => {
                const graph = await graphOf(stack);
                const writes = driftWrites(graph);
                for (const r of graph.resources) {
                    for (const entry of r.ignoreChanges) {
                        const by = writes.filter((w) => w.urn === r.urn && formatPath(w.path).startsWith(entry)).map((w) => w.writer.id);
                        assert.ok(by.length > 0, `${r.name}: ignoreChanges '${entry}' has no writer`);
                    }
                }
            });

            it("turns Gatekeeper's namespace-label hooks off and writes the labels they exist for itself", async () => {
                const graph = await graphOf(stack);
                const release = graph.resources.find(gatekeeperRelease);
                if (!release) return;
                const values = release.inputs.values as Json;
                assert.equal(
                    (values.postInstall as Json).labelNamespace && ((values.postInstall as Json).labelNamespace as Json).enabled,
                    false,
                );
                assert.equal(((values.postUpgrade as Json).labelNamespace as Json).enabled, false);
                const ns = graph.resources.find((r) => kindOf(r) === "Namespace" && metaName(r) === release.inputs.namespace)!;
                const labels = (ns.inputs.metadata as { labels: Record<string, string> }).labels;
                assert.equal(labels["admission.gatekeeper.sh/ignore"], "no-self-managing");
                assert.equal(labels["pod-security.kubernetes.io/enforce"], "restricted");
            });

            it("has Kyverno verify images without rewriting them, and require digests where config does", async () => {
                const graph = await graphOf(stack);
                const policy = graph.resources.find(ivp);
                if (!policy) return;
                assert.deepEqual((policy.inputs.spec as Json).validationConfigurations, {
                    mutateDigest: false,
                    verifyDigest: appImageDigestRequired[graph.config.environment],
                    required: true,
                });
            });
        });
    }

    describe("catches the drift it was built for", () => {
        it("Gatekeeper's post-install hook relabelling its namespace (enforce-version v1.24 against the program's latest)", async () => {
            const graph = await graphOf("production");
            const resources = changed(graph.resources, gatekeeperRelease, (r) => {
                (r.inputs.values as Json).postInstall = { labelNamespace: { enabled: true } };
            });
            const found = messages(checkDrift({ ...graph, resources }));
            assert.equal(found.length, 1, found.join("\n"));
            assert.match(found[0], /pod-security\.kubernetes\.io\/enforce-version.*gatekeeper-post-install-label.*"v1\.24".*"latest"/);
        });

        it("but not a hook whose label list is exactly the program's", async () => {
            const graph = await graphOf("production");
            const resources = changed(graph.resources, gatekeeperRelease, (r) => {
                (r.inputs.values as Json).postUpgrade = {
                    labelNamespace: {
                        enabled: true,
                        podSecurity: ["pod-security.kubernetes.io/enforce=restricted", "pod-security.kubernetes.io/enforce-version=latest"],
                    },
                };
            });
            assert.deepEqual(messages(checkDrift({ ...graph, resources })), []);
        });

        it("Kyverno's mutateDigest rewriting the tag-only images of staging's pod templates", async () => {
            const graph = await graphOf("staging");
            const resources = changed(graph.resources, ivp, (r) => {
                delete (r.inputs.spec as Json).validationConfigurations;
            });
            const found = messages(checkDrift({ ...graph, resources }));
            assert.ok(found.length > 0);
            assert.ok(
                found.some((m) => /^Deployment .*spec\.template\.spec\.containers\[0\]\.image.*kyverno-mutate-digest/.test(m)),
                found.join("\n"),
            );
            assert.ok(
                found.some((m) => /^CronJob .*spec\.jobTemplate\.spec\.template\.spec\.containers\[0\]\.image/.test(m)),
                found.join("\n"),
            );
        });

        it("not in production, whose images are pinned by digest already", async () => {
            const graph = await graphOf("production");
            const resources = changed(graph.resources, ivp, (r) => {
                delete (r.inputs.spec as Json).validationConfigurations;
            });
            assert.deepEqual(messages(checkDrift({ ...graph, resources })), []);
        });

        it("an autoscaled Deployment whose replicas the program would reset", async () => {
            const graph = await graphOf("dev");
            const resources = changed(
                graph.resources,
                (r) => kindOf(r) === "Deployment" && r.ignoreChanges.includes("spec.replicas"),
                (r) => {
                    r.ignoreChanges = [];
                },
            );
            const found = messages(checkDrift({ ...graph, resources }));
            assert.equal(found.length, 1, found.join("\n"));
            assert.match(found[0], /spec\.replicas.*\[(horizontal-pod-autoscaler|keda)\]/);
        });

        it("a canary Service whose selector the program would take back from Argo Rollouts", async () => {
            const graph = await graphOf("staging");
            const resources = changed(
                graph.resources,
                (r) => kindOf(r) === "Service" && /-stable$/.test(metaName(r) ?? ""),
                (r) => {
                    r.ignoreChanges = [];
                },
            );
            assert.match(messages(checkDrift({ ...graph, resources })).join("\n"), /spec\.selector.*argo-rollouts-service-selector/);
        });

        it("a Service whose cluster IP the program sets", async () => {
            const graph = await graphOf("dev");
            const resources = changed(
                graph.resources,
                (r) => kindOf(r) === "Service",
                (r) => {
                    (r.inputs.spec as Json).clusterIP = "10.96.0.42";
                },
            );
            assert.match(messages(checkDrift({ ...graph, resources })).join("\n"), /spec\.clusterIP.*kube-apiserver/);
        });

        it("an ignoreChanges entry no writer explains", async () => {
            const graph = await graphOf("production");
            const resources = changed(
                graph.resources,
                (r) => kindOf(r) === "Deployment" && r.ignoreChanges.length === 0,
                (r) => {
                    r.ignoreChanges = ["spec.template"];
                },
            );
            const found = checkDrift({ ...graph, resources });
            assert.deepEqual(
                found.map((p) => p.rule),
                ["unjustified-ignore"],
            );
            assert.match(found[0].message, /ignoreChanges 'spec\.template' names no writer/);
        });

        it("a mutating policy the contract has no model of", async () => {
            const graph = await graphOf("dev");
            const resources = [
                ...graph.resources,
                {
                    ...structuredClone(graph.resources.find(ivp)!),
                    urn: "urn:pulumi:dev::platform::kubernetes:policies.kyverno.io/v1:MutatingPolicy::add-labels",
                    type: "kubernetes:policies.kyverno.io/v1:MutatingPolicy",
                    name: "add-labels",
                },
            ];
            assert.deepEqual(
                checkDrift({ ...graph, resources }).map((p) => p.rule),
                ["unmodelled-mutator"],
            );
        });

        it("a Secret the program manages that External Secrets also fills", async () => {
            const graph = await graphOf("staging");
            const es = graph.resources.find((r) => kindOf(r) === "ExternalSecret")!;
            const md = es.inputs.metadata as { namespace: string };
            const target = ((es.inputs.spec as Json).target as { name?: string } | undefined)?.name ?? metaName(es);
            const resources = [
                ...graph.resources,
                {
                    ...structuredClone(graph.resources.find((r) => kindOf(r) === "Secret")!),
                    urn: "urn:pulumi:staging::platform::kubernetes:core/v1:Secret::shadow",
                    name: "shadow",
                    ignoreChanges: [],
                    inputs: { metadata: { name: target, namespace: md.namespace }, stringData: { password: "x" } },
                },
            ];
            assert.match(messages(checkDrift({ ...graph, resources })).join("\n"), /stringData.*\[external-secrets\]/);
        });

        it("a Secret the program manages that cert-manager writes an ACME account key into", async () => {
            const graph = await graphOf("production");
            const issuer = graph.resources.find(
                (r) => kindOf(r) === "ClusterIssuer" && (r.inputs.spec as { acme?: unknown }).acme !== undefined,
            )!;
            const ref = ((issuer.inputs.spec as Json).acme as { privateKeySecretRef: { name: string } }).privateKeySecretRef.name;
            const resources = [
                ...graph.resources,
                {
                    ...structuredClone(graph.resources.find((r) => kindOf(r) === "Secret")!),
                    urn: "urn:pulumi:production::platform::kubernetes:core/v1:Secret::account",
                    name: "account",
                    ignoreChanges: [],
                    inputs: { metadata: { name: ref, namespace: "cert-manager" }, data: { "tls.key": "x" } },
                },
            ];
            assert.match(messages(checkDrift({ ...graph, resources })).join("\n"), /data.*\[cert-manager-acme-account\]/);
        });
    });

    describe("the admission twin agrees with Kyverno's digest settings", () => {
        it("refuses staging's tag-only images once verifyDigest is on without mutateDigest", async () => {
            const graph = await graphOf("staging");
            const resources = changed(graph.resources, ivp, (r) => {
                ((r.inputs.spec as Json).validationConfigurations as Json).verifyDigest = true;
            });
            const report = admitStack({ stack: "staging", resources, config: graph.config });
            assert.equal(report.ok, false);
            assert.match(formatReport(report).join("\n"), /is not pinned by digest \(verifyDigest\)/);
        });

        it("admits production's digest-pinned images with verifyDigest on", async () => {
            const graph = await graphOf("production");
            const report = admitStack({ stack: "production", resources: graph.resources, config: graph.config });
            assert.equal(report.ok, true, formatReport(report).join("\n"));
        });
    });
});
