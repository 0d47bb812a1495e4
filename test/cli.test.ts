import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { CommandSpec, OptionSpec, run, scriptCommand } from "../engine/cli";
import { repoRoot } from "../engine/synth/stack-files";
import { command as admit } from "../scripts/admit";
import { command as bench } from "../scripts/bench";
import { command as check } from "../scripts/check";
import { command as policy } from "../scripts/policy";
import { command as policyConfig } from "../scripts/policy-config";
import { command as render } from "../scripts/render";
import { command as renderDiff } from "../scripts/render-diff";
import { command as synth } from "../scripts/synth";
import { command as verify } from "../scripts/verify";

/** Runs a command in-process the way `main` does, capturing what it prints and its exit code. */
async function call<O extends Record<string, OptionSpec>>(spec: CommandSpec<O>, argv: string[], env: NodeJS.ProcessEnv = {}) {
    let out = "";
    let err = "";
    const code = await run(spec, argv, { out: (s) => (out += s), err: (s) => (err += s), env });
    return { code, out, err };
}

/** One line, ending in a newline, that is not a stack trace. */
function assertOneLine(text: string): void {
    assert.equal(text.split("\n").length, 2, `expected one line, got:\n${text}`);
    assert.doesNotMatch(text, /^\s+at |\.ts:\d+:\d+\)/m, "looks like a stack trace");
}

describe("command-line manners", () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "cli-"));
    let savedStacksDir: string | undefined;
    before(() => (savedStacksDir = process.env.PLATFORM_STACKS_DIR));
    afterEach(() => {
        if (savedStacksDir === undefined) delete process.env.PLATFORM_STACKS_DIR;
        else process.env.PLATFORM_STACKS_DIR = savedStacksDir;
    });

    for (const spec of [synth, policy, policyConfig, bench, verify, admit, check, render, renderDiff] as CommandSpec<
        Record<string, OptionSpec>
    >[]) {
        it(`npm run ${spec.name} -- --help prints its usage and exits 0`, async () => {
            const r = await call(spec, ["--help"]);
            assert.equal(r.code, 0);
            assert.match(r.out, new RegExp(`usage: npm run ${spec.name} -- `));
            assert.equal(r.err, "");
        });

        it(`npm run ${spec.name} refuses an unknown flag in one line, exit 2`, async () => {
            const r = await call(spec, ["--stak", "dev"]);
            assert.equal(r.code, 2);
            assertOneLine(r.err);
            assert.match(r.err, new RegExp(`^${spec.name}: unknown option --stak \\(see: npm run ${spec.name} -- --help\\)`));
        });
    }

    it("a forgotten `--` (npm keeps the flags, the values arrive as arguments) is named, exit 2", async () => {
        // `npm run synth --stack dev --out out/dev`: npm sets npm_config_stack/out and passes `dev out/dev`.
        const r = await call(synth, ["dev", "out/dev"], { npm_config_stack: "true", npm_config_out: "true" });
        assert.equal(r.code, 2);
        assertOneLine(r.err);
        assert.match(r.err, /npm kept --stack, --out for itself: put '--' before the command's options/);
    });

    it("a forgotten `--` whose flags npm swallowed with their values is named too", async () => {
        const r = await call(policy, [], { npm_config_stack: "dev" });
        assert.equal(r.code, 2);
        assertOneLine(r.err);
        assert.match(r.err, /npm kept --stack for itself/);
    });

    it("a missing required option is named, exit 2", async () => {
        const r = await call(synth, ["--stack", "dev"]);
        assert.equal(r.code, 2);
        assertOneLine(r.err);
        assert.match(r.err, /^synth: missing --out/);
    });

    it("an unknown stack lists the stacks there are, exit 2", async () => {
        const r = await call(policy, ["--stack", "prod"]);
        assert.equal(r.code, 2);
        assertOneLine(r.err);
        assert.match(r.err, /no stack file stacks\/Pulumi\.prod\.yaml \(stacks: dev, production, staging\)/);
    });

    it("--from a missing folder says how to make it, exit 2", async () => {
        const missing = path.join(tmp, "nothing-here");
        const r = await call(policy, ["--stack", "dev", "--from", missing]);
        assert.equal(r.code, 2);
        assertOneLine(r.err);
        assert.match(r.err, /--from .*nothing-here: no such folder \(run: npm run synth -- --stack dev --out /);
    });

    it("a YAML syntax error in a stack file names the file, line and column, exit 1", async () => {
        const stacks = path.join(tmp, "stacks");
        fs.mkdirSync(stacks, { recursive: true });
        fs.writeFileSync(path.join(stacks, "Pulumi.broken.yaml"), "config:\n  platform:environment: dev\n  platform:domain: [unclosed\n");
        process.env.PLATFORM_STACKS_DIR = stacks;
        const r = await call(synth, ["--stack", "broken", "--out", path.join(tmp, "out")]);
        assert.equal(r.code, 1);
        assertOneLine(r.err);
        assert.match(r.err, /Pulumi\.broken\.yaml:4:1: /);
        assert.equal(fs.existsSync(path.join(tmp, "out", "resources.json")), false);
    });

    it("bench refuses a malformed --runs before measuring anything", async () => {
        const r = await call(bench, ["--runs", "three"]);
        assert.equal(r.code, 2);
        assertOneLine(r.err);
        assert.match(r.err, /--runs 'three' is not a positive whole number/);
    });

    it("policy-config refuses a --state file that does not exist, exit 2", async () => {
        const r = await call(policyConfig, ["--stack", "dev", "--state", path.join(tmp, "state.json"), "--out", path.join(tmp, "c.json")]);
        assert.equal(r.code, 2);
        assertOneLine(r.err);
        assert.match(r.err, /--state .*state\.json: no such file \(write it with: pulumi stack export/);
    });

    it("as a process, a usage mistake prints one line and no stack trace (exit 2)", () => {
        const command = scriptCommand("policy-config", ["--bogus"]);
        const result = spawnSync(command.file, command.args, { cwd: repoRoot, encoding: "utf8" });
        assert.equal(result.status, 2, result.stderr);
        assertOneLine(result.stderr);
        assert.equal(result.stdout, "");
    });
});
