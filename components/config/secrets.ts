import { z } from "zod";
import { dnsLabel, duration } from "./primitives";

/**
 * Where app secrets come from: the External Secrets Operator stores a stack declares, and the
 * secrets each app reads from them. The platform's own credentials (databases, Kafka) never go
 * through a store: Pulumi generates them and writes them where the app runs.
 */

/** An environment variable name, as a container's `env` accepts it. */
export const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "must be an environment variable name");

/**
 * Variables the platform sets itself on every container of an app, per data service it declares.
 * Config validation refuses `env` and `secrets` entries that would shadow them; the pod builder
 * writes exactly these (test/workloads.test.ts checks both sides).
 */
export const platformEnv = {
    always: ["LOG_LEVEL"],
    postgres: ["PGHOST", "PGPORT", "PGDATABASE", "PGUSER", "PGPASSWORD", "PGSSLMODE", "DATABASE_URL", "DATABASE_READONLY_URL"],
    kafka: [
        "KAFKA_BOOTSTRAP_SERVERS",
        "KAFKA_SECURITY_PROTOCOL",
        "KAFKA_SASL_MECHANISM",
        "KAFKA_SASL_USERNAME",
        "KAFKA_SASL_PASSWORD",
        "KAFKA_SASL_JAAS_CONFIG",
        "KAFKA_SSL_CA_LOCATION",
        "KAFKA_SSL_CA_PEM",
    ],
} as const;

/** Secret names (`<app>-<name>`) the platform writes into the app's namespace itself. */
export const reservedSecretNames = ["postgres", "kafka", "kafka-ca", "tls"] as const;

const awsStore = z.strictObject({
    provider: z.literal("aws"),
    /** @default "SecretsManager" */
    service: z.enum(["SecretsManager", "ParameterStore"]).default("SecretsManager"),
    region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-[0-9]$/, "must be an AWS region such as 'eu-central-1'"),
    /** IAM role to assume; without it the ESO controller's own identity (IRSA, Pod Identity) reads. */
    role: z
        .string()
        .regex(/^arn:aws[a-z-]*:iam::[0-9]{12}:role\/.+$/, "must be an IAM role ARN")
        .optional(),
});

const gcpStore = z.strictObject({
    provider: z.literal("gcp"),
    projectID: z.string().regex(/^[a-z][a-z0-9-]{4,28}[a-z0-9]$/, "must be a GCP project ID"),
    /** Regional secrets' location; omit for global secrets. */
    location: z.string().min(1).optional(),
});

const azureStore = z.strictObject({
    provider: z.literal("azure"),
    vaultUrl: z.url("must be the Key Vault URL such as 'https://acme.vault.azure.net'"),
    /** How the controller authenticates. @default "WorkloadIdentity" */
    authType: z.enum(["WorkloadIdentity", "ManagedIdentity"]).default("WorkloadIdentity"),
    /** Client ID of the user-assigned managed identity (ManagedIdentity only). */
    identityId: z.string().min(1).optional(),
    tenantId: z.string().min(1).optional(),
});

const vaultStore = z.strictObject({
    provider: z.literal("vault"),
    server: z.url("must be the Vault address such as 'https://vault.example.com:8200'"),
    /** Mount path of the KV engine. @default "secret" */
    path: z.string().min(1).default("secret"),
    /** KV engine version. @default "v2" */
    version: z.enum(["v1", "v2"]).default("v2"),
    /** Vault's Kubernetes auth: the ESO controller's ServiceAccount logs in with this role. */
    kubernetesAuth: z.strictObject({
        role: z.string().min(1),
        /** @default "kubernetes" */
        mountPath: z.string().min(1).default("kubernetes"),
    }),
});

const kubernetesStore = z.strictObject({
    provider: z.literal("kubernetes"),
    /** Namespace of this cluster the store reads Secrets from (created by the platform). */
    remoteNamespace: dnsLabel,
    /**
     * Create every Secret the apps reference in `remoteNamespace` with a random value, so a laptop
     * cluster comes up without a manual step; values set later with kubectl are kept. @default false
     */
    seed: z.boolean().default(false),
});

/** One secret store: becomes the ClusterSecretStore `<name>-<environment>`. */
export const secretStoreSchema = z.discriminatedUnion("provider", [awsStore, gcpStore, azureStore, vaultStore, kubernetesStore]);
export type SecretStoreConfig = z.infer<typeof secretStoreSchema>;

/** The stores of a stack, by name (`platform` is the one apps use unless they say otherwise). */
export const secretStoresSchema = z.record(dnsLabel, secretStoreSchema);

/** An app secret: one ExternalSecret, one Secret `<app>-<name>`, one env var per entry. */
export const appSecretSchema = z.strictObject({
    /** Names the ExternalSecret and the Secret it writes, `<app>-<name>`. */
    name: dnsLabel,
    /** Which of `platform:secretStores` to read from. @default "platform" */
    store: dnsLabel.default("platform"),
    /** How often ESO re-reads the store. @default "15m" */
    refreshInterval: duration.default("15m"),
    /** What happens to the Secret when its remote secret is deleted. @default "Retain" */
    deletionPolicy: z.enum(["Retain", "Delete"]).default("Retain"),
    data: z
        .array(
            z.strictObject({
                /** The environment variable, and the key in the Secret. */
                env: envName,
                /** The secret's name or path in the store. */
                key: z.string().min(1, "must name the secret in the store"),
                /** A field of a structured (JSON, KV) secret; for a kubernetes store, the key inside the Secret. */
                property: z.string().min(1).optional(),
            }),
        )
        .min(1, "must list at least one value"),
});
export type AppSecretConfig = z.infer<typeof appSecretSchema>;
