/**
 * Kubernetes label selectors (metav1.LabelSelector) with their real semantics: `matchLabels`
 * and `matchExpressions` (In, NotIn, Exists, DoesNotExist) all AND-ed; an empty selector
 * matches everything; an absent one is the caller's decision.
 */
export interface LabelSelector {
    matchLabels?: Record<string, string>;
    matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

export function matchesSelector(selector: LabelSelector | undefined | null, labels: Record<string, string> | undefined): boolean {
    if (!selector) return true;
    const l = labels ?? {};
    for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (l[k] !== v) return false;
    for (const e of selector.matchExpressions ?? []) {
        const has = Object.prototype.hasOwnProperty.call(l, e.key);
        switch (e.operator) {
            case "In":
                if (!has || !(e.values ?? []).includes(l[e.key])) return false;
                break;
            case "NotIn":
                if (has && (e.values ?? []).includes(l[e.key])) return false;
                break;
            case "Exists":
                if (!has) return false;
                break;
            case "DoesNotExist":
                if (has) return false;
                break;
            default:
                return false;
        }
    }
    return true;
}

/** Whether a selector is present and says something (an empty `{}` selects everything). */
export function isNonEmptySelector(selector: LabelSelector | undefined | null): boolean {
    return !!selector && (Object.keys(selector.matchLabels ?? {}).length > 0 || (selector.matchExpressions ?? []).length > 0);
}
