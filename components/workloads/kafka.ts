import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import type { Environment } from "../config/primitives";
import { PerEnvironment, statefulProtection } from "../shared/environment";
import { DataNetwork, egressTo, podsIn, podsWith, tcp } from "../shared/network";
import { managedBy } from "../shared/labels";
import type { Monitoring } from "../shared/helm";
import { kafkaClusterCa } from "./kafka-ca";
import { KafkaMonitoring } from "./kafka-monitoring";
import { jmxConfigKey, kafkaExporterSpec } from "./kafka-observability";

/**
 * Container security context for every Kafka container: the restricted profile plus a
 * read-only root (Strimzi mounts an emptyDir at /tmp). A user-supplied context replaces the
 * operator's whole default, so it is written out in full.
 */
export const kafkaContainerSecurity = {
    securityContext: {
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
        runAsNonRoot: true,
        capabilities: { drop: ["ALL"] },
        seccompProfile: { type: "RuntimeDefault" },
    },
};

/** Kafka version and KRaft metadata version Strimzi 1.2.0 defaults to. */
export const kafkaVersion = { version: "4.3.1", metadataVersion: "4.3-IV0" } as const;

type Resources = { requests: { cpu: string; memory: string }; limits: { cpu: string; memory: string } };

interface Sizing {
    broker: Resources;
    controller: Resources;
    /**
     * Each of the entity operator's containers (topic and user operator). Strimzi sets no
     * resources on them unless the Kafka resource does, and the platform requires limits on
     * every container (Kyverno applies its pod rules to the entity operator's Deployment).
     */
    entityOperator: Resources;
    /** Spread brokers across zones and tell Kafka about racks. */
    zoneAware: boolean;
}

export const kafkaDefaults: PerEnvironment<Sizing> = {
    dev: {
        broker: { requests: { cpu: "250m", memory: "1Gi" }, limits: { cpu: "1", memory: "1Gi" } },
        controller: { requests: { cpu: "100m", memory: "512Mi" }, limits: { cpu: "500m", memory: "512Mi" } },
        entityOperator: { requests: { cpu: "50m", memory: "256Mi" }, limits: { cpu: "500m", memory: "256Mi" } },
        zoneAware: false,
    },
    staging: {
        broker: { requests: { cpu: "500m", memory: "2Gi" }, limits: { cpu: "2", memory: "2Gi" } },
        controller: { requests: { cpu: "250m", memory: "1Gi" }, limits: { cpu: "1", memory: "1Gi" } },
        entityOperator: { requests: { cpu: "100m", memory: "384Mi" }, limits: { cpu: "500m", memory: "384Mi" } },
        zoneAware: false,
    },
    production: {
        broker: { requests: { cpu: "2", memory: "8Gi" }, limits: { cpu: "4", memory: "8Gi" } },
        controller: { requests: { cpu: "500m", memory: "2Gi" }, limits: { cpu: "1", memory: "2Gi" } },
        entityOperator: { requests: { cpu: "100m", memory: "512Mi" }, limits: { cpu: "1", memory: "512Mi" } },
        zoneAware: true,
    },
};

export interface KafkaTopicSpec {
    name: string;
    partitions: number;
    replicas: number;
    retentionHours?: number;
}

export interface KafkaAccess {
    /** App the KafkaUser belongs to (its consumer groups are prefixed with this name). */
    app: string;
    access: { topic: string; operations: string[] }[];
}

export interface KafkaClusterArgs {
    environment: Environment;
    /** Owning app; the cluster is named `<app>-kafka`. */
    app: string;
    namespace: pulumi.Input<string>;
    /** The namespace's name (what dashboards query by). */
    namespaceName: string;
    labels: Record<string, string>;
    brokers: number;
    controllers: number;
    storage: string;
    topics: KafkaTopicSpec[];
    /** Every app with access to this cluster (owner included), one KafkaUser each. */
    users: KafkaAccess[];
    /** The Strimzi release (the kafka.strimzi.io CRDs). */
    operator: pulumi.Resource;
    /** The cluster's own traffic (the operator's generated NetworkPolicies are off: the platform owns them). */
    network: DataNetwork;
    /** Metrics (JMX exporter and Kafka Exporter), their PodMonitor, scrape policies and dashboard. @default undefined (none) */
    monitoring?: Monitoring;
}

/** Port of the clients' listener: TLS, SCRAM-SHA-512 authentication (the apps' data paths open it). */
export const kafkaClientPort = 9093;

/** What a client app needs to connect: its SCRAM user and password (a Pulumi secret). */
export interface KafkaUserCredentials {
    username: string;
    password: pulumi.Output<string>;
}

/**
 * A KRaft Kafka cluster through Strimzi (`kafka.strimzi.io/v1`): separate controller and broker
 * node pools, a TLS listener with SCRAM-SHA-512 client authentication, a cluster CA the platform
 * supplies, simple ACL authorisation, and the topics and users the apps declare (each user's
 * password generated here). Volumes are never deleted with the cluster.
 */
