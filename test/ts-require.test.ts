import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { repoRoot } from "../engine/synth/stack-files";

/** Runs `file` the way every npm script runs TypeScript: `node -r ./ts-require.js <file>`. */
function runTs(file: string) {
    const result = spawnSync(process.execPath, ["-r", path.join(repoRoot, "ts-require.js"), file], { encoding: "utf8" });
    return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe("the TypeScript loader (ts-require.js)", () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "ts-require-"));
    after(() => fs.rmSync(tmp, { recursive: true, force: true }));

    it("keeps every line where it was: a failure's stack names the TypeScript file, line and column", () => {
        const file = path.join(tmp, "fails.ts");
        fs.writeFileSync(
            file,
            [
                'import * as path from "path";',
                "",
                "interface Release {",
                "    name: string;",
                "    replicas?: number;",
                "}",
                "",
                "export function check(release: Release): number {",
                "    const replicas: number = release.replicas ?? 0;",
                "    if (replicas < 1) throw new Error(`${release.name}: no replicas in ${path.sep}`);",
                "    return replicas;",
                "}",
                "",
                'check({ name: "web" });',
                "",
            ].join("\n"),
        );
        const result = runTs(file);
        assert.equal(result.code, 1);
        assert.match(result.stderr, /Error: web: no replicas/);
        assert.match(result.stderr, /at check \(.*fails\.ts:10:29\)/);
        assert.match(result.stderr, /at Object\.<anonymous> \(.*fails\.ts:14:1\)/);
    });

    it("runs an edited file as edited, though its earlier version is cached", () => {
        const file = path.join(tmp, "edited.ts");
        fs.writeFileSync(file, 'const word: string = "before";\nprocess.stdout.write(word);\n');
        assert.equal(runTs(file).stdout, "before");
        assert.equal(runTs(file).stdout, "before");
        fs.writeFileSync(file, 'const word: string = "after";\nprocess.stdout.write(word);\n');
        assert.equal(runTs(file).stdout, "after");
    });
});
