import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { MAX_COMMENT_CHARS, previewComment, previewMarker } from "../engine/delivery/preview-comment";
import { repoRoot } from "../engine/synth/stack-files";

/**
 * What the GitHub workflows promise about credentials, read from the workflow files themselves
 * (`npm run validate:workflows` checks their schema; this checks what they do).
 */
interface Step {
    uses?: string;
    run?: string;
    with?: Record<string, unknown>;
    env?: Record<string, unknown>;
    if?: string;
}
interface Job {
    if?: string;
    environment?: string | { name: string };
    strategy?: { matrix?: Record<string, unknown[]> };
    env?: Record<string, unknown>;
    permissions?: Record<string, string>;
    steps?: Step[];
}
interface Workflow {
    file: string;
    on: Record<string, unknown>;
    permissions?: Record<string, string>;
    jobs: Record<string, Job>;
}

const workflowsDir = path.join(repoRoot, ".github", "workflows");
const sdkVersion = (JSON.parse(fs.readFileSync(path.join(repoRoot, "package.json"), "utf8")) as { dependencies: Record<string, string> })
    .dependencies["@pulumi/pulumi"];

function readWorkflows(): Workflow[] {
    return fs
        .readdirSync(workflowsDir)
        .filter((f) => f.endsWith(".yml") || f.endsWith(".yaml"))
        .map((file) => {
            const doc = parse(fs.readFileSync(path.join(workflowsDir, file), "utf8")) as Omit<Workflow, "file" | "on"> & { on: unknown };
            const on =
                typeof doc.on === "string"
                    ? { [doc.on]: null }
                    : Array.isArray(doc.on)
                      ? Object.fromEntries(doc.on.map((e) => [e, null]))
                      : doc.on;
            return { ...doc, file, on: on as Record<string, unknown> };
        });
}

/** The environment names a job may run in, its matrix expanded. */
function environmentsOf(job: Job): string[] {
    const env = typeof job.environment === "object" ? job.environment.name : job.environment;
    if (!env) return [];
    const matrix = job.strategy?.matrix ?? {};
    return Object.entries(matrix).reduce(
        (names, [key, values]) =>
            names.flatMap((n) =>
                n.includes(`matrix.${key}`)
                    ? values.map((v) => n.replace(new RegExp(`\\$\\{\\{\\s*matrix\\.${key}\\s*\\}\\}`), String(v)))
                    : [n],
            ),
        [env],
    );
}

