import * as pulumi from "@pulumi/pulumi";
import * as fs from "fs";
import { MockOptions, platformMocks } from "./mocks";
import { CliConfig, cliConfigForStack, cliConfigFromYaml, readProject, stackFilePath } from "./stack-files";

/** A value that was a Pulumi secret. Serialises as "[secret]" so it is never written in clear. */
export class SecretValue {
    constructor(readonly value: unknown) {}
    toJSON(): string {
        return "[secret]";
    }
}

/** One resource as the program registered it with the engine. */
export interface RegisteredResource {
    urn: string;
    type: string;
    name: string;
    custom: boolean;
    parent: string | null;
    /** Explicit dependsOn plus dependencies through inputs, as URNs. */
    dependsOn: string[];
    propertyDependencies: Record<string, string[]>;
    provider: string | null;
    protect: boolean;
    retainOnDelete: boolean;
    ignoreChanges: string[];
    deleteBeforeReplace: boolean;
    aliases: unknown[];
    /** Inputs as sent to the engine; secrets are {@link SecretValue}s. */
    inputs: Record<string, unknown>;
}

export interface ProgramRun {
    stack: string;
    resources: RegisteredResource[];
    outputs: Record<string, unknown>;
    /** Set when the program failed (for example invalid config); resources are what got registered before. */
    error?: Error;
}

export interface RunOptions extends MockOptions {
    /** Top-level config values (`platform:<key>` or bare) replacing the stack file's. */
    overrides?: Record<string, unknown>;
    /** Top-level keys to drop from the stack file. */
    remove?: string[];
}

const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
const SIG = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
const RESOURCE_SIG = "5cf8f73096256a8f31e491e813e4eb8e";

/** Runs the whole program for `stacks/Pulumi.<stack>.yaml` under mocks. */
export function runStack(stack: string, options: RunOptions = {}): Promise<ProgramRun> {
    return runWithConfig(stack, applyOverrides(cliConfigForStack(stack), options), options);
}

/** Runs the program for a stack file's text (fixtures), named as `stack`. */
export function runStackYaml(stack: string, yaml: string, options: RunOptions = {}): Promise<ProgramRun> {
    return runWithConfig(stack, applyOverrides(cliConfigFromYaml(yaml), options), options);
}

export function stackFileExists(stack: string): boolean {
    return fs.existsSync(stackFilePath(stack));
}

function applyOverrides(config: CliConfig, options: RunOptions): CliConfig {
    const project = readProject().name;
    const qualify = (k: string) => (k.includes(":") ? k : `${project}:${k}`);
    const values = { ...config.values };
    for (const key of options.remove ?? []) delete values[qualify(key)];
    for (const [key, value] of Object.entries(options.overrides ?? {})) {
        values[qualify(key)] = typeof value === "string" ? value : JSON.stringify(value);
    }
    return { values, secretKeys: config.secretKeys.filter((k) => k in values) };
}

/**
 * Pulumi's mocks are process-global, so runs are serialised: each one resets the runtime,
 * installs fresh mocks and config, records every registration request the program makes, and
 * waits until all of them are answered.
 */
let queue: Promise<unknown> = Promise.resolve();

type Program = () => Promise<Record<string, unknown>> | Record<string, unknown>;

function runWithConfig(stack: string, config: CliConfig, options: MockOptions, program?: Program): Promise<ProgramRun> {
    const run = queue.then(() => runOnce(stack, config, options, program));
    queue = run.catch(() => undefined);
    return run;
}

/** Runs any program (the benchmark's bare baseline, for one) under the same mocks and recording. */
export function runProgram(stack: string, program: Program, options: RunOptions = {}): Promise<ProgramRun> {
    return runWithConfig(stack, applyOverrides({ values: {}, secretKeys: [] }, options), options, program);
}

/** Loads the program fresh, so module-level state never leaks between stacks. */
function platformProgram(): Program {
    const programPath = require.resolve("../../index");
    delete require.cache[programPath];
    return require(programPath) as Program;
}

