import { z } from "zod";
import { alertingSchema } from "./alerting";
import { appSchema } from "./apps";
import { backupSchema, complianceSchema } from "./data";
import { cloudflareSchema } from "./edge";
import { guardrailsSchema } from "./guardrails";
import { namespaceSchema } from "./namespaces";
import { componentsSchema } from "./platform";
import { below, weakens } from "./strength";
import { cidr, dnsLabel, environment, hostname, ipv4Address, kubernetesVersion, logLevel } from "./primitives";
import { secretStoresSchema } from "./secrets";

/**
 * The single source of truth for what a stack file may say under the `platform:` namespace.
 * Every top-level key here is one `platform:<key>` entry of `stacks/Pulumi.<stack>.yaml`.
 * The TypeScript types the components receive are inferred from it.
 */
export const stackConfigShape = {
    /** Which environment this stack is; selects the per-environment defaults tables. */
    environment: weakens(environment, below(["dev", "staging", "production"], "dev")),
    /** The target cluster: a kubeconfig context, or the secret `platform:kubeconfig`. */
    cluster: z.strictObject({
        /** kubeconfig context to deploy to. Exactly one of this and `platform:kubeconfig`. */
        context: z.string().min(1).optional(),
        /** Kubernetes distribution; k3s and kind need a different CNI binary path for Istio. @default "generic" */
        distribution: z.enum(["generic", "k3s", "kind"]).default("generic"),
        /**
         * Where pods reach the Kubernetes API server, as NetworkPolicy sees it: the API server's
         * endpoint addresses and ports after the `kubernetes` Service is translated (kind: the
         * control-plane node on the docker network, port 6443; managed clusters: the control
         * plane's addresses in the VPC, port 443). Only pods that need the API get this egress.
         * @default { cidrs: ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"], ports: [443, 6443] }
         */
        apiServer: z
            .strictObject({
                cidrs: z.array(cidr).min(1, "must list at least one address range"),
                ports: z.array(z.number().int().min(1).max(65535)).min(1, "must list at least one port"),
            })
            .default({ cidrs: ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"], ports: [443, 6443] }),
        /**
         * The cluster's Kubernetes minor version (`major.minor`): what `npm run render` passes to
         * `helm template --kube-version`, so charts render what they would on this cluster.
         * @default "1.34"
         */
        kubernetesVersion: kubernetesVersion.default("1.34"),
        /**
         * The cluster runs NodeLocal DNSCache: pods resolve through the cache on their node at
         * this address (a link-local address, 169.254.20.10 by upstream default), which no pod
         * selector matches. Every namespace's DNS egress then admits it beside kube-dns.
         * @default undefined (pods resolve through kube-dns only)
         */
        nodeLocalDns: z.strictObject({ address: ipv4Address }).optional(),
    }),
    /** Secret kubeconfig (set with `pulumi config set --secret platform:kubeconfig`). */
    kubeconfig: z.string().min(1, "must not be empty").optional(),
    /** The platform's DNS domain; app and UI hosts must sit under it. */
    domain: hostname,
    /** Log level of the platform components. @default "info" (Pulumi.yaml) */
    logLevel: logLevel.default("info"),
    /** The platform's namespaces, by name, each in one layer. */
    namespaces: z.record(dnsLabel, namespaceSchema),
    /** Platform Helm releases: enable flags, typed knobs and raw values. @default all enabled */
    components: componentsSchema.prefault({}),
    /** Admission policies, mesh security and certificate issuers. */
    guardrails: guardrailsSchema,
    /** The apps this stack deploys. @default [] */
    apps: z.array(appSchema).default([]),
    /** External Secrets stores by name, each the ClusterSecretStore `<name>-<environment>`. @default {} */
    secretStores: secretStoresSchema.default({}),
    /** Alertmanager's receivers and routes; secrets come from `secretStores`. Absent: alerts go nowhere (the chart's null receiver). */
    alerting: weakens(alertingSchema.optional(), ({ current }) => (current ? [undefined] : [])),
    /** Object storage for database backups. Required outside dev when an app has Postgres. */
    backup: weakens(backupSchema.optional(), ({ current }) => (current ? [undefined] : [])),
    /** Secret S3 access key id for `backup.credentials: keys`. */
    backupAccessKeyId: z.string().min(1, "must not be empty").optional(),
    /** Secret S3 secret access key for `backup.credentials: keys`. */
    backupSecretAccessKey: z.string().min(1, "must not be empty").optional(),
    /** Compliance profiles that set the backup retention floor. @default { profiles: [] } */
    compliance: complianceSchema.prefault({}),
    /** The Cloudflare edge. Absent: no Cloudflare resource, no token needed. */
    cloudflare: weakens(cloudflareSchema.optional(), ({ current }) => (current ? [undefined] : [])),
    /** Secret Cloudflare API token. @default the CLOUDFLARE_API_TOKEN environment variable */
    cloudflareApiToken: z.string().min(1, "must not be empty").optional(),
    /** Secret token cert-manager solves DNS-01 with (Zone:DNS:Edit and Zone:Zone:Read on the stack's zone only). */
    cloudflareDnsApiToken: z.string().min(1, "must not be empty").optional(),
};

/** Top-level keys whose values are secrets: refused in plain text, handed to components as secret Outputs. */
export const secretKeys = [
    "kubeconfig",
    "backupAccessKeyId",
    "backupSecretAccessKey",
    "cloudflareApiToken",
    "cloudflareDnsApiToken",
] as const;
export type SecretKey = (typeof secretKeys)[number];

/** The whole stack config; {@link parseStackConfig} parses it key by key so every problem surfaces. */
export const stackConfigSchema = z.strictObject(stackConfigShape);

/** The validated stack config as parsed, before secrets are wrapped. */
export type ParsedStackConfig = z.infer<typeof stackConfigSchema>;
