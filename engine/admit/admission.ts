import { GatekeeperEvaluator } from "./gatekeeper";
import { KyvernoEvaluator, SignatureModel } from "./kyverno";
import { inject, injects, MeshInjection } from "./models/istio";
import { applyLimitRangeDefaults, createRequest, defaultVolumes, LimitRangeItem, limitRangeViolations } from "./models/kubernetes";
import { checkPodSecurity, enforcedLevel, PodLike } from "./pod-security";
import type { Candidate, ExecAction } from "./pods";
import type { AdmissionRequest, Json, KubeObject, Refusal } from "./types";
import { objectRef } from "./types";

/**
 * Admission in the API server's order, for each candidate object: mutation (LimitRange
 * defaulting, volume defaulting, Istio's sidecar injection), then validation (LimitRange maxima,
 * Pod Security for the namespace's enforce level and version, Kyverno's policies, Gatekeeper's
 * constraints). ResourceQuota is checked over all admitted pods at full scale (quota.ts).
 */

export interface ClusterPolicies {
    namespaceLabels(namespace: string): Record<string, string>;
    limitRanges(namespace: string): LimitRangeItem[];
    kyverno: KyvernoEvaluator;
    gatekeeper: GatekeeperEvaluator;
    mesh?: MeshInjection;
    signatures: SignatureModel;
}

export interface Admitted {
    candidate: Candidate;
    /** The object after mutation. */
    object: KubeObject;
}

export interface AdmissionResult {
    admitted: Admitted[];
    refusals: Refusal[];
    /** What Audit/dryrun/Warn policies report without blocking (and warnings). */
    audits: Refusal[];
}

const isPod = (o: KubeObject) => o.kind === "Pod";

export function admitAll(candidates: Candidate[], policies: ClusterPolicies): AdmissionResult {
    const result: AdmissionResult = { admitted: [], refusals: [], audits: [] };
    const refused = new Set<KubeObject>();
    for (const candidate of candidates) {
        // A refused workload never gets its ReplicaSets, Jobs or pods.
        if (candidate.createdFrom && refused.has(candidate.createdFrom)) {
            refused.add(candidate.object);
            continue;
        }
        const object = structuredClone(candidate.object);
        const ns = object.metadata.namespace;
        const refuse = (rule: string, reason: string) =>
            result.refusals.push({ ref: objectRef(object), origin: candidate.origin, rule, reason });
        const audit = (rule: string, reason: string) =>
            result.audits.push({ ref: objectRef(object), origin: candidate.origin, rule, reason });
        const before = result.refusals.length;

        if (isPod(object) && ns) {
            const limits = policies.limitRanges(ns);
            applyLimitRangeDefaults(object, limits);
            if (policies.mesh && injects(object, policies.namespaceLabels(ns))) inject(object, policies.mesh);
            defaultVolumes(object);
            for (const v of limitRangeViolations(object, limits)) refuse("LimitRange", v);
            const { level, version } = enforcedLevel(policies.namespaceLabels(ns));
            for (const f of checkPodSecurity(object as unknown as PodLike, level, version)) {
                refuse(`PodSecurity ${level}:${version}`, `${f.check}: ${f.message}`);
            }
        }
        const request = createRequest(object, candidate.user);
        judge(request, policies, refuse, audit);
        if (result.refusals.length === before) result.admitted.push({ candidate, object });
        else refused.add(candidate.object);
    }
    return result;
}

function judge(
    request: AdmissionRequest,
    policies: ClusterPolicies,
    refuse: (rule: string, reason: string) => void,
    audit: (rule: string, reason: string) => void,
): void {
    for (const v of policies.kyverno.evaluate(request, policies, policies.signatures)) {
        if (v.actions.includes("Deny")) refuse(`Kyverno ${v.policy}`, v.message);
        else audit(`Kyverno ${v.policy} (${v.actions.join(",")})`, v.message);
    }
    for (const v of policies.gatekeeper.evaluate(request, (n) => policies.namespaceLabels(n))) {
        if (v.enforcementAction === "deny") refuse(`Gatekeeper ${v.kind}/${v.constraint}`, v.message);
        else audit(`Gatekeeper ${v.kind}/${v.constraint} (${v.enforcementAction})`, v.message);
    }
}

/** Operator actions through `pods/exec` or `pods/attach`: CONNECT requests the exec policies see. */
export function admitExec(actions: ExecAction[], policies: ClusterPolicies): AdmissionResult {
    const result: AdmissionResult = { admitted: [], refusals: [], audits: [] };
    for (const a of actions) {
        const object: KubeObject = { apiVersion: "v1", kind: "Pod", metadata: { name: a.pod, namespace: a.namespace } };
        const request: AdmissionRequest = {
            operation: "CONNECT",
            kind: { group: "", version: "v1", kind: a.subResource === "exec" ? "PodExecOptions" : "PodAttachOptions" },
            resource: { group: "", version: "v1", resource: "pods" },
            subResource: a.subResource,
            namespace: a.namespace,
            name: a.pod,
            object,
            userInfo: a.user,
        };
        const ref = `${a.namespace}/pods/${a.subResource}/${a.pod}`;
        judge(
            request,
            policies,
            (rule, reason) => result.refusals.push({ ref, origin: a.origin, rule, reason: `${a.what}: ${reason}` }),
            (rule, reason) => result.audits.push({ ref, origin: a.origin, rule, reason: `${a.what}: ${reason}` }),
        );
    }
    return result;
}

export type { Json };
