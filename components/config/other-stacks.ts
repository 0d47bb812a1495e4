import * as fs from "fs";
import * as path from "path";
import { load } from "js-yaml";
import type { OtherStackZone } from "./rules";

/**
 * The Cloudflare zone each committed stack file declares (`platform:cloudflare.zoneId`), read
 * as written: one stack's validation cannot see another's, so the program, the policy gate and
 * the cross-stack test read the project's stack files to keep one owner per zone. A file that
 * does not parse is skipped here; its own stack reports it. Read with js-yaml, which is many
 * times faster than the strict parser that reports a stack file's own mistakes: every program
 * run (and so every `pulumi preview`) reads all the stack files here at start-up.
 */
export function stackZones(stacksDir: string): OtherStackZone[] {
    if (!fs.existsSync(stacksDir)) return [];
    return fs.readdirSync(stacksDir).flatMap((file) => {
        const stack = /^Pulumi\.([A-Za-z0-9_.-]+)\.yaml$/.exec(file)?.[1];
        if (!stack) return [];
        let config: Record<string, unknown> | undefined;
        try {
            config = (load(fs.readFileSync(path.join(stacksDir, file), "utf8")) as { config?: Record<string, unknown> } | null)?.config;
        } catch {
            return [];
        }
        const cloudflare = (config?.["platform:cloudflare"] ?? config?.cloudflare) as { zoneId?: unknown } | undefined;
        const zoneId = cloudflare?.zoneId;
        return typeof zoneId === "string" ? [{ stack, source: `stacks/${file}`, zoneId }] : [];
    });
}

/** The zones every stack file but `stack`'s declares. */
export function otherStackZones(stacksDir: string, stack: string): OtherStackZone[] {
    return stackZones(stacksDir).filter((z) => z.stack !== stack);
}
