import { z } from "zod";
import { cpuQuantity, byteQuantity } from "./primitives";
import { below, weakens } from "./strength";

/**
 * The layers of the platform, after the layered design it follows: each namespace belongs to
 * exactly one, and the layer decides its default isolation and quota sizing.
 */
export const layers = ["core", "security", "data", "amplifier", "monitoring", "system"] as const;
export type Layer = (typeof layers)[number];

export const podSecurityLevels = ["restricted", "baseline", "privileged"] as const;
export type PodSecurityLevel = (typeof podSecurityLevels)[number];

export const namespaceSchema = z.strictObject({
    /** The layer this namespace serves (core | security | data | amplifier | monitoring | system). */
    layer: z.enum(layers),
    /**
     * An explicit Pod Security exception. Namespaces enforce `restricted` unless this says
     * otherwise, and the reason is recorded as an annotation for reviewers.
     * @default { level: "restricted" }
     */
    podSecurity: weakens(
        z
            .strictObject({
                level: z.enum(podSecurityLevels),
                reason: z.string().min(10, "must explain why the exception is needed (at least 10 characters)"),
            })
            .optional(),
        ({ current }) =>
            below(
                ["privileged", "baseline", "restricted"],
                "restricted",
            )({
                current: (current as { level?: string } | undefined)?.level,
                parent: {},
                root: {},
            }).map((level) => ({ level, reason: "an exception nobody reviewed" })),
    ),
    /** ResourceQuota overrides; unset fields come from the per-environment table. @default {} */
    quota: z
        .strictObject({
            requestsCpu: cpuQuantity.optional(),
            requestsMemory: byteQuantity.optional(),
            limitsCpu: cpuQuantity.optional(),
            limitsMemory: byteQuantity.optional(),
            pods: z.number().int("must be a whole number").min(1, "must be at least 1").max(10000).optional(),
        })
        .optional(),
    /** Service mesh enrollment of the namespace's pods. @default "sidecar" (or "none" for amplifier) */
    mesh: weakens(z.enum(["sidecar", "ambient", "none"]).optional(), ({ current, parent }) =>
        // Out of the mesh where the layer is meshed by default (core, security) or the stack meshes it.
        current === "sidecar" || current === "ambient" || (current === undefined && ["core", "security"].includes(String(parent.layer)))
            ? ["none"]
            : [],
    ),
});

export type NamespaceConfig = z.infer<typeof namespaceSchema>;
