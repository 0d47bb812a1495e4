import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { bareProgram } from "../engine/bench/bare";
import { committedApps, syntheticApps } from "../engine/bench/synthetic";
import { runProgram, runStack, stackRun } from "../engine/synth/run-program";
import { filesUnder, onDisk } from "../engine/synth/disk-cache";
import { repoRoot } from "../engine/synth/stack-files";

describe("npm run bench's programs", () => {
    it("production plus synthetic apps is a stack the program accepts, each app adding its resources", async () => {
        const production = await stackRun("production");
        const run = await runStack("production", { overrides: { apps: [...committedApps("production"), ...syntheticApps(3)] } });
        assert.equal(run.error, undefined);
        for (const app of ["svc-000", "svc-001", "svc-002"]) {
            assert.ok(
                run.resources.some((r) => r.type === "kubernetes:apps/v1:Deployment" && r.name.includes(app)),
                app,
            );
        }
        assert.ok(run.resources.length > production.resources.length + 3 * 5);
    });

    it("the bare program registers exactly as many resources as it is asked for", async () => {
        const run = await runProgram("bench", bareProgram(25));
        assert.equal(run.error, undefined);
        assert.equal(run.resources.length, 25);
    });
});

describe("results kept on disk (engine/synth/disk-cache)", () => {
    const kind = `test-disk-cache-${process.pid}`;
    after(() => fs.rmSync(path.join(repoRoot, "node_modules", ".cache", kind), { recursive: true, force: true }));

    it("computes once for the same inputs, again when any input changes, and never keeps a failure", () => {
        let computed = 0;
        const compute = (value: string) => () => {
            computed++;
            return { value };
        };
        assert.deepEqual(onDisk(kind, ["a", "b"], compute("first")), { value: "first" });
        assert.deepEqual(onDisk(kind, ["a", "b"], compute("second")), { value: "first" });
        assert.equal(computed, 1);
        assert.deepEqual(onDisk(kind, ["a", "c"], compute("third")), { value: "third" });
        // Inputs are length-prefixed: moving text from one input to the next is a change too.
        assert.deepEqual(onDisk(kind, ["ab", ""], compute("fourth")), { value: "fourth" });
        assert.equal(computed, 3);
        const failing = () => {
            computed++;
            throw new Error("unreadable");
        };
        assert.throws(() => onDisk(kind, ["x"], failing), /unreadable/);
        assert.throws(() => onDisk(kind, ["x"], failing), /unreadable/);
        assert.equal(computed, 5);
    });

    it("lists the names and texts of every file under a folder, in order", () => {
        const listed = filesUnder(path.join(repoRoot, "esc"));
        assert.ok(listed.length >= 2 && listed.length % 2 === 0);
        assert.ok(listed.includes(path.join("platform", "production.yaml")));
        assert.deepEqual(filesUnder(path.join(repoRoot, "no-such-folder")), []);
    });
});
