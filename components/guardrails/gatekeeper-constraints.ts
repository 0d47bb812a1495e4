import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { managedBy } from "../shared/labels";

/**
 * Gatekeeper ConstraintTemplates and their constraints: required labels on workloads and
 * allowed image registries on pods. A constraint's kind exists only after Gatekeeper has
 * reconciled its template into a CRD, so each template waits for `status.created` and each
 * constraint depends on its template.
 */

const requiredLabelsRego = `package k8srequiredlabels

violation[{"msg": msg, "details": {"missing_labels": missing}}] {
  provided := {label | input.review.object.metadata.labels[label]}
  required := {label | label := input.parameters.labels[_]}
  missing := required - provided
  count(missing) > 0
  msg := sprintf("missing required labels: %v", [missing])
}
`;

const allowedReposRego = `package k8sallowedrepos

containers[c] { c := input.review.object.spec.containers[_] }
containers[c] { c := input.review.object.spec.initContainers[_] }
containers[c] { c := input.review.object.spec.ephemeralContainers[_] }

violation[{"msg": msg}] {
  c := containers[_]
  not startswith_any(c.image, input.parameters.repos)
  msg := sprintf("container <%v> image <%v> is not from an allowed registry: %v", [c.name, c.image, input.parameters.repos])
}

startswith_any(image, repos) { startswith(image, repos[_]) }
`;

interface Template {
    kind: string;
    rego: string;
    /** OpenAPI schema of the constraint's parameters. */
    parameters: Record<string, unknown>;
}

export const templates: Readonly<Record<string, Template>> = {
    k8srequiredlabels: {
        kind: "K8sRequiredLabels",
        rego: requiredLabelsRego,
        parameters: { type: "object", properties: { labels: { type: "array", items: { type: "string" } } } },
    },
    k8sallowedrepos: {
        kind: "K8sAllowedRepos",
        rego: allowedReposRego,
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
                        targets: [{ target: "admission.k8s.gatekeeper.sh", rego: t.rego }],
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
