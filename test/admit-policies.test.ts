import { strict as assert } from "assert";
import { GatekeeperEvaluator } from "../engine/admit/gatekeeper";
import { programObjects } from "../engine/admit/index";
import { KyvernoEvaluator } from "../engine/admit/kyverno";
import { autogenVariants, canAutogen } from "../engine/admit/models/kyverno";
import { createRequest } from "../engine/admit/models/kubernetes";
import type { AdmissionRequest, Json, KubeObject } from "../engine/admit/types";
import { deployer, serviceAccountUser } from "../engine/admit/types";
import { stackRun } from "../engine/synth/run-program";
import { toSynthResources } from "../engine/synth/write";

/**
 * Every Kyverno policy and Gatekeeper constraint the program emits, evaluated by a real CEL
 * engine over its exact expressions: for each, a pod it must pass and a pod it must refuse.
 * A new policy without cases here fails the suite.
 */

const namespaceLabels = (ns: string) => ({ "kubernetes.io/metadata.name": ns, "pod-security.kubernetes.io/enforce": "restricted" });

/** A pod that passes every platform rule in production: the shape the program gives its apps. */
function goodPod(): KubeObject {
    return {
        apiVersion: "v1",
        kind: "Pod",
        metadata: {
            name: "web",
            namespace: "core",
            labels: { "app.kubernetes.io/name": "web", "app.kubernetes.io/part-of": "shop", "platform.io/team": "web" },
            annotations: { "platform.io/sbom": "https://sbom.example/web.spdx.json" },
        },
        spec: {
            securityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } },
            containers: [
                {
                    name: "web",
                    image: "ghcr.io/acme-platform/web:1.0.0@sha256:" + "a".repeat(64),
                    resources: { requests: { cpu: "100m", memory: "64Mi" }, limits: { cpu: "1", memory: "128Mi" } },
                    securityContext: {
                        allowPrivilegeEscalation: false,
                        readOnlyRootFilesystem: true,
                        runAsNonRoot: true,
                        capabilities: { drop: ["ALL"] },
                    },
                },
            ],
        },
    };
}

/** Test pods are edited freely, as JSON. */
type Pod = any;
type Mutation = (pod: Pod) => void;
const container = (pod: Pod) => pod.spec.containers[0];

/** For each pod policy: a change that must make it refuse the otherwise passing pod. */
const breaks: Record<string, Mutation> = {
    // An image outside the signed registries: production's signature policy refuses any of its own
    // images without a digest (verifyDigest), `latest` included.
    "disallow-latest-tag": (p) => void (container(p).image = "quay.io/acme/web:latest"),
    "require-resource-limits": (p) => void (container(p).resources = { requests: { cpu: "100m" } }),
    "require-read-only-root-filesystem": (p) => void (container(p).securityContext.readOnlyRootFilesystem = false),
    "require-run-as-non-root": (p) => {
        container(p).securityContext.runAsNonRoot = false;
    },
    "require-drop-all-capabilities": (p) => void (container(p).securityContext.capabilities = { drop: ["ALL"], add: ["SYS_ADMIN"] }),
    "disallow-privileged-and-host-access": (p) => void (p.spec.hostNetwork = true),
    // A label an operator's pods carry no longer exempts anyone: the scope is the image.
    "require-sbom-annotation": (p) => {
        p.metadata.annotations = {};
        p.metadata.labels = { ...(p.metadata.labels as Json), "cnpg.io/cluster": "spoofed" };
    },
};

