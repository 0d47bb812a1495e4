import { z } from "zod";
import { lowerNumbers, weakens } from "./strength";
import { byteQuantity, cronSchedule, dnsLabel, duration, hostname, percentage, replicas, resources } from "./primitives";
import { appSecretSchema, envName } from "./secrets";

/** Image reference split into parts, so tag and digest rules can be checked one by one. */
export const imageSchema = z.strictObject({
    /** Registry and path without tag, e.g. `ghcr.io/acme/backend`. */
    repository: z
        .string()
        .regex(
            /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?(:[0-9]+)?(\/[a-z0-9._-]+)+$/,
            "must be a registry/path without tag or digest, such as 'ghcr.io/acme/backend'",
        ),
    /** An immutable version tag; `latest` is refused. */
    tag: z
        .string()
        .regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/, "must be an image tag such as '1.4.2'")
        .refine((t) => t !== "latest", "must not be 'latest': pin a version"),
    /** Content digest; required in production. */
    digest: weakens(
        z
            .string()
            .regex(/^sha256:[a-f0-9]{64}$/, "must be 'sha256:' followed by 64 hex characters")
            .optional(),
        ({ current }) => (current ? [undefined] : []),
    ),
});

const httpPath = z.string().regex(/^\/[A-Za-z0-9._~/-]*$/, "must be an HTTP path starting with '/'");

export const autoscalingSchema = z.discriminatedUnion("kind", [
    z.strictObject({
        kind: z.literal("hpa"),
        minReplicas: replicas,
        maxReplicas: replicas,
        /** Target average CPU utilisation in percent of requests. */
        cpuUtilization: percentage.optional(),
        /** Target average memory utilisation in percent of requests. */
        memoryUtilization: percentage.optional(),
    }),
    z.strictObject({
        kind: z.literal("keda"),
        minReplicas: z.number().int("must be a whole number").min(0, "must be at least 0").max(100),
        maxReplicas: replicas,
        /** KEDA triggers, written as the ScaledObject expects them (type + string metadata). */
        triggers: z
            .array(
                z.strictObject({
                    type: z.string().min(1),
                    metadata: z.record(z.string(), z.string()),
                }),
            )
            .min(1, "must declare at least one trigger"),
    }),
]);

const canaryStep = z.strictObject({
    /** Share of traffic/pods on the canary. */
    setWeight: percentage,
    /** How long to hold before the next step; omit to wait for manual promotion. */
    pause: duration.optional(),
});

export const postgresSchema = z.strictObject({
    /** PostgreSQL instances (1 primary + replicas). @default per-environment table */
    instances: weakens(z.number().int("must be a whole number").min(1, "must be at least 1").max(9).optional(), lowerNumbers(1, 3)),
    /** Volume size per instance. */
    storage: byteQuantity,
    /** Database and owner role name. @default app name with '-' replaced by '_' */
    database: z
        .string()
        .regex(/^[a-z_][a-z0-9_]{0,62}$/, "must be a PostgreSQL identifier (lowercase letters, digits, '_')")
        .optional(),
    /** Backup schedule (five-field cron, UTC). @default "0 2 * * *" (nightly) */
    backupSchedule: cronSchedule.optional(),
    /** Days of backups kept in the object store. @default per-environment table */
    retentionDays: weakens(z.number().int("must be a whole number").min(1, "must be at least 1").max(3650).optional(), ({ current }) =>
        current === undefined ? [30] : [Math.max(1, Math.floor(Number(current) / 2))],
    ),
    /** The app also reads from the replicas: it gets `DATABASE_READONLY_URL` (needs `instances` of 2 or more). @default false */
    readReplicas: z.boolean().default(false),
});

const kafkaOperation = z.enum(["Read", "Write", "Describe", "Create", "Delete", "Alter", "DescribeConfigs"]);

export const kafkaSchema = z.strictObject({
    /** The Kafka cluster this app owns; omit when `uses` names another app's cluster. */
    cluster: z
        .strictObject({
            brokers: weakens(z.number().int("must be a whole number").min(1, "must be at least 1").max(15), lowerNumbers(1, 1)),
            controllers: z.number().int("must be a whole number").min(1, "must be at least 1").max(9),
            storage: byteQuantity,
        })
        .optional(),
    /** Name of the app that owns the Kafka cluster this app connects to. */
    uses: dnsLabel.optional(),
    topics: z
        .array(
            z.strictObject({
                name: z.string().regex(/^[a-z0-9._-]{1,200}$/, "must be a Kafka topic name (lowercase, digits, '.', '_', '-')"),
                partitions: z.number().int("must be a whole number").min(1, "must be at least 1").max(1000),
                replicas: weakens(z.number().int("must be a whole number").min(1, "must be at least 1").max(15), lowerNumbers(1, 1)),
                /** Retention in hours. @default 168 */
                retentionHours: z.number().int().min(1).max(87600).optional(),
            }),
        )
        .default([]),
    /** What the app's KafkaUser may do, per topic (consumer groups are named after the app). */
    access: z
        .array(
            z.strictObject({
                topic: z.string().min(1),
                operations: z.array(kafkaOperation).min(1, "must list at least one operation"),
            }),
        )
        .default([]),
});

export const jobSchema = z.strictObject({
    name: dnsLabel,
    schedule: cronSchedule,
    /** Command run in the app's image (or `image` when set). */
    command: z.array(z.string().min(1)).min(1, "must have at least one element"),
    image: imageSchema.optional(),
    resources,
    /** @default 3600 */
    activeDeadlineSeconds: z.number().int().min(60).max(86400).optional(),
});

