import type { KubeObject } from "../types";

/**
 * Stand-ins for the pods the platform's charts and operators run, for when the twin runs without
 * rendered charts: just what network flows need (namespace, labels, ports). Labels and ports are
 * the pinned charts' own (helm template of each chart at its pinned version: ingress-nginx 4.15.1
 * templates/controller-deployment.yaml, istiod 1.30.3 templates/deployment.yaml, kube-prometheus-stack
 * 88.5.3's Prometheus (its operator labels the StatefulSet's pods), cloudnative-pg 0.29.0,
 * plugin-barman-cloud 0.7.0, strimzi-kafka-operator 1.2.0, kyverno 3.9.0, gatekeeper 3.23.0,
 * cert-manager v1.21.1, keda 2.20.2, external-secrets 2.9.0). With rendered charts the twin uses the real pod templates
 * and checks these stand-ins against them.
 */

export interface StandIn {
    /** The chart (or cluster add-on) whose pod this stands for. */
    chart: string;
    name: string;
    labels: Record<string, string>;
    ports: { name?: string; containerPort: number; protocol?: "TCP" | "UDP" }[];
    /** Serves an admission webhook on this port (the API server must reach it). */
    webhookPort?: number;
}

export const chartPods: StandIn[] = [
    {
        chart: "ingress-nginx",
        name: "ingress-nginx-controller",
        labels: {
            "app.kubernetes.io/name": "ingress-nginx",
            "app.kubernetes.io/instance": "ingress-nginx",
            "app.kubernetes.io/component": "controller",
        },
        ports: [
            { name: "http", containerPort: 80 },
            { name: "https", containerPort: 443 },
            { name: "webhook", containerPort: 8443 },
        ],
        webhookPort: 8443,
    },
    {
        chart: "istiod",
        name: "istiod",
        labels: { app: "istiod", istio: "pilot" },
        ports: [
            { name: "grpc-xds", containerPort: 15010 },
            { name: "tls-xds", containerPort: 15012 },
            { name: "https-webhooks", containerPort: 15017 },
            { name: "http-monitoring", containerPort: 15014 },
        ],
        webhookPort: 15017,
    },
    {
        chart: "kube-prometheus-stack",
        name: "prometheus-kube-prometheus-stack-prometheus-0",
        labels: {
            "app.kubernetes.io/name": "prometheus",
            "app.kubernetes.io/instance": "kube-prometheus-stack-prometheus",
            prometheus: "kube-prometheus-stack-prometheus",
        },
        ports: [{ name: "http-web", containerPort: 9090 }],
    },
    {
        chart: "cloudnative-pg",
        name: "cloudnative-pg",
        labels: { "app.kubernetes.io/name": "cloudnative-pg", "app.kubernetes.io/instance": "cloudnative-pg" },
        ports: [
            { name: "metrics", containerPort: 8080 },
            { name: "webhook-server", containerPort: 9443 },
        ],
        webhookPort: 9443,
    },
    {
        chart: "plugin-barman-cloud",
        name: "plugin-barman-cloud",
        labels: { "app.kubernetes.io/name": "plugin-barman-cloud", "app.kubernetes.io/instance": "plugin-barman-cloud" },
        ports: [{ containerPort: 9090 }],
    },
    {
        chart: "strimzi-kafka-operator",
        name: "strimzi-cluster-operator",
        labels: { name: "strimzi-cluster-operator", "strimzi.io/kind": "cluster-operator" },
        ports: [{ name: "http", containerPort: 8080 }],
    },
    {
        chart: "kyverno",
        name: "kyverno-admission-controller",
        labels: {
            "app.kubernetes.io/component": "admission-controller",
            "app.kubernetes.io/instance": "kyverno",
            "app.kubernetes.io/name": "kyverno-admission-controller",
        },
        ports: [{ name: "https", containerPort: 9443 }],
        webhookPort: 9443,
    },
    {
        chart: "gatekeeper",
        name: "gatekeeper-controller-manager",
        labels: { "control-plane": "controller-manager", "gatekeeper.sh/operation": "webhook", "gatekeeper.sh/system": "yes" },
        ports: [{ name: "webhook-server", containerPort: 8443 }],
        webhookPort: 8443,
    },
    {
        chart: "cert-manager",
        name: "cert-manager-webhook",
        labels: {
            "app.kubernetes.io/name": "webhook",
            "app.kubernetes.io/instance": "cert-manager",
            "app.kubernetes.io/component": "webhook",
        },
        ports: [{ name: "https", containerPort: 10250 }],
        webhookPort: 10250,
    },
    {
        chart: "cert-manager",
        name: "cert-manager",
        labels: {
            "app.kubernetes.io/name": "cert-manager",
            "app.kubernetes.io/instance": "cert-manager",
            "app.kubernetes.io/component": "controller",
        },
        ports: [{ name: "http-metrics", containerPort: 9402 }],
    },
    {
        chart: "keda",
        name: "keda-admission-webhooks",
        labels: { "app.kubernetes.io/name": "keda-admission-webhooks", "app.kubernetes.io/instance": "keda" },
        ports: [{ name: "http", containerPort: 9443 }],
        webhookPort: 9443,
    },
    {
        chart: "keda",
        name: "keda-operator",
        labels: { "app.kubernetes.io/name": "keda-operator", "app.kubernetes.io/instance": "keda" },
        ports: [{ name: "metricsservice", containerPort: 9666 }],
    },
    {
        chart: "external-secrets",
        name: "external-secrets-webhook",
        labels: { "app.kubernetes.io/name": "external-secrets-webhook", "app.kubernetes.io/instance": "external-secrets" },
        ports: [{ name: "webhook", containerPort: 10250 }],
        webhookPort: 10250,
    },
    {
        chart: "argo-rollouts",
        name: "argo-rollouts",
        labels: { "app.kubernetes.io/name": "argo-rollouts", "app.kubernetes.io/instance": "argo-rollouts" },
        ports: [{ name: "metrics", containerPort: 8090 }],
    },
];

/** The cluster's DNS (kube-system, `k8s-app: kube-dns`, as CoreDNS is deployed by kubeadm, kind and managed clusters). */
export const kubeDns: KubeObject = {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "coredns", namespace: "kube-system", labels: { "k8s-app": "kube-dns" } },
    spec: {
        containers: [
            {
                name: "coredns",
                ports: [
                    { name: "dns", containerPort: 53, protocol: "UDP" },
                    { name: "dns-tcp", containerPort: 53, protocol: "TCP" },
                ],
            },
        ],
    },
};
