import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { AppConfig } from "../config/apps";
import {
    connectionObjects,
    externalSecretEnv,
    externalSecretSpec,
    kafkaCaVolume,
    kafkaEnv,
    KafkaEndpoint,
    PodConnections,
    postgresEnv,
    PostgresEndpoint,
    postgresUrl,
    scramJaasConfig,
} from "./connections";

/** The stack's External Secrets: its stores (config name -> ClusterSecretStore) and what ExternalSecrets wait for. */
export interface SecretStoreServices {
    /** The External Secrets release (the external-secrets.io CRDs and their webhook). */
    operator: pulumi.Resource;
    stores: Record<string, { name: string; resource: pulumi.Resource }>;
}

export interface AppCredentialsArgs {
    app: AppConfig;
    /** The app's namespace (an Output of its Namespace, so it exists first). */
    namespace: pulumi.Input<string>;
    labels: Record<string, string>;
    /** The app's database: where it is, and the owner's generated password. */
    postgres?: PostgresEndpoint & { password: pulumi.Output<string> };
    /** The app's Kafka: bootstrap address, its SCRAM user and password, the cluster CA certificate. */
    kafka?: KafkaEndpoint & { password: pulumi.Output<string>; caCertificate: pulumi.Output<string> };
    /** The stores `app.secrets` read from (required when the app declares secrets). */
    secretStores?: SecretStoreServices;
}

/**
 * What an app needs in its own namespace to use its data services and secrets: a Secret with its
 * database password and URLs, a Secret with its Kafka password and JAAS line, a ConfigMap with
 * the Kafka cluster CA, and one ExternalSecret per declared secret. Exposes the variables and
 * volumes every container of the app gets, and the objects its pods must wait for.
 */
export class AppCredentials extends pulumi.ComponentResource {
    readonly pod: PodConnections;
    /** Objects the app's workloads reference: created before them. */
    readonly objects: pulumi.Resource[] = [];

    constructor(name: string, args: AppCredentialsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:workloads:AppCredentials", name, {}, opts);
        const { app } = args;
        const names = connectionObjects(app.name);
        const meta = (objectName: string) => ({ name: objectName, namespace: args.namespace, labels: args.labels });
        const child = { parent: this };
        const pod: PodConnections = { env: [], volumes: [], volumeMounts: [] };

        if (args.postgres) {
            const pg = args.postgres;
            const readOnly = pg.readOnlyHost;
            const stringData: Record<string, pulumi.Input<string>> = {
                password: pg.password,
                uri: pg.password.apply((p) => postgresUrl(pg, pg.host, p)),
                ...(readOnly ? { "readonly-uri": pg.password.apply((p) => postgresUrl(pg, readOnly, p)) } : {}),
            };
            this.objects.push(
                new k8s.core.v1.Secret(`${name}-postgres`, { metadata: meta(names.postgresSecret), type: "Opaque", stringData }, child),
            );
            pod.env.push(...postgresEnv(app.name, pg));
        }

        if (args.kafka) {
            const kafka = args.kafka;
            const stringData = {
                password: kafka.password,
                "sasl.jaas.config": kafka.password.apply((p) => scramJaasConfig(kafka.username, p)),
            };
            this.objects.push(
                new k8s.core.v1.Secret(`${name}-kafka`, { metadata: meta(names.kafkaSecret), type: "Opaque", stringData }, child),
                new k8s.core.v1.ConfigMap(
                    `${name}-kafka-ca`,
                    { metadata: meta(names.kafkaCa), data: { "ca.crt": kafka.caCertificate } },
                    child,
                ),
            );
            const volume = kafkaCaVolume(app.name);
            pod.env.push(...kafkaEnv(app.name, kafka));
            pod.volumes.push(...volume.volumes);
            pod.volumeMounts.push(...volume.volumeMounts);
        }

        for (const secret of app.secrets) {
            const store = args.secretStores?.stores[secret.store];
            if (!args.secretStores || !store) throw new Error(`app '${app.name}': secret store '${secret.store}' is not installed`);
            this.objects.push(
                new k8s.apiextensions.CustomResource(
                    `${name}-secret-${secret.name}`,
                    {
                        apiVersion: "external-secrets.io/v1",
                        kind: "ExternalSecret",
                        metadata: meta(names.secret(secret.name)),
                        spec: externalSecretSpec(app.name, secret, store.name),
                    },
                    { parent: this, dependsOn: [args.secretStores.operator, store.resource] },
                ),
            );
        }
        pod.env.push(...externalSecretEnv(app));
        this.pod = pod;
        this.registerOutputs({ env: pod.env.map((e) => e.name) });
    }
}
