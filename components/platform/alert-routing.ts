import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { AlertingConfig, AlertRouteConfig, receiverSecrets } from "../config/alerting";
import type { Monitoring } from "../shared/helm";
import { clusterStoreSecretSpec } from "../shared/external-secret";
import { managedBy } from "../shared/labels";
import type { SecretStoreServices } from "../workloads/app-credentials";

/**
 * Alertmanager's receivers and routes as a prometheus-operator `AlertmanagerConfig`
 * (monitoring.coreos.com/v1alpha1, the CRD of kube-prometheus-stack 88.5.3), rather than the
 * chart's `alertmanager.config` values: a CR references its credentials as Secret keys, so no
 * credential is ever a Helm value (Helm keeps values in its release record). Alertmanager selects
 * it by {@link alertmanagerConfigLabels} with matcher strategy
 * `OnNamespaceExceptForAlertmanagerNamespace` (an enum value of the Alertmanager CRD's
 * `alertmanagerConfigMatcherStrategy.type`): the operator's default (`OnNamespace`) would add
 * `namespace="monitoring"` to this CR's routes and drop every app's alert, while `None` would
 * also let a CR in any other namespace route every namespace's alerts.
 * The operator inserts the CR's route first under the chart's root route with `continue: true`;
 * its severity matcher keeps the chart's `Watchdog` and `InfoInhibitor` (severity `none`) out.
 */

/** The label Alertmanager's `alertmanagerConfigSelector` picks AlertmanagerConfigs by. */
export const alertmanagerConfigLabels = { "platform.io/alerting": "routes" };

/** The Secret (per store) External Secrets writes receivers' credentials into, in the monitoring namespace. */
export const receiverSecretName = (store: string) => `alertmanager-receivers-${store}`;

const matchers = (r: AlertRouteConfig) => [
    ...(r.severity ? [{ name: "severity", matchType: "=~", value: r.severity.join("|") }] : []),
    ...(r.team ? [{ name: "team", matchType: "=~", value: r.team.join("|") }] : []),
    ...(r.namespace ? [{ name: "namespace", matchType: "=~", value: r.namespace.join("|") }] : []),
];

/** The AlertmanagerConfig spec. Exported for tests. */
export function alertmanagerConfigSpec(a: AlertingConfig): Record<string, unknown> {
    const ref = (receiver: string, store: string, key: string) => ({ name: receiverSecretName(store), key: `${receiver}-${key}` });
    return {
        route: {
            receiver: a.defaultReceiver,
            groupBy: a.groupBy,
            repeatInterval: a.repeatInterval,
            matchers: [{ name: "severity", matchType: "=~", value: "critical|warning" }],
            routes: a.routes.map((r) => ({ receiver: r.receiver, matchers: matchers(r), continue: r.continue })),
        },
        receivers: a.receivers.map((r) => ({
            name: r.name,
            ...(r.pagerduty
                ? {
                      pagerdutyConfigs: [
                          { routingKey: ref(r.name, r.pagerduty.routingKey.store, "pagerduty-routing-key"), sendResolved: true },
                      ],
                  }
                : {}),
            ...(r.slack
                ? {
                      slackConfigs: [
                          {
                              apiURL: ref(r.name, r.slack.webhookUrl.store, "slack-webhook-url"),
                              channel: r.slack.channel,
                              sendResolved: true,
                          },
                      ],
                  }
                : {}),
            ...(r.email
                ? {
                      emailConfigs: [
                          {
                              to: r.email.to.join(", "),
                              from: r.email.from,
                              smarthost: r.email.smarthost,
                              ...(r.email.username ? { authUsername: r.email.username } : {}),
                              ...(r.email.password ? { authPassword: ref(r.name, r.email.password.store, "smtp-password") } : {}),
                              sendResolved: true,
                          },
                      ],
                  }
                : {}),
        })),
    };
}

/** One ExternalSecret per store the receivers read from: key `<receiver>-<kind>` in Secret `alertmanager-receivers-<store>`. */
export function receiverExternalSecrets(
    a: AlertingConfig,
    clusterStore: (store: string) => string,
): Record<string, Record<string, unknown>> {
    const byStore = new Map<string, ReturnType<typeof receiverSecrets>>();
    for (const s of receiverSecrets(a)) byStore.set(s.secret.store, [...(byStore.get(s.secret.store) ?? []), s]);
    return Object.fromEntries(
        [...byStore].map(([store, secrets]) => [
            store,
            clusterStoreSecretSpec({
                clusterStore: clusterStore(store),
                target: receiverSecretName(store),
                refreshInterval: "1h",
                deletionPolicy: "Retain",
                data: secrets.map((s) => ({ secretKey: `${s.receiver}-${s.key}`, key: s.secret.key, property: s.secret.property })),
            }),
        ]),
    );
}

export interface AlertRoutingArgs {
    alerting: AlertingConfig;
    monitoring: Monitoring;
    /** The stack's stores (required when a receiver reads a credential). */
    secretStores?: SecretStoreServices;
}

/** The stack's Alertmanager routes and receivers, with their credentials from the external store. */
export class AlertRouting extends pulumi.ComponentResource {
    readonly receivers: string[];

    constructor(name: string, args: AlertRoutingArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:platform:AlertRouting", name, {}, opts);
        const ns = args.monitoring.namespace;
        const secrets: pulumi.Resource[] = [];
        for (const [store, spec] of Object.entries(
            receiverExternalSecrets(args.alerting, (s) => {
                const found = args.secretStores?.stores[s];
                if (!found) throw new Error(`alerting: secret store '${s}' is not installed`);
                return found.name;
            }),
        )) {
            const found = args.secretStores!.stores[store];
            secrets.push(
                new k8s.apiextensions.CustomResource(
                    `${name}-${store}-credentials`,
                    {
                        apiVersion: "external-secrets.io/v1",
                        kind: "ExternalSecret",
                        metadata: { name: receiverSecretName(store), namespace: ns, labels: managedBy },
                        spec,
                    },
                    { parent: this, dependsOn: [args.secretStores!.operator, found.resource] },
                ),
            );
        }
        new k8s.apiextensions.CustomResource(
            `${name}-config`,
            {
                apiVersion: "monitoring.coreos.com/v1alpha1",
                kind: "AlertmanagerConfig",
                metadata: { name: "platform", namespace: ns, labels: { ...managedBy, ...alertmanagerConfigLabels } },
                spec: alertmanagerConfigSpec(args.alerting),
            },
            { parent: this, dependsOn: [args.monitoring.crds, ...secrets] },
        );
        this.receivers = args.alerting.receivers.map((r) => r.name);
        this.registerOutputs({ receivers: this.receivers });
    }
}
