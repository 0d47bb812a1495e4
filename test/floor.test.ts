import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { admitStack } from "../engine/admit";
import { runGate } from "../engine/gate";
import { policyConfigFile, resolvePolicyConfig } from "../engine/policy-config";
import { runStack } from "../engine/synth/run-program";
import { repoRoot, stackConfig } from "../engine/synth/stack-files";
import { toSynthResources } from "../engine/synth/write";

/**
 * Policy config resolution: a new stack gets its environment's config and floor (or a clear
 * refusal), and a config that tries to weaken its floor is a violation of its own. (Weakening
 * edits of stack files are in test/weakening, which runs the program per edit.)
 */

describe("new stacks are gated by their environment's config, or refused clearly", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "stacks-"));
    let saved: string | undefined;
    before(() => {
        saved = process.env.PLATFORM_STACKS_DIR;
        for (const f of fs.readdirSync(path.join(repoRoot, "stacks"))) fs.copyFileSync(path.join(repoRoot, "stacks", f), path.join(dir, f));
        process.env.PLATFORM_STACKS_DIR = dir;
    });
    after(() => {
        if (saved === undefined) delete process.env.PLATFORM_STACKS_DIR;
        else process.env.PLATFORM_STACKS_DIR = saved;
    });

    it("a copy of production named qa gets production's config and floor (and shares no zone)", async () => {
        fs.copyFileSync(path.join(dir, "Pulumi.production.yaml"), path.join(dir, "Pulumi.qa.yaml"));
        assert.equal(policyConfigFile("qa"), path.join(repoRoot, "policy-pack", "config", "production.json"));
        const resolved = resolvePolicyConfig("qa");
        assert.equal(resolved.floor, "production");
        const run = await runStack("qa");
        // The copy manages production's zone: refused at validation, naming the owner.
        assert.match(String(run.error?.message), /platform:cloudflare\.zoneId: .*already managed by stack 'production'/);
    });

    it("a copy of dev named sandbox is gated like dev: no false findings", async () => {
        fs.copyFileSync(path.join(dir, "Pulumi.dev.yaml"), path.join(dir, "Pulumi.sandbox.yaml"));
        const run = await runStack("sandbox");
        assert.equal(run.error, undefined);
        const resources = toSynthResources(run);
        assert.deepEqual(
            runGate("sandbox", resources).filter((v) => v.level === "mandatory"),
            [],
        );
        assert.ok(admitStack({ stack: "sandbox", resources, config: stackConfig("sandbox") }).ok);
    });

    it("a stack whose environment has no config is refused, naming the file to create", () => {
        fs.writeFileSync(path.join(dir, "Pulumi.lab.yaml"), "config:\n  platform:logLevel: info\n");
        assert.throws(() => policyConfigFile("lab"), /no policy config for stack 'lab': create policy-pack\/config\/lab\.json$/);
    });

    it("a policy config that weakens the floor is a violation of its own, and the floor holds anyway", () => {
        fs.copyFileSync(path.join(dir, "Pulumi.production.yaml"), path.join(dir, "Pulumi.perf.yaml"));
        const file = path.join(repoRoot, "policy-pack", "config", "perf.json");
        const production = JSON.parse(fs.readFileSync(path.join(repoRoot, "policy-pack", "config", "production.json"), "utf8"));
        const weakened = {
            ...production,
            "platform-floor": { floor: "staging" },
            "images-pinned-by-digest": "disabled",
            "kafka-durability": { minReplicationFactor: 1 },
        };
        fs.writeFileSync(file, JSON.stringify(weakened));
        try {
            const resolved = resolvePolicyConfig("perf");
            assert.equal(resolved.floor, "production");
            assert.deepEqual(
                resolved.problems.map((p) => p.message),
                [
                    "policy-pack/config/perf.json: applies floor 'staging' to stack 'perf' of environment 'production': it needs at least the production floor",
                    "policy-pack/config/perf.json: sets images-pinned-by-digest to disabled: the production floor keeps it mandatory",
                    "policy-pack/config/perf.json: sets kafka-durability.minReplicationFactor to 1: the production floor is 3",
                ],
            );
            assert.equal((resolved.config["images-pinned-by-digest"] as { enforcementLevel: string }).enforcementLevel, "mandatory");
            assert.equal((resolved.config["kafka-durability"] as { minReplicationFactor: number }).minReplicationFactor, 3);
        } finally {
            fs.rmSync(file, { force: true });
        }
    });
});
