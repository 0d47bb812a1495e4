/**
 * Backup retention floors per compliance profile: the one table both the program (config
 * validation) and the policy pack (gate) read. SOX audit records 7 years, HIPAA documentation
 * 6 years, PCI-DSS audit trail 1 year; GDPR sets no floor beyond being able to restore
 * (Art. 32(1)(c)), taken here as 30 days.
 */
export const complianceProfiles = ["GDPR", "HIPAA", "PCI-DSS", "SOX"] as const;
export type ComplianceProfile = (typeof complianceProfiles)[number];

export const retentionFloorDays: Readonly<Record<ComplianceProfile, number>> = {
    GDPR: 30,
    "PCI-DSS": 365,
    HIPAA: 2190,
    SOX: 2555,
};

export function requiredRetentionDays(profiles: readonly string[]): number {
    return Math.max(0, ...profiles.map((p) => retentionFloorDays[p as ComplianceProfile] ?? 0));
}

/** Days in a Barman retention policy (`30d`, `4w`, `6m`), or undefined when malformed. */
export function retentionDays(policy: unknown): number | undefined {
    const m = /^([1-9][0-9]*)([dwm])$/.exec(String(policy ?? ""));
    if (!m) return undefined;
    return Number(m[1]) * { d: 1, w: 7, m: 30 }[m[2] as "d" | "w" | "m"];
}
