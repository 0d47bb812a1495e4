import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import type { AppConfig } from "../config/apps";
import type { Environment } from "../config/primitives";
import type { SecretStoreConfig } from "../config/secrets";
import { managedBy } from "../shared/labels";
import { releaseNamespace } from "../shared/helm";

/** The ClusterSecretStore a configured store becomes: the environment is part of its name. */
export const clusterStoreName = (store: string, environment: Environment) => `${store}-${environment}`;

/** ServiceAccount a `kubernetes` store reads its namespace's Secrets as. */
export const kubernetesStoreReader = "external-secrets-reader";

/** The store's `spec.provider`, as external-secrets.io/v1 defines it. Exported for tests. */
export function storeProvider(store: SecretStoreConfig): Record<string, unknown> {
    switch (store.provider) {
        case "aws":
            // No `auth`: the controller's own identity (IRSA / Pod Identity on its ServiceAccount).
            return { aws: { service: store.service, region: store.region, ...(store.role ? { role: store.role } : {}) } };
        case "gcp":
            // No `auth`: the controller's workload identity.
            return { gcpsm: { projectID: store.projectID, ...(store.location ? { location: store.location } : {}) } };
        case "azure":
            return {
                azurekv: {
                    vaultUrl: store.vaultUrl,
                    authType: store.authType,
                    ...(store.identityId ? { identityId: store.identityId } : {}),
                    ...(store.tenantId ? { tenantId: store.tenantId } : {}),
                },
            };
        case "vault":
            // No serviceAccountRef: the controller logs in with its own ServiceAccount token.
            return {
                vault: {
                    server: store.server,
                    path: store.path,
                    version: store.version,
                    auth: { kubernetes: { mountPath: store.kubernetesAuth.mountPath, role: store.kubernetesAuth.role } },
                },
            };
        case "kubernetes":
            return {
                kubernetes: {
                    remoteNamespace: store.remoteNamespace,
                    server: {
                        url: "https://kubernetes.default.svc",
                        // Every namespace has the cluster CA published as this ConfigMap.
                        caProvider: { type: "ConfigMap", name: "kube-root-ca.crt", key: "ca.crt", namespace: store.remoteNamespace },
                    },
                    auth: { serviceAccount: { name: kubernetesStoreReader, namespace: store.remoteNamespace } },
                },
            };
    }
}

/** Namespaces whose apps read from `store`: the only ones the ClusterSecretStore serves. */
export function storeNamespaces(store: string, apps: AppConfig[], others: Record<string, string[]> = {}): string[] {
    return [
        ...new Set([...apps.filter((a) => a.secrets.some((s) => s.store === store)).map((a) => a.namespace), ...(others[store] ?? [])]),
    ].sort();
}

/** The Secrets (name -> keys) a seeded `kubernetes` store must hold for the apps that read it. */
export function seedSecrets(store: string, apps: AppConfig[]): Map<string, string[]> {
    const seeds = new Map<string, string[]>();
    for (const secret of apps.flatMap((a) => a.secrets).filter((s) => s.store === store)) {
        for (const entry of secret.data) {
            const keys = seeds.get(entry.key) ?? [];
            if (entry.property && !keys.includes(entry.property)) keys.push(entry.property);
            seeds.set(entry.key, keys);
        }
    }
    return seeds;
}

export interface SecretStoresArgs {
    environment: Environment;
    stores: Record<string, SecretStoreConfig>;
    /** Every app of the stack: which namespaces may use each store, and what a seeded store holds. */
    apps: AppConfig[];
    /** The External Secrets release: its CRDs, and the webhook that validates stores. */
    operator: pulumi.Resource;
    /** Platform namespaces that read a store besides the apps' (the monitoring namespace for alert receivers). @default {} */
    platformReaders?: Record<string, string[]>;
}

/**
 * One ClusterSecretStore per configured store, named `<store>-<environment>` and served only to
 * the namespaces of the apps that read from it. A `kubernetes` store (a laptop cluster) also gets
 * its namespace, a read-only ServiceAccount and, when `seed` is set, random values for every
 * Secret the apps reference.
 */
export class SecretStores extends pulumi.ComponentResource {
    /** Configured store name -> ClusterSecretStore name. */
    readonly names: Record<string, string> = {};
    /** Configured store name -> the store resource ExternalSecrets wait for. */
    readonly resources: Record<string, pulumi.Resource> = {};

    constructor(name: string, args: SecretStoresArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:platform:SecretStores", name, {}, opts);
        for (const [storeName, store] of Object.entries(args.stores)) {
            const reader = store.provider === "kubernetes" ? this.kubernetesSource(`${name}-${storeName}`, storeName, store, args) : [];
            const clusterName = clusterStoreName(storeName, args.environment);
            this.names[storeName] = clusterName;
            this.resources[storeName] = new k8s.apiextensions.CustomResource(
                `${name}-${storeName}`,
                {
                    apiVersion: "external-secrets.io/v1",
                    kind: "ClusterSecretStore",
                    metadata: { name: clusterName, labels: { ...managedBy, "platform.io/environment": args.environment } },
                    spec: {
                        provider: storeProvider(store),
                        conditions: [{ namespaces: storeNamespaces(storeName, args.apps, args.platformReaders) }],
                    },
                },
                { parent: this, dependsOn: [args.operator, ...reader] },
            );
        }
        this.registerOutputs({ names: this.names });
    }

    /** The namespace a `kubernetes` store reads, the identity it reads as, and optional seed Secrets. */
    private kubernetesSource(
        name: string,
        storeName: string,
        store: Extract<SecretStoreConfig, { provider: "kubernetes" }>,
        args: SecretStoresArgs,
    ): pulumi.Resource[] {
        const ns = releaseNamespace(`${name}-namespace`, { namespace: store.remoteNamespace, environment: args.environment }, this);
        const meta = { namespace: ns.metadata.name, labels: managedBy };
        const account = new k8s.core.v1.ServiceAccount(
            `${name}-reader`,
            { metadata: { ...meta, name: kubernetesStoreReader }, automountServiceAccountToken: false },
            { parent: this },
        );
        const role = new k8s.rbac.v1.Role(
            `${name}-reader-role`,
            {
                metadata: { ...meta, name: kubernetesStoreReader },
                rules: [{ apiGroups: [""], resources: ["secrets"], verbs: ["get", "list", "watch"] }],
            },
            { parent: this },
        );
        const binding = new k8s.rbac.v1.RoleBinding(
            `${name}-reader-binding`,
            {
                metadata: { ...meta, name: kubernetesStoreReader },
                roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: role.metadata.name },
                subjects: [{ kind: "ServiceAccount", name: account.metadata.name, namespace: store.remoteNamespace }],
            },
            { parent: this },
        );
        if (!store.seed) return [account, role, binding];
        for (const [secret, keys] of seedSecrets(storeName, args.apps)) {
            const values = Object.fromEntries(
                keys.map((key) => [
                    key,
                    new random.RandomPassword(`${name}-seed-${secret}-${key}`, { length: 32, special: false }, { parent: this }).result,
                ]),
            );
            // Values a developer sets later with kubectl are theirs: Pulumi only creates the Secret.
            new k8s.core.v1.Secret(
                `${name}-seed-${secret}`,
                { metadata: { ...meta, name: secret }, type: "Opaque", stringData: values },
                { parent: this, ignoreChanges: ["data", "stringData"] },
            );
        }
        return [account, role, binding];
    }
}
