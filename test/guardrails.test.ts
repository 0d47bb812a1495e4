import { strict as assert } from "assert";
import { podRules } from "../components/guardrails/kyverno-policies";
import { baselinePolicies } from "../components/guardrails/network-baseline";
import { privateRanges } from "../components/shared/network";
import { solvesHttp01 } from "../components/guardrails/certificate-issuers";
import { certManagerChart } from "../components/platform/cert-manager";
import { istioVersion } from "../components/platform/istio";
import { containsSecret, get, k8sObject, ofType } from "./harness/query";
import { ProgramRun, RegisteredResource, stackRun } from "../engine/synth/run-program";
import { listStacks, stackConfig } from "../engine/synth/stack-files";
import { toSynthResources } from "../engine/synth/write";

const baseline = (run: ProgramRun, ns: string) =>
    new Map(
        ofType(run, "kubernetes:networking.k8s.io/v1:NetworkPolicy")
            .filter(
                (p) =>
                    get(p, "metadata.namespace") === ns &&
                    (get(p, "metadata.labels") as Record<string, string>)["platform.io/baseline"] === "true",
            )
            .map((p) => [String(get(p, "metadata.name")), p]),
    );
const releaseNamed = (run: ProgramRun, name: string) => ofType(run, "kubernetes:helm.sh/v3:Release").find((r) => r.inputs.name === name)!;
const ofKind = (run: ProgramRun, apiVersion: string, kind: string) => ofType(run, `kubernetes:${apiVersion}:${kind}`);

