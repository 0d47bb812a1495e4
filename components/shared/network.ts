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
