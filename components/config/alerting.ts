import { z } from "zod";
import { dnsLabel, duration } from "./primitives";
import { weakens } from "./strength";

/**
 * Where alerts go: Alertmanager's receivers and routes, from the stack file. Every credential
 * (PagerDuty routing key, Slack webhook URL, SMTP password) is read by External Secrets from one
 * of the stack's `secretStores` into a Secret of the monitoring namespace: the value never passes
 * through the stack file, Pulumi's state, the synth output or Helm values.
 */

/** A value in one of `platform:secretStores`. */
const storedSecretRef = z.strictObject({
    /** Which of `platform:secretStores`. @default "platform" */
    store: dnsLabel.default("platform"),
    /** The secret's name or path in the store. */
    key: z.string().min(1, "must name the secret in the store"),
    /** A field of a structured secret; for a `kubernetes` store, the key inside the Secret. */
    property: z.string().min(1).optional(),
});

/**
 * A reference, never the value: a string here is most likely the credential itself, and the
 * message must not echo it back (the generic "expected object, got '<value>'" would).
 */
export const storedSecret = z
    .unknown()
    .refine((v) => typeof v !== "string", {
        message: "must name the secret in a store ({ key, store, property }), never hold the value itself",
        abort: true,
    })
    .pipe(storedSecretRef);
export type StoredSecret = z.infer<typeof storedSecretRef>;

const pagerduty = z.strictObject({
    /** The PagerDuty Events API v2 integration (routing) key. */
    routingKey: storedSecret,
});

const slack = z.strictObject({
    /** The Slack incoming webhook URL (it carries its own credential). */
    webhookUrl: storedSecret,
    channel: z.string().regex(/^[#@][a-z0-9._-]{1,80}$/, "must be a Slack channel such as '#platform-alerts'"),
});

const email = z.strictObject({
    to: z.array(z.email("must be an email address")).min(1, "must list at least one address"),
    from: z.email("must be an email address"),
    /** `host:port` of the SMTP server (Alertmanager requires TLS unless told otherwise). */
    smarthost: z.string().regex(/^[a-z0-9.-]+:[0-9]{1,5}$/, "must be 'host:port' such as 'smtp.example.com:587'"),
    username: z.string().min(1).optional(),
    password: storedSecret.optional(),
});

/** A receiver; one with no integration discards what reaches it (Alertmanager's null receiver). */
export const receiverSchema = z.strictObject({
    name: dnsLabel,
    pagerduty: weakens(pagerduty.optional(), ({ current }) => (current ? [undefined] : [])),
    slack: slack.optional(),
    email: email.optional(),
});
export type ReceiverConfig = z.infer<typeof receiverSchema>;

export const alertSeverities = ["critical", "warning"] as const;

const route = z.strictObject({
    receiver: dnsLabel,
    /** Alerts of these severities (`critical` pages, `warning` does not). @default any */
    severity: z.array(z.enum(alertSeverities)).min(1).optional(),
    /** Alerts labelled with one of these teams (`platform`, or an app's `team`). @default any */
    team: z.array(z.string().min(1)).min(1).optional(),
    /** Alerts from these namespaces. @default any */
    namespace: z.array(dnsLabel).min(1).optional(),
    /** Keep matching the routes after this one (e.g. page and also post to Slack). @default false */
    continue: z.boolean().default(false),
});
export type AlertRouteConfig = z.infer<typeof route>;

export const alertingSchema = z
    .strictObject({
        receivers: z.array(receiverSchema).min(1, "must list at least one receiver"),
        /** Where alerts that no route matches go. */
        defaultReceiver: dnsLabel,
        /** Routes, first match wins (unless `continue`). @default [] */
        routes: z.array(route).default([]),
        /** Labels alerts are grouped by into one notification. @default ["alertname", "namespace"] */
        groupBy: z.array(z.string().min(1)).min(1).default(["alertname", "namespace"]),
        /** How often a still-firing alert is sent again. @default "4h" */
        repeatInterval: duration.default("4h"),
    })
    .superRefine((a, ctx) => {
        const names = new Map<string, number>();
        a.receivers.forEach((r, i) => {
            if (names.has(r.name))
                ctx.addIssue({
                    code: "custom",
                    path: ["receivers", i, "name"],
                    message: `duplicate receiver '${r.name}' (also receivers[${names.get(r.name)}])`,
                });
            else names.set(r.name, i);
        });
        const known = (name: string) => names.has(name) || names.size === 0;
        const list = [...names.keys()].join(", ");
        if (!known(a.defaultReceiver))
            ctx.addIssue({
                code: "custom",
                path: ["defaultReceiver"],
                message: `'${a.defaultReceiver}' is not one of the receivers (${list})`,
            });
        a.routes.forEach((r, i) => {
            if (!known(r.receiver))
                ctx.addIssue({
                    code: "custom",
                    path: ["routes", i, "receiver"],
                    message: `'${r.receiver}' is not one of the receivers (${list})`,
                });
            if (!r.severity && !r.team && !r.namespace)
                ctx.addIssue({
                    code: "custom",
                    path: ["routes", i],
                    message: "must match on at least one of severity, team, namespace (use defaultReceiver for everything else)",
                });
        });
    });
export type AlertingConfig = z.infer<typeof alertingSchema>;

/** Every stored secret a receiver reads, with its path under `alerting`. */
export function receiverSecrets(a: AlertingConfig): { path: (string | number)[]; receiver: string; key: string; secret: StoredSecret }[] {
    return a.receivers.flatMap((r, i) => [
        ...(r.pagerduty
            ? [
                  {
                      path: ["receivers", i, "pagerduty", "routingKey"],
                      receiver: r.name,
                      key: "pagerduty-routing-key",
                      secret: r.pagerduty.routingKey,
                  },
              ]
            : []),
        ...(r.slack
            ? [{ path: ["receivers", i, "slack", "webhookUrl"], receiver: r.name, key: "slack-webhook-url", secret: r.slack.webhookUrl }]
            : []),
        ...(r.email?.password
            ? [{ path: ["receivers", i, "email", "password"], receiver: r.name, key: "smtp-password", secret: r.email.password }]
            : []),
    ]);
}
