/**
 * API groups whose CRDs the real chart installs but the offline chart mirror cannot render
 * (/work/shared/charts/README.md, "What to know before relying on it"). A custom resource of
 * such a group that no rendered CRD serves is listed as not checked, with the reason, instead
 * of failing as an unserved kind. Once a mirror renders the CRDs, they are checked like any
 * other: the entry only applies while nothing serves the kind.
 */
export const unrenderedCrdGroups: Record<string, string> = {
    "policies.kyverno.io":
        "kyverno 3.9.0 installs these CRDs from its kyverno-api subchart, an empty placeholder in the offline chart mirror",
};
