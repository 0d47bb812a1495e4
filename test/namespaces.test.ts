import { strict as assert } from "assert";
import { containerDefaults, quotaDefaults } from "../components/guardrails/namespaces";
import { stackRun } from "../engine/synth/run-program";
import { get, k8sObject, ofType } from "./harness/query";
import { listStacks, stackConfig } from "../engine/synth/stack-files";

describe("namespaces", () => {
    for (const stack of listStacks()) {
        describe(`stack ${stack}`, () => {
            const config = stackConfig(stack);

            it("creates every configured namespace with its layer and Pod Security labels", async () => {
                const run = await stackRun(stack);
                for (const [name, ns] of Object.entries(config.namespaces)) {
                    const obj = k8sObject(run, "kubernetes:core/v1:Namespace", name);
                    const labels = get(obj, "metadata.labels") as Record<string, string>;
                    assert.equal(labels["platform.io/layer"], ns.layer, `${name} layer`);
                    assert.equal(labels["pod-security.kubernetes.io/enforce"], ns.podSecurity?.level ?? "restricted", `${name} enforce`);
                    assert.equal(labels["pod-security.kubernetes.io/warn"], "restricted");
                    const annotations = get(obj, "metadata.annotations") as Record<string, string>;
                    assert.equal(annotations["platform.io/pod-security-exception"], ns.podSecurity?.reason);
                }
            });

            it("gives each namespace a ResourceQuota and LimitRange sized for the environment", async () => {
                const run = await stackRun(stack);
                for (const [name, ns] of Object.entries(config.namespaces)) {
                    const quota = k8sObject(run, "kubernetes:core/v1:ResourceQuota", "platform-quota", name);
                    const hard = get(quota, "spec.hard") as Record<string, string>;
                    const size = ["security", "system", "amplifier"].includes(ns.layer) ? "small" : "standard";
                    const expected = { ...quotaDefaults[size][config.environment], ...ns.quota };
                    assert.equal(hard["limits.memory"], expected.limitsMemory, `${name} limits.memory`);
                    assert.equal(hard["requests.cpu"], expected.requestsCpu, `${name} requests.cpu`);
                    assert.equal(hard.pods, String(expected.pods), `${name} pods`);
                    const limits = k8sObject(run, "kubernetes:core/v1:LimitRange", "platform-limits", name);
                    const container = (get(limits, "spec.limits") as Record<string, unknown>[])[0];
                    assert.deepEqual(container.default, containerDefaults[config.environment].default);
                }
            });

            it("protects namespaces in production only, where deleting one would delete its volumes", async () => {
                const run = await stackRun(stack);
                for (const ns of ofType(run, "kubernetes:core/v1:Namespace").filter((r) => r.parent?.includes("Namespaces"))) {
                    assert.equal(ns.protect, config.environment === "production", ns.name);
                }
            });

            it("keeps the amplifier namespace out of the mesh", async () => {
                const run = await stackRun(stack);
                for (const [name] of Object.entries(config.namespaces).filter(([, ns]) => ns.layer === "amplifier")) {
                    const labels = get(k8sObject(run, "kubernetes:core/v1:Namespace", name), "metadata.labels") as Record<string, string>;
                    assert.equal(labels["istio-injection"], "disabled");
                    assert.equal(labels["platform.io/isolation"], "maximum");
                }
            });
        });
    }

    it("sizes production quotas above staging above dev", () => {
        const gi = (q: string) => Number(q.replace("Gi", ""));
        const q = quotaDefaults.standard;
        assert.ok(gi(q.production.limitsMemory) > gi(q.staging.limitsMemory));
        assert.ok(gi(q.staging.limitsMemory) > gi(q.dev.limitsMemory));
    });
});
