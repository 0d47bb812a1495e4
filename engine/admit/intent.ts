import type { PlatformConfig } from "../../components/config";

/**
 * What the stack file declares about traffic: the ground truth the twin holds the program's
 * NetworkPolicies to. Which app calls which, which app uses which database and Kafka, where the
 * API server and object storage really are.
 */

export interface AppIntent {
    name: string;
    namespace: string;
    port: number;
    callers: string[];
    metricsPort?: number;
    postgres: boolean;
    /** The app that owns the Kafka cluster this app uses (itself for an owner). */
    kafkaOwner?: string;
    apiAccess: boolean;
    exposed: boolean;
}

export interface StackIntent {
    stack: string;
    kubernetesMinor: number;
    apiServer: { ip: string; ports: number[] };
    /** The node-local DNS cache pods resolve through, when the cluster runs one. */
    nodeLocalDns?: string;
    /** Where backups go, when the stack backs up. */
    objectStorage?: { ip: string; port: number };
    apps: AppIntent[];
    /** Namespaces by layer. */
    layers: Record<string, string[]>;
}

/** The first usable address of a CIDR (`10.0.0.0/16` -> `10.0.0.1`). */
export function firstAddress(cidr: string): string {
    const [ip] = cidr.split("/");
    if (ip.includes(":")) return ip.endsWith("::") ? `${ip}1` : ip;
    const parts = ip.split(".").map(Number);
    parts[3] = parts[3] + 1;
    return parts.join(".");
}

export function stackIntent(stack: string, config: PlatformConfig): StackIntent {
    const cluster = config.cluster as PlatformConfig["cluster"] & {
        kubernetesVersion?: string;
        apiServer?: { cidrs: string[]; ports: number[] };
    };
    const minor = Number(String(cluster.kubernetesVersion ?? "1.34").split(".")[1]);
    const apiServer = cluster.apiServer ?? { cidrs: ["10.0.0.0/8"], ports: [443, 6443] };
    const backup = config.backup as (PlatformConfig["backup"] & { endpointCidrs?: string[] }) | undefined;
    const layers: Record<string, string[]> = {};
    for (const [name, ns] of Object.entries(config.namespaces)) (layers[ns.layer] ??= []).push(name);
    return {
        stack,
        kubernetesMinor: minor,
        apiServer: { ip: firstAddress(apiServer.cidrs[0]), ports: apiServer.ports },
        nodeLocalDns: config.cluster.nodeLocalDns?.address,
        objectStorage:
            backup && config.apps.some((a) => a.postgres)
                ? { ip: backup.endpointCidrs?.length ? firstAddress(backup.endpointCidrs[0]) : "52.219.170.10", port: 443 }
                : undefined,
        apps: config.apps.map((a) => ({
            name: a.name,
            namespace: a.namespace,
            port: a.port,
            callers: a.callers,
            // A maximum-isolation namespace (the amplifier layer) is not even scraped.
            metricsPort: a.metrics && config.namespaces[a.namespace]?.layer !== "amplifier" ? a.metrics.port : undefined,
            postgres: a.postgres !== undefined,
            kafkaOwner: a.kafka ? (a.kafka.cluster ? a.name : a.kafka.uses) : undefined,
            apiAccess: a.automountServiceAccountToken,
            exposed: a.ingress !== undefined,
        })),
        layers,
    };
}
