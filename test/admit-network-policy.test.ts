import { strict as assert } from "assert";
import {
    Endpoint,
    FlowDecision,
    NetNamespace,
    NetPod,
    NetProtocol,
    NetworkPolicyObject,
    NetworkPolicySpec,
    evaluateFlow,
    networkPolicyProblems,
    selectorMatches,
} from "../engine/admit/network-policy";

const namespaces: NetNamespace[] = [
    { name: "shop", labels: { team: "shop" } },
    { name: "data", labels: { layer: "data" } },
    { name: "monitoring", labels: { layer: "monitoring" } },
    { name: "other", labels: {} },
];

const pod = (namespace: string, name: string, labels: Record<string, string>, ip: string, extra: Partial<NetPod> = {}): Endpoint => ({
    pod: { name, namespace, labels, ip, ...extra },
});

const web = pod("shop", "web", { app: "web", tier: "frontend" }, "10.0.1.10", { ports: [{ name: "http", containerPort: 8080 }] });
const api = pod("shop", "api", { app: "api", tier: "backend" }, "10.0.1.11", {
    ports: [
        { name: "http", containerPort: 9090 },
        { name: "dns", containerPort: 53, protocol: "UDP" },
    ],
});
const batch = pod("shop", "batch", { app: "batch" }, "10.0.1.12");
const db = pod("data", "postgres-1", { app: "postgres" }, "10.0.2.20", {
    ports: [
        { name: "postgres", containerPort: 5432 },
        { name: "metrics", containerPort: 9187 },
    ],
});
const dataApi = pod("data", "api", { app: "api" }, "10.0.2.21");
const prometheus = pod("monitoring", "prometheus", { app: "prometheus" }, "10.0.3.30");
const stranger = pod("other", "api", { app: "api" }, "10.0.4.40");
const nodeExporter = pod("monitoring", "node-exporter", { app: "node-exporter" }, "192.168.0.5", {
    hostNetwork: true,
    ports: [{ name: "metrics", containerPort: 9100 }],
});
const v6pod = pod("shop", "v6", { app: "v6" }, "fd00:10::5");
const internet: Endpoint = { ip: "203.0.113.7", description: "internet" };
const apiServer: Endpoint = { ip: "172.20.0.1", description: "API server" };

const policy = (ns: string, name: string, spec: NetworkPolicySpec): NetworkPolicyObject => ({ metadata: { name, namespace: ns }, spec });
const denyAll = (ns: string) => policy(ns, "default-deny", { podSelector: {}, policyTypes: ["Ingress", "Egress"] });
const denyIngress = (ns: string) => policy(ns, "deny-ingress", { podSelector: {} });
const ingressTo = (ns: string, app: string, rules: NetworkPolicySpec["ingress"]) =>
    policy(ns, `ingress-${app}`, { podSelector: { matchLabels: { app } }, policyTypes: ["Ingress"], ingress: rules });
const egressFrom = (ns: string, app: string, rules: NetworkPolicySpec["egress"]) =>
    policy(ns, `egress-${app}`, { podSelector: { matchLabels: { app } }, policyTypes: ["Egress"], egress: rules });

interface Case {
    name: string;
    policies: NetworkPolicyObject[];
    from: Endpoint;
    to: Endpoint;
    port: number;
    protocol?: NetProtocol;
    ipBlockMatchesPodIPs?: boolean;
    allowed: boolean;
    /** Extra expectations on the decision. */
    check?: (d: FlowDecision) => void;
}

function run(c: Case): FlowDecision {
    const { policies, from, to, port, protocol, ipBlockMatchesPodIPs } = c;
    return evaluateFlow({ policies, namespaces, from, to, port, protocol, ipBlockMatchesPodIPs });
}

function table(title: string, cases: Case[]): void {
    describe(title, () => {
        for (const c of cases) {
            it(`${c.name}: ${c.allowed ? "allowed" : "denied"}`, () => {
                const decision = run(c);
                assert.equal(decision.allowed, c.allowed, `${decision.egress.reason} | ${decision.ingress.reason}`);
                c.check?.(decision);
            });
        }
    });
}

