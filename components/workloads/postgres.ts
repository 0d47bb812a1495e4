import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import type { BackupConfig, BackupIdentity, BackupIdentityProvider, ComplianceProfile } from "../config/data";
import { defaultRetentionDays, requiredRetentionDays, storeProvider } from "../config/data";
import type { Environment } from "../config/primitives";
import { PerEnvironment, statefulProtection } from "../shared/environment";
import type { Monitoring } from "../shared/helm";
import { DataNetwork, Destination, egressTo, inNamespace, podsIn, podsWith, tcp } from "../shared/network";

/** The CNPG plugin name the Barman Cloud plugin registers under. */
export const barmanPluginName = "barman-cloud.cloudnative-pg.io";

interface Sizing {
    instances: number;
    resources: { requests: { cpu: string; memory: string }; limits: { cpu: string; memory: string } };
    /** Anti-affinity across zones (required) or hosts (preferred). */
    antiAffinity: { topologyKey: string; type: "required" | "preferred" };
}

export const postgresDefaults: PerEnvironment<Sizing> = {
    dev: {
        instances: 1,
        resources: { requests: { cpu: "100m", memory: "256Mi" }, limits: { cpu: "500m", memory: "512Mi" } },
        antiAffinity: { topologyKey: "kubernetes.io/hostname", type: "preferred" },
    },
    staging: {
        instances: 2,
        resources: { requests: { cpu: "250m", memory: "512Mi" }, limits: { cpu: "1", memory: "1Gi" } },
        antiAffinity: { topologyKey: "kubernetes.io/hostname", type: "preferred" },
    },
    production: {
        instances: 3,
        resources: { requests: { cpu: "1", memory: "2Gi" }, limits: { cpu: "2", memory: "4Gi" } },
        antiAffinity: { topologyKey: "topology.kubernetes.io/zone", type: "required" },
    },
};

export interface PostgresArgs {
    environment: Environment;
    /** The owning app; names the cluster `<app>-db`. */
    app: string;
    /** Namespace of the data layer the cluster runs in. */
    namespace: pulumi.Input<string>;
    /** Labels required on every workload (name, part-of, team); inherited by the operator's pods. */
    labels: Record<string, string>;
    /** @default postgresDefaults[environment].instances */
    instances?: number;
    storage: string;
    /** @default app name with '-' as '_' */
    database?: string;
    /** Five-field cron (UTC). @default "0 2 * * *" */
    backupSchedule?: string;
    /** @default max(defaultRetentionDays[environment], the compliance floor) */
    retentionDays?: number;
    /** Where backups go; without it the cluster has no backups (dev only, enforced by config). */
    backup?: { config: BackupConfig; credentialsSecret?: pulumi.Input<string> };
    compliance: readonly ComplianceProfile[];
    /** CloudNativePG operator and Barman Cloud plugin releases (the CRDs). */
    operator: pulumi.Resource[];
    monitoring?: Monitoring;
    /** The cluster's own traffic: API server, operator, scrapes; object storage comes from `backup`. */
    network: DataNetwork;
}

/** CNPG schedules have six fields (seconds first); stack files use the usual five. */
export function toCnpgSchedule(cron: string): string {
    return `0 ${cron.trim()}`;
}

/**
 * A CloudNativePG cluster for one app: generated credentials kept as Pulumi secrets, WAL
 * archiving and base backups through the Barman Cloud plugin, a nightly ScheduledBackup and a
 * PodMonitor. Protected and retained in production.
 */
export class Postgres extends pulumi.ComponentResource {
    readonly clusterName: string;
    /** Service the app connects to (read-write primary). */
    readonly host: string;
    /** Service of the replicas (CNPG's `-ro`), for apps that read from them. */
    readonly readOnlyHost: string;
    /** Database name, and the role that owns it (the app's user). */
    readonly database: string;
    /** The owner role's generated password (a Pulumi secret), for the app's own namespace. */
    readonly password: pulumi.Output<string>;
    readonly credentialsSecret: pulumi.Output<string>;

