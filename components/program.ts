import * as cloudflare from "@pulumi/cloudflare";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { PlatformConfig } from "./config";
import { publicHosts } from "./config/hosts";
import { CloudflareEdge } from "./edge/cloudflare-edge";
import { cloudflareIpRanges } from "./edge/ip-ranges";
import { OriginPull } from "./edge/origin-pull";
import { acmeCaaIdentity, CertificateIssuers, publicIssuer, solvesHttp01 } from "./guardrails/certificate-issuers";
import { Namespaces } from "./guardrails/namespaces";
import { GatekeeperConstraints } from "./guardrails/gatekeeper-constraints";
import { KyvernoPolicies } from "./guardrails/kyverno-policies";
import { MeshSecurity } from "./guardrails/mesh-security";
import { MonitoringRbac } from "./guardrails/monitoring-rbac";
import { NetworkBaseline } from "./guardrails/network-baseline";
import { allReleases, EdgeOrigin, installPlatform, InstalledPlatform } from "./platform/install";
import { alertReceiverReaders, observePlatform } from "./platform/observe";
import { SecretStores } from "./platform/secret-stores";
import { releaseVersions } from "./platform/versions";
import { appImageDigestRequired } from "./shared/environment";
import { Apps } from "./workloads/apps";
import type { PlatformServices } from "./workloads/microservice";

/**
 * Builds the whole platform from a validated config. This is the program; `index.ts` only
 * loads the config and exports what this returns as stack outputs.
 */
export function buildPlatform(config: PlatformConfig): Record<string, pulumi.Input<unknown>> {
    const cluster = new k8s.Provider("cluster", {
        context: config.cluster.context,
        kubeconfig: config.secrets.kubeconfig,
    });
    const opts: pulumi.ComponentResourceOptions = { providers: [cluster] };

    const namespaces = new Namespaces(
        "namespaces",
        {
            environment: config.environment,
            namespaces: config.namespaces,
            meshEnabled: config.components.istio.enabled !== false,
            defaultDataplane: config.components.istio.dataplane,
        },
        opts,
    );
    const origin = config.cloudflare ? cloudflareOrigin(config, namespaces, opts) : undefined;
    const platform = installPlatform(config, namespaces, opts, origin?.platform);

    new NetworkBaseline(
        "network-baseline",
        {
            namespaces,
            meshNamespace: platform.istio?.rootNamespace,
            nodeLocalDns: config.cluster.nodeLocalDns?.address,
            monitoringNamespace: platform.prometheus?.monitoring.namespace,
            acmeHttp01:
                platform.ingress && solvesHttp01(config.environment, config.cloudflare !== undefined)
                    ? {
                          ingressNamespace: platform.ingress.namespace,
                          namespaces: [...new Set(config.apps.filter((a) => a.ingress).map((a) => a.namespace))],
                      }
                    : undefined,
        },
        opts,
    );
    const issuers = platform.certManager
        ? new CertificateIssuers(
              "certificate-issuers",
              {
                  environment: config.environment,
                  email: config.guardrails.acme.email,
                  ingressClassName: "nginx",
                  certManagerNamespace: platform.certManager.namespace,
                  certManager: platform.certManager.release,
                  dns01:
                      config.cloudflare && config.secrets.cloudflareDnsApiToken
                          ? { zoneName: config.cloudflare.zoneName, apiToken: config.secrets.cloudflareDnsApiToken }
                          : undefined,
              },
              opts,
          )
        : undefined;

    admissionAndMeshPolicies(config, namespaces, platform, opts);
    new MonitoringRbac("monitoring-rbac", opts);
    const stores = platform.externalSecrets
        ? new SecretStores(
              "secret-stores",
              {
                  environment: config.environment,
                  stores: config.secretStores,
                  apps: config.apps,
                  operator: platform.externalSecrets.release,
                  platformReaders: alertReceiverReaders(config, platform),
              },
              opts,
          )
        : undefined;
    observePlatform(config, namespaces, platform, stores, opts);

    const apps = new Apps(
        "apps",
        {
            config,
            namespaces,
            platform: platformServices(config, platform, issuers, stores, origin?.pull),
            operators: {
                cloudnativePg: platform.cloudnativePg ? [platform.cloudnativePg.operator, platform.cloudnativePg.barmanCloud] : undefined,
                strimzi: platform.strimzi?.release,
            },
            operatorPods: { cloudnativePg: platform.cloudnativePg?.operatorPods, strimzi: platform.strimzi?.operatorPods },
        },
        opts,
    );

    // The edge serves every public host: exposed apps and the platform UIs.
    const edge =
        config.cloudflare && origin && platform.ingress
            ? new CloudflareEdge("edge", {
                  environment: config.environment,
                  config: config.cloudflare,
                  provider: origin.provider,
                  hosts: publicHosts({ ...config, apps: config.apps.map((app, index) => ({ index, app })) }),
                  ingressAddress: platform.ingress.loadBalancerAddress,
                  caaIssuers: [acmeCaaIdentity],
                  contactEmail: config.guardrails.acme.email,
                  originReady: origin.pull.check.ready,
                  originPullCertificate: true,
              })
            : undefined;

    const outputs: Record<string, pulumi.Input<unknown> | undefined> = {
        environment: config.environment,
        namespaces: Object.keys(namespaces.all),
        ingressLoadBalancerAddress: platform.ingress?.loadBalancerAddress,
        argocdUrl: platform.argocd?.url,
        grafanaUrl: platform.prometheus?.grafanaUrl,
        installedVersions: releaseVersions(platform),
        appHosts: apps.hosts,
        internalCaCertificate: issuers?.caCertificate,
        // What the delivery workflow's cache purge after a production deploy needs.
        edgeCachePurge: edge ? { zoneId: edge.zoneId, hosts: edge.hosts } : undefined,
        // Publish at the registrar once: until then the zone is signed but not validated.
        dnssecDs: edge?.dnssecDs,
    };
    // A stack without a component has no such output (rather than an undefined one).
    return Object.fromEntries(Object.entries(outputs).filter(([, v]) => v !== undefined)) as Record<string, pulumi.Input<unknown>>;
}

