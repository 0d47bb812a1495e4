import type { Json, KubeObject, RequestUser } from "../types";
import { serviceAccountUser } from "../types";

/**
 * What the Strimzi 1.2.0 cluster operator creates for a `kafka.strimzi.io/v1` Kafka with its
 * KafkaNodePools, with `STRIMZI_POD_SECURITY_PROVIDER_CLASS=restricted`. Read from
 * strimzi/strimzi-kafka-operator tag 1.2.0: cluster-operator/.../model/{KafkaCluster,KafkaPool,
 * EntityOperator,EntityTopicOperator,EntityUserOperator,NetworkPolicyUtils}.java,
 * api/.../RestrictedPodSecurityProvider.java (a container template's securityContext replaces
 * the provider's default entirely), BaselinePodSecurityProvider (fsGroup 0 with persistent storage),
 * the chart's _kafka_image_map.tpl and kafka-versions.yaml (default Kafka 4.3.1), KafkaExporter.java
 * and metrics/MetricsModel.java (port `tcp-prometheus` 9404 on Kafka nodes with `metricsConfig` and on the exporter).
 */

export interface StrimziInstallation {
    /** The cluster operator's identity (it creates Kafka pods and the entity operator Deployment). */
    operator: RequestUser;
    version: string;
    /** STRIMZI_NETWORK_POLICY_GENERATION (chart value generateNetworkPolicy). */
    generateNetworkPolicies: boolean;
}

export function strimziInstallation(namespace: string, version: string, values: Json): StrimziInstallation {
    return {
        operator: serviceAccountUser(namespace, "strimzi-cluster-operator"),
        version,
        generateNetworkPolicies: values.generateNetworkPolicy !== false,
    };
}

/** RestrictedPodSecurityProvider's context when no template sets one (no readOnlyRootFilesystem). */
const restrictedDefault = {
    allowPrivilegeEscalation: false,
    runAsNonRoot: true,
    seccompProfile: { type: "RuntimeDefault" },
    capabilities: { drop: ["ALL"] },
};

const securityOf = (template: Json | undefined, container: string): Json =>
    ((template?.[container] as Json | undefined)?.securityContext as Json | undefined) ?? restrictedDefault;

function poolTemplate(kafka: KubeObject, pool: KubeObject): Json {
    // Node pool template fields override the Kafka's spec.kafka.template field by field.
    const k = (((kafka.spec as Json).kafka as Json | undefined)?.template as Json | undefined) ?? {};
    const p = ((pool.spec as Json).template as Json | undefined) ?? {};
    return { ...k, ...p };
}

const persistent = (storage: Json | undefined) =>
    storage?.type === "persistent-claim" ||
    (storage?.type === "jbod" && ((storage.volumes as Json[] | undefined) ?? []).some((v) => v.type === "persistent-claim"));

