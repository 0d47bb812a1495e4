import { z } from "zod";

/**
 * Building blocks shared by every part of the stack config schema. Each refinement carries a
 * message written for the person editing the stack file.
 */

/** RFC 1123 label, the rule Kubernetes applies to namespace and most object names. */
export const dnsLabel = z
    .string()
    .regex(
        /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/,
        "must be a DNS-1123 label: lowercase letters, digits and '-', starting and ending with a letter or digit",
    )
    .max(63, "must be at most 63 characters (DNS-1123 label)");

/** A fully qualified host name such as `api.example.com` (no scheme, no port, no trailing dot). */
export const hostname = z
    .string()
    .max(253, "must be at most 253 characters")
    .regex(
        /^(?=.{1,253}$)([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)(\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)+$/,
        "must be a lowercase fully qualified host name such as 'api.example.com' (no scheme, port, wildcard or trailing dot)",
    );

/** Kubernetes CPU quantity (`250m`, `1`, `1.5`). */
export const cpuQuantity = z.string().regex(/^([0-9]+m|[0-9]+(\.[0-9]+)?)$/, "must be a CPU quantity such as '250m' or '2'");

/** Kubernetes memory/storage quantity (`512Mi`, `2Gi`, `1G`). */
export const byteQuantity = z
    .string()
    .regex(/^[0-9]+(\.[0-9]+)?(Ki|Mi|Gi|Ti|Pi|k|M|G|T|P)?$/, "must be a quantity such as '512Mi' or '20Gi'");

export const resourceAmounts = z.strictObject({
    cpu: cpuQuantity.optional(),
    memory: byteQuantity.optional(),
});

/** Container resources: requests and limits; the schema requires both where workloads run. */
export const resources = z.strictObject({
    requests: resourceAmounts,
    limits: resourceAmounts,
});

export const replicas = z
    .number({ error: "must be a number" })
    .int("must be a whole number")
    .min(1, "must be at least 1")
    .max(100, "must be at most 100");

export const percentage = z.number().int("must be a whole number").min(1, "must be at least 1").max(100, "must be at most 100");

/** Raw Helm values: the one untyped escape hatch, deep-merged over the typed defaults. */
export const helmValues = z.record(z.string(), z.unknown());

/** Go-style duration used by several operators (`30s`, `5m`, `1h30m`). */
export const duration = z.string().regex(/^([0-9]+(ms|s|m|h))+$/, "must be a duration such as '60s', '5m' or '1h'");

/** Prometheus duration (`15d`, `12h`, `2w`). */
export const prometheusDuration = z.string().regex(/^[0-9]+(ms|s|m|h|d|w|y)$/, "must be a duration such as '15d', '12h' or '2w'");

/** Five-field cron schedule (`0 2 * * *`), as Kubernetes CronJobs use. */
export const cronSchedule = z.string().regex(/^(\S+\s+){4}\S+$/, "must be a five-field cron schedule such as '0 2 * * *'");

/**
 * The oldest Kubernetes minor every pinned chart supports: Istio 1.30 needs 1.32 (its support
 * matrix); cloudnative-pg 0.29 and plugin-barman-cloud 0.7 declare `kubeVersion: >=1.29.0-0`.
 */
export const minimumKubernetesVersion = { major: 1, minor: 32 } as const;

/** A Kubernetes `major.minor` version such as `1.34`, no older than {@link minimumKubernetesVersion}. */
export const kubernetesVersion = z
    .string()
    .regex(/^[1-9][0-9]*\.(0|[1-9][0-9]*)$/, { message: "must be a Kubernetes version as 'major.minor', such as '1.34'", abort: true })
    .refine(
        (v) => {
            const [major, minor] = v.split(".").map(Number);
            return (
                major > minimumKubernetesVersion.major ||
                (major === minimumKubernetesVersion.major && minor >= minimumKubernetesVersion.minor)
            );
        },
        {
            message: `must be at least ${minimumKubernetesVersion.major}.${minimumKubernetesVersion.minor}: Istio 1.30 supports no older cluster`,
        },
    );

export const environments = ["dev", "staging", "production"] as const;
export const environment = z.enum(environments);
export type Environment = z.infer<typeof environment>;

export const logLevel = z.enum(["debug", "info", "warn", "error"]);
export type LogLevel = z.infer<typeof logLevel>;

/** An IPv4 or IPv6 address range in CIDR notation (`10.0.0.0/16`, `2001:db8::/32`). */
export const cidr = z
    .string()
    .regex(
        /^(([0-9]{1,3}\.){3}[0-9]{1,3}\/([0-9]|[12][0-9]|3[0-2])|[0-9a-fA-F:]+:[0-9a-fA-F:]*\/([0-9]|[1-9][0-9]|1[01][0-9]|12[0-8]))$/,
        "must be an address range in CIDR notation, such as '10.0.0.0/16'",
    );

/** One IPv4 address (`169.254.20.10`), each octet 0-255. */
export const ipv4Address = z
    .string()
    .regex(
        /^((25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])\.){3}(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])$/,
        "must be an IPv4 address such as '169.254.20.10'",
    );
