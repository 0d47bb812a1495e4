import type { PolicyResource } from "@pulumi/policy";
import type { Floor } from "../floors";
import type { Props } from "./k8s";

/**
 * The floor's alerting part: a stack that must page has an AlertmanagerConfig with a PagerDuty
 * receiver that a `severity=critical` alert reaches, walking the route tree as Alertmanager
 * does (first matching child wins unless it says `continue`; a route no child takes keeps the
 * alert). The alert carries no other label, so a paging route narrowed to a team or namespace,
 * or an earlier route that swallows critical alerts, does not count.
 */

type Report = (message: string, urn?: string) => void;

const alertmanagerConfigType = "kubernetes:monitoring.coreos.com/v1alpha1:AlertmanagerConfig";

/** Whether every matcher accepts the alert's labels (an absent label is the empty string, as in Alertmanager). */
export function matches(matchers: Props[] | undefined, labels: Record<string, string>): boolean {
    return (matchers ?? []).every((m) => {
        const value = labels[String(m.name)] ?? "";
        const re = new RegExp(`^(?:${String(m.value ?? "")})$`);
        switch (m.matchType ?? (m.regex ? "=~" : "=")) {
            case "=":
                return (m.value ?? "") === value;
            case "!=":
                return (m.value ?? "") !== value;
            case "=~":
                return re.test(value);
            case "!~":
                return !re.test(value);
            default:
                return false;
        }
    });
}

/** The receivers an alert with `labels` is delivered to under `route` (none when the route does not match). */
export function receiversFor(route: Props | undefined, labels: Record<string, string>): string[] {
    if (!route || !matches(route.matchers, labels)) return [];
    const found: string[] = [];
    for (const child of (route.routes as Props[] | undefined) ?? []) {
        const got = receiversFor(child, labels);
        found.push(...got);
        if (got.length > 0 && !child.continue) break;
    }
    return found.length > 0 ? found : [route.receiver];
}

export function alerting(resources: PolicyResource[], floor: Floor, report: Report): void {
    if (!floor.alerting.pagingReceiver) return;
    const configs = resources.filter((r) => r.type === alertmanagerConfigType);
    const pages = configs.some((c) => {
        const paging = new Set<string>(
            ((c.props.spec?.receivers as Props[] | undefined) ?? [])
                .filter((r) => ((r.pagerdutyConfigs as Props[] | undefined) ?? []).length > 0)
                .map((r) => r.name),
        );
        return receiversFor(c.props.spec?.route, { severity: "critical" }).some((r) => paging.has(r));
    });
    if (!pages)
        report("no PagerDuty receiver that critical alerts reach: nobody would be paged (stack file: platform:alerting)", configs[0]?.urn);
}
