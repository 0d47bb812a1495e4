import * as fs from "fs";
import * as path from "path";
import { UsageError } from "../cli";
import { readRendered } from "../render/read";
import type { ChartObject } from "./index";

/** Rendered chart objects from `npm run render --out <dir>`, refusing a folder that has none. */
export function readRenderedFor(dir: string): ChartObject[] {
    if (!fs.existsSync(path.join(dir, "rendered")))
        throw new UsageError(`--rendered ${dir}: no rendered/ folder there (run: npm run render -- --stack <name> --out ${dir})`);
    return readRendered(dir).map((o) => ({ release: o.release, object: o.object }));
}
