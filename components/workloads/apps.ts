import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { PlatformConfig } from "../config";
import type { AppConfig } from "../config/apps";
import type { Namespaces } from "../guardrails/namespaces";
import { statefulProtection } from "../shared/environment";
import { managedBy } from "../shared/labels";
import { DataPath, Peer } from "./access";
import { AppCredentials } from "./app-credentials";
import { KafkaCluster, kafkaClientPort } from "./kafka";
import { Microservice, PlatformServices } from "./microservice";
import { appLabels } from "./pod";
import { Postgres } from "./postgres";

export interface AppsArgs {
    config: PlatformConfig;
    namespaces: Namespaces;
    platform: PlatformServices;
    /** Operator releases (CRDs) for the apps' data services. */
    operators: { cloudnativePg?: pulumi.Resource[]; strimzi?: pulumi.Resource };
    /** Where the data services' operators run (for their own NetworkPolicies). */
    operatorPods: { cloudnativePg?: OperatorPods; strimzi?: OperatorPods };
}

type OperatorPods = { namespace: string; podLabels: Record<string, string> };

export interface DeployedApps {
    apps: Record<string, Microservice>;
    databases: Record<string, Postgres>;
    kafka: Record<string, KafkaCluster>;
    /** Public hosts of exposed apps (for DNS at the edge). */
    hosts: string[];
}

/** Who calls whom, resolved from every app's `callers`. Exported for tests. */
export function resolvePeers(apps: AppConfig[]): Map<string, { callers: Peer[]; callees: Peer[] }> {
    const byName = new Map(apps.map((a) => [a.name, a]));
    const peer = (a: AppConfig): Peer => ({ name: a.name, namespace: a.namespace, port: a.port });
    const result = new Map(apps.map((a) => [a.name, { callers: [] as Peer[], callees: [] as Peer[] }]));
    for (const app of apps) {
        for (const callerName of app.callers) {
            const caller = byName.get(callerName);
            if (!caller) continue; // refused by config validation
            result.get(app.name)!.callers.push(peer(caller));
            result.get(callerName)!.callees.push(peer(app));
        }
    }
    return result;
}

/**
 * Every app of the stack with the data services it declares: Postgres and Kafka in the data
 * namespace (the apps' NetworkPolicies point at them), then one Microservice each.
 */
export class Apps extends pulumi.ComponentResource implements DeployedApps {
    readonly apps: Record<string, Microservice>;
    readonly databases: Record<string, Postgres>;
    readonly kafka: Record<string, KafkaCluster>;
    readonly hosts: string[];

    constructor(name: string, args: AppsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:workloads:Apps", name, {}, opts);
        const deployed = deployApps(name, args, this);
        this.apps = deployed.apps;
        this.databases = deployed.databases;
        this.kafka = deployed.kafka;
        this.hosts = deployed.hosts;
        this.registerOutputs({ apps: Object.keys(this.apps), hosts: this.hosts });
    }
}

