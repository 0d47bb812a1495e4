import type { ResourceValidationPolicy } from "@pulumi/policy";
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

export const noUnnamedPublicLoadBalancer: ResourceValidationPolicy = {
    name: "no-unnamed-public-load-balancer",
    description:
        "A public LoadBalancer Service exists only where the stack's config names it (`allowed`: namespace/name -> why, filled from the stack file: ingress-nginx's controller, the Istio gateway when enabled as a LoadBalancer).",
    configSchema: {
        properties: { allowed: { type: "object", additionalProperties: { type: "string", minLength: 10 }, default: {} } },
    },
    validateResource: (args, reportViolation) => {
        const props = args.props as Props;
        if (args.type !== "kubernetes:core/v1:Service" || props.spec?.type !== "LoadBalancer") return;
        if (isInternal(props.metadata?.annotations)) return;
        const { allowed } = args.getConfig<{ allowed: Record<string, string> }>();
        const name = objectName(props);
        if (name in allowed) return;
        const named = Object.keys(allowed);
        reportViolation(
            `${name} is a public LoadBalancer that no host or stack config names (named: ${named.length ? named.join(", ") : "none"}): ` +
                "an entry point nobody asked for; make it ClusterIP, or name it in the stack file",
        );
    },
};

export const exposurePolicies = [noUnnamedPublicLoadBalancer];