export const appSchema = z.strictObject({
    name: dnsLabel,
    /** Namespace the app runs in; must be one of `platform:namespaces`. */
    namespace: dnsLabel,
    /** Owning team, written to the required `platform.io/team` label. */
    team: dnsLabel,
    /** The system the app is part of (`app.kubernetes.io/part-of`). */
    partOf: dnsLabel,
    image: imageSchema,
    /** SBOM reference recorded as the `platform.io/sbom` annotation (URL or sha256 of the SBOM). */
    sbom: z.string().min(8, "must reference the image's SBOM (URL or sha256 digest)"),
    /** Container port the app listens on. */
    port: z.number().int("must be a whole number").min(1024, "must be at least 1024 (non-root)").max(65535),
    /** Wire protocol: `http` apps get HTTP probes and request alerts; `tcp` apps (caches, brokers) TCP probes. @default "http" */
    protocol: z.enum(["http", "tcp"]).default("http"),
    /**
     * Port and path Prometheus scrapes, separate from the app port so mTLS stays strict there;
     * `false` for an app that exposes no metrics (it still gets restart alerts).
     * @default { port: 9090, path: "/metrics" }
     */
    metrics: z
        .union([
            z.strictObject({
                port: z.number().int("must be a whole number").min(1024, "must be at least 1024 (non-root)").max(65535),
                path: httpPath.default("/metrics"),
            }),
            z.literal(false),
        ])
        .default({ port: 9090, path: "/metrics" }),
    /** Replicas when not autoscaled; with autoscaling, the count created before the autoscaler takes over. @default 1 */
    replicas: replicas.optional(),
    resources,
    /** Plain settings; never secrets (use `secrets`). */
    env: weakens(z.record(envName, z.string()).optional(), ({ current }) => [
        // A credential as a literal: by name nobody would notice, by content it is a secret.
        { ...((current as object | undefined) ?? {}), UPSTREAM: "postgresql://admin:Sup3rS3cret!@db.internal:5432/app" },
    ]),
    /** Secrets from a `platform:secretStores` store, each an ExternalSecret and env vars. @default [] */
    secrets: z.array(appSecretSchema).default([]),
    probes: z
        .strictObject({
            liveness: httpPath,
            readiness: httpPath,
            startup: httpPath.optional(),
        })
        .prefault({ liveness: "/healthz", readiness: "/readyz" }),
    /** Paths that need to be writable despite the read-only root filesystem. @default ["/tmp"] */
    writablePaths: z.array(httpPath).default(["/tmp"]),
    autoscaling: autoscalingSchema.optional(),
    /** Canary delivery through Argo Rollouts instead of a Deployment. */
    canary: z.strictObject({ steps: z.array(canaryStep).min(1, "must have at least one step") }).optional(),
    /** @default { maxUnavailable: 1 } when more than one replica */
    pdb: z
        .union([
            z.strictObject({ minAvailable: z.number().int().min(1, "must be at least 1") }),
            z.strictObject({ maxUnavailable: z.number().int().min(1, "must be at least 1") }),
        ])
        .optional(),
    /** Apps (by name) allowed to call this one; nothing else reaches it inside the cluster. */
    callers: z.array(dnsLabel).default([]),
    /** Public entry through the ingress controller. */
    ingress: z
        .strictObject({
            host: hostname,
            path: httpPath.default("/"),
            /** ingress-nginx `limit-rps` per client IP. @default 100 */
            rateLimitRps: z.number().int().min(1).max(100000).default(100),
            /** ingress-nginx `limit-connections` per client IP. @default 50 */
            rateLimitConnections: z.number().int().min(1).max(100000).default(50),
        })
        .optional(),
    /** HTTPS egress to the internet (port 443). @default false */
    internetEgress: z.boolean().default(false),
    postgres: postgresSchema.optional(),
    kafka: kafkaSchema.optional(),
    jobs: z.array(jobSchema).default([]),
    /** Alert thresholds for the app's PrometheusRule. */
    alerts: z
        .strictObject({
            /** Ratio of 5xx responses, in percent. @default 5 */
            errorRatePercent: z.number().min(0.1).max(100).default(5),
            /** p95 latency threshold in milliseconds. @default 500 */
            p95LatencyMs: z.number().int().min(1).max(600000).default(500),
            /** Container restarts in 15 minutes. @default 3 */
            restarts: z.number().int().min(1).max(1000).default(3),
        })
        .prefault({}),
    /** Mount the ServiceAccount token (off unless the app calls the Kubernetes API). @default false */
    automountServiceAccountToken: z.boolean().default(false),
    /** Hand the app's manifests to Argo CD (app-of-apps) instead of Pulumi. */
    gitops: z
        .strictObject({
            repoURL: z.url("must be a repository URL"),
            path: z.string().min(1),
            targetRevision: z.string().min(1),
        })
        .optional(),
});

export type AppConfig = z.infer<typeof appSchema>;

/**
 * The fewest pods the app runs: its replica count, or its autoscaler's minimum (at least one: a
 * KEDA ScaledObject scaled to zero has no pod to disrupt). The workloads and the disruption rule share it.
 */
export function minimumReplicas(app: Pick<AppConfig, "autoscaling" | "replicas">): number {
    return app.autoscaling ? Math.max(1, app.autoscaling.minReplicas) : (app.replicas ?? 1);
}
