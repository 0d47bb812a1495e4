import * as fs from "fs";
import * as path from "path";
import { evaluatePolicies, PolicyPackConfig, SynthResource, Violation } from "../policy-pack/offline";
import { policies } from "../policy-pack/policies";
import { repoRoot } from "./synth/stack-files";

/**
 * The offline gate's policy config for a stack: the committed `policy-pack/config/<stack>.json`,
 * plus the switch that tells the secrets policy its input is redacted synth output.
 */
export function gateConfig(stack: string): PolicyPackConfig {
    return { ...(committedPolicyConfig(stack) ?? {}), "secrets-from-pulumi-secrets": { inputsRedacted: true } };
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
