import { strict as assert } from "assert";
import { containerDefaults, layerDefaults, quotaDefaults } from "../components/guardrails/namespaces";
import { istioDefaults } from "../components/platform/istio";
import { kafkaDefaults } from "../components/workloads/kafka";
import { postgresDefaults } from "../components/workloads/postgres";
import { listStacks, stackConfig } from "../engine/synth/stack-files";

/** CPU cores or bytes from a Kubernetes quantity. */
export function quantity(q: string): number {
    const m = /^([0-9.]+)(m|Ki|Mi|Gi|Ti|k|M|G|T)?$/.exec(q);
    if (!m) throw new Error(`not a quantity: ${q}`);
    const unit: Record<string, number> = { m: 1e-3, Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, k: 1e3, M: 1e6, G: 1e9, T: 1e12 };
    return Number(m[1]) * (m[2] ? unit[m[2]] : 1);
}

/**
 * Every app must fit its namespace's ResourceQuota at full scale: autoscaled apps at their
 * maximum, each pod with its sidecar when meshed, plus one run of each of its jobs. A stack that
 * fails this would deploy, then refuse pods exactly when load arrives.
 */
describe("namespace capacity", () => {
    for (const stack of listStacks()) {
        it(`fits every app of stack ${stack}, and its databases and Kafka, at full scale into the namespace quotas`, () => {
            const config = stackConfig(stack);
            const proxy = istioDefaults[config.environment].proxy;
            const jobDefaults = containerDefaults[config.environment];
            const usage = new Map<string, { cpu: number; memory: number; requestsCpu: number; requestsMemory: number; pods: number }>();
            for (const app of config.apps) {
                const ns = config.namespaces[app.namespace];
                const meshed = (ns.mesh ?? (layerDefaults[ns.layer].meshed ? "sidecar" : "none")) === "sidecar";
                const pods = app.autoscaling ? app.autoscaling.maxReplicas : (app.replicas ?? 1);
                const u = usage.get(app.namespace) ?? { cpu: 0, memory: 0, requestsCpu: 0, requestsMemory: 0, pods: 0 };
                const add = (
                    count: number,
                    r: { requests: { cpu?: string; memory?: string }; limits: { cpu?: string; memory?: string } },
                    sidecar: boolean,
                ) => {
                    u.cpu += count * (quantity(r.limits.cpu ?? jobDefaults.default.cpu) + (sidecar ? quantity(proxy.limits.cpu) : 0));
                    u.memory +=
                        count * (quantity(r.limits.memory ?? jobDefaults.default.memory) + (sidecar ? quantity(proxy.limits.memory) : 0));
                    u.requestsCpu +=
                        count * (quantity(r.requests.cpu ?? jobDefaults.defaultRequest.cpu) + (sidecar ? quantity(proxy.requests.cpu) : 0));
                    u.requestsMemory +=
                        count *
                        (quantity(r.requests.memory ?? jobDefaults.defaultRequest.memory) +
                            (sidecar ? quantity(proxy.requests.memory) : 0));
                    u.pods += count;
                };
                add(pods, app.resources, meshed);
                // A canary rollout runs extra pods while it shifts traffic: count a full surge.
                if (app.canary) add(Math.ceil(pods / 2), app.resources, meshed);
                for (const job of app.jobs) add(1, job.resources, false);
                usage.set(app.namespace, u);
            }
            // The apps' data services run in the data namespace: databases (with the backup sidecar
            // when backed up) and Kafka node pools plus the entity operator (LimitRange defaults).
            const dataNs = Object.entries(config.namespaces).find(([, ns]) => ns.layer === "data")?.[0];
            if (dataNs) {
                const u = usage.get(dataNs) ?? { cpu: 0, memory: 0, requestsCpu: 0, requestsMemory: 0, pods: 0 };
                const add = (
                    count: number,
                    r: { requests: { cpu: string; memory: string }; limits: { cpu: string; memory: string } },
                    containers = 1,
                ) => {
                    u.cpu += count * containers * quantity(r.limits.cpu);
                    u.memory += count * containers * quantity(r.limits.memory);
                    u.requestsCpu += count * containers * quantity(r.requests.cpu);
                    u.requestsMemory += count * containers * quantity(r.requests.memory);
                };
                const sidecar = { requests: { cpu: "50m", memory: "64Mi" }, limits: { cpu: "500m", memory: "256Mi" } };
                for (const app of config.apps.filter((a) => a.postgres)) {
                    const instances = app.postgres!.instances ?? postgresDefaults[config.environment].instances;
                    add(instances, postgresDefaults[config.environment].resources);
                    if (config.backup) add(instances, sidecar);
                    u.pods += instances;
                }
                for (const app of config.apps.filter((a) => a.kafka?.cluster)) {
                    const k = app.kafka!.cluster!;
                    add(k.brokers, kafkaDefaults[config.environment].broker);
                    add(k.controllers, kafkaDefaults[config.environment].controller);
                    add(1, { requests: jobDefaults.defaultRequest, limits: jobDefaults.default }, 2);
                    u.pods += k.brokers + k.controllers + 1;
                }
                usage.set(dataNs, u);
            }
            const over: string[] = [];
            for (const [name, u] of usage) {
                const ns = config.namespaces[name];
                const q = { ...quotaDefaults[layerDefaults[ns.layer].quota][config.environment], ...ns.quota };
                const gi = (bytes: number) => `${(bytes / 2 ** 30).toFixed(1)}Gi`;
                const checks: [string, number, number, string][] = [
                    ["limits.cpu", u.cpu, quantity(q.limitsCpu), u.cpu.toFixed(1)],
                    ["limits.memory", u.memory, quantity(q.limitsMemory), gi(u.memory)],
                    ["requests.cpu", u.requestsCpu, quantity(q.requestsCpu), u.requestsCpu.toFixed(1)],
                    ["requests.memory", u.requestsMemory, quantity(q.requestsMemory), gi(u.requestsMemory)],
                    ["pods", u.pods, q.pods, String(u.pods)],
                ];
                for (const [what, used, hard, shown] of checks) {
                    if (used > hard)
                        over.push(
                            `${stack}/${name}: apps need ${shown} of ${what} at full scale, the quota allows ${String(hard > 1e6 ? gi(hard) : hard)}`,
                        );
                }
            }
            assert.deepEqual(over, []);
        });
    }

    it("reads quantities", () => {
        assert.equal(quantity("500m"), 0.5);
        assert.equal(quantity("2"), 2);
        assert.equal(quantity("1Gi"), 2 ** 30);
    });
});
