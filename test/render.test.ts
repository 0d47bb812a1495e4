import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { CommandError } from "../engine/cli";
import { runGate } from "../engine/gate";
import { chartSourceOf, findInLocalRepository } from "../engine/render/charts";
import { renderDiffComment } from "../engine/render/comment";
import { diffRenders, fullPatch } from "../engine/render/diff";
import { exec, findHelm, Helm, isSupportedHelm } from "../engine/render/helm";
import { readRendered, renderedAsSynthResources } from "../engine/render/read";
import type { ReleaseSpec } from "../engine/render/releases";
import { ReleaseTemplateError, renderReleases, StackRender } from "../engine/render/render";
import { requireAllRendered } from "../engine/render/stack";
import { writeRendered } from "../engine/render/write";

/**
 * Rendering runs the real Helm (on PATH, or the pinned npm package's) over a small chart written
 * for these tests (test/fixtures/render/chart/demo), packaged into a throwaway local repository.
 */
const fixtures = path.join(__dirname, "fixtures", "render");
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "render-test-"));
const charts = path.join(scratch, "charts");
const cache = path.join(scratch, "cache");
let helm: Helm;

const demo = (values: Record<string, unknown> = {}, overrides: Partial<ReleaseSpec> = {}): ReleaseSpec => ({
    urn: "urn:pulumi:test::platform::platform:platform:Demo$kubernetes:helm.sh/v3:Release::demo-release",
    name: "demo",
    namespace: "apps",
    chart: { name: "demo", version: "0.1.0", repo: "http://127.0.0.1:9/" },
    values,
    skipCrds: false,
    ...overrides,
});

const render = (specs: ReleaseSpec[]) =>
    renderReleases(specs, { stack: "test", kubeVersion: "1.34", chartsDir: charts, cacheDir: cache, helm });

const objectOf = (r: StackRender, file: string) => {
    const found = r.releases[0].objects.find((m) => m.file === file);
    assert.ok(found, `no ${file} in ${r.releases[0].objects.map((m) => m.file).join(", ")}`);
    return found;
};