/** Broker and controller pods `<cluster>-<pool>-<id>`, and the entity operator Deployment. */
export function strimziObjects(
    kafka: KubeObject,
    pools: KubeObject[],
    install: StrimziInstallation,
): { pods: KubeObject[]; deployments: KubeObject[]; networkPolicies: KubeObject[] } {
    const cluster = kafka.metadata.name;
    const namespace = kafka.metadata.namespace;
    const kspec = (kafka.spec as Json).kafka as Json;
    const version = (kspec.version as string | undefined) ?? "4.3.1";
    const rack = kspec.rack !== undefined;
    const kafkaImage = `quay.io/strimzi/kafka:${install.version}-kafka-${version}`;
    const operatorImage = `quay.io/strimzi/operator:${install.version}`;
    const crLabels = Object.fromEntries(
        Object.entries(kafka.metadata.labels ?? {}).filter(
            ([k]) => !k.startsWith("app.kubernetes.io/") || k === "app.kubernetes.io/part-of",
        ),
    );
    const pods: KubeObject[] = [];
    let nodeId = 0;
    for (const pool of pools) {
        const spec = pool.spec as Json;
        const roles = (spec.roles as string[]) ?? [];
        const broker = roles.includes("broker");
        const template = poolTemplate(kafka, pool);
        const podTemplate = (template.pod as Json | undefined) ?? {};
        const podSecurity =
            (podTemplate.securityContext as Json | undefined) ?? (persistent(spec.storage as Json) ? { fsGroup: 0 } : undefined);
        const poolLabels = Object.fromEntries(
            Object.entries(pool.metadata.labels ?? {}).filter(
                ([k]) => !k.startsWith("app.kubernetes.io/") || k === "app.kubernetes.io/part-of",
            ),
        );
        const ports = [
            { name: "tcp-kafkaagent", containerPort: 8443, protocol: "TCP" },
            ...(roles.includes("controller") ? [{ name: "tcp-ctrlplane", containerPort: 9090, protocol: "TCP" }] : []),
            ...(broker
                ? [
                      { name: "tcp-replication", containerPort: 9091, protocol: "TCP" },
                      ...((kspec.listeners as Json[] | undefined) ?? []).map((l) => ({
                          name: `tcp-${String(l.name)}`,
                          containerPort: Number(l.port),
                          protocol: "TCP",
                      })),
                  ]
                : []),
            ...(kspec.metricsConfig ? [{ name: "tcp-prometheus", containerPort: 9404, protocol: "TCP" }] : []),
        ];
        for (let i = 0; i < Number(spec.replicas ?? 1); i++, nodeId++) {
            const name = `${cluster}-${pool.metadata.name}-${nodeId}`;
            pods.push({
                apiVersion: "v1",
                kind: "Pod",
                metadata: {
                    name,
                    namespace,
                    labels: {
                        ...crLabels,
                        ...poolLabels,
                        ...(((podTemplate.metadata as Json | undefined)?.labels as Record<string, string> | undefined) ?? {}),
                        "strimzi.io/cluster": cluster,
                        "strimzi.io/kind": "Kafka",
                        "strimzi.io/name": `${cluster}-kafka`,
                        "strimzi.io/component-type": "kafka",
                        "strimzi.io/pool-name": pool.metadata.name,
                        "strimzi.io/broker-role": String(broker),
                        "strimzi.io/controller-role": String(roles.includes("controller")),
                        "strimzi.io/pod-name": name,
                        "app.kubernetes.io/name": "kafka",
                        "app.kubernetes.io/instance": cluster,
                        "app.kubernetes.io/managed-by": "strimzi-cluster-operator",
                    },
                },
                spec: {
                    automountServiceAccountToken: false,
                    serviceAccountName: `${cluster}-kafka`,
                    ...(podSecurity ? { securityContext: podSecurity } : {}),
                    ...(broker && rack
                        ? {
                              initContainers: [
                                  {
                                      name: "kafka-init",
                                      image: operatorImage,
                                      resources: spec.resources ?? undefined,
                                      securityContext: securityOf(template, "initContainer"),
                                  },
                              ],
                          }
                        : {}),
                    containers: [
                        {
                            name: "kafka",
                            image: kafkaImage,
                            ports,
                            resources: spec.resources ?? undefined,
                            securityContext: securityOf(template, "kafkaContainer"),
                        },
                    ],
                    volumes: [
                        { name: "data-0", persistentVolumeClaim: { claimName: `data-0-${name}` } },
                        { name: "kube-api-access", projected: { sources: [{ serviceAccountToken: { path: "token" } }] } },
                        { name: "strimzi-tmp", emptyDir: { medium: "Memory", sizeLimit: "5Mi" } },
                        { name: "kafka-metrics-and-logging", configMap: { name } },
                        { name: "ready-files", emptyDir: { medium: "Memory", sizeLimit: "1Ki" } },
                    ],
                },
            });
        }
    }

    const eo = (kafka.spec as Json).entityOperator as Json | undefined;
    const deployments: KubeObject[] = [];
    if (eo && (eo.topicOperator || eo.userOperator)) {
        const template = (eo.template as Json | undefined) ?? {};
        const container = (name: string, role: "topicOperator" | "userOperator", port: number) => {
            const r = (eo[role] as Json | undefined)?.resources;
            return {
                name,
                image: operatorImage,
                ports: [{ containerPort: port, name: `healthcheck-${role === "topicOperator" ? "to" : "uo"}`, protocol: "TCP" }],
                ...(r ? { resources: r } : {}),
                securityContext: securityOf(template, `${role}Container`),
            };
        };
        const labels = {
            ...crLabels,
            "strimzi.io/cluster": cluster,
            "strimzi.io/kind": "Kafka",
            "strimzi.io/name": `${cluster}-entity-operator`,
            "strimzi.io/component-type": "entity-operator",
            "app.kubernetes.io/name": "entity-operator",
            "app.kubernetes.io/instance": cluster,
            "app.kubernetes.io/managed-by": "strimzi-cluster-operator",
        };
        const podSecurity = ((template.pod as Json | undefined)?.securityContext as Json | undefined) ?? undefined;
        deployments.push({
            apiVersion: "apps/v1",
            kind: "Deployment",
            metadata: { name: `${cluster}-entity-operator`, namespace, labels },
            spec: {
                replicas: 1,
                selector: {
                    matchLabels: {
                        "strimzi.io/cluster": cluster,
                        "strimzi.io/kind": "Kafka",
                        "strimzi.io/name": `${cluster}-entity-operator`,
                    },
                },
                template: {
                    metadata: { labels },
                    spec: {
                        serviceAccountName: `${cluster}-entity-operator`,
                        ...(podSecurity ? { securityContext: podSecurity } : {}),
                        containers: [
                            ...(eo.topicOperator ? [container("topic-operator", "topicOperator", 8080)] : []),
                            ...(eo.userOperator ? [container("user-operator", "userOperator", 8081)] : []),
                        ],
                        volumes: [
                            { name: "kube-api-access", projected: { sources: [{ serviceAccountToken: { path: "token" } }] } },
                            { name: "strimzi-to-tmp", emptyDir: { medium: "Memory", sizeLimit: "5Mi" } },
                            { name: "strimzi-uo-tmp", emptyDir: { medium: "Memory", sizeLimit: "5Mi" } },
                        ],
                    },
                },
            },
        });
    }
    const exporter = (kafka.spec as Json).kafkaExporter as Json | undefined;
    if (exporter) deployments.push(kafkaExporterDeployment(kafka, exporter, kafkaImage, crLabels));
    return { pods, deployments, networkPolicies: install.generateNetworkPolicies ? generatedPolicies(kafka) : [] };
}

