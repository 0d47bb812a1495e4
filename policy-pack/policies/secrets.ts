import type { ResourceValidationPolicy } from "@pulumi/policy";
import { containersOf, describeContainer, objectName, podSpecOf } from "./k8s";
import { secretLiteralKind } from "./secret-literals";

/**
 * Secrets stay secret. CrossGuard hands policies secret values already decrypted, so a live
 * preview cannot tell a Pulumi secret from a literal: there the pack refuses secret-looking
 * literals where they do not belong (env values, ConfigMaps). The offline gate runs on synth
 * output, where every Pulumi secret reads "[secret]", and checks the values themselves.
 */
const secretName = /(pass(word)?|secret|token|api[-_]?key|private[-_]?key|credential)s?$/i;
export const redacted = "[secret]";

export const noPlaintextSecrets: ResourceValidationPolicy = {
    name: "no-plaintext-secrets",
    description:
        "No secret literal in container env values (judged by name and by content: connection strings with passwords, cloud keys, private keys, tokens) or ConfigMaps: use a Secret instead.",
    validateResource: (args, reportViolation) => {
        const pod = podSpecOf(args.type, args.props);
        for (const c of pod ? containersOf(pod) : []) {
            for (const e of c.spec.env ?? []) {
                if (typeof e.value !== "string" || e.value === "" || e.value === redacted) continue;
                // The value is never echoed: the message names the variable and what it looks like.
                const kind = secretLiteralKind(e.value);
                if (kind) {
                    reportViolation(
                        `${objectName(args.props)}: ${describeContainer(c)} sets ${e.name} to what looks like ${kind}; use valueFrom.secretKeyRef`,
                    );
                } else if (secretName.test(String(e.name))) {
                    reportViolation(
                        `${objectName(args.props)}: ${describeContainer(c)} sets ${e.name} as a literal; use valueFrom.secretKeyRef`,
                    );
                }
            }
        }
        if (args.type === "kubernetes:core/v1:ConfigMap") {
            for (const [key, value] of Object.entries(args.props.data ?? {})) {
                // A switch is not a secret: nginx's `server-tokens: "false"` only hides its version.
                if (secretName.test(key) && !/^(true|false)$/i.test(String(value)))
                    reportViolation(`ConfigMap ${objectName(args.props)} holds '${key}'; secrets belong in a Secret`);
            }
        }
    },
};

export const secretsFromPulumiSecrets: ResourceValidationPolicy = {
    name: "secrets-from-pulumi-secrets",
    description:
        "Kubernetes Secret data and the Cloudflare API token are Pulumi secrets (checked on redacted synth output, where `inputsRedacted` is true).",
    configSchema: { properties: { inputsRedacted: { type: "boolean", default: false } } },
    validateResource: (args, reportViolation) => {
        if (!args.getConfig<{ inputsRedacted: boolean }>().inputsRedacted) return;
        if (args.type === "kubernetes:core/v1:Secret") {
            for (const field of ["data", "stringData"]) {
                const value = args.props[field];
                if (value === undefined || value === null || value === redacted) continue;
                for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
                    if (v !== redacted)
                        reportViolation(`Secret ${objectName(args.props)} ${field}.${k} is plain text, not a Pulumi secret`);
                }
            }
        }
        if (args.type === "pulumi:providers:cloudflare" && args.props.apiToken !== undefined && args.props.apiToken !== redacted) {
            reportViolation(`Cloudflare provider '${args.name}' takes its API token as plain text, not a Pulumi secret`);
        }
    },
};

const environments = ["dev", "staging", "production"];

/**
 * The platform names every ClusterSecretStore `<store>-<environment>`. An ExternalSecret (or one
 * of its entries) that reads another environment's store, or a namespaced SecretStore the
 * platform does not manage, would copy the wrong secrets into this environment.
 */
export const externalSecretsUseEnvironmentStore: ResourceValidationPolicy = {
    name: "external-secrets-use-environment-store",
    description: "ExternalSecrets read only from this environment's ClusterSecretStores (named `<store>-<environment>`).",
    configSchema: { properties: { environment: { type: "string", enum: environments } } },
    validateResource: (args, reportViolation) => {
        const environment = args.getConfig<{ environment?: string }>().environment;
        const check = (what: string, ref: { kind?: string; name?: string } | undefined) => {
            if (!ref?.name) return;
            if (!environment) {
                reportViolation(`${what}: cannot check its store: set 'environment' in this policy's config`);
                return;
            }
            const other = environments.find((e) => e !== environment && ref.name!.endsWith(`-${e}`));
            if ((ref.kind ?? "SecretStore") !== "ClusterSecretStore") {
                reportViolation(`${what} reads from the ${ref.kind ?? "SecretStore"} '${ref.name}'; use the platform's ClusterSecretStore`);
            } else if (other) {
                reportViolation(`${what} reads from the ${other} environment's store '${ref.name}' in ${environment}`);
            } else if (!ref.name.endsWith(`-${environment}`)) {
                reportViolation(`${what} reads from '${ref.name}', which is not a ${environment} store (named '<store>-${environment}')`);
            }
        };
        if (args.type === "kubernetes:external-secrets.io/v1:ExternalSecret") {
            const spec = (args.props.spec ?? {}) as {
                secretStoreRef?: { kind?: string; name?: string };
                data?: { sourceRef?: { storeRef?: { kind?: string; name?: string } } }[];
                dataFrom?: { sourceRef?: { storeRef?: { kind?: string; name?: string } } }[];
            };
            const name = `ExternalSecret ${objectName(args.props)}`;
            check(name, spec.secretStoreRef);
            [...(spec.data ?? []), ...(spec.dataFrom ?? [])].forEach((d, i) => check(`${name} entry ${i}`, d.sourceRef?.storeRef));
        }
        if (args.type === "kubernetes:external-secrets.io/v1:ClusterSecretStore") {
            check(`ClusterSecretStore ${objectName(args.props)}`, { kind: "ClusterSecretStore", name: objectName(args.props) });
        }
    },
};

export const secretPolicies = [noPlaintextSecrets, secretsFromPulumiSecrets, externalSecretsUseEnvironmentStore];
