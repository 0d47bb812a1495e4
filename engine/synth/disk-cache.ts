import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";

/** Where results computed from files are kept between processes (next to the TypeScript loader's cache). */
const cacheRoot = path.resolve(__dirname, "..", "..", "node_modules", ".cache");

/**
 * `compute()`, remembered on disk under the hash of `inputs`: the caller lists in `inputs` the text
 * of everything the result depends on (the files it reads and the code that reads them), so that
 * any change misses and the result is computed again. Only results are kept: a `compute` that
 * throws throws every time. The result must survive JSON.
 */
export function onDisk<T>(kind: string, inputs: string[], compute: () => T): T {
    const hash = createHash("sha256");
    for (const input of inputs) hash.update(`${input.length}:`).update(input);
    const file = path.join(cacheRoot, kind, `${hash.digest("hex")}.json`);
    try {
        return JSON.parse(fs.readFileSync(file, "utf8")) as T;
    } catch {
        // not computed yet (or unreadable): compute it
    }
    const result = compute();
    try {
        fs.mkdirSync(path.dirname(file), { recursive: true });
        fs.writeFileSync(`${file}.${process.pid}`, JSON.stringify(result));
        fs.renameSync(`${file}.${process.pid}`, file);
    } catch {
        // a read-only checkout computes every time
    }
    return result;
}

/** The names and texts of every file under `dir` (none when it does not exist), for {@link onDisk}'s inputs. */
export function filesUnder(dir: string): string[] {
    if (!fs.existsSync(dir)) return [];
    return (fs.readdirSync(dir, { recursive: true }) as string[])
        .sort()
        .map((name) => path.join(dir, name))
        .filter((file) => fs.statSync(file).isFile())
        .flatMap((file) => [path.relative(dir, file), fs.readFileSync(file, "utf8")]);
}
