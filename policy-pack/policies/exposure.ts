import type { ResourceValidationPolicy } from "@pulumi/policy";
import { valuePathsWhere, valuesKey } from "./helm";
import { objectName, Props } from "./k8s";

/**
 * Exposure: a public load balancer is an entry point to the cluster, so one exists only where
 * the stack's config names it. The program creates none itself; the charts do (ingress-nginx's
 * controller, Istio's gateway, and any chart whose values ask for `service.type: LoadBalancer`),
 * which the offline gate sees as rendered objects (`npm run check -- --render`).
 */

/**
 * Annotations that keep a cloud load balancer on the private network: AWS (in-tree and the AWS
 * Load Balancer Controller), GKE and AKS. A Service carrying one has no public address.
 */
export const internalLoadBalancerAnnotations: Readonly<Record<string, readonly string[]>> = {
    "service.beta.kubernetes.io/aws-load-balancer-internal": ["true"],
    "service.beta.kubernetes.io/aws-load-balancer-scheme": ["internal"],
    "networking.gke.io/load-balancer-type": ["Internal"],
    "service.beta.kubernetes.io/azure-load-balancer-internal": ["true"],
};

const isInternal = (annotations: Record<string, string> | undefined) =>
    Object.entries(internalLoadBalancerAnnotations).some(([key, values]) => values.includes(String(annotations?.[key])));

/**
 * Paths in a release's values that ask for a public LoadBalancer Service (`server.service.type`),
 * at any depth; one whose sibling `annotations` make it internal is not public.
 */
export function loadBalancersIn(values: unknown): string[] {
    return valuePathsWhere(
        values,
        (k, v, parent) => k === "type" && v === "LoadBalancer" && !isInternal(parent.annotations as Record<string, string> | undefined),
    );
}

export const noUnnamedPublicLoadBalancer: ResourceValidationPolicy = {
    name: "no-unnamed-public-load-balancer",
    description:
        "A public LoadBalancer Service exists only where the stack's config names it (`allowed`: namespace/name -> why; `releases`: the releases whose values may ask for one; both filled from the stack file: ingress-nginx's controller, the Istio gateway when enabled as a LoadBalancer).",
    configSchema: {
        properties: {
            allowed: { type: "object", additionalProperties: { type: "string", minLength: 10 }, default: {} },
            releases: { type: "array", items: { type: "string" }, default: [] },
        },
    },
    validateResource: (args, reportViolation) => {
        const props = args.props as Props;
        const { allowed, releases } = args.getConfig<{ allowed: Record<string, string>; releases: string[] }>();
        const named = Object.keys(allowed);
        const namedText = `named: ${named.length ? named.join(", ") : "none"}`;
        // Without a render, a release's values are all the gate sees of the Services its chart makes.
        if (args.type === "kubernetes:helm.sh/v3:Release" && !releases.includes(String(props.name))) {
            for (const path of loadBalancersIn(props.values))
                reportViolation(
                    `release ${props.name}: values set ${path}: a public LoadBalancer that no host or stack config names (${namedText}) (stack file: ${valuesKey(String(props.name))})`,
                );
            return;
        }
        if (args.type !== "kubernetes:core/v1:Service" || props.spec?.type !== "LoadBalancer") return;
        if (isInternal(props.metadata?.annotations)) return;
        const name = objectName(props);
        if (name in allowed) return;
        reportViolation(
            `${name} is a public LoadBalancer that no host or stack config names (${namedText}): ` +
                "an entry point nobody asked for; make it ClusterIP, or name it in the stack file",
        );
    },
};

export const exposurePolicies = [noUnnamedPublicLoadBalancer];
