import type { Admitted } from "./admission";
import type { AppIntent, StackIntent } from "./intent";
import { chartPods, kubeDns } from "./models/platform-pods";
import { Endpoint, evaluateFlow, NetNamespace, NetPod, NetworkPolicyObject } from "./network-policy";
import { matchesSelector } from "./selectors";
import type { Json, KubeObject, Sourced } from "./types";

/**
 * The flows the platform needs (each must be allowed) and the flows it must never allow (each
 * must be denied), derived from the program and its stack file, judged by the NetworkPolicy
 * evaluator over every policy the program, its charts and its operators create.
 */

export interface Flow {
    kind: "required" | "forbidden";
    why: string;
    from: Endpoint;
    to: Endpoint;
    port: number;
    protocol?: "TCP" | "UDP";
}

export interface FlowResult {
    flow: Flow;
    allowed: boolean;
    ok: boolean;
    detail: string;
}

/** An address on the internet no platform component has business with. */
export const arbitraryInternetHost = { ip: "198.51.100.7", description: "an arbitrary internet host" };
/** Representatives of the private ranges the amplifier must never reach. */
export const privateTargets = ["10.1.2.3", "172.16.5.4", "192.168.1.1"];

export interface NetworkWorld {
    pods: NetPod[];
    namespaces: NetNamespace[];
    policies: NetworkPolicyObject[];
}

/** Pods as the network sees them: IPs from the pod network, container ports (named) for named-port rules. */
export function networkWorld(
    admitted: Admitted[],
    objects: Sourced[],
    namespaces: Map<string, Record<string, string>>,
    releaseNamespaces: Map<string, string>,
    rendered: boolean,
): NetworkWorld {
    const pods: NetPod[] = [];
    let n = 10;
    const add = (pod: KubeObject) => {
        const spec = (pod.spec ?? {}) as Json;
        const containers = [...((spec.initContainers as Json[] | undefined) ?? []), ...((spec.containers as Json[] | undefined) ?? [])];
        pods.push({
            name: pod.metadata.name,
            namespace: pod.metadata.namespace ?? "default",
            labels: pod.metadata.labels ?? {},
            ip: `10.244.${Math.floor(n / 250)}.${(n++ % 250) + 1}`,
            hostNetwork: spec.hostNetwork === true,
            ports: containers.flatMap(
                (c) => (c.ports as { name?: string; containerPort: number; protocol?: "TCP" | "UDP" }[] | undefined) ?? [],
            ),
        });
    };
    for (const a of admitted) if (a.object.kind === "Pod") add(a.object);
    add(kubeDns);
    if (!rendered) {
        for (const s of chartPods) {
            const ns = releaseNamespaces.get(s.chart);
            if (ns)
                add({
                    apiVersion: "v1",
                    kind: "Pod",
                    metadata: { name: s.name, namespace: ns, labels: s.labels },
                    spec: { containers: [{ name: "main", ports: s.ports }] },
                });
        }
    }
    const policies = objects.filter((s) => s.object.kind === "NetworkPolicy").map((s) => s.object as unknown as NetworkPolicyObject);
    const nsList: NetNamespace[] = [...namespaces].map(([name, labels]) => ({ name, labels }));
    return { pods, namespaces: nsList, policies };
}

const podsWhere = (world: NetworkWorld, namespace: string | undefined, labels: Record<string, string>) =>
    world.pods.filter((p) => (namespace === undefined || p.namespace === namespace) && matchesSelector({ matchLabels: labels }, p.labels));

const appPods = (world: NetworkWorld, app: AppIntent) =>
    podsWhere(world, app.namespace, { "app.kubernetes.io/name": app.name, "app.kubernetes.io/component": "server" });

/** The app's database instances: CNPG pods of the Cluster labelled as the app's database. */
function databasePods(world: NetworkWorld, objects: Sourced[], app: string): NetPod[] {
    const cluster = objects.find(
        (s) =>
            s.object.kind === "Cluster" &&
            s.object.metadata.labels?.["app.kubernetes.io/name"] === app &&
            s.object.apiVersion.startsWith("postgresql.cnpg.io/"),
    );
    return cluster
        ? podsWhere(world, cluster.object.metadata.namespace, {
              "cnpg.io/cluster": cluster.object.metadata.name,
              "cnpg.io/podRole": "instance",
          })
        : [];
}

function kafkaOf(objects: Sourced[], owner: string): KubeObject | undefined {
    return objects.find((s) => s.object.kind === "Kafka" && s.object.metadata.labels?.["app.kubernetes.io/name"] === owner)?.object;
}

const brokerPods = (world: NetworkWorld, kafka: KubeObject) =>
    podsWhere(world, kafka.metadata.namespace, { "strimzi.io/cluster": kafka.metadata.name, "strimzi.io/broker-role": "true" });
