import { celFunc, CelScalar, CelValue, listType } from "@bufbuild/cel";
import { CelEngine, toCel } from "./cel";
import {
    autogenVariants,
    hasDigest,
    imageGlob,
    imagesByCategory,
    imageValidationConfig,
    kyvernoSkippedNamespaces,
    kyvernoSkips,
} from "./models/kyverno";
import { isNonEmptySelector, LabelSelector, matchesSelector } from "./selectors";
import type { AdmissionRequest, Json, KubeObject } from "./types";

/**
 * Kyverno's CEL policies (`policies.kyverno.io` ValidatingPolicy and ImageValidatingPolicy) as
 * Kyverno 1.19 evaluates them at admission: prefilters, match constraints (namespace and object
 * selectors, resource rules, exclusions), matchConditions, lazy variables, validations in order
 * (the first false one decides), autogen variants for pod controllers, and, for images, the
 * matchImageReferences filter, the `verifyDigest` and `required` checks (`mutateDigest` pins a
 * tag to its digest first). The expressions are the program's own,
 * evaluated by a real CEL engine.
 */

export interface KyvernoVerdict {
    policy: string;
    actions: string[];
    /** `Policy <name> failed: <message>` (or `error:`), as Kyverno reports it. */
    message: string;
}

/** Whether an image would pass Kyverno's signature verification (the twin cannot contact a registry). */
export type SignatureModel = (image: string) => boolean;

interface ResourceRule {
    apiGroups?: string[];
    apiVersions?: string[];
    operations?: string[];
    resources?: string[];
}

const any = (list: string[] | undefined, value: string) => !list || list.includes("*") || list.includes(value);

function ruleMatches(rule: ResourceRule, request: AdmissionRequest): boolean {
    const resource = request.subResource ? `${request.resource.resource}/${request.subResource}` : request.resource.resource;
    return (
        any(rule.apiGroups, request.resource.group) &&
        any(rule.apiVersions, request.resource.version) &&
        any(rule.operations, request.operation) &&
        any(rule.resources, resource)
    );
}

/** Kyverno's webhook namespace selector (chart default) AND the policy's. */
const webhookNamespaces: LabelSelector = {
    matchExpressions: [{ key: "kubernetes.io/metadata.name", operator: "NotIn", values: kyvernoSkippedNamespaces }],
};

export interface PolicyContext {
    namespaceLabels(namespace: string): Record<string, string>;
}

function matches(spec: Json, request: AdmissionRequest, ctx: PolicyContext): boolean {
    const m = (spec.matchConstraints ?? {}) as {
        resourceRules?: ResourceRule[];
        excludeResourceRules?: ResourceRule[];
        namespaceSelector?: LabelSelector;
        objectSelector?: LabelSelector;
    };
    if (!(m.resourceRules ?? []).some((r) => ruleMatches(r, request))) return false;
    if ((m.excludeResourceRules ?? []).some((r) => ruleMatches(r, request))) return false;
    if (request.namespace) {
        const labels = ctx.namespaceLabels(request.namespace);
        if (!matchesSelector(webhookNamespaces, labels) || !matchesSelector(m.namespaceSelector, labels)) return false;
    }
    if (isNonEmptySelector(m.objectSelector)) {
        // The API server cannot read labels off PodExecOptions: a non-empty objectSelector never matches CONNECT.
        if (request.operation === "CONNECT") return false;
        const labels = (request.object?.metadata?.labels ?? request.oldObject?.metadata?.labels) as Record<string, string> | undefined;
        if (!matchesSelector(m.objectSelector, labels)) return false;
    }
    return true;
}

/** The `request` variable as admission.k8s.io/v1 AdmissionRequest JSON. */
function requestJson(r: AdmissionRequest): Json {
    return {
        operation: r.operation,
        kind: r.kind,
        resource: r.resource,
        ...(r.subResource ? { subResource: r.subResource } : {}),
        namespace: r.namespace ?? "",
        name: r.name,
        userInfo: r.userInfo,
    };
}

/** The object Kyverno hands CEL for CONNECT: PodExecOptions/PodAttachOptions with the namespace set. */
function celObject(r: AdmissionRequest): KubeObject | null {
    if (r.operation === "CONNECT") {
        const kind =
            r.subResource === "attach" ? "PodAttachOptions" : r.subResource === "portforward" ? "PodPortForwardOptions" : "PodExecOptions";
        return { ...r.object, apiVersion: "v1", kind, metadata: { name: "", namespace: r.namespace } };
    }
    return r.operation === "DELETE" ? null : r.object;
}

export class KyvernoEvaluator {
    private readonly cel: CelEngine;
    /** Images verified by some policy during the current request (for `required`). */
    private verified = new Set<string>();
    private signatures: SignatureModel = () => false;

    constructor(private readonly policies: { name: string; kind: string; spec: Json }[]) {
        const verify = celFunc("verifyImageSignatures", [CelScalar.STRING, listType(CelScalar.DYN)], CelScalar.INT, (image, attestors) => {
            if (!this.signatures(image)) return 0n;
            this.verified.add(image);
            return BigInt([...attestors].length);
        });
        this.cel = new CelEngine([verify]);
    }

