import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { managedBy } from "../shared/labels";
import { proxyScrapePolicy } from "../platform/proxy-metrics";
import { dnsEgress, inNamespace, privateRanges, tcp } from "../shared/network";
import type { Namespaces, PlatformNamespace } from "./namespaces";

type Spec = k8s.types.input.networking.v1.NetworkPolicySpec;

export interface NetworkBaselineArgs {
    namespaces: Namespaces;
    /** Namespace of istiod, for sidecars' xDS and certificate traffic (port 15012). */
    meshNamespace?: string;
    /** Namespace of Prometheus: it scrapes every sidecar's Envoy statistics (see platform/proxy-metrics.ts). */
    monitoringNamespace?: string;
    /**
     * ACME HTTP-01 in use: cert-manager creates its solver pods in the namespaces of the Ingresses
     * it certifies, and the ingress controller must reach them on 8089.
     */
    acmeHttp01?: { ingressNamespace: string; namespaces: string[] };
    /** Address of the cluster's node-local DNS cache, admitted beside kube-dns. @default undefined */
    nodeLocalDns?: string;
}

/**
 * The policies every application namespace gets, by layer. Exported so tests and the policy
 * pack can reason about the baseline without a cluster.
 */
export function baselinePolicies(
    ns: Pick<PlatformNamespace, "layer" | "mesh"> & { name?: string },
    args: Omit<NetworkBaselineArgs, "namespaces">,
): Record<string, Spec> {
    const policies: Record<string, Spec> = {
        // Nothing in, nothing out, until a policy below or an app's own policy allows it.
        "default-deny": { podSelector: {}, policyTypes: ["Ingress", "Egress"] },
        "allow-dns": { podSelector: {}, policyTypes: ["Egress"], egress: [dnsEgress(args.nodeLocalDns)] },
    };
    if (ns.layer === "amplifier") {
        // Maximum isolation: no ingress at all, egress only to DNS and HTTPS outside the cluster.
        policies["allow-https-egress"] = {
            podSelector: {},
            policyTypes: ["Egress"],
            egress: [{ to: [{ ipBlock: { cidr: "0.0.0.0/0", except: privateRanges } }], ports: [tcp(443)] }],
        };
        return policies;
    }
    if (ns.mesh !== "none" && args.meshNamespace) {
        policies["allow-mesh-control-plane"] = {
            podSelector: {},
            policyTypes: ["Egress"],
            egress: [
                { to: [{ ...inNamespace(args.meshNamespace), podSelector: { matchLabels: { app: "istiod" } } }], ports: [tcp(15012)] },
            ],
        };
    }
    if (ns.mesh === "sidecar" && args.meshNamespace && args.monitoringNamespace) {
        // Envoy's stats port on every sidecar; each app opens its own metrics port in its own policy.
        policies["allow-monitoring-scrape"] = proxyScrapePolicy(args.monitoringNamespace);
    }
    if (args.acmeHttp01?.namespaces.includes(ns.name ?? "")) {
        policies["allow-acme-http01-solver"] = {
            podSelector: { matchLabels: { "acme.cert-manager.io/http01-solver": "true" } },
            policyTypes: ["Ingress"],
            ingress: [{ from: [inNamespace(args.acmeHttp01.ingressNamespace)], ports: [tcp(8089)] }],
        };
    }
    // Nothing else is namespace-wide: Prometheus reaches each app's metrics port, and the data
    // layer's databases and brokers their peers, operator, API server and object store, through
    // the policies of the app or data service itself.
    return policies;
}

/**
 * Default-deny networking in every application namespace (every layer but monitoring, whose
 * Prometheus must reach all of them), plus the explicit allows the layer needs. Apps open their
 * own ports on top with their NetworkPolicies.
 */
export class NetworkBaseline extends pulumi.ComponentResource {
    /** Names of the namespaces that got the baseline. */
    readonly covered: string[];

    constructor(name: string, args: NetworkBaselineArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:guardrails:NetworkBaseline", name, {}, opts);
        const covered = Object.values(args.namespaces.all).filter((ns) => ns.layer !== "monitoring");
        for (const ns of covered) {
            for (const [policy, spec] of Object.entries(baselinePolicies(ns, args))) {
                new k8s.networking.v1.NetworkPolicy(
                    `${name}-${ns.name}-${policy}`,
                    {
                        metadata: {
                            name: policy,
                            namespace: ns.resource.metadata.name,
                            labels: { ...managedBy, "platform.io/baseline": "true" },
                        },
                        spec,
                    },
                    { parent: this },
                );
            }
        }
        this.covered = covered.map((ns) => ns.name);
        this.registerOutputs({ covered: this.covered });
    }
}
