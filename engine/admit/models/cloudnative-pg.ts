import type { Json, KubeObject, RequestUser } from "../types";
import { serviceAccountUser } from "../types";

/**
 * What the CloudNativePG 1.30.0 operator (chart cloudnative-pg 0.29.0) and its Barman Cloud
 * plugin v0.13.0 (chart plugin-barman-cloud 0.7.0) create for a `postgresql.cnpg.io/v1` Cluster,
 * and the one thing the operator does through `pods/exec`. Read from cloudnative-pg tag v1.30.0:
 * pkg/specs/{pods,containers,volumes,jobs}.go, pkg/versions/versions.go, internal/controller/
 * backup_controller.go (startInstanceManagerBackup: exec `/controller/manager backup`);
 * plugin-barman-cloud tag v0.13.0: internal/cnpgi/operator/lifecycle.go (native sidecar).
 */

export const cnpgImages = {
    /** pkg/versions/versions.go DefaultImageName at v1.30.0 */
    postgres: "ghcr.io/cloudnative-pg/postgresql:18.4-system-trixie",
    operator: (version: string) => `ghcr.io/cloudnative-pg/cloudnative-pg:${version}`,
    barmanSidecar: (version: string) => `ghcr.io/cloudnative-pg/plugin-barman-cloud-sidecar:${version}`,
};

export interface CnpgInstallation {
    /** The operator's identity: it creates the instance pods and jobs and runs backups by exec. */
    operator: RequestUser;
    operatorVersion: string;
    barmanPluginVersion: string;
}

/** The operator's service account is named after the chart's fullname (the release name). */
export function cnpgInstallation(namespace: string, releaseName: string, operatorVersion: string, barmanVersion: string): CnpgInstallation {
    return { operator: serviceAccountUser(namespace, releaseName), operatorVersion, barmanPluginVersion: barmanVersion };
}

const containerSecurity = {
    seccompProfile: { type: "RuntimeDefault" },
    capabilities: { drop: ["ALL"] },
    privileged: false,
    runAsNonRoot: true,
    readOnlyRootFilesystem: true,
    allowPrivilegeEscalation: false,
};

const podSecurity = { seccompProfile: { type: "RuntimeDefault" }, runAsUser: 26, runAsGroup: 26, runAsNonRoot: true, fsGroup: 26 };

export interface CnpgPod {
    pod: KubeObject;
    role: "instance" | "initdb" | "join";
}

/** Instance pods `<cluster>-<n>` and the initdb/join job pods of one Cluster. */
export function cnpgPods(cluster: KubeObject, objectStores: Map<string, KubeObject>, install: CnpgInstallation): CnpgPod[] {
    const spec = (cluster.spec ?? {}) as Json;
    const name = cluster.metadata.name;
    const namespace = cluster.metadata.namespace;
    const instances = Number(spec.instances ?? 1);
    const resources = (spec.resources as Json | undefined) ?? {};
    const inherited = ((spec.inheritedMetadata as Json | undefined)?.labels as Record<string, string> | undefined) ?? {};
    const common = {
        "app.kubernetes.io/name": "postgresql",
        "app.kubernetes.io/instance": name,
        "app.kubernetes.io/version": "18",
        "app.kubernetes.io/component": "database",
        "app.kubernetes.io/managed-by": "cloudnative-pg",
    };
    const bootstrap = {
        name: "bootstrap-controller",
        image: cnpgImages.operator(install.operatorVersion),
        resources: structuredClone(resources),
        securityContext: containerSecurity,
    };
    const plugin = ((spec.plugins as Json[] | undefined) ?? []).find((p) => p.name === "barman-cloud.cloudnative-pg.io");
    const store = plugin ? objectStores.get(String((plugin.parameters as Json | undefined)?.barmanObjectName)) : undefined;
    const sidecarResources = ((store?.spec as Json | undefined)?.instanceSidecarConfiguration as Json | undefined)?.resources ?? {};
    const volumes = (claim: string) => [
        { name: "pgdata", persistentVolumeClaim: { claimName: claim } },
        { name: "scratch-data", emptyDir: {} },
        { name: "shm", emptyDir: { medium: "Memory" } },
        ...(plugin ? [{ name: "plugins", emptyDir: {} }] : []),
    ];
    const podOf = (podName: string, labels: Record<string, string>, main: Json, withSidecar: boolean, claim: string): KubeObject => ({
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name: podName, namespace, labels: { ...inherited, ...common, ...labels } },
        spec: {
            serviceAccountName: name,
            securityContext: podSecurity,
            initContainers: [
                bootstrap,
                ...(withSidecar
                    ? [
                          {
                              name: "plugin-barman-cloud",
                              image: cnpgImages.barmanSidecar(install.barmanPluginVersion),
                              restartPolicy: "Always",
                              resources: structuredClone(sidecarResources),
                              securityContext: containerSecurity,
                          },
                      ]
                    : []),
            ],
            containers: [{ ...main, resources: structuredClone(resources), securityContext: containerSecurity }],
            volumes: volumes(claim),
        },
    });
    const pods: CnpgPod[] = [];
    const postgres = (n: string) => ({
        name: "postgres",
        image: (spec.imageName as string | undefined) ?? cnpgImages.postgres,
        ports: [
            { name: "postgresql", containerPort: 5432, protocol: "TCP" },
            { name: "metrics", containerPort: 9187, protocol: "TCP" },
            { name: "status", containerPort: 8000, protocol: "TCP" },
        ],
        command: ["/controller/manager", "instance", "run", "--status-port-tls", `--pod-name=${n}`],
    });
    pods.push({
        role: "initdb",
        pod: podOf(
            `${name}-1-initdb`,
            { "cnpg.io/cluster": name, "cnpg.io/instanceName": `${name}-1`, "cnpg.io/jobRole": "initdb" },
            { name: "initdb", image: (spec.imageName as string | undefined) ?? cnpgImages.postgres },
            false,
            `${name}-1`,
        ),
    });
    for (let i = 1; i <= instances; i++) {
        const podName = `${name}-${i}`;
        const role = i === 1 ? "primary" : "replica";
        pods.push({
            role: "instance",
            pod: podOf(
                podName,
                {
                    "cnpg.io/cluster": name,
                    "cnpg.io/instanceName": podName,
                    "cnpg.io/podRole": "instance",
                    role,
                    "cnpg.io/instanceRole": role,
                },
                postgres(podName),
                plugin !== undefined,
                podName,
            ),
        });
        if (i > 1) {
            pods.push({
                role: "join",
                pod: podOf(
                    `${podName}-join`,
                    { "cnpg.io/cluster": name, "cnpg.io/instanceName": podName, "cnpg.io/jobRole": "join" },
                    { name: "join", image: (spec.imageName as string | undefined) ?? cnpgImages.postgres },
                    false,
                    podName,
                ),
            });
        }
    }
    return pods;
}

/**
 * Backups with `method: plugin` (or barmanObjectStore) start by the operator exec-ing
 * `/controller/manager backup <name>` in the target instance's `postgres` container.
 */
export function backupExec(
    backup: KubeObject,
    clusterName: string,
): { pod: string; namespace?: string; container: string; command: string[] } | undefined {
    const method = String((backup.spec as Json | undefined)?.method ?? "barmanObjectStore");
    if (method !== "plugin" && method !== "barmanObjectStore") return undefined;
    return {
        pod: `${clusterName}-1`,
        namespace: backup.metadata.namespace,
        container: "postgres",
        command: ["/controller/manager", "backup", backup.metadata.name],
    };
}
