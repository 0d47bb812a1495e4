"use strict";
/**
 * The program's entry point as the Pulumi CLI loads it (`main: entry.js` in Pulumi.yaml, with the
 * nodejs runtime's own TypeScript support off): registers the project's TypeScript loader
 * (ts-require.js), then hands the CLI the program index.ts exports.
 */
require("./ts-require");
module.exports = require("./index.ts");
