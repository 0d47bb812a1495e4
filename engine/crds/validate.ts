import Ajv, { ErrorObject, ValidateFunction } from "ajv";
import { createHash } from "crypto";
import type { SynthResource } from "../../policy-pack/offline";
import { redacted } from "../render/objects";
import { evaluateRules, joinPath } from "./cel";
import { constraintSchemas, crdSchemas, Gvk, gvkOf, ServedSchema, SourcedObject } from "./schemas";
import { checkedFormats, listMapKeys, translateRoot, uniqueByKeys } from "./translate";
import { unrenderedCrdGroups } from "./unserved";

/**
 * Every custom resource the program creates, checked against the schema of the CRD version it
 * names, as the API server would check it on create: structural validation (ajv over the
 * translated schema, see translate.ts) and the CRD's CEL rules (cel.ts). A kind no rendered CRD
 * (or ConstraintTemplate) serves is a problem, unless its group is one the offline chart mirror
 * cannot render (unserved.ts).
 */

export interface CrdProblem {
    kind: string;
    namespace?: string;
    name: string;
    /** Dotted path into the object (`spec.kafka.listeners[0].tls`); empty for the whole object. */
    path: string;
    message: string;
}

export interface NotChecked {
    kind: string;
    namespace?: string;
    name: string;
    reason: string;
}

export interface CrdCheck {
    /** Custom resources validated against a schema. */
    checked: number;
    problems: CrdProblem[];
    /** Custom resources of kinds the mirror cannot serve (unserved.ts). */
    notChecked: NotChecked[];
    /** Schema parts not evaluated: CEL rules that could not run, RE2-only patterns. */
    notEvaluated: string[];
    celEvaluated: number;
}

/** Type tokens of custom kinds: `kubernetes:<group>/<version>:<Kind>` with a dotted group outside `*.k8s.io`. */
export function isCustomResourceType(type: string): boolean {
    const m = /^kubernetes:([^/:]+)\/[^:]+:[^:]+$/.exec(type);
    if (!m) return false;
    const group = m[1];
    return group.includes(".") && !group.endsWith(".k8s.io") && group !== "helm.sh";
}

const describe = (value: unknown) => {
    const text = JSON.stringify(value) ?? String(value);
    return text.length > 60 ? `${text.slice(0, 57)}...` : text;
};

const pointerToPath = (pointer: string) =>
    pointer
        .split("/")
        .slice(1)
        .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"))
        .reduce<string>((p, s) => joinPath(p, /^\d+$/.test(s) ? Number(s) : s), "");

/** ajv's errors as the API server's field errors: one per field, none from inside a failed junctor's branches. */
export function fieldErrors(errors: ErrorObject[]): { path: string; message: string }[] {
    const junctors = errors.filter((e) => e.keyword === "anyOf" || e.keyword === "oneOf").map((e) => `${e.schemaPath}/`);
    return (
        errors
            .filter((e) => !junctors.some((j) => e.schemaPath.startsWith(j)))
            .filter((e) => !(e.data === redacted && e.keyword !== "additionalProperties" && e.keyword !== "required"))
            // A key's own error (its pattern) is reported once, by the `propertyNames` error that follows it.
            .filter((e) => (e as { propertyName?: string }).propertyName === undefined)
            .map((e) => {
                const at = pointerToPath(e.instancePath);
                const p = e.params as Record<string, unknown>;
                switch (e.keyword) {
                    case "additionalProperties":
                        return {
                            path: joinPath(at, String(p.additionalProperty)),
                            message: "unknown field: the CRD schema has no such field (the API server would prune it)",
                        };
                    case "propertyNames":
                        return { path: joinPath(at, String(p.propertyName)), message: "not a valid key (a qualified name: [prefix/]name)" };
                    case listMapKeys:
                        return { path: at, message: `two items have the same ${describe(e.schema)} (a list keyed by them)` };
                    case "uniqueItems":
                        return { path: at, message: `items ${p.j} and ${p.i} are equal (a set)` };
                    case "required":
                        return { path: joinPath(at, String(p.missingProperty)), message: "required field is missing" };
                    case "type":
                        return {
                            path: at,
                            message:
                                e.data === null
                                    ? "null, and the field is not nullable (the API server would drop it)"
                                    : `must be ${[p.type].flat().join(" or ")} (got ${describe(e.data)})`,
                        };
                    case "enum":
                        return {
                            path: at,
                            message: `must be one of ${(p.allowedValues as unknown[]).map(describe).join(", ")} (got ${describe(e.data)})`,
                        };
                    default:
                        return { path: at, message: `${e.message ?? e.keyword} (got ${describe(e.data)})` };
                }
            })
    );
}

// `strict: false`: CRD schemas carry keywords ajv does not know (description, x-kubernetes-*);
// translate.ts keeps only the ones it means. `unicodeRegExp: false`: Go patterns are not Unicode-mode JS.
const ajv = new Ajv({ allErrors: true, strict: false, verbose: true, unicodeRegExp: false, formats: checkedFormats });
ajv.addKeyword({ keyword: listMapKeys, type: "array", schemaType: "array", validate: uniqueByKeys });

interface Compiled {
    validate: ValidateFunction;
    skippedPatterns: string[];
}

