import * as yaml from "js-yaml";

/**
 * From `helm template` output to the objects a release puts in the cluster: one plain object per
 * document, test hooks dropped (Pulumi's Release never runs `helm test`), other hooks kept with
 * their annotation, namespaced objects given the release namespace (as Helm does when it
 * applies them), Secret values redacted the way synth redacts Pulumi secrets.
 */
export type KubeObject = Record<string, unknown> & {
    apiVersion?: string;
    kind?: string;
    metadata?: { name?: string; namespace?: string; annotations?: Record<string, string> };
};

/** What synth writes for a secret value; rendered Secrets read the same. */
export const redacted = "[secret]";

const hookAnnotation = "helm.sh/hook";

/** Built-in kinds that are not namespaced (Kubernetes 1.3x API; CRD kinds come from their CRDs' `scope`). */
const clusterScopedKinds = new Set([
    "APIService",
    "CertificateSigningRequest",
    "ClusterRole",
    "ClusterRoleBinding",
    "ClusterTrustBundle",
    "ComponentStatus",
    "CSIDriver",
    "CSINode",
    "CustomResourceDefinition",
    "DeviceClass",
    "FlowSchema",
    "IngressClass",
    "IPAddress",
    "MutatingAdmissionPolicy",
    "MutatingAdmissionPolicyBinding",
    "MutatingWebhookConfiguration",
    "Namespace",
    "Node",
    "PersistentVolume",
    "PriorityClass",
    "PriorityLevelConfiguration",
    "ResourceSlice",
    "RuntimeClass",
    "ServiceCIDR",
    "StorageClass",
    "StorageVersionMigration",
    "ValidatingAdmissionPolicy",
    "ValidatingAdmissionPolicyBinding",
    "ValidatingWebhookConfiguration",
    "VolumeAttachment",
    "VolumeAttributesClass",
]);

const groupOf = (apiVersion: string) => (apiVersion.includes("/") ? apiVersion.split("/")[0] : "");

/** `group/Kind` keys of cluster-scoped custom kinds, from the CRDs a stack's releases render. */
export function clusterScopedCustomKinds(crds: KubeObject[]): Set<string> {
    const kinds = new Set<string>();
    for (const crd of crds) {
        const spec = (crd.spec ?? {}) as { scope?: string; group?: string; names?: { kind?: string } };
        if (spec.scope === "Cluster" && spec.group && spec.names?.kind) kinds.add(`${spec.group}/${spec.names.kind}`);
    }
    return kinds;
}

export function isClusterScoped(obj: KubeObject, customClusterKinds: Set<string>): boolean {
    const group = groupOf(String(obj.apiVersion ?? ""));
    if (customClusterKinds.has(`${group}/${obj.kind}`)) return true;
    const builtIn = group === "" || !group.includes(".") || group.endsWith(".k8s.io");
    return builtIn && clusterScopedKinds.has(String(obj.kind));
}

/** The `helm.sh/hook` annotation, if the object is a hook. */
export function hookOf(obj: KubeObject): string | undefined {
    return obj.metadata?.annotations?.[hookAnnotation];
}

/** Test hooks (`helm.sh/hook: test`, or the older test-success/test-failure): only `helm test` creates them. */
export function isTestHook(obj: KubeObject): boolean {
    const hook = hookOf(obj);
    return hook !== undefined && hook.split(",").some((h) => /^test(-success|-failure)?$/.test(h.trim()));
}

/** One document of `helm template` output: its text as Helm printed it (with its `# Source:` line) and its object. */
export interface ManifestDoc {
    text: string;
    object: KubeObject;
}

/** Documents are separated by `---` lines; a marker at column 0 also ends any block scalar, so splitting there is exact. */
export function splitDocuments(stdout: string): string[] {
    return stdout
        .split(/^---[ \t]*$/m)
        .map((t) => t.replace(/^\n+|\s+$/g, ""))
        .filter((t) => t !== "");
}

