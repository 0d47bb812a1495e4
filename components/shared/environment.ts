import type { Environment } from "../config/primitives";

/** A value per environment: the small, visible table every component keeps its defaults in. */
export type PerEnvironment<T> = Readonly<Record<Environment, T>>;

/**
 * What "must survive a mistake" means per environment. In production, stateful resources and
 * releases that own CRDs are protected (`pulumi destroy` and accidental removals fail) and
 * are retained in the cluster if they are ever dropped from state.
 */
export const statefulProtection: PerEnvironment<{ protect: boolean; retainOnDelete: boolean }> = {
    dev: { protect: false, retainOnDelete: false },
    staging: { protect: false, retainOnDelete: true },
    production: { protect: true, retainOnDelete: true },
};