const controllerPods = (world: NetworkWorld, kafka: KubeObject) =>
    podsWhere(world, kafka.metadata.namespace, { "strimzi.io/cluster": kafka.metadata.name, "strimzi.io/controller-role": "true" });
const clientPort = (kafka: KubeObject) =>
    Number(((((kafka.spec as Json).kafka as Json).listeners as Json[] | undefined) ?? [])[0]?.port ?? 9093);

const first = <T>(list: T[]) => list.slice(0, 1);
const pod = (p: NetPod): Endpoint => ({ pod: p });

/** Every required and forbidden flow of the stack. */
export function deriveFlows(world: NetworkWorld, objects: Sourced[], intent: StackIntent, releaseNamespaces: Map<string, string>): Flow[] {
    const flows: Flow[] = [];
    const need = (why: string, from: NetPod[] | Endpoint[], to: NetPod[] | Endpoint[], port: number, protocol?: "TCP" | "UDP") => {
        for (const f of from)
            for (const t of to)
                flows.push({
                    kind: "required",
                    why,
                    from: toEndpoint(f),
                    to: toEndpoint(t),
                    port,
                    protocol,
                });
    };
    const never = (why: string, from: NetPod[] | Endpoint[], to: NetPod[] | Endpoint[], port: number) => {
        for (const f of from) for (const t of to) flows.push({ kind: "forbidden", why, from: toEndpoint(f), to: toEndpoint(t), port });
    };
    const apiServer: Endpoint = { ip: intent.apiServer.ip, description: "the Kubernetes API server" };
    const apiPort = intent.apiServer.ports.includes(6443) ? 6443 : intent.apiServer.ports[0];
    const inNs = (ns: string | undefined) => (ns ? world.pods.filter((p) => p.namespace === ns) : []);
    const platformNs = new Set(releaseNamespaces.values());
    const appNamespaces = new Set(intent.apps.map((a) => a.namespace));
    const dataNamespaces = intent.layers.data ?? [];

    // DNS, from every pod the program or its operators run in the platform's namespaces.
    const workloadPods = world.pods.filter((p) => appNamespaces.has(p.namespace) || dataNamespaces.includes(p.namespace));
    const dns = world.pods.filter((p) => p.labels["k8s-app"] === "kube-dns");
    need("DNS", workloadPods, dns, 53, "UDP");
    need("DNS", workloadPods, dns, 53, "TCP");
    if (intent.nodeLocalDns) {
        // NodeLocal DNSCache: resolv.conf names the cache on the pod's own node (a link-local address).
        const cache: Endpoint = { ip: intent.nodeLocalDns, description: "the node-local DNS cache" };
        need("DNS through the node-local cache", workloadPods, [cache], 53, "UDP");
        need("DNS through the node-local cache", workloadPods, [cache], 53, "TCP");
    }

    // Operators and the data layer to the API server; the API server to every webhook.
    const operators = world.pods.filter((p) => platformNs.has(p.namespace));
    need("operator to the API server", operators, [apiServer], apiPort);
    const dataNeedsApi = world.pods.filter(
        (p) =>
            dataNamespaces.includes(p.namespace) &&
            (p.labels["cnpg.io/cluster"] || p.labels["strimzi.io/cluster"]) &&
            // The Kafka Exporter's certificates are mounted Secrets: it talks to the brokers only.
            p.labels["strimzi.io/component-type"] !== "kafka-exporter",
    );
    need("data service to the API server (instance manager, Kafka secrets, entity operator)", dataNeedsApi, [apiServer], apiPort);
    for (const app of intent.apps.filter((a) => a.apiAccess))
        need(`${app.name} calls the Kubernetes API`, appPods(world, app), [apiServer], apiPort);
    for (const s of chartPods.filter((c) => c.webhookPort)) {
        for (const p of podsWhere(world, releaseNamespaces.get(s.chart), s.labels).slice(0, 1))
            need(`API server to the ${s.chart} webhook`, [apiServer], [p], s.webhookPort!);
    }

    // Ingress controller to each exposed app, and to ACME HTTP-01 solvers.
    const nginx = first(
        podsWhere(world, releaseNamespaces.get("ingress-nginx"), {
            "app.kubernetes.io/name": "ingress-nginx",
            "app.kubernetes.io/component": "controller",
        }),
    );
    for (const app of intent.apps.filter((a) => a.exposed)) need(`ingress controller to ${app.name}`, nginx, appPods(world, app), app.port);
    need(
        "ingress controller to the ACME HTTP-01 solver",
        nginx,
        world.pods.filter((p) => p.labels["acme.cert-manager.io/http01-solver"] === "true"),
        8089,
    );

    // Prometheus to each metrics port it scrapes (and nothing else of the apps and data services).
    const prometheus = first(podsWhere(world, releaseNamespaces.get("kube-prometheus-stack"), { "app.kubernetes.io/name": "prometheus" }));
    for (const app of intent.apps) {
        if (app.metricsPort) need(`Prometheus scrapes ${app.name}`, prometheus, appPods(world, app), app.metricsPort);
        never(`Prometheus must not reach ${app.name}'s service port`, prometheus, appPods(world, app), app.port);
    }

    // Prometheus to every Istio proxy's Envoy statistics (15090), outside the amplifier.
    const amplifier = new Set(intent.layers.amplifier ?? []);
    if (prometheus.length)
        need(
            "Prometheus scrapes the proxy's Envoy statistics",
            prometheus,
            world.pods.filter(
                (p) =>
                    p.labels["service.istio.io/canonical-name"] !== undefined &&
                    !amplifier.has(p.namespace) &&
                    (p.ports ?? []).some((x) => x.name === "http-envoy-prom"),
            ),
            15090,
        );

    // Sidecars to istiod.
    const istiod = first(podsWhere(world, releaseNamespaces.get("istiod"), { app: "istiod" }));
    need(
        "sidecar to istiod (xDS and certificates)",
        world.pods.filter((p) => p.labels["security.istio.io/tlsMode"] === "istio"),
        istiod,
        15012,
    );

    // Apps to their callees, databases and Kafka; and not to anything else.
    for (const callee of intent.apps) {
        for (const caller of intent.apps) {
            if (caller.name === callee.name) continue;
            const declared = callee.callers.includes(caller.name);
            (declared ? need : never)(
                `${caller.name} ${declared ? "calls" : "is not a declared caller of"} ${callee.name}`,
                first(appPods(world, caller)),
                first(appPods(world, callee)),
                callee.port,
            );
        }
    }
    for (const app of intent.apps) {
        const own = app.postgres ? databasePods(world, objects, app.name) : [];
        if (app.postgres) need(`${app.name} to its database`, first(appPods(world, app)), first(own), 5432);
        for (const other of intent.apps.filter((o) => o.postgres && o.name !== app.name)) {
            never(
                `${app.name} is not a client of ${other.name}'s database`,
                first(appPods(world, app)),
                first(databasePods(world, objects, other.name)),
                5432,
            );
        }
        for (const owner of new Set(intent.apps.map((a) => a.kafkaOwner).filter((o): o is string => !!o))) {
            const kafka = kafkaOf(objects, owner);
            if (!kafka) continue;
            const client = app.kafkaOwner === owner;
            (client ? need : never)(
                `${app.name} ${client ? "uses" : "is not a client of"} ${owner}'s Kafka`,
                first(appPods(world, app)),
                first(brokerPods(world, kafka)),
                clientPort(kafka),
            );
            if (!client)
                never(
                    `${app.name} must not reach ${owner}'s Kafka replication port`,
                    first(appPods(world, app)),
                    first(brokerPods(world, kafka)),
                    9091,
                );
        }
    }
    for (const s of objects.filter((o) => o.object.kind === "Cluster" && o.object.apiVersion.startsWith("postgresql.cnpg.io/"))) {
        never(
            "Prometheus must not reach a database's SQL port",
            prometheus,
            first(databasePods(world, objects, String(s.object.metadata.labels?.["app.kubernetes.io/name"]))),
            5432,
        );
    }

    // Operators to their instances, and the instances among themselves.
    const cnpgOperator = first(podsWhere(world, releaseNamespaces.get("cloudnative-pg"), { "app.kubernetes.io/name": "cloudnative-pg" }));
    const barmanPlugin = first(
        podsWhere(world, releaseNamespaces.get("plugin-barman-cloud"), { "app.kubernetes.io/name": "plugin-barman-cloud" }),
    );
    need("CNPG operator to the Barman Cloud plugin", cnpgOperator, barmanPlugin, 9090);
    for (const s of objects.filter((o) => o.object.kind === "Cluster" && o.object.apiVersion.startsWith("postgresql.cnpg.io/"))) {
        const c = s.object;
        const instances = podsWhere(world, c.metadata.namespace, { "cnpg.io/cluster": c.metadata.name, "cnpg.io/podRole": "instance" });
        const primary = instances.filter((p) => p.labels["cnpg.io/instanceRole"] === "primary");
        const replicas = instances.filter((p) => p.labels["cnpg.io/instanceRole"] !== "primary");
        const joins = podsWhere(world, c.metadata.namespace, { "cnpg.io/cluster": c.metadata.name, "cnpg.io/jobRole": "join" });
        need(`CNPG operator to ${c.metadata.name}'s instance manager`, cnpgOperator, instances, 8000);
        need(`${c.metadata.name} replication (replica to primary)`, replicas, primary, 5432);
        need(`${c.metadata.name} join job to the primary`, joins, primary, 5432);
        need(`${c.metadata.name} isolation check (primary to replicas)`, primary, replicas, 8000);
        if (prometheus.length) need(`Prometheus scrapes ${c.metadata.name}`, prometheus, first(instances), 9187);
        if (intent.objectStorage && (((c.spec as Json).plugins as unknown[] | undefined) ?? []).length > 0) {
            need(
                `${c.metadata.name} backups to object storage`,
                first(instances),
                [{ ip: intent.objectStorage.ip, description: "object storage" }],
                intent.objectStorage.port,
            );
        }
    }
    const strimziOperator = first(
        podsWhere(world, releaseNamespaces.get("strimzi-kafka-operator"), { "strimzi.io/kind": "cluster-operator" }),
    );
    for (const s of objects.filter((o) => o.object.kind === "Kafka" && o.object.apiVersion.startsWith("kafka.strimzi.io/"))) {
        const k = s.object;
        const brokers = brokerPods(world, k);
        const controllers = controllerPods(world, k);
        const entity = podsWhere(world, k.metadata.namespace, { "strimzi.io/name": `${k.metadata.name}-entity-operator` });
        need(`Strimzi operator to ${k.metadata.name}'s controllers`, strimziOperator, first(controllers), 9090);
        need(`Strimzi operator to ${k.metadata.name}'s brokers`, strimziOperator, first(brokers), 9091);
        need(`Strimzi operator to ${k.metadata.name}'s Kafka agent`, strimziOperator, first(brokers), 8443);
        need(`${k.metadata.name} brokers to controllers`, first(brokers), first(controllers), 9090);
        need(`${k.metadata.name} replication between brokers`, first(brokers), brokers.slice(1, 2), 9091);
        need(`${k.metadata.name} entity operator to brokers`, entity, first(brokers), 9091);
        never("Prometheus must not reach Kafka's client port", prometheus, first(brokers), clientPort(k));
        const exporter = podsWhere(world, k.metadata.namespace, { "strimzi.io/name": `${k.metadata.name}-kafka-exporter` });
        if (exporter.length) need(`${k.metadata.name} Kafka Exporter to brokers (replication listener)`, exporter, first(brokers), 9091);
        if ((((k.spec as Json).kafka as Json).metricsConfig as Json | undefined) && prometheus.length) {
            need(`Prometheus scrapes ${k.metadata.name}'s brokers`, prometheus, first(brokers), 9404);
            need(`Prometheus scrapes ${k.metadata.name}'s controllers`, prometheus, first(controllers), 9404);
        }
        if (prometheus.length) need(`Prometheus scrapes ${k.metadata.name}'s Kafka Exporter`, prometheus, exporter, 9404);
        never(`Prometheus must not reach ${k.metadata.name}'s replication port`, prometheus, first(brokers), 9091);
    }

    // The amplifier namespace reaches nothing private; the data layer nothing arbitrary on the internet.
    for (const ns of intent.layers.amplifier ?? []) {
        for (const p of first(inNs(ns))) {
            for (const ip of privateTargets)
                never("the amplifier must not reach private ranges", [p], [{ ip, description: "a private address" }], 443);
            never(
                "the amplifier must not reach in-cluster pods",
                [p],
                first(world.pods.filter((x) => appNamespaces.has(x.namespace) && x.namespace !== ns)),
                8080,
            );
        }
    }
    for (const ns of dataNamespaces) {
        for (const p of world.pods.filter((x) => x.namespace === ns)) {
            never("the data layer must not reach arbitrary internet hosts", [p], [arbitraryInternetHost], 443);
        }
    }
    return flows;
}

function toEndpoint(e: NetPod | Endpoint): Endpoint {
    return "namespace" in e ? pod(e as NetPod) : (e as Endpoint);
}

export function judgeFlows(world: NetworkWorld, flows: Flow[]): FlowResult[] {
    return flows.map((flow) => {
        const d = evaluateFlow({
            policies: world.policies,
            namespaces: world.namespaces,
            from: flow.from,
            to: flow.to,
            port: flow.port,
            protocol: flow.protocol,
        });
        const ok = flow.kind === "required" ? d.allowed : !d.allowed;
        const side = (s: typeof d.egress, name: string) =>
            `${name}: ${s.reason}${s.allowedBy.length ? ` (allowed by ${s.allowedBy.join(", ")})` : ""}${!s.allowed && s.selecting.length ? ` (selected by ${s.selecting.join(", ")})` : ""}`;
        return { flow, allowed: d.allowed, ok, detail: `${side(d.egress, "egress")}; ${side(d.ingress, "ingress")}` };
    });
}

export function describeEndpoint(e: Endpoint): string {
    return "pod" in e ? `${e.pod.namespace}/${e.pod.name}` : `${e.ip}${e.description ? ` (${e.description})` : ""}`;
}