const text = (value: unknown) => JSON.stringify(value ?? "");
const secretsUsed = (job: Job) =>
    [...new Set([...text(job).matchAll(/secrets\.([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1]))].filter((s) => s !== "GITHUB_TOKEN");
const runsCode = (job: Job) => (job.steps ?? []).some((s) => s.run !== undefined || s.uses?.startsWith("actions/checkout@"));
const onPullRequest = (w: Workflow) => "pull_request" in w.on || "pull_request_target" in w.on;

/** Every broken promise, one line each; empty when the workflows keep them all. */
export function workflowProblems(workflows: Workflow[]): string[] {
    const problems: string[] = [];
    const deployWorkflows = workflows.filter((w) => !onPullRequest(w) && !("workflow_run" in w.on));
    const privileged = new Set(deployWorkflows.flatMap((w) => Object.values(w.jobs).flatMap(environmentsOf)));
    for (const w of workflows) {
        for (const [id, job] of Object.entries(w.jobs)) {
            const where = `${w.file}: job ${id}`;
            if (onPullRequest(w) && runsCode(job)) {
                const envs = environmentsOf(job);
                for (const env of envs) {
                    if (privileged.has(env)) problems.push(`${where} runs pull-request code in the deploy/drift environment '${env}'`);
                    if (!env.endsWith("-preview"))
                        problems.push(`${where} runs pull-request code in environment '${env}', not a <stack>-preview one`);
                }
                const secrets = secretsUsed(job);
                if (envs.length === 0 && secrets.length > 0)
                    problems.push(`${where} runs pull-request code with secrets ${secrets.join(", ")} outside a preview environment`);
                if (envs.length > 0 && !/head\.repo\.full_name\s*==\s*github\.repository/.test(job.if ?? "")) {
                    problems.push(`${where} runs in an environment with credentials but does not exclude forks`);
                }
                const writes = Object.entries({ ...w.permissions, ...job.permissions }).filter(([, v]) => v === "write");
                if (writes.length > 0)
                    problems.push(`${where} runs pull-request code with write permissions (${writes.map(([k]) => k).join(", ")})`);
            }
            if ("workflow_run" in w.on) {
                for (const step of job.steps ?? []) {
                    if (step.uses?.startsWith("actions/checkout@")) problems.push(`${where}: a workflow_run job checks out code`);
                    if (step.run !== undefined) problems.push(`${where}: a workflow_run job runs a shell step`);
                }
            }
            for (const step of job.steps ?? []) {
                const uses = step.uses ?? "";
                if (uses && !uses.startsWith("./") && !/@[0-9a-f]{40}$/.test(uses))
                    problems.push(`${where}: ${uses} is not pinned to a commit SHA`);
                if (uses.startsWith("pulumi/actions@") && String(step.with?.["pulumi-version"]) !== sdkVersion) {
                    problems.push(`${where}: pulumi/actions without pulumi-version ${sdkVersion} (the SDK's release)`);
                }
                if (step.with?.["comment-on-pr"] === true && step.with?.["always-include-summary"] !== true) {
                    problems.push(`${where}: comment-on-pr without always-include-summary`);
                }
            }
        }
    }
    return problems;
}

describe("GitHub workflows", () => {
    const workflows = readWorkflows();

    it("keep staging and production credentials away from pull-request code, pin every action and the CLI", () => {
        assert.deepEqual(workflowProblems(workflows), []);
    });

    it("the check catches a pull-request job given deploy credentials, an unpinned action and a floating CLI", () => {
        const deploy = workflows.find((w) => w.file === "deploy.yml")!;
        const bad: Workflow = {
            file: "bad.yml",
            on: { pull_request: null },
            jobs: {
                preview: {
                    environment: "production",
                    env: { PULUMI_ACCESS_TOKEN: "${{ secrets.PULUMI_ACCESS_TOKEN }}" },
                    steps: [{ uses: "actions/checkout@v5" }, { uses: `pulumi/actions@${"a".repeat(40)}`, with: { "comment-on-pr": true } }],
                },
                offline: { steps: [{ run: "npm test", env: { TOKEN: "${{ secrets.CLOUDFLARE_API_TOKEN }}" } }] },
            },
        };
        const problems = workflowProblems([deploy, bad]);
        for (const expected of [
            /job preview runs pull-request code in the deploy\/drift environment 'production'/,
            /job preview runs in an environment with credentials but does not exclude forks/,
            /job offline runs pull-request code with secrets CLOUDFLARE_API_TOKEN outside a preview environment/,
            /actions\/checkout@v5 is not pinned to a commit SHA/,
            /pulumi\/actions without pulumi-version/,
            /comment-on-pr without always-include-summary/,
        ]) {
            assert.ok(
                problems.some((p) => expected.test(p)),
                `${expected} not reported:\n${problems.join("\n")}`,
            );
        }
    });

    it("previews staging and production only from this repository, in approval-gated preview environments", () => {
        const preview = workflows.find((w) => w.file === "preview.yml")!;
        assert.deepEqual(Object.keys(preview.on), ["pull_request"]);
        assert.deepEqual(environmentsOf(preview.jobs.preview), ["staging-preview", "production-preview"]);
        const deploy = workflows.find((w) => w.file === "deploy.yml")!;
        assert.deepEqual(Object.values(deploy.jobs).flatMap(environmentsOf), ["staging", "production"]);
    });

    it("posts pull-request comments from a workflow_run job that never runs pull-request code", () => {
        const poster = workflows.find((w) => "workflow_run" in w.on)!;
        assert.deepEqual((poster.on.workflow_run as { workflows: string[] }).workflows.sort(), ["preview", "pull-request"]);
        assert.deepEqual(poster.jobs.post.permissions, { actions: "read", "pull-requests": "write" });
    });

    it("runs dev end to end on the kind cluster the README describes, with the pinned CLI", () => {
        const e2e = workflows.find((w) => w.file === "e2e.yml")!;
        const steps = Object.values(e2e.jobs).flatMap((j) => j.steps ?? []);
        const kind = steps.find((s) => s.uses?.startsWith("helm/kind-action@"))!;
        assert.equal(kind.with?.config, "deploy/kind-dev.yaml");
        const kindConfig = parse(fs.readFileSync(path.join(repoRoot, "deploy", "kind-dev.yaml"), "utf8")) as {
            name: string;
            nodes: { image: string }[];
        };
        assert.equal(`kind-${kindConfig.name}`, "kind-platform-dev", "the dev stack's kube context");
        assert.match(kindConfig.nodes[0].image, /^kindest\/node:v1\.34\.\d+@sha256:[0-9a-f]{64}$/);
        const commands = steps.map((s) => s.run ?? "").join("\n");
        for (const expected of [
            /pulumi login --local/,
            /pulumi up --stack dev --yes/,
            /npm run --silent verify -- --stack dev --json/,
            /pulumi destroy --stack dev --yes/,
        ]) {
            assert.match(commands, expected);
        }
        assert.equal(steps.find((s) => s.run?.includes("pulumi destroy"))?.if, "always()");
    });
});

describe("preview comment", () => {
    it("says the preview failed and keeps the end of the output, where the violations and summary are", () => {
        const output = `${"Previewing update (production):\n".repeat(5000)}Policies:\n    ❌ platform-policies@v0.1.0 (local: policy-pack)\n        - [mandatory]  no-latest-tag\nResources:\n    + 3 to create\n`;
        const comment = previewComment({ stack: "production", output, exitCode: 255, runUrl: "https://ci.example/run/1" });
        assert.ok(comment.startsWith(previewMarker("production")));
        assert.match(comment, /\*\*failed\*\* \(exit 255\)/);
        assert.ok(comment.length <= MAX_COMMENT_CHARS, `${comment.length} characters`);
        assert.match(comment, /\[mandatory\] {2}no-latest-tag\nResources:\n {4}\+ 3 to create\n```\n$/);
        assert.match(comment, /The beginning of the output is cut/);
    });

    it("keeps a short output whole and says it passed", () => {
        const comment = previewComment({ stack: "staging", output: "Resources:\n    42 unchanged\n", exitCode: 0 });
        assert.match(comment, /staging: passed/);
        assert.doesNotMatch(comment, /is cut/);
        assert.match(comment, /```text\nResources:\n {4}42 unchanged\n```\n$/);
    });
});
