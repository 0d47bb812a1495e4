/**
 * `npm run preview-comment -- --stack <name> --output <preview.txt> --exit-code <n> --out <comment.md>`:
 * turns a captured `pulumi preview` into the pull-request comment CI posts (see engine/delivery/preview-comment.ts).
 */
import * as fs from "fs";
import { defineCommand, main, UsageError } from "../engine/cli";
import { previewComment } from "../engine/delivery/preview-comment";

export const command = defineCommand({
    name: "preview-comment",
    summary: "Writes the pull-request comment for a captured `pulumi preview` (passed or failed), summary always kept.",
    options: {
        stack: { type: "string", value: "name", required: true, description: "stack that was previewed" },
        output: { type: "string", value: "file", required: true, description: "what `pulumi preview` printed" },
        "exit-code": { type: "string", value: "n", required: true, description: "its exit code" },
        out: { type: "string", value: "file", required: true, description: "comment file to write" },
        "run-url": { type: "string", value: "url", description: "link to the CI run" },
    },
    details: ["exit codes: 0 written, 2 usage mistake"],
    run(values) {
        const exitCode = Number(values["exit-code"]);
        if (!/^[0-9]+$/.test(values["exit-code"] ?? "")) throw new UsageError(`--exit-code '${values["exit-code"]}' is not a number`);
        if (!fs.existsSync(values.output!)) throw new UsageError(`--output ${values.output}: no such file`);
        const output = fs.readFileSync(values.output!, "utf8");
        fs.writeFileSync(values.out!, previewComment({ stack: values.stack!, output, exitCode, runUrl: values["run-url"] }));
        return 0;
    },
});

if (require.main === module) main(command);