const andPeer = ingressTo("data", "postgres", [
    { from: [{ namespaceSelector: { matchLabels: { team: "shop" } }, podSelector: { matchLabels: { app: "api" } } }] },
]);
const orPeers = ingressTo("data", "postgres", [
    { from: [{ namespaceSelector: { matchLabels: { team: "shop" } } }, { podSelector: { matchLabels: { app: "api" } } }] },
]);
const privateRanges = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"];
const internetOnly = egressFrom("shop", "web", [{ to: [{ ipBlock: { cidr: "0.0.0.0/0", except: privateRanges } }] }]);

describe("admit: NetworkPolicy evaluator", () => {
    table("isolation and default deny", [
        {
            name: "no policies at all",
            policies: [],
            from: web,
            to: api,
            port: 9090,
            allowed: true,
            check: (d) => {
                assert.equal(d.egress.isolated || d.ingress.isolated, false);
                assert.match(d.ingress.reason, /not isolated for ingress: no policy selects it/);
            },
        },
        {
            name: "default-deny ingress (no policyTypes, no rules) isolates ingress only",
            policies: [denyIngress("shop")],
            from: web,
            to: api,
            port: 9090,
            allowed: false,
            check: (d) => {
                assert.deepEqual([d.egress.isolated, d.egress.allowed], [false, true]);
                assert.deepEqual(d.ingress.selecting, ["shop/deny-ingress"]);
                assert.deepEqual(d.ingress.allowedBy, []);
                assert.match(d.ingress.reason, /denied: pod shop\/api is isolated by shop\/deny-ingress and no rule allows it/);
            },
        },
        {
            name: "default-deny both ways blocks the source's egress even when the destination admits",
            policies: [denyAll("shop"), ingressTo("data", "postgres", [{}])],
            from: web,
            to: db,
            port: 5432,
            allowed: false,
            check: (d) =>
                assert.deepEqual([d.egress.allowed, d.ingress.allowed, d.ingress.allowedBy], [false, true, ["data/ingress-postgres"]]),
        },
        {
            name: "allow-all rules beside default-deny add up (policies are a union)",
            policies: [
                denyAll("shop"),
                policy("shop", "allow-all", { podSelector: {}, policyTypes: ["Ingress", "Egress"], ingress: [{}], egress: [{}] }),
            ],
            from: web,
            to: api,
            port: 1234,
            allowed: true,
            check: (d) => {
                assert.deepEqual(d.egress.selecting, ["shop/default-deny", "shop/allow-all"]);
                assert.deepEqual(d.egress.allowedBy, ["shop/allow-all"]);
                assert.deepEqual(d.ingress.allowedBy, ["shop/allow-all"]);
            },
        },
        {
            name: "a policy in another namespace does not select the pod",
            policies: [denyAll("data")],
            from: web,
            to: api,
            port: 9090,
            allowed: true,
        },
        {
            name: "empty podSelector selects every pod of its namespace",
            policies: [denyIngress("shop")],
            from: stranger,
            to: batch,
            port: 80,
            allowed: false,
        },
    ]);

    table("policyTypes and egress-only policies", [
        {
            name: "egress-only policy allows its listed destination",
            policies: [egressFrom("shop", "web", [{ to: [{ podSelector: { matchLabels: { app: "api" } } }] }])],
            from: web,
            to: api,
            port: 9090,
            allowed: true,
            check: (d) => assert.deepEqual(d.egress.allowedBy, ["shop/egress-web"]),
        },
        {
            name: "egress-only policy denies other destinations",
            policies: [egressFrom("shop", "web", [{ to: [{ podSelector: { matchLabels: { app: "api" } } }] }])],
            from: web,
            to: internet,
            port: 443,
            allowed: false,
        },
        {
            name: "egress-only policy leaves ingress to that pod open",
            policies: [egressFrom("shop", "web", [])],
            from: stranger,
            to: web,
            port: 8080,
            allowed: true,
            check: (d) => assert.equal(d.ingress.isolated, false),
        },
        {
            name: "without policyTypes, egress rules make the policy isolate egress too",
            policies: [
                policy("shop", "implied", {
                    podSelector: { matchLabels: { app: "web" } },
                    egress: [{ to: [{ ipBlock: { cidr: "198.51.100.0/24" } }] }],
                }),
            ],
            from: web,
            to: internet,
            port: 443,
            allowed: false,
            check: (d) => assert.deepEqual([d.egress.isolated, d.egress.selecting], [true, ["shop/implied"]]),
        },
        {
            name: "without policyTypes, an empty egress list does not isolate egress",
            policies: [policy("shop", "implied", { podSelector: { matchLabels: { app: "web" } }, egress: [] })],
            from: web,
            to: internet,
            port: 443,
            allowed: true,
            check: (d) => assert.equal(d.egress.isolated, false),
        },
        {
            name: "without policyTypes, the policy always isolates ingress",
            policies: [policy("shop", "implied", { podSelector: { matchLabels: { app: "web" } }, egress: [{}] })],
            from: api,
            to: web,
            port: 8080,
            allowed: false,
        },
    ]);

    table("peers: pod and namespace selectors", [
        { name: "AND peer: right namespace and right pod", policies: [andPeer], from: api, to: db, port: 5432, allowed: true },
        { name: "AND peer: right namespace, wrong pod", policies: [andPeer], from: web, to: db, port: 5432, allowed: false },
        { name: "AND peer: right pod, wrong namespace", policies: [andPeer], from: stranger, to: db, port: 5432, allowed: false },
        { name: "OR peers: namespace alone suffices", policies: [orPeers], from: web, to: db, port: 5432, allowed: true },
        {
            name: "OR peers: podSelector alone means the policy's own namespace",
            policies: [orPeers],
            from: dataApi,
            to: db,
            port: 5432,
            allowed: true,
        },
        {
            name: "OR peers: same labels in a third namespace match neither",
            policies: [orPeers],
            from: stranger,
            to: db,
            port: 5432,
            allowed: false,
        },
        {
            name: "namespaceSelector {} matches every namespace",
            policies: [ingressTo("data", "postgres", [{ from: [{ namespaceSelector: {} }] }])],
            from: stranger,
            to: db,
            port: 5432,
            allowed: true,
        },
        {
            name: "the kubernetes.io/metadata.name label is always there to select on",
            policies: [
                ingressTo("data", "postgres", [
                    { from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } } }] },
                ]),
            ],
            from: prometheus,
            to: db,
            port: 9187,
            allowed: true,
        },
        {
            name: "pod selectors never match an address outside the cluster",
            policies: [ingressTo("data", "postgres", [{ from: [{ namespaceSelector: {} }] }])],
            from: internet,
            to: db,
            port: 5432,
            allowed: false,
        },
    ]);

    table("ipBlock", [
        {
            name: "internet-only egress reaches a public address",
            policies: [internetOnly],
            from: web,
            to: internet,
            port: 443,
            allowed: true,
        },
        {
            name: "internet-only egress: except removes private ranges (an address)",
            policies: [internetOnly],
            from: web,
            to: apiServer,
            port: 443,
            allowed: false,
        },
        {
            name: "internet-only egress: except applies to pod IPs too",
            policies: [internetOnly],
            from: web,
            to: db,
            port: 5432,
            allowed: false,
        },
        {
            name: "ipBlock matches a pod's IP by default",
            policies: [egressFrom("shop", "web", [{ to: [{ ipBlock: { cidr: "10.0.2.0/24" } }] }])],
            from: web,
            to: db,
            port: 5432,
            allowed: true,
        },
        {
            name: "ipBlock does not match pod IPs when modelling Cilium",
            policies: [egressFrom("shop", "web", [{ to: [{ ipBlock: { cidr: "10.0.2.0/24" } }] }])],
            from: web,
            to: db,
            port: 5432,
            ipBlockMatchesPodIPs: false,
            allowed: false,
        },
        {
            name: "ingress ipBlock matches the source address",
            policies: [ingressTo("shop", "web", [{ from: [{ ipBlock: { cidr: "203.0.113.0/24", except: ["203.0.113.128/25"] } }] }])],
            from: internet,
            to: web,
            port: 8080,
            allowed: true,
        },
        {
            name: "ingress ipBlock except excludes a source",
            policies: [ingressTo("shop", "web", [{ from: [{ ipBlock: { cidr: "203.0.113.0/24", except: ["203.0.113.0/29"] } }] }])],
            from: internet,
            to: web,
            port: 8080,
            allowed: false,
        },
    ]);

    const v6Egress = egressFrom("shop", "web", [{ to: [{ ipBlock: { cidr: "2001:db8::/32", except: ["2001:db8:bad::/48"] } }] }]);
    table("IPv6", [
        { name: "address inside an IPv6 block", policies: [v6Egress], from: web, to: { ip: "2001:db8:1::1" }, port: 443, allowed: true },
        {
            name: "address inside an IPv6 except",
            policies: [v6Egress],
            from: web,
            to: { ip: "2001:db8:bad::1" },
            port: 443,
            allowed: false,
        },
        { name: "an IPv4 address never matches an IPv6 block", policies: [v6Egress], from: web, to: internet, port: 443, allowed: false },
        {
            name: "IPv6 pod admitted from a ULA block",
            policies: [ingressTo("shop", "v6", [{ from: [{ ipBlock: { cidr: "fd00::/8" } }] }])],
            from: { ip: "fd00:20::9" },
            to: v6pod,
            port: 80,
            allowed: true,
        },
    ]);

    const namedIngress = ingressTo("data", "postgres", [{ ports: [{ port: "postgres" }] }]);
    const namedEgress = egressFrom("shop", "web", [{ ports: [{ port: "http" }] }]);
    table("ports: named, ranges, protocols", [
        { name: "named port resolves on the destination pod", policies: [namedIngress], from: api, to: db, port: 5432, allowed: true },
        { name: "named port: another port of the pod", policies: [namedIngress], from: api, to: db, port: 9187, allowed: false },
        {
            name: "egress named port resolves on the destination (api's http is 9090)",
            policies: [namedEgress],
            from: web,
            to: api,
            port: 9090,
            allowed: true,
        },
        {
            name: "egress named port: the source's own http port (8080) is not it",
            policies: [namedEgress],
            from: web,
            to: api,
            port: 8080,
            allowed: false,
        },
        {
            name: "egress named port toward an address outside the cluster matches nothing",
            policies: [namedEgress],
            from: web,
            to: internet,
            port: 9090,
            allowed: false,
        },
        {
            name: "named port with the wrong protocol (dns is UDP on api, the rule says TCP)",
            policies: [ingressTo("shop", "api", [{ ports: [{ port: "dns" }] }])],
            from: web,
            to: api,
            port: 53,
            protocol: "UDP",
            allowed: false,
        },
        {
            name: "named port whose container port has another protocol (dns is UDP on api; rule and flow are TCP)",
            policies: [ingressTo("shop", "api", [{ ports: [{ port: "dns", protocol: "TCP" }] }])],
            from: web,
            to: api,
            port: 53,
            allowed: false,
        },
        {
            name: "a rule without ports allows every protocol",
            policies: [ingressTo("shop", "api", [{ from: [{ podSelector: {} }] }])],
            from: web,
            to: api,
            port: 53,
            protocol: "UDP",
            allowed: true,
        },
        {
            name: "named port with the matching protocol",
            policies: [ingressTo("shop", "api", [{ ports: [{ port: "dns", protocol: "UDP" }] }])],
            from: web,
            to: api,
            port: 53,
            protocol: "UDP",
            allowed: true,
        },
        ...[
            [9000, true],
            [9100, true],
            [8999, false],
            [9101, false],
        ].map(([port, allowed]) => ({
            name: `endPort range 9000-9100, port ${port}`,
            policies: [ingressTo("shop", "api", [{ ports: [{ port: 9000, endPort: 9100 }] }])],
            from: web,
            to: api,
            port: port as number,
            allowed: allowed as boolean,
        })),
        {
            name: "protocol defaults to TCP: a UDP flow to a TCP rule",
            policies: [ingressTo("shop", "api", [{ ports: [{ port: 53 }] }])],
            from: web,
            to: api,
            port: 53,
            protocol: "UDP",
            allowed: false,
        },
        {
            name: "UDP rule: a TCP flow",
            policies: [ingressTo("shop", "api", [{ ports: [{ port: 53, protocol: "UDP" }] }])],
            from: web,
            to: api,
            port: 53,
            allowed: false,
        },
        {
            name: "protocol without a port allows every port of that protocol",
            policies: [ingressTo("shop", "api", [{ ports: [{ protocol: "SCTP" }] }])],
            from: web,
            to: api,
            port: 38412,
            protocol: "SCTP",
            allowed: true,
        },
        {
            name: "a rule with ports and no peers admits anyone on those ports",
            policies: [ingressTo("shop", "api", [{ ports: [{ port: 9090 }] }])],
            from: internet,
            to: api,
            port: 9090,
            allowed: true,
        },
        {
            name: "a rule with ports and no peers: another port",
            policies: [ingressTo("shop", "api", [{ ports: [{ port: 9090 }] }])],
            from: internet,
            to: api,
            port: 9091,
            allowed: false,
        },
    ]);

    table("addresses outside the cluster and host-network pods", [
        {
            name: "address to address: nothing is isolated",
            policies: [denyAll("shop")],
            from: internet,
            to: apiServer,
            port: 443,
            allowed: true,
            check: (d) => assert.match(d.ingress.reason, /172\.20\.0\.1 \(API server\): not a pod, never isolated/),
        },
        {
            name: "pod to the API server needs only the pod's egress",
            policies: [
                denyAll("shop"),
                egressFrom("shop", "api", [{ to: [{ ipBlock: { cidr: "172.20.0.1/32" } }], ports: [{ port: 443 }] }]),
            ],
            from: api,
            to: apiServer,
            port: 443,
            allowed: true,
        },
        {
            name: "a host-network pod is never isolated",
            policies: [denyAll("monitoring")],
            from: prometheus,
            to: nodeExporter,
            port: 9100,
            allowed: false,
            check: (d) => {
                assert.deepEqual([d.egress.allowed, d.ingress.allowed, d.ingress.isolated], [false, true, false]);
                assert.match(d.ingress.reason, /host-network pods are not selected/);
            },
        },
        {
            name: "pod selectors do not match a host-network pod",
            policies: [egressFrom("monitoring", "prometheus", [{ to: [{ podSelector: { matchLabels: { app: "node-exporter" } } }] }])],
            from: prometheus,
            to: nodeExporter,
            port: 9100,
            allowed: false,
        },
        {
            name: "a host-network pod is its node's address for ipBlock, even when pod IPs are not matched",
            policies: [
                egressFrom("monitoring", "prometheus", [{ to: [{ ipBlock: { cidr: "192.168.0.0/24" } }], ports: [{ port: 9100 }] }]),
            ],
            from: prometheus,
            to: nodeExporter,
            port: 9100,
            ipBlockMatchesPodIPs: false,
            allowed: true,
        },
        {
            name: "named ports do not resolve on a host-network pod",
            policies: [egressFrom("monitoring", "prometheus", [{ ports: [{ port: "metrics" }] }])],
            from: prometheus,
            to: nodeExporter,
            port: 9100,
            allowed: false,
        },
        {
            name: "traffic from a host-network pod is its node's address to ingress rules",
            policies: [ingressTo("data", "postgres", [{ from: [{ ipBlock: { cidr: "192.168.0.0/16" } }] }])],
            from: nodeExporter,
            to: db,
            port: 5432,
            allowed: true,
        },
    ]);

    describe("label selectors", () => {
        const labels = { app: "api", tier: "backend" };
        const cases: [string, Parameters<typeof selectorMatches>[0], boolean][] = [
            ["empty selector", {}, true],
            ["matchLabels hit", { matchLabels: { app: "api" } }, true],
            ["matchLabels miss", { matchLabels: { app: "api", tier: "frontend" } }, false],
            ["In hit", { matchExpressions: [{ key: "tier", operator: "In", values: ["backend", "worker"] }] }, true],
            ["In on a missing key", { matchExpressions: [{ key: "zone", operator: "In", values: ["a"] }] }, false],
            ["NotIn miss", { matchExpressions: [{ key: "tier", operator: "NotIn", values: ["backend"] }] }, false],
            ["NotIn on a missing key", { matchExpressions: [{ key: "zone", operator: "NotIn", values: ["a"] }] }, true],
            ["Exists", { matchExpressions: [{ key: "tier", operator: "Exists" }] }, true],
            ["Exists on a missing key", { matchExpressions: [{ key: "zone", operator: "Exists" }] }, false],
            ["DoesNotExist", { matchExpressions: [{ key: "zone", operator: "DoesNotExist" }] }, true],
            ["DoesNotExist on a present key", { matchExpressions: [{ key: "app", operator: "DoesNotExist" }] }, false],
            [
                "matchLabels AND expressions",
                { matchLabels: { app: "api" }, matchExpressions: [{ key: "tier", operator: "NotIn", values: ["backend"] }] },
                false,
            ],
        ];
        for (const [name, selector, expected] of cases) {
            it(`${name}: ${expected ? "matches" : "does not match"}`, () => assert.equal(selectorMatches(selector, labels), expected));
        }

        it("a matchExpressions podSelector picks which pods a policy isolates", () => {
            const backendOnly = policy("shop", "backend", {
                podSelector: { matchExpressions: [{ key: "tier", operator: "In", values: ["backend"] }] },
            });
            assert.equal(evaluateFlow({ policies: [backendOnly], namespaces, from: web, to: api, port: 9090 }).allowed, false);
            assert.equal(evaluateFlow({ policies: [backendOnly], namespaces, from: api, to: web, port: 8080 }).allowed, true);
            const unlabelled = policy("shop", "untiered", {
                podSelector: { matchExpressions: [{ key: "tier", operator: "DoesNotExist" }] },
            });
            assert.equal(evaluateFlow({ policies: [unlabelled], namespaces, from: web, to: batch, port: 80 }).ingress.isolated, true);
            assert.equal(evaluateFlow({ policies: [unlabelled], namespaces, from: batch, to: web, port: 80 }).ingress.isolated, false);
        });
    });

    describe("policies the API server would refuse", () => {
        const invalid: [string, NetworkPolicySpec, RegExp][] = [
            [
                "endPort with a named port",
                { podSelector: {}, ingress: [{ ports: [{ port: "http", endPort: 90 }] }] },
                /endPort: may not be specified when port is non-numeric/,
            ],
            [
                "endPort below port",
                { podSelector: {}, ingress: [{ ports: [{ port: 90, endPort: 80 }] }] },
                /endPort: 80 must be a port number greater than or equal to port/,
            ],
            [
                "endPort without port",
                { podSelector: {}, ingress: [{ ports: [{ endPort: 80 }] }] },
                /endPort: may not be specified when port is not specified/,
            ],
            [
                "ipBlock beside a selector",
                { podSelector: {}, egress: [{ to: [{ ipBlock: { cidr: "10.0.0.0/8" }, podSelector: {} }] }] },
                /may not specify both ipBlock and another peer/,
            ],
            ["an empty peer", { podSelector: {}, ingress: [{ from: [{}] }] }, /must specify a peer/],
            [
                "except outside cidr",
                { podSelector: {}, egress: [{ to: [{ ipBlock: { cidr: "10.0.0.0/16", except: ["10.1.0.0/24"] } }] }] },
                /must be a strict subset of 10\.0\.0\.0\/16/,
            ],
            [
                "except equal to cidr",
                { podSelector: {}, egress: [{ to: [{ ipBlock: { cidr: "10.0.0.0/16", except: ["10.0.0.0/16"] } }] }] },
                /must be a strict subset/,
            ],
            [
                "a malformed CIDR",
                { podSelector: {}, egress: [{ to: [{ ipBlock: { cidr: "10.0.0/8" } }] }] },
                /"10\.0\.0\/8" is not a valid CIDR/,
            ],
            [
                "In without values",
                { podSelector: { matchExpressions: [{ key: "a", operator: "In" }] } },
                /spec\.podSelector\.matchExpressions\[0\]\.values: must be specified/,
            ],
            [
                "an invalid port name",
                { podSelector: {}, ingress: [{ ports: [{ port: "HTTP_PORT" }] }] },
                /"HTTP_PORT" is not a valid port name/,
            ],
        ];
        for (const [name, spec, message] of invalid) {
            it(`refuses ${name}`, () => {
                const bad = policy("shop", "bad", spec);
                assert.match(networkPolicyProblems(bad).join("\n"), message);
                assert.throws(
                    () => evaluateFlow({ policies: [bad], namespaces, from: web, to: api, port: 80 }),
                    /shop\/bad: .*API server would refuse|invalid NetworkPolicy/,
                );
            });
        }

        it("accepts the policies used above", () => {
            const all = [andPeer, orPeers, internetOnly, v6Egress, namedIngress, namedEgress, denyAll("shop"), denyIngress("shop")];
            assert.deepEqual(all.flatMap(networkPolicyProblems), []);
        });

        it("refuses an endpoint without a valid IP", () => {
            assert.throws(
                () => evaluateFlow({ policies: [], namespaces, from: web, to: { ip: "db.internal" }, port: 5432 }),
                /"db\.internal" is not an IP address/,
            );
        });
    });
});