describe("Kyverno policies, evaluated by CEL on the program's own expressions (production)", () => {
    let kyverno: KyvernoEvaluator;
    let policies: { name: string; kind: string; spec: Json }[];
    before(async () => {
        const objects = programObjects(toSynthResources(await stackRun("production"))).map((s) => s.object);
        policies = objects
            .filter((o) => o.apiVersion.startsWith("policies.kyverno.io/"))
            .map((o) => ({ name: o.metadata.name, kind: o.kind, spec: o.spec as Json }));
        kyverno = new KyvernoEvaluator(policies);
    });
    const verdicts = (request: AdmissionRequest, signed = true) =>
        kyverno.evaluate(request, { namespaceLabels }, () => signed).map((v) => v.policy);

    it("has a case for every pod policy the program emits", () => {
        const podPolicies = policies.filter((p) => p.kind === "ValidatingPolicy" && p.name !== "deny-exec-and-debug").map((p) => p.name);
        assert.deepEqual(podPolicies.sort(), Object.keys(breaks).sort());
    });

    it("passes the app-shaped pod", () => {
        assert.deepEqual(verdicts(createRequest(goodPod(), deployer)), []);
    });

    for (const [policy, mutate] of Object.entries(breaks)) {
        it(`${policy}: refuses a pod that breaks it, and only by that policy`, () => {
            const pod = goodPod() as Pod;
            mutate(pod);
            assert.deepEqual(verdicts(createRequest(pod, deployer)), [policy]);
        });
    }

    it("require-sbom-annotation asks nothing of operator images (they are not the platform's builds)", () => {
        const pod = goodPod() as Pod;
        pod.metadata.annotations = {};
        container(pod).image = "ghcr.io/cloudnative-pg/postgresql:18.4-system-trixie";
        assert.deepEqual(verdicts(createRequest(pod, deployer)), []);
    });

    it("verify-image-signatures: refuses a tag-only image of the signed registries (verifyDigest, no mutateDigest)", () => {
        const pod = goodPod() as Pod;
        container(pod).image = "ghcr.io/acme-platform/web:1.0.0";
        assert.deepEqual(verdicts(createRequest(pod, deployer)), ["verify-image-signatures"]);
    });

    it("verify-image-signatures: refuses an unsigned image, in an init container too", () => {
        assert.deepEqual(verdicts(createRequest(goodPod(), deployer), false), ["verify-image-signatures"]);
        const pod = goodPod() as Pod;
        pod.spec.initContainers = [
            { ...container(pod), name: "migrate", image: "ghcr.io/acme-platform/migrate:1.0.0@sha256:" + "b".repeat(64) },
        ];
        const unsignedInit = (image: string) => !image.includes("migrate");
        assert.deepEqual(
            kyverno.evaluate(createRequest(pod, deployer), { namespaceLabels }, unsignedInit).map((v) => v.policy),
            ["verify-image-signatures"],
        );
    });

    it("extends the pod rules to controllers (autogen), so a bad Deployment is refused before it makes pods", () => {
        const deployment: KubeObject = {
            apiVersion: "apps/v1",
            kind: "Deployment",
            metadata: { name: "web", namespace: "core" },
            spec: { template: { metadata: goodPod().metadata, spec: goodPod().spec } },
        };
        assert.deepEqual(verdicts(createRequest(deployment, deployer)), []);
        ((deployment.spec as Json).template as { spec: { hostPID?: boolean } }).spec.hostPID = true;
        assert.deepEqual(verdicts(createRequest(deployment, deployer)), ["disallow-privileged-and-host-access"]);
        for (const p of policies.filter((x) => x.kind === "ValidatingPolicy" && x.name !== "deny-exec-and-debug")) {
            assert.ok(canAutogen(p.spec.matchConstraints as never), `${p.name} gets controller variants`);
            assert.equal(autogenVariants(p.spec).length, 2, p.name);
        }
    });

    it("skips excluded namespaces (and Kyverno's own prefilters)", () => {
        const pod = goodPod() as Pod;
        pod.spec.hostNetwork = true;
        pod.metadata.namespace = "ingress-nginx";
        assert.deepEqual(verdicts(createRequest(pod, deployer)), []);
        pod.metadata.namespace = "kube-system";
        assert.deepEqual(verdicts(createRequest(pod, deployer)), []);
    });

    const connect = (subResource: "exec" | "attach" | "portforward", user = deployer): AdmissionRequest => ({
        operation: "CONNECT",
        kind: { group: "", version: "v1", kind: "PodExecOptions" },
        resource: { group: "", version: "v1", resource: "pods" },
        subResource,
        namespace: "memory",
        name: "backend-db-1",
        object: { apiVersion: "v1", kind: "Pod", metadata: { name: "backend-db-1", namespace: "memory" } },
        userInfo: user,
    });

    it("deny-exec-and-debug: refuses exec, attach and port-forward; lets the database operator's backup exec through", () => {
        for (const sub of ["exec", "attach", "portforward"] as const)
            assert.deepEqual(verdicts(connect(sub)), ["deny-exec-and-debug"], sub);
        assert.deepEqual(verdicts(connect("exec", serviceAccountUser("cnpg-system", "cloudnative-pg"))), []);
        assert.deepEqual(
            verdicts(connect("exec", serviceAccountUser("core", "cloudnative-pg"))),
            ["deny-exec-and-debug"],
            "same name, other namespace",
        );
    });
});

describe("Gatekeeper constraints, evaluated by CEL on the program's own templates (production)", () => {
    let gatekeeper: GatekeeperEvaluator;
    let constraints: KubeObject[];
    before(async () => {
        const objects = programObjects(toSynthResources(await stackRun("production"))).map((s) => s.object);
        const templates = objects.filter((o) => o.kind === "ConstraintTemplate");
        constraints = objects.filter((o) => o.apiVersion.startsWith("constraints.gatekeeper.sh/"));
        gatekeeper = new GatekeeperEvaluator(templates as unknown as Json[], constraints as unknown as Json[]);
    });
    const violations = (object: KubeObject) => gatekeeper.evaluate(createRequest(object, deployer), namespaceLabels).map((v) => v.message);

    it("evaluates every constraint kind the program emits with CEL (no Rego left)", () => {
        assert.deepEqual(gatekeeper.unevaluable(), []);
        assert.deepEqual(constraints.map((c) => c.kind).sort(), ["K8sAllowedRepos", "K8sRequiredLabels"]);
    });

    it("images-from-allowed-registries: passes the platform's images, refuses another registry's, in any container list", () => {
        assert.deepEqual(violations(goodPod()), []);
        const pod = goodPod() as Pod;
        pod.spec.initContainers = [{ name: "fetch", image: "docker.io/busybox:1.36" }];
        const [message, ...more] = violations(pod);
        assert.deepEqual(more, []);
        assert.match(
            message,
            /^\[images-from-allowed-registries\] images not from an allowed registry \(ghcr\.io\/acme-platform\/, .*\): fetch=docker\.io\/busybox:1\.36$/,
        );
    });

    it("workloads-have-required-labels: passes a labelled Deployment, refuses one without its team", () => {
        const deployment: KubeObject = {
            apiVersion: "apps/v1",
            kind: "Deployment",
            metadata: { name: "web", namespace: "core", labels: { ...(goodPod().metadata.labels as Record<string, string>) } },
            spec: {},
        };
        assert.deepEqual(violations(deployment), []);
        delete deployment.metadata.labels!["platform.io/team"];
        assert.deepEqual(violations(deployment), ["[workloads-have-required-labels] missing required labels: platform.io/team"]);
    });

    it("honours excludedNamespaces", () => {
        const pod = goodPod() as Pod;
        pod.metadata.namespace = "monitoring";
        container(pod).image = "quay.io/prometheus/prometheus:v3.0.0";
        assert.deepEqual(violations(pod), []);
    });
});
