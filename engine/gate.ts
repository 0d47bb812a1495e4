import * as fs from "fs";
import * as path from "path";
import { evaluatePolicies, PolicyPackConfig, SynthResource, Violation } from "../policy-pack/offline";
import { otherStackZones } from "../components/config/other-stacks";
import { policies } from "../policy-pack/policies";
import { repoRoot, stacksDir } from "./synth/stack-files";

/**
 * The offline gate's policy config for a stack: the committed `policy-pack/config/<stack>.json`,
 * what the other committed stack files claim, plus the switch that tells the secrets policy its
 * input is redacted synth output.
 */
export function gateConfig(stack: string): PolicyPackConfig {
    return withCrossStackFacts(stack, { ...(committedPolicyConfig(stack) ?? {}), "secrets-from-pulumi-secrets": { inputsRedacted: true } });
}

/**
 * Adds what one stack's policies cannot see in its own resources: the Cloudflare zones the
 * project's other stack files manage (one owner per zone). Used by the offline gate and by
 * `npm run policy-config` for real previews.
 */
export function withCrossStackFacts(stack: string, config: PolicyPackConfig): PolicyPackConfig {
    const zonesOfOtherStacks: Record<string, string[]> = {};
    for (const z of otherStackZones(stacksDir(), stack)) (zonesOfOtherStacks[z.stack] ??= []).push(z.zoneId);
    const own = config["cloudflare-zone-single-owner"];
    return {
        ...config,
        "cloudflare-zone-single-owner": { ...(typeof own === "object" ? own : own ? { enforcementLevel: own } : {}), zonesOfOtherStacks },
    };
}

/** The stack's committed `policy-pack/config/<stack>.json`, or undefined when it has none. */
export function committedPolicyConfig(stack: string): PolicyPackConfig | undefined {
    const file = path.join(repoRoot, "policy-pack", "config", `${stack}.json`);
    return fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, "utf8")) as PolicyPackConfig) : undefined;
}

/** Every policy of the pack over a stack's synth resources, with the stack's config. */
export function runGate(stack: string, resources: SynthResource[]): Violation[] {
    return evaluatePolicies(policies, resources, gateConfig(stack));
}
