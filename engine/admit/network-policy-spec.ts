/**
 * networking.k8s.io/v1 NetworkPolicy as JSON, the label-selector semantics it uses, and the checks the API
 * server applies before it stores one. Written from kubernetes/kubernetes v1.35.0:
 * `staging/src/k8s.io/api/networking/v1/types.go` (the fields and their documented meaning),
 * `pkg/apis/networking/v1/defaults.go` (policyTypes and protocol defaults),
 * `pkg/apis/networking/validation/validation.go` (ValidateNetworkPolicySpec/Port/Peer, ValidateIPBlock),
 * `staging/src/k8s.io/apimachinery/pkg/apis/meta/v1/validation/validation.go` (ValidateLabelSelector),
 * `staging/src/k8s.io/apimachinery/pkg/labels/selector.go` (In/NotIn/Exists/DoesNotExist matching),
 * `staging/src/k8s.io/apimachinery/pkg/util/validation/validation.go` (IsValidPortNum, IsValidPortName).
 */
import * as ipaddr from "ipaddr.js";
import { matchesSelector } from "./selectors";

export type NetProtocol = "TCP" | "UDP" | "SCTP";

export interface LabelSelectorRequirement {
    key: string;
    operator: "In" | "NotIn" | "Exists" | "DoesNotExist";
    values?: string[];
}

export interface LabelSelector {
    matchLabels?: Record<string, string>;
    matchExpressions?: LabelSelectorRequirement[];
}

export interface IPBlock {
    cidr: string;
    except?: string[];
}

export interface NetworkPolicyPeer {
    podSelector?: LabelSelector;
    namespaceSelector?: LabelSelector;
    ipBlock?: IPBlock;
}

export interface NetworkPolicyPort {
    /** @default "TCP" */
    protocol?: NetProtocol;
    /** A number, or the name of a container port on the destination pod. Missing = every port. */
    port?: number | string;
    /** With a numeric `port`: the inclusive end of a port range. */
    endPort?: number;
}

export interface NetworkPolicyIngressRule {
    from?: NetworkPolicyPeer[];
    ports?: NetworkPolicyPort[];
}

export interface NetworkPolicyEgressRule {
    to?: NetworkPolicyPeer[];
    ports?: NetworkPolicyPort[];
}

export type PolicyType = "Ingress" | "Egress";

export interface NetworkPolicySpec {
    /** Required by the API; `{}` selects every pod in the policy's namespace. */
    podSelector?: LabelSelector;
    policyTypes?: PolicyType[];
    ingress?: NetworkPolicyIngressRule[];
    egress?: NetworkPolicyEgressRule[];
}

export interface NetworkPolicyObject {
    metadata: { name: string; namespace: string };
    spec: NetworkPolicySpec;
}

/** Whether a label set satisfies a selector (one implementation for the whole twin: ./selectors.ts). */
export const selectorMatches = (selector: LabelSelector, labels: Record<string, string>): boolean => matchesSelector(selector, labels);

/** policyTypes as stored after defaulting: Ingress always, Egress iff the spec has at least one egress rule. */
export function effectivePolicyTypes(spec: NetworkPolicySpec): PolicyType[] {
    if (spec.policyTypes && spec.policyTypes.length > 0) return spec.policyTypes;
    return (spec.egress ?? []).length > 0 ? ["Ingress", "Egress"] : ["Ingress"];
}

/** A CIDR as Kubernetes writes one (dotted-quad IPv4 or IPv6, then /prefix), else undefined. */
export function parseCidr(cidr: string): [ipaddr.IPv4 | ipaddr.IPv6, number] | undefined {
    if (ipaddr.IPv4.isValidCIDRFourPartDecimal(cidr)) return ipaddr.IPv4.parseCIDR(cidr);
    return ipaddr.IPv6.isValidCIDR(cidr) ? ipaddr.IPv6.parseCIDR(cidr) : undefined;
}

/** An address as Kubernetes writes one (dotted-quad IPv4 or IPv6), else undefined. */
export function parseIp(ip: string): ipaddr.IPv4 | ipaddr.IPv6 | undefined {
    if (ipaddr.IPv4.isValidFourPartDecimal(ip)) return ipaddr.IPv4.parse(ip);
    return ipaddr.IPv6.isValid(ip) ? ipaddr.IPv6.parse(ip) : undefined;
}

export function cidrContains(cidr: [ipaddr.IPv4 | ipaddr.IPv6, number], ip: ipaddr.IPv4 | ipaddr.IPv6): boolean {
    return cidr[0].kind() === ip.kind() && ip.match(cidr);
}

