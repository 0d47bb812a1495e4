import { minimumReplicas, type AppConfig } from "./apps";
import { requiredRetentionDays, storeProvider, type BackupIdentityProvider } from "./data";
import { checkCloudflare, checkPublicHosts } from "./edge-rules";
import { isUnder } from "./hosts";
import type { NamespaceConfig } from "./namespaces";
import type { ParsedStackConfig } from "./schema";
import { checkAlertingSecrets, checkAppSecrets, checkSecretStores } from "./secret-rules";
import { appImageDigestRequired } from "../shared/environment";

/**
 * Rules that span several keys. They run on whatever parts of the config parsed, so one bad
 * key never hides another problem; each reports at the key a reader has to change.
 */
export type CrossCheckInput = Omit<ParsedStackConfig, "apps"> & {
    /** Apps that parsed, with their index in the stack file's list. */
    apps: { index: number; app: AppConfig }[];
    /** Every app name as written, valid app or not, for duplicate detection. */
    appNames: unknown[];
    /** Cloudflare zones the project's other stacks manage (one owner per zone). */
    otherStackZones?: OtherStackZone[];
};

/** A zone another stack file of the project declares. */
export interface OtherStackZone {
    stack: string;
    /** The other stack's file, for messages. */
    source: string;
    zoneId: string;
}

export type Issue = (path: (string | number)[], message: string) => void;

export function crossCheck(cfg: Partial<CrossCheckInput>, issue: Issue): void {
    if (cfg.cluster) {
        if (cfg.cluster.context !== undefined && cfg.kubeconfig !== undefined) {
            issue(["cluster", "context"], "set either cluster.context or the secret platform:kubeconfig, not both");
        }
        if (cfg.cluster.context === undefined && cfg.kubeconfig === undefined) {
            issue(["cluster", "context"], "is required unless the secret platform:kubeconfig is set");
        }
    }
    if (cfg.namespaces && cfg.components) checkNamespaces(cfg.namespaces, cfg.components, issue);
    checkAppNames(cfg.appNames ?? [], issue);
    for (const { index, app } of cfg.apps ?? []) {
        checkApp(app, index, cfg, issue);
        checkAppPlatformNeeds(app, index, cfg, issue);
        checkData(app, index, cfg, issue);
        checkAppSecrets(app, index, cfg, issue);
    }
    checkSecretStores(cfg, issue);
    checkAlertingSecrets(cfg, issue);
    if (cfg.components) checkComponents(cfg, issue);
    checkPublicHosts(cfg, issue);
    if (cfg.cloudflare) checkCloudflare(cfg.cloudflare, cfg, issue);
    if (cfg.backup && cfg.environment && cfg.environment !== "dev" && cfg.backup.endpointCidrs === undefined) {
        issue(
            ["backup", "endpointCidrs"],
            `is required in ${cfg.environment}: without the object store's address ranges the databases' backup egress would be open to the whole internet`,
        );
    }
    if (cfg.backup?.credentials === "keys") {
        for (const key of ["backupAccessKeyId", "backupSecretAccessKey"] as const) {
            if (cfg[key] === undefined) issue([key], "is required when backup.credentials is 'keys' (set it with --secret)");
        }
    }
    if (cfg.backup) checkBackupIdentity(cfg.backup, issue);
}

const storeNames: Record<BackupIdentityProvider, string> = {
    aws: "an S3 bucket (s3://)",
    gcp: "a Google Cloud Storage bucket (gs://)",
    azure: "an Azure Blob container (https://<account>.blob.core.windows.net/)",
};

