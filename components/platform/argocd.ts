import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { Environment, LogLevel } from "../config/primitives";
import { PerEnvironment } from "../shared/environment";
import { ChartPin, ContainerResources, HelmValues, hookJobResources, mergeValues, Monitoring, namespacedRelease } from "../shared/helm";
import { managedBy } from "../shared/labels";
import { UiExposure, uiClientCertificate } from "../shared/origin-lock";

/** Argo CD, for teams that hand an app's manifests to GitOps. */
export const argocdChart: ChartPin = {
    chart: "argo-cd",
    repo: "https://argoproj.github.io/argo-helm",
    version: "10.1.1",
    releaseName: "argocd",
    namespace: "argocd",
    timeoutSeconds: 900,
};

/** The AppProject that bounds what apps handed to Argo CD may deploy. */
export const appsProject = "platform-apps";

interface Sizing {
    /** Redis HA (three Redis + HAProxy) instead of a single Redis. */
    ha: boolean;
    serverReplicas: number;
    repoServerReplicas: number;
    controllerReplicas: number;
    /** The application controller holds every app's live state in memory; the repo server renders manifests. */
    controller: ContainerResources;
    repoServer: ContainerResources;
    server: ContainerResources;
}

export const argocdDefaults: PerEnvironment<Sizing> = {
    dev: {
        ha: false,
        serverReplicas: 1,
        repoServerReplicas: 1,
        controllerReplicas: 1,
        controller: { requests: { cpu: "100m", memory: "256Mi" }, limits: { cpu: "1", memory: "1Gi" } },
        repoServer: { requests: { cpu: "50m", memory: "128Mi" }, limits: { cpu: "1", memory: "512Mi" } },
        server: { requests: { cpu: "50m", memory: "64Mi" }, limits: { cpu: "500m", memory: "256Mi" } },
    },
    staging: {
        ha: false,
        serverReplicas: 2,
        repoServerReplicas: 2,
        controllerReplicas: 1,
        controller: { requests: { cpu: "250m", memory: "512Mi" }, limits: { cpu: "2", memory: "2Gi" } },
        repoServer: { requests: { cpu: "100m", memory: "256Mi" }, limits: { cpu: "1", memory: "1Gi" } },
        server: { requests: { cpu: "50m", memory: "128Mi" }, limits: { cpu: "500m", memory: "512Mi" } },
    },
    production: {
        ha: true,
        serverReplicas: 3,
        repoServerReplicas: 3,
        controllerReplicas: 1,
        controller: { requests: { cpu: "500m", memory: "1Gi" }, limits: { cpu: "4", memory: "4Gi" } },
        repoServer: { requests: { cpu: "250m", memory: "512Mi" }, limits: { cpu: "2", memory: "2Gi" } },
        server: { requests: { cpu: "100m", memory: "256Mi" }, limits: { cpu: "1", memory: "512Mi" } },
    },
};

/** Argo CD's smaller processes (ApplicationSet and notifications controllers, Redis, HAProxy, Sentinel, init containers). */
const small: ContainerResources = { requests: { cpu: "20m", memory: "64Mi" }, limits: { cpu: "500m", memory: "256Mi" } };

/** Redis HA (the `redis-ha` subchart): three Redis with Sentinel behind HAProxy; one of each may be disrupted at a time. */
const redisHa = {
    redis: { resources: small },
    sentinel: { resources: small },
    splitBrainDetection: { resources: small },
    init: { resources: small },
    podDisruptionBudget: { maxUnavailable: 1 },
    haproxy: { resources: small, init: { resources: small }, podDisruptionBudget: { maxUnavailable: 1 } },
};

export interface ArgoCdArgs {
    environment: Environment;
    logLevel: LogLevel;
    /** Server replicas. @default argocdDefaults[environment].serverReplicas */
    replicas?: number;
    /** Publish the UI through the ingress controller at `host`. @default undefined (not exposed) */
    ui?: UiExposure;
    /** Namespaces apps handed to Argo CD may deploy into. */
    appNamespaces: string[];
    monitoring?: Monitoring;
    /** Raw chart values, merged over the typed defaults. @default {} */
    values?: HelmValues;
}