describe("guardrails", () => {
    for (const stack of listStacks()) {
        describe(`stack ${stack}`, () => {
            const config = stackConfig(stack);
            const mode = config.guardrails.policyMode;

            it("closes every application namespace by default, with the allows its layer needs", async () => {
                const run = await stackRun(stack);
                for (const [name, ns] of Object.entries(config.namespaces)) {
                    const policies = baseline(run, name);
                    if (ns.layer === "monitoring") {
                        assert.equal(policies.size, 0, "Prometheus must reach every namespace");
                        continue;
                    }
                    assert.deepEqual(
                        get(policies.get("default-deny")!, "spec"),
                        { podSelector: {}, policyTypes: ["Ingress", "Egress"] },
                        name,
                    );
                    const dns = get(policies.get("allow-dns")!, "spec.egress") as {
                        to: { namespaceSelector: unknown }[];
                        ports: unknown[];
                    }[];
                    assert.deepEqual(dns[0].to[0].namespaceSelector, { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } });
                    const cache = config.cluster.nodeLocalDns?.address;
                    assert.deepEqual(dns[0].to.slice(1), cache ? [{ ipBlock: { cidr: `${cache}/32` } }] : [], "node-local DNS cache");
                    // Nothing namespace-wide beyond DNS, the mesh control plane and (where HTTP-01 is used)
                    // the ACME solver: scrapes, replication and operator access belong to each app or
                    // data service's own policy, port by port.
                    // ...and Prometheus to the sidecars' Envoy stats port (15090), which no app policy names.
                    const mesh = ns.mesh ?? (ns.layer === "core" || ns.layer === "security" ? "sidecar" : "none");
                    const meshed = mesh !== "none";
                    const scraped = mesh === "sidecar" && config.components.kubePrometheusStack?.enabled !== false;
                    const expected = [
                        "default-deny",
                        "allow-dns",
                        ...(ns.layer === "amplifier" ? ["allow-https-egress"] : meshed ? ["allow-mesh-control-plane"] : []),
                        ...(ns.layer !== "amplifier" && scraped ? ["allow-monitoring-scrape"] : []),
                    ];
                    const acme = policies.has("allow-acme-http01-solver") ? ["allow-acme-http01-solver"] : [];
                    assert.deepEqual([...policies.keys()].sort(), [...expected, ...acme].sort(), name);
                }
            });

            it("isolates the amplifier namespace: no ingress at all, egress to DNS and internet HTTPS only", async () => {
                const run = await stackRun(stack);
                for (const [name] of Object.entries(config.namespaces).filter(([, ns]) => ns.layer === "amplifier")) {
                    const all = ofType(run, "kubernetes:networking.k8s.io/v1:NetworkPolicy").filter(
                        (p) => get(p, "metadata.namespace") === name,
                    );
                    for (const p of all) {
                        for (const rule of (get(p, "spec.ingress") as unknown[] | undefined) ?? [])
                            assert.fail(`${get(p, "metadata.name")} admits ${JSON.stringify(rule)}`);
                        for (const rule of (get(p, "spec.egress") as
                            { to?: Record<string, unknown>[]; ports?: { port: number }[] }[] | undefined) ?? []) {
                            const toDns = rule.to?.some((t) => JSON.stringify(t).includes("kube-dns"));
                            const toInternet = rule.to?.every(
                                (t) => (t.ipBlock as { except?: string[] } | undefined)?.except?.join() === privateRanges.join(),
                            );
                            assert.ok(
                                toDns || (toInternet && rule.ports?.every((p) => p.port === 443)),
                                `${get(p, "metadata.name")} allows ${JSON.stringify(rule)}`,
                            );
                        }
                    }
                }
            });

            it(`runs Kyverno's CEL policies in ${mode} mode, excluding exactly the configured namespaces`, async () => {
                const run = await stackRun(stack);
                const policies = [
                    ...ofKind(run, "policies.kyverno.io/v1", "ValidatingPolicy"),
                    ...ofKind(run, "policies.kyverno.io/v1", "ImageValidatingPolicy"),
                ];
                const names = policies.map((p) => get(p, "metadata.name")).sort();
                const expected = [
                    ...Object.keys(podRules),
                    ...(config.guardrails.cosignPublicKey ? ["verify-image-signatures"] : []),
                    ...(config.guardrails.denyExec ? ["deny-exec-and-debug"] : []),
                ].sort();
                assert.deepEqual(names, expected);
                for (const p of policies) {
                    assert.deepEqual(get(p, "spec.validationActions"), [mode === "Enforce" ? "Deny" : "Audit"]);
                    assert.deepEqual(get(p, "spec.matchConstraints.namespaceSelector"), {
                        matchExpressions: [
                            { key: "kubernetes.io/metadata.name", operator: "NotIn", values: config.guardrails.excludedNamespaces },
                        ],
                    });
                }
                assert.equal(ofType(run, "kubernetes:kyverno.io/v1:ClusterPolicy").length, 0, "the deprecated ClusterPolicy is not used");
            });

            it("verifies image signatures with the stack's Cosign key for its own registries", async () => {
                const run = await stackRun(stack);
                const [policy] = ofKind(run, "policies.kyverno.io/v1", "ImageValidatingPolicy");
                assert.equal(
                    get(policy, "spec.attestors") &&
                        (get(policy, "spec.attestors") as { cosign: { key: { data: string } } }[])[0].cosign.key.data,
                    config.guardrails.cosignPublicKey,
                );
                assert.deepEqual(
                    get(policy, "spec.matchImageReferences"),
                    (config.guardrails.signedRegistries ?? config.guardrails.allowedRegistries).map((r) => ({ glob: `${r}*` })),
                );
            });

            it("scopes no rule by a label a pod could set, and asks an SBOM only of the platform's own images", async () => {
                const run = await stackRun(stack);
                const policies = ofKind(run, "policies.kyverno.io/v1", "ValidatingPolicy");
                for (const p of policies)
                    assert.equal(get(p, "spec.matchConstraints.objectSelector"), undefined, String(get(p, "metadata.name")));
                const sbom = policies.find((p) => get(p, "metadata.name") === "require-sbom-annotation")!;
                const [validation] = get(sbom, "spec.validations") as { expression: string }[];
                for (const registry of config.guardrails.signedRegistries ?? config.guardrails.allowedRegistries) {
                    assert.ok(validation.expression.includes(`c.image.startsWith('${registry}')`), registry);
                }
            });

            it("waits for every platform release before creating any admission policy", async () => {
                const run = await stackRun(stack);
                const releaseUrns = ofType(run, "kubernetes:helm.sh/v3:Release").map((r) => r.urn);
                const admission = [
                    ...ofKind(run, "policies.kyverno.io/v1", "ValidatingPolicy"),
                    ...ofKind(run, "policies.kyverno.io/v1", "ImageValidatingPolicy"),
                    ...ofKind(run, "templates.gatekeeper.sh/v1", "ConstraintTemplate"),
                ];
                assert.ok(admission.length > 0);
                for (const p of admission)
                    assert.deepEqual(
                        releaseUrns.filter((u) => !p.dependsOn.includes(u)),
                        [],
                        p.name,
                    );
            });

            it(`runs Gatekeeper constraints (${mode === "Enforce" ? "deny" : "dryrun"}) after their templates have produced their kinds`, async () => {
                const run = await stackRun(stack);
                const templates = ofKind(run, "templates.gatekeeper.sh/v1", "ConstraintTemplate");
                assert.deepEqual(templates.map((t) => get(t, "metadata.name")).sort(), ["k8sallowedrepos", "k8srequiredlabels"]);
                for (const t of templates)
                    assert.equal(
                        get(t, "metadata.annotations.pulumi.com/waitFor") ??
                            (get(t, "metadata.annotations") as Record<string, string>)["pulumi.com/waitFor"],
                        "jsonpath={.status.created}=true",
                    );
                const labels = ofKind(run, "constraints.gatekeeper.sh/v1beta1", "K8sRequiredLabels")[0];
                const repos = ofKind(run, "constraints.gatekeeper.sh/v1beta1", "K8sAllowedRepos")[0];
                const templateOf = (kind: string) => templates.find((t) => get(t, "spec.crd.spec.names.kind") === kind)!;
                assert.ok(labels.dependsOn.includes(templateOf("K8sRequiredLabels").urn));
                assert.ok(repos.dependsOn.includes(templateOf("K8sAllowedRepos").urn));
                assert.deepEqual(get(labels, "spec.parameters.labels"), config.guardrails.requiredLabels);
                // The apps' registries from the stack file, then exactly the images the installed operators
                // run beside them (cert-manager's solver only where an issuer solves HTTP-01).
                const operators = ["ghcr.io/cloudnative-pg/", "quay.io/strimzi/", `docker.io/istio/proxyv2:${istioVersion}`];
                const solver = (get(repos, "spec.parameters.repos") as string[]).filter((r) => r.includes("cert-manager-acmesolver"));
                assert.deepEqual(get(repos, "spec.parameters.repos"), [...config.guardrails.allowedRegistries, ...operators, ...solver]);
                assert.deepEqual(
                    solver,
                    solvesHttp01(config.environment, config.cloudflare !== undefined)
                        ? [`quay.io/jetstack/cert-manager-acmesolver:${certManagerChart.version}`]
                        : [],
                );
                for (const c of [labels, repos]) {
                    assert.equal(get(c, "spec.enforcementAction"), mode === "Enforce" ? "deny" : "dryrun");
                    assert.deepEqual(get(c, "spec.match.excludedNamespaces"), config.guardrails.excludedNamespaces);
                }
            });

            it("enforces STRICT mTLS mesh-wide and allows nothing by default in meshed namespaces", async () => {
                const run = await stackRun(stack);
                const peer = ofKind(run, "security.istio.io/v1", "PeerAuthentication").find((p) => get(p, "metadata.name") === "default")!;
                assert.equal(get(peer, "metadata.namespace"), "istio-system");
                assert.deepEqual(get(peer, "spec"), { mtls: { mode: "STRICT" } });
                assert.ok(
                    peer.dependsOn.includes(releaseNamed(run, "istio-base").urn) &&
                        peer.dependsOn.includes(releaseNamed(run, "istiod").urn),
                );
                const allowNothing = ofKind(run, "security.istio.io/v1", "AuthorizationPolicy").filter(
                    (p) => get(p, "metadata.name") === "allow-nothing",
                );
                const meshed = Object.entries(config.namespaces)
                    .filter(([, ns]) => ["core", "security"].includes(ns.layer))
                    .map(([n]) => n);
                assert.deepEqual(allowNothing.map((p) => get(p, "metadata.namespace")).sort(), meshed.sort());
                for (const p of allowNothing) assert.deepEqual(get(p, "spec"), {});
                for (const name of meshed) {
                    assert.equal(
                        (get(k8sObject(run, "kubernetes:core/v1:Namespace", name), "metadata.labels") as Record<string, string>)[
                            "istio-injection"
                        ],
                        "enabled",
                    );
                }
            });

            it("issues certificates from Let's Encrypt (staging and production) and an internal CA, after cert-manager", async () => {
                const run = await stackRun(stack);
                const issuers = ofKind(run, "cert-manager.io/v1", "ClusterIssuer");
                assert.deepEqual(issuers.map((i) => get(i, "metadata.name")).sort(), [
                    "letsencrypt-production",
                    "letsencrypt-staging",
                    "platform-internal-ca",
                ]);
                const certManager = releaseNamed(run, "cert-manager");
                for (const issuer of issuers)
                    assert.ok(issuer.dependsOn.includes(certManager.urn), `${issuer.name} waits for cert-manager`);
                const acme = issuers.find((i) => get(i, "metadata.name") === "letsencrypt-production")!;
                assert.equal(get(acme, "spec.acme.email"), config.guardrails.acme.email);
                assert.equal(get(acme, "spec.acme.server"), "https://acme-v02.api.letsencrypt.org/directory");
                // Behind Cloudflare, DNS-01 with a zone-scoped token (HTTP-01 cannot pass a proxied,
                // HTTPS-only, origin-locked zone); HTTP-01 through nginx only without Cloudflare.
                const solvers = config.cloudflare
                    ? [
                          {
                              selector: { dnsZones: [config.cloudflare.zoneName] },
                              dns01: { cloudflare: { apiTokenSecretRef: { name: "cloudflare-dns01-api-token", key: "api-token" } } },
                          },
                      ]
                    : [{ http01: { ingress: { ingressClassName: "nginx" } } }];
                assert.deepEqual(get(acme, "spec.acme.solvers"), solvers);
                if (config.cloudflare) {
                    const token = k8sObject(run, "kubernetes:core/v1:Secret", "cloudflare-dns01-api-token", "cert-manager");
                    assert.ok(containsSecret(token.inputs.stringData), "the DNS-01 token stays a Pulumi secret");
                    assert.ok(acme.dependsOn.includes(token.urn), "the issuer waits for its token");
                }
                const ca = issuers.find((i) => get(i, "metadata.name") === "platform-internal-ca")!;
                const caSecret = ofType(run, "kubernetes:core/v1:Secret").find(
                    (s) => get(s, "metadata.name") === get(ca, "spec.ca.secretName"),
                )!;
                assert.equal(
                    get(caSecret, "metadata.namespace"),
                    "cert-manager",
                    "CA secrets live in cert-manager's cluster resource namespace",
                );
            });

            it("keeps every private key inside a secret: in inputs, outputs and the synth", async () => {
                const run = await stackRun(stack);
                const leaks = (r: RegisteredResource) => JSON.stringify(r.inputs).includes("PRIVATE KEY");
                assert.deepEqual(
                    run.resources.filter(leaks).map((r) => r.urn),
                    [],
                );
                const caSecret = ofType(run, "kubernetes:core/v1:Secret").find(
                    (s) => get(s, "metadata.name") === "platform-internal-ca-key-pair",
                )!;
                assert.ok(containsSecret(caSecret.inputs.stringData), "the CA key pair is a Pulumi secret");
                assert.equal(JSON.stringify(toSynthResources(run)).includes("PRIVATE KEY"), false);
                assert.equal(JSON.stringify(run.outputs).includes("PRIVATE KEY"), false);
            });

            it("grants monitoring read-only access and binds no one to cluster-admin", async () => {
                const run = await stackRun(stack);
                const bindings = [
                    ...ofType(run, "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding"),
                    ...ofType(run, "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding"),
                ];
                assert.equal(bindings.filter((b) => get(b, "roleRef.name") === "cluster-admin").length, 0);
                const role = ofType(run, "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole").find(
                    (r) => get(r, "metadata.name") === "platform-monitoring-read-only",
                )!;
                const verbs = (get(role, "rules") as { verbs: string[]; resources: string[] }[]).flatMap((r) => r.verbs);
                assert.deepEqual([...new Set(verbs)].sort(), ["get", "list", "watch"]);
                assert.equal(
                    (get(role, "rules") as { resources: string[] }[]).some((r) => r.resources.includes("secrets")),
                    false,
                );
            });
        });
    }

    it("denies shell access in production only", async () => {
        const names = async (stack: string) =>
            ofKind(await stackRun(stack), "policies.kyverno.io/v1", "ValidatingPolicy").map((p) => get(p, "metadata.name"));
        assert.ok((await names("production")).includes("deny-exec-and-debug"));
        assert.ok(!(await names("staging")).includes("deny-exec-and-debug"));
        const deny = ofKind(await stackRun("production"), "policies.kyverno.io/v1", "ValidatingPolicy").find(
            (p) => get(p, "metadata.name") === "deny-exec-and-debug",
        )!;
        assert.deepEqual(get(deny, "spec.matchConstraints.resourceRules"), [
            { apiGroups: [""], apiVersions: ["v1"], operations: ["CONNECT"], resources: ["pods/exec", "pods/attach", "pods/portforward"] },
            { apiGroups: [""], apiVersions: ["v1"], operations: ["UPDATE"], resources: ["pods/ephemeralcontainers"] },
        ]);
        // The operator that backs databases up by exec is exempt by its identity, nobody else.
        assert.deepEqual(get(deny, "spec.matchConditions"), [
            { name: "not-an-operator", expression: "!(request.userInfo.username in ['system:serviceaccount:cnpg-system:cloudnative-pg'])" },
        ]);
    });

    it("audits in dev and enforces in staging and production", () => {
        assert.deepEqual(
            ["dev", "staging", "production"].map((s) => stackConfig(s).guardrails.policyMode),
            ["Audit", "Enforce", "Enforce"],
        );
    });
});

describe("DNS egress with a node-local cache", () => {
    it("admits the cache's address on 53 UDP and TCP beside kube-dns, in every layer", () => {
        for (const layer of ["core", "data", "amplifier"] as const) {
            const dns = baselinePolicies({ layer, mesh: "none" }, { nodeLocalDns: "169.254.20.10" })["allow-dns"];
            assert.deepEqual(dns.egress, [
                {
                    to: [
                        {
                            namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } },
                            podSelector: { matchLabels: { "k8s-app": "kube-dns" } },
                        },
                        { ipBlock: { cidr: "169.254.20.10/32" } },
                    ],
                    ports: [
                        { port: 53, protocol: "UDP" },
                        { port: 53, protocol: "TCP" },
                    ],
                },
            ]);
        }
        const without = baselinePolicies({ layer: "core", mesh: "none" }, {})["allow-dns"];
        assert.equal(JSON.stringify(without).includes("ipBlock"), false);
    });
});
