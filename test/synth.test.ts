import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse } from "yaml";
import { scriptCommand } from "../engine/cli";
import { repoRoot } from "../engine/synth/stack-files";

/** Runs `npm run synth` the way a user does (as a process), optionally on another stacks directory. */
function synth(stack: string, out: string, stacksDir?: string) {
    const command = scriptCommand("synth", ["--stack", stack, "--out", out]);
    const result = spawnSync(command.file, command.args, {
        cwd: repoRoot,
        encoding: "utf8",
        env: { ...process.env, ...(stacksDir ? { PLATFORM_STACKS_DIR: stacksDir } : {}) },
    });
    return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe("offline synth", () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "synth-"));

    it("writes resources.json, outputs.json and manifests/ for production, every secret redacted", () => {
        const out = path.join(tmp, "production");
        const result = synth("production", out);
        assert.equal(result.code, 0, result.stderr);
        const resources = JSON.parse(fs.readFileSync(path.join(out, "resources.json"), "utf8")) as Record<string, unknown>[];
        assert.ok(resources.length > 200);
        for (const r of resources) {
            assert.deepEqual(Object.keys(r).slice(0, 8), [
                "urn",
                "type",
                "name",
                "parent",
                "dependsOn",
                "protect",
                "retainOnDelete",
                "ignoreChanges",
            ]);
            assert.ok(Array.isArray(r.dependsOn) && Array.isArray(r.ignoreChanges));
            assert.ok(typeof r.inputs === "object");
        }
        const text = fs.readFileSync(path.join(out, "resources.json"), "utf8");
        assert.ok(text.includes('"[secret]"'));
        for (const leak of ["PRIVATE KEY", "mock-password", "secure placeholder"]) assert.equal(text.includes(leak), false, leak);
        const kafka = parse(fs.readFileSync(path.join(out, "manifests", "memory", "Kafka-event-ingest-kafka.yaml"), "utf8"));
        assert.equal(kafka.apiVersion, "kafka.strimzi.io/v1");
        const secret = parse(fs.readFileSync(path.join(out, "manifests", "memory", "Secret-backend-db-app.yaml"), "utf8"));
        assert.equal(secret.stringData, "[secret]");
        const manifests = fs.readdirSync(path.join(out, "manifests"), { recursive: true }).map(String);
        assert.ok(
            manifests.some((m) => m.includes("ValidatingPolicy-disallow-latest-tag")),
            "guardrails are written out",
        );
        assert.equal(
            manifests.some((m) => m.includes("Release")),
            false,
            "Helm releases are not manifests",
        );
        const outputs = JSON.parse(fs.readFileSync(path.join(out, "outputs.json"), "utf8"));
        assert.equal(outputs.ingressLoadBalancerAddress, "203.0.113.10");
    });

    it("fails on a typo'd key, a wrong type and a negative replica count, naming each, and writes nothing", () => {
        const stacks = path.join(tmp, "stacks");
        fs.mkdirSync(stacks, { recursive: true });
        const prod = fs.readFileSync(path.join(repoRoot, "stacks", "Pulumi.production.yaml"), "utf8");
        const broken = prod
            .replace("platform:logLevel: warn", "platform:logLevl: warn")
            .replace("    argocd: { expose: true }", "    argocd: { expose: true, replicas: -2 }\n    keda: { replicas: two }");
        fs.writeFileSync(path.join(stacks, "Pulumi.broken.yaml"), broken);
        const out = path.join(tmp, "broken");
        fs.mkdirSync(out, { recursive: true });
        fs.writeFileSync(path.join(out, "resources.json"), "stale");
        const result = synth("broken", out, stacks);
        assert.equal(result.code, 1);
        assert.match(result.stderr, /stacks\/Pulumi\.broken\.yaml: platform:logLevl: unknown key: did you mean 'platform:logLevel'\?/);
        assert.match(result.stderr, /platform:components\.argocd\.replicas: must be at least 1/);
        assert.match(result.stderr, /platform:components\.keda\.replicas: expected number, got string 'two'/);
        assert.equal(fs.existsSync(path.join(out, "resources.json")), false, "no resources.json, not even a stale one");
    });
});
