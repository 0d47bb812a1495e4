import type { StackValidationPolicy } from "@pulumi/policy";

/**
 * Namespaces the platform manages for applications (labelled with their layer; the monitoring
 * layer excepted) are closed by default and admit pods by Pod Security Standards.
 */
const appNamespaces = (resources: Parameters<StackValidationPolicy["validateStack"]>[0]["resources"]) =>
    resources.filter(
        (r) =>
            r.type === "kubernetes:core/v1:Namespace" &&
            r.props.metadata?.labels?.["platform.io/layer"] &&
            r.props.metadata.labels["platform.io/layer"] !== "monitoring",
    );

export const defaultDenyNetworkPolicy: StackValidationPolicy = {
    name: "app-namespaces-default-deny",
    description: "Every application namespace has a default-deny NetworkPolicy for ingress and egress.",
    validateStack: (args, reportViolation) => {
        const policies = args.resources.filter((r) => r.type === "kubernetes:networking.k8s.io/v1:NetworkPolicy");
        for (const ns of appNamespaces(args.resources)) {
            const name = ns.props.metadata.name;
            const denyAll = policies.some((p) => {
                const spec = p.props.spec ?? {};
                const selectsAll =
                    Object.keys(spec.podSelector?.matchLabels ?? {}).length === 0 &&
                    (spec.podSelector?.matchExpressions ?? []).length === 0;
                const types: string[] = spec.policyTypes ?? [];
                return (
                    p.props.metadata?.namespace === name &&
                    selectsAll &&
                    types.includes("Ingress") &&
                    types.includes("Egress") &&
                    (spec.ingress ?? []).length === 0 &&
                    (spec.egress ?? []).length === 0
                );
            });
            if (!denyAll)
                reportViolation(
                    `namespace '${name}' has no default-deny NetworkPolicy (empty podSelector, Ingress and Egress, no rules)`,
                    ns.urn,
                );
        }
    },
};

export const podSecurityLabels: StackValidationPolicy = {
    name: "app-namespaces-pod-security",
    description: "Every application namespace enforces a Pod Security Standard: restricted, or an exception with a recorded reason.",
    validateStack: (args, reportViolation) => {
        for (const ns of appNamespaces(args.resources)) {
            const md = ns.props.metadata;
            const level = md.labels?.["pod-security.kubernetes.io/enforce"];
            if (!level) reportViolation(`namespace '${md.name}' has no pod-security.kubernetes.io/enforce label`, ns.urn);
            else if (level !== "restricted" && !md.annotations?.["platform.io/pod-security-exception"]) {
                reportViolation(`namespace '${md.name}' enforces '${level}' without a platform.io/pod-security-exception reason`, ns.urn);
            }
        }
    },
};

export const namespacePolicies = [defaultDenyNetworkPolicy, podSecurityLabels];