async function runOnce(stack: string, config: CliConfig, options: MockOptions, program: Program = platformProgram()): Promise<ProgramRun> {
    const project = readProject().name;
    await pulumi.runtime.setMocks(platformMocks(options), project, stack, false);
    pulumi.runtime.setAllConfig(config.values, config.secretKeys);
    const resources: RegisteredResource[] = [];
    const refused: string[] = [];
    recordRegistrations(resources, refused);

    let outputs: Record<string, unknown> = {};
    let error: Error | undefined;
    try {
        outputs = ((await pulumi.runtime.runInPulumiStack(async () => program())) ?? {}) as Record<string, unknown>;
    } catch (err) {
        error = err as Error;
    }
    await waitForRpcs();
    // What the engine would have refused fails the run, as `pulumi preview` would.
    if (!error && refused.length > 0) error = new Error(refused.join("\n"));
    return { stack, resources: resources.filter((r) => r.type !== "pulumi:pulumi:Stack"), outputs, error };
}

function waitForRpcs(): Promise<void> {
    const settings = require("@pulumi/pulumi/runtime/settings") as { waitForRPCs(): Promise<void> };
    return settings.waitForRPCs();
}

interface RegisterRequest {
    getType(): string;
    getName(): string;
    getParent(): string;
    getCustom(): boolean;
    getProvider(): string;
    getDependenciesList(): string[];
    getPropertydependenciesMap(): { forEach(cb: (v: { getUrnsList(): string[] }, k: string) => void): void };
    getProtect(): boolean;
    getRetainondelete(): boolean;
    getIgnorechangesList(): string[];
    getDeletebeforereplace(): boolean;
    getAliasesList(): { hasUrn(): boolean; getUrn(): string; getSpec(): { toObject(): unknown } | undefined }[];
    getObject(): { toJavaScript(): Record<string, unknown> } | undefined;
}

/**
 * URNs as the engine forms them. The mock monitor qualifies a child's type with its parent's
 * type only (and prefixes the root stack's); the engine uses the parent's whole qualified type
 * chain (`platform:workloads:Apps$platform:workloads:Microservice$kubernetes:apps/v1:Deployment`)
 * and leaves the root stack out. Translate, so URNs here are the ones `pulumi preview` shows.
 */
class EngineUrns {
    private readonly byMockUrn = new Map<string, string>();

    /** Records a registration and returns its engine URN. */
    add(mockUrn: string, parentMockUrn: string, type: string, name: string): string {
        const parent = parentMockUrn ? this.of(parentMockUrn) : "";
        const [prefix, , parentType] = parent.split("::");
        const qualified = parentType && parentType !== "pulumi:pulumi:Stack" ? `${parentType}$${type}` : type;
        const stem = (prefix ? parent.split("::").slice(0, 2) : mockUrn.split("::").slice(0, 2)).join("::");
        const urn = `${stem}::${qualified}::${name}`;
        this.byMockUrn.set(mockUrn, urn);
        return urn;
    }

    of(mockUrn: string): string {
        return this.byMockUrn.get(mockUrn) ?? mockUrn.replace("::pulumi:pulumi:Stack$", "::");
    }
}

/**
 * Wraps the mock monitor so every registration (and read) is recorded as the engine would see it,
 * and refuses what the engine's step generator refuses but the mock monitor accepts: a URN
 * registered twice ("Duplicate resource URN"), a parent not registered before its child ("could
 * not find parent resource"), and a custom resource handed a provider of another package.
 */
