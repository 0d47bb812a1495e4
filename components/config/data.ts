import { z } from "zod";
import type { Environment } from "./primitives";
import { cidr } from "./primitives";
import { weakens } from "./strength";
// The retention floors are the policy pack's: one table serves validation here and the gate there.
import { complianceProfiles, ComplianceProfile, requiredRetentionDays, retentionFloorDays } from "../../policy-pack/policies/compliance";

/**
 * Data protection settings: where database backups go, and which compliance profiles set the
 * floor for how long they are kept.
 */
export { complianceProfiles, requiredRetentionDays, retentionFloorDays };
export type { ComplianceProfile };

/** Backup retention when an app does not set one. */
export const defaultRetentionDays: Readonly<Record<Environment, number>> = { dev: 7, staging: 14, production: 35 };

export const backupSchema = z.strictObject({
    /** Bucket and prefix, e.g. `s3://acme-platform-backups/production`; each database gets a sub-path. */
    destinationPath: z
        .string()
        .regex(
            /^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/[A-Za-z0-9._/-]*)?$/,
            "must be an s3:// bucket URL such as 's3://acme-backups/production'",
        ),
    /** S3-compatible endpoint (MinIO, Ceph RGW); omit for AWS S3. */
    endpointURL: z.url("must be a URL such as 'https://s3.eu-central-1.amazonaws.com'").optional(),
    /**
     * `keys`: the secrets `platform:backupAccessKeyId` and `platform:backupSecretAccessKey`;
     * `iam`: the pods' cloud identity (IRSA, workload identity). @default "keys"
     */
    credentials: z.enum(["keys", "iam"]).default("keys"),
    /**
     * Address ranges the object store answers on (a VPC endpoint's subnet, a MinIO service's
     * range, the provider's published ranges). NetworkPolicy cannot match host names, so without
     * them the database pods could reach any internet address on 443; with them, only the store.
     * Required outside dev.
     */
    endpointCidrs: weakens(z.array(cidr).min(1, "must list at least one address range").optional(), ({ current }) => [
        [...((current as string[] | undefined) ?? []), "0.0.0.0/0"],
    ]),
    /** Port of the object store. @default 443 */
    endpointPort: z.number().int().min(1).max(65535).default(443),
});

export const complianceSchema = z.strictObject({
    /** Compliance regimes the stack's data falls under; they set the backup retention floor. @default [] */
    profiles: weakens(z.array(z.enum(complianceProfiles)).default([]), ({ current }) => {
        // Dropping a profile weakens when it lowers the retention floor the profiles set.
        const all = (current as string[] | undefined) ?? [];
        return all.map((p) => all.filter((x) => x !== p)).filter((rest) => requiredRetentionDays(rest) < requiredRetentionDays(all));
    }),
});

export type BackupConfig = z.infer<typeof backupSchema>;
