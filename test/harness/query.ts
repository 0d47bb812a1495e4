import type { ProgramRun, RegisteredResource } from "../../engine/synth/run-program";
import { SecretValue } from "../../engine/synth/run-program";
import { valueAt } from "../../engine/json";

/** Small lookups over a program run, so tests read as statements about the deployment. */
export function ofType(run: ProgramRun, type: string): RegisteredResource[] {
    return run.resources.filter((r) => r.type === type);
}

export function named(run: ProgramRun, type: string, name: string): RegisteredResource {
    const found = run.resources.find((r) => r.type === type && r.name === name);
    if (!found) {
        const names = ofType(run, type).map((r) => r.name);
        throw new Error(`${run.stack}: no ${type} named '${name}' (have: ${names.join(", ") || "none"})`);
    }
    return found;
}

/** Kubernetes objects by `metadata.name` (and namespace when given). */
export function k8sObject(run: ProgramRun, type: string, name: string, namespace?: string): RegisteredResource {
    const found = ofType(run, type).filter((r) => {
        const md = r.inputs.metadata as { name?: string; namespace?: string } | undefined;
        return md?.name === name && (namespace === undefined || md?.namespace === namespace);
    });
    if (found.length !== 1) throw new Error(`${run.stack}: expected one ${type} ${namespace ?? "*"}/${name}, found ${found.length}`);
    return found[0];
}

export function byUrn(run: ProgramRun, urn: string): RegisteredResource {
    const found = run.resources.find((r) => r.urn === urn);
    if (!found) throw new Error(`${run.stack}: no resource ${urn}`);
    return found;
}

/** Reads a dotted path (`spec.template.spec`) out of a resource's inputs. */
export function get(resource: RegisteredResource, path: string): unknown {
    return valueAt(resource.inputs, path);
}

/** Whether `value` (at any depth) contains a Pulumi secret. */
export function containsSecret(value: unknown): boolean {
    if (value instanceof SecretValue) return true;
    if (Array.isArray(value)) return value.some(containsSecret);
    if (value && typeof value === "object") return Object.values(value).some(containsSecret);
    return false;
}

/** Whether `resource` depends (directly) on `dependency` or on any child of it. */
export function dependsOn(run: ProgramRun, resource: RegisteredResource, dependency: RegisteredResource): boolean {
    const targets = new Set([dependency.urn, ...descendants(run, dependency).map((r) => r.urn)]);
    return resource.dependsOn.some((urn) => targets.has(urn));
}

export function descendants(run: ProgramRun, root: RegisteredResource): RegisteredResource[] {
    const children = run.resources.filter((r) => r.parent === root.urn);
    return children.flatMap((c) => [c, ...descendants(run, c)]);
}