const crdDocument = /^kind:[ \t]*["']?CustomResourceDefinition["']?[ \t]*$/m;

/**
 * The objects of a `helm template` stdout, in output order: empty documents and test hooks dropped,
 * `List`s flattened (their items re-printed). With `onlyCrds`, only CustomResourceDefinitions are
 * parsed (the first pass needs nothing else, and parsing is most of a render's time).
 */
export function parseManifests(stdout: string, options: { onlyCrds?: boolean } = {}): ManifestDoc[] {
    const docs: ManifestDoc[] = [];
    for (const text of splitDocuments(stdout)) {
        if (options.onlyCrds && !crdDocument.test(text)) continue;
        let value: KubeObject | null;
        try {
            value = yaml.load(text) as KubeObject | null;
        } catch (err) {
            throw new Error(`helm printed YAML that does not parse: ${(err as Error).message}`);
        }
        if (!value || typeof value !== "object" || !value.kind) continue;
        if (value.kind.endsWith("List") && Array.isArray(value.items)) {
            for (const item of value.items as KubeObject[])
                if (item?.kind && !isTestHook(item)) docs.push({ text: dumpObject(item), object: item });
        } else if (!isTestHook(value)) {
            docs.push({ text, object: value });
        }
    }
    return docs;
}

/** YAML for an object Helm did not print as such (List items, redacted Secrets). */
export function dumpObject(obj: KubeObject, comment?: string): string {
    const body = yaml.dump(obj, { lineWidth: -1, noRefs: true }).replace(/\s+$/, "");
    return comment ? `${comment}\n${body}` : body;
}

/** The leading comment lines of a document (Helm's `# Source: <chart>/templates/<file>`). */
export function leadingComment(text: string): string | undefined {
    const lines = text.split("\n");
    const n = lines.findIndex((l) => !l.startsWith("#"));
    return n > 0 ? lines.slice(0, n).join("\n") : undefined;
}

/** Secret `data`/`stringData` values replaced by "[secret]" (keys kept, so a diff shows which keys change). */
export function redactSecret(obj: KubeObject): KubeObject {
    if (obj.kind !== "Secret" || obj.apiVersion !== "v1") return obj;
    const out: KubeObject = { ...obj };
    for (const field of ["data", "stringData"]) {
        const values = obj[field];
        if (values && typeof values === "object") {
            out[field] = Object.fromEntries(Object.keys(values as object).map((k) => [k, redacted]));
        }
    }
    return out;
}

/** Sets the release namespace on namespaced objects that name none, as Helm does when installing. */
export function withNamespace<T extends KubeObject>(obj: T, namespace: string, customClusterKinds: Set<string>): T {
    if (isClusterScoped(obj, customClusterKinds) || obj.metadata?.namespace) return obj;
    return { ...obj, metadata: { ...obj.metadata, namespace } };
}

/** `<Kind>-<namespace or _cluster>-<name>.yaml`, with characters artifact stores refuse (`:` in RBAC names) as `_`. */
export function objectFileName(obj: KubeObject): string {
    const safe = (s: string) => s.replace(/[^A-Za-z0-9._-]/g, "_");
    return `${safe(String(obj.kind))}-${safe(obj.metadata?.namespace ?? "_cluster")}-${safe(obj.metadata?.name ?? "unnamed")}.yaml`;
}

/** `group/version` and `group/version/Kind` for every version a CRD serves: what `--api-versions` takes. */
export function crdApiVersions(crd: KubeObject): string[] {
    const spec = (crd.spec ?? {}) as { group?: string; names?: { kind?: string }; versions?: { name?: string; served?: boolean }[] };
    if (crd.kind !== "CustomResourceDefinition" || !spec.group || !spec.names?.kind) return [];
    return (spec.versions ?? [])
        .filter((v) => v.name && v.served !== false)
        .flatMap((v) => [`${spec.group}/${v.name}`, `${spec.group}/${v.name}/${spec.names!.kind}`]);
}
