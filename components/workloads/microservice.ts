import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { AppConfig } from "../config/apps";
import type { Environment, LogLevel } from "../config/primitives";
import { PerEnvironment } from "../shared/environment";
import type { Monitoring } from "../shared/helm";
import { AccessArgs, authorizationPolicySpec, dataAccessPolicySpec, networkPolicySpec, peerAuthenticationSpec } from "./access";
import { dashboardJson, prometheusRuleSpec, serviceMonitorSpec } from "./observability";
import { appLabels, containerSpec, imageRef, podAnnotations, podSpec, selectorLabels } from "./pod";

/** What the platform offers an app; each piece is the release that owns the CRDs it needs. */
export interface PlatformServices {
    monitoring?: Monitoring;
    /** Argo Rollouts release (Rollout CRD). */
    rollouts?: pulumi.Resource;
    /** KEDA release (ScaledObject CRD). */
    keda?: pulumi.Resource;
    /**
     * Istio: what mesh policies need (the CRDs, and istiod whose webhook validates them) and what
     * must run before meshed pods start (istiod injects sidecars, the CNI agent wires them).
     */
    mesh?: { policies: pulumi.Resource[]; ready: pulumi.Resource[] };
    /** ingress-nginx: class, controller identity, and the release whose webhook validates Ingresses. */
    ingress?: { className: string; namespace: string; principal: string; controller: pulumi.Resource; clusterIssuer: string };
    /** Argo CD for apps handed to GitOps. */
    gitops?: { crds: pulumi.Resource; namespace: string; project: pulumi.Input<string> };
}

export interface MicroserviceArgs {
    environment: Environment;
    logLevel: LogLevel;
    app: AppConfig;
    /**
     * The app's namespace: its name, the Namespace resource, whether its pods join the mesh, and
     * whether it admits any traffic at all (a maximum-isolation namespace is not even scraped).
     */
    namespace: { name: string; resource: k8s.core.v1.Namespace; meshed: boolean; isolated: boolean };
    access: Omit<AccessArgs, "app" | "namespace" | "ingressNamespace" | "monitoringNamespace">;
    platform: PlatformServices;
}

/** Per-environment placement: production spreads replicas across zones and hosts. */
export const microserviceDefaults: PerEnvironment<{ spread: boolean }> = {
    dev: { spread: false },
    staging: { spread: false },
    production: { spread: true },
};

/**
 * One app as the platform runs it: identity, workload (Deployment, or an Argo Rollout canary),
 * Service, autoscaling, disruption budget, network and mesh policy, monitoring and dashboard,
 * optional public ingress and scheduled jobs. An app handed to GitOps keeps its security and
 * monitoring objects in Pulumi while Argo CD owns its workload manifests.
 */
export class Microservice extends pulumi.ComponentResource {
    readonly serviceName: string;
    readonly host?: string;