/**
 * Compiled once per schema: compiling a large CRD (Prometheus, Alertmanager) takes far longer than
 * validating, and every stack renders the same CRDs, so schemas are also keyed by their content.
 */
const compiledSchemas = new WeakMap<object, Compiled>();
const compiledByContent = new Map<string, Compiled>();

function compile(schema: ServedSchema): Compiled {
    let c = compiledSchemas.get(schema.schema);
    if (!c) {
        const key = createHash("sha256").update(JSON.stringify(schema.schema)).digest("hex");
        c = compiledByContent.get(key);
        if (!c) {
            const translation = translateRoot(schema.schema);
            c = { validate: ajv.compile(translation.schema), skippedPatterns: translation.skippedPatterns };
            compiledByContent.set(key, c);
        }
        compiledSchemas.set(schema.schema, c);
    }
    return c;
}

/** What the check reads of a resource: its type token, its name, and its inputs (the object). */
export type CheckedResource = Pick<SynthResource, "type" | "name" | "inputs">;

/** The CRD check of a stack: the program's resources, and the rendered chart objects (where the CRDs are). */
export function checkCustomResources(resources: CheckedResource[], rendered: SourcedObject[]): CrdCheck {
    const own: SourcedObject[] = resources.map((r) => ({ object: r.inputs as Record<string, unknown> }));
    const served = new Map<Gvk, ServedSchema>([...crdSchemas([...rendered, ...own]), ...constraintSchemas([...own, ...rendered])]);
    const result: CrdCheck = { checked: 0, problems: [], notChecked: [], notEvaluated: [], celEvaluated: 0 };
    const skippedPatterns = new Set<string>();

    for (const r of resources.filter((x) => isCustomResourceType(x.type))) {
        const object = r.inputs as Record<string, unknown>;
        const apiVersion = String(object.apiVersion ?? "");
        const kind = String(object.kind ?? "");
        const md = (object.metadata ?? {}) as { name?: string; namespace?: string };
        const who = { kind, namespace: md.namespace, name: md.name ?? r.name };
        const gvk = gvkOf(apiVersion, kind);
        const schema = served.get(gvk);
        if (!schema) {
            const reason = unrenderedCrdGroups[apiVersion.split("/")[0]];
            if (reason) result.notChecked.push({ ...who, reason });
            else result.problems.push({ ...who, path: "", message: servedElsewhere(served, apiVersion, kind) });
            continue;
        }
        const c = compile(schema);
        c.skippedPatterns.forEach((p) => skippedPatterns.add(`pattern ${p} (${schema.source})`));
        result.checked++;
        if (!c.validate(object)) for (const e of fieldErrors(c.validate.errors ?? [])) result.problems.push({ ...who, ...e });
        const cel = evaluateRules(schema.schema, object);
        result.celEvaluated += cel.evaluated;
        for (const f of cel.failed) result.problems.push({ ...who, path: f.path, message: `${f.message} (CEL rule of ${schema.source})` });
        for (const n of cel.notEvaluated)
            result.notEvaluated.push(`${kind} ${md.namespace ?? "_cluster"}/${who.name}: ${n.path}: CEL rule ${n.rule}: ${n.message}`);
    }
    result.notEvaluated.push(...skippedPatterns);
    return result;
}

/** Why a group/version/kind is not served: another version is, or no CRD serves the kind at all. */
function servedElsewhere(served: Map<Gvk, ServedSchema>, apiVersion: string, kind: string): string {
    const group = apiVersion.split("/")[0];
    const versions = [...served.values()].filter((s) => s.group === group && s.kind === kind).map((s) => s.version);
    return versions.length > 0
        ? `${apiVersion} ${kind} is not served by the pinned CRD (it serves ${versions.join(", ")})`
        : `no rendered CRD serves ${apiVersion} ${kind}`;
}

const where = (x: { kind: string; namespace?: string; name: string }) => `${x.kind} ${x.namespace ?? "_cluster"}/${x.name}`;

/** One note per reason: `[note] not checked (<reason>): <Kind> <ns>/<name>, ...`. */
function notCheckedByReason(notChecked: NotChecked[]): string[] {
    const byReason = new Map<string, string[]>();
    for (const n of notChecked) byReason.set(n.reason, [...(byReason.get(n.reason) ?? []), where(n)]);
    return [...byReason].map(
        ([reason, objects]) => `[note] ${objects.length} custom resource(s) not checked (${reason}): ${objects.join(", ")}`,
    );
}

/** `crd schemas for stack <s>: N custom resources checked, M problems`, each problem, and notes. */
export function formatCrdCheck(stack: string, check: CrdCheck): string[] {
    return [
        ...check.problems.map((p) => `${where(p)}: ${p.path || "(object)"}: ${p.message}`),
        ...notCheckedByReason(check.notChecked),
        ...(check.notEvaluated.length > 0
            ? [
                  `[note] ${check.notEvaluated.length} schema rule(s) not evaluated: ${check.notEvaluated.slice(0, 5).join("; ")}${check.notEvaluated.length > 5 ? "; ..." : ""}`,
              ]
            : []),
        `crd schemas for stack ${stack}: ${check.checked} custom resources checked, ${check.problems.length} problems`,
    ];
}