function deployApps(name: string, args: AppsArgs, parent: pulumi.Resource): DeployedApps {
    const { config, namespaces, platform } = args;
    const child = { parent };
    const apps = config.apps;
    const peers = resolvePeers(apps);
    const dataNs = apps.some((a) => a.postgres || a.kafka) ? namespaces.ofLayer("data") : undefined;
    const databases: Record<string, Postgres> = {};
    const kafka: Record<string, KafkaCluster> = {};
    const dataPaths = new Map<string, DataPath[]>(apps.map((a) => [a.name, []]));

    const backupSecret =
        dataNs && apps.some((a) => a.postgres)
            ? backupCredentials(`${name}-backup-credentials`, config, dataNs.resource, parent)
            : undefined;
    for (const app of apps.filter((a) => a.postgres)) {
        const db = new Postgres(
            `${name}-${app.name}-postgres`,
            {
                environment: config.environment,
                app: app.name,
                namespace: dataNs!.resource.metadata.name,
                labels: appLabels(app, "database"),
                ...app.postgres!,
                backup: config.backup ? { config: config.backup, credentialsSecret: backupSecret?.metadata.name } : undefined,
                compliance: config.compliance.profiles,
                operator: args.operators.cloudnativePg ?? [],
                monitoring: platform.monitoring,
                network: {
                    apiServer: config.cluster.apiServer,
                    operator: args.operatorPods.cloudnativePg,
                    monitoringNamespace: platform.monitoring?.namespace,
                },
            },
            child,
        );
        databases[app.name] = db;
        dataPaths.get(app.name)!.push({ namespace: dataNs!.name, podLabels: { "cnpg.io/cluster": db.clusterName }, port: 5432 });
    }

    for (const owner of apps.filter((a) => a.kafka?.cluster)) {
        const users = apps.filter((a) => a.name === owner.name || a.kafka?.uses === owner.name);
        const cluster = new KafkaCluster(
            `${name}-${owner.name}-kafka`,
            {
                environment: config.environment,
                app: owner.name,
                namespace: dataNs!.resource.metadata.name,
                namespaceName: dataNs!.name,
                labels: appLabels(owner, "kafka"),
                ...owner.kafka!.cluster!,
                topics: owner.kafka!.topics,
                users: users.map((u) => ({ app: u.name, access: u.kafka!.access })),
                operator: args.operators.strimzi!,
                network: { apiServer: config.cluster.apiServer, operator: args.operatorPods.strimzi },
                monitoring: platform.monitoring,
            },
            child,
        );
        kafka[owner.name] = cluster;
        for (const user of users) {
            dataPaths
                .get(user.name)!
                .push({ namespace: dataNs!.name, podLabels: { "strimzi.io/cluster": cluster.clusterName }, port: kafkaClientPort });
        }
    }

    const deployed: Record<string, Microservice> = {};
    for (const app of apps) {
        const ns = namespaces.get(app.namespace);
        const credentials = credentialsFor(`${name}-${app.name}`, app, {
            namespace: ns.resource.metadata.name,
            dataNamespace: dataNs?.name,
            database: databases[app.name],
            kafka: kafka[app.kafka?.cluster ? app.name : (app.kafka?.uses ?? "")],
            platform,
            parent,
        });
        deployed[app.name] = new Microservice(
            `${name}-${app.name}`,
            {
                environment: config.environment,
                logLevel: config.logLevel,
                app,
                namespace: { name: ns.name, resource: ns.resource, meshed: ns.mesh !== "none", isolated: ns.isolation === "maximum" },
                access: { ...peers.get(app.name)!, data: dataPaths.get(app.name)!, apiServer: config.cluster.apiServer },
                platform,
                credentials,
            },
            child,
        );
    }
    return { apps: deployed, databases, kafka, hosts: apps.flatMap((a) => (a.ingress ? [a.ingress.host] : [])) };
}

/**
 * The app's credentials in its own namespace (database and Kafka passwords from the same Pulumi
 * secrets the data services use, the Kafka CA, its ExternalSecrets); none for an app without any.
 */
function credentialsFor(
    name: string,
    app: AppConfig,
    ctx: {
        namespace: pulumi.Input<string>;
        dataNamespace?: string;
        database?: Postgres;
        kafka?: KafkaCluster;
        platform: AppsArgs["platform"];
        parent: pulumi.Resource;
    },
): AppCredentials | undefined {
    const { database: db, kafka } = ctx;
    if (!db && !kafka && app.secrets.length === 0) return undefined;
    const fqdn = (service: string) => `${service}.${ctx.dataNamespace}.svc.cluster.local`;
    return new AppCredentials(
        `${name}-credentials`,
        {
            app,
            namespace: ctx.namespace,
            labels: appLabels(app, "credentials"),
            postgres: db && {
                host: fqdn(db.host),
                readOnlyHost: app.postgres?.readReplicas ? fqdn(db.readOnlyHost) : undefined,
                port: 5432,
                database: db.database,
                user: db.database,
                password: db.password,
            },
            kafka: kafka && {
                bootstrap: `${fqdn(kafka.bootstrapService)}:${kafkaClientPort}`,
                username: kafka.users[app.name].username,
                password: kafka.users[app.name].password,
                caCertificate: kafka.caCertificate,
            },
            secretStores: ctx.platform.secrets,
        },
        { parent: ctx.parent },
    );
}

/** S3 credentials for the Barman Cloud plugin, from the stack's secrets (never plain text). */
function backupCredentials(
    name: string,
    config: PlatformConfig,
    namespace: k8s.core.v1.Namespace,
    parent: pulumi.Resource,
): k8s.core.v1.Secret | undefined {
    if (config.backup?.credentials !== "keys" || !config.secrets.backupAccessKeyId || !config.secrets.backupSecretAccessKey)
        return undefined;
    const keep = statefulProtection[config.environment];
    return new k8s.core.v1.Secret(
        name,
        {
            metadata: { name: "backup-credentials", namespace: namespace.metadata.name, labels: managedBy },
            type: "Opaque",
            stringData: { ACCESS_KEY_ID: config.secrets.backupAccessKeyId, ACCESS_SECRET_KEY: config.secrets.backupSecretAccessKey },
        },
        { parent, retainOnDelete: keep.retainOnDelete },
    );
}