/**
 * What a Cloudflare-fronted stack sets up before the platform: the stack's one Cloudflare
 * provider, Cloudflare's current edge ranges (the ingress load balancer admits only those) and
 * Authenticated Origin Pulls (every Ingress requires Cloudflare's client certificate).
 */
function cloudflareOrigin(config: PlatformConfig, namespaces: Namespaces, opts: pulumi.ComponentResourceOptions) {
    const cf = config.cloudflare!;
    const provider = new cloudflare.Provider(
        "cloudflare",
        { apiToken: config.secrets.cloudflareApiToken },
        // It was the edge component's child: the alias keeps the deployed provider (and everything it manages).
        { aliases: [{ name: "edge-provider", parent: pulumi.createUrn("edge", "platform:edge:CloudflareEdge") }] },
    );
    const appNamespaces = [...new Set(config.apps.filter((a) => a.ingress).map((a) => a.namespace))];
    const pull = new OriginPull(
        "origin-pull",
        {
            environment: config.environment,
            zoneId: cf.zoneId,
            zoneName: cf.zoneName,
            ingressNamespaces: appNamespaces.map((name) => ({ name, resource: namespaces.get(name).resource })),
            cloudflareProvider: provider,
        },
        opts,
    );
    const platform: EdgeOrigin = { ranges: cloudflareIpRanges(provider), uiCheck: pull.uiCheck };
    return { provider, pull, platform };
}

/** What apps get from the installed platform. */
function platformServices(
    config: PlatformConfig,
    platform: InstalledPlatform,
    issuers: CertificateIssuers | undefined,
    stores: SecretStores | undefined,
    originPull: OriginPull | undefined,
): PlatformServices {
    return {
        monitoring: platform.prometheus?.monitoring,
        rollouts: platform.argoRollouts?.release,
        keda: platform.keda?.release,
        mesh: platform.istio
            ? { policies: [platform.istio.base, platform.istio.istiod], ready: platform.istio.readyForWorkloads }
            : undefined,
        ingress:
            platform.ingress && issuers
                ? {
                      className: platform.ingress.className,
                      namespace: platform.ingress.namespace,
                      principal: platform.ingress.principal,
                      controller: platform.ingress.release,
                      clusterIssuer: publicIssuer[config.environment],
                      clientCertificate: originPull?.check,
                  }
                : undefined,
        gitops: platform.argocd
            ? { crds: platform.argocd.release, namespace: platform.argocd.namespace, project: platform.argocd.project }
            : undefined,
        secrets:
            platform.externalSecrets && stores
                ? {
                      operator: platform.externalSecrets.release,
                      stores: Object.fromEntries(
                          Object.entries(stores.names).map(([store, name]) => [store, { name, resource: stores.resources[store] }]),
                      ),
                  }
                : undefined,
    };
}

/**
 * Admission policies wait for every release: a webhook enforcing a policy mid-install is what
 * blocked peers' platform installs. Mesh policies wait for Istio's CRDs and istiod's webhook.
 */
function admissionAndMeshPolicies(
    config: PlatformConfig,
    namespaces: Namespaces,
    platform: InstalledPlatform,
    opts: pulumi.ComponentResourceOptions,
): void {
    const g = config.guardrails;
    const releases = allReleases(platform);
    if (platform.kyverno) {
        new KyvernoPolicies(
            "kyverno-policies",
            {
                mode: g.policyMode,
                excludedNamespaces: g.excludedNamespaces,
                cosignPublicKey: g.cosignPublicKey,
                signedRegistries: g.signedRegistries ?? g.allowedRegistries,
                requireDigest: appImageDigestRequired[config.environment],
                denyExec: g.denyExec,
                execOperators: platform.cloudnativePg ? [platform.cloudnativePg.operatorUser] : [],
                dependsOn: releases,
            },
            opts,
        );
    }
    if (platform.gatekeeper) {
        new GatekeeperConstraints(
            "gatekeeper-constraints",
            {
                mode: g.policyMode,
                excludedNamespaces: g.excludedNamespaces,
                requiredLabels: g.requiredLabels,
                // The stack's registries for its apps, plus the images the platform's own operators run
                // in the apps' and data namespaces (one source: the components that pin them).
                allowedRegistries: [...new Set([...g.allowedRegistries, ...operatorImages(config, platform)])],
                dependsOn: releases,
            },
            opts,
        );
    }
    if (platform.istio) {
        new MeshSecurity(
            "mesh-security",
            {
                rootNamespace: platform.istio.rootNamespace,
                mtlsMode: g.mtlsMode,
                meshedNamespaces: Object.values(namespaces.all).filter((ns) => ns.mesh !== "none"),
                dependsOn: [platform.istio.base, platform.istio.istiod],
            },
            opts,
        );
    }
}

/** Image prefixes of the pods the installed operators create in the platform's own namespaces. */
function operatorImages(config: PlatformConfig, platform: InstalledPlatform): string[] {
    const http01 = solvesHttp01(config.environment, config.cloudflare !== undefined) && config.apps.some((a) => a.ingress);
    return [
        ...(platform.cloudnativePg?.workloadImages ?? []),
        ...(platform.strimzi?.workloadImages ?? []),
        ...(platform.istio?.workloadImages ?? []),
        ...(http01 ? (platform.certManager?.solverImages ?? []) : []),
    ];
}
