/** One value an ExternalSecret copies: the key it writes in the Secret, and where the value is in the store. */
export interface ExternalSecretEntry {
    secretKey: string;
    key: string;
    property?: string;
}

/**
 * An ExternalSecret spec (external-secrets.io/v1) that reads from a ClusterSecretStore into a
 * Secret it owns (`creationPolicy: Owner`): the one shape the apps' secrets and Alertmanager's
 * receiver credentials share.
 */
export function clusterStoreSecretSpec(args: {
    clusterStore: string;
    target: string;
    refreshInterval: string;
    deletionPolicy: "Retain" | "Delete";
    data: ExternalSecretEntry[];
}): Record<string, unknown> {
    return {
        refreshInterval: args.refreshInterval,
        secretStoreRef: { kind: "ClusterSecretStore", name: args.clusterStore },
        target: { name: args.target, creationPolicy: "Owner", deletionPolicy: args.deletionPolicy },
        data: args.data.map((d) => ({
            secretKey: d.secretKey,
            remoteRef: { key: d.key, ...(d.property ? { property: d.property } : {}) },
        })),
    };
}
