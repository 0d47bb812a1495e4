import type { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { requiredRetentionDays, retentionDays } from "./compliance";
import { objectName } from "./k8s";

/** Data safety: databases and brokers survive mistakes and keep backups as long as the data demands. */

const cnpgCluster = "kubernetes:postgresql.cnpg.io/v1:Cluster";
const objectStore = "kubernetes:barmancloud.cnpg.io/v1:ObjectStore";
const scheduledBackup = "kubernetes:postgresql.cnpg.io/v1:ScheduledBackup";
const statefulTypes = [cnpgCluster, objectStore, "kubernetes:kafka.strimzi.io/v1:Kafka", "kubernetes:kafka.strimzi.io/v1:KafkaNodePool"];
const barmanPlugin = "barman-cloud.cloudnative-pg.io";

export const protectStatefulData: ResourceValidationPolicy = {
    name: "protect-stateful-data",
    description: "Database clusters, their backup stores and Kafka clusters are protected from deletion (mandatory for production stacks).",
    validateResource: (args, reportViolation) => {
        if (statefulTypes.includes(args.type) && !args.opts.protect) {
            reportViolation(
                `${args.type.split(":").pop()} ${objectName(args.props)} is not protected: a destroy or a rename would delete its data`,
            );
        }
    },
};

export const databaseBackups: StackValidationPolicy = {
    name: "database-backups-meet-retention",
    description:
        "Every database archives WAL to an object store, has a scheduled backup, and keeps backups as long as the stack's compliance profiles require.",
    configSchema: {
        properties: {
            complianceProfiles: { type: "array", items: { type: "string", enum: ["GDPR", "HIPAA", "PCI-DSS", "SOX"] }, default: [] },
            minimumRetentionDays: { type: "integer", minimum: 0, default: 0 },
        },
    },
    validateStack: (args, reportViolation) => {
        const config = args.getConfig<{ complianceProfiles: string[]; minimumRetentionDays: number }>();
        const floor = Math.max(config.minimumRetentionDays, requiredRetentionDays(config.complianceProfiles));
        const inNs = (type: string, ns: string) => args.resources.filter((r) => r.type === type && r.props.metadata?.namespace === ns);
        for (const cluster of args.resources.filter((r) => r.type === cnpgCluster)) {
            const md = cluster.props.metadata ?? {};
            const archiver = (cluster.props.spec?.plugins ?? []).find(
                (p: { name?: string; isWALArchiver?: boolean }) => p.name === barmanPlugin && p.isWALArchiver,
            );
            if (!archiver) {
                reportViolation(`Cluster ${objectName(cluster.props)} has no Barman Cloud WAL archiver: it has no backups`, cluster.urn);
                continue;
            }
            const storeName = archiver.parameters?.barmanObjectName;
            const store = inNs(objectStore, md.namespace).find((s) => s.props.metadata?.name === storeName);
            if (!store) {
                reportViolation(
                    `Cluster ${objectName(cluster.props)} archives to ObjectStore '${storeName}', which this stack does not define`,
                    cluster.urn,
                );
            } else {
                const days = retentionDays(store.props.spec?.retentionPolicy);
                if (days === undefined || days < floor) {
                    const why = config.complianceProfiles.length > 0 ? ` required by ${config.complianceProfiles.join(", ")}` : "";
                    reportViolation(
                        `ObjectStore ${objectName(store.props)} keeps backups ${store.props.spec?.retentionPolicy ?? "(no retention)"}, less than the ${floor} days${why}`,
                        store.urn,
                    );
                }
            }
            const backups = inNs(scheduledBackup, md.namespace).filter((b) => b.props.spec?.cluster?.name === md.name);
            if (backups.length === 0) {
                reportViolation(`Cluster ${objectName(cluster.props)} has no ScheduledBackup`, cluster.urn);
            } else if (backups.every((b) => b.props.spec?.suspend === true)) {
                // A backup that exists but never runs is no backup.
                reportViolation(`Cluster ${objectName(cluster.props)}'s scheduled backups are all suspended`, cluster.urn);
            }
        }
    },
};

export const kafkaDurability: ResourceValidationPolicy = {
    name: "kafka-durability",
    description:
        "Kafka keeps its volumes when pools are deleted and replicates data at least `minReplicationFactor` times with `minInSyncReplicas` in sync: the cluster's defaults and every topic.",
    configSchema: {
        properties: {
            minReplicationFactor: { type: "integer", minimum: 1, default: 1 },
            minInSyncReplicas: { type: "integer", minimum: 1, default: 1 },
        },
    },
    validateResource: (args, reportViolation) => {
        const { minReplicationFactor, minInSyncReplicas } = args.getConfig<{ minReplicationFactor: number; minInSyncReplicas: number }>();
        if (args.type === "kubernetes:kafka.strimzi.io/v1:KafkaTopic") {
            const replicas = Number(args.props.spec?.replicas ?? 1);
            const isr = Number(args.props.spec?.config?.["min.insync.replicas"] ?? 1);
            if (replicas < minReplicationFactor)
                reportViolation(`KafkaTopic ${objectName(args.props)} has ${replicas} replica(s), less than ${minReplicationFactor}`);
            if (isr < minInSyncReplicas)
                reportViolation(`KafkaTopic ${objectName(args.props)} needs ${isr} in-sync replica(s), less than ${minInSyncReplicas}`);
        }
        if (args.type === "kubernetes:kafka.strimzi.io/v1:KafkaNodePool") {
            for (const v of args.props.spec?.storage?.volumes ?? []) {
                if (v.deleteClaim !== false)
                    reportViolation(
                        `KafkaNodePool ${objectName(args.props)} volume ${v.id} would be deleted with the pool (deleteClaim is not false)`,
                    );
            }
        }
        if (args.type === "kubernetes:kafka.strimzi.io/v1:Kafka") {
            const factor = Number(args.props.spec?.kafka?.config?.["default.replication.factor"] ?? 1);
            const isr = Number(args.props.spec?.kafka?.config?.["min.insync.replicas"] ?? 1);
            if (factor < minReplicationFactor)
                reportViolation(`Kafka ${objectName(args.props)} replicates ${factor}x, less than ${minReplicationFactor}x`);
            if (isr < minInSyncReplicas)
                reportViolation(`Kafka ${objectName(args.props)} min.insync.replicas is ${isr}, less than ${minInSyncReplicas}`);
        }
    },
};

export const dataPolicies = [protectStatefulData, databaseBackups, kafkaDurability];