    /** Every policy and autogen variant that would see this request, with its verdict when it fails. */
    evaluate(request: AdmissionRequest, ctx: PolicyContext, signatures: SignatureModel = () => false): KyvernoVerdict[] {
        if (kyvernoSkips(request)) return [];
        this.signatures = signatures;
        this.verified = new Set();
        const verdicts: KyvernoVerdict[] = [];
        const matchedImages = new Map<string, string[]>();
        for (const policy of this.policies) {
            for (const spec of [policy.spec, ...autogenVariants(policy.spec)]) {
                if (!matches(spec, request, ctx)) continue;
                const actions = (spec.validationActions as string[] | undefined) ?? ["Deny"];
                const failure = this.run(policy.kind, spec, request, ctx, matchedImages, policy.name);
                if (failure) verdicts.push({ policy: policy.name, actions, message: `Policy ${policy.name} ${failure}` });
                break; // a request matches the pod rule or one controller variant, never both
            }
        }
        // validationConfigurations.required (default true): every matched image must have been verified.
        for (const [policy, images] of matchedImages) {
            const unverified = images.filter((i) => !this.verified.has(i));
            // One denial per policy: a failed validation already says the image is not verified.
            if (unverified.length > 0 && !verdicts.some((v) => v.policy === policy)) {
                const p = this.policies.find((x) => x.name === policy)!;
                verdicts.push({
                    policy,
                    actions: (p.spec.validationActions as string[] | undefined) ?? ["Deny"],
                    message: `Policy ${policy} failed: image ${unverified[0]} is not verified: no policy performed a signature or attestation check on it`,
                });
            }
        }
        return verdicts;
    }

    /** `failed: <message>` or `error: <error>` when the policy refuses; undefined when it passes or is skipped. */
    private run(
        kind: string,
        spec: Json,
        request: AdmissionRequest,
        ctx: PolicyContext,
        matchedImages: Map<string, string[]>,
        policyName: string,
    ): string | undefined {
        const bindings: Record<string, unknown> = {
            object: celObject(request),
            oldObject: request.oldObject ?? null,
            request: requestJson(request),
            namespaceObject: request.namespace
                ? { metadata: { name: request.namespace, labels: ctx.namespaceLabels(request.namespace) } }
                : null,
        };
        const celBindings: Record<string, ReturnType<typeof toCel>> = Object.fromEntries(
            Object.entries(bindings).map(([k, v]) => [k, toCel(v)]),
        );
        if (kind === "ImageValidatingPolicy") {
            const refs = ((spec.matchImageReferences as { glob?: string }[] | undefined) ?? []).map((r) => imageGlob(r.glob ?? "*"));
            const byCategory = imagesByCategory(request);
            const filtered = Object.fromEntries(
                Object.entries(byCategory).map(([k, list]) => [k, list.filter((i) => refs.length === 0 || refs.some((re) => re.test(i)))]),
            );
            const all = Object.values(filtered).flat();
            if (all.length === 0) return undefined;
            const config = imageValidationConfig(spec);
            // verifyDigest after mutateDigest: a mutated tag carries its digest by then.
            const undigested = all.filter((i) => !hasDigest(i));
            if (config.verifyDigest && !config.mutateDigest && undigested.length > 0)
                return `failed: image ${undigested[0]} is not pinned by digest (verifyDigest) and mutateDigest is off`;
            if (config.required) matchedImages.set(policyName, all);
            celBindings.images = toCel(filtered);
            celBindings.attestors = toCel(
                Object.fromEntries(((spec.attestors as { name: string }[] | undefined) ?? []).map((a) => [a.name, a])),
            );
        }
        try {
            for (const c of (spec.matchConditions as { expression: string }[] | undefined) ?? []) {
                if (!this.cel.test(c.expression, celBindings)) return undefined;
            }
        } catch (err) {
            return `error: ${(err as Error).message}`;
        }
        const variables = new Map<string, CelValue>();
        const errors = new Map<string, string>();
        for (const v of (spec.variables as { name: string; expression: string }[] | undefined) ?? []) {
            try {
                variables.set(v.name, this.cel.evaluateRaw(v.expression, { ...celBindings, variables }));
            } catch (err) {
                errors.set(v.name, (err as Error).message);
            }
        }
        const validations = (spec.validations as { expression: string; message?: string; messageExpression?: string }[] | undefined) ?? [];
        for (const [i, v] of validations.entries()) {
            const broken = [...errors].find(([name]) => v.expression.includes(`variables.${name}`));
            if (broken) return `error: variable ${broken[0]}: ${broken[1]}`;
            let ok: unknown;
            try {
                ok = this.cel.evaluate(v.expression, { ...celBindings, variables });
            } catch (err) {
                return `error: ${(err as Error).message}`;
            }
            if (ok === false) return `failed: ${v.message || `CEL expression validation failed at index ${i}`}`;
        }
        return undefined;
    }
}
