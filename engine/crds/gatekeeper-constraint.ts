import type { StructuralSchema } from "./schemas";

/**
 * The CRD Gatekeeper generates for a ConstraintTemplate's constraint kind: the template's
 * `spec.crd.spec.validation.openAPIV3Schema` becomes `spec.parameters`, next to the fixed
 * `match` and the enforcement fields.
 *
 * Read from Gatekeeper v3.23.0 (the pinned chart 3.23.0): the constraint framework's
 * `constraint/pkg/client/crds/crds.go` (spec: `match`, `enforcementAction`,
 * `scopedEnforcementActions`, `parameters`; versions v1beta1 (stored), v1alpha1 and v1) and
 * `pkg/target/matchcrd_constant.go` (the Match object: kinds, scope, namespaces,
 * excludedNamespaces, labelSelector, namespaceSelector, name, source).
 */

export const constraintGroup = "constraints.gatekeeper.sh";
export const constraintVersions = ["v1beta1", "v1alpha1", "v1"];

const strings = { type: "array", items: { type: "string" } };

const labelSelector = {
    type: "object",
    properties: {
        matchLabels: { type: "object", additionalProperties: { type: "string" } },
        matchExpressions: {
            type: "array",
            items: {
                type: "object",
                required: ["key", "operator"],
                properties: { key: { type: "string" }, operator: { type: "string" }, values: strings },
            },
        },
    },
};

const match = {
    type: "object",
    properties: {
        kinds: {
            type: "array",
            items: { type: "object", properties: { apiGroups: strings, kinds: strings } },
        },
        scope: { type: "string", enum: ["*", "Cluster", "Namespaced"] },
        namespaces: strings,
        excludedNamespaces: strings,
        labelSelector,
        namespaceSelector: labelSelector,
        name: { type: "string" },
        source: { type: "string", enum: ["All", "Generated", "Original"] },
    },
};

/**
 * Without a schema in the template, `parameters` keeps anything (the framework marks it
 * `x-kubernetes-preserve-unknown-fields`); with one, the template's schema is structural as is.
 */
export function constraintSchema(parameters: StructuralSchema | undefined): StructuralSchema {
    return {
        type: "object",
        properties: {
            apiVersion: { type: "string" },
            kind: { type: "string" },
            metadata: { type: "object" },
            spec: {
                type: "object",
                properties: {
                    match,
                    enforcementAction: { type: "string" },
                    scopedEnforcementActions: {
                        type: "array",
                        items: { type: "object", "x-kubernetes-preserve-unknown-fields": true },
                    },
                    parameters: parameters ?? { "x-kubernetes-preserve-unknown-fields": true },
                },
            },
            status: { type: "object", "x-kubernetes-preserve-unknown-fields": true },
        },
    };
}
