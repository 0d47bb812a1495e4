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

/**
 * Whether app images must be pinned by digest. Config validation requires `image.digest` where
 * this is true, and Kyverno's image verification then refuses any image of the signed registries
 * without one (`verifyDigest`); elsewhere tags are allowed and verified as they are. Kyverno never
 * rewrites a tag to a digest (`mutateDigest: false`): that would change the pod templates the
 * program manages, which the nightly drift job would report forever.
 */
export const appImageDigestRequired: PerEnvironment<boolean> = {
    dev: false,
    staging: false,
    production: true,
};
