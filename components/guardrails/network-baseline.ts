import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { managedBy } from "../shared/labels";
import { inNamespace, privateRanges, tcp } from "../shared/network";
import type { Namespaces, PlatformNamespace } from "./namespaces";

type Spec = k8s.types.input.networking.v1.NetworkPolicySpec;

export interface NetworkBaselineArgs {
    namespaces: Namespaces;
    /** Namespace Prometheus scrapes from; omitted when monitoring is disabled. */
    monitoringNamespace?: string;
    /** Namespace of istiod, for sidecars' xDS and certificate traffic (port 15012). */
    meshNamespace?: string;
    /** Operator namespaces that reach into the data layer (CNPG status port, Strimzi). */
    dataOperatorNamespaces: string[];
}

/**
 * The policies every application namespace gets, by layer. Exported so tests and the policy
 * pack can reason about the baseline without a cluster.
 */
export function baselinePolicies(
    ns: Pick<PlatformNamespace, "layer" | "mesh">,
    args: Omit<NetworkBaselineArgs, "namespaces">,
): Record<string, Spec> {
    const policies: Record<string, Spec> = {
        // Nothing in, nothing out, until a policy below or an app's own policy allows it.
        "default-deny": { podSelector: {}, policyTypes: ["Ingress", "Egress"] },
        "allow-dns": {
            podSelector: {},
            policyTypes: ["Egress"],
            egress: [
                {
                    to: [{ ...inNamespace("kube-system"), podSelector: { matchLabels: { "k8s-app": "kube-dns" } } }],
                    ports: [
                        { port: 53, protocol: "UDP" },
                        { port: 53, protocol: "TCP" },
                    ],
                },
            ],
        },
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
    if (args.monitoringNamespace) {
        policies["allow-monitoring-scrape"] = {
            podSelector: {},
            policyTypes: ["Ingress"],
            ingress: [{ from: [inNamespace(args.monitoringNamespace)] }],
        };
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
    if (ns.layer === "data") {
        // Database and broker clusters replicate between their own pods, are managed by their
        // operators, talk to the Kubernetes API (instance managers, entity operators) and ship
        // backups to object storage over HTTPS.
        policies["allow-cluster-replication"] = {
            podSelector: {},
            policyTypes: ["Ingress", "Egress"],
            ingress: [{ from: [{ podSelector: {} }] }],
            egress: [{ to: [{ podSelector: {} }] }],
        };
        if (args.dataOperatorNamespaces.length > 0) {
            policies["allow-operators"] = {
                podSelector: {},
                policyTypes: ["Ingress"],
                ingress: [{ from: args.dataOperatorNamespaces.map(inNamespace) }],
            };
        }
        policies["allow-api-and-object-storage"] = { podSelector: {}, policyTypes: ["Egress"], egress: [{ ports: [tcp(443), tcp(6443)] }] };
    }
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