    constructor(name: string, args: MicroserviceArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:workloads:Microservice", name, {}, opts);
        const { app, platform } = args;
        const ns = args.namespace.resource.metadata.name;
        const labels = appLabels(app);
        const child = { parent: this };
        this.serviceName = app.name;

        const access: AccessArgs = {
            ...args.access,
            app,
            namespace: args.namespace.name,
            ingressNamespace: app.ingress && platform.ingress ? platform.ingress.namespace : undefined,
            monitoringNamespace: args.namespace.isolated ? undefined : platform.monitoring?.namespace,
        };
        new k8s.networking.v1.NetworkPolicy(
            `${name}-network-policy`,
            { metadata: { name: app.name, namespace: ns, labels }, spec: networkPolicySpec(access) },
            child,
        );
        access.data.forEach((path, i) => {
            new k8s.networking.v1.NetworkPolicy(
                `${name}-data-access-${i}`,
                {
                    metadata: { name: `allow-${app.name}-${i}`, namespace: path.namespace, labels },
                    spec: dataAccessPolicySpec({ name: app.name, namespace: args.namespace.name }, path),
                },
                child,
            );
        });

        if (args.namespace.meshed && platform.mesh) {
            const meshOpts = { parent: this, dependsOn: platform.mesh.policies };
            new k8s.apiextensions.CustomResource(
                `${name}-authorization`,
                {
                    apiVersion: "security.istio.io/v1",
                    kind: "AuthorizationPolicy",
                    metadata: { name: app.name, namespace: ns, labels },
                    spec: authorizationPolicySpec({ ...access, ingressPrincipal: platform.ingress?.principal }),
                },
                meshOpts,
            );
            new k8s.apiextensions.CustomResource(
                `${name}-peer-authentication`,
                {
                    apiVersion: "security.istio.io/v1",
                    kind: "PeerAuthentication",
                    metadata: { name: app.name, namespace: ns, labels },
                    spec: peerAuthenticationSpec(app),
                },
                meshOpts,
            );
        }

        if (platform.monitoring) {
            const monOpts = { parent: this, dependsOn: [platform.monitoring.crds] };
            const monLabels = { ...labels, ...platform.monitoring.selectorLabels };
            if (app.metrics && !args.namespace.isolated) {
                new k8s.apiextensions.CustomResource(
                    `${name}-service-monitor`,
                    {
                        apiVersion: "monitoring.coreos.com/v1",
                        kind: "ServiceMonitor",
                        metadata: { name: app.name, namespace: ns, labels: monLabels },
                        spec: serviceMonitorSpec({ ...app, metrics: app.metrics }, args.namespace.name),
                    },
                    monOpts,
                );
            }
            new k8s.apiextensions.CustomResource(
                `${name}-alerts`,
                {
                    apiVersion: "monitoring.coreos.com/v1",
                    kind: "PrometheusRule",
                    metadata: { name: app.name, namespace: ns, labels: monLabels },
                    spec: prometheusRuleSpec(app, args.namespace.name),
                },
                monOpts,
            );
            // Picked up by kube-prometheus-stack's Grafana dashboard sidecar (label grafana_dashboard=1, any namespace).
            new k8s.core.v1.ConfigMap(
                `${name}-dashboard`,
                {
                    metadata: {
                        name: `${app.name}-dashboard`,
                        namespace: ns,
                        labels: { ...labels, grafana_dashboard: "1" },
                        annotations: { grafana_folder: app.partOf },
                    },
                    data: { [`${app.name}.json`]: dashboardJson(app, args.namespace.name) },
                },
                child,
            );
        }

        if (app.gitops && platform.gitops) {
            this.handToArgoCd(name, args, platform.gitops, labels);
        } else {
            this.deploy(name, args, ns, labels);
        }
        this.host = app.ingress?.host;
        this.registerOutputs({ serviceName: this.serviceName, host: this.host });
    }

