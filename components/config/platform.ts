import { z } from "zod";
import { byteQuantity, cidr, helmValues, hostname, prometheusDuration, replicas } from "./primitives";
import { weakens } from "./strength";

/**
 * Per-component switches and knobs for the platform Helm releases. Every component accepts
 * `enabled` and raw Helm `values` (deep-merged over the typed defaults, the user winning);
 * typed knobs cover what platform teams tune most. Unset knobs fall back to the component's
 * per-environment defaults table.
 */
const release = {
    /** @default true */
    enabled: z.boolean().optional(),
    /** Raw Helm values, deep-merged over the component's typed defaults. @default {} */
    // A raw override is where host access hides: the gate judges values by content.
    values: weakens(helmValues.optional(), ({ current }) => [{ ...((current as object | undefined) ?? {}), hostNetwork: true }]),
};

/** Admission controllers and the mesh: switching one off weakens the platform. */
const guardRelease = {
    ...release,
    /** @default true */
    enabled: weakens(z.boolean().optional(), ({ current }) => (current === false ? [] : [false])),
    /** Replicas of the component's main Deployment. @default per-environment table */
    replicas: replicas.optional(),
};

const haRelease = {
    ...release,
    /** Replicas of the component's main Deployment. @default per-environment table */
    replicas: replicas.optional(),
};

const exposed = {
    /** Publish the UI through the ingress controller with a cert-manager certificate. @default false */
    expose: z.boolean().optional(),
    /** Host for the UI; must sit under the platform domain. @default "<name>.<domain>" */
    host: hostname.optional(),
};

export const componentsSchema = z.strictObject({
    ingressNginx: z
        .strictObject({
            ...haRelease,
            /** Kubernetes Service type of the controller. @default "LoadBalancer" */
            serviceType: z.enum(["LoadBalancer", "NodePort"]).optional(),
        })
        .prefault({}),
    certManager: z.strictObject(haRelease).prefault({}),
    kyverno: z.strictObject(guardRelease).prefault({}),
    gatekeeper: z.strictObject(guardRelease).prefault({}),
    istio: z
        .strictObject({
            ...guardRelease,
            /** How workloads join the mesh. @default "sidecar" */
            dataplane: z.enum(["sidecar", "ambient"]).optional(),
            ingressGateway: z
                .strictObject({
                    /**
                     * Deploy the Istio ingress gateway: only for a stack that routes traffic through
                     * it (ingress-nginx is the platform's entry point). @default false
                     */
                    enabled: z.boolean().default(false),
                    /** Kubernetes Service type of the gateway; a LoadBalancer is a public entry point. @default "ClusterIP" */
                    serviceType: z.enum(["ClusterIP", "NodePort", "LoadBalancer"]).optional(),
                    /** Client ranges the LoadBalancer admits (serviceType LoadBalancer only). @default any */
                    loadBalancerSourceRanges: z.array(cidr).min(1, "must list at least one address range").optional(),
                    /** Minimum replicas of the gateway. @default per-environment table */
                    replicas: replicas.optional(),
                })
                .prefault({}),
        })
        .prefault({}),
    argocd: z.strictObject({ ...haRelease, ...exposed }).prefault({}),
    argoRollouts: z.strictObject(haRelease).prefault({}),
    keda: z.strictObject(haRelease).prefault({}),
    kubePrometheusStack: z
        .strictObject({
            ...release,
            /** Prometheus replicas. @default per-environment table */
            replicas: replicas.optional(),
            /** How long Prometheus keeps samples. @default per-environment table */
            retention: prometheusDuration.optional(),
            /** Prometheus volume size. @default per-environment table */
            storageSize: byteQuantity.optional(),
            grafana: z.strictObject(exposed).prefault({}),
        })
        .prefault({}),
    cloudnativePg: z.strictObject(haRelease).prefault({}),
    strimzi: z.strictObject(haRelease).prefault({}),
    externalSecrets: z.strictObject(haRelease).prefault({}),
});

export type ComponentsConfig = z.infer<typeof componentsSchema>;
export type ComponentName = keyof ComponentsConfig;
