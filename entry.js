"use strict";
/**
 * The program's entry point as the Pulumi CLI loads it (`main: entry.js` in Pulumi.yaml, with the
 * nodejs runtime's own TypeScript support off): registers the project's TypeScript loader
 * (ts-require.js), then hands the CLI the program index.ts exports.
 *
 * The runtime (@pulumi/pulumi/cmd/run) installs source-map-support before it loads this file.
 * The SDK records a stack at every resource and every output it creates, and source-map-support
 * maps each frame through the source map of any file that ships one: the SDK's own, pointing at
 * its TypeScript sources, which are not installed. That costs more than the rest of the program's
 * start-up, for no useful line: this repository's frames need no map (ts-require.js keeps every
 * line where it was). So Node's own stack formatting is put back.
 */
Error.prepareStackTrace = undefined;
require("./ts-require");
module.exports = require("./index.ts");
