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

/** The cloud providers whose workload identity the backups can use. */
export const backupIdentityProviders = ["aws", "gcp", "azure"] as const;
export type BackupIdentityProvider = (typeof backupIdentityProviders)[number];

export const backupIdentitySchema = z.discriminatedUnion("provider", [
    z.strictObject({
        /** EKS IAM Roles for Service Accounts: the role the pods assume. */
        provider: z.literal("aws"),
        roleArn: z
            .string()
            .regex(
                /^arn:aws(-cn|-us-gov)?:iam::\d{12}:role\/[A-Za-z0-9+=,.@_/-]{1,512}$/,
                "must be an IAM role ARN such as 'arn:aws:iam::123456789012:role/platform-backups'",
            ),
    }),
    z.strictObject({
        /** GKE Workload Identity: the Google service account the Kubernetes one impersonates. */
        provider: z.literal("gcp"),
        serviceAccount: z
            .string()
            .regex(
                /^[a-z][a-z0-9-]{4,28}[a-z0-9]@[a-z][a-z0-9-]{4,28}[a-z0-9]\.iam\.gserviceaccount\.com$/,
                "must be a Google service account email such as 'platform-backups@acme-prod.iam.gserviceaccount.com'",
            ),
    }),
    z.strictObject({
        /** Azure Workload Identity: the client id of the managed identity (or app registration). */
        provider: z.literal("azure"),
        clientId: z.uuid("must be the identity's client id, a UUID such as '8f4e2b1a-3c5d-4e6f-9a0b-1c2d3e4f5a6b'"),
    }),
]);
export type BackupIdentity = z.infer<typeof backupIdentitySchema>;

/** Which provider's object store a destinationPath names. */
export function storeProvider(destinationPath: string): BackupIdentityProvider {
    if (destinationPath.startsWith("gs://")) return "gcp";
    if (destinationPath.startsWith("https://")) return "azure";
    return "aws";
}

export const backupSchema = z.strictObject({
    /** Bucket and prefix, e.g. `s3://acme-platform-backups/production`; each database gets a sub-path. */
    destinationPath: z
        .string()
        .regex(
            /^(s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]|gs:\/\/[a-z0-9][a-z0-9._-]{1,61}[a-z0-9]|https:\/\/[a-z0-9]{3,24}\.blob\.core\.windows\.net\/[a-z0-9](?:[a-z0-9-]{1,61}[a-z0-9])?)(\/[A-Za-z0-9._/-]*)?$/,
            "must be an s3:// or gs:// bucket URL or an Azure Blob container URL, such as 's3://acme-backups/production', 'gs://acme-backups/production' or 'https://acmebackups.blob.core.windows.net/production'",
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
    /**
     * The cloud identity the database pods assume for `credentials: iam`, written on the
     * ServiceAccount CloudNativePG creates for each cluster (and, for Azure, the pod label the
     * workload identity webhook selects on). Required with `iam`; its provider must match the
     * destinationPath's store (s3:// AWS, gs:// Google Cloud, *.blob.core.windows.net Azure).
     */
    identity: backupIdentitySchema.optional(),
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
