import { strict as assert } from "assert";
import { secretStoreSchema } from "../components/config/secrets";
import { storeProvider } from "../components/platform/secret-stores";
import { objectStoreConfiguration } from "../components/workloads/postgres";
import { checkCrds } from "../engine/check";
import { checkCustomResources, CrdCheck, unrenderedCrdGroups } from "../engine/crds";
import { pulumiTypeOf } from "../engine/render/read";
import { releasesOf } from "../engine/render/releases";
import { renderReleases } from "../engine/render/render";
import { chartsDirFor } from "../engine/render/stack";
import { stackRun } from "../engine/synth/run-program";
import { listStacks } from "../engine/synth/stack-files";
import { toSynthResources } from "../engine/synth/write";
import type { SynthResource } from "../policy-pack/offline";
import { resource as synthResource } from "../policy-pack/test/helpers";

/**
 * Custom resources against the CRDs that serve them: the translation of Kubernetes' structural
 * schemas (on a small CRD written here), and the program's objects against the real CRDs of the
 * pinned charts. The whole-stack check over every chart runs in `npm run check -- --render`;
 * here only the charts of the workloads' kinds are rendered (a few seconds).
 */

type Obj = Record<string, unknown>;

const widgetCrd: Obj = {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: { name: "widgets.example.io" },
    spec: {
        group: "example.io",
        names: { kind: "Widget", plural: "widgets" },
        scope: "Namespaced",
        versions: [
            { name: "v1alpha1", served: false, storage: false, schema: { openAPIV3Schema: { type: "object" } } },
            {
                name: "v1",
                served: true,
                storage: true,
                schema: {
                    openAPIV3Schema: {
                        type: "object",
                        properties: {
                            apiVersion: { type: "string" },
                            kind: { type: "string" },
                            metadata: { type: "object" },
                            spec: {
                                type: "object",
                                required: ["size"],
                                "x-kubernetes-validations": [
                                    { rule: "self.size != 'huge' || has(self.port)", message: "a huge widget needs a port" },
                                ],
                                properties: {
                                    size: { type: "string", enum: ["small", "large", "huge"] },
                                    port: { "x-kubernetes-int-or-string": true },
                                    replicas: { type: "integer", minimum: 1, exclusiveMaximum: true, maximum: 10 },
                                    note: { type: "string", nullable: true },
                                    config: { type: "object", "x-kubernetes-preserve-unknown-fields": true },
                                    labels: { type: "object", additionalProperties: { type: "string" } },
                                    template: {
                                        type: "object",
                                        "x-kubernetes-embedded-resource": true,
                                        "x-kubernetes-preserve-unknown-fields": true,
                                    },
                                    listeners: {
                                        type: "array",
                                        items: {
                                            type: "object",
                                            required: ["name"],
                                            properties: { name: { type: "string", pattern: "^[a-z]+$" }, tls: { type: "boolean" } },
                                        },
                                    },
                                    ports: {
                                        type: "array",
                                        "x-kubernetes-list-type": "map",
                                        "x-kubernetes-list-map-keys": ["name"],
                                        items: { type: "object", properties: { name: { type: "string" }, port: { type: "integer" } } },
                                    },
                                    hosts: { type: "array", "x-kubernetes-list-type": "set", items: { type: "string" } },
                                    mode: { type: "string", pattern: "^(?i)(abort|warn)?$" },
                                    selector: {
                                        type: "object",
                                        properties: { a: { type: "string" }, b: { type: "string" } },
                                        oneOf: [{ required: ["a"] }, { required: ["b"] }],
                                    },
                                },
                            },
                        },
                    },
                },
            },
        ],
    },
};

const widget = (spec: Obj, extra: Obj = {}): Obj => ({
    apiVersion: "example.io/v1",
    kind: "Widget",
    metadata: { name: "w", namespace: "apps" },
    spec,
    ...extra,
});

const asResource = (object: Obj) => ({ type: pulumiTypeOf(object), name: String((object.metadata as Obj).name), inputs: object });

