import type { Json, KubeObject } from "../types";

/**
 * Istio 1.30.3's sidecar injector, as it mutates pods: when it injects, which template it uses,
 * and exactly what it adds. Read from istio/istio tag 1.30.3:
 * manifests/charts/istio-control/istio-discovery/files/injection-template.yaml (sidecar),
 * files/gateway-injection-template.yaml (gateways), templates/istiod-injector-configmap.yaml
 * (which chart values reach the templates), pkg/kube/inject/{inject,webhook}.go (injection
 * decision, native sidecars on Kubernetes >= 1.33, reapplying a gateway chart's own container).
 */

export interface MeshInjection {
    /** `docker.io/istio/proxyv2:1.30.3` from the istiod chart's global.hub and version. */
    proxyImage: string;
    /** global.proxy.resources */
    proxyResources?: Json;
    /** global.proxy.seccompProfile: copied into the injected containers (sidecar template only). */
    seccompProfile?: Json;
    /** cni.enabled: istio-validation (unprivileged) instead of istio-init (NET_ADMIN, root). */
    cni: boolean;
    /** gateways.securityContext of the istiod chart (replaces the gateway template's pod security context). */
    gatewaySecurityContext?: Json;
    /** Kubernetes >= 1.33: the proxy is a native sidecar (an init container with restartPolicy Always). */
    nativeSidecars: boolean;
}

/** The injection settings from the istiod release's values (`values` as the program passes them). */
export function meshInjection(istiodValues: Json, chartVersion: string, kubernetesMinor: number): MeshInjection {
    const global = (istiodValues.global ?? {}) as Json;
    const proxy = (global.proxy ?? {}) as Json;
    const hub = (global.hub as string | undefined) ?? "docker.io/istio";
    const tag = (global.tag as string | undefined) ?? chartVersion;
    const gateways = (istiodValues.gateways ?? {}) as Json;
    return {
        proxyImage: `${hub}/proxyv2:${tag}`,
        proxyResources: proxy.resources as Json | undefined,
        seccompProfile: proxy.seccompProfile as Json | undefined,
        cni: ((istiodValues.cni ?? (istiodValues.pilot as Json | undefined)?.cni) as Json | undefined)?.enabled === true,
        gatewaySecurityContext:
            gateways.securityContext && Object.keys(gateways.securityContext as Json).length > 0
                ? (gateways.securityContext as Json)
                : undefined,
        nativeSidecars: kubernetesMinor >= 33,
    };
}

/**
 * Whether the injector mutates this pod: its namespace enables injection (`istio-injection=enabled`
 * or a revision label) unless the pod opts out, or the pod opts in by label in a namespace that
 * does not disable it. The `sidecar.istio.io/inject` label wins over the annotation.
 */
export function injects(pod: KubeObject, namespaceLabels: Record<string, string>): boolean {
    const label = pod.metadata.labels?.["sidecar.istio.io/inject"];
    const annotation = pod.metadata.annotations?.["sidecar.istio.io/inject"];
    const optOut = label === "false" || (label === undefined && annotation === "false");
    const nsMode = namespaceLabels["istio-injection"];
    if (nsMode === "disabled") return false;
    if (nsMode === "enabled" || namespaceLabels["istio.io/rev"] !== undefined) return !optOut;
    return label === "true";
}

const proxyVolumes = (gateway: boolean): Json[] => [
    { name: "workload-socket", emptyDir: {} },
    { name: "credential-socket", emptyDir: {} },
    { name: "workload-certs", emptyDir: {} },
    { name: "istio-envoy", emptyDir: { medium: "Memory" } },
    { name: "istio-data", emptyDir: {} },
    { name: "istio-podinfo", downwardAPI: { items: [] } },
    {
        name: "istio-token",
        projected: { sources: [{ serviceAccountToken: { audience: "istio-ca", expirationSeconds: 43200, path: "istio-token" } }] },
    },
    { name: "istiod-ca-cert", configMap: { name: "istio-ca-root-cert" } },
    ...(gateway ? [] : [{ name: "istio-ca-crl", configMap: { name: "istio-ca-crl", optional: true } }]),
];