    constructor(name: string, args: PostgresArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:workloads:Postgres", name, {}, opts);
        const env = args.environment;
        const sizing = postgresDefaults[env];
        const keep = statefulProtection[env];
        const database = args.database ?? args.app.replace(/-/g, "_");
        this.database = database;
        this.clusterName = `${args.app}-db`;
        this.host = `${this.clusterName}-rw`;
        this.readOnlyHost = `${this.clusterName}-ro`;
        const labels = { ...args.labels, "app.kubernetes.io/component": "database" };
        const critical = { parent: this, dependsOn: args.operator, protect: keep.protect, retainOnDelete: keep.retainOnDelete };

        const password = new random.RandomPassword(
            `${name}-password`,
            { length: 32, special: false },
            { parent: this, protect: keep.protect },
        );
        const credentials = new k8s.core.v1.Secret(
            `${name}-credentials`,
            {
                metadata: { name: `${this.clusterName}-app`, namespace: args.namespace, labels },
                type: "kubernetes.io/basic-auth",
                stringData: { username: database, password: password.result },
            },
            { parent: this, protect: keep.protect, retainOnDelete: keep.retainOnDelete },
        );
        this.credentialsSecret = credentials.metadata.name;
        this.password = password.result;

        const plugins = [];
        if (args.backup) {
            // Unset retention defaults to the environment's, raised to the compliance floor.
            const retention = args.retentionDays ?? Math.max(defaultRetentionDays[env], requiredRetentionDays(args.compliance));
            const store = new k8s.apiextensions.CustomResource(
                `${name}-object-store`,
                {
                    apiVersion: "barmancloud.cnpg.io/v1",
                    kind: "ObjectStore",
                    metadata: {
                        name: `${this.clusterName}-backups`,
                        namespace: args.namespace,
                        labels,
                        annotations: { "platform.io/compliance": args.compliance.join(",") },
                    },
                    spec: {
                        configuration: objectStoreConfiguration(args.backup.config, args.backup.credentialsSecret, this.clusterName),
                        retentionPolicy: `${retention}d`,
                        instanceSidecarConfiguration: {
                            resources: { requests: { cpu: "50m", memory: "64Mi" }, limits: { cpu: "500m", memory: "256Mi" } },
                        },
                    },
                },
                critical,
            );
            plugins.push({ name: barmanPluginName, isWALArchiver: true, parameters: { barmanObjectName: store.metadata.name } });
        }

        const instances = args.instances ?? sizing.instances;
        const identity = workloadIdentity(args.backup?.config.credentials === "iam" ? args.backup.config.identity : undefined);
        const cluster = new k8s.apiextensions.CustomResource(
            `${name}-cluster`,
            {
                apiVersion: "postgresql.cnpg.io/v1",
                kind: "Cluster",
                metadata: { name: this.clusterName, namespace: args.namespace, labels },
                spec: {
                    instances,
                    primaryUpdateStrategy: "unsupervised",
                    enableSuperuserAccess: false,
                    bootstrap: { initdb: { database, owner: database, secret: { name: credentials.metadata.name } } },
                    storage: { size: args.storage },
                    resources: sizing.resources,
                    affinity: {
                        enablePodAntiAffinity: true,
                        topologyKey: sizing.antiAffinity.topologyKey,
                        podAntiAffinityType: sizing.antiAffinity.type,
                    },
                    inheritedMetadata: { labels: { ...labels, ...identity.podLabels } },
                    ...(Object.keys(identity.serviceAccountAnnotations).length > 0
                        ? { serviceAccountTemplate: { metadata: { annotations: identity.serviceAccountAnnotations } } }
                        : {}),
                    // A single instance under CNPG's primary budget (minAvailable 1) could never be
                    // evicted: every node drain would stop at it. With replicas, a drain switches over.
                    enablePDB: instances > 1,
                    plugins,
                },
            },
            critical,
        );

        if (args.backup) {
            new k8s.apiextensions.CustomResource(
                `${name}-scheduled-backup`,
                {
                    apiVersion: "postgresql.cnpg.io/v1",
                    kind: "ScheduledBackup",
                    metadata: { name: `${this.clusterName}-nightly`, namespace: args.namespace, labels },
                    spec: {
                        schedule: toCnpgSchedule(args.backupSchedule ?? "0 2 * * *"),
                        cluster: { name: cluster.metadata.name },
                        method: "plugin",
                        pluginConfiguration: { name: barmanPluginName },
                        backupOwnerReference: "self",
                        immediate: true,
                    },
                },
                { parent: this, dependsOn: [cluster], protect: keep.protect },
            );
        }

        if (args.monitoring) {
            // `spec.monitoring.enablePodMonitor` is deprecated in CNPG 1.30: create the PodMonitor directly.
            new k8s.apiextensions.CustomResource(
                `${name}-pod-monitor`,
                {
                    apiVersion: "monitoring.coreos.com/v1",
                    kind: "PodMonitor",
                    metadata: {
                        name: this.clusterName,
                        namespace: args.namespace,
                        labels: { ...labels, ...args.monitoring.selectorLabels },
                    },
                    spec: {
                        selector: { matchLabels: { "cnpg.io/cluster": this.clusterName } },
                        podMetricsEndpoints: [{ port: "metrics" }],
                    },
                },
                { parent: this, dependsOn: [args.monitoring.crds] },
            );
        }
        const objectStore = args.backup?.config.endpointCidrs
            ? { cidrs: args.backup.config.endpointCidrs, ports: [args.backup.config.endpointPort] }
            : undefined;
        for (const [policy, spec] of Object.entries(postgresNetworkPolicies(this.clusterName, args.network, objectStore))) {
            new k8s.networking.v1.NetworkPolicy(
                `${name}-${policy}`,
                { metadata: { name: `${this.clusterName}-${policy}`, namespace: args.namespace, labels }, spec },
                { parent: this },
            );
        }
        this.registerOutputs({ clusterName: this.clusterName, host: this.host, credentialsSecret: this.credentialsSecret });
    }
}

