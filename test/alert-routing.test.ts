import { strict as assert } from "assert";
import { runGate } from "../engine/gate";
import type { Json } from "../engine/admit/types";
import { stackRun } from "../engine/synth/run-program";
import { listStacks, stackConfig } from "../engine/synth/stack-files";
import { toSynthResources } from "../engine/synth/write";
import type { SynthResource } from "../policy-pack/offline";
import { receiversFor } from "../policy-pack/policies/alerting-floor";
import { floors } from "../policy-pack/floors";
import { alertmanagerConfigLabels } from "../components/platform/alert-routing";

/** Where alerts go: each stack's receivers and routes, their credentials only as Secret references, and production's paging floor. */

const ofKind = (resources: SynthResource[], kind: string) => resources.filter((r) => r.type.endsWith(`:${kind}`));
const credentialFields = ["routingKey", "apiURL", "authPassword"];

/** Every credential field anywhere under `value`, with its path. */
function credentials(value: unknown, path = ""): [string, unknown][] {
    if (Array.isArray(value)) return value.flatMap((v, i) => credentials(v, `${path}[${i}]`));
    if (!value || typeof value !== "object") return [];
    return Object.entries(value).flatMap(([k, v]) =>
        credentialFields.includes(k) ? [[`${path}.${k}`, v] as [string, unknown]] : credentials(v, `${path}.${k}`),
    );
}

describe("alert routing", () => {
    for (const stack of listStacks()) {
        const config = stackConfig(stack);
        it(`stack ${stack}: routes alerts as its stack file says, every credential a Secret key from the external store`, async function () {
            const resources = toSynthResources(await stackRun(stack));
            const amc = ofKind(resources, "AlertmanagerConfig");
            if (!config.alerting) {
                assert.equal(amc.length, 0);
                this.skip();
            }
            assert.equal(amc.length, 1);
            const spec = amc[0].inputs.spec as Json;
            assert.deepEqual(
                (spec.receivers as Json[]).map((r) => r.name),
                config.alerting.receivers.map((r) => r.name),
            );
            assert.equal((spec.route as Json).receiver, config.alerting.defaultReceiver);
            // Alertmanager selects exactly this CR, without forcing a namespace matcher onto it.
            const kps = resources.find((r) => r.type === "kubernetes:helm.sh/v3:Release" && r.name.includes("kube-prometheus-stack"))!;
            const am = ((kps.inputs.values as Json).alertmanager as Json).alertmanagerSpec as Json;
            assert.deepEqual(am.alertmanagerConfigSelector, { matchLabels: alertmanagerConfigLabels });
            assert.deepEqual(am.alertmanagerConfigMatcherStrategy, { type: "OnNamespaceExceptForAlertmanagerNamespace" });
            // ...which spares only CRs in Alertmanager's own namespace: ours must live there.
            assert.equal((amc[0].inputs.metadata as Json).namespace, kps.inputs.namespace);
            for (const [k, v] of Object.entries(alertmanagerConfigLabels))
                assert.equal((amc[0].inputs.metadata as Json & { labels: Json }).labels[k], v);
            // Credentials: Secret references only, each key written by an ExternalSecret in the same namespace.
            const written = new Set(
                ofKind(resources, "ExternalSecret")
                    .filter((e) => (e.inputs.metadata as Json).namespace === "monitoring")
                    .flatMap((e) =>
                        ((e.inputs.spec as Json).data as Json[]).map(
                            (d) => `${((e.inputs.spec as Json).target as Json).name}/${d.secretKey}`,
                        ),
                    ),
            );
            for (const [where, ref] of credentials(spec)) {
                assert.ok(ref && typeof ref === "object", `${stack}: ${where} is not a Secret reference`);
                const { name, key } = ref as { name: string; key: string };
                assert.ok(written.has(`${name}/${key}`), `${stack}: ${where} names ${name}/${key}, which no ExternalSecret writes`);
            }
            // The stores those ExternalSecrets read serve the monitoring namespace.
            for (const store of ofKind(resources, "ClusterSecretStore")) {
                const used = [...written].length > 0;
                if (!used) continue;
                const namespaces = ((store.inputs.spec as Json).conditions as { namespaces: string[] }[])[0].namespaces;
                assert.ok(namespaces.includes("monitoring"), `${stack}: ${(store.inputs.metadata as Json).name} does not serve monitoring`);
            }
            // Critical alerts page where the floor says they must.
            const floor = stack in floors ? floors[stack as keyof typeof floors] : undefined;
            const paged = receiversFor(spec.route as Json, { severity: "critical" });
            const paging = (spec.receivers as Json[]).filter((r) => r.pagerdutyConfigs).map((r) => r.name);
            if (floor?.alerting.pagingReceiver)
                assert.ok(
                    paged.some((r) => paging.includes(r)),
                    `${stack}: critical goes to ${paged}`,
                );
        });
    }

    it("walks routes as Alertmanager does: first match wins unless continue, absent labels are empty", () => {
        const route = {
            receiver: "chat",
            matchers: [{ name: "severity", matchType: "=~", value: "critical|warning" }],
            routes: [
                { receiver: "pager", matchers: [{ name: "severity", matchType: "=", value: "critical" }], continue: true },
                { receiver: "team", matchers: [{ name: "team", matchType: "=~", value: "a|b" }] },
                { receiver: "chat", matchers: [{ name: "severity", matchType: "=~", value: "critical|warning" }] },
            ],
        };
        assert.deepEqual(receiversFor(route, { severity: "critical" }), ["pager", "chat"]);
        assert.deepEqual(receiversFor(route, { severity: "warning", team: "a" }), ["team"]);
        assert.deepEqual(receiversFor(route, { severity: "none" }), []);
        const swallowed = { ...route, routes: [{ receiver: "chat", matchers: [] }, ...route.routes] };
        assert.deepEqual(receiversFor(swallowed, { severity: "critical" }), ["chat"]);
    });

    it("refuses production when critical alerts no longer reach PagerDuty", async () => {
        const resources = toSynthResources(await stackRun("production"));
        const copy = structuredClone(resources);
        const amc = ofKind(copy, "AlertmanagerConfig")[0];
        const route = (amc.inputs.spec as Json).route as Json;
        route.routes = (route.routes as Json[]).filter((r) => r.receiver !== "platform-pager");
        const violations = runGate("production", copy).filter((v) => v.level === "mandatory" && v.policy === "platform-floor");
        assert.ok(
            violations.some((v) => /no PagerDuty receiver that critical alerts reach.*platform:alerting/.test(v.message)),
            JSON.stringify(violations),
        );
        assert.deepEqual(
            runGate("production", resources).filter((v) => v.level === "mandatory"),
            [],
        );
    });
});