/** Cloud identity for backups: present exactly when the pods use it, and of the store's own provider. */
function checkBackupIdentity(backup: NonNullable<CrossCheckInput["backup"]>, issue: Issue): void {
    const store = storeProvider(backup.destinationPath);
    if (backup.credentials === "keys") {
        if (backup.identity)
            issue(["backup", "identity"], "only applies with backup.credentials 'iam': with 'keys' the pods use the access keys");
        if (store !== "aws")
            issue(
                ["backup", "credentials"],
                `'keys' are S3 access keys, but destinationPath names ${storeNames[store]}: use 'iam' with backup.identity`,
            );
        return;
    }
    if (!backup.identity) {
        issue(
            ["backup", "identity"],
            `is required when backup.credentials is 'iam': the database pods' ServiceAccount needs the cloud identity that writes to ${storeNames[store]}`,
        );
    } else if (backup.identity.provider !== store) {
        issue(
            ["backup", "identity", "provider"],
            `'${backup.identity.provider}' cannot write to ${storeNames[store]} named by destinationPath: use '${store}'`,
        );
    }
}

const enabled = (cfg: Partial<CrossCheckInput>, c: keyof CrossCheckInput["components"]) => cfg.components?.[c]?.enabled !== false;

/** Components that need others: a missing dependency is a config error before anything is applied. */
function checkComponents(cfg: Partial<CrossCheckInput>, issue: Issue): void {
    checkIngressGateway(cfg, issue);
    if (enabled(cfg, "cloudnativePg") && !enabled(cfg, "certManager")) {
        issue(["components", "cloudnativePg"], "needs certManager: the Barman Cloud backup plugin gets its certificates from cert-manager");
    }
    const uis: [string[], { expose?: boolean; host?: string } | undefined][] = [
        [["components", "argocd"], cfg.components?.argocd],
        [["components", "kubePrometheusStack", "grafana"], cfg.components?.kubePrometheusStack.grafana],
    ];
    for (const [path, ui] of uis) {
        if (!ui?.expose) continue;
        if (!enabled(cfg, "ingressNginx") || !enabled(cfg, "certManager"))
            issue([...path, "expose"], "needs ingressNginx and certManager to publish the UI");
        if (ui.host && cfg.domain && !isUnder(ui.host, cfg.domain))
            issue([...path, "host"], `'${ui.host}' must be under the platform domain '${cfg.domain}'`);
    }
}

/** The Istio gateway's settings only mean something for a gateway that exists. */
function checkIngressGateway(cfg: Partial<CrossCheckInput>, issue: Issue): void {
    const gw = cfg.components?.istio.ingressGateway;
    if (!gw) return;
    const path = ["components", "istio", "ingressGateway"];
    if (gw.enabled && !enabled(cfg, "istio")) issue([...path, "enabled"], "needs the istio component, which this stack disables");
    if (!gw.enabled) {
        for (const key of ["serviceType", "loadBalancerSourceRanges", "replicas"] as const)
            if (gw[key] !== undefined) issue([...path, key], "has no effect: ingressGateway.enabled is false (no gateway is deployed)");
        return;
    }
    if (gw.loadBalancerSourceRanges && gw.serviceType !== "LoadBalancer")
        issue(
            [...path, "loadBalancerSourceRanges"],
            `only applies to serviceType 'LoadBalancer' (serviceType is '${gw.serviceType ?? "ClusterIP"}')`,
        );
}

/** An app may only use what the platform installs: a missing component is a config error, not a failed apply. */
function checkAppPlatformNeeds(app: AppConfig, i: number, cfg: Partial<CrossCheckInput>, issue: Issue): void {
    const needs: [boolean, (string | number)[], keyof CrossCheckInput["components"]][] = [
        [app.postgres !== undefined, ["apps", i, "postgres"], "cloudnativePg"],
        [app.postgres !== undefined, ["apps", i, "postgres"], "certManager"],
        [app.kafka !== undefined, ["apps", i, "kafka"], "strimzi"],
        [app.autoscaling?.kind === "keda", ["apps", i, "autoscaling"], "keda"],
        [app.canary !== undefined, ["apps", i, "canary"], "argoRollouts"],
        [app.ingress !== undefined, ["apps", i, "ingress"], "ingressNginx"],
        [app.ingress !== undefined, ["apps", i, "ingress"], "certManager"],
        [app.secrets.length > 0, ["apps", i, "secrets"], "externalSecrets"],
    ];
    for (const [uses, path, component] of needs) {
        if (uses && !enabled(cfg, component)) issue(path, `needs platform component '${component}', which this stack disables`);
    }
}