function check(objects: Obj[], crds: Obj[] = [widgetCrd]): CrdCheck {
    return checkCustomResources(
        objects.map(asResource),
        crds.map((object) => ({ object, release: "test" })),
    );
}

const problems = (c: CrdCheck) => c.problems.map((p) => `${p.path}: ${p.message}`);

describe("CRD schemas: the translation of Kubernetes' structural schemas", function () {
    it("passes a valid object", function () {
        const c = check([widget({ size: "small", port: 8080, listeners: [{ name: "plain" }], selector: { a: "x" } })]);
        assert.deepEqual(problems(c), []);
        assert.equal(c.checked, 1);
    });

    it("refuses an unknown field, at any depth, and in the metadata", function () {
        const c = check([
            widget({ size: "small", sise: "x", listeners: [{ name: "plain", tsl: true }] }, { metadata: { name: "w", labls: {} } }),
        ]);
        assert.deepEqual(problems(c).sort(), [
            "metadata.labls: unknown field: the CRD schema has no such field (the API server would prune it)",
            "spec.listeners[0].tsl: unknown field: the CRD schema has no such field (the API server would prune it)",
            "spec.sise: unknown field: the CRD schema has no such field (the API server would prune it)",
        ]);
    });

    it("keeps any field under x-kubernetes-preserve-unknown-fields, and any key of a map", function () {
        const c = check([widget({ size: "small", config: { "any.key": { nested: [1] } }, labels: { team: "a" } })]);
        assert.deepEqual(problems(c), []);
        assert.match(problems(check([widget({ size: "small", labels: { team: 1 } })])).join(), /spec\.labels\.team: must be string/);
    });

    it("takes an integer or a string for x-kubernetes-int-or-string, nothing else", function () {
        assert.deepEqual(problems(check([widget({ size: "small", port: "http" }), widget({ size: "small", port: 80 })])), []);
        assert.deepEqual(problems(check([widget({ size: "small", port: true })])), ["spec.port: must be integer or string (got true)"]);
    });

    it("refuses a value outside an enum, a missing required field, and bounds (OpenAPI's boolean exclusiveMaximum)", function () {
        assert.deepEqual(problems(check([widget({ size: "medium" })])), [
            'spec.size: must be one of "small", "large", "huge" (got "medium")',
        ]);
        assert.deepEqual(problems(check([widget({ port: 1 })])), ["spec.size: required field is missing"]);
        assert.deepEqual(problems(check([widget({ size: "small", replicas: 9 })])), []);
        assert.match(problems(check([widget({ size: "small", replicas: 10 })])).join(), /spec\.replicas: must be < 10/);
    });

    it("checks every item of a nested array: required fields and patterns", function () {
        const c = check([widget({ size: "small", listeners: [{ name: "ok" }, { tls: true }, { name: "Not-OK" }] })]);
        assert.deepEqual(problems(c).sort(), [
            "spec.listeners[1].name: required field is missing",
            'spec.listeners[2].name: must match pattern "^[a-z]+$" (got "Not-OK")',
        ]);
    });

    it("refuses duplicate keys of a list-map and duplicate items of a set", function () {
        const ok = widget({
            size: "small",
            ports: [
                { name: "a", port: 1 },
                { name: "b", port: 1 },
            ],
            hosts: ["x", "y"],
        });
        assert.deepEqual(problems(check([ok])), []);
        const dup = widget({
            size: "small",
            ports: [
                { name: "a", port: 1 },
                { name: "a", port: 2 },
            ],
            hosts: ["x", "x"],
        });
        assert.deepEqual(problems(check([dup])).sort(), [
            "spec.hosts: items 1 and 0 are equal (a set)",
            'spec.ports: two items have the same ["name"] (a list keyed by them)',
        ]);
    });

    it("reads a Go pattern's (?i) flag as Go does", function () {
        assert.deepEqual(problems(check([widget({ size: "small", mode: "Abort" })])), []);
        assert.match(problems(check([widget({ size: "small", mode: "stop" })])).join(), /spec\.mode: must match pattern/);
        assert.deepEqual(check([widget({ size: "small" })]).notEvaluated, []);
    });

    it("checks label keys and values, and the namespace, as the API server does", function () {
        const long = "x".repeat(64);
        const c = check([widget({ size: "small" }, { metadata: { name: "w", namespace: "Apps", labels: { "bad key!": "v", ok: long } } })]);
        assert.deepEqual(problems(c).sort(), [
            `metadata.labels.ok: must NOT have more than 63 characters (got ${JSON.stringify(long).slice(0, 57)}...)`,
            'metadata.labels["bad key!"]: not a valid key (a qualified name: [prefix/]name)',
            'metadata.namespace: must match pattern "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$" (got "Apps")',
        ]);
    });

    it("allows null only where the schema is nullable", function () {
        assert.deepEqual(problems(check([widget({ size: "small", note: null })])), []);
        assert.deepEqual(problems(check([widget({ size: "small", port: null })])), [
            "spec.port: null, and the field is not nullable (the API server would drop it)",
        ]);
    });

    it("checks an embedded resource's metadata, and a oneOf's branches as one error", function () {
        assert.deepEqual(
            problems(check([widget({ size: "small", template: { apiVersion: "v1", kind: "Pod", metadata: { name: "p" }, x: 1 } })])),
            [],
        );
        assert.match(
            problems(check([widget({ size: "small", template: { metadata: { nme: "p" } } })])).join(),
            /spec\.template\.metadata\.nme: unknown field/,
        );
        assert.deepEqual(problems(check([widget({ size: "small", selector: { a: "x", b: "y" } })])), [
            'spec.selector: must match exactly one schema in oneOf (got {"a":"x","b":"y"})',
        ]);
    });

    it("evaluates the CRD's CEL rules (x-kubernetes-validations) with self bound to the node", function () {
        const failed = check([widget({ size: "huge" })]);
        assert.deepEqual(problems(failed), ["spec: a huge widget needs a port (CEL rule of CRD widgets.example.io (release test))"]);
        const passed = check([widget({ size: "huge", port: 80 })]);
        assert.deepEqual(problems(passed), []);
        assert.equal(passed.celEvaluated, 1);
    });

    it("does not refuse a secret marker's value, and does not evaluate CEL over it", function () {
        const c = check([widget({ size: "[secret]", port: 1 })]);
        assert.deepEqual(problems(c), []);
        assert.equal(c.celEvaluated, 0);
        assert.match(c.notEvaluated.join(), /the value holds a secret/);
    });

    it("refuses a version the CRD does not serve, and a kind no CRD serves", function () {
        const c = check([
            { ...widget({ size: "small" }), apiVersion: "example.io/v1alpha1" },
            { ...widget({}), kind: "Gadget" },
        ]);
        assert.deepEqual(problems(c), [
            ": example.io/v1alpha1 Widget is not served by the pinned CRD (it serves v1)",
            ": no rendered CRD serves example.io/v1 Gadget",
        ]);
    });

    it("lists the kinds whose CRDs the offline mirror cannot render as not checked, with the reason", function () {
        const c = check([{ apiVersion: "policies.kyverno.io/v1", kind: "ValidatingPolicy", metadata: { name: "p" }, spec: { x: 1 } }]);
        assert.deepEqual(problems(c), []);
        assert.deepEqual(
            c.notChecked.map((n) => n.reason),
            [unrenderedCrdGroups["policies.kyverno.io"]],
        );
    });

    it("checks a Gatekeeper constraint's parameters against its ConstraintTemplate's schema", function () {
        const template: Obj = {
            apiVersion: "templates.gatekeeper.sh/v1",
            kind: "ConstraintTemplate",
            metadata: { name: "k8srequiredlabels" },
            spec: {
                crd: {
                    spec: {
                        names: { kind: "K8sRequiredLabels" },
                        validation: {
                            openAPIV3Schema: { type: "object", properties: { labels: { type: "array", items: { type: "string" } } } },
                        },
                    },
                },
            },
        };
        const constraint = (spec: Obj): Obj => ({
            apiVersion: "constraints.gatekeeper.sh/v1beta1",
            kind: "K8sRequiredLabels",
            metadata: { name: "c" },
            spec,
        });
        const good = constraint({ match: { kinds: [{ apiGroups: [""], kinds: ["Pod"] }] }, parameters: { labels: ["team"] } });
        assert.deepEqual(problems(checkCustomResources([asResource(good)], [{ object: template }])), []);
        const bad = constraint({ match: { kind: [] }, parameters: { label: ["team"] } });
        assert.deepEqual(problems(checkCustomResources([asResource(bad)], [{ object: template }])).sort(), [
            "spec.match.kind: unknown field: the CRD schema has no such field (the API server would prune it)",
            "spec.parameters.label: unknown field: the CRD schema has no such field (the API server would prune it)",
        ]);
    });
});

