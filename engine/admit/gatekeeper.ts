import type { CelValue } from "@bufbuild/cel";
import { CelEngine, toCel } from "./cel";
import { LabelSelector, matchesSelector } from "./selectors";
import type { AdmissionRequest, Json } from "./types";

/**
 * Gatekeeper 3.23 constraints whose templates use the `K8sNativeValidation` (CEL) engine, as
 * Gatekeeper's webhook evaluates them: the constraint's `spec.match` first (kinds, namespaces
 * and excludedNamespaces globs, label and namespace selectors, name), then the template's
 * variables and validations with `variables.anyObject` and `variables.params`. Every failing
 * validation is a violation, `[<constraint>] <message>`; `deny` refuses, `warn` warns, `dryrun`
 * only audits. The ValidatingAdmissionPolicy Gatekeeper generates from the same template applies
 * the same expressions with the same match, so one verdict stands for both.
 * Read from open-policy-agent/gatekeeper v3.23.0: pkg/drivers/k8scel (schema, transform/
 * cel_snippets.go, make_vap_objects.go), pkg/mutation/match/match.go, the chart's webhook config.
 */

export interface GatekeeperVerdict {
    constraint: string;
    kind: string;
    enforcementAction: string;
    message: string;
}

interface Match {
    kinds?: { apiGroups?: string[]; kinds?: string[] }[];
    namespaces?: string[];
    excludedNamespaces?: string[];
    labelSelector?: LabelSelector;
    namespaceSelector?: LabelSelector;
    name?: string;
}

/** Namespace globs: `*` allowed as prefix or suffix. */
const globMatch = (pattern: string, value: string) =>
    new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*")}$`).test(value);

function matchesConstraint(match: Match, request: AdmissionRequest, namespaceLabels: (ns: string) => Record<string, string>): boolean {
    const o = request.object;
    const kindOk =
        !match.kinds ||
        match.kinds.length === 0 ||
        match.kinds.some(
            (k) =>
                (!k.apiGroups || k.apiGroups.includes("*") || k.apiGroups.includes(request.kind.group)) &&
                (!k.kinds || k.kinds.includes("*") || k.kinds.includes(request.kind.kind)),
        );
    if (!kindOk) return false;
    const ns = request.namespace;
    if (ns) {
        if (match.namespaces && !match.namespaces.some((p) => globMatch(p, ns))) return false;
        if (match.excludedNamespaces?.some((p) => globMatch(p, ns))) return false;
        if (match.namespaceSelector && !matchesSelector(match.namespaceSelector, namespaceLabels(ns))) return false;
    }
    if (match.labelSelector && !matchesSelector(match.labelSelector, o.metadata.labels)) return false;
    if (match.name && !globMatch(match.name, o.metadata.name)) return false;
    return true;
}

interface CelCode {
    variables?: { name: string; expression: string }[];
    validations?: { expression: string; message?: string; messageExpression?: string }[];
    matchCondition?: { name: string; expression: string }[];
}

export class GatekeeperEvaluator {
    private readonly cel = new CelEngine();
    private readonly templates = new Map<string, CelCode>();

    constructor(
        templates: Json[],
        private readonly constraints: Json[],
        /** The Gatekeeper release's namespace: its webhook never sees requests there. */
        private readonly gatekeeperNamespace = "gatekeeper-system",
    ) {
        for (const t of templates) {
            const spec = t.spec as {
                crd: { spec: { names: { kind: string } } };
                targets: { code?: { engine: string; source: CelCode }[] }[];
            };
            const code = spec.targets.flatMap((x) => x.code ?? []).find((c) => c.engine === "K8sNativeValidation");
            if (code) this.templates.set(spec.crd.spec.names.kind, code.source);
        }
    }

    /** Kinds of constraints whose template has no CEL code (the twin cannot evaluate them). */
    unevaluable(): string[] {
        return [...new Set(this.constraints.map((c) => String(c.kind)).filter((k) => !this.templates.has(k)))];
    }

    evaluate(request: AdmissionRequest, namespaceLabels: (ns: string) => Record<string, string>): GatekeeperVerdict[] {
        if (!["CREATE", "UPDATE"].includes(request.operation)) return [];
        if (request.namespace === this.gatekeeperNamespace) return [];
        if (request.namespace && namespaceLabels(request.namespace)["admission.gatekeeper.sh/ignore"] !== undefined) return [];
        const verdicts: GatekeeperVerdict[] = [];
        for (const constraint of this.constraints) {
            const spec = (constraint.spec ?? {}) as { match?: Match; parameters?: Json; enforcementAction?: string };
            const code = this.templates.get(String(constraint.kind));
            if (!code || !matchesConstraint(spec.match ?? {}, request, namespaceLabels)) continue;
            const name = (constraint.metadata as { name: string }).name;
            for (const message of this.violations(code, constraint, request, namespaceLabels)) {
                verdicts.push({
                    constraint: name,
                    kind: String(constraint.kind),
                    enforcementAction: spec.enforcementAction ?? "deny",
                    message: `[${name}] ${message}`,
                });
            }
        }
        return verdicts;
    }

    private violations(
        code: CelCode,
        constraint: Json,
        request: AdmissionRequest,
        namespaceLabels: (ns: string) => Record<string, string>,
    ): string[] {
        const params = (constraint.spec as { parameters?: Json }).parameters ?? null;
        const object = request.operation === "DELETE" ? null : request.object;
        const base = {
            object: toCel(object),
            oldObject: toCel(request.oldObject ?? null),
            request: toCel({
                operation: request.operation,
                kind: request.kind,
                namespace: request.namespace ?? "",
                name: request.name,
                userInfo: request.userInfo,
            }),
            namespaceObject: toCel(
                request.namespace ? { metadata: { name: request.namespace, labels: namespaceLabels(request.namespace) } } : null,
            ),
            params: toCel(constraint),
        };
        const variables = new Map<string, CelValue>([
            ["anyObject", toCel(object ?? request.oldObject ?? null) as CelValue],
            ["params", toCel(params) as CelValue],
        ]);
        try {
            for (const c of code.matchCondition ?? []) if (!this.cel.test(c.expression, { ...base, variables })) return [];
            for (const v of code.variables ?? []) variables.set(v.name, this.cel.evaluateRaw(v.expression, { ...base, variables }));
        } catch (err) {
            return [`error: ${(err as Error).message}`];
        }
        const out: string[] = [];
        for (const v of code.validations ?? []) {
            try {
                if (this.cel.test(v.expression, { ...base, variables })) continue;
                out.push(
                    v.messageExpression
                        ? String(this.cel.evaluate(v.messageExpression, { ...base, variables }))
                        : (v.message ?? "validation failed"),
                );
            } catch (err) {
                out.push(`error: ${(err as Error).message}`);
            }
        }
        return out;
    }
}
