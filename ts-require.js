"use strict";
/**
 * How this project's TypeScript runs in Node, with no build step: `node -r ./ts-require.js <file>.ts`
 * (every npm script, mocha's `require`, and `entry.js`, the program's entry point for the Pulumi CLI).
 *
 * - Each `.ts` file outside node_modules is transpiled by sucrase (types stripped, imports turned
 *   into `require`), which keeps every line where it was in the source: a stack trace's
 *   `file.ts:line` is the TypeScript line, with no source map to load or to apply. (Source maps
 *   cost nothing until a stack is formatted, but the Pulumi SDK formats one at every resource
 *   registration; mapping those frames was most of ts-node's overhead.) Type checking is
 *   `npm run build` (tsc --noEmit), not this.
 * - The JavaScript is cached under node_modules/.cache/platform-ts, keyed by a hash of the source
 *   text and of the transpiler's version and options: an edited file is transpiled again on its
 *   next load, so a stale result can never run; an unchanged one is read back.
 * - Node's compile cache (V8 code for every module loaded after this one, the SDKs' included) is
 *   kept under node_modules/.cache/platform-v8; Node checks each entry against the module's source.
 */
const crypto = require("crypto");
const fs = require("fs");
const nodeModule = require("module");
const path = require("path");
const { addHook } = require("pirates");

const cacheRoot = path.join(__dirname, "node_modules", ".cache");
const jsCache = path.join(cacheRoot, "platform-ts");
const options = { transforms: ["typescript", "imports"], disableESTransforms: true };
const salt = `sucrase ${require("sucrase/package.json").version} ${JSON.stringify(options)}\n`;

if (typeof nodeModule.enableCompileCache === "function" && !process.env.NODE_COMPILE_CACHE) {
    nodeModule.enableCompileCache(path.join(cacheRoot, "platform-v8"));
}

let sucrase; // loaded on the first file that is not in the cache yet

function transpile(code, filename) {
    const key = crypto.createHash("sha256").update(salt).update(code).digest("hex");
    const cached = path.join(jsCache, `${key}.js`);
    try {
        return fs.readFileSync(cached, "utf8");
    } catch {
        // not cached yet
    }
    sucrase ??= require("sucrase");
    const js = sucrase.transform(code, { ...options, filePath: filename }).code;
    try {
        fs.mkdirSync(jsCache, { recursive: true });
        // Written aside and renamed: parallel processes (mocha's workers) never read half a file.
        const partial = `${cached}.${process.pid}`;
        fs.writeFileSync(partial, js);
        fs.renameSync(partial, cached);
    } catch {
        // A read-only checkout still runs, transpiling on every load.
    }
    return js;
}

addHook(transpile, { exts: [".ts"], ignoreNodeModules: true });
