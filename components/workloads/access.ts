import type * as k8s from "@pulumi/kubernetes";
import type { AppConfig } from "../config/apps";
import { Destination, egressTo, inNamespace, privateRanges, tcp } from "../shared/network";
import { selectorLabels } from "./pod";

/**
 * Who may talk to an app, and whom it may talk to: pure builders for its NetworkPolicy and,
 * inside the mesh, its Istio AuthorizationPolicy and PeerAuthentication.
 */

/** An app seen from another: where it runs and on which port it serves. */
export interface Peer {
    name: string;
    namespace: string;
    port: number;
}

export interface DataPath {
    namespace: string;
    /** Pod labels of the data service (`cnpg.io/cluster`, `strimzi.io/cluster`). */
    podLabels: Record<string, string>;
    port: number;
}

export interface AccessArgs {
    app: AppConfig;
    namespace: string;
    /** Apps allowed to call this one. */
    callers: Peer[];
    /** Apps this one calls (it appears in their `callers`). */
    callees: Peer[];
    /** Databases and brokers this app uses. */
    data: DataPath[];
    /** Namespace of the ingress controller, when the app is exposed. */
    ingressNamespace?: string;
    /** Namespace Prometheus scrapes from. */
    monitoringNamespace?: string;
    /** Where the API server is: apps that mount a ServiceAccount token (they call the API) may reach it. */
    apiServer: Destination;
}

/**
 * The app's NetworkPolicy: ingress only from declared callers, the ingress controller when the
 * app is exposed, and Prometheus on the metrics port; egress only to its callees, its data and,
 * when asked, HTTPS on the internet. DNS and mesh control-plane traffic come from the namespace
 * baseline. An app without callers or ingress accepts nothing on its service port.
 */
export function networkPolicySpec(args: AccessArgs): k8s.types.input.networking.v1.NetworkPolicySpec {
    const { app } = args;
    const ingress: k8s.types.input.networking.v1.NetworkPolicyIngressRule[] = args.callers.map((c) => ({
        from: [{ ...inNamespace(c.namespace), podSelector: { matchLabels: { "app.kubernetes.io/name": c.name } } }],
        ports: [tcp(app.port)],
    }));
    if (args.ingressNamespace) ingress.push({ from: [inNamespace(args.ingressNamespace)], ports: [tcp(app.port)] });
    if (args.monitoringNamespace && app.metrics)
        ingress.push({ from: [inNamespace(args.monitoringNamespace)], ports: [tcp(app.metrics.port)] });

    const egress: k8s.types.input.networking.v1.NetworkPolicyEgressRule[] = [
        ...args.callees.map((c) => ({
            to: [{ ...inNamespace(c.namespace), podSelector: { matchLabels: { "app.kubernetes.io/name": c.name } } }],
            ports: [tcp(c.port)],
        })),
        ...args.data.map((d) => ({
            to: [{ ...inNamespace(d.namespace), podSelector: { matchLabels: d.podLabels } }],
            ports: [tcp(d.port)],
        })),
    ];
    if (app.internetEgress) egress.push({ to: [{ ipBlock: { cidr: "0.0.0.0/0", except: privateRanges } }], ports: [tcp(443)] });
    if (app.automountServiceAccountToken) egress.push(egressTo(args.apiServer));

    return {
        podSelector: { matchLabels: { "app.kubernetes.io/name": app.name } },
        policyTypes: ["Ingress", "Egress"],
        ingress,
        egress,
    };
}

/** The data side of an app's data path: the database or broker admits this app's pods. */
export function dataAccessPolicySpec(
    app: { name: string; namespace: string },
    path: DataPath,
): k8s.types.input.networking.v1.NetworkPolicySpec {
    return {
        podSelector: { matchLabels: path.podLabels },
        policyTypes: ["Ingress"],
        ingress: [
            {
                from: [{ ...inNamespace(app.namespace), podSelector: { matchLabels: { "app.kubernetes.io/name": app.name } } }],
                ports: [tcp(path.port)],
            },
        ],
    };
}

/** SPIFFE principal of an app's ServiceAccount (each app runs as its own, named after it). */
export const principal = (namespace: string, serviceAccount: string) => `cluster.local/ns/${namespace}/sa/${serviceAccount}`;

/**
 * The app's AuthorizationPolicy: ALLOW its callers' identities (and the ingress controller's)
 * on the service port, and anyone on the metrics port. Every other request is denied by the
 * namespace's default posture.
 */
export function authorizationPolicySpec(args: AccessArgs & { ingressPrincipal?: string }): Record<string, unknown> {
    const principals = args.callers.map((c) => principal(c.namespace, c.name));
    if (args.ingressNamespace && args.ingressPrincipal) principals.push(args.ingressPrincipal);
    const rules: Record<string, unknown>[] = [];
    if (principals.length > 0) rules.push({ from: [{ source: { principals } }], to: [{ operation: { ports: [String(args.app.port)] } }] });
    if (args.monitoringNamespace && args.app.metrics) rules.push({ to: [{ operation: { ports: [String(args.app.metrics.port)] } }] });
    return { selector: { matchLabels: selectorLabels(args.app.name) }, action: "ALLOW", rules };
}

/** STRICT mTLS for the app, with the metrics port left PERMISSIVE for Prometheus (not in the mesh). */
export function peerAuthenticationSpec(app: AppConfig): Record<string, unknown> {
    return {
        selector: { matchLabels: selectorLabels(app.name) },
        mtls: { mode: "STRICT" },
        ...(app.metrics ? { portLevelMtls: { [String(app.metrics.port)]: { mode: "PERMISSIVE" } } } : {}),
    };
}
