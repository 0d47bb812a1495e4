import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { AppConfig } from "../config/apps";
import type { Environment, LogLevel } from "../config/primitives";
import type { Monitoring } from "../shared/helm";
import type { SecretStoreServices } from "./app-credentials";
import type { PodConnections } from "./connections";
import { ClientCertificateCheck, clientCertificateAnnotations } from "../shared/origin-lock";
import { AccessArgs, authorizationPolicySpec, dataAccessPolicySpec, networkPolicySpec, peerAuthenticationSpec } from "./access";
import { dashboardJson, metricsServiceLabel, prometheusRuleSpec, serviceMonitorSpec } from "./observability";
import { appLabels, selectorLabels } from "./pod";
import {
    applicationSpec,
    cronJobSpec,
    deploymentSpec,
    disruptionBudget,
    hpaSpec,
    ingressAnnotations,
    ingressSpec,
    rolloutSpec,
    scaledObjectSpec,
} from "./specs";

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
    ingress?: {
        className: string;
        namespace: string;
        principal: string;
        controller: pulumi.Resource;
        clusterIssuer: string;
        /** Behind Cloudflare: verify its origin-pull client certificate (the origin lock). */
        clientCertificate?: ClientCertificateCheck;
    };
    /** Argo CD for apps handed to GitOps. */
    gitops?: { crds: pulumi.Resource; namespace: string; project: pulumi.Input<string> };
    /** External Secrets and the stack's stores, for apps that declare `secrets`. */
    secrets?: SecretStoreServices;
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
    /** What every container gets to reach its data and secrets, and the objects that must exist first. @default none */
    credentials?: { pod: PodConnections; objects: pulumi.Resource[] };
}

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
        const ctx = { app, environment: args.environment, logLevel: args.logLevel, connections: args.credentials?.pod };
        const credentials = args.credentials?.objects ?? [];
        const child = { parent: this };
        const meta = { name: app.name, namespace: ns, labels };
        // Pods must not start before istiod can inject their sidecars: under STRICT mTLS a pod
        // without one can neither serve nor call anything.
        const meshReady = args.namespace.meshed && platform.mesh ? platform.mesh.ready : [];

        const serviceAccount = new k8s.core.v1.ServiceAccount(
            `${name}-service-account`,
            { metadata: meta, automountServiceAccountToken: app.automountServiceAccountToken },
            child,
        );
        // With an autoscaler, `replicas` only seeds the first rollout; afterwards the HPA (or KEDA's HPA)
        // owns the field and `pulumi up` must not reset it.
        const workloadOpts = {
            parent: this,
            dependsOn: [serviceAccount, ...credentials, ...meshReady],
            ignoreChanges: app.autoscaling ? ["spec.replicas"] : [],
        };
        if (app.canary) {
            // Argo Rollouts writes `rollouts-pod-template-hash` into these Services' selectors (an
            // atomic map), so the whole selector is the controller's once a rollout starts.
            for (const track of ["stable", "canary"])
                this.service(`${name}-${track}-service`, `${app.name}-${track}`, ns, labels, app, ["spec.selector"]);
            new k8s.apiextensions.CustomResource(
                `${name}-rollout`,
                { apiVersion: "argoproj.io/v1alpha1", kind: "Rollout", metadata: meta, spec: rolloutSpec(ctx) },
                { ...workloadOpts, dependsOn: [...workloadOpts.dependsOn, ...(platform.rollouts ? [platform.rollouts] : [])] },
            );
        } else {
            new k8s.apps.v1.Deployment(`${name}-deployment`, { metadata: meta, spec: deploymentSpec(ctx) }, workloadOpts);
        }
        // Only the main Service carries the scrape label: the stable and canary Services select the
        // same pods, and a monitor selecting all three would store every series three times.
        this.service(`${name}-service`, app.name, ns, { ...labels, ...metricsServiceLabel }, app);

        if (app.autoscaling?.kind === "hpa") {
            new k8s.autoscaling.v2.HorizontalPodAutoscaler(
                `${name}-hpa`,
                { metadata: meta, spec: hpaSpec({ ...app, autoscaling: app.autoscaling }) },
                child,
            );
        } else if (app.autoscaling?.kind === "keda") {
            new k8s.apiextensions.CustomResource(
                `${name}-scaled-object`,
                {
                    apiVersion: "keda.sh/v1alpha1",
                    kind: "ScaledObject",
                    metadata: meta,
                    spec: scaledObjectSpec({ ...app, autoscaling: app.autoscaling }),
                },
                { parent: this, dependsOn: platform.keda ? [platform.keda] : [] },
            );
        }

        const budget = disruptionBudget(app);
        if (budget) {
            new k8s.policy.v1.PodDisruptionBudget(
                `${name}-pdb`,
                { metadata: meta, spec: { selector: { matchLabels: selectorLabels(app.name) }, ...budget } },
                child,
            );
        }

        if (app.ingress && platform.ingress) {
            const meshed = args.namespace.meshed && platform.mesh !== undefined;
            new k8s.networking.v1.Ingress(
                `${name}-ingress`,
                {
                    metadata: {
                        ...meta,
                        annotations: {
                            ...ingressAnnotations(app, platform.ingress.clusterIssuer, args.namespace.name, meshed),
                            ...(platform.ingress.clientCertificate ? clientCertificateAnnotations(args.namespace.name) : {}),
                        },
                    },
                    spec: ingressSpec(app, platform.ingress.className),
                },
                // The controller's admission webhook validates every Ingress: wait until it serves
                // (and, behind Cloudflare, until the edge presents the certificate nginx will require).
                { parent: this, dependsOn: [platform.ingress.controller, ...(platform.ingress.clientCertificate?.ready ?? [])] },
            );
        }

        for (const job of app.jobs) {
            new k8s.batch.v1.CronJob(
                `${name}-job-${job.name}`,
                {
                    metadata: { name: `${app.name}-${job.name}`, namespace: ns, labels: appLabels(app, job.name) },
                    spec: cronJobSpec(ctx, job),
                },
                { parent: this, dependsOn: [serviceAccount, ...credentials] },
            );
        }
    }

    private service(
        name: string,
        serviceName: string,
        ns: pulumi.Output<string>,
        labels: Record<string, string>,
        app: AppConfig,
        ignoreChanges: string[] = [],
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
            { parent: this, ignoreChanges },
        );
    }

    private handToArgoCd(
        name: string,
        args: MicroserviceArgs,
        gitops: NonNullable<PlatformServices["gitops"]>,
        labels: Record<string, string>,
    ): void {
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
                spec: applicationSpec(args.app, gitops.project),
            },
            { parent: this, dependsOn: [gitops.crds] },
        );
    }
}
