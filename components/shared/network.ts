/**
 * NetworkPolicy building blocks shared by the namespace baseline (guardrails) and the apps'
 * own policies (workloads).
 */

/** A NetworkPolicy peer matching a namespace by its immutable name label. */
export const inNamespace = (namespace: string) => ({ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": namespace } } });

/** A NetworkPolicy TCP port. */
export const tcp = (port: number) => ({ port, protocol: "TCP" });

/** Address space that is never "the internet" from inside a cluster. */
export const privateRanges = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "169.254.0.0/16"];

/**
 * Where pods resolve names: kube-dns (CoreDNS as kubeadm, kind and managed clusters label it), and
 * the node-local DNS cache when the cluster runs one. The cache listens on a link-local address
 * on every node, outside any pod a selector could match, so it is admitted as an address.
 */
export function dnsEgress(nodeLocalDns?: string) {
    return {
        to: [
            { ...inNamespace("kube-system"), podSelector: { matchLabels: { "k8s-app": "kube-dns" } } },
            ...(nodeLocalDns ? [{ ipBlock: { cidr: `${nodeLocalDns}/32` } }] : []),
        ],
        ports: [
            { port: 53, protocol: "UDP" },
            { port: 53, protocol: "TCP" },
        ],
    };
}

/** Address ranges and ports a pod may reach (the API server, an object store). */
export interface Destination {
    cidrs: string[];
    ports: number[];
}

/** An egress rule to a {@link Destination}. */
export const egressTo = (d: Destination) => ({ to: d.cidrs.map((cidr) => ({ ipBlock: { cidr } })), ports: d.ports.map(tcp) });

/** A NetworkPolicy peer: pods with these labels in the policy's own namespace. */
export const podsWith = (matchLabels: Record<string, string>) => ({ podSelector: { matchLabels } });

/** A NetworkPolicy peer: pods with these labels in another namespace. */
export const podsIn = (namespace: string, matchLabels: Record<string, string>) => ({
    ...inNamespace(namespace),
    podSelector: { matchLabels },
});

/**
 * What a data service's own NetworkPolicies need to know: where the API server is, which
 * namespace and pods its operator runs as, where Prometheus scrapes from.
 */
export interface DataNetwork {
    apiServer: Destination;
    /** Namespace and pod labels of the operator that manages the service. */
    operator?: { namespace: string; podLabels: Record<string, string> };
    monitoringNamespace?: string;
}
