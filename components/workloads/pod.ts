import type * as k8s from "@pulumi/kubernetes";
import type { AppConfig } from "../config/apps";
import type { Environment, LogLevel } from "../config/primitives";
import { restrictedContainer, zoneSpread } from "../shared/helm";
import { managedBy } from "../shared/labels";
import { noConnections, PodConnections } from "./connections";

/**
 * Pure builders for an app's pod: labels, image reference and the pod spec every workload kind
 * (Deployment, Rollout, CronJob) shares, so the security defaults are written once.
 */

/** UID/GID apps run as: non-root, and outside the range of host system accounts. */
export const appUser = 10001;

/** Labels that identify an app's pods of one role (`server`, or a job's name). */
export function selectorLabels(app: string, component = "server"): Record<string, string> {
    return { "app.kubernetes.io/name": app, "app.kubernetes.io/component": component };
}

/** The labels Gatekeeper requires on every workload, plus version and ownership. */
export function appLabels(app: AppConfig, component = "server"): Record<string, string> {
    return {
        ...selectorLabels(app.name, component),
        "app.kubernetes.io/part-of": app.partOf,
        "app.kubernetes.io/version": app.image.tag,
        "platform.io/team": app.team,
        ...managedBy,
    };
}

/** Annotations every app pod carries: the SBOM reference Kyverno requires. */
export function podAnnotations(app: AppConfig): Record<string, string> {
    return { "platform.io/sbom": app.sbom };
}

/** `repo:tag`, or `repo:tag@sha256:...` when a digest is pinned (required in production). */
export function imageRef(image: AppConfig["image"]): string {
    return image.digest ? `${image.repository}:${image.tag}@${image.digest}` : `${image.repository}:${image.tag}`;
}

/** Volume name for a writable path (`/tmp` -> `tmp`, `/var/cache/app` -> `var-cache-app`). */
export function volumeName(path: string): string {
    return (
        path
            .replace(/^\/+/, "")
            .replace(/[^a-z0-9]+/gi, "-")
            .toLowerCase() || "root"
    );
}

export interface ContainerSpecArgs {
    app: AppConfig;
    logLevel: LogLevel;
    name: string;
    image: string;
    command?: string[];
    resources: AppConfig["resources"];
    /** Long-running servers get ports and probes; jobs get neither. */
    server: boolean;
    /** Data connections and secrets (after the literal `env`). @default none */
    connections?: PodConnections;
}

export function containerSpec(args: ContainerSpecArgs): k8s.types.input.core.v1.Container {
    const { app } = args;
    const env = { LOG_LEVEL: args.logLevel, ...app.env };
    const connections = args.connections ?? noConnections;
    const probe = (path: string) => (app.protocol === "http" ? { httpGet: { path, port: "http" } } : { tcpSocket: { port: "http" } });
    return {
        name: args.name,
        image: args.image,
        imagePullPolicy: "IfNotPresent",
        ...(args.command ? { command: args.command } : {}),
        env: [...Object.entries(env).map(([name, value]) => ({ name, value })), ...connections.env],
        resources: args.resources,
        securityContext: { ...restrictedContainer, runAsUser: appUser, runAsGroup: appUser },
        volumeMounts: [...app.writablePaths.map((path) => ({ name: volumeName(path), mountPath: path })), ...connections.volumeMounts],
        ...(args.server
            ? {
                  ports: [
                      { name: "http", containerPort: app.port, protocol: "TCP" },
                      ...(app.metrics ? [{ name: "metrics", containerPort: app.metrics.port, protocol: "TCP" }] : []),
                  ],
                  startupProbe: { ...probe(app.probes.startup ?? app.probes.liveness), periodSeconds: 5, failureThreshold: 30 },
                  livenessProbe: { ...probe(app.probes.liveness), periodSeconds: 10, failureThreshold: 3 },
                  readinessProbe: { ...probe(app.probes.readiness), periodSeconds: 5, failureThreshold: 3 },
              }
            : {}),
    };
}

export interface PodSpecArgs {
    app: AppConfig;
    environment: Environment;
    serviceAccountName: string;
    containers: k8s.types.input.core.v1.Container[];
    /** Spread replicas over zones and hosts (servers in production). */
    spread: boolean;
    restartPolicy?: "Always" | "OnFailure" | "Never";
    /** Volumes the containers' connections mount (the Kafka CA). @default none */
    connections?: PodConnections;
}

export function podSpec(args: PodSpecArgs): k8s.types.input.core.v1.PodSpec {
    const { app } = args;
    const selector = selectorLabels(app.name);
    return {
        serviceAccountName: args.serviceAccountName,
        automountServiceAccountToken: app.automountServiceAccountToken,
        enableServiceLinks: false,
        ...(args.restartPolicy ? { restartPolicy: args.restartPolicy } : {}),
        securityContext: {
            runAsNonRoot: true,
            runAsUser: appUser,
            runAsGroup: appUser,
            fsGroup: appUser,
            seccompProfile: { type: "RuntimeDefault" },
        },
        containers: args.containers,
        volumes: [
            ...app.writablePaths.map((path) => ({ name: volumeName(path), emptyDir: { sizeLimit: "256Mi" } })),
            ...(args.connections ?? noConnections).volumes,
        ],
        ...(args.spread
            ? {
                  topologySpreadConstraints: [
                      ...zoneSpread(selector),
                      {
                          maxSkew: 1,
                          topologyKey: "kubernetes.io/hostname",
                          whenUnsatisfiable: "ScheduleAnyway",
                          labelSelector: { matchLabels: selector },
                      },
                  ],
              }
            : {}),
    };
}
