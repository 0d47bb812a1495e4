import type { SynthResource } from "../../policy-pack/offline";
import { hasDigest, imageGlob, imageValidationConfig, podTemplateSpecPath } from "../admit/models/kyverno";
import { matchesSelector, LabelSelector } from "../admit/selectors";
import { DriftGraph, find, kindOf, metadataOf, ofKind, releasesOfChart, specOf } from "./graph";
import { valueAt } from "../json";

/**
 * The drift contract: everyone besides the program that writes into objects the program
 * manages, by design. `pulumi preview --refresh --expect-no-changes` (the nightly drift job)
 * fails on any such write to a field the program sets, so each written field must be one the
 * program does not set, one it ignores (`ignoreChanges`, with a comment naming the writer), or
 * the writer must be configured so it does not write. engine/drift/check.ts holds the synth graph
 * to that; every `ignoreChanges` entry in the graph must name a writer here.
 *
 * Each entry was read from the upstream release the platform pins (`upstream`); a chart bump
 * means re-reading that source.
 */

export type WriterKind = "hook" | "mutating webhook" | "operator" | "autoscaler" | "controller" | "API server" | "external" | "person";

/** One field a writer writes into one object. `value`, when the writer's value is known, makes an equal program value no drift. */
export interface WrittenField {
    path: string;
    value?: string;
}

export interface WriterTarget {
    resource: SynthResource;
    fields: WrittenField[];
}

export interface Writer {
    id: string;
    kind: WriterKind;
    /** Who writes, as an operator of the platform would name it. */
    who: string;
    /** The release and source file(s) the behaviour was read from. */
    upstream: string;
    /** Which objects it writes into, in words (the README's table). */
    objects: string;
    /** The fields it writes, in words or paths (the README's table). */
    fields: string;
    /** How the program keeps out of its way. */
    handling: string;
    /** The program's objects it writes into in this graph, with the fields. */
    targets(graph: DriftGraph): WriterTarget[];
}

type Json = Record<string, unknown>;

const label = (key: string) => `metadata.labels[${JSON.stringify(key)}]`;
const annotation = (key: string) => `metadata.annotations[${JSON.stringify(key)}]`;

/** The chart's default `podSecurity` list of Gatekeeper's label hooks (gatekeeper 3.23.0 values.yaml). */
const gatekeeperHookPodSecurity = [
    "pod-security.kubernetes.io/audit=restricted",
    "pod-security.kubernetes.io/audit-version=latest",
    "pod-security.kubernetes.io/warn=restricted",
    "pod-security.kubernetes.io/warn-version=latest",
    "pod-security.kubernetes.io/enforce=restricted",
    "pod-security.kubernetes.io/enforce-version=v1.24",
];

/** Gatekeeper's namespace-label hook (`postInstall` or `postUpgrade`) where the release enables it. */
function gatekeeperLabelHook(graph: DriftGraph, hook: "postInstall" | "postUpgrade", enabledByDefault: boolean): WriterTarget[] {
    return releasesOfChart(graph, "gatekeeper").flatMap(({ namespace, values }) => {
        const cfg = (valueAt(values, `${hook}.labelNamespace`) ?? {}) as {
            enabled?: boolean;
            podSecurity?: string[];
            extraNamespaces?: string[];
        };
        if (!(cfg.enabled ?? enabledByDefault)) return [];
        const podSecurity = (cfg.podSecurity ?? gatekeeperHookPodSecurity).map((kv) => kv.split("=", 2) as [string, string]);
        const own = find(graph, "Namespace", namespace);
        const targets: WriterTarget[] = own
            ? [
                  {
                      resource: own,
                      fields: [
                          { path: label("admission.gatekeeper.sh/ignore"), value: "no-self-managing" },
                          ...podSecurity.map(([k, v]) => ({ path: label(k), value: v })),
                      ],
                  },
              ]
            : [];
        for (const extra of cfg.extraNamespaces ?? []) {
            const ns = find(graph, "Namespace", extra);
            if (ns) targets.push({ resource: ns, fields: [{ path: label("admission.gatekeeper.sh/ignore"), value: "extra-namespaces" }] });
        }
        return targets;
    });
}