export class KafkaCluster extends pulumi.ComponentResource {
    readonly clusterName: string;
    /** Name of the clients' bootstrap Service (in the cluster's namespace), listening on {@link kafkaClientPort}. */
    readonly bootstrapService: string;
    /** `service:port` of the clients' bootstrap service (in the cluster's namespace). */
    readonly bootstrap: string;
    /** PEM of the cluster CA that signs the brokers' certificates: what clients trust. */
    readonly caCertificate: pulumi.Output<string>;
    /** Each user's credentials, by app name. */
    readonly users: Record<string, KafkaUserCredentials> = {};

    constructor(name: string, args: KafkaClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:workloads:KafkaCluster", name, {}, opts);
        const sizing = kafkaDefaults[args.environment];
        const keep = statefulProtection[args.environment];
        this.clusterName = `${args.app}-kafka`;
        this.bootstrapService = `${this.clusterName}-kafka-bootstrap`;
        this.bootstrap = `${this.bootstrapService}:${kafkaClientPort}`;
        const clusterLabel = { ...args.labels, "strimzi.io/cluster": this.clusterName };
        const replication = Math.min(3, args.brokers);
        const stateful = { parent: this, dependsOn: [args.operator], protect: keep.protect, retainOnDelete: keep.retainOnDelete };

        const pool = (role: "controller" | "broker", replicas: number, storage: string) =>
            new k8s.apiextensions.CustomResource(
                `${name}-${role}s`,
                {
                    apiVersion: "kafka.strimzi.io/v1",
                    kind: "KafkaNodePool",
                    metadata: { name: `${role}s`, namespace: args.namespace, labels: clusterLabel },
                    spec: {
                        replicas,
                        roles: [role],
                        storage: {
                            type: "jbod",
                            volumes: [{ id: 0, type: "persistent-claim", size: storage, deleteClaim: false, kraftMetadata: "shared" }],
                        },
                        resources: sizing[role],
                        template: { kafkaContainer: kafkaContainerSecurity, initContainer: kafkaContainerSecurity },
                    },
                },
                stateful,
            );
        const pools = [pool("controller", args.controllers, "10Gi"), pool("broker", args.brokers, args.storage)];
        const ca = kafkaClusterCa(
            name,
            { cluster: this.clusterName, namespace: args.namespace, labels: args.labels, protection: keep },
            this,
        );
        this.caCertificate = ca.certificate;

        const observed = args.monitoring
            ? new KafkaMonitoring(
                  `${name}-monitoring`,
                  {
                      cluster: this.clusterName,
                      namespace: args.namespace,
                      namespaceName: args.namespaceName,
                      labels: args.labels,
                      monitoring: args.monitoring,
                  },
                  { parent: this },
              )
            : undefined;
        const kafka = new k8s.apiextensions.CustomResource(
            `${name}-cluster`,
            {
                apiVersion: "kafka.strimzi.io/v1",
                kind: "Kafka",
                metadata: { name: this.clusterName, namespace: args.namespace, labels: args.labels },
                spec: {
                    kafka: {
                        ...kafkaVersion,
                        listeners: [
                            { name: "tls", port: kafkaClientPort, type: "internal", tls: true, authentication: { type: "scram-sha-512" } },
                        ],
                        authorization: { type: "simple" },
                        ...(sizing.zoneAware ? { rack: { topologyKey: "topology.kubernetes.io/zone" } } : {}),
                        ...(observed
                            ? {
                                  metricsConfig: {
                                      type: "jmxPrometheusExporter",
                                      valueFrom: { configMapKeyRef: { name: observed.jmxConfigMap, key: jmxConfigKey } },
                                  },
                              }
                            : {}),
                        config: {
                            "default.replication.factor": replication,
                            "min.insync.replicas": Math.max(1, replication - 1),
                            "offsets.topic.replication.factor": replication,
                            "transaction.state.log.replication.factor": replication,
                            "transaction.state.log.min.isr": Math.max(1, replication - 1),
                            "auto.create.topics.enable": false,
                        },
                    },
                    entityOperator: {
                        topicOperator: { resources: sizing.entityOperator },
                        userOperator: { resources: sizing.entityOperator },
                        template: { topicOperatorContainer: kafkaContainerSecurity, userOperatorContainer: kafkaContainerSecurity },
                    },
                    ...(observed
                        ? {
                              kafkaExporter: kafkaExporterSpec(
                                  args.environment,
                                  args.topics.map((t) => t.name),
                                  args.users.map((u) => u.app),
                                  kafkaContainerSecurity,
                              ),
                          }
                        : {}),
                    // The platform supplies the cluster CA (kafka-ca.ts); Strimzi still issues the broker certificates.
                    clusterCa: { generateCertificateAuthority: false },
                },
            },
            { ...stateful, dependsOn: [args.operator, ...pools, ...ca.secrets, ...(observed ? [observed.configMap] : [])] },
        );

        for (const topic of args.topics) {
            new k8s.apiextensions.CustomResource(
                `${name}-topic-${topic.name.replace(/[._]/g, "-")}`,
                {
                    apiVersion: "kafka.strimzi.io/v1",
                    kind: "KafkaTopic",
                    metadata: { name: topic.name.replace(/[._]/g, "-"), namespace: args.namespace, labels: clusterLabel },
                    spec: {
                        topicName: topic.name,
                        partitions: topic.partitions,
                        replicas: topic.replicas,
                        config: {
                            "retention.ms": (topic.retentionHours ?? 168) * 3_600_000,
                            "min.insync.replicas": Math.max(1, Math.min(topic.replicas - 1, 2)),
                        },
                    },
                },
                { parent: this, dependsOn: [kafka], protect: keep.protect, retainOnDelete: keep.retainOnDelete },
            );
        }

        for (const user of args.users) {
            const password = new random.RandomPassword(
                `${name}-user-${user.app}-password`,
                { length: 32, special: false },
                { parent: this },
            );
            // The KafkaUser reads its SCRAM password from here; the app gets the same value in its namespace.
            const passwordSecret = new k8s.core.v1.Secret(
                `${name}-user-${user.app}-password`,
                {
                    metadata: { name: kafkaPasswordSecret(user.app), namespace: args.namespace, labels: { ...args.labels, ...managedBy } },
                    type: "Opaque",
                    stringData: { password: password.result },
                },
                { parent: this },
            );
            new k8s.apiextensions.CustomResource(
                `${name}-user-${user.app}`,
                {
                    apiVersion: "kafka.strimzi.io/v1",
                    kind: "KafkaUser",
                    metadata: { name: user.app, namespace: args.namespace, labels: clusterLabel },
                    spec: {
                        authentication: {
                            type: "scram-sha-512",
                            password: { valueFrom: { secretKeyRef: { name: passwordSecret.metadata.name, key: "password" } } },
                        },
                        authorization: { type: "simple", acls: kafkaAcls(user) },
                    },
                },
                { parent: this, dependsOn: [kafka] },
            );
            this.users[user.app] = { username: user.app, password: password.result };
        }
        for (const [policy, spec] of Object.entries(kafkaNetworkPolicies(this.clusterName, args.network))) {
            new k8s.networking.v1.NetworkPolicy(
                `${name}-${policy}-policy`,
                { metadata: { name: `${this.clusterName}-${policy}`, namespace: args.namespace, labels: args.labels }, spec },
                { parent: this },
            );
        }
        this.registerOutputs({ clusterName: this.clusterName, bootstrap: this.bootstrap });
    }
}