/** Applies the injection webhook's mutation to `pod` (in place). */
export function inject(pod: KubeObject, mesh: MeshInjection): void {
    const spec = pod.spec as Json & { containers: Json[]; initContainers?: Json[]; volumes?: Json[]; securityContext?: Json };
    const annotations = (pod.metadata.annotations ??= {});
    const labels = (pod.metadata.labels ??= {});
    const gateway = annotations["inject.istio.io/templates"] === "gateway";
    labels["service.istio.io/canonical-name"] ??= labels["app.kubernetes.io/name"] ?? labels.app ?? pod.metadata.name;
    labels["service.istio.io/canonical-revision"] ??= labels["app.kubernetes.io/version"] ?? labels.version ?? "latest";
    annotations["istio.io/rev"] = "default";
    annotations["sidecar.istio.io/status"] = JSON.stringify({ revision: "default" });
    spec.volumes = [...(spec.volumes ?? []), ...proxyVolumes(gateway)];
    if (gateway) return injectGateway(spec, mesh);

    labels["security.istio.io/tlsMode"] = "istio";
    const resources = mesh.proxyResources ? structuredClone(mesh.proxyResources) : undefined;
    const seccomp = mesh.seccompProfile ? { seccompProfile: structuredClone(mesh.seccompProfile) } : {};
    const init: Json = mesh.cni
        ? {
              name: "istio-validation",
              image: mesh.proxyImage,
              ...(resources ? { resources } : {}),
              securityContext: {
                  allowPrivilegeEscalation: false,
                  privileged: false,
                  capabilities: { drop: ["ALL"] },
                  readOnlyRootFilesystem: true,
                  runAsGroup: 1337,
                  runAsUser: 1337,
                  runAsNonRoot: true,
                  ...seccomp,
              },
          }
        : {
              // Without the CNI node agent, traffic redirection needs root and NET_ADMIN/NET_RAW.
              name: "istio-init",
              image: mesh.proxyImage,
              ...(resources ? { resources } : {}),
              securityContext: {
                  allowPrivilegeEscalation: false,
                  privileged: false,
                  capabilities: { add: ["NET_ADMIN", "NET_RAW"], drop: ["ALL"] },
                  readOnlyRootFilesystem: false,
                  runAsGroup: 0,
                  runAsNonRoot: false,
                  runAsUser: 0,
                  ...seccomp,
              },
          };
    const proxy: Json = {
        name: "istio-proxy",
        image: mesh.proxyImage,
        ports: [{ containerPort: 15090, name: "http-envoy-prom", protocol: "TCP" }],
        ...(resources ? { resources: structuredClone(resources) } : {}),
        securityContext: {
            allowPrivilegeEscalation: false,
            capabilities: { drop: ["ALL"] },
            privileged: false,
            readOnlyRootFilesystem: true,
            runAsNonRoot: true,
            runAsUser: 1337,
            runAsGroup: 1337,
            ...seccomp,
        },
    };
    if (mesh.nativeSidecars) {
        spec.initContainers = [init, { ...proxy, restartPolicy: "Always" }, ...(spec.initContainers ?? [])];
    } else {
        spec.initContainers = [init, ...(spec.initContainers ?? [])];
        spec.containers = [...spec.containers, proxy];
    }
}

/**
 * The gateway template: the chart ships its own `istio-proxy` container (`image: auto`), which
 * the injector re-applies over the template's, so the container keeps the chart's security
 * context plus the proxy's UID/GID; the pod keeps the chart's security context merged with the
 * template's (the unprivileged-port sysctl). The template adds no seccomp profile.
 */
function injectGateway(spec: Json & { containers: Json[]; securityContext?: Json }, mesh: MeshInjection): void {
    const templatePodSecurity: Json = mesh.gatewaySecurityContext
        ? structuredClone(mesh.gatewaySecurityContext)
        : { sysctls: [{ name: "net.ipv4.ip_unprivileged_port_start", value: "0" }] };
    spec.securityContext = { ...templatePodSecurity, ...(spec.securityContext ?? {}) };
    const chart = spec.containers.find((c) => c.name === "istio-proxy");
    const proxy: Json = {
        ...(chart ?? { name: "istio-proxy" }),
        image: mesh.proxyImage,
        securityContext: { runAsUser: 1337, runAsGroup: 1337, ...((chart?.securityContext as Json | undefined) ?? {}) },
    };
    spec.containers = [proxy, ...spec.containers.filter((c) => c.name !== "istio-proxy")];
}
