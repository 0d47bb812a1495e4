/**
 * The admission twin's vocabulary: Kubernetes objects as JSON, where each came from, and what
 * the twin reports. Everything here is plain data so each stage stays a pure function.
 */

export type Json = Record<string, unknown>;

export interface ObjectMeta {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    [key: string]: unknown;
}

export interface KubeObject {
    apiVersion: string;
    kind: string;
    metadata: ObjectMeta;
    [key: string]: unknown;
}

/** Where an object (or a pod) comes from: the program, a chart the program installs, or an operator/controller model. */
export type Origin =
    { kind: "program"; urn: string } | { kind: "rendered chart"; release: string } | { kind: "model"; model: string; of: string };

export interface Sourced<T = KubeObject> {
    object: T;
    origin: Origin;
}

/** `[program]`, `[rendered chart istio-ingressgateway]`, `[strimzi model of memory/Kafka/event-ingest-kafka]`. */
export function originLabel(origin: Origin): string {
    switch (origin.kind) {
        case "program":
            return "program";
        case "rendered chart":
            return `rendered chart ${origin.release}`;
        case "model":
            return `${origin.model} model of ${origin.of}`;
    }
}

/** `namespace/Kind/name` (cluster-scoped objects: `Kind/name`). */
export function objectRef(o: { kind: string; metadata: { name: string; namespace?: string } }): string {
    return o.metadata.namespace ? `${o.metadata.namespace}/${o.kind}/${o.metadata.name}` : `${o.kind}/${o.metadata.name}`;
}

/** The user (or controller) whose request creates an object: admission rules may look at it. */
export interface RequestUser {
    username: string;
    groups: string[];
}

/** Who applies the program's own objects and its Helm releases (any human or CI identity). */
export const deployer: RequestUser = { username: "platform-deployer", groups: ["system:authenticated"] };

/** A Kubernetes built-in controller's identity, as the API server sees its requests. */
export const controllerUser = (controller: string): RequestUser => ({
    username: `system:serviceaccount:kube-system:${controller}`,
    groups: ["system:serviceaccounts", "system:serviceaccounts:kube-system", "system:authenticated"],
});

/** A service account's identity. */
export const serviceAccountUser = (namespace: string, name: string): RequestUser => ({
    username: `system:serviceaccount:${namespace}:${name}`,
    groups: ["system:serviceaccounts", `system:serviceaccounts:${namespace}`, "system:authenticated"],
});

/** One admission request, as a webhook or admission policy receives it. */
export interface AdmissionRequest {
    operation: "CREATE" | "UPDATE" | "DELETE" | "CONNECT";
    /** Group/version/kind of the object. */
    kind: { group: string; version: string; kind: string };
    /** Group/version/resource (`pods`, `deployments`) and subresource (`exec`). */
    resource: { group: string; version: string; resource: string };
    subResource?: string;
    namespace?: string;
    name: string;
    object: KubeObject;
    oldObject?: KubeObject;
    userInfo: RequestUser;
}

/** A refusal: which object, from where, by which rule and why. */
export interface Refusal {
    ref: string;
    origin: Origin;
    rule: string;
    reason: string;
}

export function formatRefusal(r: Refusal): string {
    return `${r.ref} [${originLabel(r.origin)}]: ${r.rule}: ${r.reason}`;
}
