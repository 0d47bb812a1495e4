import * as k8s from "@kubernetes/client-node";

/**
 * The few reads the live checks make, behind one small interface so the checks stay plain
 * functions of what the cluster answers. {@link kubeCluster} is the real one, on the maintained
 * Kubernetes client; tests point that same implementation at a fake API server.
 */
export interface Cluster {
    /** The context (and API server) being checked, for the report. */
    readonly context: string;
    readonly server: string;
    serverVersion(): Promise<string>;
    namespaces(): Promise<k8s.V1Namespace[]>;
    /** Every read below spans all namespaces: one request per kind, however many objects the stack has. */
    pods(): Promise<k8s.V1Pod[]>;
    /** Secrets matching an equality label selector (`owner=helm`). */
    secrets(labelSelector: string): Promise<k8s.V1Secret[]>;
    deployments(): Promise<k8s.V1Deployment[]>;
    /** Custom objects of one kind (cluster-scoped kinds, or namespaced ones in every namespace). */
    list(kind: CustomKind): Promise<KubeObject[]>;
}

export interface CustomKind {
    group: string;
    version: string;
    plural: string;
    /** Cluster-scoped kinds are listed without a namespace. */
    clusterScoped?: boolean;
}

/** A custom object as the API returns it: only the parts the checks read are typed. */
export interface KubeObject {
    apiVersion?: string;
    kind?: string;
    metadata: { name: string; namespace?: string; creationTimestamp?: string; labels?: Record<string, string> };
    spec?: Record<string, unknown>;
    status?: Record<string, unknown>;
}

/** A read the cluster refused or could not answer, in one line a person can act on. */
export class ClusterError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "ClusterError";
    }
}

/**
 * Loads the kubeconfig the way kubectl does (KUBECONFIG, else ~/.kube/config) and selects the
 * context: `context` when given (it must exist), else `preferred` (the one the stack deploys to)
 * when the kubeconfig has it, else the current context.
 */
export function loadKubeConfig(options: { context?: string; preferred?: string } = {}): k8s.KubeConfig {
    const kc = new k8s.KubeConfig();
    kc.loadFromDefault();
    const known = kc.getContexts().map((c) => c.name);
    if (options.context !== undefined && !known.includes(options.context)) {
        throw new ClusterError(`no kube context '${options.context}' in your kubeconfig (contexts: ${known.join(", ") || "none"})`);
    }
    const chosen = options.context ?? (options.preferred && known.includes(options.preferred) ? options.preferred : undefined);
    if (chosen) kc.setCurrentContext(chosen);
    if (!kc.getCurrentCluster()) throw new ClusterError("no current kube context: pass --context or run kubectl config use-context");
    return kc;
}

const READ_TIMEOUT_MS = 30_000;

export function kubeCluster(kc: k8s.KubeConfig): Cluster {
    const core = kc.makeApiClient(k8s.CoreV1Api);
    const apps = kc.makeApiClient(k8s.AppsV1Api);
    const custom = kc.makeApiClient(k8s.CustomObjectsApi);
    const version = kc.makeApiClient(k8s.VersionApi);
    const server = kc.getCurrentCluster()?.server ?? "";
    const read = <T>(what: string, call: () => Promise<T>) =>
        withTimeout(what, call()).catch((err) => Promise.reject(explain(what, server, err)));
    return {
        context: kc.getCurrentContext(),
        server,
        serverVersion: () => read("version", () => version.getCode()).then((v) => v.gitVersion),
        namespaces: () => read("namespaces", () => core.listNamespace()).then((l) => l.items),
        pods: () => read("pods", () => core.listPodForAllNamespaces()).then((l) => l.items),
        secrets: (labelSelector) =>
            read(`secrets (${labelSelector})`, () => core.listSecretForAllNamespaces({ labelSelector })).then((l) => l.items),
        deployments: () => read("deployments", () => apps.listDeploymentForAllNamespaces()).then((l) => l.items),
        list: (kind) => {
            const { group, version: v, plural } = kind;
            const call = () =>
                kind.clusterScoped
                    ? custom.listClusterCustomObject({ group, version: v, plural })
                    : custom.listCustomObjectForAllNamespaces({ group, version: v, resourcePlural: plural });
            return read(`${plural}.${group}/${v}`, call).then((l: { items?: KubeObject[] }) => l.items ?? []);
        },
    };
}

function explain(what: string, server: string, err: unknown): ClusterError {
    if (err instanceof ClusterError) return err;
    const e = err as { code?: number | string; body?: unknown; message?: string; cause?: { code?: string } };
    if (typeof e.code === "number") {
        const reason = apiMessage(e.body);
        if (e.code === 404) return new ClusterError(`${what}: not found${reason ? ` (${reason})` : " (is its CRD installed?)"}`);
        if (e.code === 401 || e.code === 403)
            return new ClusterError(`${what}: ${e.code === 401 ? "unauthorised" : "forbidden"}${reason ? `: ${reason}` : ""}`);
        return new ClusterError(`${what}: HTTP ${e.code}${reason ? `: ${reason}` : ""}`);
    }
    const code = e.cause?.code ?? (typeof e.code === "string" ? e.code : undefined);
    return new ClusterError(`${what}: cannot reach ${server}${code ? ` (${code})` : `: ${e.message ?? String(err)}`}`);
}

function apiMessage(body: unknown): string | undefined {
    try {
        const status = (typeof body === "string" ? JSON.parse(body) : body) as { message?: string } | undefined;
        return status?.message;
    } catch {
        return typeof body === "string" && body.length < 200 ? body : undefined;
    }
}

function withTimeout<T>(what: string, promise: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new ClusterError(`${what}: no answer within ${READ_TIMEOUT_MS / 1000}s`)), READ_TIMEOUT_MS);
    });
    return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
