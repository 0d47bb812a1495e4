import type { EnforcementLevel, PolicyResource, ResourceValidation, StackValidationPolicy } from "@pulumi/policy";
import type { PlatformPolicy } from "./policies";

/**
 * Evaluates the pack without the Pulumi engine, over a stack's synth output (`resources.json`).
 * It builds the arguments CrossGuard passes (props, options, per-policy config with schema
 * defaults) so the very same policy code gates offline, in tests and in `pulumi preview`.
 */

/** One entry of the offline synth's `resources.json`: the interface between synth and gate. */
export interface SynthResource {
    urn: string;
    type: string;
    name: string;
    parent: string | null;
    dependsOn: string[];
    protect: boolean;
    retainOnDelete: boolean;
    ignoreChanges: string[];
    /** Context beyond the required fields: custom (not a component), provider reference, aliases. */
    custom?: boolean;
    provider?: string | null;
    aliases?: unknown[];
    /** Inputs as registered, every secret replaced by "[secret]". */
    inputs: Record<string, unknown>;
}

/** The `--policy-pack-config` file format: per-policy level, or level plus parameters. */
export type PolicyPackConfig = Record<string, EnforcementLevel | ({ enforcementLevel?: EnforcementLevel } & Record<string, unknown>)>;

export interface Violation {
    policy: string;
    level: "mandatory" | "advisory";
    urn?: string;
    message: string;
}

function levelOf(policy: PlatformPolicy, config: PolicyPackConfig, packLevel: EnforcementLevel): EnforcementLevel {
    const own = config[policy.name];
    if (typeof own === "string") return own;
    if (own?.enforcementLevel) return own.enforcementLevel;
    const all = config.all;
    if (typeof all === "string") return all;
    return all?.enforcementLevel ?? policy.enforcementLevel ?? packLevel;
}

/** Policy parameters as CrossGuard gives them: schema defaults overlaid with the config file. */
export function policyConfig(policy: PlatformPolicy, config: PolicyPackConfig): Record<string, unknown> {
    const defaults = Object.fromEntries(
        Object.entries(policy.configSchema?.properties ?? {}).flatMap(([k, schema]) =>
            (schema as { default?: unknown }).default !== undefined ? [[k, (schema as { default?: unknown }).default]] : [],
        ),
    );
    const own = config[policy.name];
    const params = typeof own === "object" ? Object.fromEntries(Object.entries(own).filter(([k]) => k !== "enforcementLevel")) : {};
    return { ...defaults, ...params };
}

function asPolicyResource(r: SynthResource): PolicyResource {
    return {
        type: r.type,
        props: r.inputs,
        urn: r.urn,
        name: r.name,
        opts: {
            protect: r.protect,
            ignoreChanges: r.ignoreChanges,
            aliases: (r.aliases ?? []).filter((a): a is string => typeof a === "string"),
            customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
            additionalSecretOutputs: [],
            parent: r.parent ?? undefined,
        },
        dependencies: [],
        propertyDependencies: {},
        isType: (cls: { __pulumiType?: string }) => cls.__pulumiType === r.type,
        asType: (cls: { __pulumiType?: string }) => (cls.__pulumiType === r.type ? r.inputs : undefined),
    } as unknown as PolicyResource;
}

export function evaluatePolicies(
    policies: PlatformPolicy[],
    resources: SynthResource[],
    config: PolicyPackConfig = {},
    packLevel: EnforcementLevel = "mandatory",
): Violation[] {
    const violations: Violation[] = [];
    const policyResources = resources.map(asPolicyResource);
    for (const policy of policies) {
        const level = levelOf(policy, config, packLevel);
        if (level === "disabled") continue;
        const params = policyConfig(policy, config);
        const report = (urn?: string) => (message: string, violationUrn?: string) =>
            violations.push({
                policy: policy.name,
                level: level === "advisory" ? "advisory" : "mandatory",
                urn: violationUrn ?? urn,
                message,
            });
        if ("validateResource" in policy && policy.validateResource) {
            const validations: ResourceValidation[] = Array.isArray(policy.validateResource)
                ? policy.validateResource
                : [policy.validateResource];
            for (const r of policyResources) {
                const args = { ...r, getConfig: () => params, notApplicable: () => undefined, stackTags: new Map<string, string>() };
                for (const validate of validations) void validate(args as never, report(r.urn));
            }
        }
        if ("validateStack" in policy) {
            const args = {
                resources: policyResources,
                getConfig: () => params,
                notApplicable: () => undefined,
                stackTags: new Map<string, string>(),
            };
            void (policy as StackValidationPolicy).validateStack(args as never, report());
        }
    }
    return violations;
}

export function formatViolation(v: Violation): string {
    return `[${v.level}] ${v.policy}: ${v.urn ?? "(stack)"}: ${v.message}`;
}