describe("rendered releases", function () {
    let base: StackRender;

    before(async () => {
        helm = await findHelm();
        fs.mkdirSync(charts, { recursive: true });
        for (const args of [
            ["package", path.join(fixtures, "chart", "demo"), "--destination", charts],
            ["repo", "index", charts],
        ]) {
            const result = await exec(helm.binary, args, { env: helm.env });
            assert.equal(result.code, 0, result.stderr);
        }
        base = await render([demo()]);
    });

    after(() => fs.rmSync(scratch, { recursive: true, force: true }));

    it("uses a Helm of at least 3.14 (PATH or the pinned npm package)", () => {
        assert.ok(isSupportedHelm(helm.version), helm.version);
        assert.equal(isSupportedHelm("v3.13.3+g1"), false);
        assert.equal(isSupportedHelm("v3.14.0+g1"), true);
        assert.equal(isSupportedHelm("v4.1.4+g05fa379"), true);
    });

    it("writes one file per object, namespaced into the release, hooks tagged and test hooks left out", () => {
        assert.equal(base.releases[0].status, "rendered");
        assert.deepEqual(
            base.releases[0].objects.map((m) => [m.file, m.hook ?? ""]),
            [
                ["ClusterRole-_cluster-demo_reader.yaml", ""],
                ["CustomResourceDefinition-_cluster-widgets.demo.example.com.yaml", ""],
                ["Deployment-apps-demo.yaml", ""],
                ["Job-apps-demo-migrate.yaml", "pre-install,pre-upgrade"],
                ["Secret-apps-demo-credentials.yaml", ""],
                ["Widget-apps-demo.yaml", ""],
            ],
        );
    });

    it("passes the API versions of the CRDs the releases install, so capability-gated objects render", () => {
        assert.deepEqual(base.apiVersions, ["demo.example.com/v1", "demo.example.com/v1/Widget"]);
        assert.equal(objectOf(base, "Widget-apps-demo.yaml").object.kind, "Widget");
    });

    it("redacts Secret data the way synth redacts Pulumi secrets", () => {
        const secret = objectOf(base, "Secret-apps-demo-credentials.yaml");
        assert.deepEqual(secret.object.data, { password: "[secret]" });
        assert.deepEqual(secret.object.stringData, { token: "[secret]" });
        assert.doesNotMatch(secret.text, /not-a-real-password|bm90LWEtcmVhbC1wYXNzd29yZA/);
    });

    it("reports a chart bump whose chart is neither local nor reachable, and never renders another version", async () => {
        const started = Date.now();
        const bumped = await render([demo({}, { chart: { name: "demo", version: "0.2.0", repo: "http://127.0.0.1:9/" } })]);
        assert.equal(bumped.releases[0].objects.length, 0);
        assert.match(
            bumped.releases[0].status,
            new RegExp(`^not rendered: demo@0\\.2\\.0 not in ${charts} and http://127\\.0\\.0\\.1:9/ unreachable`),
        );
        assert.ok(Date.now() - started < 30_000, "an unreachable repository fails fast");
        assert.throws(
            () => requireAllRendered(bumped),
            (err: Error) => err instanceof CommandError && /demo: not rendered: demo@0\.2\.0/.test(err.message),
        );
        assert.doesNotThrow(() => requireAllRendered(base));
    });

    it("fails a release whose values break the chart's values.schema.json with Helm's message, naming stack and release", async () => {
        await assert.rejects(render([demo({ replicas: "three" })]), (err: Error) => {
            assert.ok(err instanceof ReleaseTemplateError);
            assert.match(err.message, /^stack test, release demo \(demo 0\.1\.0, namespace apps\): helm template failed:/);
            assert.match(err.message, /values don't meet the specifications of the schema/);
            assert.match(err.message, /replicas/);
            return true;
        });
    });

    it("turns a changed value into exactly the expected object diff", async () => {
        const head = await render([demo({ replicas: 3 })]);
        const [baseDir, headDir] = [path.join(scratch, "base"), path.join(scratch, "head")];
        writeRendered(base, baseDir);
        writeRendered(head, headDir);
        const diff = diffRenders("test", baseDir, headDir);
        assert.deepEqual(
            diff.releases.map((r) => [r.release, r.version, r.changes.map((c) => `${c.change} ${c.label}`)]),
            [["demo", "0.1.0", ["changed Deployment apps/demo"]]],
        );
        const patch = diff.releases[0].changes[0].patch.split("\n");
        assert.deepEqual(
            patch.filter((l) => /^[-+][^-+]/.test(l)),
            ["-  replicas: 1", "+  replicas: 3"],
        );
        assert.equal(patch[0], "--- a/demo/Deployment-apps-demo.yaml");
    });

    it("feeds rendered objects to the gate as children of their release, so a violation names it", () => {
        const dir = path.join(scratch, "gate");
        writeRendered(base, dir);
        const objects = readRendered(dir);
        assert.equal(objects.length, 6);
        assert.deepEqual(
            { release: objects[0].release, chart: objects[0].chart, version: objects[0].version },
            { release: "demo", chart: "demo", version: "0.1.0" },
        );
        const resources = renderedAsSynthResources(objects, "test");
        const deployment = resources.find((r) => r.type === "kubernetes:apps/v1:Deployment")!;
        assert.equal(
            deployment.urn,
            "urn:pulumi:test::platform::platform:platform:Demo$kubernetes:helm.sh/v3:Release$kubernetes:apps/v1:Deployment::demo/apps/demo",
        );
        assert.equal(deployment.parent, demo().urn);
        assert.ok(resources.some((r) => r.type === "kubernetes:core/v1:Secret"));
        assert.ok(resources.some((r) => r.type === "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole" && r.name === "demo/demo:reader"));
        const limits = runGate("dev", resources).filter((v) => v.policy === "cpu-and-memory-limits");
        assert.deepEqual(
            limits.map((v) => `${v.urn?.split("::").pop()}: ${v.message}`),
            [
                "demo/apps/demo: apps/demo: container 'demo' has no cpu limit",
                "demo/apps/demo: apps/demo: container 'demo' has no memory limit",
                "demo/apps/demo-migrate: apps/demo-migrate: container 'migrate' has no cpu limit",
                "demo/apps/demo-migrate: apps/demo-migrate: container 'migrate' has no memory limit",
            ],
        );
        assert.equal(
            runGate("dev", resources).filter((v) => v.policy === "secrets-from-pulumi-secrets").length,
            0,
            "redacted Secrets pass",
        );
    });

    it("finds charts in a local repository by exact version, and OCI charts by their last path segment", () => {
        assert.deepEqual(chartSourceOf({ chart: "oci://quay.io/strimzi-helm/strimzi-kafka-operator", version: "1.2.0" }), {
            name: "strimzi-kafka-operator",
            version: "1.2.0",
            repo: "oci://quay.io/strimzi-helm/strimzi-kafka-operator",
        });
        assert.equal(findInLocalRepository(charts, { name: "demo", version: "0.1.0" }), path.join(charts, "demo-0.1.0.tgz"));
        assert.equal(findInLocalRepository(charts, { name: "demo", version: "0.1" }), undefined, "no prefix or range matching");
    });
});

describe("render diff comment", () => {
    const base = path.join(fixtures, "diff", "base");
    const head = path.join(fixtures, "diff", "head");

    it("summarises first, then diffs each changed object, with the sticky marker", () => {
        const comment = renderDiffComment(diffRenders("fixture", base, head), { fullDiff: "render-diff-fixture.patch" });
        assert.equal(comment, fs.readFileSync(path.join(fixtures, "diff", "comment.md"), "utf8"));
    });

    it("stays within its size bound, cutting diffs with a pointer to the full diff", () => {
        const diff = diffRenders("fixture", base, head);
        const comment = renderDiffComment(diff, { maxBytes: 1000, fullDiff: "render-diff-fixture.patch" });
        assert.ok(Buffer.byteLength(comment) <= 1000, `${Buffer.byteLength(comment)} bytes`);
        assert.match(comment, /^<!-- render-diff:fixture -->\n/);
        assert.match(comment, /diff cut to fit the comment: the full diff is in `render-diff-fixture\.patch`/);
        assert.match(
            fullPatch(diff),
            /^--- \/dev\/null\n\+\+\+ b\/alpha\/ConfigMap-apps-alpha-settings\.yaml/m,
            "the full diff has added objects too",
        );
    });

    it("refuses renders of another stack", () => {
        assert.throws(() => diffRenders("production", base, head), /--base .* is a render of stack 'fixture', not 'production'/);
    });
});