export function objectStoreConfiguration(
    config: BackupConfig,
    credentialsSecret: pulumi.Input<string> | undefined,
    cluster: string,
): Record<string, unknown> {
    const keys = config.credentials === "keys" && credentialsSecret !== undefined;
    return {
        destinationPath: `${config.destinationPath.replace(/\/$/, "")}/${cluster}`,
        ...(config.endpointURL ? { endpointURL: config.endpointURL } : {}),
        ...(keys
            ? {
                  s3Credentials: {
                      accessKeyId: { name: credentialsSecret, key: "ACCESS_KEY_ID" },
                      secretAccessKey: { name: credentialsSecret, key: "ACCESS_SECRET_KEY" },
                  },
              }
            : identityCredentials[storeProvider(config.destinationPath)]),
        wal: { compression: "gzip" },
        data: { compression: "gzip" },
    };
}

/**
 * How the Barman Cloud plugin's ObjectStore says "use the pod's cloud identity", per provider
 * (plugin-barman-cloud 0.7.0 ObjectStore CRD, spec.configuration: s3Credentials.inheritFromIAMRole,
 * googleCredentials.gkeEnvironment, azureCredentials.useDefaultAzureCredentials). Azure takes
 * `useDefaultAzureCredentials` (barman-cloud `--credential default`, Azure's DefaultAzureCredential
 * chain, which reads the token file and client id the workload-identity webhook injects), not
 * `inheritFromAzureAD`: that one is `--credential managed-identity`, the node's IMDS identity, which
 * a workload identity never reaches (plugin-barman-cloud docs, "Object Store Providers", Azure).
 */
const identityCredentials: Record<BackupIdentityProvider, Record<string, unknown>> = {
    aws: { s3Credentials: { inheritFromIAMRole: true } },
    gcp: { googleCredentials: { gkeEnvironment: true } },
    azure: { azureCredentials: { useDefaultAzureCredentials: true } },
};

/**
 * What ties the ServiceAccount CloudNativePG creates for the cluster (and so its instance pods,
 * where the plugin's sidecar ships WAL and base backups) to the cloud identity: EKS IRSA and GKE
 * Workload Identity read an annotation on the ServiceAccount; Azure Workload Identity also needs
 * the pod label its mutating webhook selects on (azure/azure-workload-identity docs, "Service
 * account labels and annotations"), which the Cluster's inheritedMetadata puts on the pods.
 */
export function workloadIdentity(identity: BackupIdentity | undefined): {
    serviceAccountAnnotations: Record<string, string>;
    podLabels: Record<string, string>;
} {
    switch (identity?.provider) {
        case "aws":
            return { serviceAccountAnnotations: { "eks.amazonaws.com/role-arn": identity.roleArn }, podLabels: {} };
        case "gcp":
            return { serviceAccountAnnotations: { "iam.gke.io/gcp-service-account": identity.serviceAccount }, podLabels: {} };
        case "azure":
            return {
                serviceAccountAnnotations: { "azure.workload.identity/client-id": identity.clientId },
                podLabels: { "azure.workload.identity/use": "true" },
            };
        default:
            return { serviceAccountAnnotations: {}, podLabels: {} };
    }
}

/**
 * The cluster's own traffic, and nothing more (the namespace denies everything by default; each
 * client app's access is its own policy): instances replicate on 5432 and run the isolation
 * check on 8000 among themselves (the join job streams from the primary); the operator reaches
 * every instance manager on 8000; Prometheus scrapes 9187; every pod of the cluster reaches the
 * API server; instances ship WAL and base backups to the object store. Read from cloudnative-pg
 * v1.30.0 (see engine/admit/models/cloudnative-pg.ts). Exported for tests.
 */
export function postgresNetworkPolicies(
    cluster: string,
    net: DataNetwork,
    objectStore: Destination | undefined,
): Record<string, k8s.types.input.networking.v1.NetworkPolicySpec> {
    const ofCluster = podsWith({ "cnpg.io/cluster": cluster });
    const instances = { matchLabels: { "cnpg.io/cluster": cluster, "cnpg.io/podRole": "instance" } };
    const ingress: k8s.types.input.networking.v1.NetworkPolicyIngressRule[] = [{ from: [ofCluster], ports: [tcp(5432), tcp(8000)] }];
    if (net.operator) ingress.push({ from: [podsIn(net.operator.namespace, net.operator.podLabels)], ports: [tcp(8000)] });
    if (net.monitoringNamespace)
        ingress.push({
            from: [inNamespace(net.monitoringNamespace)],
            ports: [tcp(9187)],
        });
    return {
        instances: { podSelector: instances, policyTypes: ["Ingress"], ingress },
        egress: {
            podSelector: { matchLabels: { "cnpg.io/cluster": cluster } },
            policyTypes: ["Egress"],
            egress: [{ to: [ofCluster], ports: [tcp(5432), tcp(8000)] }, egressTo(net.apiServer)],
        },
        ...(objectStore ? { backups: { podSelector: instances, policyTypes: ["Egress"], egress: [egressTo(objectStore)] } } : {}),
    };
}
