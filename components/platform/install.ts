import * as pulumi from "@pulumi/pulumi";
import type { PlatformConfig } from "../config";
import type { ComponentsConfig } from "../config/platform";
import { publicIssuer } from "../guardrails/certificate-issuers";
import type { Namespaces } from "../guardrails/namespaces";
import type { ClientCertificateCheck, UiExposure } from "../shared/origin-lock";
import { ArgoCd } from "./argocd";
import { ArgoRollouts } from "./argo-rollouts";
import { CertManager } from "./cert-manager";
import { CloudNativePg } from "./cloudnative-pg";
import { ExternalSecrets } from "./external-secrets";
import { Gatekeeper } from "./gatekeeper";
import { IngressNginx, ingressNginxChart } from "./ingress-nginx";
import { Istio, istioCharts, istioGatewayService } from "./istio";
import { Keda } from "./keda";
import { KubePrometheusStack } from "./kube-prometheus-stack";
import { Kyverno } from "./kyverno";
import { Strimzi } from "./strimzi";

/** The platform releases a stack installs (absent when the stack disables them). */
export interface InstalledPlatform {
    prometheus?: KubePrometheusStack;
    certManager?: CertManager;
    ingress?: IngressNginx;
    istio?: Istio;
    kyverno?: Kyverno;
    gatekeeper?: Gatekeeper;
    argocd?: ArgoCd;
    argoRollouts?: ArgoRollouts;
    keda?: Keda;
    cloudnativePg?: CloudNativePg;
    strimzi?: Strimzi;
    externalSecrets?: ExternalSecrets;
}

/** The controller Service ingress-nginx's chart creates (`<release>-controller`), `namespace/name`. */
const ingressNginxControllerService = `${ingressNginxChart.namespace}/${ingressNginxChart.releaseName}-controller`;

/** A public LoadBalancer the stack's config asks for: its Service, the release that creates it, and why. */
interface NamedLoadBalancer {
    service: string;
    release: string;
    reason: string;
}

function publicLoadBalancers(c: ComponentsConfig): NamedLoadBalancer[] {
    const named: NamedLoadBalancer[] = [];
    if (c.ingressNginx.enabled !== false && (c.ingressNginx.serviceType ?? "LoadBalancer") === "LoadBalancer")
        named.push({
            service: ingressNginxControllerService,
            release: ingressNginxChart.releaseName,
            reason: "the platform's entry point, ingress-nginx's controller (platform:components.ingressNginx)",
        });
    const gateway = c.istio.ingressGateway;
    if (c.istio.enabled !== false && gateway.enabled && gateway.serviceType === "LoadBalancer")
        named.push({
            service: istioGatewayService,
            release: istioCharts.gateway.releaseName,
            reason: "the stack routes through the Istio ingress gateway (platform:components.istio.ingressGateway)",
        });
    return named;
}

/**
 * The public LoadBalancer Services the stack's config asks for (`namespace/name` -> why). The
 * gate's `no-unnamed-public-load-balancer` allows these and refuses every other one, whichever
 * chart or values create it.
 */
export function namedLoadBalancers(c: ComponentsConfig): Record<string, string> {
    return Object.fromEntries(publicLoadBalancers(c).map((n) => [n.service, n.reason]));
}

/** The releases whose values may ask for a LoadBalancer: those that create a named one. */
export function loadBalancerReleases(c: ComponentsConfig): string[] {
    return publicLoadBalancers(c).map((n) => n.release);
}

/** Every Helm release of the installed platform: what admission policies must wait for. */
export function allReleases(p: InstalledPlatform): pulumi.Resource[] {
    return [
        p.prometheus?.release,
        p.certManager?.release,
        p.ingress?.release,
        p.istio?.base,
        p.istio?.istiod,
        p.istio?.cni,
        p.istio?.gateway,
        p.istio?.ztunnel,
        p.kyverno?.release,
        p.gatekeeper?.release,
        p.argocd?.release,
        p.argoRollouts?.release,
        p.keda?.release,
        p.cloudnativePg?.operator,
        p.cloudnativePg?.barmanCloud,
        p.strimzi?.release,
        p.externalSecrets?.release,
    ].filter((r): r is NonNullable<typeof r> => r !== undefined);
}

/** What the platform needs from a CDN in front of it: the ranges it connects from, and the check UIs run on its client certificate. */
export interface EdgeOrigin {
    ranges: pulumi.Input<string[]>;
    uiCheck: ClientCertificateCheck;
}

/**
 * Installs every enabled platform release. Edges exist only where one release needs another:
 * ServiceMonitors need the Prometheus CRDs, the Barman Cloud plugin needs cert-manager, and
 * Istio's charts chain base -> istiod (-> gateway, when the stack deploys one). Everything else installs in parallel.
 */
