/** Labels every object the platform creates directly carries, so `kubectl get -l` finds them. */
export const managedBy = { "app.kubernetes.io/managed-by": "pulumi" } as const;

export function platformLabels(component: string): Record<string, string> {
    return { ...managedBy, "app.kubernetes.io/part-of": "platform", "app.kubernetes.io/component": component };
}

/** Pod Security Standard admission labels for a namespace. */
export function podSecurityLabels(enforce: string): Record<string, string> {
    return {
        "pod-security.kubernetes.io/enforce": enforce,
        "pod-security.kubernetes.io/enforce-version": "latest",
        // Audit and warn stay at `restricted` even under an exception, so reviewers still see
        // every pod that needs more than restricted allows.
        "pod-security.kubernetes.io/audit": "restricted",
        "pod-security.kubernetes.io/warn": "restricted",
    };
}