function selectorProblems(selector: LabelSelector | undefined, path: string): string[] {
    return (selector?.matchExpressions ?? []).flatMap((req, i) => {
        const at = `${path}.matchExpressions[${i}]`;
        const count = (req.values ?? []).length;
        switch (req.operator) {
            case "In":
            case "NotIn":
                return count === 0 ? [`${at}.values: must be specified when operator is ${req.operator}`] : [];
            case "Exists":
            case "DoesNotExist":
                return count > 0 ? [`${at}.values: may not be specified when operator is ${req.operator}`] : [];
            default:
                return [`${at}.operator: ${JSON.stringify(req.operator)} is not a valid label selector operator`];
        }
    });
}

function validPortName(name: string): boolean {
    return name.length <= 15 && /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/.test(name) && /[a-z]/.test(name) && !name.includes("--");
}

function validPortNumber(port: number): boolean {
    return Number.isInteger(port) && port >= 1 && port <= 65535;
}

function portProblems(port: NetworkPolicyPort, at: string): string[] {
    const problems: string[] = [];
    if (port.protocol !== undefined && !["TCP", "UDP", "SCTP"].includes(port.protocol)) {
        problems.push(`${at}.protocol: ${JSON.stringify(port.protocol)} is not TCP, UDP or SCTP`);
    }
    if (typeof port.port === "number") {
        if (!validPortNumber(port.port)) problems.push(`${at}.port: ${port.port} is not between 1 and 65535`);
        if (port.endPort !== undefined && (!validPortNumber(port.endPort) || port.endPort < port.port)) {
            problems.push(`${at}.endPort: ${port.endPort} must be a port number greater than or equal to port`);
        }
    } else if (typeof port.port === "string") {
        if (!validPortName(port.port)) problems.push(`${at}.port: ${JSON.stringify(port.port)} is not a valid port name`);
        if (port.endPort !== undefined) problems.push(`${at}.endPort: may not be specified when port is non-numeric`);
    } else if (port.endPort !== undefined) {
        problems.push(`${at}.endPort: may not be specified when port is not specified`);
    }
    return problems;
}

function ipBlockProblems(block: IPBlock, at: string): string[] {
    const cidr = parseCidr(block.cidr ?? "");
    if (!cidr) return [`${at}.cidr: ${JSON.stringify(block.cidr)} is not a valid CIDR`];
    return (block.except ?? []).flatMap((except, i) => {
        const inner = parseCidr(except);
        if (!inner) return [`${at}.except[${i}]: ${JSON.stringify(except)} is not a valid CIDR`];
        const strictSubset = cidrContains(cidr, inner[0]) && inner[1] > cidr[1];
        return strictSubset ? [] : [`${at}.except[${i}]: ${except} must be a strict subset of ${block.cidr}`];
    });
}

function peerProblems(peer: NetworkPolicyPeer, at: string): string[] {
    const kinds = [peer.podSelector, peer.namespaceSelector, peer.ipBlock].filter((p) => p != null).length;
    const problems = [
        ...selectorProblems(peer.podSelector, `${at}.podSelector`),
        ...selectorProblems(peer.namespaceSelector, `${at}.namespaceSelector`),
        ...(peer.ipBlock ? ipBlockProblems(peer.ipBlock, `${at}.ipBlock`) : []),
    ];
    if (kinds === 0) problems.push(`${at}: must specify a peer`);
    if (kinds > 1 && peer.ipBlock) problems.push(`${at}: may not specify both ipBlock and another peer`);
    return problems;
}

/** What the API server would refuse in this policy (empty = it would be stored), each as `ns/name: path: problem`. */
export function networkPolicyProblems(policy: NetworkPolicyObject): string[] {
    const { spec } = policy;
    const rules = [
        ...(spec.ingress ?? []).map((rule, i) => ({ at: `spec.ingress[${i}]`, peers: rule.from, peerKey: "from", ports: rule.ports })),
        ...(spec.egress ?? []).map((rule, i) => ({ at: `spec.egress[${i}]`, peers: rule.to, peerKey: "to", ports: rule.ports })),
    ];
    const problems = [
        ...selectorProblems(spec.podSelector, "spec.podSelector"),
        ...rules.flatMap(({ at, peers, peerKey, ports }) => [
            ...(ports ?? []).flatMap((port, i) => portProblems(port, `${at}.ports[${i}]`)),
            ...(peers ?? []).flatMap((peer, i) => peerProblems(peer, `${at}.${peerKey}[${i}]`)),
        ]),
    ];
    const types = spec.policyTypes ?? [];
    if (types.length > 2) problems.push("spec.policyTypes: may not specify more than two policyTypes");
    types.forEach((type, i) => {
        if (type !== "Ingress" && type !== "Egress")
            problems.push(`spec.policyTypes[${i}]: ${JSON.stringify(type)} is not Ingress or Egress`);
    });
    const id = `${policy.metadata.namespace}/${policy.metadata.name}`;
    return problems.map((problem) => `${id}: ${problem}`);
}