export function installPlatform(
    config: PlatformConfig,
    namespaces: Namespaces,
    opts: pulumi.ComponentResourceOptions,
    edge?: EdgeOrigin,
): InstalledPlatform {
    const c = config.components;
    const env = config.environment;
    const logLevel = config.logLevel;
    const on = (component: { enabled?: boolean }) => component.enabled !== false;
    const uiHost = (component: { expose?: boolean; host?: string }, name: string): UiExposure | undefined =>
        component.expose
            ? {
                  host: component.host ?? `${name}.${config.domain}`,
                  ingressClassName: "nginx",
                  clusterIssuer: publicIssuer[env],
                  clientCertificate: edge?.uiCheck,
              }
            : undefined;

    const monitoringNs = on(c.kubePrometheusStack) ? namespaces.ofLayer("monitoring") : undefined;
    const prometheus = monitoringNs
        ? new KubePrometheusStack(
              "kube-prometheus-stack",
              {
                  environment: env,
                  logLevel,
                  namespace: monitoringNs.resource.metadata.name,
                  namespaceName: monitoringNs.name,
                  replicas: c.kubePrometheusStack.replicas,
                  retention: c.kubePrometheusStack.retention,
                  storageSize: c.kubePrometheusStack.storageSize,
                  grafana: uiHost(c.kubePrometheusStack.grafana, "grafana"),
                  values: c.kubePrometheusStack.values,
              },
              opts,
          )
        : undefined;
    const monitoring = prometheus?.monitoring;
    const common = { environment: env, logLevel, monitoring };

    const certManager = on(c.certManager)
        ? new CertManager("cert-manager", { ...common, replicas: c.certManager.replicas, values: c.certManager.values }, opts)
        : undefined;
    const istio = on(c.istio)
        ? new Istio(
              "istio",
              {
                  environment: env,
                  logLevel,
                  dataplane: c.istio.dataplane,
                  distribution: config.cluster.distribution,
                  replicas: c.istio.replicas,
                  ingressGateway: c.istio.ingressGateway.enabled
                      ? {
                            serviceType: c.istio.ingressGateway.serviceType,
                            loadBalancerSourceRanges: c.istio.ingressGateway.loadBalancerSourceRanges,
                            replicas: c.istio.ingressGateway.replicas,
                        }
                      : undefined,
                  monitoring,
                  values: c.istio.values,
              },
              opts,
          )
        : undefined;
    const ingress = on(c.ingressNginx)
        ? new IngressNginx(
              "ingress-nginx",
              {
                  environment: env,
                  monitoring,
                  replicas: c.ingressNginx.replicas,
                  serviceType: c.ingressNginx.serviceType,
                  cloudflare: edge ? { ranges: edge.ranges } : undefined,
                  meshSidecar: istio !== undefined && (c.istio.dataplane ?? "sidecar") === "sidecar",
                  values: c.ingressNginx.values,
              },
              opts,
          )
        : undefined;
    return {
        prometheus,
        certManager,
        ingress,
        istio,
        kyverno: on(c.kyverno)
            ? new Kyverno("kyverno", { ...common, replicas: c.kyverno.replicas, values: c.kyverno.values }, opts)
            : undefined,
        gatekeeper: on(c.gatekeeper)
            ? new Gatekeeper(
                  "gatekeeper",
                  {
                      ...common,
                      replicas: c.gatekeeper.replicas,
                      exemptNamespaces: config.guardrails.excludedNamespaces,
                      values: c.gatekeeper.values,
                  },
                  opts,
              )
            : undefined,
        argocd: on(c.argocd)
            ? new ArgoCd(
                  "argocd",
                  {
                      ...common,
                      replicas: c.argocd.replicas,
                      ui: uiHost(c.argocd, "argocd"),
                      appNamespaces: [...new Set(config.apps.map((a) => a.namespace))],
                      values: c.argocd.values,
                  },
                  opts,
              )
            : undefined,
        argoRollouts: on(c.argoRollouts)
            ? new ArgoRollouts("argo-rollouts", { ...common, replicas: c.argoRollouts.replicas, values: c.argoRollouts.values }, opts)
            : undefined,
        keda: on(c.keda) ? new Keda("keda", { ...common, replicas: c.keda.replicas, values: c.keda.values }, opts) : undefined,
        cloudnativePg:
            on(c.cloudnativePg) && certManager
                ? new CloudNativePg(
                      "cloudnative-pg",
                      {
                          environment: env,
                          monitoring,
                          certManager: certManager.release,
                          replicas: c.cloudnativePg.replicas,
                          values: c.cloudnativePg.values,
                      },
                      opts,
                  )
                : undefined,
        strimzi: on(c.strimzi)
            ? new Strimzi("strimzi", { ...common, replicas: c.strimzi.replicas, values: c.strimzi.values }, opts)
            : undefined,
        externalSecrets: on(c.externalSecrets)
            ? new ExternalSecrets(
                  "external-secrets",
                  { ...common, replicas: c.externalSecrets.replicas, values: c.externalSecrets.values },
                  opts,
              )
            : undefined,
    };
}
