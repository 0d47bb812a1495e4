import { z } from "zod";

/**
 * Which way each security-relevant setting weakens, written on the schema itself: the stack
 * file's weakening edits are drawn from here (test/weakening: every such edit of production's
 * stack file must be refused by validation, the policy gate's floor or the admission twin). A
 * setting without an annotation is not security-relevant (a log level, a quota).
 */
export interface WeakenContext {
    /** The setting's current value (undefined when the stack file leaves it out). */
    current: unknown;
    /** The object the setting sits in (an app, a namespace, the guardrails). */
    parent: Record<string, unknown>;
    /** The whole `platform:` config, as the stack file writes it. */
    root: Record<string, unknown>;
}

export interface Strength {
    /** Weaker replacements for the current value (`undefined` removes the setting). */
    weaker: (ctx: WeakenContext) => unknown[];
}

export const strengthRegistry = z.registry<Strength>();

/** Annotates `schema` with the way it weakens; returns the same schema. */
export function weakens<T extends z.ZodType>(schema: T, weaker: Strength["weaker"]): T {
    strengthRegistry.add(schema, { weaker } as never);
    return schema;
}

/** Weaker values of an ordered scale (weakest first): everything strictly below the current one. */
export const below =
    <T>(scale: readonly T[], fallback: T) =>
    ({ current }: WeakenContext): unknown[] =>
        scale.slice(0, Math.max(0, scale.indexOf((current ?? fallback) as T)));

/** Whole numbers below the current one, down to `min`. */
export const lowerNumbers =
    (min: number, fallback: number) =>
    ({ current }: WeakenContext): unknown[] =>
        Array.from({ length: Math.max(0, Number(current ?? fallback) - min) }, (_, i) => min + i);
