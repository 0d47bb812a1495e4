import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { managedBy } from "../shared/labels";

/**
 * Gatekeeper ConstraintTemplates (CEL) and their constraints: required labels on workloads and
 * allowed image registries on pods. A constraint's kind exists only after Gatekeeper has
 * reconciled its template into a CRD, so each template waits for `status.created` and each
 * constraint depends on its template.
 */

/**
 * The templates' logic is CEL for Gatekeeper's `K8sNativeValidation` engine (stable since
 * Gatekeeper 3.18, on by default in chart 3.23): the same expressions run in Gatekeeper's
 * webhook and audit and in the ValidatingAdmissionPolicy Gatekeeper generates from each template,
 * so the API server enforces them natively. `variables.anyObject` and `variables.params` are the
 * engine's own variables (the object under review and the constraint's parameters). The
 * matching key is `matchCondition` (singular) in the engine's schema; none is needed here.
 */
export interface CelSource {
    variables: { name: string; expression: string }[];
    validations: { expression: string; messageExpression: string }[];
}

const requiredLabelsCel: CelSource = {
    variables: [
        {
            name: "labels",
            expression: "has(variables.anyObject.metadata.labels) ? variables.anyObject.metadata.labels : {}",
        },
        { name: "missing", expression: "variables.params.labels.filter(l, !(l in variables.labels))" },
    ],
    validations: [
        {
            expression: "size(variables.missing) == 0",
            messageExpression: "'missing required labels: ' + variables.missing.join(', ')",
        },
    ],
};

const allowedReposCel: CelSource = {
    variables: [
        {
            name: "containers",
            expression:
                "(has(variables.anyObject.spec.containers) ? variables.anyObject.spec.containers : []) + " +
                "(has(variables.anyObject.spec.initContainers) ? variables.anyObject.spec.initContainers : []) + " +
                "(has(variables.anyObject.spec.ephemeralContainers) ? variables.anyObject.spec.ephemeralContainers : [])",
        },
        {
            name: "disallowed",
            expression: "variables.containers.filter(c, !variables.params.repos.exists(r, c.image.startsWith(r)))",
        },
    ],
    validations: [
        {
            expression: "size(variables.disallowed) == 0",
            messageExpression:
                "'images not from an allowed registry (' + variables.params.repos.join(', ') + '): ' + " +
                "variables.disallowed.map(c, c.name + '=' + c.image).join(', ')",
        },
    ],
};

interface Template {
    kind: string;
    cel: CelSource;
    /** OpenAPI schema of the constraint's parameters. */
    parameters: Record<string, unknown>;
}

export const templates: Readonly<Record<string, Template>> = {
    k8srequiredlabels: {
        kind: "K8sRequiredLabels",
        cel: requiredLabelsCel,
        parameters: { type: "object", properties: { labels: { type: "array", items: { type: "string" } } } },
    },
    k8sallowedrepos: {
        kind: "K8sAllowedRepos",
        cel: allowedReposCel,
        parameters: { type: "object", properties: { repos: { type: "array", items: { type: "string" } } } },
    },
};

/** Workload kinds that must carry the required labels. */
export const labelledKinds = [
    { apiGroups: ["apps"], kinds: ["Deployment", "StatefulSet", "DaemonSet"] },
    { apiGroups: ["batch"], kinds: ["Job", "CronJob"] },
    { apiGroups: ["argoproj.io"], kinds: ["Rollout"] },
];

export interface GatekeeperConstraintsArgs {
    mode: "Audit" | "Enforce";
    excludedNamespaces: string[];
    requiredLabels: string[];
    allowedRegistries: string[];
    /** The Gatekeeper release (template CRD and webhook) and the releases constraints must not block. */
    dependsOn: pulumi.Resource[];
}

/** `deny` when enforcing, `dryrun` (audit results only) otherwise. */
export const enforcementAction = (mode: GatekeeperConstraintsArgs["mode"]) => (mode === "Enforce" ? "deny" : "dryrun");

export class GatekeeperConstraints extends pulumi.ComponentResource {
    constructor(name: string, args: GatekeeperConstraintsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:guardrails:GatekeeperConstraints", name, {}, opts);
        const constraint = (
            templateName: string,
            constraintName: string,
            match: Record<string, unknown>,
            parameters: Record<string, unknown>,
        ) => {
            const t = templates[templateName];
            const template = new k8s.apiextensions.CustomResource(
                `${name}-${templateName}-template`,
                {
                    apiVersion: "templates.gatekeeper.sh/v1",
                    kind: "ConstraintTemplate",
                    metadata: {
                        name: templateName,
                        labels: managedBy,
                        // Ready only once Gatekeeper has created the constraint CRD from it.
                        annotations: { "pulumi.com/waitFor": "jsonpath={.status.created}=true" },
                    },
                    spec: {
                        crd: { spec: { names: { kind: t.kind }, validation: { openAPIV3Schema: t.parameters } } },
                        targets: [{ target: "admission.k8s.gatekeeper.sh", code: [{ engine: "K8sNativeValidation", source: t.cel }] }],
                    },
                },
                { parent: this, dependsOn: args.dependsOn },
            );
            return new k8s.apiextensions.CustomResource(
                `${name}-${constraintName}`,
                {
                    apiVersion: "constraints.gatekeeper.sh/v1beta1",
                    kind: t.kind,
                    metadata: { name: constraintName, labels: managedBy },
                    spec: {
                        enforcementAction: enforcementAction(args.mode),
                        match: { ...match, excludedNamespaces: args.excludedNamespaces },
                        parameters,
                    },
                },
                { parent: this, dependsOn: [template] },
            );
        };
        constraint("k8srequiredlabels", "workloads-have-required-labels", { kinds: labelledKinds }, { labels: args.requiredLabels });
        constraint(
            "k8sallowedrepos",
            "images-from-allowed-registries",
            { kinds: [{ apiGroups: [""], kinds: ["Pod"] }] },
            { repos: args.allowedRegistries },
        );
        this.registerOutputs({});
    }
}