function checkData(app: AppConfig, i: number, cfg: Partial<CrossCheckInput>, issue: Issue): void {
    const dataNamespaces = Object.values(cfg.namespaces ?? {}).filter((ns) => ns.layer === "data").length;
    if ((app.postgres || app.kafka?.cluster) && cfg.namespaces && dataNamespaces !== 1) {
        issue(
            ["apps", i, app.postgres ? "postgres" : "kafka"],
            `needs exactly one namespace with layer 'data' to run in (found ${dataNamespaces})`,
        );
    }
    if (app.postgres && cfg.environment && cfg.environment !== "dev" && cfg.backup === undefined) {
        issue(["apps", i, "postgres"], `needs platform:backup in ${cfg.environment}: databases outside dev are backed up`);
    }
    if (app.postgres?.readReplicas && (app.postgres.instances ?? 1) < 2) {
        issue(
            ["apps", i, "postgres", "readReplicas"],
            `needs postgres.instances of at least 2, a primary and a replica (${app.postgres.instances === undefined ? "instances is not set" : `instances is ${app.postgres.instances}`})`,
        );
    }
    const retention = app.postgres?.retentionDays;
    if (retention !== undefined && cfg.compliance) {
        const floor = requiredRetentionDays(cfg.compliance.profiles);
        if (retention < floor) {
            issue(
                ["apps", i, "postgres", "retentionDays"],
                `must be at least ${floor} days for ${cfg.compliance.profiles.join(", ")} (got ${retention})`,
            );
        }
    }
    const kafka = app.kafka;
    if (kafka) {
        if ((kafka.cluster === undefined) === (kafka.uses === undefined)) {
            issue(
                ["apps", i, "kafka"],
                "must set exactly one of 'cluster' (this app owns a Kafka cluster) and 'uses' (the app that owns one)",
            );
        }
        const owner = kafka.uses && cfg.apps?.find((a) => a.app.name === kafka.uses);
        if (kafka.uses && (!owner || !owner.app.kafka?.cluster)) {
            issue(["apps", i, "kafka", "uses"], `'${kafka.uses}' is not an app of this stack that owns a Kafka cluster`);
        }
    }
}

function checkNamespaces(namespaces: Record<string, NamespaceConfig>, components: CrossCheckInput["components"], issue: Issue): void {
    const monitoring = Object.values(namespaces).filter((ns) => ns.layer === "monitoring");
    if (components.kubePrometheusStack.enabled !== false && monitoring.length !== 1) {
        issue(
            ["namespaces"],
            `must have exactly one namespace with layer 'monitoring' for kube-prometheus-stack (found ${monitoring.length})`,
        );
    }
    for (const [name, ns] of Object.entries(namespaces)) {
        if (ns.layer === "amplifier" && ns.mesh !== undefined && ns.mesh !== "none") {
            issue(["namespaces", name, "mesh"], "must be 'none': the amplifier namespace has no in-cluster traffic to mesh");
        }
    }
}

function checkAppNames(names: unknown[], issue: Issue): void {
    const seen = new Map<unknown, number>();
    names.forEach((name, i) => {
        const first = seen.get(name);
        if (typeof name !== "string") return;
        if (first !== undefined) issue(["apps", i, "name"], `duplicate app name '${name}' (also apps[${first}])`);
        else seen.set(name, i);
    });
}