describe("CRD schemas in npm run check and npm run policy --rendered", function () {
    const rendered = [{ release: "widgets", chart: "widgets", version: "1.0.0", object: widgetCrd }];
    const resource = (object: Obj) => synthResource(pulumiTypeOf(object), object, { custom: true, provider: null });

    it("fails the stack on a problem, printing each as <Kind> <namespace>/<name>: <path>: <message>", function () {
        const bad = checkCrds("test", [resource(widget({ size: "small", colour: "red" }))], rendered);
        assert.equal(bad.ok, false);
        assert.deepEqual(bad.lines, [
            "Widget apps/w: spec.colour: unknown field: the CRD schema has no such field (the API server would prune it)",
            "crd schemas for stack test: 1 custom resources checked, 1 problems",
        ]);
        const good = checkCrds("test", [resource(widget({ size: "small" }))], rendered);
        assert.equal(good.ok, true);
        assert.deepEqual(good.lines, ["crd schemas for stack test: 1 custom resources checked, 0 problems"]);
    });
});

describe("CRD schemas: schemaless recursive fields the operator decodes strictly", function () {
    // Shaped like prometheus-operator's AlertmanagerConfig CRD: child routes are schemaless JSON.
    const route = {
        type: "object",
        properties: {
            receiver: { type: "string" },
            matchers: { type: "array", items: { type: "object", properties: { name: { type: "string" }, value: { type: "string" } } } },
            routes: { type: "array", items: { "x-kubernetes-preserve-unknown-fields": true } },
        },
    };
    const crd: Obj = {
        apiVersion: "apiextensions.k8s.io/v1",
        kind: "CustomResourceDefinition",
        metadata: { name: "alertmanagerconfigs.monitoring.coreos.com" },
        spec: {
            group: "monitoring.coreos.com",
            names: { kind: "AlertmanagerConfig" },
            versions: [
                {
                    name: "v1alpha1",
                    served: true,
                    schema: { openAPIV3Schema: { type: "object", properties: { spec: { type: "object", properties: { route } } } } },
                },
            ],
        },
    };
    const config = (routes: unknown[]): Obj => ({
        apiVersion: "monitoring.coreos.com/v1alpha1",
        kind: "AlertmanagerConfig",
        metadata: { name: "a", namespace: "monitoring" },
        spec: { route: { receiver: "r", routes } },
    });

    it("checks child routes against the route's own schema, at every level", function () {
        assert.deepEqual(
            problems(check([config([{ receiver: "x", routes: [{ receiver: "y", matchers: [{ name: "a", value: "b" }] }] }])], [crd])),
            [],
        );
        assert.deepEqual(problems(check([config([{ receiver: "x", routes: [{ reciever: "y" }] }])], [crd])), [
            "spec.route.routes[0].routes[0].reciever: unknown field: the CRD schema has no such field (the API server would prune it)",
        ]);
    });
});

