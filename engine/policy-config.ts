import * as fs from "fs";
import * as path from "path";
import { otherStackZones } from "../components/config/other-stacks";
import { componentsSchema } from "../components/config/platform";
import { loadBalancerReleases, namedLoadBalancers } from "../components/platform/install";
import { chartSources } from "../components/platform/versions";
import { Floor, FloorName, floors, isFloorName } from "../policy-pack/floors";
import type { PolicyPackConfig, Violation } from "../policy-pack/offline";
import { UsageError } from "./cli";
import { cliConfigForStack, repoRoot, stacksDir } from "./synth/stack-files";

/**
 * A stack's policy config, resolved once for the offline gate and for real previews
 * (`npm run policy-config`):
 * - the committed `policy-pack/config/<stack>.json`, else the one of the stack's environment
 *   (`policy-pack/config/<environment>.json`), else a clear refusal naming the file to create:
 *   a new stack is never gated by defaults;
 * - facts with one source of truth filled in: the app registries from the stack file, the chart
 *   sources from the components' pins, the zones the other stacks own;
 * - the floor it names enforced: the floor's policies mandatory and its minimums kept, whatever
 *   the file says. A file that tries to weaken them, or names a floor below its stack's
 *   environment, is reported as a violation of its own.
 */

export interface ResolvedPolicyConfig {
    config: PolicyPackConfig;
    /** The file it came from, relative to the repository. */
    file: string;
    floor?: FloorName;
    /** Violations of the floor by the config file itself. */
    problems: Violation[];
}

const configDir = path.join(repoRoot, "policy-pack", "config");
const rank: Record<string, number> = { none: 0, staging: 1, production: 2 };

/** The stack file's `platform:environment`, as written. */
function environmentOf(stack: string): string | undefined {
    const value = cliConfigForStack(stack).values["platform:environment"];
    return typeof value === "string" ? value : undefined;
}

function readConfig(file: string): PolicyPackConfig {
    return JSON.parse(fs.readFileSync(file, "utf8")) as PolicyPackConfig;
}

/** Which committed file configures the stack's gate. */
export function policyConfigFile(stack: string): string {
    const own = path.join(configDir, `${stack}.json`);
    if (fs.existsSync(own)) return own;
    const environment = environmentOf(stack);
    const inherited = environment ? path.join(configDir, `${environment}.json`) : undefined;
    if (inherited && fs.existsSync(inherited)) return inherited;
    throw new UsageError(
        `no policy config for stack '${stack}': create policy-pack/config/${stack}.json` +
            (environment ? ` (or policy-pack/config/${environment}.json for every '${environment}' stack)` : ""),
    );
}

const paramsOf = (config: PolicyPackConfig, policy: string): Record<string, unknown> => {
    const own = config[policy];
    return typeof own === "object" ? { ...own } : own ? { enforcementLevel: own } : {};
};

export function resolvePolicyConfig(stack: string): ResolvedPolicyConfig {
    const file = policyConfigFile(stack);
    const relative = path.relative(repoRoot, file);
    const committed = readConfig(file);
    const config: PolicyPackConfig = { ...committed };
    const problems: Violation[] = [];
    const problem = (message: string) => problems.push({ policy: "policy-config", level: "mandatory", message: `${relative}: ${message}` });

    // One source of truth: the stack file's registries, the components' chart sources, the other stacks' zones.
    const guardrails = JSON.parse(cliConfigForStack(stack).values["platform:guardrails"] ?? "{}") as { allowedRegistries?: string[] };
    config["allowed-image-registries"] = {
        ...paramsOf(config, "allowed-image-registries"),
        registries: guardrails.allowedRegistries ?? [],
    };
    config["helm-allowed-repositories"] = { ...paramsOf(config, "helm-allowed-repositories"), repositories: chartSources() };
    // The public load balancers the stack file asks for; an invalid section names none (validation refuses it anyway).
    const components = componentsSchema.safeParse(JSON.parse(cliConfigForStack(stack).values["platform:components"] ?? "{}"));
    config["no-unnamed-public-load-balancer"] = {
        ...paramsOf(config, "no-unnamed-public-load-balancer"),
        allowed: components.success ? namedLoadBalancers(components.data) : {},
        releases: components.success ? loadBalancerReleases(components.data) : [],
    };
    const zonesOfOtherStacks: Record<string, string[]> = {};
    for (const z of otherStackZones(stacksDir(), stack)) (zonesOfOtherStacks[z.stack] ??= []).push(z.zoneId);
    config["cloudflare-zone-single-owner"] = { ...paramsOf(config, "cloudflare-zone-single-owner"), zonesOfOtherStacks };

    const named = (paramsOf(config, "platform-floor").floor as string | undefined) ?? "";
    const environment = environmentOf(stack) ?? "";
    if (named !== "none" && !isFloorName(named))
        problem(`names no floor ('platform-floor': { "floor": "production" | "staging" | "none" })`);
    const needed = environment in rank ? environment : "none";
    if ((rank[named] ?? 0) < rank[needed])
        problem(
            `applies floor '${named || "none"}' to stack '${stack}' of environment '${environment}': it needs at least the ${needed} floor`,
        );
    // The stronger of the floor the file names and the one its stack's environment needs.
    const strongest = (rank[named] ?? -1) >= rank[needed] ? named : needed;
    const floorName = isFloorName(strongest) ? strongest : undefined;
    if (floorName) applyFloor(config, floors[floorName], floorName, problem);
    return { config, file: relative, floor: floorName, problems };
}

/** The floor's policies mandatory and its minimums kept; every attempt to weaken them reported. */
function applyFloor(config: PolicyPackConfig, floor: Floor, name: FloorName, problem: (m: string) => void): void {
    config["platform-floor"] = { ...paramsOf(config, "platform-floor"), floor: name };
    const all = typeof config.all === "string" ? config.all : (config.all as { enforcementLevel?: string } | undefined)?.enforcementLevel;
    for (const policy of floor.mandatoryPolicies) {
        const params = paramsOf(config, policy);
        const level = (params.enforcementLevel as string | undefined) ?? all;
        if (level && level !== "mandatory") problem(`sets ${policy} to ${level}: the ${name} floor keeps it mandatory`);
        config[policy] = { ...params, enforcementLevel: "mandatory" };
    }
    const raise = (policy: string, key: string, minimum: number) => {
        const params = paramsOf(config, policy);
        const value = params[key] as number | undefined;
        if (value !== undefined && value < minimum) problem(`sets ${policy}.${key} to ${value}: the ${name} floor is ${minimum}`);
        config[policy] = { ...params, [key]: Math.max(value ?? 0, minimum) };
    };
    raise("minimum-replicas", "minReplicas", floor.minimums.minimumReplicas);
    raise("kafka-durability", "minReplicationFactor", floor.data.minKafkaReplication);
    raise("kafka-durability", "minInSyncReplicas", floor.data.minKafkaInSync);
    raise("database-backups-meet-retention", "minimumRetentionDays", floor.data.minRetentionDays);
    const backups = paramsOf(config, "database-backups-meet-retention");
    config["database-backups-meet-retention"] = {
        ...backups,
        complianceProfiles: [
            ...new Set([...((backups.complianceProfiles as string[] | undefined) ?? []), ...floor.data.complianceProfiles]),
        ],
    };
    // A store of another environment would hand production's apps another environment's secrets.
    config["external-secrets-use-environment-store"] = { ...paramsOf(config, "external-secrets-use-environment-store"), environment: name };
}
