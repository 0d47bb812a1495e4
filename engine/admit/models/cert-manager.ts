import type { Json, KubeObject, RequestUser } from "../types";
import { serviceAccountUser } from "../types";

/**
 * cert-manager v1.21.1's ACME HTTP-01 solver: for each Certificate an Ingress asks for through
 * an ACME issuer whose solver is HTTP-01, the controller creates a solver Pod, Service and
 * Ingress in the Ingress's namespace. Read from cert-manager tag v1.21.1:
 * pkg/issuer/acme/http/{pod,service,ingress}.go (buildDefaultPod, mergePodObjectMetaWithPodTemplate),
 * internal/apis/config/controller/v1alpha1/defaults.go (solver image and resources), and the
 * chart's deployment template (`--acme-http01-solver-image`, extraArgs).
 */

export interface CertManagerInstallation {
    controller: RequestUser;
    solverImage: string;
    solverResources: { requests: Record<string, string>; limits: Record<string, string> };
}

/** From the cert-manager release: its namespace, chart version and values (image and extraArgs overrides). */
export function certManagerInstallation(namespace: string, version: string, values: Json): CertManagerInstallation {
    const acmesolver = ((values.acmesolver as Json | undefined)?.image as Json | undefined) ?? {};
    const registry = (values.imageRegistry as string | undefined) ?? "quay.io";
    const ns = (values.imageNamespace as string | undefined) ?? "jetstack";
    const repository =
        (acmesolver.repository as string | undefined) ||
        `${registry}/${ns}/${(acmesolver.name as string | undefined) ?? "cert-manager-acmesolver"}`;
    const args = ((values.extraArgs as string[] | undefined) ?? []).map(String);
    const flag = (name: string, fallback: string) =>
        args.find((a) => a.startsWith(`--acme-http01-solver-resource-${name}=`))?.split("=")[1] ?? fallback;
    return {
        controller: serviceAccountUser(namespace, "cert-manager"),
        solverImage: `${repository}:${(acmesolver.tag as string | undefined) ?? version}`,
        solverResources: {
            requests: { cpu: flag("request-cpu", "10m"), memory: flag("request-memory", "64Mi") },
            limits: { cpu: flag("limits-cpu", "100m"), memory: flag("limits-memory", "64Mi") },
        },
    };
}

/** The HTTP-01 solver of an ACME issuer for a host, if its solvers pick HTTP-01 for it. */
export function http01Solver(issuer: KubeObject, host: string): Json | undefined {
    const solvers = (((issuer.spec as Json | undefined)?.acme as Json | undefined)?.solvers as Json[] | undefined) ?? [];
    const zones = (s: Json) => ((s.selector as Json | undefined)?.dnsZones as string[] | undefined) ?? [];
    const names = (s: Json) => ((s.selector as Json | undefined)?.dnsNames as string[] | undefined) ?? [];
    // The most specific selector wins: dnsNames, then the longest dnsZone, then a solver without selector.
    const byName = solvers.find((s) => names(s).includes(host));
    const byZone = solvers
        .filter((s) => zones(s).some((z) => host === z || host.endsWith(`.${z}`)))
        .sort((a, b) => Math.max(...zones(b).map((z) => z.length)) - Math.max(...zones(a).map((z) => z.length)))[0];
    const fallback = solvers.find((s) => !s.selector);
    const chosen = byName ?? byZone ?? fallback;
    return chosen?.http01 ? (chosen.http01 as Json) : undefined;
}

/** The solver pod (with the issuer's podTemplate merged), its Service and its Ingress. */
export function solverObjects(ingress: KubeObject, host: string, http01: Json, install: CertManagerInstallation): KubeObject[] {
    const namespace = ingress.metadata.namespace;
    const identity = {
        "acme.cert-manager.io/http-domain": "1",
        "acme.cert-manager.io/http-token": "1",
        "acme.cert-manager.io/http01-solver": "true",
    };
    const solver = (http01.ingress ?? {}) as Json;
    const template = (solver.podTemplate ?? {}) as Json;
    const tmeta = (template.metadata ?? {}) as Json;
    const tspec = (template.spec ?? {}) as Json;
    const name = `cm-acme-http-solver-${ingress.metadata.name}`;
    const resources = structuredClone(install.solverResources);
    for (const kind of ["requests", "limits"] as const)
        Object.assign(resources[kind], ((tspec.resources as Json | undefined)?.[kind] as Record<string, string>) ?? {});
    const pod: KubeObject = {
        apiVersion: "v1",
        kind: "Pod",
        metadata: {
            name,
            namespace,
            labels: { ...identity, ...((tmeta.labels as Record<string, string>) ?? {}) },
            annotations: {
                "sidecar.istio.io/inject": "false",
                "cluster-autoscaler.kubernetes.io/safe-to-evict": "true",
                ...((tmeta.annotations as Record<string, string>) ?? {}),
            },
        },
        spec: {
            automountServiceAccountToken: false,
            enableServiceLinks: false,
            restartPolicy: "OnFailure",
            nodeSelector: { "kubernetes.io/os": "linux", ...((tspec.nodeSelector as Json) ?? {}) },
            // A template's securityContext replaces the whole default pod security context.
            securityContext: (tspec.securityContext as Json | undefined) ?? {
                runAsNonRoot: true,
                seccompProfile: { type: "RuntimeDefault" },
            },
            ...(tspec.serviceAccountName ? { serviceAccountName: tspec.serviceAccountName } : {}),
            ...(tspec.priorityClassName ? { priorityClassName: tspec.priorityClassName } : {}),
            containers: [
                {
                    name: "acmesolver",
                    image: install.solverImage,
                    args: ["--listen-port=8089", `--domain=${host}`],
                    ports: [{ name: "http", containerPort: 8089, protocol: "TCP" }],
                    resources,
                    securityContext: { readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } },
                },
            ],
        },
    };
    const service: KubeObject = {
        apiVersion: "v1",
        kind: "Service",
        metadata: { name, namespace, labels: identity, annotations: { "auth.istio.io/8089": "NONE" } },
        spec: {
            type: (solver.serviceType as string | undefined) ?? "NodePort",
            selector: identity,
            ports: [{ name: "http", port: 8089, targetPort: 8089 }],
        },
    };
    const solverIngress: KubeObject = {
        apiVersion: "networking.k8s.io/v1",
        kind: "Ingress",
        metadata: {
            name,
            namespace,
            labels: identity,
            annotations: { "nginx.ingress.kubernetes.io/whitelist-source-range": "0.0.0.0/0,::/0" },
        },
        spec: {
            ...(solver.ingressClassName ? { ingressClassName: solver.ingressClassName } : {}),
            rules: [
                {
                    host,
                    http: {
                        paths: [
                            {
                                path: "/.well-known/acme-challenge/token",
                                pathType: "Exact",
                                backend: { service: { name, port: { number: 8089 } } },
                            },
                        ],
                    },
                },
            ],
        },
    };
    return [pod, service, solverIngress];
}
