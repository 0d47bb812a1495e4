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

/** A peer list that matches everything: absent or empty, or a peer selecting every namespace's pods or every address. */
function allowsAnything(peers: Record<string, unknown>[] | undefined): boolean {
    if (!peers || peers.length === 0) return true;
    const empty = (s: unknown) => !!s && typeof s === "object" && Object.keys(s as object).length === 0;
    return peers.some(
        (peer) =>
            (empty(peer.namespaceSelector) && (peer.podSelector === undefined || empty(peer.podSelector))) ||
            (["0.0.0.0/0", "::/0"].includes(String((peer.ipBlock as { cidr?: string; except?: unknown[] } | undefined)?.cidr ?? "")) &&
                !(peer.ipBlock as { except?: unknown[] }).except?.length),
    );
}

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
            // Effect, not presence: a rule that admits anything on any port undoes the default deny.
            for (const p of policies.filter((x) => x.props.metadata?.namespace === name)) {
                for (const [direction, rules, peersKey] of [
                    ["ingress", p.props.spec?.ingress ?? [], "from"],
                    ["egress", p.props.spec?.egress ?? [], "to"],
                ] as const) {
                    for (const rule of rules as Record<string, unknown>[]) {
                        if (
                            allowsAnything(rule[peersKey] as Record<string, unknown>[] | undefined) &&
                            !(rule.ports as unknown[] | undefined)?.length
                        )
                            reportViolation(
                                `NetworkPolicy ${name}/${p.props.metadata?.name} allows all ${direction} on every port: it undoes the namespace's default deny`,
                                p.urn,
                            );
                    }
                }
            }
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

export const noExternalServices: StackValidationPolicy = {
    name: "no-external-services-in-app-namespaces",
    description:
        "No LoadBalancer or NodePort Service in an application namespace: apps are reached through the ingress controller (behind the edge and its origin lock), never directly.",
    validateStack: (args, reportViolation) => {
        const names = new Set(appNamespaces(args.resources).map((ns) => ns.props.metadata.name));
        for (const s of args.resources.filter((r) => r.type === "kubernetes:core/v1:Service" && names.has(r.props.metadata?.namespace))) {
            const type = s.props.spec?.type;
            if (type === "LoadBalancer" || type === "NodePort")
                reportViolation(
                    `Service ${s.props.metadata.namespace}/${s.props.metadata.name} is a ${type}: it bypasses the ingress controller and the edge`,
                    s.urn,
                );
        }
    },
};

export const namespacePolicies = [defaultDenyNetworkPolicy, podSecurityLabels, noExternalServices];