    private deploy(name: string, args: MicroserviceArgs, ns: pulumi.Output<string>, labels: Record<string, string>): void {
        const { app, platform } = args;
        const child = { parent: this };
        // Pods must not start before istiod can inject their sidecars: under STRICT mTLS a pod
        // without one can neither serve nor call anything.
        const meshReady = args.namespace.meshed && platform.mesh ? platform.mesh.ready : [];

        const serviceAccount = new k8s.core.v1.ServiceAccount(
            `${name}-service-account`,
            { metadata: { name: app.name, namespace: ns, labels }, automountServiceAccountToken: app.automountServiceAccountToken },
            child,
        );

        const template = {
            metadata: { labels, annotations: podAnnotations(app) },
            spec: podSpec({
                app,
                environment: args.environment,
                serviceAccountName: app.name,
                spread: microserviceDefaults[args.environment].spread,
                containers: [
                    containerSpec({
                        app,
                        logLevel: args.logLevel,
                        name: app.name,
                        image: imageRef(app.image),
                        resources: app.resources,
                        server: true,
                    }),
                ],
            }),
        };
        const autoscaled = app.autoscaling !== undefined;
        const minReplicas = app.autoscaling ? Math.max(1, app.autoscaling.minReplicas) : (app.replicas ?? 1);
        const replicas = app.replicas ?? minReplicas;
        // With an autoscaler, `replicas` only seeds the first rollout; afterwards the HPA (or KEDA's HPA)
        // owns the field and `pulumi up` must not reset it.
        const workloadOpts = {
            parent: this,
            dependsOn: [serviceAccount, ...meshReady],
            ignoreChanges: autoscaled ? ["spec.replicas"] : [],
        };
        const selector = { matchLabels: selectorLabels(app.name) };
        let target: { apiVersion: string; kind: string };
        if (app.canary) {
            target = { apiVersion: "argoproj.io/v1alpha1", kind: "Rollout" };
            for (const track of ["stable", "canary"]) this.service(`${name}-${track}-service`, `${app.name}-${track}`, ns, labels, app);
            new k8s.apiextensions.CustomResource(
                `${name}-rollout`,
                {
                    ...target,
                    metadata: { name: app.name, namespace: ns, labels },
                    spec: {
                        replicas,
                        revisionHistoryLimit: 5,
                        selector,
                        template,
                        strategy: {
                            canary: {
                                stableService: `${app.name}-stable`,
                                canaryService: `${app.name}-canary`,
                                maxUnavailable: 0,
                                steps: canarySteps(app.canary.steps),
                            },
                        },
                    },
                },
                { ...workloadOpts, dependsOn: [...workloadOpts.dependsOn, ...(platform.rollouts ? [platform.rollouts] : [])] },
            );
        } else {
            target = { apiVersion: "apps/v1", kind: "Deployment" };
            new k8s.apps.v1.Deployment(
                `${name}-deployment`,
                {
                    metadata: { name: app.name, namespace: ns, labels },
                    spec: {
                        replicas,
                        revisionHistoryLimit: 5,
                        selector,
                        strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: "25%" } },
                        template,
                    },
                },
                workloadOpts,
            );
        }
        this.service(`${name}-service`, app.name, ns, labels, app);

        const scaleTargetRef = { ...target, name: app.name };
        if (app.autoscaling?.kind === "hpa") {
            const metrics = [
                ...(app.autoscaling.cpuUtilization ? [resourceMetric("cpu", app.autoscaling.cpuUtilization)] : []),
                ...(app.autoscaling.memoryUtilization ? [resourceMetric("memory", app.autoscaling.memoryUtilization)] : []),
            ];
            new k8s.autoscaling.v2.HorizontalPodAutoscaler(
                `${name}-hpa`,
                {
                    metadata: { name: app.name, namespace: ns, labels },
                    spec: { scaleTargetRef, minReplicas: app.autoscaling.minReplicas, maxReplicas: app.autoscaling.maxReplicas, metrics },
                },
                child,
            );
        } else if (app.autoscaling?.kind === "keda") {
            new k8s.apiextensions.CustomResource(
                `${name}-scaled-object`,
                {
                    apiVersion: "keda.sh/v1alpha1",
                    kind: "ScaledObject",
                    metadata: { name: app.name, namespace: ns, labels },
                    spec: {
                        scaleTargetRef,
                        minReplicaCount: app.autoscaling.minReplicas,
                        maxReplicaCount: app.autoscaling.maxReplicas,
                        pollingInterval: 30,
                        cooldownPeriod: 300,
                        triggers: app.autoscaling.triggers,
                    },
                },
                { parent: this, dependsOn: platform.keda ? [platform.keda] : [] },
            );
        }

        if (app.pdb || minReplicas > 1) {
            new k8s.policy.v1.PodDisruptionBudget(
                `${name}-pdb`,
                { metadata: { name: app.name, namespace: ns, labels }, spec: { selector, ...(app.pdb ?? { maxUnavailable: 1 }) } },
                child,
            );
        }

        if (app.ingress && platform.ingress)
            this.ingress(
                name,
                app,
                ns,
                labels,
                platform.ingress,
                args.namespace.name,
                args.namespace.meshed && platform.mesh !== undefined,
            );

        for (const job of app.jobs) {
            const jobLabels = appLabels(app, job.name);
            new k8s.batch.v1.CronJob(
                `${name}-job-${job.name}`,
                {
                    metadata: { name: `${app.name}-${job.name}`, namespace: ns, labels: jobLabels },
                    spec: {
                        schedule: job.schedule,
                        timeZone: "Etc/UTC",
                        concurrencyPolicy: "Forbid",
                        successfulJobsHistoryLimit: 3,
                        failedJobsHistoryLimit: 3,
                        jobTemplate: {
                            metadata: { labels: jobLabels },
                            spec: {
                                backoffLimit: 2,
                                activeDeadlineSeconds: job.activeDeadlineSeconds ?? 3600,
                                ttlSecondsAfterFinished: 86400,
                                template: {
                                    // Jobs finish; a sidecar would keep the pod running forever.
                                    metadata: {
                                        labels: jobLabels,
                                        annotations: { ...podAnnotations(app), "sidecar.istio.io/inject": "false" },
                                    },
                                    spec: podSpec({
                                        app,
                                        environment: args.environment,
                                        serviceAccountName: app.name,
                                        spread: false,
                                        restartPolicy: "Never",
                                        containers: [
                                            containerSpec({
                                                app,
                                                logLevel: args.logLevel,
                                                name: job.name,
                                                image: imageRef(job.image ?? app.image),
                                                command: job.command,
                                                resources: job.resources,
                                                server: false,
                                            }),
                                        ],
                                    }),
                                },
                            },
                        },
                    },
                },
                { parent: this, dependsOn: [serviceAccount] },
            );
        }
    }

    private service(
        name: string,
        serviceName: string,
        ns: pulumi.Output<string>,
        labels: Record<string, string>,
        app: AppConfig,
    ): k8s.core.v1.Service {
        return new k8s.core.v1.Service(
            name,
            {
                metadata: { name: serviceName, namespace: ns, labels },
                spec: {
                    selector: selectorLabels(app.name),
                    // Port names tell Istio the protocol (`http`, `tcp`, `http-metrics`).
                    ports: [
                        { name: app.protocol, port: app.port, targetPort: "http", protocol: "TCP", appProtocol: app.protocol },
                        ...(app.metrics
                            ? [
                                  {
                                      name: "http-metrics",
                                      port: app.metrics.port,
                                      targetPort: "metrics",
                                      protocol: "TCP",
                                      appProtocol: "http",
                                  },
                              ]
                            : []),
                    ],
                },
            },
            { parent: this },
        );
    }

    private ingress(
        name: string,
        app: AppConfig,
        ns: pulumi.Output<string>,
        labels: Record<string, string>,
        ingress: NonNullable<PlatformServices["ingress"]>,
        namespace: string,
        meshed: boolean,
    ): void {
        const rule = app.ingress!;
        new k8s.networking.v1.Ingress(
            `${name}-ingress`,
            {
                metadata: {
                    name: app.name,
                    namespace: ns,
                    labels,
                    annotations: {
                        "cert-manager.io/cluster-issuer": ingress.clusterIssuer,
                        "nginx.ingress.kubernetes.io/force-ssl-redirect": "true",
                        "nginx.ingress.kubernetes.io/limit-rps": String(rule.rateLimitRps),
                        "nginx.ingress.kubernetes.io/limit-connections": String(rule.rateLimitConnections),
                        // In the mesh, nginx (with its own sidecar) must address the Service, not pod IPs,
                        // so the call goes through mTLS with the right authority.
                        ...(meshed
                            ? {
                                  "nginx.ingress.kubernetes.io/service-upstream": "true",
                                  "nginx.ingress.kubernetes.io/upstream-vhost": `${app.name}.${namespace}.svc.cluster.local`,
                              }
                            : {}),
                    },
                },
                spec: {
                    ingressClassName: ingress.className,
                    tls: [{ hosts: [rule.host], secretName: `${app.name}-tls` }],
                    rules: [
                        {
                            host: rule.host,
                            http: {
                                paths: [
                                    {
                                        path: rule.path,
                                        pathType: "Prefix",
                                        backend: { service: { name: app.name, port: { number: app.port } } },
                                    },
                                ],
                            },
                        },
                    ],
                },
            },
            // The controller's admission webhook validates every Ingress: wait until it serves.
            { parent: this, dependsOn: [ingress.controller] },
        );
    }

    private handToArgoCd(
        name: string,
        args: MicroserviceArgs,
        gitops: NonNullable<PlatformServices["gitops"]>,
        labels: Record<string, string>,
    ): void {
        const source = args.app.gitops!;
        new k8s.apiextensions.CustomResource(
            `${name}-application`,
            {
                apiVersion: "argoproj.io/v1alpha1",
                kind: "Application",
                metadata: {
                    name: args.app.name,
                    namespace: gitops.namespace,
                    labels,
                    finalizers: ["resources-finalizer.argocd.argoproj.io"],
                },
                spec: {
                    project: gitops.project,
                    source: { repoURL: source.repoURL, path: source.path, targetRevision: source.targetRevision },
                    destination: { server: "https://kubernetes.default.svc", namespace: args.namespace.name },
                    syncPolicy: {
                        automated: { prune: true, selfHeal: true },
                        syncOptions: ["CreateNamespace=false", "ServerSideApply=true", "PrunePropagationPolicy=foreground"],
                        retry: { limit: 5, backoff: { duration: "10s", factor: 2, maxDuration: "5m" } },
                    },
                },
            },
            { parent: this, dependsOn: [gitops.crds] },
        );
    }
}

function resourceMetric(name: "cpu" | "memory", utilization: number): k8s.types.input.autoscaling.v2.MetricSpec {
    return { type: "Resource", resource: { name, target: { type: "Utilization", averageUtilization: utilization } } };
}

/** Stack-file steps (weight + optional pause) as Argo Rollouts canary steps. Exported for tests. */
export function canarySteps(steps: { setWeight: number; pause?: string }[]): Record<string, unknown>[] {
    return steps.flatMap((s) => [{ setWeight: s.setWeight }, { pause: s.pause ? { duration: s.pause } : {} }]);
}
