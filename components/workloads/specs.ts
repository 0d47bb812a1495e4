import type * as k8s from "@pulumi/kubernetes";
import { minimumReplicas, type AppConfig } from "../config/apps";
import type { Environment, LogLevel } from "../config/primitives";
import { PerEnvironment } from "../shared/environment";
import type { PodConnections } from "./connections";
import { appLabels, containerSpec, imageRef, podAnnotations, podSpec, selectorLabels } from "./pod";

/**
 * Pure builders for the objects that run an app: its pod template, workload (Deployment or
 * Rollout), autoscaler, jobs, ingress and Argo CD Application. The Microservice component wires
 * them to resources; tests call them directly.
 */

/** Per-environment placement: production spreads replicas across zones and hosts. */
export const microserviceDefaults: PerEnvironment<{ spread: boolean }> = {
    dev: { spread: false },
    staging: { spread: false },
    production: { spread: true },
};

export interface WorkloadContext {
    app: AppConfig;
    environment: Environment;
    logLevel: LogLevel;
    /** Data connections and secrets every container of the app gets (servers and jobs alike). @default none */
    connections?: PodConnections;
}

/** The server pod: restricted, probed, SBOM-annotated, spread in production. */
export function podTemplate({ app, environment, logLevel, connections }: WorkloadContext): k8s.types.input.core.v1.PodTemplateSpec {
    return {
        metadata: { labels: appLabels(app), annotations: podAnnotations(app) },
        spec: podSpec({
            app,
            environment,
            serviceAccountName: app.name,
            spread: microserviceDefaults[environment].spread,
            connections,
            containers: [
                containerSpec({
                    app,
                    logLevel,
                    name: app.name,
                    image: imageRef(app.image),
                    resources: app.resources,
                    server: true,
                    connections,
                }),
            ],
        }),
    };
}

/**
 * Replica counts: without an autoscaler the stack's count; with one, the stack's count (or the
 * autoscaler's minimum) only seeds the first rollout.
 */
export function replicaCounts(app: AppConfig): { replicas: number; minimum: number } {
    const minimum = minimumReplicas(app);
    return { replicas: app.replicas ?? minimum, minimum };
}

/**
 * The app's PodDisruptionBudget, or none: the stack's budget (config validation keeps a
 * `minAvailable` below the minimum replica count), else `maxUnavailable: 1` once more than one
 * pod runs. A single-replica app without one gets no budget: it would protect nothing a drain
 * does not already restart elsewhere.
 */
export function disruptionBudget(app: AppConfig): { minAvailable: number } | { maxUnavailable: number } | undefined {
    if (app.pdb) return app.pdb;
    return minimumReplicas(app) > 1 ? { maxUnavailable: 1 } : undefined;
}

/** What an autoscaler targets: the Rollout for canary apps, the Deployment otherwise. */
export function scaleTarget(app: AppConfig): { apiVersion: string; kind: string; name: string } {
    return app.canary
        ? { apiVersion: "argoproj.io/v1alpha1", kind: "Rollout", name: app.name }
        : { apiVersion: "apps/v1", kind: "Deployment", name: app.name };
}

export function deploymentSpec(ctx: WorkloadContext): k8s.types.input.apps.v1.DeploymentSpec {
    return {
        replicas: replicaCounts(ctx.app).replicas,
        revisionHistoryLimit: 5,
        selector: { matchLabels: selectorLabels(ctx.app.name) },
        strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: "25%" } },
        template: podTemplate(ctx),
    };
}

/** An Argo Rollout with the app's canary steps between its stable and canary Services. */
export function rolloutSpec(ctx: WorkloadContext): Record<string, unknown> {
    const { app } = ctx;
    return {
        replicas: replicaCounts(app).replicas,
        revisionHistoryLimit: 5,
        selector: { matchLabels: selectorLabels(app.name) },
        template: podTemplate(ctx),
        strategy: {
            canary: {
                stableService: `${app.name}-stable`,
                canaryService: `${app.name}-canary`,
                maxUnavailable: 0,
                steps: canarySteps(app.canary?.steps ?? []),
            },
        },
    };
}

/** Stack-file steps (weight + optional pause) as Argo Rollouts canary steps. */
export function canarySteps(steps: { setWeight: number; pause?: string }[]): Record<string, unknown>[] {
    return steps.flatMap((s) => [{ setWeight: s.setWeight }, { pause: s.pause ? { duration: s.pause } : {} }]);
}

