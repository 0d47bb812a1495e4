import { strict as assert } from "assert";
import * as w from "../policies/workloads";
import { check, goodDeployment, resource } from "./helpers";

const deployment = (o?: Parameters<typeof goodDeployment>[0]) => resource("kubernetes:apps/v1:Deployment", goodDeployment(o));
const messages = (vs: { message: string }[]) => vs.map((v) => v.message);

describe("policy pack: workloads", () => {
    it("passes a hardened, pinned, labelled Deployment under every workload policy", () => {
        const config = { "allowed-image-registries": { registries: ["ghcr.io/acme/"] } };
        for (const policy of w.workloadPolicies) assert.deepEqual(messages(check(policy, [deployment()], config)), [], policy.name);
    });

    it("flags latest and untagged images, in init and ephemeral containers too", () => {
        const d = deployment({
            pod: {
                initContainers: [{ name: "init", image: "ghcr.io/acme/init:latest" }],
                ephemeralContainers: [{ name: "dbg", image: "busybox" }],
            },
        });
        assert.deepEqual(messages(check(w.noLatestTag, [d])), [
            "core/api: initContainer 'init' image 'ghcr.io/acme/init:latest' uses 'latest'",
            "core/api: ephemeralContainer 'dbg' image 'busybox' has no tag",
        ]);
        assert.deepEqual(messages(check(w.noLatestTag, [deployment({ container: { image: "registry:5000/acme/api" } })])), [
            "core/api: container 'api' image 'registry:5000/acme/api' has no tag",
        ]);
    });

    it("requires digests where enabled", () => {
        assert.equal(check(w.imagesPinnedByDigest, [deployment({ container: { image: "ghcr.io/acme/api:1.2.3" } })]).length, 1);
        assert.equal(
            check(w.imagesPinnedByDigest, [deployment({ container: { image: "ghcr.io/acme/api:1.2.3" } })], {
                "images-pinned-by-digest": "disabled",
            }).length,
            0,
        );
    });

    it("allows only the configured registries", () => {
        const config = { "allowed-image-registries": { registries: ["ghcr.io/acme/"] } };
        assert.match(
            check(w.allowedRegistries, [deployment({ container: { image: "docker.io/evil/api:1.0" } })], config)[0].message,
            /not from ghcr.io\/acme\//,
        );
    });

    it("requires CPU and memory limits", () => {
        const d = deployment({ container: { resources: { limits: { cpu: "1" } } } });
        assert.deepEqual(messages(check(w.resourceLimits, [d])), ["core/api: container 'api' has no memory limit"]);
    });

    it("requires non-root, read-only root, dropped capabilities and no escalation", () => {
        const d = deployment({ pod: { securityContext: {} }, container: { securityContext: { runAsUser: 0 } } });
        assert.equal(check(w.runAsNonRoot, [d]).length, 2);
        assert.equal(check(w.readOnlyRootFilesystem, [d]).length, 1);
        assert.equal(check(w.dropAllCapabilities, [d]).length, 2);
    });

    it("refuses privileged containers, host namespaces, hostPath and hostPort", () => {
        const d = deployment({
            pod: { hostNetwork: true, hostPID: true, volumes: [{ name: "root", hostPath: { path: "/" } }] },
            container: { securityContext: { privileged: true }, ports: [{ containerPort: 80, hostPort: 80 }] },
        });
        assert.equal(check(w.noPrivilegedOrHostAccess, [d]).length, 5);
    });

    it("requires probes on long-running containers but not on jobs", () => {
        assert.equal(check(w.probesOnLongRunning, [deployment({ container: { livenessProbe: undefined } })]).length, 1);
        const job = resource("kubernetes:batch/v1:CronJob", {
            metadata: { name: "nightly", namespace: "core" },
            spec: { jobTemplate: { spec: { template: { spec: { containers: [{ name: "job", image: "ghcr.io/acme/job:1" }] } } } } },
        });
        assert.equal(check(w.probesOnLongRunning, [job]).length, 0);
        assert.equal(check(w.resourceLimits, [job]).length, 2, "jobs still need limits");
    });

    it("requires the configured labels on the workload and its pods, Rollouts included", () => {
        const rollout = resource(
            "kubernetes:argoproj.io/v1alpha1:Rollout",
            goodDeployment({ labels: { "app.kubernetes.io/name": "api" } }),
        );
        assert.deepEqual(
            messages(check(w.requiredLabels, [rollout], { "required-labels": { labels: ["app.kubernetes.io/name", "platform.io/team"] } })),
            ["core/api: is missing label 'platform.io/team'", "core/api: pod template is missing label 'platform.io/team'"],
        );
    });

    it("exempts a workload from the host-access and root policies only where the stack's config records a reason", () => {
        const agent = resource(
            "kubernetes:apps/v1:DaemonSet",
            goodDeployment({ pod: { hostNetwork: true }, container: { securityContext: { runAsUser: 0 } } }),
        );
        assert.equal(check(w.noPrivilegedOrHostAccess, [agent]).length, 1);
        assert.deepEqual(messages(check(w.runAsNonRoot, [agent])), ["core/api: container 'api' runs as UID 0"]);
        const exempt = { exempt: { "core/api": "a node agent: reads the host's network namespace" } };
        const config = { "no-privileged-or-host-access": exempt, "run-as-non-root": exempt };
        assert.equal(check(w.noPrivilegedOrHostAccess, [agent], config).length, 0);
        assert.equal(check(w.runAsNonRoot, [agent], config).length, 0);
        assert.equal(
            check(w.resourceLimits, [resource("kubernetes:apps/v1:DaemonSet", goodDeployment({ container: { resources: {} } }))], config)
                .length,
            2,
        );
    });

    it("leaves labels, registries, digests and probes of a chart's objects to their release, and checks the rest", () => {
        const urn = "urn:pulumi:test::platform::kubernetes:helm.sh/v3:Release$kubernetes:apps/v1:Deployment::ingress/core/api";
        const chart = resource(
            "kubernetes:apps/v1:Deployment",
            goodDeployment({ labels: {}, container: { image: "registry.k8s.io/api:1.0", livenessProbe: undefined, resources: {} } }),
            { urn },
        );
        const config = { "allowed-image-registries": { registries: ["ghcr.io/acme/"] } };
        for (const policy of [w.requiredLabels, w.allowedRegistries, w.imagesPinnedByDigest, w.probesOnLongRunning]) {
            assert.equal(check(policy, [chart], config).length, 0, policy.name);
            assert.ok(
                check(policy, [{ ...chart, urn: "urn:pulumi:test::platform::kubernetes:apps/v1:Deployment::api" }], config).length > 0,
                policy.name,
            );
        }
        assert.deepEqual(messages(check(w.resourceLimits, [chart])), [
            "core/api: container 'api' has no cpu limit",
            "core/api: container 'api' has no memory limit",
        ]);
    });

    it("accepts Istio's injected `image: auto` only in pods labelled for injection", () => {
        const gateway = (labels: Record<string, string>) =>
            resource("kubernetes:apps/v1:Deployment", goodDeployment({ labels, container: { image: "auto" } }));
        assert.equal(check(w.noLatestTag, [gateway({ "sidecar.istio.io/inject": "true" })]).length, 0);
        assert.deepEqual(messages(check(w.noLatestTag, [gateway({})])), ["core/api: container 'api' image 'auto' has no tag"]);
    });

    it("ignores resources that run no pods", () => {
        const cm = resource("kubernetes:core/v1:ConfigMap", { metadata: { name: "x" }, data: {} });
        for (const policy of w.workloadPolicies) assert.equal(check(policy, [cm]).length, 0, policy.name);
    });
});