function checkApp(app: AppConfig, i: number, cfg: Partial<CrossCheckInput>, issue: Issue): void {
    if (cfg.namespaces && !(app.namespace in cfg.namespaces)) {
        issue(["apps", i, "namespace"], `'${app.namespace}' is not one of platform:namespaces (${Object.keys(cfg.namespaces).join(", ")})`);
    }
    const names = new Set(cfg.appNames ?? []);
    checkIsolation(app, i, cfg, issue);
    app.callers.forEach((caller, j) => {
        if (!names.has(caller)) issue(["apps", i, "callers", j], `'${caller}' is not an app of this stack`);
        if (caller === app.name) issue(["apps", i, "callers", j], "an app cannot list itself as a caller");
    });
    if (app.ingress && cfg.domain && !isUnder(app.ingress.host, cfg.domain)) {
        issue(["apps", i, "ingress", "host"], `'${app.ingress.host}' must be under the platform domain '${cfg.domain}'`);
    }
    if (cfg.environment && appImageDigestRequired[cfg.environment] && app.image.digest === undefined) {
        issue(["apps", i, "image", "digest"], `is required in ${cfg.environment}: pin the image by digest`);
    }
    if (app.metrics && app.metrics.port === app.port) {
        issue(
            ["apps", i, "metrics", "port"],
            `must differ from the app port (${app.port}): the metrics port is the one left open to Prometheus`,
        );
    }
    checkAutoscaling(app, i, issue);
    checkDisruptionBudget(app, i, issue);
}

/**
 * A PodDisruptionBudget that leaves no pod evictable at the app's minimum scale blocks every node
 * drain (cluster upgrades, node rotation) until someone deletes it: at least one pod must stay evictable.
 */
function checkDisruptionBudget(app: AppConfig, i: number, issue: Issue): void {
    if (app.pdb === undefined || !("minAvailable" in app.pdb)) return;
    const minimum = minimumReplicas(app);
    if (app.pdb.minAvailable >= minimum) {
        issue(
            ["apps", i, "pdb", "minAvailable"],
            `must be below the app's minimum of ${minimum} replica(s) (got ${app.pdb.minAvailable}): it would leave no pod evictable and block every node drain; lower it or use pdb.maxUnavailable`,
        );
    }
}

/** Apps in a maximum-isolation (amplifier) namespace have no in-cluster traffic, either way. */
function checkIsolation(app: AppConfig, i: number, cfg: Partial<CrossCheckInput>, issue: Issue): void {
    const layerOf = (ns: string) => cfg.namespaces?.[ns]?.layer;
    if (layerOf(app.namespace) === "amplifier") {
        if (app.callers.length > 0)
            issue(["apps", i, "callers"], `must be empty: '${app.namespace}' is a maximum-isolation namespace that admits no traffic`);
        if (app.ingress)
            issue(["apps", i, "ingress"], `is not allowed: '${app.namespace}' is a maximum-isolation namespace that admits no traffic`);
        if (app.postgres || app.kafka)
            issue(
                ["apps", i, app.postgres ? "postgres" : "kafka"],
                `is not allowed: '${app.namespace}' reaches nothing inside the cluster`,
            );
    }
    app.callers.forEach((caller, j) => {
        const callerApp = cfg.apps?.find((a) => a.app.name === caller)?.app;
        if (callerApp && layerOf(callerApp.namespace) === "amplifier") {
            issue(
                ["apps", i, "callers", j],
                `'${caller}' runs in the maximum-isolation namespace '${callerApp.namespace}' and cannot call in-cluster apps`,
            );
        }
    });
}

function checkAutoscaling(app: AppConfig, i: number, issue: Issue): void {
    const a = app.autoscaling;
    if (a === undefined) return;
    if (a.minReplicas > a.maxReplicas) {
        issue(["apps", i, "autoscaling", "minReplicas"], `must not exceed maxReplicas (${a.minReplicas} > ${a.maxReplicas})`);
    }
    if (app.replicas !== undefined && (app.replicas < a.minReplicas || app.replicas > a.maxReplicas)) {
        issue(
            ["apps", i, "replicas"],
            `must lie within autoscaling ${a.minReplicas}-${a.maxReplicas}: it is only the initial count, the autoscaler owns it afterwards`,
        );
    }
    if (a.kind === "hpa" && a.cpuUtilization === undefined && a.memoryUtilization === undefined) {
        issue(["apps", i, "autoscaling"], "must set cpuUtilization or memoryUtilization for an HPA");
    }
}

export { isUnder };
