import type * as k8s from "@pulumi/kubernetes";
import type { AppConfig } from "../config/apps";
import type { AppSecretConfig } from "../config/secrets";
import { clusterStoreSecretSpec } from "../shared/external-secret";

/**
 * Pure builders for what an app's containers receive to reach its data and secrets: environment
 * variables (plain settings as values, credentials through `secretKeyRef`, the Kafka CA through
 * `configMapKeyRef`) and the read-only CA volume. The AppCredentials component creates the
 * objects these refer to, in the app's namespace; tests call the builders directly.
 */

type EnvVar = k8s.types.input.core.v1.EnvVar;

/** What a container gets on top of its literal `env`: variables, and the volumes they point into. */
export interface PodConnections {
    env: EnvVar[];
    volumes: k8s.types.input.core.v1.Volume[];
    volumeMounts: k8s.types.input.core.v1.VolumeMount[];
}

export const noConnections: PodConnections = { env: [], volumes: [], volumeMounts: [] };

const value = (name: string, v: string): EnvVar => ({ name, value: v });
const fromSecret = (name: string, secret: string, key: string): EnvVar => ({ name, valueFrom: { secretKeyRef: { name: secret, key } } });

/** Names of the objects the platform writes into the app's namespace. */
export const connectionObjects = (app: string) => ({
    postgresSecret: `${app}-postgres`,
    kafkaSecret: `${app}-kafka`,
    kafkaCa: `${app}-kafka-ca`,
    secret: (name: string) => `${app}-${name}`,
});

/** Where the Kafka cluster CA is mounted, read-only, in every container of a Kafka client. */
export const kafkaCaDirectory = "/etc/platform/kafka";

export interface PostgresEndpoint {
    /** Read-write service FQDN (`<cluster>-rw.<ns>.svc.cluster.local`). */
    host: string;
    /** Replicas' service FQDN (`-ro`), when the app reads from them. */
    readOnlyHost?: string;
    port: number;
    database: string;
    user: string;
}

/** `postgresql://` URL; the password is URL-encoded (the generated ones are alphanumeric anyway). */
export function postgresUrl(endpoint: PostgresEndpoint, host: string, password: string): string {
    return `postgresql://${endpoint.user}:${encodeURIComponent(password)}@${host}:${endpoint.port}/${endpoint.database}?sslmode=require`;
}

/**
 * libpq's variables (every PostgreSQL client library reads them), plus `DATABASE_URL` and, with
 * read replicas, `DATABASE_READONLY_URL`. CloudNativePG serves TLS with its own CA: `require`
 * encrypts without pinning that CA.
 */
export function postgresEnv(app: string, endpoint: PostgresEndpoint): EnvVar[] {
    const secret = connectionObjects(app).postgresSecret;
    return [
        value("PGHOST", endpoint.host),
        value("PGPORT", String(endpoint.port)),
        value("PGDATABASE", endpoint.database),
        value("PGUSER", endpoint.user),
        fromSecret("PGPASSWORD", secret, "password"),
        value("PGSSLMODE", "require"),
        fromSecret("DATABASE_URL", secret, "uri"),
        ...(endpoint.readOnlyHost ? [fromSecret("DATABASE_READONLY_URL", secret, "readonly-uri")] : []),
    ];
}

export interface KafkaEndpoint {
    /** `host:port` of the bootstrap service, fully qualified. */
    bootstrap: string;
    username: string;
}

/**
 * Kafka client settings for the SCRAM-over-TLS listener, named after the client properties they
 * fill (`security.protocol`, `sasl.mechanism`, `sasl.jaas.config`, librdkafka's `ssl.ca.location`
 * and `ssl.ca.pem`). The CA is both a mounted file (kept current by the kubelet) and a variable.
 */
export function kafkaEnv(app: string, endpoint: KafkaEndpoint): EnvVar[] {
    const objects = connectionObjects(app);
    return [
        value("KAFKA_BOOTSTRAP_SERVERS", endpoint.bootstrap),
        value("KAFKA_SECURITY_PROTOCOL", "SASL_SSL"),
        value("KAFKA_SASL_MECHANISM", "SCRAM-SHA-512"),
        value("KAFKA_SASL_USERNAME", endpoint.username),
        fromSecret("KAFKA_SASL_PASSWORD", objects.kafkaSecret, "password"),
        fromSecret("KAFKA_SASL_JAAS_CONFIG", objects.kafkaSecret, "sasl.jaas.config"),
        value("KAFKA_SSL_CA_LOCATION", `${kafkaCaDirectory}/ca.crt`),
        { name: "KAFKA_SSL_CA_PEM", valueFrom: { configMapKeyRef: { name: objects.kafkaCa, key: "ca.crt" } } },
    ];
}

/** The JAAS line Java clients take as `sasl.jaas.config` (the same form Strimzi writes for its users). */
export function scramJaasConfig(username: string, password: string): string {
    return `org.apache.kafka.common.security.scram.ScramLoginModule required username="${username}" password="${password}";`;
}

export function kafkaCaVolume(app: string): Pick<PodConnections, "volumes" | "volumeMounts"> {
    return {
        volumes: [{ name: "kafka-ca", configMap: { name: connectionObjects(app).kafkaCa, items: [{ key: "ca.crt", path: "ca.crt" }] } }],
        volumeMounts: [{ name: "kafka-ca", mountPath: kafkaCaDirectory, readOnly: true }],
    };
}

/** One variable per entry of the app's `secrets`, each from the Secret its ExternalSecret writes. */
export function externalSecretEnv(app: AppConfig): EnvVar[] {
    return app.secrets.flatMap((s) => s.data.map((d) => fromSecret(d.env, connectionObjects(app.name).secret(s.name), d.env)));
}

/** The ExternalSecret for one of the app's secrets, reading from its ClusterSecretStore. */
export function externalSecretSpec(app: string, secret: AppSecretConfig, clusterStore: string): Record<string, unknown> {
    return clusterStoreSecretSpec({
        clusterStore,
        target: connectionObjects(app).secret(secret.name),
        refreshInterval: secret.refreshInterval,
        deletionPolicy: secret.deletionPolicy,
        data: secret.data.map((d) => ({ secretKey: d.env, key: d.key, property: d.property })),
    });
}
