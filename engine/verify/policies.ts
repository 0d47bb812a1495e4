import type { Cluster, CustomKind, KubeObject } from "./cluster";
import type { Expectations } from "./expectations";
import type { CheckResult } from "./report";

const KYVERNO_GROUP = { group: "policies.kyverno.io", version: "v1" };
const GATEKEEPER_GROUP = { group: "constraints.gatekeeper.sh", version: "v1beta1" };

/** Lists each cluster-scoped plural once, by name. */
function byPlural(cluster: Cluster, group: { group: string; version: string }) {
    const cache = new Map<string, Promise<Map<string, KubeObject>>>();
    return (plural: string) => {
        const kind: CustomKind = { ...group, plural, clusterScoped: true };
        if (!cache.has(plural))
            cache.set(
                plural,
                cluster.list(kind).then((items) => new Map(items.map((o) => [o.metadata.name, o]))),
            );
        return cache.get(plural)!;
    };
}

const sameSet = (a: string[], b: string[]) => a.length === b.length && a.every((x) => b.includes(x));

/**
 * Kyverno policies act as the stack says (`Deny` where it enforces, `Audit` where it audits) and
 * Kyverno reports them ready; Gatekeeper constraints carry the stack's enforcement action and the
 * audit has reported on them.
 */
export async function checkPolicies(
    cluster: Cluster,
    exp: Pick<Expectations, "kyvernoPolicies" | "gatekeeperConstraints">,
): Promise<CheckResult[]> {
    const kyverno = byPlural(cluster, KYVERNO_GROUP);
    const gatekeeper = byPlural(cluster, GATEKEEPER_GROUP);
    const kyvernoRows = exp.kyvernoPolicies.map(async (expected): Promise<CheckResult> => {
        const target = `${expected.kind}/${expected.name}`;
        const policy = (await kyverno(expected.plural)).get(expected.name);
        if (!policy) return { check: "policy", target, status: "fail", detail: "missing" };
        const actions = (policy.spec?.validationActions ?? []) as string[];
        const conditionStatus = (policy.status?.conditionStatus ?? {}) as { ready?: boolean; message?: string };
        const mode = `validationActions [${actions.join(", ")}]`;
        if (!sameSet(actions, expected.validationActions)) {
            const enforce = expected.validationActions.includes("Deny") && !actions.includes("Deny");
            const what = enforce ? "does not enforce: the stack wants" : "the stack wants";
            return { check: "policy", target, status: "fail", detail: `${mode}: ${what} [${expected.validationActions.join(", ")}]` };
        }
        if (conditionStatus.ready !== true) {
            return {
                check: "policy",
                target,
                status: "fail",
                detail: `${mode}, not ready${conditionStatus.message ? `: ${conditionStatus.message}` : ""}`,
            };
        }
        return { check: "policy", target, status: "ok", detail: `${mode}, ready` };
    });
    const gatekeeperRows = exp.gatekeeperConstraints.map(async (expected): Promise<CheckResult> => {
        const target = `${expected.kind}/${expected.name}`;
        const constraint = (await gatekeeper(expected.plural)).get(expected.name);
        if (!constraint) return { check: "constraint", target, status: "fail", detail: "missing" };
        const action = String(constraint.spec?.enforcementAction ?? "deny");
        const status = constraint.status ?? {};
        const byPod = (status.byPod ?? []) as { id?: string; enforced?: boolean }[];
        if (action !== expected.enforcementAction) {
            return {
                check: "constraint",
                target,
                status: "fail",
                detail: `enforcementAction ${action}: the stack wants ${expected.enforcementAction}`,
            };
        }
        const notEnforced = byPod.filter((p) => p.enforced !== true).map((p) => p.id ?? "?");
        if (byPod.length === 0 || notEnforced.length > 0) {
            const pods = byPod.length === 0 ? "no Gatekeeper pod reports it yet" : `not enforced by ${notEnforced.join(", ")}`;
            return { check: "constraint", target, status: "fail", detail: `enforcementAction ${action}, ${pods}` };
        }
        if (typeof status.totalViolations !== "number") {
            return { check: "constraint", target, status: "fail", detail: `enforcementAction ${action}, no audit result yet` };
        }
        return {
            check: "constraint",
            target,
            status: "ok",
            detail: `enforcementAction ${action}, ${status.totalViolations} audit violation(s)`,
        };
    });
    return Promise.all([...kyvernoRows, ...gatekeeperRows]);
}