/** Secret (in the cluster's namespace) holding a user's SCRAM password; Strimzi writes its own Secret named after the user. */
export const kafkaPasswordSecret = (app: string) => `${app}-kafka-password`;

/** ACLs for one app: what it declared per topic, plus its own consumer groups. Exported for tests. */
export function kafkaAcls(user: KafkaAccess): Record<string, unknown>[] {
    const topics = user.access.map((a) => ({
        resource: { type: "topic", name: a.topic, patternType: "literal" },
        operations: a.operations,
    }));
    const reads = user.access.some((a) => a.operations.includes("Read"));
    const groups = reads ? [{ resource: { type: "group", name: user.app, patternType: "prefix" }, operations: ["Read", "Describe"] }] : [];
    return [...topics, ...groups];
}

/**
 * The cluster's own traffic, in place of the policies Strimzi would generate (whose listener
 * rule admits every pod in the cluster; generation is off, see strimzi.ts): controllers on 9090
 * from the cluster's nodes and the operator; replication on 9091 from the nodes, the operator
 * and the entity operator; the Kafka agent on 8443 from the operator only. Nodes and the entity
 * operator reach each other and the API server (certificates are read from Secrets at run time).
 * Each client app's access to the listener is its own policy. Read from strimzi 1.2.0 (see
 * engine/admit/models/strimzi.ts). Exported for tests.
 */
export function kafkaNetworkPolicies(cluster: string, net: DataNetwork): Record<string, k8s.types.input.networking.v1.NetworkPolicySpec> {
    const nodes = { "strimzi.io/cluster": cluster, "strimzi.io/name": `${cluster}-kafka` };
    const entity = { "strimzi.io/cluster": cluster, "strimzi.io/name": `${cluster}-entity-operator` };
    const operator = net.operator ? [podsIn(net.operator.namespace, net.operator.podLabels)] : [];
    return {
        nodes: {
            podSelector: { matchLabels: nodes },
            policyTypes: ["Ingress", "Egress"],
            ingress: [
                { from: [podsWith(nodes), ...operator], ports: [tcp(9090)] },
                { from: [podsWith(nodes), podsWith(entity), ...operator], ports: [tcp(9091)] },
                ...(operator.length ? [{ from: operator, ports: [tcp(8443)] }] : []),
            ],
            egress: [{ to: [podsWith(nodes)], ports: [tcp(9090), tcp(9091)] }, egressTo(net.apiServer)],
        },
        "entity-operator": {
            podSelector: { matchLabels: entity },
            policyTypes: ["Egress"],
            egress: [{ to: [podsWith(nodes)], ports: [tcp(9091)] }, egressTo(net.apiServer)],
        },
    };
}
