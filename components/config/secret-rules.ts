// One judge of what looks like a credential: the gate's (container env) and this (stack files).
import { secretLiteralKind } from "../../policy-pack/policies/secret-literals";
import { receiverSecrets } from "./alerting";
import type { AppConfig } from "./apps";
import type { CrossCheckInput, Issue } from "./rules";
import { platformEnv, reservedSecretNames } from "./secrets";

/**
 * Rules for what an app's containers receive: its literal `env`, its `secrets` from the stores,
 * and the variables the platform sets for its database and Kafka never collide, and every secret
 * names a store the stack declares.
 */
export function checkAppSecrets(app: AppConfig, i: number, cfg: Partial<CrossCheckInput>, issue: Issue): void {
    const platformSet = new Map<string, string>(platformEnv.always.map((n) => [n, "the platform (log level)"]));
    if (app.postgres) for (const n of platformEnv.postgres) platformSet.set(n, "the platform for the app's Postgres");
    if (app.kafka) for (const n of platformEnv.kafka) platformSet.set(n, "the platform for the app's Kafka");

    // LOG_LEVEL stays overridable by a literal, as before; the data connections are not.
    for (const [name, value] of Object.entries(app.env ?? {})) {
        const by = platformSet.get(name);
        if (by && name !== "LOG_LEVEL") issue(["apps", i, "env", name], `'${name}' is set by ${by}; choose another name`);
        const kind = secretLiteralKind(value);
        if (kind) issue(["apps", i, "env", name], `looks like ${kind}: read it from a secret store (apps[].secrets), never a literal`);
    }

    const stores = cfg.secretStores ?? {};
    const envBy = new Map<string, string>(Object.keys(app.env ?? {}).map((n) => [n, `env.${n}`]));
    const secretBy = new Map<string, number>();
    app.secrets.forEach((secret, j) => {
        const at = ["apps", i, "secrets", j];
        const first = secretBy.get(secret.name);
        if (first !== undefined) issue([...at, "name"], `duplicate secret name '${secret.name}' (also secrets[${first}])`);
        else secretBy.set(secret.name, j);
        if ((reservedSecretNames as readonly string[]).includes(secret.name)) {
            issue([...at, "name"], `'${secret.name}' is reserved: the platform writes the Secret '${app.name}-${secret.name}' itself`);
        }
        const store = stores[secret.store];
        if (cfg.secretStores && store === undefined) {
            const declared = Object.keys(stores);
            issue(
                [...at, "store"],
                declared.length > 0
                    ? `'${secret.store}' is not one of platform:secretStores (${declared.join(", ")})`
                    : `'${secret.store}' is not a store of this stack: declare it under platform:secretStores`,
            );
        }
        secret.data.forEach((entry, k) => {
            const where = [...at, "data", k];
            const by = platformSet.get(entry.env);
            const other = envBy.get(entry.env);
            if (by) issue([...where, "env"], `'${entry.env}' is set by ${by}; choose another name`);
            else if (other) issue([...where, "env"], `duplicate variable '${entry.env}' (also ${other})`);
            else envBy.set(entry.env, `secrets[${j}].data[${k}]`);
            if (store?.provider === "kubernetes") {
                if (entry.property === undefined) {
                    issue(
                        [...where, "property"],
                        `is required with store '${secret.store}': it names the key inside the Secret '${entry.key}' in namespace '${store.remoteNamespace}'`,
                    );
                }
                if (!/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(entry.key) || entry.key.length > 253) {
                    issue([...where, "key"], `must be a Secret name in namespace '${store.remoteNamespace}' (lowercase, digits, '-', '.')`);
                }
            }
        });
    });
}

/** Stores are ESO objects: a stack that declares any needs the operator. */
export function checkSecretStores(cfg: Partial<CrossCheckInput>, issue: Issue): void {
    if (Object.keys(cfg.secretStores ?? {}).length > 0 && cfg.components?.externalSecrets.enabled === false) {
        issue(["secretStores"], "needs platform component 'externalSecrets', which this stack disables");
    }
}

/**
 * Alerting reads its receivers' credentials from the stack's stores, into the monitoring
 * namespace: each store must exist (and a `kubernetes` store needs the key inside the Secret),
 * and Alertmanager itself must be there to route anything.
 */
export function checkAlertingSecrets(cfg: Partial<CrossCheckInput>, issue: Issue): void {
    if (!cfg.alerting) return;
    if (cfg.components?.kubePrometheusStack.enabled === false)
        issue(["alerting"], "needs platform component 'kubePrometheusStack' (Alertmanager), which this stack disables");
    const stores = cfg.secretStores ?? {};
    const secrets = receiverSecrets(cfg.alerting);
    if (secrets.length > 0 && cfg.components?.externalSecrets.enabled === false)
        issue(["alerting", "receivers"], "reads credentials through platform component 'externalSecrets', which this stack disables");
    for (const { path, secret } of secrets) {
        const store = stores[secret.store];
        if (cfg.secretStores && store === undefined) {
            const declared = Object.keys(stores);
            issue(
                ["alerting", ...path, "store"],
                declared.length > 0
                    ? `'${secret.store}' is not one of platform:secretStores (${declared.join(", ")})`
                    : `'${secret.store}' is not a store of this stack: declare it under platform:secretStores`,
            );
        }
        if (store?.provider === "kubernetes" && secret.property === undefined)
            issue(
                ["alerting", ...path, "property"],
                `is required with store '${secret.store}': it names the key inside the Secret '${secret.key}'`,
            );
    }
}