export function hpaSpec(app: AppConfig & { autoscaling: { kind: "hpa" } }): k8s.types.input.autoscaling.v2.HorizontalPodAutoscalerSpec {
    const a = app.autoscaling as Extract<AppConfig["autoscaling"], { kind: "hpa" }>;
    const metric = (name: "cpu" | "memory", averageUtilization: number) => ({
        type: "Resource",
        resource: { name, target: { type: "Utilization", averageUtilization } },
    });
    return {
        scaleTargetRef: scaleTarget(app),
        minReplicas: a.minReplicas,
        maxReplicas: a.maxReplicas,
        metrics: [
            ...(a.cpuUtilization ? [metric("cpu", a.cpuUtilization)] : []),
            ...(a.memoryUtilization ? [metric("memory", a.memoryUtilization)] : []),
        ],
    };
}

export function scaledObjectSpec(app: AppConfig & { autoscaling: { kind: "keda" } }): Record<string, unknown> {
    const a = app.autoscaling as Extract<AppConfig["autoscaling"], { kind: "keda" }>;
    return {
        scaleTargetRef: scaleTarget(app),
        minReplicaCount: a.minReplicas,
        maxReplicaCount: a.maxReplicas,
        pollingInterval: 30,
        cooldownPeriod: 300,
        triggers: a.triggers,
    };
}

/** A scheduled job of the app: its own pod (same security defaults), never overlapping, no sidecar. */
export function cronJobSpec(ctx: WorkloadContext, job: AppConfig["jobs"][number]): k8s.types.input.batch.v1.CronJobSpec {
    const { app } = ctx;
    const labels = appLabels(app, job.name);
    return {
        schedule: job.schedule,
        timeZone: "Etc/UTC",
        concurrencyPolicy: "Forbid",
        successfulJobsHistoryLimit: 3,
        failedJobsHistoryLimit: 3,
        jobTemplate: {
            metadata: { labels },
            spec: {
                backoffLimit: 2,
                activeDeadlineSeconds: job.activeDeadlineSeconds ?? 3600,
                ttlSecondsAfterFinished: 86400,
                template: {
                    // Jobs finish; a sidecar would keep the pod running forever.
                    metadata: { labels, annotations: { ...podAnnotations(app), "sidecar.istio.io/inject": "false" } },
                    spec: podSpec({
                        app,
                        environment: ctx.environment,
                        serviceAccountName: app.name,
                        spread: false,
                        restartPolicy: "Never",
                        connections: ctx.connections,
                        containers: [
                            containerSpec({
                                app,
                                logLevel: ctx.logLevel,
                                name: job.name,
                                image: imageRef(job.image ?? app.image),
                                command: job.command,
                                resources: job.resources,
                                server: false,
                                connections: ctx.connections,
                            }),
                        ],
                    }),
                },
            },
        },
    };
}

/** Ingress annotations: cert-manager issuer, HTTPS only, ingress-nginx rate limits, mesh upstream. */
export function ingressAnnotations(app: AppConfig, clusterIssuer: string, namespace: string, meshed: boolean): Record<string, string> {
    const rule = app.ingress!;
    return {
        "cert-manager.io/cluster-issuer": clusterIssuer,
        "nginx.ingress.kubernetes.io/force-ssl-redirect": "true",
        "nginx.ingress.kubernetes.io/limit-rps": String(rule.rateLimitRps),
        "nginx.ingress.kubernetes.io/limit-connections": String(rule.rateLimitConnections),
        // In the mesh, nginx (with its own sidecar) must address the Service, not pod IPs, so the
        // call goes through mTLS with the right authority.
        ...(meshed
            ? {
                  "nginx.ingress.kubernetes.io/service-upstream": "true",
                  "nginx.ingress.kubernetes.io/upstream-vhost": `${app.name}.${namespace}.svc.cluster.local`,
              }
            : {}),
    };
}

export function ingressSpec(app: AppConfig, className: string): k8s.types.input.networking.v1.IngressSpec {
    const rule = app.ingress!;
    return {
        ingressClassName: className,
        tls: [{ hosts: [rule.host], secretName: `${app.name}-tls` }],
        rules: [
            {
                host: rule.host,
                http: {
                    paths: [{ path: rule.path, pathType: "Prefix", backend: { service: { name: app.name, port: { number: app.port } } } }],
                },
            },
        ],
    };
}

/** An Argo CD Application that owns the app's manifests from Git, in the platform's AppProject. */
export function applicationSpec(app: AppConfig, project: unknown): Record<string, unknown> {
    const source = app.gitops!;
    return {
        project,
        source: { repoURL: source.repoURL, path: source.path, targetRevision: source.targetRevision },
        destination: { server: "https://kubernetes.default.svc", namespace: app.namespace },
        syncPolicy: {
            automated: { prune: true, selfHeal: true },
            syncOptions: ["CreateNamespace=false", "ServerSideApply=true", "PrunePropagationPolicy=foreground"],
            retry: { limit: 5, backoff: { duration: "10s", factor: 2, maxDuration: "5m" } },
        },
    };
}