/** Chart values from the typed knobs. Exported for tests. */
export function argocdValues(args: ArgoCdArgs): HelmValues {
    const d = argocdDefaults[args.environment];
    const serviceMonitor = { enabled: args.monitoring !== undefined, additionalLabels: args.monitoring?.selectorLabels ?? {} };
    const metrics = { enabled: args.monitoring !== undefined, serviceMonitor };
    const pdb = (replicas: number) => ({ enabled: replicas > 1, minAvailable: 1 });
    const serverReplicas = args.replicas ?? d.serverReplicas;
    const origin = uiClientCertificate(args.ui, argocdChart.namespace);
    const typed: HelmValues = {
        crds: { install: true, keep: true },
        global: { ...(args.ui ? { domain: args.ui.host } : {}), logging: { level: args.logLevel } },
        // TLS ends at the ingress controller; the server speaks plain HTTP behind it.
        configs: { params: { "server.insecure": true }, cm: { "exec.enabled": false, "admin.enabled": true } },
        "redis-ha": { enabled: d.ha, ...redisHa },
        redis: { resources: small },
        redisSecretInit: { resources: hookJobResources },
        controller: { replicas: d.controllerReplicas, pdb: pdb(d.controllerReplicas), metrics, resources: d.controller },
        server: {
            replicas: serverReplicas,
            resources: d.server,
            pdb: pdb(serverReplicas),
            metrics,
            ...(args.ui
                ? {
                      ingress: {
                          enabled: true,
                          ingressClassName: args.ui.ingressClassName,
                          annotations: {
                              "cert-manager.io/cluster-issuer": args.ui.clusterIssuer,
                              "nginx.ingress.kubernetes.io/force-ssl-redirect": "true",
                              ...origin.annotations,
                          },
                          tls: true,
                      },
                  }
                : {}),
        },
        repoServer: {
            replicas: d.repoServerReplicas,
            pdb: pdb(d.repoServerReplicas),
            metrics,
            resources: d.repoServer,
            copyutil: { resources: small },
        },
        applicationSet: { replicas: d.ha ? 2 : 1, pdb: pdb(d.ha ? 2 : 1), metrics, resources: small },
        notifications: { resources: small },
        dex: { enabled: false },
        // The CA Secret the client-certificate check names, shipped with the Ingress that needs it.
        ...(origin.objects.length ? { extraObjects: origin.objects } : {}),
    };
    return mergeValues(typed, args.values);
}

/** Argo CD and the AppProject apps handed to it live in. */
export class ArgoCd extends pulumi.ComponentResource {
    readonly release: k8s.helm.v3.Release;
    readonly namespace = argocdChart.namespace;
    readonly project: pulumi.Output<string>;
    readonly url?: string;

    constructor(name: string, args: ArgoCdArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:platform:ArgoCd", name, {}, opts);
        const installed = namespacedRelease(
            name,
            {
                pin: argocdChart,
                values: argocdValues(args),
                environment: args.environment,
                critical: true, // owns the Application CRD: removing it would prune every app Argo CD manages
                monitoring: args.monitoring,
                dependsOn: uiClientCertificate(args.ui, argocdChart.namespace).ready,
            },
            this,
        );
        this.release = installed.release;
        const namespace = installed.namespace;
        const project = new k8s.apiextensions.CustomResource(
            `${name}-apps-project`,
            {
                apiVersion: "argoproj.io/v1alpha1",
                kind: "AppProject",
                metadata: { name: appsProject, namespace, labels: managedBy },
                spec: {
                    description: "Apps whose manifests Argo CD owns; the platform keeps their namespaces, policies and data in Pulumi",
                    sourceRepos: ["*"],
                    destinations: args.appNamespaces.map((namespace) => ({ server: "https://kubernetes.default.svc", namespace })),
                    // Apps may not create cluster-scoped objects or touch namespaces and policies the platform owns.
                    clusterResourceWhitelist: [],
                    namespaceResourceBlacklist: [
                        { group: "", kind: "ResourceQuota" },
                        { group: "", kind: "LimitRange" },
                        { group: "networking.k8s.io", kind: "NetworkPolicy" },
                        { group: "security.istio.io", kind: "*" },
                    ],
                },
            },
            { parent: this, dependsOn: [this.release] },
        );
        this.project = project.metadata.name;
        this.url = args.ui ? `https://${args.ui.host}` : undefined;
        this.registerOutputs({ version: argocdChart.version, url: this.url });
    }
}
