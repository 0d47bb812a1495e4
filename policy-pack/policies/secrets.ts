import type { ResourceValidationPolicy } from "@pulumi/policy";
import { containersOf, describeContainer, objectName, podSpecOf } from "./k8s";

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
    description: "No secret-looking literal in container env values or ConfigMaps: use a Secret (from a Pulumi secret) instead.",
    validateResource: (args, reportViolation) => {
        const pod = podSpecOf(args.type, args.props);
        for (const c of pod ? containersOf(pod) : []) {
            for (const e of c.spec.env ?? []) {
                if (secretName.test(String(e.name)) && typeof e.value === "string" && e.value !== "") {
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

export const secretPolicies = [noPlaintextSecrets, secretsFromPulumiSecrets];