function recordRegistrations(into: RegisteredResource[], refused: string[]): void {
    const monitor = (pulumi.runtime as unknown as { getMonitor(): { registerResource: Function; readResource: Function } }).getMonitor();
    const urns = new EngineUrns();
    const seen = new Set<string>();
    const check = (req: RegisterRequest, urn: string) => {
        if (seen.has(urn)) refused.push(`Duplicate resource URN '${urn}'; try giving it a unique name`);
        seen.add(urn);
        const parent = req.getParent();
        if (parent && !seen.has(urns.of(parent))) refused.push(`${urn}: could not find parent resource ${urns.of(parent)}`);
        // Reads are always custom resources (their request has no `custom` flag).
        const custom = typeof req.getCustom === "function" ? req.getCustom() : true;
        const provider = custom ? providerPackage(req.getProvider()) : undefined;
        const pkg = req.getType().split(":")[0];
        if (provider !== undefined && !req.getType().startsWith("pulumi:providers:") && provider !== pkg) {
            refused.push(`${urn}: provider of package '${provider}' cannot manage a '${pkg}' resource`);
        }
    };
    const register = monitor.registerResource.bind(monitor);
    monitor.registerResource = (req: RegisterRequest, callback: (err: unknown, resp: { getUrn(): string } | undefined) => void) =>
        register(req, (err: unknown, resp: { getUrn(): string } | undefined) => {
            if (!err && resp) {
                const urn = urns.add(resp.getUrn(), req.getParent(), req.getType(), req.getName());
                check(req, urn);
                into.push(describe(req, urn, urns));
            }
            callback(err, resp);
        });
    const read = monitor.readResource.bind(monitor);
    monitor.readResource = (req: RegisterRequest, callback: (err: unknown, resp: { getUrn(): string } | undefined) => void) =>
        read(req, (err: unknown, resp: { getUrn(): string } | undefined) => {
            if (!err && resp) check(req, urns.add(resp.getUrn(), req.getParent(), req.getType(), req.getName()));
            callback(err, resp);
        });
}

/** The package a provider reference (`<provider URN>::<id>`) serves: `pulumi:providers:<package>`. */
function providerPackage(reference: string): string | undefined {
    if (!reference) return undefined;
    const type = reference.split("::")[2] ?? "";
    return type
        .split("$")
        .pop()!
        .replace(/^pulumi:providers:/, "");
}

function describe(req: RegisterRequest, urn: string, urns: EngineUrns): RegisteredResource {
    const propertyDependencies: Record<string, string[]> = {};
    req.getPropertydependenciesMap().forEach((v, k) => (propertyDependencies[k] = v.getUrnsList().map((u) => urns.of(u))));
    const provider = req.getProvider();
    return {
        urn,
        type: req.getType(),
        name: req.getName(),
        custom: req.getCustom(),
        parent: req.getParent() ? urns.of(req.getParent()) : null,
        dependsOn: [...new Set(req.getDependenciesList().map((u) => urns.of(u)))],
        propertyDependencies,
        provider: provider ? urns.of(provider.split("::").slice(0, 4).join("::")) : null,
        protect: req.getProtect(),
        retainOnDelete: req.getRetainondelete(),
        ignoreChanges: req.getIgnorechangesList(),
        deleteBeforeReplace: req.getDeletebeforereplace(),
        aliases: req.getAliasesList().map((a) => (a.hasUrn() ? a.getUrn() : a.getSpec()?.toObject())),
        inputs: decode(req.getObject()?.toJavaScript() ?? {}) as Record<string, unknown>,
    };
}

/** Turns the wire form into plain values: secrets become SecretValue, references become URNs. */
function decode(value: unknown): unknown {
    if (value === UNKNOWN) return "[unknown]";
    if (Array.isArray(value)) return value.map(decode);
    if (value && typeof value === "object") {
        const obj = value as Record<string, unknown>;
        if (obj[SIG] === SECRET_SIG) return new SecretValue(decode(obj.value));
        if (obj[SIG] === RESOURCE_SIG) return obj.urn;
        return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, decode(v)]));
    }
    return value;
}

const cache = new Map<string, Promise<ProgramRun>>();

/** The run of a committed stack file, computed once per test process and shared by test files. */
export function stackRun(stack: string): Promise<ProgramRun> {
    let run = cache.get(stack);
    if (!run) {
        run = runStack(stack).then((r) => {
            if (r.error) throw r.error;
            return r;
        });
        cache.set(stack, run);
    }
    return run;
}
