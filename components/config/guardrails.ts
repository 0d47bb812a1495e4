import { z } from "zod";
import { dnsLabel } from "./primitives";
import { weakens } from "./strength";

const pemPublicKey = z
    .string()
    .regex(
        /^-----BEGIN PUBLIC KEY-----\s+[A-Za-z0-9+/=\s]+-----END PUBLIC KEY-----\s*$/,
        "must be a PEM public key ('-----BEGIN PUBLIC KEY----- ... -----END PUBLIC KEY-----'), e.g. cosign.pub",
    );

/** An image registry prefix such as `ghcr.io/acme/` (host, optional path, trailing slash). */
const registryPrefix = z
    .string()
    .regex(
        /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?(:[0-9]+)?(\/[a-z0-9._-]+)*\/$/,
        "must be a registry prefix ending in '/', such as 'ghcr.io/acme/'",
    );

export const guardrailsSchema = z.strictObject({
    /** Admission policy mode: Audit reports, Enforce rejects. Set explicitly in every stack. */
    policyMode: weakens(z.enum(["Audit", "Enforce"]), ({ current }) => (current === "Enforce" ? ["Audit"] : [])),
    /**
     * Namespaces that admission policies (Kyverno and Gatekeeper) skip: exactly this list, written
     * out in every stack so that no namespace escapes enforcement by accident.
     */
    excludedNamespaces: weakens(z.array(dnsLabel).min(1, "must list the system namespaces, at least kube-system"), ({ current, root }) =>
        // Skipping any of the stack's own namespaces (the monitoring stack's aside) weakens admission.
        Object.entries((root.namespaces ?? {}) as Record<string, { layer?: string }>)
            .filter(([name, ns]) => ns.layer !== "monitoring" && !(current as string[]).includes(name))
            .map(([name]) => [...(current as string[]), name]),
    ),
    /** Registries the apps' images may come from (the platform adds the images its operators run). */
    allowedRegistries: weakens(z.array(registryPrefix).min(1, "must list at least one registry"), ({ current }) => [
        [...(current as string[]), "docker.io/"],
    ]),
    /** Registries whose images must carry the platform's Cosign signature. @default allowedRegistries */
    signedRegistries: z.array(registryPrefix).optional(),
    /** Labels every workload must carry. @default app.kubernetes.io/name, app.kubernetes.io/part-of, platform.io/team */
    requiredLabels: z
        .array(z.string().regex(/^([a-z0-9.-]+\/)?[A-Za-z0-9._-]+$/, "must be a Kubernetes label key"))
        .default(["app.kubernetes.io/name", "app.kubernetes.io/part-of", "platform.io/team"]),
    /** Cosign public key that workload image signatures are verified against (not a secret). */
    cosignPublicKey: weakens(pemPublicKey.optional(), ({ current }) => (current ? [undefined] : [])),
    /** Deny `kubectl exec`, `attach` and ephemeral debug containers. @default false */
    denyExec: weakens(z.boolean().default(false), ({ current }) => (current === true ? [false] : [])),
    /** Mesh-wide mTLS mode. @default "STRICT" */
    mtlsMode: weakens(z.enum(["STRICT", "PERMISSIVE"]).default("STRICT"), ({ current }) =>
        current === "PERMISSIVE" ? [] : ["PERMISSIVE"],
    ),
    /** ACME (Let's Encrypt) account settings for the public ClusterIssuers. */
    acme: z.strictObject({
        email: z.email("must be an e-mail address"),
    }),
});

export type GuardrailsConfig = z.infer<typeof guardrailsSchema>;