/**
 * The Kafka Exporter Deployment `<cluster>-kafka-exporter` (KafkaExporter.java): the Kafka image,
 * one container serving `tcp-prometheus` (9404), the spec's resources and container template's
 * security context (else the restricted default), a /tmp emptyDir and two Secret volumes (its
 * certificate, the cluster CA). It reads the brokers through `<cluster>-kafka-bootstrap:9091`.
 */
function kafkaExporterDeployment(kafka: KubeObject, exporter: Json, kafkaImage: string, crLabels: Record<string, string>): KubeObject {
    const cluster = kafka.metadata.name;
    const template = (exporter.template as Json | undefined) ?? {};
    const podTemplate = (template.pod as Json | undefined) ?? {};
    const labels = {
        ...crLabels,
        ...(((podTemplate.metadata as Json | undefined)?.labels as Record<string, string> | undefined) ?? {}),
        "strimzi.io/cluster": cluster,
        "strimzi.io/kind": "Kafka",
        "strimzi.io/name": `${cluster}-kafka-exporter`,
        "strimzi.io/component-type": "kafka-exporter",
        "app.kubernetes.io/name": "kafka-exporter",
        "app.kubernetes.io/instance": cluster,
        "app.kubernetes.io/managed-by": "strimzi-cluster-operator",
    };
    const podSecurity = (podTemplate.securityContext as Json | undefined) ?? undefined;
    return {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: `${cluster}-kafka-exporter`, namespace: kafka.metadata.namespace, labels },
        spec: {
            replicas: 1,
            selector: {
                matchLabels: { "strimzi.io/cluster": cluster, "strimzi.io/kind": "Kafka", "strimzi.io/name": `${cluster}-kafka-exporter` },
            },
            template: {
                metadata: { labels },
                spec: {
                    serviceAccountName: `${cluster}-kafka-exporter`,
                    ...(podSecurity ? { securityContext: podSecurity } : {}),
                    containers: [
                        {
                            name: `${cluster}-kafka-exporter`,
                            image: (exporter.image as string | undefined) ?? kafkaImage,
                            ports: [{ name: "tcp-prometheus", containerPort: 9404, protocol: "TCP" }],
                            ...(exporter.resources ? { resources: exporter.resources } : {}),
                            securityContext: securityOf(template, "container"),
                        },
                    ],
                    volumes: [
                        { name: "strimzi-tmp", emptyDir: { medium: "Memory", sizeLimit: "5Mi" } },
                        { name: "kafka-exporter-certs", secret: { secretName: `${cluster}-kafka-exporter-certs` } },
                        { name: "cluster-ca-certs", secret: { secretName: `${cluster}-cluster-ca-cert` } },
                    ],
                },
            },
        },
    };
}

/**
 * The NetworkPolicies the operator generates when generation is on: ingress only (no egress),
 * listener ports open to `networkPolicyPeers` or, without them, to every pod in the cluster.
 */
function generatedPolicies(kafka: KubeObject): KubeObject[] {
    const cluster = kafka.metadata.name;
    const namespace = kafka.metadata.namespace;
    const kafkaPods = { "strimzi.io/cluster": cluster, "strimzi.io/kind": "Kafka", "strimzi.io/name": `${cluster}-kafka` };
    const operator = { podSelector: { matchLabels: { "strimzi.io/kind": "cluster-operator" } }, namespaceSelector: {} };
    const kspec = (kafka.spec as Json).kafka as Json;
    const rule = (port: number, from?: Json[]) => ({ ports: [{ port, protocol: "TCP" }], ...(from ? { from } : {}) });
    const listenerRules = ((kspec.listeners as Json[] | undefined) ?? []).map((l) =>
        rule(Number(l.port), (l.networkPolicyPeers as Json[] | undefined)?.length ? (l.networkPolicyPeers as Json[]) : undefined),
    );
    return [
        {
            apiVersion: "networking.k8s.io/v1",
            kind: "NetworkPolicy",
            metadata: { name: `${cluster}-network-policy-kafka`, namespace },
            spec: {
                podSelector: { matchLabels: kafkaPods },
                ingress: [
                    rule(9090, [{ podSelector: { matchLabels: kafkaPods } }, operator]),
                    rule(9091, [
                        operator,
                        { podSelector: { matchLabels: kafkaPods } },
                        { podSelector: { matchLabels: { "strimzi.io/name": `${cluster}-entity-operator` } } },
                    ]),
                    rule(8443, [operator]),
                    ...listenerRules,
                ],
            },
        },
    ];
}
