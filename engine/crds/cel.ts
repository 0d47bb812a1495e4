import { CelEngine, toCel } from "../admit/cel";
import { redacted } from "../render/objects";
import type { StructuralSchema } from "./schemas";

/**
 * `x-kubernetes-validations`: the CEL rules a CRD attaches to a schema node, evaluated with
 * `self` bound to the value at that node, by the same CEL engine the twin uses for Kyverno and
 * Gatekeeper (`@bufbuild/cel`). Only what creation evaluates: transition rules (those reading
 * `oldSelf`) apply to updates and are skipped. A rule over a value holding a secret, a rule
 * using a function outside standard CEL (Kubernetes' quantity/URL/IP libraries) or one that
 * errors at run time is reported as not evaluated, never as a pass or a failure.
 */

export interface CelRule {
    rule: string;
    message?: string;
    fieldPath?: string;
}

export interface CelFinding {
    /** Dotted path of the node the rule is attached to (`spec.kafka`). */
    path: string;
    rule: string;
    message: string;
}

export interface CelResult {
    failed: CelFinding[];
    notEvaluated: CelFinding[];
    evaluated: number;
}

const engine = new CelEngine();

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

const holdsSecret = (value: unknown): boolean =>
    value === redacted || (Array.isArray(value) ? value.some(holdsSecret) : isObject(value) && Object.values(value).some(holdsSecret));

export const joinPath = (parent: string, key: string | number) =>
    typeof key === "number"
        ? `${parent}[${key}]`
        : /^[A-Za-z_][A-Za-z0-9_-]*$/.test(key)
          ? parent
              ? `${parent}.${key}`
              : key
          : `${parent}["${key}"]`;

/** Every CEL rule of `schema` that applies to `value`, evaluated. */
export function evaluateRules(schema: StructuralSchema, value: unknown): CelResult {
    const result: CelResult = { failed: [], notEvaluated: [], evaluated: 0 };
    walk(schema, value, "", result);
    return result;
}

function walk(node: StructuralSchema, value: unknown, path: string, result: CelResult): void {
    if (value === undefined || value === null) return;
    const rules = node["x-kubernetes-validations"];
    if (Array.isArray(rules)) for (const rule of rules as CelRule[]) check(rule, value, path, result);
    if (isObject(value)) {
        const properties = isObject(node.properties) ? (node.properties as Record<string, StructuralSchema>) : {};
        const additional = isObject(node.additionalProperties) ? node.additionalProperties : undefined;
        for (const [key, child] of Object.entries(value)) {
            const childSchema = properties[key] ?? additional;
            if (childSchema) walk(childSchema, child, joinPath(path, key), result);
        }
    } else if (Array.isArray(value) && isObject(node.items)) {
        value.forEach((item, i) => walk(node.items as StructuralSchema, item, joinPath(path, i), result));
    }
}

function check(rule: CelRule, value: unknown, path: string, result: CelResult): void {
    if (typeof rule.rule !== "string" || /\boldSelf\b/.test(rule.rule)) return;
    const at = rule.fieldPath ? `${path}${rule.fieldPath}` : path;
    if (holdsSecret(value)) {
        result.notEvaluated.push({ path: at, rule: rule.rule, message: "the value holds a secret" });
        return;
    }
    let passed: boolean;
    try {
        passed = engine.test(rule.rule, { self: toCel(value) });
    } catch (err) {
        result.notEvaluated.push({ path: at, rule: rule.rule, message: (err as Error).message });
        return;
    }
    result.evaluated++;
    if (!passed) result.failed.push({ path: at, rule: rule.rule, message: rule.message ?? `failed rule: ${rule.rule}` });
}