/** Workloads a `scaleTargetRef` (HPA or KEDA ScaledObject) points at, in the scaler's namespace. */
function scaleTargets(graph: DriftGraph, scalerKind: string): WriterTarget[] {
    return ofKind(graph, scalerKind).flatMap((scaler) => {
        const ref = (specOf(scaler).scaleTargetRef ?? {}) as { kind?: string; name?: string };
        const target = ref.name ? find(graph, ref.kind ?? "Deployment", ref.name, metadataOf(scaler).namespace) : undefined;
        return target ? [{ resource: target, fields: [{ path: "spec.replicas" }] }] : [];
    });
}

/** Namespace labels of a resource's namespace, as the program sets them. */
function namespaceLabels(graph: DriftGraph, namespace: string | undefined): Record<string, string> {
    const ns = namespace ? find(graph, "Namespace", namespace) : undefined;
    return { "kubernetes.io/metadata.name": namespace ?? "", ...(ns ? metadataOf(ns).labels : {}) };
}

export const writers: readonly Writer[] = [
    {
        id: "gatekeeper-post-install-label",
        kind: "hook",
        who: "Gatekeeper's post-install hook Job `gatekeeper-update-namespace-label` (`kubectl label --overwrite`)",
        upstream: "gatekeeper chart 3.23.0: templates/namespace-post-install.yaml, values.yaml `postInstall.labelNamespace`",
        objects: "the release's namespace (`gatekeeper-system`) and `extraNamespaces`",
        fields: "`admission.gatekeeper.sh/ignore` and the Pod Security labels of `podSecurity` (`enforce-version=v1.24` by default)",
        handling:
            "configured off (`postInstall.labelNamespace.enabled: false`); the program sets `admission.gatekeeper.sh/ignore` and the Pod Security labels itself",
        targets: (graph) => gatekeeperLabelHook(graph, "postInstall", true),
    },
    {
        id: "gatekeeper-post-upgrade-label",
        kind: "hook",
        who: "Gatekeeper's post-upgrade hook Job `gatekeeper-update-namespace-label-post-upgrade`",
        upstream: "gatekeeper chart 3.23.0: templates/namespace-post-upgrade.yaml, values.yaml `postUpgrade.labelNamespace`",
        objects: "the release's namespace and `extraNamespaces`",
        fields: "the same labels as the post-install hook",
        handling: "configured off (`postUpgrade.labelNamespace.enabled: false`, the chart's default, written out)",
        targets: (graph) => gatekeeperLabelHook(graph, "postUpgrade", false),
    },
    {
        id: "gatekeeper-crd-upgrade",
        kind: "hook",
        who: "Gatekeeper's pre-install/pre-upgrade hook Job `gatekeeper-update-crds-hook` (`kubectl apply` of its CRDs)",
        upstream: "gatekeeper chart 3.23.0: templates/upgrade-crds-hook.yaml",
        objects: "the `*.gatekeeper.sh` CustomResourceDefinitions",
        fields: "the whole CRD",
        handling: "not managed: the CRDs belong to the chart",
        targets: (graph) =>
            ofKind(graph, "CustomResourceDefinition")
                .filter((r) => (metadataOf(r).name ?? "").endsWith("gatekeeper.sh"))
                .map((resource) => ({ resource, fields: [{ path: "spec" }] })),
    },
    {
        id: "gatekeeper-pre-delete",
        kind: "hook",
        who: "Gatekeeper's pre-delete hook Job `gatekeeper-delete-webhook-configs` (off by default)",
        upstream:
            "gatekeeper chart 3.23.0: templates/webhook-configs-pre-delete.yaml, values.yaml `preUninstall.deleteWebhookConfigurations`",
        objects: "Gatekeeper's validating and mutating webhook configurations",
        fields: "deletes them",
        handling: "not managed: the webhook configurations belong to the chart",
        targets: (graph) =>
            ["ValidatingWebhookConfiguration", "MutatingWebhookConfiguration"].flatMap((k) =>
                ofKind(graph, k)
                    .filter((r) => (metadataOf(r).name ?? "").startsWith("gatekeeper-"))
                    .map((resource) => ({ resource, fields: [{ path: "webhooks" }] })),
            ),
    },
    {
        id: "kyverno-mutate-digest",
        kind: "mutating webhook",
        who: "Kyverno's image verification (`ImageValidatingPolicy` `validationConfigurations.mutateDigest`, default true)",
        upstream:
            "kyverno 1.19.0 (chart 3.9.0): api/policies.kyverno.io/v1/image_validating_policy.go ValidationConfiguration; pkg/cel/autogen (pod controllers)",
        objects:
            "pod controllers (Deployment, StatefulSet, DaemonSet, Job, CronJob) in the policy's namespaces whose images match `matchImageReferences` and carry no digest",
        fields: "`image` of each such container in the pod template (tag replaced by `tag@digest`)",
        handling: "configured off (`mutateDigest: false`); `verifyDigest` is on where config requires digests (production)",
        targets: (graph) =>
            ofKind(graph, "ImageValidatingPolicy").flatMap((policy) => {
                const spec = specOf(policy);
                if (!imageValidationConfig(spec).mutateDigest) return [];
                const globs = ((spec.matchImageReferences as { glob?: string }[] | undefined) ?? []).map((r) => imageGlob(r.glob ?? "*"));
                const selector = (spec.matchConstraints as { namespaceSelector?: LabelSelector } | undefined)?.namespaceSelector;
                return graph.resources.flatMap((r) => {
                    const templatePath = podTemplateSpecPath[kindOf(r) ?? ""];
                    if (!templatePath || !matchesSelector(selector, namespaceLabels(graph, metadataOf(r).namespace))) return [];
                    const podSpec = (valueAt(r.inputs, templatePath) ?? {}) as Json;
                    const fields = (["initContainers", "containers"] as const).flatMap((list) =>
                        ((podSpec[list] as { image?: string }[] | undefined) ?? []).flatMap((c, i) =>
                            c.image && !hasDigest(c.image) && (globs.length === 0 || globs.some((g) => g.test(c.image!)))
                                ? [{ path: `${templatePath}.${list}[${i}].image` }]
                                : [],
                        ),
                    );
                    return fields.length > 0 ? [{ resource: r, fields }] : [];
                });
            }),
    },
    {
        id: "horizontal-pod-autoscaler",
        kind: "autoscaler",
        who: "the HorizontalPodAutoscaler controller (kube-controller-manager), through the scale subresource",
        upstream: "Kubernetes 1.34: pkg/controller/podautoscaler/horizontal.go",
        objects: "the Deployment or Rollout an HPA of the stack targets",
        fields: "`spec.replicas`",
        handling: "ignored (`ignoreChanges: [spec.replicas]` on autoscaled workloads, components/workloads/microservice.ts)",
        targets: (graph) => scaleTargets(graph, "HorizontalPodAutoscaler"),
    },
    {
        id: "keda",
        kind: "autoscaler",
        who: "KEDA's operator, through the HPA `keda-hpa-<name>` it creates for each ScaledObject",
        upstream: "KEDA 2.20.2 (chart 2.20.2): controllers/keda/scaledobject_controller.go, hpa.go",
        objects: "the Deployment or Rollout a ScaledObject of the stack targets",
        fields: "`spec.replicas`",
        handling: "ignored (`ignoreChanges: [spec.replicas]`)",
        targets: (graph) => scaleTargets(graph, "ScaledObject"),
    },
    {
        id: "argo-rollouts-service-selector",
        kind: "controller",
        who: "Argo Rollouts' controller",
        upstream: "argo-rollouts v1.9.0 (chart 2.41.0): rollout/service.go (ensureSVCTargets), utils/defaults (rollouts-pod-template-hash)",
        objects: "a Rollout's `stableService`/`canaryService` (and blue-green `activeService`/`previewService`)",
        fields: "`spec.selector` (adds `rollouts-pod-template-hash`; the selector is an atomic map, so the whole of it)",
        handling: "ignored (`ignoreChanges: [spec.selector]` on the stable and canary Services)",
        targets: (graph) =>
            ofKind(graph, "Rollout").flatMap((rollout) => {
                const strategy = (specOf(rollout).strategy ?? {}) as { canary?: Json; blueGreen?: Json };
                const names = [
                    strategy.canary?.stableService,
                    strategy.canary?.canaryService,
                    strategy.blueGreen?.activeService,
                    strategy.blueGreen?.previewService,
                ].filter((n): n is string => typeof n === "string");
                return names.flatMap((n) => {
                    const svc = find(graph, "Service", n, metadataOf(rollout).namespace);
                    return svc ? [{ resource: svc, fields: [{ path: "spec.selector" }] }] : [];
                });
            }),
    },
    {
        id: "argo-rollouts-traffic-routing",
        kind: "controller",
        who: "Argo Rollouts' controller, when a Rollout routes traffic (Istio or NGINX)",
        upstream: "argo-rollouts v1.9.0 (chart 2.41.0): rollout/trafficrouting/istio/istio.go, rollout/trafficrouting/nginx/nginx.go",
        objects:
            "the VirtualServices a Rollout's `trafficRouting.istio` names; the canary Ingress it creates beside `trafficRouting.nginx.stableIngress`",
        fields: "the VirtualService's `spec.http` route weights; the whole canary Ingress",
        handling: "not managed: no Rollout of the platform routes traffic (canary weights by replica counts)",
        targets: (graph) =>
            ofKind(graph, "Rollout").flatMap((rollout) => {
                const ns = metadataOf(rollout).namespace;
                const routing = (valueAt(rollout.inputs, "spec.strategy.canary.trafficRouting") ?? {}) as {
                    istio?: { virtualService?: { name?: string }; virtualServices?: { name?: string }[] };
                    nginx?: { stableIngress?: string };
                };
                const vsNames = [routing.istio?.virtualService?.name, ...(routing.istio?.virtualServices ?? []).map((v) => v.name)];
                const vs = vsNames.flatMap((n) => {
                    const r = n ? find(graph, "VirtualService", n, ns) : undefined;
                    return r ? [{ resource: r, fields: [{ path: "spec.http" }] }] : [];
                });
                const canaryIngress = routing.nginx?.stableIngress
                    ? find(graph, "Ingress", `${metadataOf(rollout).name}-${routing.nginx.stableIngress}-canary`, ns)
                    : undefined;
                return [...vs, ...(canaryIngress ? [{ resource: canaryIngress, fields: [{ path: "spec" }] }] : [])];
            }),
    },
    {
        id: "argo-rollouts-status",
        kind: "controller",
        who: "Argo Rollouts' controller",
        upstream: "argo-rollouts v1.9.0 (chart 2.41.0): rollout/controller.go, utils/annotations/annotations.go",
        objects: "every Rollout",
        fields: "`status`, annotation `rollout.argoproj.io/revision`",
        handling: "not managed: the program sets neither",
        targets: (graph) =>
            ofKind(graph, "Rollout").map((resource) => ({
                resource,
                fields: [{ path: "status" }, { path: annotation("rollout.argoproj.io/revision") }],
            })),
    },
    {
        id: "istio-sidecar-injector",
        kind: "mutating webhook",
        who: "istiod's sidecar injector (`istio-sidecar-injector` webhook)",
        upstream:
            "istio 1.30.3 (chart istiod 1.30.3): templates/mutatingwebhook.yaml (rules: pods CREATE only), pkg/kube/inject/webhook.go",
        objects: "Pods at creation, in namespaces labelled `istio-injection=enabled`; never Deployments or other templates",
        fields: "containers, init containers, volumes, annotations `sidecar.istio.io/status`, `prometheus.io/*`",
        handling: "not managed: the program manages no Pod",
        targets: (graph) =>
            ofKind(graph, "Pod").map((resource) => ({
                resource,
                fields: [
                    { path: "spec.containers" },
                    { path: "spec.initContainers" },
                    { path: "spec.volumes" },
                    { path: "metadata.annotations" },
                ],
            })),
    },
    {
        id: "cert-manager-cainjector",
        kind: "controller",
        who: "cert-manager's cainjector",
        upstream: "cert-manager v1.21.1: pkg/controller/cainjector (injectables.go)",
        objects:
            "webhook configurations, CRDs and APIServices annotated `cert-manager.io/inject-ca-from`, `inject-ca-from-secret` or `inject-apiserver-ca`",
        fields: "`caBundle` of each webhook, of the CRD's conversion webhook, of the APIService",
        handling: "not managed: every such object belongs to a chart",
        targets: (graph) => {
            const injected = (r: SynthResource) =>
                Object.keys(metadataOf(r).annotations ?? {}).some((k) => k.startsWith("cert-manager.io/inject-"));
            const caPath: Record<string, string> = {
                ValidatingWebhookConfiguration: "webhooks[*].clientConfig.caBundle",
                MutatingWebhookConfiguration: "webhooks[*].clientConfig.caBundle",
                CustomResourceDefinition: "spec.conversion.webhook.clientConfig.caBundle",
                APIService: "spec.caBundle",
            };
            return Object.entries(caPath).flatMap(([k, path]) =>
                ofKind(graph, k)
                    .filter(injected)
                    .map((resource) => ({ resource, fields: [{ path }] })),
            );
        },
    },
    {
        id: "cert-manager-certificates",
        kind: "controller",
        who: "cert-manager's certificates controller (and ingress-shim, for annotated Ingresses)",
        upstream: "cert-manager v1.21.1: pkg/controller/certificates/issuing, pkg/controller/certificate-shim",
        objects: "the Secret a Certificate's `secretName` (or an annotated Ingress's `tls[].secretName`) names",
        fields: "`data` (`tls.crt`, `tls.key`, `ca.crt`) and `cert-manager.io/*` annotations",
        handling: "not managed: the program creates no such Secret",
        targets: (graph) => {
            const names = [
                ...ofKind(graph, "Certificate").map((c) => ({
                    ns: metadataOf(c).namespace,
                    name: specOf(c).secretName as string | undefined,
                })),
                ...ofKind(graph, "Ingress")
                    .filter((i) =>
                        Object.keys(metadataOf(i).annotations ?? {}).some((k) => /^cert-manager\.io\/(cluster-)?issuer$/.test(k)),
                    )
                    .flatMap((i) =>
                        ((specOf(i).tls as { secretName?: string }[] | undefined) ?? []).map((t) => ({
                            ns: metadataOf(i).namespace,
                            name: t.secretName,
                        })),
                    ),
            ];
            return names.flatMap(({ ns, name }) => {
                const s = name ? find(graph, "Secret", name, ns) : undefined;
                return s ? [{ resource: s, fields: [{ path: "data" }, { path: "stringData" }] }] : [];
            });
        },
    },
    {
        id: "cert-manager-acme-account",
        kind: "controller",
        who: "cert-manager's issuers controller (ACME account registration)",
        upstream: "cert-manager v1.21.1: pkg/issuer/acme/setup.go",
        objects:
            "the Secret an ACME issuer's `privateKeySecretRef` names (in cert-manager's namespace for a ClusterIssuer); the issuer's `status`",
        fields: "the Secret's `data` (`tls.key`); `status.acme`",
        handling: "not managed: the program creates no account-key Secret",
        targets: (graph) => {
            const certManagerNs = releasesOfChart(graph, "cert-manager")[0]?.namespace;
            return ["ClusterIssuer", "Issuer"].flatMap((k) =>
                ofKind(graph, k).flatMap((issuer) => {
                    const ref = valueAt(issuer.inputs, "spec.acme.privateKeySecretRef.name") as string | undefined;
                    const ns = k === "Issuer" ? metadataOf(issuer).namespace : certManagerNs;
                    const s = ref ? find(graph, "Secret", ref, ns) : undefined;
                    return [
                        { resource: issuer, fields: [{ path: "status" }] },
                        ...(s ? [{ resource: s, fields: [{ path: "data" }, { path: "stringData" }] }] : []),
                    ];
                }),
            );
        },
    },
    {
        id: "ingress-nginx-admission-hooks",
        kind: "hook",
        who: "ingress-nginx's admission hook Jobs (`kube-webhook-certgen create` and `patch`)",
        upstream: "ingress-nginx chart 4.15.1: templates/admission-webhooks/job-patch/job-createSecret.yaml, job-patchWebhook.yaml",
        objects: "the Secret and ValidatingWebhookConfiguration `<release>-admission`",
        fields: "the Secret's `data`; the webhook's `caBundle` and `failurePolicy`",
        handling: "not managed: both belong to the chart",
        targets: (graph) =>
            releasesOfChart(graph, "ingress-nginx").flatMap(({ resource, namespace }) => {
                const name = `${String(resource.inputs.name ?? "ingress-nginx")}-admission`;
                const secret = find(graph, "Secret", name, namespace);
                const webhook = find(graph, "ValidatingWebhookConfiguration", name);
                return [
                    ...(secret ? [{ resource: secret, fields: [{ path: "data" }, { path: "stringData" }] }] : []),
                    ...(webhook
                        ? [
                              {
                                  resource: webhook,
                                  fields: [{ path: "webhooks[*].clientConfig.caBundle" }, { path: "webhooks[*].failurePolicy" }],
                              },
                          ]
                        : []),
                ];
            }),
    },
    {
        id: "external-secrets",
        kind: "operator",
        who: "External Secrets Operator",
        upstream: "external-secrets v2.9.0 (chart 2.9.0): pkg/controllers/externalsecret/externalsecret_controller.go",
        objects: "each ExternalSecret's target Secret (`spec.target.name`, else the ExternalSecret's name)",
        fields: "`data`, labels and annotations it owns",
        handling: "not managed: the program creates no target Secret",
        targets: (graph) =>
            ofKind(graph, "ExternalSecret").flatMap((es) => {
                const name = (valueAt(es.inputs, "spec.target.name") as string | undefined) ?? metadataOf(es).name;
                const s = name ? find(graph, "Secret", name, metadataOf(es).namespace) : undefined;
                return s ? [{ resource: s, fields: [{ path: "data" }, { path: "stringData" }] }] : [];
            }),
    },
    {
        id: "cloudnative-pg",
        kind: "operator",
        who: "CloudNativePG's operator",
        upstream: "cloudnative-pg 1.30.0 (chart 0.29.0): internal/controller/cluster_create.go (secrets), api/v1/cluster_funcs.go",
        objects:
            "a Cluster's generated Secrets (`<cluster>-app`, `-superuser`, `-ca`, `-server`, `-replication`) unless the Cluster names a Secret of its own; its `status`",
        fields: "`data` of the generated Secrets, `status`",
        handling:
            "not managed: the app Secret the program creates is the Cluster's own (`bootstrap.initdb.secret`), which the operator only reads",
        targets: (graph) =>
            ofKind(graph, "Cluster")
                .filter((c) => c.type.startsWith("kubernetes:postgresql.cnpg.io/"))
                .flatMap((cluster) => {
                    const { name, namespace } = metadataOf(cluster);
                    const referenced = new Set(
                        [
                            valueAt(cluster.inputs, "spec.bootstrap.initdb.secret.name"),
                            valueAt(cluster.inputs, "spec.superuserSecret.name"),
                            valueAt(cluster.inputs, "spec.certificates.serverTLSSecret"),
                            valueAt(cluster.inputs, "spec.certificates.serverCASecret"),
                            valueAt(cluster.inputs, "spec.certificates.clientCASecret"),
                            valueAt(cluster.inputs, "spec.certificates.replicationTLSSecret"),
                        ].filter((n): n is string => typeof n === "string"),
                    );
                    const generated = ["app", "superuser", "ca", "server", "replication"]
                        .map((s) => `${name}-${s}`)
                        .filter((n) => !referenced.has(n));
                    return [
                        { resource: cluster, fields: [{ path: "status" }] },
                        ...generated.flatMap((n) => {
                            const s = find(graph, "Secret", n, namespace);
                            return s ? [{ resource: s, fields: [{ path: "data" }, { path: "stringData" }] }] : [];
                        }),
                    ];
                }),
    },
    {
        id: "strimzi",
        kind: "operator",
        who: "Strimzi's cluster, topic and user operators",
        upstream:
            "strimzi 1.2.0: topic-operator BatchingTopicController (finalizer strimzi.io/topic-operator), user-operator KafkaUserOperator (user Secret), cluster-operator CaReconciler",
        objects: "KafkaTopics (finalizer), the Secret named after each KafkaUser, the cluster CA Secrets when Strimzi generates the CA",
        fields: "`metadata.finalizers`, the user Secret's `data`, the CA Secrets' `data`",
        handling:
            "not managed: the program sets no finalizer, names its password Secrets apart from the users, and supplies the CA (`generateCertificateAuthority: false`)",
        targets: (graph) => [
            ...ofKind(graph, "KafkaTopic").map((resource) => ({ resource, fields: [{ path: "metadata.finalizers" }] })),
            ...ofKind(graph, "KafkaUser").flatMap((u) => {
                const s = find(graph, "Secret", metadataOf(u).name ?? "", metadataOf(u).namespace);
                return s ? [{ resource: s, fields: [{ path: "data" }, { path: "stringData" }] }] : [];
            }),
            ...ofKind(graph, "Kafka").flatMap((k) => {
                const { name, namespace } = metadataOf(k);
                if (valueAt(k.inputs, "spec.clusterCa.generateCertificateAuthority") === false) return [];
                return [`${name}-cluster-ca-cert`, `${name}-cluster-ca`].flatMap((n) => {
                    const s = find(graph, "Secret", n, namespace);
                    return s ? [{ resource: s, fields: [{ path: "data" }, { path: "stringData" }] }] : [];
                });
            }),
        ],
    },
    {
        id: "argocd-application-controller",
        kind: "controller",
        who: "Argo CD's application controller",
        upstream:
            "argo-cd v3.4.4 (chart argo-cd 10.1.1): controller/sync.go, util/argo/resource_tracking.go (annotation tracking by default)",
        objects:
            "what an Application syncs from Git into its destination namespace (the app's own workload objects), the namespace with `managedNamespaceMetadata`, and the Application itself",
        fields: "the whole object, annotation `argocd.argoproj.io/tracking-id`; the namespace's labels and annotations; the Application's `status` and `operation`",
        handling: "not managed: an app handed to Argo CD gets no Deployment, Rollout or Service from the program",
        targets: (graph) =>
            ofKind(graph, "Application").flatMap((app) => {
                const ns = valueAt(app.inputs, "spec.destination.namespace") as string | undefined;
                const appName = metadataOf(app).name;
                const synced = [
                    "Deployment",
                    "Rollout",
                    "Service",
                    "HorizontalPodAutoscaler",
                    "ScaledObject",
                    "PodDisruptionBudget",
                    "Ingress",
                ]
                    .flatMap((k) => (appName ? [find(graph, k, appName, ns)] : []))
                    .filter((r): r is SynthResource => r !== undefined)
                    .map((resource) => ({ resource, fields: [{ path: "spec" }, { path: annotation("argocd.argoproj.io/tracking-id") }] }));
                const namespace =
                    ns && valueAt(app.inputs, "spec.syncPolicy.managedNamespaceMetadata") ? find(graph, "Namespace", ns) : undefined;
                return [
                    { resource: app, fields: [{ path: "status" }, { path: "operation" }] },
                    ...synced,
                    ...(namespace
                        ? [{ resource: namespace, fields: [{ path: "metadata.labels" }, { path: "metadata.annotations" }] }]
                        : []),
                ];
            }),
    },
    {
        id: "kube-apiserver",
        kind: "API server",
        who: "the Kubernetes API server (namespace lifecycle, Service IP allocation, defaulting)",
        upstream:
            "Kubernetes 1.34: pkg/registry/core/namespace/strategy.go (metadata.name label), pkg/registry/core/service/storage (clusterIPs)",
        objects: "every Namespace; every Service that is not headless",
        fields: "label `kubernetes.io/metadata.name` (= the name), `spec.finalizers`; `spec.clusterIP`, `spec.clusterIPs`",
        handling: "not managed (defaulted fields the program never sets are not in its server-side-apply field set)",
        targets: (graph) => [
            ...ofKind(graph, "Namespace").map((resource) => ({
                resource,
                fields: [{ path: label("kubernetes.io/metadata.name"), value: metadataOf(resource).name }, { path: "spec.finalizers" }],
            })),
            ...ofKind(graph, "Service")
                .filter((s) => specOf(s).clusterIP !== "None")
                .map((resource) => ({ resource, fields: [{ path: "spec.clusterIP" }, { path: "spec.clusterIPs" }] })),
        ],
    },
    {
        id: "cloudflare-ruleset-name",
        kind: "external",
        who: "Cloudflare: an entrypoint ruleset's name is fixed when it is created (by the dashboard, the API or an earlier owner)",
        upstream: "Cloudflare Rulesets API (PUT /zones/{zone}/rulesets/phases/{phase}/entrypoint); components/edge/cloudflare-edge.ts",
        objects: "every zone entrypoint Ruleset",
        fields: "`name`",
        handling: "ignored (`ignoreChanges: [name]`): never a reason to replace a ruleset",
        targets: (graph) =>
            graph.resources
                .filter((r) => r.type === "cloudflare:index/ruleset:Ruleset")
                .map((resource) => ({ resource, fields: [{ path: "name" }] })),
    },
    {
        id: "cloudflare-adopted-ruleset",
        kind: "external",
        who: "whoever edits an adopted ruleset in Cloudflare until its `platform:cloudflare.adoptRulesets` entry is removed",
        upstream: "components/edge/cloudflare-edge.ts rulesetOptions",
        objects: "the Rulesets of the phases listed in `platform:cloudflare.adoptRulesets`",
        fields: "`rules`, `description`",
        handling: "ignored while adopted",
        targets: (graph) => {
            const adopted = Object.keys(graph.config?.cloudflare?.adoptRulesets ?? {});
            return graph.resources
                .filter((r) => r.type === "cloudflare:index/ruleset:Ruleset" && adopted.includes(String(r.inputs.phase)))
                .map((resource) => ({ resource, fields: [{ path: "rules" }, { path: "description" }] }));
        },
    },
    {
        id: "seeded-secret-values",
        kind: "person",
        who: "a developer setting a seeded Secret's values with kubectl (laptop stores)",
        upstream: "components/platform/secret-stores.ts (kubernetes provider, `seed: true`)",
        objects: "the Secrets seeded in a `kubernetes` store's `remoteNamespace`",
        fields: "`data`, `stringData`",
        handling: "ignored: Pulumi only creates them",
        targets: (graph) => {
            const seeded = Object.values(graph.config?.secretStores ?? {})
                .filter((s) => s.provider === "kubernetes" && s.seed)
                .map((s) => (s as { remoteNamespace: string }).remoteNamespace);
            return ofKind(graph, "Secret")
                .filter((s) => seeded.includes(metadataOf(s).namespace ?? ""))
                .map((resource) => ({ resource, fields: [{ path: "data" }, { path: "stringData" }] }));
        },
    },
];

/**
 * Mutators the contract has no model of: any of these in the graph fails the check until an
 * entry above says what it writes. The platform's own Kyverno policies validate only, and it
 * runs no Gatekeeper mutation.
 */
export const unmodelledMutators: readonly { type: RegExp; why: string }[] = [
    {
        type: /^kubernetes:policies\.kyverno\.io\/[^:]+:(Namespaced)?(Mutating|Generating)Policy$/,
        why: "a Kyverno mutating or generating policy",
    },
    { type: /^kubernetes:kyverno\.io\/[^:]+:(Cluster)?Policy$/, why: "a legacy Kyverno policy (may mutate or generate)" },
    { type: /^kubernetes:mutations\.gatekeeper\.sh\//, why: "a Gatekeeper mutator" },
    { type: /^kubernetes:admissionregistration\.k8s\.io\/[^:]+:Mutating/, why: "a mutating admission webhook or policy" },
];