/** The charts whose CRDs serve the workloads' kinds (rendered once, with production's values). */
const workloadCharts = ["strimzi-kafka-operator", "cloudnative-pg", "plugin-barman-cloud", "external-secrets"];
const workloadGroups = ["kafka.strimzi.io", "postgresql.cnpg.io", "barmancloud.cnpg.io", "external-secrets.io"];

describe("CRD schemas: the program's custom resources against the pinned charts' CRDs", function () {
    const charts = chartsDirFor(undefined);
    let crds: Obj[] = [];

    before(async function () {
        if (!charts) this.skip(); // needs the pinned charts (../shared/charts) to render
        const resources = toSynthResources(await stackRun("production"));
        const specs = releasesOf(resources).filter((s) => workloadCharts.includes(s.chart.name));
        assert.equal(specs.length, workloadCharts.length, `releases of ${workloadCharts.join(", ")} in production`);
        // All at once: the slowest chart (external-secrets, its CRDs) bounds the time.
        const render = await renderReleases(specs, {
            stack: "production",
            kubeVersion: "1.34",
            chartsDir: charts,
            concurrency: specs.length,
        });
        crds = render.releases.flatMap((r) => r.objects.map((o) => o.object as Obj)).filter((o) => o.kind === "CustomResourceDefinition");
    });

    const ofWorkloadGroups = (resources: SynthResource[]) =>
        resources.filter((r) => workloadGroups.some((g) => r.type.startsWith(`kubernetes:${g}/`)));

    for (const stack of listStacks()) {
        it(`${stack}: every Kafka, Postgres, backup and secret custom resource is valid`, async function () {
            const resources = ofWorkloadGroups(toSynthResources(await stackRun(stack)));
            const c = check(
                resources.map((r) => r.inputs as Obj),
                crds,
            );
            assert.deepEqual(c.problems, []);
            assert.equal(c.checked, resources.length);
            assert.ok(c.checked >= 8, `${stack}: only ${c.checked} custom resources of ${workloadGroups.join(", ")}`);
        });
    }

    it("catches a field the pinned Strimzi CRD does not have, in the stack's own Kafka", async function () {
        const kafka = structuredClone(
            toSynthResources(await stackRun("production")).find((r) => r.type === "kubernetes:kafka.strimzi.io/v1:Kafka")!,
        );
        const spec = (kafka.inputs as { spec: { kafka: Obj } }).spec;
        spec.kafka.replicas = 3; // moved to KafkaNodePool: strimzi 1.x's v1 Kafka has no kafka.replicas
        assert.match(problems(check([kafka.inputs as Obj], crds)).join(), /^spec\.kafka\.replicas: unknown field/);
    });

    it("every secret store provider the config allows makes a valid ClusterSecretStore", function () {
        const stores = [
            { provider: "aws", region: "eu-central-1", role: "arn:aws:iam::123456789012:role/eso", service: "ParameterStore" },
            { provider: "gcp", projectID: "acme-prod", location: "europe-west1" },
            { provider: "azure", vaultUrl: "https://acme.vault.azure.net", authType: "ManagedIdentity", identityId: "id", tenantId: "t" },
            { provider: "vault", server: "https://vault.example.com:8200", kubernetesAuth: { role: "eso" } },
            { provider: "kubernetes", remoteNamespace: "secrets" },
        ].map((s) => secretStoreSchema.parse(s));
        const objects = stores.map((s) => ({
            apiVersion: "external-secrets.io/v1",
            kind: "ClusterSecretStore",
            metadata: { name: s.provider },
            spec: { provider: storeProvider(s), conditions: [{ namespaces: ["apps"] }] },
        }));
        const c = check(objects, crds);
        assert.deepEqual(problems(c), []);
        assert.equal(c.checked, stores.length);
    });

    it("every backup destination and credential kind makes a valid barman-cloud ObjectStore", function () {
        const backups = [
            { destinationPath: "s3://acme/p", credentials: "keys" as const },
            { destinationPath: "s3://acme/p", credentials: "iam" as const, endpointURL: "https://minio.example.com" },
            { destinationPath: "gs://acme/p", credentials: "iam" as const },
            { destinationPath: "https://acme.blob.core.windows.net/p", credentials: "iam" as const },
        ];
        const objects = backups.map((b, i) => ({
            apiVersion: "barmancloud.cnpg.io/v1",
            kind: "ObjectStore",
            metadata: { name: `store-${i}`, namespace: "apps" },
            spec: { configuration: objectStoreConfiguration(b as never, "backup-credentials", "db"), retentionPolicy: "30d" },
        }));
        assert.deepEqual(problems(check(objects, crds)), []);
    });
});
