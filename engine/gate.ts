import { evaluatePolicies, PolicyPackConfig, SynthResource, Violation } from "../policy-pack/offline";
import { policies } from "../policy-pack/policies";
import { resolvePolicyConfig } from "./policy-config";

/**
 * The offline gate's policy config for a stack: its resolved policy config (engine/policy-config.ts)
 * plus the switch that tells the secrets policy its input is redacted synth output.
 */
export function gateConfig(stack: string): PolicyPackConfig {
    return { ...resolvePolicyConfig(stack).config, "secrets-from-pulumi-secrets": { inputsRedacted: true } };
}

/** Every policy of the pack over a stack's synth resources, with the stack's config; the config file's own floor violations first. */
export function runGate(stack: string, resources: SynthResource[]): Violation[] {
    const resolved = resolvePolicyConfig(stack);
    const config = { ...resolved.config, "secrets-from-pulumi-secrets": { inputsRedacted: true } };
    return [...resolved.problems, ...evaluatePolicies(policies, resources, config)];
}
